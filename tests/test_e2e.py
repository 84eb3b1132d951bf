"""End-to-end conversations (tests/e2e/*.yml) in applicants' own words, over the REST webhook.

Each conversation runs against the trained model (models/ess.tar.gz), the real action server and a
throwaway database, and checks what the applicant sees and what is stored, not which rule fired.
The format of the files is described in tests/e2e_runner.py. Run: `pytest -m rest tests/test_e2e.py`
(one conversation: `-k "nom de la conversation"`).
"""
from __future__ import annotations

import re

import pytest

from tests.e2e_runner import Player, fold, load_conversations, problems
from tests.servers import ROOT

CONVERSATIONS = load_conversations()


@pytest.fixture(scope="module")
def servers(live_servers):
    """The session's action server and Rasa (tests/conftest.py): one pair for every REST test."""
    return live_servers


@pytest.mark.rest
@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.get("name", "?") for c in CONVERSATIONS])
def test_conversation(servers, conversation):
    """Plays one conversation; its transcript is kept in results/e2e/ (and shown when it fails)."""
    player = Player(servers, conversation["name"])
    try:
        player.play(conversation["steps"])
    finally:
        out = ROOT / "results" / "e2e" / (re.sub(r"[^\w-]+", "_", conversation["name"])[:80] + ".txt")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(player.transcript) + "\n", encoding="utf-8")


def test_conversation_files_are_well_formed():
    assert len(CONVERSATIONS) >= 40
    assert problems(CONVERSATIONS) == []
    topics = {c["file"] for c in CONVERSATIONS}
    assert {"faq.yml", "eligibility.yml", "application.yml", "robustness.yml"} <= topics


def test_the_checks_fold_accents_spaces_and_do_not_match_inside_numbers():
    from tests.e2e_runner import REFERENCE, contains

    reply = "Vous pouvez demander entre 5\u202f000\u00a0€ et 15 000 €, soit 70 % au plus. L’aide…"
    assert contains(reply, "5 000 €") and contains(reply, "15 000") and contains(reply, "l'aide")
    assert contains(reply, "ENTRE 5 000") and not contains(reply, "50 000") and not contains(reply, "15")
    assert not contains("15 000 €", "5 000") and not contains("150 000 €", "50 000")
    assert fold("Créteil\u00a0 94000") == "creteil 94000"
    assert REFERENCE.findall("numéro (par exemple ESS-2026-0042) : ESS-2026-0007.") == ["ESS-2026-0007"]


def test_placeholders_are_the_reference_shown_and_the_year_after_today():
    import datetime as dt

    from tests.e2e_runner import expand

    before = dt.date.today().year
    typed = expand("01/03/{next_year}")
    assert typed in {f"01/03/{before + 1}", f"01/03/{dt.date.today().year + 1}"}  # even over New Year's midnight
    assert expand("reprendre {reference}", "ESS-2026-0007") == "reprendre ESS-2026-0007"
    assert expand("reprendre {reference}") == "reprendre {reference}"  # none shown yet: left as is
    assert expand(2) == "2"


def test_a_broken_conversation_file_is_reported():
    broken = [{"name": "a", "file": "x.yml", "steps": [{"user": "bonjour", "click": "Oui"}]},
              {"name": "a", "file": "x.yml", "steps": [{"user": "salut", "say": ["typo"]}]},
              {"name": "b", "file": "x.yml", "steps": [{"user": "salut", "verdict": "eligibl"}]}]
    assert len(problems(broken)) == 4
