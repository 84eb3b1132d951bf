"""The tables: pre-application drafts, where each answer came from, and the per-year reference counters.

References look like ``ESS-2026-0042``: ``ESS-``, the creation year (UTC) and a 4-digit, zero-padded
sequence that restarts each year. The sequence comes from :class:`ReferenceCounter`, one row per year,
incremented with an ``UPDATE`` inside the transaction that inserts the draft, so two concurrent creations
can never get the same number (the second waits for the row lock, or for the SQLite write lock).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Literal, TypeVar, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from bot.eligibility.verdict import VerdictStatus

# The review workflow's statuses (bot.db.staff.TRANSITIONS). Its outcomes are announced to the applicant by mail:
# a reviewer's decision (recevable / non recevable) or a request for corrections (``incomplete``).
Decision = Literal["admissible", "not_admissible"]
ReviewOutcome = Literal[Decision, "incomplete"]
DraftStatus = Literal["new", "in_review", ReviewOutcome]
DECISIONS: tuple[Decision, ...] = get_args(Decision)
REVIEW_OUTCOMES: tuple[ReviewOutcome, ...] = get_args(ReviewOutcome)
DRAFT_STATUSES: tuple[DraftStatus, ...] = get_args(DraftStatus)
T = TypeVar("T")

# Stable constraint names, needed by Alembic's batch mode on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Annotated Any: SQLAlchemy 1.4 ships no type information here, and mypy accepts an Any as a base class.
Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def one_of(value: object, choices: tuple[T, ...]) -> T | None:
    """``value`` as one of ``choices`` (e.g. a status a form sent), or None when it is none of them."""
    return next((choice for choice in choices if choice == value), None)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite returns naive values otherwise).

    Naive datetimes given to it are taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Money(TypeDecorator):
    """``Numeric(12, 2)`` returning :class:`~decimal.Decimal` everywhere.

    SQLite has no decimal type: SQLAlchemy goes through floats there (with a warning); this type rounds the
    float back to cents, which is exact for 12 digits.
    """

    impl = Numeric(12, 2)
    cache_ok = True
    CENT = Decimal("0.01")

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(12, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(12, 2))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(str(value)).quantize(self.CENT)
        return float(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(repr(value) if isinstance(value, float) else str(value)).quantize(self.CENT)


class Draft(Base):
    """One pre-application, filled in during one conversation."""

    __tablename__ = "drafts"
    __table_args__ = (
        CheckConstraint("status IN ('" + "', '".join(DRAFT_STATUSES) + "')", name="status"),
        Index("ix_drafts_status", "status"),
        Index("ix_drafts_updated_at", "updated_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    reference: Mapped[str] = Column(String(20), nullable=False, unique=True)
    conversation_id: Mapped[str] = Column(String(255), nullable=False, unique=True)
    status: Mapped[DraftStatus] = Column(String(20), nullable=False, default="new", server_default="new")
    consent_at: Mapped[datetime | None] = Column(UTCDateTime, nullable=True)

    org_name: Mapped[str | None] = Column(Text)
    legal_form: Mapped[str | None] = Column(String(60))
    siret: Mapped[str | None] = Column(String(20))
    commune: Mapped[str | None] = Column(String(120))
    contact_name: Mapped[str | None] = Column(Text)
    email: Mapped[str | None] = Column(String(320))
    phone: Mapped[str | None] = Column(String(40))
    project_title: Mapped[str | None] = Column(Text)
    project_description: Mapped[str | None] = Column(Text)
    beneficiaries: Mapped[str | None] = Column(Text)
    jobs: Mapped[int | None] = Column(Integer)
    start_date: Mapped[date | None] = Column(Date)
    amount: Mapped[Decimal | None] = Column(Money)
    total_budget: Mapped[Decimal | None] = Column(Money)
    other_department_aid: Mapped[bool | None] = Column(Boolean)
    stage: Mapped[str | None] = Column(String(60))
    verdict: Mapped[VerdictStatus | None] = Column(String(40))
    verdict_reasons: Mapped[list[dict[str, Any]] | None] = Column(JSON)

    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)

    sources: Mapped[list[DraftFieldSource]] = relationship(
        "DraftFieldSource", back_populates="draft", cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def identifier_kind(self) -> str | None:
        """Which identifier the applicant gave: "SIRET", "RNA", or why there is none yet (staff, exports)."""
        if self.siret:
            return "RNA" if self.siret.upper().startswith("W") else "SIRET"
        if self.legal_form == "group_in_creation":
            return "aucun (collectif pas encore constitué)"
        return "à préciser (pas encore de SIRET)" if self._past_identifier_question() else None

    def _past_identifier_question(self) -> bool:
        """Whether the applicant got past the identifier question (any later answer is known)."""
        return any(getattr(self, name, None) is not None for name in ("commune", "contact_name", "email"))

    def __repr__(self) -> str:
        return f"<Draft {self.reference} {self.status}>"


LINK_ORIGINS = ("created", "resumed")


class DraftConversation(Base):
    """A conversation allowed to act on a draft: the one that created it, or one that resumed it with a code.

    Actions decide which draft they touch from these rows and the conversation id (``tracker.sender_id``),
    never from the slots a request carries. A conversation acts on the draft it linked most recently.
    """

    __tablename__ = "draft_conversations"
    __table_args__ = (
        UniqueConstraint("draft_id", "conversation_id", name="uq_draft_conversations_draft_id_conversation_id"),
        CheckConstraint("origin IN ('" + "', '".join(LINK_ORIGINS) + "')", name="origin"),
        Index("ix_draft_conversations_conversation_id", "conversation_id"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    draft_id: Mapped[int] = Column(Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False)
    conversation_id: Mapped[str] = Column(String(255), nullable=False)
    origin: Mapped[str] = Column(String(10), nullable=False)
    linked_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


class DraftFieldSource(Base):
    """Where one field of a draft came from: the user's message and when it was given."""

    __tablename__ = "draft_field_sources"
    __table_args__ = (UniqueConstraint("draft_id", "field", name="uq_draft_field_sources_draft_id_field"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    draft_id: Mapped[int] = Column(Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False)
    field: Mapped[str] = Column(String(40), nullable=False)
    value: Mapped[str | None] = Column(Text)
    message: Mapped[str | None] = Column(Text)
    given_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)

    draft: Mapped[Draft] = relationship(Draft, back_populates="sources")


class ReferenceCounter(Base):
    """The last reference number given for one year."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = Column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = Column(Integer, nullable=False, default=0)


# The other tables live in their own modules, on the same metadata (imported as modules, not ``from ... import``,
# so that either module can be imported first).
import bot.db.followup_models  # noqa: E402,F401  (mail outbox, correction requests, field changes)
import bot.db.resume_models  # noqa: E402,F401  (resume codes, failed tries, locks)
import bot.db.security_models  # noqa: E402,F401  (staff sessions, security journal, rate-limit counters)
import bot.db.staff_models  # noqa: E402,F401  (staff accounts, login throttling, notes, audit trail)
