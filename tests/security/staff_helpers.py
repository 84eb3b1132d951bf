"""Helpers of the staff security tests: the security journal's rows, time passing for the failed logins."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.security_models import SecurityEvent
from bot.db.session import session_scope
from bot.db.staff_models import LoginAttempt


def events(url, kind=None):
    with session_scope(url) as session:
        query = select(SecurityEvent).order_by(SecurityEvent.id)
        rows = session.scalars(query.where(SecurityEvent.event == kind) if kind else query).all()
        return [(e.event, e.user.email if e.user else None, e.email, e.address, e.detail) for e in rows]


def wait_out(url, seconds: float) -> None:
    """As if ``seconds`` had passed since the failed logins."""
    with session_scope(url) as session:
        for attempt in session.scalars(select(LoginAttempt)):
            attempt.at = attempt.at - timedelta(seconds=seconds)
