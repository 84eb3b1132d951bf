"""``python -m bot mail worker [--once] [--interval S]``: send the queued mails to applicants (see
:mod:`bot.mail.worker`).

Without ``--once`` the worker runs until Ctrl+C or SIGTERM, which let the mail being sent finish and have its
outcome recorded before stopping. The schema is brought up to date first, as for the other commands.
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

import click

from bot.cli.database import with_database
from bot.cli.french import EXIT_USAGE, FLOAT, Group

DEFAULT_INTERVAL = 2.0


@click.group("mail", cls=Group, short_help="e-mails aux porteurs de projet (file d'envoi)")
def mail() -> None:
    """Commandes sur les e-mails envoyés aux porteurs de projet."""


def _logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s : %(message)s")


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n <= 1 else plural}"


@mail.command("worker", short_help="envoyer les e-mails en attente (en continu, ou une fois avec --once)")
@click.option("--once", is_flag=True, help="envoyer ce qui est dû maintenant, puis quitter")
@click.option("--interval", type=FLOAT, default=DEFAULT_INTERVAL, metavar="SECONDES",
              help=f"attente entre deux passages (défaut : {DEFAULT_INTERVAL:g} s)")
def start_worker(once: bool, interval: float) -> int:
    """Envoie les e-mails en attente (SMTP_URL, sinon fichiers dans MAIL_OUTBOX_DIR). Un envoi qui échoue est
    réessayé plus tard (30 s, 1 min, 2 min… au plus 1 h entre deux essais) ; un e-mail accepté par le serveur
    n'est pas renvoyé. Sans --once, tourne jusqu'à Ctrl+C.
    """
    if not 0 < interval <= 3600:
        print("Erreur : --interval doit être compris entre 0 et 3600 secondes.", file=sys.stderr)
        return EXIT_USAGE
    return _run(once, interval)


@with_database
def _run(once: bool, interval: float) -> int:
    from bot.mail.worker import run, send_due

    _logging()
    if once:
        counts = send_due()
        print(f"{_plural(counts['sent'], 'e-mail envoyé', 'e-mails envoyés')}, "
              f"{_plural(counts['retry'], 'à réessayer plus tard', 'à réessayer plus tard')}, "
              f"{_plural(counts['failed'], 'abandonné', 'abandonnés')}.")
        return 0
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"Envoi des e-mails en attente toutes les {interval:g} s. Ctrl+C pour arrêter.", flush=True)
    run(stop, interval=interval)
    print("Envoi des e-mails arrêté.", flush=True)
    return 0
