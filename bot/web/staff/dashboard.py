"""``/staff/dashboard``: counts, drafts per day (SVG), failed criteria, questions the assistant missed."""
from __future__ import annotations

from flask import render_template

from bot.db.models import Draft
from bot.web.staff import bp
from bot.web.staff.chart import bar_chart
from bot.web.staff.events import not_understood
from bot.web.staff.security import db, login_required
from bot.web.staff.stats import counts_by, fail_reasons, per_day, total


@bp.route("/dashboard")
@login_required
def dashboard() -> str:
    with db() as session:
        days = per_day(session)
        context = {
            "total": total(session),
            "by_status": counts_by(session, Draft.status),
            "by_verdict": counts_by(session, Draft.verdict),
            "by_commune": counts_by(session, Draft.commune),
            "by_legal_form": counts_by(session, Draft.legal_form),
            "days": days,
            "reasons": fail_reasons(session),
            "missed": not_understood(session, limit=50),
        }
    chart = bar_chart(days, "Pré-candidatures créées par jour (30 derniers jours)", "chart-per-day")
    return render_template("staff/dashboard.html", active="dashboard", chart=chart, **context)
