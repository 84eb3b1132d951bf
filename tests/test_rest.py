"""Through the REST webhook: real answers and bad input, with the trained model.

Run by `make test` after training (marker `rest`); the fixture starts the action
server and Rasa on free ports.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid

import pytest
import yaml

from bot.call.facts import load_call
from bot.faq.answers import FAQ_INTENTS, euros, render_faq
from bot.forms import prompts
from bot.forms.fields import ELIGIBILITY_FIELDS
from tests.servers import ROOT

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


def domain_response(name: str) -> str:
    """The text of a response of domain/*.yml (each has one variant)."""
    for path in sorted((ROOT / "domain").glob("*.yml")):
        responses = yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}
        if name in responses:
            [variant] = responses[name]
            return variant["text"]
    raise KeyError(name)


def assistant_texts():
    """What the assistant can say without a slot in it: the domain's responses, the FAQ answers, the questions."""
    call = load_call()
    known = set()
    for path in sorted((ROOT / "domain").glob("*.yml")):
        for variants in (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).values():
            known.update(v["text"] for v in variants if "text" in v)
    known.update(render_faq(intent, call) for intent in FAQ_INTENTS)
    known.update(prompts.question(key, call).text for key in ELIGIBILITY_FIELDS)
    return known


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
    "message, response",
    [
        pytest.param("", "utter_fallback", id="empty"),
        pytest.param("   ", "utter_fallback", id="blank"),
        pytest.param("Bonjour, nous sommes une association. " * 130, "utter_greet", id="5000-characters"),
        pytest.param("<script>alert('x')</script><b>gras</b>", "utter_fallback", id="html-script"),
        pytest.param("😀🎉🙏", "utter_fallback", id="emoji-only"),
        pytest.param("Hello, what is the weather like in London today?", "utter_out_of_scope", id="english"),
        # Read as ordinary text (the slash is removed, nothing is executed): what they get depends on the NLU.
        pytest.param("'; DROP TABLE drafts; -- SELECT * FROM users", None, id="sql"),
        pytest.param("/restart", None, id="slash-command"),
        pytest.param("/inject_intent{\"x\": 1}", None, id="slash-intent-injection"),
    ],
)
def test_bad_input_gets_a_polite_french_answer(live_servers, message, response):
    status, messages = live_servers.send(new_sender(), message)
    assert_polite_french(status, messages, forbidden=("<script", "<b>", "DROP TABLE"))
    said = [m["text"] for m in messages]
    if response:
        assert said == [domain_response(response)]
    else:  # one of the assistant's own French texts, never an echo of the input or an error
        assert said and set(said) <= assistant_texts(), said


def test_burst_of_the_same_message(live_servers):
    sender = new_sender()
    for _ in range(15):
        status, messages = live_servers.send(sender, "combien on peut demander ?")
        assert_polite_french(status, messages)
    assert euros(load_call().amounts.max) in texts(messages)


def without_recipient(messages):
    return [{key: value for key, value in m.items() if key != "recipient_id"} for m in messages]


def test_non_string_message_is_read_as_its_text(live_servers):
    """A number as the message is the text "12345": the same answer as to the string, in French."""
    status, messages = live_servers.send(new_sender(), 12345)
    assert status == 200, messages
    text_status, as_text = live_servers.send(new_sender(), "12345")
    assert (text_status, without_recipient(as_text)) == (200, without_recipient(messages))
    # Read as an answer about the project, it opens the eligibility check at its first question.
    assert [m.get("text") for m in messages] == [prompts.question("structure", load_call()).text]


NO_SENDER = {"error": "Le champ « sender » (identifiant de la conversation) est obligatoire."}


@pytest.mark.parametrize("body", [b"pas du json", b"[1, 2]", b'{"message": "bonjour"}', b'{"sender": "", "message": "x"}'])
def test_a_body_without_a_sender_is_refused_in_french(live_servers, body):
    request = urllib.request.Request(live_servers.webhook, data=body, headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400
    assert json.loads(refused.value.read().decode("utf-8")) == NO_SENDER
