"""Alerts on the pages, on SQLite and PostgreSQL: who sees which, how each ends, the wall's list
of late incidents, and the facts the incident's log shows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard import alerts, escalation, labels, queues
from dashboard import incidents as svc
from dashboard.domain import SUPERVISOR, Actor
from dashboard.errors import InvalidInput, PermissionDenied
from tests.conftest import (
    BPBD_ADMIN,
    CALL_TAKER_ANI,
    DAMKAR_ADMIN,
    PMI_ADMIN,
    SUPERVISOR_EKA,
    flood_report,
)

NOW = datetime(2026, 11, 28, 3, 0, 0)  # 10:00 WIB
PANJANG_BARU = (-6.8680, 109.6880)
SUPERVISOR_DODI = Actor("spv.dodi", SUPERVISOR, full_name="Dodi")


def flood(engine, *, at: datetime = NOW):
    report = flood_report(lat=PANJANG_BARU[0], lon=PANJANG_BARU[1], forward_to="BPBD")
    return svc.create_incident(engine, CALL_TAKER_ANI, report, now=at)


def later(seconds: int) -> datetime:
    return NOW + timedelta(seconds=seconds)


def test_the_opd_sees_its_new_incident_with_code_place_and_wait(engine):
    made = flood(engine)
    seen = alerts.open_alerts(engine, BPBD_ADMIN, now=later(150))
    assert (seen.total, seen.counts) == (1, {"ASSIGNED": 1})
    [alert] = seen.top
    assert (alert.code, alert.kind, alert.category_name, alert.waited_s) == (
        made.code,
        "ASSIGNED",
        "Banjir",
        150,
    )
    assert alert.place.endswith("Pekalongan Utara")
    # Another OPD and a call-taker see nothing of it.
    assert alerts.open_alerts(engine, PMI_ADMIN, now=later(150)).total == 0
    assert alerts.open_alerts(engine, CALL_TAKER_ANI, now=later(150)).total == 0


def test_terima_ends_the_new_incident_alert_and_it_cannot_be_dismissed_otherwise(engine):
    made = flood(engine)
    [alert] = alerts.open_alerts(engine, BPBD_ADMIN, now=later(5)).top
    with pytest.raises(InvalidInput):
        alerts.acknowledge_alert(engine, BPBD_ADMIN, alert.id, now=later(6))
    svc.acknowledge(engine, BPBD_ADMIN, made.id, seen_version=1, now=later(10))
    assert alerts.open_alerts(engine, BPBD_ADMIN, now=later(11)).total == 0


def test_the_opd_that_lost_an_incident_is_told_until_one_of_its_users_has_seen_it(engine):
    made = flood(engine)
    svc.reassign(
        engine, SUPERVISOR_EKA, made.id, "DAMKAR", "Perlu pompa", seen_version=1, now=later(30)
    )
    bpbd = alerts.open_alerts(engine, BPBD_ADMIN, now=later(40))
    assert [(a.kind, a.code) for a in bpbd.top] == [("MOVED_AWAY", made.code)]
    assert [a.kind for a in alerts.open_alerts(engine, DAMKAR_ADMIN, now=later(40)).top] == [
        "ASSIGNED"
    ]
    with pytest.raises(PermissionDenied):
        alerts.acknowledge_alert(engine, DAMKAR_ADMIN, bpbd.top[0].id)
    assert alerts.acknowledge_alert(engine, BPBD_ADMIN, bpbd.top[0].id, now=later(50)) is True
    assert alerts.acknowledge_alert(engine, BPBD_ADMIN, bpbd.top[0].id, now=later(51)) is False
    assert alerts.open_alerts(engine, BPBD_ADMIN, now=later(60)).total == 0


def test_supervisors_see_escalations_newest_first_and_one_of_them_takes_it(engine):
    first, second = flood(engine), flood(engine, at=later(60))
    escalation.escalate_due(engine, now=later(200))  # 200 s and 140 s > BANJIR's 120 s
    for supervisor in (SUPERVISOR_EKA, SUPERVISOR_DODI):
        seen = alerts.open_alerts(engine, supervisor, now=later(200))
        assert [(a.code, a.level, a.waited_s) for a in seen.top] == [
            (second.code, 1, 140),
            (first.code, 1, 200),
        ]
        assert seen.waiting_for_opd == 2
    assert alerts.open_alerts(engine, BPBD_ADMIN, now=later(200)).counts == {"ASSIGNED": 2}
    taken = alerts.open_alerts(engine, SUPERVISOR_EKA, now=later(200)).top[0]
    assert alerts.acknowledge_alert(engine, SUPERVISOR_EKA, taken.id, now=later(210))
    assert [a.code for a in alerts.open_alerts(engine, SUPERVISOR_DODI, now=later(220)).top] == [
        first.code
    ]


def test_many_alerts_give_a_count_and_the_top_few(engine):
    for n in range(5):
        flood(engine, at=later(n))
    seen = alerts.open_alerts(engine, BPBD_ADMIN, now=later(100))
    assert (seen.total, len(seen.top), len(seen.ids)) == (5, 3, 5)
    assert [a.waited_s for a in seen.top] == [96, 97, 98]  # the newest first


def test_the_wall_lists_incidents_unacknowledged_past_their_target_oldest_first(engine):
    old, fresh = flood(engine), flood(engine, at=later(100))
    done = flood(engine)
    svc.acknowledge(engine, BPBD_ADMIN, done.id, seen_version=1, now=later(5))
    count, rows = alerts.wall_overdue(engine, now=later(130))  # 130 s and 30 s waited
    assert (count, [r.code for r in rows], rows[0].waited_s) == (1, [old.code], 130)
    escalation.escalate_due(engine, now=later(400))
    count, rows = alerts.wall_overdue(engine, now=later(400))
    assert [(r.code, r.escalation_level) for r in rows] == [(old.code, 2), (fresh.code, 1)]


def test_the_incident_log_shows_the_escalation_and_who_was_alerted_and_answered(engine):
    made = flood(engine)
    escalation.escalate_due(engine, now=later(125))
    svc.acknowledge(engine, BPBD_ADMIN, made.id, seen_version=1, now=later(130))
    view = queues.incident_view(engine, SUPERVISOR_EKA, made.id)
    escalate = view.timeline[view.timeline["Kejadian"] == "Eskalasi ke supervisor"]
    assert escalate.iloc[0][labels.COL_REASON] == (
        "Tingkat 1: BPBD belum menerima setelah 2 mnt (batas 2 mnt)"
    )
    log = view.alerts.to_dict("records")
    assert [(r["Peringatan"], r["Kepada"]) for r in log] == [
        ("Laporan baru untuk OPD", "BPBD"),
        ("Eskalasi tingkat 1", "Supervisor"),
    ]
    assert log[0]["Waktu"] == "28-11-2026 10:00:00"
    assert all(r["Berakhir"] == "Diterima OPD oleh opd.bpbd, 28-11-2026 10:02:10" for r in log)


def test_the_wait_reads_at_a_glance():
    assert [alerts.format_wait(s) for s in (45, 120, 3 * 3600 + 300, 5 * 86400)] == [
        "45 dtk",
        "2 mnt",
        "3 jam 5 mnt",
        "5 hari",
    ]
