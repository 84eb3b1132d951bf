"""The measurement helpers of `make bench` (scripts/bench_measure.py). The measures themselves are not tests."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from scripts.bench_measure import CLOCK_TICKS, cpu_seconds, machine_scaling, paired, percentile, window_median


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95 and percentile(values, 100) == 100
    assert percentile([7.0], 95) == 7.0
    assert percentile([3, 1, 2], 50) == 2


def test_window_median_takes_the_turns_that_end_at_the_turn():
    latencies = [float(n) for n in range(1, 201)]
    assert window_median(latencies, 10) == 5.5
    assert window_median(latencies, 100) == 95.5
    assert window_median(latencies, 200) == 195.5
    with pytest.raises(ValueError):
        window_median(latencies, 201)


def fake_process(proc, pid, group, ticks):
    (proc / str(pid)).mkdir()
    fields = ["S", "1", str(group), str(group)] + ["0"] * 7 + [str(t) for t in ticks] + ["0"] * 30
    (proc / str(pid) / "stat").write_text(f"{pid} (rasa (worker)) " + " ".join(fields))


def test_cpu_seconds_adds_the_processes_of_the_groups_only(tmp_path):
    fake_process(tmp_path, 100, 100, (50, 20, 5, 5))  # the server
    fake_process(tmp_path, 101, 100, (30, 10, 0, 0))  # its worker
    fake_process(tmp_path, 200, 200, (999, 999, 0, 0))  # another program
    (tmp_path / "self").mkdir()
    assert cpu_seconds([100], tmp_path) == pytest.approx(120 / CLOCK_TICKS)
    assert cpu_seconds([100, 200], tmp_path) == pytest.approx(2118 / CLOCK_TICKS)
    assert cpu_seconds([300], tmp_path) == 0


def test_cpu_seconds_of_a_real_busy_process_grows():
    busy = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 3\nwhile time.time() < end: pass"],
                            start_new_session=True)
    try:
        time.sleep(0.3)
        first = cpu_seconds([busy.pid])
        time.sleep(1.0)
        assert cpu_seconds([busy.pid]) - first >= 0.3
        assert cpu_seconds([os.getpid() + 10_000_000]) == 0
    finally:
        busy.kill()
        busy.wait()


def test_paired_ratio_compares_setups_within_each_round():
    # The machine slowed down in the last two rounds: each round, "two" did 1.8 times "one".
    rounds = {"one": [10, 10, 5, 5], "two": [18, 18, 9, 9]}
    results = {name: {"rounds": [{"msgs_per_s": v} for v in values]} for name, values in rounds.items()}
    assert paired(results, "two", "one") == pytest.approx(1.8)
    results["one"]["rounds"] = results["one"]["rounds"][:3]
    with pytest.raises(ValueError):  # not the same rounds
        paired(results, "two", "one")


def test_machine_scaling_of_one_process_is_about_one():
    assert 0.5 < machine_scaling(1, loops=1_000_000, rounds=3) < 1.6
    two = machine_scaling(2, loops=300_000, rounds=1)
    assert 0.5 < two < 2.6  # 2 processes on 2 free cores do about twice the work


def test_early_and_late_turns_are_measured_in_alternation():
    from scripts.bench import MESSAGES, alternated

    calls = []

    def send(sender, text):
        calls.append((sender, text))
        return (200, [{"text": "ok"}]) if sender == "long" else (500, [])

    early, late = alternated(send, "long", done=200, rounds=2)
    assert [s == "long" for s, _ in calls] == [False, True] * 20  # one message of each in turn
    assert len({s for s, _ in calls if s != "long"}) == 2  # a new conversation each round, turns 1 to 10
    assert [t for s, t in calls if s == "long"] == [MESSAGES[(200 + i) % len(MESSAGES)] for i in range(20)]
    assert [ok for _, ok in late] == [True] * 20 and [ok for _, ok in early] == [False] * 20
