"""The eligibility check in conversation: form validation, verdict, corrections."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_text, load_call_or_apologise, message_id, record_sources
from actions.forms import AskField, FieldFormValidator, ended_early
from actions.turn import LAST_READ, SKIPPED, Turn
from bot.call.facts import CallFacts
from bot.eligibility.card import verdict_card
from bot.eligibility.messages import render_verdict, verdict_unchanged
from bot.eligibility.rules import evaluate
from bot.forms import messages as say
from bot.forms.correction import SLOTS, route_correction
from bot.forms.fields import ELIGIBILITY_FIELDS
from bot.forms.prompts import explanation

VERDICT_SLOT = "eligibility_verdict"


def answers_from(tracker: Tracker) -> dict[str, Any]:
    return {key: tracker.get_slot(key) for key in ELIGIBILITY_FIELDS}


class ValidateEligibilityForm(FieldFormValidator):
    """The eligibility check: each answer read for the question asked (see actions/forms.py)."""

    form = "eligibility_form"
    keys = ELIGIBILITY_FIELDS

    def required(self, turn: Turn) -> list[str]:
        keys = [key for key in super().required(turn) if key != "esus"]
        if turn.values.get("structure") == "company" and "esus" not in turn.skipped:
            keys.insert(keys.index("structure") + 1 if "structure" in keys else 0, "esus")
        return keys

    def ends_early(self, turn: Turn, call: CallFacts) -> bool:
        """A legal form that fails for certain: no other answer can make the structure eligible."""
        reason = evaluate(turn.values, call).reason("legal_form")
        return reason is not None and reason.status == "fail"


class ActionGiveVerdict(Action):
    def name(self) -> str:
        return "action_give_verdict"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ended = ended_early(dispatcher, tracker, say.CHECK_STOPPED)
        if ended is not None:
            return ended
        call = load_call_or_apologise(dispatcher)
        if call is None:
            return []
        verdict = evaluate(answers_from(tracker), call)
        card = verdict_card(verdict, call)
        if tracker.get_slot(VERDICT_SLOT) == verdict.to_dict():  # the same card again, word for word: say so
            dispatcher.utter_message(text=verdict_unchanged(verdict), buttons=card["buttons"])
            return []
        dispatcher.utter_message(text=render_verdict(verdict, call), buttons=card["buttons"], json_message=card)
        return [SlotSet(VERDICT_SLOT, verdict.to_dict())]


class ActionExplainQuestion(Action):
    def name(self) -> str:
        return "action_explain_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        call = load_call_or_apologise(dispatcher)
        if call is not None:
            slot = tracker.get_slot("requested_slot") or ""
            dispatcher.utter_message(text=explanation(slot, call))
        return []


class ActionCorrectAnswer(Action):
    """A correction outside a form ("en fait on est à Créteil" after the verdict, a change at the
    summary): the new value is kept, or the field is asked again; the form then resumes.
    """

    def name(self) -> str:
        return "action_correct_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        call = load_call_or_apologise(dispatcher)
        if call is None:
            return []
        slots = {key: tracker.get_slot(key) for key in SLOTS}
        route = route_correction(latest_text(tracker), slots, call)
        dispatcher.utter_message(**route.message)
        events: list[EventType] = [SlotSet(key, value) for key, value in route.values.items()]
        if route.corrected:
            events += [SlotSet(VERDICT_SLOT, None), SlotSet(SKIPPED, []), SlotSet(LAST_READ, message_id(tracker))]
            events += record_sources(tracker, events, route.fields)
        if route.follow_up:
            events.append(FollowupAction(route.follow_up))
        return events


class AskEligibilityQuestion(AskField):
    form = "eligibility_form"


class AskStructure(AskEligibilityQuestion):
    slot = "structure"


class AskEsus(AskEligibilityQuestion):
    slot = "esus"


class AskCommune(AskEligibilityQuestion):
    slot = "commune"


class AskStage(AskEligibilityQuestion):
    slot = "stage"


class AskAmount(AskEligibilityQuestion):
    slot = "amount"


class AskTotalBudget(AskEligibilityQuestion):
    slot = "total_budget"


class AskOtherDepartmentAid(AskEligibilityQuestion):
    slot = "other_department_aid"
