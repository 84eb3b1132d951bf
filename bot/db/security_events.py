"""The security journal (table ``security_events``): write one event, read a page of them.

Like the other repositories, the functions take a session and never commit.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import utcnow
from bot.db.security_models import SECURITY_EVENTS, SecurityEvent
from bot.db.staff_models import StaffUser


def record_event(session: Session, event: str, *, user: StaffUser | None = None, email: str | None = None,
                 address: str | None = None, detail: str | None = None) -> SecurityEvent:
    if event not in SECURITY_EVENTS:
        raise ValueError(f"unknown security event: {event}")
    entry = SecurityEvent(event=event, at=utcnow(), user_id=user.id if user is not None else None,
                          email=(email or None) and email[:320], address=(address or None) and address[:64],
                          detail=detail)
    session.add(entry)
    session.flush()
    return entry


def recent_events(session: Session, limit: int = 50, offset: int = 0) -> tuple[list[SecurityEvent], int]:
    """The journal, most recent first (one page of it), and its length."""
    rows = session.scalars(select(SecurityEvent).order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
                           .limit(limit).offset(offset))
    count = session.scalar(select(func.count()).select_from(SecurityEvent)) or 0
    return list(rows), count
