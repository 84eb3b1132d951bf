"""Staff unlock a reference locked after too many wrong resume codes: reviewers and admins, CSRF, audited."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.application.resume import check_code
from bot.db import drafts as repo
from bot.db import resume as guard
from bot.db.models import utcnow
from bot.db.session import session_scope
from bot.db.staff import create_user
from bot.db.staff_models import DraftAudit, StaffUser
from bot.web import create_app
from tests.security.helpers import make_draft

pytest_plugins = ["tests.security.fixtures"]  # database (SQLite; PostgreSQL with TEST_DATABASE_URL), outbox

PASSWORD = "mot de passe très long"
REVIEWER = "instructeur@valdemarne.fr"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(database, tmp_path):
    with session_scope() as session:
        create_user(session, REVIEWER, PASSWORD, "reviewer")
    app = create_app({"TESTING": True, "DATABASE_URL": database, "SECRET_KEY": "clé de test",
                      "SECURITY_LOG_FILE": tmp_path / "security.log", "LOGIN_SLEEP": lambda seconds: None})
    return app.test_client()


def token(client, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def log_in(client) -> None:
    response = client.post("/staff/login", data={"csrf_token": token(client, "/staff/login"), "email": REVIEWER,
                                                 "password": PASSWORD})
    assert response.status_code == 302


def lock(reference: str) -> None:
    for _ in range(guard.MAX_TRIES):
        assert not check_code(reference, "000000", "attacker", "203.0.113.1")
    with session_scope() as session:
        assert guard.active_lock(session, reference, utcnow()) is not None


def test_a_reviewer_unlocks_a_locked_reference_and_it_is_audited(client):
    reference = make_draft("owner")
    page = f"/staff/drafts/{reference}"
    log_in(client)
    assert "Débloquer la reprise" not in client.get(page).get_data(as_text=True)  # nothing to unlock
    lock(reference)
    shown = client.get(page).get_data(as_text=True)
    assert "Reprise bloquée" in shown and "Débloquer la reprise" in shown
    assert client.post(f"{page}/unlock").status_code == 400  # no CSRF token
    with session_scope() as session:
        assert guard.active_lock(session, reference, utcnow()) is not None
    response = client.post(f"{page}/unlock", data={"csrf_token": token(client, page)})
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    with session_scope() as session:
        assert guard.active_lock(session, reference, utcnow()) is None
        entry = session.scalars(select(DraftAudit).where(DraftAudit.draft_reference == reference)).one()
        user = session.scalars(select(StaffUser).where(StaffUser.email == REVIEWER)).one()
        assert entry.action == "resume_unlocked" and entry.user_id == user.id
        assert entry.draft_id == repo.get_by_reference(session, reference).id
    after = client.get(page).get_data(as_text=True)
    assert "Reprise débloquée" in after and "Débloquer la reprise" not in after


def test_unlocking_needs_a_staff_login(client):
    reference = make_draft("owner")
    lock(reference)
    response = client.post(f"/staff/drafts/{reference}/unlock", data={"csrf_token": token(client, "/staff/login")})
    assert response.status_code == 401
    with session_scope() as session:
        assert guard.active_lock(session, reference, utcnow()) is not None
