"""The tracker store caps what each turn loads (bot/rasa/tracker_store.py), on a real SQLite file and on the real
PostgreSQL (TEST_DATABASE_URL, else skipped with the reason): a long conversation goes on in a new session with
its slots and its form, and nothing of the old one is lost."""
from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.tracker_store import DeletableSQLTrackerStore, history_length

pytest_plugins = ["tests.db_fixtures"]  # db_url: a SQLite file, then a PostgreSQL schema of its own

DOMAIN = Domain.load("domain")


@pytest.fixture
def store(db_url, monkeypatch):
    monkeypatch.setenv("TRACKER_MAX_EVENTS", "40")
    store = DeletableSQLTrackerStore(DOMAIN, host=db_url)  # as endpoints.yml gives it: the URL as host
    assert store.engine.dialect.name == db_url.split(":")[0].split("+")[0]  # the database asked for
    yield store
    store.engine.dispose()


def turn(n, last_action="action_answer_faq"):
    return [UserUttered(f"question {n}", {"name": "ask_amount", "confidence": 1.0}),
            ActionExecuted(last_action), BotUttered(f"réponse {n}"), ActionExecuted("action_listen")]


# A pre-application's answers: some thirty slots to carry over into each new session.
ANSWERS = [SlotSet(name, f"réponse {name}") for name in (
    "org_name", "siret", "contact_name", "email", "phone", "project_title", "project_description", "beneficiaries",
    "start_date", "structure", "stage", "draft_reference", "resume_email", "consent_at", "last_read",
    "prompted_for", "correction_request", "resume_reference", "other_department_aid", "eligibility_verdict")]


def play(store, sender, turns, last_action="action_answer_faq", loop=None, answers=()):
    """Each turn as Rasa does it: load the tracker, add the turn's events, save."""
    for n in range(turns):
        tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, DOMAIN.slots)
        events = [SlotSet("amount", 12000.0), SlotSet("commune", "Créteil"), *answers] if n == 0 else []
        if n == 0 and loop:
            events += [ActiveLoop(loop), SlotSet("requested_slot", "stage")]
        for event in events + turn(n, last_action):
            tracker.update(event)
        asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve(sender))


def test_a_long_conversation_loads_a_bounded_tracker_with_its_slots_and_its_form(store):
    tracker = play(store, "long", 60, loop="eligibility_form")
    assert history_length(tracker) < 40 and len(tracker.events) < 40 + 8  # capped, whatever the length
    assert tracker.get_slot("amount") == 12000.0 and tracker.get_slot("commune") == "Créteil"
    assert tracker.active_loop_name == "eligibility_form" and tracker.get_slot("requested_slot") == "stage"
    assert tracker.latest_action_name == "action_listen"
    full = asyncio.run(store.retrieve_full_tracker("long"))
    said = [e.text for e in full.events if isinstance(e, UserUttered)]
    assert said == [f"question {n}" for n in range(60)]  # the staff transcript keeps every message
    assert sum(isinstance(e, SessionStarted) for e in full.events) >= 2


def test_the_answers_carried_over_do_not_count_towards_the_cap(store):
    tracker = play(store, "many-answers", 60, loop="application_form", answers=ANSWERS)
    assert tracker.get_slot("org_name") == "réponse org_name" and tracker.active_loop_name == "application_form"
    assert 20 < len(tracker.events) - history_length(tracker) < 40 + 8  # the opening: some 25 slots carried over
    full = asyncio.run(store.retrieve_full_tracker("many-answers"))
    sessions = sum(isinstance(e, SessionStarted) for e in full.events)
    assert 4 <= sessions <= 60 * 4 // 40  # a new session every ten turns, not at every turn once the slots pile up
    assert event_rows(store, "many-answers") <= 60 * 4 + sessions * 32  # each turn, then each opening once


def history(*events):
    tracker = DialogueStateTracker("h", DOMAIN.slots)
    for event in events:
        tracker.update(event)
    return history_length(tracker)


def test_the_history_of_a_session_is_what_follows_its_opening():
    assert history(*turn(0), *turn(1)) == 8  # no session started: every event counts
    opening = [ActionExecuted("action_session_start"), SessionStarted(), *ANSWERS, ActionExecuted("action_listen")]
    assert history(*opening) == 0
    assert history(*turn(0), *opening, *turn(1)) == 4  # the latest session only
    assert history(SessionStarted(), SlotSet("amount", 1.0)) == 0  # an opening not over yet


def test_no_new_session_while_a_rule_waits_for_the_answer_to_the_last_action(store):
    tracker = play(store, "verdict", 30, last_action="action_give_verdict")
    assert len(tracker.events) == 30 * 4 + 2  # never restarted: "oui" after the verdict must still follow it


