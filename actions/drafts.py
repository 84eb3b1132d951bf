"""The pre-application in conversation: consent, progressive saving, summary, deletion (resume: actions/resume.py).

Which draft an action touches is decided server-side from the links between drafts and conversations and
``tracker.sender_id`` (see :mod:`bot.application.service`), never from the ``draft_reference`` or ``email`` slots.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_text, load_call_or_apologise
from actions.forms import AskField, FieldFormValidator, ended_early
from actions.resume import confirm_and_save, corrections_pending
from actions.turn import RESUME_ASKED, Turn
from bot.application import prompts as text
from bot.application.service import SaveFailed, delete_drafts, save_draft, summary_text
from bot.call.facts import CallFacts
from bot.forms import messages as say
from bot.forms import reading
from bot.forms.cues import asks_to_resume, submits
from bot.forms.fields import APPLICATION_FIELDS, parse_field
from bot.forms.prompts import SUMMARY_BUTTONS, WHAT_TO_CHANGE, Prompt
from bot.mail.worker import queue_recorded
from bot.nlp.contact import identifier_kind

logger = logging.getLogger(__name__)

IDENTIFIER_FIELDS = ("email", "phone", "siret")
SUMMARY = "summary_confirmed"  # the last question: the summary, confirmed or not


def answers_of(tracker: Tracker) -> dict[str, Any]:
    return {field: tracker.get_slot(field) for field in APPLICATION_FIELDS + ("esus",)}


def save_progress(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Write every answer known so far when the applicant consented, into the draft this conversation is
    linked to (the slot ``draft_reference`` only reports it). A failure keeps the answers in the slots; the
    next successful turn writes them.
    """
    if tracker.get_slot("consent") is not True:
        return []
    call = load_call_or_apologise(dispatcher)
    if call is None:
        return []
    try:
        reference = save_draft(tracker.sender_id, answers_of(tracker), tracker.get_slot("field_sources") or {},
                               tracker.get_slot("consent_at"), call)
    except SaveFailed as exc:
        logger.error("Enregistrement du dossier impossible : %s", exc)
        dispatcher.utter_message(text=text.SAVE_FAILED)
        return []
    return [SlotSet("draft_reference", reference)]


class ValidateApplicationForm(FieldFormValidator):
    """The pre-application: each answer read for the question asked (see actions/forms.py), saved as
    soon as it is read when the applicant consented.
    """

    form = "application_form"
    keys = ("consent",) + APPLICATION_FIELDS + ("esus", SUMMARY)

    def required(self, turn: Turn) -> list[str]:
        if turn.values.get("consent") is False:
            return []
        keys = [key for key in super().required(turn) if key != "esus"]
        if turn.values.get("structure") == "group_in_creation":
            keys.remove("siret")
        return keys

    def opened(self, turn: Turn, tracker: Tracker) -> None:
        """Starting the pre-application again after a "non" to the consent asks for it again; the summary is
        always shown and confirmed again.
        """
        if turn.values.get("consent") is False:
            turn.set("consent", None)
        if turn.values.get(SUMMARY) is not None:
            turn.set(SUMMARY, None)

    def after_values(self, turn: Turn, tracker: Tracker) -> None:
        super().after_values(turn, tracker)
        if "consent" in turn.changed:
            consented = turn.values["consent"] is True
            turn.changed["consent_at"] = datetime.now(timezone.utc).isoformat() if consented else None

    def apply(self, message: reading.Reading, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker,
              call: CallFacts) -> None:
        """Besides the question asked, an e-mail, a phone number or a SIRET typed anywhere is taken
        (answers in any order: "Marie Curie, marie@exemple.fr, 06 12 34 56 78").
        """
        if message.field == SUMMARY:
            at_summary = self._at_summary(message, turn, dispatcher, tracker, call)
            if at_summary is None:
                return
            message = at_summary
        if message.kind == reading.DESCRIPTION and message.field is None and not tracker.get_slot("resumed") \
                and asks_to_resume(latest_text(tracker)):
            turn.stopped = True  # opened on "je voudrais reprendre ma pré-candidature": the resume form follows
            turn.changed[RESUME_ASKED] = True
            return
        super().apply(message, turn, dispatcher, tracker, call)
        if message.field == "siret" and (message.kind == reading.SKIP or identifier_kind(turn.changed.get("siret"))
                                         == "rna"):
            dispatcher.utter_message(text=say.siret_before_payment(turn.values.get("structure")))
        if turn.values.get("consent") is not True or message.kind in (reading.QUESTION, reading.STOP):
            return
        text_ = latest_text(tracker)
        for key in IDENTIFIER_FIELDS:
            if key != message.field and turn.values.get(key) is None:
                value = parse_field(key, text_, call).value
                if value is not None:
                    turn.set(key, value)

    @staticmethod
    def _at_summary(message: reading.Reading, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker,
                    call: CallFacts) -> reading.Reading | None:
        """At the summary, whatever the classifier said: a change of any field ("en fait on est à Créteil",
        "le montant c'est 9 000 €", "le téléphone") is applied, a "non" asks what to change, a "oui" confirms
        ("oui le montant est bon" too: a confirmation changes a field only with a new value and a cue such as
        "mais", "en fait"). None when the message was handled here.
        """
        said = latest_text(tracker)
        if message.kind in (reading.STOP, reading.UNCLEAR) and submits(said):  # "terminer", "envoyer": the applicant is done
            message = reading.Reading(reading.ANSWER, {SUMMARY: True}, field=SUMMARY)
        confirmed = message.kind == reading.ANSWER and message.values.get(SUMMARY) is True
        if message.kind in (reading.ANSWER, reading.UNCLEAR, reading.DESCRIPTION, reading.CHITCHAT):
            fix = reading.read_correction(said, fields=APPLICATION_FIELDS, known=turn.values, call=call)
            if fix is not None and (fix.values or fix.cleared) and (
                    not confirmed or (fix.values and reading.changes_something(said))):
                return fix
        if message.kind == reading.ANSWER and message.values.get(SUMMARY) is False:
            dispatcher.utter_message(**WHAT_TO_CHANGE.as_message())
            turn.prompted = True
            return None
        if message.kind in (reading.DONT_KNOW, reading.SKIP) or (
                message.kind == reading.WHY and turn.dont_know.get(SUMMARY)):
            count = turn.dont_know.get(SUMMARY, 0) + 1
            turn.dont_know[SUMMARY] = count
            if count <= 2:  # then the summary itself, shown again by the form
                dispatcher.utter_message(**text.summary_help(count, call).as_message())
                turn.prompted = True
            return None
        return message

    def saved(self, dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, events: list[EventType]) -> list[EventType]:
        if not any(key in turn.changed for key in self.keys if key != SUMMARY):
            return []
        tracker.slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        tracker.slots.update(turn.changed)
        return save_progress(dispatcher, tracker)


