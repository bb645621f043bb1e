"""trend rollups: per WIB day / month x cell counts and duration histograms for Tren

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

trend_rollups holds what the Tren page reads for days already folded in (dashboard/rollups.py);
trend_rollup_state its one watermark row; ix_incidents_updated lets the catch-up find changed
incidents. The backfill is not run here: the state row starts empty (Tren reads every incident,
exactly as before) and the first catch-up (the worker's tick, dashboard.rollups.refresh_rollups)
builds every day, one month per transaction, without holding up the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STAGES = ("forward", "acknowledge", "resolve")


def upgrade() -> None:
    op.create_table(
        "trend_rollups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tier", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("category_code", sa.String(length=30), nullable=False),
        sa.Column("opd_code", sa.String(length=20), nullable=True),
        sa.Column("first_opd_code", sa.String(length=20), nullable=True),
        sa.Column("kecamatan", sa.String(length=60), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("prank", sa.Integer(), nullable=False),
        sa.Column("ghost", sa.Integer(), nullable=False),
        sa.Column("bukan_darurat", sa.Integer(), nullable=False),
        sa.Column("reassigned", sa.Integer(), nullable=False),
        sa.Column("hours", sa.LargeBinary(), nullable=False),
        sa.Column("places", sa.Text(), nullable=False),
        sa.Column("flows", sa.Text(), nullable=False),
        *[
            column
            for stage in STAGES
            for column in (
                sa.Column(f"{stage}_within", sa.Integer(), nullable=False),
                sa.Column(f"{stage}_bins", sa.LargeBinary(), nullable=False),
            )
        ],
        sa.CheckConstraint("tier IN ('day','month')", name=op.f("ck_trend_rollups_tier_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_rollups")),
    )
    op.create_index(
        "ix_trend_rollups_period",
        "trend_rollups",
        [
            "tier",
            "period_start",
            "category_code",
            "opd_code",
            "first_opd_code",
            "kecamatan",
            "total",
            "prank",
            "ghost",
            "bukan_darurat",
        ],
        unique=False,
    )
    state = op.create_table(
        "trend_rollup_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("folded_id", sa.Integer(), nullable=True),
        sa.Column("folded_until_utc", sa.DateTime(), nullable=True),
        sa.Column("targets", sa.Text(), nullable=True),
        sa.Column("refreshed_at_utc", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_rollup_state")),
    )
    op.bulk_insert(state, [{"id": 1, "generation": 0}])
    op.create_index("ix_incidents_updated", "incidents", ["updated_at_utc"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_incidents_updated", table_name="incidents")
    op.drop_table("trend_rollup_state")
    op.drop_index("ix_trend_rollups_period", table_name="trend_rollups")
    op.drop_table("trend_rollups")
