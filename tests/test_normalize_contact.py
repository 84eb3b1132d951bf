"""Tests of bot/nlp/contact.py, dates.py and jobs.py: the cases in tests/cases/normalize_contact.yml, plus direct tests."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import socket
from pathlib import Path

import pytest
import yaml

from bot.call.facts import get_call
from bot.forms.prompts import question
from bot.nlp import contact as normalize_contact
from bot.nlp import dates, jobs
from bot.nlp.contact import (
    parse_email,
    parse_free_text,
    parse_person_name,
    parse_phone,
    parse_siret,
)
from bot.nlp.dates import date_examples, example_start, parse_start_date
from bot.nlp.jobs import parse_jobs
from bot.nlp.parsed import Parsed

CASES_FILE = Path(__file__).parent / "cases" / "normalize_contact.yml"
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
TODAY = dt.date(2026, 3, 15)
MODULES = {**dict.fromkeys(normalize_contact.__all__, normalize_contact), **dict.fromkeys(dates.__all__, dates),
           **dict.fromkeys(jobs.__all__, jobs)}
FUNCTIONS = set(MODULES)
KEYS = {"function", "input", "expected", "error_contains", "kwargs", "today"}


def _case_id(case: dict) -> str:
    text = re.sub(r"\s+", "_", case["input"].strip()) or "<vide>"
    return f"{case['function']}[{text[:60]}]"


def _run(case: dict) -> Parsed:
    kwargs = dict(case.get("kwargs") or {})
    if case["function"] == "parse_start_date":
        kwargs["today"] = case.get("today", TODAY)
    return getattr(MODULES[case["function"]], case["function"])(case["input"], **kwargs)


def test_cases_file_is_well_formed():
    assert len(CASES) >= 90
    assert all({"function", "input", "expected"} <= set(case) <= KEYS for case in CASES)
    assert {case["function"] for case in CASES} == FUNCTIONS
    errors = [case for case in CASES if case["expected"] is None]
    assert len(errors) >= 30
    assert all(case.get("error_contains") for case in errors), "each refusal says which message it expects"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_case(case):
    result = _run(case)
    assert isinstance(result, Parsed)
    assert result.value == case["expected"], result.error
    if case["expected"] is None:
        assert result.error and case["error_contains"] in result.error
    else:
        assert result.error is None


@pytest.mark.parametrize("case", [c for c in CASES if c["expected"] is None], ids=_case_id)
def test_every_error_is_polite_french_with_an_example(case):
    error = _run(case).error
    assert error[0].isupper() and error.rstrip().endswith((".", "?")), error
    assert "  " not in error and "\n" not in error
    # parse_free_text can only give an example when the caller passes one (it depends on the field)
    if case["function"] != "parse_free_text" or "example" in case.get("kwargs", {}):
        assert re.search(r"par exemple|vérifiez|vouliez-vous", error, re.IGNORECASE), error


# ------------------------------------------------------------------------------ Parsed


def test_parsed_is_a_frozen_value():
    result = parse_jobs("3")
    assert result == Parsed(3, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.value = 4


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
@pytest.mark.parametrize("value", [None, 42, ["06 12 34 56 78"]])
def test_non_text_input_is_refused_not_crashed(function, value):
    result = getattr(MODULES[function], function)(value)
    assert result.value is None and result.error


# ------------------------------------------------------------------------------ SIRET


def test_siret_value_is_14_digits_string():
    assert parse_siret("SIRET n° 732 829 320 00074").value == "73282932000074"


def test_siret_error_counts_the_digits_found():
    assert "j'en ai trouvé 12" in parse_siret("7328 2932 0000").error


# ------------------------------------------------------------------------------ e-mail


def test_email_never_queries_the_dns(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert parse_email("contact@domaine-qui-n-existe-pas-du-tout.fr").value == (
        "contact@domaine-qui-n-existe-pas-du-tout.fr"
    )


def test_email_keeps_the_local_part_case_and_lowercases_the_domain():
    assert parse_email("Mon e-mail : Jean.DUPONT@Mairie-Vitry.FR").value == "Jean.DUPONT@mairie-vitry.fr"


# ------------------------------------------------------------------------------ phone


def test_phone_too_short_message_is_exact():
    assert parse_phone("06 12 34").error == (
        "Il manque des chiffres : un numéro français compte 10 chiffres, par exemple 06 12 34 56 78."
    )


@pytest.mark.parametrize("text", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "0033612345678",
                                  "06.12.34.56.78", "+33 (0)6 12 34 56 78"])
def test_phone_all_spellings_give_the_same_value(text):
    assert parse_phone(text) == Parsed("06 12 34 56 78")


# ------------------------------------------------------------------------------ start date


def test_start_date_month_without_year_is_the_next_occurrence():
    assert parse_start_date("en janvier", today=dt.date(2026, 3, 15)).value == dt.date(2027, 1, 1)
    assert parse_start_date("en janvier", today=dt.date(2026, 1, 20)).value == dt.date(2026, 1, 1)
    assert parse_start_date("en avril", today=dt.date(2026, 3, 15)).value == dt.date(2026, 4, 1)


def test_start_date_accepts_a_recent_past_date_but_not_an_old_one():
    today = dt.date(2026, 3, 15)
    assert parse_start_date("01/04/2025", today=today).value == dt.date(2025, 4, 1)
    error = parse_start_date("01/03/2025", today=today).error
    assert error.startswith("Cette date est passée : le 1er mars 2025")


def test_start_date_relative_dates_use_today():
    assert parse_start_date("dans 3 mois", today=dt.date(2026, 11, 30)).value == dt.date(2027, 2, 28)
    assert parse_start_date("dans 10 jours", today=dt.date(2026, 12, 25)).value == dt.date(2027, 1, 4)


def test_start_date_defaults_to_the_real_today():
    before = dt.date.today()
    value = parse_start_date("dès que possible").value
    assert before <= value <= dt.date.today()  # the day it was read, even when the test runs over midnight


def test_start_date_month_names_with_accents_and_typos():
    today = dt.date(2026, 3, 15)
    for text in ("février 2027", "fevrier 2027", "FÉVRIER 2027", "fevier 2027", "fév. 2027"):
        assert parse_start_date(text, today=today).value == dt.date(2027, 2, 1), text


# ------------------------------------------------------------------------------ jobs


@pytest.mark.parametrize("text, expected", [("1,5 ETP", 2), ("2,2 ETP", 3), ("3 ETP", 3), ("0,2 ETP", 1)])
def test_jobs_fractions_of_fte_are_rounded_up(text, expected):
    assert parse_jobs(text).value == expected


def test_jobs_limit_is_1000_included():
    assert parse_jobs("1000").value == 1000
    assert parse_jobs("1 001").value is None


# ------------------------------------------------------------------------------ free text


def test_free_text_is_never_html_escaped():
    text = "<script>alert('x')</script> & co"
    assert parse_free_text(text).value == text


def test_free_text_removes_control_and_invisible_characters():
    assert parse_free_text("Jardin\u200b\x00 partagé\t ").value == "Jardin partagé"


def test_free_text_error_uses_the_field_label_and_example():
    error = parse_free_text("", field_label="le nom du projet", example="Jardin partagé de Vitry").error
    assert error == "Je n'ai rien reçu : merci d'indiquer le nom du projet, par exemple « Jardin partagé de Vitry »."


def test_free_text_limits_are_inclusive():
    assert parse_free_text("abc").value == "abc"
    assert parse_free_text("x" * 2000).value == "x" * 2000
    assert parse_free_text("x" * 2001).value is None


# ------------------------------------------------------------------------------ person name


def test_person_name_keeps_the_case_as_typed():
    assert parse_person_name("je m'appelle marie curie").value == "marie curie"


def test_person_name_does_not_strip_a_name_that_is_only_a_civility_word():
    assert parse_person_name("Monsieur").value is None


@pytest.mark.parametrize(("today", "year"), [
    (dt.date(2026, 3, 15), 2026), (dt.date(2026, 8, 31), 2026), (dt.date(2026, 9, 1), 2027), (dt.date(2026, 11, 26), 2027),
])
def test_the_date_examples_are_never_in_the_past(today, year):
    assert example_start(today) == dt.date(year, 9, 1) >= today
    assert date_examples(today) == (f"par exemple « 01/09/{year} », « 1er septembre {year} », « septembre {year} » "
                                    f"ou « début {year + 1} »")
    assert parse_start_date("bientôt", today=today).error.endswith(date_examples(today) + ".")
    assert parse_start_date(date_examples(today).split("« ")[1].split(" »")[0], today=today).value == dt.date(year, 9, 1)


def test_the_start_date_question_suggests_a_date_to_come():
    start = example_start()
    assert start >= dt.date.today()
    assert question("start_date", get_call()).text == (
        f"Quand le projet doit-il démarrer ? (par exemple : septembre {start.year} ou 01/09/{start.year})")


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(3)>"])
def test_html_or_a_script_is_not_read_as_a_number_of_jobs(text):
    parsed = parse_jobs(text)
    assert parsed.value is None and parsed.error.startswith("Je ne lis pas le code HTML ni les scripts. ")


def test_jobs_inside_html_tags_are_still_read():
    assert parse_jobs("<b>2</b> emplois").value == 2 and parse_jobs("<i>aucun</i>").value == 0
