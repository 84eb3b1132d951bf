"""The pre-application: summary, saving, resume and deletion (fields come from :mod:`bot.forms.fields`).

No Rasa import: the actions in ``actions/drafts.py`` and ``actions/resume.py`` call these functions.
Which draft a conversation may touch is decided here, from the database's links between drafts and
conversations (:func:`bot.db.drafts.linked_draft`), never from a reference or an e-mail the caller gives.

Corrections asked by staff (:mod:`bot.db.corrections`): while a draft waits for them (an open request), the
answers are not written as they come (:func:`save_draft` holds them); they are written only by
:func:`confirm_draft`, when the applicant confirms the summary, in one transaction with the history of the
changed values and the end of the request (the draft goes back ``in_review``). Any change to a draft that staff
already took up (status other than ``new``) is kept in that history too.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.call.facts import CallFacts
from bot.db import corrections
from bot.db import drafts as repo
from bot.db.deletion import delete_draft
from bot.db.followup_models import CorrectionRequest
from bot.db.models import Draft
from bot.db.session import session_scope
from bot.db.staff import StaffError
from bot.eligibility.rules import evaluate
from bot.forms.fields import APPLICATION_FIELDS, FIELDS
from bot.forms.parsers import in_range

__all__ = [
    "COLUMN_OF", "FIELD_LABELS", "Confirmed", "Correction", "Resumed", "SaveFailed", "confirm_draft",
    "correction_slots", "delete_drafts", "display_value", "load_linked", "load_resumed", "parse_reference",
    "save_draft", "summary_text",
]

# Slot name -> column of the drafts table (the same name unless the registry says otherwise).
COLUMN_OF = {key: FIELDS[key].db_column for key in APPLICATION_FIELDS if FIELDS[key].db_column != key}
FIELD_LABELS = {key: FIELDS[key].label for key in APPLICATION_FIELDS}
SLOT_OF = {column: key for key, column in COLUMN_OF.items()}  # column of the drafts table -> slot name

REFERENCE = re.compile(r"\bESS[\s-]?(\d{4})[\s-]?(\d{1,6})\b", re.IGNORECASE)


def parse_reference(text: str) -> str | None:
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


def _column_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in APPLICATION_FIELDS:
        value = answers.get(field)
        if value is None:
            continue
        if field == "start_date":
            value = date.fromisoformat(str(value))
        values[COLUMN_OF.get(field, field)] = value
    return values


def _sources(sources: Mapping[str, Mapping[str, str]]) -> dict[str, tuple[str, datetime]]:
    out = {}
    for field, source in (sources or {}).items():
        if field in APPLICATION_FIELDS:
            at = datetime.fromisoformat(source["at"]) if source.get("at") else datetime.now(timezone.utc)
            out[COLUMN_OF.get(field, field)] = (source.get("message") or "", at)
    return out


class SaveFailed(Exception):
    """The database could not be reached or refused the write."""


def _answers_in_range(answers: Mapping[str, Any]) -> dict[str, Any]:
    """A number out of its field's bounds (a negative amount, 5 000 jobs), whatever set it, is not saved."""
    return {key: value for key, value in answers.items() if in_range(key, value)}


def _linked_or_new(session: Session, conversation_id: str, consent_at: str | None) -> Draft:
    draft = repo.linked_draft(session, conversation_id)
    if draft is None:
        consent = datetime.fromisoformat(consent_at) if consent_at else None
        draft = repo.get_or_create_draft(session, conversation_id, consent_at=consent)
    return draft


def _write(session: Session, draft: Draft, answers: Mapping[str, Any], sources: Mapping[str, Mapping[str, str]],
           call: CallFacts, request: CorrectionRequest | None = None, cleared: Sequence[str] = ()) -> list[str]:
    """Write the answers (and ``cleared`` columns as "à préciser"); keep the changed values in the history when a
    correction is confirmed or staff already took the draft up. Returns the changed columns.
    """
    verdict = evaluate({k: answers.get(k) for k in ("structure", "esus", "commune", "stage", "amount",
                                                    "total_budget", "other_department_aid")}, call)
    values: dict[str, Any] = {**_column_values(answers), **{column: None for column in cleared}}
    values["verdict"] = verdict.verdict
    values["verdict_reasons"] = verdict.to_dict()["reasons"]
    column_sources = {k: v for k, v in _sources(sources).items() if k in values}
    changed: list[str] = []
    if request is not None or draft.status != "new":
        changed = [c.field for c in corrections.record_changes(session, draft, values, column_sources, request)]
    repo.update_fields(session, draft, values, column_sources)
    return changed


def save_draft(conversation_id: str, answers: Mapping[str, Any], sources: Mapping[str, Mapping[str, str]],
               consent_at: str | None, call: CallFacts) -> str:
    """Write every answer known so far (idempotent) into the draft this conversation is linked to (the one
    it resumed last, else the one it created, created now if needed); returns the draft's reference.
    A number out of its field's bounds (a negative amount, 5 000 jobs), whatever set it, is not saved.
    While staff wait for corrections (an open request), nothing is written: :func:`confirm_draft` does it.
    """
    answers = _answers_in_range(answers)
    try:
        with session_scope() as session:
            draft = _linked_or_new(session, conversation_id, consent_at)
            if corrections.open_request(session, draft) is None:
                _write(session, draft, answers, sources, call)
            return draft.reference
    except SQLAlchemyError as exc:
        raise SaveFailed(type(exc).__name__) from exc  # the class only: no value reaches a log


