"""Simulated applicants over REST (issue 8): every seeded dialogue must end with the CLI's verdict.

The whole suite of tests/simulation/ (at least 300 dialogues, a table per phrasing class); the failure message
gives the table and the transcripts of the failing dialogues. Also: `make eval-conversations`. Each run writes
its report, pass or fail, to results/ (conversations.json / .txt, applications.json / .txt).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.call.facts import load_call
from tests.simulation.classes import CLASSES, generate
from tests.simulation.player import run_all
from tests.simulation.profiles import SEED
from tests.simulation.report import format_table, summary, transcript, write_json

MAX_TRANSCRIPTS = 25
RESULTS = Path(__file__).resolve().parent.parent / "results"


def test_the_suite_is_large_and_covers_every_phrasing_class():
    dialogues = generate(load_call())
    assert len(dialogues) >= 300
    assert {d.phrasing_class for d in dialogues} == set(CLASSES)
    assert [d.raw for d in dialogues] == [d.raw for d in generate(load_call())], "the generator is not deterministic"


@pytest.mark.rest
def test_simulated_applicants_get_the_cli_verdict(live_servers):
    call = load_call()
    results = run_all(generate(call), live_servers.send, call, threads=3)
    write_json(results, SEED, RESULTS / "conversations.json")
    (RESULTS / "conversations.txt").write_text(f"{format_table(results)}\n{summary(results)}\n", encoding="utf-8")
    failed = [r for r in results if not r.passed and not r.skipped]
    if failed:
        shown = "\n\n".join(transcript(r) for r in failed[:MAX_TRANSCRIPTS])
        more = f"\n\n… and {len(failed) - MAX_TRANSCRIPTS} more failing dialogues" if len(failed) > MAX_TRANSCRIPTS else ""
        pytest.fail(f"{len(failed)} simulated dialogues failed\n{format_table(results)}\n{summary(results)}\n\n"
                    f"{shown}{more}", pytrace=False)


# -- the pre-application suite (issue 13) ---------------------------------------------------------------------------
def test_the_pre_application_suite_is_large_and_every_phrasing_is_read_by_its_parser():
    from tests.simulation import application_profiles as app

    dialogues = app.generate(load_call())
    assert len(dialogues) >= 100
    assert {d.profile for d in dialogues} == set(app.ph.PROFILES) and len(app.ph.PROFILES) == 5
    assert {d.phrasing_class for d in dialogues} == set(app.CLASSES)
    assert app.parser_gaps(dialogues) == {}, "phrasings the field parsers do not read as intended"


@pytest.mark.rest
def test_simulated_applicants_end_their_pre_application_with_every_value_and_its_source(live_servers):
    from tests.simulation import application_profiles as app
    from tests.simulation import application_report as report
    from tests.simulation.application_checks import check_store
    from tests.simulation.application_player import run_all as run_applications

    call = load_call()
    results = run_applications(app.generate(call), live_servers.send, call,
                               Path(live_servers.env["MAIL_OUTBOX_DIR"]), threads=3)
    _store, notes = check_store(results, live_servers.env["DATABASE_URL"])
    report.write_json(results, app.SEED, RESULTS / "applications.json", notes)
    (RESULTS / "applications.txt").write_text(
        f"{report.format_table(results)}\n\n{report.format_table(results, 'phrasing_class')}\n"
        f"{report.summary(results, notes)}\n", encoding="utf-8")
    failed = [r for r in results if not r.passed]
    if failed:
        shown = "\n\n".join(report.transcript(r) for r in failed[:MAX_TRANSCRIPTS])
        pytest.fail(f"{len(failed)} simulated pre-applications failed\n{report.format_table(results)}\n"
                    f"{report.format_table(results, 'phrasing_class')}\n{report.summary(results, notes)}\n\n{shown}",
                    pytrace=False)
