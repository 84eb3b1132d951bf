"""Corrections asked by staff and answered by the applicant in the chat (issue 12), on a real database.

The repository (bot/db/corrections.py), the service (bot.application.service: load_resumed, save_draft, confirm_draft)
and the actions (actions/resume.py, action_confirm_application) on the ``db_url`` fixtures: a SQLite file, and
PostgreSQL when TEST_DATABASE_URL is set. Over REST with the trained model: tests/test_rest_corrections.py.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.common import message_id
from actions.drafts import ActionConfirmApplication, ValidateApplicationForm
from actions.resume import ActionResumeDraft
from bot.application import prompts
from bot.application.service import Correction, confirm_draft, correction_slots, load_resumed, save_draft
from bot.call.facts import get_call
from bot.db import corrections
from bot.db import drafts as repo
from bot.db.deletion import delete_draft
from bot.db.followup_models import CorrectionRequest, DraftFieldChange
from bot.db.session import session_scope
from bot.db.staff import StaffError, StatusConflict, change_status, create_user, draft_audit

pytest_plugins = ["tests.db_fixtures"]  # db_url, migrated_db_url, db_session

PASSWORD = "un mot de passe assez long"
ANSWERS = {
    "org_name": "Les Jardins Partagés", "structure": "association", "siret": "73282932000074",
    "commune": "Créteil", "contact_name": "Marie Curie", "email": "marie@exemple.fr", "phone": "06 12 34 56 78",
    "project_title": "Un jardin pour tous", "project_description": "Un jardin partagé ouvert aux habitants.",
    "beneficiaries": "les habitants du quartier", "jobs": 2, "start_date": "2026-09-01", "stage": "startup",
    "amount": 12000.0, "total_budget": 40000.0, "other_department_aid": False,
}
CONSENT_AT = "2026-11-25T10:00:00+00:00"
AT = "2026-11-26T09:30:00+00:00"


def said(message: str, at: str = AT):
    return {"message": message, "at": at}


@pytest.fixture
def database(migrated_db_url, monkeypatch, tmp_path):
    """The migrated database as the actions' DATABASE_URL (mails, if any, go to a folder of the test)."""
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    monkeypatch.setenv("MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.delenv("SMTP_URL", raising=False)
    return migrated_db_url


def recorded_draft(conversation: str = "conv-a") -> str:
    """A complete pre-application saved by its conversation; its reference."""
    return save_draft(conversation, ANSWERS, {"amount": said("on demande 12 000 €", CONSENT_AT)}, CONSENT_AT,
                      get_call())


def ask_correction(reference: str, fields, comment="Le montant dépasse la moitié du budget, merci de le revoir.",
                   review=True) -> int:
    """A reviewer takes the draft up (in_review) then asks for corrections; the request's id."""
    with session_scope() as session:
        user = create_user(session, "agent@valdemarne.fr", PASSWORD)
        draft = repo.get_by_reference(session, reference)
        if review:
            change_status(session, draft, "in_review", user, "Examen du dossier.")
        return corrections.request_correction(session, draft, fields, comment, user).id


def resumed_by(conversation: str, reference: str) -> None:
    """What a right resume code does (bot.application.resume.check_code): the conversation may act on the draft."""
    with session_scope() as session:
        repo.link_conversation(session, repo.get_by_reference(session, reference), conversation)


def state(reference: str):
    with session_scope() as session:
        draft = repo.get_by_reference(session, reference)
        changes = [(c.field, c.old_value, c.new_value, c.message, c.correction_request_id)
                   for c in corrections.field_changes(session, draft)]
        requests = [(r.id, r.completed_at is not None) for r in session.query(CorrectionRequest)
                    .filter_by(draft_id=draft.id).order_by(CorrectionRequest.id)]
        audit = [(a.action, a.from_status, a.to_status, a.user_id is None) for a in draft_audit(session, draft)]
        sources = {k: v.message for k, v in repo.field_sources(session, draft).items()}
        return repo.draft_to_dict(draft), changes, requests, audit, sources


# --- the repository ---------------------------------------------------------------------------------------------

def test_a_request_is_open_while_the_draft_is_incomplete(db_session):
    user = create_user(db_session, "agent@valdemarne.fr", PASSWORD)
    draft = repo.get_or_create_draft(db_session, "conv-1")
    repo.update_fields(db_session, draft, {"amount": 12000, "start_date": "2026-09-01"})
    assert corrections.open_request(db_session, draft) is None
    with pytest.raises(StatusConflict):  # a draft nobody took up yet cannot be sent back
        corrections.request_correction(db_session, draft, ["amount"], "À revoir.", user)
    change_status(db_session, draft, "in_review", user, "Examen.")
    with pytest.raises(StaffError):
        corrections.request_correction(db_session, draft, [], "À revoir.", user)
    request = corrections.request_correction(db_session, draft, ["start_date", "amount", "amount"], "À revoir.", user)
    assert draft.status == "incomplete" and request.fields == ["start_date", "amount"]  # registry order, once
    assert corrections.open_request(db_session, draft).id == request.id
    assert [a.action for a in draft_audit(db_session, draft)] == ["status_changed", "status_changed",
                                                                   "correction_requested"]
    change_status(db_session, draft, "in_review", user, "Finalement, c'est bon.")  # staff take it back
    assert corrections.open_request(db_session, draft) is None  # not incomplete: nothing asked of the applicant


def test_record_changes_keeps_only_values_that_change_as_stored_text(db_session):
    draft = repo.get_or_create_draft(db_session, "conv-1")
    repo.update_fields(db_session, draft, {"amount": 12000, "start_date": "2026-09-01", "jobs": 2,
                                           "other_department_aid": False, "phone": "06 12 34 56 78"})
    at = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)
    changes = corrections.record_changes(db_session, draft, {
        "amount": 9000.0, "start_date": "2026-09-01", "jobs": 2, "other_department_aid": False,
        "phone": "06 12 34 56 78", "verdict": "eligible"}, {"amount": ("le montant c'est 9000", at)})
    assert [(c.field, c.old_value, c.new_value, c.message) for c in changes] == [
        ("amount", "12000.00", "9000.00", "le montant c'est 9000")]
    assert changes[0].changed_at == at and changes[0].correction_request_id is None
    earlier = at - timedelta(hours=1)
    assert corrections.record_changes(db_session, draft, {"start_date": None},
                                      {"start_date": (None, earlier)})[0].new_value is None
    assert [c.field for c in corrections.field_changes(db_session, draft)] == ["start_date", "amount"]  # by time


