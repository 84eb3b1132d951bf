"""The seeded generator of simulated-applicant dialogues: applicant profiles x phrasings per field.

Each dialogue belongs to one phrasing class (the thing it tests: bare numbers, communes in lower case, a rich
opening, a correction...). Its fields not under test are written plainly. What the applicant types for each field
is kept in ``Dialogue.raw``: the expected outcome is ``bot.eligibility.rules.evaluate(raw)``, what
``python -m bot eligibility check`` says on the same texts ("conversation equals CLI").

Rules of the generator:
- every phrasing is checked against the rules engine's readers (``check_phrasing``). A dialogue with a phrasing
  that the engine itself does not read as intended is kept in the suite (the same dialogues for every version of
  the code) but marked with its ``gaps`` and not played: it is reported as a gap of the rules engine;
- the check stops early only when the legal form fails, so for profiles whose legal form fails every other
  answer passes: the expected failing set is then exactly ``[legal_form]`` whatever the bot asked before stopping;
- an opening fills the fields it names; its raw text for each field is the fragment that gives it ("12000 euros").
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.call.facts import CallFacts
from bot.nlp import normalize
from bot.nlp.amounts import parse_amount
from tests.simulation import phrasings as ph

FIELDS = ("structure", "esus", "commune", "stage", "amount", "total_budget", "other_department_aid")
SEED = 20261125


@dataclass(frozen=True)
class Answer:
    text: str
    gives_value: bool = True  # False for "je ne sais pas" / "passer"


@dataclass(frozen=True)
class Correction:
    field: str
    triggers: tuple[str, ...]  # sent when the bot asks one of these fields (the corrected field already given)
    text: str
    then: str | None = None  # a correction without a value: the value given when the field is asked again

    @property
    def raw(self) -> str:
        return self.then if self.then is not None else self.text


@dataclass
class Dialogue:
    id: str
    phrasing_class: str
    opening: str
    answers: dict[str, list[Answer]]  # successive answers to a field's question (the last one repeats)
    raw: dict[str, object]  # what the rules engine reads (the CLI input)
    opening_fields: tuple[str, ...] = ()
    correction: Correction | None = None
    check_reasks: bool = True  # a field given must not be asked again
    check_all_asked: bool = True  # every field needed must be asked unless the legal form fails
    gaps: list[str] = field(default_factory=list)  # phrasings the rules engine does not read as intended


@dataclass
class Profile:
    structure: str  # legal-form key
    esus: bool | None
    commune: str  # official name (or a postcode)
    stage: str  # stage key
    amount: int
    budget: int
    aid: bool


# ----------------------------------------------------------------------------- checks against the engine

def check_phrasing(kind: str, text: str, expected: object, call: CallFacts) -> str | None:
    """None if the rules engine reads ``text`` as ``expected``, else what it reads instead."""
    if kind == "structure":
        got: object = normalize.parse_legal_form(text)
    elif kind == "stage":
        got = normalize.parse_stage(text)
    elif kind == "yes_no":
        got = normalize.parse_yes_no(text)
    elif kind == "amount":
        got = parse_amount(text)
    elif kind == "commune":
        match = normalize.parse_commune(text, call)
        got = match.name if match else None
        expected = got if match and str(expected) in match.name else expected
    else:
        raise ValueError(kind)
    return None if got == expected else f"the rules engine reads {text!r} as {got!r}, not {expected!r}"


# ----------------------------------------------------------------------------- profiles

ARCHETYPES = ("eligible", "eligible", "eligible", "conditions", "territory", "stage", "amount", "share", "aid",
              "several")


def _budget_for(amount: int, rng: random.Random) -> int:
    """A total budget where the amount is 20 % to 70 % of it."""
    low = -(-amount * 10 // 7 // 1000) * 1000 + 1000
    return rng.choice(range(max(low, 10000), max(low, 10000) + 50001, 1000))


def make_profile(rng: random.Random, call: CallFacts, archetype: str | None = None) -> Profile:
    archetype = archetype or rng.choice(ARCHETYPES)
    communes = [c.name for c in call.territory.communes]
    amount = rng.choice(range(5000, 15001, 500))
    profile = Profile(rng.choice(["association", "association", "cooperative", "mutuelle", "fondation"]), None,
                      rng.choice(communes), rng.choice(["emergence", "startup"]), amount,
                      _budget_for(amount, rng), False)
    if archetype == "conditions":
        profile.structure = rng.choice(["siae", "group_in_creation"])
    if archetype in ("territory", "several"):
        profile.commune = rng.choice(ph.OUTSIDE_NAMES)
    if archetype == "stage":
        profile.stage = rng.choice(["established", "running_costs"])
    if archetype in ("amount", "several"):
        profile.amount = rng.choice([3000, 4000, 4500, 16000, 18000, 20000, 25000])
        profile.budget = _budget_for(profile.amount, rng)
    if archetype == "share":
        profile.budget = profile.amount + rng.choice([0, 1000, 2000])
    if archetype == "aid":
        profile.aid = True
    return profile


def legal_form_fails(profile: Profile) -> bool:
    return profile.structure in ("sole_trader", "public_body") or (profile.structure == "company" and not profile.esus)


def passing_except_legal_form(profile: Profile, rng: random.Random, call: CallFacts) -> Profile:
    """The generator's rule for a failing legal form: all other answers pass (see the module docstring)."""
    passing = make_profile(rng, call, "eligible")
    return replace(passing, structure=profile.structure, esus=profile.esus)


# ----------------------------------------------------------------------------- texts of a profile

Texts = dict[str, str]


def plain_texts(profile: Profile, rng: random.Random) -> Texts:
    texts = {
        "structure": ph.PLAIN_STRUCTURES[profile.structure], "commune": profile.commune,
        "stage": ph.PLAIN_STAGES[profile.stage], "amount": ph.plain_number(profile.amount),
        "total_budget": ph.plain_number(profile.budget), "other_department_aid": "oui" if profile.aid else "non",
    }
    if profile.structure == "company":
        texts["esus"] = "oui" if profile.esus else "non"
    return texts


def check_texts(texts: Texts, profile: Profile, call: CallFacts) -> list[str]:
    """The phrasings of ``texts`` that the rules engine does not read as the profile says."""
    checks = [("structure", "structure", profile.structure), ("esus", "yes_no", profile.esus),
              ("commune", "commune", profile.commune), ("stage", "stage", profile.stage),
              ("amount", "amount", float(profile.amount)), ("total_budget", "amount", float(profile.budget)),
              ("other_department_aid", "yes_no", profile.aid)]
    gaps = [check_phrasing(kind, texts[key], expected, call) for key, kind, expected in checks if key in texts]
    return [gap for gap in gaps if gap]


def simple_dialogue(ident: str, phrasing_class: str, texts: Texts, rng: random.Random, gaps: list[str]) -> Dialogue:
    answers = {key: [Answer(text)] for key, text in texts.items()}
    return Dialogue(ident, phrasing_class, rng.choice(ph.CHECK_REQUESTS), answers, dict(texts), gaps=gaps)


Builder = Callable[[str, random.Random, CallFacts], Dialogue]
