"""The mail outbox (repository functions; they take a session and never commit).

A mail is queued (:func:`queue_mail`) in the same transaction as the change it reports, so it exists if and
only if the change was committed. ``idempotency_key`` is unique: queuing the same key again, even from two
processes at once, returns the row already there (``INSERT ... ON CONFLICT DO NOTHING``, SQLite and
PostgreSQL). The worker (:mod:`bot.mail.worker`) claims due rows with a lease (:func:`claim_due`), sends them,
then records the outcome (:func:`mark_sent`, :func:`mark_failed`, with an exponential backoff). A reviewer
can send a failed mail again (:func:`retry`). Rows are deleted with their draft (``ON DELETE CASCADE``):
a mail not yet sent is then never sent.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.db.drafts import upsert_statement
from bot.db.followup_models import MAIL_KINDS, MailKind, MailOutbox, MailStatus
from bot.db.models import Draft, utcnow
from bot.db.staff import StaffError, _audit
from bot.db.staff_models import StaffUser

MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
MAX_ERROR_LENGTH = 500
KIND_LABELS: dict[MailKind, str] = {"recorded": "pré-candidature enregistrée", "admissible": "réponse : recevable",
               "not_admissible": "réponse : non recevable", "incomplete": "demande de corrections"}
STATUS_LABELS: dict[MailStatus, str] = {"pending": "en attente d'envoi", "sent": "envoyé", "failed": "échec de l'envoi"}

__all__ = ["KIND_LABELS", "MAX_ATTEMPTS", "Composed", "OutboxError", "STATUS_LABELS", "backoff", "claim_due", "mails_for_draft",
           "mark_failed", "mark_sent", "queue_mail", "release", "retry"]


class Composed(NamedTuple):
    """A mail ready to queue: its subject, plain text and HTML (written by :mod:`bot.mail.compose`)."""

    subject: str
    text: str
    html: str


class OutboxError(StaffError):
    """A refused outbox operation; the message is in French and can be shown as is."""


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min… at most 1 h."""
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)


def queue_mail(session: Session, draft: Draft, kind: MailKind, composed: Composed, idempotency_key: str,
               created_by: StaffUser | None = None) -> tuple[MailOutbox, bool]:
    """Queue one mail to the draft's address; ``(row, created)``. The same key gives back the row already
    queued (``created`` False) and writes nothing. A new row is audited (``mail_queued``).
    """
    if kind not in MAIL_KINDS:
        raise ValueError(f"unknown mail kind {kind!r} (allowed: {', '.join(MAIL_KINDS)})")
    key = (idempotency_key or "").strip()
    if not key or len(key) > 120:
        raise ValueError("idempotency_key must have 1 to 120 characters")
    address = (draft.email or "").strip()
    if not address:
        raise OutboxError("Ce dossier n'a pas d'adresse e-mail : aucun message ne peut être envoyé.")
    now = utcnow()
    statement = upsert_statement(session, MailOutbox).values(
        draft_id=draft.id, idempotency_key=key, kind=kind, to_address=address, subject=composed.subject,
        body_text=composed.text, body_html=composed.html, status="pending", attempts=0, next_attempt_at=now,
        created_by=created_by.id if created_by is not None else None, created_at=now)
    created = session.execute(statement.on_conflict_do_nothing(index_elements=["idempotency_key"])).rowcount == 1
    row = session.scalars(select(MailOutbox).where(MailOutbox.idempotency_key == key)
                          .execution_options(populate_existing=True)).one()
    if row.draft_id != draft.id:
        raise ValueError("idempotency_key already used for another draft")
    if created:
        _audit(session, draft, created_by, "mail_queued", comment=KIND_LABELS[kind])
    return row, created


def mails_for_draft(session: Session, draft: Draft) -> list[MailOutbox]:
    """The draft's mails, newest first."""
    return list(session.scalars(select(MailOutbox).where(MailOutbox.draft_id == draft.id)
                                .order_by(MailOutbox.created_at.desc(), MailOutbox.id.desc())
                                .execution_options(populate_existing=True)))


