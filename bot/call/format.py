"""Small formatting helpers shared by the answer modules (French numbers, lists, links)."""
from __future__ import annotations

from collections.abc import Iterable

from bot.call.facts import CallFacts


def euros(amount: float) -> str:
    """12000 -> '12 000 €' (French grouping, no decimals when whole)."""
    if float(amount).is_integer():
        text = f"{int(amount):,}".replace(",", " ")
    else:
        text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} €"


def percent(value: float) -> str:
    return f"{value:g} %".replace(".", ",")


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def more_info(call: CallFacts) -> str:
    return f"Pour les informations officielles, consultez le site du Département : {call.edition.website}"
