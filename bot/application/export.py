"""The drafts as spreadsheets: French labels, formula defusing, and the CSV and XLSX writers.

The command line (``python -m bot drafts export``) and the staff area (``/staff/drafts.csv``,
``/staff/drafts.xlsx``) write the same columns (:data:`bot.db.drafts.EXPORT_COLUMNS`) with the same headers.
Text a spreadsheet could read as a formula (``=``, ``+``, ``-``, ``@``…) gets an apostrophe in front.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, TextIO

from bot.db.drafts import EXPORT_COLUMNS
from bot.db.models import DRAFT_STATUSES, DraftStatus, one_of
from bot.eligibility.verdict import VerdictStatus
from bot.forms.fields import APPLICATION_FIELDS, FIELDS

# Export headers: the staff label of each field (bot/forms/fields.py), plus the draft's own columns.
LABELS = {
    "reference": "Référence",
    **{FIELDS[key].db_column: FIELDS[key].staff_label for key in APPLICATION_FIELDS},
    "identifier_kind": "Type d'identifiant",
    "verdict": "Verdict", "status": "Statut", "created_at": "Créé le (UTC)", "updated_at": "Modifié le (UTC)",
    "consent_at": "Consentement le (UTC)",
}
STATUS_LABELS: dict[DraftStatus, str] = {"new": "nouveau", "in_review": "en cours d'examen", "admissible": "recevable",
                                         "not_admissible": "non recevable", "incomplete": "incomplet"}
VERDICT_LABELS: dict[VerdictStatus, str] = {"eligible": "éligible", "eligible_with_conditions": "éligible sous conditions",
                                            "ineligible": "non éligible", "incomplete": "incomplet"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def status_label(value: str) -> str:
    """The French label of a draft status; any other text (a value a form sent) as it is."""
    status = one_of(value, DRAFT_STATUSES)
    return value if status is None else STATUS_LABELS[status]


def defuse_formula(text: str) -> str:
    """The text, with an apostrophe in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str:
    """One CSV cell, French-style, protected against formula injection."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "oui" if value else "non"
    elif isinstance(value, Decimal):
        text = f"{value:.2f}".replace(".", ",")
    elif isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return defuse_formula(text)


def write_drafts_csv(drafts: Iterable[Any], stream: TextIO) -> None:
    """The export columns of ``drafts`` as CSV for Excel: UTF-8 BOM, « ; », French headers, CRLF."""
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([LABELS[name] for name in EXPORT_COLUMNS])
    for draft in drafts:
        writer.writerow([csv_cell(getattr(draft, name)) for name in EXPORT_COLUMNS])


def drafts_csv(drafts: Iterable[Any]) -> str:
    """:func:`write_drafts_csv` into a string."""
    buffer = io.StringIO(newline="")
    write_drafts_csv(drafts, buffer)
    return buffer.getvalue()


def xlsx_value(value: Any) -> Any:
    """A cell value: numbers and dates typed (UTC datetimes without time zone), text neutralised."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # openpyxl is imported only by the XLSX export

    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    return defuse_formula(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def drafts_xlsx(drafts: Iterable[Any]) -> bytes:
    """The export columns of ``drafts`` as an XLSX workbook: bold French headers, no cell read as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pré-candidatures"
    sheet.append([LABELS[name] for name in EXPORT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for draft in drafts:
        sheet.append([xlsx_value(getattr(draft, name)) for name in EXPORT_COLUMNS])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