def show_summary(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Save what is known, then show the summary with "Oui, c'est correct" / "Modifier"."""
    events = save_progress(dispatcher, tracker)
    dispatcher.utter_message(**Prompt(summary_text(answers_of(tracker)), SUMMARY_BUTTONS).as_message())
    return events


def ended_without_summary(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Events when the pre-application ended before its summary: stopped, deletion asked, or no consent."""
    ended = ended_early(dispatcher, tracker, say.APPLICATION_STOPPED)
    if ended is not None:
        return ended
    if tracker.get_slot("consent") is not True:
        call = load_call_or_apologise(dispatcher)  # after the apology, the refusal is still acknowledged
        dispatcher.utter_message(text=text.no_consent(call) if call is not None else text.NO_CONSENT_WITHOUT_CALL)
        return []
    return None


class AskSummaryForApplication(AskField):
    """The last question of the pre-application: the summary (unless the validator already asked what to change)."""

    form = "application_form"
    slot = SUMMARY

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        return show_summary(dispatcher, tracker)


class ActionApplicationSummary(Action):
    """The summary on its own (the form shows it as its last question)."""

    def name(self) -> str:
        return "action_application_summary"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ended = ended_without_summary(dispatcher, tracker)
        return ended if ended is not None else show_summary(dispatcher, tracker)


class ActionConfirmApplication(Action):
    """After the form: the reference of the confirmed pre-application."""

    def name(self) -> str:
        return "action_confirm_application"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ended = ended_without_summary(dispatcher, tracker)
        if ended is not None:
            return ended + corrections_pending(dispatcher, tracker)
        if tracker.get_slot(SUMMARY) is not True:
            return show_summary(dispatcher, tracker)
        events = confirm_and_save(dispatcher, tracker, answers_of(tracker))  # and corrections asked by staff
        reference = next((e["value"] for e in events if e["name"] == "draft_reference"), None)
        if reference:
            dispatcher.utter_message(text=text.confirmed(reference))
            queue_recorded(tracker.sender_id)  # the mail with the reference, queued; never raises
        return events


class ActionAskDeleteConfirmation(Action):
    def name(self) -> str:
        return "action_ask_delete_confirmation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(**text.DELETE_CONFIRMATION.as_message())
        return []


class ActionDeleteData(Action):
    def name(self) -> str:
        return "action_delete_data"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            count = delete_drafts(tracker.sender_id)  # the drafts linked to this conversation, nothing else
        except SaveFailed as exc:
            logger.error("Suppression impossible : %s", exc)
            dispatcher.utter_message(text="Je n'arrive pas à supprimer vos données pour le moment (problème "
                                     "technique). Réessayez dans quelques instants ou contactez le service.")
            return []
        dispatcher.utter_message(text=text.deleted(count))
        # data_deleted tells the tracker store to drop this conversation instead of saving it.
        return [AllSlotsReset(), SlotSet("data_deleted", True)]
