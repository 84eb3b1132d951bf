"""``/staff/audit``: the audit trail of every draft, deleted ones included, most recent first."""
from __future__ import annotations

from flask import request, render_template

from bot.db.staff import recent_audit
from bot.web.staff import bp
from bot.web.staff.security import db, login_required

PAGE_SIZE = 50


@bp.route("/audit")
@login_required
def audit():
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    reference = (request.args.get("reference") or "").strip()[:20]
    with db() as session:
        entries, count = recent_audit(session, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
                                      reference=reference or None)
    pages = max(1, -(-count // PAGE_SIZE))
    return render_template("staff/audit.html", active="audit", entries=entries, count=count, number=number,
                           pages=pages, reference=reference)
