"""Escalation on SQLite and PostgreSQL: an OPD's silence past its category's thresholds alerts the
supervisors once per level, whatever number of workers run, and never after the OPD answered."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from dashboard import escalation
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.catalogue import set_setting
from tests.conftest import BPBD_ADMIN, CALL_TAKER_ANI, SUPERVISOR_EKA, flood_report

NOW = datetime(2026, 11, 28, 3, 0, 0)  # 10:00 WIB
PANJANG_BARU = (-6.8680, 109.6880)
# BANJIR is seeded at 120 s then 360 s (data/settings.json eskalasi_target_s).
FIRST_S, SECOND_S = 120, 360


def flood(engine, *, at: datetime = NOW):
    """A flood report forwarded to BPBD at `at`."""
    report = flood_report(lat=PANJANG_BARU[0], lon=PANJANG_BARU[1], forward_to="BPBD")
    return svc.create_incident(engine, CALL_TAKER_ANI, report, now=at)


def later(seconds: int) -> datetime:
    return NOW + timedelta(seconds=seconds)


def incident(engine, incident_id):
    with engine.connect() as conn:
        return conn.execute(select(t.incidents).where(t.incidents.c.id == incident_id)).one()


def escalations(engine, incident_id) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.incident_events.c.actor, t.incident_events.c.details)
            .where(
                t.incident_events.c.incident_id == incident_id,
                t.incident_events.c.action == "ESCALATE",
            )
            .order_by(t.incident_events.c.id)
        ).all()
    return [{"actor": r.actor, **json.loads(r.details)} for r in rows]


def supervisor_alerts(engine, incident_id) -> list:
    with engine.connect() as conn:
        return conn.execute(
            select(t.alerts)
            .where(t.alerts.c.incident_id == incident_id, t.alerts.c.kind == "ESCALATED")
            .order_by(t.alerts.c.id)
        ).all()


def test_nothing_escalates_before_the_first_threshold(engine):
    made = flood(engine)
    assert escalation.escalate_due(engine, now=later(FIRST_S - 1)) == 0
    assert incident(engine, made.id).escalation_level == 0
    assert escalations(engine, made.id) == []


def test_the_first_threshold_alerts_the_supervisors_and_logs_it(engine):
    made = flood(engine)
    assert escalation.escalate_due(engine, now=later(FIRST_S)) == 1
    row = incident(engine, made.id)
    assert (row.escalation_level, row.version) == (1, 1)  # the OPD's open form stays valid
    assert escalations(engine, made.id) == [
        {"actor": "sistem", "level": 1, "opd": "BPBD", "waited_s": 120, "threshold_s": 120}
    ]
    [alert] = supervisor_alerts(engine, made.id)
    assert (alert.audience_role, alert.level, alert.closed_at_utc) == ("supervisor", 1, None)


def test_running_again_is_idempotent_and_the_second_threshold_escalates_again(engine):
    made = flood(engine)
    escalation.escalate_due(engine, now=later(FIRST_S))
    assert escalation.escalate_due(engine, now=later(FIRST_S + 10)) == 0
    assert escalation.escalate_due(engine, now=later(SECOND_S)) == 1
    assert escalation.escalate_due(engine, now=later(SECOND_S + 600)) == 0
    assert [e["level"] for e in escalations(engine, made.id)] == [1, 2]
    first, second = supervisor_alerts(engine, made.id)
    # The level-2 alert replaces the level-1 one on the supervisors' pages.
    assert (first.level, first.close_reason) == (1, "MOVED")
    assert (second.level, second.closed_at_utc) == (2, None)


def test_a_worker_back_after_both_thresholds_escalates_once_straight_to_level_two(engine):
    made = flood(engine)
    assert escalation.escalate_due(engine, now=later(SECOND_S + 5)) == 1
    assert escalations(engine, made.id) == [
        {"actor": "sistem", "level": 2, "opd": "BPBD", "waited_s": 365, "threshold_s": 360}
    ]
    assert [a.level for a in supervisor_alerts(engine, made.id)] == [2]


def test_two_workers_at_once_escalate_each_incident_once(engine):
    made = [flood(engine) for _ in range(3)]
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        barrier.wait()
        counts.append(escalation.escalate_due(engine, now=later(FIRST_S)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(counts) == 3
    for m in made:
        assert [e["level"] for e in escalations(engine, m.id)] == [1]
        assert len(supervisor_alerts(engine, m.id)) == 1


def test_a_reassignment_starts_the_clock_again_for_the_new_opd(engine):
    made = flood(engine)
    escalation.escalate_due(engine, now=later(FIRST_S))
    svc.reassign(
        engine,
        SUPERVISOR_EKA,
        made.id,
        "DAMKAR",
        "Perlu pompa",
        seen_version=1,
        now=later(FIRST_S + 30),
    )
    assert incident(engine, made.id).escalation_level == 0
    # Banjir's first threshold counts from the reassignment, not from the first forward.
    assert escalation.escalate_due(engine, now=later(FIRST_S + 30 + FIRST_S - 1)) == 0
    assert escalation.escalate_due(engine, now=later(FIRST_S + 30 + FIRST_S)) == 1
    assert [(e["level"], e["opd"]) for e in escalations(engine, made.id)] == [
        (1, "BPBD"),
        (1, "DAMKAR"),
    ]
    open_ones = [a for a in supervisor_alerts(engine, made.id) if a.closed_at_utc is None]
    assert len(open_ones) == 1


def test_an_acknowledged_incident_never_escalates_and_its_escalation_closes(engine):
    made = flood(engine)
    escalation.escalate_due(engine, now=later(FIRST_S))
    svc.acknowledge(engine, BPBD_ADMIN, made.id, seen_version=1, now=later(FIRST_S + 5))
    assert escalation.escalate_due(engine, now=later(SECOND_S * 10)) == 0
    assert [e["level"] for e in escalations(engine, made.id)] == [1]
    [alert] = supervisor_alerts(engine, made.id)
    assert (alert.acknowledged_by, alert.close_reason) == ("opd.bpbd", "ACKNOWLEDGED")


def test_a_category_threshold_changed_in_settings_applies_on_the_next_run(engine):
    set_setting(engine, "eskalasi_target_s", {"BANJIR": [30, 60]})
    made = flood(engine)
    assert escalation.escalate_due(engine, now=later(30)) == 1
    assert escalations(engine, made.id)[0]["threshold_s"] == 30
