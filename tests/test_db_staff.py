"""The staff repository on SQLite and PostgreSQL: accounts, login throttling, workflow, notes, audit trail."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import inspect, select, update

from bot.db import staff
from bot.db.drafts import get_by_reference, get_or_create_draft, update_fields
from bot.db.models import Base, DraftAudit, DraftNote, StaffUser
from bot.db.session import get_engine, session_scope, upgrade

pytest_plugins = ["tests.db_fixtures"]  # db_url, migrated_db_url, db_session

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_migration_0002_creates_the_staff_tables_and_matches_the_models(db_url):
    before, after = upgrade(db_url)
    assert (before, after) == (None, "0002")
    with get_engine(db_url).connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert {"staff_users", "login_attempts", "draft_notes", "draft_audit"} <= tables
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_create_user_hashes_with_argon2id_and_refuses_duplicates(db_session):
    user = staff.create_user(db_session, "  Agent@Valdemarne.FR ", PASSWORD, "admin")
    assert user.email == "agent@valdemarne.fr" and user.is_admin and user.active
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


def test_throttling_per_email_and_per_ip(db_session):
    for i in range(4):
        staff.record_failure(db_session, "agent@valdemarne.fr", f"10.0.0.{i}", now=T0 + timedelta(minutes=i))
    assert staff.locked_until(db_session, "agent@valdemarne.fr", "10.0.0.9", now=T0 + timedelta(minutes=4)) is None
    staff.record_failure(db_session, "Agent@valdemarne.fr", "10.0.0.4", now=T0 + timedelta(minutes=4))
    until = staff.locked_until(db_session, "agent@valdemarne.fr", "10.0.0.9", now=T0 + timedelta(minutes=5))
    assert until == T0 + timedelta(minutes=19)  # 15 minutes after the 5th failure
    assert staff.locked_until(db_session, "agent@valdemarne.fr", "10.0.0.9", now=T0 + timedelta(minutes=19)) is None
    assert staff.locked_until(db_session, "autre@valdemarne.fr", "10.0.0.9", now=T0 + timedelta(minutes=5)) is None
    for i in range(5):  # one IP address, five e-mails
        staff.record_failure(db_session, f"x{i}@exemple.fr", "192.0.2.1", now=T0 + timedelta(minutes=i))
    assert staff.locked_until(db_session, "nouveau@exemple.fr", "192.0.2.1", now=T0 + timedelta(minutes=6))
    staff.clear_failures(db_session, "agent@valdemarne.fr")
    assert staff.locked_until(db_session, "agent@valdemarne.fr", "10.0.0.9", now=T0 + timedelta(minutes=5)) is None


def test_failures_spread_over_more_than_15_minutes_do_not_lock(db_session):
    for i in range(8):
        staff.record_failure(db_session, "agent@valdemarne.fr", "10.0.0.1", now=T0 + timedelta(minutes=4 * i))
    assert staff.locked_until(db_session, "agent@valdemarne.fr", "10.0.0.1", now=T0 + timedelta(minutes=29)) is None


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
