"""Create the staff accounts, the failed login attempts, the private notes and the drafts' audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STAFF_ROLES = ("reviewer", "admin")
AUDIT_ACTIONS = ("status_changed", "note_added", "deleted")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _in(column: str, values) -> str:
    return f"{column} IN ('" + "', '".join(values) + "')"


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False, server_default="reviewer"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default="1"),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_login_at", _utc(), nullable=True),
        sa.CheckConstraint(_in("role", STAFF_ROLES), name="ck_staff_users_role"),
        sa.PrimaryKeyConstraint("id", name="pk_staff_users"),
        sa.UniqueConstraint("email", name="uq_staff_users_email"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "at"])
    op.create_index("ix_login_attempts_ip_at", "login_attempts", ["ip", "at"])
    op.create_table(
        "draft_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_draft_notes_draft_id_drafts",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name="fk_draft_notes_user_id_staff_users"),
        sa.PrimaryKeyConstraint("id", name="pk_draft_notes"),
    )
    op.create_index("ix_draft_notes_draft_id", "draft_notes", ["draft_id"])
    op.create_table(
        "draft_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("draft_reference", sa.String(20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", _utc(), nullable=False),
        sa.CheckConstraint(_in("action", AUDIT_ACTIONS), name="ck_draft_audit_action"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_draft_audit_draft_id_drafts",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name="fk_draft_audit_user_id_staff_users"),
        sa.PrimaryKeyConstraint("id", name="pk_draft_audit"),
    )
    op.create_index("ix_draft_audit_draft_id", "draft_audit", ["draft_id"])
    op.create_index("ix_draft_audit_draft_reference", "draft_audit", ["draft_reference"])


def downgrade() -> None:
    op.drop_index("ix_draft_audit_draft_reference", table_name="draft_audit")
    op.drop_index("ix_draft_audit_draft_id", table_name="draft_audit")
    op.drop_table("draft_audit")
    op.drop_index("ix_draft_notes_draft_id", table_name="draft_notes")
    op.drop_table("draft_notes")
    op.drop_index("ix_login_attempts_ip_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_email_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_table("staff_users")
