"""trend rollups: the density grid per cell, and a week tier

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 10:00:00

Tren's 250 m density grid was the one figure still read from every incident: trend_rollups
gains `grid` (incidents per grid cell of the spec recorded in trend_rollup_state.grid) and a
'week' tier (ISO weeks, Monday first) so a range that is not whole months reads weeks before
days. The rows are derived data, so trend_rollups is created afresh (SQLite cannot change a
CHECK constraint in place) and, as in 0008 and 0009, no backfill runs here: the state row is
reset so the next catch-up (dashboard.rollups.refresh_rollups) rebuilds every rollup, and Tren
reads the incidents exactly until it has.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STAGES = ("forward", "acknowledge", "resolve")
INDEXED = (
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
)


def upgrade() -> None:
    _recreate_rollups(tiers="'day','week','month'", grid=True)
    op.add_column("trend_rollup_state", sa.Column("grid", sa.Text(), nullable=True))
    _reset_state()


def downgrade() -> None:
    with op.batch_alter_table("trend_rollup_state") as batch:  # SQLite drops by copying
        batch.drop_column("grid")
    _recreate_rollups(tiers="'day','month'", grid=False)
    _reset_state()


def _recreate_rollups(*, tiers: str, grid: bool) -> None:
    op.drop_index("ix_trend_rollups_period", table_name="trend_rollups")
    op.drop_table("trend_rollups")
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
        *([sa.Column("grid", sa.LargeBinary(), nullable=False)] if grid else []),
        sa.CheckConstraint(f"tier IN ({tiers})", name=op.f("ck_trend_rollups_tier_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_rollups")),
    )
    op.create_index("ix_trend_rollups_period", "trend_rollups", list(INDEXED), unique=False)


def _reset_state() -> None:
    # The hand-off rollups are rebuilt together with the trend rollups (rebuild_rollups).
    state = sa.table(
        "trend_rollup_state",
        sa.column("folded_id", sa.Integer()),
        sa.column("folded_until_utc", sa.DateTime()),
        sa.column("targets", sa.Text()),
    )
    op.execute(state.update().values(folded_id=None, folded_until_utc=None, targets=None))
