"""The drafts storage on SQLite and PostgreSQL: migrations, repository functions, concurrent writers."""
from __future__ import annotations

import re
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text, update

from bot.db import drafts as repo
from bot.db.deletion import delete_draft, purge_conversations_older_than, purge_older_than
from bot.db.drafts import (
    DRAFT_FIELDS,
    EXPORT_COLUMNS,
    draft_to_dict,
    email_matches,
    field_sources,
    get_by_conversation,
    get_by_reference,
    get_or_create_draft,
    list_drafts,
    update_fields,
)
from bot.db.models import Base, Draft, DraftConversation, DraftFieldSource
from bot.db.session import alembic_config, get_engine, head_revision, session_scope, upgrade

pytest_plugins = ["tests.db_fixtures"]  # db_url, migrated_db_url, db_session

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def _run_in_threads(*targets):
    errors = []

    def guard(target):
        try:
            target()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=guard, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_migrations_create_the_schema_and_match_the_models(db_url):
    head = head_revision()
    assert upgrade(db_url) == (None, head)
    assert upgrade(db_url) == (head, head)  # idempotent
    with get_engine(db_url).connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert {"drafts", "draft_field_sources", "reference_counters", "alembic_version"} <= tables
        indexes = {i["name"] for i in inspect(connection).get_indexes("drafts")}
        assert {"ix_drafts_status", "ix_drafts_updated_at"} <= indexes
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_get_or_create_is_idempotent(db_session):
    first = get_or_create_draft(db_session, "conv-1")
    again = get_or_create_draft(db_session, "conv-1", consent_at=WHEN)
    assert again.id == first.id
    assert again.consent_at == WHEN
    assert get_or_create_draft(db_session, "conv-2").id != first.id
    assert db_session.scalar(select(Draft.id).where(Draft.conversation_id == "conv-1")) == first.id
    assert len(list_drafts(db_session)) == 2
    assert first.status == "new"
    assert first.created_at.tzinfo is not None


def test_references_are_sequential_per_year(db_session, monkeypatch):
    monkeypatch.setattr(repo, "utcnow", lambda: WHEN)  # the creation year, without a race at New Year
    year = WHEN.year
    references = [get_or_create_draft(db_session, f"conv-{i}").reference for i in range(3)]
    assert references == [f"ESS-{year}-0001", f"ESS-{year}-0002", f"ESS-{year}-0003"]
    assert all(re.fullmatch(r"ESS-\d{4}-\d{4}", r) for r in references)
    monkeypatch.setattr(repo, "utcnow", lambda: datetime(year + 1, 1, 1, 0, 5, tzinfo=timezone.utc))
    assert get_or_create_draft(db_session, "conv-next-year").reference == f"ESS-{year + 1}-0001"
    assert get_by_reference(db_session, f"  ess-{year}-0002 ").conversation_id == "conv-1"
    assert get_by_reference(db_session, "ESS-1999-0001") is None


def test_update_fields_sets_values_and_provenance(db_session):
    draft = get_or_create_draft(db_session, "conv-1")
    before = draft.updated_at
    update_fields(db_session, draft, {
        "org_name": "Les Jardins partagés", "amount": "12000", "start_date": "2026-09-01",
        "other_department_aid": False, "jobs": 2,
    }, sources={"org_name": ("Nous sommes Les Jardins partagés", WHEN), "amount": ("12 000 €", WHEN)})
    update_fields(db_session, draft, {"amount": Decimal("15000.5")}, sources={"amount": ("plutôt 15 000,50", WHEN)})
    db_session.expire_all()
    draft = get_by_conversation(db_session, "conv-1")
    assert draft.org_name == "Les Jardins partagés"
    assert draft.amount == Decimal("15000.50")
    assert draft.start_date == date(2026, 9, 1)
    assert draft.other_department_aid is False
    assert draft.jobs == 2
    assert draft.updated_at >= before
    sources = field_sources(db_session, draft)
    assert set(sources) == {"org_name", "amount", "start_date", "other_department_aid", "jobs"}
    assert sources["amount"].message == "plutôt 15 000,50"
    assert sources["amount"].value == "15000.50"
    assert sources["amount"].given_at == WHEN
    assert sources["start_date"].message is None
    assert db_session.scalar(select(DraftFieldSource.id).where(DraftFieldSource.field == "amount")) is not None


