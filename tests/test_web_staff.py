"""The staff area through Flask's test client, CSRF enabled, on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert, select, update

from bot.application.export import LABELS
from bot.db.drafts import EXPORT_COLUMNS, get_by_reference, get_or_create_draft, update_fields
from bot.db.models import Draft
from bot.db.session import session_scope
from bot.db.staff import create_user
from bot.db.staff_models import DraftAudit
from bot.web import create_app

pytest_plugins = ["tests.db_fixtures"]  # db_url, migrated_db_url

PASSWORD = "mot de passe très long"
ADMIN, REVIEWER = "admin@valdemarne.fr", "instructeur@valdemarne.fr"
INJECTION = '=HYPERLINK("http://exemple.invalid","clic")'
FAIL = {"criterion": "legal_form", "status": "fail", "source": "Règlement, article 2",
        "message": "Une entreprise commerciale sans l'agrément ESUS ne peut pas candidater."}
PASS = {"criterion": "territory", "status": "pass", "source": "Règlement, article 3",
        "message": "Créteil est dans le Val-de-Marne."}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def sleeps():
    """The login delays the app asked for (it never really sleeps in these tests)."""
    return []


@pytest.fixture
def app(migrated_db_url, tmp_path, sleeps):
    with session_scope(migrated_db_url) as session:
        create_user(session, ADMIN, PASSWORD, "admin")
        create_user(session, REVIEWER, PASSWORD, "reviewer")
    return create_app({"TESTING": True, "DATABASE_URL": migrated_db_url, "SECRET_KEY": "clé de test",
                       "SECURITY_LOG_FILE": tmp_path / "security.log", "LOGIN_SLEEP": sleeps.append})


@pytest.fixture
def url(app):
    return app.config["DATABASE_URL"]


@pytest.fixture
def client(app):
    return app.test_client()


def token(client, path="/staff/login"):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return TOKEN.search(response.get_data(as_text=True)).group(1)


def login(client, email=REVIEWER, password=PASSWORD, **environ):
    csrf = token(client)
    return client.post("/staff/login", data={"csrf_token": csrf, "email": email, "password": password},
                       environ_base=environ)


def post(client, path, data, page):
    """A form POST with the CSRF token taken from ``page``."""
    return client.post(path, data={"csrf_token": token(client, page), **data})


def add_draft(url, conversation, **values):
    with session_scope(url) as session:
        draft = get_or_create_draft(session, conversation)
        update_fields(session, draft, values, sources={"org_name": ("Nous sommes l'asso Alpha", None)})
        return draft.reference


@pytest.fixture
def reviewer(client):
    assert login(client).status_code == 302
    return client


@pytest.fixture
def admin(client):
    assert login(client, ADMIN).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


# --- Login, logout, throttling, CSRF ---

def test_login_success_sets_a_fresh_secure_session(client):
    with client.session_transaction() as session:
        session["planted"] = "valeur"
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/drafts")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:  # only a random token: the session itself is in the database
        assert "planted" not in session and "staff_user_id" not in session
        assert isinstance(session["staff_session"], str) and len(session["staff_session"]) >= 40
    page = client.get("/staff/")
    assert page.status_code == 200 and REVIEWER in text(page)
    assert page.headers["Cache-Control"] == "no-store"


def test_login_redirects_to_the_page_asked_for_but_never_elsewhere(client):
    first = client.get("/staff/dashboard")
    assert first.status_code == 302 and "/staff/login?next=/staff/dashboard" in first.headers["Location"]
    csrf = token(client)
    response = client.post("/staff/login", data={"csrf_token": csrf, "email": REVIEWER, "password": PASSWORD,
                                                 "next": "/staff/dashboard"})
    assert response.headers["Location"].endswith("/staff/dashboard")
    client.post("/staff/logout", data={"csrf_token": token(client, "/staff/")})
    response = client.post("/staff/login", data={"csrf_token": token(client), "email": REVIEWER,
                                                 "password": PASSWORD, "next": "//evil.example/staff/"})
    assert response.headers["Location"].endswith("/staff/drafts")


def test_login_failure(client):
    response = login(client, password="mauvais mot de passe")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in text(response)
    assert client.get("/staff/").status_code == 302


def test_inactive_user_cannot_log_in_and_is_logged_out(client, url):
    assert login(client).status_code == 302
    with session_scope(url) as session:
        from bot.db.staff import get_user_by_email, set_active
        set_active(session, get_user_by_email(session, REVIEWER), False)
    assert client.get("/staff/").status_code == 302  # logged out at once
    assert login(client).status_code == 401


def test_failures_on_an_account_slow_it_down_but_never_lock_it(client, sleeps):
    for i in range(6):  # from six addresses: only the e-mail is common
        response = login(client, password="mauvais mot de passe", REMOTE_ADDR=f"203.0.113.{i}")
        assert response.status_code == 401
    assert sleeps == [1.0, 2.0, 4.0]  # the 4th, 5th and 6th attempts waited, growing
    response = login(client, REMOTE_ADDR="203.0.113.99")  # the right password still works, after a wait
    assert response.status_code == 302 and sleeps[-1] == 8.0
    assert client.get("/staff/").status_code == 200
    assert login(client.application.test_client(), ADMIN, REMOTE_ADDR="203.0.113.99").status_code == 302


def test_an_address_that_keeps_failing_must_wait(client):
    for i in range(3):
        assert login(client, f"inconnu{i}@exemple.fr", REMOTE_ADDR="198.51.100.7").status_code == 401
    refused = login(client, ADMIN, REMOTE_ADDR="198.51.100.7")  # too soon after the 3rd failure
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "patientez 1 seconde avant de réessayer" in text(refused)
    assert login(client, ADMIN, REMOTE_ADDR="198.51.100.8").status_code == 302  # another address: no wait


def test_logout(reviewer):
    response = reviewer.post("/staff/logout", data={"csrf_token": token(reviewer, "/staff/")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/login")
    assert reviewer.get("/staff/").status_code == 302
    assert reviewer.get("/staff/logout").status_code == 405


def test_missing_csrf_token_is_refused(client, url):
    response = client.post("/staff/login", data={"email": REVIEWER, "password": PASSWORD})
    assert response.status_code == 400 and "Formulaire refusé" in text(response)
    assert login(client).status_code == 302
    reference = add_draft(url, "conv-1", org_name="Alpha")
    response = client.post(f"/staff/drafts/{reference}/status", data={"to_status": "in_review", "comment": "ok"})
    assert response.status_code == 400
    assert client.post("/staff/logout").status_code == 400


# --- Access control ---

STAFF_URLS = ("/staff/", "/staff/drafts", "/staff/drafts/ESS-2026-0001", "/staff/drafts/ESS-2026-0001/delete",
              "/staff/drafts.csv", "/staff/drafts.xlsx", "/staff/dashboard", "/staff/accounts", "/staff/audit",
              "/staff/assets/staff.css")


@pytest.mark.parametrize("path", STAFF_URLS)
def test_nothing_is_reachable_without_login(client, url, path):
    add_draft(url, "conv-1", org_name="Alpha")
    response = client.get(path)
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "/staff/login" in response.headers["Location"]
    assert "Alpha" not in text(response)


def test_posts_are_refused_without_login(client, url):
    reference = add_draft(url, "conv-1", org_name="Alpha")
    csrf = token(client)
    for path in (f"/staff/drafts/{reference}/status", f"/staff/drafts/{reference}/notes",
                 f"/staff/drafts/{reference}/delete", "/staff/accounts", "/staff/logout"):
        assert client.post(path, data={"csrf_token": csrf, "confirm": "yes"}).status_code == 401, path
    with session_scope(url) as session:
        assert get_by_reference(session, reference) is not None


def test_staff_stylesheet_only_behind_login(client):
    assert client.get("/static/staff/staff.css").status_code == 404
    assert client.get("/static/./staff/staff.css").status_code == 404
    login(client)
    response = client.get("/staff/assets/staff.css")
    assert response.status_code == 200 and response.mimetype == "text/css" and b".staff-table" in response.data
    assert client.get("/static/staff/staff.css").status_code == 404


def test_reviewer_gets_403_on_admin_actions(reviewer, url):
    reference = add_draft(url, "conv-1", org_name="Alpha")
    for response in (reviewer.get("/staff/accounts"), reviewer.get(f"/staff/drafts/{reference}/delete")):
        assert response.status_code == 403 and "réservée aux administrateurs" in text(response)
    csrf = token(reviewer, "/staff/")
    assert reviewer.post(f"/staff/drafts/{reference}/delete", data={"csrf_token": csrf, "confirm": "yes"}
                         ).status_code == 403
    assert reviewer.post("/staff/accounts", data={"csrf_token": csrf, "email": "x@exemple.fr", "role": "admin",
                                                  "password": PASSWORD, "password_confirm": PASSWORD}
                         ).status_code == 403
    with session_scope(url) as session:
        assert get_by_reference(session, reference) is not None
    assert "Comptes" not in text(reviewer.get("/staff/"))


def test_admin_deletes_a_draft_and_the_audit_is_kept(admin, url):
    reference = add_draft(url, "conv-1", org_name="Alpha")
    page = f"/staff/drafts/{reference}"
    post(admin, f"{page}/status", {"to_status": "in_review", "comment": "Examen"}, page)
    refused = post(admin, f"{page}/delete", {}, f"{page}/delete")
    assert refused.status_code == 400 and "Cochez la case" in text(refused)
    response = post(admin, f"{page}/delete", {"confirm": "yes"}, f"{page}/delete")
    assert response.status_code == 302
    assert "supprimées" in text(admin.get(response.headers["Location"]))
    assert admin.get(page).status_code == 404
    with session_scope(url) as session:
        assert get_by_reference(session, reference) is None
        rows = session.execute(select(DraftAudit.action, DraftAudit.draft_id, DraftAudit.draft_reference)
                               .order_by(DraftAudit.id)).all()
    assert rows == [("status_changed", None, reference), ("deleted", None, reference)]
    journal = text(admin.get("/staff/audit"))
    assert f"{reference} (supprimée)" in journal and "Pré-candidature supprimée" in journal and ADMIN in journal


def test_accounts_page(admin, url):
    assert "Comptes de l'espace agents" in text(admin.get("/staff/accounts"))
    data = {"email": "Nouvel@valdemarne.fr", "role": "reviewer", "password": PASSWORD, "password_confirm": PASSWORD}
    assert post(admin, "/staff/accounts", data, "/staff/accounts").status_code == 302
    duplicate = post(admin, "/staff/accounts", data, "/staff/accounts")
    assert duplicate.status_code == 400 and "existe déjà" in text(duplicate)
    weak = post(admin, "/staff/accounts", {**data, "email": "b@valdemarne.fr", "password": "court",
                                           "password_confirm": "court"}, "/staff/accounts")
    assert weak.status_code == 400 and "12 caractères" in text(weak)
    with session_scope(url) as session:
        from bot.db.staff import get_user_by_email
        new_id = get_user_by_email(session, "nouvel@valdemarne.fr").id
        admin_id = get_user_by_email(session, ADMIN).id
    assert post(admin, f"/staff/accounts/{new_id}/active", {"active": "0"}, "/staff/accounts").status_code == 302
    assert "désactivé" in text(admin.get("/staff/accounts"))
    other = admin.application.test_client()
    assert login(other, "nouvel@valdemarne.fr").status_code == 401
    itself = post(admin, f"/staff/accounts/{admin_id}/active", {"active": "0"}, "/staff/accounts")
    assert itself.status_code == 400 and "votre propre compte" in text(itself)


# --- Drafts list: filters, search, sort, pagination ---

def bulk_drafts(url, count, **values):
    """``count`` drafts inserted in one statement, references ESS-2026-00001 upwards, one minute apart."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [{"reference": f"ESS-2026-{i:05d}", "conversation_id": f"bulk-{i}", "status": "new",
             "org_name": f"Structure {i}", "commune": "Créteil", "legal_form": "association",
             "amount": Decimal(1000 + i), "verdict": "eligible", "created_at": start + timedelta(minutes=i),
             "updated_at": start + timedelta(minutes=i), **values} for i in range(1, count + 1)]
    with session_scope(url) as session:
        session.execute(insert(Draft), rows)


