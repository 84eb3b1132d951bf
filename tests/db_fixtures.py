"""Database fixtures: ``db_url`` (SQLite file, PostgreSQL schema) and ``db_session`` on a migrated database.

``db_url`` is parametrised over ``sqlite`` (a fresh file under ``tmp_path``) and ``postgresql`` (a fresh
schema in ``TEST_DATABASE_URL``, selected with ``search_path`` in the URL and dropped afterwards). The
PostgreSQL case is skipped when ``TEST_DATABASE_URL`` is not set.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bot.db.session import dispose_engines, session_scope, upgrade

POSTGRES_SKIP_REASON = "TEST_DATABASE_URL non défini : PostgreSQL non testé"


def _postgres_url():
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not base:
        pytest.skip(POSTGRES_SKIP_REASON)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, future=True, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A URL to an empty database of its own, for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ess.db'}"
        dispose_engines()
    else:
        yield from _postgres_url()


@pytest.fixture
def migrated_db_url(db_url):
    """``db_url`` with the schema migrated to the latest revision."""
    upgrade(db_url)
    return db_url


@pytest.fixture
def db_session(migrated_db_url):
    """A session in a transaction on a migrated database, committed at the end of the test."""
    with session_scope(migrated_db_url) as session:
        yield session
