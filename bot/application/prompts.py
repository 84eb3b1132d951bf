"""What the pre-application says: privacy notice, questions, explanations, confirmations."""
from __future__ import annotations

from collections.abc import Sequence

from bot.call.facts import CallFacts
from bot.eligibility import prompts
from bot.eligibility.prompts import Prompt

SUMMARY_BUTTONS = [("Oui, c'est correct", "oui"), ("Modifier", "non")]
SHARED_WITH_ELIGIBILITY = ("structure", "commune", "stage", "amount", "total_budget", "other_department_aid")


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
    if slot in SHARED_WITH_ELIGIBILITY:
        return prompts.question(slot, call)
    questions = {
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
        "start_date": Prompt("Quand le projet doit-il démarrer ? (par exemple : septembre 2026 ou 01/09/2026)"),
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


def explanation(slot: str, call: CallFacts) -> str:
    if slot in SHARED_WITH_ELIGIBILITY:
        return prompts.explanation(slot, call)
    texts = {
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
    return texts.get(slot, prompts.explanation(slot, call))


def no_consent(call: CallFacts) -> str:
    """The answer to a refused consent: no draft, but the conversation itself is kept for a while."""
    return (
        "D'accord : je ne crée pas de dossier et je ne vous demande pas vos coordonnées. En revanche, "
        f"{conversation_kept(call)} ; écrivez « supprimez mes données » pour l'effacer tout de suite. "
        "Vous pouvez continuer à me poser vos questions sur l'appel à projets, ou vérifier l'éligibilité de "
        "votre projet."
    )


NO_CONSENT_WITHOUT_CALL = (
    "D'accord : je ne crée pas de dossier et je ne vous demande pas vos coordonnées. En revanche, cette "
    "conversation est conservée pendant une durée limitée, puis supprimée automatiquement ; écrivez "
    "« supprimez mes données » pour l'effacer tout de suite. Vous pouvez continuer à me poser vos questions "
    "sur l'appel à projets, ou vérifier l'éligibilité de votre projet."
)


def __getattr__(name: str) -> str:
    """``NO_CONSENT`` (read by actions/drafts.py): :func:`no_consent` with the current call data."""
    if name == "NO_CONSENT":
        from bot.call.facts import CallDataError, get_call

        try:
            return no_consent(get_call())
        except CallDataError:
            return NO_CONSENT_WITHOUT_CALL
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


SUMMARY_NOT_UNDERSTOOD = (
    "Répondez « oui » si tout est juste, ou dites ce qu'il faut changer, par exemple « le montant c'est "
    "9 000 € » ou « corriger le téléphone »."
)
def summary_help(count: int, call: CallFacts) -> Prompt:
    """After "je ne sais pas" (or "passer") at the summary: what to answer, then the ways on."""
    if count <= 1:
        return Prompt("Relisez le récapitulatif ci-dessus : si tout est juste, répondez « oui » et je vous donne le "
                      "numéro de votre dossier ; sinon, dites ce qu'il faut changer, par exemple « le montant c'est "
                      "9 000 € » ou « corriger le téléphone ».", SUMMARY_BUTTONS)
    from bot.faq.answers import contact

    return Prompt("Vos réponses sont déjà enregistrées : rien n'est perdu. Répondez « oui » pour valider votre "
                  "pré-candidature, « Modifier » pour changer une réponse, ou « stop » pour vous arrêter ici et "
                  f"reprendre plus tard. {contact(call)}", SUMMARY_BUTTONS + [("Arrêter", "stop")])


CONSENT_NOT_UNDERSTOOD = "Répondez « oui » si vous acceptez que j'enregistre vos informations, sinon « non »."
SAVE_FAILED = (
    "Je n'arrive pas à enregistrer votre dossier pour le moment (problème technique). Rien n'est perdu : "
    "je garde vos réponses et je les enregistrerai dès que possible. Continuons."
)
DELETE_CONFIRMATION = Prompt(
    "Voulez-vous vraiment supprimer votre pré-candidature et cette conversation ? C'est définitif.",
    [("Oui, supprimer", "oui"), ("Non, garder", "non")],
)
# The same words whatever went wrong (unknown reference, wrong e-mail, locked reference or address).
RESUME_CODE_SENT = (
    "Si ce numéro de dossier et cette adresse e-mail correspondent à une pré-candidature, un code à 6 chiffres "
    "vient d'être envoyé à cette adresse. Il est valable 15 minutes. Rien reçu ? Vérifiez le numéro et l'adresse "
    "donnée dans le dossier, puis écrivez à nouveau le numéro du dossier pour recommencer."
)
# The same words whatever went wrong (wrong code, expired code, no code sent, locked reference or address).
RESUME_CODE_REJECTED = (
    "Ce code ne permet pas d'ouvrir le dossier. Vérifiez le dernier code reçu : il est valable 15 minutes. "
    "Après 5 essais, le dossier est bloqué pendant une heure ; le service peut le débloquer."
)
RESUME_CODE_NOT_UNDERSTOOD = "Le code compte 6 chiffres, par exemple 123456."
RESUME_GIVE_UP = (
    "Je m'arrête là pour ce dossier. Vous pourrez demander un nouveau code plus tard en écrivant "
    "« reprendre mon dossier », ou contacter le service."
)
RESUME_STOPPED = (
    "D'accord, j'arrête là. Pour reprendre votre dossier plus tard, écrivez « reprendre mon dossier » suivi de "
    "son numéro."
)
RESUME_FAILED = (
    "Je n'arrive pas à vérifier votre dossier pour le moment (problème technique). Réessayez dans quelques "
    "instants en écrivant « reprendre mon dossier »."
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
        f"plus tard, écrivez « reprendre mon dossier {reference} », puis l'adresse e-mail donnée dans le dossier : "
        "je vous y enverrai un code."
    )


def resumed(reference: str) -> str:
    return f"J'ai retrouvé votre dossier {reference}. Reprenons où vous en étiez."


def _phrases(keys: Sequence[str]) -> str:
    """« le montant demandé et la date de démarrage » (the fields' phrases from bot.forms.fields)."""
    from bot.forms.fields import field

    phrases = [field(key).phrase for key in keys]
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " et " + phrases[-1]


def correction_asked(reference: str, keys: Sequence[str], comment: str) -> str:
    """On resuming a draft that staff sent back: what they asked, and that only those questions follow."""
    these = "cette question" if len(keys) == 1 else "ces questions"
    return (f"J'ai retrouvé votre dossier {reference}. Les services du Département vous demandent de corriger "
            f"{_phrases(keys)}. Leur message : « {comment} »\nJe vous pose seulement {these}, puis je vous montre "
            "le récapitulatif : vos corrections seront enregistrées quand vous l'aurez validé.")


def corrections_confirmed(changed: Sequence[str]) -> str:
    """After the summary of a correction is confirmed (the draft is back in review; no promise beyond that)."""
    done = (f"Merci : vos corrections sont enregistrées ({_phrases(changed)})." if changed else
            "Merci : vous avez confirmé les informations demandées, sans les modifier.")
    return (f"{done} Votre dossier est de nouveau « en cours d'examen » : les services du Département y voient "
            "ce qui a changé.")


def corrections_pending(reference: str) -> str:
    """The applicant stopped in the middle of a correction: nothing was sent."""
    return (f"Vos corrections ne sont pas encore enregistrées : le dossier {reference} attend toujours les "
            "corrections demandées par les services du Département. Elles le seront quand vous aurez validé le "
            "récapitulatif.")


def resume_code_mail(reference: str, code: str) -> tuple[str, str]:
    """(subject, body) of the e-mail that carries a resume code."""
    subject = f"Votre code pour reprendre la pré-candidature {reference}"
    body = (
        "Bonjour,\n\n"
        f"Voici le code pour reprendre votre pré-candidature {reference} à l'appel à projets ESS "
        f"du Département du Val-de-Marne :\n\n    {code}\n\n"
        "Tapez-le dans la conversation avec l'assistant. Il est valable 15 minutes et ne sert qu'une fois.\n\n"
        "Si vous n'avez rien demandé, ignorez ce message : sans ce code, personne ne peut ouvrir votre dossier.\n\n"
        "L'assistant de l'appel à projets ESS du Val-de-Marne\n"
        "(message automatique, merci de ne pas y répondre)\n"
    )
    return subject, body


def deleted(count: int) -> str:
    if count:
        return "C'est fait : votre pré-candidature et cette conversation ont été supprimées."
    return "C'est fait : je n'avais aucun dossier enregistré pour vous, et cette conversation a été supprimée."
