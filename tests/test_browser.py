"""End-to-end tests in headless Chromium (Debian's /usr/bin/chromium through Playwright).

The whole stack runs: action server, Rasa, and the web app, on free ports with a throwaway
SQLite database. Screenshots go to results/screenshots (and to docs/ with UPDATE_SCREENSHOTS=1).
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.call.facts import get_call
from bot.eligibility.card import verdict_card
from bot.eligibility.rules import evaluate
from tests.servers import ROOT, LiveServers, free_port
from tests.test_rest_application import ANSWERS
from tests.test_web_public import fake_rasa

pytestmark = pytest.mark.browser

# TEST_CHROMIUM: another Chromium binary (tests/test_browser_skip.py names a missing one to check the skip).
CHROMIUM = os.environ.get("TEST_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_MISSING = "Chromium absent : apt-get install -y chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
SHOTS = ROOT / "results" / "screenshots"
STAFF_EMAIL, STAFF_PASSWORD = "instructrice@valdemarne.test", "un mot de passe solide 94"


def require_chromium() -> None:
    """Skip, with the command that installs it, when Chromium is not there: every browser test and fixture calls
    this before anything else, so a machine without Chromium gets skips, never errors."""
    if not Path(CHROMIUM).exists():
        pytest.skip(CHROMIUM_MISSING)


def start_web(env, port, log_path):
    """`python -m bot web` on a port; returns the process and its base URL once it answers."""
    log = open(log_path, "w")
    env = {"SECURITY_LOG_FILE": str(Path(log_path).with_name("security.log")), **env}  # never the repo's var/
    web = subprocess.Popen([sys.executable, "-m", "bot", "web", "--port", str(port)], cwd=ROOT, env=env,
                           stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    return web, base


@pytest.fixture(scope="module")
def stack():
    require_chromium()
    servers = LiveServers()
    servers.start()
    web_port = free_port()
    env = {**servers.env, "RASA_URL": f"http://127.0.0.1:{servers.rasa_port}", "STAFF_PASSWORD": STAFF_PASSWORD,
           "WEB_SECRET_KEY": "test-secret"}
    subprocess.run([sys.executable, "-m", "bot", "staff", "create-user", STAFF_EMAIL, "--role", "admin"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    web, base = start_web(env, web_port, servers.logdir / "web.log")
    yield servers, base
    web.terminate()
    web.wait(timeout=20)
    servers.stop()


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        shutil.copy(path, ROOT / "docs" / path.name)


def bot_messages(page):
    return page.locator("#chat-log .msg-bot")


def test_chat_quick_reply_and_reload(stack, browser):
    _, base = stack
    page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.locator(".quick-reply", has_text="Combien peut-on demander").first.click()
    page.locator("#chat-log .msg-bot", has_text="15 000 €").first.wait_for(timeout=30_000)
    count = bot_messages(page).count()
    shot(page, "public-desktop")

    page.reload()
    page.locator("#chat-log .msg-bot", has_text="15 000 €").first.wait_for(timeout=10_000)
    assert bot_messages(page).count() == count  # the conversation survived the reload

    page.fill("#chat-input", "c'est quoi l'ancrage territorial ?")
    page.keyboard.press("Enter")
    page.locator("#chat-log .msg-bot", has_text="Ancrage territorial").first.wait_for(timeout=30_000)

    page.click("#chat-reset")
    page.wait_for_timeout(300)
    assert page.locator("#chat-log .msg-bot", has_text="15 000 €").count() == 0
    page.close()


def test_phone_layout(stack, browser):
    _, base = stack
    page = browser.new_page(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(base + "/")
    page.fill("#chat-input", "bonjour")
    page.click("#chat-send")
    page.locator("#chat-log .msg-bot", has_text="assistant").first.wait_for(timeout=30_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    shot(page, "public-phone")
    page.close()


def test_applicant_leaves_a_draft_that_staff_review_and_export(stack, browser):
    servers, base = stack
    page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page.goto(base + "/")
    for message, expected in ANSWERS:
        before = bot_messages(page).count()
        page.fill("#chat-input", message)
        page.click("#chat-send")
        page.wait_for_selector("#chat-send:enabled", timeout=30_000)
        replies = bot_messages(page).all_inner_texts()[before:]
        assert any(expected in reply for reply in replies), (message, replies)
    page.fill("#chat-input", "non")
    page.click("#chat-send")
    page.locator("#chat-log .msg-bot", has_text="récapitulatif").first.wait_for(timeout=30_000)
    page.locator(".quick-reply", has_text="Oui, c'est correct").last.click()
    confirmation = page.locator("#chat-log .msg-bot", has_text="référence ESS-").first
    confirmation.wait_for(timeout=30_000)
    reference = next(w.strip(".,") for w in confirmation.inner_text().split() if w.startswith("ESS-"))
    page.close()

    staff = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    staff.goto(base + "/staff/drafts")
    assert "/staff/login" in staff.url
    staff.fill("#email", STAFF_EMAIL)
    staff.fill("#password", STAFF_PASSWORD)
    staff.click("button[type=submit]")
    staff.wait_for_url("**/staff/password**")  # an account from the command line: its own password first
    staff.fill("#current_password", STAFF_PASSWORD)
    staff.fill("#new_password", STAFF_PASSWORD + " changé")
    staff.fill("#new_password_confirm", STAFF_PASSWORD + " changé")
    staff.click("button:has-text(\"Changer le mot de passe\")")
    staff.wait_for_url("**/staff/drafts**")
    staff.goto(base + "/staff/drafts")
    staff.fill("#q", "Jardins Partagés")
    staff.select_option("#status", "new")
    staff.click("button:has-text(\"Filtrer\")")
    staff.locator("table a", has_text=reference).wait_for(timeout=10_000)
    shot(staff, "staff-list-desktop")
    staff.set_viewport_size({"width": 390, "height": 844})
    shot(staff, "staff-list-phone")
    staff.set_viewport_size({"width": 1280, "height": 900})

    staff.click(f"text={reference}")
    staff.locator("h1", has_text=reference).wait_for()
    assert "marie.curie@exemple.fr" in staff.content()
    assert "Je m'appelle Marie Curie" in staff.content()  # provenance and transcript
    staff.check("#to-in_review")
    staff.fill("#comment", "Dossier complet, à examiner.")
    staff.click("button:has-text(\"Changer le statut\")")
    staff.locator(".staff-status-in_review").first.wait_for(timeout=10_000)
    shot(staff, "staff-draft-desktop")

    staff.goto(base + "/staff/drafts?status=in_review")
    with staff.expect_download() as download_info:
        staff.click("text=CSV")
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert any(reference in row for row in rows[1:])
    staff.close()


def test_rasa_down_is_said_in_french_and_the_text_is_kept(browser, tmp_path):
    port = free_port()
    env = {**os.environ, "RASA_URL": f"http://127.0.0.1:{free_port()}", "WEB_SECRET_KEY": "test-secret",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'ess.db'}"}
    web, base = start_web(env, port, tmp_path / "web.log")
    try:
        page = browser.new_page(locale="fr-FR")
        page.goto(base + "/")
        page.fill("#chat-input", "combien on peut demander ?")
        page.click("#chat-send")
        page.locator(".chat-error", has_text="indisponible").wait_for(timeout=30_000)
        assert page.input_value("#chat-input") == "combien on peut demander ?"
        page.close()
    finally:
        web.terminate()
        web.wait(timeout=20)


# ---- the verdict card ----

ELIGIBILITY_CONVERSATION = ["Je veux vérifier mon éligibilité", "association", "Créteil", "démarrage", "10000",
                            "20000", "non"]
STATUS_TEXTS = {"pass": "conforme", "fail": "non conforme", "condition": "sous condition", "unknown": "à préciser"}
ICONS = {"pass": "✔", "fail": "✘", "condition": "⚠", "unknown": "?"}


def card_rows(page):
    """(status, icon, icon's aria-hidden, text alternative, label) of each criterion of the last card."""
    return page.locator(".verdict-card").last.locator(".verdict-criterion").evaluate_all(
        """rows => rows.map(r => [r.dataset.status, r.querySelector('.verdict-icon').textContent,
               r.querySelector('.verdict-icon').getAttribute('aria-hidden'),
               r.querySelector('.verdict-status.visually-hidden').textContent,
               r.querySelector('.verdict-label strong').textContent])""")


def test_eligibility_verdict_is_a_card(stack, browser):
    """The real stack: the action sends the verdict card, the site relays it, the widget draws it."""
    _, base = stack
    page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page.goto(base + "/")
    for message in ELIGIBILITY_CONVERSATION:
        page.fill("#chat-input", message)
        page.click("#chat-send")
        page.wait_for_selector("#chat-send:enabled", timeout=30_000)
    card = page.locator("#chat-log .msg-bot .verdict-card").last
    card.wait_for(timeout=30_000)
    assert "remplit les conditions" in card.locator(".verdict-title").inner_text(), card.inner_text()
    rows = card_rows(page)
    assert len(rows) == 6
    assert [row[4] for row in rows] == ["Forme juridique", "Territoire", "Stade du projet", "Montant demandé",
                                        "Part du budget", "Autre aide du Département"]
    assert all(row[:4] == ["pass", "✔", "true", " : conforme."] for row in rows), rows
    assert "jury" in card.inner_text()
    # The card replaces the plain-text verdict of the REST channel.
    assert page.locator("#chat-log .msg-bot", has_text="- Forme juridique :").count() == 0
    buttons = page.locator("#chat-log .msg-card .quick-reply").all_inner_texts()
    assert buttons == ["Oui, préparer ma pré-candidature", "Non merci"]
    shot(page, "verdict-card")
    page.reload()
    page.locator("#chat-log .verdict-card").last.wait_for(timeout=10_000)
    assert len(card_rows(page)) == 6  # kept across a reload, with its buttons
    assert page.locator("#chat-log .msg-card .quick-reply").count() == 2
    page.close()


@pytest.fixture
def stub_rasa():
    """A stand-in for Rasa's REST webhook (the widget's rendering is tested without a trained model)."""
    with fake_rasa("given") as server:
        yield server


def test_widget_draws_the_card_accessibly(browser, stub_rasa, tmp_path):
    """Rasa stubbed, the real site and widget: every status, advice, notes, buttons, and HTML kept as text."""
    call = get_call()
    hostile = '<img src=x onerror="document.title=1">'
    answers = {"structure": "collectif d'habitants", "commune": hostile, "stage": "démarrage", "amount": "20000",
               "total_budget": "40000", "other_department_aid": "non"}
    ineligible = verdict_card(evaluate(answers, call), call)
    incomplete = verdict_card(evaluate({**answers, "amount": "12000"}, call), call)
    assert (ineligible["verdict"], incomplete["verdict"]) == ("ineligible", "incomplete")
    stub_rasa.answer = [{"recipient_id": "x", "text": "Le verdict en texte brut.", "buttons": []},
                        {"recipient_id": "x", "custom": ineligible}]
    port = free_port()
    env = {**os.environ, "RASA_URL": f"http://127.0.0.1:{stub_rasa.server_address[1]}",
           "WEB_SECRET_KEY": "test-secret", "DATABASE_URL": f"sqlite:///{tmp_path / 'ess.db'}"}
    web, base = start_web(env, port, tmp_path / "web.log")
    try:
        page = browser.new_page(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/")
        title = page.title()
        page.fill("#chat-input", "non")
        page.click("#chat-send")
        box = page.locator("#chat-log .verdict-card").first
        box.wait_for(timeout=30_000)
        rows = card_rows(page)
        assert [row[0] for row in rows] == ["condition", "unknown", "pass", "fail", "pass", "pass"]
        for status, icon, hidden, alternative, _ in rows:
            assert (icon, hidden, alternative) == (ICONS[status], "true", f" : {STATUS_TEXTS[status]}.")
        assert hostile in box.inner_text()  # shown as text, never parsed
        assert page.locator("#chat-log img").count() == 0 and page.title() == title
        assert box.locator("h3").inner_text() == ineligible["title"]
        assert box.locator("h4").inner_text() == "Ce qui pourrait changer le résultat"
        assert box.locator(".verdict-advice li").all_inner_texts() == ineligible["advice"]
        assert page.locator("#chat-log .msg-bot", has_text="Le verdict en texte brut").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "verdict-card-phone")

        stub_rasa.answer = [{"recipient_id": "x", "custom": incomplete}]
        page.locator(".msg-card .quick-reply", has_text="Poser une autre question").click()
        second = page.locator("#chat-log .verdict-card").nth(1)
        second.wait_for(timeout=30_000)
        assert stub_rasa.received[-1]["body"]["message"] == "Que peux-tu faire ?"
        assert page.locator("#chat-log .msg-user").last.inner_text().endswith("Poser une autre question")
        assert page.locator(".msg-card").first.locator(".quick-reply").count() == 0  # answered, like any quick reply
        assert [row[0] for row in card_rows(page)] == ["condition", "unknown", "pass", "pass", "pass", "pass"]
        assert second.locator(".verdict-note").all_inner_texts() == incomplete["notes"]
        assert second.locator(".verdict-note a").count() >= 1  # the service's website or e-mail is a link
        assert second.locator(".verdict-advice li").count() == 1
        assert page.locator(".msg-card .quick-reply").all_inner_texts() == ["Reprendre la vérification"]
        assert errors == []
        page.close()
    finally:
        web.terminate()
        web.wait(timeout=20)
