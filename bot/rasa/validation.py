"""Rasa checks each reply of the action server against its event schema with a validator built once.

Rasa 3.6 (``rasa.core.actions.action.RemoteAction._validate_action_result``) calls
``jsonschema.validate`` on every reply. That function checks Rasa's large event schema against the
JSON Schema metaschema, then builds a new validator, every time: about 19 ms of the 22 ms a custom action
costs on this machine. :func:`install` replaces that one method by :func:`validate_action_result`, which
does the same check with a validator built (and its schema checked) once per process: a valid reply
passes, an invalid one raises the same ``jsonschema.ValidationError``, with the same message, as before.

The extension point is this module: it changes nothing in site-packages and is installed by the only
Rasa input channel (:class:`bot.rasa.channels.SafeRestInput`, declared in credentials.yml), so every Rasa
process and every Sanic worker that serves our REST webhook has it. ``RASA_FAST_VALIDATION=0`` keeps
Rasa's own method (for comparison, ``make bench``).
"""
from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import validator_for

from bot.settings import get_settings

DOCS = "https://rasa.com/docs/rasa/custom-actions"


@cache
def _validator() -> Any:
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate does on every call
    return cls(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """What ``RemoteAction._validate_action_result`` does, with the validator built once."""
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action "
        f"endpoint is valid. For more information about the format visit {DOCS}"
    )
    raise error


def enabled() -> bool:
    """Off with ``RASA_FAST_VALIDATION=0`` (Rasa's own check, to compare)."""
    return get_settings().rasa_fast_validation


def install() -> bool:
    """Use :func:`validate_action_result` in this process (idempotent); False when disabled."""
    from rasa.core.actions.action import RemoteAction

    if not enabled():
        return False
    RemoteAction._validate_action_result = validate_action_result
    return True


__all__ = ["ValidationError", "install", "validate_action_result"]
