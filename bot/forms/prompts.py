"""What the forms ask and say about each field, for the eligibility check and the pre-application alike: the
questions, "why this question", the hint after an answer not understood, and the privacy notice the consent
question carries. One text per key of :mod:`bot.forms.fields`; figures come from the call data. Texts only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.call.facts import CallFacts
from bot.call.format import euros, percent
from bot.nlp.bounds import MAX_AMOUNT
from bot.nlp.dates import example_start

Button = tuple[str, str]  # (title, payload typed as if by the user)

YES_NO: list[Button] = [("Oui", "oui"), ("Non", "non")]
SUMMARY_BUTTONS = [("Oui, c'est correct", "oui"), ("Modifier", "non")]


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


def conversation_kept(call: CallFacts) -> str:
    """What happens to a conversation linked to no draft (durations from ``privacy`` in call.yml)."""
    return (f"cette conversation est conservée {call.privacy.conversation_days} jours après votre dernier "
            "message, puis supprimée automatiquement")


def privacy_notice(call: CallFacts) -> str:
    return (
        "Avant de commencer, quelques mots sur vos données. Pour préparer votre pré-candidature, je vais "
        "vous demander le nom et le statut de votre structure, son SIRET, le nom, l'e-mail et le téléphone "
        "d'une personne à contacter, et la description de votre projet. Ces informations servent uniquement "
        f"à l'instruction de l'appel à projets par les services du Département du {call.territory.department}. "
        f"Votre pré-candidature et cette conversation sont conservées {call.privacy.retention_days} jours après "
        "la dernière modification du dossier, puis supprimées ; vous pouvez les faire supprimer à tout moment "
        "en écrivant « supprimez mes données ». Si vous refusez, aucun dossier n'est créé, mais "
        f"{conversation_kept(call)}."
    )


def question(slot: str, call: CallFacts) -> Prompt:
    """The question of a field, for either form (and the questions of a resume)."""
    example = example_start()  # a start date not yet past
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
        "consent": Prompt(
            privacy_notice(call) + "\nAcceptez-vous que j'enregistre ces informations ?",
            [("Oui, j'accepte", "oui"), ("Non", "non")],
        ),
        "org_name": Prompt("Quel est le nom de votre structure (ou de votre collectif) ?"),
        "siret": Prompt(
            "Quel est le numéro SIRET de votre structure ? (14 chiffres, par exemple 732 829 320 00074 ; une "
            "association qui n'a pas encore de SIRET peut donner son numéro RNA, W suivi de 9 chiffres, ou "
            "répondre « pas encore »)",
            [("Pas encore de SIRET", "pas encore")],
        ),
        "contact_name": Prompt("Quel est le nom de la personne à contacter pour ce dossier ?"),
        "email": Prompt("Quelle est son adresse e-mail ?"),
        "phone": Prompt("Et son numéro de téléphone ? (par exemple 06 12 34 56 78)"),
        "project_title": Prompt("Quel est le titre de votre projet ?"),
        "project_description": Prompt(
            "Décrivez votre projet en quelques phrases : ce que vous voulez faire, pour qui, et comment."
        ),
        "beneficiaries": Prompt("À quel public s'adresse le projet ? (ses bénéficiaires)"),
        "jobs": Prompt("Combien d'emplois le projet va-t-il créer ou consolider ? (un nombre, 0 si aucun)"),
        "start_date": Prompt(f"Quand le projet doit-il démarrer ? (par exemple : septembre {example.year} ou "
                             f"{example:%d/%m/%Y})"),
        "summary_confirmed": Prompt("Tout est-il correct ?", SUMMARY_BUTTONS),
        "resume_reference": Prompt("Quel est le numéro de votre dossier ? (par exemple ESS-2026-0042)"),
        "resume_email": Prompt(
            "Pour protéger vos données, indiquez l'adresse e-mail donnée dans ce dossier : "
            "j'y enverrai un code à 6 chiffres."
        ),
        "resume_code": Prompt(
            "Tapez le code à 6 chiffres reçu par e-mail (pensez à regarder dans les courriers indésirables)."
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


CONSENT_NOT_UNDERSTOOD = "Répondez « oui » si vous acceptez que j'enregistre vos informations, sinon « non »."
SUMMARY_NOT_UNDERSTOOD = (
    "Répondez « oui » si tout est juste, ou dites ce qu'il faut changer, par exemple « le montant c'est "
    "9 000 € » ou « corriger le téléphone »."
)


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
        "consent": "Je ne peux pas enregistrer vos coordonnées sans votre accord : c'est la loi (RGPD). "
        "Sans accord, je continue de répondre à vos questions sans créer de dossier ; "
        f"{conversation_kept(call)} (écrivez « supprimez mes données » pour l'effacer plus tôt).",
        "org_name": "Le nom de la structure permet aux services du Département d'identifier le porteur du projet.",
        "siret": "Le SIRET identifie officiellement votre structure ; les services en ont besoin pour "
        "l'instruction et le versement éventuel de l'aide.",
        "contact_name": "Les services du Département doivent savoir qui contacter au sujet du dossier.",
        "email": "L'e-mail sert à vous répondre et à protéger votre dossier : il vous sera demandé pour le reprendre.",
        "phone": "Le téléphone permet aux services de vous joindre rapidement si une précision est nécessaire.",
        "project_title": "Le titre permet de repérer votre projet parmi les candidatures.",
        "project_description": "La description permet de vérifier que le projet correspond à l'appel et "
        "prépare l'examen de ses critères (utilité sociale, ancrage territorial…).",
        "beneficiaries": "Le public visé montre l'utilité sociale et l'ancrage territorial du projet.",
        "jobs": "La création ou la consolidation d'emplois fait partie des critères de sélection.",
        "start_date": "La date de démarrage permet de vérifier que le projet en est au stade de l'émergence "
        "ou du démarrage.",
        "summary_confirmed": "Le récapitulatif vous permet de vérifier ce que j'ai compris avant de valider votre "
        "pré-candidature ; vous pouvez encore tout modifier.",
        "resume_reference": "Le numéro de dossier permet de retrouver votre pré-candidature.",
        "resume_email": "Je ne montre jamais le contenu d'un dossier sans l'e-mail qui y a été donné.",
        "resume_code": "Le code envoyé à l'adresse du dossier prouve que ce dossier est le vôtre : sans lui, "
        "personne ne peut l'ouvrir, le modifier ni le supprimer.",
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
WHAT_TO_CHANGE = Prompt(
    "Que voulez-vous modifier ? Dites par exemple « change l'e-mail », « corriger le téléphone » ou "
    "« le montant c'est 9 000 en fait »."
)
