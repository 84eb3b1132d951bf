"""Pieces shared by the form validators."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet


def previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def latest_text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "").strip()


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def record_sources(tracker: Tracker, events: list[EventType], fields) -> list[EventType]:
    """Remember which user message gave each answer validated in this turn (staff see it).

    Only values that changed with this message count; answers loaded from a resumed draft
    (slot ``resumed``) keep the provenance stored with them.
    """
    if tracker.get_slot("resumed"):
        return [SlotSet("resumed", None)]
    validated = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    sources = dict(tracker.get_slot("field_sources") or {})
    now = datetime.now(timezone.utc).isoformat()
    changed = False
    for field, value in validated.items():
        if field in fields and value is not None and value != previous_value(tracker, field):
            sources[field] = {"message": latest_text(tracker), "at": now}
            changed = True
    return [SlotSet("field_sources", sources)] if changed else []
