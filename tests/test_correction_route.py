"""bot.forms.correction.route_correction: a correction typed outside a form -> what to say, set and run next."""
from __future__ import annotations

import pytest

from bot.call.facts import get_call
from bot.forms.correction import SLOTS, CorrectionRoute, fields_to_correct, route_correction
from bot.forms.fields import APPLICATION_FIELDS, ELIGIBILITY_FIELDS

CHECK = {"structure": "association", "commune": "Créteil", "stage": "startup", "amount": 12000.0,
         "total_budget": 40000.0, "other_department_aid": False}
APPLICATION = {**CHECK, "consent": True, "email": "marie@exemple.fr"}


def route(text: str, slots: dict) -> CorrectionRoute:
    return route_correction(text, slots, get_call())


def test_the_fields_are_the_application_s_once_the_applicant_consented():
    assert fields_to_correct({}) == ELIGIBILITY_FIELDS
    assert fields_to_correct({"consent": False}) == ELIGIBILITY_FIELDS
    assert fields_to_correct({"consent": True}) == APPLICATION_FIELDS + ("esus",)
    assert set(SLOTS) == {"consent", *APPLICATION_FIELDS, "esus"}


def test_nothing_known_is_not_a_correction():
    assert route("bonjour", {}) == CorrectionRoute({"response": "utter_fallback"}, ELIGIBILITY_FIELDS,
                                                  follow_up="action_listen")


def test_no_field_named_asks_which_one_in_the_check():
    result = route("je me suis trompé", CHECK)
    assert result.message == {"text": "Quelle réponse voulez-vous corriger ?", "buttons": [
        {"title": "Forme juridique", "payload": "je veux corriger la forme juridique"},
        {"title": "Commune", "payload": "je veux corriger la commune"},
        {"title": "Stade du projet", "payload": "je veux corriger le stade"},
        {"title": "Montant demandé", "payload": "je veux corriger le montant"},
        {"title": "Budget total", "payload": "je veux corriger le budget"}]}
    assert (result.values, result.follow_up, result.corrected) == ({}, "action_listen", False)


def test_no_field_named_asks_what_to_change_in_the_application():
    result = route("je me suis trompé", APPLICATION)
    assert result.message == {"text": "Que voulez-vous modifier ? Dites par exemple « change l'e-mail », « corriger "
                                      "le téléphone » ou « le montant c'est 9 000 en fait ».", "buttons": []}
    assert (result.values, result.follow_up) == ({}, "action_listen")


def test_a_new_commune_is_kept_and_the_check_goes_on_by_its_rules():
    assert route("en fait on est à Vitry-sur-Seine", CHECK) == CorrectionRoute(
        {"text": "C'est corrigé : commune : Vitry-sur-Seine."}, ELIGIBILITY_FIELDS, {"commune": "Vitry-sur-Seine"})


def test_a_field_named_without_a_value_is_asked_again():
    result = route("je veux corriger la commune", CHECK)
    assert result == CorrectionRoute({"text": "D'accord, corrigeons la commune : je vous repose la question."},
                                     ELIGIBILITY_FIELDS, {"commune": None})
    assert result.corrected


def test_a_change_in_the_application_resumes_its_form():
    assert route("le montant c'est 9 000 € en fait", APPLICATION) == CorrectionRoute(
        {"text": "C'est corrigé : montant demandé : 9 000 €."}, APPLICATION_FIELDS + ("esus",), {"amount": 9000.0},
        "application_form")


@pytest.mark.parametrize("text, values", [
    ("en fait la forme juridique c'est entreprise agréée ESUS", {"structure": "esus_company", "esus": True}),
    ("non la forme juridique c'est une SAS sans agrément", {"structure": "company_no_esus", "esus": False}),
    ("en fait on est une SCIC", {"structure": "cooperative", "esus": None}),
])
def test_a_new_legal_form_sets_the_esus_answer_that_follows(text, values):
    assert route(text, CHECK).values == values
