"""Answering the applicant from the staff area (issue 12): decision mails, correction requests, the mails
list with « Réessayer », and what changed. Flask's test client, CSRF on, SQLite file and PostgreSQL."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from bot.db.corrections import record_change, request_correction
from bot.db.drafts import get_by_reference, get_or_create_draft, update_fields
from bot.db.followup_models import CorrectionRequest, MailOutbox
from bot.db.outbox import queue_mail
from bot.db.session import session_scope
from bot.db.staff import create_user, get_user_by_email
from bot.db.staff_models import DraftAudit
from bot.mail.compose import compose_answer
from bot.web import create_app

pytest_plugins = ["tests.db_fixtures"]  # db_url, migrated_db_url

PASSWORD = "mot de passe très long"
ADMIN, REVIEWER = "admin@valdemarne.fr", "instructeur@valdemarne.fr"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NONCE = re.compile(r'name="nonce" value="([^"]+)"')
FAIL = {"criterion": "legal_form", "status": "fail", "source": "Règlement, article 2",
        "message": "Une entreprise commerciale sans l'agrément ESUS ne peut pas candidater."}
PASS = {"criterion": "territory", "status": "pass", "source": "Règlement, article 3",
        "message": "Créteil est dans le Val-de-Marne."}
GIVEN = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)  # 10:30 in Paris


@pytest.fixture
def app(migrated_db_url, tmp_path):
    with session_scope(migrated_db_url) as session:
        create_user(session, ADMIN, PASSWORD, "admin")
        create_user(session, REVIEWER, PASSWORD, "reviewer")
    return create_app({"TESTING": True, "DATABASE_URL": migrated_db_url, "SECRET_KEY": "clé de test",
                       "SECURITY_LOG_FILE": tmp_path / "security.log", "LOGIN_SLEEP": lambda _s: None})


@pytest.fixture
def url(app):
    return app.config["DATABASE_URL"]


def text(response) -> str:
    return response.get_data(as_text=True)


def token(client, path="/staff/login"):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return TOKEN.search(text(response)).group(1)


def logged_in(app, email):
    client = app.test_client()
    response = client.post("/staff/login", data={"csrf_token": token(client), "email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def reviewer(app):
    return logged_in(app, REVIEWER)


@pytest.fixture
def draft(url):
    """A draft in review, with an address, a failed criterion and a project title."""
    with session_scope(url) as session:
        found = get_or_create_draft(session, "conv-suivi")
        update_fields(session, found, {"org_name": "Épicerie <solidaire>", "legal_form": "company_no_esus",
                                       "email": "porteur@exemple.fr", "commune": "Vitry-sur-Seine",
                                       "project_title": "Épicerie du quartier", "amount": "12000",
                                       "verdict": "ineligible", "verdict_reasons": [PASS, FAIL],
                                       "status": "in_review"})
        return found.reference


def compose(client, reference, outcome):
    """The compose page of a decision: (page text, CSRF token, nonce)."""
    response = client.get(f"/staff/drafts/{reference}/answer?outcome={outcome}")
    assert response.status_code == 200, text(response)
    page = text(response)
    return page, TOKEN.search(page).group(1), NONCE.search(page).group(1)


def send_answer(client, reference, outcome, csrf, nonce, message="Bonjour, voici notre réponse.",
                comment="Décision de la commission", action="send"):
    return client.post(f"/staff/drafts/{reference}/answer", data={
        "csrf_token": csrf, "outcome": outcome, "nonce": nonce, "message": message, "comment": comment,
        "action": action})


def mails(url):
    with session_scope(url) as session:
        return [(m.kind, m.status, m.to_address, m.idempotency_key)
                for m in session.scalars(select(MailOutbox).order_by(MailOutbox.id))]


def status_of(url, reference):
    with session_scope(url) as session:
        return get_by_reference(session, reference).status


def audit_actions(url):
    with session_scope(url) as session:
        return list(session.execute(select(DraftAudit.action, DraftAudit.to_status, DraftAudit.comment)
                                    .order_by(DraftAudit.id)).all())


# --- The decision and its mail ---

def test_draft_page_offers_the_decision_through_a_mail(reviewer, draft):
    page = text(reviewer.get(f"/staff/drafts/{draft}"))
    for outcome in ("admissible", "not_admissible", "incomplete"):
        assert f'id="outcome-{outcome}" name="outcome" value="{outcome}"' in page
    assert 'name="to_status"' not in page  # from « en cours d'examen », every decision writes to the applicant
    assert "Rédiger l'e-mail au porteur" in page and "Aucun e-mail pour cette pré-candidature." in page


def test_compose_is_prefilled_and_preview_shows_the_mail_as_sent(reviewer, draft):
    page, csrf, nonce = compose(reviewer, draft, "not_admissible")
    assert "n&#39;est pas recevable" in page  # answer_template: the reasons…
    assert "- Forme juridique : Une entreprise commerciale sans l&#39;agrément ESUS ne peut pas candidater." in page
    message = ("Après examen, votre projet n'est pas recevable : une entreprise commerciale sans l'agrément ESUS "
               "ne peut pas candidater.\n\nMessage personnel : nous restons à votre <écoute>.")
    preview = send_answer(reviewer, draft, "not_admissible", csrf, nonce, message=message, action="preview")
    assert preview.status_code == 200
    shown = text(preview)
    assert f"Pré-candidature {draft}" in shown and "Objet" in shown  # the subject
    assert "Message personnel : nous restons à votre &lt;écoute&gt;." in shown  # the plain text, escaped
    frame = re.search(r'<iframe[^>]*sandbox srcdoc="([^"]*)"', shown)
    assert frame is not None, "HTML preview in a sandboxed srcdoc iframe"
    mail_html = html.unescape(frame.group(1))
    assert "nous restons à votre &lt;écoute&gt;." in mail_html and "<écoute>" not in mail_html
    assert "<script" not in shown.split("<iframe")[1].split("</iframe>")[0]
    policy = preview.headers["Content-Security-Policy"]
    assert "'unsafe-hashes'" in policy and "'sha256-" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert f'name="nonce" value="{nonce}"' in shown and 'value="send"' in shown
    assert mails(reviewer.application.config["DATABASE_URL"]) == []  # a preview sends nothing


def test_admissible_preview_states_the_next_step(reviewer, draft):
    page, csrf, nonce = compose(reviewer, draft, "admissible")
    message = html.unescape(re.search(r'<textarea id="message"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    assert "est recevable" in message and "Prochaine étape" in message
    shown = text(send_answer(reviewer, draft, "admissible", csrf, nonce, message=message, action="preview"))
    assert "Prochaine étape" in shown and "est recevable" in shown


def test_send_queues_one_mail_even_when_posted_twice(reviewer, url, draft):
    _page, csrf, nonce = compose(reviewer, draft, "admissible")
    first = send_answer(reviewer, draft, "admissible", csrf, nonce)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/staff/drafts/{draft}#mails")
    second = send_answer(reviewer, draft, "admissible", csrf, nonce)  # double click / resubmitted form
    assert second.status_code == 302
    shown = text(reviewer.get(f"/staff/drafts/{draft}"))
    assert "Ce formulaire a déjà été envoyé" in shown and "Aucun second e-mail" in shown
    key = f"staff:{_draft_id(url, draft)}:admissible:{nonce}"
    assert mails(url) == [("admissible", "pending", "porteur@exemple.fr", key)]
    assert status_of(url, draft) == "admissible"
    actions = audit_actions(url)
    assert [a for a, _, _ in actions] == ["status_changed", "mail_queued"]
    assert actions[0][1:] == ("admissible", "Décision de la commission")
    assert "réponse : recevable" in shown and "en attente" in shown  # the mails list
    assert "E-mail mis en file d&#39;envoi" in shown  # the journal, in French


def test_a_concurrent_submission_of_the_same_form_rolls_this_one_back(reviewer, url, draft, monkeypatch):
    """The other request queued the mail between this one's check and its insert: the status change is undone."""
    _page, csrf, nonce = compose(reviewer, draft, "admissible")
    _queue(url, draft, key=f"staff:{_draft_id(url, draft)}:admissible:{nonce}")
    monkeypatch.setattr("bot.web.staff.followup._queued", lambda _session, _key: False)
    response = send_answer(reviewer, draft, "admissible", csrf, nonce)
    assert response.status_code == 302
    assert "Ce formulaire a déjà été envoyé" in text(reviewer.get(f"/staff/drafts/{draft}"))
    assert len(mails(url)) == 1 and status_of(url, draft) == "in_review"
    assert [a for a, *_ in audit_actions(url)] == ["mail_queued"]  # the queued one only; no status change kept


