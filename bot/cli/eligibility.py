"""``python -m bot eligibility check FICHIER.json``: the eligibility verdict for answers given as JSON."""
from __future__ import annotations

import json
import sys
from typing import Any

import click

from bot.cli.french import Group
from bot.eligibility.verdict import ANSWER_KEYS

EXIT_BAD_INPUT = 2
EXIT_BAD_CALL_DATA = 1

# Accepted JSON types per answer key (None is always accepted: "no answer yet").
_TYPES = {
    "structure": (str,),
    "esus": (str, bool),
    "commune": (str, int),
    "stage": (str,),
    "amount": (str, int, float),
    "total_budget": (str, int, float),
    "other_department_aid": (str, bool),
}
_TYPE_NAMES = {str: "un texte", bool: "un booléen (true/false)", int: "un nombre", float: "un nombre"}
_JSON_NAMES = {list: "une liste", dict: "un objet", bool: "un booléen", int: "un nombre", float: "un nombre",
               str: "un texte"}


class InvalidAnswers(ValueError):
    """The answers file cannot be used. The message is in French."""


@click.group("eligibility", cls=Group, short_help="vérifier l'éligibilité d'un projet")
def eligibility() -> None:
    """Commandes sur l'éligibilité des projets."""


def parse_answers(text: str, name: str) -> dict[str, Any]:
    """The answers object from JSON text, checked; raise :class:`InvalidAnswers` in French."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidAnswers(
            f"{name[0].upper()}{name[1:]} n'est pas un JSON valide (ligne {exc.lineno}, colonne {exc.colno})."
        ) from None
    if not isinstance(data, dict):
        raise InvalidAnswers(
            f"{name[0].upper()}{name[1:]} doit contenir un objet JSON, par exemple {{\"structure\": \"association\"}}, "
            f"et non {_JSON_NAMES.get(type(data), 'une valeur simple')}."
        )
    unknown = [key for key in data if key not in ANSWER_KEYS]
    if unknown:
        raise InvalidAnswers(
            f"Clé inconnue dans {name} : {', '.join(f'« {k} »' for k in unknown)}. "
            f"Clés acceptées : {', '.join(ANSWER_KEYS)}."
        )
    for key, value in data.items():
        types = _TYPES[key]
        if value is None or (isinstance(value, types) and (bool in types or not isinstance(value, bool))):
            continue
        expected = " ou ".join(dict.fromkeys(_TYPE_NAMES[t] for t in types))
        raise InvalidAnswers(
            f"La valeur de « {key} » doit être {expected} (ou null), et non "
            f"{_JSON_NAMES.get(type(value), 'cette valeur')}."
        )
    return data


def _read(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.buffer.read().decode("utf-8-sig")
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InvalidAnswers(f"Fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise InvalidAnswers(f"{path} est un dossier, pas un fichier JSON.") from None
    except UnicodeDecodeError:
        source = "L'entrée standard n'est pas encodée" if path == "-" else f"Le fichier {path} n'est pas encodé"
        raise InvalidAnswers(f"{source} en UTF-8.") from None
    except OSError as exc:
        raise InvalidAnswers(f"Impossible de lire le fichier {path} : {exc.strerror}.") from None


@eligibility.command(
    "check", short_help="donner le verdict d'éligibilité pour des réponses en JSON",
    help="Lit un objet JSON de réponses (clés : " + ", ".join(ANSWER_KEYS) + ") et affiche le verdict et ses "
    "raisons en JSON. Les valeurs peuvent être du texte libre (« asso loi 1901 », « 12 000 € ») ou déjà "
    "normalisées.",
)
@click.argument("file", metavar="FICHIER", help="fichier JSON des réponses, ou « - » pour l'entrée standard")
def check_answers_file(file: str) -> int:
    from bot.call.facts import CallDataError, get_call
    from bot.eligibility.rules import evaluate

    name = "l'entrée standard" if file == "-" else f"le fichier {file}"
    try:
        answers = parse_answers(_read(file), name)
    except InvalidAnswers as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        call = get_call()
    except CallDataError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_CALL_DATA
    print(json.dumps(evaluate(answers, call).to_dict(), ensure_ascii=False, indent=2))
    return 0
