"""The parsers of the field registry (:mod:`bot.forms.fields`): free French text -> a field's value.

Each parser takes the whole message and the call's facts and returns a :class:`~bot.nlp.parsed.Parsed`
(the value, or the French message to show). They wrap the normalisers of :mod:`bot.nlp` with what a form
needs: the bounds of amounts, a name typed in a sentence, the consent and the summary's confirmation.
No Rasa import.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.call.facts import CallFacts
from bot.forms.prompts import CONSENT_NOT_UNDERSTOOD, INVALID, SUMMARY_NOT_UNDERSTOOD, money_out_of_range
from bot.nlp import contact as normalize_contact
from bot.nlp import normalize
from bot.nlp.amounts import parse_amount
from bot.nlp.bounds import MAX_AMOUNT, amount_in_range, has_exponent, has_negative_number, jobs_in_range
from bot.nlp.parsed import Parsed
from bot.nlp.text import MARKUP_REFUSED, without_markup


def read_money(value: Any) -> float | None:
    """An amount in euros from a number or French text; None when absent, zero, negative or absurd
    (a minus sign anywhere before a number, "1e9", more than :data:`MAX_AMOUNT`).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if amount_in_range(value) else None
    return _money_in(without_markup(str(value)))  # "<script>alert(1)</script>" is not 1 €


def _money_in(text: str) -> float | None:
    """:func:`read_money` of a text without markup."""
    if has_negative_number(text) or has_exponent(text) or looks_like_phone(text):
        return None
    amount = parse_amount(text)
    return amount if amount_in_range(amount) else None


def looks_like_phone(text: str) -> bool:
    """A French phone number and nothing else ("07 61 22 33 44"): never read as an amount of 7 €."""
    return normalize_contact.parse_phone(text).value is not None


def in_range(key: str, value: Any) -> bool:
    """Whether a numeric answer keeps the bounds of its parser (amounts and budget: above zero, at most
    :data:`MAX_AMOUNT`; jobs: a whole number from 0 to 1 000). Other fields and empty values pass. Checked
    again before a draft is saved, whatever set the slot.
    """
    if value is None:
        return True
    if key in ("amount", "total_budget"):
        return amount_in_range(value)
    if key == "jobs":
        return jobs_in_range(value)
    return True


def _money(key: str, text: str) -> Parsed:
    """An amount or a budget, with the reason when it is negative or absurdly large."""
    clean = without_markup(text)
    value = _money_in(clean)
    if value is not None:
        return Parsed(value)
    if clean != text.strip():
        return Parsed(None, f"{MARKUP_REFUSED} {INVALID[key]}")
    if has_negative_number(text):
        return Parsed(None, money_out_of_range(key, negative=True))
    if looks_like_phone(text):
        return Parsed(None, "Cela ressemble à un numéro de téléphone, pas à une somme. " + INVALID[key])
    raw = None if has_exponent(text) else parse_amount(text)
    if raw is not None and raw > MAX_AMOUNT:
        return Parsed(None, money_out_of_range(key, negative=False))
    return Parsed(None, INVALID[key])


def _commune(text: str, call: CallFacts) -> str | None:
    match = normalize.parse_commune(text, call)
    if match is None:
        return None
    return match.name if match.in_territory or not match.postcode else match.postcode


def _checked(value: Any, error: str) -> Parsed:
    return Parsed(value) if value is not None else Parsed(None, error)


def eligibility_parser(key: str) -> Callable[[str, CallFacts], Parsed]:
    """The parser of an eligibility answer: legal form, commune, stage, amount or budget, or yes/no."""

    def parse(text: str, call: CallFacts) -> Parsed:
        if key == "structure":
            value: Any = normalize.parse_legal_form(text)
        elif key == "commune":
            value = _commune(text, call)
        elif key == "stage":
            value = normalize.parse_stage(text)
        elif key in ("amount", "total_budget"):
            return _money(key, text)
        else:
            value = normalize.parse_yes_no(text)
        return _checked(value, INVALID[key])
    return parse


def contact_parser(parse: Callable[[str], Parsed]) -> Callable[[str, CallFacts], Parsed]:
    """A parser of :mod:`bot.nlp.contact` as a field parser; a date comes back in ISO format."""

    def parse_text(text: str, call: CallFacts) -> Parsed:
        parsed = parse(text)
        value = parsed.value.isoformat() if hasattr(parsed.value, "isoformat") else parsed.value
        return Parsed(value, parsed.error)
    return parse_text


