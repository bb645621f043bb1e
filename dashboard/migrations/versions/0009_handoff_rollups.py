"""hand-off rollups: the Tren hand-off view and escalations per WIB day / month

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00

handoff_rollups and escalation_rollups hold the hand-off view for folded days
(dashboard/rollups.py). As in 0008 no backfill runs here: the state row is reset so the next
catch-up rebuilds every rollup (Tren reads the incidents exactly until it has).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_rollups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tier", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("opd_code", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("category_code", sa.String(length=30), nullable=False),
        sa.Column("kecamatan", sa.String(length=60), nullable=True),
        sa.Column("handoffs", sa.Integer(), nullable=False),
        sa.Column("acknowledged", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.Column("within", sa.Integer(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("ack_bins", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("tier IN ('day','month')", name=op.f("ck_handoff_rollups_tier_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_rollups")),
    )
    op.create_index(
        "ix_handoff_rollups_period", "handoff_rollups", ["tier", "period_start"], unique=False
    )
    op.create_table(
        "escalation_rollups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("opd_code", sa.String(length=20), nullable=True),
        sa.Column("category_code", sa.String(length=30), nullable=False),
        sa.Column("kecamatan", sa.String(length=60), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_rollups")),
    )
    op.create_index(
        "ix_escalation_rollups_period", "escalation_rollups", ["period_start"], unique=False
    )
    # Rollups built before this revision have no hand-off rows: the next catch-up rebuilds.
    state = sa.table(
        "trend_rollup_state",
        sa.column("folded_id", sa.Integer()),
        sa.column("folded_until_utc", sa.DateTime()),
        sa.column("targets", sa.Text()),
    )
    op.execute(state.update().values(folded_id=None, folded_until_utc=None, targets=None))


def downgrade() -> None:
    op.drop_index("ix_escalation_rollups_period", table_name="escalation_rollups")
    op.drop_table("escalation_rollups")
    op.drop_index("ix_handoff_rollups_period", table_name="handoff_rollups")
    op.drop_table("handoff_rollups")
