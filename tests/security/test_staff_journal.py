"""The staff area's journals and headers: audit pagination clamped, HSTS, exports audited, the security log."""
from __future__ import annotations

import re

import pytest

from bot.db.drafts import get_by_reference
from bot.db.session import session_scope
from bot.db.staff import add_note, get_user_by_email
from tests.security.staff_helpers import events
from tests.test_web_staff import ADMIN, PASSWORD, REVIEWER, add_draft, login, post, text

pytest_plugins = ["tests.security.staff_app"]  # app, make, url, sleeps, log_file

WRONG = "mauvais mot de passe"


@pytest.mark.parametrize("page", ["1000000000000000000", "10**18", "-3", "0", "abc", "9" * 40, "2.5", ""])
def test_audit_pagination_is_clamped(app, url, page):
    client = app.test_client()
    assert login(client, ADMIN).status_code == 302
    reference = add_draft(url, "conv-1", org_name="Alpha")
    with session_scope(url) as session:
        draft, user = get_by_reference(session, reference), get_user_by_email(session, ADMIN)
        for i in range(60):
            add_note(session, draft, user, f"note {i}")
    for path in ("/staff/audit", "/staff/audit/security"):
        response = client.get(f"{path}?page={page}")
        assert response.status_code == 200, (path, page)
    shown = re.search(r"Page (\d+) sur (\d+)", text(client.get(f"/staff/audit?page={page}")))
    expected = "2" if page.isdigit() and int(page) >= 2 else "1"
    assert shown.groups() == (expected, "2")


def test_security_journal_is_for_admins(app):
    reviewer, admin = app.test_client(), app.test_client()
    assert login(reviewer, REVIEWER).status_code == 302 and login(admin, ADMIN).status_code == 302
    assert reviewer.get("/staff/audit/security").status_code == 403
    page = text(admin.get("/staff/audit/security"))
    assert "Journal de sécurité" in page and "Connexion" in page and REVIEWER in page


def test_hsts_only_over_https(make, monkeypatch):
    plain = make().test_client()
    assert "Strict-Transport-Security" not in plain.get("/staff/login").headers
    monkeypatch.setenv("WEB_HTTPS", "1")
    secure = make().test_client()
    for path in ("/", "/staff/login", "/static/chat.js"):
        assert secure.get(path, base_url="https://localhost").headers["Strict-Transport-Security"] == \
            "max-age=31536000"


def test_exports_are_audited(app, url, log_file):
    add_draft(url, "conv-1", org_name="Alpha")
    client = app.test_client()
    assert login(client, REVIEWER).status_code == 302
    assert client.get("/staff/drafts.csv?status=new&q=alpha").status_code == 200
    assert client.get("/staff/drafts.xlsx").status_code == 200
    exports = [e for e in events(url) if e[0].startswith("export_")]
    assert [e[:3] for e in exports] == [("export_csv", REVIEWER, None), ("export_xlsx", REVIEWER, None)]
    assert exports[0][4] == "1 pré-candidature(s) ; status=new&q=alpha"
    assert exports[1][4] == "1 pré-candidature(s) ; aucun filtre"
    written = log_file.read_text(encoding="utf-8")
    assert "Export CSV de 1 pré-candidature(s) par " + REVIEWER in written and "Export XLSX" in written


def test_security_events_are_written_to_a_private_log(app, url, log_file):
    reference = add_draft(url, "conv-1", org_name="Alpha")
    client = app.test_client()
    assert login(client, ADMIN, WRONG, REMOTE_ADDR="203.0.113.20").status_code == 401
    assert login(client, ADMIN, REMOTE_ADDR="203.0.113.20").status_code == 302
    page = f"/staff/drafts/{reference}"
    post(client, f"{page}/status", {"to_status": "in_review", "comment": "Examen"}, page)
    post(client, f"{page}/delete", {"confirm": "yes"}, f"{page}/delete")
    post(client, "/staff/logout", {}, "/staff/")
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"
    lines = log_file.read_text(encoding="utf-8").splitlines()
    expected = [f"Échec de connexion agents : {ADMIN} (adresse 203.0.113.20)",
                f"Connexion agents : {ADMIN} (adresse 203.0.113.20)",
                f"Statut de {reference} : in_review (par {ADMIN})", f"Pré-candidature {reference} supprimée par {ADMIN}",
                f"Déconnexion agents : {ADMIN}"]
    assert all(any(line.endswith(e) or e in line for line in lines) for e in expected), lines
    assert all(" INFO ess.security " in line for line in lines)
    assert PASSWORD not in log_file.read_text(encoding="utf-8") and WRONG not in log_file.read_text(encoding="utf-8")


def test_the_web_command_writes_the_security_log(monkeypatch, tmp_path):
    import logging

    import waitress

    from bot.__main__ import main

    path = tmp_path / "journal" / "security.log"
    monkeypatch.setenv("SECURITY_LOG_FILE", str(path))
    monkeypatch.setenv("WEB_SECRET_KEY", "test-secret")
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: None)
    assert main(["web", "--port", "9000"]) == 0
    logger = logging.getLogger("ess.security")
    assert logger.getEffectiveLevel() == logging.INFO
    logger.info("Essai du journal de sécurité")
    assert "INFO ess.security Essai du journal de sécurité" in path.read_text(encoding="utf-8")
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert any(isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
               for h in logger.handlers)  # and to stderr


def test_an_unwritable_security_log_does_not_stop_the_site(make, tmp_path, capsys):
    import logging

    blocker = tmp_path / "un-fichier"
    blocker.write_text("pas un dossier", encoding="utf-8")
    app = make(SECURITY_LOG_FILE=blocker / "security.log")
    assert app.test_client().get("/staff/login").status_code == 200
    handlers = logging.getLogger("ess.security").handlers
    assert handlers and not any(isinstance(h, logging.FileHandler) for h in handlers)
    assert "Journal de sécurité impossible à écrire" in capsys.readouterr().err