def retry(session: Session, draft: Draft, mail_id: int, user: StaffUser) -> MailOutbox:
    """Send a mail of this draft again: a ``failed`` one (with a fresh series of attempts) or a ``pending``
    one whose last try failed (tried now instead of after its wait). Its error is cleared.
    Audited (``mail_retried``); refusals are :class:`OutboxError`.
    """
    row = session.scalars(select(MailOutbox).where(MailOutbox.id == mail_id, MailOutbox.draft_id == draft.id)
                          .execution_options(populate_existing=True)).first()
    if row is None:
        raise OutboxError("Ce message n'existe pas pour cette pré-candidature.")
    if row.status == "sent":
        raise OutboxError("Ce message a déjà été envoyé.")
    if row.status == "pending" and not row.last_error:
        raise OutboxError("Ce message est déjà en attente d'envoi.")
    values: dict[str, Any] = {"status": "pending", "next_attempt_at": utcnow(), "last_error": None}
    if row.status == "failed":
        values["attempts"] = 0
    result = session.execute(update(MailOutbox)
                             .where(MailOutbox.id == row.id, MailOutbox.status == row.status,
                                    MailOutbox.attempts == row.attempts)
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise OutboxError("Ce message a changé entre-temps : rechargez la page.")
    _audit(session, draft, user, "mail_retried", comment=KIND_LABELS.get(row.kind, row.kind))
    session.refresh(row)
    return row


def _claimable(now: datetime) -> tuple[ColumnElement, ColumnElement]:
    return (MailOutbox.status == "pending",
            or_(MailOutbox.locked_until.is_(None), MailOutbox.locked_until < now))


def claim_due(session: Session, now: datetime, lease: timedelta, limit: int = 10) -> list[MailOutbox]:
    """Lease up to ``limit`` pending mails due at ``now`` (oldest due first) until ``now + lease``.

    Each row is taken with its own conditional ``UPDATE`` whose row count says whether this session won it:
    two workers never hold the same row (the lease must be committed to be seen by the others).
    """
    candidates = list(session.scalars(select(MailOutbox.id).where(*_claimable(now), MailOutbox.next_attempt_at <= now)
                                      .order_by(MailOutbox.next_attempt_at, MailOutbox.id).limit(limit)))
    claimed = []
    for mail_id in candidates:
        result = session.execute(update(MailOutbox)
                                 .where(MailOutbox.id == mail_id, *_claimable(now), MailOutbox.next_attempt_at <= now)
                                 .values(locked_until=now + lease).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed.append(mail_id)
    if not claimed:
        return []
    return list(session.scalars(select(MailOutbox).where(MailOutbox.id.in_(claimed))
                                .order_by(MailOutbox.next_attempt_at, MailOutbox.id)
                                .execution_options(populate_existing=True)))


def mark_sent(session: Session, mail_id: int, now: datetime) -> bool:
    """The SMTP server accepted the mail; False when the row is gone (its draft was deleted meanwhile)."""
    result = session.execute(update(MailOutbox).where(MailOutbox.id == mail_id, MailOutbox.status == "pending")
                             .values(status="sent", sent_at=now, locked_until=None, last_error=None,
                                     attempts=MailOutbox.attempts + 1)
                             .execution_options(synchronize_session=False))
    return result.rowcount == 1


def mark_failed(session: Session, mail_id: int, now: datetime, error: str, permanent: bool = False) -> MailStatus | None:
    """A failed try: pending again after :func:`backoff`, or ``failed`` after :data:`MAX_ATTEMPTS` tries (at once
    when ``permanent``, e.g. the server refused the address). ``error`` is French and holds no address.
    Returns the new status, None when the row is gone.
    """
    attempts = session.scalar(select(MailOutbox.attempts).where(MailOutbox.id == mail_id,
                                                                MailOutbox.status == "pending"))
    if attempts is None:
        return None
    attempts += 1
    status: MailStatus = "failed" if permanent or attempts >= MAX_ATTEMPTS else "pending"
    values: dict[str, Any] = {"attempts": attempts, "status": status, "locked_until": None,
              "last_error": (error or "Erreur inconnue.")[:MAX_ERROR_LENGTH]}
    if status == "pending":
        values["next_attempt_at"] = now + backoff(attempts)
    result = session.execute(update(MailOutbox)
                             .where(MailOutbox.id == mail_id, MailOutbox.status == "pending",
                                    MailOutbox.attempts == attempts - 1)
                             .values(**values).execution_options(synchronize_session=False))
    return status if result.rowcount == 1 else None


def release(session: Session, mail_ids: list[int]) -> None:
    """Give back leased mails not tried (the worker stops its batch when the SMTP server is unreachable)."""
    if mail_ids:
        session.execute(update(MailOutbox).where(MailOutbox.id.in_(mail_ids), MailOutbox.status == "pending")
                        .values(locked_until=None).execution_options(synchronize_session=False))
