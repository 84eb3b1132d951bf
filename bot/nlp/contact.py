"""French free text -> values for the pre-application form (SIRET, contact, start date, jobs, texts).

Pure functions, no Rasa, no I/O: e-mails are checked for syntax only, never against the DNS. Every
parser returns :class:`Parsed`: ``value`` (normalised, or None) and ``error`` (None, or a polite French
explanation with an example, which the bot shows before asking again). Decisions worth knowing:
- Phones: French numbers, overseas departments included, come back in national format
  "06 12 34 56 78"; a valid foreign number typed with + or 00 is kept in international format.
- E-mails: accents before the @ are refused (many mail servers cannot deliver them); the local part
  keeps its case, the domain is lowercased; common domain typos ("gmail.con") are pointed out.
- Start dates: "septembre 2026" -> 1st of the month; a month or a season without a year -> its next
  occurrence, the current month included; "début/mi/fin 2027" -> 1 Jan / 1 Jul / 1 Dec;
  "début/mi/fin septembre" -> 1st / 15th / last day; seasons are meteorological (printemps = 1 March);
  "rentrée" = 1 September. Refused: more than one year ago, or more than five years ahead (a typo).
- Jobs: a part-time job counts as one job ("un mi-temps" -> 1); fractions of FTE are rounded up
  ("1,5 ETP" -> 2: a fraction of a post is still someone employed); "2 créés et 3 consolidés" -> 5;
  what follows "dont" is a detail and is ignored; "2 ou 3" is refused (one number is needed).
- Free text keeps paragraph breaks (descriptions) and is never HTML-escaped here: the web layer escapes.
- Person names keep the case as typed and need a first and a last name ("Marie" alone is refused).
"""
from __future__ import annotations

import calendar
import datetime as dt
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.fr import siret as stdnum_siret
from text_to_num import alpha2digit

from bot.nlp.bounds import MAX_JOBS, has_exponent, has_negative_number
from bot.nlp.normalize import fold

__all__ = [
    "Parsed", "parse_email", "parse_free_text", "parse_jobs", "parse_person_name", "parse_phone",
    "parse_siret", "parse_start_date", "parse_identifier",
]


@dataclass(frozen=True)
class Parsed:
    value: Any = None
    error: str | None = None


def _fail(message: str) -> Parsed:
    return Parsed(None, " ".join(message.split()))


def _text(text: object) -> str:
    return text if isinstance(text, str) else ""


# -------------------------------------------------------------------------------------------- SIRET

_SIRET_EXAMPLE = "par exemple 732 829 320 00074"


def parse_siret(text: object) -> Parsed:
    """14 digits ("732 829 320 00074", "siret : 73282932000074"), checked by python-stdnum."""
    t = _text(text)
    if re.search(r"\bW\d{9}\b", t, re.IGNORECASE):
        return _fail(f"""Ce numéro ressemble à un numéro RNA d'association (W suivi de 9 chiffres). Il me faut le
            SIRET, 14 chiffres, qui figure sur l'avis de situation INSEE, {_SIRET_EXAMPLE}.""")
    digits = max((re.sub(r"\D", "", m) for m in re.findall(r"\d[\d\s.\-/]*\d|\d", t)), key=len, default="")
    if not digits:
        return _fail(f"Je n'ai pas trouvé de chiffres : un SIRET en compte 14, {_SIRET_EXAMPLE}.")
    if len(digits) == 9:
        return _fail(f"""Ce numéro a 9 chiffres : c'est sans doute le SIREN. Le SIRET en compte 14 (le SIREN suivi
            des 5 chiffres de l'établissement), {_SIRET_EXAMPLE}.""")
    if len(digits) != 14:
        return _fail(f"""Un SIRET compte 14 chiffres ; j'en ai trouvé {len(digits)}. Recopiez-le en entier,
            {_SIRET_EXAMPLE}.""")
    if not stdnum_siret.is_valid(digits) or not digits.strip("0"):  # stdnum knows La Poste's rule
        return _fail(f"""Le numéro {digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]} ne passe pas le contrôle
            de validité (clé de Luhn) : vérifiez-le sur votre avis de situation INSEE ou sur
            annuaire-entreprises.data.gouv.fr, puis recopiez-le.""")
    return Parsed(digits)


