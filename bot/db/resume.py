"""Repository functions for resuming a draft with a one-time code: codes, failed tries, locks.

Like :mod:`bot.db.drafts`, every function takes a session and never commits, and takes ``now`` so that tests
can freeze time. The counters live in the database, so they hold across conversations, sender ids and
processes:

- a reference is locked for :data:`LOCK_DURATION` once :data:`MAX_TRIES` wrong codes were typed for it within
  :data:`WINDOW` (whatever the conversation or the address); staff can unlock it;
- a client address is refused once it has :data:`MAX_TRIES` failures of any kind (unknown reference, wrong
  e-mail, wrong code) within :data:`WINDOW`, whatever the reference (the address comes from the website, in the
  message's metadata);
- at most :data:`MAX_CODES_PER_WINDOW` codes are sent for one draft within :data:`WINDOW`.

A wrong e-mail is counted for the address only: counting it for the reference would let anyone lock every
draft by walking the (sequential) references.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.db.models import Draft
from bot.db.resume_models import FAILURE_KINDS, FailureKind, ResumeCode, ResumeFailure, ResumeLock
from bot.db.staff_models import DraftAudit, StaffUser

MAX_TRIES = 5
WINDOW = timedelta(hours=1)
LOCK_DURATION = timedelta(hours=1)
CODE_VALIDITY = timedelta(minutes=15)
MAX_CODES_PER_WINDOW = 5
KEPT = timedelta(days=1)  # failures and codes older than this are forgotten
UNKNOWN_CLIENT = "inconnu"


def normalize_reference(reference: str | None) -> str:
    return (reference or "").strip().upper()[:20]


def normalize_client(client: str | None) -> str:
    return (str(client).strip() if client else "")[:64] or UNKNOWN_CLIENT


# --- Locks and failure counters ---

def active_lock(session: Session, reference: str, now: datetime) -> ResumeLock | None:
    """The reference's lock while it lasts, else None."""
    lock = session.get(ResumeLock, normalize_reference(reference))
    return lock if lock is not None and lock.locked_until > now else None


def client_blocked(session: Session, client: str | None, now: datetime) -> bool:
    """Whether this address has had too many failures of any kind within the window.

    A message without an address (not from the website: a caller inside the private network) is not limited
    per address, so that such callers do not share one bucket; the per-reference limits still apply.
    """
    client = normalize_client(client)
    if client == UNKNOWN_CLIENT:
        return False
    count = session.scalar(select(func.count()).select_from(ResumeFailure)
                           .where(ResumeFailure.client == client, ResumeFailure.at > now - WINDOW))
    return (count or 0) >= MAX_TRIES


def _lock(session: Session, reference: str, now: datetime) -> None:
    lock = session.get(ResumeLock, reference)
    if lock is None:
        session.add(ResumeLock(reference=reference, locked_at=now, locked_until=now + LOCK_DURATION))
    else:
        lock.locked_at, lock.locked_until = now, now + LOCK_DURATION
    session.flush()
    draft_ids = select(Draft.id).where(Draft.reference == reference).scalar_subquery()
    session.execute(delete(ResumeCode).where(ResumeCode.draft_id.in_(draft_ids))
                    .execution_options(synchronize_session=False))


def record_failure(session: Session, reference: str | None, client: str | None, kind: FailureKind,
                   now: datetime) -> bool:
    """Count one failure; lock the reference when it reaches :data:`MAX_TRIES` wrong codes. True when locked."""
    if kind not in FAILURE_KINDS:
        raise ValueError(f"unknown failure kind: {kind}")
    reference = normalize_reference(reference) or None
    session.execute(delete(ResumeFailure).where(ResumeFailure.at < now - KEPT))
    session.execute(delete(ResumeLock).where(ResumeLock.locked_until < now - KEPT))
    session.add(ResumeFailure(reference=reference, client=normalize_client(client), kind=kind, at=now))
    session.flush()
    if kind != "code" or reference is None:
        return False
    since = now - WINDOW
    previous = session.get(ResumeLock, reference)
    if previous is not None and previous.locked_at > since:
        since = previous.locked_at  # the tries that led to the last lock (or before an unlock) are spent
    count = session.scalar(select(func.count()).select_from(ResumeFailure).where(
        ResumeFailure.reference == reference, ResumeFailure.kind == "code", ResumeFailure.at > since))
    if (count or 0) >= MAX_TRIES:
        _lock(session, reference, now)
        return True
    return False


def unlock(session: Session, draft: Draft, user: StaffUser | None, now: datetime) -> bool:
    """Staff unlock a locked reference: the lock ends, its failed tries are forgotten (also for the addresses
    that made them), and the audit trail records it. False (and nothing written) when it was not locked.
    """
    lock = active_lock(session, draft.reference, now)
    if lock is None:
        return False
    lock.locked_at, lock.locked_until = now, now
    session.execute(delete(ResumeFailure).where(ResumeFailure.reference == draft.reference))
    session.add(DraftAudit(draft_id=draft.id, draft_reference=draft.reference, user_id=user.id if user else None,
                           action="resume_unlocked", at=now))
    session.flush()
    return True


# --- Codes ---

def codes_sent(session: Session, draft: Draft, now: datetime) -> int:
    """How many codes were sent for this draft within the window."""
    return session.scalar(select(func.count()).select_from(ResumeCode)
                          .where(ResumeCode.draft_id == draft.id, ResumeCode.created_at > now - WINDOW)) or 0


def store_code(session: Session, draft: Draft, conversation_id: str, code_hash: str, now: datetime) -> ResumeCode:
    """Keep the hash of a new code for this draft and conversation; it replaces the previous ones."""
    session.execute(delete(ResumeCode).where(ResumeCode.created_at < now - KEPT))
    session.execute(update(ResumeCode).where(ResumeCode.draft_id == draft.id,
                                             ResumeCode.conversation_id == conversation_id,
                                             ResumeCode.expires_at > now)
                    .values(expires_at=now).execution_options(synchronize_session=False))
    code = ResumeCode(draft_id=draft.id, conversation_id=conversation_id, code_hash=code_hash, created_at=now,
                      expires_at=now + CODE_VALIDITY)
    session.add(code)
    session.flush()
    return code


def current_code(session: Session, draft: Draft, conversation_id: str, now: datetime) -> ResumeCode | None:
    """The last code sent for this draft to this conversation, while it is valid."""
    return session.scalars(select(ResumeCode).where(
        ResumeCode.draft_id == draft.id, ResumeCode.conversation_id == conversation_id, ResumeCode.expires_at > now,
    ).order_by(ResumeCode.created_at.desc(), ResumeCode.id.desc()).limit(1)).first()


def forget_codes(session: Session, draft: Draft) -> None:
    """A code is used once: after a success, every code of the draft is dropped."""
    session.execute(delete(ResumeCode).where(ResumeCode.draft_id == draft.id)
                    .execution_options(synchronize_session=False))
