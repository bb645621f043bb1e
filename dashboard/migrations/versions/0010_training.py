"""training: Latihan's scenarios, SOP card edits, attempts and their scored steps

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:30:00

Written only in the training database (dashboard.training); the live one keeps them empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_scenarios",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=60), nullable=False),
        sa.Column("added_at_utc", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_training_scenarios")),
    )
    op.create_table(
        "training_cards",
        sa.Column("category_code", sa.String(length=30), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=60), nullable=False),
        sa.Column("updated_at_utc", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("category_code", name=op.f("pk_training_cards")),
    )
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drill_id", sa.String(length=36), nullable=False),
        sa.Column("trainee", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("scenario_code", sa.String(length=40), nullable=False),
        sa.Column("started_at_utc", sa.DateTime(), nullable=False),
        sa.Column("submitted_at_utc", sa.DateTime(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('call','opd')", name=op.f("ck_training_attempts_kind_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attempts")),
    )
    op.create_index(
        "ix_training_attempts_trainee",
        "training_attempts",
        ["trainee", "submitted_at_utc"],
        unique=False,
    )
    op.create_table(
        "training_attempt_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("max_points", sa.Integer(), nullable=False),
        sa.Column("feedback", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["training_attempts.id"],
            name=op.f("fk_training_attempt_steps_attempt_id_training_attempts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attempt_steps")),
    )
    op.create_index(
        "ix_training_attempt_steps_attempt", "training_attempt_steps", ["attempt_id"], unique=False
    )
    op.create_index(
        "ix_training_attempt_steps_step", "training_attempt_steps", ["step"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_training_attempt_steps_step", table_name="training_attempt_steps")
    op.drop_index("ix_training_attempt_steps_attempt", table_name="training_attempt_steps")
    op.drop_table("training_attempt_steps")
    op.drop_index("ix_training_attempts_trainee", table_name="training_attempts")
    op.drop_table("training_attempts")
    op.drop_table("training_cards")
    op.drop_table("training_scenarios")
