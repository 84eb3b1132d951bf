"""Eligibility rules: the YAML cases of tests/cases/eligibility.yml, then direct checks of the reasons."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.call.facts import load_call
from bot.eligibility.rules import evaluate
from bot.eligibility.verdict import ANSWER_KEYS, CRITERIA, Reason, Verdict

CASES_FILE = Path(__file__).parent / "cases" / "eligibility.yml"
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
VERDICTS = ("eligible", "eligible_with_conditions", "ineligible", "incomplete")
STATUSES = ("pass", "fail", "unknown", "condition")
ELIGIBLE = {
    "structure": "association", "commune": "Créteil", "stage": "emergence",
    "amount": 10000, "total_budget": 20000, "other_department_aid": False,
}


@pytest.fixture(scope="module")
def call():
    return load_call()


def check(call, **changes) -> Verdict:
    return evaluate({**ELIGIBLE, **changes}, call)


def test_case_file_is_well_formed():
    assert len(CASES) >= 65
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "deux cas portent le même nom"
    for case in CASES:
        assert set(case) <= {"name", "input", "verdict", "failing", "missing", "statuses"}, case["name"]
        assert set(case["input"]) <= set(ANSWER_KEYS), case["name"]
        assert case["verdict"] in VERDICTS, case["name"]
        assert set(case["failing"]) <= set(CRITERIA), case["name"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case, call):
    verdict = evaluate(case["input"], call)
    failing = [r.criterion for r in verdict.reasons if r.status == "fail"]
    assert (verdict.verdict, failing) == (case["verdict"], case["failing"]), [r.message for r in verdict.reasons]
    if "missing" in case:
        assert verdict.missing == case["missing"]
    for criterion, status in case.get("statuses", {}).items():
        assert verdict.reason(criterion).status == status


def test_one_reason_per_criterion_in_order(call):
    for answers in (ELIGIBLE, {}, {"structure": "SARL", "commune": "Paris"}):
        verdict = evaluate(answers, call)
        assert [r.criterion for r in verdict.reasons] == list(CRITERIA)
        assert all(isinstance(r, Reason) and r.status in STATUSES for r in verdict.reasons)
        assert all(r.message and r.source.startswith("Règlement") for r in verdict.reasons)


def test_eligible_reasons_explain_each_pass(call):
    verdict = evaluate(ELIGIBLE, call)
    assert verdict.verdict == "eligible" and not verdict.has_certain_failure
    assert verdict.missing == [] and verdict.advice == []
    assert "Créteil est dans le Val-de-Marne" in verdict.reason("territory").message
    assert "10 000 €" in verdict.reason("amount_range").message
    assert "50 %" in verdict.reason("budget_share").message


def test_legal_form_source_cites_the_esus_article(call):
    reason = check(call, structure="SCOP").reason("legal_form")
    assert reason.status == "pass"
    assert reason.source == (
        "Règlement : structures de l'ESS, entreprises agréées ESUS (article L3332-17-1 du Code du travail)"
    )


def test_company_without_esus_gets_advice(call):
    verdict = check(call, structure="company", esus=False)
    assert verdict.reason("legal_form").status == "fail"
    assert "ESUS" in verdict.reason("legal_form").message
    assert "Avec l'agrément ESUS, votre entreprise deviendrait éligible." in verdict.advice
    assert verdict.has_certain_failure


def test_company_with_esus_unknown_asks_esus_first(call):
    verdict = evaluate({"structure": "company"}, call)
    assert verdict.reason("legal_form").status == "unknown"
    assert verdict.missing == ["esus", "commune", "stage", "amount", "total_budget", "other_department_aid"]


@pytest.mark.parametrize("structure", ["association", "esus_company", "company_no_esus", "siae", "sole_trader"])
def test_esus_is_asked_only_for_a_company(call, structure):
    assert "esus" not in evaluate({"structure": structure}, call).missing


def test_unrecognised_legal_form_is_to_be_confirmed_not_asked_again(call):
    verdict = check(call, structure="zorglub et compagnie")
    reason = verdict.reason("legal_form")
    assert reason.status == "unknown"
    assert "« zorglub et compagnie »" in reason.message and "à confirmer par le service" in reason.message
    assert verdict.verdict == "incomplete" and verdict.missing == []
    assert any("service du Département" in a for a in verdict.advice)
    assert "confirmées par le service" in verdict.summary()


def test_conditions_are_explained(call):
    group = check(call, structure="group_in_creation")
    assert "personne morale" in group.reason("legal_form").message
    siae = check(call, structure="siae")
    assert "conventionnement avec l'État" in siae.reason("legal_form").message
    assert any("SIAE" in a for a in siae.advice)
    assert siae.verdict == "eligible_with_conditions"


@pytest.mark.parametrize("structure, words", [
    ("sole_trader", "micro-entrepreneur"),
    ("public_body", "organisme public"),
])
def test_excluded_legal_forms_say_why(call, structure, words):
    verdict = check(call, structure=structure)
    assert words in verdict.reason("legal_form").message
    assert verdict.advice


def test_territory_outside_names_the_commune_and_its_department(call):
    assert check(call, commune="Paris").reason("territory").message.startswith(
        "Paris (75) n'est pas dans le Val-de-Marne"
    )
    montreuil = check(call, commune="Montreuil").reason("territory")
    assert montreuil.status == "fail"
    assert "Montreuil" in montreuil.message and "Seine-Saint-Denis" in montreuil.message
    assert montreuil.source == "Règlement : projet domicilié dans le Val-de-Marne (94)"


def test_territory_inside_names_the_commune(call):
    reason = check(call, commune="st maur").reason("territory")
    assert reason.status == "pass"
    assert "Saint-Maur-des-Fossés" in reason.message


def test_commune_not_understood_is_asked_again(call):
    verdict = check(call, commune="qwxzk")
    assert verdict.reason("territory").status == "unknown"
    assert "« qwxzk »" in verdict.reason("territory").message
    assert verdict.missing == ["commune"]


def test_stage_failures_say_what_the_call_funds(call):
    established = check(call, stage="established").reason("stage")
    assert "projets nouveaux" in established.message
    running = check(call, stage="running_costs")
    assert "pas le fonctionnement courant" in running.reason("stage").message
    assert running.advice


def test_amount_below_and_above_give_the_bound(call):
    below = check(call, amount=4999)
    assert "5 000 €" in below.reason("amount_range").message
    assert any("5 000 € au moins" in a for a in below.advice)
    above = check(call, amount=15001, total_budget=30000)
    assert "15 001 €" in above.reason("amount_range").message
    assert any("en ramenant la demande à 15 000 € au plus" in a.lower() for a in above.advice)
    assert above.reason("amount_range").source == "Règlement : aide comprise entre 5 000 € et 15 000 €"


def test_budget_share_failure_gives_the_maximum(call):
    verdict = check(call, amount=7001, total_budget=10000)
    reason = verdict.reason("budget_share")
    assert "soit 7 000 €" in reason.message and "70 %" in reason.message
    assert any("7 000 € au plus" in a for a in verdict.advice)
    assert reason.source == "Règlement : aide limitée à 70 % du coût total du projet"
    with_cents = check(call, amount=7001, total_budget=10001).reason("budget_share")
    assert "soit 7 000,70 €" in with_cents.message


def test_budget_share_advice_when_the_budget_is_too_small_for_the_minimum(call):
    verdict = check(call, amount=5000, total_budget=6000)
    assert verdict.reason("budget_share").status == "fail"
    assert any("7 142,86 €" in a for a in verdict.advice)


def test_amount_above_total_budget_fails(call):
    reason = check(call, amount=12000, total_budget=11000).reason("budget_share")
    assert reason.status == "fail" and "dépasse le coût total" in reason.message


def test_numbers_pass_through_but_booleans_are_not_amounts(call):
    assert check(call, amount=10000.0, total_budget="20000").verdict == "eligible"
    assert check(call, amount=True).missing == ["amount"]
    assert check(call, amount=["10000"]).missing == ["amount"]


def test_other_department_aid(call):
    verdict = check(call, other_department_aid="oui")
    assert verdict.reason("other_department_aid").status == "fail"
    assert "déjà une aide du Département" in verdict.reason("other_department_aid").message


def test_thresholds_come_from_the_call_data(call):
    amounts = call.amounts.copy(update={"min": 1000, "max": 20000, "max_share_of_budget_percent": 50})
    other = call.copy(update={"amounts": amounts})
    assert check(other, amount=1000, total_budget=2000).verdict == "eligible"
    assert check(other, amount=20000, total_budget=40000).verdict == "eligible"
    verdict = check(other, amount=7000, total_budget=10000)
    assert [r.criterion for r in verdict.reasons if r.status == "fail"] == ["budget_share"]
    assert "50 %" in verdict.reason("budget_share").message and "soit 5 000 €" in verdict.reason("budget_share").message
    allowed = call.copy(update={"aid_combination": call.aid_combination.copy(
        update={"same_project_departmental_aid": True})})
    assert check(allowed, other_department_aid=True).verdict == "eligible"


def test_summary_never_promises_a_grant(call):
    for answers, verdict in ((ELIGIBLE, "eligible"), ({**ELIGIBLE, "structure": "siae"}, "eligible_with_conditions")):
        result = evaluate(answers, call)
        assert result.verdict == verdict
        assert "jury" in result.summary() and "ne garantit pas" in result.summary()
    assert "n'est pas éligible" in check(call, commune="Paris").summary()
    assert "territoire" in check(call, commune="Paris").summary()
    assert "montant demandé" in evaluate({**ELIGIBLE, "amount": None}, call).summary()


def test_to_dict_is_json_ready(call):
    data = check(call, structure="SARL").to_dict()
    assert set(data) == {"verdict", "summary", "has_certain_failure", "reasons", "missing", "advice"}
    assert data["verdict"] == "incomplete" and data["missing"] == ["esus"]
    assert data["reasons"][0]["criterion"] == "legal_form" and data["reasons"][0]["status"] == "unknown"
    assert all(set(r) == {"criterion", "status", "message", "source"} for r in data["reasons"])
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_call_defaults_to_the_project_call_file():
    assert evaluate(ELIGIBLE).verdict == "eligible"
