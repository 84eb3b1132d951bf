"""Engines from ``DATABASE_URL``, transactional sessions and schema migrations.

Nothing happens at import time: engines are created on first use and cached per URL.

SQLite (the default, ``ess.db`` in the instance folder ``var/``) is set up for several processes writing at once (the action server,
the staff web app, the command line): WAL journal, foreign keys on, a busy timeout so that writers wait for
each other instead of failing, and every transaction opened with ``BEGIN IMMEDIATE`` (a transaction that
read first and wrote later could otherwise fail at once with "database is locked"). This also makes
SAVEPOINTs work with the ``sqlite3`` driver.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.instance import create_private_empty, private_dir
from bot.settings import get_settings

if TYPE_CHECKING:
    import sqlite3

    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000
POSTGRES_CONNECT_TIMEOUT_S = 10
_MIGRATION_LOCK_KEY = 0x455353  # "ESS": PostgreSQL advisory lock taken while migrating

_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker] = {}
_lock = threading.Lock()


class DatabaseUnavailable(Exception):
    """The database cannot be reached or used. The message is in French."""


def database_url() -> str:
    """``DATABASE_URL``, else the SQLite file ``ess.db`` of the instance folder (which is created, 0700)."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    private_dir(settings.instance_path)
    return f"sqlite:///{settings.database_file}"


def safe_url(url: str | None = None) -> str:
    """The URL with its password hidden, for messages."""
    url = url or database_url()
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(adresse illisible)"


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # (the busy timeout is sqlite3's timeout argument, given in get_engine)
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _private_sqlite_file(database: str | None) -> None:
    """Create the SQLite file with mode 0600 before SQLite does (it would follow the umask, often 0644)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        create_private_empty(Path(database))
    except OSError:  # SQLite will report the problem itself, in its own words
        pass


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default :func:`database_url`), created once per URL."""
    url = url or database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        try:
            parsed = make_url(url)
            connect_args: dict = {}
            if parsed.get_backend_name() == "sqlite":
                connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            elif parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
                connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
            # hide_parameters: an error's text never carries the values (e-mail, phone, SIRET) into a log.
            engine = create_engine(parsed, future=True, pool_pre_ping=True, hide_parameters=True,
                                   connect_args=connect_args)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise DatabaseUnavailable(f"Adresse de base de données invalide ({safe_url(url)}) : {exc}") from exc
        if engine.dialect.name == "sqlite":
            _private_sqlite_file(parsed.database)
            _setup_sqlite(engine)
        _engines[url] = engine
        _factories[url] = sessionmaker(bind=engine, future=True, expire_on_commit=False)
        return engine


def dispose_engines() -> None:
    """Close every cached engine's connections and forget them (tests, forked workers)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _factories.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back if it raises.

    Objects stay readable after the block (``expire_on_commit=False``).
    """
    url = url or database_url()
    get_engine(url)
    with _lock:
        factory = _factories[url]
    with factory.begin() as session:
        yield session


def check_connection(url: str | None = None) -> None:
    """Raise :class:`DatabaseUnavailable` (in French) when the database cannot be reached."""
    engine = get_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(select(1))
    except (OperationalError, InterfaceError) as exc:
        raise unavailable(exc, url) from exc


def unavailable(exc: Exception, url: str | None = None) -> DatabaseUnavailable:
    """The French :class:`DatabaseUnavailable` for a driver error."""
    detail = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    reason = f" ({detail[0]})" if detail else ""
    return DatabaseUnavailable(f"Base de données injoignable : {safe_url(url)}{reason}.")


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration, built in code (there is no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url or database_url()
    return config


def head_revision() -> str:
    """The latest migration in ``bot/db/migrations`` (what :func:`upgrade` brings a database to)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(url: str | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str | None = None) -> tuple[str | None, str | None]:
    """Run the migrations up to the latest one; return the revisions (before, after). Idempotent.

    On SQLite, foreign keys are off while migrating (batch migrations copy and drop tables, and dropping
    ``drafts`` would otherwise cascade to its sources), then checked before committing.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    url = url or database_url()
    try:
        with get_engine(url).connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # outside any transaction, where SQLite ignores this pragma
                connection.connection.cursor().execute("PRAGMA foreign_keys = OFF")
            try:
                with connection.begin():
                    if connection.dialect.name == "postgresql":  # processes starting together: one migrates
                        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
                    before = MigrationContext.configure(connection).get_current_revision()
                    config = alembic_config(url)
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    after = MigrationContext.configure(connection).get_current_revision()
                    if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                        raise RuntimeError("migration left rows with broken foreign keys")
            finally:
                if sqlite:
                    connection.connection.cursor().execute("PRAGMA foreign_keys = ON")
    except (OperationalError, InterfaceError) as exc:
        raise unavailable(exc, url) from exc
    return before, after
