"""The forms and custom actions as the domain declares them (domain/*.yml), for the action tests: the tests
run the validators with the real lists, never a copy that can drift from the domain."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DOMAIN_DIR = Path(__file__).resolve().parent.parent / "domain"


def declared_forms() -> dict[str, list[str]]:
    """Each form of domain/*.yml and its required slots (Rasa merges the files' ``forms``)."""
    forms: dict[str, list[str]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        for name, form in ((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("forms") or {}).items():
            assert name not in forms, f"{name} declared twice in domain/"
            forms[name] = list(form["required_slots"])
    return forms


def forms_domain(*names: str) -> dict[str, Any]:
    """The part of the domain a FormValidationAction reads, for the forms ``names``."""
    forms = declared_forms()
    return {"forms": {name: {"required_slots": forms[name]} for name in names}, "slots": {}}


def declared_actions() -> list[str]:
    """The custom actions of domain/*.yml (Rasa merges the files' ``actions``), in file order."""
    actions: list[str] = []
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        actions += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("actions") or []
    return actions