def test_saving_a_resumed_draft_again_keeps_the_sentence_of_each_unchanged_value(db_session):
    draft = get_or_create_draft(db_session, "conv-1")
    update_fields(db_session, draft, {"org_name": "Vélo Solidaire", "amount": 12000.0, "jobs": 2},
                  sources={"org_name": ("c'est Vélo Solidaire", WHEN), "amount": ("12000", WHEN),
                           "jobs": ("2 ETP", WHEN)})
    # A resumed conversation knows no sentence for the values it loaded; it changes only the jobs.
    update_fields(db_session, draft, {"org_name": "Vélo Solidaire", "amount": 12000.0, "jobs": 3},
                  sources={"jobs": ("finalement 3 emplois", WHEN)})
    update_fields(db_session, draft, {"org_name": "Vélo Solidaire Ivry"})
    sources = field_sources(db_session, draft)
    assert sources["amount"].message == "12000" and sources["amount"].given_at == WHEN
    assert sources["jobs"].message == "finalement 3 emplois" and sources["jobs"].value == "3"
    assert sources["org_name"].message is None and sources["org_name"].value == "Vélo Solidaire Ivry"


def test_update_fields_rejects_unknown_fields_and_statuses(db_session):
    draft = get_or_create_draft(db_session, "conv-1")
    with pytest.raises(ValueError, match="nickname"):
        update_fields(db_session, draft, {"nickname": "x"})
    with pytest.raises(ValueError, match="status"):
        update_fields(db_session, draft, {"status": "accepted"})
    update_fields(db_session, draft, {"status": "in_review", "verdict": "eligible",
                                      "verdict_reasons": [{"criterion": "amount", "message": "ok"}]})
    assert field_sources(db_session, draft) == {}  # no provenance for staff/assistant fields
    assert [d.reference for d in list_drafts(db_session, status="in_review")] == [draft.reference]
    assert list_drafts(db_session, status="new") == []


def test_concurrent_writers_of_different_fields_lose_nothing(migrated_db_url):
    with session_scope(migrated_db_url) as session:
        draft_id = get_or_create_draft(session, "conv-shared").id
    start = threading.Barrier(2)

    def writer(text_field, number_field, number):
        start.wait()
        for i in range(50):
            with session_scope(migrated_db_url) as session:
                draft = get_by_conversation(session, "conv-shared")
                update_fields(session, draft, {text_field: f"{text_field}-{i}", number_field: number(i)},
                              sources={text_field: (f"message {i}", WHEN)})

    _run_in_threads(lambda: writer("org_name", "jobs", lambda i: i),
                    lambda: writer("project_title", "amount", lambda i: Decimal(1000 + i)))
    with session_scope(migrated_db_url) as session:
        draft = session.get(Draft, draft_id)
        assert (draft.org_name, draft.jobs) == ("org_name-49", 49)
        assert (draft.project_title, draft.amount) == ("project_title-49", Decimal("1049.00"))
        sources = field_sources(session, draft)
        assert set(sources) == {"org_name", "jobs", "project_title", "amount"}
        assert sources["org_name"].message == sources["project_title"].message == "message 49"


def test_concurrent_get_or_create_makes_one_draft(migrated_db_url, monkeypatch):
    monkeypatch.setattr(repo, "utcnow", lambda: WHEN)  # the three drafts are created the same year, even at New Year
    for attempt in range(3):
        conversation = f"conv-race-{attempt}"
        start = threading.Barrier(2)
        references = []

        def create(start=start, references=references, conversation=conversation):
            start.wait()
            with session_scope(migrated_db_url) as session:
                references.append(get_or_create_draft(session, conversation).reference)

        _run_in_threads(create, create)
        assert len(references) == 2 and references[0] == references[1]
        with session_scope(migrated_db_url) as session:
            rows = session.scalars(select(Draft).where(Draft.conversation_id == conversation)).all()
            assert len(rows) == 1
    with session_scope(migrated_db_url) as session:
        assert sorted(d.reference for d in list_drafts(session)) == [f"ESS-{WHEN.year}-000{i}" for i in (1, 2, 3)]


def _create_events_table(session):
    session.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                         "type_name VARCHAR(255))"))
    session.execute(text("INSERT INTO events (id, sender_id, type_name) VALUES "
                         "(1, 'conv-1', 'user'), (2, 'conv-1', 'bot'), (3, 'conv-2', 'user')"))


def _events(session):
    return session.execute(text("SELECT sender_id FROM events ORDER BY id")).scalars().all()


def test_delete_removes_sources_and_the_conversation(db_session):
    _create_events_table(db_session)
    draft = get_or_create_draft(db_session, "conv-1")
    other = get_or_create_draft(db_session, "conv-2")
    update_fields(db_session, draft, {"org_name": "A"}, sources={"org_name": ("A", WHEN)})
    update_fields(db_session, other, {"org_name": "B"}, sources={"org_name": ("B", WHEN)})
    delete_draft(db_session, draft)
    assert get_by_conversation(db_session, "conv-1") is None
    assert db_session.scalars(select(DraftFieldSource.field).where(DraftFieldSource.draft_id == draft.id)).all() == []
    assert _events(db_session) == ["conv-2"]
    assert field_sources(db_session, other)["org_name"].value == "B"


