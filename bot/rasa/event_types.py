"""Rasa finds the class of a stored event by its type name in a table, instead of walking every class each time.

Rasa 3.6 (``rasa.shared.core.events.Event.resolve_by_type``) lists every subclass of ``Event``, recursively,
for each event it reads back: loading a tracker of 150 events walked the class tree 150 times, about 7 % of the
Rasa process's CPU under load (py-spy, ``make bench``). :func:`install` replaces that one static method by
:func:`resolve_by_type`, which asks Rasa's own method once per type name and remembers the class it found.
Only found classes are remembered: an unknown name still gets Rasa's answer (``None`` for the old ``topic``,
the default, or the same ``ValueError``), and a class imported later is still found.

Installed, like :mod:`bot.rasa.validation`, by the only Rasa input channel
(:class:`bot.rasa.channels.SafeRestInput`); nothing changes in site-packages.
"""
from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event

RASA_OWN = Event.resolve_by_type  # the plain function (a staticmethod read from its class)
_found: dict[str, Any] = {}


def resolve_by_type(type_name: str, default: Any = None) -> Any:
    """What ``Event.resolve_by_type`` returns, from the table once a type name has been found."""
    cls = _found.get(type_name)
    if cls is not None:
        return cls
    cls = RASA_OWN(type_name, default)  # the class, the default, None for "topic", or Rasa's ValueError
    if cls is not None and cls is not default:
        _found[type_name] = cls
    return cls


def install() -> None:
    """Use :func:`resolve_by_type` in this process (idempotent)."""
    Event.resolve_by_type = staticmethod(resolve_by_type)
