"""Sending the queued mails (the outbox, :mod:`bot.db.outbox`) in the background, and queuing the mail of a
confirmed pre-application.

:func:`send_due` claims the due ``pending`` rows with a lease (``locked_until``, :data:`LEASE`) in a short
transaction, sends each one by SMTP (:func:`bot.mail.send.send_outbox_mail`, the stored text and HTML), then records
the outcome of each mail in its own transaction: ``sent`` right after the server accepted it, or a failed try
with a growing delay before the next (30 s, 1 min, 2 min… at most 1 h; ``failed`` after
:data:`bot.db.outbox.MAX_ATTEMPTS` tries, or at once when the server refused the address). When the server
cannot be reached, the rest of the batch is given back untried and everything stays ``pending``: the next
runs send it once the server is back. :func:`run` calls it every few seconds (``python -m bot mail worker``).

What "never sent twice" rests on:

- a row is claimed by one worker only (conditional ``UPDATE`` on ``locked_until``, see
  :func:`bot.db.outbox.claim_due`), and a ``sent`` row is never claimed again, even after a restart;
- the lease covers a crash between the claim and the send: the row comes back once the lease expires;
- what remains possible: a crash (or a database failure) after the SMTP server accepted the mail and before
  ``sent`` is committed. The row is then sent again when its lease expires. The second copy carries the
  same Message-ID as the first (:func:`bot.mail.send.outbox_message_id`, derived from the row), so a mail server
  or client that drops duplicate Message-IDs keeps one, and staff can recognise the copy in a mailbox.

Logs never contain an address, a subject or a body: the row's number, its kind and the error's type.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from bot.db.drafts import linked_draft
from bot.db.followup_models import MailOutbox
from bot.db.models import utcnow
from bot.db.outbox import claim_due, mark_failed, mark_sent, queue_mail, release
from bot.db.session import session_scope
from bot.mail.compose import compose_recorded
from bot.mail.send import MailError, send_outbox_mail, smtp_settings

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than a batch can take (BATCH mails, 20 s SMTP timeout each)
BATCH = 10
MAX_PER_RUN = 200
MARK_SENT_TRIES = 3


def recorded_key(draft_id: int) -> str:
    return f"recorded:{draft_id}"


def queue_recorded(conversation_id: str, url: str | None = None) -> bool:
    """Queue the « pré-candidature enregistrée » mail of the draft this conversation is linked to, once per
    draft (key ``recorded:<draft id>``), in one transaction. Never raises: a failure is logged (without any
    address) and the applicant's confirmation goes on. True when a mail was queued now.
    """
    try:
        with session_scope(url) as session:
            draft = linked_draft(session, conversation_id)
            if draft is None or not (draft.email or "").strip():
                logger.warning("Pas de message « pré-candidature enregistrée » : dossier introuvable ou sans e-mail.")
                return False
            _, created = queue_mail(session, draft, "recorded", compose_recorded(draft), recorded_key(draft.id))
            return created
    except Exception as exc:  # noqa: BLE001 - the confirmation must not fail because of the mail
        logger.error("Message « pré-candidature enregistrée » non mis en file d'attente (%s).", type(exc).__name__)
        return False


def _mark_sent(url: str | None, mail_id: int, when: datetime) -> None:
    """Record ``sent``, trying again briefly: until it is committed, a crash would send the mail again."""
    for attempt in range(1, MARK_SENT_TRIES + 1):
        try:
            with session_scope(url) as session:
                mark_sent(session, mail_id, when)
            return
        except Exception:
            if attempt == MARK_SENT_TRIES:
                raise
            time.sleep(0.5 * attempt)


def _send_batch(rows: list[MailOutbox], url: str | None, now: datetime | None, counts: dict[str, int]) -> bool:
    """Send the claimed rows; True when the SMTP server is unreachable (the rest was given back)."""
    for index, row in enumerate(rows):
        try:
            try:
                send_outbox_mail(row)
            except MailError:
                raise
            except Exception as unexpected:  # noqa: BLE001 - counted as a failed try, never retried forever
                raise MailError(f"Erreur inattendue pendant l'envoi ({type(unexpected).__name__}).") from unexpected
        except MailError as exc:
            with session_scope(url) as session:
                status = mark_failed(session, row.id, now or utcnow(), str(exc), permanent=exc.permanent)
            counts["failed" if status == "failed" else "retry"] += 1
            logger.warning("Message n° %d (%s) non envoyé, %s : %s", row.id, row.kind,
                           "abandonné" if status == "failed" else "nouvel essai plus tard", exc)
            if exc.unreachable:
                rest = [other.id for other in rows[index + 1:]]
                with session_scope(url) as session:
                    release(session, rest)
                return True
            continue
        _mark_sent(url, row.id, now or utcnow())
        counts["sent"] += 1
        logger.info("Message n° %d (%s) envoyé.", row.id, row.kind)
    return False


def send_due(url: str | None = None, now: datetime | None = None) -> dict[str, int]:
    """Send the mails due at ``now`` (default: the current time); counts of ``claimed``, ``sent``, ``retry``
    (failed, tried again later) and ``failed`` (given up). ``url`` defaults to ``DATABASE_URL``.
    """
    counts = {"claimed": 0, "sent": 0, "retry": 0, "failed": 0}
    try:
        smtp_settings()
    except MailError:
        logger.error("SMTP_URL invalide : aucun message envoyé.")
        return counts
    while counts["claimed"] < MAX_PER_RUN:
        with session_scope(url) as session:
            rows = claim_due(session, now or utcnow(), LEASE, limit=BATCH)
        if not rows:
            break
        counts["claimed"] += len(rows)
        if _send_batch(rows, url, now, counts) or len(rows) < BATCH:
            break
    return counts


def run(stop: threading.Event, interval: float = 2.0, url: str | None = None) -> None:
    """Call :func:`send_due` every ``interval`` seconds until ``stop`` is set; errors are logged, never raised."""
    failing = False
    while not stop.is_set():
        try:
            send_due(url)
        except Exception as exc:  # noqa: BLE001 - the worker keeps going (database down, for example)
            if not failing:
                logger.error("Envoi des messages en attente impossible (%s) ; nouvel essai toutes les %g s.",
                             type(exc).__name__, interval)
            failing = True
        else:
            if failing:
                logger.info("Envoi des messages en attente rétabli.")
            failing = False
        stop.wait(interval)
