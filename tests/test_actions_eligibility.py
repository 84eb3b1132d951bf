"""Eligibility actions: the slot events they return and the messages they send."""
from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.common import message_id
from actions.eligibility import (
    ActionCorrectAnswer,
    ActionGiveVerdict,
    AskAmount,
    AskStructure,
    ValidateEligibilityForm,
)
from bot.forms import prompts
from tests.domain_forms import forms_domain

DOMAIN = forms_domain("eligibility_form")  # the required slots of domain/core.yml
ALL_GOOD = {
    "structure": "association", "commune": "Créteil", "stage": "startup", "amount": 12000.0,
    "total_budget": 40000.0, "other_department_aid": False,
}


async def validate(make_tracker, dispatcher, slots, requested, text, intent="inform", active=True):
    tracker = make_tracker(slots={**slots, "requested_slot": requested}, text=text, intent=intent,
                           active_loop="eligibility_form" if active else None)
    return await ValidateEligibilityForm().run(dispatcher, tracker, DOMAIN)


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_every_slot_the_domain_requires_is_read_by_the_eligibility_validator():
    required = DOMAIN["forms"]["eligibility_form"]["required_slots"]
    assert required and set(required) <= set(ValidateEligibilityForm.keys), set(required) - set(
        ValidateEligibilityForm.keys)


def texts(dispatcher):
    return [m.get("text") or "" for m in dispatcher.messages]


@pytest.mark.parametrize(
    "slot, text, expected",
    [
        ("structure", "asso loi 1901", "association"),
        ("structure", "on est une SCOP", "cooperative"),
        ("structure", "SAS agréée ESUS", "esus_company"),
        ("commune", "st maur", "Saint-Maur-des-Fossés"),
        ("commune", "94400", "Vitry-sur-Seine"),
        ("commune", "Paris", "Paris"),
        ("commune", "champigny sur marne", "Champigny-sur-Marne"),
        ("stage", "on démarre", "startup"),
        ("amount", "12 000 €", 12000.0),
        ("amount", "douze mille euros", 12000.0),
        ("amount", "20000", 20000.0),
        ("total_budget", "40k", 40000.0),
        ("total_budget", "20000", 20000.0),
        ("other_department_aid", "non aucune", False),
        ("esus", "oui", True),
    ],
)
async def test_valid_answer_is_normalised(make_tracker, dispatcher, slot, text, expected):
    slots = {"structure": "company"} if slot == "esus" else {}
    events = await validate(make_tracker, dispatcher, slots, slot, text)
    values = slot_values(events)
    assert values[slot] == expected
    assert slot not in values["field_failures"]
    assert dispatcher.messages == []
    assert values["requested_slot"] != slot


async def test_bare_number_for_the_budget_is_never_a_postcode(make_tracker, dispatcher):
    slots = {"structure": "association", "commune": "Créteil", "stage": "startup", "amount": 10000.0}
    values = slot_values(await validate(make_tracker, dispatcher, slots, "total_budget", "20000"))
    assert values["total_budget"] == 20000.0 and "commune" not in values
    assert values["requested_slot"] == "other_department_aid"


async def test_budget_does_not_overwrite_the_amount(make_tracker, dispatcher):
    slots = {"structure": "association", "commune": "Créteil", "stage": "startup", "amount": 11000.0}
    values = slot_values(await validate(make_tracker, dispatcher, slots, "total_budget", "35 000 euros"))
    assert values["total_budget"] == 35000.0 and "amount" not in values


