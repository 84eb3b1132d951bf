"""The staff review area, under ``/staff/``: login, drafts, exports, dashboard, accounts, audit trail.

Answering the applicant (decision, correction request, mails, retry, what changed) is in ``followup`` and
``followup_view``. Every page needs a logged-in, active staff account (``reviewer`` or ``admin``); deleting
drafts and managing accounts need ``admin``. Database access goes through ``app.config["DATABASE_URL"]``.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__)

# The views register themselves on ``bp``.
from bot.web.staff import (  # noqa: E402,F401
    accounts,
    assets,
    audit_log,
    auth,
    dashboard,
    drafts,
    exports,
    followup,
    followup_view,
    formatting,
    password,
    security,
)
