"""How applicants write the answers of the pre-application: the phrasing banks of the simulated applicants.

Only the applicants' texts are in French. Each bank entry that stands for a known value carries it (a legal
form key, a number of jobs, an identifier kind); the generator checks it against the field's parser
(``bot.forms.fields.parse_field``) and marks the dialogue with a gap when the parser reads something else.
"""
from __future__ import annotations

import datetime as dt
import random

import phonenumbers
from stdnum import luhn

# ----------------------------------------------------------------------------- opening, consent, yes

OPENINGS = ["je veux préparer ma pré-candidature", "je voudrais préparer ma pré-candidature",
            "je souhaite déposer une pré-candidature", "je veux faire une pré-candidature"]
CHECK_REQUESTS = ["je voudrais vérifier si mon projet est éligible", "est-ce que mon projet est éligible ?"]
CONSENT_YES = ["oui", "oui j'accepte", "d'accord", "j'accepte", "ok pour moi"]
CONFIRM = ["oui", "oui c'est correct", "oui, tout est juste"]
# Confirmations at the summary without a "oui" (the class confirm_words).
CONFIRM_WORDS = ["c'est bon", "c'est tout bon", "parfait, c'est correct", "je confirme", "tout est bon",
                 "c'est ok pour moi", "valider"]
DELETE_REQUESTS = ["supprimez mes données", "je veux supprimer mes données", "effacez mon dossier"]
DONT_KNOW = ["je ne sais pas", "aucune idée", "je sais pas", "jsp"]

# ----------------------------------------------------------------------------- profiles: legal forms

# Profile -> (legal-form key, what the applicant types) -- the key is what the parser must read.
STRUCTURES: dict[str, list[tuple[str, str]]] = {
    "siret": [("association", "association loi 1901"), ("association", "une asso"), ("cooperative", "SCOP"),
              ("cooperative", "une SCIC"), ("mutuelle", "une mutuelle"), ("fondation", "une fondation"),
              ("association", "nous sommes une association")],
    "rna": [("association", "association loi 1901"), ("association", "une asso déclarée en préfecture"),
            ("association", "une association toute récente"), ("association", "asso 1901")],
    "group": [("group_in_creation", "collectif pas encore constitué"),
              ("group_in_creation", "pas encore de structure, on est un collectif"),
              ("group_in_creation", "un collectif d'habitants pas encore constitué"),
              ("group_in_creation", "on est un groupe d'habitants, pas encore en association"),
              ("group_in_creation", "groupe d'habitants sans statut"), ("group_in_creation", "collectif informel"),
              ("group_in_creation", "on n'a pas encore créé l'association"),
              ("group_in_creation", "association en cours de création"),
              ("group_in_creation", "on va créer une association")],
    "esus": [("esus_company", "SAS agréée ESUS"), ("esus_company", "SARL agréée ESUS"),
             ("esus_company", "une entreprise solidaire d'utilité sociale"),
             ("esus_company", "SAS avec l'agrément ESUS")],
    "siae": [("siae", "chantier d'insertion"), ("siae", "entreprise d'insertion"), ("siae", "SIAE"),
             ("siae", "association intermédiaire"), ("siae", "atelier chantier d'insertion (ACI)")],
}
PROFILES = tuple(STRUCTURES)

ORG_NAMES: dict[str, list[str]] = {
    "siret": ["Les Jardins Partagés du Mont-Mesly", "Vélo Solidaire Ivry", "La Recyclerie de Vitry",
              "Les Cantines de Choisy", "Coop'Ménage Créteil"],
    "rna": ["Les Amis du Parc des Lilas", "Répar'Café Fontenay", "Bouge ton Quartier", "c'est l'association Lire Ensemble"],
    "group": ["Collectif des Habitants de la Cité Verte", "Les Voisins Solidaires de Villejuif", "Collectif Zéro Déchet Orly"],
    "esus": ["Solicycle SAS", "Les Paniers de l'Est", "Atelier Bois Circulaire"],
    "siae": ["Chantier Nature 94", "Régie de Quartier de Champigny", "Tremplin Bâtiment Vitry"],
}

# ----------------------------------------------------------------------------- identifiers


def make_siret(rng: random.Random) -> str:
    """A valid SIRET: a SIREN with its Luhn key, then an establishment number completing the Luhn check."""
    siren = "".join(rng.choice("123456789") for _ in range(8))
    siren += luhn.calc_check_digit(siren)
    nic = "0001" if rng.random() < 0.6 else f"{rng.randrange(1, 999):04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def spaced_siret(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"


SIRET_STYLES = ["{spaced}", "{bare}", "siret : {spaced}", "notre SIRET c'est {bare}", "SIRET {spaced}"]
KNOWN_SIRETS = ["73282932000074", "35600000000048"]


