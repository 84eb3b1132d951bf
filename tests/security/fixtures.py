"""Fixtures of the resume and ownership tests (a pytest plugin: ``pytest_plugins = [..., "tests.security.fixtures"]``)."""
from __future__ import annotations

import pytest

from tests.db_fixtures import db_url, migrated_db_url  # noqa: F401  (fixtures)


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    """Mail goes to this private folder (no ``SMTP_URL``)."""
    folder = tmp_path / "outbox"
    monkeypatch.setenv("MAIL_OUTBOX_DIR", str(folder))
    monkeypatch.delenv("SMTP_URL", raising=False)
    return folder


@pytest.fixture
def database(migrated_db_url, monkeypatch, outbox):  # noqa: F811
    """``DATABASE_URL`` set to a migrated database of this test's own (SQLite; PostgreSQL with TEST_DATABASE_URL)."""
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    return migrated_db_url
