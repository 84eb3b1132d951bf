"""The status, verdict, role and kind types: one Literal each, whose values every table, label, CHECK constraint
and template covers."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import CheckConstraint

from bot.application.export import STATUS_LABELS as DRAFT_STATUS_LABELS
from bot.application.export import VERDICT_LABELS
from bot.db.followup_models import MAIL_KINDS, MAIL_STATUSES, MailOutbox
from bot.db.models import DECISIONS, DRAFT_STATUSES, REVIEW_OUTCOMES, Draft, one_of
from bot.db.outbox import KIND_LABELS
from bot.db.outbox import STATUS_LABELS as MAIL_STATUS_LABELS
from bot.db.resume_models import FAILURE_KINDS, ResumeFailure
from bot.db.staff import TRANSITIONS
from bot.db.staff_models import AUDIT_ACTIONS, ROLE_LABELS, STAFF_ROLES, DraftAudit, StaffUser
from bot.eligibility.card import BUTTONS
from bot.eligibility.messages import _OUTCOMES, STATUS_ICONS, STATUS_LABELS
from bot.eligibility.verdict import CRITERION_STATUSES, VERDICT_STATUSES
from bot.web.staff.followup_view import OUTCOME_LABELS
from bot.web.staff.formatting import AUDIT_LABELS

TEMPLATES = Path(__file__).resolve().parents[1] / "bot" / "mail" / "templates"


def test_the_stored_values_do_not_change():
    assert DRAFT_STATUSES == ("new", "in_review", "admissible", "not_admissible", "incomplete")
    assert MAIL_STATUSES == ("pending", "sent", "failed")
    assert MAIL_KINDS == ("recorded", "admissible", "not_admissible", "incomplete")
    assert CRITERION_STATUSES == ("pass", "fail", "condition", "unknown")
    assert VERDICT_STATUSES == ("eligible", "eligible_with_conditions", "ineligible", "incomplete")
    assert STAFF_ROLES == ("reviewer", "admin")
    assert FAILURE_KINDS == ("identity", "code")
    [check] = [str(c.sqltext) for c in Draft.__table__.constraints if isinstance(c, CheckConstraint)]
    assert check == "status IN ('new', 'in_review', 'admissible', 'not_admissible', 'incomplete')"


def _checks(model):
    return {str(c.sqltext) for c in model.__table__.constraints if isinstance(c, CheckConstraint)}


def _allows(column, values):
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def test_the_check_constraints_allow_exactly_the_literal_values():
    assert _allows("status", DRAFT_STATUSES) in _checks(Draft)
    assert _allows("role", STAFF_ROLES) in _checks(StaffUser)
    assert _allows("kind", FAILURE_KINDS) in _checks(ResumeFailure)
    assert _allows("kind", MAIL_KINDS) in _checks(MailOutbox) and _allows("status", MAIL_STATUSES) in _checks(MailOutbox)
    assert _allows("action", AUDIT_ACTIONS) in _checks(DraftAudit)


def test_the_outcomes_are_statuses_and_each_has_its_mail():
    assert set(DECISIONS) < set(REVIEW_OUTCOMES) < set(DRAFT_STATUSES)
    assert MAIL_KINDS == ("recorded", *REVIEW_OUTCOMES)
    for kind in MAIL_KINDS:
        assert all((TEMPLATES / f"{kind}{suffix}").is_file() for suffix in (".subject.txt", ".txt", ".html"))


def test_every_value_has_its_workflow_and_labels():
    assert set(TRANSITIONS) == set(DRAFT_STATUSES)
    assert all(set(targets) <= set(DRAFT_STATUSES) for targets in TRANSITIONS.values())
    assert set(OUTCOME_LABELS) == set(REVIEW_OUTCOMES)
    assert set(KIND_LABELS) == set(MAIL_KINDS) and set(MAIL_STATUS_LABELS) == set(MAIL_STATUSES)
    assert set(AUDIT_LABELS) == set(AUDIT_ACTIONS)
    assert set(STATUS_LABELS) == set(STATUS_ICONS) == set(CRITERION_STATUSES)
    assert set(_OUTCOMES) == set(BUTTONS) == set(VERDICT_STATUSES)
    assert set(DRAFT_STATUS_LABELS) == set(DRAFT_STATUSES)
    assert set(VERDICT_LABELS) == set(VERDICT_STATUSES)
    assert set(ROLE_LABELS) == set(STAFF_ROLES)


def test_one_of_reads_a_value_among_the_choices():
    assert one_of("in_review", DRAFT_STATUSES) == "in_review"
    assert one_of("archived", DRAFT_STATUSES) is None
    assert one_of(None, DRAFT_STATUSES) is None
    assert one_of("", DECISIONS) is None
