"""A forged action-server request with another draft's ``draft_reference`` (or ``email``) slot cannot read,
rewrite or delete that draft: the actions decide from the database's links and ``tracker.sender_id``.

The action classes are called directly with forged trackers (see test_forged_http.py for the same over HTTP).
"""
from __future__ import annotations

from rasa_sdk.events import FollowupAction

from actions.drafts import ActionApplicationSummary, ActionConfirmApplication, ActionDeleteData, ValidateApplicationForm
from actions.resume import VERIFIED
from bot.db import drafts as repo
from bot.db.session import session_scope
from tests.domain_forms import forms_domain
from tests.security.helpers import (
    FULL,
    VICTIM_EMAIL,
    finish_resume,
    forged,
    make_draft,
    outbox_mails,
    resume_turn,
    slot_values,
    texts,
)

pytest_plugins = ["tests.security.fixtures"]  # database (SQLite; PostgreSQL with TEST_DATABASE_URL), outbox

APPLICATION_DOMAIN = forms_domain("application_form")  # the required slots of domain/application.yml
PIRATE = "pirate@exemple.fr"


def stored(reference: str):
    with session_scope() as session:
        draft = repo.get_by_reference(session, reference)
        return repo.draft_to_dict(draft) if draft else None


def test_forged_delete_leaves_the_other_draft(make_tracker, dispatcher, database):
    victim = make_draft("victim-conversation")
    own = make_draft("attacker-conversation", email=PIRATE)
    tracker = forged(make_tracker, {"draft_reference": victim, "email": VICTIM_EMAIL}, "attacker-conversation")
    events = ActionDeleteData().run(dispatcher, tracker, {})
    assert slot_values(events)["data_deleted"] is True
    assert stored(victim)["email"] == VICTIM_EMAIL  # untouched
    assert stored(own) is None  # only the attacker's own draft went
    dispatcher.messages.clear()
    ActionDeleteData().run(dispatcher, forged(make_tracker, {"draft_reference": victim}, "fresh-sender-id"), {})
    assert stored(victim) is not None
    assert "aucun dossier" in texts(dispatcher)[-1]


def test_forged_summary_and_confirmation_do_not_rewrite_the_other_draft(make_tracker, dispatcher, database):
    victim = make_draft("victim-conversation")
    before = stored(victim)
    slots = {**FULL, "email": PIRATE, "org_name": "Piratage", "draft_reference": victim}
    for action in (ActionApplicationSummary(), ActionConfirmApplication()):
        events = action.run(dispatcher, forged(make_tracker, slots, "attacker-conversation"), {})
        assert slot_values(events)["draft_reference"] != victim
    assert stored(victim) == before
    assert victim not in " ".join(texts(dispatcher))


async def test_forged_form_turn_writes_only_the_senders_own_draft(make_tracker, dispatcher, database):
    victim = make_draft("victim-conversation")
    before = stored(victim)
    tracker = forged(make_tracker, {**FULL, "draft_reference": victim, "requested_slot": "email"}, "attacker",
                     text=PIRATE, active_loop="application_form")
    events = await ValidateApplicationForm().run(dispatcher, tracker, APPLICATION_DOMAIN)
    assert slot_values(events).get("draft_reference") not in (None, victim)
    assert stored(victim) == before


async def test_forged_resume_does_not_read_the_other_draft(make_tracker, database, outbox):
    victim = make_draft("victim-conversation")
    slots = {"resume_reference": victim, "resume_email": VICTIM_EMAIL, "resume_code": VERIFIED,
             "draft_reference": victim, "email": VICTIM_EMAIL}
    dispatcher, events = finish_resume(make_tracker, slots, "attacker")
    assert FollowupAction("application_form") not in events
    assert "org_name" not in slot_values(events) and texts(dispatcher) == []
    dispatcher, slots = await resume_turn(make_tracker, slots, "resume_code", "123456", "attacker")
    assert slots["resume_code"] is None and "Marie" not in " ".join(texts(dispatcher))
    assert outbox_mails(outbox) == []  # no code was even asked for


def test_the_owner_still_reaches_their_draft(make_tracker, dispatcher, database):
    reference = make_draft("owner")
    events = ActionConfirmApplication().run(dispatcher, forged(make_tracker, {**FULL, "phone": "07 00 00 00 01"},
                                                               "owner"), {})
    assert slot_values(events)["draft_reference"] == reference
    assert stored(reference)["phone"] == "07 00 00 00 01"
