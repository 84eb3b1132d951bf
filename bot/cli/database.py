"""``python -m bot db upgrade``, and what every command that uses the database does first: check it and bring
its schema up to date (:func:`with_database`).

An unreachable database becomes a French message on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

import click

from bot.cli.french import Group

EXIT_DATABASE = 2
Revisions = tuple[str | None, str | None]  # the schema's revision before and after the upgrade
P = ParamSpec("P")


def run_on_database(work: Callable[[Revisions], int]) -> int:
    """Check ``DATABASE_URL``, migrate it, then return ``work(revisions)``; a database failure is exit 2."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from bot.db.session import DatabaseUnavailable, check_connection, unavailable, upgrade

    try:
        try:
            check_connection()
            return work(upgrade())
        except (OperationalError, InterfaceError) as exc:
            raise unavailable(exc) from exc
    except DatabaseUnavailable as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_DATABASE


def with_database(command: Callable[P, int]) -> Callable[P, int]:
    """Decorate a command that needs the database: :func:`run_on_database` runs it."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> int:
        return run_on_database(lambda revisions: command(*args, **kwargs))

    return run


@click.group("db", cls=Group, short_help="base de données (schéma)")
def db() -> None:
    """Commandes sur la base de données (DATABASE_URL, sinon ess.db dans le dossier d'instance, var/ par défaut)."""


@db.command("upgrade", short_help="mettre le schéma à jour (migrations)")
def upgrade_db() -> int:
    """Applique les migrations manquantes."""
    return run_on_database(_report_upgrade)


def _report_upgrade(revisions: Revisions) -> int:
    from bot.db.session import safe_url

    before, after = revisions
    if before == after:
        print(f"Schéma déjà à jour (révision {after}) : {safe_url()}")
    else:
        print(f"Schéma mis à jour de la révision {before or 'vide'} à la révision {after} : {safe_url()}")
    return 0