@pytest.mark.parametrize(
    "slot, text, says",
    [("structure", "blabla", "Je n'ai pas reconnu la forme juridique. Indiquez par exemple « association loi 1901 »"),
     ("commune", "azerty", "Je n'ai pas reconnu cette commune. Indiquez le nom de la commune ou son code postal"),
     ("stage", "n'importe quoi", "Je n'ai pas compris le stade du projet. Dites par exemple « en émergence »"),
     ("amount", "beaucoup", "Je n'ai pas compris le montant. Indiquez une somme en euros, par exemple « 12 000 € »"),
     ("total_budget", "😀", "Je n'ai pas compris le budget. Indiquez le coût total du projet en euros"),
     ("other_department_aid", "hmmm peut-être",
      "Répondez par « oui » si le projet reçoit déjà une aide du Département pour ce projet, sinon par « non »"),
     ("esus", "cacahuète", "Je n'ai pas compris. Répondez simplement par « oui » ou « non »")],
)
async def test_invalid_answer_is_explained_once_without_repeating_the_question(make_tracker, dispatcher, slot, text,
                                                                                says):
    slots = {**ALL_GOOD, slot: None}
    if slot == "esus":
        slots["structure"] = "company"
    events = await validate(make_tracker, dispatcher, slots, slot, text)
    values = slot_values(events)
    assert slot not in values or values[slot] is None
    assert values["requested_slot"] == slot
    assert values["field_failures"] == {slot: 1} and values["dont_know_count"] == {}
    [message] = dispatcher.messages
    assert message["text"] == prompts.INVALID[slot]  # the hint of this question, not another one's
    assert says in message["text"]  # in French, saying what to answer
    assert values["prompted_for"], "the question is not sent again after the explanation"


async def test_three_answers_not_understood_get_three_messages_then_the_question_is_skipped(
        make_tracker, dispatcher):
    failures = {}
    seen = []
    for _ in range(4):
        step = type(dispatcher)()
        slots = {"structure": "association", "field_failures": failures}
        values = slot_values(await validate(make_tracker, step, slots, "commune", "azerty"))
        failures = values["field_failures"]
        seen.append((texts(step), values))
    messages = [t[0] for t, _ in seen]
    assert len(set(messages)) == 4, "never the same message twice in a row"
    assert "valdemarne.fr" in messages[2] or "service" in messages[2]  # the contact, the third time
    last = seen[3][1]
    assert last["skipped_fields"] == ["commune"] and last["requested_slot"] == "stage"
    assert "à préciser" in messages[3]


async def test_third_failure_offers_the_buttons_the_contact_and_a_way_out(make_tracker, dispatcher):
    slots = {**ALL_GOOD, "amount": None, "field_failures": {"amount": 2}}
    events = await validate(make_tracker, dispatcher, slots, "amount", "beaucoup")
    buttons = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert "passer" in buttons and "stop" in buttons
    assert slot_values(events)["requested_slot"] == "amount"


