"""``/staff/login`` and ``/staff/logout``.

Failed logins are stored in ``login_attempts``: after 5 failures within 15 minutes for one e-mail or from one
IP address, logins are refused (HTTP 429) for 15 minutes, whatever the password.
"""
from __future__ import annotations

import math

from flask import current_app, flash, redirect, render_template, request, url_for

from bot.db.models import utcnow
from bot.db.staff import authenticate, clear_failures, locked_until, normalize_email, record_failure
from bot.web.staff import bp
from bot.web.staff.security import current_user, db, log_in, log_out, safe_next

BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect, ou compte désactivé."


def _client_ip() -> str:
    return request.remote_addr or "inconnue"


def _throttled_message(until) -> str:
    minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
    return (f"Trop de tentatives de connexion échouées. Par sécurité, la connexion est bloquée : "
            f"réessayez dans {minutes} minute{'s' if minutes > 1 else ''}.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if current_user() is not None:
        return redirect(next_url or url_for("staff.drafts"))
    if request.method == "GET":
        return render_template("staff/login.html", next_url=next_url, email="", error=None)
    email = normalize_email(request.form.get("email"))[:320]
    password = request.form.get("password") or ""
    ip = _client_ip()
    with db() as session:
        until = locked_until(session, email, ip)
        if until is not None:
            current_app.logger.warning("Connexion agents refusée (trop d'échecs) : %s depuis %s", email, ip)
            return render_template("staff/login.html", next_url=next_url, email=email,
                                   error=_throttled_message(until)), 429
        user = authenticate(session, email, password) if email and password else None
        if user is None:
            record_failure(session, email, ip)
        else:
            clear_failures(session, email)
    if user is None:
        current_app.logger.info("Échec de connexion agents : %s depuis %s", email, ip)
        return render_template("staff/login.html", next_url=next_url, email=email, error=BAD_CREDENTIALS), 401
    log_in(user)
    current_app.logger.info("Connexion agents : %s", user.email)
    return redirect(next_url or url_for("staff.drafts"))


@bp.route("/logout", methods=["POST"])
def logout():
    log_out()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("staff.login"))
