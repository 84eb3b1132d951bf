"""Rasa tracker store adapter: Rasa's SQL store, in our database, that can forget a conversation and whose cost
per turn does not grow with the length of the conversation.

When the applicant asks to delete their data, ``action_delete_data`` sets the slot
``data_deleted``; instead of saving that conversation, this store deletes every event
of it. The next message starts a fresh conversation.

Rasa loads, for each message, the events of the conversation's latest session only (``SQLTrackerStore``), and
its policies, the action server's request and the tracker's rebuild all grow with them. Once a session holds
``TRACKER_MAX_EVENTS`` events after its opening (default 30; 0: never), this store starts a new session after
saving, at a safe point (the assistant waits for the applicant and no rule waits on the last action): a
``session_started`` event, every slot carried over, the form in progress, then ``action_listen``, as Rasa's own
session start does. The opening (those carried-over events, up to the first ``action_listen``) is not counted:
a pre-application carries some thirty slots, and counting them would start a new session, and store them all
again, at nearly every turn. The older events stay in the database: the staff transcript and the deletion read
every session.

Rasa's ``save`` counts, with a query, the stored events of the session to know which events are new. A tracker
this store loaded carries that number (the rows it read), kept up to date by each save, so the count query is
only made for a tracker that did not come from ``retrieve`` (a new conversation).

Rasa's SQLite engine opens a new connection for every load and every save (SQLAlchemy 1.4's ``NullPool`` for a
file), and both databases wait for the disk at each commit: the whole Rasa process waits, since it calls the store
from its event loop. This store keeps its connections (a pool) and writes the conversation's events without
waiting for the disk (SQLite: WAL with ``synchronous=NORMAL``; PostgreSQL: ``synchronous_commit=off`` for its own
connections only): a crash of the machine, not of a process, may lose the last turns of a conversation, never
corrupt the database; drafts and every other table keep their full durability (``bot.db.session``).
"""
from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session

from bot.settings import get_settings

# Rules that wait for the applicant's answer to this action ("oui" after the verdict, after "supprimer ?").
WAITING_ACTIONS = {"action_give_verdict", "action_ask_delete_confirmation"}
# Attribute of a tracker loaded by this store: how many of its events are stored (None: unknown, count them).
STORED = "_ess_stored_events"


def max_events() -> int:
    """``TRACKER_MAX_EVENTS`` (30 by default; 0: never a new session)."""
    return get_settings().tracker_max_events


def history_length(tracker: DialogueStateTracker) -> int:
    """The events of the tracker's latest session after its opening: the ``session_started`` event and what it
    carries over (slots, the form) up to the first ``action_listen``; every event when no session started.
    """
    events = list(tracker.events)
    starts = [i for i, e in enumerate(events) if isinstance(e, SessionStarted)]
    if not starts:
        return len(events)
    opening = next((i for i in range(starts[-1], len(events))
                    if isinstance(events[i], ActionExecuted) and events[i].action_name == ACTION_LISTEN_NAME),
                   len(events) - 1)
    return len(events) - opening - 1


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


def stored_events(tracker: DialogueStateTracker) -> int | None:
    """How many of the tracker's events the store holds, when the store loaded it; None when unknown."""
    stored = getattr(tracker, STORED, None)
    return stored if isinstance(stored, int) and 0 <= stored <= len(tracker.events) else None


SQLITE_BUSY_TIMEOUT_S = 5  # the sqlite3 default Rasa had: its event loop waits that long at most


def tracker_engine(url: sa.engine.URL) -> sa.engine.Engine:
    """The tracker store's engine: pooled connections, commits that do not wait for the disk."""
    kwargs: dict[str, Any] = dict(create_engine_kwargs(url))  # Rasa's PostgreSQL pool size and schema
    if url.get_backend_name() == "sqlite":
        kwargs.update(poolclass=sa.pool.QueuePool,
                      connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S})
    engine = sa.create_engine(url, **kwargs)
    # (sqlite3's timeout above is SQLite's busy timeout: no PRAGMA busy_timeout needed)
    pragmas = {"sqlite": ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"],
               "postgresql": ["SET synchronous_commit TO off"]}.get(url.get_backend_name(), [])

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for statement in pragmas:
            cursor.execute(statement)
        cursor.close()
        if url.get_backend_name() == "postgresql":
            dbapi_connection.commit()  # psycopg2 opened a transaction for the SET

    return engine


class DeletableSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # Rasa's engine creates the table
        rasa_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]
        self.engine = tracker_engine(rasa_engine.url)
        rasa_engine.dispose()
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            setattr(tracker, STORED, len(tracker.events))  # every event read is a stored row of the session
        return tracker

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator[Event]:
        stored = stored_events(tracker)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot("data_deleted"):
            with self.session_scope() as session:
                session.execute(sa.delete(self.SQLEvent).where(self.SQLEvent.sender_id == tracker.sender_id))
                session.commit()
            return
        await super().save(tracker)
        setattr(tracker, STORED, len(tracker.events))
        limit = max_events()
        if limit and history_length(tracker) >= limit and safe_to_restart(tracker):
            self._append(tracker.sender_id, carried_over(tracker))
            # Every event in memory is stored; one added later goes after the new session's first rows.

    def _append(self, sender_id: str, events: list[Event]) -> None:
        """Store events after the conversation's last one, as ``SQLTrackerStore.save`` stores new events."""
        with self.session_scope() as session:
            for event in events:
                data = event.as_dict()
                session.add(self.SQLEvent(sender_id=sender_id, type_name=event.type_name,
                                          timestamp=data.get("timestamp"), intent_name=None,
                                          action_name=data.get("name"), data=json.dumps(data)))
            session.commit()
