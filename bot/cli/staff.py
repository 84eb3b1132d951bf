"""``python -m bot staff create-user EMAIL [--role reviewer|admin]``: the staff area's accounts.

The password comes from ``STAFF_PASSWORD`` or is typed twice (not echoed); it is an initial password, which
the agent must replace at first login. The schema is brought up to date first. Exit 1 for a refused account (duplicate), 2 for a bad
argument (weak password, bad e-mail) or an unreachable database.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.cli.drafts import EXIT_USAGE, _with_database
from bot.db.models import STAFF_ROLES

EXIT_REFUSED = 1


def register(subparsers) -> None:
    staff = subparsers.add_parser("staff", help="comptes de l'espace agents",
                                  description="Commandes sur les comptes de l'espace agents (/staff/).")
    commands = staff.add_subparsers(dest="staff_command", metavar="COMMANDE", required=True)
    create = commands.add_parser(
        "create-user", help="créer un compte agent",
        description="Crée un compte de l'espace agents. Le mot de passe (12 caractères au moins) est lu dans "
        "la variable d'environnement STAFF_PASSWORD, sinon demandé deux fois.",
    )
    create.add_argument("email", metavar="EMAIL", help="adresse e-mail de l'agent (son identifiant)")
    create.add_argument("--role", choices=STAFF_ROLES, default="reviewer",
                        help="reviewer (instruire les pré-candidatures, par défaut) ou admin (aussi supprimer "
                        "et gérer les comptes)")
    create.set_defaults(handler=create_user)


def _read_password() -> str:
    """STAFF_PASSWORD, else typed twice; raises ValueError (in French) when the two differ."""
    password = os.environ.get("STAFF_PASSWORD")
    if password is not None:
        return password
    first = getpass.getpass("Mot de passe : ")
    second = getpass.getpass("Mot de passe (une seconde fois) : ")
    if first != second:
        raise ValueError("les deux mots de passe saisis sont différents.")
    return first


def create_user(args: argparse.Namespace) -> int:
    from bot.db.staff import password_problem

    try:
        args.password = _read_password()
    except ValueError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (EOFError, KeyboardInterrupt):
        print("\nErreur : aucun mot de passe saisi.", file=sys.stderr)
        return EXIT_USAGE
    problem = password_problem(args.password)
    if problem:
        print(f"Erreur : {problem}", file=sys.stderr)
        return EXIT_USAGE
    return _create(args)


@_with_database
def _create(args: argparse.Namespace) -> int:
    from bot.db.session import session_scope
    from bot.db.staff import DuplicateUser, StaffError
    from bot.db.staff import create_user as create

    try:
        with session_scope() as session:
            user = create(session, args.email, args.password, args.role, must_change_password=True)
    except StaffError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_REFUSED if isinstance(exc, DuplicateUser) else EXIT_USAGE
    role = "administrateur" if user.role == "admin" else "instructeur"
    print(f"Compte {role} créé : {user.email}. Mot de passe initial, à changer à la première connexion.")
    return 0
