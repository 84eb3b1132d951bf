"""``/staff/drafts.csv`` and ``/staff/drafts.xlsx``: the drafts matching the list's current filters and search.

Both have the command line's columns and French headers (:mod:`bot.cli.drafts`); the CSV is written by the
command line's own writer. Text a spreadsheet could take for a formula is neutralised in both. Every export is
a security event (who, which filters, how many drafts): :mod:`bot.web.staff.journal`.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import unquote_plus

from flask import Response, request
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from bot.cli.drafts import LABELS, defuse_formula, drafts_csv
from bot.db.drafts import EXPORT_COLUMNS
from bot.web.staff import bp
from bot.web.staff.formatting import paris_today
from bot.web.staff.journal import record
from bot.web.staff.queries import DraftFilters, select_drafts
from bot.web.staff.security import current_user, db, login_required

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(body: bytes, extension: str, mimetype: str) -> Response:
    filename = f"pre-candidatures-{paris_today().isoformat()}.{extension}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _matching_drafts(session, event: str):
    """The drafts to export; the export is recorded (filters and count) in the same transaction."""
    drafts = session.scalars(select_drafts(DraftFilters.from_args(request.args))).all()
    filters = unquote_plus(request.query_string.decode("ascii", "replace"))[:500] or "aucun filtre"
    record(event, "Export %s de %d pré-candidature(s) par %s (%s)", event[len("export_"):].upper(), len(drafts),
           current_user().email, filters, user=current_user(), detail=f"{len(drafts)} pré-candidature(s) ; {filters}",
           session=session)
    return drafts


@bp.route("/drafts.csv")
@login_required
def export_csv():
    with db() as session:
        text = drafts_csv(_matching_drafts(session, "export_csv"))
    return _attachment(text.encode("utf-8"), "csv", "text/csv; charset=utf-8")


def xlsx_value(value: Any) -> Any:
    """A cell value: numbers and dates typed (UTC datetimes without time zone), text neutralised."""
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


def drafts_xlsx(drafts) -> bytes:
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


@bp.route("/drafts.xlsx")
@login_required
def export_xlsx():
    with db() as session:
        body = drafts_xlsx(_matching_drafts(session, "export_xlsx"))
    return _attachment(body, "xlsx", XLSX_TYPE)
