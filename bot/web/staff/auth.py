"""``/staff/login`` and ``/staff/logout``.

No lock: failed logins slow down further attempts (:mod:`bot.db.staff_auth`), so an attacker can slow an
account down but never lock its owner out.

- Per address: after 3 failures in an hour from one address, that address must wait 1, 2, 4… seconds (30 at
  most) after each failure; an earlier attempt is refused at once (429, ``Retry-After``), password unchecked.
  It costs the server nothing, and it touches only the guessing address.
- Per account: after 3 failures in an hour on one account, from anywhere, every login to that account waits
  1, 2, 4… seconds (10 at most) before the password is checked, right password or not. The owner still logs
  in, from any address, at worst 10 seconds later. The wait is ``app.config["LOGIN_SLEEP"]`` (``time.sleep``;
  tests inject their own).
- One login at a time per address, and ``STAFF_LOGIN_MAX_PARALLEL`` (half of waitress's threads) in all, so
  that waiting logins never take every thread of the server.

Logins, failures and logouts go to the security journal and the ``ess.security`` log.
"""
from __future__ import annotations

import math
import time

from flask import Flask, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.db.staff import authenticate, normalize_email
from bot.db.staff_auth import clear_failures, login_delay, record_failure
from bot.web.ratelimit import ConcurrencyGuard
from bot.web.staff import bp
from bot.web.staff.journal import client_address, log_line, record
from bot.web.staff.security import current_user, db, log_in, log_out, safe_next

BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect, ou compte désactivé."


def init_login_guard(app: Flask) -> None:
    parallel = app.config.get("STAFF_LOGIN_MAX_PARALLEL") or max(1, int(app.config.get("WEB_THREADS", 8)) // 2)
    app.extensions["ess_login_guard"] = ConcurrencyGuard(per_address=1, total=int(parallel))


def _seconds(value: float) -> int:
    return max(1, math.ceil(value))


def _page(next_url: str | None, email: str, error: str, status: int, retry_after: int = 0) -> Response:
    response = current_app.make_response(
        (render_template("staff/login.html", next_url=next_url, email=email, error=error), status))
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _wait_message(seconds: int) -> str:
    return (f"Trop de tentatives de connexion échouées depuis votre adresse. Par sécurité, patientez {seconds} "
            f"seconde{'s' if seconds > 1 else ''} avant de réessayer.")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next(request.values.get("next"))
    if current_user() is not None:
        return redirect(next_url or url_for("staff.drafts"))
    if request.method == "GET":
        return render_template("staff/login.html", next_url=next_url, email="", error=None)
    email = normalize_email(request.form.get("email"))[:320]
    password = request.form.get("password") or ""
    address = client_address()
    with db() as session:
        delay = login_delay(session, email, address)
    if delay.retry_after > 0:
        seconds = _seconds(delay.retry_after)
        log_line("Connexion agents refusée (attente de %d s imposée à l'adresse) : %s", seconds, email)
        return _page(next_url, email, _wait_message(seconds), 429, seconds)
    with current_app.extensions["ess_login_guard"].enter(address) as refusal:
        if refusal is not None:
            seconds = _seconds(delay.wait)
            log_line("Connexion agents refusée (connexions simultanées) : %s", email)
            return _page(next_url, email, "Une connexion est déjà en cours de vérification. Patientez quelques "
                         "secondes, puis réessayez.", 429, seconds)
        if delay.wait > 0:
            current_app.config.get("LOGIN_SLEEP", time.sleep)(delay.wait)
        with db() as session:
            user = authenticate(session, email, password) if email and password else None
            if user is None:
                record_failure(session, email, address)
                record("login_failed", "Échec de connexion agents : %s", email, email=email, session=session)
            else:
                clear_failures(session, email, address)
                log_in(session, user)
                record("login", "Connexion agents : %s", user.email, user=user, email=user.email, session=session)
    if user is None:
        return _page(next_url, email, BAD_CREDENTIALS, 401)
    if user.must_change_password:
        flash("Première connexion : choisissez votre propre mot de passe pour continuer.", "info")
        return redirect(url_for("staff.change_password", next=next_url) if next_url
                        else url_for("staff.change_password"))
    return redirect(next_url or url_for("staff.drafts"))


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    user = current_user()
    log_out()
    if user is not None:
        record("logout", "Déconnexion agents : %s", user.email, user=user, email=user.email)
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("staff.login"))
