"""French free text -> values for the pre-application form: SIRET or RNA, e-mail, phone, free text, names.

Pure functions, no Rasa, no I/O: e-mails are checked for syntax only, never against the DNS. Every
parser returns :class:`~bot.nlp.parsed.Parsed`: ``value`` (normalised, or None) and ``error`` (None, or a
polite French explanation with an example, which the bot shows before asking again). The start date and
the jobs are read by :mod:`bot.nlp.dates` and :mod:`bot.nlp.jobs`. Decisions worth knowing:
- Phones: French numbers, overseas departments included, come back in national format
  "06 12 34 56 78"; a valid foreign number typed with + or 00 is kept in international format.
- E-mails: accents before the @ are refused (many mail servers cannot deliver them); the local part
  keeps its case, the domain is lowercased; common domain typos ("gmail.con") are pointed out.
- Free text keeps paragraph breaks (descriptions) and is never HTML-escaped here: the web layer escapes.
- Person names keep the case as typed and need a first and a last name ("Marie" alone is refused).
"""
from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.fr import siret as stdnum_siret

from bot.nlp.normalize import fold
from bot.nlp.parsed import Parsed, failed, text_of

__all__ = ["parse_email", "parse_free_text", "parse_identifier", "parse_person_name", "parse_phone", "parse_siret"]


# -------------------------------------------------------------------------------------------- SIRET

_SIRET_EXAMPLE = "par exemple 732 829 320 00074"


def parse_siret(text: object) -> Parsed:
    """14 digits ("732 829 320 00074", "siret : 73282932000074"), checked by python-stdnum."""
    t = text_of(text)
    if re.search(r"\bW\d{9}\b", t, re.IGNORECASE):
        return failed(f"""Ce numéro ressemble à un numéro RNA d'association (W suivi de 9 chiffres). Il me faut le
            SIRET, 14 chiffres, qui figure sur l'avis de situation INSEE, {_SIRET_EXAMPLE}.""")
    digits = max((re.sub(r"\D", "", m) for m in re.findall(r"\d[\d\s.\-/]*\d|\d", t)), key=len, default="")
    if not digits:
        return failed(f"Je n'ai pas trouvé de chiffres : un SIRET en compte 14, {_SIRET_EXAMPLE}.")
    if len(digits) == 9:
        return failed(f"""Ce numéro a 9 chiffres : c'est sans doute le SIREN. Le SIRET en compte 14 (le SIREN suivi
            des 5 chiffres de l'établissement), {_SIRET_EXAMPLE}.""")
    if len(digits) != 14:
        return failed(f"""Un SIRET compte 14 chiffres ; j'en ai trouvé {len(digits)}. Recopiez-le en entier,
            {_SIRET_EXAMPLE}.""")
    if not stdnum_siret.is_valid(digits) or not digits.strip("0"):  # stdnum knows La Poste's rule
        return failed(f"""Le numéro {digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]} ne passe pas le contrôle
            de validité (clé de Luhn) : vérifiez-le sur votre avis de situation INSEE ou sur
            annuaire-entreprises.data.gouv.fr, puis recopiez-le.""")
    return Parsed(digits)


_RNA = re.compile(r"(?<![\w])W((?:[\s.]?\d){9})(?![\w])", re.IGNORECASE)