def references(response) -> list:
    return re.findall(r'<th scope="row"><a href="/staff/drafts/([^"]+)">', text(response))


def test_list_shows_the_columns_in_french(reviewer, url):
    add_draft(url, "conv-1", org_name="Alpha", commune="Créteil", legal_form="company_no_esus", amount="12000")
    with session_scope(url) as session:
        session.execute(update(Draft).values(verdict="ineligible"))
    page = text(reviewer.get("/staff/"))
    for header in ("Référence", "Structure", "Commune", "Forme juridique", "Montant demandé", "Verdict", "Statut",
                   "Dernière mise à jour"):
        assert f">{header}<" in page
    for value in ("Alpha", "Créteil", "entreprise commerciale sans agrément ESUS", "12 000 €", "non éligible",
                  "nouveau"):
        assert value in page
    assert 'scope="col"' in page and 'aria-sort="descending"' in page


def test_filters_search_and_sort(reviewer, url):
    a = add_draft(url, "conv-a", org_name="Alpha 100%", commune="Créteil", legal_form="association", amount="5000",
                  email="contact@alpha.fr")
    b = add_draft(url, "conv-b", org_name="Beta_2", commune="Vitry-sur-Seine", legal_form="cooperative",
                  amount="20000", contact_name="Jeanne ALPHA")
    c = add_draft(url, "conv-c", org_name="Gamma", commune="Créteil", legal_form="association", amount="9000",
                  status="in_review")
    with session_scope(url) as session:
        session.execute(update(Draft).where(Draft.reference == c)
                        .values(updated_at=datetime(2025, 6, 15, 12, tzinfo=timezone.utc)))
    assert set(references(reviewer.get("/staff/?q=alpha"))) == {a, b}  # organisation and contact
    assert references(reviewer.get("/staff/?q=ALPHA.FR")) == [a]  # e-mail, case-insensitive
    assert references(reviewer.get("/staff/?q=%25")) == [a]  # "%" taken literally
    assert references(reviewer.get("/staff/?q=a_2")) == [b]  # "_" taken literally
    assert references(reviewer.get(f"/staff/?q={c.lower()}")) == [c]
    assert references(reviewer.get("/staff/?status=in_review")) == [c]
    assert set(references(reviewer.get("/staff/?commune=Créteil"))) == {a, c}
    assert references(reviewer.get("/staff/?legal_form=cooperative")) == [b]
    assert references(reviewer.get("/staff/?date_from=2025-06-01&date_to=2025-06-15")) == [c]
    assert set(references(reviewer.get("/staff/?date_field=created&date_from=2025-06-01"))) == {a, b, c}
    assert references(reviewer.get("/staff/?sort=amount&order=asc")) == [a, c, b]
    assert references(reviewer.get("/staff/?sort=amount&order=desc")) == [b, c, a]
    assert references(reviewer.get("/staff/?sort=org_name&order=asc&commune=Créteil")) == [a, c]
    odd = reviewer.get("/staff/?status=accepted&sort=password_hash&date_from=hier")
    assert odd.status_code == 200 and "Statut inconnu ignoré" in text(odd) and "Date invalide ignorée" in text(odd)
    assert len(references(odd)) == 3


