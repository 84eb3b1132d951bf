"""Deleting a draft deletes every conversation linked to it (Rasa's ``events``, in the same database, written
by the project's tracker store): the one that created it and those that resumed it; nothing else."""
from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import BooleanSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, text

from actions.drafts import ActionDeleteData
from bot.db import drafts as repo
from bot.db.deletion import delete_draft
from bot.db.models import DraftConversation
from bot.db.resume_models import ResumeCode
from bot.db.session import session_scope
from bot.rasa.tracker_store import DeletableSQLTrackerStore
from tests.security.helpers import (
    VICTIM_EMAIL,
    ask_code,
    code_in,
    forged,
    give_code,
    make_draft,
    outbox_mails,
    slot_values,
    texts,
)

pytest_plugins = ["tests.security.fixtures"]  # database (SQLite; PostgreSQL with TEST_DATABASE_URL), outbox


def conversation(sender: str, *more) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"), UserUttered("bonjour", {"name": "greet"}), BotUttered("Bonjour !"),
              *more]
    return DialogueStateTracker.from_events(sender, events, slots=[BooleanSlot("data_deleted", mappings=[])])


def stored_conversations():
    with session_scope() as session:
        return set(session.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())


async def resume_with_code(make_tracker, outbox, reference: str, sender: str) -> None:
    _, slots = await ask_code(make_tracker, reference, VICTIM_EMAIL, sender, client=f"198.51.100.{len(sender)}")
    _, slots = await give_code(make_tracker, slots, code_in(outbox_mails(outbox)[-1]), sender,
                               client=f"198.51.100.{len(sender)}")
    assert slots["resume_code"] == "vérifié"


async def test_the_applicant_deleting_removes_every_linked_conversation(make_tracker, database, outbox):
    store = DeletableSQLTrackerStore(Domain.empty(), host=database)
    for sender in ("creator", "resumer-1", "resumer-22", "guesser", "bystander"):
        await store.save(conversation(sender))
    reference = make_draft("creator")
    other = make_draft("bystander", email="autre@exemple.fr")
    await resume_with_code(make_tracker, outbox, reference, "resumer-1")
    await resume_with_code(make_tracker, outbox, reference, "resumer-22")
    await ask_code(make_tracker, reference, "faux@exemple.fr", "guesser")  # tried, never linked

    dispatcher = CollectingDispatcher()
    events = ActionDeleteData().run(dispatcher, forged(make_tracker, {}, "resumer-22"), {})
    assert slot_values(events)["data_deleted"] is True and "supprimées" in texts(dispatcher)[-1]
    # Rasa then saves the deleting conversation with data_deleted set: the store drops it instead.
    await store.save(conversation("resumer-22", UserUttered("oui"), SlotSet("data_deleted", True)))

    assert stored_conversations() == {"guesser", "bystander"}
    with session_scope() as session:
        assert repo.get_by_reference(session, reference) is None
        assert repo.get_by_reference(session, other) is not None
        assert session.scalars(select(DraftConversation.conversation_id)).all() == ["bystander"]
        assert session.query(ResumeCode).count() == 0
    store.engine.dispose()


async def test_staff_deleting_removes_every_linked_conversation(make_tracker, database, outbox):
    store = DeletableSQLTrackerStore(Domain.empty(), host=database)
    for sender in ("creator", "resumer", "bystander"):
        await store.save(conversation(sender))
    reference = make_draft("creator")
    await resume_with_code(make_tracker, outbox, reference, "resumer")
    with session_scope() as session:
        draft = repo.get_by_reference(session, reference)
        assert repo.linked_conversations(session, draft) == ["creator", "resumer"]
        delete_draft(session, draft)
    assert stored_conversations() == {"bystander"}
    store.engine.dispose()
