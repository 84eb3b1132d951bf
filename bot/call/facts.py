"""Load and validate the edition's facts (``bot/call/call.yml``).

Everything the assistant says about the call comes from this file, through the
typed :class:`CallFacts` object. Nothing is read at import time: call
:func:`load_call` (cached by :func:`get_call`).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, Field, ValidationError, root_validator, validator

from bot.settings import get_settings

if TYPE_CHECKING:
    from pydantic.error_wrappers import ErrorDict

DEFAULT_CALL_FILE = Path(__file__).with_name("call.yml")
PLACEHOLDER = "A_COMPLETER"


class CallDataError(Exception):
    """The call data file is missing or malformed. The message is in French."""


def is_placeholder(value: object) -> bool:
    """True when staff have not filled the value in yet."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == "" or PLACEHOLDER in value
    if isinstance(value, list):
        return len(value) == 0 or any(is_placeholder(v) for v in value)
    return False


class _Model(BaseModel):
    class Config:
        extra = "forbid"
        allow_mutation = False


class Edition(_Model):
    name: str
    organiser: str
    website: str


class EligibleStructures(_Model):
    ess_organisations: list[str] = Field(..., min_items=1)
    esus_reference: str
    not_eligible: list[str] = Field(..., min_items=1)


class Amounts(_Model):
    currency: str
    min: int = Field(..., gt=0)
    max: int = Field(..., gt=0)
    max_share_of_budget_percent: float = Field(..., gt=0, le=100)

    @root_validator(skip_on_failure=True)
    def _min_below_max(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values["min"] > values["max"]:
            raise ValueError("le montant minimum dépasse le montant maximum")
        return values


class Commune(_Model):
    name: str
    postcodes: list[str] = Field(..., min_items=1)

    @validator("postcodes", each_item=True)
    def _postcode_format(cls, value: str) -> str:
        if not (len(value) == 5 and value.isdigit()):
            raise ValueError(f"code postal invalide : {value!r}")
        return value


class Neighbour(_Model):
    name: str
    code: str


class OutsideCommune(_Model):
    name: str
    department: str


class Territory(_Model):
    department: str
    department_code: str
    postcode_prefix: str
    communes: list[Commune] = Field(..., min_items=1)
    neighbours: list[Neighbour] = []
    known_outside: list[OutsideCommune] = []


class Stage(_Model):
    key: str
    label: str


class Stages(_Model):
    eligible: list[Stage] = Field(..., min_items=1)
    not_eligible: list[Stage] = []


class Criterion(_Model):
    key: str
    label: str
    explanation: str


class Process(_Model):
    steps: list[str] = Field(..., min_items=1)


class CalendarEdition(_Model):
    year: int | str
    events: list[str] | str

    @property
    def published(self) -> bool:
        return not (is_placeholder(self.year) or is_placeholder(self.events))


class Calendar(_Model):
    latest_public: CalendarEdition
    next_edition: CalendarEdition


class Contact(_Model):
    service: str
    email: str
    phone: str

    @property
    def published(self) -> bool:
        return not any(is_placeholder(v) for v in (self.service, self.email, self.phone))


class PastEdition(_Model):
    year: int
    label: str
    projects_received: int | None = None
    winners: int | None = None
    total_amount: int | None = None
    envelope_up_to: int | None = None  # the announced ceiling, when the amount given is not known
    jobs_created: str | None = None


class EssContext(_Model):
    organisations: str
    jobs: str
    plan: str
    plan_adopted: str


class AidCombination(_Model):
    same_project_departmental_aid: bool
    siae_exclusion: str


class Privacy(_Model):
    retention_days: int = Field(..., gt=0)  # a draft, and the conversations linked to it, after its last change
    conversation_days: int = Field(30, gt=0)  # a conversation linked to no draft, after its last message


class Envelope(_Model):
    next_edition: int | str

    @validator("next_edition")
    def _amount_or_placeholder(cls, value: int | str) -> int | str:
        if isinstance(value, str) and not is_placeholder(value):
            raise ValueError(f"un montant en euros (nombre entier) ou {PLACEHOLDER} est attendu")
        if isinstance(value, int) and value <= 0:
            raise ValueError("le nombre doit être positif")
        return value

    @property
    def published(self) -> bool:
        return not is_placeholder(self.next_edition)

    @property
    def amount(self) -> int | None:
        """The envelope in euros once published (a placeholder is never a number)."""
        return self.next_edition if isinstance(self.next_edition, int) else None


class RulesDocument(_Model):
    page_title: str
    url: str

    @property
    def published(self) -> bool:
        return not is_placeholder(self.url)


class Admissibility(_Model):
    answer_date: str

    @property
    def published(self) -> bool:
        return not is_placeholder(self.answer_date)


class CallFacts(_Model):
    edition: Edition
    eligible_structures: EligibleStructures
    amounts: Amounts
    territory: Territory
    stages: Stages
    selection_criteria: list[Criterion] = Field(..., min_items=1)
    process: Process
    calendar: Calendar
    contact: Contact
    past_editions: list[PastEdition] = Field(..., min_items=1)
    ess_context: EssContext
    aid_combination: AidCombination
    privacy: Privacy
    envelope: Envelope
    rules_document: RulesDocument
    admissibility: Admissibility

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.selection_criteria if c.key == key), None)


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


# pydantic's messages for the errors staff are likely to make, in French.
_MESSAGES_FR = {
    "value_error.missing": "champ obligatoire manquant",
    "value_error.extra": "champ inconnu",
    "type_error.integer": "un nombre entier est attendu",
    "type_error.float": "un nombre est attendu",
    "type_error.str": "un texte est attendu",
    "type_error.list": "une liste est attendue",
    "type_error.bool": "« true » ou « false » est attendu",
    "type_error.dict": "un dictionnaire (clé: valeur) est attendu",
    "value_error.number.not_gt": "le nombre doit être positif",
    "value_error.number.not_le": "le nombre est trop grand",
    "value_error.list.min_items": "la liste ne peut pas être vide",
}


def _message(error: ErrorDict) -> str:
    return _MESSAGES_FR.get(error.get("type", ""), error["msg"])


def call_file_path() -> Path:
    """The data file: ``CALL_FILE`` from the environment, else ``bot/call/call.yml``."""
    return get_settings().call_file or DEFAULT_CALL_FILE


def load_call(path: str | Path | None = None) -> CallFacts:
    """Read and validate the call data file; raise :class:`CallDataError` in French."""
    path = Path(path) if path else call_file_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CallDataError(f"Fichier des données de l'appel introuvable : {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CallDataError(f"Fichier des données de l'appel illisible ({path}) : {exc}") from None
    except yaml.YAMLError as exc:
        raise CallDataError(f"Fichier des données de l'appel mal formé ({path}) : {exc}") from None
    if not isinstance(raw, dict):
        raise CallDataError(f"Fichier des données de l'appel mal formé ({path}) : un dictionnaire YAML est attendu.")
    try:
        return CallFacts.parse_obj(raw)
    except ValidationError as exc:
        problems = "; ".join(f"champ « {_field_path(e['loc'])} » : {_message(e)}" for e in exc.errors())
        raise CallDataError(f"Fichier des données de l'appel invalide ({path}) : {problems}") from None


@cache
def _cached(path: str) -> CallFacts:
    return load_call(path)


def get_call() -> CallFacts:
    """The current edition's facts, loaded once per process."""
    return _cached(str(call_file_path()))
