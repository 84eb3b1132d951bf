"""The architecture's boundaries, read from the source with ``ast`` (no module is imported):

- only bot/rasa/ (and actions/) import ``rasa`` or ``rasa_sdk``: the rest of bot/ is tested without Rasa;
- bot/ never imports ``actions``: the actions are thin adapters over bot/, not the other way round;
- bot/web/ imports neither the command line (``bot.cli``) nor the Rasa adapters (``bot.rasa``); in bot/cli/, only
  web.py imports bot/web/ (to serve the app);
- the packages of bot/ import one another without a cycle (lazy imports in a function count, imports under
  ``if TYPE_CHECKING:`` do not), so that they stack up in layers;
- actions/ uses only the public names of bot/ (no ``_private`` name imported or read from a bot module);
- no Python module of bot/ or actions/ is over 300 lines.

Each rule is first shown to fail on a synthetic source that breaks it, so that a checker that sees nothing
cannot pass.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 300


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of ``from <level dots><target> import …`` written in ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def walk(tree: ast.AST, skip_type_checking: bool) -> Iterator[ast.AST]:
    """``ast.walk``, leaving out the body of ``if TYPE_CHECKING:`` blocks when asked (never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if skip_type_checking and isinstance(node, ast.If) and is_type_checking(node.test):
            todo.extend(node.orelse)
        else:
            todo.extend(ast.iter_child_nodes(node))


def imported_names(module: str, source: str, is_package: bool = False,
                   skip_type_checking: bool = False) -> Iterator[tuple[str, int]]:
    """Every module (or ``module.name``) that ``source`` imports, with its line, at any depth (lazy imports too)."""
    for node in walk(ast.parse(source), skip_type_checking):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = resolve(module, is_package, node.level, node.module)
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def private_uses_of_bot(module: str, source: str, is_package: bool = False) -> Iterator[tuple[str, int]]:
    """``_names`` of bot/ that ``source`` imports (``from bot.x import _y``) or reads (``x._y`` with ``x`` a bot
    module it imported)."""
    tree = ast.parse(source)
    bot_modules: set[str] = set()  # local names bound to a bot module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = resolve(module, is_package, node.level, node.module)
            if not in_package(base, "bot"):
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield f"{base}.{alias.name}", node.lineno
                else:
                    bot_modules.add(alias.asname or alias.name)  # a module or not: reading _x on it is private too
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if in_package(alias.name, "bot"):
                    bot_modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in bot_modules):
            yield f"{node.value.id}.{node.attr}", node.lineno


@dataclass(frozen=True)
class Rule:
    text: str
    applies: Callable[[str], bool]  # to the module named so
    forbidden: tuple[str, ...]  # packages it may not import


def outside_rasa_adapters(module: str) -> bool:
    return in_package(module, "bot") and not in_package(module, "bot.rasa")


RULES = (
    Rule("only bot/rasa/ and actions/ import Rasa", outside_rasa_adapters, ("rasa", "rasa_sdk")),
    Rule("bot/ does not import actions/", lambda m: in_package(m, "bot"), ("actions",)),
    Rule("bot/web/ does not import the command line", lambda m: in_package(m, "bot.web"), ("bot.cli",)),
    Rule("in bot/cli/, only web.py imports bot/web/ (to serve the app)",
         lambda m: in_package(m, "bot.cli") and m != "bot.cli.web", ("bot.web",)),
    Rule("bot/web/ does not import the Rasa adapters", lambda m: in_package(m, "bot.web"), ("bot.rasa",)),
)


def import_violations(module: str, source: str, is_package: bool = False) -> list[str]:
    found = []
    for rule in RULES:
        if not rule.applies(module):
            continue
        for name, line in imported_names(module, source, is_package):
            if any(in_package(name, package) for package in rule.forbidden):
                found.append(f"{module}:{line} imports {name} ({rule.text})")
    return sorted(set(found))


