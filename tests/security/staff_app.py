"""Fixtures of the staff security tests (``pytest_plugins``): the app on a migrated database with two accounts,
the login delays recorded instead of slept, the security log in a temporary folder."""
from __future__ import annotations

import pytest

from bot.db.session import session_scope
from bot.db.staff import create_user
from bot.web import create_app
from tests.test_web_staff import ADMIN, PASSWORD, REVIEWER


@pytest.fixture
def environment(monkeypatch):
    for name in ("TRUSTED_PROXIES", "WEB_HTTPS", "REDIS_URL", "WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def log_file(tmp_path):
    return tmp_path / "var" / "security.log"


@pytest.fixture
def make(migrated_db_url, log_file, sleeps, environment):
    with session_scope(migrated_db_url) as session:
        create_user(session, ADMIN, PASSWORD, "admin")
        create_user(session, REVIEWER, PASSWORD, "reviewer")

    def _make(**config):
        return create_app({"TESTING": True, "DATABASE_URL": migrated_db_url, "SECRET_KEY": "clé de test",
                           "SECURITY_LOG_FILE": log_file, "LOGIN_SLEEP": sleeps.append, **config})

    return _make


@pytest.fixture
def app(make):
    return make()


@pytest.fixture
def url(app):
    return app.config["DATABASE_URL"]
