"""Print the NLU evaluation summary and fail under the quality bar.

Usage: python scripts/nlu_summary.py results/nlu
Reads the reports written by `rasa test nlu` on tests/nlu_holdout.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

MIN_INTENT_MACRO_F1 = 0.93
MIN_HOLDOUT_SHARE = 0.15
ROOT = Path(__file__).resolve().parent.parent


def count_examples(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in item:
                total += sum(1 for line in item["examples"].splitlines() if line.strip().startswith("- "))
    return total


def main(results: Path) -> int:
    intents = json.loads((results / "intent_report.json").read_text(encoding="utf-8"))
    print(f"{'intention':32} {'précision':>9} {'rappel':>7} {'F1':>6} {'n':>4}")
    for name, row in sorted(intents.items()):
        if isinstance(row, dict) and "support" in row and name not in ("macro avg", "weighted avg", "micro avg"):
            print(f"{name:32} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1-score']:6.3f} {row['support']:4d}")
    macro = intents["macro avg"]
    print(f"{'MOYENNE MACRO (intentions)':32} {macro['precision']:9.3f} {macro['recall']:7.3f} {macro['f1-score']:6.3f}")

    entity_reports = sorted(results.glob("*Classifier_report.json")) + sorted(results.glob("*Extractor_report.json"))
    for report in entity_reports:
        data = json.loads(report.read_text(encoding="utf-8"))
        print(f"\nEntités ({report.stem.replace('_report', '')}) :")
        for name, row in sorted(data.items()):
            if isinstance(row, dict) and "support" in row and not name.endswith("avg"):
                print(f"  {name:28} P={row['precision']:.3f} R={row['recall']:.3f} F1={row['f1-score']:.3f} n={row['support']}")
        for avg in ("micro avg", "macro avg"):
            if avg in data:
                print(f"  F1 entités ({avg}) : {data[avg]['f1-score']:.3f}")

    held = count_examples(ROOT / "tests" / "nlu_holdout")
    train = count_examples(ROOT / "data" / "nlu")
    share = held / (held + train) if held + train else 0.0
    print(f"\nExemples : {train} pour l'entraînement, {held} réservés à l'évaluation ({share:.1%}).")

    ok = True
    if macro["f1-score"] < MIN_INTENT_MACRO_F1:
        print(f"ÉCHEC : F1 macro des intentions {macro['f1-score']:.3f} < {MIN_INTENT_MACRO_F1}")
        ok = False
    if share < MIN_HOLDOUT_SHARE:
        print(f"ÉCHEC : l'échantillon réservé fait {share:.1%} des exemples (minimum {MIN_HOLDOUT_SHARE:.0%}).")
        ok = False
    if ok:
        print("Évaluation NLU : objectifs atteints.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "results/nlu")))
