"""The drafts: the filtered, sorted, paginated list; one draft's page; status changes, notes, deletion.

Answering the applicant (a decision with its mail, a correction request) is in :mod:`bot.web.staff.followup`;
the plain status change here sends nothing.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.application.export import VERDICT_LABELS, status_label
from bot.db.drafts import field_sources, get_by_reference
from bot.db.models import DRAFT_STATUSES, REVIEW_OUTCOMES, Draft, one_of, utcnow
from bot.db.resume import active_lock, unlock
from bot.db.staff import (
    TRANSITION_REFUSED,
    StaffError,
    StatusConflict,
    add_note,
    change_status,
    checked_comment,
    delete_with_audit,
    draft_audit,
    list_notes,
)
from bot.forms.fields import LEGAL_FORM_LABELS
from bot.web.staff import bp
from bot.web.staff.events import transcript
from bot.web.staff.followup_view import followup_context
from bot.web.staff.journal import log_line
from bot.web.staff.queries import NO_VERDICT, DraftFilters, communes, search_page
from bot.web.staff.security import admin_required, db, logged_in_user, login_required

COLUMNS = (  # (sort key, French header) of the list
    ("reference", "Référence"), ("org_name", "Structure"), ("commune", "Commune"),
    ("legal_form", "Forme juridique"), ("amount", "Montant demandé"), ("verdict", "Verdict"),
    ("status", "Statut"), ("updated_at", "Dernière mise à jour"),
)
SORT_LABELS = {**dict(COLUMNS), "created_at": "Date de création"}


@bp.route("/")
@bp.route("/drafts")
@login_required
def drafts() -> ResponseReturnValue:
    filters = DraftFilters.from_args(request.args)
    with db() as session:
        page = search_page(session, filters)
        commune_options = communes(session)
    return render_template(
        "staff/drafts.html", active="drafts", filters=filters, page=page, columns=COLUMNS,
        sort_label=SORT_LABELS[filters.sort],
        statuses=DRAFT_STATUSES, verdict_options=[*VERDICT_LABELS, NO_VERDICT], commune_options=commune_options,
        legal_forms=sorted(LEGAL_FORM_LABELS, key=lambda key: LEGAL_FORM_LABELS[key]), no_verdict=NO_VERDICT,
    )


def _draft_or_404(session: Session, reference: str) -> Draft:
    """The pre-application of this reference, or a 404 page."""
    found = get_by_reference(session, reference)
    if found is None:
        abort(404)
    return found


def _draft_page(reference: str, error: str | None = None, status: int = 200, comment: str = "",
                note: str = "") -> ResponseReturnValue:
    with db() as session:
        draft = _draft_or_404(session, reference)
        context = {
            "draft": draft, "sources": field_sources(session, draft), "notes": list_notes(session, draft),
            "audit": draft_audit(session, draft), "messages": transcript(session, draft.conversation_id),
            "resume_lock": active_lock(session, draft.reference, utcnow()),
            **followup_context(session, draft),
        }
    reasons = draft.verdict_reasons if isinstance(draft.verdict_reasons, list) else []
    return render_template("staff/draft.html", active="drafts", reasons=[r for r in reasons if isinstance(r, dict)],
                           error=error, comment=comment, note=note, **context), status


@bp.route("/drafts/<reference>")
@login_required
def draft(reference: str) -> ResponseReturnValue:
    return _draft_page(reference)


@bp.route("/drafts/<reference>/status", methods=["POST"])
@login_required
def set_status(reference: str) -> ResponseReturnValue:
    posted = request.form.get("to_status", "")
    to_status = one_of(posted, DRAFT_STATUSES)
    comment = request.form.get("comment", "")
    seen = request.form.get("from_status")
    problem: str | None
    with db() as session:
        found = _draft_or_404(session, reference)
        expected = one_of(seen, DRAFT_STATUSES) if seen else found.status
        try:
            # Outcomes the applicant hears of by e-mail go through the follow-up pages (bot/web/staff/followup.py).
            if to_status in REVIEW_OUTCOMES and found.email:
                raise StaffError("Cette décision est annoncée au porteur de projet par e-mail : utilisez les boutons "
                                 "de la fiche (réponse ou demande de corrections), qui montrent l'e-mail avant l'envoi.")
            if to_status is None or expected is None:  # not a status: refused as a transition the workflow forbids
                checked_comment(comment)
                raise StatusConflict(TRANSITION_REFUSED)
            change_status(session, found, to_status, logged_in_user(), comment, expected_status=expected)
        except StatusConflict as exc:
            problem, code = str(exc), 409
        except StaffError as exc:
            problem, code = str(exc), 400
        else:
            problem, code = None, 200
    if problem:
        return _draft_page(reference, error=problem, status=code, comment=comment)
    log_line("Statut de %s : %s (par %s)", found.reference, posted, logged_in_user().email)  # audited too
    flash(f"Statut changé : {found.reference} est maintenant « {status_label(posted)} ».", "success")
    return redirect(url_for("staff.draft", reference=found.reference))


@bp.route("/drafts/<reference>/notes", methods=["POST"])
@login_required
def add_draft_note(reference: str) -> ResponseReturnValue:
    body = request.form.get("body", "")
    with db() as session:
        found = _draft_or_404(session, reference)
        try:
            add_note(session, found, logged_in_user(), body)
        except StaffError as exc:
            problem: str | None = str(exc)
        else:
            problem = None
    if problem:
        return _draft_page(reference, error=problem, status=400, note=body)
    flash("Note ajoutée.", "success")
    return redirect(url_for("staff.draft", reference=found.reference, _anchor="notes"))


@bp.route("/drafts/<reference>/unlock", methods=["POST"])
@login_required
def unlock_resume(reference: str) -> ResponseReturnValue:
    """Lift the lock put on the applicant's resume after too many wrong codes (reviewers and admins; audited)."""
    with db() as session:
        found = _draft_or_404(session, reference)
        unlocked = unlock(session, found, logged_in_user(), utcnow())
    if unlocked:
        log_line("Reprise de %s débloquée par %s", found.reference, logged_in_user().email)  # audited too
        flash(f"La reprise de {found.reference} est débloquée : le porteur peut demander un nouveau code.", "success")
    else:
        flash(f"La reprise de {found.reference} n'était pas bloquée.", "info")
    return redirect(url_for("staff.draft", reference=found.reference))


@bp.route("/drafts/<reference>/delete", methods=["GET", "POST"])
@admin_required
def delete(reference: str) -> ResponseReturnValue:
    with db() as session:
        found = _draft_or_404(session, reference)
        if request.method == "POST" and request.form.get("confirm") == "yes":
            delete_with_audit(session, found, logged_in_user())
            deleted = True
        else:
            deleted = False
    if deleted:
        log_line("Pré-candidature %s supprimée par %s", found.reference, logged_in_user().email)  # audited too
        flash(f"La pré-candidature {found.reference} et sa conversation ont été supprimées.", "success")
        return redirect(url_for("staff.drafts"))
    error = "Cochez la case pour confirmer la suppression." if request.method == "POST" else None
    return render_template("staff/delete.html", active="drafts", draft=found, error=error), 400 if error else 200
