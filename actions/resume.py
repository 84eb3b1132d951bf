"""Resuming a draft: reference, e-mail, then a one-time code sent to the draft's e-mail (``resume_form``).

The code is checked in the database (:mod:`bot.application.resume`); a right code links this conversation
(``tracker.sender_id``) to the draft, and ``action_resume_draft`` then loads the draft this conversation is
linked to. Nothing here trusts the ``draft_reference`` or ``email`` slots. Whatever was wrong (unknown
reference, wrong e-mail, wrong or expired code, locked reference or address), the applicant reads the same
words. The client address comes from the message's metadata (``{"client": address}``, set by the website).

When staff asked for corrections (docs/conversation.md, "Corrections asked by staff"), the resumed draft's
requested fields are emptied so that the pre-application asks only them, then its summary; the confirmed save
(:func:`confirm_and_save`, called by ``action_confirm_application``) records the changes and puts the draft back
in review, in :func:`bot.application.service.confirm_draft`.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_intent, latest_text, load_call_or_apologise, message_id
from actions.forms import AskField
from actions.turn import DELETE_ASKED, DONT_KNOW, FAILURES, LAST_READ, RESUME_ASKED, SKIPPED, STOPPED
from bot.application import prompts as text
from bot.application.resume import check_code, parse_code, request_code
from bot.application.service import SaveFailed, confirm_draft, correction_slots, load_resumed, parse_reference
from bot.faq.answers import contact
from bot.forms import reading
from bot.forms.fields import APPLICATION_FIELDS
from bot.nlp.contact import parse_email

logger = logging.getLogger(__name__)

MAX_CODE_TRIES = 5  # in this conversation; the real limits are in the database (bot.db.resume)
RESUME_SLOTS = ("resume_reference", "resume_email", "resume_code")
VERIFIED = "vérifié"  # what resume_code holds once the code was right (never the code itself)
CORRECTION = "correction_request"  # {"id": …, "fields": […]}: the staff request this conversation was shown


def client_address(tracker: Tracker) -> str | None:
    """The client's address that the website put in the message's metadata, if any."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    client = metadata.get("client") if isinstance(metadata, dict) else None
    return str(client) if client else None


class AskResumeReference(AskField):
    form = "resume_form"
    slot = "resume_reference"


class AskResumeEmail(AskField):
    form = "resume_form"
    slot = "resume_email"


class AskResumeCode(AskField):
    form = "resume_form"
    slot = "resume_code"


ENDED = {"resume_reference": "", "resume_email": "", "resume_code": "", "resume_failures": 0}  # form done, no resume


