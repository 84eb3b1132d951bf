"""Tables for resuming a draft with a one-time code sent by e-mail: the codes, the failed tries, the locks.

They share :data:`bot.db.models.Base`'s metadata (so Alembic and the tests see them); ``bot.db.models``
imports this module at its end. Failures and locks are kept per reference *as typed* (normalised), whether
or not a draft has it, so that an unknown reference behaves exactly like a known one.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped

from bot.db.models import Base, UTCDateTime, utcnow

FailureKind = Literal["identity", "code"]  # identity: unknown reference or wrong e-mail; code: wrong or expired code
FAILURE_KINDS: tuple[FailureKind, ...] = get_args(FailureKind)


class ResumeCode(Base):
    """A code sent to a draft's e-mail for one conversation. Only a salted, slow hash of it is stored."""

    __tablename__ = "resume_codes"
    __table_args__ = (Index("ix_resume_codes_draft_id_created_at", "draft_id", "created_at"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    draft_id: Mapped[int] = Column(Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False)
    conversation_id: Mapped[str] = Column(String(255), nullable=False)
    code_hash: Mapped[str] = Column(String(200), nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)


class ResumeFailure(Base):
    """One failed resume step, counted per reference (wrong codes) and per client address (every kind)."""

    __tablename__ = "resume_failures"
    __table_args__ = (
        CheckConstraint("kind IN ('" + "', '".join(FAILURE_KINDS) + "')", name="kind"),
        Index("ix_resume_failures_reference_at", "reference", "at"),
        Index("ix_resume_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    reference: Mapped[str | None] = Column(String(20), nullable=True)
    client: Mapped[str] = Column(String(64), nullable=False)
    kind: Mapped[FailureKind] = Column(String(10), nullable=False)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


class ResumeLock(Base):
    """A reference locked after too many wrong codes, until ``locked_until`` or until staff unlock it.

    The row stays after the lock ends: failures up to ``locked_at`` no longer count for the reference.
    """

    __tablename__ = "resume_locks"

    reference: Mapped[str] = Column(String(20), primary_key=True)
    locked_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    locked_until: Mapped[datetime] = Column(UTCDateTime, nullable=False)
