"""``/staff/drafts.csv`` and ``/staff/drafts.xlsx``: the drafts matching the list's current filters and search.

Both are written by :mod:`bot.application.export`, as the command line's export: same columns, French headers,
and text a spreadsheet could take for a formula neutralised. Every export is a security event (who, which
filters, how many drafts): :mod:`bot.web.staff.journal`.
"""
from __future__ import annotations

from urllib.parse import unquote_plus

from flask import Response, request
from sqlalchemy.orm import Session

from bot.application.export import XLSX_TYPE, drafts_csv, drafts_xlsx
from bot.db.models import Draft
from bot.web.staff import bp
from bot.web.staff.formatting import paris_today
from bot.web.staff.journal import record
from bot.web.staff.queries import DraftFilters, select_drafts
from bot.web.staff.security import db, logged_in_user, login_required


def _attachment(body: bytes, extension: str, mimetype: str) -> Response:
    filename = f"pre-candidatures-{paris_today().isoformat()}.{extension}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _matching_drafts(session: Session, event: str) -> list[Draft]:
    """The drafts to export; the export is recorded (filters and count) in the same transaction."""
    drafts = session.scalars(select_drafts(DraftFilters.from_args(request.args))).all()
    filters = unquote_plus(request.query_string.decode("ascii", "replace"))[:500] or "aucun filtre"
    record(event, "Export %s de %d pré-candidature(s) par %s (%s)", event[len("export_"):].upper(), len(drafts),
           logged_in_user().email, filters, user=logged_in_user(), detail=f"{len(drafts)} pré-candidature(s) ; {filters}",
           session=session)
    return drafts


@bp.route("/drafts.csv")
@login_required
def export_csv() -> Response:
    with db() as session:
        text = drafts_csv(_matching_drafts(session, "export_csv"))
    return _attachment(text.encode("utf-8"), "csv", "text/csv; charset=utf-8")


@bp.route("/drafts.xlsx")
@login_required
def export_xlsx() -> Response:
    with db() as session:
        body = drafts_xlsx(_matching_drafts(session, "export_xlsx"))
    return _attachment(body, "xlsx", XLSX_TYPE)
