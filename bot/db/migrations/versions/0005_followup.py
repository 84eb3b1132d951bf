"""Following up a pre-application: mail outbox, correction requests, field changes, new audit actions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD_ACTIONS = ("status_changed", "note_added", "deleted", "resume_unlocked")
NEW_ACTIONS = OLD_ACTIONS + ("correction_requested", "mail_queued", "mail_retried")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _in(column: str, values) -> str:
    return column + " IN ('" + "', '".join(values) + "')"


def _audit_actions(values) -> None:
    with op.batch_alter_table("draft_audit") as batch:
        batch.drop_constraint(op.f("ck_draft_audit_action"), type_="check")
        batch.create_check_constraint("action", _in("action", values))


def upgrade() -> None:
    op.create_table(
        "correction_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", _utc(), nullable=False),
        sa.Column("completed_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_correction_requests_draft_id_drafts",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by"], ["staff_users.id"],
                                name="fk_correction_requests_requested_by_staff_users"),
        sa.PrimaryKeyConstraint("id", name="pk_correction_requests"),
    )
    op.create_index("ix_correction_requests_draft_id", "correction_requests", ["draft_id"])
    op.create_table(
        "draft_field_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("changed_at", _utc(), nullable=False),
        sa.Column("correction_request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_draft_field_changes_draft_id_drafts",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["correction_request_id"], ["correction_requests.id"],
                                name="fk_draft_field_changes_request_id",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_draft_field_changes"),
    )
    op.create_index("ix_draft_field_changes_draft_id", "draft_field_changes", ["draft_id"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("to_address", sa.String(320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", _utc(), nullable=False),
        sa.Column("locked_until", _utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.CheckConstraint(_in("kind", ("recorded", "admissible", "not_admissible", "incomplete")),
                           name="ck_mail_outbox_kind"),
        sa.CheckConstraint(_in("status", ("pending", "sent", "failed")), name="ck_mail_outbox_status"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_mail_outbox_draft_id_drafts",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["staff_users.id"], name="fk_mail_outbox_created_by_staff_users"),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
        sa.UniqueConstraint("idempotency_key", name="uq_mail_outbox_idempotency_key"),
    )
    op.create_index("ix_mail_outbox_draft_id", "mail_outbox", ["draft_id"])
    op.create_index("ix_mail_outbox_status_next_attempt_at", "mail_outbox", ["status", "next_attempt_at"])
    _audit_actions(NEW_ACTIONS)


def downgrade() -> None:
    op.execute("DELETE FROM draft_audit WHERE " + _in("action", NEW_ACTIONS[len(OLD_ACTIONS):]))
    _audit_actions(OLD_ACTIONS)
    op.drop_index("ix_mail_outbox_status_next_attempt_at", table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_draft_id", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_index("ix_draft_field_changes_draft_id", table_name="draft_field_changes")
    op.drop_table("draft_field_changes")
    op.drop_index("ix_correction_requests_draft_id", table_name="correction_requests")
    op.drop_table("correction_requests")
