"""Correction requests and the history of changed values (repository functions; they never commit).

A reviewer asks for corrections with :func:`request_correction`: the draft goes to ``incomplete`` (audited,
with the comment), and the request stays open until the applicant confirms the corrected values in the
chat (:func:`complete_request`, which puts the draft back ``in_review``). Each value changed meanwhile is
kept by :func:`record_change` (old → new, the sentence, when), and :func:`field_changes` lists them for the
staff page. :func:`record_changes` compares a whole write with the stored values (before
:func:`bot.db.drafts.update_fields`), as :mod:`bot.application.service` does for a confirmed correction and for any
change to a draft that staff already took up (status other than ``new``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.drafts import DRAFT_FIELDS, column_value, value_text
from bot.db.followup_models import CorrectionRequest, DraftFieldChange
from bot.db.models import Draft, DraftStatus, utcnow
from bot.db.staff import StaffError, _audit, change_status
from bot.db.staff_models import StaffUser

MAX_COMMENT_LENGTH = 2000


def request_correction(session: Session, draft: Draft, fields: Sequence[str], comment: str, user: StaffUser,
                       expected_status: DraftStatus | None = None) -> CorrectionRequest:
    """Ask the applicant to correct ``fields``; the draft becomes ``incomplete``. Refusals are in French."""
    unknown = sorted(set(fields) - set(DRAFT_FIELDS))
    if unknown:
        raise StaffError("Champ inconnu : " + ", ".join(unknown) + ".")
    chosen = [name for name in DRAFT_FIELDS if name in set(fields)]  # registry order, no duplicates
    if not chosen:
        raise StaffError("Cochez au moins un champ à corriger.")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise StaffError(f"Le commentaire est trop long ({MAX_COMMENT_LENGTH} caractères au plus).")
    change_status(session, draft, "incomplete", user, comment, expected_status=expected_status)
    request = CorrectionRequest(draft_id=draft.id, fields=chosen, comment=comment,
                                requested_by=user.id, requested_at=utcnow())
    session.add(request)
    session.flush()
    _audit(session, draft, user, "correction_requested", comment=", ".join(chosen))
    return request


def open_request(session: Session, draft: Draft) -> CorrectionRequest | None:
    """The latest correction request not yet answered, if the draft is waiting for one."""
    if draft.status != "incomplete":
        return None
    return session.scalars(select(CorrectionRequest)
                           .where(CorrectionRequest.draft_id == draft.id, CorrectionRequest.completed_at.is_(None))
                           .order_by(CorrectionRequest.requested_at.desc(), CorrectionRequest.id.desc())
                           .limit(1)).first()


def record_change(session: Session, draft: Draft, field: str, old_value: str | None, new_value: str | None,
                  message: str | None, changed_at: datetime | None = None,
                  request: CorrectionRequest | None = None) -> DraftFieldChange | None:
    """Keep one changed value (as stored text); nothing when the value did not change."""
    if old_value == new_value:
        return None
    change = DraftFieldChange(draft_id=draft.id, field=field, old_value=old_value, new_value=new_value,
                              message=message, changed_at=changed_at or utcnow(),
                              correction_request_id=request.id if request is not None else None)
    session.add(change)
    session.flush()
    return change


def stored_text(field: str, value: Any) -> str | None:
    """A value as the history keeps it: the text :func:`bot.db.drafts.update_fields` stores ("12000.00",
    "2026-09-01", "false"); None for "à préciser".
    """
    return value_text(column_value(field, value))


def record_changes(session: Session, draft: Draft, values: Mapping[str, Any],
                   sources: Mapping[str, tuple[str | None, datetime | None]] | None = None,
                   request: CorrectionRequest | None = None) -> list[DraftFieldChange]:
    """Before ``values`` (draft columns) are written: one change per conversation field whose stored value
    differs, with the sentence and the time of ``sources`` (``field -> (message, when)``).
    """
    changes = []
    for name in DRAFT_FIELDS:
        if name not in values:
            continue
        message, at = (sources or {}).get(name, (None, None))
        change = record_change(session, draft, name, stored_text(name, getattr(draft, name)),
                               stored_text(name, values[name]), message, at, request)
        if change is not None:
            changes.append(change)
    return changes


def complete_request(session: Session, draft: Draft, request: CorrectionRequest) -> None:
    """The applicant confirmed the corrections: close the request, the draft goes back ``in_review``."""
    request.completed_at = utcnow()
    change_status(session, draft, "in_review", None, "Corrections confirmées par le porteur de projet.",
                  expected_status="incomplete")


def field_changes(session: Session, draft: Draft) -> list[DraftFieldChange]:
    """The changed values of a draft, oldest first."""
    return list(session.scalars(select(DraftFieldChange).where(DraftFieldChange.draft_id == draft.id)
                                .order_by(DraftFieldChange.changed_at, DraftFieldChange.id)))
