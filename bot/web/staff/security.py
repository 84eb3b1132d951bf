"""Who is logged in, ``login_required`` / ``admin_required``, and the guards every staff response goes through.

Sessions are server-side (table ``staff_sessions``, :mod:`bot.db.staff_auth`): Flask's signed cookie (HttpOnly,
SameSite=Lax, Secure under HTTPS) holds only a random session token, beside the CSRF token and flash
messages. The session row and the account are read on every request, so logout, deactivation and a password
change (which delete the rows) end a session at once, stolen cookie included. Sessions end after
``STAFF_SESSION_HOURS`` (12) and after 2 hours without activity.

An account whose password was chosen by someone else (``must_change_password``) reaches only the
password-change page until it has chosen its own.
"""
from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec
from urllib.parse import urlsplit

from flask import Response, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session

from bot.db.session import session_scope
from bot.db.staff_auth import SESSION_HOURS, create_session, end_session, session_user
from bot.db.staff_models import StaffUser
from bot.web.staff import bp

DEFAULT_SESSION_HOURS = SESSION_HOURS  # app config STAFF_SESSION_HOURS overrides it
SESSION_KEY = "staff_session"
OPEN_ENDPOINTS = {"staff.login"}
# What an account that must change its password may reach.
PASSWORD_CHANGE_ENDPOINTS = {"staff.change_password", "staff.logout", "staff.stylesheet"}
# Not pages: an unauthenticated request gets 401 rather than a redirection to the login page.
NON_PAGE_ENDPOINTS = {"staff.export_csv", "staff.export_xlsx", "staff.stylesheet"}

P = ParamSpec("P")


@contextmanager
def db() -> Iterator[Session]:
    """A transaction on the app's database (``DATABASE_URL`` from the app config, else the default)."""
    with session_scope(current_app.config.get("DATABASE_URL")) as session:
        yield session


def current_user() -> StaffUser | None:
    return g.get("staff_user")


def logged_in_user() -> StaffUser:
    """The logged-in account, in a view behind :func:`login_required` or :func:`admin_required`."""
    user = current_user()
    if user is None:  # a view without either guard: a mistake in the code, not the visitor's
        raise RuntimeError("no logged-in staff account: the view needs login_required")
    return user


def log_in(db_session: Session, user: StaffUser) -> None:
    """A fresh server-side session for this user (nothing carried over from before the login)."""
    hours = float(current_app.config.get("STAFF_SESSION_HOURS", DEFAULT_SESSION_HOURS))
    token = create_session(db_session, user, request.remote_addr, hours=hours)
    session.clear()
    session[SESSION_KEY] = token


def log_out() -> None:
    """End the server-side session and forget the cookie's content."""
    token = session.get(SESSION_KEY)
    if token:
        with db() as s:
            end_session(s, token)
    session.clear()


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path inside the staff area (never another site), else None."""
    if not target or not target.startswith("/staff/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _unauthenticated() -> ResponseReturnValue:
    if request.endpoint in NON_PAGE_ENDPOINTS or request.method != "GET":
        return Response("Connexion requise : connectez-vous à l'espace agents.", status=401,
                        mimetype="text/plain")
    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))


def login_required(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if current_user() is None:
            return _unauthenticated()
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        user = current_user()
        if user is None:
            return _unauthenticated()
        if not user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.before_request
def load_user() -> ResponseReturnValue | None:
    """Load the logged-in account; refuse anything but the login page without one."""
    g.staff_user = None
    token = session.get(SESSION_KEY)
    if token is not None:
        with db() as s:
            g.staff_user = session_user(s, token if isinstance(token, str) else None)
        if g.staff_user is None:
            session.clear()
    elif "staff_user_id" in session:  # a cookie from before server-side sessions: no longer valid
        session.clear()
    if g.staff_user is None and request.endpoint not in OPEN_ENDPOINTS:
        return _unauthenticated()
    if g.staff_user is not None and g.staff_user.must_change_password \
            and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS | OPEN_ENDPOINTS:
        if request.method == "GET" and request.endpoint not in NON_PAGE_ENDPOINTS:
            return redirect(url_for("staff.change_password"))
        return Response("Choisissez d'abord votre mot de passe : /staff/password.", status=403,
                        mimetype="text/plain")
    return None


@bp.after_request
def no_store(response: Response) -> Response:
    """Staff pages hold personal data: no caching, anywhere."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.before_app_request
def hide_staff_static_files() -> None:
    """The staff stylesheet lives under ``static/staff/``: only ``/staff/assets/`` (logged in) serves it."""
    if request.endpoint and request.endpoint.split(".")[-1] == "static" and request.view_args:
        name = posixpath.normpath(str(request.view_args.get("filename", "")).replace("\\", "/")).lstrip("/")
        if name == "staff" or name.startswith("staff/"):
            abort(404)


@bp.context_processor
def staff_context() -> dict[str, StaffUser | None]:
    return {"staff_user": current_user()}


@bp.errorhandler(403)
def forbidden(_error: Exception) -> ResponseReturnValue:
    return render_template("staff/message.html", title="Accès refusé",
                           message="Cette action est réservée aux administrateurs de l'espace agents."), 403


@bp.errorhandler(404)
def not_found(_error: Exception) -> ResponseReturnValue:
    return render_template("staff/message.html", title="Page introuvable",
                           message="Cette page ou cette pré-candidature n'existe pas (ou plus)."), 404


@bp.errorhandler(CSRFError)
def csrf_failed(_error: CSRFError) -> ResponseReturnValue:
    return render_template("staff/message.html", title="Formulaire refusé",
                           message="Le formulaire a expiré ou n'a pas été envoyé depuis cette page. "
                                   "Rechargez la page et recommencez."), 400
