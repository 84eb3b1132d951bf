"""``/staff/audit``: the audit trail of every draft, deleted ones included, most recent first.

``/staff/audit/security`` (admins only): the security journal (logins and failures, logouts, exports, account
and password changes).

The page number is clamped: anything that is not a number gives page 1, anything past the end the last page.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import render_template, request

from bot.db.security_events import recent_events
from bot.db.staff import recent_audit
from bot.web.staff import bp
from bot.web.staff.security import admin_required, db, login_required

PAGE_SIZE = 50
EVENT_LABELS = {
    "login": "Connexion", "login_failed": "Échec de connexion", "logout": "Déconnexion",
    "password_changed": "Mot de passe changé", "account_created": "Compte créé",
    "account_deactivated": "Compte désactivé", "account_reactivated": "Compte réactivé",
    "export_csv": "Export CSV", "export_xlsx": "Export Excel",
}
_DIGITS = re.compile(r"[0-9]{1,12}")  # a page number beyond this is past the end anyway


def requested_page() -> int:
    """The ``page`` argument as a number from 1 (page 1 when missing or not a sensible number)."""
    raw = (request.args.get("page") or "").strip()
    if _DIGITS.fullmatch(raw):
        return max(1, int(raw))
    return 10 ** 12 if raw.isdigit() else 1  # a huge number: the last page


def clamped_page(fetch: Callable[[int, int], tuple[list, int]]) -> tuple[list, int, int, int]:
    """(entries, count, page number, page count) for the requested page, brought back within the pages."""
    number = requested_page()
    entries, count = fetch(PAGE_SIZE, min(number - 1, 10 ** 6) * PAGE_SIZE)
    pages = max(1, -(-count // PAGE_SIZE))
    if number > pages:
        number = pages
        entries, count = fetch(PAGE_SIZE, (number - 1) * PAGE_SIZE)
    return entries, count, number, pages


@bp.route("/audit")
@login_required
def audit() -> str:
    reference = (request.args.get("reference") or "").strip()[:20]
    with db() as session:
        entries, count, number, pages = clamped_page(
            lambda limit, offset: recent_audit(session, limit=limit, offset=offset, reference=reference or None))
    return render_template("staff/audit.html", active="audit", entries=entries, count=count, number=number,
                           pages=pages, reference=reference)


@bp.route("/audit/security")
@admin_required
def security_journal() -> str:
    with db() as session:
        entries, count, number, pages = clamped_page(
            lambda limit, offset: recent_events(session, limit=limit, offset=offset))
    return render_template("staff/security.html", active="security", entries=entries, count=count, number=number,
                           pages=pages, labels=EVENT_LABELS)