# --- the service: resume, hold, confirm ---------------------------------------------------------------------------

def test_confirming_a_changed_amount_records_it_closes_the_request_and_puts_the_draft_back_in_review(database):
    reference = recorded_draft()
    request_id = ask_correction(reference, ["amount"])
    resumed_by("conv-b", reference)
    resumed = load_resumed("conv-b", reference)
    assert resumed.correction == Correction(request_id, ("amount",),
                                            "Le montant dépasse la moitié du budget, merci de le revoir.")
    assert resumed.slots["amount"] == 12000.0 and resumed.slots["consent"] is True
    slots, not_asked = correction_slots(resumed.slots, resumed.correction)
    assert slots["amount"] is None and slots["phone"] == "06 12 34 56 78" and not_asked == []

    answers = {**ANSWERS, "amount": 9000.0}
    sources = {"amount": said("le montant c'est 9000 euros")}
    assert save_draft("conv-b", answers, sources, CONSENT_AT, get_call()) == reference
    draft, changes, _, _, _ = state(reference)
    assert draft["amount"] == 12000 and draft["status"] == "incomplete" and changes == []  # held until confirmed

    confirmed = confirm_draft("conv-b", answers, sources, CONSENT_AT, get_call(), request_id)
    assert (confirmed.reference, confirmed.corrected, confirmed.changed) == (reference, True, ("amount",))
    draft, changes, requests, audit, sources = state(reference)
    assert draft["amount"] == 9000 and draft["status"] == "in_review" and draft["total_budget"] == 40000
    assert changes == [("amount", "12000.00", "9000.00", "le montant c'est 9000 euros", request_id)]
    assert requests == [(request_id, True)] and sources["amount"] == "le montant c'est 9000 euros"
    assert audit == [("status_changed", "new", "in_review", False), ("status_changed", "in_review", "incomplete", False),
                     ("correction_requested", None, None, False),
                     ("status_changed", "incomplete", "in_review", True)]  # the applicant: no staff user
    assert load_resumed("conv-b", reference).correction is None


