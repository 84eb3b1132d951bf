"""What the pre-application says besides its questions: a refused consent, the summary's help, confirmations,
resume and deletion. The questions, their "why" texts and the privacy notice are in :mod:`bot.forms.prompts`.
"""
from __future__ import annotations

from collections.abc import Sequence

from bot.call.facts import CallFacts
from bot.faq.answers import contact
from bot.forms.fields import field
from bot.forms.prompts import SUMMARY_BUTTONS, Prompt, conversation_kept


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


def summary_help(count: int, call: CallFacts) -> Prompt:
    """After "je ne sais pas" (or "passer") at the summary: what to answer, then the ways on."""
    if count <= 1:
        return Prompt("Relisez le récapitulatif ci-dessus : si tout est juste, répondez « oui » et je vous donne le "
                      "numéro de votre dossier ; sinon, dites ce qu'il faut changer, par exemple « le montant c'est "
                      "9 000 € » ou « corriger le téléphone ».", SUMMARY_BUTTONS)
    return Prompt("Vos réponses sont déjà enregistrées : rien n'est perdu. Répondez « oui » pour valider votre "
                  "pré-candidature, « Modifier » pour changer une réponse, ou « stop » pour vous arrêter ici et "
                  f"reprendre plus tard. {contact(call)}", SUMMARY_BUTTONS + [("Arrêter", "stop")])


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
