"""The action server registers exactly the domain's custom actions: no base class ("action_ask__", "validate_"),
none missing. Checked with rasa_sdk's own ActionExecutor, in a fresh interpreter (it registers every subclass of
Action that is loaded, so another test's classes must not count)."""
from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rasa_sdk import Action

from actions.application_questions import AskApplicationQuestion
from actions.eligibility import AskEligibilityQuestion
from actions.forms import AskField, FieldFormValidator
from tests.domain_forms import declared_actions

ROOT = Path(__file__).resolve().parents[1]
REGISTERED = """
import json, logging
logging.disable(logging.CRITICAL)
from rasa_sdk.executor import ActionExecutor
executor = ActionExecutor()
executor.register_package("actions")
print(json.dumps(sorted(executor.actions)))
"""


def registered_actions() -> list[str]:
    done = subprocess.run([sys.executable, "-c", REGISTERED], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_action_server_registers_exactly_the_domain_s_custom_actions():
    declared = declared_actions()
    assert len(declared) == len(set(declared)), "an action declared twice in domain/"
    assert registered_actions() == sorted(declared)


@pytest.mark.parametrize("base", [AskField, AskEligibilityQuestion, AskApplicationQuestion, FieldFormValidator])
def test_the_bases_are_abstract(base):
    assert inspect.isabstract(base)
    with pytest.raises(TypeError, match="abstract"):
        base()


def test_a_question_without_its_slot_stays_abstract():
    class AskNothing(AskField):
        form = "eligibility_form"

    class AskCommuneAgain(AskNothing):
        slot = "commune"

    assert inspect.isabstract(AskNothing)
    assert not inspect.isabstract(AskCommuneAgain)
    assert AskCommuneAgain().name() == "action_ask_eligibility_form_commune"
    assert issubclass(AskCommuneAgain, Action)
