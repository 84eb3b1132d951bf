"""The seeded generator of simulated pre-application dialogues: applicant profiles x phrasing classes.

Profiles (``application_phrasings.PROFILES``): a structure with a SIRET; an association with only an RNA
number; a group not yet constituted (no identifier asked); an ESUS company; a SIAE. Each dialogue belongs to one
phrasing class (the thing it tests) and one profile, in turn, so that every class is played by every profile.
What the applicant types for each field is kept in ``AppDialogue.answers``; the value the draft must hold is what
the field's parser reads in that text (``bot.forms.fields.parse_field``), computed by the player when the text is sent
("conversation equals parser"). Here, every phrasing that stands for a known value (a legal form, a number of
jobs, a phone number, an identifier) is checked against the parser: a dialogue whose phrasing the parser itself
does not read as intended keeps its place in the suite but is marked with its ``gaps`` and not played.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.call.facts import CallFacts
from bot.forms.fields import APPLICATION_FIELDS, FIELDS, parse_field
from tests.simulation import application_phrasings as ph
from tests.simulation.phrasings import spaced
from tests.simulation.profiles import Answer

SEED = 20261126


@dataclass(frozen=True)
class Fix:
    """A change asked at the summary (or after a resume)."""
    field: str
    text: str  # what the applicant types
    value_text: str = ""  # the new value as typed: the expectation is its parse; "" for a change without a value
    then: str | None = None  # a change without a value: the answer when the field is asked again
    preface: str | None = None  # "non" first: the assistant asks what to change


@dataclass(frozen=True)
class Resume:
    """A second conversation: reference, the draft's e-mail, the code received by e-mail."""
    request: str  # the first message, "{reference}" filled in by the player
    reference_when_asked: bool  # the first message has no reference: it is typed when asked
    email: str  # the draft's e-mail as typed to resume
    code_style: str
    change: Fix | None = None


@dataclass
class AppDialogue:
    id: str
    profile: str
    phrasing_class: str
    opening: str
    answers: dict[str, list[Answer]]  # successive answers to a field's question (the last one repeats)
    consent: str = "oui"
    confirm: str = "oui"
    eligibility_first: bool = False  # an eligibility check first, then "oui" after the verdict
    fixes: list[Fix] = field(default_factory=list)
    resume: Resume | None = None
    delete: str | None = None  # None, "same" (in the conversation that created it) or "resumed"
    delete_text: str = "supprimez mes données"
    gaps: list[str] = field(default_factory=list)

    def needs(self, key: str) -> bool:
        return key != "siret" or self.profile != "group"


# ----------------------------------------------------------------------------- checks against the parsers

def gap(key: str, text: str, intended: object, call: CallFacts) -> str | None:
    """None if the parser of ``key`` reads ``text`` as ``intended`` (any value when ``intended`` is ...)."""
    got = parse_field(key, text, call).value
    if (intended is ... and got is not None) or (intended is not ... and got == intended):
        return None
    return f"the {key} parser reads {text!r} as {got!r}, not {'a value' if intended is ... else repr(intended)}"


def _money(n: int, styles: list[str], rng: random.Random) -> str:
    return rng.choice(styles).format(spaced=spaced(n), bare=n, k=f"{n / 1000:g}".replace(".", ","))