def test_pagination_keeps_filters_and_sort(reviewer, url):
    bulk_drafts(url, 120)
    first = reviewer.get("/staff/drafts?commune=Créteil&sort=reference&order=asc")
    assert references(first)[:2] == ["ESS-2026-00001", "ESS-2026-00002"] and len(references(first)) == 50
    page = text(first)
    assert "120 pré-candidatures" in page and "1 à 50 affichées" in page
    links = re.findall(r'href="(/staff/drafts\?[^"]*page=[0-9]+[^"]*)"', page)
    assert links and all("commune=Cr%C3%A9teil" in link and "sort=reference" in link and "order=asc" in link
                         for link in links)
    third = reviewer.get(links[-1].replace("&amp;", "&"))  # "Page suivante"
    assert references(third)[0] == "ESS-2026-00051"
    last = reviewer.get("/staff/drafts?commune=Créteil&sort=reference&order=asc&page=3")
    assert references(last) == [f"ESS-2026-{i:05d}" for i in range(101, 121)]


def test_ten_thousand_drafts_page_200(reviewer, url):
    bulk_drafts(url, 10_000)
    response = reviewer.get("/staff/?sort=reference&order=asc&page=200")
    assert response.status_code == 200
    assert references(response) == [f"ESS-2026-{i:05d}" for i in range(9951, 10_001)]
    assert "10000 pré-candidatures" in text(response) and "9951 à 10000 affichées" in text(response)
    beyond = reviewer.get("/staff/?sort=reference&order=asc&page=999")
    assert references(beyond)[-1] == "ESS-2026-10000"
    searched = reviewer.get("/staff/?q=structure 9999&sort=amount&order=desc")
    assert references(searched) == ["ESS-2026-09999"]


