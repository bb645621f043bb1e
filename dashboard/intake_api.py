"""The intake API's service (no HTTP here): reports posted by the 112 platform, the request log.

A report has the fields of `import-incidents` and is read and validated by the same code as the
import file and the call-taker's form (importer.report_from_record, incidents.validate_report,
incidents.locate_reports), so a refusal says the same thing everywhere. It is forwarded by the
routing rule like a form report, so the OPD's alert and outbox messages follow on their own.

Idempotent on external_id: api_intake keeps the SHA-256 of what was received under it. The
same content again is a replay (the first incident's code, nothing written); other content under
a known external_id is refused, naming it. A batch is all-or-nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from dashboard import catalogue, importer, labels
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.domain import (
    CALL_TAKER,
    WIB,
    Actor,
    check_permission,
    format_wib,
    naive_utc,
    utc_now,
)
from dashboard.errors import ApiRefused, DispatchError, OutsideServiceArea

FIELDS = importer.REQUIRED_COLUMNS
MAX_BATCH = 200
RATE_WINDOW_S = 60
# A concurrent post of the same external_id loses on the unique index; it then re-reads (replay).
WRITE_ATTEMPTS = 3
# Validated with every field but one taken from here, a report fails only for that field: this
# names the field at fault without a second copy of the rules.
_PROBE = svc.NewReport(
    category_code="PROBE",
    kondisi="probe",
    lat=-6.8894,
    lon=109.6746,
    address="probe",
    caller_phone="081234567890",
)
_PROBE_FIELDS = (
    ("category", "category_code"),
    ("kondisi", "kondisi"),
    ("address", "address"),
    ("caller_phone", "caller_phone"),
    ("lat", "lat"),
    ("lon", "lon"),
    ("received_at", "received_at_utc"),
    ("external_id", "external_id"),
)
TIMES = (
    ("received_at", "received_at_utc"),
    ("forwarded_at", "forwarded_at_utc"),
    ("assigned_at", "assigned_at_utc"),
    ("acknowledged_at", "acknowledged_at_utc"),
    ("handling_at", "handling_at_utc"),
    ("resolved_at", "resolved_at_utc"),
    ("cancelled_at", "cancelled_at_utc"),
    ("updated_at", "updated_at_utc"),
)


def json_body(raw: bytes) -> tuple[object, str | None]:
    """(the JSON value, None), or (None, why it is not JSON, in Indonesian) for a request body
    or a file; a UTF-8 byte order mark is allowed."""
    try:
        return json.loads(raw.decode("utf-8-sig")), None
    except UnicodeDecodeError:
        return None, labels.REASON_NOT_UTF8
    except json.JSONDecodeError as error:
        return None, labels.REASON_JSON_AT.format(line=error.lineno, column=error.colno)
    except (ValueError, RecursionError):
        # A number with thousands of digits, or lists nested thousands deep.
        return None, labels.REASON_JSON_BROKEN


def incident_json(result) -> dict:
    """The answer's incident part for a received item (a report, an EIDO document)."""
    return {
        "code": result.code,
        "status": result.status,
        "opd": {"code": result.opd_code, "name": result.opd_name} if result.opd_code else None,
        "replayed": not result.created,
    }


@dataclass(frozen=True)
class Result:
    external_id: str
    code: str
    status: str
    opd_code: str | None
    opd_name: str | None
    created: bool

    def as_json(self) -> dict:
        return {"external_id": self.external_id, **incident_json(self)}


@dataclass(frozen=True)
class Receipt:
    results: tuple[Result, ...]
    batch: bool

    @property
    def created(self) -> bool:
        return any(r.created for r in self.results)


@dataclass(frozen=True)
class _Prepared:
    index: int
    report: svc.NewReport
    fields: dict
    place: object
    digest: str


def api_actor(key_row) -> Actor:
    """Who an API report is recorded by: the key's source, with a call-taker's rights."""
    return Actor(username=f"api:{key_row.name}"[:60], role=CALL_TAKER, full_name=key_row.name)


