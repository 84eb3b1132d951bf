"""Conversation equals CLI: every case of tests/cases/eligibility.yml, played as a REST conversation.

The applicant opens the check and answers each question asked with the case's raw text (booleans as "oui"/"non",
numbers as typed digits). A field absent or blank in the case: "je ne sais pas", then "passer" if asked again; a
raw answer that the bot does not understand and asks again: "passer". The conversation must end with the verdict
and the failing criteria of ``bot.eligibility.rules.evaluate`` on the same input, which is what
``python -m bot eligibility check`` prints. When the legal form fails the check may stop early, so the conversation
may then list fewer failing criteria (see ``tests.simulation.player.compare``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.call.facts import load_call
from tests.simulation.player import CHECK_REQUEST, Player
from tests.simulation.profiles import FIELDS, Answer, Dialogue
from tests.simulation.report import transcript

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "eligibility.yml").read_text(encoding="utf-8"))
DONT_KNOW = Answer("je ne sais pas", gives_value=False)
SKIP = Answer("passer", gives_value=False)


def typed(value: Any) -> str | None:
    """What the applicant types for a case's value; None for an absent or blank answer."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
    text = str(value)
    return text if text.strip() else None


def case_dialogue(case: dict[str, Any]) -> Dialogue:
    answers = {}
    for key in FIELDS:
        text = typed(case["input"].get(key))
        answers[key] = [Answer(text), SKIP] if text else [DONT_KNOW, SKIP]
    return Dialogue(f"cli-{case['name']}", "cli_case", CHECK_REQUEST, answers, raw=dict(case["input"]),
                    check_reasks=False, check_all_asked=False)


def test_typed_answers():
    assert [typed(v) for v in (True, False, 10000, 10000.0, 4999.99, "  ", None, "12k")] == [
        "oui", "non", "10000", "10000", "4999,99", None, None, "12k"]


@pytest.mark.rest
@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_conversation_gives_the_cli_verdict(live_servers, case):
    result = Player(live_servers.send, load_call()).play(case_dialogue(case))
    if not result.passed:
        pytest.fail(transcript(result), pytrace=False)
