"""Security events of the staff area: written to the security journal (table) and to the ``ess.security`` log.

Status changes and deletions already go to the drafts' audit trail (``draft_audit``); :func:`log_line` adds
them to the log. Everything else (logins and failures, logouts, exports, account and password changes) goes
through :func:`record`, to both.
"""
from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy.orm import Session

from bot.db.security_events import record_event
from bot.db.staff_models import StaffUser
from bot.web.security_log import security_logger
from bot.web.staff.security import db


def client_address() -> str:
    """The client's address (the real one behind ``TRUSTED_PROXIES`` proxies)."""
    return request.remote_addr or "inconnue"


def log_line(message: str, *args: Any) -> None:
    security_logger().info(message + " (adresse %s)", *args, client_address())


def record(event: str, message: str, *args: Any, user: StaffUser | None = None, email: str | None = None,
           detail: str | None = None, session: Session | None = None) -> None:
    """One security event: a row in ``security_events`` (in ``session``'s transaction if given) and a log line."""
    address = client_address()
    if session is not None:
        record_event(session, event, user=user, email=email, address=address, detail=detail)
    else:
        with db() as own:
            record_event(own, event, user=user, email=email, address=address, detail=detail)
    log_line(message, *args)