def _draft_id(url, reference):
    with session_scope(url) as session:
        return get_by_reference(session, reference).id


def test_another_form_after_the_decision_is_refused_cleanly(reviewer, url, draft):
    _page, csrf, first_nonce = compose(reviewer, draft, "admissible")
    _page, _csrf, other_nonce = compose(reviewer, draft, "not_admissible")  # a second tab, opened before
    assert first_nonce != other_nonce
    assert send_answer(reviewer, draft, "admissible", csrf, first_nonce).status_code == 302
    late = send_answer(reviewer, draft, "not_admissible", csrf, other_nonce)
    assert late.status_code == 409
    assert "Le statut de cette pré-candidature a changé entre-temps" in text(late)
    assert "Aucun e-mail n&#39;a été envoyé" in text(late) and "Traceback" not in text(late)
    assert [kind for kind, *_ in mails(url)] == ["admissible"] and status_of(url, draft) == "admissible"
    again = reviewer.get(f"/staff/drafts/{draft}/answer?outcome=not_admissible")
    assert again.status_code == 409 and "n&#39;est pas « en cours d&#39;examen »" in text(again)


def test_invalid_answers_are_refused_in_french(reviewer, url, draft):
    _page, csrf, nonce = compose(reviewer, draft, "not_admissible")
    no_comment = send_answer(reviewer, draft, "not_admissible", csrf, nonce, comment=" ")
    assert no_comment.status_code == 400 and "commentaire pour le journal est obligatoire" in text(no_comment)
    placeholder = send_answer(reviewer, draft, "not_admissible", csrf, nonce,
                              message="Refus : [motif à préciser par l'agent avant l'envoi]")
    assert placeholder.status_code == 400 and "par le motif du refus" in text(placeholder)
    forged = send_answer(reviewer, draft, "not_admissible", csrf, "x")
    assert forged.status_code == 400 and "Formulaire incomplet" in text(forged)
    assert mails(url) == [] and status_of(url, draft) == "in_review"


