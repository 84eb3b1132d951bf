"""The phrasing classes: one builder per class, and ``generate()`` for the whole seeded suite."""
from __future__ import annotations

import random

from bot.call.facts import CallFacts
from tests.simulation import phrasings as ph
from tests.simulation.profiles import (
    SEED,
    Answer,
    Builder,
    Correction,
    Dialogue,
    Profile,
    check_texts,
    legal_form_fails,
    make_profile,
    passing_except_legal_form,
    plain_texts,
    simple_dialogue,
)


def _numbers(style: str) -> Builder:
    def build(ident: str, rng: random.Random, call: CallFacts) -> Dialogue:
        profile = make_profile(rng, call)
        if style == "bare" and rng.random() < 0.3:  # the trap of issue 8: a bare budget read as a postcode
            profile.amount, profile.budget = 10000, rng.choice([20000, 30000, 94000])
        texts = plain_texts(profile, rng)
        texts["amount"] = ph.NUMBER_STYLES[style](profile.amount, rng)
        texts["total_budget"] = ph.NUMBER_STYLES[style](profile.budget, rng)
        gaps = check_texts(texts, profile, call)
        return simple_dialogue(ident, f"numbers_{style}", texts, rng, gaps)
    return build


def _commune(kind: str) -> Builder:
    def build(ident: str, rng: random.Random, call: CallFacts) -> Dialogue:
        profile = make_profile(rng, call)
        if kind == "lower":
            name = rng.choice([c.name for c in call.territory.communes if "-" in c.name] + ["Créteil"])
            text = ph.lower_commune(name, rng)
        elif kind == "postcode":
            commune = rng.choice(call.territory.communes)
            name, text = commune.name, rng.choice(commune.postcodes)
        else:
            bank = {"abbreviated": ph.ABBREVIATED, "preposition": ph.WITH_PREPOSITION, "neighbours": ph.NEIGHBOURS}
            text, name = rng.choice(bank[kind])
        profile.commune = name
        texts = plain_texts(profile, rng)
        texts["commune"] = text
        gaps = check_texts(texts, profile, call)
        return simple_dialogue(ident, f"commune_{kind}", texts, rng, gaps)
    return build


def _legal_form(ident: str, rng: random.Random, call: CallFacts) -> Dialogue:
    profile = make_profile(rng, call, rng.choice(["eligible", "eligible", "territory", "amount"]))
    profile.structure = rng.choice(sorted(ph.STRUCTURES))
    if profile.structure == "company":
        profile.esus = rng.random() < 0.5
    if legal_form_fails(profile):
        profile = passing_except_legal_form(profile, rng, call)
    texts = plain_texts(profile, rng)
    texts["structure"] = rng.choice(ph.STRUCTURES[profile.structure])
    if profile.structure == "company":
        texts["esus"] = rng.choice(ph.YES if profile.esus else ph.NO)
    gaps = check_texts(texts, profile, call)
    return simple_dialogue(ident, "legal_form_words", texts, rng, gaps)


def _stage(ident: str, rng: random.Random, call: CallFacts) -> Dialogue:
    profile = make_profile(rng, call, rng.choice(["eligible", "eligible", "stage", "stage", "conditions"]))
    texts = plain_texts(profile, rng)
    texts["stage"] = rng.choice(ph.STAGES[profile.stage])
    gaps = check_texts(texts, profile, call)
    return simple_dialogue(ident, "stage_words", texts, rng, gaps)


def _yes_no(ident: str, rng: random.Random, call: CallFacts) -> Dialogue:
    profile = make_profile(rng, call, rng.choice(["eligible", "aid"]))
    if rng.random() < 0.35:  # a company, asked about the ESUS approval (yes: it passes)
        profile.structure, profile.esus = "company", True
    texts = plain_texts(profile, rng)
    texts["other_department_aid"] = rng.choice(ph.YES if profile.aid else ph.NO)
    if "esus" in texts:
        texts["esus"] = rng.choice(ph.YES)
    gaps = check_texts(texts, profile, call)
    return simple_dialogue(ident, "yes_no", texts, rng, gaps)


def _dont_know(ident: str, rng: random.Random, call: CallFacts) -> Dialogue:
    profile = make_profile(rng, call)
    texts = plain_texts(profile, rng)
    for key in ("commune", "stage", "amount", "total_budget"):
        texts[key] = rng.choice([texts[key], texts[key].lower()])
    gaps = check_texts(texts, profile, call)
    dialogue = simple_dialogue(ident, "dont_know", texts, rng, gaps)
    for key in rng.sample([k for k in texts if k != "esus"], rng.choice([1, 2])):
        dialogue.answers[key] = [Answer(rng.choice(ph.DONT_KNOW), gives_value=False), Answer(texts[key])]
    return dialogue