async def test_dont_know_gets_help_then_skips(make_tracker, dispatcher):
    values = slot_values(await validate(make_tracker, dispatcher, {}, "structure", "je ne sais pas"))
    assert values["dont_know_count"] == {"structure": 1} and values["requested_slot"] == "structure"
    assert "passer" in [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    again = type(dispatcher)()
    values = slot_values(await validate(make_tracker, again, {"dont_know_count": {"structure": 1}}, "structure",
                                        "je sais pas"))
    assert values["skipped_fields"] == ["structure"] and values["requested_slot"] == "commune"


async def test_skip_then_verdict_is_incomplete(make_tracker, dispatcher):
    slots = {**ALL_GOOD, "stage": None}
    values = slot_values(await validate(make_tracker, dispatcher, slots, "stage", "passer"))
    assert values["requested_slot"] is None and values["skipped_fields"] == ["stage"]
    verdict = type(dispatcher)()
    ActionGiveVerdict().run(verdict, make_tracker(slots={**slots}), {})
    assert verdict.messages[0]["custom"]["verdict"] == "incomplete"


async def test_why_explains_and_asks_again(make_tracker, dispatcher):
    values = slot_values(await validate(make_tracker, dispatcher, {**ALL_GOOD, "amount": None}, "amount", "pourquoi ?"))
    assert "15 000 €" in dispatcher.messages[0]["text"]
    assert values["requested_slot"] == "amount" and values["prompted_for"] is None


async def test_question_about_the_call_is_answered_then_asked_again(make_tracker, dispatcher):
    values = slot_values(await validate(make_tracker, dispatcher, {"structure": "association"}, "commune",
                                        "c'est quoi le montant maximum ?", intent="ask_amount"))
    assert "15 000 €" in dispatcher.messages[0]["text"]
    assert values["requested_slot"] == "commune" and values["prompted_for"] is None


@pytest.mark.parametrize("intent", ["check_eligibility", "start_application"])
async def test_asking_whether_one_may_apply_in_the_middle_of_the_check_says_that_is_what_it_checks(
        make_tracker, dispatcher, intent):
    values = slot_values(await validate(make_tracker, dispatcher, {}, "structure",
                                        "est-ce que je peux déposer une candidature ?", intent=intent))
    assert dispatcher.messages[0]["text"].startswith("C'est justement ce que nous vérifions")
    assert values["requested_slot"] == "structure" and values["prompted_for"] is None  # the question follows


async def test_stop_ends_the_check_and_keeps_the_answers(make_tracker, dispatcher):
    values = slot_values(await validate(make_tracker, dispatcher, {"structure": "association"}, "commune", "stop"))
    assert values["requested_slot"] is None and values["form_stopped"] is True
    assert "structure" not in values
    said = type(dispatcher)()
    events = ActionGiveVerdict().run(said, make_tracker(slots={"form_stopped": True}), {})
    assert "arrête" in said.messages[0]["text"] and SlotSet("form_stopped", None) in events


async def test_rich_opening_fills_what_it_says(make_tracker, dispatcher):
    text = "nous sommes une association de Vitry et on voudrait demander 12 000 € sur un budget de 40 000 €"
    values = slot_values(await validate(make_tracker, dispatcher, {}, None, text, intent="check_eligibility",
                                        active=False))
    assert values["structure"] == "association"
    assert values["commune"] == "Vitry-sur-Seine"
    assert values["amount"] == 12000.0 and values["total_budget"] == 40000.0
    assert values["requested_slot"] == "stage"


async def test_company_is_asked_about_esus(make_tracker, dispatcher):
    events = await validate(make_tracker, dispatcher, {}, "structure", "SARL")
    assert slot_values(events)["requested_slot"] == "esus"


async def test_association_is_not_asked_about_esus(make_tracker, dispatcher):
    events = await validate(make_tracker, dispatcher, {}, "structure", "association")
    assert slot_values(events)["requested_slot"] == "commune"


async def test_legal_form_failure_stops_early(make_tracker, dispatcher):
    events = await validate(make_tracker, dispatcher, {}, "structure", "auto-entrepreneur")
    assert slot_values(events)["requested_slot"] is None


async def test_other_failures_do_not_stop_the_check(make_tracker, dispatcher):
    events = await validate(make_tracker, dispatcher, {"structure": "association"}, "commune", "Paris")
    assert slot_values(events)["requested_slot"] == "stage"


async def test_correction_in_the_middle_keeps_the_question(make_tracker, dispatcher):
    slots = {"structure": "association", "commune": "Vitry-sur-Seine"}
    values = slot_values(await validate(make_tracker, dispatcher, slots, "stage", "en fait on est à Créteil"))
    assert values["commune"] == "Créteil" and values["requested_slot"] == "stage"


async def test_a_message_is_read_once(make_tracker, dispatcher):
    slots = {**ALL_GOOD, "amount": None, "requested_slot": "amount"}
    tracker = make_tracker(slots=slots, text="12000", active_loop="eligibility_form")
    tracker.slots["last_read"] = message_id(tracker)  # already read by an earlier run
    values = slot_values(await ValidateEligibilityForm().run(dispatcher, tracker, DOMAIN))
    assert "amount" not in values and values["requested_slot"] == "amount" and dispatcher.messages == []


def test_verdict_eligible(make_tracker, dispatcher):
    events = ActionGiveVerdict().run(dispatcher, make_tracker(slots=ALL_GOOD), {})
    text = dispatcher.messages[0]["text"]
    assert "remplit les conditions" in text and "jury" in text
    verdict = next(e for e in events if e["name"] == "eligibility_verdict")["value"]
    assert verdict["verdict"] == "eligible"


@pytest.mark.parametrize(
    "change, outcome, words",
    [
        ({"structure": "sole_trader"}, "ineligible", "Forme juridique : ✘"),
        ({"commune": "Montreuil"}, "ineligible", "Seine-Saint-Denis"),
        ({"stage": "running_costs"}, "ineligible", "Stade du projet : ✘"),
        ({"amount": 16000.0}, "ineligible", "15 000 €"),
        ({"amount": 4999.0}, "ineligible", "5 000 €"),
        ({"total_budget": 15000.0}, "ineligible", "soit 10 500 €"),
        ({"other_department_aid": True}, "ineligible", "Autre aide du Département : ✘"),
        ({"structure": "group_in_creation"}, "eligible_with_conditions", "personne morale"),
        ({"structure": "siae"}, "eligible_with_conditions", "conventionnement"),
        ({"stage": None}, "incomplete", "Il me manque"),
    ],
)
def test_verdict_explains_each_criterion(make_tracker, dispatcher, change, outcome, words):
    events = ActionGiveVerdict().run(dispatcher, make_tracker(slots={**ALL_GOOD, **change}), {})
    assert next(e for e in events if e["name"] == "eligibility_verdict")["value"]["verdict"] == outcome
    assert words in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    "text, entities, slot",
    [
        ("je me suis trompé sur le montant", [{"entity": "field", "value": "amount"}], "amount"),
        ("en fait je veux changer la commune", [], "commune"),
        ("erreur sur la forme juridique", [], "structure"),
    ],
)
def test_correction_clears_the_named_answer(make_tracker, dispatcher, text, entities, slot):
    events = ActionCorrectAnswer().run(
        dispatcher, make_tracker(slots=ALL_GOOD, text=text, intent="correct_answer", entities=entities), {}
    )
    assert SlotSet(slot, None) in events and SlotSet("eligibility_verdict", None) in events
    assert slot in dispatcher.messages[0]["text"] or "repose la question" in dispatcher.messages[0]["text"]


