"""Cues in an applicant's message that do not depend on the question asked: a question about the call,
a request to resume a draft, "terminer" at the summary, and where a message nobody understood goes
(:func:`fallback_route`). Pure, no Rasa; used by :mod:`bot.forms.reading` and by the actions.
"""
from __future__ import annotations

import re
from typing import Literal

from bot.call.facts import CallFacts
from bot.forms.description import describes_project
from bot.nlp.normalize import fold_words

# Intents that are not questions about the call.
CONVERSATION_INTENTS = {
    "greet", "goodbye", "thank", "bot_challenge", "ask_help", "affirm", "deny", "inform", "check_eligibility",
    "correct_answer", "ask_why", "out_of_scope", "nlu_fallback", "start_application", "resume_application",
    "delete_data",
}
CHITCHAT_INTENTS = {"greet", "thank", "bot_challenge"}

_INTERROGATIVE = re.compile(
    r"^(est ce qu|est ce que|qui|quoi|quel|quelle|quels|quelles|comment|combien|pourquoi|ou|quand|c est quoi"
    r"|peut on|peux je|puis je|pouvons nous|pouvez vous|on peut|je peux|faut il|doit on|y a t il|a t on"
    r"|je voudrais savoir|j aimerais savoir|je me demandais|dites moi|dis moi|c quoi|c koi|cest quoi|koi)\b"
)


def looks_like_question(text: str) -> bool:
    """A sentence asked as a question: a question mark, or an interrogative opening."""
    folded = fold_words(text)
    return len(folded.split()) >= 2 and ("?" in (text or "") or bool(_INTERROGATIVE.match(folded)))


def is_question(text: str, intent: str | None) -> bool:
    """A question about the call: a sentence asked as a question, or a sentence of several words that the
    classifier took for a question (a short answer such as "dans trois mois" is not a question).
    """
    faq = bool(intent) and intent not in CONVERSATION_INTENTS
    return looks_like_question(text) or (faq and len(fold_words(text).split()) >= 5)


_RESUME = re.compile(
    r"\b(reprendre|reprends|reprise|continuer|continue|poursuivre|finir|terminer|completer|retrouver|rouvrir)"
    r" (du|de mon|de ma|de notre|mon|ma|notre|nos|le|la|les)( \w+)? (dossier|candidature|pre candidature"
    r"|precandidature|brouillon)\b|\bess \d{4} \d{1,4}\b")


_SUBMIT = re.compile(r"^(terminer|termine|c est termine|j ai termine|j ai fini|c est fini|fini|envoyer|envoyez"
                     r"|soumettre|envoyer le dossier|envoyez le dossier|envoyer la candidature)( svp| merci)?$")


def submits(text: str) -> bool:
    """At the summary, "terminer" or "envoyer" means the applicant is done, not that they stop."""
    return bool(_SUBMIT.match(fold_words(text)))


def asks_to_resume(text: str) -> bool:
    """A request to resume a draft started earlier ("je voudrais reprendre ma pré-candidature")."""
    return bool(_RESUME.search(fold_words(text)))


_ASKS_ABOUT_DATA = re.compile(r"\b(donnees|infos perso|informations personnelles|rgpd|vie privee)\b")
_ASKS_FOR_THE_CHECK = re.compile(
    r"\b(eligib\w*|criteres?|ai je le droit|a t on le droit"
    r"|(je|on|nous) (veux|voudrais|veut|voudrait|voulons|souhaite|souhaitons|aimerais|aimerait) (verifier|tester)"
    r"($| (mon|notre|le|ce|ma|la) (projet|structure|association|asso|idee)\b)"
    r"|(beneficier|profiter|avoir droit) (de|a) (l aide|la subvention|cette aide|cette subvention|l appel))\b")

FallbackRoute = Literal["described", "privacy", "check", "fallback"]


def fallback_route(text: str, call: CallFacts | None) -> FallbackRoute:
    """Where a message the classifier did not understand goes, outside a form: ``described`` (it describes the
    project: the check, reading what it says), ``privacy`` (a question about personal data), ``check`` ("je
    voudrais savoir si ma structure est éligible": the check), else ``fallback``. Without the call facts (a broken
    data file), only the request for the check is recognised.
    """
    folded = fold_words(text)
    if call is not None and describes_project(text, call):
        return "described"
    if call is not None and _ASKS_ABOUT_DATA.search(folded):
        return "privacy"
    if _ASKS_FOR_THE_CHECK.search(folded):
        return "check"
    return "fallback"
