"""Answers about the call, rendered from bot/call.yml."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import render_faq
from bot.call import CallDataError, CallFacts, get_call
from bot.prompts import SERVICE_UNAVAILABLE

logger = logging.getLogger(__name__)


def load_call_or_apologise(dispatcher: CollectingDispatcher) -> Optional[CallFacts]:
    """The call facts, or None after a polite message when the data file is broken."""
    try:
        return get_call()
    except CallDataError as exc:
        logger.error("Données de l'appel indisponibles : %s", exc)
        dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
        return None


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
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
        return []
