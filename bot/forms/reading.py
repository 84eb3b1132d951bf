"""What an applicant's message means while a form asks a question (see docs/conversation.md).

:func:`read_message` is pure: the text, the field asked, the answers known so far and the
classifier's intent in; a :class:`Reading` out. The Rasa form validators only apply it.
The answer is read by the parser of the field asked, from the whole message. Other fields
are filled only from a message that describes the project (facts with clear cues, never a
bare number, see :mod:`bot.forms.description`) and never overwrite an answer: only an explicit
correction does. Cues that do not depend on the question asked are in :mod:`bot.forms.cues`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from bot.call.facts import CallFacts
from bot.forms.cues import CHITCHAT_INTENTS, is_question, looks_like_question
from bot.forms.description import amounts_in_description, facts_in
from bot.forms.fields import FIELDS, fields_named, parse_field
from bot.forms.parsers import read_money
from bot.nlp import normalize
from bot.nlp.amounts import parse_amounts
from bot.nlp.parsed import Parsed

STOP, WHY, DONT_KNOW, SKIP, CORRECTION, ANSWER, DESCRIPTION, QUESTION, CHITCHAT, UNCLEAR, DELETE = (
    "stop", "why", "dont_know", "skip", "correction", "answer", "description", "question", "chitchat", "unclear",
    "delete",
)

_DELETE = re.compile(  # a data noun is required: "on veut effacer les tags des murs" is a description
    r"\b(supprim|effac|retir)\w*\b.{0,25}\b(donnees|informations|infos|dossier|candidature|reponses|coordonnees)\b"
    r"|droit a l oubli|\b(supprim|effac)\w* tout\b"
)
_STOP = re.compile(
    r"^(stop+|stoppe|stopper|arrete|arreter|arretons|on arrete|on arrete la|arrete tout|annule|annuler|annulation"
    r"|laisse tomber|laissez tomber|j abandonne|abandonner|quitter|quitte|sortir|fin|terminer|au revoir|bye"
    r"|ciao|salut bye|je veux arreter|je veux sortir|j arrete|on laisse tomber|cancel)"
    r"( (la|le|tout|ca|cette verification|la verification|le formulaire|merci|svp|s il vous plait))*$"
)
_WHY = re.compile(
    r"^(mais )?pourquoi( ca| donc| cette question| vous me demandez ca| tu me demandes ca| c est important"
    r"| vous demandez ca| vous voulez savoir ca)?$|\bpourquoi (cette|vous me|tu me|me) (question|demand)"
    r"|\b(a quoi ca sert|ca sert a quoi)\b"
)
_DONT_KNOW = re.compile(
    r"\b(je )?(ne )?(sai[st]?|sais) (pas|plus|rien)\b|\bj sais pas\b|\bjsp\b|\bchais pas\b|\bsais pas\b"
    r"|aucune idee|\bpas (sur|sure|certain|certaine)\b|\bje ne connais pas\b|\bje connais pas\b"
    r"|\bje (n )?en ai aucune idee\b|\bbonne question\b|\bje (ne )?suis pas sur|\bje verifie\b|\bignore\b"
    r"|\bj en sais rien\b|\bne sait pas\b|^\?+$|^(euh|hum|bof)\b"
)
_PROJECT_FIELDS = ("structure", "esus", "commune", "stage", "amount", "total_budget", "other_department_aid")
_NOT_YET = re.compile(  # "je n'en ai pas", "on n'a pas encore de SIRET", "pas encore décidé"
    r"\b(pas encore|en cours|pas de (siret|numero|date)|n en (ai|a|avons) pas|(on|je|nous) (n )?(a|ai|avons) pas"
    r"|aucun|aucune|pas d idee|pas decide|pas fixe|on ne sait pas encore|inconnu|pas immatricul)\b")
_SKIP = re.compile(
    r"^(passer|passe|je passe|on passe|passons|passer cette question|passer la question|question suivante"
    r"|suivant|suivante|skip|next|a preciser|plus tard|je prefere ne pas repondre|sans reponse)( svp| merci)?$"
)
_CORRECTION = re.compile(
    r"^(non|nan|pardon|oups|attends?|attendez)\b|\ben fait\b|\benfaite?\b|\bfinalement\b|\bplutot\b"
    r"|\bje me suis trompe|\bje me suis plante|\berreur\b|\bcorrig|\bcorrection\b|\bmodifi|\bchang|\bremplac"
    r"|\brectifi|\bc etait\b|\bpas (le|la|l|les) [a-z]+ mais\b"
)
_NEW_VALUE = re.compile(r"(?:c\s*['’]?\s*est|:|devient|sera|plut[oô]t|remplac\w* par)\s+(.+)$", re.IGNORECASE)
_TRAILING_CUE = re.compile(  # "le titre c'est Jardins partagés en fait": the cue is not part of the title
    r"(?:[\s,;.!-]+(?:en fait|enfaite?|finalement|plut[oô]t|pardon|d[ée]sol[ée]e?|merci|svp|s'il vous pla[iî]t))+"
    r"[\s.!]*$", re.IGNORECASE)
_NOT_A_VALUE = re.compile(
    r"^(bon|bonne|ok|okay|bien|tres bien|juste|correct|correcte|parfait|exact|exacte|pareil|ca|ca va|le bon"
    r"|la bonne|bien moi|bien ca|bien le bon|bien la bonne|toujours (le meme|la meme|ca)|inchange|inchangee)$")
_BUT = re.compile(r"\b(mais|sauf|par contre|a part|excepte|seulement)\b")


def _names_with_value(text: str, key: str) -> bool:
    """The message names the field, then gives its value ("le montant c'est 9 000 €", "téléphone : 06…")."""
    folded = normalize.fold(text)  # punctuation kept
    return any(re.search(rf"\b{re.escape(word)}\b\s*(c\s*['’]?\s*est|est|devient|sera|:|=)", folded)
               for word in FIELDS[key].words)


def changes_something(text: str) -> bool:
    """A cue that the message changes an answer: "en fait", "non", "corriger"…, or "mais", "sauf"."""
    folded = normalize.fold_words(text)
    return bool(_CORRECTION.search(folded) or _BUT.search(folded))


_ASKING_FOR = re.compile(r"\b(on|je|nous) (demand|sollicit)\w*\b(?! a )")
# "et si je demande 15 000 € ?", "et avec 15000 ?": another value tried after the verdict, when the form opens again.
_WHAT_IF = re.compile(r"^(et )?si (on|je|j|nous)\b|^et (avec|pour)\b")


def _gives_the_request(text: str, folded: str, what_if: bool, call: CallFacts) -> bool:
    """The message gives the amount asked for, whatever the question: "non en fait on demande 9 000 €"; or,
    for another value tried ("et avec 15000 ?"), a lone sum, with no commune, legal form or stage beside it.
    """
    if _ASKING_FOR.search(folded):
        return True
    return what_if and not facts_in(text, call, ("commune", "structure", "stage")) \
        and parse_field("amount", text, call).value is not None


@dataclass
class Reading:
    kind: str
    values: dict[str, Any] = dataclass_field(default_factory=dict)  # field -> normalised value
    field: str | None = None  # the field a correction or an error is about
    error: str | None = None  # the parser's French message when the answer was not understood
    cleared: str | None = None  # a field to ask again (correction without a value)


def _correction(text: str, intent: str | None, asked: str | None, fields: Sequence[str],
                known: Mapping[str, Any], call: CallFacts) -> Reading | None:
    folded = normalize.fold_words(text)
    what_if = asked is None and bool(_WHAT_IF.search(folded)) and bool(known)
    cue = bool(_CORRECTION.search(folded)) or what_if
    if not cue and intent != "correct_answer":
        return None
    named = [f for f in fields_named(text, tuple(fields)) if f != asked]
    if not cue and asked is not None and FIELDS[asked].free_text:
        # Any text answers a free-text question: without a cue word, only "le montant c'est 9 000 €" (a field
        # named, then its new value) is a correction; "des jeunes de 16 à 25 ans sans emploi" is the answer.
        named = [f for f in named if _names_with_value(text, f)]
        if not named:
            return None
    if not named and asked != "amount" and "amount" in fields and _gives_the_request(text, folded, what_if, call):
        named = ["amount"]
    if named:
        target = named[0]
        if FIELDS[target].free_text:  # "le titre c'est Jardins partagés", never "le titre est faux"
            after = _NEW_VALUE.search(text)
            new_value = _TRAILING_CUE.sub("", after.group(1)).strip() if after else ""
            if _NOT_A_VALUE.match(normalize.fold_words(new_value)):
                new_value = ""  # "le nom du projet c'est bon" confirms, it does not rename the project "bon"
            parsed = parse_field(target, new_value, call) if new_value else Parsed(None)
        else:
            parsed = parse_field(target, text, call)
        if parsed.value is not None:
            return Reading(CORRECTION, {target: parsed.value}, field=target)
        if asked is None or parse_field(asked, text, call).value is None:
            return Reading(CORRECTION, field=target, cleared=target)
        return None
    changed = {k: v for k, v in facts_in(text, call, fields).items()
               if k != asked and known.get(k) is not None and known.get(k) != v}
    if changed and (asked is None or parse_field(asked, text, call).value is None):
        return Reading(CORRECTION, changed, field=next(iter(changed)))
    return None


def _money_still_missing(text: str, asked: str | None, fields: Sequence[str],
                         known: Mapping[str, Any]) -> dict[str, float]:
    """One sum in euros ("9 500 €", "9500 euros") in a message that does not answer the question, when exactly
    one of the request and the budget is still to be given: that one (a correction asked by staff).
    """
    missing = [k for k in ("amount", "total_budget") if k in fields and k != asked and known.get(k) is None]
    if len(missing) != 1 or not re.search(r"€|\beur\b|\beuros?\b|\d ?k\b", normalize.fold_words(text)):
        return {}
    amounts = parse_amounts(normalize.fold_words(text))
    value = read_money(amounts[0]) if len(amounts) == 1 else None
    return {missing[0]: value} if value is not None else {}


def read_message(text: str, *, asked: str | None, fields: Sequence[str], known: Mapping[str, Any],
                 intent: str | None, call: CallFacts) -> Reading:
    """What the message means for a form whose fields are ``fields`` and which asks ``asked``."""
    folded = normalize.fold_words(text)
    if not folded:
        return Reading(UNCLEAR, field=asked)
    if intent == "delete_data" or _DELETE.search(folded):
        return Reading(DELETE, field=asked)
    if _STOP.match(folded) or (intent == "goodbye" and len(folded.split()) <= 4 and (
            asked is None or parse_field(asked, text, call).value is None)):  # "à la rentrée" is a date
        return Reading(STOP, field=asked)
    if asked is None:  # the opening of a form: a correction of an earlier answer, or a description
        correction = _correction(text, intent, None, fields, known, call)
        if correction is not None and correction.values:
            return correction
        return Reading(DESCRIPTION, {k: v for k, v in facts_in(text, call, fields).items() if known.get(k) is None})
    if _WHY.search(folded):
        return Reading(WHY, field=asked)
    correction = _correction(text, intent, asked, fields, known, call)
    if correction is not None:
        return correction
    if _DONT_KNOW.search(folded) and len(folded.split()) <= 4:  # "aucune idée" is not a name nor 0 jobs
        return Reading(DONT_KNOW, field=asked)
    parsed = parse_field(asked, text, call)
    if parsed.value is not None and not (looks_like_question(text) and len(folded.split()) >= 3):
        if asked not in _PROJECT_FIELDS:  # "Les Cantines de Vitry", a SIRET, a phone: not a description
            return Reading(ANSWER, {asked: parsed.value}, field=asked)
        values = {k: v for k, v in facts_in(text, call, fields).items() if known.get(k) is None and k != asked}
        if asked in ("amount", "total_budget"):
            values.pop("amount" if asked == "total_budget" else "total_budget", None)
            both = amounts_in_description(text)
            if len(both) == 2:
                values = {**values, **both}
        values[asked] = values.get(asked, parsed.value)
        return Reading(ANSWER, values, field=asked)
    if intent == "ask_why":  # only when the message is not an answer ("ça fait 8 ans que ça tourne")
        return Reading(WHY, field=asked)
    if _DONT_KNOW.search(folded) or intent == "ask_help":
        return Reading(DONT_KNOW, field=asked)
    if _SKIP.match(folded) or (FIELDS[asked].optional and _NOT_YET.search(folded)):
        return Reading(SKIP, field=asked)
    described = {k: v for k, v in facts_in(text, call, fields).items() if known.get(k) is None and k != asked}
    if described and asked in _PROJECT_FIELDS:
        return Reading(DESCRIPTION, described, field=asked)
    money = _money_still_missing(text, asked, fields, known)
    if money:  # "c'est 9 500 € plutôt" while the date is asked, when only the amount is still to be given
        return Reading(DESCRIPTION, money, field=asked)
    if is_question(text, intent):
        return Reading(QUESTION, field=asked)
    if intent in CHITCHAT_INTENTS:
        return Reading(CHITCHAT, field=asked)
    return Reading(UNCLEAR, field=asked, error=parsed.error)


def read_correction(text: str, *, fields: Sequence[str], known: Mapping[str, Any],
                    call: CallFacts) -> Reading | None:
    """A correction outside a form ("en fait on est à Créteil"): the field and its new value, if any."""
    return _correction(text, "correct_answer", None, fields, known, call)



