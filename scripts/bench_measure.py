"""Measurement helpers of `make bench` (scripts/bench.py): percentiles, windows of turns, CPU time of servers."""
from __future__ import annotations

import math
import os
import socket
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
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