# --- One draft: fields and provenance, reasons, transcript, workflow, notes ---

def create_events(url, rows):
    """A Rasa-like ``events`` table (SQL tracker store) with ``rows`` (sender, type, timestamp, data)."""
    metadata = MetaData()
    events = Table("events", metadata, Column("id", Integer, primary_key=True), Column("sender_id", String(255)),
                   Column("type_name", String(255)), Column("timestamp", Float), Column("intent_name", String(255)),
                   Column("action_name", String(255)), Column("data", Text))
    with session_scope(url) as session:
        metadata.create_all(session.connection())
        session.execute(insert(events), [
            {"sender_id": sender, "type_name": type_name, "timestamp": timestamp, "data": json.dumps(data)}
            for sender, type_name, timestamp, data in rows])


def user_event(text, intent="inform"):
    return {"event": "user", "text": text, "parse_data": {"text": text, "intent": {"name": intent}}}


@pytest.fixture
def full_draft(url):
    with session_scope(url) as session:
        draft = get_or_create_draft(session, "conv-full")
        given = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
        update_fields(session, draft, {"org_name": "Épicerie <solidaire>", "legal_form": "association",
                                       "amount": "12000", "other_department_aid": False,
                                       "verdict": "ineligible", "verdict_reasons": [PASS, FAIL]},
                      sources={"org_name": ("Nous sommes l'Épicerie <solidaire>", given),
                               "amount": ("environ 12 000 euros", given)})
        return draft.reference


