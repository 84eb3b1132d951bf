"""How applicants write their answers: the phrasing banks of the simulated applicants.

Only the applicants' texts are in French. Every phrasing is checked against the rules engine's readers
when the dialogues are generated (see ``profiles.check_phrasing``), so the suite never expects the
conversation to understand a text that ``python -m bot eligibility check`` does not understand.
"""
from __future__ import annotations

import random
import unicodedata

# ----------------------------------------------------------------------------- numbers

_UNITS = ("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
          "dix-sept dix-huit dix-neuf").split()
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    if n < 70:
        tens, unit = divmod(n, 10)
        return _TENS[tens] + ("" if unit == 0 else " et un" if unit == 1 else f"-{_UNITS[unit]}")
    if n < 80:
        return "soixante et onze" if n == 71 else f"soixante-{_UNITS[n - 60]}"
    return "quatre-vingts" if n == 80 else f"quatre-vingt-{_UNITS[n - 80]}"


def _below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _below_100(rest)
    head = "cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent" + ("s" if rest == 0 else "")
    return head if rest == 0 else f"{head} {_below_100(rest)}"


def french_words(n: int) -> str:
    """12500 -> "douze mille cinq cents" (0 < n < 1 000 000)."""
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        return _below_1000(rest)
    head = "mille" if thousands == 1 else f"{_below_1000(thousands)} mille"
    return head if rest == 0 else f"{head} {_below_1000(rest)}"


def spaced(n: int) -> str:
    """12000 -> "12 000"."""
    return f"{n:,}".replace(",", " ")


