"""Facts a message describing the project states with clear cues: legal form, commune by name, stage,
request and budget, another aid of the Department ("une asso à Vitry qui lance une épicerie, on demande 9 000 € sur 40 000 €"). Never a bare
number: a figure counts only with words that say what it is. Pure, no Rasa.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.call.facts import CallFacts
from bot.forms.parsers import read_money
from bot.nlp import normalize
from bot.nlp.amounts import parse_amounts, parse_request_and_budget
from bot.nlp.communes import match_commune

_STAGE_WORDS = re.compile(
    r"\b(emergen\w*|demarr\w*|lancement|on lance|lancer|experimentation|faisabilite|fonctionnement"
    rf"|en activite|deja actif|deja active|phase|stade|{normalize.PROJECT_IN_CREATION})\b")
_REQUEST_WORDS = re.compile(
    r"\b(demand|sollicit|subvention|aide de|aide d environ|besoin de|financement de|montant|obtenir|recevoir)")
_BUDGET_WORDS = re.compile(r"\b(budget|cout|coute|total|globale?)\b")
# Not sums: "loi 1901", postcodes, and a department by its number ("une subvention du 94").
_NOT_AMOUNTS = re.compile(r"\bloi (de )?1901\b|\b(code postal|cp)\s*\d{5}\b|\b9[1-5] ?\d{3}\b|\b7[578] ?\d{3}\b"
                          r"|\b(du|le|au|dans le) 9[1-5]\b(?!\s*(€|eur|k\b|[\d.,]))")
_AID = r"(aide|subvention|financement|soutien|subventionn\w*|financ\w*|soutenu\w*)"
_DEPARTMENT = r"(departement|conseil departemental|cd ?94|val de marne|94)"
# "on n'a pas d'autre aide du département", "aucune subvention du conseil départemental": no other aid.
_NO_AID = re.compile(rf"\b(pas|aucune?|jamais)\b(\s+\w+){{0,3}}?\s+{_AID}\b(\s+\w+){{0,4}}?\s+{_DEPARTMENT}\b")
# "on a déjà une subvention du département", "le département nous finance déjà": an aid already.
_HAS_AID = re.compile(rf"\b(deja|actuellement)\b(\s+\w+){{0,3}}?\s+{_AID}\b(\s+\w+){{0,4}}?\s+{_DEPARTMENT}\b"
                      rf"|\b{_DEPARTMENT}\s+(nous\s+)?(finance|subventionne|aide|soutient)\w*\s+deja\b")
_POSTCODE_CUE = re.compile(r"\b(code postal|cp)\s*(\d{2} ?\d{3})\b|(?<!\d)(94 ?\d{3})(?!\d)")


def _commune_in_description(text: str, call: CallFacts) -> str | None:
    """A commune named in a sentence: by its name (no fuzzy guess), or a 94 postcode, never a bare number."""
    folded = normalize.fold(text)  # punctuation kept: a comma ends a place name
    code = _POSTCODE_CUE.search(normalize.fold_words(text))
    names_only = re.sub(r"\d+", " ", folded)
    match = match_commune(names_only, call, normalize.fold, fuzzy=False)
    if match is None and code:
        match = normalize.parse_commune((code.group(2) or code.group(3)), call)
    if match is None:
        return None
    return match.name if match.in_territory or not match.postcode else match.postcode


def amounts_in_description(text: str) -> dict[str, float]:
    """The request and the budget named in a sentence, only with words that say which is which."""
    folded = _NOT_AMOUNTS.sub(" ", normalize.fold(text))  # punctuation kept: "5,5k€"
    amounts = [a for a in parse_amounts(folded) if read_money(a) is not None]
    if len(amounts) >= 2:
        request, budget = parse_request_and_budget(folded)
        found = {"amount": request, "total_budget": budget}
        return {k: v for k, v in found.items() if v is not None and read_money(v) is not None}
    if len(amounts) == 1:
        if _BUDGET_WORDS.search(folded):
            return {"total_budget": amounts[0]}
        if _REQUEST_WORDS.search(folded):
            return {"amount": amounts[0]}
    return {}


def other_aid_in_description(text: str) -> bool | None:
    """Whether a sentence says the project already has an aid of the Department (True), says it has none
    (False), or says neither (None): only with words about an aid and the Department together.
    """
    folded = normalize.fold_words(text)
    if _NO_AID.search(folded):
        return False
    if _HAS_AID.search(folded):
        return True
    return None


def facts_in(text: str, call: CallFacts, among: Sequence[str]) -> dict[str, Any]:
    """Facts a message states with clear cues: legal form, commune by name, stage, request, budget, other aid."""
    facts: dict[str, Any] = {}
    folded = normalize.fold_words(text)
    form = normalize.parse_legal_form(re.sub(r"\b(communes?|departement|region|ville)\b", " ", folded))
    if form == "public_body" and not re.search(r"\b(mairie|ccas|collectivite|etablissement public)", folded):
        form = None
    if form:
        facts["structure"] = form
        if form in ("esus_company", "company_no_esus"):
            facts["esus"] = form == "esus_company"
    commune = _commune_in_description(text, call)
    if commune:
        facts["commune"] = commune
    stage = normalize.parse_stage(folded) if _STAGE_WORDS.search(folded) else None
    if stage:  # only from words about the project's stage, never "test d'éligibilité" or "asso depuis 2010"
        facts["stage"] = stage
    facts.update(amounts_in_description(text))
    aid = other_aid_in_description(text)
    if aid is not None:
        facts["other_department_aid"] = aid
    return {k: v for k, v in facts.items() if k in among}


def describes_project(text: str, call: CallFacts) -> bool:
    """A message that states at least two facts of the project, one of them the structure or the place."""
    facts = facts_in(text, call, ("structure", "commune", "stage", "amount", "total_budget"))
    return len(facts) >= 2 and bool({"structure", "commune"} & set(facts))