def test_draft_page_shows_fields_provenance_and_reasons(reviewer, full_draft):
    page = text(reviewer.get(f"/staff/drafts/{full_draft.lower()}"))
    assert f"Pré-candidature {full_draft}" in page
    assert "Épicerie &lt;solidaire&gt;" in page and "<solidaire>" not in page  # escaped
    assert "<q>Nous sommes l&#39;Épicerie &lt;solidaire&gt;</q>" in page
    assert "02/03/2026 à 10:30" in page  # 09:30 UTC, Paris time
    for value in ("Montant demandé", "12 000 €", "environ 12 000 euros", "Autre aide du Département", "non",
                  "Forme juridique", "association"):
        assert value in page
    assert "Territoire" in page and "✔ conforme" in page and "✘ non conforme" in page
    assert "sans l&#39;agrément ESUS" in page and "Règlement, article 2" in page
    assert "Les conversations ne sont pas enregistrées" in page  # no events table
    assert reviewer.get("/staff/drafts/ESS-1999-0001").status_code == 404


def test_transcript_from_the_events_table(reviewer, url, full_draft):
    create_events(url, [
        ("conv-full", "action", 1772443800.0, {"event": "action", "name": "action_listen"}),
        ("conv-full", "user", 1772443801.0, user_event("Bonjour, je voudrais candidater")),
        ("conv-full", "bot", 1772443802.0, {"event": "bot", "text": "Bonjour ! Quelle est votre structure ?"}),
        ("conv-full", "slot", 1772443802.5, {"event": "slot", "name": "org_name", "value": "x"}),
        ("conv-full", "user", 1772443900.0, user_event("Épicerie solidaire")),
        ("autre-conversation", "user", 1772443850.0, user_event("Message d'un autre")),
    ])
    page = text(reviewer.get(f"/staff/drafts/{full_draft}"))
    said = [page.index(t) for t in ("Bonjour, je voudrais candidater", "Bonjour ! Quelle est votre structure ?",
                                    "Épicerie solidaire</p>")]
    assert said == sorted(said)
    assert "Message d&#39;un autre" not in page and "action_listen" not in page
    assert "Demandeur" in page and "Assistant" in page and "02/03/2026 à 10:30" in page


