"""The number of jobs a project creates or consolidates, from French free text. Pure, no Rasa, no I/O;
returns a :class:`~bot.nlp.parsed.Parsed`.

A part-time job counts as one job ("un mi-temps" -> 1); fractions of FTE are rounded up ("1,5 ETP" -> 2: a
fraction of a post is still someone employed); "2 créés et 3 consolidés" -> 5; what follows "dont" is a
detail and is ignored; "2 ou 3" is refused (one number is needed).
"""
from __future__ import annotations

import math
import re

from text_to_num import alpha2digit

from bot.nlp.bounds import MAX_JOBS, has_exponent, has_negative_number
from bot.nlp.normalize import fold
from bot.nlp.parsed import Parsed, failed, text_of
from bot.nlp.text import MARKUP_REFUSED, without_markup

__all__ = ["parse_jobs"]

_JOBS_EXAMPLE = "par exemple « 2 » ou « 3 emplois »"
_NOT_JOBS = re.compile(r" ?(%|€|euros?\b|ans?\b|annees?\b|mois\b|heures?\b|h\b|jours?\b)")
_NUMBER = re.compile(r"(?<![\d,.])(\d{1,3}(?: \d{3})+|\d+(?:[.,]\d+)?)(?![\d,.])")


def parse_jobs(text: object) -> Parsed:
    """Jobs created or consolidated: "deux emplois" -> 2, "aucun" -> 0, "1,5 ETP" -> 2 (see module doc). Read
    without its HTML ("<b>2</b>" -> 2); "<script>alert(1)</script>" holds no number of jobs, and is told so.
    """
    raw = text_of(text)
    clean = without_markup(raw)
    parsed = _jobs_in(clean)
    if parsed.value is None and clean != raw.strip():
        return failed(f"{MARKUP_REFUSED} Répondez en chiffres, {_JOBS_EXAMPLE}.")
    return parsed


def _jobs_in(text: str) -> Parsed:
    if has_negative_number(text_of(text)):  # "-3", "on crée -3 emplois", "2 emplois et -1"
        return failed(f"Le nombre d'emplois ne peut pas être négatif, {_JOBS_EXAMPLE}.")
    if has_exponent(text_of(text)):  # "1e9"
        return failed(f"Écrivez le nombre d'emplois en chiffres, {_JOBS_EXAMPLE}.")
    t = re.sub(r"\bzero\b", "0", fold(text).split(" dont ")[0])
    t = re.sub(r"\bpas (un seul|une seule)\b", "aucun", re.sub(r"\b(quelques|certain|l) une?s?\b", "x", t))
    t = alpha2digit(t, "fr", threshold=0)
    t = re.sub(r"\b(en|d ici|depuis|fin|debut) (19|20)\d\d\b", " ", t)
    numbers = [float(m[1].replace(" ", "").replace(",", ".")) for m in _NUMBER.finditer(t)
               if not _NOT_JOBS.match(t, m.end())]
    if not numbers:
        if re.search(r"\b(aucun|aucune|pas d emplois?|pas de postes?|rien|non)\b", t):
            return Parsed(0)
        return failed(f"""Je n'ai pas trouvé de nombre : combien d'emplois le projet crée-t-il ou consolide-t-il ?
            Répondez en chiffres, {_JOBS_EXAMPLE} (ou « aucun »).""")
    if len(numbers) > 1 and (re.search(r"\d (ou|a|voire) \d|\bentre \d", t)
                             or re.search(r"\d\s*[-‐‑–—]\s*\d", text_of(text))):  # "3 - 5 emplois": a range
        return failed(f"J'ai trouvé plusieurs nombres : indiquez un seul nombre d'emplois, {_JOBS_EXAMPLE}.")
    total = math.ceil(sum(numbers) - 1e-9)
    if total > MAX_JOBS:
        return failed(f"""Plus de 1 000 emplois, c'est inhabituel pour cet appel à projets : vérifiez le nombre,
            {_JOBS_EXAMPLE}.""")
    return Parsed(total)
