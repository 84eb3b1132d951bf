"""Repository functions for the pre-application drafts. They take a session and never commit.

Writes are safe with several writers at once (SQLite and PostgreSQL): a draft is created once per
conversation (unique constraint, SAVEPOINT, re-select), and fields are written with targeted ``UPDATE``s
and ``INSERT ... ON CONFLICT DO UPDATE``, never by rewriting the whole row. Deletion and the retention
purge are in :mod:`bot.db.deletion`.
"""
from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.db.models import (
    DRAFT_STATUSES,
    Draft,
    DraftConversation,
    DraftFieldSource,
    DraftStatus,
    ReferenceCounter,
    utcnow,
)

# Fields that come from the conversation, in display order.
DRAFT_FIELDS: tuple[str, ...] = (
    "org_name", "legal_form", "siret", "commune", "contact_name", "email", "phone", "project_title",
    "project_description", "beneficiaries", "jobs", "start_date", "amount", "total_budget",
    "other_department_aid", "stage",
)
# Fields set by the assistant or by staff: no provenance is recorded for them.
OTHER_FIELDS: tuple[str, ...] = ("verdict", "verdict_reasons", "status", "consent_at")
EXPORT_COLUMNS: tuple[str, ...] = (
    "reference", *DRAFT_FIELDS[:DRAFT_FIELDS.index("siret") + 1], "identifier_kind",
    *DRAFT_FIELDS[DRAFT_FIELDS.index("siret") + 1:], "verdict", "status", "created_at", "updated_at", "consent_at",
)
REFERENCE_PREFIX = "ESS"


def upsert_statement(session: Session, model: type[Any]) -> sqlite.Insert | postgresql.Insert:
    """``INSERT`` with ``on_conflict_do_*`` for the session's dialect."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(model)
    if dialect == "postgresql":
        return postgresql.insert(model)
    raise NotImplementedError(f"Base de données non prise en charge : {dialect} (SQLite ou PostgreSQL).")


def _next_reference(session: Session, now: datetime) -> str:
    """``ESS-<year>-<nnnn>``, from the per-year counter (locked until the transaction ends)."""
    year = now.year
    session.execute(upsert_statement(session, ReferenceCounter).values(year=year, last_value=0)
                    .on_conflict_do_nothing(index_elements=["year"]))
    session.execute(update(ReferenceCounter).where(ReferenceCounter.year == year)
                    .values(last_value=ReferenceCounter.last_value + 1)
                    .execution_options(synchronize_session=False))
    number = session.scalar(select(ReferenceCounter.last_value).where(ReferenceCounter.year == year))
    return f"{REFERENCE_PREFIX}-{year}-{number:04d}"


def get_by_conversation(session: Session, conversation_id: str) -> Draft | None:
    return session.scalars(select(Draft).where(Draft.conversation_id == conversation_id)).first()


def get_by_reference(session: Session, reference: str) -> Draft | None:
    """The draft with this reference, whatever its case and surrounding spaces."""
    wanted = (reference or "").strip().upper()
    return session.scalars(select(Draft).where(Draft.reference == wanted)).first() if wanted else None


def get_or_create_draft(session: Session, conversation_id: str, consent_at: datetime | None = None) -> Draft:
    """The conversation's draft, created on first call (and linked to it); never two drafts for one conversation.

    ``consent_at`` is recorded when the draft has none yet.
    """
    if not conversation_id:
        raise ValueError("conversation_id is required")
    if consent_at is not None and consent_at.tzinfo is None:
        consent_at = consent_at.replace(tzinfo=timezone.utc)  # naive datetimes are taken as UTC
    draft = get_by_conversation(session, conversation_id)
    if draft is None:
        now = utcnow()
        try:
            with session.begin_nested():
                draft = Draft(conversation_id=conversation_id, reference=_next_reference(session, now),
                              status="new", consent_at=consent_at, created_at=now, updated_at=now)
                session.add(draft)
                session.flush()
                session.add(DraftConversation(draft_id=draft.id, conversation_id=conversation_id, origin="created",
                                              linked_at=now))
        except IntegrityError:  # another writer created it meanwhile
            draft = get_by_conversation(session, conversation_id)
            if draft is None:
                raise
        else:
            return draft
    if consent_at is not None and draft.consent_at is None:
        session.execute(update(Draft).where(Draft.id == draft.id, Draft.consent_at.is_(None))
                        .values(consent_at=consent_at).execution_options(synchronize_session=False))
        session.expire(draft, ["consent_at"])
    return draft


# --- Which conversations may act on a draft (see DraftConversation) ---

def link_conversation(session: Session, draft: Draft, conversation_id: str, origin: str = "resumed",
                      now: datetime | None = None) -> None:
    """Allow ``conversation_id`` to act on ``draft`` (after a successful resume); it becomes the draft this
    conversation acts on. Linking again only refreshes ``linked_at``.
    """
    if not conversation_id:
        raise ValueError("conversation_id is required")
    now = now or utcnow()
    statement = upsert_statement(session, DraftConversation).values(draft_id=draft.id, conversation_id=conversation_id,
                                                           origin=origin, linked_at=now)
    session.execute(statement.on_conflict_do_update(index_elements=["draft_id", "conversation_id"],
                                                    set_={"linked_at": now}))


def linked_draft(session: Session, conversation_id: str) -> Draft | None:
    """The draft this conversation may act on: the one it created or resumed most recently; None if none."""
    if not conversation_id:
        return None
    return session.scalars(
        select(Draft).join(DraftConversation, DraftConversation.draft_id == Draft.id)
        .where(DraftConversation.conversation_id == conversation_id)
        .order_by(DraftConversation.linked_at.desc(), DraftConversation.id.desc()).limit(1)
    ).first()


def linked_drafts(session: Session, conversation_id: str) -> list[Draft]:
    """Every draft this conversation may act on (created or resumed by it)."""
    if not conversation_id:
        return []
    return list(session.scalars(
        select(Draft).join(DraftConversation, DraftConversation.draft_id == Draft.id)
        .where(DraftConversation.conversation_id == conversation_id).order_by(Draft.id)
    ))


def linked_conversations(session: Session, draft: Draft) -> list[str]:
    """The conversations allowed to act on the draft, the creating one first."""
    rows = session.scalars(select(DraftConversation.conversation_id).where(DraftConversation.draft_id == draft.id)
                           .order_by(DraftConversation.linked_at, DraftConversation.id))
    return list(dict.fromkeys([draft.conversation_id, *rows]))


def column_value(field: str, value: Any) -> Any:
    """A value as its column stores it (a date, a ``Decimal`` to the cent, an int); an unknown status raises."""
    if value is None:
        return None
    if field == "status" and value not in DRAFT_STATUSES:
        raise ValueError(f"unknown status {value!r} (allowed: {', '.join(DRAFT_STATUSES)})")
    if field == "start_date" and isinstance(value, str):
        return date.fromisoformat(value.strip())
    if field in ("amount", "total_budget"):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    if field == "jobs":
        return int(value)
    return value


def value_text(value: Any) -> str | None:
    """A column value as text, as the field sources keep it ("12000.00", "2026-09-01", "false")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def update_fields(session: Session, draft: Draft, values: Mapping[str, Any],
                  sources: Mapping[str, tuple[str, datetime]] | None = None) -> None:
    """Set the given fields only (and ``updated_at``); record where each conversation field came from.

    ``sources`` maps a field to ``(user message, when)``; a field without one gets no message and now,
    unless its value did not change: then the sentence that gave it is kept (a resumed draft saved again).
    Unknown field names raise :class:`ValueError`.
    """
    unknown = sorted(set(values) - set(DRAFT_FIELDS) - set(OTHER_FIELDS))
    if unknown:
        raise ValueError(f"unknown draft field(s): {', '.join(unknown)}")
    if not values:
        return
    now = utcnow()
    coerced = {field: column_value(field, value) for field, value in values.items()}
    session.execute(update(Draft).where(Draft.id == draft.id).values(**coerced, updated_at=now)
                    .execution_options(synchronize_session=False))
    for field, value in {**coerced, "updated_at": now}.items():  # the object shows what was written
        set_committed_value(draft, field, value)
    stored = dict(session.execute(select(DraftFieldSource.field, DraftFieldSource.value)
                                  .where(DraftFieldSource.draft_id == draft.id)).all())
    rows = []
    for field, value in coerced.items():
        if field not in DRAFT_FIELDS:
            continue
        if field not in (sources or {}) and field in stored and stored[field] == value_text(value):
            continue  # unchanged, no new sentence: the provenance stays
        message, given_at = (sources or {}).get(field, (None, now))
        rows.append({"draft_id": draft.id, "field": field, "value": value_text(value), "message": message,
                     "given_at": given_at or now})
    if rows:
        statement = upsert_statement(session, DraftFieldSource).values(rows)
        excluded = statement.excluded
        session.execute(statement.on_conflict_do_update(
            index_elements=["draft_id", "field"],
            set_={"value": excluded.value, "message": excluded.message, "given_at": excluded.given_at},
        ))