def test_a_short_conversation_is_left_alone_and_zero_disables_the_cap(store, monkeypatch):
    assert len(play(store, "short", 9).events) == 9 * 4 + 2
    monkeypatch.setenv("TRACKER_MAX_EVENTS", "0")
    assert len(play(store, "nocap", 20).events) == 20 * 4 + 2


def test_deleting_the_conversation_removes_every_session(store):
    play(store, "gone", 30)
    tracker = asyncio.run(store.retrieve("gone"))
    tracker.update(SlotSet("data_deleted", True))
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve_full_tracker("gone")) is None


def event_rows(store, sender):
    """How many rows of Rasa's ``events`` table belong to ``sender``, read straight from the database."""
    with store.session_scope() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(store.SQLEvent)
                              .where(store.SQLEvent.sender_id == sender))


def test_data_deleted_removes_every_row_of_that_conversation_and_no_other(store):
    play(store, "forget-me", 30)  # several sessions (TRACKER_MAX_EVENTS=40)
    play(store, "keep-me", 3)
    kept = event_rows(store, "keep-me")
    assert event_rows(store, "forget-me") > 40 and kept == 3 * 4 + 2
    tracker = asyncio.run(store.retrieve("forget-me"))
    tracker.update(SlotSet("data_deleted", True))
    asyncio.run(store.save(tracker))
    assert event_rows(store, "forget-me") == 0
    assert event_rows(store, "keep-me") == kept
    assert [e.text for e in asyncio.run(store.retrieve_full_tracker("keep-me")).events
            if isinstance(e, UserUttered)] == ["question 0", "question 1", "question 2"]


def rows(store, sender):
    """The stored events of ``sender`` as Rasa wrote them, without their timestamps and ids."""
    with store.session_scope() as session:
        found = session.execute(sa.select(store.SQLEvent.type_name, store.SQLEvent.intent_name,
                                          store.SQLEvent.action_name, store.SQLEvent.data)
                                .where(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id)).all()
    return [(t, i, a, {k: v for k, v in json.loads(d).items() if k != "timestamp"}) for t, i, a, d in found]


def test_the_same_rows_as_rasas_own_store_without_counting_at_each_save(store, monkeypatch, db_url):
    monkeypatch.setenv("TRACKER_MAX_EVENTS", "0")
    statements = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2].lower()))
    play(store, "ours", 12, loop="eligibility_form")
    counts = [s for s in statements if "count(" in s]
    assert len(counts) == 1  # the first save only: that tracker was new, not loaded by the store
    rasa_own = SQLTrackerStore(DOMAIN, host=db_url)
    try:
        play(rasa_own, "rasa", 12, loop="eligibility_form")
        assert rows(store, "ours") == rows(rasa_own, "rasa") and len(rows(store, "ours")) == 12 * 4 + 4
    finally:
        rasa_own.engine.dispose()


def test_a_tracker_the_store_did_not_load_is_counted_as_rasa_does(store):
    first = DialogueStateTracker("apart", DOMAIN.slots)
    for event in turn(0):
        first.update(event)
    asyncio.run(store.save(first))
    second = DialogueStateTracker("apart", DOMAIN.slots)  # the same conversation, built again
    for event in turn(0) + turn(1):
        second.update(event)
    asyncio.run(store.save(second))
    assert [e.text for e in asyncio.run(store.retrieve("apart")).events
            if isinstance(e, UserUttered)] == ["question 0", "question 1"]


def test_connections_are_kept_and_commits_do_not_wait_for_the_disk(store):
    with store.engine.connect() as connection:
        if store.engine.dialect.name == "sqlite":
            assert isinstance(store.engine.pool, sa.pool.QueuePool)
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000  # Rasa's, sqlite3's default
        else:
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
        first = connection.connection.dbapi_connection
    play(store, "pooled", 2)
    with store.engine.connect() as connection:
        assert connection.connection.dbapi_connection is first  # the same connection again


def test_a_loaded_tracker_saved_again_after_a_new_session_stores_only_its_new_events(store):
    play(store, "twice", 9)  # 38 events: the next turn crosses TRACKER_MAX_EVENTS=40 and starts a new session
    tracker = asyncio.run(store.retrieve("twice"))
    for event in turn(9):
        tracker.update(event)
    asyncio.run(store.save(tracker))  # a new session starts after this save
    for event in turn(10):
        tracker.update(event)
    asyncio.run(store.save(tracker))  # the same tracker object, saved again
    full = asyncio.run(store.retrieve_full_tracker("twice"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == [f"question {n}" for n in range(11)]
    latest = asyncio.run(store.retrieve("twice"))  # that object still held more than 40 events: a new session again
    assert latest.get_slot("amount") == 12000.0 and latest.latest_action_name == "action_listen"
