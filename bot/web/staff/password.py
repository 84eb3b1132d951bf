"""``/staff/password``: change one's own password; required at first login for accounts created by someone else.

A change ends every session of the account (a stolen cookie included) and opens a new one for this browser.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.db.staff import MIN_PASSWORD_LENGTH, StaffError
from bot.db.staff_auth import change_password as set_new_password
from bot.web.staff import bp
from bot.web.staff.journal import record
from bot.web.staff.security import db, log_in, logged_in_user, login_required, safe_next


def _page(error: str = "", status: int = 200) -> ResponseReturnValue:
    return render_template("staff/password.html", active="password", error=error, min_length=MIN_PASSWORD_LENGTH,
                           next_url=safe_next(request.values.get("next")),
                           first=logged_in_user().must_change_password), status


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    if request.method == "GET":
        return _page()
    user = logged_in_user()
    try:
        with db() as session:
            set_new_password(session, user, request.form.get("current_password") or "",
                             request.form.get("new_password") or "", request.form.get("new_password_confirm") or "")
            log_in(session, user)  # every session ended: a new one for this browser only
            record("password_changed", "Mot de passe changé : %s", user.email, user=user, email=user.email,
                   session=session)
    except StaffError as exc:
        return _page(str(exc), 400)
    flash("Votre mot de passe a été changé. Vos autres sessions ont été fermées.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("staff.drafts"))
