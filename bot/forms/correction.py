"""A correction typed outside a form ("en fait on est à Créteil" after the verdict, a change at the summary):
what to change and what to say. Pure, no Rasa: ``action_correct_answer`` only turns the result into events.

The fields that may change are those of the pre-application once the applicant consented to it, else those
of the eligibility check. The new value is kept, or the field is emptied to be asked again; a new legal
form sets the ESUS answer that follows from it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.call.facts import CallFacts
from bot.forms import messages as say
from bot.forms.fields import APPLICATION_FIELDS, ELIGIBILITY_FIELDS
from bot.forms.prompts import WHAT_TO_CHANGE, WHICH_FIELD
from bot.forms.reading import read_correction

LISTEN = "action_listen"
APPLICATION_FORM = "application_form"
FALLBACK = {"response": "utter_fallback"}
SLOTS = ("consent",) + APPLICATION_FIELDS + ("esus",)  # the slots route_correction reads


@dataclass(frozen=True)
class CorrectionRoute:
    """What to do with the message: say ``message``, set ``values``, then run ``follow_up`` (if any)."""

    message: dict[str, Any]  # the keyword arguments of one message: {"text": …}, {"response": …}, buttons
    fields: tuple[str, ...]  # the fields the message was read for (their provenance is recorded)
    values: dict[str, Any] = field(default_factory=dict)  # slot -> new value (None: ask it again)
    follow_up: str | None = None  # the action that follows: "action_listen", "application_form" or none

    @property
    def corrected(self) -> bool:
        """Whether a field changed (the verdict is then forgotten)."""
        return bool(self.values)


def fields_to_correct(slots: Mapping[str, Any]) -> tuple[str, ...]:
    """The pre-application's fields (and the ESUS answer) once the applicant consented, else the check's."""
    return APPLICATION_FIELDS + ("esus",) if slots.get("consent") is True else ELIGIBILITY_FIELDS


def route_correction(text: str, slots: Mapping[str, Any], call: CallFacts) -> CorrectionRoute:
    """What to do with ``text``, a correction outside a form, given the conversation's ``slots``."""
    in_application = slots.get("consent") is True
    keys = fields_to_correct(slots)
    known = {key: slots.get(key) for key in keys}
    found = read_correction(text, fields=keys, known=known, call=call)
    if found is None and not any(value is not None for value in known.values()):
        return CorrectionRoute(dict(FALLBACK), keys, follow_up=LISTEN)  # nothing to correct: not a correction
    if found is None or found.field is None:  # (a correction read always names its field)
        prompt = WHAT_TO_CHANGE if in_application else WHICH_FIELD
        return CorrectionRoute(prompt.as_message(), keys, follow_up=LISTEN)
    values = dict(found.values)
    if found.cleared:
        values[found.cleared] = None
    if "structure" in found.values or found.cleared == "structure":
        values["esus"] = {"esus_company": True, "company_no_esus": False}.get(found.values.get("structure") or "")
    message = {"text": say.corrected(found.field, found.values.get(found.field))}
    return CorrectionRoute(message, keys, values, APPLICATION_FORM if in_application else None)