def test_posts_need_a_csrf_token_and_a_login(app, reviewer, url, draft):
    _page, _csrf, nonce = compose(reviewer, draft, "admissible")
    refused = reviewer.post(f"/staff/drafts/{draft}/answer", data={
        "outcome": "admissible", "nonce": nonce, "message": "Bonjour", "comment": "ok", "action": "send"})
    assert refused.status_code == 400 and "Formulaire refusé" in text(refused)
    refused = reviewer.post(f"/staff/drafts/{draft}/correction", data={
        "fields": ["commune"], "nonce": nonce, "comment": "Commune ?", "action": "send"})
    assert refused.status_code == 400
    anonymous = app.test_client()
    assert anonymous.get(f"/staff/drafts/{draft}/answer?outcome=admissible").status_code == 302
    assert anonymous.post(f"/staff/drafts/{draft}/mails/1/retry").status_code in (400, 401)
    assert mails(url) == [] and status_of(url, draft) == "in_review"


def test_an_admin_answers_too(app, url, draft):
    admin = logged_in(app, ADMIN)
    _page, csrf, nonce = compose(admin, draft, "not_admissible")
    assert send_answer(admin, draft, "not_admissible", csrf, nonce).status_code == 302
    assert [(kind, status) for kind, status, *_ in mails(url)] == [("not_admissible", "pending")]


