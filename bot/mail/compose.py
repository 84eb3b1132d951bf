"""The mails an applicant receives about a pre-application, rendered from ``bot/mail/templates/``.

Each kind (``recorded``, ``admissible``, ``not_admissible``, ``incomplete``) has three Jinja2 templates that
staff can read and edit: ``<kind>.subject.txt`` (one line), ``<kind>.txt`` (the plain text) and ``<kind>.html``
(the HTML part, autoescaped, built on ``_layout.html``: inline styles only, no external resource). Every fact
comes from the draft or from ``bot/call/call.yml`` (:func:`bot.call.facts.get_call`); a date the department has not
published yet (``A_COMPLETER``) is written « dates à venir », never guessed.

For an answer (admissible or not), the reviewer writes the message: :func:`answer_template` gives the default
text they start from (the reasons stored with the draft's verdict, and the next step), and
:func:`compose_answer` puts what they wrote, escaped in HTML and with its line breaks, into the mail.

Links point to the public website, ``PUBLIC_BASE_URL`` (default ``http://localhost:8000``, checked by
:mod:`bot.settings`), given by :func:`public_base_url`. Nothing here touches the database or the network.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bot.call.facts import CallFacts, get_call
from bot.db.followup_models import MailKind
from bot.db.models import DECISIONS, Decision, Draft
from bot.db.outbox import Composed
from bot.eligibility.verdict import CRITERION_LABELS
from bot.forms.fields import APPLICATION_FIELDS, FIELDS
from bot.settings import get_settings

TEMPLATES = Path(__file__).with_name("templates")
PRIVACY_PATH = "/confidentialite"  # bot/web/public.py, route ``privacy``
UPCOMING = "dates à venir"
# In a refusal whose stored verdict names no failed criterion: the reviewer must write the reason.
MISSING_REASON = "[motif à préciser par l'agent avant l'envoi]"

__all__ = ["MISSING_REASON", "PRIVACY_PATH", "answer_template", "compose_answer", "compose_correction", "compose_recorded",
           "privacy_url", "public_base_url"]

# Draft column -> field of the registry (``legal_form`` is the field ``structure``).
_FIELD_OF_COLUMN = {FIELDS[key].db_column: key for key in APPLICATION_FIELDS}


def public_base_url() -> str:
    """``PUBLIC_BASE_URL`` without its final slash; only http(s) is accepted (a ``SettingsError`` otherwise)."""
    return get_settings().public_base_url


def privacy_url() -> str:
    return public_base_url() + PRIVACY_PATH


def _paragraphs(text: str) -> Markup:
    """Plain text for HTML: escaped, one ``<p>`` per paragraph, line breaks kept."""
    blocks = [block.strip("\n") for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))]
    style = "margin:0 0 12px 0"
    return Markup("\n").join(Markup('<p style="{}">{}</p>').format(style, Markup("<br>\n").join(
        escape(line) for line in block.split("\n"))) for block in blocks if block.strip())


def _lines(text: str) -> Markup:
    """Plain text for HTML, escaped, line breaks kept (inside a table cell)."""
    return Markup("<br>\n").join(escape(line) for line in str(text or "").replace("\r\n", "\n").split("\n"))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined)
    env.filters["paragraphs"] = _paragraphs
    env.filters["lines"] = _lines
    return env


def _render(kind: MailKind, **context: Any) -> Composed:
    env = _environment()
    subject = " ".join(env.get_template(f"{kind}.subject.txt").render(**context).split())
    text = env.get_template(f"{kind}.txt").render(**context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html = env.get_template(f"{kind}.html").render(subject=subject, **context)
    return Composed(subject, text, html)


def _display(key: str, value: Any) -> str:
    if isinstance(value, date):
        value = value.isoformat()
    return FIELDS[key].display(value)


def _values(draft: Draft) -> list[dict[str, str]]:
    """The draft's answers with their French labels, in the order of the pre-application."""
    rows = []
    for key in APPLICATION_FIELDS:
        value = getattr(draft, FIELDS[key].db_column)
        if key == "siret" and draft.legal_form == "group_in_creation" and not value:
            continue
        rows.append({"label": FIELDS[key].label, "value": _display(key, value)})
    return rows


def _common(draft: Draft, call: CallFacts) -> dict[str, Any]:
    """What every mail says: who it is for, the links, how to resume and delete, how long data is kept."""
    base = public_base_url()
    contact = call.contact
    return {
        "reference": draft.reference,
        "contact_name": (draft.contact_name or "").strip(),
        "project_title": (draft.project_title or "").strip(),
        "site_url": base + "/",
        "privacy_url": base + PRIVACY_PATH,
        "organiser": call.edition.organiser,
        "department": call.territory.department,
        "website": call.edition.website,
        "retention_days": call.privacy.retention_days,
        "contact": ({"service": contact.service, "email": contact.email, "phone": contact.phone}
                    if contact.published else None),
    }


