"""Rasa input channel adapter: the REST webhook with cleaned input.

Declared in credentials.yml as ``bot.rasa_channels.SafeRestInput``; it keeps the
URL ``/webhooks/rest/webhook``.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from bot.text import clean_user_text


def _body(req: Request) -> Dict[Text, Any]:
    try:
        body = req.json
    except Exception:  # malformed JSON: treated as an empty message
        return {}
    return body if isinstance(body, dict) else {}


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        return str(sender)[:128] if sender not in (None, "") else "anonyme"

    def _extract_message(self, req: Request) -> Optional[Text]:
        return clean_user_text(_body(req).get("message"))

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
