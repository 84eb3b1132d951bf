"""Storage of the pre-application drafts (SQLAlchemy 1.4 written in 2.0 style, Alembic migrations).

- :mod:`bot.db.models`: the tables.
- :mod:`bot.db.session`: engines from ``DATABASE_URL``, :func:`~bot.db.session.session_scope`, migrations.
- :mod:`bot.db.drafts`: repository functions; they take a session and never commit.
- :mod:`bot.db.deletion`: deleting drafts with their conversations, and the retention purge.

Nothing is created at import time. To write a new migration after changing the models::

    .venv/bin/python -c "from alembic import command; from bot.db.session import alembic_config; \
command.revision(alembic_config(), 'message', autogenerate=True)"
"""