def package_of(module: str) -> str | None:
    """The package of bot/ a module belongs to (``bot.forms.parsers`` -> ``bot.forms``; ``bot.settings`` itself)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else None


def package_graph(sources: Iterable[tuple[str, str, bool]]) -> dict[str, dict[str, str]]:
    """package -> {package it imports: where (``module:line``, the first seen)}, from (module, source, is_package)."""
    graph: dict[str, dict[str, str]] = {}
    for module, source, is_package in sources:
        package = package_of(module)
        if package is None:
            continue
        edges = graph.setdefault(package, {})
        for name, line in imported_names(module, source, is_package, skip_type_checking=True):
            target = package_of(name)
            if target is not None and target != package:
                edges.setdefault(target, f"{module}:{line}")
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str]:
    """A cycle of ``graph`` as [a, b, …, a], or [] when there is none (depth first, in name order)."""
    done: set[str] = set()
    path: list[str] = []

    def visit(package: str) -> list[str]:
        if package in path:
            return path[path.index(package):] + [package]
        if package in done:
            return []
        path.append(package)
        for target in sorted(graph.get(package, {})):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(package)
        return []

    for package in sorted(graph):
        if cycle := visit(package):
            return cycle
    return []


def describe_cycle(graph: dict[str, dict[str, str]], cycle: list[str]) -> str:
    """``a -> b (where a imports b) -> a (where b imports a)``."""
    return cycle[0] + "".join(f" -> {b} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False))


def size_violation(module: str, source: str) -> str | None:
    lines = len(source.splitlines())
    return f"{module}: {lines} lines (at most {MAX_LINES})" if lines > MAX_LINES else None


def python_files() -> list[Path]:
    return sorted(path for folder in ("bot", "actions") for path in (ROOT / folder).rglob("*.py")
                  if "__pycache__" not in path.parts)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- the checker fails on what it must refuse -----------------------------------------------------------------------

@pytest.mark.parametrize("module, source, expected", [
    ("bot.forms.reading", "from rasa_sdk import Tracker\n", "bot.forms.reading:1 imports rasa_sdk"),
    ("bot.nlp.text", "def f():\n    import rasa.core.agent\n", "bot.nlp.text:2 imports rasa.core.agent"),
    ("bot.application.service", "from actions.forms import Turn\n", "bot.application.service:1 imports actions.forms"),
    ("bot.db", "import actions\n", "bot.db:1 imports actions"),
    ("bot.web.staff.exports", "from bot.cli.drafts import export_csv\n", "bot.web.staff.exports:1 imports bot.cli.drafts"),
    ("bot.web.app", "from bot import cli\n", "bot.web.app:1 imports bot.cli"),
    ("bot.web.staff.drafts", "from ...cli import drafts\n", "bot.web.staff.drafts:1 imports bot.cli"),
    ("bot.web.public", "from bot.rasa.channels import RestInput\n", "bot.web.public:1 imports bot.rasa.channels"),
    ("bot.cli.drafts", "from bot.web.staff.exports import csv_response\n", "bot.cli.drafts:1 imports bot.web"),
    ("bot.cli", "def f():\n    from bot import web\n", "bot.cli:2 imports bot.web"),
])
def test_each_import_rule_fails_on_a_violation(module, source, expected):
    violations = import_violations(module, source)
    assert violations and violations[0].startswith(expected), violations


@pytest.mark.parametrize("module, source", [
    ("bot.rasa.channels", "from rasa.core.channels.rest import RestInput\nimport rasa_sdk\n"),
    ("actions.forms", "from rasa_sdk import Action\nfrom bot.forms import reading\n"),
    ("bot.cli.web", "from bot.web.app import create_app\nfrom bot.rasa import endpoints\n"),
    ("bot.web.app", "from bot.application.export import rows\nimport rasa_like\nfrom bot.call.facts import get_call\n"),
    ("bot.eligibility.rules", "from bot.nlp import normalize  # rasa_sdk, actions, bot.cli in a comment\n"),
])
def test_allowed_imports_pass(module, source):
    assert import_violations(module, source) == []


def test_a_relative_import_is_resolved_from_the_module_or_the_package():
    assert resolve("bot.web.staff.drafts", False, 2, "app") == "bot.web.app"
    assert resolve("bot.web.staff", True, 1, "drafts") == "bot.web.staff.drafts"
    assert resolve("bot.web.staff", True, 2, None) == "bot.web"


def test_the_private_rule_fails_on_a_private_name_of_bot():
    source = ("from bot.db.drafts import _coerce, get_by_reference\nfrom bot.forms import reading\n"
              "import bot.nlp.normalize as n\nreading._STOP.match('x')\nn._words('x')\nreading.read_message\n"
              "from actions.common import _private\nreading.__name__\n")
    assert sorted(private_uses_of_bot("actions.drafts", source)) == [
        ("bot.db.drafts._coerce", 1), ("n._words", 5), ("reading._STOP", 4)]


def test_the_cycle_check_fails_on_a_cycle_hidden_in_a_function():
    graph = package_graph([
        ("bot.forms.parsers", "import re\n\ndef parse():\n    from bot.eligibility.prompts import INVALID\n", False),
        ("bot.eligibility.rules", "from bot.forms.parsers import read_money\nfrom bot.nlp import normalize\n", False),
        ("bot.nlp.normalize", "import unicodedata\n", False),
    ])
    cycle = find_cycle(graph)
    assert describe_cycle(graph, cycle) == (
        "bot.eligibility -> bot.forms (bot.eligibility.rules:1) -> bot.eligibility (bot.forms.parsers:4)")
    longer = package_graph([("bot.db.outbox", "from bot.mail.compose import Composed\n", False),
                            ("bot.mail", "from . import send\nfrom bot.web import app\n", True),
                            ("bot.web.app", "from ..db import outbox\n", False)])
    assert find_cycle(longer) == ["bot.db", "bot.mail", "bot.web", "bot.db"]


def test_the_cycle_check_passes_layers_and_type_checking_imports():
    graph = package_graph([
        ("bot.mail.send", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.db.followup_models import "
         "MailOutbox\nelse:\n    import json\n", False),
        ("bot.db.outbox", "from bot.mail.send import send_mail\nfrom bot import settings\n", False),
        ("bot.settings", "import os\n", False),
        ("bot.forms.messages", "from bot.forms.fields import field\n", False),  # inside one package: no edge
    ])
    assert graph == {"bot.mail": {}, "bot.db": {"bot.mail": "bot.db.outbox:1", "bot.settings": "bot.db.outbox:2"},
                     "bot.settings": {}, "bot.forms": {}}
    assert find_cycle(graph) == []


def test_the_size_rule_fails_over_300_lines():
    assert size_violation("bot.x", "x = 1\n" * 301) == "bot.x: 301 lines (at most 300)"
    assert size_violation("bot.x", "x = 1\n" * 300) is None


# --- the tree keeps the rules ---------------------------------------------------------------------------------------

def test_the_checker_sees_the_tree():
    modules = {module_name(path) for path in python_files()}
    assert {"bot.rasa.channels", "bot.web", "bot.web.staff.drafts", "actions.forms", "bot.forms.reading"} <= modules
    assert any(import_violations("bot.forms.reading", read(ROOT / "bot/rasa/channels.py")))  # Rasa is imported there


def test_no_import_crosses_a_boundary():
    violations = [v for path in python_files()
                  for v in import_violations(module_name(path), read(path), path.name == "__init__.py")]
    assert violations == []


def test_the_packages_of_bot_import_one_another_without_a_cycle():
    graph = package_graph((module_name(path), read(path), path.name == "__init__.py")
                          for path in python_files() if path.parts[len(ROOT.parts)] == "bot")
    assert "bot.forms" in graph["bot.eligibility"] and "bot.db" in graph["bot.mail"]  # the checker sees the tree
    cycle = find_cycle(graph)
    assert not cycle, "import cycle between packages: " + describe_cycle(graph, cycle)


def test_actions_use_only_public_names_of_bot():
    violations = [f"{module_name(path)}:{line} {name}" for path in sorted((ROOT / "actions").glob("*.py"))
                  for name, line in private_uses_of_bot(module_name(path), read(path), path.name == "__init__.py")]
    assert violations == []


def test_no_module_is_over_300_lines():
    violations = [v for path in python_files() if (v := size_violation(module_name(path), read(path)))]
    assert violations == []