def test_values_confirmed_unchanged_give_no_change_but_close_the_request(database):
    reference = recorded_draft()
    request_id = ask_correction(reference, ["amount", "phone"])
    resumed_by("conv-b", reference)
    confirmed = confirm_draft("conv-b", ANSWERS, {"amount": said("12000")}, CONSENT_AT, get_call(), request_id)
    assert confirmed.corrected and confirmed.changed == ()
    draft, changes, requests, _, _ = state(reference)
    assert changes == [] and requests == [(request_id, True)] and draft["status"] == "in_review"


def test_a_requested_field_left_to_specify_loses_its_value_with_the_sentence(database):
    reference = recorded_draft()
    request_id = ask_correction(reference, ["start_date", "total_budget"], "La date et le budget sont-ils à jour ?")
    resumed_by("conv-b", reference)
    answers = {**ANSWERS, "start_date": None, "total_budget": 45000.0}
    sources = {"start_date": said("je ne sais pas"), "total_budget": said("le budget total est de 45 000 €")}
    confirmed = confirm_draft("conv-b", answers, sources, CONSENT_AT, get_call(), request_id)
    assert confirmed.changed == ("start_date", "total_budget")
    draft, changes, _, _, sources = state(reference)
    assert draft["start_date"] is None and draft["total_budget"] == 45000 and draft["status"] == "in_review"
    assert changes == [("start_date", "2026-09-01", None, "je ne sais pas", request_id),
                       ("total_budget", "40000.00", "45000.00", "le budget total est de 45 000 €", request_id)]
    assert sources["start_date"] == "je ne sais pas"


def test_a_request_this_conversation_was_not_shown_stays_open(database):
    reference = recorded_draft()
    request_id = ask_correction(reference, ["amount"])
    resumed_by("conv-b", reference)
    confirmed = confirm_draft("conv-b", {**ANSWERS, "amount": None, "phone": "07 98 76 54 32"},
                              {"phone": said("le téléphone c'est le 07 98 76 54 32")}, CONSENT_AT, get_call(), None)
    assert not confirmed.corrected and confirmed.changed == ("phone",)
    draft, changes, requests, _, _ = state(reference)
    assert draft["status"] == "incomplete" and requests == [(request_id, False)]
    assert draft["amount"] == 12000  # not asked in this conversation: an empty answer takes nothing away
    assert changes == [("phone", "06 12 34 56 78", "07 98 76 54 32", "le téléphone c'est le 07 98 76 54 32",
                        request_id)]


def test_a_conversation_not_linked_to_the_draft_touches_nothing(database):
    reference = recorded_draft()
    request_id = ask_correction(reference, ["amount"])
    assert load_resumed("conv-intruder", reference) is None
    confirmed = confirm_draft("conv-intruder", {**ANSWERS, "amount": 9000.0}, {}, CONSENT_AT, get_call(),
                              request_id)  # even with the request's id
    assert confirmed.reference != reference and not confirmed.corrected
    draft, changes, requests, _, _ = state(reference)
    assert draft["amount"] == 12000 and changes == [] and requests == [(request_id, False)]


