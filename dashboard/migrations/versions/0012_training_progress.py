"""training progress: a drill in progress survives a reload and a second tab

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 22:00:00

training_progress keeps the drill a trainee is in the middle of (one row per trainee and drill
kind, written only in the training database): its scenarios, the position, what was asked or
done and typed, and when the current scenario started, so its time keeps counting from there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_progress",
        sa.Column("trainee", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("drill_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("started_at_utc", sa.DateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at_utc", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('call','opd')", name=op.f("ck_training_progress_kind_known")),
        sa.PrimaryKeyConstraint("trainee", "kind", name=op.f("pk_training_progress")),
    )


def downgrade() -> None:
    op.drop_table("training_progress")
