"""The staff transcript of a draft, read from the events a real Rasa wrote (not a table made by hand).

An applicant chats through the REST webhook (a question, then the start of a pre-application with consent, so a
draft exists); the staff draft page, rendered by the Flask test client on the same database, shows the
applicant's and the assistant's messages, in the order of the conversation. The formatting details (speakers,
dates, events that are not messages) are tested on a hand-made table in tests/test_web_staff.py."""
from __future__ import annotations

import html
import re

import pytest

from bot.db.drafts import get_by_conversation
from bot.db.session import dispose_engines, session_scope
from bot.db.staff import create_user
from bot.web import create_app
from tests.test_rest import new_sender
from tests.test_web_staff import PASSWORD, login

pytestmark = pytest.mark.rest

EXCHANGE = [
    ("combien on peut demander ?", "15 000 €"),
    ("je veux préparer ma candidature", "Acceptez-vous"),
    ("oui", "nom de votre structure"),
    ("Les Jardins Partagés du Mont-Mesly", "forme juridique"),
]
MESSAGE = re.compile(r'<li class="staff-msg staff-msg-(user|bot)">.*?<p class="staff-pre">(.*?)</p>', re.DOTALL)


def test_the_draft_page_shows_the_conversation_rasa_stored(live_servers, tmp_path):
    sender = new_sender()
    expected = []
    for message, part in EXCHANGE:
        status, replies = live_servers.send(sender, message)
        said = [reply["text"] for reply in replies if reply.get("text")]
        assert status == 200 and part in "\n".join(said), (message, replies)
        expected += [("user", message)] + [("bot", text) for text in said]

    url = live_servers.env["DATABASE_URL"]  # the database Rasa's tracker store writes to
    reviewer = f"relecteur-{sender}@valdemarne.fr"
    with session_scope(url) as session:
        draft = get_by_conversation(session, sender)
        assert draft is not None and draft.org_name == "Les Jardins Partagés du Mont-Mesly"
        reference = draft.reference
        create_user(session, reviewer, PASSWORD, "reviewer")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "clé de test",
                      "SECURITY_LOG_FILE": tmp_path / "security.log", "LOGIN_SLEEP": lambda seconds: None})
    try:
        client = app.test_client()
        assert login(client, email=reviewer).status_code == 302
        page = client.get(f"/staff/drafts/{reference}")
        assert page.status_code == 200
        shown = [(speaker, html.unescape(text)) for speaker, text in MESSAGE.findall(page.get_data(as_text=True))]
    finally:
        dispose_engines()
    assert shown == expected