def _wants_to_stop(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """"stop", "annuler", "laisse tomber"… read as in the other forms (bot.forms.reading)."""
    call = load_call_or_apologise(dispatcher)
    return call is not None and reading.read_message(
        latest_text(tracker), asked=None, fields=(), known={}, intent=latest_intent(tracker), call=call,
    ).kind == reading.STOP


def _stopped(dispatcher: CollectingDispatcher) -> dict[str, Any]:
    dispatcher.utter_message(text=text.RESUME_STOPPED)
    return dict(ENDED)


def _give_up(dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """End the form without resuming (action_resume_draft then finds no linked draft)."""
    dispatcher.utter_message(text=text.RESUME_GIVE_UP)
    call = load_call_or_apologise(dispatcher)
    if call is not None:
        dispatcher.utter_message(text=contact(call))
    return dict(ENDED)


def _technical_problem(dispatcher: CollectingDispatcher, exc: Exception) -> dict[str, Any]:
    logger.error("Reprise de dossier impossible (%s).", exc)
    dispatcher.utter_message(text=text.RESUME_FAILED)
    return {**ENDED, "requested_slot": None}


class ValidateResumeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_resume_form"

    async def extract_resume_reference(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if tracker.get_slot("resume_reference") is None and parse_reference(latest_text(tracker)):
            return {"resume_reference": latest_text(tracker)}
        return {}

    def validate_resume_reference(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        if _wants_to_stop(dispatcher, tracker):
            return _stopped(dispatcher)
        reference = parse_reference(str(value))
        if reference is None:
            dispatcher.utter_message(text=text.REFERENCE_NOT_UNDERSTOOD)
        return {"resume_reference": reference}

    def validate_resume_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        """Ask for a code; the answer is the same whether or not the reference and the e-mail match."""
        if _wants_to_stop(dispatcher, tracker):
            return _stopped(dispatcher)
        parsed = parse_email(str(value))
        if parsed.value is None:
            dispatcher.utter_message(text=parsed.error)
            return {"resume_email": None}
        try:
            request_code(tracker.get_slot("resume_reference") or "", parsed.value, tracker.sender_id,
                         client_address(tracker))
        except SaveFailed as exc:
            return _technical_problem(dispatcher, exc)
        dispatcher.utter_message(text=text.RESUME_CODE_SENT)
        return {"resume_email": parsed.value, "resume_failures": 0}

    def validate_resume_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        if _wants_to_stop(dispatcher, tracker):
            return _stopped(dispatcher)
        code = parse_code(str(value))
        restart = parse_reference(str(value))
        if code is None and restart is not None:  # the number again: start over (a new code will be sent)
            return {"resume_reference": restart, "resume_email": None, "resume_code": None}
        if code is None:
            dispatcher.utter_message(text=text.RESUME_CODE_NOT_UNDERSTOOD)
            return {"resume_code": None}
        try:
            right = check_code(tracker.get_slot("resume_reference") or "", code, tracker.sender_id,
                               client_address(tracker))
        except SaveFailed as exc:
            return _technical_problem(dispatcher, exc)
        if right:
            return {"resume_code": VERIFIED, "resume_failures": 0}
        dispatcher.utter_message(text=text.RESUME_CODE_REJECTED)
        failures = int(tracker.get_slot("resume_failures") or 0) + 1
        if failures >= MAX_CODE_TRIES:
            return _give_up(dispatcher)
        return {"resume_code": None, "resume_failures": failures}


class ActionResumeDraft(Action):
    """After the resume form: load the draft this conversation is linked to, if it is the one asked for."""

    def name(self) -> str:
        return "action_resume_draft"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        done: list[EventType] = [SlotSet(slot, None) for slot in RESUME_SLOTS] + [SlotSet("resume_failures", 0)]
        reference = parse_reference(tracker.get_slot("resume_reference") or "")
        if not reference or tracker.get_slot("resume_code") != VERIFIED:
            return done
        try:
            resumed = load_resumed(tracker.sender_id, reference)
        except SaveFailed as exc:
            logger.error("Reprise de dossier impossible (%s).", exc)
            dispatcher.utter_message(text=text.RESUME_FAILED)
            return done
        if resumed is None:
            return done
        slots, extra = resumed.slots, [SlotSet(CORRECTION, None)]
        if resumed.correction is None:
            dispatcher.utter_message(text=text.resumed(reference))
        else:  # only the requested fields are asked again (the others are kept, or left as they are)
            correction = resumed.correction
            dispatcher.utter_message(text=text.correction_asked(reference, correction.fields, correction.comment))
            slots, not_asked = correction_slots(resumed.slots, correction)
            asked = [key for key in APPLICATION_FIELDS if slots.get(key) is None and key not in not_asked]
            extra = [SlotSet(SKIPPED, not_asked), SlotSet(FAILURES, {}), SlotSet(DONT_KNOW, {}),
                     SlotSet(CORRECTION, {"id": correction.request_id, "fields": asked})]
        loaded = [SlotSet(name, value) for name, value in slots.items()] + [SlotSet("resumed", True)] + extra
        # The message with the code is read: the pre-application that follows does not read it again.
        return loaded + done + [SlotSet(LAST_READ, message_id(tracker)), FollowupAction("application_form")]


def confirm_and_save(dispatcher: CollectingDispatcher, tracker: Tracker, answers: Mapping[str, Any]) -> list[EventType]:
    """The confirmed save of action_confirm_application: the answers written (as the saves along the way do), and,
    for a correction staff asked, the changes recorded and the draft back in review (bot.application.service.confirm_draft);
    the applicant is told so. Events: the draft's reference.
    """
    if tracker.get_slot("consent") is not True:
        return []
    call = load_call_or_apologise(dispatcher)
    if call is None:
        return []
    shown = tracker.get_slot(CORRECTION) or {}
    sources = dict(tracker.get_slot("field_sources") or {})
    for key in [key for key in answers if answers[key] is None]:  # "à préciser": the sentence that left it so
        recorded = sources.pop(key, None)  # (actions.common.record_sources marks it "skipped")
        if isinstance(recorded, dict) and recorded.get("skipped"):
            sources[key] = recorded
    try:
        confirmed = confirm_draft(tracker.sender_id, answers, sources, tracker.get_slot("consent_at"), call,
                                  shown.get("id") if isinstance(shown, dict) else None)
    except SaveFailed as exc:
        logger.error("Enregistrement du dossier impossible : %s", exc)
        dispatcher.utter_message(text=text.SAVE_FAILED)
        return []
    events: list[EventType] = [SlotSet("draft_reference", confirmed.reference)]
    if confirmed.corrected:
        dispatcher.utter_message(text=text.corrections_confirmed(confirmed.changed))
        events.append(SlotSet(CORRECTION, None))
    return events


def corrections_pending(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """After a pre-application stopped in the middle of a correction: say that nothing was recorded yet."""
    if tracker.get_slot(CORRECTION) and tracker.get_slot(STOPPED) and not tracker.get_slot(DELETE_ASKED) \
            and not tracker.get_slot(RESUME_ASKED) and tracker.get_slot("draft_reference"):
        dispatcher.utter_message(text=text.corrections_pending(tracker.get_slot("draft_reference")))
    return []
