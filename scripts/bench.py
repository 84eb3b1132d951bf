"""Benchmark: REST round-trip latency (1 user) and throughput (8 concurrent users).

Usage: make bench   (trains if needed, starts the servers on free ports, prints a table)
Targets: p95 <= 150 ms for one user; >= 25 messages/s with 8 users; no errors.
"""
from __future__ import annotations

import os
import socket
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import LiveServers  # noqa: E402

MESSAGES = [
    "combien on peut demander ?",
    "qui peut candidater ?",
    "c'est quoi l'ancrage territorial ?",
    "quelles sont les dates ?",
    "le projet doit être où ?",
    "une SARL sans agrément ESUS peut candidater ?",
    "bonjour",
    "merci",
    "quels sont les critères de sélection ?",
    "la subvention couvre tout le budget ?",
]
LATENCY_MESSAGES = 100
USERS = 8
MESSAGES_PER_USER = 40


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed_send(servers, sender, text):
    start = time.perf_counter()
    status, body = servers.send(sender, text)
    ok = status == 200 and isinstance(body, list) and len(body) > 0
    return time.perf_counter() - start, ok


def user_session(servers, count):
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    return [timed_send(servers, sender, MESSAGES[i % len(MESSAGES)]) for i in range(count)]


def redis_answers(url: str) -> bool:
    parsed = urlsplit(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def server_settings() -> dict:
    """As `make run` deploys it: with Redis (REDIS_URL, or a local one), Rasa runs 2 workers."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
    if redis_answers(url):
        return {"REDIS_URL": url, "SANIC_WORKERS": os.environ.get("SANIC_WORKERS", "2")}
    return {"REDIS_URL": "", "SANIC_WORKERS": "1"}


def main() -> int:
    settings = server_settings()
    servers = LiveServers(env=settings)
    print(f"Démarrage des serveurs (Rasa : {settings['SANIC_WORKERS']} worker(s), "
          f"verrous : {'Redis' if settings['REDIS_URL'] else 'mémoire'})…", flush=True)
    servers.start()
    try:
        user_session(servers, 10)  # warm-up
        results = user_session(servers, LATENCY_MESSAGES)
        latencies = [t * 1000 for t, _ in results]
        latency_errors = sum(1 for _, ok in results if not ok)

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=USERS) as pool:
            sessions = list(pool.map(lambda _: user_session(servers, MESSAGES_PER_USER), range(USERS)))
        wall = time.perf_counter() - start
        concurrent = [r for session in sessions for r in session]
        throughput = len(concurrent) / wall
        concurrent_errors = sum(1 for _, ok in concurrent if not ok)
        concurrent_p95 = percentile([t * 1000 for t, _ in concurrent], 95)
    finally:
        servers.stop()

    p50, p95 = statistics.median(latencies), percentile(latencies, 95)
    rows = [
        ("Latence p50, 1 utilisateur", f"{p50:.0f} ms", ""),
        ("Latence p95, 1 utilisateur", f"{p95:.0f} ms", "<= 150 ms"),
        (f"Débit, {USERS} utilisateurs", f"{throughput:.1f} messages/s", ">= 25 messages/s"),
        (f"Latence p95, {USERS} utilisateurs", f"{concurrent_p95:.0f} ms", ""),
        ("Erreurs", f"{latency_errors + concurrent_errors} / {len(results) + len(concurrent)}", "0"),
    ]
    print(f"\n| {'mesure':34} | {'résultat':18} | {'objectif':17} |")
    print(f"|{'-' * 36}|{'-' * 20}|{'-' * 19}|")
    for name, value, target in rows:
        print(f"| {name:34} | {value:18} | {target:17} |")
    met = p95 <= 150 and throughput >= 25 and latency_errors + concurrent_errors == 0
    print("\nObjectifs atteints." if met else "\nObjectifs NON atteints.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
