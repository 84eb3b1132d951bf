"""The widget in headless Chromium: the rate-limit message keeps the typed text; 2 hours idle forgets it all.

The real site (``python -m bot web``, its database migrated) with Rasa stubbed by an echo server: no trained
model needed. The 2 hours are simulated by moving the stored time of the last activity back.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.db.session import upgrade
from tests.servers import free_port
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, start_web
from tests.test_web_public import fake_rasa

pytestmark = pytest.mark.browser

STORAGE_KEY = "ess-chat-v1"
TWO_HOURS_AGO = "Date.now() - 2 * 60 * 60 * 1000 - 60 * 1000"


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent : apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site on a free port, Rasa answering with the user's own text, 2 messages a minute per conversation."""
    folder = tmp_path_factory.mktemp("widget")
    with fake_rasa("echo") as echo:
        database = f"sqlite:///{folder / 'ess.db'}"
        upgrade(database)
        env = {**os.environ, "RASA_URL": f"http://127.0.0.1:{echo.server_address[1]}",
               "WEB_SECRET_KEY": "test-secret", "DATABASE_URL": database, "CHAT_LIMIT_PER_SENDER": "2",
               "CHAT_LIMIT_PER_ADDRESS": "50"}
        env.pop("REDIS_URL", None)
        web, base = start_web(env, free_port(), folder / "web.log")
        yield base, echo
        web.terminate()
        web.wait(timeout=20)
    echo.shutdown()
    echo.server_close()


def send(page, text):
    page.fill("#chat-input", text)
    page.click("#chat-send")
    page.wait_for_selector("#chat-send:enabled", timeout=15_000)


def stored(page):
    return page.evaluate(f"JSON.parse(window.localStorage.getItem('{STORAGE_KEY}') || 'null')")


def test_rate_limit_message_keeps_the_typed_text(site, chromium):
    base, _ = site
    page = chromium.new_page(locale="fr-FR")
    page.goto(base + "/")
    for text in ("premier message", "deuxième message"):
        send(page, text)
        page.locator("#chat-log .msg-bot", has_text=text).wait_for(timeout=15_000)
    send(page, "troisième message, trop tôt")
    error = page.locator(".chat-error[role=alert]")
    error.wait_for(timeout=15_000)
    assert "beaucoup de messages en peu de temps" in error.inner_text()
    assert "patienter" in error.inner_text() and "seconde" in error.inner_text()
    assert page.input_value("#chat-input") == "troisième message, trop tôt"  # kept for a resend
    assert page.locator("#chat-log .msg-user", has_text="troisième message").count() == 0
    assert [m["text"] for m in stored(page)["messages"] if m["from"] == "user"] == [
        "premier message", "deuxième message"]
    page.close()


def test_the_conversation_is_forgotten_after_two_hours_without_activity(site, chromium):
    base, echo = site
    page = chromium.new_page(locale="fr-FR")
    page.goto(base + "/")
    send(page, "une question posée")
    page.locator("#chat-log .msg-bot", has_text="une question posée").wait_for(timeout=15_000)
    first = stored(page)
    assert abs(page.evaluate("Date.now()") - first["at"]) < 60_000  # the time of the last activity is kept

    page.reload()  # less than 2 hours: kept
    page.locator("#chat-log .msg-user", has_text="une question posée").wait_for(timeout=5_000)

    page.evaluate(f"""() => {{ const s = JSON.parse(localStorage.getItem('{STORAGE_KEY}'));
                              s.at = {TWO_HOURS_AGO}; localStorage.setItem('{STORAGE_KEY}', JSON.stringify(s)); }}""")
    page.reload()  # 2 hours and a minute later: forgotten
    page.wait_for_selector("#chat-log .msg-bot")
    assert page.locator("#chat-log .msg-user").count() == 0
    assert page.locator("#chat-log .msg-bot").count() == 1  # the welcome only
    assert stored(page) is None  # sender id and transcript removed from the browser

    send(page, "une autre question")  # a new conversation, with a new sender id
    page.locator("#chat-log .msg-bot", has_text="une autre question").wait_for(timeout=15_000)
    second = stored(page)
    assert second["sender"] != first["sender"] and echo.received[-1]["body"]["sender"] == second["sender"]

    # The page left open: forgotten when it comes back to the foreground, the text left in the box too.
    page.fill("#chat-input", "un brouillon de la personne précédente")
    page.evaluate(f"""() => {{ const s = JSON.parse(localStorage.getItem('{STORAGE_KEY}'));
                              s.at = {TWO_HOURS_AGO}; localStorage.setItem('{STORAGE_KEY}', JSON.stringify(s)); }}""")
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    assert page.locator("#chat-log .msg-user").count() == 0
    assert page.input_value("#chat-input") == "" and stored(page) is None
    page.close()