def test_correction_after_the_verdict_takes_the_new_value(make_tracker, dispatcher):
    tracker = make_tracker(slots={**ALL_GOOD, "commune": "Paris"}, text="en fait on est à Créteil",
                           intent="correct_answer")
    events = ActionCorrectAnswer().run(dispatcher, tracker, {})
    assert SlotSet("commune", "Créteil") in events and SlotSet("structure", "association") not in events


def test_correction_without_a_field_asks_which(make_tracker, dispatcher):
    tracker = make_tracker(slots=ALL_GOOD, text="je veux corriger", intent="correct_answer")
    events = ActionCorrectAnswer().run(dispatcher, tracker, {})
    assert events == [FollowupAction("action_listen")]
    assert dispatcher.messages[0]["buttons"]


def test_correction_with_nothing_to_correct_is_not_understood(make_tracker, dispatcher):
    tracker = make_tracker(text="<script>alert(1)</script><b>gras</b>", intent="correct_answer")
    assert ActionCorrectAnswer().run(dispatcher, tracker, {}) == [FollowupAction("action_listen")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_fallback"]


def test_questions_have_buttons_for_closed_questions(make_tracker, dispatcher):
    AskStructure().run(dispatcher, make_tracker(), {})
    AskAmount().run(dispatcher, make_tracker(), {})
    assert len(dispatcher.messages[0]["buttons"]) >= 4
    assert dispatcher.messages[1]["buttons"] == [] and "15 000 €" in dispatcher.messages[1]["text"]


def test_ask_action_is_silent_after_an_explanation(make_tracker, dispatcher):
    tracker = make_tracker()
    tracker.slots["prompted_for"] = message_id(tracker)  # the validator already said what to answer
    assert AskAmount().run(dispatcher, tracker, {}) == [] and dispatcher.messages == []
    AskAmount().run(dispatcher, make_tracker(), {})
    assert "15 000 €" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    "slot, text, intent, expected",
    [("stage", "émergence", "ask_project_stage", "emergence"),
     ("stage", "ça fait 8 ans que ça tourne, c'est pour payer le fonctionnement", "ask_project_stage",
      "running_costs"),
     ("amount", "12k", "ask_amount", 12000.0),
     ("structure", "coopérative", "ask_eligible_structures", "cooperative")],
)
async def test_answer_taken_for_a_question_still_answers(make_tracker, dispatcher, slot, text, intent, expected):
    """A button payload or an answer classified as a FAQ question fills the slot asked."""
    values = slot_values(await validate(make_tracker, dispatcher, {**ALL_GOOD, slot: None}, slot, text,
                                        intent=intent))
    assert values[slot] == expected and dispatcher.messages == []


