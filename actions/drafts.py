"""The pre-application in conversation: consent, progressive saving, summary, resume, deletion."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import AnswerFromTextMixin, latest_text, previous_value, record_sources
from actions.faq import load_call_or_apologise
from bot import application_prompts as text
from bot.answers import contact
from bot.applications import (
    APPLICATION_FIELDS,
    CONTACT_PARSERS,
    SaveFailed,
    delete_drafts,
    load_for_resume,
    parse_eligibility_field,
    parse_reference,
    save_draft,
    strip_identifiers,
    summary_text,
)
from bot.normalize_contact import parse_email
from bot.prompts import INVALID

logger = logging.getLogger(__name__)

MAX_RESUME_FAILURES = 3
IDENTIFIER_FIELDS = ("email", "phone", "siret")


def answers_of(tracker: Tracker) -> Dict[str, Any]:
    return {field: tracker.get_slot(field) for field in APPLICATION_FIELDS + ("esus",)}


def save_progress(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Write every answer known so far when the applicant consented. A failure keeps the
    answers in the slots; the next successful turn writes them."""
    if tracker.get_slot("consent") is not True:
        return []
    call = load_call_or_apologise(dispatcher)
    if call is None:
        return []
    try:
        reference = save_draft(tracker.sender_id, tracker.get_slot("draft_reference"), answers_of(tracker),
                               tracker.get_slot("field_sources") or {}, tracker.get_slot("consent_at"), call)
    except SaveFailed as exc:
        logger.error("Enregistrement du dossier impossible : %s", exc)
        dispatcher.utter_message(text=text.SAVE_FAILED)
        return []
    return [SlotSet("draft_reference", reference)]


