"""The pre-application in conversation: consent, progressive saving, summary, deletion (resume: actions/resume.py).

Which draft an action touches is decided server-side from the links between drafts and conversations and
``tracker.sender_id`` (see :mod:`bot.applications`), never from the ``draft_reference`` or ``email`` slots.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text
from actions.faq import load_call_or_apologise
from actions.forms import STOPPED, AskField, FieldFormValidator, Turn, after_form
from bot import application_prompts as text
from bot import form_messages as say
from bot import reading
from bot.applications import APPLICATION_FIELDS, SaveFailed, delete_drafts, save_draft, summary_text
from bot.fields import parse_field
from bot.normalize_contact import identifier_kind

logger = logging.getLogger(__name__)

IDENTIFIER_FIELDS = ("email", "phone", "siret")


def answers_of(tracker: Tracker) -> Dict[str, Any]:
    return {field: tracker.get_slot(field) for field in APPLICATION_FIELDS + ("esus",)}


def save_progress(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Write every answer known so far when the applicant consented, into the draft this conversation is
    linked to (the slot ``draft_reference`` only reports it). A failure keeps the answers in the slots; the
    next successful turn writes them."""
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
    soon as it is read when the applicant consented."""

    form = "application_form"
    keys = ("consent",) + APPLICATION_FIELDS + ("esus",)

    def required(self, turn: Turn) -> List[str]:
        if turn.values.get("consent") is False:
            return []
        keys = [key for key in super().required(turn) if key != "esus"]
        if turn.values.get("structure") == "group_in_creation":
            keys.remove("siret")
        return keys

    def opened(self, turn: Turn, tracker: Tracker) -> None:
        """Starting the pre-application again after a "non" to the consent asks for it again."""
        if turn.values.get("consent") is False:
            turn.set("consent", None)

    def after_values(self, turn: Turn, tracker: Tracker) -> None:
        super().after_values(turn, tracker)
        if "consent" in turn.changed:
            consented = turn.values["consent"] is True
            turn.changed["consent_at"] = datetime.now(timezone.utc).isoformat() if consented else None

    def apply(self, message, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker, call) -> None:
        """Besides the question asked, an e-mail, a phone number or a SIRET typed anywhere is taken
        (answers in any order: "Marie Curie, marie@exemple.fr, 06 12 34 56 78")."""
        super().apply(message, turn, dispatcher, tracker, call)
        if message.field == "siret" and (message.kind == reading.SKIP or identifier_kind(turn.changed.get("siret"))
                                         == "rna"):
            dispatcher.utter_message(text=say.SIRET_BEFORE_PAYMENT)
        if turn.values.get("consent") is not True or message.kind in (reading.QUESTION, reading.STOP):
            return
        text_ = latest_text(tracker)
        for key in IDENTIFIER_FIELDS:
            if key != message.field and turn.values.get(key) is None:
                value = parse_field(key, text_, call).value
                if value is not None:
                    turn.set(key, value)

    def saved(self, dispatcher, tracker: Tracker, turn: Turn, events: List[EventType]) -> List[EventType]:
        if not any(key in turn.changed for key in self.keys):
            return []
        tracker.slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        tracker.slots.update(turn.changed)
        return save_progress(dispatcher, tracker)


class AskApplicationQuestion(AskField):
    form = "application_form"


class AskConsentForApplication(AskApplicationQuestion):
    slot = "consent"


class AskOrgNameForApplication(AskApplicationQuestion):
    slot = "org_name"


class AskStructureForApplication(AskApplicationQuestion):
    slot = "structure"


class AskSiretForApplication(AskApplicationQuestion):
    slot = "siret"


class AskCommuneForApplication(AskApplicationQuestion):
    slot = "commune"


class AskContactNameForApplication(AskApplicationQuestion):
    slot = "contact_name"


class AskEmailForApplication(AskApplicationQuestion):
    slot = "email"


class AskPhoneForApplication(AskApplicationQuestion):
    slot = "phone"


class AskProjectTitleForApplication(AskApplicationQuestion):
    slot = "project_title"


class AskProjectDescriptionForApplication(AskApplicationQuestion):
    slot = "project_description"


class AskBeneficiariesForApplication(AskApplicationQuestion):
    slot = "beneficiaries"


class AskJobsForApplication(AskApplicationQuestion):
    slot = "jobs"


class AskStartDateForApplication(AskApplicationQuestion):
    slot = "start_date"


class AskStageForApplication(AskApplicationQuestion):
    slot = "stage"


class AskAmountForApplication(AskApplicationQuestion):
    slot = "amount"


class AskTotalBudgetForApplication(AskApplicationQuestion):
    slot = "total_budget"


class AskOtherDepartmentAidForApplication(AskApplicationQuestion):
    slot = "other_department_aid"


class ActionApplicationSummary(Action):
    def name(self) -> Text:
        return "action_application_summary"

    def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        deletion = after_form(tracker)
        if deletion is not None:
            return deletion
        if tracker.get_slot(STOPPED):
            dispatcher.utter_message(text=say.APPLICATION_STOPPED)
            return [SlotSet(STOPPED, None)]
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
            count = delete_drafts(tracker.sender_id)  # the drafts linked to this conversation, nothing else
        except SaveFailed as exc:
            logger.error("Suppression impossible : %s", exc)
            dispatcher.utter_message(text="Je n'arrive pas à supprimer vos données pour le moment (problème "
                                     "technique). Réessayez dans quelques instants ou contactez le service.")
            return []
        dispatcher.utter_message(text=text.deleted(count))
        # data_deleted tells the tracker store to drop this conversation instead of saving it.
        return [AllSlotsReset(), SlotSet("data_deleted", True)]
