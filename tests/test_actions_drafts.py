"""Pre-application actions on a real SQLite file: consent, progressive saving, provenance,
invalid answers, database down then back, summary, resume (e-mail then a code), deletion, corrections.

More on ownership and the resume code: tests/security/."""
from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.drafts import (
    ActionApplicationSummary,
    ActionConfirmApplication,
    ActionDeleteData,
    ValidateApplicationForm,
)
from actions.eligibility import ActionCorrectAnswer
from actions.resume import ActionResumeDraft, ValidateResumeForm
from bot.application import prompts
from bot.db import drafts as repo
from bot.db.session import session_scope, upgrade
from bot.forms.prompts import WHAT_TO_CHANGE
from tests.domain_forms import forms_domain
from tests.security.helpers import code_in, outbox_mails, wrong

DOMAIN = forms_domain("application_form", "resume_form")  # the required slots of domain/application.yml

CONSENTED = {"consent": True, "consent_at": "2026-11-25T10:00:00+00:00"}


def test_every_slot_the_domain_requires_is_read_by_the_application_validator():
    """The validator asks its own fields in its own order; the domain's required slots must all be among them."""
    required = DOMAIN["forms"]["application_form"]["required_slots"]
    assert required and set(required) <= set(ValidateApplicationForm.keys), set(required) - set(
        ValidateApplicationForm.keys)


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ess.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))  # resume codes go there (no SMTP_URL)
    monkeypatch.delenv("SMTP_URL", raising=False)
    upgrade(url)
    return url


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def changed_answers(events):
    """The answers of ``FULL`` that ``events`` set to another value; AssertionError when no slot is set at all."""
    values = slot_values(events)
    assert values, "the validator set no slot"
    return {key: value for key, value in values.items() if key in FULL and value != FULL[key]}


async def answer(make_tracker, dispatcher, slots, requested, text, sender="conv-1", form="application_form",
                 intent="inform"):
    tracker = make_tracker(slots={**slots, "requested_slot": requested}, text=text, intent=intent,
                           active_loop=form, sender_id=sender)
    if form == "resume_form":  # the resume form keeps from_text mappings; the others read the text
        tracker.add_slots([SlotSet(requested, text)])
    validator = ValidateApplicationForm() if form == "application_form" else ValidateResumeForm()
    events = await validator.run(dispatcher, tracker, DOMAIN)
    return events, {**slots, **slot_values(events)}


def stored(reference):
    with session_scope() as session:
        draft = repo.get_by_reference(session, reference)
        return (repo.draft_to_dict(draft), {k: v.message for k, v in repo.field_sources(session, draft).items()}) \
            if draft else (None, None)


async def test_consent_then_each_answer_is_saved_at_once_with_its_sentence(make_tracker, dispatcher, database):
    events, slots = await answer(make_tracker, dispatcher, {}, "consent", "oui")
    assert slots["consent"] is True and slots["consent_at"]
    reference = slots["draft_reference"]
    assert reference.startswith("ESS-")
    events, slots = await answer(make_tracker, dispatcher, slots, "org_name", "Les Jardins Partagés")
    events, slots = await answer(make_tracker, dispatcher, slots, "email", "mon mail c'est Marie.Curie@Exemple.fr")
    draft, sources = stored(reference)
    assert draft["org_name"] == "Les Jardins Partagés" and draft["email"] == "Marie.Curie@exemple.fr"
    assert sources["email"] == "mon mail c'est Marie.Curie@Exemple.fr"
    assert slots["draft_reference"] == reference  # the same conversation keeps the same draft


async def test_invalid_answer_is_explained_and_the_rest_is_kept(make_tracker, dispatcher, database):
    _, slots = await answer(make_tracker, dispatcher, CONSENTED, "org_name", "Asso")
    _, slots = await answer(make_tracker, dispatcher, {**slots, "structure": "association"}, "siret", "123 456 789")
    assert slots.get("siret") is None and slots["field_failures"] == {"siret": 1}
    assert "compte 14" in dispatcher.messages[-1]["text"]
    draft, _ = stored(slots["draft_reference"])
    assert draft["org_name"] == "Asso"


async def test_without_consent_nothing_is_stored(make_tracker, dispatcher, database):
    events, slots = await answer(make_tracker, dispatcher, {}, "consent", "non merci")
    assert slots["consent"] is False and slots["requested_slot"] is None
    assert "draft_reference" not in slots
    with session_scope() as session:
        assert repo.list_drafts(session) == []