def base_dialogue(ident: str, phrasing_class: str, profile: str, rng: random.Random,
                  call: CallFacts) -> tuple[AppDialogue, list[tuple[str, str, object]]]:
    """A dialogue written plainly for ``profile``, and the (field, text, intended value) checks of its texts."""
    form, structure = rng.choice(ph.STRUCTURES[profile])
    first, last = rng.choice(ph.PEOPLE)
    phone = ph.make_phone(rng)
    amount = rng.choice(range(5000, 15001, 500))
    budget = rng.choice(range(-(-amount * 10 // 7 // 1000) * 1000 + 1000, 80001, 1000))
    stage, stage_text = rng.choice(ph.STAGES)
    jobs, jobs_text = rng.choice(ph.PLAIN_JOBS)
    commune = rng.choice(call.territory.communes).name
    texts = {
        "org_name": rng.choice(ph.ORG_NAMES[profile]), "structure": structure,
        "commune": rng.choice([commune, commune.lower()]),
        "contact_name": rng.choice(ph.NAME_STYLES).format(first=first, last=last),
        "email": rng.choice(ph.EMAIL_STYLES).format(address=ph.email_of(first, last, rng)),
        "phone": ph.national(phone), "project_title": rng.choice(ph.TITLES),
        "project_description": rng.choice(ph.DESCRIPTIONS), "beneficiaries": rng.choice(ph.BENEFICIARIES),
        "jobs": jobs_text, "start_date": rng.choice(ph.PLAIN_DATES), "stage": stage_text,
        "amount": _money(amount, ph.AMOUNT_STYLES, rng), "total_budget": _money(budget, ph.BUDGET_STYLES, rng),
        "other_department_aid": rng.choice(ph.AID_NO),
    }
    checks: list[tuple[str, str, object]] = [("structure", structure, form), ("phone", texts["phone"], ph.national(phone)),
                                             ("jobs", jobs_text, jobs), ("stage", stage_text, stage),
                                             ("amount", texts["amount"], float(amount)),
                                             ("total_budget", texts["total_budget"], float(budget)),
                                             ("other_department_aid", texts["other_department_aid"], False)]
    if profile == "rna":
        rna = ph.make_rna(rng)
        texts["siret"] = rng.choice(ph.RNA_STYLES).format(rna=rna, lower=rna.lower(),
                                                           spaced=f"W {rna[1:4]} {rna[4:7]} {rna[7:]}")
        checks.append(("siret", texts["siret"], rna))
    elif profile != "group":
        siret = rng.choice(ph.KNOWN_SIRETS) if rng.random() < 0.3 else ph.make_siret(rng)
        texts["siret"] = rng.choice(ph.SIRET_STYLES).format(spaced=ph.spaced_siret(siret), bare=siret)
        checks.append(("siret", texts["siret"], siret))
    checks += [(key, text, ...) for key, text in texts.items()]
    answers = {key: [Answer(text)] for key, text in texts.items()}
    if profile == "esus":
        answers["esus"] = [Answer("oui")]  # only if the eligibility check asks it (it should not)
    dialogue = AppDialogue(ident, profile, phrasing_class, rng.choice(ph.OPENINGS), answers,
                           consent=rng.choice(ph.CONSENT_YES), confirm=rng.choice(ph.CONFIRM))
    return dialogue, checks


def text_of(dialogue: AppDialogue, key: str) -> str:
    """The text that gives the field's value (the last answer)."""
    return dialogue.answers[key][-1].text


# ----------------------------------------------------------------------------- phrasing classes

Builder = Callable[[AppDialogue, list[tuple[str, str, object]], random.Random, CallFacts], None]


def _plain(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    """Everything written plainly (the baseline)."""


def _phone(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    digits = ph.make_phone(rng)
    text = ph.PHONE_STYLES[rng.choice(sorted(ph.PHONE_STYLES))](digits)
    d.answers["phone"] = [Answer(text)]
    checks.append(("phone", text, ph.national(digits)))


def _email(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    address = parse_field("email", text_of(d, "email"), call).value or "contact@exemple.fr"
    text = rng.choice(ph.EMAIL_CAPITALS)(address)
    d.answers["email"] = [Answer(text)]
    checks.append(("email", text, ...))
    got = parse_field("email", text, call).value
    if got is not None and got.casefold() != address.casefold():
        d.gaps.append(f"the email parser reads {text!r} as {got!r}, not {address!r} (in any case)")


def _dates(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    d.answers["start_date"] = [Answer(rng.choice(ph.DATES))]
    checks.append(("start_date", text_of(d, "start_date"), ...))


def _jobs(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    jobs, text = rng.choice(ph.JOBS)
    d.answers["jobs"] = [Answer(text)]
    checks.append(("jobs", text, jobs))


def _dont_know_optional(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    """"Pas encore" / "je n'en ai pas" / "je ne sais pas" on the identifier and / or the start date."""
    keys = [k for k in ("siret", "start_date") if d.needs(k)]
    for key in rng.sample(keys, rng.choice(range(1, len(keys) + 1))):
        text = rng.choice(ph.NO_IDENTIFIER) if key == "siret" else rng.choice(ph.DONT_KNOW + ["pas encore décidé"])
        d.answers[key] = [Answer(text, gives_value=False)]


def _dont_know_required(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    """"Je ne sais pas" on a field that cannot stay empty: help, then the answer."""
    for key in rng.sample(ph.DONT_KNOW_REQUIRED, rng.choice([1, 1, 2])):
        d.answers[key] = [Answer(rng.choice(ph.DONT_KNOW), gives_value=False), *d.answers[key]]


def _fix(key: str, d: AppDialogue, rng: random.Random, call: CallFacts) -> Fix:
    old = parse_field(key, text_of(d, key), call).value
    if key == "phone":
        options = [ph.national(ph.make_phone(rng)) for _ in range(3)]
    elif key == "email":
        first, last = rng.choice(ph.PEOPLE)
        options = [ph.email_of(first, last + "-asso", rng)]
    else:
        options = ph.NEW_VALUES[key]
    value = next((v for v in rng.sample(options, len(options)) if parse_field(key, v, call).value != old), options[0])
    return Fix(key, rng.choice(ph.SUMMARY_FIXES[key]).format(value=value), value)


def _summary_correction(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    """A change at the summary: a value given in the sentence, or the field named and then answered again."""
    for index in range(rng.choice([1, 1, 1, 2])):
        key = rng.choice([k for k in ["amount", "amount", "total_budget", "phone", "email", "jobs", "start_date",
                                      "project_title", "commune", "email", "phone"] if k not in {f.field for f in d.fixes}])
        preface = rng.choice(ph.WHAT_TO_CHANGE_FIRST) if index == 0 and rng.random() < 0.25 else None
        if key in ph.CLEARING_FIXES and rng.random() < 0.5:
            new = _fix(key, d, rng, call)
            fix = Fix(key, rng.choice(ph.CLEARING_FIXES[key]), then=new.value_text, preface=preface)
        else:
            fix = Fix(**{**vars(_fix(key, d, rng, call)), "preface": preface})
        d.fixes.append(fix)
    for fix in d.fixes:
        checks.append((fix.field, fix.then or fix.value_text, ...))
        if fix.then is None and not FIELDS[fix.field].free_text:
            intended = parse_field(fix.field, fix.value_text, call).value
            checks.append((fix.field, fix.text, intended))


def _confirm_words(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    d.confirm = rng.choice(ph.CONFIRM_WORDS)


def _after_eligibility(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    d.eligibility_first = True
    d.opening = rng.choice(ph.CHECK_REQUESTS)


def _resume(d: AppDialogue, rng: random.Random, call: CallFacts, change: bool) -> Resume:
    address = parse_field("email", text_of(d, "email"), call).value or ""
    later = rng.random() < 0.3
    request = rng.choice(ph.RESUME_WITHOUT_REFERENCE if later else ph.RESUME_REQUESTS)
    fix = None
    if change:
        key = rng.choice(["phone", "phone", "phone", "amount", "email"])
        fix = _fix(key, d, rng, call)
        fix = Fix(key, rng.choice(ph.RESUME_CHANGES[key]).format(value=fix.value_text), fix.value_text)
    return Resume(request, later, rng.choice([address, address.lower(), address.upper()]),
                  rng.choice(ph.CODE_STYLES), fix)


def _resume_change(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    d.resume = _resume(d, rng, call, change=True)
    change = d.resume.change
    checks += [(change.field, change.value_text, ...),
               (change.field, change.text, parse_field(change.field, change.value_text, call).value)]


def _delete(d: AppDialogue, checks, rng: random.Random, call: CallFacts) -> None:
    d.delete = rng.choice(["same", "resumed"])
    d.delete_text = rng.choice(ph.DELETE_REQUESTS)
    if d.delete == "resumed":
        d.resume = _resume(d, rng, call, change=False)


# Phrasing class -> (builder, number of dialogues). Item 3: pre-application; item 4: resume and delete.
CLASSES: dict[str, tuple[Builder, int]] = {
    "plain": (_plain, 10), "phone_styles": (_phone, 14), "email_capitals": (_email, 12), "date_words": (_dates, 14),
    "jobs_words": (_jobs, 14), "dont_know_optional": (_dont_know_optional, 14),
    "dont_know_required": (_dont_know_required, 14), "summary_correction": (_summary_correction, 16),
    "confirm_words": (_confirm_words, 10), "after_eligibility": (_after_eligibility, 10), "resume_change": (_resume_change, 12), "delete": (_delete, 12),
}


def generate(call: CallFacts, seed: int = SEED, scale: float = 1.0) -> list[AppDialogue]:
    """The whole suite, deterministic for a seed (the dates are read on the day they are played)."""
    rng = random.Random(seed)
    dialogues = []
    for name, (build, count) in CLASSES.items():
        for index in range(max(1, round(count * scale))):
            profile = ph.PROFILES[index % len(ph.PROFILES)]
            dialogue, checks = base_dialogue(f"{name}-{profile}-{index:03d}", name, profile, rng, call)
            build(dialogue, checks, rng, call)
            checks = [c for c in checks if c[0] != "siret" or dialogue.needs("siret")]
            dialogue.gaps += [g for g in (gap(key, text, intended, call) for key, text, intended in checks) if g]
            dialogue.gaps = list(dict.fromkeys(dialogue.gaps))
            dialogues.append(dialogue)
    return dialogues


def parser_gaps(dialogues: list[AppDialogue]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for dialogue in dialogues:
        for text in dialogue.gaps:
            counts[text] = counts.get(text, 0) + 1
    return counts


__all__ = ["APPLICATION_FIELDS", "AppDialogue", "CLASSES", "Fix", "Resume", "SEED", "generate", "parser_gaps"]
