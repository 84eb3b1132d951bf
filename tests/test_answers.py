"""Every FAQ answer is rendered from the call data file, never invents a date."""
from __future__ import annotations

import pytest

from bot.answers import FAQ_INTENTS, euros, find_criterion, render_faq
from bot.call import CallDataError, load_call
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


# --- Questions added for issue 8: rules document, total envelope, admissibility answer, ESS figures,
# innovation and profitability (through the criteria). Each answer states the facts of call.yml.


def test_rules_document_not_published_points_to_the_department_page(call):
    text = render_faq("ask_rules_document", call)
    assert "règlement" in text and "cahier des charges" in text
    assert "pas encore publié" in text
    assert call.edition.website in text and call.rules_document.page_title in text
    # the essentials of the rules, from the data file
    assert "5 000 €" in text and "15 000 €" in text and "70 %" in text
    assert "Val-de-Marne" in text and "ESUS" in text and "démarrage" in text


def test_rules_document_with_a_link(tmp_path):
    url = "https://www.valdemarne.fr/reglement-ess-2027.pdf"
    path = write_variant(tmp_path, lambda d: d["rules_document"].__setitem__("url", url))
    text = render_faq("ask_rules_document", load_call(path))
    assert url in text and "pas encore publié" not in text


def test_total_envelope_not_published_gives_past_envelopes(call):
    text = render_faq("ask_total_envelope", call)
    assert "n'est pas encore publiée" in text and call.edition.website in text
    assert "2023 : 150 000 €, partagés entre 13 lauréats" in text
    assert "2019 : 100 000 €" in text and "2016 : 95 000 €" in text
    assert "2017 : jusqu'à 100 000 €" in text
    assert "5 000 €" in text and "15 000 €" in text


def test_total_envelope_published(tmp_path):
    path = write_variant(tmp_path, lambda d: d["envelope"].__setitem__("next_edition", 160000))
    text = render_faq("ask_total_envelope", load_call(path))
    assert "160 000 €" in text and "pas encore publiée" not in text


def test_envelope_must_be_an_amount_or_the_placeholder(tmp_path):
    path = write_variant(tmp_path, lambda d: d["envelope"].__setitem__("next_edition", "beaucoup"))
    with pytest.raises(CallDataError, match=r"envelope\.next_edition"):
        load_call(path)


def test_admissibility_answer_explains_the_step_and_never_invents_a_date(call):
    text = render_faq("ask_admissibility_answer", call)
    assert "réponse personnalisée" in text and "recevable" in text and "dossier complet" in text
    assert "n'est pas publiée" in text and call.edition.website in text
    # the latest public calendar, presented as such
    assert "2024" in text and "12 mars 2024" in text and "9 avril 2024 à 17 h" in text


def test_admissibility_answer_date_published(tmp_path):
    path = write_variant(tmp_path, lambda d: d["admissibility"].__setitem__("answer_date", "début avril 2027"))
    text = render_faq("ask_admissibility_answer", load_call(path))
    assert "début avril 2027" in text and "pas publiée" not in text


def test_ess_figures(call):
    text = render_faq("ask_ess_figures", call)
    assert "Val-de-Marne" in text
    assert "plus de 2 850 structures de l'ESS" in text and "plus de 42 000 emplois" in text


def test_new_questions_are_faq_intents():
    for intent in ("ask_rules_document", "ask_total_envelope", "ask_admissibility_answer", "ask_ess_figures"):
        assert intent in FAQ_INTENTS


@pytest.mark.parametrize(
    "text, label, facts",
    [
        ("faut-il être rentable ?", "Viabilité économique", ["pouvoir durer", "70 %", "après l'aide"]),
        ("on doit faire des bénéfices ?", "Viabilité économique", ["pouvoir durer"]),
        ("est-ce que le projet doit être innovant ?", "Innovation et développement social",
         ["édition 2023", "réponse nouvelle"]),
        ("faut etre inovant ?", "Innovation et développement social", ["édition 2023"]),
    ],
)
def test_innovation_and_profitability_are_answered_by_their_criterion(call, text, label, facts):
    answer = render_faq("ask_criterion", call, text=text)
    assert answer.startswith(f"{label} :")
    assert f"l'un des {len(call.selection_criteria)} critères" in answer
    for fact in facts:
        assert fact in answer


def test_past_figures_include_the_2017_envelope(call):
    assert "2017 (édition 2017) : jusqu'à 100 000 € d'aides" in render_faq("ask_past_figures", call)
