"""Alerts for the pages: what each signed-in person must see now, and acknowledging one.

The rows are written by dashboard/handoff.py inside the incident's own transaction (ASSIGNED for
the new OPD's users, MOVED_AWAY for the OPD that lost it, ESCALATED for the supervisors, see
dashboard/escalation.py). An OPD admin sees their OPD's open ASSIGNED and MOVED_AWAY alerts; a
supervisor sees the open escalations and how many new incidents wait for an OPD. An ASSIGNED
alert ends only when someone of that OPD acknowledges the incident itself (Terima); a MOVED_AWAY
alert ends when one of the OPD's users has seen it, an escalation when a supervisor takes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, and_, func, select, update

from dashboard import catalogue, labels
from dashboard import tables as t
from dashboard.db import from_row
from dashboard.domain import (
    DITERUSKAN,
    OPD_ADMIN,
    SUPERVISOR,
    Actor,
    format_wib,
    naive_utc,
    utc_now,
)
from dashboard.errors import InvalidInput, NotFound, PermissionDenied
from dashboard.escalation import thresholds_for
from dashboard.handoff import ASSIGNED, ESCALATED, MOVED_AWAY
from dashboard.places import PLACE_FIELDS, place_text

# The strip lists this many and counts the rest: the demo city starts with many overdue ones.
TOP_ALERTS = 3
# The browser is told of at most this many open alert ids (sound and notification on new ones).
MAX_IDS = 200
NEWEST_ALERTS = 5
CLOSED_SEEN = "SEEN"
CLOSED_TAKEN = "TAKEN"


@dataclass(frozen=True)
class OpenAlert:
    id: int
    kind: str
    level: int
    incident_id: int
    code: str
    category_name: str
    priority: int
    place: str
    opd_code: str | None
    opd_name: str | None
    created_at_utc: datetime
    waited_s: int


@dataclass(frozen=True)
class AlertsNow:
    """What a person's pages show: the total, the most urgent few, and every open id."""

    total: int
    top: list[OpenAlert]
    ids: list[int]
    counts: dict[str, int]
    # For a supervisor: incidents handed to an OPD that no one there acknowledged yet.
    waiting_for_opd: int = 0
    # The newest few, for the desktop notifications of alerts the tab has not seen yet.
    newest: list[OpenAlert] = field(default_factory=list)


@dataclass(frozen=True)
class Overdue:
    """An incident on the wall's banner: handed to an OPD, not acknowledged past its target."""

    incident_id: int
    code: str
    category_name: str
    place: str
    opd_name: str | None
    waited_s: int
    escalation_level: int


def audience(actor: Actor) -> tuple[tuple[str, ...], str | None] | None:
    """Which alert kinds this person sees and for which OPD; None for roles without alerts."""
    if actor.role == OPD_ADMIN and actor.opd_code:
        return (ASSIGNED, MOVED_AWAY), actor.opd_code
    if actor.role == SUPERVISOR:
        return (ESCALATED,), None
    return None


def open_alerts(
    engine: Engine, actor: Actor, *, now: datetime | None = None, top: int = TOP_ALERTS
) -> AlertsNow:
    """The open alerts for this person's pages: the count, and the newest few first.

    Order: new incidents and escalations before moved-away notices, then the newest first: what
    just happened is what the strip must make noticed (the count says how many wait; the wall
    lists the oldest). The demo city alone starts with dozens of escalations.
    """
    now = naive_utc(now) if now else utc_now()
    seen = audience(actor)
    if seen is None:
        return AlertsNow(0, [], [], {})
    kinds, opd_code = seen
    a = t.alerts.c
    conditions = [
        a.closed_at_utc.is_(None),
        a.kind.in_(kinds),
        a.audience_role == actor.role,
    ]
    if opd_code is not None:
        conditions.append(a.audience_opd == opd_code)
    rank = (
        select(a.id)
        .where(and_(*conditions))
        .order_by(
            a.kind == MOVED_AWAY,  # False (0) first
            a.created_at_utc.desc(),
            a.id.desc(),
        )
    )
    with engine.connect() as conn:
        ids = [r.id for r in conn.execute(rank.limit(MAX_IDS))]
        counts = dict(
            conn.execute(
                select(a.kind, func.count()).where(and_(*conditions)).group_by(a.kind)
            ).all()
        )
        newest = [
            r.id
            for r in conn.execute(
                select(a.id)
                .where(and_(*conditions))
                .order_by(a.created_at_utc.desc(), a.id.desc())
                .limit(NEWEST_ALERTS)
            )
        ]
        wanted = {*ids[:top], *newest}
        rows = conn.execute(_alert_select().where(a.id.in_(wanted))).all() if wanted else []
        waiting = 0
        if actor.role == SUPERVISOR:
            waiting = conn.execute(
                select(func.count()).where(
                    a.closed_at_utc.is_(None), a.kind == ASSIGNED, a.audience_role == OPD_ADMIN
                )
            ).scalar_one()
    by_id = {r.id: r for r in rows}
    return AlertsNow(
        total=sum(counts.values()),
        top=[_open_alert(by_id[x], now) for x in ids[:top] if x in by_id],
        ids=ids,
        counts=counts,
        waiting_for_opd=waiting,
        newest=[_open_alert(by_id[x], now) for x in newest if x in by_id],
    )


