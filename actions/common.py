"""Pieces shared by the actions and the form validators: reading the tracker, recording where answers came from."""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.turn import SKIPPED
from bot.call.current import call_or_apology
from bot.call.facts import CallFacts


def previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def message_id(tracker: Tracker) -> str:
    """A stable id of the latest user message (its event timestamp)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return str(event.get("timestamp"))
    return ""


def active_before_message(tracker: Tracker) -> str | None:
    """The form that was active when the applicant wrote the latest message (None for an opening)."""
    active: str | None = None
    last_user = max((i for i, e in enumerate(tracker.events) if e.get("event") == "user"), default=-1)
    for event in tracker.events[:last_user]:
        if event.get("event") == "active_loop":
            active = event.get("name")
    return active


def latest_text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "").strip()


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def record_sources(tracker: Tracker, events: list[EventType], fields: Collection[str]) -> list[EventType]:
    """Remember which user message gave each answer validated in this turn (staff see it), and which one left a
    field "à préciser" (marked ``skipped``: a correction that takes a value away shows that sentence, even once
    the conversation has moved to a new session, whose events no longer hold it).

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
    before = set(tracker.get_slot(SKIPPED) or [])
    for field in set(validated.get(SKIPPED) or []) - before:
        if field in fields and latest_text(tracker):
            sources[field] = {"message": latest_text(tracker), "at": now, "skipped": True}
            changed = True
    return [SlotSet("field_sources", sources)] if changed else []


def load_call_or_apologise(dispatcher: CollectingDispatcher) -> CallFacts | None:
    """The call facts, or None after the polite apology when the data file is broken (:mod:`bot.call.current`)."""
    found = call_or_apology()
    if isinstance(found, str):
        dispatcher.utter_message(text=found)
        return None
    return found
