"""Simulated applicants: play the seeded dialogues over REST, print a table per phrasing class.

Usage: make eval-conversations   (trains if needed, starts the servers on free ports; both suites)
       .venv/bin/python scripts/eval_conversations.py [--suite eligibility|application|all] [--webhook URL]
                                                      [--threads 3] [--seed N] [--scale 1.0]
Writes results/conversations.json (eligibility) and results/applications.json (pre-application);
exits 1 if any dialogue fails. See tests/simulation/. The pre-application suite needs the servers it starts
(it reads the resume codes in their outbox and the drafts in their database), so it ignores --webhook.
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.call.facts import load_call  # noqa: E402
from tests.servers import LiveServers  # noqa: E402
from tests.simulation import application_profiles as app_profiles  # noqa: E402
from tests.simulation import application_report as app_report  # noqa: E402
from tests.simulation.application_checks import check_store  # noqa: E402
from tests.simulation.application_player import run_all as run_applications  # noqa: E402
from tests.simulation.classes import generate  # noqa: E402
from tests.simulation.player import run_all, webhook_sender  # noqa: E402
from tests.simulation.profiles import SEED  # noqa: E402
from tests.simulation.report import format_table, summary, transcript, write_json  # noqa: E402


def _progress(total: int):
    done, lock, start = [0], threading.Lock(), time.monotonic()

    def progress(_result) -> None:
        with lock:
            done[0] += 1
            if done[0] % 25 == 0 or done[0] == total:
                print(f"  {done[0]}/{total} dialogues ({time.monotonic() - start:.0f} s)", flush=True)
    return progress


def eligibility(args, send) -> bool:
    """The eligibility suite: every dialogue must end with the CLI's verdict."""
    call = load_call()
    dialogues = generate(call, seed=args.seed, scale=args.scale)
    start = time.monotonic()
    results = run_all(dialogues, send, call, threads=args.threads, progress=_progress(len(dialogues)))
    shown: dict = {}
    for result in results:
        name = result.dialogue.phrasing_class
        if not result.passed and not result.skipped and shown.get(name, 0) < args.transcripts:
            shown[name] = shown.get(name, 0) + 1
            print(transcript(result), end="\n\n")
    print(format_table(results))
    print(summary(results))
    print(f"Durée : {time.monotonic() - start:.0f} s ; rapport : {args.output}")
    write_json(results, args.seed, args.output)
    return not any(not r.passed and not r.skipped for r in results)


def application(args, servers: LiveServers) -> bool:
    """The pre-application suite: each dialogue ends with a reference, the store holds every value and its source."""
    call = load_call()
    dialogues = app_profiles.generate(call, seed=args.app_seed, scale=args.scale)
    start = time.monotonic()
    results = run_applications(dialogues, servers.send, call, Path(servers.env["MAIL_OUTBOX_DIR"]),
                               threads=args.threads, progress=_progress(len(dialogues)))
    _store, notes = check_store(results, servers.env["DATABASE_URL"])
    shown: dict = {}
    for result in results:
        name = result.dialogue.phrasing_class
        if not result.passed and not result.skipped and shown.get(name, 0) < args.transcripts:
            shown[name] = shown.get(name, 0) + 1
            print(app_report.transcript(result), end="\n\n")
    print(app_report.format_table(results, "profile"))
    print()
    print(app_report.format_table(results, "phrasing_class"))
    print(app_report.summary(results, notes))
    print(f"Durée : {time.monotonic() - start:.0f} s ; rapport : {args.app_output}")
    app_report.write_json(results, args.app_seed, args.app_output, notes)
    return not any(not r.passed for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=("eligibility", "application", "all"), default="all")
    parser.add_argument("--webhook", help="REST webhook of a running Rasa, eligibility suite only")
    parser.add_argument("--threads", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--app-seed", type=int, default=app_profiles.SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the number of dialogues per class")
    parser.add_argument("--output", type=Path, default=ROOT / "results" / "conversations.json")
    parser.add_argument("--app-output", type=Path, default=ROOT / "results" / "applications.json")
    parser.add_argument("--transcripts", type=int, default=3, help="failing transcripts printed per class")
    args = parser.parse_args()

    servers = None
    if args.suite != "eligibility" or not args.webhook:
        servers = LiveServers()
        print("Démarrage du serveur d'actions et de Rasa…", flush=True)
        servers.start()
    ok = True
    try:
        if args.suite in ("eligibility", "all"):
            ok &= eligibility(args, webhook_sender(args.webhook) if args.webhook else servers.send)
        if args.suite in ("application", "all"):
            ok &= application(args, servers)
    finally:
        if servers:
            servers.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
