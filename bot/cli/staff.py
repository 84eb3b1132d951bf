"""``python -m bot staff create-user EMAIL [--role reviewer|admin]``: the staff area's accounts.

The password comes from ``STAFF_PASSWORD`` or is typed twice (not echoed); it is an initial password, which
the agent must replace at first login. The schema is brought up to date first. Exit 1 for a refused account (duplicate), 2 for a bad
argument (weak password, bad e-mail) or an unreachable database.
"""
from __future__ import annotations

import getpass
import sys

import click

from bot.cli.database import with_database
from bot.cli.french import EXIT_USAGE, Choice, Group
from bot.db.staff_models import ROLE_LABELS, STAFF_ROLES, StaffRole
from bot.settings import get_settings

EXIT_REFUSED = 1


@click.group("staff", cls=Group, short_help="comptes de l'espace agents")
def staff() -> None:
    """Commandes sur les comptes de l'espace agents (/staff/)."""


def _read_password() -> str:
    """STAFF_PASSWORD, else typed twice; raises ValueError (in French) when the two differ."""
    password = get_settings().staff_password
    if password is not None:
        return password
    first = getpass.getpass("Mot de passe : ")
    second = getpass.getpass("Mot de passe (une seconde fois) : ")
    if first != second:
        raise ValueError("les deux mots de passe saisis sont différents.")
    return first


@staff.command("create-user", short_help="créer un compte agent")
@click.argument("email", metavar="EMAIL", help="adresse e-mail de l'agent (son identifiant)")
@click.option("--role", type=Choice(STAFF_ROLES), default="reviewer",
              help="reviewer (instruire les pré-candidatures, par défaut) ou admin (aussi supprimer et gérer les "
              "comptes)")
def create_user(email: str, role: StaffRole) -> int:
    """Crée un compte de l'espace agents. Le mot de passe (12 caractères au moins) est lu dans la variable
    d'environnement STAFF_PASSWORD, sinon demandé deux fois.
    """
    from bot.db.staff import password_problem

    try:
        password = _read_password()
    except ValueError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (EOFError, KeyboardInterrupt):
        print("\nErreur : aucun mot de passe saisi.", file=sys.stderr)
        return EXIT_USAGE
    problem = password_problem(password)
    if problem:
        print(f"Erreur : {problem}", file=sys.stderr)
        return EXIT_USAGE
    return _create(email, password, role)


@with_database
def _create(email: str, password: str, role: StaffRole) -> int:
    from bot.db.session import session_scope
    from bot.db.staff import DuplicateUser, StaffError
    from bot.db.staff import create_user as create

    try:
        with session_scope() as session:
            user = create(session, email, password, role, must_change_password=True)
    except StaffError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_REFUSED if isinstance(exc, DuplicateUser) else EXIT_USAGE
    print(f"Compte {ROLE_LABELS[user.role]} créé : {user.email}. Mot de passe initial, à changer à la première connexion.")
    return 0
