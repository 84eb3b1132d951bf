"""The outcome of the eligibility rules (:func:`bot.eligibility.rules.evaluate`): a verdict, one reason per
criterion, the answers still to ask and advice; the one table of criterion labels. No I/O, no Rasa.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from bot.forms.fields import ELIGIBILITY_FIELDS, FIELDS

ANSWER_KEYS = ELIGIBILITY_FIELDS
CRITERIA = ("legal_form", "territory", "stage", "amount_range", "budget_share", "other_department_aid")
# The one table of criterion labels: the verdict text, the card, the staff pages and the exports.
CRITERION_LABELS = dict(zip(CRITERIA, (
    "Forme juridique", "Territoire", "Stade du projet", "Montant demandé", "Part du budget",
    "Autre aide du Département",
), strict=False))
ANSWER_LABELS = {key: FIELDS[key].phrase for key in ANSWER_KEYS}

# One criterion's result ("unknown": an answer is missing, or staff must confirm it), and the overall verdict.
CriterionStatus = Literal["pass", "fail", "condition", "unknown"]
VerdictStatus = Literal["eligible", "eligible_with_conditions", "ineligible", "incomplete"]
CRITERION_STATUSES: tuple[CriterionStatus, ...] = get_args(CriterionStatus)
VERDICT_STATUSES: tuple[VerdictStatus, ...] = get_args(VerdictStatus)


@dataclass(frozen=True)
class Reason:
    criterion: str
    status: CriterionStatus
    message: str
    source: str


@dataclass
class Verdict:
    verdict: VerdictStatus
    reasons: list[Reason]
    missing: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    @property
    def has_certain_failure(self) -> bool:
        """True when at least one criterion fails whatever the answers still missing."""
        return any(r.status == "fail" for r in self.reasons)

    def reason(self, criterion: str) -> Reason | None:
        return next((r for r in self.reasons if r.criterion == criterion), None)

    def _labels(self, status: CriterionStatus) -> str:
        labels = (CRITERION_LABELS[r.criterion] for r in self.reasons if r.status == status)
        return ", ".join(label[0].lower() + label[1:] for label in labels)

    def summary(self) -> str:
        """One French sentence for the outcome; a positive outcome is never a promise of a grant."""
        if self.verdict == "ineligible":
            return f"D'après vos réponses, votre projet n'est pas éligible à l'appel ({self._labels('fail')})."
        if self.verdict == "incomplete":
            if self.missing:
                needed = ", ".join(ANSWER_LABELS[k] for k in self.missing)
                return f"Il me manque encore des réponses pour dire si votre projet est éligible ({needed})."
            return (
                "Certaines réponses doivent être confirmées par le service du Département avant de dire si "
                f"votre projet est éligible ({self._labels('unknown')})."
            )
        outcome = "remplit les conditions d'éligibilité de l'appel à projets"
        if self.verdict == "eligible_with_conditions":
            outcome = f"peut être éligible à l'appel à projets, sous conditions ({self._labels('condition')})"
        return (
            f"D'après vos réponses, votre projet {outcome}, ce qui ne garantit pas l'aide : "
            "c'est un jury qui sélectionne les lauréats."
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary(), "has_certain_failure": self.has_certain_failure}