async def test_database_down_keeps_answers_then_saves_them(make_tracker, dispatcher, database, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/absent")
    _, slots = await answer(make_tracker, dispatcher, CONSENTED, "org_name", "La Ressourcerie")
    assert slots["org_name"] == "La Ressourcerie"
    assert "problème technique" in dispatcher.messages[-1]["text"]
    assert "draft_reference" not in slots
    monkeypatch.setenv("DATABASE_URL", database)
    _, slots = await answer(make_tracker, dispatcher, slots, "structure", "association")
    draft, sources = stored(slots["draft_reference"])
    assert draft["org_name"] == "La Ressourcerie" and draft["legal_form"] == "association"
    assert sources["org_name"] == "La Ressourcerie"


async def test_retried_message_does_not_duplicate_the_draft(make_tracker, dispatcher, database):
    for _ in range(3):
        _, slots = await answer(make_tracker, dispatcher, CONSENTED, "org_name", "Asso Bis", sender="conv-retry")
    with session_scope() as session:
        assert len(repo.list_drafts(session)) == 1


async def test_group_in_creation_is_not_asked_for_a_siret(make_tracker, dispatcher, database):
    _, slots = await answer(make_tracker, dispatcher, {**CONSENTED, "org_name": "Collectif"}, "structure",
                            "collectif pas encore constitué")
    assert slots["requested_slot"] == "commune"


FULL = {**CONSENTED, "org_name": "Asso", "structure": "association", "siret": "73282932000074",
        "commune": "Créteil", "contact_name": "Marie Curie", "email": "marie@exemple.fr",
        "phone": "06 12 34 56 78", "project_title": "Jardin", "project_description": "Un jardin partagé",
        "beneficiaries": "habitants", "jobs": 2, "start_date": "2026-09-01", "stage": "startup",
        "amount": 12000.0, "total_budget": 40000.0, "other_department_aid": False}


def test_summary_then_confirmation_gives_the_reference(make_tracker, dispatcher, database):
    tracker = make_tracker(slots=FULL, sender_id="conv-full")
    events = ActionApplicationSummary().run(dispatcher, tracker, {})
    summary = dispatcher.messages[-1]["text"]
    assert "marie@exemple.fr" in summary and "12 000 €" in summary and "01/09/2026" in summary
    tracker = make_tracker(slots={**FULL, **slot_values(events), "summary_confirmed": True}, sender_id="conv-full")
    events = ActionConfirmApplication().run(dispatcher, tracker, {})
    reference = slot_values(events)["draft_reference"]
    assert reference in dispatcher.messages[-1]["text"] and "reprendre mon dossier" in dispatcher.messages[-1]["text"]
    draft, _ = stored(reference)
    assert draft["verdict"] == "eligible" and draft["status"] == "new"


@pytest.mark.parametrize("text, intent", [
    ("c'est bon", "inform"), ("je confirme", "nlu_fallback"), ("valider", "inform"), ("oui", "affirm"),
    ("parfait, c'est correct", "greet"), ("tout est bon", "ask_dates")])
async def test_the_summary_is_confirmed_in_the_applicants_words_whatever_the_classifier_said(
        make_tracker, dispatcher, database, text, intent):
    events, slots = await answer(make_tracker, dispatcher, FULL, "summary_confirmed", text, sender="conv-ok",
                                 intent=intent)
    assert slots["summary_confirmed"] is True and slots["requested_slot"] is None
    assert changed_answers(events) == {}


@pytest.mark.parametrize("text, intent, field, value", [
    ("en fait on est à Vitry-sur-Seine", "inform", "commune", "Vitry-sur-Seine"),
    ("on est à Vitry-sur-Seine", "inform", "commune", "Vitry-sur-Seine"),
    ("le montant c'est 9000 €", "nlu_fallback", "amount", 9000.0),
    ("le titre c'est Jardin des Lilas en fait", "inform", "project_title", "Jardin des Lilas"),
    ("oui mais le téléphone c'est le 07 81 22 33 44", "affirm", "phone", "07 81 22 33 44"),
    ("finalement le nom de la structure c'est Vélo Solidaire, désolé", "inform", "org_name", "Vélo Solidaire")])
async def test_a_change_at_the_summary_is_applied_then_the_summary_is_shown_again(
        make_tracker, dispatcher, database, text, intent, field, value):
    events, slots = await answer(make_tracker, dispatcher, FULL, "summary_confirmed", text, sender="conv-fix",
                                 intent=intent)
    assert slots[field] == value and slots.get("summary_confirmed") is None
    assert slots["requested_slot"] == "summary_confirmed"
    assert changed_answers(events) == {field: value}
    _draft, sources = stored(slots["draft_reference"])
    assert sources[field] == text


@pytest.mark.parametrize("text, intent", [
    ("oui, le nom du projet c'est bon", "affirm"), ("oui le montant est bon", "affirm"),
    ("c'est bon pour le budget", "affirm"), ("parfait, le contact c'est bien moi", "inform"),
    ("oui c'est le bon mail", "affirm"), ("le public c'est bon", "inform"), ("terminer", "goodbye"),
    ("envoyer", "inform")])
async def test_a_confirmation_that_names_a_field_confirms_and_changes_nothing(
        make_tracker, dispatcher, database, text, intent):
    events, slots = await answer(make_tracker, dispatcher, FULL, "summary_confirmed", text, sender="conv-yes",
                                 intent=intent)
    assert slots["summary_confirmed"] is True and slots["requested_slot"] is None
    assert changed_answers(events) == {}


async def test_a_field_left_to_specify_is_asked_again_from_the_summary(make_tracker, dispatcher, database):
    skipped = {**FULL, "amount": None, "skipped_fields": ["amount"]}
    events, slots = await answer(make_tracker, dispatcher, skipped, "summary_confirmed", "corriger le montant",
                                 sender="conv-skip")
    assert slots["requested_slot"] == "amount" and "amount" not in slots["skipped_fields"]
    events, slots = await answer(make_tracker, dispatcher, slots, "amount", "9000", sender="conv-skip")
    assert slots["amount"] == 9000.0 and slots["requested_slot"] == "summary_confirmed"


async def test_je_ne_sais_pas_at_the_summary_gets_two_different_helps_then_the_summary(
        make_tracker, dispatcher, database):
    slots, said = FULL, []
    for _ in range(3):
        events, slots = await answer(make_tracker, dispatcher, slots, "summary_confirmed", "je ne sais pas",
                                     sender="conv-dk")
        said.append(dispatcher.messages[-1]["text"] if dispatcher.messages else "")
        dispatcher.messages.clear()
        assert slots["requested_slot"] == "summary_confirmed" and slots.get("summary_confirmed") is None
    assert said[0] != said[1] and "oui" in said[0] and "stop" in said[1]
    assert said[2] == ""  # the form shows the summary itself (not asked_to_skip: PROMPTED is not this message)
    assert slots["prompted_for"] is None


async def test_opening_the_form_again_asks_for_the_summary_again(make_tracker, dispatcher, database):
    tracker = make_tracker(slots={**FULL, "summary_confirmed": True, "requested_slot": None},
                           text="je veux modifier ma pré-candidature", intent="start_application",
                           sender_id="conv-again")  # no form active before this message: the form opens
    events = await ValidateApplicationForm().run(dispatcher, tracker, DOMAIN)
    assert slot_values(events)["summary_confirmed"] is None
    assert slot_values(events)["requested_slot"] == "summary_confirmed"


async def test_the_code_message_is_not_read_again_by_the_pre_application_after_a_resume(
        make_tracker, dispatcher, database):
    events, slots = await answer(make_tracker, dispatcher, {"resumed": True, **FULL}, None,
                                 "voici le code pour reprendre mon dossier : 123456", sender="conv-resumed",
                                 intent="resume_application")
    assert not slots.get("resume_asked") and slots["requested_slot"] == "summary_confirmed"


async def test_no_at_the_summary_asks_what_to_change_then_the_field_named_is_asked_again(
        make_tracker, dispatcher, database):
    events, slots = await answer(make_tracker, dispatcher, FULL, "summary_confirmed", "non", intent="deny")
    assert dispatcher.messages[-1]["text"] == WHAT_TO_CHANGE.text
    assert slots.get("summary_confirmed") is None and slots["requested_slot"] == "summary_confirmed"
    events, slots = await answer(make_tracker, dispatcher, slots, "summary_confirmed", "le téléphone")
    assert slots["phone"] is None and slots["requested_slot"] == "phone"


async def test_a_pre_application_opened_on_a_request_to_resume_hands_over_to_the_resume_form(
        make_tracker, dispatcher, database):
    events, slots = await answer(make_tracker, dispatcher, {}, None, "je voudrais reprendre ma pré-candidature",
                                 sender="conv-resume", intent="start_application")
    assert slots["resume_asked"] is True and slots["requested_slot"] is None and slots.get("consent") is None
    assert dispatcher.messages == []
    tracker = make_tracker(slots=slots, sender_id="conv-resume")
    events = ActionConfirmApplication().run(dispatcher, tracker, {})
    assert FollowupAction("resume_form") in events and slot_values(events)["resume_asked"] is None


async def test_resume_needs_the_email_then_the_code_sent_to_it(make_tracker, dispatcher, database, tmp_path):
    events = ActionConfirmApplication().run(dispatcher, make_tracker(slots=FULL, sender_id="conv-a"), {})
    reference = slot_values(events)["draft_reference"]
    base = {"resume_reference": reference}
    _, slots = await answer(make_tracker, dispatcher, base, "resume_email", "autre@exemple.fr", sender="conv-b",
                            form="resume_form")
    assert "org_name" not in slots and dispatcher.messages[-1]["text"] == prompts.RESUME_CODE_SENT
    _, slots = await answer(make_tracker, dispatcher, base, "resume_email", "MARIE@exemple.fr", sender="conv-b",
                            form="resume_form")
    assert "org_name" not in slots and dispatcher.messages[-1]["text"] == prompts.RESUME_CODE_SENT  # the same words
    mails = outbox_mails(tmp_path / "outbox")
    assert [mail["To"] for mail in mails] == ["marie@exemple.fr"]  # only the right e-mail gets a code
    code = code_in(mails[0])
    _, slots = await answer(make_tracker, dispatcher, slots, "resume_code", wrong(code), sender="conv-b",
                            form="resume_form")
    assert slots["resume_code"] is None and dispatcher.messages[-1]["text"] == prompts.RESUME_CODE_REJECTED
    _, slots = await answer(make_tracker, dispatcher, slots, "resume_code", f"le code est {code}", sender="conv-b",
                            form="resume_form")
    assert "org_name" not in slots  # the form only checks the code; the draft is loaded by action_resume_draft
    events = ActionResumeDraft().run(dispatcher, make_tracker(slots=slots, sender_id="conv-b"), {})
    loaded = slot_values(events)
    assert loaded["org_name"] == "Asso" and loaded["draft_reference"] == reference and loaded["consent"] is True
    assert FollowupAction("application_form") in events and reference in dispatcher.messages[-1]["text"]
    _, slots = await answer(make_tracker, dispatcher, {**CONSENTED, **loaded}, "phone", "07 98 76 54 32",
                            sender="conv-b")
    assert stored(reference)[0]["phone"] == "07 98 76 54 32"  # the resuming conversation now writes that draft


def test_resume_without_a_verified_code_loads_nothing(make_tracker, dispatcher, database):
    events = ActionConfirmApplication().run(dispatcher, make_tracker(slots=FULL, sender_id="conv-a"), {})
    reference = slot_values(events)["draft_reference"]
    forged = {"resume_reference": reference, "resume_email": "marie@exemple.fr", "resume_code": "vérifié"}
    events = ActionResumeDraft().run(dispatcher, make_tracker(slots=forged, sender_id="conv-b"), {})
    assert "org_name" not in slot_values(events) and FollowupAction("application_form") not in events


def test_delete_removes_the_conversations_own_draft_only(make_tracker, dispatcher, database):
    events = ActionConfirmApplication().run(dispatcher, make_tracker(slots=FULL, sender_id="conv-del"), {})
    reference = slot_values(events)["draft_reference"]
    events = ActionDeleteData().run(dispatcher, make_tracker(slots={"draft_reference": reference},
                                                            sender_id="conv-del"), {})
    assert SlotSet("data_deleted", True) in events
    assert "supprimées" in dispatcher.messages[-1]["text"]
    assert stored(reference) == (None, None)
    other = slot_values(ActionConfirmApplication().run(dispatcher, make_tracker(slots=FULL, sender_id="conv-keep"),
                                                       {}))["draft_reference"]
    ActionDeleteData().run(dispatcher, make_tracker(slots={"draft_reference": other}, sender_id="conv-del"), {})
    assert stored(other)[0] is not None  # the slot names a draft this conversation is not linked to


@pytest.mark.parametrize(
    "text, field",
    [("change l'e-mail", "email"), ("je veux corriger le téléphone", "phone"), ("erreur dans le siret", "siret"),
     ("le titre du projet est faux", "project_title")],
)
def test_correction_after_the_summary_asks_the_field_again(make_tracker, dispatcher, text, field):
    events = ActionCorrectAnswer().run(dispatcher, make_tracker(slots=FULL, text=text, intent="correct_answer"), {})
    assert SlotSet(field, None) in events and FollowupAction("application_form") in events


def test_correction_with_the_new_value_keeps_it(make_tracker, dispatcher):
    tracker = make_tracker(slots=FULL, text="le montant c'est 9 000 en fait", intent="correct_answer",
                           entities=[{"entity": "field", "value": "amount"}, {"entity": "amount", "value": "9 000"}])
    tracker.add_slots([SlotSet("amount", "9 000")])
    events = ActionCorrectAnswer().run(dispatcher, tracker, {})
    assert SlotSet("amount", None) not in events and FollowupAction("application_form") in events


async def test_answers_in_any_order_fill_email_and_phone(make_tracker, dispatcher, database):
    slots = {**CONSENTED, "org_name": "Asso", "structure": "association", "siret": "73282932000074",
             "commune": "Créteil"}
    _, slots = await answer(make_tracker, dispatcher, slots, "contact_name",
                            "Marie Curie, marie@exemple.fr, 06 12 34 56 78")
    assert (slots["contact_name"], slots["email"], slots["phone"]) == ("Marie Curie", "marie@exemple.fr",
                                                                      "06 12 34 56 78")
    draft, sources = stored(slots["draft_reference"])
    assert draft["phone"] == "06 12 34 56 78" and sources["phone"].startswith("Marie Curie")


@pytest.mark.parametrize(
    "text, expected",
    [("Marie Curie, marie@exemple.fr, 06 12 34 56 78", "Marie Curie"),
     ("Jardins du 94, siret 732 829 320 00074", "Jardins du 94"),
     ("Marie Curie mail: m@x.fr tél 0612345678", "Marie Curie"),
     ("Les Amis de Créteil", "Les Amis de Créteil")],
)
def test_strip_identifiers(text, expected):
    from bot.forms.parsers import strip_identifiers

    assert strip_identifiers(text) == expected


def test_correction_reads_the_new_value_in_the_text(make_tracker, dispatcher):
    tracker = make_tracker(slots=FULL, text="le montant c'est 9 000 en fait", intent="correct_answer",
                           entities=[{"entity": "field", "value": "amount"}])
    events = ActionCorrectAnswer().run(dispatcher, tracker, {})
    assert SlotSet("amount", 9000.0) in events
    assert SlotSet("amount", None) not in events


async def test_question_in_the_middle_is_answered_and_nothing_is_overwritten(make_tracker, dispatcher, database):
    """A question about the call while the commune is asked: the answer, then the question again."""
    slots = {**CONSENTED, "org_name": "Asso", "structure": "association", "siret": "73282932000074",
             "requested_slot": "commune"}
    tracker = make_tracker(slots=slots, text="c'est quoi le montant maximum ?", intent="ask_amount",
                           active_loop="application_form")
    values = slot_values(await ValidateApplicationForm().run(dispatcher, tracker, DOMAIN))
    assert "15 000 €" in dispatcher.messages[0]["text"]
    assert values["requested_slot"] == "commune" and "commune" not in values and "org_name" not in values

async def test_starting_again_after_refusing_asks_for_consent_again(make_tracker, dispatcher, database):
    tracker = make_tracker(slots={"consent": False}, text="je veux préparer ma pré-candidature",
                           intent="start_application")
    values = slot_values(await ValidateApplicationForm().run(dispatcher, tracker, DOMAIN))
    assert values["consent"] is None and values["requested_slot"] == "consent"


async def test_deletion_asked_in_the_middle_ends_the_form_then_asks_to_confirm(make_tracker, dispatcher, database):
    slots = {**CONSENTED, "org_name": "Asso", "structure": "association"}
    events, slots = await answer(make_tracker, dispatcher, slots, "siret", "en fait supprimez toutes mes données svp")
    assert slots["requested_slot"] is None and slots["delete_asked"] is True and dispatcher.messages == []
    events = ActionApplicationSummary().run(dispatcher, make_tracker(slots=slots), {})
    assert FollowupAction("action_ask_delete_confirmation") in events and dispatcher.messages == []
