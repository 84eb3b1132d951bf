"""French text around the eligibility verdict: the message shown in conversation."""
from __future__ import annotations

from bot.call.facts import CallFacts
from bot.eligibility.verdict import CRITERION_LABELS, CriterionStatus, Verdict, VerdictStatus
from bot.faq.answers import contact
from bot.forms.fields import ELIGIBILITY_FIELDS, FIELDS

ANSWER_KEYS = ELIGIBILITY_FIELDS

STATUS_ICONS: dict[CriterionStatus, str] = {"pass": "✔", "fail": "✘", "condition": "⚠", "unknown": "?"}
STATUS_LABELS: dict[CriterionStatus, str] = {
    "pass": "conforme", "fail": "non conforme", "condition": "sous condition", "unknown": "à préciser",
}
STATUS_MARKS = {status: f"{STATUS_ICONS[status]} {label}" for status, label in STATUS_LABELS.items()}
ADVICE_HEADING = "Ce qui pourrait changer le résultat"

QUESTION_LABELS = {key: FIELDS[key].phrase for key in ANSWER_KEYS}


_OUTCOMES: dict[VerdictStatus, str] = {
    "eligible": "D'après vos réponses, votre projet remplit les conditions d'éligibilité de l'appel à projets.",
    "eligible_with_conditions": (
        "D'après vos réponses, votre projet peut candidater, mais sous condition (voir ci-dessous)."
    ),
    "ineligible": "D'après vos réponses, votre projet n'est malheureusement pas éligible à cet appel à projets.",
    "incomplete": "Je ne peux pas encore conclure : il me manque des informations.",
}


def outcome(verdict: Verdict) -> str:
    """The sentence that opens the verdict (the card's title)."""
    return _OUTCOMES.get(verdict.verdict, verdict.summary())


def verdict_unchanged(verdict: Verdict) -> str:
    """When an answer leaves the verdict exactly as it was shown: the outcome and what could change it, once."""
    said = outcome(verdict)
    lines = [f"Cela ne change pas le résultat de la vérification : {said[:1].lower()}{said[1:]}"]
    if verdict.advice:
        lines.append(f"{ADVICE_HEADING} :")
        lines.extend(f"- {advice}" for advice in verdict.advice)
    return "\n".join(lines)


def notes(verdict: Verdict, call: CallFacts) -> list[str]:
    """What follows the criteria and the advice: missing answers and contact, or "not guaranteed" and next step."""
    lines: list[str] = []
    if verdict.verdict == "incomplete" and verdict.missing:
        asked = ", ".join(QUESTION_LABELS.get(key, key) for key in verdict.missing)
        lines.append(
            f"Il me manque : {asked}. Écrivez « vérifier mon éligibilité » pour reprendre, "
            "ou contactez le service."
        )
        lines.append(contact(call))
    if verdict.verdict in ("eligible", "eligible_with_conditions"):
        lines.append(
            "Attention : être éligible ne garantit pas l'obtention de l'aide. "
            "Un jury sélectionne les lauréats parmi les projets recevables."
        )
        lines.append("Voulez-vous préparer votre pré-candidature maintenant ? Vos réponses seront reprises.")
    return lines


def render_verdict(verdict: Verdict, call: CallFacts) -> str:
    """The verdict in plain French, criterion by criterion, with what could change it."""
    lines = [outcome(verdict)]
    for reason in verdict.reasons:
        label = CRITERION_LABELS.get(reason.criterion, reason.criterion)
        mark = STATUS_MARKS.get(reason.status, reason.status)
        lines.append(f"- {label} : {mark}. {reason.message}")
    if verdict.advice:
        lines.append(f"{ADVICE_HEADING} :")
        lines.extend(f"- {advice}" for advice in verdict.advice)
    lines.extend(notes(verdict, call))
    return "\n".join(lines)
