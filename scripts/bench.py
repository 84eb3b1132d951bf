"""Benchmark: our assistant next to a bare Rasa project, with the same load generator, in one run.

Usage: make bench   (trains ours and bench/bare/ if needed, starts each setup on free ports in turn)
       .venv/bin/python scripts/bench.py [--quick]

Setups, one after the other on this machine:
- bare: bench/bare/ (the same pipeline and policies, 2 intents, responses only, no action server,
  in-memory tracker store), 1 worker;
- ours, 1 worker: SQLite (or BENCH_DATABASE_URL), no Redis, as `make run` without REDIS_URL;
- ours, Redis: workers = cores, Redis locks (REDIS_URL, else a local Redis on 127.0.0.1:6379/1), skipped
  when no Redis answers.
For each: p50/p95 at 1 user; msgs/s and p95 at 8 users; server CPU per message (CPU time of the server
processes during the 8-user phase / messages); latency at turns 10/100/200 of one conversation (median of
turns 1-10, 91-100, 191-200); ratios to bare. Writes results/bench.json and results/bench-turns.png.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_measure import cpu_seconds, percentile, redis_answers, window_median  # noqa: E402
from tests.servers import LiveServers, free_port, wait_for  # noqa: E402
from tests.simulation.player import webhook_sender  # noqa: E402

BARE = ROOT / "bench" / "bare"
BARE_MODEL = BARE / "models" / "bare.tar.gz"
RESULTS = ROOT / "results"
MESSAGES = [
    "combien on peut demander ?", "qui peut candidater ?", "c'est quoi l'ancrage territorial ?",
    "quelles sont les dates ?", "le projet doit être où ?", "une SARL sans agrément ESUS peut candidater ?",
    "bonjour", "merci", "quels sont les critères de sélection ?", "la subvention couvre tout le budget ?",
]
Send = Callable[[str, str], tuple[int, Any]]


def train_bare() -> None:
    """Train bench/bare/ once (again only when its files change)."""
    files = sorted(p for p in BARE.rglob("*.yml") if "models" not in p.parts)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()
    stamp = BARE / "models" / ".fingerprint"
    if BARE_MODEL.exists() and stamp.exists() and stamp.read_text() == digest:
        return
    print("Entraînement du projet Rasa nu (bench/bare/)…", flush=True)
    rasa = str(Path(sys.executable).with_name("rasa"))
    subprocess.run([rasa, "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
                    "--out", "models", "--fixed-model-name", "bare", "--force"], cwd=BARE, check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    stamp.write_text(digest)


class BareRasa:
    """The bare project served on a free port of 127.0.0.1 (REST channel, in-memory tracker store)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"

    def start(self) -> None:
        RESULTS.mkdir(exist_ok=True)
        rasa = str(Path(sys.executable).with_name("rasa"))
        log = open(RESULTS / "bench-bare-rasa.log", "w")
        self.process = subprocess.Popen(
            [rasa, "run", "--interface", "127.0.0.1", "--port", str(self.port), "--model", str(BARE_MODEL),
             "--credentials", "credentials.yml"], cwd=BARE, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SANIC_WORKERS": "1"}, start_new_session=True)
        wait_for([f"http://127.0.0.1:{self.port}/"], [self.process], 240.0)

    @property
    def pids(self) -> list[int]:
        return [self.process.pid] if self.process else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=30)


def timed(send: Send, sender: str, text: str) -> tuple[float, bool]:
    start = time.perf_counter()
    status, body = send(sender, text)
    return (time.perf_counter() - start) * 1000, status == 200 and isinstance(body, list) and len(body) > 0


def session(send: Send, count: int, offset: int = 0) -> list[tuple[float, bool]]:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    return [timed(send, sender, MESSAGES[(offset + i) % len(MESSAGES)]) for i in range(count)]


