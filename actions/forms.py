"""The validator shared by the eligibility form and the pre-application form.

Each user message is read once, by :func:`bot.forms.reading.read_message`, for the question asked;
this module only applies the reading: slots, messages, the next question. The form is never
rejected, so questions about the call, "pourquoi ?", "je ne sais pas", corrections and "stop"
are all handled here, and the question is asked again only when that helps.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import active_before_message, latest_intent, latest_text, load_call_or_apologise, message_id, record_sources
from actions.turn import DELETE_ASKED, LAST_READ, PROMPTED, RESUME_ASKED, STOPPED, Turn
from bot.call.facts import CallFacts
from bot.faq.answers import render_faq
from bot.forms import messages as say
from bot.forms import reading
from bot.forms.fields import field
from bot.forms.prompts import Prompt, explanation, question

MAX_FAILURES = 3


def utter(dispatcher: CollectingDispatcher, prompt: Prompt) -> None:
    dispatcher.utter_message(**prompt.as_message())


class FieldFormValidator(Action, ABC):
    """Reads each message for the question asked; subclasses give the form and its fields (abstract until they
    do, so that rasa_sdk registers only the validators of real forms).
    """

    @property
    @abstractmethod
    def form(self) -> str:
        """The form whose messages this validator reads ("eligibility_form")."""

    @property
    @abstractmethod
    def keys(self) -> tuple[str, ...]:
        """The form's fields, in the order they are asked."""

    def name(self) -> str:
        return f"validate_{self.form}"

    # -- hooks ---------------------------------------------------------------------------------
    def required(self, turn: Turn) -> list[str]:
        return [key for key in self.keys if key not in turn.skipped]

    def ends_early(self, turn: Turn, call: CallFacts) -> bool:
        return False

    def opened(self, turn: Turn, tracker: Tracker) -> None:
        """Called when the form starts (or starts again)."""

    def after_values(self, turn: Turn, tracker: Tracker) -> None:
        """Derived values (the ESUS answer follows the legal form)."""
        if "structure" in turn.changed and "esus" in turn.values:
            form = turn.values["structure"]
            if form in ("esus_company", "company_no_esus"):
                turn.set("esus", form == "esus_company")
            elif form != "company":
                turn.set("esus", None)

    def saved(self, dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn,
              events: list[EventType]) -> list[EventType]:
        return []

    # -- the run ---------------------------------------------------------------------------------
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn = Turn(tracker, self.keys)
        this_message = message_id(tracker)
        asked = tracker.get_slot("requested_slot")
        call = load_call_or_apologise(dispatcher)
        if call is None:
            return [SlotSet(LAST_READ, this_message), SlotSet("requested_slot", asked)]
        if active_before_message(tracker) != self.form:  # the form opens with this message
            asked = None
            self.opened(turn, tracker)
            if latest_intent(tracker) in ("check_eligibility", "start_application"):
                turn.skipped = []  # a new start asks again what was left "à préciser"
        if tracker.get_slot(LAST_READ) != this_message:
            message = reading.read_message(latest_text(tracker), asked=asked, fields=self.keys, known=turn.values,
                                           intent=latest_intent(tracker), call=call)
            self.apply(message, turn, dispatcher, tracker, call)
        self.after_values(turn, tracker)
        events = turn.events()
        events += record_sources(tracker, events, self.keys)
        events += self.saved(dispatcher, tracker, turn, events)
        next_slot = None if turn.stopped or self.ends_early(turn, call) else next(
            (key for key in self.required(turn) if turn.values.get(key) is None), None)
        events += [SlotSet(LAST_READ, this_message), SlotSet(STOPPED, turn.stopped or None),
                   SlotSet(PROMPTED, this_message if turn.prompted and next_slot == asked else None),
                   SlotSet("requested_slot", next_slot)]
        return events

    def apply(self, message: reading.Reading, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker,
              call: CallFacts) -> None:
        kind, key = message.kind, message.field
        if kind == reading.STOP:
            turn.stopped = True
        elif kind == reading.DELETE:  # the form ends; the action that follows asks to confirm the deletion
            turn.stopped = True
            turn.changed[DELETE_ASKED] = True
        elif kind in (reading.ANSWER, reading.DESCRIPTION):
            for name, value in message.values.items():
                if name == key or turn.values.get(name) is None:
                    turn.set(name, value)
            if key in message.values:
                turn.failures.pop(key, None)
                turn.dont_know.pop(key, None)
            elif key and message.values:
                dispatcher.utter_message(text=say.noted(message.values))
        elif kind == reading.CORRECTION:
            for name, value in message.values.items():
                turn.set(name, value)
            if message.cleared:  # asked again, even if it was left "à préciser"
                turn.set(message.cleared, None)
                turn.reopen(message.cleared)
            if key is not None:  # the reading names the field it corrects
                dispatcher.utter_message(text=say.corrected(key, message.values.get(key)))
            elif message.values:
                dispatcher.utter_message(text=say.noted(message.values))
            self._forget_verdict(turn, tracker)
        elif kind == reading.WHY and key is not None and not turn.dont_know.get(key):
            turn.dont_know[key] = 1  # a second "pourquoi ?" gets the help, not the same explanation
            dispatcher.utter_message(text=explanation(key, call))
        elif kind == reading.WHY:  # no question asked: nothing to explain (_dont_know does nothing either)
            self._dont_know(reading.DONT_KNOW, key, turn, dispatcher, call)
        elif kind == reading.QUESTION:
            self._question(message, turn, dispatcher, tracker, call)
        elif kind == reading.CHITCHAT:
            self._chitchat(turn, dispatcher, tracker, call)
        elif kind in (reading.DONT_KNOW, reading.SKIP):
            self._dont_know(kind, key, turn, dispatcher, call)
        else:
            self._not_understood(key, message.error, turn, dispatcher, call)

    def _forget_verdict(self, turn: Turn, tracker: Tracker) -> None:
        turn.changed["eligibility_verdict"] = None

    def _question(self, message: reading.Reading, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker,
                  call: CallFacts) -> None:
        intent = latest_intent(tracker) or ""
        entity = next(tracker.get_latest_entity_values("criterion"), None)
        answer = render_faq(intent, call, criterion_entity=entity, text=latest_text(tracker))
        if answer is None and intent in ("check_eligibility", "start_application"):
            # "est-ce que je peux déposer une candidature ?" in the middle of the check: that is what it is for
            dispatcher.utter_message(text=say.ALREADY_APPLYING if self.form == "application_form"
                                     else say.ALREADY_CHECKING)
            return
        if answer is None:
            self._not_understood(message.field, say.NO_ANSWER_HERE, turn, dispatcher, call)
            return
        dispatcher.utter_message(text=answer)

    def _chitchat(self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker, call: CallFacts) -> None:
        intent = latest_intent(tracker)
        if intent == "bot_challenge":
            dispatcher.utter_message(response="utter_bot_challenge")
        else:
            dispatcher.utter_message(text=say.GREETING if intent == "greet" else say.THANKS)

    def _dont_know(self, kind: str, key: str | None, turn: Turn, dispatcher: CollectingDispatcher,
                   call: CallFacts) -> None:
        if key is None:
            return
        count = turn.dont_know.get(key, 0) + 1
        turn.dont_know[key] = count
        if key == "consent":
            if count >= 2 or kind == reading.SKIP:
                turn.set("consent", False)
            else:
                utter(dispatcher, say.consent_help(call))
                turn.prompted = True
            return
        if field(key).optional or (field(key).skippable and (kind == reading.SKIP or count >= 2)):
            turn.skip(key)
            turn.dont_know.pop(key, None)
            turn.failures.pop(key, None)
            dispatcher.utter_message(text=say.skipped(key))
            return
        utter(dispatcher, say.help_to_answer(key, call))
        turn.prompted = True

    def _not_understood(self, key: str | None, error: str | None, turn: Turn,
                        dispatcher: CollectingDispatcher, call: CallFacts) -> None:
        if key is None:
            return
        failures = turn.failures.get(key, 0) + 1
        turn.failures[key] = failures
        if failures <= MAX_FAILURES:
            utter(dispatcher, say.not_understood(key, failures, error, call))
            turn.prompted = True
        elif field(key).skippable:
            turn.skip(key)
            turn.failures.pop(key, None)
            dispatcher.utter_message(text=say.skipped(key))
        else:
            turn.failures.pop(key, None)
            dispatcher.utter_message(text=say.gave_up(key, call))
            turn.stopped = True