def acknowledge_alert(
    engine: Engine, actor: Actor, alert_id: int, *, now: datetime | None = None
) -> bool:
    """A MOVED_AWAY alert seen by one of its OPD's users, or an escalation taken by a supervisor.

    Returns False when someone else closed it first (nothing to do, not an error). An ASSIGNED
    alert cannot be acknowledged here: it ends when the OPD acknowledges the incident (Terima).
    """
    now = naive_utc(now) if now else utc_now()
    a = t.alerts.c
    with engine.begin() as conn:
        row = conn.execute(select(t.alerts).where(a.id == alert_id)).first()
        if row is None:
            raise NotFound(labels.ERR_ALERT_NOT_FOUND)
        if row.kind == ASSIGNED:
            raise InvalidInput(labels.ERR_ALERT_NEEDS_TERIMA)
        if row.audience_role != actor.role or (
            row.audience_opd is not None and row.audience_opd != actor.opd_code
        ):
            raise PermissionDenied(labels.ERR_ALERT_NOT_YOURS)
        closed = conn.execute(
            update(t.alerts)
            .where(a.id == alert_id, a.closed_at_utc.is_(None))
            .values(
                acknowledged_at_utc=now,
                acknowledged_by=actor.username,
                closed_at_utc=now,
                close_reason=CLOSED_SEEN if row.kind == MOVED_AWAY else CLOSED_TAKEN,
            )
        ).rowcount
    return closed == 1


def wall_overdue(
    engine: Engine, *, now: datetime | None = None, limit: int = 5
) -> tuple[int, list[Overdue]]:
    """Incidents handed to an OPD and not acknowledged past their category's first threshold
    (or already escalated): how many, and the oldest few."""
    now = naive_utc(now) if now else utc_now()
    i = t.incidents.c
    with engine.connect() as conn:
        settings = catalogue.ops_settings(conn)
        rows = conn.execute(
            select(
                i.id,
                i.code,
                i.category_code,
                i.assigned_at_utc,
                i.escalation_level,
                *(i[f] for f in PLACE_FIELDS),
                *t.incident_names(),
            )
            .select_from(t.with_names())
            .where(i.status == DITERUSKAN, i.assigned_at_utc.is_not(None))
            .order_by(i.assigned_at_utc, i.id)
        ).all()
    late = []
    for r in rows:
        waited = int((now - r.assigned_at_utc).total_seconds())
        if r.escalation_level > 0 or waited >= thresholds_for(settings, r.category_code)[0]:
            late.append(
                Overdue(
                    r.id,
                    r.code,
                    r.category_name,
                    place_text(r) or labels.PLACE_UNKNOWN,
                    r.opd_name,
                    waited,
                    r.escalation_level,
                )
            )
    return len(late), late[:limit]


def alert_log_frame(engine: Engine, incident_id: int) -> pd.DataFrame:
    """Every alert about one incident, for its log: who was alerted, when, and how it ended."""
    a = t.alerts.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.alerts).where(a.incident_id == incident_id).order_by(a.created_at_utc, a.id)
        ).all()
        opd_names = catalogue.opd_names(conn)
    records = [
        {
            labels.COL_ALERT_TIME: format_wib(r.created_at_utc),
            labels.COL_ALERT_KIND: alert_kind_text(r.kind, r.level),
            labels.COL_ALERT_TO: (
                opd_names.get(r.audience_opd, r.audience_opd)
                if r.audience_opd
                else labels.ALERT_TO_SUPERVISORS
            ),
            labels.COL_ALERT_END: _ending(r),
        }
        for r in rows
    ]
    return pd.DataFrame(records, columns=list(labels.ALERT_LOG_HEADINGS))


def alert_kind_text(kind: str, level: int = 0) -> str:
    text = labels.ALERT_KIND.get(kind, kind)
    return text.format(level=level) if kind == ESCALATED else text


def format_wait(seconds: float) -> str:
    """'45 dtk', '3 mnt', '2 jam 5 mnt', '3 hari': how long an alert has waited, for a glance."""
    s = max(0, int(seconds))
    if s < 60:
        return labels.WAIT_SECONDS.format(s=s)
    minutes = s // 60
    if minutes < 60:
        return labels.WAIT_MINUTES.format(m=minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return labels.WAIT_HOURS.format(h=hours, m=rest)
    return labels.WAIT_DAYS.format(d=hours // 24)


def _ending(r) -> str:
    if r.closed_at_utc is None:
        return labels.ALERT_STILL_OPEN
    at = format_wib(r.closed_at_utc)
    if r.acknowledged_by:
        return labels.ALERT_ENDED_BY.format(
            how=labels.ALERT_CLOSE.get(r.close_reason, r.close_reason or ""),
            actor=r.acknowledged_by,
            at=at,
        )
    return labels.ALERT_ENDED.format(
        how=labels.ALERT_CLOSE.get(r.close_reason, r.close_reason or ""), at=at
    )


def _alert_select():
    a, i = t.alerts.c, t.incidents.c
    return select(
        a.id,
        a.kind,
        a.level,
        a.incident_id,
        a.created_at_utc,
        i.code,
        i.priority,
        i.opd_code,
        i.assigned_at_utc,
        *(i[f] for f in PLACE_FIELDS),
        *t.incident_names(),
    ).select_from(t.with_names(t.alerts.join(t.incidents, i.id == a.incident_id)))


def _open_alert(r, now: datetime) -> OpenAlert:
    # An escalation waits since the OPD got the incident; the others since they were raised.
    since = r.assigned_at_utc if r.kind == ESCALATED and r.assigned_at_utc else r.created_at_utc
    return from_row(
        OpenAlert,
        r,
        place=place_text(r) or labels.PLACE_UNKNOWN,
        waited_s=int((now - since).total_seconds()),
    )
