"""Simulated applicants over REST (issue 8): every seeded dialogue must end with the CLI's verdict.

The whole suite of tests/simulation/ (at least 300 dialogues, a table per phrasing class); the failure message
gives the table and the transcripts of the failing dialogues. Also: `make eval-conversations`.
"""
from __future__ import annotations

import pytest

from bot.call import load_call
from tests.simulation.classes import CLASSES, generate
from tests.simulation.player import run_all
from tests.simulation.report import format_table, summary, transcript

MAX_TRANSCRIPTS = 25


def test_the_suite_is_large_and_covers_every_phrasing_class():
    dialogues = generate(load_call())
    assert len(dialogues) >= 300
    assert {d.phrasing_class for d in dialogues} == set(CLASSES)
    assert [d.raw for d in dialogues] == [d.raw for d in generate(load_call())], "the generator is not deterministic"


@pytest.mark.rest
def test_simulated_applicants_get_the_cli_verdict(live_servers):
    call = load_call()
    results = run_all(generate(call), live_servers.send, call, threads=3)
    failed = [r for r in results if not r.passed and not r.skipped]
    if failed:
        shown = "\n\n".join(transcript(r) for r in failed[:MAX_TRANSCRIPTS])
        more = f"\n\n… and {len(failed) - MAX_TRANSCRIPTS} more failing dialogues" if len(failed) > MAX_TRANSCRIPTS else ""
        pytest.fail(f"{len(failed)} simulated dialogues failed\n{format_table(results)}\n{summary(results)}\n\n"
                    f"{shown}{more}", pytrace=False)