def _rich_opening(ident: str, rng: random.Random, call: CallFacts) -> Dialogue:
    profile = make_profile(rng, call, rng.choice(["eligible", "eligible", "conditions", "amount", "share", "aid"]))
    profile.structure = rng.choice(sorted(ph.OPENING_STRUCTURES))
    if legal_form_fails(profile):
        profile = passing_except_legal_form(profile, rng, call)
    profile.commune = rng.choice(ph.OPENING_COMMUNES)
    texts = plain_texts(profile, rng)
    template = rng.choice(ph.RICH_OPENINGS)
    fragments = {"structure": rng.choice(ph.OPENING_STRUCTURES[profile.structure]), "commune": profile.commune,
                 "stage": rng.choice(ph.OPENING_STAGES.get(profile.stage, [texts["stage"]])),
                 "amount": rng.choice([f"{ph.spaced(profile.amount)} €", f"{profile.amount} euros", str(profile.amount)]),
                 "total_budget": rng.choice([f"{ph.spaced(profile.budget)} €", str(profile.budget)])}
    given = tuple(key for key in fragments if "{" + key + "}" in template)
    texts.update({key: fragments[key] for key in given})
    gaps = check_texts(texts, profile, call)
    dialogue = simple_dialogue(ident, "rich_opening", texts, rng, gaps)
    dialogue.opening, dialogue.opening_fields = template.format(**fragments), given
    return dialogue


_ORDER = ("structure", "esus", "commune", "stage", "amount", "total_budget", "other_department_aid")


def _correction(ident: str, rng: random.Random, call: CallFacts) -> Dialogue:
    profile = make_profile(rng, call, rng.choice(["eligible", "eligible", "territory", "share"]))
    texts = plain_texts(profile, rng)
    key = rng.choice(["amount", "amount", "commune", "total_budget", "structure"])
    new = Profile(**vars(profile))
    if key == "amount":
        new.amount = rng.choice([9000, 7000, 12000, 14000])
        value = rng.choice([ph.spaced(new.amount), f"{ph.spaced(new.amount)} €"])
    elif key == "total_budget":
        new.budget = rng.choice([12000, 30000, 40000])
        value = rng.choice([ph.spaced(new.budget), f"{ph.spaced(new.budget)} €"])
    elif key == "commune":
        value = rng.choice(["Vitry", "Créteil", "Montreuil", "Champigny-sur-Marne"])
    else:
        value = rng.choice(["une SCOP", "une association"])
    after = _ORDER[_ORDER.index(key) + 1:]
    triggers = tuple(k for k in after if k != "esus" and (k != "other_department_aid" or key != "structure"))
    without_value = key in ph.CORRECTIONS_WITHOUT_VALUE and rng.random() < 0.3
    if without_value:
        correction = Correction(key, triggers, ph.CORRECTIONS_WITHOUT_VALUE[key], then=value)
    else:
        correction = Correction(key, triggers, rng.choice(ph.CORRECTIONS[key]).format(value=value))
    gaps = check_texts(texts, profile, call) + check_texts({key: correction.raw}, _corrected(new, key, value), call)
    dialogue = simple_dialogue(ident, "correction", texts, rng, gaps)
    dialogue.correction = correction
    return dialogue


def _corrected(profile: Profile, key: str, value: str) -> Profile:
    if key == "commune":
        profile.commune = value
    if key == "structure":
        profile.structure = "cooperative" if "SCOP" in value else "association"
    return profile


# Phrasing class -> (builder, number of dialogues).
CLASSES: dict[str, tuple[Builder, int]] = {
    **{f"numbers_{style}": (_numbers(style), 16 if style != "bare" else 22) for style in ph.NUMBER_STYLES},
    **{f"commune_{kind}": (_commune(kind), 16 if kind != "neighbours" else 22)
       for kind in ("lower", "abbreviated", "postcode", "preposition", "neighbours")},
    "legal_form_words": (_legal_form, 28),
    "stage_words": (_stage, 18),
    "yes_no": (_yes_no, 16),
    "dont_know": (_dont_know, 18),
    "rich_opening": (_rich_opening, 28),
    "correction": (_correction, 28),
}


def generate(call: CallFacts, seed: int = SEED, scale: float = 1.0) -> list[Dialogue]:
    """The whole suite, deterministic for a seed. ``scale`` multiplies the number of dialogues per class."""
    rng = random.Random(seed)
    dialogues = []
    for name, (build, count) in CLASSES.items():
        for index in range(max(1, round(count * scale))):
            dialogues.append(build(f"{name}-{index:03d}", rng, call))
    return dialogues


def engine_gaps(dialogues: list[Dialogue]) -> dict[str, int]:
    """Phrasings that the rules engine itself does not read as intended, with how many dialogues use them."""
    counts: dict[str, int] = {}
    for dialogue in dialogues:
        for gap in dialogue.gaps:
            counts[gap] = counts.get(gap, 0) + 1
    return counts
