"""Eligibility actions: the slot events they return and the messages they send."""
from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.eligibility import (
    ActionCorrectAnswer,
    ActionExplainQuestion,
    ActionGiveVerdict,
    AskAmount,
    AskStructure,
    ValidateEligibilityForm,
)

DOMAIN = {
    "forms": {"eligibility_form": {"required_slots": [
        "structure", "commune", "stage", "amount", "total_budget", "other_department_aid", "esus"]}},
    "slots": {},
}
ALL_GOOD = {
    "structure": "association", "commune": "Créteil", "stage": "startup", "amount": 12000.0,
    "total_budget": 40000.0, "other_department_aid": False,
}


async def validate(make_tracker, dispatcher, slots, requested, text, entities=None, intent="inform"):
    tracker = make_tracker(
        slots={**slots, "requested_slot": requested}, text=text, intent=intent, entities=entities,
        active_loop="eligibility_form",
    )
    # What Rasa's slot mappings would have set from this message.
    if requested:
        tracker.add_slots([SlotSet(requested, text)])
    for entity in entities or []:
        slot = {"legal_form": "structure"}.get(entity["entity"], entity["entity"])
        tracker.add_slots([SlotSet(slot, entity["value"])])
    return await ValidateEligibilityForm().run(dispatcher, tracker, DOMAIN)


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.mark.parametrize(
    "slot, text, expected",
    [
        ("structure", "asso loi 1901", "association"),
        ("structure", "on est une SCOP", "cooperative"),
        ("structure", "SAS agréée ESUS", "esus_company"),
        ("commune", "st maur", "Saint-Maur-des-Fossés"),
        ("commune", "94400", "Vitry-sur-Seine"),
        ("commune", "Paris", "Paris"),
        ("stage", "on démarre", "startup"),
        ("amount", "12 000 €", 12000.0),
        ("amount", "douze mille euros", 12000.0),
        ("total_budget", "40k", 40000.0),
        ("other_department_aid", "non aucune", False),
        ("esus", "oui", True),
    ],
)
async def test_valid_answer_is_normalised(make_tracker, dispatcher, slot, text, expected):
    slots = {"structure": "company"} if slot == "esus" else {}
    events = await validate(make_tracker, dispatcher, slots, slot, text)
    values = slot_values(events)
    assert values[slot] == expected
    assert values["eligibility_failures"] == 0
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    "slot, text",
    [("structure", "blabla"), ("commune", "azerty"), ("stage", "je sais pas"), ("amount", "beaucoup"),
     ("total_budget", "😀"), ("other_department_aid", "peut-être"), ("esus", "bof")],
)
async def test_invalid_answer_is_explained_and_asked_again(make_tracker, dispatcher, slot, text):
    slots = {**ALL_GOOD, slot: None}
    if slot == "esus":
        slots["structure"] = "company"
    events = await validate(make_tracker, dispatcher, slots, slot, text)
    values = slot_values(events)
    assert values[slot] is None
    assert values["eligibility_failures"] == 1
    assert values["requested_slot"] == slot
    assert "par exemple" in dispatcher.messages[0]["text"] or "oui" in dispatcher.messages[0]["text"]


async def test_third_failure_offers_the_contact_and_ends_the_check(make_tracker, dispatcher):
    events = await validate(make_tracker, dispatcher, {"eligibility_failures": 2}, "amount", "bof")
    values = slot_values(events)
    assert values["eligibility_failures"] == 3
    assert values["requested_slot"] is None  # the check ends; the verdict action offers the contact
    assert dispatcher.messages == []


async def test_answers_already_given_are_kept_after_an_invalid_answer(make_tracker, dispatcher):
    slots = {"structure": "association", "commune": "Créteil"}
    events = await validate(make_tracker, dispatcher, slots, "stage", "n'importe quoi")
    values = slot_values(events)
    assert "structure" not in values and "commune" not in values  # untouched
    assert values["requested_slot"] == "stage"


async def test_rich_opening_fills_request_and_budget(make_tracker, dispatcher):
    text = "nous sommes une association de Vitry et on voudrait demander 12 000 € sur un budget de 40 000 €"
    entities = [{"entity": "legal_form", "value": "association"}, {"entity": "commune", "value": "Vitry"},
                {"entity": "amount", "value": "40 000 €"}]
    events = await validate(make_tracker, dispatcher, {}, None, text, entities=entities, intent="check_eligibility")
    values = slot_values(events)
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