def test_status_change_needs_a_comment_and_is_audited(reviewer, url, full_draft):
    page = f"/staff/drafts/{full_draft}"
    empty = post(reviewer, f"{page}/status", {"to_status": "in_review", "from_status": "new", "comment": "  "}, page)
    assert empty.status_code == 400 and "Le commentaire est obligatoire" in text(empty)
    invalid = post(reviewer, f"{page}/status", {"to_status": "admissible", "from_status": "new",
                                                "comment": "Tout est bon"}, page)
    assert invalid.status_code == 409 and "pas permis" in text(invalid)
    with session_scope(url) as session:
        assert get_by_reference(session, full_draft).status == "new"
    done = post(reviewer, f"{page}/status", {"to_status": "in_review", "from_status": "new",
                                             "comment": "Je prends le dossier"}, page)
    assert done.status_code == 302
    shown = text(reviewer.get(page))
    assert "en cours d&#39;examen" in shown and "Je prends le dossier" in shown and REVIEWER in shown
    stale = post(reviewer, f"{page}/status", {"to_status": "in_review", "from_status": "new", "comment": "x"}, page)
    assert stale.status_code == 409
    assert post(reviewer, f"{page}/status", {"to_status": "incomplete", "from_status": "in_review",
                                             "comment": "Il manque le budget"}, page).status_code == 302
    with session_scope(url) as session:
        assert get_by_reference(session, full_draft).status == "incomplete"
        rows = session.execute(select(DraftAudit.from_status, DraftAudit.to_status, DraftAudit.comment)
                               .order_by(DraftAudit.id)).all()
    assert rows == [("new", "in_review", "Je prends le dossier"), ("in_review", "incomplete", "Il manque le budget")]


def test_a_forged_status_is_refused_as_a_forbidden_transition(reviewer, url, full_draft):
    page = f"/staff/drafts/{full_draft}"
    for form in ({"to_status": "archived", "from_status": "new"}, {"to_status": "in_review", "from_status": "archived"}):
        refused = post(reviewer, f"{page}/status", {**form, "comment": "Essai"}, page)
        assert refused.status_code == 409 and "pas permis" in text(refused)
        empty = post(reviewer, f"{page}/status", {**form, "comment": "  "}, page)
        assert empty.status_code == 400 and "Le commentaire est obligatoire" in text(empty)
    with session_scope(url) as session:
        assert get_by_reference(session, full_draft).status == "new"
        assert session.execute(select(DraftAudit.id)).all() == []


def test_a_decision_on_a_draft_with_an_email_is_never_made_without_its_mail(reviewer, url, full_draft):
    page = f"/staff/drafts/{full_draft}"
    with session_scope(url) as session:
        update_fields(session, get_by_reference(session, full_draft), {"email": "porteur@example.org",
                                                                        "status": "in_review"})
    for decision in ("admissible", "not_admissible", "incomplete"):
        silent = post(reviewer, f"{page}/status", {"to_status": decision, "from_status": "in_review",
                                                   "comment": "Décision sans e-mail"}, page)
        assert silent.status_code == 400 and "annoncée au porteur de projet par e-mail" in text(silent)
    with session_scope(url) as session:
        assert get_by_reference(session, full_draft).status == "in_review"
        assert session.execute(select(DraftAudit.id)).all() == []


def test_private_notes(reviewer, full_draft):
    page = f"/staff/drafts/{full_draft}"
    assert post(reviewer, f"{page}/notes", {"body": " "}, page).status_code == 400
    assert post(reviewer, f"{page}/notes", {"body": "Rappeler la trésorière"}, page).status_code == 302
    shown = text(reviewer.get(page))
    assert "Rappeler la trésorière" in shown and "Note ajoutée" in shown and REVIEWER in shown


# --- Exports and dashboard ---

@pytest.fixture
def exported(url):
    first = add_draft(url, "conv-1", org_name=INJECTION, amount="12000", other_department_aid=False,
                      project_description="Une épicerie;\nsolidaire")
    second = add_draft(url, "conv-2", org_name="Beta", status="in_review", commune="Créteil")
    return first, second


