"""Shared fixtures of the security tests: ``db_url`` / ``migrated_db_url`` (a SQLite file of each test's own,
and PostgreSQL too when ``TEST_DATABASE_URL`` is set; see tests/db_fixtures.py)."""
from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.db_fixtures")  # also a plugin of other test modules

from tests.db_fixtures import db_url, migrated_db_url  # noqa: E402,F401  (fixtures)
