"""early warnings and interop: CAP alerts and their rings, CAP fetches, EIDO imports

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:10:00

cap_alerts / cap_alert_areas: BMKG (or any CAP 1.2) warnings, one row per identifier, every
polygon ring kept separately, judged as touching Kota Pekalongan or not. cap_fetches: when each
polled CAP source was last fetched. eido_imports: EIDO documents received from another CAD,
idempotent on the document's $id.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cap_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("sent_utc", sa.DateTime(), nullable=False),
        sa.Column("msg_type", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("references", sa.Text(), nullable=True),
        sa.Column("event", sa.String(length=200), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("certainty", sa.String(length=20), nullable=False),
        sa.Column("effective_utc", sa.DateTime(), nullable=True),
        sa.Column("onset_utc", sa.DateTime(), nullable=True),
        sa.Column("expires_utc", sa.DateTime(), nullable=True),
        sa.Column("headline", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("area_desc", sa.Text(), nullable=True),
        sa.Column("web", sa.String(length=500), nullable=True),
        sa.Column("touches_city", sa.Boolean(), nullable=False),
        sa.Column("touch_reason", sa.String(length=10), nullable=False),
        sa.Column("matched_places", sa.Text(), nullable=True),
        sa.Column("superseded_by", sa.String(length=200), nullable=True),
        sa.Column("superseded_at_utc", sa.DateTime(), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("received_at_utc", sa.DateTime(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "msg_type IN ('Alert','Update','Cancel')", name=op.f("ck_cap_alerts_msg_type_known")
        ),
        sa.CheckConstraint(
            "touch_reason IN ('polygon','name','none')",
            name=op.f("ck_cap_alerts_touch_reason_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cap_alerts")),
        sa.UniqueConstraint("identifier", name=op.f("uq_cap_alerts_identifier")),
    )
    op.create_index(
        "ix_cap_alerts_active", "cap_alerts", ["touches_city", "expires_utc"], unique=False
    )
    op.create_table(
        "cap_alert_areas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("area_index", sa.Integer(), nullable=False),
        sa.Column("ring_index", sa.Integer(), nullable=False),
        sa.Column("area_desc", sa.Text(), nullable=True),
        sa.Column("ring_geojson", sa.Text(), nullable=False),
        sa.Column("intersects_city", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["cap_alerts.id"], name=op.f("fk_cap_alert_areas_alert_id_cap_alerts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cap_alert_areas")),
    )
    op.create_index("ix_cap_alert_areas_alert", "cap_alert_areas", ["alert_id"], unique=False)
    op.create_table(
        "cap_fetches",
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("last_attempt_utc", sa.DateTime(), nullable=False),
        sa.Column("last_success_utc", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("alerts_seen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_cap_fetches")),
    )
    op.create_table(
        "eido_imports",
        sa.Column("eido_id", sa.String(length=200), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("received_at_utc", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_eido_imports_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_keys.id"], name=op.f("fk_eido_imports_key_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("eido_id", name=op.f("pk_eido_imports")),
    )


def downgrade() -> None:
    op.drop_table("eido_imports")
    op.drop_table("cap_fetches")
    op.drop_index("ix_cap_alert_areas_alert", table_name="cap_alert_areas")
    op.drop_table("cap_alert_areas")
    op.drop_index("ix_cap_alerts_active", table_name="cap_alerts")
    op.drop_table("cap_alerts")
