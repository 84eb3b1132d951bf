"""How a message is read while a form asks a question (cases in tests/cases/reading.yml)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.call.facts import get_call
from bot.forms.fields import APPLICATION_FIELDS, ELIGIBILITY_FIELDS, fields_named
from bot.forms.reading import read_correction, read_message

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "reading.yml").read_text(encoding="utf-8"))
FORM_FIELDS = ("consent",) + tuple(dict.fromkeys(ELIGIBILITY_FIELDS + APPLICATION_FIELDS))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['asked']}:{c['text'][:40]}" for c in CASES])
def test_reading(case):
    fields = ELIGIBILITY_FIELDS if case["asked"] != "consent" else FORM_FIELDS
    reading = read_message(case["text"], asked=case["asked"], fields=fields, known=case.get("known") or {},
                           intent=case.get("intent"), call=get_call())
    assert reading.kind == case["kind"]
    if "values" in case:
        assert reading.values == case["values"]
    assert reading.cleared == case.get("cleared")


def test_correction_words_match_whole_words_only():
    # "demande" is not a word of the amount: asking to correct the commune names the commune.
    assert fields_named("je demande à corriger la commune") == ("commune",)
    assert fields_named("le budget total c'est 40 000") == ("total_budget",)
    assert fields_named("change le nom de la structure", APPLICATION_FIELDS) == ("org_name",)
    assert fields_named("mon telephone a changé") == ("phone",)
    assert fields_named("une étape importante") == ("stage",)
    assert fields_named("montagne") == ()


def test_correction_after_the_verdict_keeps_other_answers():
    known = {"structure": "association", "commune": "Paris", "amount": 12000}
    found = read_correction("en fait on est à Créteil", fields=ELIGIBILITY_FIELDS, known=known, call=get_call())
    assert found is not None and found.values == {"commune": "Créteil"}
    assert read_correction("merci beaucoup", fields=ELIGIBILITY_FIELDS, known=known, call=get_call()) is None


@pytest.mark.parametrize("text, expected", [
    ("on est un collectif pas encore constitué à Vitry, on voudrait demander 11 500 €, c'est possible ?", True),
    ("on est un auto-entrepreneur à Champigny, on voudrait 12 000 €", True),
    ("une association peut-elle candidater ?", False),
    ("c'est quoi le montant maximum ?", False),
])
def test_a_question_that_describes_the_project(text, expected):
    from bot.forms.description import describes_project

    assert describes_project(text, get_call()) is expected


@pytest.mark.parametrize("siret, legal_form, commune, expected", [
    ("73282932000074", "association", "Créteil", "SIRET"),
    ("W941234567", "association", "Créteil", "RNA"),
    (None, "group_in_creation", "Créteil", "aucun (collectif pas encore constitué)"),
    (None, "association", "Créteil", "à préciser (pas encore de SIRET)"),
    (None, "association", None, None),
])
def test_staff_and_exports_see_which_identifier_was_given(siret, legal_form, commune, expected):
    from bot.application.export import LABELS
    from bot.db.drafts import EXPORT_COLUMNS
    from bot.db.models import Draft

    assert Draft(siret=siret, legal_form=legal_form, commune=commune).identifier_kind == expected
    assert "identifier_kind" in EXPORT_COLUMNS and LABELS["identifier_kind"] == "Type d'identifiant"


@pytest.mark.parametrize("text, asked, intent, kind, values", [
    # The classifier's "correct_answer" alone does not turn an answer to a free-text question into a correction.
    ("des jeunes de 16 à 25 ans sans emploi", "beneficiaries", "correct_answer", "answer",
     {"beneficiaries": "des jeunes de 16 à 25 ans sans emploi"}),
    # With a correction cue, it is one.
    ("en fait on crée 3 emplois", "beneficiaries", "inform", "correction", {"jobs": 3}),
    ("le titre c'est Jardin des Lilas en fait", "jobs", "inform", "correction", {"project_title": "Jardin des Lilas"}),
    # A field named with its new value is a correction, even at a free-text question and with no cue word.
    ("le montant c'est 9 000 €", "project_title", "correct_answer", "correction", {"amount": 9000.0}),
    ("le téléphone c'est le 07 81 22 33 44", "beneficiaries", "correct_answer", "correction",
     {"phone": "07 81 22 33 44"}),
])
def test_reading_in_the_pre_application(text, asked, intent, kind, values):
    reading = read_message(text, asked=asked, fields=APPLICATION_FIELDS, known={"jobs": 1, "project_title": "Jardin"},
                           intent=intent, call=get_call())
    assert (reading.kind, reading.values) == (kind, values)


@pytest.mark.parametrize("text, expected", [
    ("je voudrais reprendre ma pré-candidature", True), ("reprendre mon dossier ESS-2026-0042", True),
    ("je veux continuer mon brouillon", True), ("bonjour, je veux reprendre ma pré-candidature ESS-2026-0003", True),
    ("je veux préparer ma pré-candidature", False), ("on veut reprendre une boutique de vélos", False),
    ("je voudrais compléter un dossier de candidature", False), ("reprise du dossier stp", True),
    ("ESS-2026-0042", True),
])
def test_a_request_to_resume_a_draft(text, expected):
    from bot.forms.cues import asks_to_resume

    assert asks_to_resume(text) is expected


def _correcting(missing, text, asked="start_date"):
    known = {key: "déjà donné" for key in APPLICATION_FIELDS if key not in missing}
    return read_message(text, asked=asked, fields=APPLICATION_FIELDS, known=known, intent=None, call=get_call())


def test_an_amount_in_euros_answers_the_amount_still_to_correct_while_the_date_is_asked():
    reading = _correcting({"amount", "start_date"}, "ah oui pardon c'est 9500 euros plutot")
    assert (reading.kind, reading.values) == ("description", {"amount": 9500.0})


def test_an_amount_is_never_read_as_a_year_nor_guessed_between_request_and_budget():
    reading = _correcting({"amount", "total_budget", "start_date"}, "c'est 9500 euros")
    assert reading.kind == "unclear" and reading.values == {} and "montant, pas à une date" in reading.error