def compose_recorded(draft: Draft) -> Composed:
    """The mail sent when the applicant confirms the pre-application: reference, values, resume, deletion."""
    call = get_call()
    return _render("recorded", **_common(draft, call), values=_values(draft))


def _reasons(draft: Draft, status: str) -> list[dict[str, str]]:
    """The stored verdict reasons with ``status`` ("fail", "condition"…), as (criterion label, message)."""
    out = []
    for item in draft.verdict_reasons or []:
        if isinstance(item, dict) and item.get("status") == status:
            criterion = str(item.get("criterion") or "")
            out.append({"label": CRITERION_LABELS.get(criterion, criterion), "message": str(item.get("message") or "")})
    return out


def _complete_file_step(call: CallFacts) -> str | None:
    """The step of the procedure that asks for the complete file, as call.yml words it (without its
    "Si le projet est recevable :").
    """
    step = next((step for step in call.process.steps if "dossier complet" in step.lower()), None)
    if step and step.lower().startswith("si ") and " : " in step:
        step = step.split(" : ", 1)[1]
    return step


def _deadline_lines(call: CallFacts) -> list[str]:
    """The published dates of the edition about the complete file (all its dates if none names it);
    empty while they are ``A_COMPLETER``.
    """
    edition = call.calendar.next_edition
    if not edition.published:
        return []
    events = [edition.events] if isinstance(edition.events, str) else list(edition.events)
    about_file = [event for event in events if "dossier" in event.lower()]
    return about_file or events


def answer_template(draft: Draft, outcome: Decision) -> str:
    """The default answer a reviewer starts from (plain text, editable): the reasons and the next step."""
    if outcome not in DECISIONS:
        raise ValueError(f"Réponse inconnue : {outcome!r} (attendu : {', '.join(DECISIONS)}).")
    call = get_call()
    title = f" « {draft.project_title.strip()} »" if (draft.project_title or "").strip() else ""
    if outcome == "not_admissible":
        lines = [f"Après examen, votre pré-candidature {draft.reference}{title} n'est pas recevable à l'appel "
                 "à projets, pour la ou les raisons suivantes :"]
        failed = _reasons(draft, "fail")
        lines += [f"- {r['label']} : {r['message']}" for r in failed] or [f"- {MISSING_REASON}"]
        lines += ["", "Votre projet ne peut donc pas passer à l'étape suivante de cette édition. Nous vous "
                  "remercions de l'intérêt que vous portez à l'appel à projets."]
        return "\n".join(lines)
    lines = [f"Après examen, votre pré-candidature {draft.reference}{title} est recevable : votre projet remplit "
             "les conditions de l'appel à projets et passe à l'étape suivante."]
    conditions = _reasons(draft, "condition")
    if conditions:
        lines += ["", "À noter :"] + [f"- {r['label']} : {r['message']}" for r in conditions]
    step = _complete_file_step(call)
    lines += ["", "Prochaine étape : " + (step or "la suite de la procédure de l'appel à projets.")]
    deadlines = _deadline_lines(call)
    if deadlines:
        year = call.calendar.next_edition.year
        lines += [f"Calendrier de l'édition {year} :"] + [f"- {event}" for event in deadlines]
    else:
        lines.append(f"Date limite d'envoi du dossier complet : {UPCOMING} (elles seront publiées sur le site "
                     f"du Département : {call.edition.website}).")
    lines += ["", "Être recevable ne garantit pas l'obtention de l'aide : un jury sélectionne les lauréats parmi "
              "les projets recevables."]
    return "\n".join(lines)


def compose_answer(draft: Draft, outcome: Decision, message: str) -> Composed:
    """The answer mail (``admissible`` or ``not_admissible``) carrying the reviewer's ``message`` as written."""
    if outcome not in DECISIONS:
        raise ValueError(f"Réponse inconnue : {outcome!r} (attendu : {', '.join(DECISIONS)}).")
    message = (message or "").replace("\r\n", "\n").strip()
    if not message:
        raise ValueError("Le message au porteur de projet est vide.")
    return _render(outcome, **_common(draft, get_call()), message=message)


def compose_correction(draft: Draft, fields: Sequence[str], comment: str) -> Composed:
    """The ``incomplete`` mail: the fields to correct (French labels, current values), the reviewer's
    comment, and how to resume in the chat. ``fields`` are draft columns (``legal_form``) or field keys.
    """
    keys = []
    for name in fields:
        key = name if name in APPLICATION_FIELDS else _FIELD_OF_COLUMN.get(name)
        if key is None:
            raise ValueError(f"Champ inconnu : {name}.")
        if key not in keys:
            keys.append(key)
    if not keys:
        raise ValueError("Aucun champ à corriger.")
    keys.sort(key=APPLICATION_FIELDS.index)
    to_fix = [{"label": FIELDS[key].label, "value": _display(key, getattr(draft, FIELDS[key].db_column))}
              for key in keys]
    comment = (comment or "").replace("\r\n", "\n").strip()
    return _render("incomplete", **_common(draft, get_call()), fields=to_fix, comment=comment)
