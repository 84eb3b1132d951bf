"""Answers about the call, rendered from bot/call/call.yml."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_text, load_call_or_apologise
from bot.call.facts import CallFacts
from bot.faq.answers import render_faq
from bot.forms.cues import fallback_route
from bot.forms.description import describes_project
from bot.forms.messages import CHECK_FROM_DESCRIPTION


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if (tracker.active_loop or {}).get("name") and tracker.get_slot("requested_slot"):
            return []  # a form is asking a question: its validator reads the message (actions/forms.py)
        call = load_call_or_apologise(dispatcher)
        if call is None:
            return []
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        criterion = next(tracker.get_latest_entity_values("criterion"), None)
        text = render_faq(intent, call, criterion_entity=criterion, text=message.get("text") or "")
        if text is None:
            dispatcher.utter_message(response="utter_fallback")
        else:
            dispatcher.utter_message(text=text)
        return start_check_if_described(dispatcher, tracker, call)


def start_check_if_described(dispatcher: CollectingDispatcher, tracker: Tracker,
                             call: CallFacts) -> list[EventType]:
    """A question that also describes the project ("on est un collectif à Vitry, on voudrait 11 500 €,
    c'est possible ?") goes on with the eligibility check, reading what the message says.
    """
    if (tracker.active_loop or {}).get("name") or not describes_project(latest_text(tracker), call):
        return []
    dispatcher.utter_message(text=CHECK_FROM_DESCRIPTION)
    return [FollowupAction("eligibility_form")]


class ActionFallback(Action):
    """A message not understood: the check when it describes the project, otherwise a polite fallback."""

    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        form = (tracker.active_loop or {}).get("name")
        if form:  # in a form, the form's validator reads the message
            return [FollowupAction(form)]
        call = load_call_or_apologise(dispatcher)
        route = fallback_route(latest_text(tracker), call)
        if route == "described":
            dispatcher.utter_message(text=CHECK_FROM_DESCRIPTION)
            return [FollowupAction("eligibility_form")]
        if route == "privacy" and call is not None:
            dispatcher.utter_message(text=render_faq("ask_privacy", call))
            return []
        if route == "check":
            dispatcher.utter_message(response="utter_start_eligibility")
            return [FollowupAction("eligibility_form")]
        dispatcher.utter_message(response="utter_fallback")
        return []
