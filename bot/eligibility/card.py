"""The eligibility verdict as a structured card for the chat widget (format: end of docs/conversation.md).

Pure, no Rasa: the action sends it as ``json_message`` next to the plain-text verdict of
:func:`bot.eligibility.messages.render_verdict`, which the REST channel and the CLI keep. Every text
comes from :mod:`bot.eligibility.messages`, so the card and the text always say the same thing.
"""
from __future__ import annotations

from typing import Any

from bot.call.facts import CallFacts
from bot.eligibility.messages import CRITERION_LABELS, STATUS_LABELS, notes, outcome
from bot.eligibility.verdict import CRITERION_STATUSES, VERDICT_STATUSES, Verdict, VerdictStatus

CARD_TYPE = "verdict"

_APPLY = [{"title": "Oui, préparer ma pré-candidature", "payload": "oui"},
          {"title": "Non merci", "payload": "non merci"}]
BUTTONS: dict[VerdictStatus, list[dict[str, str]]] = {
    "eligible": _APPLY,
    "eligible_with_conditions": _APPLY,
    "incomplete": [{"title": "Reprendre la vérification", "payload": "vérifier mon éligibilité"}],
    "ineligible": [{"title": "Poser une autre question", "payload": "Que peux-tu faire ?"}],
}


def verdict_card(verdict: Verdict, call: CallFacts) -> dict[str, Any]:
    """The verdict card: one entry per criterion with its status, the advice, the notes and the next-step buttons."""
    return {
        "type": CARD_TYPE,
        "verdict": verdict.verdict,
        "title": outcome(verdict),
        "criteria": [
            {
                "criterion": reason.criterion,
                "label": CRITERION_LABELS.get(reason.criterion, reason.criterion),
                "status": reason.status,
                "status_label": STATUS_LABELS.get(reason.status, reason.status),
                "message": reason.message,
            }
            for reason in verdict.reasons
        ],
        "advice": list(verdict.advice),
        "missing": list(verdict.missing),
        "notes": notes(verdict, call),
        "buttons": [dict(button) for button in BUTTONS.get(verdict.verdict, [])],
    }


# ---- checking a card received from elsewhere (the website's chat proxy) ----

MAX_TEXT, MAX_LABEL, MAX_PAYLOAD, MAX_ITEMS, MAX_BUTTONS = 2000, 200, 500, 12, 6
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_")


class _Malformed(ValueError):
    pass


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _Malformed(repr(value)[:80])
    return value


def _key(value: Any) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 40 or not set(value) <= _KEY_CHARS:
        raise _Malformed(repr(value)[:80])
    return value


def _items(value: Any, limit: int = MAX_ITEMS) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > limit:
        raise _Malformed("liste attendue")
    return value


def _one_of(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _Malformed(repr(value)[:80])
    return value


def clean_card(data: Any) -> dict[str, Any]:
    """A copy of a verdict card keeping only the documented keys; ValueError if anything is off.

    Strings must be non-empty and bounded (texts 2,000 characters, labels 200, payloads 500), lists short
    (12 items, 6 buttons), the verdict and the statuses among the known values. Unknown keys are left out.
    """
    if not isinstance(data, dict) or data.get("type") != CARD_TYPE:
        raise _Malformed("pas une carte de verdict")
    criteria = []
    for item in _items(data.get("criteria")):
        if not isinstance(item, dict):
            raise _Malformed("critère")
        criteria.append({"criterion": _key(item.get("criterion")), "label": _text(item.get("label"), MAX_LABEL),
                         "status": _one_of(item.get("status"), CRITERION_STATUSES),
                         "status_label": _text(item.get("status_label"), MAX_LABEL),
                         "message": _text(item.get("message"))})
    if not criteria:
        raise _Malformed("aucun critère")
    buttons = []
    for button in _items(data.get("buttons"), MAX_BUTTONS):
        if not isinstance(button, dict):
            raise _Malformed("bouton")
        buttons.append({"title": _text(button.get("title"), MAX_LABEL),
                        "payload": _text(button.get("payload"), MAX_PAYLOAD)})
    return {
        "type": CARD_TYPE,
        "verdict": _one_of(data.get("verdict"), VERDICT_STATUSES),
        "title": _text(data.get("title")),
        "criteria": criteria,
        "advice": [_text(line) for line in _items(data.get("advice"))],
        "missing": [_key(key) for key in _items(data.get("missing"))],
        "notes": [_text(line) for line in _items(data.get("notes"))],
        "buttons": buttons,
    }