def parse_identifier(text: object) -> Parsed:
    """The structure's identifier: a SIRET (14 digits, checked) or, for an association registered at the
    prefecture but not yet at INSEE, its RNA number (W + 9 digits): "juste un numéro RNA W941234567".
    """
    t = text_of(text)
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
    t = re.sub(r"\s*(?:\barobase\b|[(\[]at[)\]])\s*", "@", text_of(text), flags=re.IGNORECASE)
    words = re.sub(r"mailto:", "", t, flags=re.IGNORECASE).replace("＠", "@").split()
    tokens = [w.lstrip("(<«\"'[").rstrip(")>»\"'.,;:!?]") for w in words]
    found = [i for i, w in enumerate(tokens) if "@" in w]
    if not found:
        return failed(f"Je ne trouve pas de « @ » : une adresse e-mail s'écrit d'un seul tenant, {_EMAIL_EXAMPLE}.")
    if len(found) > 1:
        return failed(f"J'ai trouvé plusieurs adresses : donnez-en une seule, {_EMAIL_EXAMPLE}.")
    i = found[0]
    last, before = i + 1 == len(words), fold(tokens[i - 1]).split()[-1:] if i else []
    if ((i and tokens[i].startswith("@")) or (not last and (tokens[i].endswith("@") or words[i + 1][0] == "."))
            or (before and before[0] not in _EMAIL_INTRO and not words[i - 1].endswith((":", ",")))):
        return failed(f"""Une adresse e-mail ne contient pas d'espace : écrivez-la d'un seul tenant,
            {_EMAIL_EXAMPLE}.""")
    try:
        address = validate_email(tokens[i], check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError as exc:
        reason = next((fr for en, fr in _EMAIL_ERRORS if en in str(exc).lower()), "elle contient une erreur")
        return failed(f"L'adresse « {tokens[i]} » n'est pas valide : {reason}. Vérifiez-la, {_EMAIL_EXAMPLE}.")
    local, domain = address.rsplit("@", 1)
    fixed = _DOMAIN_TYPOS.get(domain) or re.sub(r"\.(con|cmo|ocm)$", ".com", domain)
    if fixed != domain:
        return failed(f"Vérifiez la fin de l'adresse : vouliez-vous écrire {local}@{fixed} ?")
    return Parsed(address)


# -------------------------------------------------------------------------------------------- phone

_PHONE_EXAMPLE = "par exemple 06 12 34 56 78"
_FRENCH_PLAN = {33, 262, 590, 594, 596}  # metropolitan France and overseas departments: dialled with a 0
_FRENCH_REGIONS = ("FR", "RE", "YT", "GP", "MQ", "GF")


def parse_phone(text: object) -> Parsed:
    """A phone number: "06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678" -> "06 12 34 56 78"."""
    runs = re.findall(r"\+?\d[\d\s.\-/()]*\d|\d", text_of(text).replace("(0)", ""))
    raw = max(runs, key=lambda r: len(re.sub(r"\D", "", r)), default="")
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return failed(f"Je n'ai pas trouvé de numéro de téléphone : écrivez-le en chiffres, {_PHONE_EXAMPLE}.")
    international = raw.startswith("+") or digits.startswith("00")
    digits = digits[2:] if digits.startswith("00") else digits
    if international and digits.startswith("33"):  # "+33 6…", and the common "+33 06…"
        digits, international = "0" + digits[2:].removeprefix("0"), False
    if not international and len(digits) < 10:
        return failed(f"Il manque des chiffres : un numéro français compte 10 chiffres, {_PHONE_EXAMPLE}.")
    if not international and len(digits) > 10:
        return failed(f"""Il y a trop de chiffres ({len(digits)}) : un numéro français en compte 10,
            {_PHONE_EXAMPLE}. Donnez un seul numéro.""")
    if not international and not digits.startswith("0"):
        return failed(f"Un numéro français commence par 0 (ou par +33), {_PHONE_EXAMPLE}.")
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
    return failed(f"""Ce numéro ne correspond à aucun numéro attribué : vérifiez-le, {_PHONE_EXAMPLE}
        (ou +44 20 7946 0958 pour un numéro étranger).""")


# ---------------------------------------------------------------------------------------- free text

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def parse_free_text(text: object, min_chars: int = 3, max_chars: int = 2000,
                    field_label: str = "cette information", example: str | None = None) -> Parsed:
    """Text trimmed, spaces collapsed, at most one blank line between paragraphs. ``field_label`` completes
    "merci d'indiquer …" ("le nom du projet"); ``example`` ("Vélo solidaire") ends every error.
    """
    raw = "".join(c for c in _INVISIBLE.sub("", text_of(text)) if c in "\n\t" or unicodedata.category(c) != "Cc")
    lines = [re.sub(r"\s+", " ", line).strip() for line in raw.replace("\r", "").split("\n")]
    value = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    hint = f", par exemple « {example} »" if example else ""
    if not value:
        return failed(f"Je n'ai rien reçu : merci d'indiquer {field_label}{hint}.")
    if not any(unicodedata.category(c)[0] in "LN" for c in value):
        return failed(f"""Votre réponse ne contient ni lettre ni chiffre : merci d'indiquer {field_label} en
            toutes lettres{hint}.""")
    if len(value) < min_chars:
        return failed(f"""C'est un peu court : {field_label} doit compter au moins {min_chars} caractères (vous en
            avez écrit {len(value)}){hint}.""")
    if len(value) > max_chars:
        return failed(f"""C'est trop long : {field_label} doit tenir en {max_chars} caractères au plus (vous en
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
        return failed(f"""Cela ressemble à une adresse e-mail : j'ai besoin ici de votre prénom et de votre nom,
            {_NAME_EXAMPLE}.""")
    if any(c.isdigit() for c in name):
        return failed(f"Un nom ne contient pas de chiffres : écrivez votre prénom et votre nom, {_NAME_EXAMPLE}.")
    if not re.fullmatch(r"[^\W\d_]+(?:[ '’.\-]+[^\W\d_]+)*\.?", name):
        return failed(f"Je n'ai pas compris ce nom : écrivez seulement votre prénom et votre nom, {_NAME_EXAMPLE}.")
    if len(re.findall(r"[^\W\d_]{2,}|[^\W\d_]\.", name)) < 2:
        return failed(f"Il me faut votre prénom et votre nom, {_NAME_EXAMPLE}.")
    return Parsed(name)
