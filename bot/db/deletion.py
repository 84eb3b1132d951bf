"""Deleting drafts and conversations: a draft deleted by staff or at the applicant's request, and the
retention purge. Like :mod:`bot.db.drafts`, every function takes a session and never commits.

A draft goes with what hangs on it (field sources, conversation links, resume codes) and with every Rasa
conversation linked to it: the ``events`` rows of Rasa's tracker store, in the same database.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import column, table

from bot.db.models import Draft, DraftConversation, DraftFieldSource, utcnow
from bot.db.resume_models import ResumeCode

RASA_EVENTS = table("events", column("sender_id"), column("timestamp"))  # Rasa's tracker store, same database


def _delete_many(session: Session, drafts: Sequence[Draft]) -> int:
    """Delete the drafts, what hangs on them, and every conversation linked to them (Rasa ``events`` rows)."""
    if not drafts:
        return 0
    ids = [d.id for d in drafts]
    linked = session.scalars(select(DraftConversation.conversation_id).where(DraftConversation.draft_id.in_(ids)))
    conversations = sorted({d.conversation_id for d in drafts} | set(linked))
    for model in (DraftFieldSource, DraftConversation, ResumeCode):
        session.execute(delete(model).where(model.draft_id.in_(ids)).execution_options(synchronize_session=False))
    if inspect(session.connection()).has_table("events"):
        for start in range(0, len(conversations), 500):
            session.execute(delete(RASA_EVENTS).where(RASA_EVENTS.c.sender_id.in_(conversations[start:start + 500])))
    session.execute(delete(Draft).where(Draft.id.in_(ids)).execution_options(synchronize_session=False))
    for draft in drafts:
        if draft in session:
            session.expunge(draft)
    return len(ids)


def delete_draft(session: Session, draft: Draft) -> None:
    """Delete the draft, its field sources, its links and codes, and every Rasa conversation linked to it
    (``events`` rows: the one that created it and those that resumed it), if any.
    """
    _delete_many(session, [draft])


def purge_older_than(session: Session, days: int, now: datetime | None = None) -> int:
    """Delete the drafts not updated for ``days`` days (and their conversations); return how many."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    drafts = list(session.scalars(select(Draft).where(Draft.updated_at < cutoff)))
    count = 0
    for start in range(0, len(drafts), 500):
        count += _delete_many(session, drafts[start:start + 500])
    return count


def purge_conversations_older_than(session: Session, days: int, now: datetime | None = None) -> int:
    """Delete the Rasa conversations linked to no draft whose last message is older than ``days``
    days; return how many conversations were deleted.
    """
    if not inspect(session.connection()).has_table("events"):
        return 0
    cutoff = ((now or utcnow()) - timedelta(days=days)).timestamp()
    stale = (select(RASA_EVENTS.c.sender_id).group_by(RASA_EVENTS.c.sender_id)
             .having(func.max(RASA_EVENTS.c.timestamp) < cutoff)
             .where(RASA_EVENTS.c.sender_id.not_in(select(Draft.conversation_id)))
             .where(RASA_EVENTS.c.sender_id.not_in(select(DraftConversation.conversation_id))))
    senders = list(session.scalars(stale))
    for start in range(0, len(senders), 500):
        session.execute(delete(RASA_EVENTS).where(RASA_EVENTS.c.sender_id.in_(senders[start:start + 500])))
    return len(senders)
