"""action_answer_faq: answers rendered from the call data, polite when the file is broken."""
from __future__ import annotations

import pytest

from actions.faq import ActionAnswerFaq


def run(tracker, dispatcher):
    return ActionAnswerFaq().run(dispatcher, tracker, {})


def test_amount_question_gets_the_range_from_the_file(make_tracker, dispatcher):
    events = run(make_tracker(intent="ask_amount", text="combien on peut demander ?"), dispatcher)
    assert events == []
    [message] = dispatcher.messages
    assert "5 000 €" in message["text"] and "15 000 €" in message["text"]


def test_criterion_entity_selects_the_explanation(make_tracker, dispatcher):
    tracker = make_tracker(
        intent="ask_criterion",
        text="c'est quoi l'ancrage territorial ?",
        entities=[{"entity": "criterion", "value": "ancrage territorial"}],
    )
    run(tracker, dispatcher)
    assert dispatcher.messages[0]["text"].startswith("Ancrage territorial :")


def test_unknown_intent_falls_back(make_tracker, dispatcher):
    run(make_tracker(intent="greet", text="bonjour"), dispatcher)
    assert dispatcher.messages[0]["response"] == "utter_fallback"


@pytest.fixture
def broken_call_file(tmp_path, monkeypatch):
    path = tmp_path / "call.yml"
    path.write_text("amounts: {min: 1}\n", encoding="utf-8")
    monkeypatch.setenv("CALL_FILE", str(path))
    return path


def test_broken_call_file_gives_a_polite_message(make_tracker, dispatcher, broken_call_file):
    events = run(make_tracker(intent="ask_amount", text="combien ?"), dispatcher)
    assert events == []
    assert "problème technique" in dispatcher.messages[0]["text"]
