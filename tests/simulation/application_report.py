"""The report of a simulated pre-application run: tables per profile and per phrasing class, transcripts, JSON."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.simulation.application_player import KINDS, AppResult
from tests.simulation.application_profiles import parser_gaps
from tests.simulation.report import table


def rows(results: list[AppResult], by: str) -> list[dict[str, Any]]:
    """One row per profile (``by="profile"``) or per phrasing class (``by="phrasing_class"``), then the total."""
    table: dict[str, dict[str, Any]] = {}
    for result in results:
        name = getattr(result.dialogue, by)
        row = table.setdefault(name, {"name": name, "dialogues": 0, "passed": 0, "failed": 0, "skipped": 0,
                                      "kinds": Counter()})
        row["dialogues"] += 1
        row["skipped" if result.skipped else "passed" if result.passed else "failed"] += 1
        row["kinds"].update({kind for kind, _ in result.failures})
    total: dict[str, Any] = {"name": "TOTAL", "kinds": Counter()}
    for key in ("dialogues", "passed", "failed", "skipped"):
        total[key] = sum(row[key] for row in table.values())
    for row in table.values():
        total["kinds"].update(row["kinds"])
    return [*table.values(), total]


def format_table(results: list[AppResult], by: str = "profile") -> str:
    return table(rows(results, by), "profile" if by == "profile" else "class", "name", KINDS, width=20)


def summary(results: list[AppResult], notes: list[str] = ()) -> str:
    total = rows(results, "profile")[-1]
    played = total["dialogues"] - total["skipped"]
    rate = 100 * total["passed"] / played if played else 0.0
    text = (f"{total['dialogues']} pre-application dialogues, {played} played: {total['passed']} passed, "
            f"{total['failed']} failed ({rate:.1f} % passed); {total['skipped']} skipped (phrasing not read by the "
            f"field's parser).")
    gaps = parser_gaps([r.dialogue for r in results])
    if gaps:
        text += "\nParser gaps (skipped dialogues):\n" + "\n".join(f"- {gap} ({n})" for gap, n in gaps.items())
    return text + "".join(f"\nNote: {note}" for note in notes)


def transcript(result: AppResult) -> str:
    dialogue = result.dialogue
    lines = [f"=== {dialogue.id} (profile {dialogue.profile}, class {dialogue.phrasing_class}) "
             f"reference {result.reference or '—'}"]
    lines += [f"  ✘ {kind}: {detail}" for kind, detail in result.failures]
    for turn in result.turns:
        lines.append(f"  > {turn.user}")
        for text in turn.bot:
            lines.extend(f"  < {line}" for line in text.splitlines())
    return "\n".join(lines)


def as_json(results: list[AppResult], seed: int, notes: list[str] = ()) -> dict[str, Any]:
    return {
        "seed": seed,
        "notes": list(notes),
        "profiles": [{**row, "kinds": dict(row["kinds"])} for row in rows(results, "profile")],
        "classes": [{**row, "kinds": dict(row["kinds"])} for row in rows(results, "phrasing_class")],
        "parser_gaps": parser_gaps([r.dialogue for r in results]),
        "dialogues": [
            {
                "id": r.dialogue.id, "profile": r.dialogue.profile, "class": r.dialogue.phrasing_class,
                "status": "skipped" if r.skipped else "passed" if r.passed else "failed",
                "failures": [{"kind": kind, "detail": detail} for kind, detail in r.failures],
                "gaps": r.dialogue.gaps, "reference": r.reference, "senders": r.senders,
                "expected": r.expected, "sources": r.sources, "said": r.said, "deleted": r.deleted,
                "turns": [{"user": t.user, "bot": t.bot, "asked": t.asked} for t in r.turns],
            }
            for r in results
        ],
    }


def write_json(results: list[AppResult], seed: int, path: Path, notes: list[str] = ()) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(as_json(results, seed, notes), ensure_ascii=False, indent=1), encoding="utf-8")
