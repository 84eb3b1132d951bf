"""The pre-application: fields, their French labels and parsers, and saving to the database.

No Rasa import: the actions in ``actions/drafts.py`` call these functions.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from sqlalchemy.exc import SQLAlchemyError

from bot import normalize, normalize_contact
from bot.answers import euros
from bot.call import CallFacts
from bot.db import drafts as repo
from bot.db.session import session_scope
from bot.eligibility import evaluate

# Slot name -> column of the drafts table (the same name unless listed here).
COLUMN_OF = {"structure": "legal_form"}

APPLICATION_FIELDS = (
    "org_name", "structure", "siret", "commune", "contact_name", "email", "phone", "project_title",
    "project_description", "beneficiaries", "jobs", "start_date", "stage", "amount", "total_budget",
    "other_department_aid",
)

FIELD_LABELS = {
    "org_name": "Structure", "structure": "Forme juridique", "siret": "SIRET", "commune": "Commune",
    "contact_name": "Personne à contacter", "email": "E-mail", "phone": "Téléphone",
    "project_title": "Titre du projet", "project_description": "Description", "beneficiaries": "Public visé",
    "jobs": "Emplois créés ou consolidés", "start_date": "Date de démarrage prévue", "stage": "Stade du projet",
    "amount": "Montant demandé", "total_budget": "Budget total", "other_department_aid": "Autre aide du Département",
}

LEGAL_FORM_LABELS = {
    "association": "association", "cooperative": "coopérative", "mutuelle": "mutuelle", "fondation": "fondation",
    "siae": "structure d'insertion (SIAE)", "esus_company": "entreprise agréée ESUS",
    "company": "entreprise commerciale", "company_no_esus": "entreprise commerciale sans agrément ESUS",
    "sole_trader": "entrepreneur individuel", "public_body": "organisme public",
    "group_in_creation": "collectif pas encore constitué",
}
STAGE_LABELS = {"emergence": "émergence", "startup": "démarrage", "established": "déjà en activité",
                "running_costs": "fonctionnement courant"}

REFERENCE = re.compile(r"\bESS[\s-]?(\d{4})[\s-]?(\d{1,6})\b", re.IGNORECASE)

Parser = Callable[[str], normalize_contact.Parsed]


def _free(label: str, min_chars: int = 2, max_chars: int = 2000) -> Parser:
    return lambda text: normalize_contact.parse_free_text(text, min_chars=min_chars, max_chars=max_chars,
                                                          field_label=label)


CONTACT_PARSERS: Dict[str, Parser] = {
    "org_name": _free("le nom de la structure", 2, 200),
    "siret": normalize_contact.parse_siret,
    "contact_name": normalize_contact.parse_person_name,
    "email": normalize_contact.parse_email,
    "phone": normalize_contact.parse_phone,
    "project_title": _free("le titre du projet", 3, 200),
    "project_description": _free("la description du projet", 20, 3000),
    "beneficiaries": _free("le public visé", 3, 1000),
    "jobs": normalize_contact.parse_jobs,
    "start_date": lambda text: normalize_contact.parse_start_date(text),
}


def parse_reference(text: str) -> Optional[str]:
    """'ess 2026 42' -> 'ESS-2026-0042'."""
    match = REFERENCE.search(text or "")
    return f"ESS-{match.group(1)}-{int(match.group(2)):04d}" if match else None


def display_value(field: str, value: Any) -> str:
    """A slot value as the applicant reads it in the summary."""
    if value is None or value == "":
        return "—"
    if field == "structure":
        return LEGAL_FORM_LABELS.get(value, str(value))
    if field == "stage":
        return STAGE_LABELS.get(value, str(value))
    if field in ("amount", "total_budget"):
        return euros(float(value))
    if field == "other_department_aid":
        return "oui" if value else "non"
    if field == "start_date":
        try:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return str(value)


def summary_text(answers: Mapping[str, Any]) -> str:
    lines = ["Voici le récapitulatif de votre pré-candidature :"]
    for field in APPLICATION_FIELDS:
        if field == "siret" and answers.get("structure") == "group_in_creation" and not answers.get("siret"):
            continue
        lines.append(f"- {FIELD_LABELS[field]} : {display_value(field, answers.get(field))}")
    lines.append(
        "Tout est correct ? Répondez « oui » pour confirmer, ou dites ce que vous voulez changer "
        "(par exemple « change l'e-mail » ou « le montant c'est 9 000 en fait »)."
    )
    return "\n".join(lines)


def _column_values(answers: Mapping[str, Any]) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    for field in APPLICATION_FIELDS:
        value = answers.get(field)
        if value is None:
            continue
        if field == "start_date":
            value = date.fromisoformat(str(value))
        values[COLUMN_OF.get(field, field)] = value
    return values


def _sources(sources: Mapping[str, Mapping[str, str]]) -> Dict[str, Tuple[str, datetime]]:
    out = {}
    for field, source in (sources or {}).items():
        if field in APPLICATION_FIELDS:
            at = datetime.fromisoformat(source["at"]) if source.get("at") else datetime.now(timezone.utc)
            out[COLUMN_OF.get(field, field)] = (source.get("message") or "", at)
    return out


class SaveFailed(Exception):
    """The database could not be reached or refused the write."""


def save_draft(conversation_id: str, reference: Optional[str], answers: Mapping[str, Any],
               sources: Mapping[str, Mapping[str, str]], consent_at: Optional[str], call: CallFacts) -> str:
    """Write every answer known so far (idempotent); returns the draft's reference."""
    verdict = evaluate({k: answers.get(k) for k in ("structure", "esus", "commune", "stage", "amount",
                                                    "total_budget", "other_department_aid")}, call)
    try:
        with session_scope() as session:
            draft = repo.get_by_reference(session, reference) if reference else None
            if draft is None:
                consent = datetime.fromisoformat(consent_at) if consent_at else None
                draft = repo.get_or_create_draft(session, conversation_id, consent_at=consent)
            values = _column_values(answers)
            values["verdict"] = verdict.verdict
            values["verdict_reasons"] = verdict.to_dict()["reasons"]
            column_sources = {k: v for k, v in _sources(sources).items() if k in values}
            repo.update_fields(session, draft, values, column_sources)
            return draft.reference
    except SQLAlchemyError as exc:
        raise SaveFailed(str(exc)) from exc


