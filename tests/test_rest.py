"""Through the REST webhook: real answers and bad input, with the trained model.

Run by `make test` after training (marker `rest`); the fixture starts the action
server and Rasa on free ports.
"""
from __future__ import annotations

import re
import uuid

import pytest

from bot.answers import euros
from bot.call import load_call

pytestmark = pytest.mark.rest

FRENCH_WORDS = re.compile(r"\b(je|vous|votre|pour|les|des|une|est|pas|peut|projet|et|son|de|la|le|du|quel|quelle)\b",
                          re.IGNORECASE)


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def assert_polite_french(status, messages, forbidden=()):
    assert status == 200, messages
    assert isinstance(messages, list) and messages, messages
    for message in messages:
        if "text" not in message and isinstance(message.get("custom"), dict):
            assert message["custom"].get("type") == "verdict", message  # the verdict card follows its text
            continue
        text = message.get("text", "")
        assert text.strip(), message
        assert FRENCH_WORDS.search(text), text
        for bad in forbidden:
            assert bad not in text, text


def texts(messages) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_amount_question_answers_from_the_data_file(live_servers):
    call = load_call()
    status, messages = live_servers.send(new_sender(), "combien on peut demander ?")
    assert_polite_french(status, messages)
    assert euros(call.amounts.min) in texts(messages) and euros(call.amounts.max) in texts(messages)


def test_typo_question_is_understood(live_servers):
    status, messages = live_servers.send(new_sender(), "c koi le montant max de la subvantion")
    assert_polite_french(status, messages)
    assert euros(load_call().amounts.max) in texts(messages)


def test_calendar_never_invents_a_date(live_servers):
    status, messages = live_servers.send(new_sender(), "c'est quand la date limite pour déposer ?")
    assert_polite_french(status, messages)
    assert "pas encore publiées" in texts(messages)


def test_greeting_introduces_the_assistant_with_buttons(live_servers):
    status, messages = live_servers.send(new_sender(), "bonjour")
    assert_polite_french(status, messages)
    assert any(m.get("buttons") for m in messages)


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("Bonjour, nous sommes une association. " * 130, id="5000-characters"),
        pytest.param("<script>alert('x')</script><b>gras</b>", id="html-script"),
        pytest.param("'; DROP TABLE drafts; -- SELECT * FROM users", id="sql"),
        pytest.param("😀🎉🙏", id="emoji-only"),
        pytest.param("Hello, what is the weather like in London today?", id="english"),
        pytest.param("/restart", id="slash-command"),
        pytest.param("/inject_intent{\"x\": 1}", id="slash-intent-injection"),
    ],
)
def test_bad_input_gets_a_polite_french_answer(live_servers, message):
    status, messages = live_servers.send(new_sender(), message)
    assert_polite_french(status, messages, forbidden=("<script", "<b>", "DROP TABLE"))


def test_burst_of_the_same_message(live_servers):
    sender = new_sender()
    for _ in range(15):
        status, messages = live_servers.send(sender, "combien on peut demander ?")
        assert_polite_french(status, messages)
    assert euros(load_call().amounts.max) in texts(messages)


def test_non_string_message_does_not_crash(live_servers):
    status, messages = live_servers.send(new_sender(), 12345)
    assert status < 500


def test_malformed_body_is_not_a_server_error(live_servers):
    import urllib.error
    import urllib.request

    for body in (b"pas du json", b"[1, 2]", b'{"message": "bonjour"}'):
        request = urllib.request.Request(live_servers.webhook, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status < 500, body
