"""Every FAQ answer is rendered from the call data file, never invents a date."""
from __future__ import annotations

import pytest

from bot.answers import FAQ_INTENTS, euros, find_criterion, render_faq
from bot.call import load_call
from tests.test_call import write_variant


@pytest.fixture
def call():
    return load_call()


@pytest.mark.parametrize("intent", FAQ_INTENTS)
def test_every_faq_intent_has_a_french_answer(call, intent):
    text = render_faq(intent, call)
    assert text and len(text) > 40
    assert "A_COMPLETER" not in text
    assert "<" not in text


def test_unknown_intent_has_no_answer(call):
    assert render_faq("greet", call) is None


def test_amount_answer_uses_the_data_file(call):
    text = render_faq("ask_amount", call)
    assert "5 000 €" in text and "15 000 €" in text and "70 %" in text


def test_amount_answer_follows_an_edited_file(tmp_path):
    path = write_variant(tmp_path, lambda d: d["amounts"].__setitem__("max", 20000))
    text = render_faq("ask_amount", load_call(path))
    assert "20 000 €" in text and "15 000 €" not in text


def test_calendar_without_next_dates_says_not_published(call):
    text = render_faq("ask_calendar", call)
    assert "pas encore publiées" in text
    assert call.edition.website in text
    assert "2024" in text  # the latest public calendar, presented as such


def test_calendar_with_next_dates(tmp_path):
    next_edition = {"year": 2027, "events": ["Pré-candidature : du 1er au 28 février 2027"]}
    path = write_variant(tmp_path, lambda d: d["calendar"].__setitem__("next_edition", next_edition))
    text = render_faq("ask_calendar", load_call(path))
    assert "2027" in text and "pas encore publiées" not in text


def test_contact_placeholder_points_to_the_website(call):
    text = render_faq("request_human", call)
    assert "pas encore publiées" in text and call.edition.website in text


def test_past_figures(call):
    text = render_faq("ask_past_figures", call)
    assert "47 projets reçus" in text and "13 lauréats" in text and "150 000 €" in text


@pytest.mark.parametrize(
    "entity, text, expected",
    [
        ("ancrage territorial", "", "ancrage_territorial"),
        (None, "c'est quoi l'utilite sociale", "utilite_sociale"),
        ("cohésion sociale et territoriale", "", "cohesion"),
        (None, "la viabilité économique ça veut dire quoi", "viabilite_economique"),
        ("création d'emplois", "", "emploi"),
        (None, "et l'innovation ?", "innovation"),
        (None, "blabla", None),
    ],
)
def test_find_criterion(call, entity, text, expected):
    assert find_criterion(call, entity, text) == expected


def test_criterion_answer_explains_it(call):
    text = render_faq("ask_criterion", call, criterion_entity="ancrage territorial")
    assert text.startswith("Ancrage territorial :")


def test_euros_formatting():
    assert euros(5000) == "5 000 €"
    assert euros(10500.5) == "10 500,50 €"
