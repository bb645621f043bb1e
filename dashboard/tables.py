"""Database tables (SQLAlchemy Core): the one description of the schema that migrations follow."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# All timestamps are naive UTC datetimes (column names end in _utc); pages convert to WIB.

opds = Table(
    "opds",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("short_name", String(60), nullable=False),
    Column("phone", String(40)),
    Column("description", Text),
    Column("active", Boolean, nullable=False, default=True),
)

categories = Table(
    "categories",
    metadata,
    Column("code", String(30), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("group_code", String(30), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("color", String(9), nullable=False),
    Column("needs", String(60)),
    Column("active", Boolean, nullable=False, default=True),
    CheckConstraint("priority BETWEEN 1 AND 4", name="priority_range"),
)

routing_rules = Table(
    "routing_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("category_code", String(30), ForeignKey("categories.code"), nullable=False),
    # NULL kecamatan: the city-wide default; a named kecamatan overrides it there.
    Column("kecamatan", String(60)),
    Column("opd_code", String(20), ForeignKey("opds.code"), nullable=False),
    UniqueConstraint("category_code", "kecamatan", name="uq_routing_category_area"),
)

facilities = Table(
    "facilities",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("also_serves", String(100), nullable=False, default=""),
    Column("opd_code", String(20), ForeignKey("opds.code")),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("address", String(300)),
    Column("phone", String(40)),
    Column("units", Integer, nullable=False, default=0),
    Column("lokasi_perkiraan", Boolean, nullable=False, default=False),
    Column("source", String(300)),
    Column("updated_at_utc", DateTime),
    Column("updated_by", String(60)),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(60), nullable=False, unique=True),
    Column("full_name", String(120), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("opd_code", String(20), ForeignKey("opds.code")),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until_utc", DateTime),
    Column("created_at_utc", DateTime, nullable=False),
    Column("last_login_utc", DateTime),
)

display_tokens = Table(
    "display_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False),
    # Only a hash is kept: a leaked database does not open the wall display.
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("created_at_utc", DateTime, nullable=False),
    Column("revoked_at_utc", DateTime),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(24), nullable=False, unique=True),
    Column("external_id", String(80), unique=True),
    Column("received_at_utc", DateTime, nullable=False),
    Column("category_code", String(30), ForeignKey("categories.code"), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("kondisi", Text, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("address", String(500), nullable=False),
    Column("kelurahan", String(60)),
    Column("kecamatan", String(60)),
    Column("kelurahan_kode", String(20)),
    Column("in_city", Boolean, nullable=False, default=True),
    # A point in the Java Sea off the city (the fishing port's boats): the coast it is nearest to
    # and how far out, so every screen can say "Laut, 1,2 km dari Panjang Wetan" (migration 0004).
    Column("at_sea", Boolean, nullable=False, default=False, server_default=false()),
    Column("nearest_kelurahan", String(60)),
    Column("distance_to_city_m", Float),
    Column("in_flood_zone", Boolean, nullable=False, default=False),
    Column("flood_zone_names", String(300), nullable=False, default=""),
    Column("caller_phone", String(20), nullable=False),
    Column("status", String(12), nullable=False),
    Column("opd_code", String(20), ForeignKey("opds.code")),
    # First hand-off by Call Center 112 (the time-to-forward KPI); kept through reassignments.
    Column("forwarded_at_utc", DateTime),
    # When the current OPD got it: reset by a reassignment, with the acknowledgement.
    Column("assigned_at_utc", DateTime),
    Column("acknowledged_at_utc", DateTime),
    Column("handling_at_utc", DateTime),
    Column("resolved_at_utc", DateTime),
    Column("cancelled_at_utc", DateTime),
    Column("cancel_reason", String(20)),
    Column("resolution_note", Text),
    Column("reassign_count", Integer, nullable=False, default=0),
    Column("first_opd_code", String(20), ForeignKey("opds.code")),
    Column("created_by", String(60), nullable=False),
    Column("updated_at_utc", DateTime, nullable=False),
    Column("updated_by", String(60), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    CheckConstraint(
        "status IN ('BARU','DITERUSKAN','DITERIMA','DITANGANI','SELESAI','DIBATALKAN')",
        name="status_known",
    ),
    Index("ix_incidents_received", "received_at_utc"),
    Index("ix_incidents_status_opd", "status", "opd_code"),
    Index("ix_incidents_phone_received", "caller_phone", "received_at_utc"),
    Index("ix_incidents_category_received", "category_code", "received_at_utc"),
    # Covering indexes for the Tren page's range aggregates (migration 0003).
    Index(
        "ix_incidents_trend_counts",
        "received_at_utc",
        "category_code",
        "status",
        "cancel_reason",
        "kecamatan",
        "kelurahan_kode",
        "kelurahan",
        "opd_code",
        "first_opd_code",
        "reassign_count",
        "lat",
        "lon",
    ),
    Index(
        "ix_incidents_trend_times",
        "received_at_utc",
        "opd_code",
        "category_code",
        "first_opd_code",
        "kecamatan",
        "forwarded_at_utc",
        "assigned_at_utc",
        "acknowledged_at_utc",
        "resolved_at_utc",
    ),
)

# Append-only: no code path updates or deletes a row (see dashboard/events.py).
incident_events = Table(
    "incident_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("at_utc", DateTime, nullable=False),
    Column("actor", String(60), nullable=False),
    Column("action", String(20), nullable=False),
    Column("from_status", String(12)),
    Column("to_status", String(12)),
    Column("from_opd", String(20)),
    Column("to_opd", String(20)),
    Column("reason", Text),
    Column("details", Text),
    Index("ix_events_incident", "incident_id", "at_utc"),
    Index("ix_events_action_at", "action", "at_utc"),
)

daily_counters = Table(
    "daily_counters",
    metadata,
    Column("day", String(8), primary_key=True),
    Column("last_seq", Integer, nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at_utc", DateTime),
)

geo_layers = Table(
    "geo_layers",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("geojson", Text, nullable=False),
    Column("source", String(300), nullable=False),
    Column("feature_count", Integer, nullable=False),
    Column("imported_at_utc", DateTime, nullable=False),
    Column("imported_by", String(60), nullable=False),
)

# Server-side sign-in: the browser holds only an opaque random id (HttpOnly cookie); its hash is
# kept here. Every tab of that browser shares the row, so signing out ends it everywhere.
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(60), nullable=False),
    Column("sid_hash", String(64), unique=True),
    # A one-time ticket the signing-in tab trades for the cookie (POST /auth/sesi), then cleared.
    Column("claim_hash", String(64), unique=True),
    Column("claim_expires_utc", DateTime),
    Column("created_at_utc", DateTime, nullable=False),
    Column("last_seen_utc", DateTime, nullable=False),
    Column("ended_at_utc", DateTime),
    Column("end_reason", String(20)),
    Index("ix_user_sessions_username", "username"),
)

# A half-filled Laporan baru, per user, kept until it is saved or cleared (survives a reload).
intake_drafts = Table(
    "intake_drafts",
    metadata,
    Column("username", String(60), primary_key=True),
    Column("fields", Text, nullable=False),
    Column("updated_at_utc", DateTime, nullable=False),
)
