"""Incident use cases: record, forward, acknowledge, handle, resolve, cancel, reassign, reopen.

Each public function owns one transaction, checks the actor's role itself, applies a change only
against the version the user saw, and appends to the event log in the same transaction.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import Connection, Engine, and_, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dashboard import catalogue, handoff, labels
from dashboard import tables as t
from dashboard.citydata import current_city
from dashboard.domain import (
    BARU,
    CANCEL_REASONS,
    DIBATALKAN,
    DITANGANI,
    DITERIMA,
    DITERUSKAN,
    NUISANCE_REASONS,
    OPEN_STATUSES,
    SELESAI,
    STATUS_TIME_COLUMN,
    Actor,
    check_permission,
    check_reassign,
    check_transition,
    clean_text,
    format_wib,
    incident_code,
    naive_utc,
    normalise_phone,
    reopen_target,
    route,
    utc_now,
    wib_day,
)
from dashboard.errors import (
    InvalidInput,
    NotFound,
    OutsideServiceArea,
    StaleVersion,
    UnknownReference,
    geo_boundary,
)
from dashboard.places import place_columns
from geo import METRES_PER_DEGREE_LAT, geodesic_distance_m, locate, locate_points

KONDISI_MAX = 2000
ADDRESS_MAX = 500
REASON_MAX = 1000
# Calls from just beyond the city line are still taken (and flagged); farther ones are refused.
SERVICE_AREA_MARGIN_M = 5_000
# Where a nuisance call that was never located is stored (Kota Pekalongan's alun-alun); its
# kelurahan stays empty so area figures do not count it.
UNLOCATED_POINT = (-6.8894, 109.6746)
NUISANCE_DEFAULT_CATEGORY = "INFORMASI"
# The events that hand an incident to an OPD (its users are alerted, its channels told).
HANDOFF_ACTIONS = frozenset({"FORWARD", "REASSIGN", "REOPEN"})
# Older call times are typing errors (the incident code has room for a four-digit year only).
EARLIEST_RECEIVED_UTC = datetime(2000, 1, 1)


@dataclass(frozen=True)
class NewReport:
    """What the call-taker records (the SOP fields) plus where it was located."""

    category_code: str
    kondisi: str
    lat: float | None
    lon: float | None
    address: str
    caller_phone: str
    received_at_utc: datetime | None = None
    external_id: str | None = None
    forward_to: str | None = None  # an OPD code; None forwards to the routed OPD
    forward: bool = True
    # form (a call-taker), import (a file) or api (the 112 platform): incidents.source.
    source: str = "form"


@dataclass(frozen=True)
class Recorded:
    id: int
    code: str
    status: str
    opd_code: str | None
    version: int


def create_incident(
    engine: Engine,
    actor: Actor,
    report: NewReport,
    *,
    now: datetime | None = None,
    city=None,
) -> Recorded:
    """Record a report (validated whole before anything is written) and forward it if asked."""
    check_permission(actor, "create")
    if report.forward:
        check_permission(actor, "forward")
    now = naive_utc(now) if now else utc_now()
    fields = validate_report(report, now=now)
    place = locate_report(engine, fields["lat"], fields["lon"], city=city)
    with engine.begin() as conn:
        return _insert_incident(conn, actor, fields, place, report, now=now)


def validate_report(report: NewReport, *, now: datetime) -> dict[str, object]:
    """The report's fields cleaned, or InvalidInput naming every missing SOP field first."""
    missing = [
        name
        for name, value in (
            (labels.REQUIRED_CATEGORY, report.category_code),
            (labels.REQUIRED_KONDISI, report.kondisi),
            (labels.REQUIRED_ADDRESS, report.address),
            (labels.REQUIRED_PHONE, report.caller_phone),
        )
        if not (value or "").strip()
    ]
    if report.lat is None or report.lon is None:
        missing.append(labels.FIELD_MAP_POINT)
    if missing:
        raise InvalidInput(labels.ERR_REQUIRED.format(fields=", ".join(missing)))
    lat, lon = check_coordinates(report.lat, report.lon)
    received = check_received_time(report.received_at_utc, now=now)
    return {
        "category_code": report.category_code.strip().upper(),
        "kondisi": clean_text(report.kondisi, field=labels.FIELD_KONDISI, limit=KONDISI_MAX),
        "address": clean_text(report.address, field=labels.FIELD_ADDRESS, limit=ADDRESS_MAX),
        "caller_phone": normalise_phone(report.caller_phone),
        "lat": lat,
        "lon": lon,
        "received_at_utc": received,
        "external_id": clean_text(report.external_id, field="external_id", limit=80, required=False)
        or None,
    }


