"""Answering the applicant from a draft's page: the decision (recevable / non recevable) or a correction request.

Each flow is compose → « Prévisualiser » (subject, plain text and HTML exactly as the applicant gets them) →
« Envoyer », which in one transaction changes the status (audited, with the comment) and queues the mail
(:func:`bot.db.outbox.queue_mail`; the background worker sends it). The mail's idempotency key is made of the
draft, the kind and a nonce drawn when the compose page was rendered (hidden field): a double click or a
resubmitted form queues one mail, and the second submission is told so in French.

The HTML preview is an ``<iframe sandbox srcdoc>``: no script, no same-origin access. A srcdoc document
inherits the page's policy (``style-src 'self'``), which would drop the mail's inline styles, so the preview
page's policy allows exactly those style attributes by their hashes (``'unsafe-hashes'``), nothing else.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from html.parser import HTMLParser

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.corrections import MAX_COMMENT_LENGTH, request_correction
from bot.db.drafts import DRAFT_FIELDS
from bot.db.followup_models import MailKind, MailOutbox
from bot.db.models import DECISIONS, Draft, one_of
from bot.db.outbox import Composed, queue_mail
from bot.db.staff import StaffError, StatusConflict, change_status
from bot.mail.compose import MISSING_REASON, answer_template, compose_answer, compose_correction
from bot.web.staff import bp
from bot.web.staff.drafts import _draft_or_404, _draft_page
from bot.web.staff.journal import log_line
from bot.web.staff.security import db, logged_in_user, login_required

MAX_MESSAGE_LENGTH = 10_000
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
PREVIEW_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'{hashes}; script-src 'self'; "
                  "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
NOT_IN_REVIEW = ("Cette pré-candidature n'est pas « en cours d'examen » : on ne peut répondre au porteur ou lui "
                 "demander des corrections qu'après l'avoir prise en examen.")
ALREADY_QUEUED = ("Ce formulaire a déjà été envoyé : l'e-mail est dans la file d'envoi (section « E-mails au "
                  "porteur »). Aucun second e-mail n'a été créé.")


class AlreadyQueued(Exception):
    """The mail of this form submission is already queued: nothing more is written."""


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def idempotency_key(draft: Draft, kind: MailKind, nonce: str) -> str:
    return f"staff:{draft.id}:{kind}:{nonce}"


class _Styles(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: list[str] = []
        self.elements: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [value for name, value in attrs if name == "style" and value]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.elements.append(data)


def preview_policy(html: str) -> str:
    """The page's usual policy, plus the hashes of the mail's own style attributes and ``<style>`` blocks."""
    parser = _Styles()
    parser.feed(html)
    digests = sorted({base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
                      for value in parser.attributes + parser.elements})
    hashes = (" 'unsafe-hashes'" if parser.attributes else "") + "".join(f" 'sha256-{d}'" for d in digests)
    return PREVIEW_POLICY.format(hashes=hashes)


def _form_nonce() -> str | None:
    nonce = request.form.get("nonce", "")
    return nonce if _NONCE.fullmatch(nonce) else None


def _stale_form() -> ResponseReturnValue:
    return render_template("staff/message.html", title="Formulaire incomplet",
                           message="Ce formulaire est incomplet ou trop ancien : rouvrez la pré-candidature et "
                                   "recommencez."), 400


def _queued(session: Session, key: str) -> bool:
    return session.scalar(select(MailOutbox.id).where(MailOutbox.idempotency_key == key)) is not None


def _queued_now(key: str) -> bool:
    with db() as session:
        return _queued(session, key)


def _already_queued(reference: str) -> ResponseReturnValue:
    flash(ALREADY_QUEUED, "info")
    return redirect(url_for("staff.draft", reference=reference, _anchor="mails"))


def _send(reference: str, kind: MailKind, nonce: str, act: Callable[[Session, Draft], Composed],
          on_error: Callable[[str], ResponseReturnValue]) -> ResponseReturnValue | None:
    """In one transaction: ``act`` (the status change, returning the mail) and the queued mail, at most once."""
    key = None
    try:
        with db() as session:
            draft = _draft_or_404(session, reference)
            key = idempotency_key(draft, kind, nonce)
            if _queued(session, key):
                raise AlreadyQueued
            composed = act(session, draft)
            _mail, created = queue_mail(session, draft, kind, composed, key, created_by=logged_in_user())
            if not created:  # queued by a concurrent submission: roll this one back
                raise AlreadyQueued
    except AlreadyQueued:
        return _already_queued(reference)
    except (StatusConflict, IntegrityError) as exc:
        if key and _queued_now(key):  # a concurrent submission of the same form won
            return _already_queued(reference)
        if isinstance(exc, IntegrityError):
            raise
        return _draft_page(reference, error=f"{exc} Aucun e-mail n'a été envoyé.", status=409)
    except StaffError as exc:
        return on_error(str(exc))
    log_line("E-mail « %s » de %s mis en file (par %s)", kind, draft.reference, logged_in_user().email)
    return None


def _preview(draft: Draft, kind: MailKind, composed: Composed, endpoint: str,
             hidden: Sequence[tuple[str, str]]) -> Response:
    """The mail as the applicant will get it, and the form that sends it (the kind is also the new status)."""
    response = make_response(render_template(
        "staff/mail_preview.html", active="drafts", draft=draft, kind=kind, composed=composed, endpoint=endpoint,
        hidden=hidden))
    response.headers["Content-Security-Policy"] = preview_policy(composed.html)
    return response


# --- The decision: recevable / non recevable ---

def _answer_problem(message: str, comment: str) -> str | None:
    if not message.strip():
        return "Le message au porteur de projet est vide."
    if len(message) > MAX_MESSAGE_LENGTH:
        return f"Le message au porteur est trop long ({MAX_MESSAGE_LENGTH} caractères au plus)."
    if MISSING_REASON in message:
        return f"Remplacez « {MISSING_REASON} » par le motif du refus avant l'envoi."
    if not comment.strip():
        return "Le commentaire pour le journal est obligatoire."
    if len(comment.strip()) > MAX_COMMENT_LENGTH:
        return f"Le commentaire est trop long ({MAX_COMMENT_LENGTH} caractères au plus)."
    return None


def _answer_form(draft: Draft, outcome: str, message: str, comment: str, nonce: str, error: str | None = None,
                 status: int = 200) -> ResponseReturnValue:
    return render_template("staff/answer.html", active="drafts", draft=draft, outcome=outcome, message=message,
                           comment=comment, nonce=nonce, error=error), status


@bp.route("/drafts/<reference>/answer", methods=["GET", "POST"])
@login_required
def answer(reference: str) -> ResponseReturnValue:
    posted = request.values.get("outcome", "")
    if posted == "incomplete":
        return redirect(url_for("staff.correction", reference=reference))
    outcome = one_of(posted, DECISIONS)
    if outcome is None:
        return _draft_page(reference, error="Choisissez la décision : recevable, non recevable ou incomplet.",
                           status=400)
    with db() as session:
        draft = _draft_or_404(session, reference)
    if request.method == "GET":
        if draft.status != "in_review":
            return _draft_page(reference, error=NOT_IN_REVIEW, status=409)
        return _answer_form(draft, outcome, answer_template(draft, outcome), "", new_nonce())
    nonce = _form_nonce()
    if nonce is None:
        return _stale_form()
    message = request.form.get("message", "").replace("\r\n", "\n")
    comment = request.form.get("comment", "")
    action = request.form.get("action", "preview")
    problem = None if action == "edit" else _answer_problem(message, comment)
    if action == "edit" or problem:
        return _answer_form(draft, outcome, message, comment, nonce, problem, 400 if problem else 200)
    if action != "send":
        hidden = [("outcome", outcome), ("message", message), ("comment", comment), ("nonce", nonce)]
        return _preview(draft, outcome, compose_answer(draft, outcome, message), "staff.answer", hidden)

    def act(session: Session, found: Draft) -> Composed:
        change_status(session, found, outcome, logged_in_user(), comment, expected_status="in_review")
        return compose_answer(found, outcome, message)

    refused = _send(reference, outcome, nonce, act,
                    lambda error: _answer_form(draft, outcome, message, comment, nonce, error, 400))
    if refused is not None:
        return refused
    flash(f"Statut changé : {draft.reference} est « {'recevable' if outcome == 'admissible' else 'non recevable'} ». "
          "La réponse au porteur est dans la file d'envoi.", "success")
    return redirect(url_for("staff.draft", reference=draft.reference, _anchor="mails"))


# --- The correction request (incomplet) ---

def _chosen_fields() -> list[str]:
    wanted = set(request.form.getlist("fields"))
    return [name for name in DRAFT_FIELDS if name in wanted]


def _correction_problem(fields: list[str], comment: str) -> str | None:
    if not fields:
        return "Cochez au moins un champ à corriger."
    if not comment.strip():
        return "Le message au porteur est obligatoire : dites-lui ce qu'il faut corriger."
    if len(comment.strip()) > MAX_COMMENT_LENGTH:
        return f"Le message est trop long ({MAX_COMMENT_LENGTH} caractères au plus)."
    return None


def _correction_form(draft: Draft, fields: list[str], comment: str, nonce: str, error: str | None = None,
                     status: int = 200) -> ResponseReturnValue:
    return render_template("staff/correction.html", active="drafts", draft=draft, chosen=fields, comment=comment,
                           nonce=nonce, error=error, max_comment=MAX_COMMENT_LENGTH), status


@bp.route("/drafts/<reference>/correction", methods=["GET", "POST"])
@login_required
def correction(reference: str) -> ResponseReturnValue:
    with db() as session:
        draft = _draft_or_404(session, reference)
    if request.method == "GET":
        if draft.status != "in_review":
            return _draft_page(reference, error=NOT_IN_REVIEW, status=409)
        return _correction_form(draft, [], "", new_nonce())
    nonce = _form_nonce()
    if nonce is None:
        return _stale_form()
    fields, comment = _chosen_fields(), request.form.get("comment", "").replace("\r\n", "\n")
    action = request.form.get("action", "preview")
    problem = None if action == "edit" else _correction_problem(fields, comment)
    if action == "edit" or problem:
        return _correction_form(draft, fields, comment, nonce, problem, 400 if problem else 200)
    if action != "send":
        hidden = [("fields", name) for name in fields] + [("comment", comment), ("nonce", nonce)]
        return _preview(draft, "incomplete", compose_correction(draft, fields, comment), "staff.correction",
                        hidden)

    def act(session: Session, found: Draft) -> Composed:
        request_correction(session, found, fields, comment, logged_in_user(), expected_status="in_review")
        return compose_correction(found, fields, comment)

    refused = _send(reference, "incomplete", nonce, act,
                    lambda error: _correction_form(draft, fields, comment, nonce, error, 400))
    if refused is not None:
        return refused
    flash(f"Statut changé : {draft.reference} est « incomplet ». La demande de corrections est dans la file "
          "d'envoi.", "success")
    return redirect(url_for("staff.draft", reference=draft.reference, _anchor="mails"))
