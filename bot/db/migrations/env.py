"""Alembic environment: the models' metadata and the URL given by :func:`bot.db.session.alembic_config`.

:func:`bot.db.session.upgrade` passes its open connection in ``config.attributes["connection"]``;
otherwise the engine for ``config.attributes["url"]`` (default ``DATABASE_URL``) is used.
"""
from __future__ import annotations

from alembic import context

from bot.db.models import Base
from bot.db.session import database_url, get_engine

config = context.config
target_metadata = Base.metadata


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave alone the tables this project does not own (Rasa's ``events``, for example)."""
    return not (type_ == "table" and reflected and compare_to is None)


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata, include_object=_include_object, compare_type=True, **kwargs,
    )


def _url() -> str:
    return config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or database_url()


def run_migrations_offline() -> None:
    url = _url()
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def _run(connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with get_engine(_url()).begin() as connection:
        _run(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
