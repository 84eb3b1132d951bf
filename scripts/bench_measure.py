"""Measurement helpers of `make bench` (scripts/bench.py): percentiles, windows of turns, CPU time of servers."""
from __future__ import annotations

import math
import multiprocessing
import os
import socket
import statistics
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (95 -> the value 95 % of the values are at or below)."""
    ordered = sorted(values)
    rank = math.ceil(pct / 100 * len(ordered))
    return ordered[max(0, min(len(ordered), rank) - 1)]


def window_median(latencies: Sequence[float], turn: int, width: int = 10) -> float:
    """The median latency of the ``width`` turns that end at ``turn`` (1-based): turn 100 -> turns 91 to 100."""
    if not 1 <= turn <= len(latencies):
        raise ValueError(f"turn {turn} outside 1..{len(latencies)}")
    return statistics.median(latencies[max(0, turn - width):turn])


def paired(results: dict[str, dict[str, Any]], top: str, bottom: str) -> float:
    """The median, over the rounds (``results[name]["rounds"]``, each with ``msgs_per_s``), of the throughput
    ratio of two setups measured in the same round.
    """
    return statistics.median(a["msgs_per_s"] / b["msgs_per_s"]
                             for a, b in zip(results[top]["rounds"], results[bottom]["rounds"], strict=True))


def _process_groups(groups: Iterable[int], proc: Path) -> list[Path]:
    wanted, found = set(groups), []
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            if int(fields[2]) in wanted:  # field 5 of stat: the process group
                found.append(entry)
    return found


def cpu_seconds(groups: Iterable[int], proc: Path = Path("/proc")) -> float:
    """CPU time (user + system, with waited-for children) of every process in these process groups.

    The servers of the benchmark are started in their own session, so their group id is their pid and the
    group holds their workers.
    """
    total = 0
    for entry in _process_groups(groups, proc):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / CLOCK_TICKS


def redis_answers(url: str) -> bool:
    parsed = urlsplit(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _spin(loops: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(loops):
        total += i * i % 7
    return time.perf_counter() - start


def machine_scaling(processes: int, loops: int = 10_000_000, rounds: int = 3) -> float:
    """How much more work ``processes`` processes do than one on this machine, now: the same CPU-only loop run
    alone then in ``processes`` processes at once (median of ``rounds``). 2.0 on 2 free cores; less when the
    cores are shared (a virtual machine's neighbours, hyper-threads). The ceiling of any multi-worker ratio.
    """
    ratios = []
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pool.map(_spin, [1000] * processes)  # started before timing
        for _ in range(rounds):
            alone = pool.apply(_spin, (loops,))
            together = max(pool.map(_spin, [loops] * processes, chunksize=1))
            ratios.append(processes * alone / together)
    return statistics.median(ratios)
