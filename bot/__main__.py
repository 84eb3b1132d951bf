"""``python -m bot ...``: the project's command line, in French.

Each group of subcommands lives in a small module with a ``register(subparsers)`` function that adds its
parsers and sets ``handler`` (a function ``args -> exit code``) with ``set_defaults``. To add a group,
write such a module and list its ``register`` in :func:`registrars`.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

# argparse's own English messages, in French (argparse looks them up through gettext at call time).
_ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments positionnels",
    "optional arguments": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choix possibles : %(choices)s)",
    "expected one argument": "un argument est attendu",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
}


def _french(message: str) -> str:
    return _ARGPARSE_FR.get(message, message)


def register_call(subparsers) -> None:
    """``python -m bot call check [--file PATH]``."""
    call = subparsers.add_parser("call", help="données de l'appel à projets (bot/call/call.yml)",
                                 description="Commandes sur le fichier des données de l'appel.")
    commands = call.add_subparsers(dest="call_command", metavar="COMMANDE", required=True)
    check = commands.add_parser("check", help="vérifier le fichier des données de l'appel",
                                description="Vérifie le fichier des données de l'appel (par défaut CALL_FILE, "
                                "sinon bot/call/call.yml).")
    check.add_argument("--file", metavar="CHEMIN", help="fichier à vérifier à la place du fichier par défaut")
    check.set_defaults(handler=_check_call)


def _check_call(args: argparse.Namespace) -> int:
    from bot.call.facts import CallDataError, call_file_path, load_call

    path = args.file or call_file_path()
    try:
        load_call(path)
    except CallDataError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Fichier des données de l'appel valide : {path}")
    return 0


def registrars() -> list[Callable]:
    """The ``register(subparsers)`` functions of every subcommand group."""
    from bot.cli import drafts as cli_drafts
    from bot.cli import eligibility as cli_eligibility
    from bot.cli import mail as cli_mail
    from bot.cli import staff as cli_staff
    from bot.cli import web as cli_web

    return [register_call, cli_eligibility.register, cli_drafts.register, cli_web.register, cli_staff.register,
            cli_mail.register]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", add_help=False,
        description="Outils en ligne de commande de l'assistant de l'appel à projets ESS du Val-de-Marne.",
    )
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)
    for register in registrars():
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    english = argparse._
    argparse._ = _french  # only while this command line runs
    try:
        args = build_parser().parse_args(argv)
    finally:
        argparse._ = english
    try:
        return args.handler(args)
    except BrokenPipeError:  # output piped into `head`, for example
        sys.stdout = open(os.devnull, "w")
        return 1


if __name__ == "__main__":
    sys.exit(main())
