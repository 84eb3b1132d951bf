"""``python -m bot call check [--file CHEMIN]``: check the call's data file (exit 1 when it is not valid)."""
from __future__ import annotations

import sys

import click

from bot.cli.french import Group


@click.group("call", cls=Group, short_help="données de l'appel à projets (bot/call/call.yml)")
def call() -> None:
    """Commandes sur le fichier des données de l'appel."""


@call.command("check", short_help="vérifier le fichier des données de l'appel")
@click.option("--file", "path", metavar="CHEMIN", help="fichier à vérifier à la place du fichier par défaut")
def check_call(path: str | None) -> int:
    """Vérifie le fichier des données de l'appel (par défaut CALL_FILE, sinon bot/call/call.yml)."""
    from bot.call.facts import CallDataError, call_file_path, load_call

    checked = path or call_file_path()
    try:
        load_call(checked)
    except CallDataError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Fichier des données de l'appel valide : {checked}")
    return 0