def check_received_time(value: datetime | None, *, now: datetime) -> datetime:
    """The call time as stored (naive UTC): `now` when not given; refused when impossible."""
    if value is None:
        return now
    try:
        received = naive_utc(value)
        shown = format_wib(received)
    except OverflowError:
        # Year 1 at +14:00 or year 9999 at -14:00 cannot even be converted to UTC/WIB.
        raise InvalidInput(labels.ERR_TIME_RANGE.format(value=str(value)[:40])) from None
    if received > now + timedelta(minutes=5):
        raise InvalidInput(labels.ERR_FUTURE.format(value=shown))
    if received < EARLIEST_RECEIVED_UTC:
        raise InvalidInput(labels.ERR_TIME_RANGE.format(value=shown))
    return received


def check_coordinates(lat: object, lon: object) -> tuple[float, float]:
    try:
        lat_f, lon_f = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        # OverflowError: an integer too large for a float (e.g. a 400-digit "latitude").
        raise InvalidInput(labels.ERR_COORDINATES) from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        raise InvalidInput(labels.ERR_COORDINATES)
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        raise InvalidInput(labels.ERR_COORDINATES)
    return lat_f, lon_f


def locate_report(engine: Engine, lat: float, lon: float, *, city=None):
    """geo.locate on the city the database describes; refuses points far outside the city."""
    city = city if city is not None else current_city(engine)
    with geo_boundary():
        place = locate(lat, lon, city=city)
    refusal = _outside_service_area(place)
    if refusal is not None:
        raise refusal
    return place


def locate_reports(engine: Engine, points: list[tuple[float, float]], *, city=None) -> list:
    """locate_report for many points in one pass (a batch): per point, its place or the
    OutsideServiceArea refusal locate_report would have raised (returned, not raised)."""
    if not points:
        return []
    city = city if city is not None else current_city(engine)
    with geo_boundary():
        places = locate_points([p[0] for p in points], [p[1] for p in points], city=city)
    return [_outside_service_area(place) or place for place in places]


def _outside_service_area(place) -> OutsideServiceArea | None:
    if not place.in_city and place.distance_to_city_m > SERVICE_AREA_MARGIN_M:
        msg = labels.ERR_OUTSIDE_SERVICE_AREA.format(distance_km=place.distance_to_city_m / 1000)
        return OutsideServiceArea(msg)
    return None


def forward_incident(
    engine: Engine,
    actor: Actor,
    incident_id: int,
    opd_code: str,
    *,
    seen_version: int,
    now: datetime | None = None,
) -> Recorded:
    """Hand a new report to an OPD (Call Center 112 -> OPD)."""
    check_permission(actor, "forward")
    now = naive_utc(now) if now else utc_now()
    with engine.begin() as conn:
        row = _load(conn, incident_id, seen_version=seen_version)
        catalogue.check_active_opds(conn, [opd_code])
        check_transition(row.status, DITERUSKAN)
        values = {
            "status": DITERUSKAN,
            "opd_code": opd_code,
            "first_opd_code": row.first_opd_code or opd_code,
            "forwarded_at_utc": now,
            "assigned_at_utc": now,
        }
        return _apply(conn, actor, row, "FORWARD", values, seen_version=seen_version, now=now)


