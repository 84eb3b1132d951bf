"""The pre-application: summary, saving, resume and deletion (fields come from :mod:`bot.fields`).

No Rasa import: the actions in ``actions/drafts.py`` and ``actions/resume.py`` call these functions.
Which draft a conversation may touch is decided here, from the database's links between drafts and
conversations (:func:`bot.db.drafts.linked_draft`), never from a reference or an e-mail the caller gives.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any, Dict, Mapping, Optional, Tuple

from sqlalchemy.exc import SQLAlchemyError

from bot.call import CallFacts
from bot.db import drafts as repo
from bot.db.session import session_scope
from bot.eligibility import evaluate
from bot.fields import APPLICATION_FIELDS, FIELDS, LEGAL_FORM_LABELS, STAGE_LABELS, in_range, strip_identifiers

__all__ = [
    "APPLICATION_FIELDS", "COLUMN_OF", "FIELD_LABELS", "LEGAL_FORM_LABELS", "STAGE_LABELS", "SaveFailed",
    "delete_drafts", "display_value", "load_linked", "parse_reference", "save_draft", "strip_identifiers",
    "summary_text",
]

# Slot name -> column of the drafts table (the same name unless the registry says otherwise).
COLUMN_OF = {key: FIELDS[key].db_column for key in APPLICATION_FIELDS if FIELDS[key].db_column != key}
FIELD_LABELS = {key: FIELDS[key].label for key in APPLICATION_FIELDS}

REFERENCE = re.compile(r"\bESS[\s-]?(\d{4})[\s-]?(\d{1,6})\b", re.IGNORECASE)


def parse_reference(text: str) -> Optional[str]:
    """'ess 2026 42' -> 'ESS-2026-0042'."""
    match = REFERENCE.search(text or "")
    return f"ESS-{match.group(1)}-{int(match.group(2)):04d}" if match else None


def display_value(field: str, value: Any) -> str:
    """A value as the applicant and the staff read it ("—" when absent)."""
    if field in FIELDS:  # "à préciser" for an answer that may stay empty
        return FIELDS[field].display(value)
    return "—" if value is None or value == "" else str(value)


def summary_text(answers: Mapping[str, Any]) -> str:
    lines = ["Voici le récapitulatif de votre pré-candidature :"]
    for field in APPLICATION_FIELDS:
        if field == "siret" and answers.get("structure") == "group_in_creation" and not answers.get("siret"):
            continue
        lines.append(f"- {FIELD_LABELS[field]} : {FIELDS[field].display(answers.get(field))}")
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


def save_draft(conversation_id: str, answers: Mapping[str, Any], sources: Mapping[str, Mapping[str, str]],
               consent_at: Optional[str], call: CallFacts) -> str:
    """Write every answer known so far (idempotent) into the draft this conversation is linked to (the one
    it resumed last, else the one it created, created now if needed); returns the draft's reference.
    A number out of its field's bounds (a negative amount, 5 000 jobs), whatever set it, is not saved."""
    answers = {key: value for key, value in answers.items() if in_range(key, value)}
    verdict = evaluate({k: answers.get(k) for k in ("structure", "esus", "commune", "stage", "amount",
                                                    "total_budget", "other_department_aid")}, call)
    try:
        with session_scope() as session:
            draft = repo.linked_draft(session, conversation_id)
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
        raise SaveFailed(type(exc).__name__) from exc  # the class only: no value reaches a log


def load_linked(conversation_id: str, reference: Optional[str]) -> Optional[Dict[str, Any]]:
    """The answers of the draft this conversation is linked to, as slot values, when it has ``reference``
    (after a successful resume); None otherwise."""
    try:
        with session_scope() as session:
            draft = repo.linked_draft(session, conversation_id)
            if draft is None or draft.reference != (reference or "").strip().upper():
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
        raise SaveFailed(type(exc).__name__) from exc  # the class only: no value reaches a log


def delete_drafts(conversation_id: str) -> int:
    """Delete every draft linked to this conversation (created or resumed by it), each with every
    conversation linked to it; returns how many drafts were deleted."""
    deleted = 0
    try:
        with session_scope() as session:
            for draft in repo.linked_drafts(session, conversation_id):
                repo.delete_draft(session, draft)
                deleted += 1
    except SQLAlchemyError as exc:
        raise SaveFailed(type(exc).__name__) from exc  # the class only: no value reaches a log
    return deleted
