"""Tables for following up a pre-application: the mail outbox, staff correction requests, field changes.

They share :data:`bot.db.models.Base`'s metadata; ``bot.db.models`` imports this module at its end. All three
hang off a draft with ``ON DELETE CASCADE``: deleting a draft deletes its mails not yet sent (so they are never
sent), its correction requests and its change history.

- :class:`MailOutbox`: one mail to an applicant. ``idempotency_key`` is unique, so the same mail (same draft,
  same step, same form submission) is queued once however many times a button is clicked. A background
  worker sends ``pending`` rows whose ``next_attempt_at`` has passed, claims each one with ``locked_until``
  (a lease) so that two workers never send the same row, and retries with backoff.
- :class:`CorrectionRequest`: a reviewer asks the applicant to correct some fields, with a comment.
- :class:`DraftFieldChange`: one value that changed after the pre-application was recorded, old → new, with
  the sentence that gave the new value and when (the staff page shows them as a diff).
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped

from bot.db.models import Base, ReviewOutcome, UTCDateTime, utcnow

MailKind = Literal["recorded", ReviewOutcome]  # the pre-application recorded, or a review outcome
MailStatus = Literal["pending", "sent", "failed"]  # failed: given up after the last retry (a reviewer may retry)
MAIL_KINDS: tuple[MailKind, ...] = get_args(MailKind)
MAIL_STATUSES: tuple[MailStatus, ...] = get_args(MailStatus)


class MailOutbox(Base):
    """One mail to an applicant, queued in the same transaction as the change it reports."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("kind IN ('" + "', '".join(MAIL_KINDS) + "')", name="kind"),
        CheckConstraint("status IN ('" + "', '".join(MAIL_STATUSES) + "')", name="status"),
        Index("ix_mail_outbox_draft_id", "draft_id"),
        Index("ix_mail_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    draft_id: Mapped[int] = Column(Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False)
    idempotency_key: Mapped[str] = Column(String(120), nullable=False, unique=True)
    kind: Mapped[MailKind] = Column(String(20), nullable=False)
    to_address: Mapped[str] = Column(String(320), nullable=False)
    subject: Mapped[str] = Column(Text, nullable=False)
    body_text: Mapped[str] = Column(Text, nullable=False)
    body_html: Mapped[str | None] = Column(Text)
    status: Mapped[MailStatus] = Column(String(10), nullable=False, default="pending", server_default="pending")
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    locked_until: Mapped[datetime | None] = Column(UTCDateTime)
    last_error: Mapped[str | None] = Column(Text)  # French, never an address
    created_by: Mapped[int | None] = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = Column(UTCDateTime)


class CorrectionRequest(Base):
    """A reviewer's request that the applicant correct some fields; open until the applicant confirms."""

    __tablename__ = "correction_requests"
    __table_args__ = (Index("ix_correction_requests_draft_id", "draft_id"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    draft_id: Mapped[int] = Column(Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False)
    fields: Mapped[list[str]] = Column(JSON, nullable=False)  # names from bot.forms.fields
    comment: Mapped[str] = Column(Text, nullable=False)
    requested_by: Mapped[int | None] = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    requested_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    completed_at: Mapped[datetime | None] = Column(UTCDateTime)


class DraftFieldChange(Base):
    """A value of a recorded draft that changed: old → new, the sentence behind the new value, and when."""

    __tablename__ = "draft_field_changes"
    __table_args__ = (Index("ix_draft_field_changes_draft_id", "draft_id"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    draft_id: Mapped[int] = Column(Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False)
    field: Mapped[str] = Column(String(40), nullable=False)
    old_value: Mapped[str | None] = Column(Text)
    new_value: Mapped[str | None] = Column(Text)
    message: Mapped[str | None] = Column(Text)
    changed_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    correction_request_id: Mapped[int | None] = Column(
        Integer, ForeignKey("correction_requests.id", ondelete="SET NULL",
                            name="fk_draft_field_changes_request_id"), nullable=True)
