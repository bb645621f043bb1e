"""the hand-off loop: intake API keys, alerts, escalation, outbox, admin audit

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:10:00

api_keys / api_requests / api_intake: the 112 platform posts incidents with a per-source key
(hashed), every request is logged, a retry of an external_id is recognised by its body hash.
alerts: what an OPD's (or the supervisors') open pages show until acknowledged. opd_channels /
outbox / outbox_attempts: webhooks and email written in the change's transaction, delivered
by a worker. admin_audit: who changed which setting, rule, user or key, before and after.
incidents.source (form/import/api) and incidents.escalation_level (0, 1, 2).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at_utc", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_key", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_audit")),
    )
    op.create_index("ix_admin_audit_at", "admin_audit", ["at_utc"], unique=False)
    op.create_index("ix_admin_audit_entity", "admin_audit", ["entity", "entity_key"], unique=False)
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_at_utc", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("revoked_at_utc", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=60), nullable=True),
        sa.Column("last_used_at_utc", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "api_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("at_utc", sa.DateTime(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=30), nullable=False),
        sa.Column("external_id", sa.String(length=80), nullable=True),
        sa.Column("incident_code", sa.String(length=24), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("remote", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_keys.id"], name=op.f("fk_api_requests_key_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_requests")),
    )
    op.create_index("ix_api_requests_at", "api_requests", ["at_utc"], unique=False)
    op.create_index("ix_api_requests_key_at", "api_requests", ["key_id", "at_utc"], unique=False)
    op.create_table(
        "opd_channels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opd_code", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at_utc", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('webhook','email')", name=op.f("ck_opd_channels_channel_known")
        ),
        sa.ForeignKeyConstraint(
            ["opd_code"], ["opds.code"], name=op.f("fk_opd_channels_opd_code_opds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opd_channels")),
    )
    op.create_table(
        "api_intake",
        sa.Column("external_id", sa.String(length=80), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("received_at_utc", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_api_intake_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_keys.id"], name=op.f("fk_api_intake_key_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("external_id", name=op.f("pk_api_intake")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("audience_role", sa.String(length=20), nullable=False),
        sa.Column("audience_opd", sa.String(length=20), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_at_utc", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at_utc", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=60), nullable=True),
        sa.Column("closed_at_utc", sa.DateTime(), nullable=True),
        sa.Column("close_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["audience_opd"], ["opds.code"], name=op.f("fk_alerts_audience_opd_opds")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["incident_events.id"], name=op.f("fk_alerts_event_id_incident_events")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_alerts_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index("ix_alerts_incident", "alerts", ["incident_id"], unique=False)
    op.create_index(
        "ix_alerts_open", "alerts", ["audience_role", "audience_opd", "closed_at_utc"], unique=False
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("opd_code", sa.String(length=20), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_utc", sa.DateTime(), nullable=False),
        sa.Column("locked_by", sa.String(length=80), nullable=True),
        sa.Column("locked_until_utc", sa.DateTime(), nullable=True),
        sa.Column("created_at_utc", sa.DateTime(), nullable=False),
        sa.Column("sent_at_utc", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["opd_channels.id"], name=op.f("fk_outbox_channel_id_opd_channels")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["incident_events.id"], name=op.f("fk_outbox_event_id_incident_events")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_outbox_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(["opd_code"], ["opds.code"], name=op.f("fk_outbox_opd_code_opds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_utc"], unique=False)
    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("at_utc", sa.DateTime(), nullable=False),
        sa.Column("worker", sa.String(length=80), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("response", sa.String(length=300), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_outbox_attempts_outbox_id_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempts")),
    )
    op.create_index("ix_outbox_attempts_outbox", "outbox_attempts", ["outbox_id"], unique=False)
    op.add_column(
        "incidents",
        sa.Column("source", sa.String(length=10), server_default="form", nullable=False),
    )
    op.add_column(
        "incidents", sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False)
    )
    # Reports that came with an external id came from an import file (no API existed before).
    op.execute("UPDATE incidents SET source = 'import' WHERE external_id IS NOT NULL")


def downgrade() -> None:
    op.drop_column("incidents", "escalation_level")
    op.drop_column("incidents", "source")
    op.drop_index("ix_outbox_attempts_outbox", table_name="outbox_attempts")
    op.drop_table("outbox_attempts")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_alerts_open", table_name="alerts")
    op.drop_index("ix_alerts_incident", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("api_intake")
    op.drop_table("opd_channels")
    op.drop_index("ix_api_requests_key_at", table_name="api_requests")
    op.drop_index("ix_api_requests_at", table_name="api_requests")
    op.drop_table("api_requests")
    op.drop_table("api_keys")
    op.drop_index("ix_admin_audit_entity", table_name="admin_audit")
    op.drop_index("ix_admin_audit_at", table_name="admin_audit")
    op.drop_table("admin_audit")
