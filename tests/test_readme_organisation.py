"""The README's "Organisation" section matches the tree: what it names exists, and what bot/ holds is named."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Packages whose every module the README names; bot/web/ is described as a whole.
DETAILED = ("application", "call", "cli", "db", "eligibility", "faq", "forms", "mail", "nlp", "rasa")


def organisation_block(readme: str) -> str:
    section = readme.split("\n## Organisation\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def bot_entries(block: str) -> dict[str, str]:
    """Each ``bot/`` child the block lists (``call/``, ``settings.py``…) -> the text of its entry (until the next)."""
    entries: dict[str, str] = {}
    current = None
    inside = False
    for line in block.splitlines():
        top = re.match(r"^(\S+)", line)
        if top:
            inside = top.group(1) == "bot/"
            current = None
            continue
        child = re.match(r"^  (\S+)", line)
        if inside and child:
            current = child.group(1)
            entries[current] = line
        elif inside and current and line.startswith("    "):
            entries[current] += "\n" + line
    return entries


def test_the_block_is_read_as_expected():
    block = "```\nbot/   le paquet\n  call/   call.yml, facts.py\n          format.py\n  settings.py  x\ntests/  y\n```"
    assert bot_entries(block.split("```")[1]) == {
        "call/": "  call/   call.yml, facts.py\n          format.py", "settings.py": "  settings.py  x"}


def test_every_child_of_bot_is_named_and_every_name_exists():
    entries = bot_entries(organisation_block((ROOT / "README.md").read_text(encoding="utf-8")))
    children = {p.name + "/" if p.is_dir() else p.name for p in (ROOT / "bot").iterdir()
                if p.name != "__pycache__" and (p.is_dir() or p.suffix == ".py") and p.name != "__init__.py"}
    assert set(entries) == children


def test_every_module_of_the_architecture_packages_is_named_in_its_entry():
    entries = bot_entries(organisation_block((ROOT / "README.md").read_text(encoding="utf-8")))
    for package in DETAILED:
        files = {p.name for p in (ROOT / "bot" / package).iterdir()
                 if p.suffix in (".py", ".yml") and p.name != "__init__.py"}
        named = set(re.findall(r"[a-z_]+\.(?:py|yml)", entries[package + "/"]))
        assert named == files, package
