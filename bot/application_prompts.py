"""What the pre-application says: privacy notice, questions, explanations, confirmations."""
from __future__ import annotations

from bot import prompts
from bot.call import CallFacts
from bot.prompts import Prompt

SHARED_WITH_ELIGIBILITY = ("structure", "commune", "stage", "amount", "total_budget", "other_department_aid")


def privacy_notice(call: CallFacts) -> str:
    return (
        "Avant de commencer, quelques mots sur vos données. Pour préparer votre pré-candidature, je vais "
        "vous demander le nom et le statut de votre structure, son SIRET, le nom, l'e-mail et le téléphone "
        "d'une personne à contacter, et la description de votre projet. Ces informations servent uniquement "
        f"à l'instruction de l'appel à projets par les services du Département du {call.territory.department}. "
        f"Elles sont conservées {call.privacy.retention_days} jours au plus, et vous pouvez les faire "
        "supprimer à tout moment en écrivant « supprimez mes données »."
    )


def question(slot: str, call: CallFacts) -> Prompt:
    if slot in SHARED_WITH_ELIGIBILITY:
        return prompts.question(slot, call)
    questions = {
        "consent": Prompt(
            privacy_notice(call) + "\nAcceptez-vous que j'enregistre ces informations ?",
            [("Oui, j'accepte", "oui"), ("Non", "non")],
        ),
        "org_name": Prompt("Quel est le nom de votre structure (ou de votre collectif) ?"),
        "siret": Prompt("Quel est le numéro SIRET de votre structure ? (14 chiffres, par exemple 732 829 320 00074)"),
        "contact_name": Prompt("Quel est le nom de la personne à contacter pour ce dossier ?"),
        "email": Prompt("Quelle est son adresse e-mail ?"),
        "phone": Prompt("Et son numéro de téléphone ? (par exemple 06 12 34 56 78)"),
        "project_title": Prompt("Quel est le titre de votre projet ?"),
        "project_description": Prompt(
            "Décrivez votre projet en quelques phrases : ce que vous voulez faire, pour qui, et comment."
        ),
        "beneficiaries": Prompt("À quel public s'adresse le projet ? (ses bénéficiaires)"),
        "jobs": Prompt("Combien d'emplois le projet va-t-il créer ou consolider ? (un nombre, 0 si aucun)"),
        "start_date": Prompt("Quand le projet doit-il démarrer ? (par exemple : septembre 2026 ou 01/09/2026)"),
        "resume_reference": Prompt("Quel est le numéro de votre dossier ? (par exemple ESS-2026-0042)"),
        "resume_email": Prompt(
            "Pour protéger vos données, indiquez l'adresse e-mail donnée dans ce dossier."
        ),
    }
    return questions[slot]


def explanation(slot: str, call: CallFacts) -> str:
    if slot in SHARED_WITH_ELIGIBILITY:
        return prompts.explanation(slot, call)
    texts = {
        "consent": "Je ne peux pas enregistrer vos coordonnées sans votre accord : c'est la loi (RGPD). "
        "Sans accord, je continue de répondre à vos questions, sans rien conserver.",
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
        "resume_reference": "Le numéro de dossier permet de retrouver votre pré-candidature.",
        "resume_email": "Je ne montre jamais le contenu d'un dossier sans l'e-mail qui y a été donné.",
    }
    return texts.get(slot, prompts.explanation(slot, call))


NO_CONSENT = (
    "D'accord : je n'enregistre aucune donnée personnelle. Vous pouvez continuer à me poser vos questions "
    "sur l'appel à projets, ou vérifier l'éligibilité de votre projet."
)
CONSENT_NOT_UNDERSTOOD = "Répondez « oui » si vous acceptez que j'enregistre vos informations, sinon « non »."
SAVE_FAILED = (
    "Je n'arrive pas à enregistrer votre dossier pour le moment (problème technique). Rien n'est perdu : "
    "je garde vos réponses et je les enregistrerai dès que possible. Continuons."
)
DELETE_CONFIRMATION = Prompt(
    "Voulez-vous vraiment supprimer votre pré-candidature et cette conversation ? C'est définitif.",
    [("Oui, supprimer", "oui"), ("Non, garder", "non")],
)
RESUME_NOT_FOUND = (
    "Je ne trouve pas de dossier avec ce numéro et cet e-mail. Vérifiez le numéro (par exemple "
    "ESS-2026-0042) et l'adresse donnée dans le dossier."
)
REFERENCE_NOT_UNDERSTOOD = "Je n'ai pas reconnu de numéro de dossier. Il ressemble à ESS-2026-0042."
WHAT_TO_CHANGE = Prompt(
    "Que voulez-vous modifier ? Dites par exemple « change l'e-mail », « corriger le téléphone » ou "
    "« le montant c'est 9 000 en fait »."
)


def confirmed(reference: str) -> str:
    return (
        f"Votre pré-candidature est enregistrée sous la référence {reference}. Les services du Département "
        "l'examineront ; être éligible ne garantit pas l'obtention de l'aide. Pour la reprendre ou la modifier "
        f"plus tard, écrivez « reprendre mon dossier {reference} », puis l'adresse e-mail donnée dans le dossier."
    )


def resumed(reference: str) -> str:
    return f"J'ai retrouvé votre dossier {reference}. Reprenons où vous en étiez."


def deleted(count: int) -> str:
    if count:
        return "C'est fait : votre pré-candidature et cette conversation ont été supprimées."
    return "C'est fait : je n'avais aucun dossier enregistré pour vous, et cette conversation a été supprimée."