def receive(engine: Engine, key_row, items: object, *, now: datetime | None = None, city=None):
    """Record one report (a JSON object) or a batch (a list); ApiRefused if anything is wrong.

    Everything is validated before anything is written; the incidents and their api_intake rows
    are written in one transaction. Returns a Receipt (one Result per item, in order).
    """
    actor = api_actor(key_row)
    check_permission(actor, "create")
    check_permission(actor, "forward")
    now = naive_utc(now) if now else utc_now()
    batch = isinstance(items, list)
    records = items if batch else [items]
    if not isinstance(items, list | dict):
        raise ApiRefused(labels.ERR_API_SHAPE)
    if not records:
        raise ApiRefused(labels.ERR_API_EMPTY)
    if len(records) > MAX_BATCH:
        raise ApiRefused(labels.ERR_API_BATCH.format(limit=MAX_BATCH))
    with engine.connect() as conn:
        known_categories = set(catalogue.categories(conn))
    checked: list[_Prepared] = []
    errors: list[dict] = []
    seen: set[str] = set()
    for index, record in enumerate(records):
        try:
            checked.append(
                _check(index, record, known_categories=known_categories, now=now, seen=seen)
            )
        except _ItemError as error:
            errors.append(error.as_json(index, record))
    # Located in one pass (the spatial joins dominate a report's cost), refused like the form.
    points = [(p.fields["lat"], p.fields["lon"]) for p in checked]
    prepared: list[_Prepared] = []
    for p, place in zip(checked, svc.locate_reports(engine, points, city=city), strict=True):
        if isinstance(place, OutsideServiceArea):
            errors.append(_ItemError("lat", str(place)).as_json(p.index, records[p.index]))
        else:
            prepared.append(replace(p, place=place))
    errors.sort(key=lambda e: e["index"])
    if errors:
        raise _refusal(errors, batch=batch, status=422)
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with engine.begin() as conn:
                results = _write(conn, actor, key_row, prepared, now=now, batch=batch)
            return Receipt(tuple(results), batch)
        except IntegrityError:
            # Another request stored one of these external_ids meanwhile: read again (replay).
            if attempt == WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def incident_status(engine: Engine, code: str) -> dict:
    """What the platform shows its operator: status, OPD, times (UTC and WIB); never the phone."""
    i = t.incidents.c
    with engine.connect() as conn:
        row = conn.execute(
            select(
                i.code,
                i.external_id,
                i.status,
                i.category_code,
                i.opd_code,
                t.opds.c.name.label("opd_name"),
                i.kelurahan,
                i.kecamatan,
                *(getattr(i, column) for _, column in TIMES),
            )
            .select_from(t.incidents.outerjoin(t.opds, t.opds.c.code == i.opd_code))
            .where(i.code == (code or "")[:24])
        ).first()
    if row is None:
        raise ApiRefused(labels.ERR_API_NOT_FOUND.format(code=str(code)[:40]), status=404)
    return {
        "ok": True,
        "code": row.code,
        "external_id": row.external_id,
        "status": row.status,
        "status_label": labels.STATUS.get(row.status, row.status),
        "category": row.category_code,
        "opd": {"code": row.opd_code, "name": row.opd_name} if row.opd_code else None,
        "kelurahan": row.kelurahan,
        "kecamatan": row.kecamatan,
        "times": {name: _time_json(getattr(row, column)) for name, column in TIMES},
    }


# --- the request log and the rate limit ------------------------------------------------------


def rate_limit(engine: Engine) -> int:
    """Requests a minute one key may make: the api_rate_per_minute setting, at least 1."""
    with engine.connect() as conn:
        return catalogue.ops_settings(conn).api_rate_per_minute


def retry_after(engine: Engine, key_id: int, *, limit: int, now: datetime | None = None):
    """Seconds until this key may post again, or None while it is under `limit` a minute.

    Counted from api_requests (shared by every replica); refusals for the rate itself do not
    count, so a client that keeps knocking is let in again a minute after its last real request.
    """
    # To the microsecond, like the log's own times (utc_now() drops them).
    now = naive_utc(now) if now else datetime.now(UTC).replace(tzinfo=None)
    since = now - timedelta(seconds=RATE_WINDOW_S)
    r = t.api_requests.c
    window = (r.key_id == key_id, r.at_utc > since, r.status_code != 429)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).where(*window)).scalar_one()
        if count < limit:
            return None
        # The request that must leave the window before one more fits.
        oldest = conn.execute(
            select(r.at_utc).where(*window).order_by(r.at_utc.desc()).offset(limit - 1).limit(1)
        ).scalar()
    if oldest is None:
        return 1
    wait = math.ceil((oldest + timedelta(seconds=RATE_WINDOW_S) - now).total_seconds())
    return min(RATE_WINDOW_S, max(1, wait))


