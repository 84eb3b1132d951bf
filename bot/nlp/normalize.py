"""French free text -> values: amounts, legal forms, yes/no, project stage, commune.

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
- In :func:`parse_amount`, when some numbers carry a money marker (€, euros, k,
  million) and others do not, the first *marked* one wins ("en 2024 on demande
  12 000 €" -> 12000). Numbers followed by %, years, months, people... are skipped.
- :func:`parse_stage` returns ``None`` when the text mixes an old activity with a
  new one ("existe depuis 2015 mais on lance..."): the project may be new even if
  the organisation is not, so the bot must ask.
"""
from __future__ import annotations

import re
import unicodedata

from text_to_num import alpha2digit

from bot.call.facts import CallFacts, get_call
from bot.nlp.communes import CommuneMatch, match_commune

__all__ = [
    "CommuneMatch", "LEGAL_FORMS", "STAGES", "fold", "parse_amount", "parse_amounts",
    "parse_commune", "parse_legal_form", "parse_stage", "parse_yes_no",
]

_SPACE_CHARS = "\u00a0\u202f\u2007\u2009\u200a\t\r\n"
_APOSTROPHES = "'’‘`´ʼ′"
_HYPHENS = "-‐‑‒–—―−"
_FOLD_TABLE = str.maketrans(
    {**{c: " " for c in _SPACE_CHARS + _APOSTROPHES + _HYPHENS}, "œ": "oe", "æ": "ae"}
)


def fold(text: object) -> str:
    """Lowercase, strip accents, apostrophes/hyphens -> spaces, collapse spaces."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKD", text.lower().translate(_FOLD_TABLE))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).strip()


def _words(text: object) -> str:
    """Folded text with dotted acronyms joined (S.A.S. -> sas) and punctuation removed."""
    t = re.sub(r"\b(?:[a-z]\.){2,}[a-z]?", lambda m: m.group().replace(".", ""), fold(text))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", t)).strip()


def _as_key(text: str, keys) -> str | None:
    key = _words(text).replace(" ", "_")
    return key if key in keys else None


def _first_match(text: str, table) -> str | None:
    for key, patterns in table:
        if any(re.search(p, text) for p in patterns):
            return key
    return None


# --------------------------------------------------------------------------- amounts

_DIGIT_WORD_MULT = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)?) ?(mille|millions?|milliards?)\b"
)
_WORD_MULT = {"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9}
_AMOUNT = re.compile(
    r"(?<![\w.,/])(?P<neg>_neg_ ?)?"
    r"(?P<int>\d{1,3}(?:[ .,]\d{3})+(?!\d)|\d+)(?:[.,](?P<dec>\d{1,2}))?(?![\d/])"
    r"(?: ?(?P<mult>k(?:e|eur|euros?)?(?![a-z])|m(?= ?(?:€|eur))))?"
)
_NOT_MONEY_AFTER = re.compile(
    r" ?(%|(?:ans?|annees?|mois|jours?|semaines?|heures?|h\d*|personnes?|salaries?|emplois?"
    r"|beneficiaires?|habitants?|benevoles?|adherents?|membres?|places?|projets?|er|eme"
    r"|mi ?temps|temps (?:plein|partiel)s?|etp|postes?|enfants?|jeunes?|familles?|ateliers?|seances?|fois"
    r"|m2|km|kg)\b)"
)
_MONEY_AFTER = re.compile(r" ?(€|e\b|eur\b|euros?\b)")
_RANGE = re.compile(r" ?(a|et|ou|voire)? ?")
_MONEY_BEFORE = re.compile(r"(€|\beur|\beuros?) ?$")


def _number(int_part: str, dec: str | None) -> float:
    value = float(re.sub(r"[ .,]", "", int_part))
    return value + float(f"0.{dec}") if dec else value


def _scan_amounts(text: object) -> list[tuple[float, bool]]:
    """(value, has_money_marker) for each number in the text, in order; signed."""
    if isinstance(text, bool) or text is None:
        return []
    if isinstance(text, (int, float)):
        return [(float(text), True)]
    if not isinstance(text, str):
        return []
    t = re.sub(f"[ {_SPACE_CHARS}]+", " ", text.lower())
    t = re.sub(r"\bpour ?cents?\b", "%", t)

    def expand(m: re.Match) -> str:
        return str(int(float(m.group(1).replace(",", ".")) * _WORD_MULT[m.group(2)]))

    t = alpha2digit(_DIGIT_WORD_MULT.sub(expand, t), "fr")
    t = fold(re.sub(r"(?<![\w.,])[-−–](?=\d)", " _neg_", t))
    found: list[tuple[float, bool]] = []
    previous_end = -1
    for m in _AMOUNT.finditer(t):
        if not m.group("mult") and _NOT_MONEY_AFTER.match(t, m.end()):
            continue
        value = _number(m.group("int"), m.group("dec"))
        value *= {"k": 1e3, "m": 1e6}.get((m.group("mult") or " ")[0], 1.0)
        marked = bool(
            m.group("mult")
            or _MONEY_AFTER.match(t, m.end())
            or _MONEY_BEFORE.search(t, 0, m.start())
        )
        if marked and found and _RANGE.fullmatch(t, previous_end, m.start()):
            found[-1] = (found[-1][0], True)  # "5 000 à 8 000 €": both are euros
        found.append((-value if m.group("neg") else value, marked))
        previous_end = m.end()
    return found


def parse_amounts(text: object) -> list[float]:
    """Every positive amount in euros in the text, in order of appearance."""
    return [value for value, _ in _scan_amounts(text) if value > 0]


def parse_amount(text: object) -> float | None:
    """The first amount in euros ("12 000 €", "12k", "douze mille", "1,5 million").

    None when there is no amount, or when it is zero or negative.
    """
    found = _scan_amounts(text)
    marked = [value for value, is_money in found if is_money]
    value = marked[0] if marked else (found[0][0] if found else None)
    return value if value is not None and value > 0 else None


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


def parse_legal_form(text: object) -> str | None:
    """One of :data:`LEGAL_FORMS` ("asso loi 1901" -> "association"), else None."""
    if not isinstance(text, str):
        return None
    t = _words(text)
    future = _FUTURE.search(t)
    if future:
        return parse_legal_form(t[:future.start()]) or "group_in_creation"
    key = _as_key(text, LEGAL_FORMS) or _first_match(t, _LEGAL_FORM_TABLE)
    if key:
        return key
    is_company = bool(re.search(r"(?<![\w.])S\.?A\.?(?![\w.])", text)) or any(
        re.search(p, t) for p in _COMPANY
    )
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


_BUDGET_WORDS = re.compile(r"\b(budget|cout|total|globale?)\b")


def parse_request_and_budget(text: object) -> tuple[float | None, float | None]:
    """(amount requested, total budget) from one sentence that may give both.

    "on demande 12 000 € sur un budget de 40 000 €" -> (12000.0, 40000.0). The first
    amount after a budget word ("budget", "coût", "total") is the budget; the other
    is the request. Without such a word, two amounts are read as (smaller, larger).
    """
    folded = fold(text)
    match = _BUDGET_WORDS.search(folded)
    if match:
        before, after = parse_amounts(folded[: match.start()]), parse_amounts(folded[match.start():])
        rest = before + after[1:]
        return (rest[0] if rest else None), (after[0] if after else None)
    amounts = parse_amounts(folded)
    if len(amounts) == 2:
        return min(amounts), max(amounts)
    return (amounts[0] if len(amounts) == 1 else None), None
