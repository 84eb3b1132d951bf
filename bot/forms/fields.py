"""The field registry: one declaration per answer the assistant collects.

Each :class:`Field` holds its key, the applicant's label, the label used inside a sentence,
the staff and export label, its parser (free French text -> normalised value, or an error
message), the words that name it in a correction, and whether it may stay "à préciser".
The eligibility form, the pre-application form, the CLI, the staff pages and the exports
all read these declarations; the parsers are in :mod:`bot.forms.parsers`; the questions, the "why" texts and the
hints live in :mod:`bot.forms.prompts`, keyed by the same names.
No Rasa import.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.call.facts import CallFacts
from bot.call.format import euros
from bot.forms.parsers import (
    contact_parser,
    eligibility_parser,
    free_text_parser,
    name_in_sentence,
    parse_confirmation,
    parse_consent,
)
from bot.nlp import contact as normalize_contact
from bot.nlp import normalize
from bot.nlp.dates import parse_start_date
from bot.nlp.jobs import parse_jobs
from bot.nlp.parsed import Parsed

__all__ = [
    "APPLICATION_FIELDS", "ELIGIBILITY_FIELDS", "FIELDS", "Field", "LEGAL_FORM_LABELS", "STAGE_LABELS", "field",
    "fields_named", "labels", "parse_field",
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
    Field("consent", "Accord pour l'enregistrement", "votre accord", parse_consent),
    Field("org_name", "Structure", "le nom de la structure",
          name_in_sentence(free_text_parser("le nom de la structure", 2, 200)),
          ("nom de la structure", "nom de l association", "nom de l asso", "raison sociale",
           "nom de l organisation"), free_text=True),
    Field("structure", "Forme juridique", "la forme juridique", eligibility_parser("structure"),
          ("forme juridique", "statut", "statuts", "forme", "structure", "juridique"), skippable=True,
          column="legal_form"),
    Field("esus", "Agrément ESUS", "l'agrément ESUS", eligibility_parser("esus"), ("esus", "agrement"),
          skippable=True),
    Field("siret", "SIRET ou RNA", "le numéro SIRET (ou RNA)", contact_parser(normalize_contact.parse_identifier),
          ("siret", "siren", "rna", "numero rna"), optional=True, export_label="Identifiant (SIRET ou RNA)"),
    Field("commune", "Commune", "la commune", eligibility_parser("commune"),
          ("commune", "ville", "adresse", "code postal", "localisation"), skippable=True),
    Field("contact_name", "Personne à contacter", "le nom de la personne à contacter",
          name_in_sentence(contact_parser(normalize_contact.parse_person_name)),
          ("nom du contact", "nom de la personne", "personne a contacter", "mon nom", "contact"), free_text=True, export_label="Contact"),
    Field("email", "E-mail", "l'adresse e-mail", contact_parser(normalize_contact.parse_email),
          ("e mail", "email", "mail", "courriel", "adresse mail")),
    Field("phone", "Téléphone", "le téléphone", contact_parser(normalize_contact.parse_phone),
          ("telephone", "numero de tel", "tel", "portable", "mobile")),
    Field("project_title", "Titre du projet", "le titre du projet", free_text_parser("le titre du projet", 3, 200),
          ("titre", "nom du projet", "intitule"), free_text=True),
    Field("project_description", "Description", "la description du projet",
          free_text_parser("la description du projet", 20, 3000),
          ("description", "descriptif", "presentation du projet"),
          free_text=True, export_label="Description du projet"),
    Field("beneficiaries", "Public visé", "le public visé", free_text_parser("le public visé", 3, 1000),
          ("public vise", "public", "beneficiaires", "beneficiaire"), free_text=True, export_label="Bénéficiaires"),
    Field("jobs", "Emplois créés ou consolidés", "le nombre d'emplois", contact_parser(parse_jobs),
          ("emplois", "emploi", "postes", "embauches", "embauche", "etp"), export_label="Emplois"),
    Field("start_date", "Date de démarrage prévue", "la date de démarrage",
          contact_parser(parse_start_date), ("date de demarrage", "date", "demarrage prevu"),
          export_label="Date de démarrage", optional=True),
    Field("stage", "Stade du projet", "le stade du projet", eligibility_parser("stage"),
          ("stade", "phase", "etape", "avancement"), skippable=True),
    Field("amount", "Montant demandé", "le montant demandé", eligibility_parser("amount"),
          ("montant demande", "montant", "somme demandee", "somme", "subvention demandee", "subvention"),
          skippable=True, export_label="Montant demandé (€)"),
    Field("total_budget", "Budget total", "le budget total du projet", eligibility_parser("total_budget"),
          ("budget total", "budget", "cout total", "cout du projet", "cout"), skippable=True, export_label="Budget total (€)"),
    Field("other_department_aid", "Autre aide du Département", "une éventuelle autre aide du Département",
          eligibility_parser("other_department_aid"),
          ("autre aide", "aide du departement", "deja une aide", "autre financement"), skippable=True),
    # The last question of the pre-application: the summary, confirmed or not (never saved in a draft).
    Field("summary_confirmed", "Récapitulatif confirmé", "le récapitulatif", parse_confirmation),
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
