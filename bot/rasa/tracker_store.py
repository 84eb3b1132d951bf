"""Rasa tracker store adapter: Rasa's SQL store, in our database, that can forget a conversation and whose cost
per turn does not grow with the length of the conversation.

When the applicant asks to delete their data, ``action_delete_data`` sets the slot
``data_deleted``; instead of saving that conversation, this store deletes every event
of it. The next message starts a fresh conversation.

Rasa loads, for each message, the events of the conversation's latest session only (``SQLTrackerStore``), and
its policies, the action server's request and the tracker's rebuild all grow with them. Once a session holds
``TRACKER_MAX_EVENTS`` events (default 150; 0: never), this store starts a new session after saving, at a safe
point (the assistant waits for the applicant and no rule waits on the last action): a ``session_started`` event,
every slot carried over, the form in progress, then ``action_listen``, as Rasa's own session start does. The
older events stay in the database: the staff transcript and the deletion read every session.
"""
from __future__ import annotations

import json
import time

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import get_settings

# Rules that wait for the applicant's answer to this action ("oui" after the verdict, after "supprimer ?").
WAITING_ACTIONS = {"action_give_verdict", "action_ask_delete_confirmation"}


def max_events() -> int:
    """``TRACKER_MAX_EVENTS`` (150 by default; 0: never a new session)."""
    return get_settings().tracker_max_events


def safe_to_restart(tracker: DialogueStateTracker) -> bool:
    """The assistant waits for the applicant, and no rule depends on the action just before."""
    actions = [e for e in tracker.events if isinstance(e, ActionExecuted)]
    if len(actions) < 2 or actions[-1].action_name != ACTION_LISTEN_NAME:
        return False
    return actions[-2].action_name not in WAITING_ACTIONS


def carried_over(tracker: DialogueStateTracker) -> list[Event]:
    """The first events of the new session: every slot with a value, the active form, then ``action_listen``."""
    now = time.time()
    events: list[Event] = [SessionStarted(timestamp=now)]
    events += [SlotSet(name, slot.value, timestamp=now) for name, slot in tracker.slots.items()
               if slot.value is not None and slot.value != slot.initial_value]
    loop = tracker.active_loop_name
    if loop:
        events.append(ActiveLoop(loop, timestamp=now))
    events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=now))
    return events


class DeletableSQLTrackerStore(SQLTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot("data_deleted"):
            with self.session_scope() as session:
                session.execute(sa.delete(self.SQLEvent).where(self.SQLEvent.sender_id == tracker.sender_id))
                session.commit()
            return
        await super().save(tracker)
        limit = max_events()
        if limit and len(tracker.events) >= limit and safe_to_restart(tracker):
            self._append(tracker.sender_id, carried_over(tracker))

    def _append(self, sender_id: str, events: list[Event]) -> None:
        """Store events after the conversation's last one, as ``SQLTrackerStore.save`` stores new events."""
        with self.session_scope() as session:
            for event in events:
                data = event.as_dict()
                session.add(self.SQLEvent(sender_id=sender_id, type_name=event.type_name,
                                          timestamp=data.get("timestamp"), intent_name=None,
                                          action_name=data.get("name"), data=json.dumps(data)))
            session.commit()