def acknowledge(
    engine: Engine,
    actor: Actor,
    incident_id: int,
    *,
    seen_version: int,
    note: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """The OPD confirms it has taken the report (DITERIMA)."""
    return _status_change(
        engine,
        actor,
        incident_id,
        DITERIMA,
        permission="acknowledge",
        action="ACKNOWLEDGE",
        seen_version=seen_version,
        now=now,
        note=_optional_note(note),
    )


def start_handling(
    engine: Engine,
    actor: Actor,
    incident_id: int,
    *,
    seen_version: int,
    note: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """A unit is on its way (DITANGANI)."""
    return _status_change(
        engine,
        actor,
        incident_id,
        DITANGANI,
        permission="handle",
        action="HANDLE",
        seen_version=seen_version,
        now=now,
        note=_optional_note(note),
    )


def resolve(
    engine: Engine,
    actor: Actor,
    incident_id: int,
    *,
    seen_version: int,
    note: str,
    now: datetime | None = None,
) -> Recorded:
    """The OPD closes the report as handled (SELESAI), with a note."""
    text = clean_text(note, field=labels.FIELD_RESOLUTION, limit=REASON_MAX)
    return _status_change(
        engine,
        actor,
        incident_id,
        SELESAI,
        permission="resolve",
        action="RESOLVE",
        seen_version=seen_version,
        now=now,
        note=text,
        extra={"resolution_note": text},
    )


def cancel(
    engine: Engine,
    actor: Actor,
    incident_id: int,
    reason_code: str,
    *,
    seen_version: int,
    note: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Close an open report as prank, ghost call, duplicate or not an emergency."""
    if reason_code not in CANCEL_REASONS:
        raise InvalidInput(labels.ERR_CANCEL_REASON.format(value=str(reason_code)[:40]))
    text = _optional_note(note)
    return _status_change(
        engine,
        actor,
        incident_id,
        DIBATALKAN,
        permission="cancel",
        action="CANCEL",
        seen_version=seen_version,
        now=now,
        note=text,
        extra={"cancel_reason": reason_code},
        reason=reason_code,
    )


def reassign(
    engine: Engine,
    actor: Actor,
    incident_id: int,
    to_opd: str,
    reason: str,
    *,
    seen_version: int,
    now: datetime | None = None,
) -> Recorded:
    """Move an incident to another OPD with a required reason; the acknowledgement starts over."""
    check_permission(actor, "reassign")
    text = _required_reason(reason, field=labels.FIELD_REASSIGN_REASON_NAME)
    now = naive_utc(now) if now else utc_now()
    with engine.begin() as conn:
        row = _load(conn, incident_id, seen_version=seen_version)
        catalogue.check_active_opds(conn, [to_opd])
        check_reassign(row.status)
        if row.opd_code == to_opd:
            raise InvalidInput(labels.ERR_SAME_OPD)
        values = {
            "status": DITERUSKAN,
            "opd_code": to_opd,
            "assigned_at_utc": now,
            "acknowledged_at_utc": None,
            "handling_at_utc": None,
            "reassign_count": row.reassign_count + 1,
            "escalation_level": 0,
        }
        return _apply(
            conn, actor, row, "REASSIGN", values, seen_version=seen_version, now=now, reason=text
        )


def reopen(
    engine: Engine,
    actor: Actor,
    incident_id: int,
    reason: str,
    *,
    seen_version: int,
    now: datetime | None = None,
) -> Recorded:
    """Open a resolved or cancelled incident again, with a required reason (a supervisor only).

    The domain decides where it goes (reopen_target): BARU when it never reached an OPD (then
    it must be forwarded), else DITERUSKAN back to its last OPD with the acknowledgement
    starting over. The closed-state fields are cleared; their old values stay in the log entry.
    """
    check_permission(actor, "reopen")
    text = _required_reason(reason, field=labels.FIELD_REOPEN_REASON_NAME)
    now = naive_utc(now) if now else utc_now()
    with engine.begin() as conn:
        row = _load(conn, incident_id, seen_version=seen_version)
        to_status, opd_code = reopen_target(
            row.status, row.opd_code, opd_active=_opd_active(conn, row.opd_code)
        )
        values = {
            "status": to_status,
            "opd_code": opd_code,
            "assigned_at_utc": now if opd_code else None,
            "acknowledged_at_utc": None,
            "handling_at_utc": None,
            "resolved_at_utc": None,
            "resolution_note": None,
            "cancelled_at_utc": None,
            "cancel_reason": None,
            "escalation_level": 0,
        }
        return _apply(
            conn, actor, row, "REOPEN", values, seen_version=seen_version, now=now, reason=text
        )


def change_status(
    engine: Engine,
    actor: Actor,
    incident_id: int,
    to_status: str,
    *,
    seen_version: int,
    reason: str,
    cancel_reason: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """A status change from the supervisor board: any allowed step, always with a written reason.

    Cancelling also needs a reason code (prank, ghost, duplicate, not an emergency).
    """
    text = _required_reason(reason, field=labels.FIELD_REASON)
    common = {"seen_version": seen_version, "now": now}
    if to_status == DITERIMA:
        return acknowledge(engine, actor, incident_id, note=text, **common)
    if to_status == DITANGANI:
        return start_handling(engine, actor, incident_id, note=text, **common)
    if to_status == SELESAI:
        return resolve(engine, actor, incident_id, note=text, **common)
    if to_status == DIBATALKAN:
        if not cancel_reason:
            raise InvalidInput(labels.ERR_CANCEL_REASON_REQUIRED)
        return cancel(engine, actor, incident_id, cancel_reason, note=text, **common)
    raise InvalidInput(labels.ERR_STATUS_TARGET.format(value=str(to_status)[:20]))


def record_and_close(
    engine: Engine,
    actor: Actor,
    report: NewReport,
    reason_code: str,
    *,
    note: str | None = None,
    now: datetime | None = None,
    city=None,
) -> Recorded:
    """Record a nuisance call and close it at once (one transaction: never a half-written record).

    Only the caller's number is required, because a ghost call says nothing: the category
    defaults to Informasi, kondisi to the reason, and a call that was never located is stored
    at the city centre with no kelurahan. The number then counts towards the prank flag.
    """
    check_permission(actor, "create")
    check_permission(actor, "cancel")
    if reason_code not in CANCEL_REASONS:
        raise InvalidInput(labels.ERR_CANCEL_REASON.format(value=str(reason_code)[:40]))
    now = naive_utc(now) if now else utc_now()
    text = clean_text(note, field=labels.FIELD_NOTE, limit=REASON_MAX, required=False) or None
    located = report.lat is not None and report.lon is not None
    lat, lon = (report.lat, report.lon) if located else UNLOCATED_POINT
    filled = replace(
        report,
        category_code=(report.category_code or "").strip() or NUISANCE_DEFAULT_CATEGORY,
        kondisi=(report.kondisi or "").strip() or labels.CANCEL_REASON[reason_code],
        address=(report.address or "").strip() or labels.LOCATION_NOT_GIVEN,
        lat=lat,
        lon=lon,
        forward=False,
        forward_to=None,
    )
    fields = validate_report(filled, now=now)
    place = (
        locate_report(engine, fields["lat"], fields["lon"], city=city) if located else _UNLOCATED
    )
    with engine.begin() as conn:
        recorded = _insert_incident(conn, actor, fields, place, filled, now=now)
        row = _load(conn, recorded.id)
        values = {"status": DIBATALKAN, "cancelled_at_utc": now, "cancel_reason": reason_code}
        return _apply(
            conn,
            actor,
            row,
            "CANCEL",
            values,
            seen_version=recorded.version,
            now=now,
            reason=reason_code,
            note=text,
        )


def prank_count(conn: Connection, phone: str, *, now: datetime, days: int) -> int:
    """How many calls from this number were closed as prank/ghost/not-an-emergency lately."""
    since = naive_utc(now) - timedelta(days=days)
    query = select(func.count()).where(
        t.incidents.c.caller_phone == phone,
        t.incidents.c.status == DIBATALKAN,
        t.incidents.c.cancel_reason.in_(NUISANCE_REASONS),
        t.incidents.c.received_at_utc >= since,
    )
    return conn.execute(query).scalar_one()


def possible_duplicates(
    conn: Connection,
    *,
    category_code: str,
    lat: float,
    lon: float,
    now: datetime,
    radius_m: float,
    window_min: int,
) -> list[dict[str, object]]:
    """Open reports of the same category near this point in the last minutes (nearest first)."""
    since = naive_utc(now) - timedelta(minutes=window_min)
    # A degree box prefilter keeps the query on the index; the exact distance is geodesic.
    dlat = radius_m / METRES_PER_DEGREE_LAT * 1.5
    dlon = dlat / max(math.cos(math.radians(lat)), 0.1)
    i = t.incidents.c
    rows = conn.execute(
        select(i.id, i.code, i.lat, i.lon, i.address, i.received_at_utc, i.status).where(
            i.category_code == category_code,
            i.received_at_utc >= since,
            i.status.in_(OPEN_STATUSES),
            i.lat.between(lat - dlat, lat + dlat),
            i.lon.between(lon - dlon, lon + dlon),
        )
    ).all()
    found = []
    for r in rows:
        distance = geodesic_distance_m(lat, lon, r.lat, r.lon)
        if distance <= radius_m:
            found.append({**r._asdict(), "distance_m": distance})
    return sorted(found, key=lambda item: item["distance_m"])


# --- private helpers -------------------------------------------------------------------------


def record_report(
    conn: Connection, actor: Actor, fields: dict, place, report: NewReport, *, now: datetime
) -> Recorded:
    """Insert a validated report (validate_report's fields, locate_report's place) on `conn`.

    For callers that write more in the same transaction (the import, the intake API); the
    caller has checked the actor's permission. Forwards by the routing rule if report.forward.
    """
    return _insert_incident(conn, actor, fields, place, report, now=now)


def record_reports(
    conn: Connection,
    actor: Actor,
    reports: Sequence[tuple[dict, object, NewReport]],
    *,
    now: datetime,
) -> list[Recorded]:
    """record_report for many (fields, place, report) at once, in order, on `conn`.

    One statement per table (executemany), one block of the day's numbers per WIB day: what
    a batch costs no longer grows with a round trip per row. An unknown category or OPD
    raises (the caller's transaction then writes nothing).
    """
    return _insert_incidents(conn, actor, reports, now=now)


def _insert_incident(
    conn: Connection, actor: Actor, fields: dict, place, report: NewReport, *, now: datetime
) -> Recorded:
    return _insert_incidents(conn, actor, [(fields, place, report)], now=now)[0]


def _insert_incidents(
    conn: Connection,
    actor: Actor,
    reports: Sequence[tuple[dict, object, NewReport]],
    *,
    now: datetime,
) -> list[Recorded]:
    """The one way incidents are written: check, route, number, insert, log, hand off."""
    if not reports:
        return []
    routed = _routed(conn, reports)
    codes = _reserve_codes(conn, [fields["received_at_utc"] for fields, _, _ in reports])
    rows = [
        _incident_row(
            fields, place, report, category=category, opd_code=opd, code=code, actor=actor, now=now
        )
        for (fields, place, report), (category, _, opd), code in zip(
            reports, routed, codes, strict=True
        )
    ]
    # A plain executemany, then the ids by code: RETURNING would make one statement of the
    # whole batch that psycopg parses in Python (seconds for thousands of rows).
    conn.execute(insert(t.incidents), rows)
    ids = _ids_by(conn, t.incidents.c.id, t.incidents.c.code, [row["code"] for row in rows])
    conn.execute(
        insert(t.incident_events),
        [
            event_row(
                ids[row["code"]],
                actor.username,
                # How the report arrived: typed by a call-taker, from a file, or posted by the
                # 112 platform.
                {"api": "RECEIVE", "import": "IMPORT"}.get(row["source"], "CREATE"),
                now=now,
                to_status=BARU,
                details={
                    "code": row["code"],
                    "category": category.code,
                    "kelurahan": place.kelurahan,
                },
            )
            for row, (_, place, _), (category, _, _) in zip(rows, reports, routed, strict=True)
        ],
    )
    forwarded = [
        (row, suggested)
        for row, (_, suggested, _) in zip(rows, routed, strict=True)
        if row["opd_code"]
    ]
    if forwarded:
        _forwarded(conn, actor, forwarded, ids, now=now)
    return [
        Recorded(ids[row["code"]], row["code"], row["status"], row["opd_code"], 1) for row in rows
    ]


def _routed(conn: Connection, reports: Sequence[tuple[dict, object, NewReport]]) -> list[tuple]:
    """(category, suggested OPD, OPD to forward to) per report; UnknownReference if not known."""
    categories = catalogue.categories(conn)
    rules = catalogue.routing_rules(conn) if any(r.forward for _, _, r in reports) else []
    routed = []
    for fields, place, report in reports:
        category = categories.get(fields["category_code"])
        if category is None:
            raise UnknownReference(
                labels.ERR_UNKNOWN_CATEGORY.format(value=fields["category_code"][:40])
            )
        suggested = route(category.code, place.kecamatan, rules) if report.forward else None
        routed.append(
            (category, suggested, (report.forward_to or suggested) if report.forward else None)
        )
    catalogue.check_active_opds(
        conn,
        [
            opd
            for (_, _, report), (_, _, opd) in zip(reports, routed, strict=True)
            if report.forward
        ],
    )
    return routed


def _incident_row(
    fields: dict,
    place,
    report: NewReport,
    *,
    category,
    opd_code: str | None,
    code: str,
    actor: Actor,
    now: datetime,
) -> dict[str, object]:
    """The incidents row of a new report (every column but the id)."""
    return {
        **fields,
        "code": code,
        "priority": category.priority,
        # kelurahan .. flood zones; at sea / nearest kelurahan / distance for outside points.
        **place_columns(place),
        "status": DITERUSKAN if opd_code else BARU,
        "opd_code": opd_code,
        "first_opd_code": opd_code,
        "forwarded_at_utc": now if opd_code else None,
        "assigned_at_utc": now if opd_code else None,
        "reassign_count": 0,
        # A report with an external id and no other source came from an import file.
        "source": "import" if report.external_id and report.source == "form" else report.source,
        "escalation_level": 0,
        "created_by": actor.username,
        "updated_at_utc": now,
        "updated_by": actor.username,
        "version": 1,
    }


def _forwarded(
    conn: Connection, actor: Actor, forwarded: list[tuple[dict, str | None]], ids: dict, *, now
) -> None:
    """FORWARD events of new incidents (after their CREATE: a second statement) and hand-offs."""
    conn.execute(
        insert(t.incident_events),
        [
            event_row(
                ids[row["code"]],
                actor.username,
                "FORWARD",
                now=now,
                from_status=BARU,
                to_status=DITERUSKAN,
                to_opd=row["opd_code"],
                # The call-taker overrode the routing rule: kept for the "routing was wrong"
                # figures.
                details={"suggested_opd": suggested} if suggested != row["opd_code"] else None,
            )
            for row, suggested in forwarded
        ],
    )
    e = t.incident_events.c
    event_ids = _ids_by(
        conn, e.id, e.incident_id, [ids[row["code"]] for row, _ in forwarded], e.action == "FORWARD"
    )
    for row, _ in forwarded:
        stored = SimpleNamespace(**row, id=ids[row["code"]])
        handoff.on_assigned(
            conn,
            stored,
            event_id=event_ids[stored.id],
            action="FORWARD",
            from_opd=None,
            to_opd=row["opd_code"],
            now=now,
        )


def _ids_by(conn: Connection, id_column, key_column, keys: list, *where) -> dict:
    """{key: id} of the rows whose key_column is one of `keys` (IN lists of 500 at a time)."""
    found: dict = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found |= dict(
            conn.execute(select(key_column, id_column).where(key_column.in_(chunk), *where)).all()
        )
    return found


@dataclass(frozen=True)
class _Place:
    kelurahan: str | None = None
    kecamatan: str | None = None
    kode: str | None = None
    in_city: bool = True
    distance_to_city_m: float = 0.0
    flood_zones: tuple = ()


_UNLOCATED = _Place()


def _optional_note(note: str | None) -> str | None:
    return clean_text(note, field=labels.FIELD_NOTE, limit=REASON_MAX, required=False) or None


def _required_reason(reason: str | None, *, field: str) -> str:
    """The cleaned reason; a blank one is refused with the one 'reason required' message."""
    text = clean_text(reason, field=field, limit=REASON_MAX, required=False)
    if not text:
        raise InvalidInput(labels.ERR_REASON_REQUIRED)
    return text


def _reserve_codes(conn: Connection, received: Sequence[datetime]) -> list[str]:
    """The next public codes for calls received at these times, in order (one block per day)."""
    days = [wib_day(at) for at in received]
    per_day = Counter(days)
    first = {day: _reserve_sequences(conn, day, per_day[day]) for day in sorted(per_day)}
    taken: Counter[str] = Counter()
    codes = []
    for at, day in zip(received, days, strict=True):
        codes.append(incident_code(at, first[day] + taken[day]))
        taken[day] += 1
    return codes


def _reserve_sequences(conn: Connection, day: str, count: int) -> int:
    """Atomic per-day counter: `count` consecutive numbers reserved, the first returned.

    An upsert that returns the new last value on SQLite and PostgreSQL; the counter row stays
    locked until the transaction ends, so a concurrent writer's numbers come before or after
    the whole block (days in sorted order: two batches never wait on each other in a circle).
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(t.daily_counters).values(day=day, last_seq=count)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.daily_counters.c.day],
        set_={"last_seq": t.daily_counters.c.last_seq + count},
    ).returning(t.daily_counters.c.last_seq)
    return conn.execute(stmt).scalar_one() - count + 1


def _status_change(
    engine: Engine,
    actor: Actor,
    incident_id: int,
    to_status: str,
    *,
    permission: str,
    action: str,
    seen_version: int,
    now: datetime | None,
    note: str | None = None,
    extra: dict | None = None,
    reason: str | None = None,
) -> Recorded:
    check_permission(actor, permission, incident_opd=actor.opd_code)
    now = naive_utc(now) if now else utc_now()
    with engine.begin() as conn:
        row = _load(conn, incident_id)
        check_permission(actor, permission, incident_opd=row.opd_code)
        _check_seen(conn, row, seen_version)
        check_transition(row.status, to_status)
        values = {"status": to_status, STATUS_TIME_COLUMN[to_status]: now, **(extra or {})}
        return _apply(
            conn,
            actor,
            row,
            action,
            values,
            seen_version=seen_version,
            now=now,
            reason=reason or note,
            note=note if reason else None,
        )


def _apply(
    conn: Connection,
    actor: Actor,
    row,
    action: str,
    values: dict,
    *,
    seen_version: int,
    now: datetime,
    reason: str | None = None,
    note: str | None = None,
) -> Recorded:
    result = conn.execute(
        update(t.incidents)
        .where(and_(t.incidents.c.id == row.id, t.incidents.c.version == seen_version))
        .values(
            **values,
            version=t.incidents.c.version + 1,
            updated_at_utc=now,
            updated_by=actor.username,
        )
    )
    if result.rowcount != 1:
        raise _stale(conn, row.id)
    before = {k: _jsonable(getattr(row, k)) for k in values}
    after = {k: _jsonable(v) for k, v in values.items()}
    event_id = _log(
        conn,
        row.id,
        actor,
        action,
        now=now,
        from_status=row.status,
        to_status=values.get("status"),
        from_opd=row.opd_code,
        to_opd=values.get("opd_code", row.opd_code),
        reason=reason,
        details={"before": before, "after": after, **({"note": note} if note else {})},
    )
    # The incident as it now is: the row loaded for the check plus what was just written.
    changed = SimpleNamespace(**{**row._mapping, **values})
    _after_change(conn, actor, changed, action, event_id, from_opd=row.opd_code, now=now)
    return Recorded(
        row.id,
        row.code,
        values.get("status", row.status),
        values.get("opd_code", row.opd_code),
        seen_version + 1,
    )


def _after_change(
    conn: Connection,
    actor: Actor,
    stored,
    action: str,
    event_id: int,
    *,
    from_opd: str | None,
    now: datetime,
) -> None:
    """Alerts and outbound messages for the change just applied (same transaction)."""
    incident_id = stored.id
    if stored.status == DITERUSKAN and stored.opd_code and action in HANDOFF_ACTIONS:
        handoff.on_assigned(
            conn,
            stored,
            event_id=event_id,
            action=action,
            from_opd=from_opd,
            to_opd=stored.opd_code,
            now=now,
        )
    elif stored.status == DITERIMA:
        handoff.on_acknowledged(conn, incident_id, actor, now)
    elif stored.status in (SELESAI, DIBATALKAN):
        handoff.on_finished(conn, incident_id, now)


def _stale(conn: Connection, incident_id: int) -> StaleVersion:
    last = conn.execute(
        select(t.incident_events.c.actor, t.incident_events.c.at_utc, t.incident_events.c.action)
        .where(t.incident_events.c.incident_id == incident_id)
        .order_by(t.incident_events.c.id.desc())
        .limit(1)
    ).first()
    actor, at, what = (
        (last.actor, format_wib(last.at_utc), labels.ACTION.get(last.action, last.action))
        if last
        else ("-", "-", "-")
    )
    return StaleVersion(labels.ERR_STALE.format(actor=actor, at=at, what=what))


def _load(conn: Connection, incident_id: int, *, seen_version: int | None = None):
    row = conn.execute(select(t.incidents).where(t.incidents.c.id == incident_id)).first()
    if row is None:
        raise NotFound(labels.ERR_NOT_FOUND)
    if seen_version is not None:
        _check_seen(conn, row, seen_version)
    return row


def _check_seen(conn: Connection, row, seen_version: int) -> None:
    # Checked before the rules: the loser of a race learns who changed the incident, not
    # a confusing rule message about the state the winner left behind.
    if row.version != seen_version:
        raise _stale(conn, row.id)


def _opd_active(conn: Connection, opd_code: str | None) -> bool:
    if not opd_code:
        return False
    found = conn.execute(
        select(t.opds.c.code).where(t.opds.c.code == opd_code, t.opds.c.active)
    ).first()
    return found is not None


def _log(
    conn: Connection,
    incident_id: int,
    actor: Actor,
    action: str,
    *,
    now: datetime,
    **fields: object,
) -> int:
    """Write one incident_events row (the fields of event_row) and return its id."""
    values = event_row(incident_id, actor.username, action, now=now, **fields)
    return conn.execute(
        insert(t.incident_events).values(**values).returning(t.incident_events.c.id)
    ).scalar_one()


def event_row(
    incident_id: int,
    username: str,
    action: str,
    *,
    now: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    from_opd: str | None = None,
    to_opd: str | None = None,
    reason: str | None = None,
    details: dict | None = None,
) -> dict[str, object]:
    """One incident_events row, done by `username` (_log writes one, a batch and the demo's
    history many in one statement)."""
    return {
        "incident_id": incident_id,
        "at_utc": now,
        "actor": username,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "from_opd": from_opd,
        "to_opd": to_opd,
        "reason": reason,
        "details": json.dumps(details, ensure_ascii=False) if details else None,
    }


# Other services that append to an incident's log in their own transaction (escalation.py).
log_event = _log


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
