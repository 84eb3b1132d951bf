"""The call's facts for one conversation turn, or the apology to show when they cannot be read.

Almost every answer of the assistant needs the edition's facts. When ``call.yml`` is missing or malformed
(:class:`~bot.call.facts.CallDataError`), the applicant reads :data:`SERVICE_UNAVAILABLE`, the conversation and
the answers already given are kept, and the error goes to the log. No Rasa import: the actions only say the
apology (``actions.common.load_call_or_apologise``).
"""
from __future__ import annotations

import logging

from bot.call.facts import CallDataError, CallFacts, get_call

logger = logging.getLogger(__name__)

SERVICE_UNAVAILABLE = (
    "Désolé, je rencontre un problème technique et ne peux pas répondre pour le moment. "
    "Réessayez dans quelques instants ; vos réponses précédentes sont conservées."
)


def call_or_apology() -> CallFacts | str:
    """The current call's facts, or the French apology to show (the error is logged) when they cannot be read."""
    try:
        return get_call()
    except CallDataError as exc:
        logger.error("Données de l'appel indisponibles : %s", exc)
        return SERVICE_UNAVAILABLE
