"""Amounts in euros in French free text: "12 000 €", "12k", "douze mille", "1,5 million".

Pure functions, no Rasa, no I/O; ``None`` (or an empty list) when there is no amount. When some numbers
carry a money marker (€, euros, k, million) and others do not, the first *marked* one wins ("en 2024 on
demande 12 000 €" -> 12000). Numbers followed by %, years, months, people... are skipped.
"""
from __future__ import annotations

import re

from text_to_num import alpha2digit

from bot.nlp.normalize import SPACE_CHARS, fold

__all__ = ["parse_amount", "parse_amounts", "parse_request_and_budget"]

_DIGIT_WORD_MULT = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)?) ?(mille|millions?|milliards?)\b"
)
_WORD_MULT = {"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9}
_AMOUNT = re.compile(
    r"(?<![\w.,/])(?P<neg>_neg_ ?)?"
    r"(?P<int>\d{1,3}(?:[ .,]\d{3})+(?!\d)|\d+)(?:[.,](?P<dec>\d{1,2}))?(?![\d/])"
    r"(?: ?(?P<mult>k(?:e|eur|euros?)?(?![a-z])|m(?= ?(?:€|eur))))?"
)
_NOT_MONEY_AFTER = re.compile(
    r" ?(%|(?:ans?|annees?|mois|jours?|semaines?|heures?|h\d*|personnes?|salaries?|emplois?"
    r"|beneficiaires?|habitants?|benevoles?|adherents?|membres?|places?|projets?|er|eme"
    r"|mi ?temps|temps (?:plein|partiel)s?|etp|postes?|enfants?|jeunes?|familles?|ateliers?|seances?|fois"
    r"|m2|km|kg)\b)"
)
_MONEY_AFTER = re.compile(r" ?(€|e\b|eur\b|euros?\b)")
_RANGE = re.compile(r" ?(a|et|ou|voire)? ?")
_MONEY_BEFORE = re.compile(r"(€|\beur|\beuros?) ?$")


def _number(int_part: str, dec: str | None) -> float:
    value = float(re.sub(r"[ .,]", "", int_part))
    return value + float(f"0.{dec}") if dec else value


def _scan_amounts(text: object) -> list[tuple[float, bool]]:
    """(value, has_money_marker) for each number in the text, in order; signed."""
    if isinstance(text, bool) or text is None:
        return []
    if isinstance(text, (int, float)):
        return [(float(text), True)]
    if not isinstance(text, str):
        return []
    t = re.sub(f"[ {SPACE_CHARS}]+", " ", text.lower())
    t = re.sub(r"\bpour ?cents?\b", "%", t)

    def expand(m: re.Match) -> str:
        return str(int(float(m.group(1).replace(",", ".")) * _WORD_MULT[m.group(2)]))

    t = alpha2digit(_DIGIT_WORD_MULT.sub(expand, t), "fr")
    t = fold(re.sub(r"(?<![\w.,])[-−–](?=\d)", " _neg_", t))
    found: list[tuple[float, bool]] = []
    previous_end = -1
    for m in _AMOUNT.finditer(t):
        if not m.group("mult") and _NOT_MONEY_AFTER.match(t, m.end()):
            continue
        value = _number(m.group("int"), m.group("dec"))
        value *= {"k": 1e3, "m": 1e6}.get((m.group("mult") or " ")[0], 1.0)
        marked = bool(
            m.group("mult")
            or _MONEY_AFTER.match(t, m.end())
            or _MONEY_BEFORE.search(t, 0, m.start())
        )
        if marked and found and _RANGE.fullmatch(t, previous_end, m.start()):
            found[-1] = (found[-1][0], True)  # "5 000 à 8 000 €": both are euros
        found.append((-value if m.group("neg") else value, marked))
        previous_end = m.end()
    return found


def parse_amounts(text: object) -> list[float]:
    """Every positive amount in euros in the text, in order of appearance."""
    return [value for value, _ in _scan_amounts(text) if value > 0]


def parse_amount(text: object) -> float | None:
    """The first amount in euros ("12 000 €", "12k", "douze mille", "1,5 million").

    None when there is no amount, or when it is zero or negative.
    """
    found = _scan_amounts(text)
    marked = [value for value, is_money in found if is_money]
    value = marked[0] if marked else (found[0][0] if found else None)
    return value if value is not None and value > 0 else None


_BUDGET_WORDS = re.compile(r"\b(budget|cout|total|globale?)\b")


def parse_request_and_budget(text: object) -> tuple[float | None, float | None]:
    """(amount requested, total budget) from one sentence that may give both.

    "on demande 12 000 € sur un budget de 40 000 €" -> (12000.0, 40000.0). The first
    amount after a budget word ("budget", "coût", "total") is the budget; the other
    is the request. Without such a word, two amounts are read as (smaller, larger).
    """
    folded = fold(text)
    match = _BUDGET_WORDS.search(folded)
    if match:
        before, after = parse_amounts(folded[: match.start()]), parse_amounts(folded[match.start():])
        rest = before + after[1:]
        return (rest[0] if rest else None), (after[0] if after else None)
    amounts = parse_amounts(folded)
    if len(amounts) == 2:
        return min(amounts), max(amounts)
    return (amounts[0] if len(amounts) == 1 else None), None
