"""Staff authentication in the database: growing login delays, server-side sessions, password changes.

Like the other repositories, every function takes a session and never commits.

Login delays (instead of a lock): failed logins are counted over the last hour, per account (from any address)
and per client address (for any account). After :data:`FREE_FAILURES` failures, each attempt waits
1 s, 2 s, 4 s… up to :data:`ACCOUNT_MAX_DELAY` for the account's count and :data:`ADDRESS_MAX_DELAY` for the
address's count. The wait is served before the password is checked, whatever the password, so it gives an
attacker no hint; and since it is bounded, the owner can always log in, at worst a few seconds later.

Sessions: the browser's cookie holds a random token; the table keeps only its SHA-256, the account, the
creation and last-seen times and an absolute expiry. Deleting the rows ends the sessions at once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import ColumnElement

from bot.db.models import utcnow
from bot.db.security_models import StaffSession
from bot.db.staff import StaffError, _hasher, hash_password, normalize_email, password_problem
from bot.db.staff_models import LoginAttempt, StaffUser

FAILURE_WINDOW = timedelta(hours=1)
ATTEMPTS_KEPT = timedelta(days=1)
FREE_FAILURES = 3
ACCOUNT_MAX_DELAY = 10.0  # seconds: what an attacker can impose on the owner of an account, at most
ADDRESS_MAX_DELAY = 30.0  # seconds: what a guessing address imposes on itself, at most
SESSION_HOURS = 12.0
SESSION_IDLE = timedelta(hours=2)
LAST_SEEN_STEP = timedelta(minutes=1)  # last_seen_at is written at most once a minute per session


# --- Login delays ---

def growing_delay(failures: int, maximum: float) -> float:
    """0 for the first :data:`FREE_FAILURES` failures, then 1, 2, 4, 8… seconds, never more than ``maximum``."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(maximum, 2 ** min(failures - FREE_FAILURES, 30)))


def _failures(session: Session, condition: ColumnElement, since: datetime) -> int:
    return session.scalar(select(func.count()).select_from(LoginAttempt)
                          .where(condition, LoginAttempt.at > since)) or 0


class LoginDelay(NamedTuple):
    wait: float  # seconds to wait before checking the password: the account is being guessed
    retry_after: float  # seconds before this address may try again (0: now); an earlier attempt is refused


def login_delay(session: Session, email: str, address: str, now: datetime | None = None) -> LoginDelay:
    """The delays for a login to this e-mail from this address (both 0 when nothing failed)."""
    now = now or utcnow()
    since = now - FAILURE_WINDOW
    by_account = _failures(session, LoginAttempt.email == normalize_email(email), since)
    from_address = LoginAttempt.ip == (address or "?")[:64]
    by_address = _failures(session, from_address, since)
    retry_after = 0.0
    if by_address >= FREE_FAILURES:
        latest = session.scalar(select(LoginAttempt.at).where(from_address).order_by(LoginAttempt.at.desc())
                                .limit(1))
        if latest is not None:
            not_before = latest + timedelta(seconds=growing_delay(by_address, ADDRESS_MAX_DELAY))
            retry_after = max(0.0, (not_before - now).total_seconds())
    return LoginDelay(growing_delay(by_account, ACCOUNT_MAX_DELAY), retry_after)


def record_failure(session: Session, email: str, address: str, now: datetime | None = None) -> None:
    """Remember a failed login (and forget the ones older than a day)."""
    now = now or utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - ATTEMPTS_KEPT))
    session.add(LoginAttempt(email=normalize_email(email)[:320], ip=(address or "?")[:64], at=now))
    session.flush()


def clear_failures(session: Session, email: str, address: str) -> None:
    """After a successful login: forget this address's failures for this account (the owner's typos).

    Failures from other addresses stay counted, so an attacker's own delay is not reset by the owner.
    """
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == normalize_email(email),
                                               LoginAttempt.ip == (address or "?")[:64]))


# --- Server-side sessions ---

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(session: Session, user: StaffUser, address: str | None = None,
                   hours: float = SESSION_HOURS, now: datetime | None = None) -> str:
    """A new session for ``user``; returns the random token to put in the cookie (never stored as is)."""
    now = now or utcnow()
    session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(id=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                             expires_at=now + timedelta(hours=hours), address=(address or None) and address[:64]))
    session.flush()
    return token


def session_user(session: Session, token: str | None, idle: timedelta = SESSION_IDLE,
                 now: datetime | None = None) -> StaffUser | None:
    """The active account of a live session, else None (an expired or idle session is deleted)."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    row = session.get(StaffSession, _digest(token))
    if row is None:
        return None
    if row.expires_at <= now or row.last_seen_at + idle <= now:
        session.delete(row)
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        end_user_sessions(session, row.user_id)
        return None
    if now - row.last_seen_at >= LAST_SEEN_STEP:
        row.last_seen_at = now
    return user


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffSession).where(StaffSession.id == _digest(token)))


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every session of this account; returns how many there were."""
    result = session.execute(delete(StaffSession).where(StaffSession.user_id == user_id)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def count_sessions(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(StaffSession)
                          .where(StaffSession.user_id == user_id)) or 0


# --- Passwords ---

def check_password(user: StaffUser, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def change_password(session: Session, user: StaffUser, current: str, new: str, confirm: str) -> None:
    """Set a new password (checked, different from the current one) and end every session of the account.

    :class:`StaffError` (in French) when the current password is wrong or the new one is refused.
    """
    if not check_password(user, current):
        raise StaffError("Le mot de passe actuel est incorrect.")
    if new != confirm:
        raise StaffError("Les deux nouveaux mots de passe saisis sont différents.")
    problem = password_problem(new)
    if problem:
        raise StaffError(problem)
    if new == current:
        raise StaffError("Le nouveau mot de passe doit être différent de l'actuel.")
    values = {"password_hash": hash_password(new), "must_change_password": False, "password_changed_at": utcnow()}
    session.execute(update(StaffUser).where(StaffUser.id == user.id).values(**values)
                    .execution_options(synchronize_session=False))
    for name, value in values.items():
        set_committed_value(user, name, value)
    end_user_sessions(session, user.id)
