"""French labels and formats for the staff pages: statuses, verdicts, fields, Paris times."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from bot.application.export import STATUS_LABELS, VERDICT_LABELS
from bot.application.service import COLUMN_OF, FIELD_LABELS, display_value
from bot.db.drafts import DRAFT_FIELDS
from bot.db.followup_models import MAIL_KINDS
from bot.db.models import one_of
from bot.db.outbox import KIND_LABELS
from bot.db.staff_models import ROLE_LABELS, AuditAction
from bot.eligibility.messages import CRITERION_LABELS, STATUS_MARKS
from bot.forms.fields import LEGAL_FORM_LABELS
from bot.web.staff import bp

PARIS = ZoneInfo("Europe/Paris")
SLOT_OF = {column: slot for slot, column in COLUMN_OF.items()}  # drafts column -> conversation slot
AUDIT_LABELS: dict[AuditAction, str] = {"status_changed": "Changement de statut", "note_added": "Note ajoutée",
                "deleted": "Pré-candidature supprimée", "resume_unlocked": "Reprise débloquée",
                "correction_requested": "Corrections demandées au porteur", "mail_queued": "E-mail mis en file d'envoi",
                "mail_retried": "Nouvel essai d'envoi d'un e-mail"}
MAIL_KIND_LABELS = KIND_LABELS  # the outbox's French names of a mail's kind


def to_paris(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(PARIS)


def paris_today(now: datetime | None = None) -> date:
    return to_paris(now or datetime.now(timezone.utc)).date()


@bp.app_template_filter("staff_datetime")
def format_datetime(value: datetime | None) -> str:
    """'02/03/2026 à 10:30' (Paris time)."""
    if value is None:
        return "—"
    return to_paris(value).strftime("%d/%m/%Y à %H:%M")


@bp.app_template_filter("staff_date")
def format_date(value: date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_paris(value).date()
    return value.strftime("%d/%m/%Y")


def field_label(column: str) -> str:
    return FIELD_LABELS.get(SLOT_OF.get(column, column), column)


def field_value(column: str, value: Any) -> str:
    """A draft column's value as staff read it (the applicant's summary format)."""
    if isinstance(value, date):
        value = value.isoformat()
    return display_value(SLOT_OF.get(column, column), value)


def audit_comment(entry: Any) -> str:
    """An audit entry's comment as staff read it: a mail's kind or the fields asked for, in French."""
    comment = entry.comment or ""
    if entry.action in ("mail_queued", "mail_retried"):
        kind = one_of(comment, MAIL_KINDS)
        return (MAIL_KIND_LABELS[kind] if kind else comment) or "—"
    if entry.action == "correction_requested" and comment:
        return "champs : " + ", ".join(field_label(name.strip()) for name in comment.split(","))
    return comment or "—"


def label(mapping: dict[str, str], value: str | None, empty: str = "—") -> str:
    if value is None or value == "":
        return empty
    return mapping.get(value, value)


@bp.context_processor
def labels() -> dict[str, Any]:
    return {
        "STATUS_LABELS": STATUS_LABELS, "VERDICT_LABELS": VERDICT_LABELS, "LEGAL_FORM_LABELS": LEGAL_FORM_LABELS,
        "CRITERION_LABELS": CRITERION_LABELS, "STATUS_MARKS": STATUS_MARKS, "AUDIT_LABELS": AUDIT_LABELS,
        "ROLE_LABELS": ROLE_LABELS, "DRAFT_FIELDS": DRAFT_FIELDS, "field_label": field_label,
        "field_value": field_value, "label": label, "MAIL_KIND_LABELS": MAIL_KIND_LABELS,
        "audit_comment": audit_comment,
    }