def test_delete_works_without_an_events_table(db_session):
    delete_draft(db_session, get_or_create_draft(db_session, "conv-1"))
    assert list_drafts(db_session) == []


def test_purge_deletes_drafts_not_updated_for_long(db_session):
    _create_events_table(db_session)
    now = datetime.now(timezone.utc)
    old, recent = get_or_create_draft(db_session, "conv-1"), get_or_create_draft(db_session, "conv-2")
    update_fields(db_session, old, {"org_name": "Ancienne"})
    db_session.execute(update(Draft).where(Draft.id == old.id).values(updated_at=now - timedelta(days=200)))
    assert purge_older_than(db_session, 365, now=now) == 0
    assert purge_older_than(db_session, 180, now=now) == 1
    assert [d.conversation_id for d in list_drafts(db_session)] == [recent.conversation_id]
    assert _events(db_session) == ["conv-2"]
    assert db_session.scalars(select(DraftFieldSource)).all() == []


def test_draft_to_dict_is_json_ready(db_session):
    draft = get_or_create_draft(db_session, "conv-1", consent_at=WHEN)
    update_fields(db_session, draft, {"amount": 12000, "total_budget": "20000.5", "start_date": date(2026, 9, 1),
                                      "other_department_aid": True, "email": "Contact@Asso.fr"})
    data = draft_to_dict(draft)
    assert list(data) == list(EXPORT_COLUMNS)
    assert EXPORT_COLUMNS[0] == "reference" and EXPORT_COLUMNS[-1] == "consent_at"
    assert set(DRAFT_FIELDS) < set(EXPORT_COLUMNS)
    assert data["amount"] == 12000.0 and data["total_budget"] == 20000.5
    assert data["start_date"] == "2026-09-01"
    assert data["other_department_aid"] is True
    assert data["consent_at"] == "2026-03-02T09:30:00+00:00"
    assert data["created_at"].endswith("+00:00")
    assert data["org_name"] is None
    assert email_matches(draft, "  contact@asso.FR ")
    assert not email_matches(draft, "autre@asso.fr")
    assert not email_matches(draft, "")


def test_get_or_create_recovers_when_another_writer_wins(db_session, monkeypatch):
    monkeypatch.setattr(repo, "utcnow", lambda: WHEN)  # both drafts created the same year, even at New Year
    existing = get_or_create_draft(db_session, "conv-1")
    real_get = repo.get_by_conversation
    calls = []

    def stale_first_read(session, conversation_id):  # as if the other writer committed after our read
        calls.append(conversation_id)
        return None if len(calls) == 1 else real_get(session, conversation_id)

    monkeypatch.setattr(repo, "get_by_conversation", stale_first_read)
    assert get_or_create_draft(db_session, "conv-1", consent_at=WHEN).id == existing.id
    assert len(calls) == 2
    assert existing.consent_at == WHEN
    monkeypatch.setattr(repo, "get_by_conversation", real_get)
    assert get_or_create_draft(db_session, "conv-2").reference == f"ESS-{WHEN.year}-0002"  # no number lost


def test_sqlite_connections_are_set_up_for_concurrent_writers(tmp_path):
    url = f"sqlite:///{tmp_path / 'settings.db'}"
    upgrade(url)  # turns foreign keys off while migrating, then back on
    with session_scope(url) as session:
        pragma = session.connection().exec_driver_sql
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA busy_timeout").scalar() == 30_000  # sqlite3 timeout argument


def test_purge_deletes_old_conversations_without_a_draft(db_session):
    now = datetime.now(timezone.utc)
    old, recent = (now - timedelta(days=200)).timestamp(), (now - timedelta(days=2)).timestamp()
    db_session.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                            "type_name VARCHAR(255), timestamp FLOAT)"))
    db_session.execute(text("INSERT INTO events (id, sender_id, type_name, timestamp) VALUES "
                            "(1, 'old-chat', 'user', :old), (2, 'old-chat', 'bot', :old), "
                            "(3, 'ongoing', 'user', :old), (4, 'ongoing', 'user', :recent), "
                            "(5, 'with-draft', 'user', :old)"), {"old": old, "recent": recent})
    get_or_create_draft(db_session, "with-draft")
    assert purge_conversations_older_than(db_session, 180, now=now) == 1
    assert _events(db_session) == ["ongoing", "ongoing", "with-draft"]


# --- Which conversations may act on a draft (draft_conversations) ---

