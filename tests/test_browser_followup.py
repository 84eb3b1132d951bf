"""The correction round trip of issue 12, in headless Chromium, with every piece real.

Action server, Rasa, the web app and the mail worker run on free ports with a throwaway SQLite database; every
mail (the resume code too) goes to a real SMTP server started by the test (aiosmtpd). The story:

1. an applicant completes a pre-application in the chat; the "recorded" mail arrives;
2. a reviewer asks, in the staff area, for a correction of the amount; the mail arrives;
3. the applicant resumes in the chat with the reference, the e-mail and the code from the mail, and corrects the
   amount; the assistant asks nothing else;
4. the reviewer sees the change (old → new, with the sentence) and marks the draft admissible;
5. the answer mail arrives.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from email import message_from_bytes, policy

import pytest

from tests.servers import ROOT, LiveServers, free_port
from tests.test_browser import (
    CHROMIUM_ARGS,  # noqa: F401
    STAFF_EMAIL,
    STAFF_PASSWORD,
    bot_messages,
    browser,  # noqa: F401 (a fixture, used as a test argument)
    require_chromium,
    shot,
    start_web,
)
from tests.test_rest_application import ANSWERS

pytestmark = pytest.mark.browser

APPLICANT = "marie.curie@exemple.fr"


class Inbox:
    """A real SMTP server (aiosmtpd) on a free port; every accepted mail is kept, parsed."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.mails: list = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
                mail = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
                inbox.mails.append((list(envelope.rcpt_tos), mail))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def wait_for(self, subject_part: str, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for recipients, mail in self.mails:
                if subject_part in str(mail["Subject"]):
                    return recipients, mail
            time.sleep(0.3)
        raise AssertionError(f"aucun e-mail « {subject_part} » : {[str(m['Subject']) for _, m in self.mails]}")


def text_of(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    require_chromium()
    inbox = Inbox()
    inbox.controller.start()
    web_port = free_port()
    base = f"http://127.0.0.1:{web_port}"
    servers = LiveServers(env={"SMTP_URL": f"smtp://127.0.0.1:{inbox.port}?tls=none",
                               "SMTP_FROM": "appel-ess@valdemarne.test", "PUBLIC_BASE_URL": base + "/"})
    servers.start()
    env = {**servers.env, "RASA_URL": f"http://127.0.0.1:{servers.rasa_port}", "STAFF_PASSWORD": STAFF_PASSWORD,
           "WEB_SECRET_KEY": "test-secret", "CHAT_LIMIT_PER_SENDER": "200", "CHAT_LIMIT_PER_ADDRESS": "400"}
    subprocess.run([sys.executable, "-m", "bot", "staff", "create-user", STAFF_EMAIL, "--role", "reviewer"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    web, _ = start_web(env, web_port, servers.logdir / "web.log")
    worker = subprocess.Popen([sys.executable, "-m", "bot", "mail", "worker", "--interval", "0.5"],
                              cwd=ROOT, env=env,
                              stdout=open(servers.logdir / "worker.log", "w"), stderr=subprocess.STDOUT)
    yield base, inbox
    for process in (worker, web):
        process.terminate()
        process.wait(timeout=20)
    servers.stop()
    inbox.controller.stop()


def say(page, message: str) -> list[str]:
    """Type one message in the widget; the assistant's replies to it."""
    before = bot_messages(page).count()
    page.fill("#chat-input", message)
    page.click("#chat-send")
    page.wait_for_selector("#chat-send:enabled", timeout=30_000)
    return bot_messages(page).all_inner_texts()[before:]


def log_in(staff, base: str) -> None:
    staff.goto(base + "/staff/drafts")
    staff.fill("#email", STAFF_EMAIL)
    staff.fill("#password", STAFF_PASSWORD)
    staff.click("button[type=submit]")
    staff.wait_for_url("**/staff/password**")
    staff.fill("#current_password", STAFF_PASSWORD)
    staff.fill("#new_password", STAFF_PASSWORD + " changé")
    staff.fill("#new_password_confirm", STAFF_PASSWORD + " changé")
    staff.click("button:has-text(\"Changer le mot de passe\")")
    staff.wait_for_url("**/staff/drafts**")


def test_correction_round_trip(stack, browser):  # noqa: F811 (the browser fixture)
    base, inbox = stack
    applicant = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    applicant.goto(base + "/")
    for message, expected in ANSWERS:
        replies = say(applicant, message)
        assert any(expected in reply for reply in replies), (message, replies)
    say(applicant, "non")
    replies = say(applicant, "oui c'est bon")
    reference = re.search(r"ESS-\d{4}-\d{4}", " ".join(replies)).group(0)
    recipients, recorded = inbox.wait_for(reference)
    assert recipients == [APPLICANT] and "12 000 €" in text_of(recorded)
    assert base + "/confidentialite" in text_of(recorded) and "supprimez mes données" in text_of(recorded)
    applicant.close()

    # 1-2. The reviewer asks for a correction of the amount; the mail arrives.
    staff = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    log_in(staff, base)
    page = f"{base}/staff/drafts/{reference}"
    staff.goto(page)
    staff.check("#to-in_review")
    staff.fill("#comment", "Je prends le dossier.")
    staff.click("button:has-text(\"Changer le statut\")")
    staff.locator(".staff-status-in_review").first.wait_for(timeout=10_000)
    staff.goto(f"{page}/correction")
    staff.check("#field-amount")
    staff.fill("#comment", "Le montant demandé dépasse ce que votre budget justifie : merci de le vérifier.")
    staff.click("button:has-text(\"Prévisualiser\")")
    staff.click("button[value=send]")
    staff.locator(".staff-status-incomplete").first.wait_for(timeout=10_000)
    recipients, asked = inbox.wait_for("corriger")
    assert recipients == [APPLICANT]
    assert "Montant demandé" in text_of(asked) and "dépasse ce que votre budget justifie" in text_of(asked)

    # 3. The applicant resumes with the code from the mail and corrects the amount, and only the amount.
    applicant = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    applicant.goto(base + "/")
    say(applicant, f"je veux reprendre mon dossier {reference}")
    say(applicant, APPLICANT)
    _, code_mail = inbox.wait_for("code")
    code = re.search(r"\b(\d{6})\b", text_of(code_mail)).group(1)
    resumed = " ".join(say(applicant, code))
    assert "dépasse ce que votre budget justifie" in resumed and "montant" in resumed.lower()
    asked_back = say(applicant, "le montant c'est 9000 euros")
    assert any("récapitulatif" in reply and "9 000 €" in reply for reply in asked_back), asked_back
    done = " ".join(say(applicant, "oui"))
    assert reference in done
    shot(applicant, "correction-chat")
    applicant.close()

    # 4. The reviewer sees the change and marks the draft admissible; 5. the answer arrives.
    staff.goto(page)
    staff.locator(".staff-status-in_review").first.wait_for(timeout=10_000)
    changes = staff.locator("section", has_text="Ce qui a changé").last.inner_text()
    assert "12 000 €" in changes and "9 000 €" in changes and "le montant c'est 9000 euros" in changes
    staff.check("#outcome-admissible")
    staff.click("button:has-text(\"Rédiger l'e-mail au porteur\")")
    staff.fill("#comment", "Projet recevable après correction du montant.")
    staff.click("button:has-text(\"Prévisualiser\")")
    staff.click("button[value=send]")
    staff.locator(".staff-status-admissible").first.wait_for(timeout=10_000)
    recipients, answer = inbox.wait_for("recevable")
    assert recipients == [APPLICANT] and reference in text_of(answer) and "est recevable" in text_of(answer)
    assert answer.get_body(preferencelist=("html",)) is not None
    staff.goto(page)
    mails = staff.locator("section", has_text="E-mails au porteur").last.inner_text()
    assert mails.count("envoyé le") == 3, mails  # recorded, correction request, answer: each sent once
    staff.close()
    assert len([m for _, m in inbox.mails if "code" not in str(m["Subject"]).lower()]) == 3