def make_rna(rng: random.Random) -> str:
    return "W94" + "".join(rng.choice("0123456789") for _ in range(7))


RNA_STYLES = ["{rna}", "on n'a pas encore de SIRET, juste un numéro RNA {rna}", "RNA : {spaced}",
              "{lower}", "notre numéro RNA est le {rna}"]
# Answers that give no identifier: the field is optional, it stays "à préciser".
NO_IDENTIFIER = ["pas encore", "je n'en ai pas", "je ne sais pas", "on n'a pas encore de SIRET",
                 "pas encore de SIRET, la demande est en cours"]

# ----------------------------------------------------------------------------- contact

PEOPLE = [("Marie", "Curie"), ("Karim", "Benali"), ("Sophie", "Martin"), ("Nadia", "Haddad"),
          ("Jean-Pierre", "Durand"), ("Fatou", "Diallo"), ("Lucas", "Nguyen"), ("Inès", "Moreau")]
NAME_STYLES = ["{first} {last}", "Je m'appelle {first} {last}", "c'est moi, {first} {last}", "{first} {last}, responsable du projet",
               "Mme {first} {last}"]
DOMAINS = ["exemple.fr", "asso-exemple.org", "gmail.com", "orange.fr", "free.fr"]


def ascii_name(text: str) -> str:
    table = str.maketrans("éèêëàâîïôöûüç", "eeeeaaiioouuc")
    return text.lower().translate(table).replace(" ", "-")


def email_of(first: str, last: str, rng: random.Random) -> str:
    return f"{ascii_name(first)}.{ascii_name(last)}@{rng.choice(DOMAINS)}"


EMAIL_STYLES = ["{address}", "mon mail c'est {address}", "{address} merci"]
EMAIL_CAPITALS = [lambda a: a.upper(), lambda a: a.title(), lambda a: a.split("@")[0].upper() + "@" + a.split("@")[1],
                  lambda a: "MON MAIL : " + a.upper()]


def make_phone(rng: random.Random) -> str:
    """Ten digits of an attributed French mobile or Île-de-France landline number (069x: Réunion, Mayotte)."""
    while True:
        head = rng.choice(["06", "07", "01"])
        digits = head + rng.choice("5678" if head == "07" else "12345678") + "".join(
            rng.choice("0123456789") for _ in range(7))
        if phonenumbers.is_valid_number(phonenumbers.parse(digits, "FR")):
            return digits


def national(digits: str) -> str:
    """"0612345678" -> "06 12 34 56 78" (how the parser stores a French number)."""
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


PHONE_STYLES = {
    "spaces": lambda d: national(d),
    "dots": lambda d: national(d).replace(" ", "."),
    "plus33": lambda d: "+33 " + d[1] + " " + " ".join(d[i:i + 2] for i in range(2, 10, 2)),
    "plus33_glued": lambda d: "+33" + d[1:],
    "plus33_zero": lambda d: "+33 (0)" + d[1] + " " + " ".join(d[i:i + 2] for i in range(2, 10, 2)),
    "0033": lambda d: "0033 " + d[1:],
    "dashes": lambda d: national(d).replace(" ", "-"),
    "glued": lambda d: d,
    "sentence": lambda d: "mon portable : " + national(d),
}

# ----------------------------------------------------------------------------- the project

TITLES = ["Un jardin pour tous", "Vélo pour tous", "Répar'Café mobile", "La cantine solidaire",
          "Cuisine et insertion", "Ressourcerie de quartier", "Lire ensemble au pied des immeubles"]
DESCRIPTIONS = [
    "Nous voulons créer un jardin partagé ouvert aux habitants du quartier, avec des ateliers de jardinage chaque semaine.",
    "Un atelier de réparation de vélos tenu par des bénévoles et un salarié en insertion, pour que chacun puisse "
    "se déplacer à moindre coût.",
    "Une cantine solidaire qui cuisine des invendus alimentaires et sert des repas à prix libre deux fois par semaine.",
    "Collecter les objets dont les gens ne veulent plus, les réparer et les revendre à petits prix dans une boutique.",
    "Des lectures et des ateliers d'écriture au pied des immeubles pendant les vacances scolaires, avec les familles.",
    "Former des personnes éloignées de l'emploi aux métiers du bâtiment en rénovant des logements du quartier.",
]
BENEFICIARIES = ["les habitants du quartier", "des jeunes de 16 à 25 ans sans emploi", "les familles du quartier",
                 "les personnes âgées isolées", "des demandeurs d'emploi de longue durée",
                 "les enfants et leurs parents", "tout public"]
STAGES = [("startup", "en démarrage"), ("emergence", "émergence"), ("startup", "on démarre"),
          ("emergence", "c'est une expérimentation"), ("startup", "démarrage")]