def test_a_new_draft_is_linked_to_the_conversation_that_created_it(db_session):
    draft = get_or_create_draft(db_session, "conv-1")
    assert repo.linked_draft(db_session, "conv-1").id == draft.id
    assert repo.linked_conversations(db_session, draft) == ["conv-1"]
    assert repo.linked_draft(db_session, "conv-2") is None and repo.linked_drafts(db_session, "") == []
    get_or_create_draft(db_session, "conv-1")  # idempotent: still one link
    assert db_session.scalar(select(func.count()).select_from(DraftConversation)) == 1


def test_a_conversation_acts_on_the_draft_it_linked_last(db_session, monkeypatch):
    monkeypatch.setattr(repo, "utcnow", lambda: WHEN)  # created (and linked to their creators) at WHEN, not "now"
    own, other = get_or_create_draft(db_session, "conv-1"), get_or_create_draft(db_session, "conv-2")
    repo.link_conversation(db_session, other, "conv-1", now=WHEN + timedelta(days=1000))
    assert repo.linked_draft(db_session, "conv-1").id == other.id
    assert {d.id for d in repo.linked_drafts(db_session, "conv-1")} == {own.id, other.id}
    repo.link_conversation(db_session, own, "conv-1", now=WHEN + timedelta(days=2000))  # resumed again
    assert repo.linked_draft(db_session, "conv-1").id == own.id
    assert repo.linked_conversations(db_session, other) == ["conv-2", "conv-1"]
    assert repo.linked_draft(db_session, "conv-2").id == other.id  # the creator keeps its own


def test_delete_removes_every_linked_conversation(db_session):
    _create_events_table(db_session)
    db_session.execute(text("INSERT INTO events (id, sender_id, type_name) VALUES (4, 'conv-3', 'user'), "
                            "(5, 'conv-4', 'user')"))
    draft, other = get_or_create_draft(db_session, "conv-1"), get_or_create_draft(db_session, "conv-4")
    repo.link_conversation(db_session, draft, "conv-3")
    delete_draft(db_session, draft)
    assert _events(db_session) == ["conv-2", "conv-4"]  # conv-2 was never linked; conv-4 owns another draft
    assert db_session.scalars(select(DraftConversation.conversation_id)).all() == ["conv-4"]
    assert repo.linked_draft(db_session, "conv-3") is None and repo.linked_draft(db_session, "conv-4").id == other.id


def test_purge_keeps_conversations_that_resumed_a_draft(db_session):
    now = datetime.now(timezone.utc)
    old = (now - timedelta(days=200)).timestamp()
    db_session.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                            "type_name VARCHAR(255), timestamp FLOAT)"))
    db_session.execute(text("INSERT INTO events (id, sender_id, type_name, timestamp) VALUES "
                            "(1, 'creator', 'user', :old), (2, 'resumer', 'user', :old), (3, 'idle', 'user', :old)"),
                       {"old": old})
    repo.link_conversation(db_session, get_or_create_draft(db_session, "creator"), "resumer")
    assert purge_conversations_older_than(db_session, 30, now=now) == 1
    assert _events(db_session) == ["creator", "resumer"]


def last_revision_without(table_name, scratch_url):
    """The last migration after which ``table_name`` does not exist yet, found by migrating a scratch database one
    revision at a time (no revision written in the test); None when the first migration already creates it."""
    from alembic import command

    script = ScriptDirectory.from_config(alembic_config(scratch_url))
    previous = None
    for revision in reversed(list(script.walk_revisions())):  # from the first migration to the head
        command.upgrade(alembic_config(scratch_url), revision.revision)
        with get_engine(scratch_url).connect() as connection:
            if inspect(connection).has_table(table_name):
                return previous
        previous = revision.revision
    raise AssertionError(f"aucune migration ne crée {table_name}")


def test_migration_links_the_existing_drafts_to_their_conversations(db_url, tmp_path):
    from alembic import command

    before = last_revision_without("draft_conversations", f"sqlite:///{tmp_path / 'steps.db'}")
    if before is None:
        pytest.skip("draft_conversations est créée par la première migration : aucune pré-candidature à relier")
    command.upgrade(alembic_config(db_url), before)
    with get_engine(db_url).begin() as connection:
        connection.execute(text("INSERT INTO drafts (reference, conversation_id, status, created_at, updated_at) "
                                "VALUES ('ESS-2025-0001', 'conv-old', 'new', :at, :at)"), {"at": WHEN})
    upgrade(db_url)
    with session_scope(db_url) as session:
        assert repo.linked_draft(session, "conv-old").reference == "ESS-2025-0001"
        assert session.scalar(select(DraftConversation.origin)) == "created"