class AskField(Action, ABC):
    """Asks one question of a form, unless the validator already said what to answer. Abstract until a subclass
    gives both the form and the slot, so that rasa_sdk registers only real questions.
    """

    @property
    @abstractmethod
    def form(self) -> str:
        """The form that asks the question ("application_form")."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot the question fills."""

    def name(self) -> str:
        return f"action_ask_{self.form}_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot(PROMPTED) and tracker.get_slot(PROMPTED) == message_id(tracker):
            return []
        return self.ask(dispatcher, tracker)

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        call = load_call_or_apologise(dispatcher)
        if call is not None:
            utter(dispatcher, question(self.slot, call))
        return []


def after_form(tracker: Tracker) -> list[EventType] | None:
    """Events for the action that follows a form that the applicant stopped (None when it was not stopped):
    the confirmation of a deletion asked in the middle of the form, the resume form when the form opened on a
    request to resume a draft, else nothing more.
    """
    if tracker.get_slot(DELETE_ASKED):
        return [SlotSet(STOPPED, None), SlotSet(DELETE_ASKED, None), FollowupAction("action_ask_delete_confirmation")]
    if tracker.get_slot(RESUME_ASKED):
        return [SlotSet(STOPPED, None), SlotSet(RESUME_ASKED, None), FollowupAction("resume_form")]
    return None


def ended_early(dispatcher: CollectingDispatcher, tracker: Tracker, stopped: str) -> list[EventType] | None:
    """Events when the form before this action did not end normally: :func:`after_form`, or the ``stopped``
    message after a stop. None when the form was completed.
    """
    handed_over = after_form(tracker)
    if handed_over is not None or not tracker.get_slot(STOPPED):
        return handed_over
    dispatcher.utter_message(text=stopped)
    return [SlotSet(STOPPED, None)]
