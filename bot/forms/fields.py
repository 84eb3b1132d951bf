"""The field registry: one declaration per answer the assistant collects.

Each :class:`Field` holds its key, the applicant's label, the label used inside a sentence,
the staff and export label, its parser (free French text -> normalised value, or an error
message), the words that name it in a correction, and whether it may stay "à préciser".
The eligibility form, the pre-application form, the CLI, the staff pages and the exports
all read these declarations; the questions, the "why" texts and the help live in
:mod:`bot.eligibility.prompts` and :mod:`bot.application.prompts`, keyed by the same names.
No Rasa import.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.call.facts import CallFacts
from bot.nlp import contact as normalize_contact
from bot.nlp import normalize
from bot.nlp.bounds import MAX_AMOUNT, amount_in_range, has_exponent, has_negative_number, jobs_in_range
from bot.nlp.contact import Parsed

__all__ = [
    "APPLICATION_FIELDS", "ELIGIBILITY_FIELDS", "FIELDS", "Field", "LEGAL_FORM_LABELS", "MAX_AMOUNT",
    "STAGE_LABELS", "field", "fields_named", "in_range", "parse_field", "read_money", "strip_identifiers",
]

LEGAL_FORM_LABELS: dict[str, str] = {
    "association": "association", "cooperative": "coopérative", "mutuelle": "mutuelle", "fondation": "fondation",
    "siae": "structure d'insertion (SIAE)", "esus_company": "entreprise agréée ESUS",
    "company": "entreprise commerciale", "company_no_esus": "entreprise commerciale sans agrément ESUS",
    "sole_trader": "entrepreneur individuel", "public_body": "organisme public",
    "group_in_creation": "collectif pas encore constitué",
}
STAGE_LABELS: dict[str, str] = {
    "emergence": "émergence", "startup": "démarrage", "established": "déjà en activité",
    "running_costs": "fonctionnement courant",
}


def read_money(value: Any) -> float | None:
    """An amount in euros from a number or French text; None when absent, zero, negative or absurd
    (a minus sign anywhere before a number, "1e9", more than :data:`MAX_AMOUNT`).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if amount_in_range(value) else None
    text = str(value)
    if has_negative_number(text) or has_exponent(text) or looks_like_phone(text):
        return None
    amount = normalize.parse_amount(text)
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
    from bot.eligibility.prompts import (  # texts only; imported late to keep this module light
        INVALID,
        money_out_of_range,
    )

    value = read_money(text)
    if value is not None:
        return Parsed(value)
    if has_negative_number(text):
        return Parsed(None, money_out_of_range(key, negative=True))
    if looks_like_phone(text):
        return Parsed(None, "Cela ressemble à un numéro de téléphone, pas à une somme. " + INVALID[key])
    raw = None if has_exponent(text) else normalize.parse_amount(text)
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


def _eligibility_parser(key: str) -> Callable[[str, CallFacts], Parsed]:
    def parse(text: str, call: CallFacts) -> Parsed:
        from bot.eligibility.prompts import INVALID  # texts only; imported late to keep this module light

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


def _contact_parser(parse: Callable[[str], Parsed]) -> Callable[[str, CallFacts], Parsed]:
    def parse_text(text: str, call: CallFacts) -> Parsed:
        parsed = parse(text)
        value = parsed.value.isoformat() if hasattr(parsed.value, "isoformat") else parsed.value
        return Parsed(value, parsed.error)
    return parse_text


