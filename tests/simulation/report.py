"""The report of a simulated-applicant run: a table per phrasing class, transcripts, and the JSON file."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.simulation.classes import engine_gaps
from tests.simulation.player import KINDS, Result, failing_set


def class_rows(results: list[Result]) -> list[dict[str, Any]]:
    """One row per phrasing class (in the order of the suite), then the total."""
    rows: dict[str, dict[str, Any]] = {}
    for result in results:
        name = result.dialogue.phrasing_class
        row = rows.setdefault(name, {"class": name, "dialogues": 0, "passed": 0, "failed": 0, "skipped": 0,
                                     "kinds": Counter()})
        row["dialogues"] += 1
        row["skipped" if result.skipped else "passed" if result.passed else "failed"] += 1
        row["kinds"].update({kind for kind, _ in result.failures})
    total = {"class": "TOTAL", "kinds": Counter()}
    for key in ("dialogues", "passed", "failed", "skipped"):
        total[key] = sum(row[key] for row in rows.values())
    for row in rows.values():
        total["kinds"].update(row["kinds"])
    return [*rows.values(), total]


def table(rows: list[dict[str, Any]], title: str, name: str, kinds: tuple[str, ...], width: int = 22) -> str:
    """A table of rows (dialogues, passed, failed, skipped, kinds); "why" counts the failed dialogues by kind."""
    header = f"{title:<{width}} {'dialogues':>9} {'passed':>7} {'failed':>7} {'skipped':>7}  why (failed dialogues)"
    lines = [header, "-" * len(header)]
    for row in rows:
        why = ", ".join(f"{kind} {row['kinds'][kind]}" for kind in kinds if row["kinds"][kind])
        if row[name] == "TOTAL":
            lines.append("-" * len(header))
        lines.append(f"{row[name]:<{width}} {row['dialogues']:>9} {row['passed']:>7} {row['failed']:>7} "
                     f"{row['skipped']:>7}  {why}")
    return "\n".join(lines)


def format_table(results: list[Result]) -> str:
    """The table per phrasing class."""
    return table(class_rows(results), "class", "class", KINDS)


def summary(results: list[Result]) -> str:
    total = class_rows(results)[-1]
    played = total["dialogues"] - total["skipped"]
    rate = 100 * total["passed"] / played if played else 0.0
    text = (f"{total['dialogues']} dialogues, {played} played: {total['passed']} passed, {total['failed']} failed "
            f"({rate:.1f} % passed); {total['skipped']} skipped (phrasing not read by the rules engine).")
    gaps = engine_gaps([r.dialogue for r in results])
    if gaps:
        text += "\nRules-engine gaps (skipped dialogues):\n" + "\n".join(f"- {gap} ({n})" for gap, n in gaps.items())
    return text


def transcript(result: Result) -> str:
    dialogue = result.dialogue
    lines = [f"=== {dialogue.id} ({dialogue.phrasing_class})"]
    lines += [f"  ✘ {kind}: {detail}" for kind, detail in result.failures]
    if result.expected is not None:
        lines.append(f"  CLI on the applicant's texts: {result.expected.verdict} {sorted(failing_set(result.expected))}")
    for turn in result.turns:
        lines.append(f"  > {turn.user}")
        for text in turn.bot:
            lines.extend(f"  < {line}" for line in text.splitlines())
    return "\n".join(lines)


def as_json(results: list[Result], seed: int) -> dict[str, Any]:
    rows = [{**row, "kinds": dict(row["kinds"])} for row in class_rows(results)]
    return {
        "seed": seed,
        "classes": rows,
        "engine_gaps": engine_gaps([r.dialogue for r in results]),
        "dialogues": [
            {
                "id": r.dialogue.id, "class": r.dialogue.phrasing_class,
                "status": "skipped" if r.skipped else "passed" if r.passed else "failed",
                "failures": [{"kind": kind, "detail": detail} for kind, detail in r.failures],
                "raw": r.dialogue.raw, "opening_fields": list(r.dialogue.opening_fields),
                "correction": vars(r.dialogue.correction) if r.dialogue.correction else None,
                "gaps": r.dialogue.gaps,
                "expected": None if r.expected is None else {
                    "verdict": r.expected.verdict, "failing": sorted(failing_set(r.expected))},
                "got": None if r.got is None else {
                    "verdict": r.got.verdict, "statuses": r.got.statuses, "source": r.got.source},
                "turns": [{"user": t.user, "bot": t.bot, "asked": t.asked} for t in r.turns],
            }
            for r in results
        ],
    }


def write_json(results: list[Result], seed: int, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(as_json(results, seed), ensure_ascii=False, indent=1), encoding="utf-8")
