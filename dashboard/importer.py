"""Incident ingestion from the 112 platform: JSON or CSV, all-or-nothing, idempotent by id."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select

from dashboard import catalogue, labels
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.citydata import current_city
from dashboard.domain import WIB, Actor, check_permission, naive_utc, utc_now
from dashboard.errors import DispatchError, ImportRejected

REQUIRED_COLUMNS = (
    "external_id",
    "received_at",
    "category",
    "kondisi",
    "lat",
    "lon",
    "address",
    "caller_phone",
)
MAX_ROWS = 50_000


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    skipped_existing: int


def import_incidents(
    engine: Engine, actor: Actor, path: Path | str, *, now: datetime | None = None, city=None
) -> ImportResult:
    """Validate every row first; write all new rows in one transaction, or none.

    received_at must be ISO 8601; a time without an offset is read as WIB (the platform's clock).
    Rows whose external_id is already stored are skipped, so a file can be imported again.
    The rows are located in one pass and written with one statement per table.
    """
    check_permission(actor, "import")
    now = naive_utc(now) if now else utc_now()
    records = _read_records(Path(path))
    city = city if city is not None else current_city(engine)
    with engine.connect() as conn:
        known_categories = set(catalogue.categories(conn))
    problems: list[tuple[int, DispatchError]] = []
    checked: list[tuple[int, dict, svc.NewReport]] = []
    seen: set[str] = set()
    for line, record in records:
        try:
            _check_scalars(record)
            external_id = str(record.get("external_id") or "").strip()
            if external_id in seen:
                raise ImportRejected(labels.ERR_IMPORT_DUPLICATE_ID.format(value=external_id[:80]))
            seen.add(external_id)
            report = report_from_record(record)
            fields = svc.validate_report(report, now=now)
            if fields["category_code"] not in known_categories:
                value = str(fields["category_code"])[:40]
                raise ImportRejected(labels.ERR_UNKNOWN_CATEGORY.format(value=value))
            checked.append((line, fields, report))
        except DispatchError as error:
            problems.append((line, error))
    points = [(fields["lat"], fields["lon"]) for _, fields, _ in checked]
    prepared: list[tuple[dict, object, svc.NewReport]] = []
    for (line, fields, report), place in zip(
        checked, svc.locate_reports(engine, points, city=city), strict=True
    ):
        if isinstance(place, DispatchError):
            problems.append((line, place))
        else:
            prepared.append((fields, place, report))
    if problems:
        # Each bad row's first fault, in file order, as when every row was checked in turn.
        messages = [
            labels.ERR_IMPORT_ROW.format(line=line, reason=error)
            for line, error in sorted(problems, key=lambda p: p[0])
        ]
        raise ImportRejected(messages[0], messages)
    with engine.begin() as conn:
        ids = [report.external_id for _, _, report in prepared]
        existing = set()
        for chunk in range(0, len(ids), 500):
            existing |= set(
                conn.execute(
                    select(t.incidents.c.external_id).where(
                        t.incidents.c.external_id.in_(ids[chunk : chunk + 500])
                    )
                ).scalars()
            )
        new = [p for p in prepared if p[2].external_id not in existing]
        svc.record_reports(conn, actor, new, now=now)
    return ImportResult(inserted=len(new), skipped_existing=len(prepared) - len(new))


def report_from_record(record: dict, *, forward: bool = False, source: str = "form"):
    """One platform record (a JSON object or a CSV row) as an incidents.NewReport.

    ImportRejected for a list or object value, a bad received_at, or no external_id. Shared by
    the file import and the intake API, so both say the same thing about the same record.
    """
    _check_scalars(record)
    external_id = str(record.get("external_id") or "").strip()
    report = svc.NewReport(
        category_code=str(record.get("category") or ""),
        kondisi=str(record.get("kondisi") or ""),
        lat=record.get("lat"),  # type: ignore[arg-type]
        lon=record.get("lon"),  # type: ignore[arg-type]
        address=str(record.get("address") or ""),
        caller_phone=str(record.get("caller_phone") or ""),
        received_at_utc=parse_time(record.get("received_at")),
        external_id=external_id or None,
        forward=forward,
        source=source,
    )
    if not report.external_id:
        raise ImportRejected(labels.ERR_REQUIRED.format(fields="external_id"))
    return report


def parse_time(value: object) -> datetime:
    text = str(value or "").strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=WIB)
        return naive_utc(parsed)
    except (ValueError, OverflowError):
        # OverflowError: a time such as 0001-01-01T00:00 (WIB) has no UTC equivalent.
        raise ImportRejected(labels.ERR_DATETIME.format(value=text[:40] or "(kosong)")) from None


def _read_records(path: Path) -> list[tuple[int, dict]]:
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportRejected(labels.ERR_IMPORT_FILE.format(reason=type(error).__name__)) from None
    if suffix == ".json":
        return _json_records(text)
    if suffix == ".csv":
        return _csv_records(text)
    raise ImportRejected(labels.ERR_IMPORT_FORMAT.format(suffix=suffix or labels.REASON_NO_SUFFIX))


def _json_records(text: str) -> list[tuple[int, dict]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRejected(
            labels.ERR_IMPORT_FILE.format(
                reason=labels.REASON_JSON_AT_LINE.format(line=error.lineno)
            )
        ) from None
    except (ValueError, RecursionError):
        # A number with thousands of digits, or lists nested thousands deep.
        raise ImportRejected(
            labels.ERR_IMPORT_FILE.format(reason=labels.REASON_JSON_BROKEN)
        ) from None
    if isinstance(data, dict):
        data = data.get("incidents", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportRejected(labels.ERR_IMPORT_FILE.format(reason=labels.REASON_JSON_NOT_LIST))
    _check_size(len(data))
    missing = sorted({c for item in data for c in REQUIRED_COLUMNS if c not in item})
    if missing:
        raise ImportRejected(labels.ERR_IMPORT_COLUMNS.format(columns=", ".join(missing)))
    # Records are numbered from 1 in file order: the "line" of a JSON list is its position.
    return [(i + 1, item) for i, item in enumerate(data)]


def _csv_records(text: str) -> list[tuple[int, dict]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ImportRejected(labels.ERR_IMPORT_COLUMNS.format(columns=", ".join(missing)))
        records = []
        for row in reader:
            if None in row:
                raise ImportRejected(
                    labels.ERR_IMPORT_ROW.format(
                        line=reader.line_num, reason=labels.REASON_EXTRA_COLUMNS
                    )
                )
            records.append((reader.line_num, row))
    except csv.Error as error:
        raise ImportRejected(labels.ERR_IMPORT_FILE.format(reason=str(error))) from None
    _check_size(len(records))
    return records


def _check_scalars(record: dict) -> None:
    for column in REQUIRED_COLUMNS:
        if isinstance(record.get(column), list | dict):
            raise ImportRejected(labels.ERR_IMPORT_VALUE_TYPE.format(column=column))


def _check_size(count: int) -> None:
    if count == 0:
        raise ImportRejected(labels.ERR_IMPORT_FILE.format(reason=labels.REASON_FILE_EMPTY))
    if count > MAX_ROWS:
        raise ImportRejected(
            labels.ERR_IMPORT_FILE.format(reason=labels.REASON_TOO_MANY_ROWS.format(limit=MAX_ROWS))
        )
