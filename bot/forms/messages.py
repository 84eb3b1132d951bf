"""What the forms say around a question: help after "je ne sais pas", answers not understood,
skipped questions, corrections, and the way out. Texts only; figures come from the call data.
"""
from __future__ import annotations

from typing import Any

from bot.call.facts import CallFacts
from bot.faq.answers import contact
from bot.forms import prompts
from bot.forms.fields import field
from bot.forms.prompts import Button, Prompt

SKIP_BUTTON: Button = ("Passer cette question", "passer")
STOP_BUTTON: Button = ("Arrêter", "stop")


def _choices(key: str, call: CallFacts) -> list[Button]:
    return list(prompts.question(key, call).buttons)


def _exits(key: str) -> list[Button]:
    return [SKIP_BUTTON] if field(key).skippable else [STOP_BUTTON]


def _expected(key: str, error: str | None) -> str:
    return error or prompts.INVALID.get(key) or "Je n'ai pas compris votre réponse."


def help_to_answer(key: str, call: CallFacts) -> Prompt:
    """After "je ne sais pas": what the field means, how to answer, and a way on."""
    meaning = prompts.explanation(key, call)
    how = prompts.INVALID.get(key, "").split(". ", 1)[-1] if key in prompts.INVALID else ""
    if field(key).skippable:
        way_on = "Si vous ne savez pas encore, vous pouvez passer cette question : elle restera « à préciser »."
    else:
        way_on = ("Cette information est nécessaire pour la suite. Si vous ne l'avez pas sous la main, vous pouvez "
                  "arrêter ici et reprendre plus tard.")
    lines = ["Pas de souci, je vous explique.", meaning]
    if how:
        lines.append(how)
    lines.append(way_on)
    return Prompt(" ".join(line for line in lines if line), _choices(key, call) + _exits(key))


def consent_help(call: CallFacts) -> Prompt:
    return Prompt(
        prompts.explanation("consent", call) + " Répondez « oui » pour continuer la pré-candidature, "
        "ou « non » : je continuerai à répondre à vos questions, sans créer de dossier.",
        [("Oui, j'accepte", "oui"), ("Non", "non")],
    )


def not_understood(key: str, failures: int, error: str | None, call: CallFacts) -> Prompt:
    """The 1st, 2nd and 3rd answer not understood get three different messages."""
    expected = _expected(key, error)
    if failures <= 1:
        return Prompt(expected, _choices(key, call))
    if failures == 2:
        why = prompts.explanation(key, call)
        return Prompt(f"Je n'ai toujours pas compris, désolé. {why} {expected}", _choices(key, call) + _exits(key))
    skip = (" Vous pouvez aussi passer cette question (elle restera « à préciser »)" if field(key).skippable
            else " Vous pouvez aussi arrêter ici (ce que vous avez déjà répondu est gardé)")
    return Prompt(
        f"Je n'arrive pas à lire votre réponse sur {field(key).phrase}. Choisissez une réponse ci-dessous si "
        f"elle convient.{skip}, ou demander de l'aide au service. {contact(call)}",
        _choices(key, call) + _exits(key) + ([STOP_BUTTON] if field(key).skippable else []),
    )


def skipped(key: str) -> str:
    return f"D'accord, je laisse {field(key).phrase} « à préciser » ; vous pourrez compléter cette information plus tard."


def gave_up(key: str, call: CallFacts) -> str:
    return (f"Je n'arrive pas à lire votre réponse sur {field(key).phrase}, désolé. Je m'arrête là pour ne pas "
            f"vous reposer la même question. {contact(call)}")


def noted(values: dict) -> str:
    parts = [f"{field(key).label.lower()} : {field(key).display(value)}" for key, value in values.items()
             if key in ("structure", "commune", "stage", "amount", "total_budget", "other_department_aid")]
    return "C'est noté (" + " ; ".join(parts) + ")." if parts else "C'est noté."


def corrected(key: str, value: Any) -> str:
    if value is None:
        return f"D'accord, corrigeons {field(key).phrase} : je vous repose la question."
    return f"C'est corrigé : {field(key).label.lower()} : {field(key).display(value)}."


NO_ANSWER_HERE = ("Je n'ai pas de réponse sûre à cette question. Je peux vous parler des conditions de l'appel à "
                  "projets, des montants ou du calendrier ; reprenons d'abord la question en cours.")
ALREADY_CHECKING = ("C'est justement ce que nous vérifions : répondez à ces quelques questions, et je vous dirai si "
                    "votre projet peut candidater ; vous pourrez ensuite préparer votre pré-candidature. Reprenons :")
ALREADY_APPLYING = ("C'est justement ce que nous faisons : je prépare votre pré-candidature avec vos réponses. "
                    "Reprenons :")
GREETING = "Bonjour ! Reprenons :"
THANKS = "Avec plaisir ! Reprenons :"
CHECK_STOPPED = ("D'accord, j'arrête la vérification. Vos réponses sont gardées : écrivez « vérifier mon "
                 "éligibilité » pour reprendre, ou posez-moi une question sur l'appel à projets.")
APPLICATION_STOPPED = ("D'accord, j'arrête la pré-candidature ici. Ce que vous avez déjà répondu est gardé : écrivez "
                       "« préparer ma pré-candidature » pour continuer, ou posez-moi une question.")
CHECK_FROM_DESCRIPTION = ("Vérifions l'éligibilité de votre projet à partir de ce que vous m'avez dit ; je vous pose "
                          "seulement les questions qui manquent.")
SIRET_BEFORE_PAYMENT = ("C'est noté. Un numéro SIRET sera nécessaire avant tout versement de l'aide : une association "
                        "l'obtient en demandant son immatriculation à l'INSEE, après sa déclaration en préfecture.")
SIRET_BEFORE_PAYMENT_OTHERS = ("C'est noté. Un numéro SIRET sera nécessaire avant tout versement de l'aide : votre "
                               "structure l'obtient lors de son immatriculation.")


def siret_before_payment(structure: object) -> str:
    """Why a SIRET will be needed, and how this kind of structure gets it (never the association's way for a SARL)."""
    return SIRET_BEFORE_PAYMENT if structure in (None, "association") else SIRET_BEFORE_PAYMENT_OTHERS
