"""What the parsers of the pre-application form return: a value, or a polite French explanation.

:class:`Parsed` holds ``value`` (normalised, or None) and ``error`` (None, or the message the bot shows,
with an example, before asking again). Used by :mod:`bot.nlp.contact`, :mod:`bot.nlp.dates`,
:mod:`bot.nlp.jobs` and the field parsers of :mod:`bot.forms.parsers`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Parsed:
    """A parser's result: the normalised value, or None and the French error."""

    value: Any = None
    error: str | None = None


def failed(message: str) -> Parsed:
    """No value, and ``message`` with its line breaks and runs of spaces collapsed (messages are written on
    several lines in the code).
    """
    return Parsed(None, " ".join(message.split()))


def text_of(text: object) -> str:
    """The text typed, or "" for anything that is not a string (None, a number from a slot)."""
    return text if isinstance(text, str) else ""
