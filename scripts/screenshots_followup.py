"""Screenshots of the staff follow-up pages for docs/: ``docs/mail-preview.png`` and ``docs/draft-changes.png``.

    .venv/bin/python scripts/screenshots_followup.py [--out docs]

Seeds a throwaway SQLite database (two pre-applications, a correction request, changed values, mails), starts
``python -m bot web`` on a free port with it (no Rasa needed for the staff area, no mail sent: the worker is
not started), then drives Debian's headless Chromium (``/usr/bin/chromium``) through Playwright: it logs in,
writes the answer to an admissible project and takes its preview, then the page of the draft whose applicant
corrected some values. Nothing under ``var/`` is touched.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db.corrections import record_change, request_correction  # noqa: E402
from bot.db.drafts import get_or_create_draft, update_fields  # noqa: E402
from bot.db.followup_models import MailOutbox  # noqa: E402
from bot.db.models import Draft  # noqa: E402
from bot.db.outbox import queue_mail  # noqa: E402
from bot.db.session import dispose_engines, session_scope, upgrade  # noqa: E402
from bot.db.staff import create_user  # noqa: E402
from bot.mail.compose import compose_correction, compose_recorded  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
EMAIL, PASSWORD = "instructrice@valdemarne.test", "un mot de passe solide 94"
T0 = (datetime.now(timezone.utc) - timedelta(days=3)).replace(hour=8, minute=15, second=0, microsecond=0)
PASS = [{"criterion": c, "status": "pass", "source": "Règlement", "message": m} for c, m in (
    ("legal_form", "Une association peut candidater."), ("territory", "Créteil est dans le Val-de-Marne."),
    ("stage", "Le projet démarre : c'est le stade attendu."), ("amount", "12 000 € : dans la limite de l'aide."))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _draft(session, conversation, values, sources):
    draft = get_or_create_draft(session, conversation)
    update_fields(session, draft, values, sources={k: (v, T0) for k, v in sources.items()})
    return draft


def seed(url: str) -> tuple:
    """Two drafts in the database at ``url``: (reference to answer, reference with changes)."""
    upgrade(url)
    with session_scope(url) as session:
        user = create_user(session, EMAIL, PASSWORD, "reviewer")
        answered = _draft(session, "conv-jardins", {
            "org_name": "Les Jardins Partagés de Créteil", "legal_form": "association", "commune": "Créteil",
            "contact_name": "Marie Curie", "email": "marie.curie@exemple.fr", "phone": "01 45 17 60 00",
            "project_title": "Potagers au pied des immeubles", "project_description": "Des potagers partagés.",
            "amount": 12000, "total_budget": 40000, "stage": "startup", "other_department_aid": False,
            "verdict": "eligible", "verdict_reasons": PASS, "status": "in_review",
            "consent_at": T0}, {"org_name": "Nous sommes Les Jardins Partagés de Créteil"})
        changed = _draft(session, "conv-recyclerie", {
            "org_name": "Recyclerie du Val", "legal_form": "association", "commune": "Vitry-sur-Seine",
            "contact_name": "Paul Martin", "email": "paul.martin@exemple.fr", "phone": "01 46 82 80 00",
            "project_title": "Atelier vélo solidaire", "project_description": "Réparer et revendre des vélos.",
            "amount": 15000, "total_budget": 30000, "stage": "startup", "other_department_aid": False,
            "verdict": "eligible", "verdict_reasons": PASS, "status": "in_review", "consent_at": T0},
            {"commune": "on est à Vitry", "amount": "15 000 euros"})
        recorded, _ = queue_mail(session, changed, "recorded", compose_recorded(changed), "seed:recorded")
        fields, comment = ["commune", "amount"], ("Le montant demandé dépasse la moitié du budget et l'adresse "
                                                 "du local est à Ivry : pouvez-vous vérifier ces deux points ?")
        request = request_correction(session, changed, fields, comment, user, expected_status="in_review")
        mail, _ = queue_mail(session, changed, "incomplete", compose_correction(changed, fields, comment),
                             "seed:incomplete", created_by=user)
        request.requested_at = T0 + timedelta(days=1)
        record_change(session, changed, "commune", "Vitry-sur-Seine", "Ivry-sur-Seine",
                      "en fait le local est à Ivry-sur-Seine", changed_at=T0 + timedelta(days=2), request=request)
        record_change(session, changed, "amount", "15000.0", "12000.0", "le montant c'est 12 000 € finalement",
                      changed_at=T0 + timedelta(days=2, minutes=3), request=request)
        record_change(session, changed, "phone", "01 46 82 80 00", "06 12 34 56 78",
                      "mon portable plutôt : 06 12 34 56 78", changed_at=T0 + timedelta(days=2, minutes=5))
        session.flush()  # the draft stays « incomplet »: the applicant has not confirmed the corrections yet
        session.query(MailOutbox).filter(MailOutbox.id == recorded.id).update(
            {"status": "sent", "attempts": 1, "sent_at": T0 + timedelta(minutes=1), "created_at": T0})
        session.query(MailOutbox).filter(MailOutbox.id == mail.id).update(
            {"status": "sent", "attempts": 2, "sent_at": T0 + timedelta(days=1, minutes=2),
             "created_at": T0 + timedelta(days=1)})
        session.query(Draft).filter(Draft.id.in_([answered.id, changed.id])).update(
            {"created_at": T0 - timedelta(minutes=20)})
        references = answered.reference, changed.reference
    dispose_engines()
    return references


def start_web(env: dict, port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "bot", "web", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/staff/login", timeout=2)
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"Le site n'a pas démarré : voir {log}") from None
            time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"Le site ne répond pas : voir {log}")


def shoot(base: str, answered: str, changed: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
        blocked = []
        page.on("console", lambda message: blocked.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(f"{base}/staff/drafts/{answered}")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.locator("h1", has_text=answered).wait_for()
        page.check("#outcome-admissible")
        page.click("button:has-text(\"Rédiger l'e-mail au porteur\")")
        page.locator("#message").wait_for()
        page.fill("#comment", "Projet conforme au règlement ; avis favorable de la commission du 10 mars.")
        message = page.input_value("#message")
        page.fill("#message", message.replace("Prochaine étape", "Nous avons apprécié l'ancrage du projet dans "
                                              "le quartier du Mont-Mesly.\n\nProchaine étape", 1))
        page.click("button:has-text(\"Prévisualiser\")")
        page.locator("iframe.staff-mail-html").wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "mail-preview.png"), full_page=True)
        page.goto(f"{base}/staff/drafts/{changed}")
        page.locator("#changes-title").wait_for()
        end = page.evaluate("document.querySelector('#changes').getBoundingClientRect().bottom + window.scrollY")
        page.set_viewport_size({"width": 1280, "height": int(end) + 24})
        page.screenshot(path=str(out / "draft-changes.png"), clip={"x": 0, "y": 0, "width": 1280,
                                                                    "height": int(end) + 24})
        browser.close()
    if blocked:
        raise SystemExit("La politique CSP a bloqué quelque chose : " + " | ".join(blocked))


def main() -> int:
    parser = argparse.ArgumentParser(description="Captures d'écran du suivi des pré-candidatures (docs/).")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="dossier des images (défaut : docs/)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print("Chromium absent : apt-get install -y chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ess-shots-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'ess.db'}"
        answered, changed = seed(url)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "WEB_SECRET_KEY": "captures", "PURGE_SCHEDULE": "0",
               "SECURITY_LOG_FILE": str(Path(tmp) / "security.log"), "MAIL_OUTBOX_DIR": str(Path(tmp) / "outbox"),
               "RASA_URL": "http://127.0.0.1:9"}
        web = start_web(env, port, Path(tmp) / "web.log")
        try:
            shoot(f"http://127.0.0.1:{port}", answered, changed, args.out)
        finally:
            web.terminate()
            web.wait(timeout=20)
    print(f"Écrit : {args.out / 'mail-preview.png'}, {args.out / 'draft-changes.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
