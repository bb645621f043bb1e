"""Database tables (SQLAlchemy Core): the one description of the schema that migrations follow."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.sql.expression import FromClause, Join, Label

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
    # Where the report came from: form (a call-taker), import (a file) or api (the platform).
    Column("source", String(10), nullable=False, default="form", server_default="form"),
    # How far the silence of the current OPD has escalated (0 none, 1, 2); reset on a new hand-off.
    Column("escalation_level", Integer, nullable=False, default=0, server_default="0"),
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

# --- The hand-off loop (migration 0005) -------------------------------------------------------

# A source that may post incidents to /api/v1/incidents (the 112 telephony platform). Only the
# key's SHA-256 is stored; its first characters are kept to tell keys apart on the Admin page.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False),
    Column("key_prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    # Space-separated scopes; "intake" creates and reads incidents.
    Column("scopes", String(200), nullable=False),
    Column("created_at_utc", DateTime, nullable=False),
    Column("created_by", String(60), nullable=False),
    Column("revoked_at_utc", DateTime),
    Column("revoked_by", String(60)),
    Column("last_used_at_utc", DateTime),
)

# Every API request, accepted or refused: which key (NULL when none matched), when, what came of it.
api_requests = Table(
    "api_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_id", Integer, ForeignKey("api_keys.id")),
    Column("at_utc", DateTime, nullable=False),
    Column("method", String(8), nullable=False),
    Column("path", String(200), nullable=False),
    Column("status_code", Integer, nullable=False),
    # A short machine code: created, replayed, invalid, unauthorized, forbidden, too_large, ...
    Column("result", String(30), nullable=False),
    Column("external_id", String(80)),
    Column("incident_code", String(24)),
    Column("detail", Text),
    Column("remote", String(64)),
    Index("ix_api_requests_key_at", "key_id", "at_utc"),
    Index("ix_api_requests_at", "at_utc"),
)

# What was received under an external_id, so a retry is recognised and a different body refused.
api_intake = Table(
    "api_intake",
    metadata,
    Column("external_id", String(80), primary_key=True),
    Column("key_id", Integer, ForeignKey("api_keys.id"), nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("received_at_utc", DateTime, nullable=False),
)

# An alert on the pages of an OPD's users (or the supervisors'): open until acknowledged, or
# closed by the incident moving on (acknowledged, reassigned away, resolved, cancelled).
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    # ASSIGNED (a new incident for the OPD), MOVED_AWAY (the OPD lost it to a reassignment),
    # ESCALATED (to the supervisors: the OPD stayed silent past the target; level 1 or 2).
    Column("kind", String(20), nullable=False),
    Column("level", Integer, nullable=False, default=0),
    # Who sees it: a role, and for OPD alerts the OPD.
    Column("audience_role", String(20), nullable=False),
    Column("audience_opd", String(20), ForeignKey("opds.code")),
    # The incident event that raised it (a FORWARD, REASSIGN, REOPEN or ESCALATE).
    Column("event_id", Integer, ForeignKey("incident_events.id")),
    Column("created_at_utc", DateTime, nullable=False),
    Column("acknowledged_at_utc", DateTime),
    Column("acknowledged_by", String(60)),
    # Closed without an acknowledgement of the alert itself (the incident moved on).
    Column("closed_at_utc", DateTime),
    Column("close_reason", String(20)),
    Index("ix_alerts_open", "audience_role", "audience_opd", "closed_at_utc"),
    Index("ix_alerts_incident", "incident_id"),
)

# Where an OPD is told of a new incident besides the browser: a webhook (JSON, HMAC-signed with
# `secret`) or an email address. Several per OPD; an inactive one is kept for the audit.
opd_channels = Table(
    "opd_channels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("opd_code", String(20), ForeignKey("opds.code"), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("target", String(500), nullable=False),
    Column("secret", String(128)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at_utc", DateTime, nullable=False),
    CheckConstraint("channel IN ('webhook','email')", name="channel_known"),
)

# Transactional outbox: a message is written in the same transaction as the change it reports
# and delivered later by a worker (retries with backoff); `dedupe_key` makes a second enqueue of
# the same message impossible, row locks make a second delivery by another replica impossible.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(120), nullable=False, unique=True),
    Column("channel", String(10), nullable=False),
    Column("channel_id", Integer, ForeignKey("opd_channels.id")),
    Column("target", String(500), nullable=False),
    Column("opd_code", String(20), ForeignKey("opds.code")),
    Column("incident_id", Integer, ForeignKey("incidents.id")),
    Column("event_id", Integer, ForeignKey("incident_events.id")),
    Column("payload", Text, nullable=False),
    # PENDING -> SENT, or FAILED after the last attempt.
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_utc", DateTime, nullable=False),
    Column("locked_by", String(80)),
    Column("locked_until_utc", DateTime),
    Column("created_at_utc", DateTime, nullable=False),
    Column("sent_at_utc", DateTime),
    Column("last_error", Text),
    Index("ix_outbox_due", "status", "next_attempt_utc"),
)

outbox_attempts = Table(
    "outbox_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outbox_id", Integer, ForeignKey("outbox.id"), nullable=False),
    Column("at_utc", DateTime, nullable=False),
    Column("worker", String(80), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("response", String(300)),
    Column("duration_ms", Integer),
    Index("ix_outbox_attempts_outbox", "outbox_id"),
)

# Admin changes, audited like incidents: who, when, what, before and after (JSON).
admin_audit = Table(
    "admin_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at_utc", DateTime, nullable=False),
    Column("actor", String(60), nullable=False),
    # routing_rule, opd, user, api_key, setting, facility, layer, display_token, opd_channel
    Column("entity", String(30), nullable=False),
    Column("entity_key", String(120), nullable=False),
    Column("action", String(20), nullable=False),
    Column("before", Text),
    Column("after", Text),
    Index("ix_admin_audit_at", "at_utc"),
    Index("ix_admin_audit_entity", "entity", "entity_key"),
)

# --- Early warnings and interop (migration 0007) ----------------------------------------------

# A CAP 1.2 alert (BMKG nowcast or any CAP source), one row per <alert> identifier (idempotent).
# An Update or Cancel that references an earlier alert sets that alert's superseded_* columns.
cap_alerts = Table(
    "cap_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("identifier", String(200), nullable=False, unique=True),
    Column("sender", String(200), nullable=False),
    Column("sent_utc", DateTime, nullable=False),
    # Alert, Update, Cancel (CAP msgType; Ack/Error are refused)
    Column("msg_type", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    # The CAP <references> text as received ("sender,identifier,sent ..."), or NULL.
    Column("references", Text),
    Column("event", String(200), nullable=False),
    Column("urgency", String(20), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("certainty", String(20), nullable=False),
    Column("effective_utc", DateTime),
    Column("onset_utc", DateTime),
    Column("expires_utc", DateTime),
    Column("headline", String(300)),
    Column("description", Text),
    Column("area_desc", Text),
    Column("web", String(500)),
    # Does it touch Kota Pekalongan: polygon (a ring intersects the city), name (the description
    # names a kecamatan/kelurahan of the city) or none; matched_places lists the names, ", ".
    Column("touches_city", Boolean, nullable=False, default=False),
    Column("touch_reason", String(10), nullable=False),
    Column("matched_places", Text),
    Column("superseded_by", String(200)),
    Column("superseded_at_utc", DateTime),
    # Where it came from (a file name or URL) and when it arrived.
    Column("source", String(500), nullable=False),
    Column("received_at_utc", DateTime, nullable=False),
    Column("body_sha256", String(64), nullable=False),
    CheckConstraint("msg_type IN ('Alert','Update','Cancel')", name="msg_type_known"),
    CheckConstraint("touch_reason IN ('polygon','name','none')", name="touch_reason_known"),
    Index("ix_cap_alerts_active", "touches_city", "expires_utc"),
)

# Every polygon ring of a CAP alert kept separately: GeoJSON [[lon, lat], ...] (closed) as text.
cap_alert_areas = Table(
    "cap_alert_areas",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("cap_alerts.id"), nullable=False),
    Column("area_index", Integer, nullable=False),
    Column("ring_index", Integer, nullable=False),
    Column("area_desc", Text),
    Column("ring_geojson", Text, nullable=False),
    Column("intersects_city", Boolean, nullable=False, default=False),
    Index("ix_cap_alert_areas_alert", "alert_id"),
)

# The last fetch of each polled CAP source, so the screens can say when warnings were fetched.
cap_fetches = Table(
    "cap_fetches",
    metadata,
    Column("source", String(500), primary_key=True),
    Column("last_attempt_utc", DateTime, nullable=False),
    Column("last_success_utc", DateTime),
    Column("last_error", Text),
    Column("alerts_seen", Integer, nullable=False, default=0),
)

# An EIDO document received from a neighbour's CAD: idempotent on its $id like api_intake.
eido_imports = Table(
    "eido_imports",
    metadata,
    Column("eido_id", String(200), primary_key=True),
    Column("body_sha256", String(64), nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    # The API key it came with (NULL for the command line).
    Column("key_id", Integer, ForeignKey("api_keys.id")),
    Column("received_at_utc", DateTime, nullable=False),
)

# --- Trend rollups (migration 0008) -----------------------------------------------------------

# What Tren reads for folded days instead of every incident (dashboard/rollups.py). One row per
# tier ('day', or 'month': the sum of that month's day rows) x period start x cell, a cell being
# the filters' dimensions: category, current OPD, first OPD, kecamatan (NULL where the incident
# has none). Counts are exact; durations are histograms with bins of at most 1 % (rollups.py).
trend_rollups = Table(
    "trend_rollups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tier", String(5), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("category_code", String(30), nullable=False),
    Column("opd_code", String(20)),
    Column("first_opd_code", String(20)),
    Column("kecamatan", String(60)),
    Column("total", Integer, nullable=False),
    Column("prank", Integer, nullable=False),
    Column("ghost", Integer, nullable=False),
    Column("bukan_darurat", Integer, nullable=False),
    # Incidents moved to another OPD at least once (routing quality).
    Column("reassigned", Integer, nullable=False),
    # Calls per WIB weekday x hour: 168 little-endian uint32, index weekday * 24 + hour.
    Column("hours", LargeBinary, nullable=False),
    # JSON [[kelurahan_kode, kelurahan, count], ...] and [[from_opd, to_opd, reassignments], ...].
    Column("places", Text, nullable=False),
    Column("flows", Text, nullable=False),
    # Per stage: durations within the target recorded in trend_rollup_state, and the histogram
    # (little-endian int32 bin keys, then their int32 counts).
    Column("forward_within", Integer, nullable=False),
    Column("forward_bins", LargeBinary, nullable=False),
    Column("acknowledge_within", Integer, nullable=False),
    Column("acknowledge_bins", LargeBinary, nullable=False),
    Column("resolve_within", Integer, nullable=False),
    Column("resolve_bins", LargeBinary, nullable=False),
    # Incidents per density-grid cell of the spec recorded in trend_rollup_state.grid
    # (migration 0011): little-endian int32 ix values, then iy values, then counts.
    Column("grid", LargeBinary, nullable=False),
    # 'week' rows (migration 0011) start on a Monday and sum that ISO week's day rows.
    CheckConstraint("tier IN ('day','week','month')", name="tier_known"),
    # Covering the volume query (every day row of the range, summed by the database).
    Index(
        "ix_trend_rollups_period",
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
    ),
)

# One row (id 1, inserted by migration 0008): which incident changes the rollups hold. Folded:
# every incident with id <= folded_id and updated_at_utc < folded_until_utc (NULL: not built
# yet, Tren reads every incident). generation goes up with each full rebuild; targets is the
# JSON of the stage targets the *_within columns were counted against.
trend_rollup_state = Table(
    "trend_rollup_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", Integer, nullable=False, default=0),
    Column("folded_id", Integer),
    Column("folded_until_utc", DateTime),
    Column("targets", Text),
    Column("refreshed_at_utc", DateTime),
    # JSON of the geo.grid_counts.GridSpec the rollups' grid column counts in (migration 0011).
    Column("grid", Text),
)

# The catch-up finds incidents changed since the watermark without reading them all.
Index("ix_incidents_updated", incidents.c.updated_at_utc)


def with_names(source: FromClause = incidents) -> Join:
    """`source` (incidents, or a join that holds them) joined to the incident's category and to
    its OPD when it has one: the FROM that incident_names() reads."""
    return source.join(categories, categories.c.code == incidents.c.category_code).outerjoin(
        opds, opds.c.code == incidents.c.opd_code
    )


def incident_names() -> tuple[Label, Label]:
    """The incident's category name and its OPD's short name, as category_name and opd_name."""
    return categories.c.name.label("category_name"), opds.c.short_name.label("opd_name")


# --- Hand-off rollups (migration 0009) --------------------------------------------------------

# The Tren hand-off view for folded days (dashboard/rollups.py): per tier ('day', 'week' or
# 'month'; weeks since migration 0013, a week or month row sums its day rows) x period start
# (the WIB day of the hand-off, its ISO week's Monday, its month's first day) x the OPD it went
# to, its channels (trends.CHANNELS) and the incident's category and kecamatan: exact counts
# and the acknowledgement-time histogram (rollups' bins, little-endian int32 keys then
# counts). `within` is counted against the acknowledge target recorded in trend_rollup_state.
handoff_rollups = Table(
    "handoff_rollups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tier", String(5), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("opd_code", String(20), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("category_code", String(30), nullable=False),
    Column("kecamatan", String(60)),
    Column("handoffs", Integer, nullable=False),
    Column("acknowledged", Integer, nullable=False),
    Column("waiting", Integer, nullable=False),
    Column("within", Integer, nullable=False),
    Column("escalations", Integer, nullable=False),
    Column("ack_bins", LargeBinary, nullable=False),
    CheckConstraint("tier IN ('day','week','month')", name="tier_known"),
    Index("ix_handoff_rollups_period", "tier", "period_start"),
)

# ESCALATE events per WIB day x level and OPD (both from the event's details) x the incident's
# category and kecamatan: the view's escalations per week are sums of seven days.
escalation_rollups = Table(
    "escalation_rollups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period_start", Date, nullable=False),
    Column("level", Integer, nullable=False),
    Column("opd_code", String(20)),
    Column("category_code", String(30), nullable=False),
    Column("kecamatan", String(60)),
    Column("count", Integer, nullable=False),
    Index("ix_escalation_rollups_period", "period_start"),
)

# --- Latihan: training (migration 0010) -------------------------------------------------------
# These tables are written only in the training database (SIAGA_TRAINING_DATABASE_URL,
# dashboard.training); the live database has them empty, from the same migration chain.

# A scenario the admin added (JSON of dashboard.training_rules.Scenario); the library in
# data/latihan/scenarios.json is read from the file, these rows come on top of it.
training_scenarios = Table(
    "training_scenarios",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("body", Text, nullable=False),
    Column("added_by", String(60), nullable=False),
    Column("added_at_utc", DateTime, nullable=False),
)

# An SOP card the admin edited (JSON of dashboard.training_rules.SopCard): it replaces the
# card of data/latihan/sop_cards.json for its category.
training_cards = Table(
    "training_cards",
    metadata,
    Column("category_code", String(30), primary_key=True),
    Column("body", Text, nullable=False),
    Column("updated_by", String(60), nullable=False),
    Column("updated_at_utc", DateTime, nullable=False),
)

# One scenario run by one trainee inside a drill (drill_id groups the set they ran).
training_attempts = Table(
    "training_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("drill_id", String(36), nullable=False),
    Column("trainee", String(60), nullable=False),
    # call: the call-taker's drill; opd: the OPD admin's drill
    Column("kind", String(10), nullable=False),
    Column("scenario_code", String(40), nullable=False),
    Column("started_at_utc", DateTime, nullable=False),
    Column("submitted_at_utc", DateTime, nullable=False),
    # What the trainee entered and did (JSON), kept for the trainer.
    Column("answers", Text, nullable=False),
    Column("score", Integer, nullable=False),
    Column("max_score", Integer, nullable=False),
    CheckConstraint("kind IN ('call','opd')", name="kind_known"),
    Index("ix_training_attempts_trainee", "trainee", "submitted_at_utc"),
)

# Each scored step of an attempt (dashboard.training_rules.STEPS): the trainer's view counts
# which steps new staff miss most from these rows.
training_attempt_steps = Table(
    "training_attempt_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempt_id", Integer, ForeignKey("training_attempts.id"), nullable=False),
    Column("step", String(30), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("points", Integer, nullable=False),
    Column("max_points", Integer, nullable=False),
    # A feedback code (labels.TRAINING_FEEDBACK renders it); NULL when the step was right.
    Column("feedback", String(40)),
    # The numbers its text needs (StepResult.detail as JSON, e.g. {"m": 850}); NULL for none.
    Column("detail", Text),
    Index("ix_training_attempt_steps_attempt", "attempt_id"),
    Index("ix_training_attempt_steps_step", "step"),
)

# --- L (Latihan resume, migration 0012) -------------------------------------------------------
# A drill in progress, one row per trainee and drill kind, in the training database only: the
# scenarios, where the trainee is, what they asked/did and typed (state, JSON of
# dashboard.training.DrillProgress), so a reload or a second tab resumes it. `revision` grows
# at every save: a tab that saw an older one adopts the row instead of overwriting it.
training_progress = Table(
    "training_progress",
    metadata,
    Column("trainee", String(60), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("drill_id", String(36), nullable=False),
    Column("state", Text, nullable=False),
    # When the current scenario was first shown: its elapsed time counts from here.
    Column("started_at_utc", DateTime, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("updated_at_utc", DateTime, nullable=False),
    CheckConstraint("kind IN ('call','opd')", name="kind_known"),
)
