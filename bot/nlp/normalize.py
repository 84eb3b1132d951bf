"""French free text -> values: legal forms, yes/no, project stage, commune (amounts: :mod:`bot.nlp.amounts`).

Pure functions, no Rasa, no I/O. Every parser returns ``None`` when it does not
understand the text ("not understood") rather than guessing: the caller then
asks again. Territory data (communes, postcodes, neighbours) comes from the
call data (:class:`bot.call.facts.CallFacts`); only vocabulary lives here.

Decisions worth knowing:
- "EI" alone means *entreprise d'insertion* (an SIAE), the usual meaning in the
  ESS world; a sole trader is recognised only from explicit words
  ("entrepreneur individuel", "entreprise individuelle", "auto-entrepreneur"...).
- "SA" (société anonyme) is recognised only when written in capitals, because
  "sa" is a common French word.
- :func:`parse_stage` returns ``None`` when the text mixes an old activity with a
  new one ("existe depuis 2015 mais on lance..."): the project may be new even if
  the organisation is not, so the bot must ask.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from functools import cache, lru_cache

from bot.call.facts import CallFacts, get_call
from bot.nlp.communes import CommuneMatch, match_commune

__all__ = [
    "CommuneMatch", "LEGAL_FORMS", "SPACE_CHARS", "STAGES", "fold", "fold_words", "parse_commune", "parse_legal_form",
    "parse_stage", "parse_yes_no",
]

SPACE_CHARS = "\u00a0\u202f\u2007\u2009\u200a\t\r\n"
_APOSTROPHES = "'’‘`´ʼ′"
_HYPHENS = "-‐‑‒–—―−"
_FOLD_TABLE = str.maketrans(
    {**{c: " " for c in SPACE_CHARS + _APOSTROPHES + _HYPHENS}, "œ": "oe", "æ": "ae"}
)


_SPACES = re.compile(r"\s+")


def fold(text: object) -> str:
    """The one way text is compared in bot/: lowercase, accents stripped, œ/æ -> oe/ae, apostrophes, hyphens and
    unusual spaces -> spaces, spaces collapsed; punctuation kept ("C'est-à-dire 5,5 k€ ?" -> "c est a dire 5,5 k€ ?").
    Anything but a string folds to "".
    """
    if not isinstance(text, str):
        return ""
    return _fold(text)


@lru_cache(maxsize=256)
def _fold(text: str) -> str:
    """:func:`fold` of a string, remembered: one message is folded several times, by each parser that reads it."""
    text = text.lower().translate(_FOLD_TABLE)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _SPACES.sub(" ", text).strip()


def _without_punctuation(folded: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", folded)).strip()


def fold_words(text: object) -> str:
    """:func:`fold`, punctuation removed too: only words, single spaces ("Qui peut candidater ?" -> "qui peut
    candidater").
    """
    return _without_punctuation(fold(text))


def _words(text: object) -> str:
    """:func:`fold_words` with dotted acronyms joined first (S.A.S. -> sas)."""
    return _without_punctuation(re.sub(r"\b(?:[a-z]\.){2,}[a-z]?", lambda m: m.group().replace(".", ""), fold(text)))


def _as_key(text: str, keys: Collection[str]) -> str | None:
    key = _words(text).replace(" ", "_")
    return key if key in keys else None


@cache
def _any_of(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled regex that matches where any of ``patterns`` does (compiled once)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _first_match(text: str, table: Iterable[tuple[str, tuple[str, ...]]]) -> str | None:
    for key, patterns in table:
        if _any_of(patterns).search(text):
            return key
    return None


# ----------------------------------------------------------------------- legal form

LEGAL_FORMS = (
    "association", "cooperative", "mutuelle", "fondation", "siae", "esus_company",
    "company", "company_no_esus", "sole_trader", "public_body", "group_in_creation",
)
_LEGAL_FORM_TABLE = (
    ("group_in_creation", (
        r"en (cours de )?(creation|constitution|declaration|immatriculation)",
        r"pas encore (de |d |une |un |en |en tant qu )?(structure|statuts?|asso|association|entite"
        r"|personne morale|forme juridique)",
        r"pas encore (cree|creee|crees|creees|constitu|declar|immatricul|enregistr|mont)",
        r"\b(ante|avant|pre) ?creation", r"\b(pas|aucune|sans) (de )?(structure|statuts?)\b",
        r"\bassociation de fait\b",
    )),
    ("sole_trader", (
        r"\bauto ?entrepren", r"\bmicro ?entrepr", r"\bentreprises? individuelles?\b",
        r"\bentrepreneu(r|se)s? individuel", r"\beirl\b",
    )),
    ("siae", (
        r"\bsiae\b", r"\biae\b", r"\bchantiers? d insertion\b", r"\baci\b",
        r"\bentreprises? d insertion\b", r"\bei\b", r"\betti\b",
        r"travail temporaire d insertion", r"\bassociations? intermediaires?\b",
        r"\bstructures? d insertion\b", r"insertion par l activite economique",
    )),
    ("cooperative", (r"\bscop\b", r"\bscic\b", r"\bcae\b", r"\bcooperatives?\b", r"\bcoop\b")),
    ("mutuelle", (r"\bmutuelles?\b", r"\bmutualistes?\b")),
    ("fondation", (r"\bfondations?\b",)),
    ("association", (r"\bassos?\b", r"\bassoc\b", r"\bassociations?\b", r"\b1901\b")),
)
_ESUS = re.compile(r"\besus\b|solidaires? d utilite sociale")
_APPROVED = re.compile(r"\bagre(e|ee|es|ees|ment)\b")
_NO_ESUS = re.compile(
    r"\b(sans|pas|non|aucun|ni|plus)( encore)?( d| de| l| un| d un| une)? (agre|esus)"
    r"|\b(agrement|esus) (en cours|en attente|demande)|en (cours|attente) d (agrement|obtention)"
)
_COMPANY = (
    r"\b(sas|sasu|sarl|sarlu|eurl|snc|sca|sci|pme|tpe)\b", r"\bsocietes?\b",
    r"\bentreprises?\b", r"\bstart ?ups?\b", r"\bsociete anonyme\b",
)
_LATE_TABLE = (
    ("sole_trader", (r"\bindependante?s?\b", r"\bfree ?lance", r"\bprofession liberale\b")),
    ("group_in_creation", (r"\bcollectifs?\b", r"\bgroupe d habitants\b", r"\bhabitants\b")),
    ("public_body", (
        r"\bmairie\b", r"\bcommunes?\b", r"\bville de\b", r"\bcollectivites?\b",
        r"\betablissements? publics?\b", r"\bccas\b", r"\bcias\b", r"\bdepartement\b",
        r"conseil (departemental|regional|general)", r"\bregion\b", r"\bl etat\b", r"^etat$",
        r"\bepci\b", r"\bintercommunal", r"\bservices? publics?\b",
        r"\bcommunaute d agglomeration\b",
    )),
)


# A structure still to be created ("on va créer une association", "notre future asso"): a group in creation,
# unless the text first names the structure that exists ("nous sommes une SCOP et nous allons créer une asso").
_FUTURE = re.compile(
    r"\b(va|vas|vont|allons|allez|voudrions|voulons|souhaitons|compte|comptons|prevoit|prevoyons)"
    r"( bientot)? (creer|monter|fonder|constituer|declarer) (une |un |l |la |notre |nos |les |des |)"
    r"(asso|assos|association|associations|structure|cooperative|scop|scic)\b"
    r"|\bfutur(e|es|s)? (structure|asso|association|cooperative|scop|scic)\b"
)


# The project, not the structure, being created ("notre asso… projet en création"): no legal form in it.
PROJECT_IN_CREATION = r"projet (?:est )?en (?:cours de )?creation"
_PROJECT_IN_CREATION = re.compile(rf"\b(le |notre |mon |du |un )?{PROJECT_IN_CREATION}\b")


def parse_legal_form(text: object) -> str | None:
    """One of :data:`LEGAL_FORMS` ("asso loi 1901" -> "association"), else None."""
    if not isinstance(text, str):
        return None
    t = _PROJECT_IN_CREATION.sub(" ", _words(text))
    future = _FUTURE.search(t)
    if future:
        return parse_legal_form(t[:future.start()]) or "group_in_creation"
    key = _as_key(text, LEGAL_FORMS) or _first_match(t, _LEGAL_FORM_TABLE)
    if key:
        return key
    is_company = bool(re.search(r"(?<![\w.])S\.?A\.?(?![\w.])", text)) or bool(_any_of(_COMPANY).search(t))
    if _ESUS.search(t) or (is_company and _APPROVED.search(t)):
        return "company_no_esus" if _NO_ESUS.search(t) else "esus_company"
    if is_company:
        return "company"
    return _first_match(t, _LATE_TABLE)


# -------------------------------------------------------------------------- yes / no

_UNSURE = re.compile(
    r"peut etre|\bsai[st]? pas\b|\bne sai[st]\b|aucune idee|\bpas (sur|sure|certaine?)\b"
    r"|\bca depend\b|\bdepend\b|oui et non|\bbof\b|\bhesit|\bprobablement\b"
    r"|pas tout a fait|\bsais plus\b|\bje verifie\b"
)
_NEGATED_YES = re.compile(
    r"\b(absolument|vraiment|surtout) pas\b"
    r"|\bpas (vraiment|exactement|exact|absolument|d accord|ok|correct|du tout)\b"
)
_YES = re.compile(
    r"\b(oui+|ouais|ouai|yes|yep|yeah|ok|okay|exact|exacte|exactement|absolument|affirmatif"
    r"|evidemment|effectivement|certainement|tout a fait|bien sur|bien entendu|d accord"
    r"|c est ca|correct|carrement|parfaitement)\b|^(mais )?si( si)*$"
)
_NO = re.compile(r"\b(non+|nan|no|nope|pas|aucun|aucune|aucunement|jamais|negatif|rien)\b")


def parse_yes_no(text: object) -> bool | None:
    """True for "oui"/"tout à fait"..., False for "non"/"pas encore"..., else None."""
    if isinstance(text, bool):
        return text
    t = _words(text)
    if not t or _UNSURE.search(t):
        return None
    if re.search(r"\bque non\b", t):
        return False
    if re.search(r"\bque oui\b", t):
        return True
    t = _NEGATED_YES.sub(" non ", t)
    yes, no = bool(_YES.search(t)), bool(_NO.search(t))
    return yes if yes != no else None


# ---------------------------------------------------------------------------- stage

STAGES = ("emergence", "startup", "established", "running_costs")
_NUMBER_WORDS = r"(\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quinze|vingt)"
_STAGE_TABLE = (
    ("running_costs", (
        r"(?<!en )\bfonctionnement\b", r"\bsalaires?\b", r"\bloyers?\b", r"\bcharges\b",
        r"frais (generaux|de structure)", r"masse salariale",
    )),
    ("established", (
        r"\bexist(e|ons|ent|ait) depuis\b", r"depuis (plusieurs|de nombreuses|des|quelques"
        rf"|{_NUMBER_WORDS}) (ans|annees)\b", r"\bdepuis (19|20)\d\d\b", r"depuis longtemps",
        rf"\bfait (plus de )?{_NUMBER_WORDS} (ans|annees)\b",
        r"\bdeja (en activite|actif|active|actifs|en place|existant|operationnel|en fonction)",
        r"\ben activite\b", r"\bprojet existant\b", r"\ben fonctionnement\b",
        r"(phase|stade) de developpement", r"\ben (plein )?developpement\b",
        r"\bdeveloppement d un projet\b", r"plusieurs annees", r"\bconsolidation\b",
    )),
    ("emergence", (
        r"\bemergen", r"\bfaisabilite\b", r"\bexperiment", r"\bidees?\b", r"\ben projet\b",
        r"\btests?\b", r"\btester\b", r"\bpilote\b", r"\bprototyp", r"\breflexion\b",
        r"\betudes?\b", r"pas encore (commence|demarre|lance)",
    )),
    ("startup", (
        r"\bdemarr", r"\blancement\b", r"\blanc(e|ons|er|ent)\b", r"\bcommenc",
        r"\bdebut", r"\bcreation\b", r"premiere annee", r"\bamorcage\b", r"\bvient de\b",
        r"\bviennent de\b", r"\bouverture\b", r"\btout juste\b",
    )),
)


def parse_stage(text: object) -> str | None:
    """One of :data:`STAGES` ("étude de faisabilité" -> "emergence"), else None."""
    if not isinstance(text, str):
        return None
    t = _words(text)
    key = _as_key(text, STAGES)
    if key or not t or _UNSURE.search(t):
        return key
    found = {k for k, patterns in _STAGE_TABLE if any(re.search(p, t) for p in patterns)}
    if found == {"emergence", "startup"}:
        return "emergence"
    if found == {"established", "running_costs"}:  # "ça tourne depuis 8 ans, c'est pour le fonctionnement"
        return "running_costs"
    return found.pop() if len(found) == 1 else None


# -------------------------------------------------------------------------- commune


def parse_commune(text: object, call: CallFacts | None = None) -> CommuneMatch | None:
    """The commune named in the text (Val-de-Marne or not), or None.

    Accepts names with typos or abbreviations ("st maur", "creteuil") and postcodes.
    """
    if not isinstance(text, str):
        return None
    return match_commune(fold(text), call if call is not None else get_call(), fold)