def list_drafts(session: Session, status: DraftStatus | None = None) -> list[Draft]:
    """Every draft, oldest first, optionally only those with ``status``."""
    query = select(Draft).order_by(Draft.created_at, Draft.id)
    if status is not None:
        if status not in DRAFT_STATUSES:
            raise ValueError(f"unknown status {status!r} (allowed: {', '.join(DRAFT_STATUSES)})")
        query = query.where(Draft.status == status)
    return list(session.scalars(query))


def field_sources(session: Session, draft: Draft) -> dict[str, DraftFieldSource]:
    rows = session.scalars(select(DraftFieldSource).where(DraftFieldSource.draft_id == draft.id))
    return {row.field: row for row in rows}


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def draft_to_dict(draft: Draft) -> dict[str, Any]:
    """Every export column, JSON-ready: ISO dates, amounts as numbers, booleans kept."""
    return {name: _json_value(getattr(draft, name)) for name in EXPORT_COLUMNS}


def drafts_with_sources(session: Session, drafts: Sequence[Draft]) -> list[dict[str, Any]]:
    """:func:`draft_to_dict` of each draft plus ``sources``: for each field given in conversation, the
    applicant's sentence (``message``, None when unknown) and when it was given (``given_at``).
    """
    by_draft: dict[int, dict[str, Any]] = {}
    ids = [draft.id for draft in drafts]
    if ids:
        rows = session.scalars(select(DraftFieldSource).where(DraftFieldSource.draft_id.in_(ids))
                               .order_by(DraftFieldSource.field))
        for row in rows:
            by_draft.setdefault(row.draft_id, {})[row.field] = {"message": row.message,
                                                                "given_at": _json_value(row.given_at)}
    return [{**draft_to_dict(draft), "sources": by_draft.get(draft.id, {})} for draft in drafts]


def email_matches(draft: Draft, email: str | None) -> bool:
    """Whether ``email`` is the draft's email (case and spaces ignored), compared in constant time."""
    expected = (draft.email or "").strip().casefold().encode("utf-8")
    given = (email or "").strip().casefold().encode("utf-8")
    return bool(expected) and hmac.compare_digest(expected, given)