_RNA = re.compile(r"(?<![\w])W((?:[\s.]?\d){9})(?![\w])", re.IGNORECASE)


def parse_identifier(text: object) -> Parsed:
    """The structure's identifier: a SIRET (14 digits, checked) or, for an association registered at the
    prefecture but not yet at INSEE, its RNA number (W + 9 digits): "juste un numéro RNA W941234567".
    """
    t = _text(text)
    rna = _RNA.search(t)
    if rna:
        return Parsed("W" + re.sub(r"\D", "", rna.group(1)))
    return parse_siret(t)


def identifier_kind(value: object) -> str | None:
    """"siret", "rna" or None (no identifier yet)."""
    if not isinstance(value, str) or not value:
        return None
    return "rna" if value.upper().startswith("W") else "siret"


# ------------------------------------------------------------------------------------------- e-mail

_EMAIL_EXAMPLE = "par exemple prenom.nom@exemple.fr"
# Words that may come just before an address; any other word there means a space inside it.
_EMAIL_INTRO = set("""mail email e mel courriel adresse est c voici voila le la a sur via mon ma moi nous
    contact pro perso merci bonjour svp oui donc alors ecrire ecrivez ici l de du ou et personnel
    personnelle professionnel professionnelle""".split())
_DOMAIN_TYPOS = {"gmail.fr": "gmail.com", "gmial.com": "gmail.com", "gmal.com": "gmail.com",
                 "gmail.co": "gmail.com", "hotmial.fr": "hotmail.fr", "outlok.fr": "outlook.fr",
                 "wanado.fr": "wanadoo.fr", "orange.fe": "orange.fr"}
_EMAIL_ERRORS = (  # (words of email-validator's English message, French explanation), first match wins
    ("should have a period", "il manque l'extension du nom de domaine (.fr, .com, .org…)"),
    ("two periods", "deux points ne peuvent pas se suivre"), ("too long", "elle est trop longue"),
    ("start with a period", "elle ne peut pas commencer par un point"),
    ("end with a period", "elle ne peut pas finir par un point"),
    ("something before the @", "il manque la partie avant le @"),
    ("something after the @", "il manque le nom de domaine après le @"),
    ("internationalized characters before", "pas d'accent ni de caractère spécial avant le @"),
    ("special-use or reserved", "ce nom de domaine est réservé et ne reçoit pas de courrier"),
    ("top-level domain", "l'extension du nom de domaine n'existe pas"),
    ("after the @", "le nom de domaine après le @ contient des caractères non autorisés"),
    ("before the @", "la partie avant le @ contient des caractères non autorisés"),
)