def load_for_resume(reference: str, email: str) -> Optional[Dict[str, Any]]:
    """The draft's answers as slot values, only when the e-mail matches; None otherwise."""
    try:
        with session_scope() as session:
            draft = repo.get_by_reference(session, reference)
            if draft is None or not repo.email_matches(draft, email):
                return None
            slots: Dict[str, Any] = {}
            for field in APPLICATION_FIELDS:
                value = getattr(draft, COLUMN_OF.get(field, field))
                if isinstance(value, date):
                    value = value.isoformat()
                elif value is not None and field in ("amount", "total_budget"):
                    value = float(value)
                slots[field] = value
            slots["draft_reference"] = draft.reference
            slots["consent"] = True
            slots["consent_at"] = draft.consent_at.isoformat() if draft.consent_at else None
            return slots
    except SQLAlchemyError as exc:
        raise SaveFailed(str(exc)) from exc


def delete_drafts(conversation_id: str, reference: Optional[str]) -> int:
    """Delete the draft of this conversation (and the resumed one), with their conversations."""
    deleted = 0
    try:
        with session_scope() as session:
            for draft in {d for d in (repo.get_by_conversation(session, conversation_id),
                                      repo.get_by_reference(session, reference) if reference else None) if d}:
                repo.delete_draft(session, draft)
                deleted += 1
    except SQLAlchemyError as exc:
        raise SaveFailed(str(exc)) from exc
    return deleted


def parse_eligibility_field(field: str, text: str, call: CallFacts) -> Any:
    """Shared fields (legal form, commune…) use the eligibility normalisers."""
    if field == "structure":
        return normalize.parse_legal_form(text)
    if field == "commune":
        match = normalize.parse_commune(text, call)
        if match is None:
            return None
        return match.name if match.in_territory or not match.postcode else match.postcode
    if field == "stage":
        return normalize.parse_stage(text)
    if field in ("amount", "total_budget"):
        return normalize.parse_amount(text)
    if field in ("esus", "other_department_aid", "consent"):
        return normalize.parse_yes_no(text)
    raise KeyError(field)


# Words (folded) naming a field of the pre-application, most specific first.
_FIELD_WORDS = (
    ("contact_name", ("nom du contact", "nom de la personne", "mon nom", "personne a contacter", "contact")),
    ("org_name", ("nom de la structure", "nom de l asso", "nom de l association", "nom de la structure",
                  "raison sociale", "nom de l organisation")),
    ("email", ("mail", "courriel")),
    ("phone", ("telephone", "tel", "portable", "numero de tel")),
    ("siret", ("siret", "siren")),
    ("project_title", ("titre", "nom du projet", "intitule")),
    ("project_description", ("description", "descriptif", "presentation du projet")),
    ("beneficiaries", ("public", "beneficiaire")),
    ("jobs", ("emploi", "postes", "embauche")),
    ("start_date", ("date", "demarrage prevu", "debut")),
)


def application_field_from_text(text: str) -> Optional[str]:
    """Which pre-application field a correction names ("change l'e-mail")."""
    folded = normalize.fold(text or "")
    for field, words in _FIELD_WORDS:
        if any(word in folded for word in words):
            return field
    return None


_IDENTIFIERS = re.compile(r"\S+@\S+|(?:\+33|0033|0)[\s.\-]?[1-9](?:[\s.\-]?\d{2}){4}|\b(?:\d[\s.]?){14}\b")


def strip_identifiers(text: str) -> str:
    """A name typed with an e-mail or phone number after it: keep the name only."""
    cleaned = re.sub(r"\s+", " ", _IDENTIFIERS.sub(" ", text or "")).strip()
    for _ in range(3):  # "Marie Curie mail : … tél : …" ends with two such words
        cleaned = re.sub(r"[\s,;:/-]*\b(siret|e-?mail|mail|t[ée]l[ée]phone|t[ée]l|num[ée]ro)\b[\s:]*$", "",
                         cleaned, flags=re.IGNORECASE)
    return cleaned.strip(" ,;:-")


# Fields whose new value can be read in a correction ("le montant c'est 9 000 en fait").
_VALUE_PARSERS: Dict[str, Callable[[str], Any]] = {
    "amount": normalize.parse_amount,
    "total_budget": normalize.parse_amount,
    "email": lambda text: normalize_contact.parse_email(text).value,
    "phone": lambda text: normalize_contact.parse_phone(text).value,
    "siret": lambda text: normalize_contact.parse_siret(text).value,
    "jobs": lambda text: normalize_contact.parse_jobs(text).value,
    "start_date": lambda text: normalize_contact.parse_start_date(text).value,
}


def value_in_text(field: str, text: str) -> bool:
    """Whether a correction message also gives the new value of a structured field."""
    parser = _VALUE_PARSERS.get(field)
    return parser is not None and parser(text or "") is not None