def log_request(
    engine: Engine,
    *,
    key_id: int | None,
    method: str,
    path: str,
    status_code: int,
    result: str,
    external_id: str | None = None,
    incident_code: str | None = None,
    detail: str | None = None,
    remote: str | None = None,
    now: datetime | None = None,
) -> None:
    """One api_requests row; a known key's last use is noted in the same transaction."""
    at = naive_utc(now) if now else datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            insert(t.api_requests).values(
                key_id=key_id,
                at_utc=at,
                method=method[:8],
                path=path[:200],
                status_code=status_code,
                result=result[:30],
                external_id=(external_id or None) and str(external_id)[:80],
                incident_code=incident_code,
                detail=(detail or None) and detail[:500],
                remote=(remote or None) and remote[:64],
            )
        )
        if key_id is not None and status_code != 401:
            conn.execute(
                update(t.api_keys).where(t.api_keys.c.id == key_id).values(last_used_at_utc=at)
            )


def recent_requests(engine: Engine, actor: Actor, *, limit: int = 50):
    """The last requests of the log, newest first (the Admin page)."""
    check_permission(actor, "admin")
    r = t.api_requests.c
    columns = [
        "at_utc",
        "key_prefix",
        "method",
        "path",
        "status_code",
        "result",
        "external_id",
        "incident_code",
        "detail",
        "remote",
    ]
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                r.at_utc,
                t.api_keys.c.key_prefix,
                r.method,
                r.path,
                r.status_code,
                r.result,
                r.external_id,
                r.incident_code,
                r.detail,
                r.remote,
            )
            .select_from(t.api_requests.outerjoin(t.api_keys, t.api_keys.c.id == r.key_id))
            .order_by(r.id.desc())
            .limit(limit)
        ).all()
    return pd.DataFrame([row._asdict() for row in rows], columns=columns)


# --- private helpers -------------------------------------------------------------------------


class _ItemError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def as_json(self, index: int, record: object) -> dict:
        external_id = record.get("external_id") if isinstance(record, dict) else None
        return {
            "index": index,
            "external_id": external_id if isinstance(external_id, str | int) else None,
            "field": self.field,
            "galat": self.message,
        }


def _refusal(errors: list[dict], *, batch: bool, status: int) -> ApiRefused:
    first = errors[0]
    message = first["galat"]
    if batch:
        message = labels.ERR_API_ITEM.format(index=first["index"], reason=message)
    return ApiRefused(message, status=status, field=first["field"], errors=errors)


def _check(index, record, *, known_categories, now, seen) -> _Prepared:
    """One item read and validated (not yet located); _ItemError naming its field if not."""
    if not isinstance(record, dict):
        raise _ItemError(None, labels.ERR_API_SHAPE)
    missing = [c for c in FIELDS if c not in record]
    if missing:
        raise _ItemError(missing[0], labels.ERR_IMPORT_COLUMNS.format(columns=", ".join(missing)))
    try:
        report = importer.report_from_record(record, forward=True, source="api")
    except DispatchError as error:
        raise _ItemError(_record_field(record), str(error)) from None
    if report.external_id in seen:
        raise _ItemError(
            "external_id", labels.ERR_API_DUPLICATE_ID.format(value=report.external_id[:80])
        )
    seen.add(report.external_id)
    try:
        fields = svc.validate_report(report, now=now)
    except DispatchError as error:
        raise _ItemError(_culprit(report, now), str(error)) from None
    if fields["category_code"] not in known_categories:
        value = str(fields["category_code"])[:40]
        raise _ItemError("category", labels.ERR_UNKNOWN_CATEGORY.format(value=value))
    return _Prepared(index, report, fields, None, body_digest(record))