def _free(label: str, min_chars: int, max_chars: int) -> Callable[[str, CallFacts], Parsed]:
    return _contact_parser(lambda text: normalize_contact.parse_free_text(
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


def _name(parse: Callable[[str, CallFacts], Parsed]) -> Callable[[str, CallFacts], Parsed]:
    """A name typed in a sentence ("c'est moi, Marie Curie", "Marie Curie, marie@exemple.fr")."""
    return lambda text, call: parse(_INTRODUCTION.sub("", strip_identifiers(text), count=1) or text, call)


_ACCEPT = re.compile(r"\b(j accepte|accepte|acceptons|je consens|consentement|allez y|vas y|ca me va|je veux bien)\b")
_REFUSE = re.compile(r"\b(je refuse|refuse|refusons|pas d accord|je ne veux pas|je prefere pas|je prefere ne pas)\b")


def _consent(text: str, call: CallFacts) -> Parsed:
    from bot.application.prompts import CONSENT_NOT_UNDERSTOOD

    folded = normalize.fold(text)
    value = False if _REFUSE.search(folded) else True if _ACCEPT.search(folded) else normalize.parse_yes_no(text)
    return _checked(value, CONSENT_NOT_UNDERSTOOD)


_CONFIRM = re.compile(
    r"\b(c est (tout )?bon|tout est (bon|juste|correct|ok|exact)|je (confirme|valide)|confirme[rz]?|valide[rz]?"
    r"|validation|parfait|nickel|impeccable|rien a (changer|modifier|corriger)|c est (parfait|juste|exact))\b")
_NOT_CONFIRMED = re.compile(r"\b(pas|plus|non|rien n est)\b")


def _confirmation(text: str, call: CallFacts) -> Parsed:
    """The answer to the summary: "oui", "c'est bon", "je confirme", "valider" -> True; "non" -> False."""
    from bot.application.prompts import SUMMARY_NOT_UNDERSTOOD

    folded = normalize.fold(text)
    if _CONFIRM.search(folded) and not _NOT_CONFIRMED.search(_CONFIRM.sub(" ", folded)):
        return Parsed(True)
    return _checked(normalize.parse_yes_no(text), SUMMARY_NOT_UNDERSTOOD)


@dataclass(frozen=True)
class Field:
    key: str
    label: str                # the applicant's and the staff's label ("Montant demandé")
    phrase: str               # inside a sentence ("le montant demandé")
    parse: Callable[[str, CallFacts], Parsed]
    words: tuple[str, ...] = ()   # folded words naming the field in a correction, most specific first
    skippable: bool = False   # may stay "à préciser" when the applicant does not know
    column: str | None = None  # column of the drafts table when it differs from the key
    export_label: str | None = None
    free_text: bool = False   # any text is a value: a correction must say where the new value starts
    optional: bool = False    # may stay "à préciser" in the pre-application: "je n'en ai pas" moves on at once

    @property
    def staff_label(self) -> str:
        return self.export_label or self.label

    @property
    def db_column(self) -> str:
        return self.column or self.key

    def display(self, value: Any) -> str:
        """A value as the applicant and the staff read it."""
        from bot.faq.answers import euros

        if value is None or value == "":
            return "à préciser" if self.skippable or self.optional else "—"
        if self.key == "structure":
            return LEGAL_FORM_LABELS.get(value, str(value))
        if self.key == "stage":
            return STAGE_LABELS.get(value, str(value))
        if self.key in ("amount", "total_budget"):
            return euros(float(value))
        if isinstance(value, bool):
            return "oui" if value else "non"
        if self.key == "start_date":
            match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value))
            return f"{match[3]}/{match[2]}/{match[1]}" if match else str(value)
        return str(value)


