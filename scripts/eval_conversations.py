"""Simulated applicants: play the seeded dialogues over REST, print a table per phrasing class.

Usage: make eval-conversations   (trains if needed, starts the servers on free ports)
       .venv/bin/python scripts/eval_conversations.py [--webhook URL] [--threads 3] [--seed N] [--scale 1.0]
Writes results/conversations.json; exits 1 if any dialogue fails. See tests/simulation/.
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.call import load_call  # noqa: E402
from tests.servers import LiveServers  # noqa: E402
from tests.simulation.classes import generate  # noqa: E402
from tests.simulation.player import Result, run_all, webhook_sender  # noqa: E402
from tests.simulation.profiles import SEED  # noqa: E402
from tests.simulation.report import format_table, summary, transcript, write_json  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhook", help="REST webhook of a running Rasa (otherwise the servers are started)")
    parser.add_argument("--threads", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the number of dialogues per class")
    parser.add_argument("--output", type=Path, default=ROOT / "results" / "conversations.json")
    parser.add_argument("--transcripts", type=int, default=3, help="failing transcripts printed per class")
    args = parser.parse_args()

    call = load_call()
    dialogues = generate(call, seed=args.seed, scale=args.scale)
    servers = None
    if args.webhook:
        send = webhook_sender(args.webhook)
    else:
        servers = LiveServers()
        print("Démarrage du serveur d'actions et de Rasa…", flush=True)
        servers.start()
        send = servers.send
    done, lock, start = [0], threading.Lock(), time.monotonic()

    def progress(result: Result) -> None:
        with lock:
            done[0] += 1
            if done[0] % 25 == 0 or done[0] == len(dialogues):
                print(f"  {done[0]}/{len(dialogues)} dialogues ({time.monotonic() - start:.0f} s)", flush=True)

    try:
        results = run_all(dialogues, send, call, threads=args.threads, progress=progress)
    finally:
        if servers:
            servers.stop()
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
    return 1 if any(not r.passed and not r.skipped for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
