"""CAP 1.2 warnings (BMKG nowcast or any CAP source): what the screens show, and the import.

Read model (for the live map, the wall, Tren): `active_alerts` lists the alerts that touch Kota
Pekalongan, are neither superseded by an Update/Cancel nor a Cancel themselves, and are in
force at `now_utc`: effective (effective_utc <= now; without <effective>, sent_utc) and not
expired (expires_utc > now). The rule is `in_force_at`, which Tren applies to each incident.
CAP makes <expires> optional; BMKG always sends it. An alert without it would otherwise stay
on the wall forever, so it counts as expired NO_EXPIRES_LIFETIME_H after it was sent: long
enough for a nowcast (2-3 hours), short enough that a forgotten one leaves.
`last_fetch` says when the warnings were last fetched, and the last error if that failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Engine, and_, func, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from dashboard import tables as t
from dashboard.domain import naive_utc

NO_EXPIRES_LIFETIME_H = 6
# The order of the screens: the most severe first (CAP <severity> values).
SEVERITY_RANK = {"Extreme": 0, "Severe": 1, "Moderate": 2, "Minor": 3, "Unknown": 4}
MSG_ALERT, MSG_UPDATE, MSG_CANCEL = "Alert", "Update", "Cancel"


@dataclass(frozen=True)
class ActiveAlert:
    """A warning in force that touches the city. Text fields are as received: escape them."""

    identifier: str
    msg_type: str
    event: str
    severity: str
    urgency: str
    certainty: str
    headline: str | None
    description: str | None
    area_desc: str | None
    sender: str
    sent_utc: datetime
    effective_utc: datetime | None
    expires_utc: datetime | None
    # 'polygon' (a ring intersects the city) or 'name' (the text names a place of the city).
    touch_reason: str
    matched_places: tuple[str, ...]
    # Every polygon ring of every <area>, GeoJSON order: [[lon, lat], ...], closed.
    rings: tuple[list[list[float]], ...]


@dataclass(frozen=True)
class FetchState:
    """The newest fetch of a CAP source: when tried, when it last worked, what went wrong."""

    source: str
    last_attempt_utc: datetime
    last_success_utc: datetime | None
    last_error: str | None
    alerts_seen: int


def active_alerts(engine: Engine, *, now_utc: datetime) -> list[ActiveAlert]:
    """The warnings touching the city in force at `now_utc`, the most severe first."""
    now = naive_utc(now_utc)
    with engine.connect() as conn:
        rows = conn.execute(select(t.cap_alerts).where(in_force_at(now))).all()
        ids = [row.id for row in rows]
        ring_rows = (
            conn.execute(
                select(t.cap_alert_areas.c.alert_id, t.cap_alert_areas.c.ring_geojson)
                .where(t.cap_alert_areas.c.alert_id.in_(ids))
                .order_by(
                    t.cap_alert_areas.c.alert_id,
                    t.cap_alert_areas.c.area_index,
                    t.cap_alert_areas.c.ring_index,
                )
            ).all()
            if ids
            else []
        )
    rings: dict[int, list[list[list[float]]]] = {}
    for ring in ring_rows:
        rings.setdefault(ring.alert_id, []).append(json.loads(ring.ring_geojson))
    alerts = [_active_alert(row, rings.get(row.id, [])) for row in rows]
    alerts.sort(
        key=lambda x: (
            SEVERITY_RANK.get(x.severity, len(SEVERITY_RANK)),
            x.expires_utc or datetime.max,
            x.identifier,
        )
    )
    return alerts


def last_fetch(engine: Engine) -> FetchState | None:
    """The most recently attempted fetch of any CAP source, or None when none was tried."""
    f = t.cap_fetches.c
    with engine.connect() as conn:
        row = conn.execute(
            select(t.cap_fetches).order_by(f.last_attempt_utc.desc(), f.source).limit(1)
        ).first()
    if row is None:
        return None
    return FetchState(
        source=row.source,
        last_attempt_utc=row.last_attempt_utc,
        last_success_utc=row.last_success_utc,
        last_error=row.last_error,
        alerts_seen=row.alerts_seen,
    )


def in_force_at(moment: datetime | ColumnElement) -> ColumnElement[bool]:
    """SQL: this cap_alerts row is a warning touching the city in force at `moment`.

    `moment` is a naive-UTC datetime (now: active_alerts) or a timestamp column (when each
    incident was received: Tren), so the screens and the statistics share one rule. In force:
    touches the city, not a Cancel, not superseded by `moment` (an Update or Cancel ends it at
    superseded_at_utc), effective by `moment` (its sent time without <effective>), and not
    expired (without <expires>: NO_EXPIRES_LIFETIME_H after sent).
    """
    a = t.cap_alerts.c
    return and_(
        a.touches_city.is_(True),
        a.msg_type != MSG_CANCEL,
        or_(a.superseded_by.is_(None), a.superseded_at_utc > moment),
        func.coalesce(a.effective_utc, a.sent_utc) <= moment,
        or_(
            a.expires_utc > moment,
            and_(
                a.expires_utc.is_(None),
                _PlusHours(a.sent_utc, literal_column(str(NO_EXPIRES_LIFETIME_H))) > moment,
            ),
        ),
    )


def _active_alert(row, rings: list[list[list[float]]]) -> ActiveAlert:
    places = tuple(p.strip() for p in (row.matched_places or "").split(",") if p.strip())
    return ActiveAlert(
        identifier=row.identifier,
        msg_type=row.msg_type,
        event=row.event,
        severity=row.severity,
        urgency=row.urgency,
        certainty=row.certainty,
        headline=row.headline,
        description=row.description,
        area_desc=row.area_desc,
        sender=row.sender,
        sent_utc=row.sent_utc,
        effective_utc=row.effective_utc,
        expires_utc=row.expires_utc,
        touch_reason=row.touch_reason,
        matched_places=places,
        rings=tuple(rings),
    )


class _PlusHours(FunctionElement):
    """A naive-UTC timestamp column plus a whole number of hours, on SQLite and PostgreSQL."""

    type = DateTime()
    inherit_cache = True


@compiles(_PlusHours, "sqlite")
def _plus_hours_sqlite(element, compiler, **kw):
    stamp, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    # datetime() writes 'YYYY-MM-DD HH:MM:SS', which sorts with the stored text at the second.
    return f"datetime({stamp}, '+' || {hours} || ' hours')"


@compiles(_PlusHours, "postgresql")
def _plus_hours_pg(element, compiler, **kw):
    stamp, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({stamp} + make_interval(hours => {hours}))"
