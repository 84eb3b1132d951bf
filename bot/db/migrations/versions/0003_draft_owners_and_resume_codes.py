"""Drafts reachable only by their conversations; resume with a one-time code sent by e-mail.

- ``draft_conversations``: the conversations allowed to act on a draft (the one that created it, filled in
  here for the existing drafts, and those that resumed it with a code);
- ``resume_codes``, ``resume_failures``, ``resume_locks``: the codes (hashed), the failed tries per reference
  and per client address, and the references locked after too many wrong codes;
- the staff audit trail accepts ``resume_unlocked``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD_AUDIT_ACTIONS = ("status_changed", "note_added", "deleted")
AUDIT_ACTIONS = OLD_AUDIT_ACTIONS + ("resume_unlocked",)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _in(column: str, values) -> str:
    return f"{column} IN ('" + "', '".join(values) + "')"


def _audit_actions(values) -> None:
    """Replace the CHECK constraint on ``draft_audit.action`` (0002 named it
    ``ck_draft_audit_ck_draft_audit_action`` through the naming convention; ``ck_draft_audit_action`` from here)."""
    bind = op.get_bind()
    old = [c["name"] for c in sa.inspect(bind).get_check_constraints("draft_audit")
           if c.get("name") and "action" in (c.get("sqltext") or "")]
    with op.batch_alter_table("draft_audit") as batch:  # on SQLite, a copy of the table; elsewhere, ALTERs
        for name in old:
            batch.drop_constraint(op.f(name), type_="check")
        batch.create_check_constraint(op.f("ck_draft_audit_action"), _in("action", values))


def upgrade() -> None:
    op.create_table(
        "draft_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("linked_at", _utc(), nullable=False),
        sa.CheckConstraint(_in("origin", ("created", "resumed")), name=op.f("ck_draft_conversations_origin")),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_draft_conversations_draft_id_drafts",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_draft_conversations"),
        sa.UniqueConstraint("draft_id", "conversation_id", name="uq_draft_conversations_draft_id_conversation_id"),
    )
    op.create_index("ix_draft_conversations_conversation_id", "draft_conversations", ["conversation_id"])
    op.execute("INSERT INTO draft_conversations (draft_id, conversation_id, origin, linked_at) "
               "SELECT id, conversation_id, 'created', created_at FROM drafts")
    op.create_table(
        "resume_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_resume_codes_draft_id_drafts",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_resume_codes"),
    )
    op.create_index("ix_resume_codes_draft_id_created_at", "resume_codes", ["draft_id", "created_at"])
    op.create_table(
        "resume_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=True),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.CheckConstraint(_in("kind", ("identity", "code")), name=op.f("ck_resume_failures_kind")),
        sa.PrimaryKeyConstraint("id", name="pk_resume_failures"),
    )
    op.create_index("ix_resume_failures_reference_at", "resume_failures", ["reference", "at"])
    op.create_index("ix_resume_failures_client_at", "resume_failures", ["client", "at"])
    op.create_table(
        "resume_locks",
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("locked_at", _utc(), nullable=False),
        sa.Column("locked_until", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_resume_locks"),
    )
    _audit_actions(AUDIT_ACTIONS)


def downgrade() -> None:
    op.execute("DELETE FROM draft_audit WHERE action = 'resume_unlocked'")
    _audit_actions(OLD_AUDIT_ACTIONS)
    op.drop_table("resume_locks")
    op.drop_index("ix_resume_failures_client_at", table_name="resume_failures")
    op.drop_index("ix_resume_failures_reference_at", table_name="resume_failures")
    op.drop_table("resume_failures")
    op.drop_index("ix_resume_codes_draft_id_created_at", table_name="resume_codes")
    op.drop_table("resume_codes")
    op.drop_index("ix_draft_conversations_conversation_id", table_name="draft_conversations")
    op.drop_table("draft_conversations")