def parse_email(text: object) -> Parsed:
    """The address found in the text ("mon mail c'est Jean.Dupont@Exemple.fr" -> "Jean.Dupont@exemple.fr")."""
    t = re.sub(r"\s*(?:\barobase\b|[(\[]at[)\]])\s*", "@", _text(text), flags=re.IGNORECASE)
    words = re.sub(r"mailto:", "", t, flags=re.IGNORECASE).replace("＠", "@").split()
    tokens = [w.lstrip("(<«\"'[").rstrip(")>»\"'.,;:!?]") for w in words]
    found = [i for i, w in enumerate(tokens) if "@" in w]
    if not found:
        return _fail(f"Je ne trouve pas de « @ » : une adresse e-mail s'écrit d'un seul tenant, {_EMAIL_EXAMPLE}.")
    if len(found) > 1:
        return _fail(f"J'ai trouvé plusieurs adresses : donnez-en une seule, {_EMAIL_EXAMPLE}.")
    i = found[0]
    last, before = i + 1 == len(words), fold(tokens[i - 1]).split()[-1:] if i else []
    if ((i and tokens[i].startswith("@")) or (not last and (tokens[i].endswith("@") or words[i + 1][0] == "."))
            or (before and before[0] not in _EMAIL_INTRO and not words[i - 1].endswith((":", ",")))):
        return _fail(f"""Une adresse e-mail ne contient pas d'espace : écrivez-la d'un seul tenant,
            {_EMAIL_EXAMPLE}.""")
    try:
        address = validate_email(tokens[i], check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError as exc:
        reason = next((fr for en, fr in _EMAIL_ERRORS if en in str(exc).lower()), "elle contient une erreur")
        return _fail(f"L'adresse « {tokens[i]} » n'est pas valide : {reason}. Vérifiez-la, {_EMAIL_EXAMPLE}.")
    local, domain = address.rsplit("@", 1)
    fixed = _DOMAIN_TYPOS.get(domain) or re.sub(r"\.(con|cmo|ocm)$", ".com", domain)
    if fixed != domain:
        return _fail(f"Vérifiez la fin de l'adresse : vouliez-vous écrire {local}@{fixed} ?")
    return Parsed(address)


# -------------------------------------------------------------------------------------------- phone

_PHONE_EXAMPLE = "par exemple 06 12 34 56 78"
_FRENCH_PLAN = {33, 262, 590, 594, 596}  # metropolitan France and overseas departments: dialled with a 0
_FRENCH_REGIONS = ("FR", "RE", "YT", "GP", "MQ", "GF")


def parse_phone(text: object) -> Parsed:
    """A phone number: "06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678" -> "06 12 34 56 78"."""
    runs = re.findall(r"\+?\d[\d\s.\-/()]*\d|\d", _text(text).replace("(0)", ""))
    raw = max(runs, key=lambda r: len(re.sub(r"\D", "", r)), default="")
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return _fail(f"Je n'ai pas trouvé de numéro de téléphone : écrivez-le en chiffres, {_PHONE_EXAMPLE}.")
    international = raw.startswith("+") or digits.startswith("00")
    digits = digits[2:] if digits.startswith("00") else digits
    if international and digits.startswith("33"):  # "+33 6…", and the common "+33 06…"
        digits, international = "0" + digits[2:].removeprefix("0"), False
    if not international and len(digits) < 10:
        return _fail(f"Il manque des chiffres : un numéro français compte 10 chiffres, {_PHONE_EXAMPLE}.")
    if not international and len(digits) > 10:
        return _fail(f"""Il y a trop de chiffres ({len(digits)}) : un numéro français en compte 10,
            {_PHONE_EXAMPLE}. Donnez un seul numéro.""")
    if not international and not digits.startswith("0"):
        return _fail(f"Un numéro français commence par 0 (ou par +33), {_PHONE_EXAMPLE}.")
    number = None
    for region in ("FR",) if international else _FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(("+" if international else "") + digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            style = phonenumbers.PhoneNumberFormat
            return Parsed(phonenumbers.format_number(
                number, style.NATIONAL if number.country_code in _FRENCH_PLAN else style.INTERNATIONAL))
    return _fail(f"""Ce numéro ne correspond à aucun numéro attribué : vérifiez-le, {_PHONE_EXAMPLE}
        (ou +44 20 7946 0958 pour un numéro étranger).""")


# --------------------------------------------------------------------------------------- start date

_MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                "octobre", "novembre", "décembre")
_MONTHS = tuple(fold(name) for name in _MONTH_NAMES)
_MONTH_ABBR = {"jan": 1, "janv": 1, "fev": 2, "fevr": 2, "avr": 4, "juil": 7, "aou": 8, "sep": 9, "sept": 9,
               "oct": 10, "nov": 11, "dec": 12}
_SEASONS = {"printemps": 3, "ete": 6, "automne": 9, "hiver": 12, "rentree": 9}
_SEASON = "|".join(_SEASONS)
_MONEY_NUMBER = re.compile(r"\d ?(k ?)?(€|e\b|eur\b|euros?\b)|€ ?\d")
_DATE_EXAMPLES = "par exemple « 01/09/2026 », « 1er septembre 2026 », « septembre 2026 » ou « début 2027 »"


def _month_token(match: re.Match) -> str:
    """A month name, abbreviation or typo ("septmbre", "sept.") -> "m09"; other words unchanged."""
    word = match[0].rstrip(".")
    close = difflib.get_close_matches(word, _MONTHS, n=1, cutoff=0.8) if len(word) >= 5 else []
    month = _MONTH_ABBR.get(word) or next((i + 1 for i, name in enumerate(_MONTHS) if name in close + [word]), 0)
    return f"m{month:02d}" if month else match[0]


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    last = calendar.monthrange(day.year + year, month + 1)[1]
    return day.replace(year=day.year + year, month=month + 1, day=min(day.day, last))


def _fr_date(day: dt.date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def _read_date(t: str, today: dt.date) -> dt.date | None:
    """The date in folded text ``t`` where months are "m09"; raises ValueError for impossible dates."""
    if m := re.search(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b", t):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.search(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b", t):
        return dt.date(int(m[3]) + (2000 if len(m[3]) == 2 else 0), int(m[2]), int(m[1]))
    if m := re.search(r"\b(\d{1,2})/(\d{4})\b", t):
        return dt.date(int(m[2]), int(m[1]), 1)
    if m := re.search(r"\b(\d{1,2})/(\d{1,2})\b", t):  # "15/09": the next 15 September
        day = dt.date(today.year, int(m[2]), int(m[1]))
        return day if day >= today else day.replace(year=day.year + 1)
    if m := re.search(r"\b(\d{1,2})(?: ?(?:er|e|eme))? m(\d\d)(?: (\d{4}))?\b", t):
        day = dt.date(int(m[3] or today.year), int(m[2]), int(m[1]))
        return day if m[3] or day >= today else day.replace(year=day.year + 1)
    if m := re.search(r"\b(?:(debut|mi|milieu|fin|courant) )?(?:d )?m(\d\d)(?: (\d{4}))?\b", t):
        if not m[3] and re.match(r" \d{1,2}\b", t[m.end():]):
            raise ValueError("year")  # "septembre 26"
        year = int(m[3]) if m[3] else today.year + (int(m[2]) < today.month)
        last = calendar.monthrange(year, int(m[2]))[1]
        return dt.date(year, int(m[2]), {"mi": 15, "milieu": 15, "fin": last}.get(m[1], 1))
    if m := re.search(rf"\b(?:(debut|mi|milieu|fin|courant|{_SEASON}) )?(?:de l |d )?(\d{{4}})\b", t):
        return dt.date(int(m[2]), _SEASONS.get(m[1]) or {"mi": 7, "milieu": 7, "fin": 12}.get(m[1], 1), 1)
    if m := re.search(rf"\b({_SEASON})\b", t):
        return dt.date(today.year + (_SEASONS[m[1]] < today.month), _SEASONS[m[1]], 1)
    if m := re.search(r"\bdans (\d+) (jours?|semaines?|mois|ans?|annees?)\b", t):
        if m[2].startswith(("jour", "semaine")):
            return today + dt.timedelta(days=int(m[1]) * (1 if m[2].startswith("jour") else 7))
        return _add_months(today, int(m[1]) * (1 if m[2] == "mois" else 12))
    if m := re.search(r"\b(mois|annee|an) prochaine?\b", t):
        return _add_months(today.replace(day=1), 1) if m[1] == "mois" else dt.date(today.year + 1, 1, 1)
    if re.search(r"\b(des que possible|asap|immediatement|tout de suite|maintenant|aujourd hui|deja (commence|"
                 r"demarre|lance)|en cours)\b", t):
        return today
    return None


def parse_start_date(text: object, today: dt.date | None = None) -> Parsed:
    """The planned start date of the project ("1er septembre 2026", "septembre 2026", "début 2027")."""
    today = today or dt.date.today()
    if _MONEY_NUMBER.search(fold(_text(text))):  # "c'est 9 500 euros": an amount, never the year 9500
        return _fail(f"Cela ressemble à un montant, pas à une date. Donnez la date de démarrage, {_DATE_EXAMPLES}.")
    t = fold(re.sub(r"(?<=\d)\s*[-‐‑–—/.]\s*(?=\d)", "/", _text(text))).replace("premier", "1")
    t = re.sub(r"\bdans ([a-z ]+?) (?=(jours?|semaines?|mois|ans?|annees?)\b)",
               lambda m: f"dans {alpha2digit(m[1], 'fr', threshold=0)} ", t)
    try:
        day = _read_date(re.sub(r"[a-z]+\.?", _month_token, t), today)
    except (ValueError, OverflowError) as exc:  # 31/02, "dans 99999999 jours"
        if str(exc) == "year":
            return _fail("Je n'ai pas compris l'année : écrivez-la en entier, par exemple « septembre 2026 ».")
        return _fail(f"Cette date n'existe pas : vérifiez le jour et le mois, {_DATE_EXAMPLES}.")
    if day is None:
        return _fail(f"Je n'ai pas compris la date de démarrage du projet. Donnez une date, {_DATE_EXAMPLES}.")
    if day < _add_months(today, -12):
        return _fail(f"""Cette date est passée : le {_fr_date(day)} date de plus d'un an. Indiquez la date à
            laquelle le projet démarre (ou a démarré), {_DATE_EXAMPLES}.""")
    if day > _add_months(today, 60):
        return _fail(f"Cette date est très lointaine ({_fr_date(day)}) : vérifiez l'année, {_DATE_EXAMPLES}.")
    return Parsed(day)


# --------------------------------------------------------------------------------------------- jobs

_JOBS_EXAMPLE = "par exemple « 2 » ou « 3 emplois »"
_NOT_JOBS = re.compile(r" ?(%|€|euros?\b|ans?\b|annees?\b|mois\b|heures?\b|h\b|jours?\b)")
_NUMBER = re.compile(r"(?<![\d,.])(\d{1,3}(?: \d{3})+|\d+(?:[.,]\d+)?)(?![\d,.])")


def parse_jobs(text: object) -> Parsed:
    """Jobs created or consolidated: "deux emplois" -> 2, "aucun" -> 0, "1,5 ETP" -> 2 (see module doc)."""
    if has_negative_number(_text(text)):  # "-3", "on crée -3 emplois", "2 emplois et -1"
        return _fail(f"Le nombre d'emplois ne peut pas être négatif, {_JOBS_EXAMPLE}.")
    if has_exponent(_text(text)):  # "1e9"
        return _fail(f"Écrivez le nombre d'emplois en chiffres, {_JOBS_EXAMPLE}.")
    t = re.sub(r"\bzero\b", "0", fold(text).split(" dont ")[0])
    t = re.sub(r"\bpas (un seul|une seule)\b", "aucun", re.sub(r"\b(quelques|certain|l) une?s?\b", "x", t))
    t = alpha2digit(t, "fr", threshold=0)
    t = re.sub(r"\b(en|d ici|depuis|fin|debut) (19|20)\d\d\b", " ", t)
    numbers = [float(m[1].replace(" ", "").replace(",", ".")) for m in _NUMBER.finditer(t)
               if not _NOT_JOBS.match(t, m.end())]
    if not numbers:
        if re.search(r"\b(aucun|aucune|pas d emplois?|pas de postes?|rien|non)\b", t):
            return Parsed(0)
        return _fail(f"""Je n'ai pas trouvé de nombre : combien d'emplois le projet crée-t-il ou consolide-t-il ?
            Répondez en chiffres, {_JOBS_EXAMPLE} (ou « aucun »).""")
    if len(numbers) > 1 and (re.search(r"\d (ou|a|voire) \d|\bentre \d", t)
                             or re.search(r"\d\s*[-‐‑–—]\s*\d", _text(text))):  # "3 - 5 emplois": a range
        return _fail(f"J'ai trouvé plusieurs nombres : indiquez un seul nombre d'emplois, {_JOBS_EXAMPLE}.")
    total = math.ceil(sum(numbers) - 1e-9)
    if total > MAX_JOBS:
        return _fail(f"""Plus de 1 000 emplois, c'est inhabituel pour cet appel à projets : vérifiez le nombre,
            {_JOBS_EXAMPLE}.""")
    return Parsed(total)


# ---------------------------------------------------------------------------------------- free text

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def parse_free_text(text: object, min_chars: int = 3, max_chars: int = 2000,
                    field_label: str = "cette information", example: str | None = None) -> Parsed:
    """Text trimmed, spaces collapsed, at most one blank line between paragraphs. ``field_label`` completes
    "merci d'indiquer …" ("le nom du projet"); ``example`` ("Vélo solidaire") ends every error.
    """
    raw = "".join(c for c in _INVISIBLE.sub("", _text(text)) if c in "\n\t" or unicodedata.category(c) != "Cc")
    lines = [re.sub(r"\s+", " ", line).strip() for line in raw.replace("\r", "").split("\n")]
    value = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    hint = f", par exemple « {example} »" if example else ""
    if not value:
        return _fail(f"Je n'ai rien reçu : merci d'indiquer {field_label}{hint}.")
    if not any(unicodedata.category(c)[0] in "LN" for c in value):
        return _fail(f"""Votre réponse ne contient ni lettre ni chiffre : merci d'indiquer {field_label} en
            toutes lettres{hint}.""")
    if len(value) < min_chars:
        return _fail(f"""C'est un peu court : {field_label} doit compter au moins {min_chars} caractères (vous en
            avez écrit {len(value)}){hint}.""")
    if len(value) > max_chars:
        return _fail(f"""C'est trop long : {field_label} doit tenir en {max_chars} caractères au plus (vous en
            avez écrit {len(value)}). Merci de résumer l'essentiel{hint}.""")
    return Parsed(value)


# -------------------------------------------------------------------------------------- person name

_NAME_EXAMPLE = "par exemple « Marie Curie »"
_NAME_INTRO = re.compile(  # greetings, "je m'appelle", "c'est", "Nom :", civilities
    r"^(?:(?:bonjour|bonsoir|salut|hello)\b[\s,!.]*|(?:moi\s*,?\s*)?c['’]\s*est\s+|je\s+m['’]\s*appelle\s+"
    r"|je\s+me\s+nomme\s+|je\s+suis\s+|il\s+s['’]\s*agit\s+de\s+|mon\s+nom\s+(?:est|c['’]\s*est)\s*:?\s*"
    r"|(?:nom|pr[ée]nom\s+et\s+nom|nom\s+et\s+pr[ée]nom|nom\s+pr[ée]nom|pr[ée]nom\s+nom)\s*:\s*"
    r"|(?:m\.|mr\.?|monsieur|mme\.?|madame|mlle\.?|mademoiselle|dr\.?|docteure?)\s+)",
    re.IGNORECASE,
)


def parse_person_name(text: object) -> Parsed:
    """First and last name as typed, without intro, civility or what follows a comma ("c'est M. Jean
    Dupont, trésorier" -> "Jean Dupont"). Refused: digits, an @, a single word.
    """
    cleaned = parse_free_text(text, min_chars=1, max_chars=200, field_label="votre prénom et votre nom",
                              example="Marie Curie")
    if cleaned.error:
        return cleaned
    name = cleaned.value.replace("\n", " ")
    while (m := _NAME_INTRO.match(name)) and m.end() < len(name):
        name = name[m.end():]
    name = re.split(r"[,;(]", name)[0].strip(" .!?:-")
    if "@" in name:
        return _fail(f"""Cela ressemble à une adresse e-mail : j'ai besoin ici de votre prénom et de votre nom,
            {_NAME_EXAMPLE}.""")
    if any(c.isdigit() for c in name):
        return _fail(f"Un nom ne contient pas de chiffres : écrivez votre prénom et votre nom, {_NAME_EXAMPLE}.")
    if not re.fullmatch(r"[^\W\d_]+(?:[ '’.\-]+[^\W\d_]+)*\.?", name):
        return _fail(f"Je n'ai pas compris ce nom : écrivez seulement votre prénom et votre nom, {_NAME_EXAMPLE}.")
    if len(re.findall(r"[^\W\d_]{2,}|[^\W\d_]\.", name)) < 2:
        return _fail(f"Il me faut votre prénom et votre nom, {_NAME_EXAMPLE}.")
    return Parsed(name)
