"""Benchmark: our assistant next to a bare Rasa project, with the same load generator, in one run.

Usage: make bench   (trains ours and bench/bare/ if needed, starts each setup on free ports in turn)
       .venv/bin/python scripts/bench.py [--quick]

Setups, all started at once on free ports of this machine:
- bare: bench/bare/ (the same pipeline and policies, 2 intents, responses only, no action server,
  in-memory tracker store), 1 worker; and, with Redis, workers = cores and Rasa's Redis lock store;
- ours, 1 worker: SQLite (or BENCH_DATABASE_URL), no Redis, as `make run` without REDIS_URL;
- ours, Redis: workers = cores, our Redis locks (REDIS_URL, else a local Redis on 127.0.0.1:6379/1).
The Redis setups are skipped when no Redis answers. Each setup alone, the others idle: p50/p95 at 1 user,
latency at turns 10/100/200 of one conversation (median of turns 1-10, 91-100, 191-200), then that conversation's
turns 201-230 alternated, message by message, with turns 1-10 of three new ones: their ratio is the turn target
(measured a message apart, the machine's drift does not enter it). Then rounds of
8 users, each setup in turn within a round, the order rotated: msgs/s (median of the rounds), p95, server
CPU per message (CPU time of the server processes / messages); a ratio of throughputs is the median of the
ratios within each round. The machine's own capacity (a CPU-only loop in `cores` processes against one) is
measured before and after. Writes results/bench.json and results/bench-turns.png.
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
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_measure import cpu_seconds, machine_scaling, paired, percentile, redis_answers, window_median  # noqa: E402
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
    """The bare project served on a free port of 127.0.0.1 (REST channel, in-memory tracker store); with
    ``redis``, Rasa's own Redis lock store and ``workers`` workers.
    """

    def __init__(self, workers: int = 1, redis: str = "") -> None:
        self.port = free_port()
        self.workers, self.redis = workers, redis
        self.process: subprocess.Popen | None = None

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"

    def start(self) -> None:
        RESULTS.mkdir(exist_ok=True)
        rasa = str(Path(sys.executable).with_name("rasa"))
        command = [rasa, "run", "--interface", "127.0.0.1", "--port", str(self.port), "--model", str(BARE_MODEL),
                   "--credentials", "credentials.yml"]
        if self.redis:
            parsed = urlsplit(self.redis)
            endpoints = RESULTS / f"bench-bare-endpoints-{self.port}.yml"
            endpoints.write_text(json.dumps({"lock_store": {
                "type": "redis", "url": parsed.hostname or "127.0.0.1", "port": parsed.port or 6379,
                "db": int((parsed.path or "/0").lstrip("/") or 0), "password": parsed.password,
                "key_prefix": f"benchbare{self.port}"}}), encoding="utf-8")  # JSON is YAML
            command += ["--endpoints", str(endpoints)]
        log = open(RESULTS / f"bench-bare-rasa-{self.workers}.log", "w")
        self.process = subprocess.Popen(
            command, cwd=BARE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SANIC_WORKERS": str(self.workers)})

    def wait(self) -> None:
        wait_for([f"http://127.0.0.1:{self.port}/"], [self.process] if self.process else [], 300.0)

    @property
    def send(self) -> Send:
        return webhook_sender(self.webhook)

    @property
    def pids(self) -> list[int]:
        return [self.process.pid] if self.process else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=30)


class Ours(LiveServers):
    """Our assistant (Rasa, action server) as the tests start it; started like :class:`BareRasa`, every setup
    spawned before any is waited for.
    """

    def start(self, timeout: float = 240.0) -> None:
        self.launch()

    def wait(self) -> None:
        self.wait_ready(300.0)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]


def timed(send: Send, sender: str, text: str) -> tuple[float, bool]:
    start = time.perf_counter()
    status, body = send(sender, text)
    return (time.perf_counter() - start) * 1000, status == 200 and isinstance(body, list) and len(body) > 0


def new_sender() -> str:
    return f"bench-{uuid.uuid4().hex[:10]}"


def session(send: Send, count: int, offset: int = 0, sender: str = "") -> list[tuple[float, bool]]:
    sender = sender or new_sender()
    return [timed(send, sender, MESSAGES[(offset + i) % len(MESSAGES)]) for i in range(count)]


Timed = list[tuple[float, bool]]


def alternated(send: Send, long_sender: str, done: int, rounds: int = 3) -> tuple[Timed, Timed]:
    """Turns 1-10 of new conversations and the next turns of one that has had ``done`` turns, one message of
    each in turn: the two latencies are measured a message apart, so the machine's drift does not enter their
    ratio. Returns (early, late): latencies in ms, and whether each message was answered.
    """
    early: Timed = []
    late: Timed = []
    for r in range(rounds):
        sender = new_sender()
        for i in range(10):
            early.append(timed(send, sender, MESSAGES[i % len(MESSAGES)]))
            late.append(timed(send, long_sender, MESSAGES[(done + 10 * r + i) % len(MESSAGES)]))
    return early, late


def alone(send: Send, quick: bool) -> dict[str, Any]:
    """One setup while the others are idle: warm-up, 1 user, then one long conversation."""
    one_user, turns = (40, 60) if quick else (100, 200)
    session(send, 10)  # warm-up
    single = session(send, one_user)
    long_sender = new_sender()
    long = session(send, turns, sender=long_sender)
    early, late = alternated(send, long_sender, turns)
    ms, by_turn = [t for t, _ in single], [t for t, _ in long]
    early_ms, late_ms = statistics.median(t for t, _ in early), statistics.median(t for t, _ in late)
    return {
        "p50_1_user_ms": statistics.median(ms), "p95_1_user_ms": percentile(ms, 95),
        "turn_ms": {str(n): window_median(by_turn, n) for n in (10, turns // 2, turns)},
        "latency_by_turn_ms": by_turn,
        "alternated_turns_1_10_ms": early_ms, "alternated_late_turns_ms": late_ms,
        "late_vs_early_alternated": late_ms / early_ms,
        "errors": sum(not ok for _, ok in single + long + early + late),
        "messages": len(single) + len(long) + len(early) + len(late),
    }


def burst(send: Send, pids: list[int], per_user: int) -> dict[str, Any]:
    """8 users at once, ``per_user`` messages each: msgs/s, latencies, server CPU per message."""
    before = cpu_seconds(pids)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        sessions = list(pool.map(lambda n: session(send, per_user, n), range(8)))
    wall = time.perf_counter() - start
    many = [r for s in sessions for r in s]
    return {"msgs_per_s": len(many) / wall, "latencies": [t for t, _ in many],
            "cpu_ms_per_message": 1000 * (cpu_seconds(pids) - before) / len(many),
            "errors": sum(not ok for _, ok in many), "messages": len(many)}


def measure_all(servers: dict[str, Any], quick: bool) -> dict[str, dict[str, Any]]:
    """Every setup is up at once. Each alone in turn (1 user, long conversation), then ``rounds`` rounds of the
    8-user load, one setup after the other, the order rotated each round: a ratio between two setups is taken
    within a round (seconds apart), so the machine's drift between rounds does not enter it.
    """
    rounds, per_user = (2, 8) if quick else (8, 30)
    results = {}
    for name, server in servers.items():
        print(f"  {name} : 1 utilisateur, longue conversation…", flush=True)
        results[name] = alone(server.send, quick)
    names = list(servers)
    for r in range(rounds):
        print(f"  8 utilisateurs, tour {r + 1}/{rounds}…", flush=True)
        for name in names[r % len(names):] + names[:r % len(names)]:
            results[name].setdefault("rounds", []).append(burst(servers[name].send, servers[name].pids, per_user))
    for result in results.values():
        done = result["rounds"]
        result["msgs_per_s_8_users"] = statistics.median(b["msgs_per_s"] for b in done)
        result["p95_8_users_ms"] = percentile([t for b in done for t in b.pop("latencies")], 95)
        result["cpu_ms_per_message"] = statistics.median(b["cpu_ms_per_message"] for b in done)
        result["errors"] += sum(b["errors"] for b in done)
        result["messages"] += sum(b["messages"] for b in done)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages (a check of the command, not a measure)")
    args = parser.parse_args()
    train_bare()
    cores = os.cpu_count() or 1
    database = os.environ.get("BENCH_DATABASE_URL")
    redis = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
    with_redis = redis_answers(redis)
    if not with_redis:
        print(f"Redis ne répond pas ({redis}) : mesures à plusieurs workers ignorées.")
    base = {"REDIS_URL": "", **({"DATABASE_URL": database} if database else {})}
    servers: dict[str, Any] = {"bare": BareRasa(), "ours_1_worker": Ours({**base, "SANIC_WORKERS": "1"})}
    if with_redis:
        servers["bare_redis"] = BareRasa(cores, redis)
        servers["ours_redis"] = Ours({**base, "REDIS_URL": redis, "SANIC_WORKERS": str(cores)})
    print(f"Capacité de la machine : {cores} processus / 1…", flush=True)
    scaling = [machine_scaling(cores)]
    print("Démarrage de Rasa nu et du nôtre (1 worker" + (f", puis {cores} workers et Redis)…" if with_redis
                                                          else ")…"), flush=True)
    try:
        for server in servers.values():
            server.start()
        for server in servers.values():
            server.wait()
        setups = measure_all(servers, args.quick)
    finally:
        for server in servers.values():
            server.stop()
    scaling.append(machine_scaling(cores))
    report = summarise(setups, cores, database or "sqlite", scaling)
    print_table(report)
    write(report)
    return 0


def summarise(setups: dict[str, dict[str, Any]], cores: int, database: str, scaling: list[float]) -> dict[str, Any]:
    one = setups["ours_1_worker"]
    ratios = {
        "throughput_vs_bare": paired(setups, "ours_1_worker", "bare"),
        "p95_1_user_vs_bare": one["p95_1_user_ms"] / setups["bare"]["p95_1_user_ms"],
        "turn_last_vs_turn_10": one["late_vs_early_alternated"],
        "turn_last_vs_turn_10_same_conversation": one["turn_ms"][max(one["turn_ms"], key=int)] / one["turn_ms"]["10"],
    }
    targets = {"throughput_vs_bare >= 0.75": ratios["throughput_vs_bare"] >= 0.75,
               "p95_1_user_vs_bare <= 1.5": ratios["p95_1_user_vs_bare"] <= 1.5,
               "turn_last_vs_turn_10 <= 1.3": ratios["turn_last_vs_turn_10"] <= 1.3}
    if "ours_redis" in setups:
        ratios["redis_workers_vs_1_worker"] = paired(setups, "ours_redis", "ours_1_worker")
        ratios["bare_redis_workers_vs_1_worker"] = paired(setups, "bare_redis", "bare")
        targets["redis_workers_vs_1_worker >= 1.8"] = ratios["redis_workers_vs_1_worker"] >= 1.8
    return {"date": time.strftime("%Y-%m-%d %H:%M"), "cores": cores, "database": database.split(":")[0],
            "machine_scaling_before_after": scaling, "setups": setups, "ratios": ratios, "targets": targets}


def print_table(report: dict[str, Any]) -> None:
    cores = report["cores"]
    names = {"bare": "Rasa nu", "ours_1_worker": "nous, 1 worker", "bare_redis": f"Rasa nu, Redis, {cores} w.",
             "ours_redis": f"nous, Redis, {cores} w."}
    rows = [("p50 1 utilisateur (ms)", "p50_1_user_ms"), ("p95 1 utilisateur (ms)", "p95_1_user_ms"),
            ("messages/s à 8 (médiane des tours)", "msgs_per_s_8_users"), ("p95 à 8 (ms)", "p95_8_users_ms"),
            ("CPU par message (ms)", "cpu_ms_per_message")]
    setups = report["setups"]
    print("\n| mesure | " + " | ".join(names[k] for k in setups) + " |")
    print("|---|" + "---|" * len(setups))
    for label, key in rows:
        print(f"| {label} | " + " | ".join(f"{s[key]:.1f}" for s in setups.values()) + " |")
    for label, key in (("tours 1-10, en alternance (ms)", "alternated_turns_1_10_ms"),
                       ("tours suivants de la longue, en alternance (ms)", "alternated_late_turns_ms")):
        print(f"| {label} | " + " | ".join(f"{s[key]:.1f}" for s in setups.values()) + " |")
    for turn in next(iter(setups.values()))["turn_ms"]:
        print(f"| tour {turn} (ms) | " + " | ".join(f"{s['turn_ms'][turn]:.1f}" for s in setups.values()) + " |")
    print("| erreurs | " + " | ".join(f"{s['errors']}/{s['messages']}" for s in setups.values()) + " |")
    before, after = report["machine_scaling_before_after"]
    print(f"\nMachine : {cores} processus font {before:.2f} fois le travail d'un seul avant les mesures, "
          f"{after:.2f} après.")
    print("Rapports : " + ", ".join(f"{k} = {v:.2f}" for k, v in report["ratios"].items()))
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
