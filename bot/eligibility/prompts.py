"""What the eligibility check says: questions, "not understood" hints, "why this question".

These texts are sent by the custom actions (the form asks through
``action_ask_eligibility_form_<slot>``). Figures are rendered from the call data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.call.facts import CallFacts
from bot.faq.answers import euros, percent
from bot.nlp.bounds import MAX_AMOUNT

Button = tuple[str, str]  # (title, payload typed as if by the user)

YES_NO: list[Button] = [("Oui", "oui"), ("Non", "non")]


@dataclass(frozen=True)
class Prompt:
    text: str
    buttons: list[Button] = field(default_factory=list)

    def as_message(self) -> dict:
        return {"text": self.text, "buttons": [{"title": t, "payload": p} for t, p in self.buttons]}


def example_amount(call: CallFacts) -> int:
    """A round amount inside the call's range, for examples."""
    middle = (call.amounts.min + call.amounts.max) / 2
    return int(min(max(round(middle, -3), call.amounts.min), call.amounts.max))


def question(slot: str, call: CallFacts) -> Prompt:
    questions = {
        "structure": Prompt(
            "Quelle est la forme juridique de votre structure ? (par exemple : association, SCOP, SCIC, "
            "SAS agréée ESUS, chantier d'insertion, collectif pas encore constitué…)",
            [("Association", "association"), ("Coopérative (SCOP, SCIC)", "coopérative"),
             ("Structure d'insertion (SIAE)", "structure d'insertion"),
             ("Entreprise (SARL, SAS…)", "entreprise commerciale"),
             ("Pas encore constituée", "collectif pas encore constitué")],
        ),
        "esus": Prompt(
            "Votre entreprise détient-elle l'agrément ESUS (Entreprise solidaire d'utilité sociale) ?", YES_NO
        ),
        "commune": Prompt(
            "Dans quelle commune le projet est-il domicilié ? (nom de la commune ou code postal, "
            "par exemple : Créteil ou 94000)"
        ),
        "stage": Prompt(
            "À quel stade en est le projet ?",
            [("Émergence (étude, expérimentation)", "émergence"), ("Démarrage", "démarrage"),
             ("Déjà en activité depuis des années", "en activité depuis plusieurs années"),
             ("Fonctionnement de la structure", "fonctionnement courant de la structure")],
        ),
        "amount": Prompt(
            f"Quel montant souhaitez-vous demander au Département ? (entre {euros(call.amounts.min)} "
            f"et {euros(call.amounts.max)}, par exemple : {euros(example_amount(call))})"
        ),
        "total_budget": Prompt("Quel est le budget total du projet ? (par exemple : 40 000 €)"),
        "other_department_aid": Prompt(
            f"Le projet reçoit-il déjà une aide du Département ({call.territory.department}) pour ce même projet ?",
            YES_NO,
        ),
    }
    return questions[slot]


INVALID: dict[str, str] = {
    "structure": "Je n'ai pas reconnu la forme juridique. Indiquez par exemple « association loi 1901 », "
    "« SCOP », « SAS agréée ESUS », « chantier d'insertion » ou « collectif pas encore constitué ».",
    "esus": "Je n'ai pas compris. Répondez simplement par « oui » ou « non ».",
    "commune": "Je n'ai pas reconnu cette commune. Indiquez le nom de la commune ou son code postal, "
    "par exemple « Vitry-sur-Seine » ou « 94400 ».",
    "stage": "Je n'ai pas compris le stade du projet. Dites par exemple « en émergence », « en démarrage » "
    "ou « en activité depuis plusieurs années ».",
    "amount": "Je n'ai pas compris le montant. Indiquez une somme en euros, par exemple « 12 000 € » "
    "ou « douze mille euros ».",
    "total_budget": "Je n'ai pas compris le budget. Indiquez le coût total du projet en euros, "
    "par exemple « 40 000 € ».",
    "other_department_aid": "Je n'ai pas compris. Répondez par « oui » si le projet reçoit déjà une aide "
    "du Département pour ce projet, sinon par « non ».",
}


def money_out_of_range(key: str, negative: bool) -> str:
    """Why an amount ("amount") or a budget ("total_budget") is refused: negative, or absurdly large."""
    what, example = ("Le montant demandé", "« 12 000 € »") if key == "amount" else ("Le budget total", "« 40 000 € »")
    if negative:
        return f"{what} ne peut pas être négatif. Indiquez une somme en euros, par exemple {example}."
    return (f"{what} ne peut pas dépasser {euros(MAX_AMOUNT)} : vérifiez le nombre de zéros. Indiquez une somme "
            f"en euros, par exemple {example}.")


def explanation(slot: str, call: CallFacts) -> str:
    """Why the assistant asks this question ("Pourquoi vous me demandez ça ?")."""
    a = call.amounts
    texts = {
        "structure": "L'appel est réservé aux structures de l'économie sociale et solidaire : associations, "
        "coopératives, mutuelles, fondations, SIAE et entreprises agréées ESUS. La forme juridique me dit "
        "si votre structure peut candidater.",
        "esus": "Une entreprise commerciale ne peut candidater que si elle détient l'agrément ESUS "
        f"({call.eligible_structures.esus_reference}). Sans lui, elle n'est pas éligible.",
        "commune": f"Le projet doit être domicilié dans l'une des {len(call.territory.communes)} communes du "
        f"{call.territory.department}. La commune me permet de le vérifier.",
        "stage": "L'appel finance des projets en émergence ou en démarrage, pas le fonctionnement courant "
        "d'une structure ni un projet installé depuis longtemps.",
        "amount": f"Le montant demandé doit être compris entre {euros(a.min)} et {euros(a.max)} : "
        "je vérifie qu'il respecte cette fourchette.",
        "total_budget": f"L'aide ne peut pas dépasser {percent(a.max_share_of_budget_percent)} du coût total "
        "du projet : le budget total me permet de vérifier cette limite.",
        "other_department_aid": "Un projet qui reçoit déjà une aide du Département pour le même projet "
        "n'est pas éligible à cet appel.",
    }
    return texts.get(
        slot,
        "Je pose ces questions pour vérifier, critère par critère, si votre projet peut candidater "
        "à l'appel à projets.",
    )


WHICH_FIELD = Prompt(
    "Quelle réponse voulez-vous corriger ?",
    [("Forme juridique", "je veux corriger la forme juridique"), ("Commune", "je veux corriger la commune"),
     ("Stade du projet", "je veux corriger le stade"), ("Montant demandé", "je veux corriger le montant"),
     ("Budget total", "je veux corriger le budget")],
)
