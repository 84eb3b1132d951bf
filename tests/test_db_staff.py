"""The staff repository on SQLite and PostgreSQL: accounts, login delays, sessions, workflow, notes, audit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import inspect, select, update

from bot.db import staff, staff_auth
from bot.db.drafts import get_by_reference, get_or_create_draft, update_fields
from bot.db.models import Base
from bot.db.session import get_engine, head_revision, session_scope, upgrade
from bot.db.staff_models import DraftAudit, DraftNote, StaffUser

pytest_plugins = ["tests.db_fixtures"]  # db_url, migrated_db_url, db_session

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_migrations_create_the_staff_tables_and_match_the_models(db_url):
    before, after = upgrade(db_url)
    assert (before, after) == (None, head_revision())
    with get_engine(db_url).connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert {"staff_users", "login_attempts", "draft_notes", "draft_audit", "staff_sessions", "security_events",
                "rate_limit_counters"} <= tables
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_create_user_hashes_with_argon2id_and_refuses_duplicates(db_session):
    user = staff.create_user(db_session, "  Agent@Valdemarne.FR ", PASSWORD, "admin")
    assert user.email == "agent@valdemarne.fr" and user.is_admin and user.active and not user.must_change_password
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    with pytest.raises(staff.DuplicateUser, match="existe déjà"):
        staff.create_user(db_session, "agent@valdemarne.fr", PASSWORD)


@pytest.mark.parametrize("email, password, role, message", [
    ("agent@valdemarne.fr", "court", "reviewer", "au moins 12 caractères"),
    ("agent@valdemarne.fr", " " * 12, "reviewer", "espaces"),
    ("pas-une-adresse", PASSWORD, "reviewer", "Adresse e-mail invalide"),
    ("agent@valdemarne.fr", PASSWORD, "superuser", "Rôle inconnu"),
])
def test_create_user_refusals_are_in_french(db_session, email, password, role, message):
    with pytest.raises(staff.StaffError, match=message):
        staff.create_user(db_session, email, password, role)


def test_authenticate(db_session):
    user = staff.create_user(db_session, "agent@valdemarne.fr", PASSWORD)
    assert staff.authenticate(db_session, "AGENT@valdemarne.fr", PASSWORD).id == user.id
    assert user.last_login_at is not None
    assert staff.authenticate(db_session, "agent@valdemarne.fr", "mauvais mot de passe") is None
    assert staff.authenticate(db_session, "inconnu@valdemarne.fr", PASSWORD) is None
    staff.set_active(db_session, user, False)
    assert staff.authenticate(db_session, "agent@valdemarne.fr", PASSWORD) is None


def test_authenticate_rehashes_outdated_hashes(db_session):
    user = staff.create_user(db_session, "agent@valdemarne.fr", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    db_session.execute(update(StaffUser).where(StaffUser.id == user.id).values(password_hash=weak))
    assert staff.authenticate(db_session, "agent@valdemarne.fr", PASSWORD) is not None
    stored = db_session.scalar(select(StaffUser.password_hash).where(StaffUser.id == user.id))
    assert stored != weak and not PasswordHasher().check_needs_rehash(stored)


def test_create_user_with_an_initial_password(db_session):
    user = staff.create_user(db_session, "agent@valdemarne.fr", PASSWORD, must_change_password=True)
    assert user.must_change_password and user.password_changed_at is None


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_login_delays_per_account_grow_and_are_bounded(db_session):
    delay = staff_auth.login_delay
    for i in range(3):  # three addresses: only the account is common
        staff_auth.record_failure(db_session, "Agent@valdemarne.fr", f"10.0.0.{i}", now=at(i))
    assert delay(db_session, "agent@valdemarne.fr", "10.0.0.9", now=at(3)) == (1.0, 0.0)
    assert delay(db_session, "autre@valdemarne.fr", "10.0.0.9", now=at(3)) == (0.0, 0.0)
    waits = []
    for i in range(3, 12):
        staff_auth.record_failure(db_session, "agent@valdemarne.fr", f"10.0.0.{i}", now=at(i))
        waits.append(delay(db_session, "agent@valdemarne.fr", "10.0.0.99", now=at(i + 0.5)).wait)
    assert waits == [2.0, 4.0, 8.0] + [staff_auth.ACCOUNT_MAX_DELAY] * 6
    assert delay(db_session, "agent@valdemarne.fr", "10.0.0.99", now=at(72)) == (0.0, 0.0)  # an hour later


def test_login_delays_per_address(db_session):
    delay = staff_auth.login_delay
    for i in range(3):  # one address, three accounts
        staff_auth.record_failure(db_session, f"x{i}@exemple.fr", "192.0.2.1", now=at(i))
    assert delay(db_session, "nouveau@exemple.fr", "192.0.2.1", now=at(2)) == (0.0, 1.0)
    assert delay(db_session, "nouveau@exemple.fr", "192.0.2.1", now=at(2) + timedelta(seconds=1)) == (0.0, 0.0)
    for i in range(3, 20):
        staff_auth.record_failure(db_session, f"x{i}@exemple.fr", "192.0.2.1", now=at(i))
    assert delay(db_session, "nouveau@exemple.fr", "192.0.2.1", now=at(19)).retry_after == \
        staff_auth.ADDRESS_MAX_DELAY
    assert delay(db_session, "nouveau@exemple.fr", "192.0.2.2", now=at(19)) == (0.0, 0.0)


def test_a_successful_login_forgets_only_its_own_address_failures(db_session):
    for address in ("10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2"):
        staff_auth.record_failure(db_session, "agent@valdemarne.fr", address, now=at(0))
    staff_auth.clear_failures(db_session, "agent@valdemarne.fr", "10.0.0.1")
    assert staff_auth.login_delay(db_session, "agent@valdemarne.fr", "10.0.0.3", now=at(1)) == (0.0, 0.0)
    staff_auth.record_failure(db_session, "agent@valdemarne.fr", "10.0.0.2", now=at(1))
    assert staff_auth.login_delay(db_session, "agent@valdemarne.fr", "10.0.0.3", now=at(1)).wait == 1.0


def test_sessions_end_on_logout_deactivation_expiry_and_idleness(db_session):
    user = staff.create_user(db_session, "agent@valdemarne.fr", PASSWORD)
    token = staff_auth.create_session(db_session, user, "10.0.0.1", now=T0)
    assert token not in {row.id for row in db_session.scalars(select(staff_auth.StaffSession))}  # only a digest
    assert staff_auth.session_user(db_session, token, now=at(1)).id == user.id
    assert staff_auth.session_user(db_session, token + "x", now=at(1)) is None
    staff_auth.end_session(db_session, token)
    assert staff_auth.session_user(db_session, token, now=at(2)) is None
    token = staff_auth.create_session(db_session, user, now=T0)
    assert staff_auth.session_user(db_session, token, now=at(119)) is not None  # seen: idle time restarts
    assert staff_auth.session_user(db_session, token, now=at(119 + 121)) is None  # 2 hours idle
    token = staff_auth.create_session(db_session, user, hours=1, now=T0)
    for minutes in (30, 59):
        assert staff_auth.session_user(db_session, token, now=at(minutes)) is not None
    assert staff_auth.session_user(db_session, token, now=at(60)) is None  # absolute expiry
    token = staff_auth.create_session(db_session, user)
    staff.set_active(db_session, user, False)
    assert staff_auth.count_sessions(db_session, user.id) == 0
    staff.set_active(db_session, user, True)
    assert staff_auth.session_user(db_session, token) is None


def test_change_password(db_session):
    user = staff.create_user(db_session, "agent@valdemarne.fr", PASSWORD, must_change_password=True)
    staff_auth.create_session(db_session, user)
    new = "un tout nouveau mot de passe"
    for current, password, confirm, message in (
            ("faux", new, new, "actuel est incorrect"), (PASSWORD, new, new + "!", "différents"),
            (PASSWORD, "court", "court", "12 caractères"), (PASSWORD, PASSWORD, PASSWORD, "différent de l'actuel")):
        with pytest.raises(staff.StaffError, match=message):
            staff_auth.change_password(db_session, user, current, password, confirm)
    assert staff_auth.count_sessions(db_session, user.id) == 1
    staff_auth.change_password(db_session, user, PASSWORD, new, new)
    assert not user.must_change_password and user.password_changed_at is not None
    assert staff_auth.count_sessions(db_session, user.id) == 0
    assert staff.authenticate(db_session, "agent@valdemarne.fr", new).id == user.id
    assert staff.authenticate(db_session, "agent@valdemarne.fr", PASSWORD) is None


@pytest.fixture
def reviewed(db_session):
    user = staff.create_user(db_session, "agent@valdemarne.fr", PASSWORD)
    draft = get_or_create_draft(db_session, "conv-1")
    update_fields(db_session, draft, {"org_name": "Asso"})
    return db_session, user, draft


def test_status_workflow(reviewed):
    session, user, draft = reviewed
    assert staff.allowed_transitions("new") == ("in_review",)
    with pytest.raises(staff.StaffError, match="commentaire est obligatoire"):
        staff.change_status(session, draft, "in_review", user, "   ")
    with pytest.raises(staff.StatusConflict, match="pas permis"):
        staff.change_status(session, draft, "admissible", user, "Dossier complet")
    entry = staff.change_status(session, draft, "in_review", user, " Je prends le dossier ")
    assert (entry.from_status, entry.to_status, entry.comment) == ("new", "in_review", "Je prends le dossier")
    assert get_by_reference(session, draft.reference).status == "in_review"
    with pytest.raises(staff.StatusConflict, match="entre-temps"):  # the page showed "new"
        staff.change_status(session, draft, "in_review", user, "encore", expected_status="new")
    for target in ("incomplete", "in_review", "admissible", "in_review", "not_admissible"):
        staff.change_status(session, draft, target, user, f"vers {target}")
    assert [e.to_status for e in staff.draft_audit(session, draft)] == [
        "in_review", "incomplete", "in_review", "admissible", "in_review", "not_admissible"]


def test_notes_are_audited_without_their_text(reviewed):
    session, user, draft = reviewed
    with pytest.raises(staff.StaffError, match="vide"):
        staff.add_note(session, draft, user, "  ")
    staff.add_note(session, draft, user, "Appeler la présidente lundi")
    notes = staff.list_notes(session, draft)
    assert [(n.body, n.author.email) for n in notes] == [("Appeler la présidente lundi", "agent@valdemarne.fr")]
    (entry,) = staff.draft_audit(session, draft)
    assert entry.action == "note_added" and entry.comment is None and entry.user.email == "agent@valdemarne.fr"


def test_deletion_keeps_the_audit_trail(migrated_db_url):
    with session_scope(migrated_db_url) as session:
        user = staff.create_user(session, "admin@valdemarne.fr", PASSWORD, "admin")
        draft = get_or_create_draft(session, "conv-1")
        staff.change_status(session, draft, "in_review", user, "Examen")
        staff.add_note(session, draft, user, "Note")
        reference = draft.reference
        staff.delete_with_audit(session, draft, user)
    with session_scope(migrated_db_url) as session:
        assert get_by_reference(session, reference) is None
        assert session.scalars(select(DraftNote)).all() == []
        rows = session.scalars(select(DraftAudit).order_by(DraftAudit.id)).all()
        assert [(r.action, r.draft_id, r.draft_reference) for r in rows] == [
            ("status_changed", None, reference), ("note_added", None, reference), ("deleted", None, reference)]
        entries, count = staff.recent_audit(session, reference=reference.lower())
        assert count == 3 and entries[0].action == "deleted" and entries[0].user.email == "admin@valdemarne.fr"
