"""``/staff/accounts`` (admins only): list the staff accounts, create one, deactivate or reactivate one.

A new account must change its initial password at first login; deactivation ends its sessions at once.
Both are security events (:mod:`bot.web.staff.journal`).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.db.staff import StaffError, create_user, get_user, list_users, set_active
from bot.db.staff_models import STAFF_ROLES
from bot.web.staff import bp
from bot.web.staff.journal import record
from bot.web.staff.security import admin_required, db, logged_in_user


def _page(error: str = "", form: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    with db() as session:
        users = list_users(session)
    return render_template("staff/accounts.html", active="accounts", users=users, roles=STAFF_ROLES,
                           error=error, form=form or {}), status


@bp.route("/accounts")
@admin_required
def accounts() -> ResponseReturnValue:
    return _page()


@bp.route("/accounts", methods=["POST"])
@admin_required
def create_account() -> ResponseReturnValue:
    email = (request.form.get("email") or "").strip()
    role = request.form.get("role", "reviewer")
    password = request.form.get("password") or ""
    form = {"email": email, "role": role}
    if password != (request.form.get("password_confirm") or ""):
        return _page("Les deux mots de passe saisis sont différents.", form, 400)
    try:
        with db() as session:
            user = create_user(session, email, password, role, must_change_password=True)
            record("account_created", "Compte agent créé : %s (%s) par %s", user.email, user.role,
                   logged_in_user().email, user=logged_in_user(), email=user.email, detail=f"rôle : {user.role}",
                   session=session)
    except StaffError as exc:
        return _page(str(exc), form, 400)
    flash(f"Compte créé pour {user.email}. Transmettez-lui son mot de passe initial par un canal sûr.", "success")
    return redirect(url_for("staff.accounts"))


@bp.route("/accounts/<int:user_id>/active", methods=["POST"])
@admin_required
def set_account_active(user_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    if user_id == logged_in_user().id and not active:
        return _page("Vous ne pouvez pas désactiver votre propre compte.", status=400)
    with db() as session:
        user = get_user(session, user_id)
        if user is None:
            abort(404)
        set_active(session, user, active)
        record("account_reactivated" if active else "account_deactivated", "Compte agent %s %s par %s", user.email,
               "réactivé" if active else "désactivé", logged_in_user().email, user=logged_in_user(), email=user.email,
               session=session)
    flash(f"Compte {user.email} {'réactivé' if active else 'désactivé'}.", "success")
    return redirect(url_for("staff.accounts"))