def free_text_parser(label: str, min_chars: int, max_chars: int) -> Callable[[str, CallFacts], Parsed]:
    """Free text of ``min_chars`` to ``max_chars`` characters; ``label`` completes the error messages."""
    return contact_parser(lambda text: normalize_contact.parse_free_text(
        text, min_chars=min_chars, max_chars=max_chars, field_label=label))


_IDENTIFIERS = re.compile(r"\S+@\S+|(?:\+33|0033|0)[\s.\-]?[1-9](?:[\s.\-]?\d{2}){4}|\b(?:\d[\s.]?){14}\b")


def strip_identifiers(text: str) -> str:
    """A name typed with an e-mail or phone number after it: keep the name only."""
    cleaned = re.sub(r"\s+", " ", _IDENTIFIERS.sub(" ", text or "")).strip()
    for _ in range(3):  # "Marie Curie mail : … tél : …" ends with two such words
        cleaned = re.sub(r"[\s,;:/-]*\b(siret|e-?mail|mail|t[ée]l[ée]phone|t[ée]l|num[ée]ro)\b[\s:]*$", "",
                         cleaned, flags=re.IGNORECASE)
    return cleaned.strip(" ,;:-")


_INTRODUCTION = re.compile(
    r"^\s*(c\s*['’]?\s*est\s+moi\s*[,:-]?|moi\s*[,:-]?\s*c\s*['’]?\s*est|je\s+suis|je\s+m\s*['’]?\s*appelle"
    r"|c\s*['’]?\s*est|mon\s+nom\s+(c\s*['’]?\s*est|est)|ce\s+sera|il\s+s\s*['’]?\s*agit\s+de)\s*[,:-]?\s*",
    re.IGNORECASE)


def name_in_sentence(parse: Callable[[str, CallFacts], Parsed]) -> Callable[[str, CallFacts], Parsed]:
    """A name typed in a sentence ("c'est moi, Marie Curie", "Marie Curie, marie@exemple.fr")."""
    return lambda text, call: parse(_INTRODUCTION.sub("", strip_identifiers(text), count=1) or text, call)


_ACCEPT = re.compile(r"\b(j accepte|accepte|acceptons|je consens|consentement|allez y|vas y|ca me va|je veux bien)\b")
_REFUSE = re.compile(r"\b(je refuse|refuse|refusons|pas d accord|je ne veux pas|je prefere pas|je prefere ne pas)\b")


def parse_consent(text: str, call: CallFacts) -> Parsed:
    """The consent to recording: "j'accepte", "oui" -> True; "je refuse", "non" -> False. A bare "non" beside a
    commune or a legal form answers something else ("ah non pardon, Fontenay-sous-Bois", correcting an answer
    typed before): not a refusal, the question is asked again; "je refuse" still refuses.
    """
    folded = normalize.fold(text)
    if _REFUSE.search(folded):
        return Parsed(False)
    if _ACCEPT.search(folded):
        return Parsed(True)
    value = normalize.parse_yes_no(text)
    if value is False and (normalize.parse_commune(text, call) is not None
                           or normalize.parse_legal_form(text) is not None):
        value = None
    return _checked(value, CONSENT_NOT_UNDERSTOOD)


_CONFIRM = re.compile(
    r"\b(c est (tout )?bon|tout est (bon|juste|correct|ok|exact)|je (confirme|valide)|confirme[rz]?|valide[rz]?"
    r"|validation|parfait|nickel|impeccable|rien a (changer|modifier|corriger)|c est (parfait|juste|exact))\b")
_NOT_CONFIRMED = re.compile(r"\b(pas|plus|non|rien n est)\b")


def parse_confirmation(text: str, call: CallFacts) -> Parsed:
    """The answer to the summary: "oui", "c'est bon", "je confirme", "valider" -> True; "non" -> False."""
    folded = normalize.fold(text)
    if _CONFIRM.search(folded) and not _NOT_CONFIRMED.search(_CONFIRM.sub(" ", folded)):
        return Parsed(True)
    return _checked(normalize.parse_yes_no(text), SUMMARY_NOT_UNDERSTOOD)
