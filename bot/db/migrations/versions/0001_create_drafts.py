"""Create the drafts, their field sources and the per-year reference counters.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = ("new", "in_review", "admissible", "not_admissible", "incomplete")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="new"),
        sa.Column("consent_at", _utc(), nullable=True),
        sa.Column("org_name", sa.Text(), nullable=True),
        sa.Column("legal_form", sa.String(60), nullable=True),
        sa.Column("siret", sa.String(20), nullable=True),
        sa.Column("commune", sa.String(120), nullable=True),
        sa.Column("contact_name", sa.Text(), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("project_title", sa.Text(), nullable=True),
        sa.Column("project_description", sa.Text(), nullable=True),
        sa.Column("beneficiaries", sa.Text(), nullable=True),
        sa.Column("jobs", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("total_budget", sa.Numeric(12, 2), nullable=True),
        sa.Column("other_department_aid", sa.Boolean(), nullable=True),
        sa.Column("stage", sa.String(60), nullable=True),
        sa.Column("verdict", sa.String(40), nullable=True),
        sa.Column("verdict_reasons", sa.JSON(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.CheckConstraint("status IN ('" + "', '".join(STATUSES) + "')", name="ck_drafts_status"),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
        sa.UniqueConstraint("reference", name="uq_drafts_reference"),
        sa.UniqueConstraint("conversation_id", name="uq_drafts_conversation_id"),
    )
    op.create_index("ix_drafts_status", "drafts", ["status"])
    op.create_index("ix_drafts_updated_at", "drafts", ["updated_at"])
    op.create_table(
        "draft_field_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("given_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_draft_field_sources_draft_id_drafts",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_draft_field_sources"),
        sa.UniqueConstraint("draft_id", "field", name="uq_draft_field_sources_draft_id_field"),
    )
    op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_reference_counters"),
    )


def downgrade() -> None:
    op.drop_table("reference_counters")
    op.drop_table("draft_field_sources")
    op.drop_index("ix_drafts_updated_at", table_name="drafts")
    op.drop_index("ix_drafts_status", table_name="drafts")
    op.drop_table("drafts")
