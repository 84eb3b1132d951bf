"""``/staff/assets/<file>``: the staff stylesheet, served only to logged-in staff (never from ``/static``)."""
from __future__ import annotations

from pathlib import Path

from flask import Response, send_from_directory

from bot.web.staff import bp
from bot.web.staff.security import login_required

ASSETS = Path(__file__).resolve().parents[1] / "static" / "staff"


@bp.route("/assets/staff.css")
@login_required
def stylesheet() -> Response:
    response = send_from_directory(ASSETS, "staff.css", mimetype="text/css", max_age=0)
    return response