AID_NO = ["non", "non, aucune", "pas du tout", "non jamais"]
AMOUNT_STYLES = ["{spaced} €", "{bare}", "{k}k", "{bare} euros"]
BUDGET_STYLES = ["{spaced} €", "{bare}", "{k}k", "environ {spaced} €"]

# ----------------------------------------------------------------------------- phrasing classes

# Jobs in the applicant's words -> the number the parser must read.
JOBS: list[tuple[int, str]] = [(0, "aucun"), (1, "un mi-temps"), (2, "2 ETP"), (2, "1,5 ETP"), (2, "deux emplois"),
                               (3, "trois postes dont un en insertion"), (2, "un temps plein et un mi-temps"),
                               (0, "pas d'emploi créé"), (4, "4 emplois consolidés"), (0, "zéro")]
PLAIN_JOBS: list[tuple[int, str]] = [(1, "1"), (2, "2"), (3, "3 emplois")]
# Dates in the applicant's words (the parser gives the day; "je ne sais pas" is another class).
DATES = ["dans trois mois", "à la rentrée", "janvier prochain", "en janvier prochain", "au début de l'année prochaine",
         "le mois prochain", "dans six mois", "au printemps", "septembre prochain", "courant février",
         "d'ici l'été", "fin janvier", "dès que possible"]
# Plain dates in next year: always ahead, never too far (bot/nlp/dates.py refuses more than a year ago), whenever
# the suite is played (a fixed year would be refused once more than a year has passed).
NEXT_YEAR = dt.date.today().year + 1
PLAIN_DATES = [f"septembre {NEXT_YEAR}", f"01/04/{NEXT_YEAR}", f"le 1er mars {NEXT_YEAR}", f"mars {NEXT_YEAR}"]
# Required fields where "je ne sais pas" gets help, then the answer.
DONT_KNOW_REQUIRED = ["email", "phone", "jobs", "project_title", "beneficiaries", "amount", "total_budget",
                      "commune", "contact_name"]

# Corrections at the summary: field -> templates; {value} is the new value as typed.
SUMMARY_FIXES: dict[str, list[str]] = {
    "amount": ["le montant c'est {value} en fait", "en fait on demande {value}", "je me suis trompé sur le montant : {value}"],
    "total_budget": ["le budget total c'est {value} finalement", "en fait le budget total est de {value}"],
    "phone": ["le téléphone c'est {value} en fait", "changez le téléphone : {value}"],
    "email": ["mon e-mail a changé : {value}", "en fait le mail c'est {value}"],
    "jobs": ["en fait ce sera {value}", "je me suis trompé pour les emplois, c'est {value}"],
    "start_date": ["la date de démarrage c'est plutôt {value}", "en fait le démarrage prévu c'est {value}"],
    "project_title": ["je me suis trompé sur le titre, c'est {value}", "le titre c'est {value} en fait"],
    "commune": ["en fait on est à {value}"],
}
NEW_VALUES: dict[str, list[str]] = {
    "amount": ["9 000 €", "9 000", "11 500 €", "7 000 euros"], "total_budget": ["50 000 €", "45 000 €", "60 000"],
    "jobs": ["3 emplois", "deux emplois", "un mi-temps"], "start_date": [f"mars {NEXT_YEAR}", "à la rentrée", "dans trois mois"],
    "project_title": ["Jardins en fête", "Le vélo solidaire", "Cuisine du monde"],
    "commune": ["Créteil", "Vitry-sur-Seine", "Champigny-sur-Marne"],
}
# A correction that names the field without a value: the field is asked again, the applicant answers.
CLEARING_FIXES: dict[str, list[str]] = {"email": ["change l'e-mail", "je veux changer l'adresse mail"],
                                        "phone": ["corriger le téléphone", "je voudrais modifier le numéro de téléphone"]}
WHAT_TO_CHANGE_FIRST = ["non", "non, il y a une erreur"]

# ----------------------------------------------------------------------------- resume

RESUME_REQUESTS = ["reprendre mon dossier {reference}", "je voudrais reprendre mon dossier {reference}",
                   "bonjour, je veux reprendre ma pré-candidature {reference}"]
RESUME_WITHOUT_REFERENCE = ["reprendre mon dossier", "je voudrais reprendre ma pré-candidature"]
CODE_STYLES = ["{code}", "{a} {b}", "mon code : {code}", "le code est {code}"]
RESUME_CHANGES = {"phone": ["le téléphone c'est {value}", "mon nouveau numéro de téléphone : {value}",
                            "le téléphone c'est {value} en fait"],
                  "amount": ["le montant c'est {value} en fait"], "email": ["mon e-mail a changé : {value}"]}