def test_back_to_review_sends_nothing(reviewer, url, draft):
    _page, csrf, nonce = compose(reviewer, draft, "admissible")
    send_answer(reviewer, draft, "admissible", csrf, nonce)
    page = text(reviewer.get(f"/staff/drafts/{draft}"))
    assert 'id="to-in_review"' in page and "aucun e-mail n'est envoyé" in page
    back = reviewer.post(f"/staff/drafts/{draft}/status", data={
        "csrf_token": csrf, "to_status": "in_review", "from_status": "admissible", "comment": "Erreur"})
    assert back.status_code == 302 and status_of(url, draft) == "in_review"
    assert len(mails(url)) == 1


def test_a_draft_without_address_keeps_the_plain_status_change(reviewer, url, draft):
    with session_scope(url) as session:
        update_fields(session, get_by_reference(session, draft), {"email": None})
    page = text(reviewer.get(f"/staff/drafts/{draft}"))
    assert 'name="outcome"' not in page and 'id="to-admissible"' in page and "pas d'adresse e-mail" in page
    _page, csrf, nonce = compose(reviewer, draft, "admissible")  # reached anyway: sending is refused
    refused = send_answer(reviewer, draft, "admissible", csrf, nonce)
    assert refused.status_code == 400 and "pas d&#39;adresse e-mail" in text(refused)
    assert mails(url) == [] and status_of(url, draft) == "in_review"


# --- Correction requests ---

def test_correction_request_with_two_fields(reviewer, url, draft):
    page = text(reviewer.get(f"/staff/drafts/{draft}/correction"))
    assert "<legend>Champs à corriger</legend>" in page
    assert '<label for="field-commune">Commune' in page and 'id="field-amount"' in page
    csrf, nonce = TOKEN.search(page).group(1), NONCE.search(page).group(1)
    form = {"csrf_token": csrf, "nonce": nonce, "fields": ["amount", "commune"],
            "comment": "La commune et le montant ne correspondent pas au budget."}
    empty = reviewer.post(f"/staff/drafts/{draft}/correction", data={**form, "fields": [], "action": "preview"})
    assert empty.status_code == 400 and "Cochez au moins un champ" in text(empty)
    preview = text(reviewer.post(f"/staff/drafts/{draft}/correction", data={**form, "action": "preview"}))
    assert "Vitry-sur-Seine" in preview and "ne correspondent pas au budget" in preview and "srcdoc=" in preview
    for _ in range(2):  # and once more, as a double click would
        assert reviewer.post(f"/staff/drafts/{draft}/correction", data={**form, "action": "send"}).status_code == 302
    assert status_of(url, draft) == "incomplete"
    assert [(kind, status) for kind, status, *_ in mails(url)] == [("incomplete", "pending")]
    with session_scope(url) as session:
        requests = session.scalars(select(CorrectionRequest)).all()
        assert [(r.fields, r.comment) for r in requests] == [
            (["commune", "amount"], "La commune et le montant ne correspondent pas au budget.")]
    assert [a for a, *_ in audit_actions(url)] == ["status_changed", "correction_requested", "mail_queued"]
    shown = text(reviewer.get(f"/staff/drafts/{draft}"))
    request_panel = shown.split('id="request-title"')[1].split("</section>")[0]
    assert "<li>Commune</li><li>Montant demandé</li>" in request_panel
    assert "ne correspondent pas au budget" in request_panel
    assert "champs : Commune, Montant demandé" in shown  # the journal names the fields in French
    assert "demande de corrections" in shown


# --- Mails list and retry ---

def _queue(url, reference, kind="admissible", key="k1", **values):
    with session_scope(url) as session:
        found = get_by_reference(session, reference)
        mail, _ = queue_mail(session, found, kind, compose_answer(found, "admissible", "Bonjour"), key,
                             created_by=get_user_by_email(session, REVIEWER))
        if values:
            session.execute(update(MailOutbox).where(MailOutbox.id == mail.id).values(**values))
        return mail.id


