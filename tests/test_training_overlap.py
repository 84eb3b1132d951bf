"""No test text in the training data: the end-to-end conversations (tests/e2e/*.yml, typed messages)
and the NLU holdout (tests/nlu_holdout/*.yml) must be unseen by the model, or they measure memory.

Texts are compared after lowercasing, removing accents, entity annotations and punctuation, and
collapsing spaces; texts that differ only by spaces ("l'aide" / "l aide") count as the same. Clicks on buttons (``click:``) are not typed by the applicant and are not checked.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "data" / "nlu"
HOLDOUT = ROOT / "tests" / "nlu_holdout"
E2E = ROOT / "tests" / "e2e"

_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def normalise(text: str) -> str:
    """'Bonjour, c’est  quoi le [montant](field) MAX ?' -> 'bonjour cest quoi le montant max'."""
    text = _ANNOTATION.sub(r"\1", str(text))
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]|_", "", text)
    return " ".join(text.split())


def nlu_examples(directory: Path) -> list[tuple[str, str]]:
    """(file, example) for every example of the NLU files of a directory."""
    found = []
    for path in sorted(directory.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            examples = item.get("examples") or []
            if isinstance(examples, str):
                examples = [line.strip()[2:] for line in examples.splitlines() if line.strip().startswith("- ")]
            found += [(path.name, e["text"] if isinstance(e, dict) else e) for e in examples]
    return found


def e2e_messages(directory: Path) -> list[tuple[str, str]]:
    """(file and conversation, message) for every message typed in the end-to-end conversations."""
    found = []
    for path in sorted(directory.glob("*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found += [(f"{path.name}: {conversation.get('name')}", str(step["user"]))
                      for step in conversation.get("steps") or [] if "user" in step]
    return found


def _key(text: str) -> str:
    return normalise(text).replace(" ", "")


def overlaps(candidates: Iterable[tuple[str, str]], training: Iterable[tuple[str, str]]) -> list[str]:
    """Every candidate equal to a training example once normalised (empty texts aside)."""
    seen: dict[str, tuple[str, str]] = {_key(text): (where, text) for where, text in training}
    return [f"{where}: {text!r} = {seen[_key(text)][0]}: {seen[_key(text)][1]!r}"
            for where, text in candidates if _key(text) and _key(text) in seen]


def test_end_to_end_messages_are_not_training_examples():
    messages = e2e_messages(E2E)
    assert messages, "no conversation found in tests/e2e"
    assert overlaps(messages, nlu_examples(TRAINING)) == []


def test_holdout_examples_are_not_training_examples():
    holdout = nlu_examples(HOLDOUT)
    assert holdout, "no example found in tests/nlu_holdout"
    assert overlaps(holdout, nlu_examples(TRAINING)) == []


def test_normalising_ignores_case_accents_punctuation_spaces_and_annotations():
    assert normalise("  Bonjour, c’est  QUOI le [montant](field) max ?! ") == "bonjour cest quoi le montant max"
    assert normalise('on est à [Créteil]{"entity": "commune"} 94000') == "on est a creteil 94000"
    assert normalise("12 000 €") == "12 000"


def test_a_planted_duplicate_is_found(tmp_path):
    (tmp_path / "nlu").mkdir()
    (tmp_path / "e2e").mkdir()
    (tmp_path / "nlu" / "faq.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_amount\n  examples: |\n'
        "    - c'est quoi le montant [max](field) de l'aide ?\n    - combien on peut demander\n",
        encoding="utf-8")
    (tmp_path / "e2e" / "faq.yml").write_text(
        '- name: planted\n  steps:\n    - user: "C’EST QUOI  le montant max de l aide"\n'
        '    - user: "combien on peut demander au maximum"\n    - click: "combien on peut demander"\n',
        encoding="utf-8")
    found = overlaps(e2e_messages(tmp_path / "e2e"), nlu_examples(tmp_path / "nlu"))
    assert len(found) == 1 and "planted" in found[0] and "faq.yml" in found[0]