def _kilo(n: int) -> str:
    return str(n // 1000) if n % 1000 == 0 else f"{n / 1000:g}".replace(".", ",")


# Number styles: the phrasing classes numbers_<style>; each returns a text for an amount.
NUMBER_STYLES = {
    "bare": lambda n, rng: str(n),
    "spaced": lambda n, rng: spaced(n),
    "euro": lambda n, rng: rng.choice([f"{spaced(n)} €", f"{n}€", f"{spaced(n)} euros", f"{n} euros",
                                       f"{spaced(n)} EUR"]),
    "k": lambda n, rng: rng.choice([f"{_kilo(n)}k", f"{_kilo(n)} k€", f"{_kilo(n)}K", f"{_kilo(n)}k€"]),
    "words": lambda n, rng: rng.choice([f"{french_words(n)} euros", french_words(n)]),
    "about": lambda n, rng: rng.choice([f"environ {spaced(n)}", f"à peu près {spaced(n)} €",
                                        f"dans les {n} euros", f"autour de {spaced(n)} €", f"environ {n}€"]),
}


def plain_number(n: int) -> str:
    return f"{spaced(n)} €"


# ----------------------------------------------------------------------------- communes

def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def lower_commune(name: str, rng: random.Random) -> str:
    """"Champigny-sur-Marne" -> "champigny sur marne" (sometimes without accents)."""
    text = name.lower().replace("-", " ")
    return _strip_accents(text) if rng.random() < 0.5 else text


# Abbreviations and short names, with the official name they stand for (None: outside the territory).
ABBREVIATED: list[tuple[str, str]] = [
    ("st maur", "Saint-Maur-des-Fossés"), ("st maur des fosses", "Saint-Maur-des-Fossés"),
    ("st mandé", "Saint-Mandé"), ("st maurice", "Saint-Maurice"),
    ("villeneuve st georges", "Villeneuve-Saint-Georges"), ("boissy st léger", "Boissy-Saint-Léger"),
    ("vitry", "Vitry-sur-Seine"), ("ivry", "Ivry-sur-Seine"), ("champigny", "Champigny-sur-Marne"),
    ("kremlin bicetre", "Le Kremlin-Bicêtre"), ("l'hay", "L'Haÿ-les-Roses"), ("choisy", "Choisy-le-Roi"),
    ("charenton", "Charenton-le-Pont"), ("nogent", "Nogent-sur-Marne"), ("joinville", "Joinville-le-Pont"),
]
# Written with a preposition or in a sentence: (template, official name).
WITH_PREPOSITION: list[tuple[str, str]] = [
    ("à Créteil", "Créteil"), ("on est à Vitry", "Vitry-sur-Seine"), ("c'est à Fontenay", "Fontenay-sous-Bois"),
    ("on est basés à Ivry-sur-Seine", "Ivry-sur-Seine"), ("au Kremlin-Bicêtre", "Le Kremlin-Bicêtre"),
    ("à Champigny", "Champigny-sur-Marne"), ("sur Villejuif", "Villejuif"), ("à Orly", "Orly"),
    ("le projet est à Maisons-Alfort", "Maisons-Alfort"), ("à Montreuil", "Montreuil"),
    ("on est à Paris", "Paris"), ("à Vincennes", "Vincennes"),
]
# Paris, its arrondissements and the neighbouring communes (Vincennes, Saint-Mandé and Charenton are in the 94).
NEIGHBOURS: list[tuple[str, str]] = [
    ("paris 11", "Paris"), ("paris 11eme", "Paris"), ("Paris 20e", "Paris"), ("75011", "75011"),
    ("75020", "75020"), ("Paris", "Paris"), ("Montreuil", "Montreuil"), ("montreuil sous bois", "Montreuil"),
    ("Bagnolet", "Bagnolet"), ("Saint-Denis", "Saint-Denis"), ("93100", "93100"),
    ("Boulogne", "Boulogne-Billancourt"), ("Noisy-le-Grand", "Noisy-le-Grand"), ("Massy", "Massy"),
    ("Vincennes", "Vincennes"), ("vincennes", "Vincennes"), ("Saint-Mandé", "Saint-Mandé"),
    ("Charenton", "Charenton-le-Pont"),
]
OUTSIDE_NAMES = ["Paris", "Montreuil", "Bagnolet", "Saint-Denis", "Boulogne-Billancourt", "Nanterre"]

# ----------------------------------------------------------------------------- legal forms and stages

# Legal-form key (as read by bot.nlp.normalize.parse_legal_form) -> how applicants say it.
STRUCTURES: dict[str, list[str]] = {
    "association": ["on est une asso loi 1901", "nous sommes une association", "une petite asso de quartier",
                    "asso", "association loi 1901"],
    "cooperative": ["une scop", "on est une SCIC", "coopérative", "nous sommes une coopérative d'activité"],
    "mutuelle": ["une mutuelle"],
    "fondation": ["on est une fondation"],
    "siae": ["chantier d'insertion", "on est une entreprise d'insertion", "un atelier chantier d'insertion",
             "une structure d'insertion par l'activité économique"],
    "group_in_creation": ["on est un groupe d'habitants, l'asso est pas encore créée",
                          "un groupe d'habitants, notre association n'est pas encore créée",
                          "notre association n'est pas encore créée", "un collectif, pas encore de statuts"],
    "esus_company": ["une SAS agréée ESUS", "on est une SARL avec l'agrément ESUS"],
    "company": ["une SARL", "on est une SAS", "une entreprise", "on est une sarl"],
    "sole_trader": ["je suis auto-entrepreneur", "je suis micro-entrepreneuse"],
    "public_body": ["la mairie", "on est un CCAS"],
}
PLAIN_STRUCTURES: dict[str, str] = {
    "association": "association", "cooperative": "SCOP", "mutuelle": "mutuelle", "fondation": "fondation",
    "siae": "structure d'insertion", "group_in_creation": "collectif pas encore constitué",
    "esus_company": "SAS agréée ESUS", "company": "entreprise commerciale", "sole_trader": "auto-entrepreneur",
    "public_body": "mairie",
}
# Stage key (bot.nlp.normalize.parse_stage) -> how applicants say it.
STAGES: dict[str, list[str]] = {
    "emergence": ["on en est à l'étude de faisabilité", "c'est encore une idée, on veut l'expérimenter",
                  "on est en phase de test", "émergence"],
    "startup": ["on démarre", "on lance l'activité en septembre", "on vient de commencer", "en démarrage"],
    "established": ["ça fait 8 ans que ça tourne", "on existe depuis 2015", "déjà en activité depuis des années"],
    "running_costs": ["c'est pour payer le fonctionnement", "c'est pour payer les salaires",
                      "ça fait 8 ans que ça tourne, c'est pour payer le fonctionnement"],
}
PLAIN_STAGES = {"emergence": "émergence", "startup": "démarrage", "established": "en activité depuis plusieurs années",
                "running_costs": "fonctionnement courant de la structure"}

YES = ["oui oui", "ouais", "oui", "bien sûr", "ouais on l'a"]
NO = ["nan", "pas du tout", "non", "non aucune", "nope"]
DONT_KNOW = ["je ne sais pas", "jsp", "aucune idée", "je sais pas trop"]

# ----------------------------------------------------------------------------- openings and corrections

CHECK_REQUESTS = ["je voudrais vérifier si mon projet est éligible", "est-ce que mon projet est éligible ?",
                  "je veux vérifier mon éligibilité", "on peut candidater ?"]
# Rich openings: each slot ({structure}, {commune}, {stage}, {amount}, {total_budget}) gives that field.
RICH_OPENINGS: list[str] = [
    "Bonjour, on est {structure} à {commune} et on voudrait demander {amount} sur un budget de {total_budget}, "
    "on est éligibles ?",
    "Bonjour, nous sommes {structure} de {commune}, est-ce que notre projet est éligible ?",
    "Bonjour, on est {structure} à {commune}, {stage}, on peut candidater ?",
    "on est {structure}, on voudrait demander {amount} pour un coût total de {total_budget}, c'est possible ?",
    "Bonjour, notre projet est à {commune}, on voudrait demander {amount}, on est éligibles ?",
    "{structure} à {commune}, {stage}, on aimerait demander {amount} : c'est possible ?",
]
# Noun phrases for the openings: legal-form key -> texts.
OPENING_STRUCTURES: dict[str, list[str]] = {
    "association": ["une asso", "une association", "une association loi 1901"],
    "cooperative": ["une SCOP", "une SCIC"],
    "siae": ["un chantier d'insertion"],
    "group_in_creation": ["un collectif pas encore constitué"],
    "sole_trader": ["un auto-entrepreneur"],
}
OPENING_STAGES = {"emergence": ["le projet est en phase d'étude de faisabilité"],
                  "startup": ["le projet démarre", "on vient de démarrer"]}
OPENING_COMMUNES = ["Créteil", "Vitry", "Ivry-sur-Seine", "Champigny", "Villejuif", "Fontenay-sous-Bois"]

# Corrections: field -> templates ({value} is the new value's text); a None template corrects without a value.
CORRECTIONS: dict[str, list[str]] = {
    "amount": ["en fait le montant c'est {value}", "non en fait on demande {value}",
               "pardon, le montant demandé est de {value}"],
    "commune": ["non en fait on est à {value}", "en fait on est à {value}", "pardon, la commune c'est {value}"],
    "total_budget": ["non, le budget c'est {value}", "en fait le budget total est de {value}"],
    "structure": ["en fait on est {value}"],
}
CORRECTIONS_WITHOUT_VALUE: dict[str, str] = {
    "amount": "je me suis trompé sur le montant", "commune": "je me suis trompé de commune",
    "total_budget": "je me suis trompé sur le budget",
}
