"""Reading Rasa's ``events`` table (SQL tracker store, same database): transcripts and misunderstood questions.

Only ``sender_id``, ``type_name``, ``timestamp`` (seconds since 1970) and ``data`` (JSON text) are used. The
table may not exist (no conversation stored yet, or another tracker store): then there is nothing to show.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, TableClause, column, table

NOT_UNDERSTOOD_INTENTS = ("nlu_fallback", "out_of_scope")
SPEAKERS = {"user": "Demandeur", "bot": "Assistant"}
_BATCH = 500


@dataclass(frozen=True)
class Message:
    speaker: str  # "user" | "bot"
    text: str
    at: datetime | None
    sender_id: str = ""
    intent: str = ""

    @property
    def speaker_label(self) -> str:
        return SPEAKERS.get(self.speaker, self.speaker)


def _events(session: Session) -> TableClause | None:
    """The ``events`` table (with ``id`` when it has one, to order events with the same time), or None."""
    inspector = inspect(session.connection())
    if not inspector.has_table("events"):
        return None
    names = {c["name"] for c in inspector.get_columns("events")}
    columns = [column(name) for name in ("sender_id", "type_name", "timestamp", "data")]
    if "id" in names:
        columns.append(column("id"))
    return table("events", *columns)


def _data(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        data = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _when(timestamp: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(timestamp), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _intent(data: dict[str, Any]) -> str:
    parse = data.get("parse_data")
    intent = parse.get("intent") if isinstance(parse, dict) else None
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) else ""


def _order(events: TableClause, descending: bool = False) -> list[Any]:
    keys = [events.c.timestamp] + ([events.c.id] if "id" in events.c else [])
    return [key.desc() if descending else key.asc() for key in keys]


def transcript(session: Session, conversation_id: str) -> list[Message] | None:
    """The user's and the assistant's messages, in order; None when there is no ``events`` table."""
    events = _events(session)
    if events is None:
        return None
    rows = session.execute(select(events.c.type_name, events.c.timestamp, events.c.data)
                           .where(events.c.sender_id == conversation_id,
                                  events.c.type_name.in_(tuple(SPEAKERS)))
                           .order_by(*_order(events)))
    messages = []
    for type_name, timestamp, raw in rows:
        text = _data(raw).get("text")
        if isinstance(text, str) and text.strip():
            messages.append(Message(speaker=type_name, text=text, at=_when(timestamp)))
    return messages


def _consented(events: TableClause) -> ColumnElement:
    """Conversations linked to a draft whose applicant consented (the one that created it, those that resumed
    it): the only ones staff may read. Someone who refused, or never started a pre-application, is not shown.
    """
    from bot.db.models import Draft, DraftConversation

    agreed = Draft.consent_at.is_not(None)
    return or_(events.c.sender_id.in_(select(Draft.conversation_id).where(agreed)),
               events.c.sender_id.in_(select(DraftConversation.conversation_id)
                                      .join(Draft, Draft.id == DraftConversation.draft_id).where(agreed)))


def not_understood(session: Session, limit: int = 50) -> list[Message] | None:
    """The latest user messages classified ``nlu_fallback`` or ``out_of_scope`` in conversations whose applicant
    consented (see :func:`_consented`); None without ``events``.
    """
    events = _events(session)
    if events is None:
        return None
    maybe = or_(*(events.c.data.like(f"%{name}%") for name in NOT_UNDERSTOOD_INTENTS))  # narrowed in Python
    query = (select(events.c.sender_id, events.c.timestamp, events.c.data)
             .where(events.c.type_name == "user", maybe, _consented(events))
             .order_by(*_order(events, descending=True)))
    found: list[Message] = []
    offset = 0
    while len(found) < limit:
        rows = session.execute(query.limit(_BATCH).offset(offset)).all()
        for sender_id, timestamp, raw in rows:
            data = _data(raw)
            intent = _intent(data)
            if intent in NOT_UNDERSTOOD_INTENTS and len(found) < limit:
                found.append(Message(speaker="user", text=str(data.get("text") or ""), at=_when(timestamp),
                                     sender_id=sender_id or "", intent=intent))
        if len(rows) < _BATCH:
            break
        offset += _BATCH
    return found
