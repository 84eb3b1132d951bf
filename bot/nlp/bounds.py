"""Bounds of the numeric answers (amount, budget, jobs), shared by both forms and by the save.

Pure functions, no Rasa, no I/O. The parsers read positive numbers only; these checks catch what
they would otherwise misread: a minus sign ("- 5 000 €", "−5000", "on crée -3 emplois", "moins 5000")
whose number would be kept without its sign, and scientific notation ("1e9" read as 1).
A dash between two numbers is a range ("5 000 - 8 000 €", "2026-2027"), not a sign; a negative
percentage ("-10 %") is not an amount.
"""
from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["MAX_AMOUNT", "MAX_JOBS", "amount_in_range", "has_exponent", "has_negative_number", "jobs_in_range"]

# An amount above this is a typing error, not a project of this call (the maximum grant is 15 000 €).
MAX_AMOUNT = 100_000_000
# More jobs than this is a typing error for this call.
MAX_JOBS = 1000

_MINUS = re.compile(
    r"(?:(?<![\w€.,])[-‐‑‒–—―−﹣－]\s*|^\W*moins\s+)(?=\d)(?!\d*(?:[.,]\d+)?\s*(?:%|pour\s*cent))",
    re.IGNORECASE,
)
# What comes before the dash of a range: a number, or a number with its unit.
_RANGE_START = re.compile(r"(?:\d|€|(?<![^\W\d_])(?:k|ke|keur|e|eur|euros?|mille|millions?|emplois?|postes?|etp))\s*$",
                          re.IGNORECASE)
_EXPONENT = re.compile(r"\d\s*[eE][+\-−]?\d")


def has_negative_number(text: str) -> bool:
    """Whether the text gives a negative number ("-5", "montant : - 5 000 €", "12 000 € ou -5")."""
    return any(not _RANGE_START.search(text[:m.start()]) for m in _MINUS.finditer(text or ""))


def has_exponent(text: str) -> bool:
    """Whether the text writes a number in scientific notation ("1e9"), which no applicant means."""
    return bool(_EXPONENT.search(text or ""))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def amount_in_range(value: Any) -> bool:
    """An amount or a budget as stored: a number above zero, at most :data:`MAX_AMOUNT`."""
    return _number(value) and 0 < value <= MAX_AMOUNT


def jobs_in_range(value: Any) -> bool:
    """A number of jobs as stored: a whole number from 0 to :data:`MAX_JOBS`."""
    return _number(value) and float(value).is_integer() and 0 <= value <= MAX_JOBS