def measure(send: Send, pids: list[int], quick: bool) -> dict[str, Any]:
    """The same load on any setup: 1 user, then 8 users, then one long conversation."""
    one_user, per_user, turns = (40, 15, 60) if quick else (100, 40, 200)
    session(send, 10)  # warm-up
    single = session(send, one_user)
    before = cpu_seconds(pids)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        sessions = list(pool.map(lambda n: session(send, per_user, n), range(8)))
    wall = time.perf_counter() - start
    cpu = cpu_seconds(pids) - before
    many = [r for s in sessions for r in s]
    long = [t for t, _ in session(send, turns)]
    ms = [t for t, _ in single]
    return {
        "p50_1_user_ms": statistics.median(ms), "p95_1_user_ms": percentile(ms, 95),
        "msgs_per_s_8_users": len(many) / wall, "p95_8_users_ms": percentile([t for t, _ in many], 95),
        "cpu_ms_per_message": 1000 * cpu / len(many),
        "turn_ms": {str(n): window_median(long, n) for n in (10, turns // 2, turns)},
        "latency_by_turn_ms": long,
        "errors": sum(not ok for _, ok in single + many), "messages": len(single) + len(many) + len(long),
    }


def run_ours(env: dict[str, str], quick: bool) -> dict[str, Any]:
    servers = LiveServers(env=env)
    servers.start()
    try:
        return measure(servers.send, [p.pid for p in servers.processes], quick)
    finally:
        servers.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages (a check of the command, not a measure)")
    args = parser.parse_args()
    train_bare()
    cores = os.cpu_count() or 1
    database = os.environ.get("BENCH_DATABASE_URL")
    redis = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
    setups: dict[str, dict[str, Any]] = {}

    print("Rasa nu (bench/bare/, 1 worker)…", flush=True)
    bare = BareRasa()
    bare.start()
    try:
        setups["bare"] = measure(webhook_sender(bare.webhook), bare.pids, args.quick)
    finally:
        bare.stop()
    base = {"REDIS_URL": "", **({"DATABASE_URL": database} if database else {})}
    print("Notre assistant, 1 worker, sans Redis…", flush=True)
    setups["ours_1_worker"] = run_ours({**base, "SANIC_WORKERS": "1"}, args.quick)
    if redis_answers(redis):
        print(f"Notre assistant, {cores} workers, verrous Redis…", flush=True)
        setups["ours_redis"] = run_ours({**base, "REDIS_URL": redis, "SANIC_WORKERS": str(cores)}, args.quick)
    else:
        print(f"Redis ne répond pas ({redis}) : mesure à plusieurs workers ignorée.")
    report = summarise(setups, cores, database or "sqlite")
    print_table(report)
    write(report)
    return 0


def summarise(setups: dict[str, dict[str, Any]], cores: int, database: str) -> dict[str, Any]:
    bare, one = setups["bare"], setups["ours_1_worker"]
    ratios = {
        "throughput_vs_bare": one["msgs_per_s_8_users"] / bare["msgs_per_s_8_users"],
        "p95_1_user_vs_bare": one["p95_1_user_ms"] / bare["p95_1_user_ms"],
        "turn_last_vs_turn_10": one["turn_ms"][max(one["turn_ms"], key=int)] / one["turn_ms"]["10"],
    }
    targets = {"throughput_vs_bare >= 0.75": ratios["throughput_vs_bare"] >= 0.75,
               "p95_1_user_vs_bare <= 1.5": ratios["p95_1_user_vs_bare"] <= 1.5,
               "turn_last_vs_turn_10 <= 1.3": ratios["turn_last_vs_turn_10"] <= 1.3}
    if "ours_redis" in setups:
        ratios["redis_workers_vs_1_worker"] = setups["ours_redis"]["msgs_per_s_8_users"] / one["msgs_per_s_8_users"]
        targets["redis_workers_vs_1_worker >= 1.8"] = ratios["redis_workers_vs_1_worker"] >= 1.8
    return {"date": time.strftime("%Y-%m-%d %H:%M"), "cores": cores, "database": database.split(":")[0],
            "setups": setups, "ratios": ratios, "targets": targets}


def print_table(report: dict[str, Any]) -> None:
    names = {"bare": "Rasa nu", "ours_1_worker": "nous, 1 worker", "ours_redis": f"nous, Redis, {report['cores']} w."}
    rows = [("p50 1 utilisateur (ms)", "p50_1_user_ms"), ("p95 1 utilisateur (ms)", "p95_1_user_ms"),
            ("messages/s à 8", "msgs_per_s_8_users"), ("p95 à 8 (ms)", "p95_8_users_ms"),
            ("CPU par message (ms)", "cpu_ms_per_message")]
    setups = report["setups"]
    print("\n| mesure | " + " | ".join(names[k] for k in setups) + " |")
    print("|---|" + "---|" * len(setups))
    for label, key in rows:
        print(f"| {label} | " + " | ".join(f"{s[key]:.1f}" for s in setups.values()) + " |")
    for turn in next(iter(setups.values()))["turn_ms"]:
        print(f"| tour {turn} (ms) | " + " | ".join(f"{s['turn_ms'][turn]:.1f}" for s in setups.values()) + " |")
    print("| erreurs | " + " | ".join(f"{s['errors']}/{s['messages']}" for s in setups.values()) + " |")
    print("\nRapports : " + ", ".join(f"{k} = {v:.2f}" for k, v in report["ratios"].items()))
    print("Objectifs : " + ", ".join(f"{k} {'atteint' if ok else 'NON atteint'}" for k, ok in report["targets"].items()))


def write(report: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4.5))
    for name, setup in report["setups"].items():
        values = setup["latency_by_turn_ms"]
        smooth = [statistics.median(values[max(0, i - 4):i + 5]) for i in range(len(values))]
        axes.plot(range(1, len(values) + 1), smooth, label=name)
    axes.set_xlabel("tour de la conversation")
    axes.set_ylabel("latence (ms, médiane glissante sur 9 tours)")
    axes.set_title("Latence selon la longueur de la conversation")
    axes.legend()
    figure.tight_layout()
    figure.savefig(RESULTS / "bench-turns.png", dpi=100)
    print(f"Écrit : {RESULTS / 'bench.json'}, {RESULTS / 'bench-turns.png'}")


if __name__ == "__main__":
    sys.exit(main())
