"""Silence escalates: an incident its OPD has not acknowledged in time alerts the supervisors.

Only DITERUSKAN incidents escalate (they wait for the OPD's Terima), measured from
assigned_at_utc, the current OPD's hand-off; a reassignment or reopening resets
incidents.escalation_level to 0 (dashboard/incidents.py). The thresholds per category come from
the setting `eskalasi_target_s` (data/settings.json says where the numbers come from).

The background worker calls escalate_due every few seconds, possibly from two replicas at once:
each escalation is a compare-and-set on escalation_level, so it happens once. An escalation does
not bump incidents.version: an OPD admin's open Terima form must not go stale because of it.
A worker that comes back after both thresholds passed escalates straight to level 2, with one
event and one alert (the supervisors need one alarm, not two in the same second).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Engine, and_, select, update

from dashboard import catalogue, handoff, incidents
from dashboard import tables as t
from dashboard.domain import DITERUSKAN, SYSTEM, escalation_level_due, naive_utc, utc_now
from dashboard.settings import OpsSettings, as_ops_settings

MAX_LEVEL = 2


def thresholds_for(
    settings: OpsSettings | Mapping[str, object], category_code: str
) -> tuple[int, int]:
    """(first, second) seconds for a category: its own entry, else 'default', else the
    acknowledge target and three times it. A malformed entry falls back the same way
    (dashboard.settings leaves it out of the table)."""
    settings = as_ops_settings(settings)
    table = dict(settings.eskalasi_target_s)
    for key in (category_code, "default"):
        if key in table:
            return table[key]
    acknowledge_s = settings.target_acknowledge_s
    return acknowledge_s, 3 * acknowledge_s


def escalate_due(engine: Engine, *, now: datetime | None = None) -> int:
    """Escalate every waiting incident whose due level passed its current one; returns how many
    escalations this call made (0 when another worker got there first)."""
    now = naive_utc(now) if now else utc_now()
    c = t.incidents.c
    with engine.connect() as conn:
        settings = catalogue.ops_settings(conn)
        waiting = conn.execute(
            select(c.id, c.category_code, c.opd_code, c.assigned_at_utc, c.escalation_level).where(
                c.status == DITERUSKAN,
                c.assigned_at_utc.is_not(None),
                c.escalation_level < MAX_LEVEL,
            )
        ).all()
    made = 0
    for row in waiting:
        thresholds = thresholds_for(settings, row.category_code)
        level = escalation_level_due(row.assigned_at_utc, now, thresholds)
        if level > row.escalation_level and _escalate(engine, row, level, thresholds, now):
            made += 1
    return made


def _escalate(engine: Engine, row, level: int, thresholds: tuple[int, int], now: datetime) -> bool:
    c = t.incidents.c
    with engine.begin() as conn:
        changed = conn.execute(
            update(t.incidents)
            .where(
                and_(
                    c.id == row.id,
                    c.escalation_level == row.escalation_level,
                    c.status == DITERUSKAN,
                    # The same hand-off: a reassignment in between starts the clock again.
                    c.assigned_at_utc == row.assigned_at_utc,
                )
            )
            .values(escalation_level=level)
        ).rowcount
        if changed != 1:
            return False
        event_id = incidents.log_event(
            conn,
            row.id,
            SYSTEM,
            "ESCALATE",
            now=now,
            details={
                "level": level,
                "opd": row.opd_code,
                "waited_s": int((now - row.assigned_at_utc).total_seconds()),
                "threshold_s": thresholds[level - 1],
            },
        )
        handoff.raise_escalation(conn, row.id, level=level, event_id=event_id, now=now)
    return True