def body_digest(record: dict) -> str:
    """SHA-256 of the item's canonical JSON (its import fields only, keys sorted, compact)."""
    canonical = json.dumps(
        {c: record.get(c) for c in FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _record_field(record: dict) -> str:
    """Which field report_from_record refused (its checks run in this order)."""
    for column in FIELDS:
        if isinstance(record.get(column), list | dict):
            return column
    try:
        importer.parse_time(record.get("received_at"))
    except DispatchError:
        return "received_at"
    return "external_id"


def _culprit(report: svc.NewReport, now: datetime) -> str | None:
    for field, attribute in _PROBE_FIELDS:
        probe = replace(_PROBE, **{attribute: getattr(report, attribute)})
        try:
            svc.validate_report(probe, now=now)
        except DispatchError:
            return field
    return None


def _write(conn: Connection, actor: Actor, key_row, prepared: list[_Prepared], *, now, batch):
    ids = [p.report.external_id for p in prepared]
    a, i = t.api_intake.c, t.incidents.c
    received = {
        r.external_id: r for r in conn.execute(select(t.api_intake).where(a.external_id.in_(ids)))
    }
    stored = {
        r.external_id: r
        for r in conn.execute(
            select(
                i.id,
                i.external_id,
                i.code,
                i.status,
                i.opd_code,
                i.category_code,
                i.kondisi,
                i.address,
                i.caller_phone,
                i.lat,
                i.lon,
                i.received_at_utc,
            ).where(i.external_id.in_(ids))
        )
    }
    opd_names = dict(conn.execute(select(t.opds.c.code, t.opds.c.name)).all())
    results: list[Result | None] = [None] * len(prepared)
    conflicts: list[dict] = []
    for n, p in enumerate(prepared):
        external_id = p.report.external_id
        row = stored.get(external_id)
        if row is None:
            continue
        first = received.get(external_id)
        # A retry of the same item; or the same call imported earlier from a file.
        same = first.body_sha256 == p.digest if first is not None else _same_call(p.fields, row)
        if same:
            results[n] = Result(
                external_id, row.code, row.status, row.opd_code, opd_names.get(row.opd_code), False
            )
        else:
            message = labels.ERR_API_CONFLICT.format(value=external_id[:80], code=row.code)
            conflicts.append(
                {
                    "index": p.index,
                    "external_id": external_id,
                    "field": "external_id",
                    "galat": message,
                    # The incident that external_id already belongs to.
                    "code": row.code,
                }
            )
    if conflicts:
        raise _refusal(conflicts, batch=batch, status=409)
    fresh = [n for n, result in enumerate(results) if result is None]
    if not fresh:
        return results
    # The new items in one go: one statement per table, whatever the batch's size.
    recorded = svc.record_reports(
        conn,
        actor,
        [(prepared[n].fields, prepared[n].place, prepared[n].report) for n in fresh],
        now=now,
    )
    conn.execute(
        insert(t.api_intake),
        [
            {
                "external_id": prepared[n].report.external_id,
                "key_id": key_row.id,
                "body_sha256": prepared[n].digest,
                "incident_id": incident.id,
                "received_at_utc": now,
            }
            for n, incident in zip(fresh, recorded, strict=True)
        ],
    )
    for n, incident in zip(fresh, recorded, strict=True):
        results[n] = Result(
            prepared[n].report.external_id,
            incident.code,
            incident.status,
            incident.opd_code,
            opd_names.get(incident.opd_code),
            True,
        )
    return results


def _same_call(fields: dict, row) -> bool:
    return (
        fields["category_code"] == row.category_code
        and fields["kondisi"] == row.kondisi
        and fields["address"] == row.address
        and fields["caller_phone"] == row.caller_phone
        and abs(fields["lat"] - row.lat) < 1e-9
        and abs(fields["lon"] - row.lon) < 1e-9
        and fields["received_at_utc"] == row.received_at_utc
    )


def _time_json(value: datetime | None) -> dict | None:
    if value is None:
        return None
    utc = value.replace(tzinfo=UTC)
    return {
        "utc": utc.isoformat().replace("+00:00", "Z"),
        "wib": utc.astimezone(WIB).isoformat(),
    }


def requests_frame(requests):
    """The request log as the Admin page shows it: Indonesian headings, WIB times."""
    return pd.DataFrame(
        {
            labels.COL_API_AT: requests["at_utc"].map(format_wib),
            labels.COL_API_PREFIX: requests["key_prefix"].fillna(""),
            labels.COL_API_METHOD: requests["method"],
            labels.COL_API_PATH: requests["path"],
            labels.COL_API_STATUS: requests["status_code"],
            labels.COL_API_RESULT: requests["result"],
            labels.COL_API_EXTERNAL_ID: requests["external_id"].fillna(""),
            labels.COL_API_INCIDENT: requests["incident_code"].fillna(""),
            labels.COL_API_DETAIL: requests["detail"].fillna(""),
            labels.COL_API_REMOTE: requests["remote"].fillna(""),
        }
    )