_FIELDS = (
    Field("consent", "Accord pour l'enregistrement", "votre accord", _consent),
    Field("org_name", "Structure", "le nom de la structure", _name(_free("le nom de la structure", 2, 200)),
          ("nom de la structure", "nom de l association", "nom de l asso", "raison sociale",
           "nom de l organisation"), free_text=True),
    Field("structure", "Forme juridique", "la forme juridique", _eligibility_parser("structure"),
          ("forme juridique", "statut", "statuts", "forme", "structure", "juridique"), skippable=True,
          column="legal_form"),
    Field("esus", "Agrément ESUS", "l'agrément ESUS", _eligibility_parser("esus"), ("esus", "agrement"),
          skippable=True),
    Field("siret", "SIRET ou RNA", "le numéro SIRET (ou RNA)", _contact_parser(normalize_contact.parse_identifier),
          ("siret", "siren", "rna", "numero rna"), optional=True, export_label="Identifiant (SIRET ou RNA)"),
    Field("commune", "Commune", "la commune", _eligibility_parser("commune"),
          ("commune", "ville", "adresse", "code postal", "localisation"), skippable=True),
    Field("contact_name", "Personne à contacter", "le nom de la personne à contacter",
          _name(_contact_parser(normalize_contact.parse_person_name)),
          ("nom du contact", "nom de la personne", "personne a contacter", "mon nom", "contact"), free_text=True, export_label="Contact"),
    Field("email", "E-mail", "l'adresse e-mail", _contact_parser(normalize_contact.parse_email),
          ("e mail", "email", "mail", "courriel", "adresse mail")),
    Field("phone", "Téléphone", "le téléphone", _contact_parser(normalize_contact.parse_phone),
          ("telephone", "numero de tel", "tel", "portable", "mobile")),
    Field("project_title", "Titre du projet", "le titre du projet", _free("le titre du projet", 3, 200),
          ("titre", "nom du projet", "intitule"), free_text=True),
    Field("project_description", "Description", "la description du projet",
          _free("la description du projet", 20, 3000), ("description", "descriptif", "presentation du projet"),
          free_text=True, export_label="Description du projet"),
    Field("beneficiaries", "Public visé", "le public visé", _free("le public visé", 3, 1000),
          ("public vise", "public", "beneficiaires", "beneficiaire"), free_text=True, export_label="Bénéficiaires"),
    Field("jobs", "Emplois créés ou consolidés", "le nombre d'emplois", _contact_parser(normalize_contact.parse_jobs),
          ("emplois", "emploi", "postes", "embauches", "embauche", "etp"), export_label="Emplois"),
    Field("start_date", "Date de démarrage prévue", "la date de démarrage",
          _contact_parser(normalize_contact.parse_start_date), ("date de demarrage", "date", "demarrage prevu"),
          export_label="Date de démarrage", optional=True),
    Field("stage", "Stade du projet", "le stade du projet", _eligibility_parser("stage"),
          ("stade", "phase", "etape", "avancement"), skippable=True),
    Field("amount", "Montant demandé", "le montant demandé", _eligibility_parser("amount"),
          ("montant demande", "montant", "somme demandee", "somme", "subvention demandee", "subvention"),
          skippable=True, export_label="Montant demandé (€)"),
    Field("total_budget", "Budget total", "le budget total du projet", _eligibility_parser("total_budget"),
          ("budget total", "budget", "cout total", "cout du projet", "cout"), skippable=True, export_label="Budget total (€)"),
    Field("other_department_aid", "Autre aide du Département", "une éventuelle autre aide du Département",
          _eligibility_parser("other_department_aid"),
          ("autre aide", "aide du departement", "deja une aide", "autre financement"), skippable=True),
    # The last question of the pre-application: the summary, confirmed or not (never saved in a draft).
    Field("summary_confirmed", "Récapitulatif confirmé", "le récapitulatif", _confirmation),
)

FIELDS: dict[str, Field] = {f.key: f for f in _FIELDS}
ELIGIBILITY_FIELDS = ("structure", "esus", "commune", "stage", "amount", "total_budget", "other_department_aid")
APPLICATION_FIELDS = (
    "org_name", "structure", "siret", "commune", "contact_name", "email", "phone", "project_title",
    "project_description", "beneficiaries", "jobs", "start_date", "stage", "amount", "total_budget",
    "other_department_aid",
)


def field(key: str) -> Field:
    return FIELDS[key]


def parse_field(key: str, text: str, call: CallFacts) -> Parsed:
    """The value of one field read from a whole message, or the French error to show."""
    return FIELDS[key].parse(text or "", call)


_WORD_PATTERNS: dict[str, re.Pattern[str]] = {
    f.key: re.compile(r"\b(" + "|".join(re.escape(w) for w in f.words) + r")\b") for f in _FIELDS if f.words
}


def fields_named(text: str, among: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The fields a message names ("je me suis trompé sur le montant" -> ("amount",)), matched on
    word boundaries, the most specific name first (the longest matching word wins).
    """
    folded = normalize.fold(text or "")
    spans = [(m.start(1), m.end(1), key) for key, pattern in _WORD_PATTERNS.items()
             if among is None or key in among for m in pattern.finditer(folded)]
    # A name inside a longer one ("structure" in "nom de la structure") does not count.
    spans = [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and o[1] - o[0] > s[1] - s[0]
                                         for o in spans)]
    best: dict[str, int] = {}
    for start, end, key in spans:
        best[key] = max(best.get(key, 0), end - start)
    return tuple(sorted(best, key=lambda key: -best[key]))


def labels(keys: tuple[str, ...], attribute: str = "label") -> Mapping[str, str]:
    return {key: getattr(FIELDS[key], attribute) for key in keys}