async def test_real_question_is_not_taken_as_an_answer(make_tracker, dispatcher):
    values = slot_values(await validate(make_tracker, dispatcher, {**ALL_GOOD, "stage": None}, "stage",
                                        "c'est quoi la phase d'émergence ?", intent="ask_project_stage"))
    assert "stage" not in values and values["requested_slot"] == "stage"


def test_a_message_not_understood_that_describes_the_project_starts_the_check(make_tracker, dispatcher):
    from actions.faq import ActionFallback

    described = make_tracker(text="bon on est un auto-entrepreneur à Champigny, 12 000 € ça passe", intent="nlu_fallback")
    assert ActionFallback().run(dispatcher, described, {}) == [FollowupAction("eligibility_form")]
    other = type(dispatcher)()
    assert ActionFallback().run(other, make_tracker(text="zorglub", intent="nlu_fallback"), {}) == []
    assert [m["response"] for m in other.messages] == ["utter_fallback"]


@pytest.mark.parametrize("text", [
    "je voudrais savoir si ma structure est éligible svp", "est ce que je peux beneficier de l'aide ? je veux verifier",
    "on voudrait tester notre projet", "peut-on profiter de cette subvention ?"])
def test_a_message_not_understood_that_asks_about_eligibility_starts_the_check(make_tracker, dispatcher, text):
    from actions.faq import ActionFallback

    tracker = make_tracker(text=text, intent="nlu_fallback")
    assert ActionFallback().run(dispatcher, tracker, {}) == [FollowupAction("eligibility_form")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_start_eligibility"]


def test_a_message_not_understood_that_does_not_ask_for_the_check_gets_the_fallback(make_tracker, dispatcher):
    from actions.faq import ActionFallback

    for text in ("je veux vérifier mes mails", "je veux vérifier si mon dossier a bien été reçu",
                 "je voudrais vérifier mon dossier ESS-2026-0042"):
        assert ActionFallback().run(dispatcher, make_tracker(text=text, intent="nlu_fallback"), {}) == []


def test_a_reading_that_names_no_field_names_none_in_the_answer(make_tracker, dispatcher):
    """A "pourquoi ?" with no question asked explains nothing; a correction that names no field is still applied
    and noted (actions/forms.py handles the reading's ``field=None`` instead of looking up the field None)."""
    from actions.turn import Turn
    from bot.call.facts import get_call
    from bot.forms.reading import CORRECTION, WHY, Reading

    validator, tracker, call = ValidateEligibilityForm(), make_tracker(slots={"commune": "Vitry-sur-Seine"}), get_call()
    turn = Turn(tracker, validator.keys)
    validator.apply(Reading(WHY), turn, dispatcher, tracker, call)
    assert dispatcher.messages == [] and turn.dont_know == {} and not turn.prompted
    validator.apply(Reading(CORRECTION, {"commune": "Créteil"}), turn, dispatcher, tracker, call)
    assert turn.changed == {"commune": "Créteil", "eligibility_verdict": None}
    assert [m["text"] for m in dispatcher.messages] == ["C'est noté (commune : Créteil)."]
