"""Tables for the security of the site: staff sessions, the security journal and the rate-limit counters.

They share :data:`bot.db.models.Base`'s metadata (so Alembic and the tests see them); ``bot.db.models``
imports this module at its end.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship

from bot.db.models import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from bot.db.staff_models import StaffUser

SECURITY_EVENTS = (
    "login", "login_failed", "logout", "password_changed", "account_created", "account_deactivated",
    "account_reactivated", "export_csv", "export_xlsx",
)


class StaffSession(Base):
    """One logged-in staff session. The browser's cookie holds a random token; only its SHA-256 is stored here.

    Deleting the row ends the session at once (logout, deactivation, password change).
    """

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_user_id", "user_id"),
                      Index("ix_staff_sessions_expires_at", "expires_at"))

    id: Mapped[str] = Column(String(64), primary_key=True)  # hex SHA-256 of the cookie's token
    user_id: Mapped[int] = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    address: Mapped[str | None] = Column(String(64))


class SecurityEvent(Base):
    """One entry of the security journal: logins and failures, logouts, exports, account and password changes.

    ``user_id`` is who did it (None for a failed login); ``email`` the account concerned (the e-mail typed for a
    login, the account created or deactivated); ``address`` the client's address.
    """

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_at", "at"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    event: Mapped[str] = Column(String(40), nullable=False)
    user_id: Mapped[int | None] = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    email: Mapped[str | None] = Column(String(320))
    address: Mapped[str | None] = Column(String(64))
    detail: Mapped[str | None] = Column(Text)

    user: Mapped[StaffUser | None] = relationship("StaffUser", lazy="joined")  # by name: either module may load first


class RateLimitCounter(Base):
    """Hits counted for one key (``chat:address:203.0.113.7``) in one time window; deleted once expired."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = (Index("ix_rate_limit_counters_expires_at", "expires_at"),)

    key: Mapped[str] = Column(String(200), primary_key=True)  # "<scope>:<identity>:<window number>"
    count: Mapped[int] = Column(Integer, nullable=False, default=0)
    expires_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