class ValidateApplicationForm(AnswerFromTextMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_application_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        if tracker.get_slot("consent") is False:
            return []
        if tracker.get_slot("structure") == "group_in_creation":
            return [slot for slot in domain_slots if slot != "siret"]
        return list(domain_slots)

    async def get_extraction_events(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Besides the question asked, an e-mail, a phone number or a SIRET typed anywhere is taken
        (answers in any order: "Marie Curie, marie@exemple.fr, 06 12 34 56 78")."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        if tracker.get_slot("consent") is not True:
            return events
        taken = {e["name"] for e in events} | {tracker.get_slot("requested_slot")}
        message = latest_text(tracker)
        for slot in IDENTIFIER_FIELDS:
            if slot not in taken and tracker.get_slot(slot) is None and CONTACT_PARSERS[slot](message).value:
                events.append(SlotSet(slot, message))
        return events

    def parse_answer(self, slot: str, text_: str, dispatcher: CollectingDispatcher) -> Any:
        if slot in CONTACT_PARSERS:
            return CONTACT_PARSERS[slot](text_).value
        call = load_call_or_apologise(dispatcher)
        return parse_eligibility_field(slot, text_, call) if call is not None else None

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        answered = any(e.get("event") == "slot" and e["name"] != "requested_slot" for e in events)
        if not answered:
            # Nothing answered (a question about the call, a deletion request…): no event other
            # than the next question, so that Rasa hands over to the rules.
            return events
        events += record_sources(tracker, events, APPLICATION_FIELDS)
        tracker.slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        return events + save_progress(dispatcher, tracker)

    def _checked(self, slot: str, value: Any, error: Optional[str], dispatcher, tracker: Tracker) -> Dict[str, Any]:
        if value is not None:
            return {slot: value}
        if tracker.get_slot("requested_slot") == slot:
            dispatcher.utter_message(text=error or INVALID.get(slot, "Je n'ai pas compris votre réponse."))
            return {slot: None}
        return {slot: previous_value(tracker, slot)}

    def validate_consent(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        call = load_call_or_apologise(dispatcher)
        if isinstance(value, bool):  # restored from a resumed draft
            answer = value
        else:
            answer = parse_eligibility_field("consent", str(value), call) if call is not None else None
        if answer is None:
            return self._checked("consent", None, text.CONSENT_NOT_UNDERSTOOD, dispatcher, tracker)
        if answer is False:
            return {"consent": False, "consent_at": None}
        return {"consent": True, "consent_at": datetime.now(timezone.utc).isoformat()}

    def _contact_field(self, slot: str, value: Any, dispatcher, tracker: Tracker) -> Dict[str, Any]:
        if slot in ("contact_name", "org_name"):
            value = strip_identifiers(str(value))
        parsed = CONTACT_PARSERS[slot](str(value))
        result = parsed.value.isoformat() if hasattr(parsed.value, "isoformat") else parsed.value
        return self._checked(slot, result, parsed.error, dispatcher, tracker)

    def _shared_field(self, slot: str, value: Any, dispatcher, tracker: Tracker) -> Dict[str, Any]:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and slot in ("amount", "total_budget"):
            return {slot: float(value)}
        if isinstance(value, bool) and slot == "other_department_aid":
            return {slot: value}
        call = load_call_or_apologise(dispatcher)
        parsed = parse_eligibility_field(slot, str(value), call) if call is not None else None
        return self._checked(slot, parsed, None, dispatcher, tracker)


def _make_validator(slot: str, shared: bool):
    def validate(self, value, dispatcher, tracker, domain):
        method = self._shared_field if shared else self._contact_field
        return method(slot, value, dispatcher, tracker)

    validate.__name__ = f"validate_{slot}"
    return validate


for _slot in APPLICATION_FIELDS:
    setattr(ValidateApplicationForm, f"validate_{_slot}", _make_validator(_slot, _slot not in CONTACT_PARSERS))


class AskApplicationQuestion(Action):
    """Asks one question of a form (text and buttons from bot.application_prompts)."""

    form = "application_form"
    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.form}_{self.slot}"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        call = load_call_or_apologise(dispatcher)
        if call is not None:
            dispatcher.utter_message(**text.question(self.slot, call).as_message())
        return []


for _slot in ("consent",) + APPLICATION_FIELDS:
    _name = "Ask" + "".join(part.title() for part in _slot.split("_")) + "ForApplication"
    globals()[_name] = type(_name, (AskApplicationQuestion,), {"slot": _slot})
for _slot in ("resume_reference", "resume_email"):
    _name = "Ask" + "".join(part.title() for part in _slot.split("_"))
    globals()[_name] = type(_name, (AskApplicationQuestion,), {"slot": _slot, "form": "resume_form"})


class ActionApplicationSummary(Action):
    def name(self) -> Text:
        return "action_application_summary"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        if tracker.get_slot("consent") is not True:
            dispatcher.utter_message(text=text.NO_CONSENT)
            return []
        events = save_progress(dispatcher, tracker)
        dispatcher.utter_message(text=summary_text(answers_of(tracker)), buttons=[
            {"title": "Oui, c'est correct", "payload": "oui"}, {"title": "Modifier", "payload": "non"}])
        return events


class ActionConfirmApplication(Action):
    def name(self) -> Text:
        return "action_confirm_application"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        if tracker.get_slot("consent") is not True:
            dispatcher.utter_message(text=text.NO_CONSENT)
            return []
        events = save_progress(dispatcher, tracker)
        reference = next((e["value"] for e in events if e["name"] == "draft_reference"), None)
        if reference:
            dispatcher.utter_message(text=text.confirmed(reference))
        return events


class ValidateResumeForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_resume_form"

    async def extract_resume_reference(self, dispatcher, tracker: Tracker, domain) -> Dict[str, Any]:
        if tracker.get_slot("resume_reference") is None and parse_reference(latest_text(tracker)):
            return {"resume_reference": latest_text(tracker)}
        return {}

    def validate_resume_reference(self, value: Any, dispatcher, tracker: Tracker, domain) -> Dict[str, Any]:
        reference = parse_reference(str(value))
        if reference is None:
            dispatcher.utter_message(text=text.REFERENCE_NOT_UNDERSTOOD)
        return {"resume_reference": reference}

    def validate_resume_email(self, value: Any, dispatcher, tracker: Tracker, domain) -> Dict[str, Any]:
        parsed = parse_email(str(value))
        if parsed.value is None:
            dispatcher.utter_message(text=parsed.error)
            return {"resume_email": None}
        try:
            slots = load_for_resume(tracker.get_slot("resume_reference"), parsed.value)
        except SaveFailed as exc:
            logger.error("Reprise impossible : %s", exc)
            dispatcher.utter_message(text=text.SAVE_FAILED)
            return {"resume_email": None, "resume_reference": None, "requested_slot": None}
        if slots is None:
            failures = int(tracker.get_slot("resume_failures") or 0) + 1
            dispatcher.utter_message(text=text.RESUME_NOT_FOUND)
            if failures >= MAX_RESUME_FAILURES:
                call = load_call_or_apologise(dispatcher)
                if call is not None:
                    dispatcher.utter_message(text=contact(call))
                return {"resume_email": "", "resume_reference": "", "resume_failures": 0}
            return {"resume_email": None, "resume_reference": None, "resume_failures": failures}
        return {**slots, "resume_email": parsed.value, "resume_failures": 0, "resumed": True}


class ActionResumeDraft(Action):
    def name(self) -> Text:
        return "action_resume_draft"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        reference = tracker.get_slot("draft_reference")
        done = [SlotSet("resume_reference", None), SlotSet("resume_email", None)]
        if not reference or tracker.get_slot("resume_reference") != reference:
            return done
        dispatcher.utter_message(text=text.resumed(reference))
        return done + [FollowupAction("application_form")]


class ActionAskDeleteConfirmation(Action):
    def name(self) -> Text:
        return "action_ask_delete_confirmation"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        dispatcher.utter_message(**text.DELETE_CONFIRMATION.as_message())
        return []


class ActionDeleteData(Action):
    def name(self) -> Text:
        return "action_delete_data"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        try:
            count = delete_drafts(tracker.sender_id, tracker.get_slot("draft_reference"))
        except SaveFailed as exc:
            logger.error("Suppression impossible : %s", exc)
            dispatcher.utter_message(text="Je n'arrive pas à supprimer vos données pour le moment (problème "
                                     "technique). Réessayez dans quelques instants ou contactez le service.")
            return []
        dispatcher.utter_message(text=text.deleted(count))
        # data_deleted tells the tracker store to drop this conversation instead of saving it.
        return [AllSlotsReset(), SlotSet("data_deleted", True)]