def test_changes_to_a_draft_staff_took_up_are_kept_and_not_before(database):
    reference = recorded_draft()
    save_draft("conv-a", {**ANSWERS, "jobs": 3}, {"jobs": said("3 emplois")}, CONSENT_AT, get_call())
    assert state(reference)[1] == []  # still "new": the provenance is enough
    with session_scope() as session:
        user = create_user(session, "agent@valdemarne.fr", PASSWORD)
        change_status(session, repo.get_by_reference(session, reference), "in_review", user, "Examen.")
    save_draft("conv-a", {**ANSWERS, "jobs": 4}, {"jobs": said("en fait 4 emplois")}, CONSENT_AT, get_call())
    draft, changes, _, _, _ = state(reference)
    assert draft["jobs"] == 4 and changes == [("jobs", "3", "4", "en fait 4 emplois", None)]


# --- the actions ---------------------------------------------------------------------------------------------------

DOMAIN = {"forms": {}, "slots": {}}


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize("new_session", [False, True], ids=["same session", "after a new session"])
async def test_resume_asks_only_the_requested_fields_then_confirmation_records_them(
        make_tracker, dispatcher, database, new_session):
    reference = recorded_draft()
    with session_scope() as session:  # a draft with an answer left "à préciser", not asked by staff
        repo.update_fields(session, repo.get_by_reference(session, reference), {"siret": None})
    request_id = ask_correction(reference, ["amount", "start_date"], "Merci de préciser le montant et la date.")
    resumed_by("conv-b", reference)
    verified = {"resume_reference": reference, "resume_email": "marie@exemple.fr", "resume_code": "vérifié"}
    tracker = make_tracker(slots=verified, text="123456", sender_id="conv-b")
    events = ActionResumeDraft().run(dispatcher, tracker, {})
    history = tracker.events + [{"event": "action", "name": "action_resume_draft"}] + events
    told = dispatcher.messages[-1]["text"]
    assert reference in told and "Merci de préciser le montant et la date." in told
    assert "le montant demandé" in told and "la date de démarrage" in told and "SIRET" not in told
    slots = slot_values(events)
    assert slots["amount"] is None and slots["start_date"] is None and slots["phone"] == "06 12 34 56 78"
    assert slots["skipped_fields"] == ["siret"]  # empty but not asked: left as it is
    assert slots["correction_request"] == {"id": request_id, "fields": ["start_date", "amount"]}
    assert FollowupAction("application_form") in events

    # The form asks the optional start date (not skipped), then the amount, then the summary.
    base = {k: v for k, v in slots.items() if not k.startswith("resume_")}
    tracker = make_tracker(slots={**base, "resumed": True}, text="le code est 123456", sender_id="conv-b")
    tracker.slots["last_read"] = message_id(tracker)  # as after action_resume_draft: the code is not read again
    values = slot_values(await ValidateApplicationForm().run(dispatcher, tracker, DOMAIN))
    assert values["requested_slot"] == "start_date"
    slots = {**base, **values}
    for text, next_slot in (("je ne sais pas", "amount"), ("le montant c'est 9000 euros", "summary_confirmed"),
                            ("c'est bon", None)):
        tracker = make_tracker(slots=slots, text=text, active_loop="application_form", sender_id="conv-b")
        events = await ValidateApplicationForm().run(dispatcher, tracker, DOMAIN)
        history += tracker.events + [{"event": "action", "name": "application_form"}] + events  # as Rasa logs them
        slots = {**slots, **slot_values(events)}
        assert slots["requested_slot"] == next_slot, text
    assert slots["start_date"] is None and slots["amount"] == 9000.0 and slots["summary_confirmed"] is True
    assert state(reference)[0]["amount"] == 12000  # nothing written before the confirmation
    tracker = make_tracker(slots=slots, sender_id="conv-b")
    tracker.events[:] = history
    source = slots["field_sources"]["start_date"]  # the sentence that left it "à préciser", kept in a slot
    assert source["message"] == "je ne sais pas" and source["skipped"] is True
    if new_session:  # the store started a new session (TRACKER_MAX_EVENTS): the slots only, not the history
        tracker = make_tracker(slots=slots, sender_id="conv-b")
    dispatcher.messages.clear()
    events = ActionConfirmApplication().run(dispatcher, tracker, {})
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0] == prompts.corrections_confirmed(("start_date", "amount")) and reference in texts[1]
    assert SlotSet("correction_request", None) in events
    draft, changes, requests, _, _ = state(reference)
    assert draft["amount"] == 9000 and draft["start_date"] is None and draft["status"] == "in_review"
    assert requests == [(request_id, True)]
    assert [(field, old, new) for field, old, new, _, _ in changes] == [("start_date", "2026-09-01", None),
                                                                       ("amount", "12000.00", "9000.00")]
    assert [message for *_, message, _ in changes] == ["je ne sais pas", "le montant c'est 9000 euros"]


