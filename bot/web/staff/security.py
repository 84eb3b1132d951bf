"""Who is logged in, ``login_required`` / ``admin_required``, and the guards every staff response goes through.

The session (Flask's signed cookie, HttpOnly, SameSite=Lax, Secure under HTTPS) holds only the user id and
the login time. The account is re-read on every request, so a deactivated account is logged out at once.
"""
from __future__ import annotations

import posixpath
import time
from contextlib import contextmanager
from functools import wraps
from typing import Callable, Iterator, Optional
from urllib.parse import urlsplit

from flask import Response, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session

from bot.db.models import StaffUser
from bot.db.session import session_scope
from bot.db.staff import get_user
from bot.web.staff import bp

DEFAULT_SESSION_HOURS = 12.0  # app config STAFF_SESSION_HOURS overrides it
OPEN_ENDPOINTS = {"staff.login"}
# Not pages: an unauthenticated request gets 401 rather than a redirection to the login page.
NON_PAGE_ENDPOINTS = {"staff.export_csv", "staff.export_xlsx", "staff.stylesheet"}


@contextmanager
def db() -> Iterator[Session]:
    """A transaction on the app's database (``DATABASE_URL`` from the app config, else the default)."""
    with session_scope(current_app.config.get("DATABASE_URL")) as session:
        yield session


def current_user() -> Optional[StaffUser]:
    return g.get("staff_user")


def log_in(user: StaffUser) -> None:
    """A fresh session for this user (nothing carried over from before the login)."""
    session.clear()
    session["staff_user_id"] = user.id
    session["staff_login_at"] = int(time.time())


def log_out() -> None:
    session.clear()


def safe_next(target: Optional[str]) -> Optional[str]:
    """``target`` when it is a path inside the staff area (never another site), else None."""
    if not target or not target.startswith("/staff/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _unauthenticated():
    if request.endpoint in NON_PAGE_ENDPOINTS or request.method != "GET":
        return Response("Connexion requise : connectez-vous à l'espace agents.", status=401,
                        mimetype="text/plain")
    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return _unauthenticated()
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user()
        if user is None:
            return _unauthenticated()
        if not user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.before_request
def load_user():
    """Load the logged-in account; refuse anything but the login page without one."""
    g.staff_user = None
    user_id = session.get("staff_user_id")
    if user_id is not None:
        login_at = session.get("staff_login_at", 0)
        user = None
        hours = float(current_app.config.get("STAFF_SESSION_HOURS", DEFAULT_SESSION_HOURS))
        if time.time() - login_at < hours * 3600:
            with db() as s:
                user = get_user(s, user_id)
        if user is not None and user.active:
            g.staff_user = user
        else:
            log_out()
    if g.staff_user is None and request.endpoint not in OPEN_ENDPOINTS:
        return _unauthenticated()
    return None


@bp.after_request
def no_store(response):
    """Staff pages hold personal data: no caching, anywhere."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.before_app_request
def hide_staff_static_files():
    """The staff stylesheet lives under ``static/staff/``: only ``/staff/assets/`` (logged in) serves it."""
    if request.endpoint and request.endpoint.split(".")[-1] == "static" and request.view_args:
        name = posixpath.normpath(str(request.view_args.get("filename", "")).replace("\\", "/")).lstrip("/")
        if name == "staff" or name.startswith("staff/"):
            abort(404)


@bp.context_processor
def staff_context():
    return {"staff_user": current_user()}


@bp.errorhandler(403)
def forbidden(_error):
    return render_template("staff/message.html", title="Accès refusé",
                           message="Cette action est réservée aux administrateurs de l'espace agents."), 403


@bp.errorhandler(404)
def not_found(_error):
    return render_template("staff/message.html", title="Page introuvable",
                           message="Cette page ou cette pré-candidature n'existe pas (ou plus)."), 404


@bp.errorhandler(CSRFError)
def csrf_failed(_error):
    return render_template("staff/message.html", title="Formulaire refusé",
                           message="Le formulaire a expiré ou n'a pas été envoyé depuis cette page. "
                                   "Rechargez la page et recommencez."), 400
