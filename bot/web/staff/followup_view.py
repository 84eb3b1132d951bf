"""The follow-up sections of a draft's page: its mails (with « Réessayer »), what changed, the open request.

- Mails: :func:`bot.db.outbox.mails_for_draft`, newest first, with their status in French; a failed mail, or a
  pending one that already failed once, can be retried (``POST …/mails/<id>/retry``, audited ``mail_retried``).
- What changed: :func:`bot.db.corrections.field_changes` as a diff (field, old → new, the sentence, the date),
  grouped under the correction request each change answers.
- The open correction request (fields asked, comment, date) while the draft is ``incomplete``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.corrections import field_changes, open_request
from bot.db.followup_models import CorrectionRequest, DraftFieldChange, MailOutbox
from bot.db.models import REVIEW_OUTCOMES, Draft, ReviewOutcome
from bot.db.outbox import mails_for_draft, retry
from bot.db.staff import StaffError, allowed_transitions
from bot.web.staff import bp
from bot.web.staff.formatting import field_value, format_datetime
from bot.web.staff.journal import log_line
from bot.web.staff.security import db, logged_in_user, login_required

_TRUE, _FALSE = ("true", "1", "oui", "yes"), ("false", "0", "non", "no")
OUTCOME_LABELS: dict[ReviewOutcome, str] = {
    "admissible": "Recevable : annoncer au porteur que son projet passe à l'étape suivante",
    "not_admissible": "Non recevable : expliquer au porteur pourquoi",
    "incomplete": "Incomplet : demander au porteur de corriger certains champs",
}


def stored_value(name: str, text: str | None) -> str:
    """A value kept as text in the change history, formatted as the draft page formats the field's value."""
    value: Any = text
    if name == "other_department_aid" and isinstance(text, str) and text.strip().lower() in _TRUE + _FALSE:
        value = text.strip().lower() in _TRUE
    try:
        return field_value(name, value)
    except (TypeError, ValueError):  # a value the field's format does not read (e.g. an amount in words)
        return text if text else "—"


def mail_status(mail: MailOutbox) -> str:
    """« en attente », « envoyé le … » or « échec : … »."""
    if mail.status == "sent":
        return f"envoyé le {format_datetime(mail.sent_at)}"
    if mail.status == "failed":
        return f"échec : {mail.last_error or 'erreur inconnue'}"
    if mail.last_error:
        return f"en attente (dernier essai en échec : {mail.last_error})"
    return "en attente"


def retryable(mail: MailOutbox) -> bool:
    return mail.status == "failed" or (mail.status == "pending" and bool(mail.last_error))


@dataclass
class ChangeGroup:
    """The changes answering one correction request (``request`` None: changes made outside any request)."""

    request: CorrectionRequest | None
    changes: list[DraftFieldChange] = field(default_factory=list)

    @property
    def last_at(self) -> datetime:
        return self.changes[-1].changed_at


def change_groups(session: Session, draft: Draft) -> list[ChangeGroup]:
    """The draft's changes, grouped by correction request, most recent group first (changes oldest first)."""
    changes = field_changes(session, draft)
    wanted = {change.correction_request_id for change in changes if change.correction_request_id}
    requests: dict[int, CorrectionRequest] = {}
    if wanted:
        requests = {request.id: request for request in session.scalars(
            select(CorrectionRequest).where(CorrectionRequest.id.in_(wanted)))}
    groups: dict[int | None, ChangeGroup] = {}
    for change in changes:
        key = change.correction_request_id if change.correction_request_id in requests else None
        groups.setdefault(key, ChangeGroup(requests.get(key) if key else None)).changes.append(change)
    return sorted(groups.values(), key=lambda group: group.last_at, reverse=True)


def followup_context(session: Session, draft: Draft) -> dict[str, Any]:
    """What draft.html needs for the decision, the mails, the open correction request and the changes.

    A decision that the applicant must hear of goes through a mail (``answer_outcomes``); the other status
    changes (back to ``in_review``) stay a plain form. A draft without an e-mail address keeps the plain form
    for every change: nothing can be sent to it.
    """
    transitions = allowed_transitions(draft.status)
    answers = [value for value in transitions if value in REVIEW_OUTCOMES] if (draft.email or "").strip() else []
    return {"mails": mails_for_draft(session, draft), "open_request": open_request(session, draft),
            "change_groups": change_groups(session, draft), "answer_outcomes": answers,
            "plain_transitions": [value for value in transitions if value not in answers]}


@bp.context_processor
def followup_helpers() -> dict[str, Any]:
    return {"mail_status": mail_status, "mail_retryable": retryable, "stored_value": stored_value,
            "OUTCOME_LABELS": OUTCOME_LABELS}


@bp.route("/drafts/<reference>/mails/<int:mail_id>/retry", methods=["POST"])
@login_required
def retry_mail(reference: str, mail_id: int) -> ResponseReturnValue:
    """Send a failed mail again (or at once, for a pending one that already failed); audited ``mail_retried``."""
    from bot.web.staff.drafts import _draft_or_404, _draft_page

    problem: str | None
    with db() as session:
        found = _draft_or_404(session, reference)
        existing = session.get(MailOutbox, mail_id)
        if existing is None or existing.draft_id != found.id:
            abort(404)
        try:
            mail = retry(session, found, mail_id, logged_in_user())
        except StaffError as exc:
            problem, subject = str(exc), None
        else:
            problem, subject = None, mail.subject
    if problem:
        return _draft_page(reference, error=problem, status=409)
    log_line("Nouvel essai d'envoi d'un e-mail de %s (par %s)", found.reference, logged_in_user().email)
    flash(f"Nouvel essai programmé : l'e-mail « {subject} » repart dans quelques instants (statut « en attente »).",
          "success")
    return redirect(url_for("staff.draft", reference=found.reference, _anchor="mails"))
