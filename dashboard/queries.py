"""Read models shared by the pages: open incidents, one incident with its timeline, KPI figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, and_, case, func, select

from dashboard import catalogue, labels
from dashboard import tables as t
from dashboard.db import reading
from dashboard.domain import (
    DIBATALKAN,
    NUISANCE_REASONS,
    OPEN_STATUSES,
    WIB,
    Targets,
    as_utc,
    naive_utc,
    overdue_reason,
    py_datetime,
    row_overdue_reason,
)
from dashboard.places import PLACE_FIELDS

INCIDENT_COLUMNS = (
    "id",
    "code",
    "received_at_utc",
    "category_code",
    "priority",
    "kondisi",
    "lat",
    "lon",
    "address",
    *PLACE_FIELDS,
    "in_flood_zone",
    "flood_zone_names",
    "caller_phone",
    "status",
    "opd_code",
    "forwarded_at_utc",
    "assigned_at_utc",
    "acknowledged_at_utc",
    "handling_at_utc",
    "resolved_at_utc",
    "cancelled_at_utc",
    "cancel_reason",
    "reassign_count",
    "escalation_level",
    "updated_at_utc",
    "updated_by",
    "version",
)


@dataclass(frozen=True)
class IncidentFilter:
    categories: tuple[str, ...] = ()
    opds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = OPEN_STATUSES
    kecamatan: tuple[str, ...] = ()
    since_utc: datetime | None = None
    until_utc: datetime | None = None
    limit: int | None = None
    extra: dict = field(default_factory=dict)


def incidents_frame(engine: Engine, flt: IncidentFilter | None = None) -> pd.DataFrame:
    """Incidents matching the filter as a DataFrame (newest first), with category and OPD names."""
    flt = flt or IncidentFilter()
    c = t.incidents.c
    query = (
        select(
            *[c[name] for name in INCIDENT_COLUMNS],
            t.categories.c.name.label("category_name"),
            t.categories.c.color.label("color"),
            t.opds.c.short_name.label("opd_name"),
        )
        .select_from(t.with_names())
        .order_by(c.received_at_utc.desc(), c.id.desc())
    )
    conditions = []
    if flt.statuses:
        conditions.append(c.status.in_(flt.statuses))
    if flt.categories:
        conditions.append(c.category_code.in_(flt.categories))
    if flt.opds:
        conditions.append(c.opd_code.in_(flt.opds))
    if flt.kecamatan:
        conditions.append(c.kecamatan.in_(flt.kecamatan))
    if flt.since_utc is not None:
        conditions.append(c.received_at_utc >= naive_utc(flt.since_utc))
    if flt.until_utc is not None:
        conditions.append(c.received_at_utc < naive_utc(flt.until_utc))
    if conditions:
        query = query.where(and_(*conditions))
    if flt.limit:
        query = query.limit(flt.limit)
    with reading(engine) as conn:
        frame = pd.read_sql(query, conn)
    return frame


def with_overdue(frame: pd.DataFrame, *, now_utc: datetime, targets: Targets) -> pd.DataFrame:
    """Adds `overdue` (the reason as shown, or None) to an incidents frame."""
    frame = frame.copy()
    frame["overdue"] = [
        labels.OVERDUE.get(
            overdue_reason(
                row.status,
                received_at_utc=py_datetime(row.received_at_utc),
                assigned_at_utc=py_datetime(row.assigned_at_utc),
                acknowledged_at_utc=py_datetime(row.acknowledged_at_utc),
                now_utc=now_utc,
                targets=targets,
            )
        )
        for row in frame.itertuples()
    ]
    return frame


def incident_detail(engine: Engine, incident_id: int) -> tuple[dict | None, pd.DataFrame]:
    """One incident as a dict (None if missing) and its event log, oldest first."""
    c = t.incidents.c
    with engine.connect() as conn:
        row = conn.execute(
            select(t.incidents, *t.incident_names())
            .select_from(t.with_names())
            .where(c.id == incident_id)
        ).first()
        events = pd.read_sql(
            select(t.incident_events)
            .where(t.incident_events.c.incident_id == incident_id)
            .order_by(t.incident_events.c.id),
            conn,
        )
    return (dict(row._mapping) if row else None), events


@dataclass(frozen=True)
class Kpis:
    open_by_status: dict[str, int]
    overdue: int
    reports_today: int
    median_forward_s_today: float | None
    nuisance_share_today: float | None
    target_forward_s: int
    as_of_utc: datetime


def kpis(engine: Engine, *, now_utc: datetime) -> Kpis:
    """The KPI strip: open by status, overdue, today's volume, median forward time, prank share."""
    now = naive_utc(now_utc)
    start_today = wib_midnight_utc(now)
    c = t.incidents.c
    with reading(engine) as conn:
        targets = catalogue.ops_settings(conn).targets
        open_rows = conn.execute(
            select(c.status, c.received_at_utc, c.assigned_at_utc, c.acknowledged_at_utc).where(
                c.status.in_(OPEN_STATUSES)
            )
        ).all()
        today = conn.execute(
            select(
                func.count(),
                func.sum(
                    case(
                        (and_(c.status == DIBATALKAN, c.cancel_reason.in_(NUISANCE_REASONS)), 1),
                        else_=0,
                    )
                ),
            ).where(c.received_at_utc >= start_today)
        ).one()
        forward_s = _forward_durations_s(conn, start_today)
    by_status = {status: 0 for status in OPEN_STATUSES}
    overdue = 0
    for row in open_rows:
        by_status[row.status] += 1
        if row_overdue_reason(row, now_utc=now, targets=targets):
            overdue += 1
    count, nuisance = today[0], today[1] or 0
    median = float(pd.Series(forward_s).median()) if forward_s else None
    return Kpis(
        by_status,
        overdue,
        count,
        median,
        (nuisance / count) if count else None,
        targets.forward_s,
        now,
    )


def wib_midnight_utc(now_utc: datetime) -> datetime:
    """Naive-UTC instant of the start of today's WIB day."""
    local = as_utc(now_utc).astimezone(WIB)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return naive_utc(midnight)


def _forward_durations_s(conn: Connection, since: datetime) -> list[float]:
    c = t.incidents.c
    rows = conn.execute(
        select(c.received_at_utc, c.forwarded_at_utc).where(
            c.received_at_utc >= since, c.forwarded_at_utc.is_not(None)
        )
    ).all()
    return [(r.forwarded_at_utc - r.received_at_utc).total_seconds() for r in rows]
