"""hand-off rollups: a week tier, summed from the day rows already there

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 00:30:00

Tren's hand-off view read every day of a range that was not whole months from day rows (30
per OPD x channel x category x kecamatan for the default last 30 days); trend_rollups has had
ISO-week rows since 0011. handoff_rollups gains a 'week' tier the same way: a row starting on
a Monday is the sum of that week's day rows (across a month's end too). The rows are derived
data and SQLite cannot change a CHECK constraint in place, so the table is created afresh with
its day and month rows copied over; unlike 0011 nothing is rebuilt: the week rows are summed
here from the day rows (counts added, acknowledgement histograms merged), so the rollups stay
ready and Tren keeps reading them through the upgrade.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

KEYS = ("opd_code", "channel", "category_code", "kecamatan")
SUMS = ("handoffs", "acknowledged", "waiting", "within", "escalations")


def upgrade() -> None:
    rows = _stored_rows()
    _recreate(tiers="'day','week','month'")
    _insert([*rows, *_weeks(rows)])


def downgrade() -> None:
    rows = [row for row in _stored_rows() if row["tier"] != "week"]
    _recreate(tiers="'day','month'")
    _insert(rows)


def _stored_rows() -> list[dict]:
    return [dict(row._mapping) for row in op.get_bind().execute(sa.select(_table()))]


def _weeks(rows: list[dict]) -> list[dict]:
    """One 'week' row per (Monday, keys): the sums of that ISO week's day rows (the rule
    dashboard.rollups keeps them by: counts added, histogram bins added key by key, the bins
    stored as little-endian int32 keys ascending, then their counts)."""
    sums: dict[tuple, Counter] = {}
    bins: dict[tuple, Counter] = {}
    for row in rows:
        if row["tier"] != "day":
            continue
        day = row["period_start"]
        key = (day - timedelta(days=day.weekday()), *[row[k] for k in KEYS])
        sums.setdefault(key, Counter()).update({name: int(row[name]) for name in SUMS})
        packed = np.frombuffer(bytes(row["ack_bins"]), dtype="<i4")
        half = len(packed) // 2
        found = bins.setdefault(key, Counter())
        for bin_key, n in zip(packed[:half].tolist(), packed[half:].tolist(), strict=True):
            found[bin_key] += n
    weeks = []
    for key, counts in sums.items():
        keys = sorted(bins[key])
        packed = np.array([*keys, *[bins[key][k] for k in keys]], dtype="<i4").tobytes()
        weeks.append(
            {
                "tier": "week",
                "period_start": key[0],
                **dict(zip(KEYS, key[1:], strict=True)),
                **{name: counts[name] for name in SUMS},
                "ack_bins": packed,
            }
        )
    return weeks


def _recreate(*, tiers: str) -> None:
    op.drop_index("ix_handoff_rollups_period", table_name="handoff_rollups")
    op.drop_table("handoff_rollups")
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
        sa.CheckConstraint(f"tier IN ({tiers})", name=op.f("ck_handoff_rollups_tier_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_rollups")),
    )
    op.create_index(
        "ix_handoff_rollups_period", "handoff_rollups", ["tier", "period_start"], unique=False
    )


def _insert(rows: list[dict]) -> None:
    if rows:
        op.get_bind().execute(sa.insert(_table()), rows)


def _table() -> sa.TableClause:
    """handoff_rollups' columns but the id, typed (dates and bytes read back as such)."""
    return sa.table(
        "handoff_rollups",
        sa.column("tier", sa.String()),
        sa.column("period_start", sa.Date()),
        *[sa.column(name, sa.String()) for name in KEYS],
        *[sa.column(name, sa.Integer()) for name in SUMS],
        sa.column("ack_bins", sa.LargeBinary()),
    )
