"""``python -m bot …``: the command line, in French, with click.

:data:`main` is the root group; each group of commands lives in its own module (``db`` in
``bot/cli/database.py``) and is added below. To add a group, write it with :class:`bot.cli.french.Group` (its
commands then get the French help and errors) and add it to the list. ``main(["drafts", "show", "ESS-2026-0042"])``
runs a command in process and returns its exit code; usage errors are exit code 2.
"""
from __future__ import annotations

import click

# The modules, not their groups: ``from bot.cli.staff import staff`` would hide the module bot.cli.staff.
from bot.cli import call, database, drafts, eligibility, mail, staff, web
from bot.cli.french import CommandLine


@click.group(cls=CommandLine, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Outils en ligne de commande de l'assistant de l'appel à projets ESS du Val-de-Marne."""


for command in (call.call, eligibility.eligibility, database.db, drafts.drafts, web.serve, staff.staff, mail.mail):
    main.add_command(command)
