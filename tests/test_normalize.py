"""Tests of bot/nlp/normalize.py and bot/nlp/amounts.py: the cases in tests/cases/normalize.yml, plus direct tests."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from bot.call.facts import get_call
from bot.nlp import amounts, normalize
from bot.nlp.amounts import parse_amount, parse_amounts
from bot.nlp.normalize import (
    CommuneMatch,
    fold,
    parse_commune,
    parse_legal_form,
    parse_stage,
    parse_yes_no,
)

CASES_FILE = Path(__file__).parent / "cases" / "normalize.yml"
MODULES = {"fold": normalize, "fold_words": normalize, "parse_amount": amounts, "parse_amounts": amounts, "parse_commune": normalize,
           "parse_legal_form": normalize, "parse_stage": normalize, "parse_yes_no": normalize}
FUNCTIONS = set(MODULES)
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))


def _case_id(case: dict) -> str:
    text = case["input"] if isinstance(case["input"], str) else repr(case["input"])
    text = re.sub(r"\s+", "_", text.strip()) or "<vide>"
    return f"{case['function']}[{text}]"


def test_cases_file_is_well_formed():
    assert len(CASES) >= 100
    assert all(set(case) == {"function", "input", "expected"} for case in CASES)
    assert {case["function"] for case in CASES} <= FUNCTIONS
    not_understood = [c for c in CASES if c["expected"] is None or c["expected"] == []]
    assert len(not_understood) >= 25


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_case(case):
    result = getattr(MODULES[case["function"]], case["function"])(case["input"])
    expected = case["expected"]
    if case["function"] == "parse_commune" and expected is not None:
        assert result is not None, f"pas de commune trouvée, attendu {expected['name']}"
        for field, value in expected.items():
            assert getattr(result, field) == value, field
    elif case["function"] == "parse_amounts":
        assert result == pytest.approx([float(v) for v in expected])
    elif case["function"] == "parse_amount" and expected is not None:
        assert result == pytest.approx(float(expected))
    else:
        assert result == expected


def test_parse_amounts_keeps_order():
    assert parse_amounts("budget de 40 000 €, on demande 12 000 €") == [40000.0, 12000.0]
    assert parse_amounts("on voudrait demander 12 000 € sur un budget de 40 000 €") == [
        12000.0,
        40000.0,
    ]


def test_parse_amount_accepts_numbers():
    assert parse_amount(12000) == 12000.0
    assert parse_amount(0) is None
    assert parse_amount(True) is None
    assert parse_amount(None) is None


def test_shared_postcode_lists_every_commune():
    match = parse_commune("94440")
    assert match == CommuneMatch(
        name="Marolles-en-Brie / Santeny / Villecresnes",
        in_territory=True,
        department="Val-de-Marne (94)",
        postcode="94440",
    )
    assert parse_commune("code postal 94520").name == "Mandres-les-Roses / Périgny"


def test_saint_maurice_is_not_saint_maur():
    assert parse_commune("Saint-Maurice").name == "Saint-Maurice"
    assert parse_commune("st maurice").name == "Saint-Maurice"
    assert parse_commune("st maur").name == "Saint-Maur-des-Fossés"
    assert parse_commune("Saint-Maur-des-Fossés 94100").postcode == "94100"
    assert parse_commune("Saint-Maur-des-Fossés").postcode is None  # two postcodes


def test_commune_match_is_frozen():
    match = parse_commune("Créteil")
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.name = "Paris"


def test_every_commune_of_the_call_matches_its_own_name():
    call = get_call()
    for commune in call.territory.communes:
        assert parse_commune(commune.name, call).name == commune.name
        assert parse_commune(commune.name.upper(), call).name == commune.name
        assert parse_commune(fold(commune.name), call).name == commune.name


def test_communes_come_from_the_call_data():
    call = get_call()
    territory = call.territory.copy(
        update={"communes": [c for c in call.territory.communes if c.name != "Créteil"]}
    )
    smaller = call.copy(update={"territory": territory})
    assert parse_commune("Créteil", smaller) is None
    assert parse_commune("94000", smaller) == CommuneMatch(
        "94000", True, "Val-de-Marne (94)", "94000"
    )


def test_keys_are_accepted_as_is():
    for key in normalize.LEGAL_FORMS:
        assert parse_legal_form(key) == key
    for key in normalize.STAGES:
        assert parse_stage(key) == key


def test_non_text_input_is_not_understood():
    for function in (parse_legal_form, parse_stage, parse_commune):
        assert function(None) is None
        assert function(42) is None
    assert parse_yes_no(None) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("on demande 12 000 € sur un budget de 40 000 €", (12000.0, 40000.0)),
        ("le budget est de 40 000 et on demande 12 000", (12000.0, 40000.0)),
        ("12k sur 40k", (12000.0, 40000.0)),
        ("le coût total du projet est de 1,5 million", (None, 1500000.0)),
        ("on demande douze mille euros pour un projet de quarante mille euros", (12000.0, 40000.0)),
        ("on demande 9 000 €", (9000.0, None)),
        ("aucune idée", (None, None)),
    ],
)
def test_parse_request_and_budget(text, expected):
    assert amounts.parse_request_and_budget(text) == expected


@pytest.mark.parametrize("text", ["2 mi-temps", "deux mi temps", "3 ETP", "2 temps partiels", "12 enfants",
                                  "40 familles", "3 ateliers"])
def test_a_count_of_people_or_jobs_is_not_an_amount(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("key, text", [("amount", "07 61 22 33 44"), ("total_budget", "06.12.34.56.78"),
                                       ("amount", "+33 6 12 34 56 78")])
def test_a_phone_number_is_not_read_as_an_amount(key, text):
    from bot.forms.fields import parse_field

    parsed = parse_field(key, text, get_call())
    assert parsed.value is None and "numéro de téléphone" in parsed.error


@pytest.mark.parametrize("key, text", [("total_budget", "<script>alert(1)</script>"), ("amount", "<SCRIPT>alert(2)"),
                                       ("amount", "<img src=x onerror=alert(1)>"), ("amount", "<script/>alert(1)")])
def test_html_or_a_script_is_not_read_as_an_amount(key, text):
    from bot.forms.fields import parse_field
    from bot.forms.parsers import read_money

    parsed = parse_field(key, text, get_call())
    assert parsed.value is None and parsed.error.startswith("Je ne lis pas le code HTML ni les scripts. ")
    assert read_money(text) is None  # the rules engine and the CLI read it through read_money too


@pytest.mark.parametrize("text, value", [("<b>40 000 €</b>", 40000.0), ("< 15 000 €", 15000.0),
                                         ("<p>on demande 12k</p>", 12000.0)])
def test_an_amount_inside_html_tags_is_still_read(text, value):
    from bot.forms.fields import parse_field

    assert parse_field("amount", text, get_call()).value == value


@pytest.mark.parametrize("text, value", [("12000", 12000.0), ("3 ateliers pour 9 000 €", 9000.0),
                                         ("12 000 € pour 2 mi-temps", 12000.0)])
def test_amounts_next_to_counts_are_still_read(text, value):
    from bot.forms.fields import parse_field

    assert parse_field("amount", text, get_call()).value == value
