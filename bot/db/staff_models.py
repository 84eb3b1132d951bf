"""The staff review area's tables: accounts, login throttling, private notes on drafts and the audit trail.

They share :data:`bot.db.models.Base`'s metadata (so Alembic and the tests see them); ``bot.db.models``
imports this module at its end.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship

from bot.db.models import Base, DraftStatus, UTCDateTime, utcnow

StaffRole = Literal["reviewer", "admin"]
STAFF_ROLES: tuple[StaffRole, ...] = get_args(StaffRole)
ROLE_LABELS: dict[StaffRole, str] = {"reviewer": "instructeur", "admin": "administrateur"}  # the French names
AuditAction = Literal["status_changed", "note_added", "deleted", "resume_unlocked", "correction_requested",
                      "mail_queued", "mail_retried"]
AUDIT_ACTIONS: tuple[AuditAction, ...] = get_args(AuditAction)


class StaffUser(Base):
    """A member of staff who reviews the drafts (``reviewer``) or also manages them and the accounts (``admin``).

    Accounts are deactivated, never deleted, so that the audit trail keeps naming its authors.
    """

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint("role IN ('" + "', '".join(STAFF_ROLES) + "')", name="role"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    email: Mapped[str] = Column(String(320), nullable=False, unique=True)  # stored lower-cased
    password_hash: Mapped[str] = Column(String(255), nullable=False)
    role: Mapped[StaffRole] = Column(String(20), nullable=False, default="reviewer", server_default="reviewer")
    active: Mapped[bool] = Column(Boolean, nullable=False, default=True, server_default="1")
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at: Mapped[datetime | None] = Column(UTCDateTime, nullable=True)
    # Set for an account whose password was chosen by someone else (command line, admin): changed at first login.
    must_change_password: Mapped[bool] = Column(Boolean, nullable=False, default=False, server_default="0")
    password_changed_at: Mapped[datetime | None] = Column(UTCDateTime, nullable=True)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<StaffUser {self.email} {self.role}{'' if self.active else ' inactive'}>"


class LoginAttempt(Base):
    """One failed staff login, kept a short while to throttle guessing (per e-mail and per IP address)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    email: Mapped[str] = Column(String(320), nullable=False)
    ip: Mapped[str] = Column(String(64), nullable=False)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


class DraftNote(Base):
    """A private staff note on a draft; deleted with the draft."""

    __tablename__ = "draft_notes"
    __table_args__ = (Index("ix_draft_notes_draft_id", "draft_id"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    draft_id: Mapped[int] = Column(Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = Column(Integer, ForeignKey("staff_users.id"), nullable=False)
    body: Mapped[str] = Column(Text, nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)

    author: Mapped[StaffUser] = relationship(StaffUser, lazy="joined")


class DraftAudit(Base):
    """Who did what to a draft, and when. Kept when the draft is deleted (``draft_id`` becomes NULL)."""

    __tablename__ = "draft_audit"
    __table_args__ = (
        CheckConstraint("action IN ('" + "', '".join(AUDIT_ACTIONS) + "')", name="action"),
        Index("ix_draft_audit_draft_id", "draft_id"),
        Index("ix_draft_audit_draft_reference", "draft_reference"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    draft_id: Mapped[int | None] = Column(Integer, ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True)
    draft_reference: Mapped[str] = Column(String(20), nullable=False)
    user_id: Mapped[int | None] = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    action: Mapped[AuditAction] = Column(String(30), nullable=False)
    from_status: Mapped[DraftStatus | None] = Column(String(20))
    to_status: Mapped[DraftStatus | None] = Column(String(20))
    comment: Mapped[str | None] = Column(Text)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)

    user: Mapped[StaffUser | None] = relationship(StaffUser, lazy="joined")
