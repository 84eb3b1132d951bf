"""The planned start date of the project, from French free text: "1er septembre 2026", "septembre 2026",
"début 2027", "à la rentrée", "dans trois mois". Pure, no Rasa, no I/O; returns a :class:`~bot.nlp.parsed.Parsed`.

- "septembre 2026" -> 1st of the month; a month or a season without a year -> its next occurrence, the
  current month included; "début/mi/fin 2027" -> 1 Jan / 1 Jul / 1 Dec; "début/mi/fin septembre" -> 1st /
  15th / last day; seasons are meteorological (printemps = 1 March); "rentrée" = 1 September.
- Refused: more than one year ago, or more than five years ahead (a typo), and an amount ("9 500 €").
"""
from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re

from text_to_num import alpha2digit

from bot.nlp.normalize import fold
from bot.nlp.parsed import Parsed, failed, text_of

__all__ = ["parse_start_date"]

_MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                "octobre", "novembre", "décembre")
_MONTHS = tuple(fold(name) for name in _MONTH_NAMES)
_MONTH_ABBR = {"jan": 1, "janv": 1, "fev": 2, "fevr": 2, "avr": 4, "juil": 7, "aou": 8, "sep": 9, "sept": 9,
               "oct": 10, "nov": 11, "dec": 12}
_SEASONS = {"printemps": 3, "ete": 6, "automne": 9, "hiver": 12, "rentree": 9}
_SEASON = "|".join(_SEASONS)
_MONEY_NUMBER = re.compile(r"\d ?(k ?)?(€|e\b|eur\b|euros?\b)|€ ?\d")


def example_start(today: dt.date | None = None) -> dt.date:
    """The date the examples suggest: the next 1st of September, never a date already past."""
    today = today or dt.date.today()
    return dt.date(today.year if today < dt.date(today.year, 9, 1) else today.year + 1, 9, 1)


def date_examples(today: dt.date | None = None) -> str:
    """"par exemple « 01/09/2027 », « 1er septembre 2027 », « septembre 2027 » ou « début 2028 »", from ``today``."""
    year = example_start(today).year
    return f"par exemple « 01/09/{year} », « 1er septembre {year} », « septembre {year} » ou « début {year + 1} »"


def _month_token(match: re.Match) -> str:
    """A month name, abbreviation or typo ("septmbre", "sept.") -> "m09"; other words unchanged."""
    word = match[0].rstrip(".")
    close = difflib.get_close_matches(word, _MONTHS, n=1, cutoff=0.8) if len(word) >= 5 else []
    month = _MONTH_ABBR.get(word) or next((i + 1 for i, name in enumerate(_MONTHS) if name in close + [word]), 0)
    return f"m{month:02d}" if month else match[0]


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    last = calendar.monthrange(day.year + year, month + 1)[1]
    return day.replace(year=day.year + year, month=month + 1, day=min(day.day, last))


def _fr_date(day: dt.date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def _read_date(t: str, today: dt.date) -> dt.date | None:
    """The date in folded text ``t`` where months are "m09"; raises ValueError for impossible dates."""
    if m := re.search(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b", t):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.search(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b", t):
        return dt.date(int(m[3]) + (2000 if len(m[3]) == 2 else 0), int(m[2]), int(m[1]))
    if m := re.search(r"\b(\d{1,2})/(\d{4})\b", t):
        return dt.date(int(m[2]), int(m[1]), 1)
    if m := re.search(r"\b(\d{1,2})/(\d{1,2})\b", t):  # "15/09": the next 15 September
        day = dt.date(today.year, int(m[2]), int(m[1]))
        return day if day >= today else day.replace(year=day.year + 1)
    if m := re.search(r"\b(\d{1,2})(?: ?(?:er|e|eme))? m(\d\d)(?: (\d{4}))?\b", t):
        day = dt.date(int(m[3] or today.year), int(m[2]), int(m[1]))
        return day if m[3] or day >= today else day.replace(year=day.year + 1)
    if m := re.search(r"\b(?:(debut|mi|milieu|fin|courant) )?(?:d )?m(\d\d)(?: (\d{4}))?\b", t):
        if not m[3] and re.match(r" \d{1,2}\b", t[m.end():]):
            raise ValueError("year")  # "septembre 26"
        year = int(m[3]) if m[3] else today.year + (int(m[2]) < today.month)
        last = calendar.monthrange(year, int(m[2]))[1]
        return dt.date(year, int(m[2]), {"mi": 15, "milieu": 15, "fin": last}.get(m[1], 1))
    if m := re.search(rf"\b(?:(debut|mi|milieu|fin|courant|{_SEASON}) )?(?:de l |d )?(\d{{4}})\b", t):
        return dt.date(int(m[2]), _SEASONS.get(m[1]) or {"mi": 7, "milieu": 7, "fin": 12}.get(m[1], 1), 1)
    if m := re.search(rf"\b({_SEASON})\b", t):
        return dt.date(today.year + (_SEASONS[m[1]] < today.month), _SEASONS[m[1]], 1)
    if m := re.search(r"\bdans (\d+) (jours?|semaines?|mois|ans?|annees?)\b", t):
        if m[2].startswith(("jour", "semaine")):
            return today + dt.timedelta(days=int(m[1]) * (1 if m[2].startswith("jour") else 7))
        return _add_months(today, int(m[1]) * (1 if m[2] == "mois" else 12))
    if m := re.search(r"\b(mois|annee|an) prochaine?\b", t):
        return _add_months(today.replace(day=1), 1) if m[1] == "mois" else dt.date(today.year + 1, 1, 1)
    if re.search(r"\b(des que possible|asap|immediatement|tout de suite|maintenant|aujourd hui|deja (commence|"
                 r"demarre|lance)|en cours)\b", t):
        return today
    return None


def parse_start_date(text: object, today: dt.date | None = None) -> Parsed:
    """The planned start date of the project ("1er septembre 2026", "septembre 2026", "début 2027")."""
    today = today or dt.date.today()
    examples = date_examples(today)
    if _MONEY_NUMBER.search(fold(text_of(text))):  # "c'est 9 500 euros": an amount, never the year 9500
        return failed(f"Cela ressemble à un montant, pas à une date. Donnez la date de démarrage, {examples}.")
    t = fold(re.sub(r"(?<=\d)\s*[-‐‑–—/.]\s*(?=\d)", "/", text_of(text))).replace("premier", "1")
    t = re.sub(r"\bdans ([a-z ]+?) (?=(jours?|semaines?|mois|ans?|annees?)\b)",
               lambda m: f"dans {alpha2digit(m[1], 'fr', threshold=0)} ", t)
    try:
        day = _read_date(re.sub(r"[a-z]+\.?", _month_token, t), today)
    except (ValueError, OverflowError) as exc:  # 31/02, "dans 99999999 jours"
        if str(exc) == "year":
            return failed("Je n'ai pas compris l'année : écrivez-la en entier, par exemple "
                          f"« septembre {example_start(today).year} ».")
        return failed(f"Cette date n'existe pas : vérifiez le jour et le mois, {examples}.")
    if day is None:
        return failed(f"Je n'ai pas compris la date de démarrage du projet. Donnez une date, {examples}.")
    if day < _add_months(today, -12):
        return failed(f"""Cette date est passée : le {_fr_date(day)} date de plus d'un an. Indiquez la date à
            laquelle le projet démarre (ou a démarré), {examples}.""")
    if day > _add_months(today, 60):
        return failed(f"Cette date est très lointaine ({_fr_date(day)}) : vérifiez l'année, {examples}.")
    return Parsed(day)
