"""sessions, intake drafts, points at sea: the desk keeps the user's work

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:30:00

user_sessions: sign-in that survives a reload and covers every tab (an opaque id in an HttpOnly
cookie; only its hash is stored). intake_drafts: a half-filled Laporan baru per user.
incidents.at_sea / nearest_kelurahan / distance_to_city_m: a call from a boat off the coast is
stored as at sea with the nearest kelurahan and its distance, never with a stale address.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("sid_hash", sa.String(64)),
        sa.Column("claim_hash", sa.String(64)),
        sa.Column("claim_expires_utc", sa.DateTime),
        sa.Column("created_at_utc", sa.DateTime, nullable=False),
        sa.Column("last_seen_utc", sa.DateTime, nullable=False),
        sa.Column("ended_at_utc", sa.DateTime),
        sa.Column("end_reason", sa.String(20)),
        sa.PrimaryKeyConstraint("id", name="pk_user_sessions"),
        sa.UniqueConstraint("sid_hash", name="uq_user_sessions_sid_hash"),
        sa.UniqueConstraint("claim_hash", name="uq_user_sessions_claim_hash"),
    )
    op.create_index("ix_user_sessions_username", "user_sessions", ["username"])
    op.create_table(
        "intake_drafts",
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("updated_at_utc", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("username", name="pk_intake_drafts"),
    )
    op.add_column(
        "incidents",
        sa.Column("at_sea", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column("incidents", sa.Column("nearest_kelurahan", sa.String(60)))
    op.add_column("incidents", sa.Column("distance_to_city_m", sa.Float))


def downgrade() -> None:
    op.drop_column("incidents", "distance_to_city_m")
    op.drop_column("incidents", "nearest_kelurahan")
    op.drop_column("incidents", "at_sea")
    op.drop_table("intake_drafts")
    op.drop_index("ix_user_sessions_username", table_name="user_sessions")
    op.drop_table("user_sessions")