def test_csv_export_respects_filters_and_is_formula_safe(reviewer, exported):
    first, second = exported
    response = reviewer.get("/staff/drafts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="pre-candidatures-\d{4}-\d{2}-\d{2}\.csv"',
                        response.headers["Content-Disposition"])
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == [LABELS[name] for name in EXPORT_COLUMNS] and len(rows) == 3
    line = {row[0]: dict(zip(EXPORT_COLUMNS, row, strict=False)) for row in rows[1:]}[first]
    assert line["org_name"] == "'" + INJECTION and line["amount"] == "12000,00"
    assert line["project_description"] == "Une épicerie;\nsolidaire"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    filtered = reviewer.get("/staff/drafts.csv?status=in_review")
    assert [row[0] for row in csv.reader(io.StringIO(filtered.data.decode("utf-8-sig")), delimiter=";")][1:] == [
        second]
    searched = reviewer.get("/staff/drafts.csv?q=hyperlink")
    assert [row[0] for row in csv.reader(io.StringIO(searched.data.decode("utf-8-sig")), delimiter=";")][1:] == [
        first]


def test_xlsx_export_opens_with_openpyxl(reviewer, exported):
    first, _ = exported
    response = reviewer.get("/staff/drafts.xlsx?sort=reference&order=asc")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [LABELS[name] for name in EXPORT_COLUMNS] and len(rows) == 3
    assert all(cell.font.bold for cell in sheet[1])
    line = dict(zip(EXPORT_COLUMNS, rows[1], strict=False))
    assert line["reference"] == first and line["org_name"] == "'" + INJECTION and line["amount"] == 12000
    assert line["other_department_aid"] == "non" and isinstance(line["created_at"], datetime)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    only = load_workbook(io.BytesIO(reviewer.get("/staff/drafts.xlsx?status=in_review").data)).active
    assert only.max_row == 2


def test_dashboard(reviewer, url):
    add_draft(url, "conv-1", commune="Créteil", legal_form="company_no_esus", verdict="ineligible",
              verdict_reasons=[PASS, FAIL], consent_at=datetime(2026, 11, 25, tzinfo=timezone.utc))
    add_draft(url, "conv-2", commune="Créteil", legal_form="company_no_esus", verdict="ineligible",
              verdict_reasons=[FAIL])
    add_draft(url, "conv-3", commune="Ivry-sur-Seine", legal_form="association", verdict="eligible",
              verdict_reasons=[PASS], status="in_review")
    empty = text(reviewer.get("/staff/dashboard"))
    assert "Les conversations ne sont pas enregistrées" in empty
    now = datetime.now(timezone.utc).timestamp()
    create_events(url, [
        ("conv-1", "user", now - 60, user_event("Quel temps fait-il à Créteil ?", "out_of_scope")),
        ("conv-1", "user", now - 30, user_event("Mon projet de tiers-lieu numérique ?", "nlu_fallback")),
        ("conv-2", "user", now - 20, user_event("Je veux parler de nlu_fallback", "inform")),
        ("conv-2", "bot", now - 10, {"event": "bot", "text": "Je n'ai pas compris (nlu_fallback)."}),
    ])
    page = text(reviewer.get("/staff/dashboard"))
    assert "3 pré-candidatures enregistrées" in page
    assert re.search(r"nouveau</th><td class=\"staff-number\">2<", page)
    assert re.search(r"Créteil</th><td class=\"staff-number\">2<", page)
    assert re.search(r"entreprise commerciale sans agrément ESUS</th><td class=\"staff-number\">2<", page)
    assert re.search(r"non éligible</th><td class=\"staff-number\">2<", page)
    assert re.search(r"Forme juridique</th><td>Une entreprise commerciale sans l&#39;agrément ESUS ne peut pas "
                     r"candidater.</td><td class=\"staff-number\">2<", page)
    assert "Créteil est dans le Val-de-Marne" not in page  # a "pass" reason is no failure
    assert page.index("Mon projet de tiers-lieu numérique ?") < page.index("Quel temps fait-il à Créteil ?")
    assert "Je veux parler de" not in page and "Je n&#39;ai pas compris (nlu_fallback)" not in page
    assert "<svg" in page and "<rect" in page and "style=" not in page and "<script" not in page