async def test_certain_failure_stops_early(make_tracker, dispatcher):
    events = await validate(make_tracker, dispatcher, {"structure": "association"}, "commune", "Paris")
    assert slot_values(events)["requested_slot"] is None


async def test_unreadable_entity_keeps_the_earlier_answer(make_tracker, dispatcher):
    tracker = make_tracker(slots={**ALL_GOOD, "requested_slot": None}, text="9000", intent="inform",
                           active_loop="eligibility_form")
    tracker.events.insert(0, {"event": "slot", "name": "commune", "value": "Créteil"})
    tracker.add_slots([SlotSet("commune", "9000")])
    events = await ValidateEligibilityForm().run(dispatcher, tracker, DOMAIN)
    assert slot_values(events)["commune"] == "Créteil"
    assert dispatcher.messages == []


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


def test_verdict_after_three_failures_only_invites_to_resume(make_tracker, dispatcher):
    events = ActionGiveVerdict().run(dispatcher, make_tracker(slots={"eligibility_failures": 3}), {})
    assert events == [SlotSet("eligibility_failures", 0)]
    text = dispatcher.messages[0]["text"]
    assert "contacter le service" in text and "reprendre" in text and "valdemarne.fr" in text


def test_unclear_message_taken_for_a_correction_counts_as_not_understood(make_tracker, dispatcher):
    tracker = make_tracker(slots={"requested_slot": "structure", "eligibility_failures": 1},
                           text="je sais pas trop", intent="correct_answer", active_loop="eligibility_form")
    events = ActionCorrectAnswer().run(dispatcher, tracker, {})
    assert events == [SlotSet("eligibility_failures", 2)]
    assert "par exemple" in dispatcher.messages[0]["text"]


def test_explain_the_current_question(make_tracker, dispatcher):
    ActionExplainQuestion().run(dispatcher, make_tracker(slots={"requested_slot": "amount"}), {})
    assert "5 000 €" in dispatcher.messages[0]["text"] and "15 000 €" in dispatcher.messages[0]["text"]


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


def test_correction_without_a_field_asks_which(make_tracker, dispatcher):
    events = ActionCorrectAnswer().run(dispatcher, make_tracker(text="je veux corriger", intent="correct_answer"), {})
    assert events == [FollowupAction("action_listen")]
    assert dispatcher.messages[0]["buttons"]


def test_questions_have_buttons_for_closed_questions(make_tracker, dispatcher):
    AskStructure().run(dispatcher, make_tracker(), {})
    AskAmount().run(dispatcher, make_tracker(), {})
    assert len(dispatcher.messages[0]["buttons"]) >= 4
    assert dispatcher.messages[1]["buttons"] == [] and "15 000 €" in dispatcher.messages[1]["text"]


@pytest.mark.parametrize(
    "slot, text, intent, expected",
    [("stage", "émergence", "ask_project_stage", "emergence"),
     ("amount", "12k", "ask_amount", 12000.0),
     ("structure", "coopérative", "ask_eligible_structures", "cooperative")],
)
async def test_answer_taken_for_a_question_still_answers(make_tracker, dispatcher, slot, text, intent, expected):
    """A button payload or a one-word answer classified as a FAQ question fills the slot asked."""
    slots = {**ALL_GOOD, slot: None, "requested_slot": slot}
    tracker = make_tracker(slots=slots, text=text, intent=intent, active_loop="eligibility_form")
    events = await ValidateEligibilityForm().run(dispatcher, tracker, DOMAIN)
    assert slot_values(events)[slot] == expected


async def test_real_question_is_not_taken_as_an_answer(make_tracker, dispatcher):
    slots = {**ALL_GOOD, "stage": None, "requested_slot": "stage"}
    tracker = make_tracker(slots=slots, text="c'est quoi la phase d'émergence ?", intent="ask_project_stage",
                           active_loop="eligibility_form")
    events = await ValidateEligibilityForm().run(dispatcher, tracker, DOMAIN)
    assert "stage" not in slot_values(events)
