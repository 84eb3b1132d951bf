"""Rasa input channel adapter: the REST webhook with cleaned input.

Declared in credentials.yml as ``bot.rasa.channels.SafeRestInput`` (the only channel); it keeps the
URL ``/webhooks/rest/webhook``. A message without a sender is refused (HTTP 400): it would otherwise
land in one conversation shared by everybody. The size of the body is bounded by Sanic
(``SANIC_REQUEST_MAX_SIZE``, set by scripts/run.sh).

The channel is the first of our code that Rasa runs: it reads the settings there, and a wrong value (even of a
variable only the website uses) stops Rasa with the French message, logged, and exit code 2, not a traceback.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.nlp.text import clean_user_text
from bot.rasa import action_client, event_types, spacy_model
from bot.rasa import validation as rasa_validation
from bot.settings import SettingsError, get_settings

logger = logging.getLogger(__name__)

EXIT_SETTINGS = 2
MAX_SENDER_CHARS = 128
NO_SENDER_ERROR = "Le champ « sender » (identifiant de la conversation) est obligatoire."


def _body(req: Request) -> dict[str, Any]:
    try:
        body = req.json
    except Exception:  # malformed JSON: treated as an empty message
        return {}
    return body if isinstance(body, dict) else {}


def check_settings() -> None:
    """Read the settings of this process; a wrong value is logged in French, then Rasa stops (exit code 2)."""
    try:
        get_settings()
    except SettingsError as exc:
        logger.error("Rasa ne démarre pas, la configuration est incorrecte. %s", exc)
        raise SystemExit(EXIT_SETTINGS) from None


def sender_of(body: dict[str, Any]) -> str | None:
    """The conversation id of a request body: a non-empty string or number, at most 128 characters."""
    sender = body.get("sender")
    if isinstance(sender, bool) or not isinstance(sender, (str, int)):
        return None
    return str(sender).strip()[:MAX_SENDER_CHARS] or None


async def _close_action_sessions(app: Any, loop: Any) -> None:
    await action_client.close_sessions()


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        check_settings()
        # Rasa's per-message waste, removed in this process before Rasa loads the model: action replies checked
        # with a validator built once, event classes found in a table, spaCy without its unused NER, the action
        # server reached over connections kept open.
        rasa_validation.install()
        action_client.install()
        event_types.install()
        spacy_model.install()
        webhook = super().blueprint(on_new_message)
        webhook.after_server_stop(_close_action_sessions)

        @webhook.middleware("request")
        async def require_sender(request: Request) -> HTTPResponse | None:
            if request.method == "POST" and sender_of(_body(request)) is None:
                return response.json({"error": NO_SENDER_ERROR}, status=400)
            return None

        return webhook

    async def _extract_sender(self, req: Request) -> str | None:
        return sender_of(_body(req))

    def _extract_message(self, req: Request) -> str | None:
        return clean_user_text(_body(req).get("message"))

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