async def test_stopping_in_the_middle_keeps_the_request_open_and_says_nothing_is_recorded(
        make_tracker, dispatcher, database):
    reference = recorded_draft()
    request_id = ask_correction(reference, ["amount", "phone"])
    resumed_by("conv-b", reference)
    verified = {"resume_reference": reference, "resume_email": "marie@exemple.fr", "resume_code": "vérifié"}
    slots = slot_values(ActionResumeDraft().run(dispatcher, make_tracker(slots=verified, sender_id="conv-b"), {}))
    slots = {**slots, "requested_slot": "phone", "resumed": None}
    tracker = make_tracker(slots=slots, text="07 98 76 54 32", active_loop="application_form", sender_id="conv-b")
    slots = {**slots, **slot_values(await ValidateApplicationForm().run(dispatcher, tracker, DOMAIN))}
    assert slots["phone"] == "07 98 76 54 32" and slots["requested_slot"] == "amount"
    tracker = make_tracker(slots=slots, text="stop", active_loop="application_form", sender_id="conv-b")
    slots = {**slots, **slot_values(await ValidateApplicationForm().run(dispatcher, tracker, DOMAIN))}
    assert slots["form_stopped"] is True and slots["requested_slot"] is None
    dispatcher.messages.clear()
    ActionConfirmApplication().run(dispatcher, make_tracker(slots=slots, sender_id="conv-b"), {})
    assert [m["text"] for m in dispatcher.messages][-1] == prompts.corrections_pending(reference)
    draft, changes, requests, _, _ = state(reference)
    assert draft["phone"] == "06 12 34 56 78" and draft["status"] == "incomplete" and changes == []
    assert requests == [(request_id, False)]


def test_a_resumed_draft_without_a_request_is_resumed_as_before(make_tracker, dispatcher, database):
    reference = recorded_draft()
    resumed_by("conv-b", reference)
    verified = {"resume_reference": reference, "resume_email": "marie@exemple.fr", "resume_code": "vérifié"}
    events = ActionResumeDraft().run(dispatcher, make_tracker(slots=verified, sender_id="conv-b"), {})
    assert dispatcher.messages[-1]["text"] == prompts.resumed(reference)
    slots = slot_values(events)
    assert slots["amount"] == 12000.0 and slots["correction_request"] is None and "skipped_fields" not in slots


def test_the_change_history_is_deleted_with_the_draft(db_session):
    user = create_user(db_session, "agent@valdemarne.fr", PASSWORD)
    draft = repo.get_or_create_draft(db_session, "conv-1")
    repo.update_fields(db_session, draft, {"amount": 12000})
    change_status(db_session, draft, "in_review", user, "Examen.")
    request = corrections.request_correction(db_session, draft, ["amount"], "À revoir.", user)
    corrections.record_change(db_session, draft, "amount", "12000.00", "9000.00", "9000", request=request)
    delete_draft(db_session, draft)
    assert db_session.query(DraftFieldChange).count() == 0 and db_session.query(CorrectionRequest).count() == 0
