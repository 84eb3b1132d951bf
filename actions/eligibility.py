"""The eligibility check in conversation: form validation, verdict, explanations."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import AnswerFromTextMixin, previous_value, record_sources
from actions.faq import load_call_or_apologise
from bot import normalize
from bot.answers import contact
from bot.eligibility import evaluate
from bot.eligibility_messages import ANSWER_KEYS, field_from_text, render_verdict
from bot.application_prompts import WHAT_TO_CHANGE
from bot.application_prompts import explanation as application_explanation
from bot.applications import APPLICATION_FIELDS, application_field_from_text, parse_eligibility_field, value_in_text
from bot.prompts import INVALID, WHICH_FIELD, question

logger = logging.getLogger(__name__)

MAX_FAILURES = 3
FAILURES_SLOT = "eligibility_failures"
VERDICT_SLOT = "eligibility_verdict"
GIVE_UP = ("Je n'arrive pas à comprendre votre réponse, désolé. Plutôt que de vous reposer la même question, "
           "je vous propose de contacter le service.")
RESUME_HINT = "Vous pourrez reprendre la vérification quand vous voulez en écrivant « vérifier mon éligibilité »."


def answers_from(tracker: Tracker) -> Dict[str, Any]:
    return {key: tracker.get_slot(key) for key in ANSWER_KEYS}


def _failures(tracker: Tracker) -> int:
    return int(tracker.get_slot(FAILURES_SLOT) or 0)


class ValidateEligibilityForm(AnswerFromTextMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_eligibility_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        slots = [slot for slot in domain_slots if slot != "esus"]
        if tracker.get_slot("structure") == "company":
            slots.insert(slots.index("structure") + 1, "esus")
        return slots

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        """The next question, or none (the check ends) after three answers not understood
        or as soon as a criterion fails for certain. Runs after extraction and validation."""
        if _failures(tracker) >= MAX_FAILURES:
            return SlotSet("requested_slot", None)
        call = load_call_or_apologise(dispatcher)
        correcting = (tracker.latest_message.get("intent") or {}).get("name") == "correct_answer"
        if not correcting and call is not None and evaluate(answers_from(tracker), call).has_certain_failure:
            return SlotSet("requested_slot", None)
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet("requested_slot", next((s for s in required if tracker.slots.get(s) is None), None))

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        return events + record_sources(tracker, events, ANSWER_KEYS)

    def parse_answer(self, slot: str, text: str, dispatcher: CollectingDispatcher) -> Any:
        call = load_call_or_apologise(dispatcher)
        return parse_eligibility_field(slot, text, call) if call is not None else None

    async def extract_amount(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """A message giving both the request and the budget ("12 000 € sur un budget de 40 000 €")
        sets both, whatever the entity extractor made of them."""
        text = tracker.latest_message.get("text") or ""
        if len(normalize.parse_amounts(text)) < 2:
            return {}
        amount, budget = normalize.parse_request_and_budget(text)
        return {key: value for key, value in (("amount", amount), ("total_budget", budget)) if value is not None}

    def _checked(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """Keep a normalised value, or explain what is expected and ask again."""
        if value is not None:
            return {slot: value, FAILURES_SLOT: 0}
        if tracker.get_slot("requested_slot") != slot:
            # An entity we cannot read, in a message that answered something else: keep the earlier answer.
            return {slot: previous_value(tracker, slot)}
        failures = _failures(tracker) + 1
        if failures < MAX_FAILURES:
            dispatcher.utter_message(text=INVALID[slot])
        return {slot: None, FAILURES_SLOT: failures}

    def validate_structure(self, slot_value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        form = normalize.parse_legal_form(str(slot_value))
        result = self._checked("structure", form, dispatcher, tracker)
        if form in ("esus_company", "company_no_esus"):
            result["esus"] = form == "esus_company"
        elif form is not None and form != "company":
            result["esus"] = None
        return result

    def validate_esus(self, slot_value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._checked("esus", normalize.parse_yes_no(slot_value), dispatcher, tracker)

    def validate_commune(self, slot_value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        call = load_call_or_apologise(dispatcher)
        value = parse_eligibility_field("commune", str(slot_value), call) if call is not None else None
        return self._checked("commune", value, dispatcher, tracker)

    def validate_stage(self, slot_value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._checked("stage", normalize.parse_stage(str(slot_value)), dispatcher, tracker)

    def validate_amount(self, slot_value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._checked("amount", _amount(slot_value), dispatcher, tracker)

    def validate_total_budget(self, slot_value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._checked("total_budget", _amount(slot_value), dispatcher, tracker)

    def validate_other_department_aid(
        self, slot_value: Any, dispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._checked("other_department_aid", normalize.parse_yes_no(slot_value), dispatcher, tracker)


def _amount(value: Any) -> Optional[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value > 0 else None
    return normalize.parse_amount(str(value))


class ActionGiveVerdict(Action):
    def name(self) -> Text:
        return "action_give_verdict"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        call = load_call_or_apologise(dispatcher)
        if call is None:
            return []
        if _failures(tracker) >= MAX_FAILURES:
            # Three answers not understood: the contact rather than the same question again.
            dispatcher.utter_message(text=f"{GIVE_UP}\n{contact(call)}\n{RESUME_HINT}")
            return [SlotSet(FAILURES_SLOT, 0)]
        verdict = evaluate(answers_from(tracker), call)
        buttons = []
        if verdict.verdict in ("eligible", "eligible_with_conditions"):
            buttons = [{"title": "Oui, préparer ma pré-candidature", "payload": "oui"},
                       {"title": "Non merci", "payload": "non merci"}]
        dispatcher.utter_message(text=render_verdict(verdict, call), buttons=buttons)
        return [SlotSet(VERDICT_SLOT, verdict.to_dict()), SlotSet(FAILURES_SLOT, 0)]


class ActionExplainQuestion(Action):
    def name(self) -> Text:
        return "action_explain_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        call = load_call_or_apologise(dispatcher)
        if call is not None:
            slot = tracker.get_slot("requested_slot") or ""
            dispatcher.utter_message(text=application_explanation(slot, call))
        return []


class ActionCorrectAnswer(Action):
    """Clears the answer the applicant wants to correct; the form then asks it again.
    A new value given in the same message ("le montant c'est 9 000 en fait") is kept instead."""

    def name(self) -> Text:
        return "action_correct_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        in_application = (tracker.active_loop or {}).get("name") == "application_form" or (
            tracker.get_slot("consent") is True
        )
        allowed = set(APPLICATION_FIELDS) | set(ANSWER_KEYS) if in_application else set(ANSWER_KEYS)
        field = next(tracker.get_latest_entity_values("field"), None)
        text = tracker.latest_message.get("text") or ""
        if field not in allowed:
            field = (application_field_from_text(text) if in_application else None) or field_from_text(text)
        requested = tracker.get_slot("requested_slot")
        if field is None and (tracker.active_loop or {}).get("name") == "eligibility_form" and requested:
            # Not a correction after all ("je sais pas trop"): an answer we did not understand.
            failures = _failures(tracker) + 1
            if failures < MAX_FAILURES:
                dispatcher.utter_message(text=INVALID.get(requested, INVALID["structure"]))
            return [SlotSet(FAILURES_SLOT, failures)]
        if field is None:
            prompt = WHAT_TO_CHANGE if in_application else WHICH_FIELD
            dispatcher.utter_message(**prompt.as_message())
            return [FollowupAction("action_listen")]
        events: List[EventType] = [SlotSet(VERDICT_SLOT, None), SlotSet(FAILURES_SLOT, 0)]
        if tracker.slots_to_validate().get(field) is None and value_in_text(field, text):
            # "le montant c'est 9 000 en fait": the form validates this text as the new answer.
            events.append(SlotSet(field, text))
        elif tracker.slots_to_validate().get(field) is None:
            events.append(SlotSet(field, None))
            dispatcher.utter_message(text="D'accord, je vous repose la question pour corriger votre réponse.")
        if field == "structure":
            events.append(SlotSet("esus", None))
        if in_application and not (tracker.active_loop or {}).get("name"):
            events.append(FollowupAction("application_form"))
        return events


class AskEligibilityQuestion(Action):
    """Asks one question of the eligibility form (text and buttons from bot.prompts)."""

    slot: Text = ""

    def name(self) -> Text:
        return f"action_ask_eligibility_form_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        call = load_call_or_apologise(dispatcher)
        if call is not None:
            dispatcher.utter_message(**question(self.slot, call).as_message())
        return []


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