@dataclass(frozen=True)
class Confirmed:
    reference: str
    corrected: bool = False  # the correction request shown to this conversation is answered: back in review
    changed: tuple[str, ...] = ()  # slot names of the values this confirmation changed (history kept)


def confirm_draft(conversation_id: str, answers: Mapping[str, Any], sources: Mapping[str, Mapping[str, str]],
                  consent_at: str | None, call: CallFacts, shown_request: int | None = None) -> Confirmed:
    """The applicant confirmed the summary: write the answers as :func:`save_draft` does. When the draft waits
    for corrections, also, in the same transaction: each changed value kept with its sentence (old → new), and,
    if this conversation was shown that request (``shown_request``, its id), a requested field left without
    an answer ("je ne sais pas") becomes "à préciser", the request is closed and the draft goes back
    ``in_review``. A request this conversation was not shown stays open.
    """
    answers = _answers_in_range(answers)
    try:
        with session_scope() as session:
            draft = _linked_or_new(session, conversation_id, consent_at)
            session.refresh(draft, with_for_update=True)  # staff's status changes wait for this transaction
            request = corrections.open_request(session, draft)
            answered = request if request is not None and str(request.id) == str(shown_request) else None
            cleared = [c for c in answered.fields if answers.get(SLOT_OF.get(c, c)) is None] if answered is not None else []
            changed = _write(session, draft, answers, sources, call, request, cleared)
            if answered is not None:
                corrections.complete_request(session, draft, answered)
            return Confirmed(draft.reference, answered is not None, tuple(SLOT_OF.get(c, c) for c in changed))
    except (SQLAlchemyError, StaffError) as exc:  # StaffError: the status changed meanwhile (not expected)
        raise SaveFailed(type(exc).__name__) from exc


@dataclass(frozen=True)
class Correction:
    """What staff asked this draft's applicant to correct (its open request)."""

    request_id: int
    fields: tuple[str, ...]  # slot names, in the form's order
    comment: str


@dataclass(frozen=True)
class Resumed:
    slots: dict[str, Any]  # the draft's answers as slot values
    correction: Correction | None = None


def correction_slots(slots: Mapping[str, Any], correction: Correction) -> tuple[dict[str, Any], list[str]]:
    """The slots for a correction: the requested fields emptied (so the form asks them, optional ones too), the
    others kept; and the fields the form must not ask (empty but not requested: they stay as they are). A SIRET
    asked of a group not yet constituted asks the legal form first (the form asks no SIRET of such a group).
    """
    asked = list(correction.fields)
    if "siret" in asked and slots.get("structure") == "group_in_creation" and "structure" not in asked:
        asked.insert(0, "structure")
    values = {**slots, **{key: None for key in asked}, "summary_confirmed": None}
    not_asked = [key for key in APPLICATION_FIELDS if values.get(key) is None and key not in asked]
    return values, not_asked


def _slots_of(draft: Draft) -> dict[str, Any]:
    slots: dict[str, Any] = {}
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


def load_resumed(conversation_id: str, reference: str | None) -> Resumed | None:
    """The draft this conversation is linked to, when it has ``reference`` (after a successful resume): its
    answers as slot values and, when staff wait for corrections, what they asked; None otherwise.
    """
    try:
        with session_scope() as session:
            draft = repo.linked_draft(session, conversation_id)
            if draft is None or draft.reference != (reference or "").strip().upper():
                return None
            request = corrections.open_request(session, draft)
            correction = None if request is None else Correction(
                request.id, tuple(key for key in APPLICATION_FIELDS if COLUMN_OF.get(key, key) in request.fields),
                request.comment)
            return Resumed(_slots_of(draft), correction)
    except SQLAlchemyError as exc:
        raise SaveFailed(type(exc).__name__) from exc  # the class only: no value reaches a log


def load_linked(conversation_id: str, reference: str | None) -> dict[str, Any] | None:
    """The answers of the draft this conversation is linked to, as slot values, when it has ``reference``
    (after a successful resume); None otherwise.
    """
    resumed = load_resumed(conversation_id, reference)
    return resumed.slots if resumed is not None else None


def delete_drafts(conversation_id: str) -> int:
    """Delete every draft linked to this conversation (created or resumed by it), each with every
    conversation linked to it; returns how many drafts were deleted.
    """
    deleted = 0
    try:
        with session_scope() as session:
            for draft in repo.linked_drafts(session, conversation_id):
                delete_draft(session, draft)
                deleted += 1
    except SQLAlchemyError as exc:
        raise SaveFailed(type(exc).__name__) from exc  # the class only: no value reaches a log
    return deleted