def test_mails_list_shows_statuses_in_french(reviewer, url, draft):
    _queue(url, draft, key="a")
    _queue(url, draft, key="b", status="sent", attempts=1, sent_at=GIVEN)
    _queue(url, draft, key="c", status="failed", attempts=8, last_error="Le serveur SMTP a refusé l'adresse.")
    _queue(url, draft, key="d", attempts=2, last_error="Serveur SMTP injoignable.", next_attempt_at=GIVEN)
    section = text(reviewer.get(f"/staff/drafts/{draft}")).split('id="mails-title"')[1].split("</section>")[0]
    assert section.count("<tr class=\"staff-mail-") == 4
    assert "en attente</td>" in section and "dès que possible" in section
    assert "envoyé le 02/03/2026 à 10:30" in section
    assert "échec : Le serveur SMTP a refusé l&#39;adresse." in section
    assert "en attente (dernier essai en échec : Serveur SMTP injoignable.)" in section
    assert section.count(">Réessayer</button>") == 2  # the failed one and the pending one with an error
    assert "réponse : recevable" in section


def test_retry_a_failed_mail(reviewer, url, draft):
    failed = _queue(url, draft, status="failed", attempts=8, last_error="Serveur SMTP injoignable.")
    sent = _queue(url, draft, key="sent", status="sent", attempts=1, sent_at=GIVEN)
    page = f"/staff/drafts/{draft}"
    csrf = token(reviewer, page)
    assert reviewer.post(f"{page}/mails/{failed}/retry").status_code == 400  # no CSRF token
    response = reviewer.post(f"{page}/mails/{failed}/retry", data={"csrf_token": csrf})
    assert response.status_code == 302 and response.headers["Location"].endswith("#mails")
    shown = text(reviewer.get(page))
    assert "Nouvel essai programmé" in shown and "Nouvel essai d&#39;envoi d&#39;un e-mail" in shown
    with session_scope(url) as session:
        row = session.get(MailOutbox, failed)
        assert (row.status, row.attempts) == ("pending", 0)
        assert session.scalar(select(func.count()).select_from(DraftAudit)
                              .where(DraftAudit.action == "mail_retried")) == 1
    refused = reviewer.post(f"{page}/mails/{sent}/retry", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "déjà été envoyé" in text(refused)
    assert reviewer.post(f"{page}/mails/99999/retry", data={"csrf_token": csrf}).status_code == 404


# --- What changed ---

def test_changes_are_shown_as_a_diff_under_their_request(reviewer, url, draft):
    with session_scope(url) as session:
        found = get_by_reference(session, draft)
        request = request_correction(session, found, ["commune", "amount"], "Vérifiez la commune et le montant.",
                                     get_user_by_email(session, REVIEWER))
        record_change(session, found, "commune", "Vitry-sur-Seine", "Créteil", "en fait on est à Créteil",
                      changed_at=GIVEN, request=request)
        record_change(session, found, "amount", "12000", "9000.0", "le montant c'est 9 000 en fait",
                      changed_at=GIVEN, request=request)
        record_change(session, found, "phone", None, "01 45 00 00 00", "mon téléphone : 01 45 00 00 00",
                      changed_at=GIVEN + timedelta(hours=1))
    section = text(reviewer.get(f"/staff/drafts/{draft}")).split('id="changes-title"')[1].split("</section>")[0]
    assert "En réponse à la demande de corrections du" in section and "Vérifiez la commune et le montant." in section
    assert "<del>Vitry-sur-Seine</del> <span aria-hidden=\"true\">→</span>" in section
    assert "<ins>Créteil</ins>" in section and "<q>en fait on est à Créteil</q>" in section
    assert "<del>12 000 €</del>" in section and "<ins>9 000 €</ins>" in section  # formatted as the page does
    assert "Modifications hors demande de corrections" in section and "<ins>01 45 00 00 00</ins>" in section
    assert "02/03/2026 à 10:30" in section and "Pas encore confirmées par le porteur." in section
    rows = re.findall(r'<th scope="row">([^<]+)</th>', section)
    assert rows == ["Téléphone", "Commune", "Montant demandé"]  # the latest group first, then the request's


def test_no_changes_yet(reviewer, draft):
    page = text(reviewer.get(f"/staff/drafts/{draft}"))
    assert "Aucune valeur modifiée depuis l'enregistrement" in page
