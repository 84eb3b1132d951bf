"""French text around the eligibility verdict: the message shown in conversation."""
from __future__ import annotations

from typing import List, Optional

from bot.answers import contact
from bot.call import CallFacts
from bot.eligibility import Verdict
from bot.normalize import fold

ANSWER_KEYS = ("structure", "esus", "commune", "stage", "amount", "total_budget", "other_department_aid")

CRITERION_LABELS = {
    "legal_form": "Forme juridique",
    "territory": "Territoire",
    "stage": "Stade du projet",
    "amount_range": "Montant demandé",
    "budget_share": "Part du budget",
    "other_department_aid": "Autre aide du Département",
}

STATUS_ICONS = {"pass": "✔", "fail": "✘", "condition": "⚠", "unknown": "?"}
STATUS_LABELS = {"pass": "conforme", "fail": "non conforme", "condition": "sous condition", "unknown": "à préciser"}
STATUS_MARKS = {status: f"{STATUS_ICONS[status]} {label}" for status, label in STATUS_LABELS.items()}
ADVICE_HEADING = "Ce qui pourrait changer le résultat"

QUESTION_LABELS = {
    "structure": "la forme juridique",
    "esus": "l'agrément ESUS",
    "commune": "la commune",
    "stage": "le stade du projet",
    "amount": "le montant demandé",
    "total_budget": "le budget total",
    "other_department_aid": "une éventuelle aide du Département",
}

# Words (folded: no accents, lower case) naming an answer the applicant wants to correct.
_FIELD_WORDS = (
    ("total_budget", ("budget", "cout total")),
    ("amount", ("montant", "somme", "demande")),
    ("commune", ("commune", "ville", "adresse", "code postal")),
    ("esus", ("esus", "agrement")),
    ("structure", ("forme", "statut", "structure", "juridique")),
    ("stage", ("stade", "phase", "etape")),
    ("other_department_aid", ("aide", "financement")),
)


def field_from_text(text: str) -> Optional[str]:
    """Which answer a correction request names ("je me suis trompé sur le montant")."""
    folded = fold(text or "")
    for key, words in _FIELD_WORDS:
        if any(word in folded for word in words):
            return key
    return None


_OUTCOMES = {
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


def notes(verdict: Verdict, call: CallFacts) -> List[str]:
    """What follows the criteria and the advice: missing answers and contact, or "not guaranteed" and next step."""
    lines: List[str] = []
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
