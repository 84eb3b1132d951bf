"""The verdict card of the chat widget, built from real verdicts (bot.eligibility.rules.evaluate on typed answers)."""
from __future__ import annotations

import json

import pytest

from bot.call.facts import load_call
from bot.eligibility.card import verdict_card
from bot.eligibility.messages import render_verdict
from bot.eligibility.rules import evaluate
from bot.eligibility.verdict import CRITERIA

ELIGIBLE = {
    "structure": "association", "commune": "Créteil", "stage": "démarrage",
    "amount": "10000", "total_budget": "20000", "other_department_aid": "non",
}
CARD_KEYS = {"type", "verdict", "title", "criteria", "advice", "missing", "notes", "buttons"}
CRITERION_KEYS = {"criterion", "label", "status", "status_label", "message"}
APPLY = [{"title": "Oui, préparer ma pré-candidature", "payload": "oui"},
         {"title": "Non merci", "payload": "non merci"}]


@pytest.fixture(scope="module")
def call():
    return load_call()


def card_for(call, **changes):
    verdict = evaluate({**ELIGIBLE, **changes}, call)
    return verdict, verdict_card(verdict, call)


def statuses(card):
    return {c["criterion"]: c["status"] for c in card["criteria"]}


def check_format(card):
    """The documented format (docs/conversation.md): known keys, strings only, JSON-serialisable."""
    assert set(card) == CARD_KEYS
    assert card["type"] == "verdict"
    assert [c["criterion"] for c in card["criteria"]] == list(CRITERIA)
    for criterion in card["criteria"]:
        assert set(criterion) == CRITERION_KEYS
        assert all(isinstance(value, str) and value for value in criterion.values())
    for key in ("advice", "missing", "notes"):
        assert all(isinstance(item, str) and item for item in card[key])
    assert all(set(b) == {"title", "payload"} for b in card["buttons"])
    assert json.loads(json.dumps(card, ensure_ascii=False)) == card


def test_eligible(call):
    verdict, card = card_for(call)
    check_format(card)
    assert card["verdict"] == "eligible"
    assert card["title"] == render_verdict(verdict, call).splitlines()[0]
    assert set(statuses(card).values()) == {"pass"}
    assert [c["status_label"] for c in card["criteria"]] == ["conforme"] * 6
    assert [c["label"] for c in card["criteria"]] == [
        "Forme juridique", "Territoire", "Stade du projet", "Montant demandé", "Part du budget",
        "Autre aide du Département"]
    assert card["criteria"][1]["message"] == "Créteil est dans le Val-de-Marne : le projet peut y être domicilié."
    assert card["advice"] == [] and card["missing"] == []
    assert any("ne garantit pas l'obtention de l'aide" in note for note in card["notes"])
    assert card["notes"][-1].startswith("Voulez-vous préparer votre pré-candidature")
    assert card["buttons"] == APPLY


def test_ineligible_with_two_failures(call):
    verdict, card = card_for(call, commune="Paris", amount="20000", total_budget="40000")
    check_format(card)
    assert card["verdict"] == "ineligible"
    assert statuses(card) == {"legal_form": "pass", "territory": "fail", "stage": "pass", "amount_range": "fail",
                              "budget_share": "pass", "other_department_aid": "pass"}
    failed = [c for c in card["criteria"] if c["status"] == "fail"]
    assert [c["status_label"] for c in failed] == ["non conforme", "non conforme"]
    assert "Paris" in failed[0]["message"] and "15 000 €" in failed[1]["message"]
    assert card["advice"] == verdict.advice and len(card["advice"]) == 2
    assert "Val-de-Marne" in card["advice"][0] and "15 000 €" in card["advice"][1]
    assert card["notes"] == []
    assert card["buttons"] == [{"title": "Poser une autre question", "payload": "Que peux-tu faire ?"}]


def test_incomplete(call):
    verdict, card = card_for(call, amount=None, other_department_aid="je sais pas trop")
    check_format(card)
    assert card["verdict"] == "incomplete"
    assert statuses(card) == {"legal_form": "pass", "territory": "pass", "stage": "pass", "amount_range": "unknown",
                              "budget_share": "unknown", "other_department_aid": "unknown"}
    assert {c["status_label"] for c in card["criteria"] if c["status"] == "unknown"} == {"à préciser"}
    assert card["missing"] == ["amount", "other_department_aid"]
    assert card["notes"][0].startswith("Il me manque : le montant demandé, une éventuelle autre aide du Département.")
    assert len(card["notes"]) == 2  # then the contact of the service
    assert card["advice"] == []
    assert card["buttons"] == [{"title": "Reprendre la vérification", "payload": "vérifier mon éligibilité"}]


def test_eligible_with_conditions(call):
    verdict, card = card_for(call, structure="un collectif d'habitants, pas encore d'association")
    check_format(card)
    assert card["verdict"] == "eligible_with_conditions"
    assert statuses(card)["legal_form"] == "condition"
    assert card["criteria"][0]["status_label"] == "sous condition"
    assert card["title"].endswith("mais sous condition (voir ci-dessous).")
    assert card["advice"] == ["Si votre projet est retenu, créez votre structure avant le versement de l'aide."]
    assert card["buttons"] == APPLY


def test_card_says_what_the_plain_text_says(call):
    """Every text of the card appears in the plain-text verdict of the REST channel and the CLI."""
    for changes in ({}, {"commune": "Paris", "amount": "20000"}, {"amount": None}, {"structure": "siae"}):
        verdict, card = card_for(call, **changes)
        text = render_verdict(verdict, call)
        pieces = [card["title"], *card["advice"], *card["notes"]]
        pieces += [f"{c['label']} : " for c in card["criteria"]]
        pieces += [c["message"] for c in card["criteria"]] + [c["status_label"] for c in card["criteria"]]
        assert all(piece in text for piece in pieces), changes


def test_buttons_are_copies(call):
    _, first = card_for(call)
    first["buttons"][0]["title"] = "changé"
    _, second = card_for(call)
    assert second["buttons"] == APPLY


def test_every_real_card_passes_the_checks_of_the_website(call):
    """clean_card (used by the /api/chat relay) accepts, unchanged, the card of every case of eligibility.yml."""
    import yaml

    from bot.eligibility.card import clean_card
    from tests.test_eligibility import CASES_FILE

    for case in yaml.safe_load(CASES_FILE.read_text(encoding="utf-8")):
        card = verdict_card(evaluate(case["input"], call), call)
        assert clean_card(card) == card, case["name"]
