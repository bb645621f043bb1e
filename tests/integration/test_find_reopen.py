"""Cari laporan on SQLite and PostgreSQL: find any incident; reopen a closed one with a reason."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text, update

from dashboard import incidents as svc
from dashboard import queues
from dashboard import tables as t
from dashboard.domain import LEADERSHIP, SUPERVISOR, WALL, Actor
from dashboard.errors import InvalidInput, InvalidTransition, PermissionDenied, StaleVersion
from tests.conftest import (
    ADMIN_USER,
    BPBD_ADMIN,
    CALL_TAKER_ANI,
    DAMKAR_ADMIN,
    SUPERVISOR_EKA,
    flood_report,
    new_report,
)
from tests.helpers.databases import incident_events, incident_row

NOW = datetime(2026, 11, 28, 3, 0, 0)  # 10:00 WIB
KRAPYAK = (-6.8680, 109.6880)  # Pekalongan Utara; floods go to BPBD
BENDAN_KERGON = (-6.8918, 109.6615)  # Pekalongan Barat
REASON = "Penelepon menelepon lagi: rumahnya benar-benar terbakar"
BUDI = Actor("spv.budi", SUPERVISOR)


def fire_report(**overrides) -> svc.NewReport:
    """The report of issue 11: a P1 fire with every SOP field filled."""
    fields = {"caller_phone": "0857 1111 2222"} | overrides
    kondisi = "Rumah terbakar, 2 orang terjebak"
    return new_report("KEBAKARAN", kondisi, KRAPYAK, "Jl. Pelita No. 3", **fields)


def quick_closed_prank(engine) -> svc.Recorded:
    return svc.record_and_close(engine, CALL_TAKER_ANI, fire_report(), "PRANK", now=NOW)


def resolved_flood(engine) -> svc.Recorded:
    flood = flood_report(lat=KRAPYAK[0], lon=KRAPYAK[1])
    rec = svc.create_incident(engine, CALL_TAKER_ANI, flood, now=NOW)
    rec = svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=rec.version, now=NOW)
    rec = svc.start_handling(engine, BPBD_ADMIN, rec.id, seen_version=rec.version, now=NOW)
    return svc.resolve(
        engine,
        BPBD_ADMIN,
        rec.id,
        seen_version=rec.version,
        note="Air surut, pompa dicabut",
        now=NOW + timedelta(hours=1),
    )


def snapshot(engine) -> tuple:
    """Every incident row and the number of log entries: what a refusal must leave as it was."""
    with engine.connect() as conn:
        incidents = conn.execute(select(t.incidents).order_by(t.incidents.c.id)).all()
        logged = conn.execute(select(func.count()).select_from(t.incident_events)).scalar_one()
    return [tuple(r) for r in incidents], logged


# --- reopen ----------------------------------------------------------------------------------


def test_a_quick_closed_prank_that_was_real_reopens_as_new_and_can_then_be_forwarded(engine):
    rec = quick_closed_prank(engine)
    later = NOW + timedelta(minutes=10)
    reopened = svc.reopen(
        engine, SUPERVISOR_EKA, rec.id, REASON, seen_version=rec.version, now=later
    )
    assert (reopened.status, reopened.opd_code, reopened.version) == ("BARU", None, 3)
    stored = incident_row(engine, rec.id)
    assert (stored.status, stored.cancel_reason, stored.cancelled_at_utc) == ("BARU", None, None)
    assert (stored.opd_code, stored.assigned_at_utc, stored.forwarded_at_utc) == (None, None, None)
    assert (stored.updated_by, stored.updated_at_utc) == ("spv.eka", later)
    last = incident_events(engine, rec.id)[-1]
    assert (last.action, last.actor, last.from_status, last.to_status, last.reason) == (
        "REOPEN",
        "spv.eka",
        "DIBATALKAN",
        "BARU",
        REASON,
    )
    before = json.loads(last.details)["before"]
    assert (before["cancel_reason"], before["cancelled_at_utc"]) == ("PRANK", "2026-11-28T03:00:00")
    # Now it is an open report like any other: on the board, and forwarded by the call-taker.
    board = queues.open_queue(engine, SUPERVISOR_EKA, now_utc=later)
    assert [r.code for r in board] == [rec.code]
    forwarded_at = later + timedelta(minutes=1)
    svc.forward_incident(engine, CALL_TAKER_ANI, rec.id, "DAMKAR", seen_version=3, now=forwarded_at)
    stored = incident_row(engine, rec.id)
    assert (stored.status, stored.opd_code, stored.first_opd_code) == (
        "DITERUSKAN",
        "DAMKAR",
        "DAMKAR",
    )
    assert stored.forwarded_at_utc == forwarded_at


def test_a_resolved_report_reopens_forwarded_to_the_same_opd_which_must_acknowledge_again(engine):
    rec = resolved_flood(engine)
    first = incident_row(engine, rec.id)
    later = NOW + timedelta(hours=2)
    reopened = svc.reopen(
        engine, SUPERVISOR_EKA, rec.id, "Air naik lagi", seen_version=rec.version, now=later
    )
    assert (reopened.status, reopened.opd_code, reopened.version) == ("DITERUSKAN", "BPBD", 5)
    stored = incident_row(engine, rec.id)
    assert (stored.resolved_at_utc, stored.resolution_note) == (None, None)
    assert (stored.acknowledged_at_utc, stored.handling_at_utc) == (None, None)
    assert stored.assigned_at_utc == later
    # The first hand-off (the time-to-forward KPI) is history and stays.
    assert stored.forwarded_at_utc == first.forwarded_at_utc
    last = incident_events(engine, rec.id)[-1]
    assert (last.from_opd, last.to_opd, last.to_status) == ("BPBD", "BPBD", "DITERUSKAN")
    details = json.loads(last.details)
    assert details["before"]["resolution_note"] == "Air surut, pompa dicabut"
    assert details["after"]["resolution_note"] is None
    assert [r.code for r in queues.open_queue(engine, BPBD_ADMIN, now_utc=later)] == [rec.code]
    svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=5)
    assert incident_row(engine, rec.id).status == "DITERIMA"


def test_a_report_cancelled_after_forwarding_goes_back_to_its_last_opd(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, fire_report(), now=NOW)
    assert rec.opd_code == "DAMKAR"
    rec = svc.cancel(engine, SUPERVISOR_EKA, rec.id, "DUPLIKAT", seen_version=rec.version)
    reopened = svc.reopen(engine, SUPERVISOR_EKA, rec.id, "Bukan duplikat", seen_version=2)
    assert (reopened.status, reopened.opd_code) == ("DITERUSKAN", "DAMKAR")
    assert svc.acknowledge(engine, DAMKAR_ADMIN, rec.id, seen_version=3).status == "DITERIMA"


def test_a_report_whose_opd_was_deactivated_meanwhile_reopens_as_new(engine):
    rec = resolved_flood(engine)
    with engine.begin() as conn:
        conn.execute(update(t.opds).where(t.opds.c.code == "BPBD").values(active=False))
    reopened = svc.reopen(engine, SUPERVISOR_EKA, rec.id, "Air naik lagi", seen_version=4)
    assert (reopened.status, reopened.opd_code) == ("BARU", None)
    assert incident_row(engine, rec.id).assigned_at_utc is None


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ("no_reason", InvalidInput, "Alasan wajib diisi"),
        ("blank_reason", InvalidInput, "Alasan wajib diisi"),
        ("open", InvalidTransition, "Hanya laporan yang selesai atau dibatalkan"),
        ("call_taker", PermissionDenied, "tidak berwenang"),
        ("opd_admin", PermissionDenied, "tidak berwenang"),
        ("stale", StaleVersion, r"spv\.budi pada 28-11-2026 10:05:00 WIB \(Dibuka kembali\)"),
    ],
)
def test_a_reopening_is_refused_and_nothing_changes(engine, case, error, message):
    prank = quick_closed_prank(engine)
    open_one = svc.create_incident(engine, CALL_TAKER_ANI, fire_report(), now=NOW)
    if case == "stale":
        # Budi reopened it first; Eka's screen still shows the cancelled version.
        svc.reopen(engine, BUDI, prank.id, REASON, seen_version=2, now=NOW + timedelta(minutes=5))
    before = snapshot(engine)
    attempts = {
        "no_reason": lambda: svc.reopen(engine, SUPERVISOR_EKA, prank.id, "", seen_version=2),
        "blank_reason": lambda: svc.reopen(
            engine, SUPERVISOR_EKA, prank.id, " \n\t ", seen_version=2
        ),
        "open": lambda: svc.reopen(engine, SUPERVISOR_EKA, open_one.id, REASON, seen_version=1),
        "call_taker": lambda: svc.reopen(engine, CALL_TAKER_ANI, prank.id, REASON, seen_version=2),
        "opd_admin": lambda: svc.reopen(engine, DAMKAR_ADMIN, prank.id, REASON, seen_version=2),
        "stale": lambda: svc.reopen(engine, SUPERVISOR_EKA, prank.id, REASON, seen_version=2),
    }
    with pytest.raises(error, match=message):
        attempts[case]()
    assert snapshot(engine) == before


def test_a_reopening_that_fails_halfway_leaves_the_incident_as_it_was(engine, monkeypatch):
    rec = quick_closed_prank(engine)
    before = snapshot(engine)

    def broken_log(*args, **kwargs):
        raise RuntimeError("simulated failure after the update")

    monkeypatch.setattr(svc, "_log", broken_log)
    with pytest.raises(RuntimeError):
        svc.reopen(engine, SUPERVISOR_EKA, rec.id, REASON, seen_version=rec.version)
    assert snapshot(engine) == before
    assert incident_row(engine, rec.id).status == "DIBATALKAN"


def test_the_timeline_shows_the_cancellation_then_the_reopening_with_its_reason(engine):
    rec = quick_closed_prank(engine)
    assert queues.incident_view(engine, SUPERVISOR_EKA, rec.id).allowed_actions == ("reopen",)
    assert queues.incident_view(engine, CALL_TAKER_ANI, rec.id).allowed_actions == ()
    svc.reopen(engine, SUPERVISOR_EKA, rec.id, REASON, seen_version=2, now=NOW + timedelta(hours=1))
    view = queues.incident_view(engine, SUPERVISOR_EKA, rec.id)
    timeline = view.timeline
    assert list(timeline["Kejadian"]) == ["Laporan dicatat", "Dibatalkan", "Dibuka kembali"]
    assert list(timeline["Alasan / catatan"]) == ["", "Panggilan iseng (prank)", REASON]
    assert list(timeline["Status"]) == ["Baru", "Baru → Dibatalkan", "Dibatalkan → Baru"]
    assert timeline.iloc[-1]["Waktu (WIB)"] == "28-11-2026 11:00:00"
    assert (view.incident["status"], view.incident["cancel_reason"]) == ("BARU", None)
    assert "reopen" not in view.allowed_actions and "forward" in view.allowed_actions


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def city_log(engine) -> dict[str, svc.Recorded]:
    """Four reports around the WIB midnight of 27/28 November 2026, two closed."""
    krapyak = {"lat": KRAPYAK[0], "lon": KRAPYAK[1]}
    bendan = {"lat": BENDAN_KERGON[0], "lon": BENDAN_KERGON[1]}
    made = {
        # 25 Nov 15:00 WIB, the same caller as the morning flood.
        "old_flood": svc.create_incident(
            engine, CALL_TAKER_ANI, flood_report(**bendan), now=datetime(2026, 11, 25, 8, 0)
        ),
        # 27 Nov 23:59 WIB: the last minute of that WIB day.
        "late_prank": svc.record_and_close(
            engine,
            CALL_TAKER_ANI,
            fire_report(**bendan, caller_phone="0856 0000 3333"),
            "PRANK",
            now=datetime(2026, 11, 27, 16, 59),
        ),
        # 28 Nov 01:30 WIB (still 27 Nov in UTC).
        "night_prank": svc.record_and_close(
            engine, CALL_TAKER_ANI, fire_report(), "PRANK", now=datetime(2026, 11, 27, 18, 30)
        ),
        # 28 Nov 10:00 WIB, later resolved.
        "flood": svc.create_incident(engine, CALL_TAKER_ANI, flood_report(**krapyak), now=NOW),
    }
    done = svc.acknowledge(engine, BPBD_ADMIN, made["flood"].id, seen_version=1, now=NOW)
    made["flood"] = svc.resolve(
        engine, BPBD_ADMIN, done.id, seen_version=done.version, note="Surut", now=NOW
    )
    return made


def codes(result: queues.SearchResult) -> list[str]:
    return [r.code for r in result.rows]


def test_a_code_finds_its_incident_whatever_the_dates_and_a_day_prefix_finds_that_day(
    engine, city_log
):
    flood, night = city_log["flood"], city_log["night_prank"]
    assert (flood.code, night.code) == ("112-20261128-0002", "112-20261128-0001")
    far_dates = {"date_from": date(2026, 1, 1), "date_to": date(2026, 1, 2)}
    found = queues.search_incidents(engine, SUPERVISOR_EKA, text=flood.code, **far_dates)
    assert (codes(found), found.matched_by, found.more) == ([flood.code], "code", False)
    day = queues.search_incidents(engine, SUPERVISOR_EKA, text="112-20261128")
    assert codes(day) == [flood.code, night.code]
    assert codes(queues.search_incidents(engine, SUPERVISOR_EKA, text="112-202611")) == [
        flood.code,
        night.code,
        "112-20261127-0001",
        "112-20261125-0001",
    ]
    assert codes(queues.search_incidents(engine, SUPERVISOR_EKA, text="112-20261129")) == []


def test_a_phone_in_any_form_finds_that_callers_reports_newest_first(engine, city_log):
    found = queues.search_incidents(engine, SUPERVISOR_EKA, text="+62 812-3456-7890")
    assert codes(found) == ["112-20261128-0002", "112-20261125-0001"]
    assert (found.matched_by, found.phone) == ("phone", "081234567890")
    assert [r.phone for r in found.rows] == ["081234567890", "081234567890"]
    assert [r.phone_masked for r in found.rows] == ["0812******90", "0812******90"]
    one_day = queues.search_incidents(
        engine, CALL_TAKER_ANI, text="081234567890", date_from=date(2026, 11, 28)
    )
    assert codes(one_day) == ["112-20261128-0002"]
    # Only the whole number matches.
    assert codes(queues.search_incidents(engine, SUPERVISOR_EKA, text="0812 3456")) == []


def test_a_kelurahan_is_found_by_its_name_or_start_in_any_case(engine, city_log):
    bendan = queues.search_incidents(engine, SUPERVISOR_EKA, text="bendan kergon")
    assert codes(bendan) == ["112-20261127-0001", "112-20261125-0001"]
    assert bendan.matched_by == "kelurahan"
    assert codes(queues.search_incidents(engine, SUPERVISOR_EKA, text="KRAP")) == [
        "112-20261128-0002",
        "112-20261128-0001",
    ]
    assert codes(queues.search_incidents(engine, SUPERVISOR_EKA, text="Kau%")) == []


def test_dates_are_wib_days_and_the_status_filter_narrows_to_open_closed_or_one_status(
    engine, city_log
):
    nov27 = {"date_from": date(2026, 11, 27), "date_to": date(2026, 11, 27)}
    # 23:59 WIB on the 27th is in; 01:30 WIB on the 28th (18:30 UTC on the 27th) is not.
    assert codes(queues.search_incidents(engine, SUPERVISOR_EKA, **nov27)) == ["112-20261127-0001"]
    everything = {"date_from": date(2026, 11, 25), "date_to": date(2026, 11, 28)}
    by_status = {
        status: codes(queues.search_incidents(engine, SUPERVISOR_EKA, status=status, **everything))
        for status in (None, "OPEN", "CLOSED", "SELESAI", "DIBATALKAN", "DITERUSKAN")
    }
    assert by_status == {
        None: ["112-20261128-0002", "112-20261128-0001", "112-20261127-0001", "112-20261125-0001"],
        "OPEN": ["112-20261125-0001"],
        "CLOSED": ["112-20261128-0002", "112-20261128-0001", "112-20261127-0001"],
        "SELESAI": ["112-20261128-0002"],
        "DIBATALKAN": ["112-20261128-0001", "112-20261127-0001"],
        "DITERUSKAN": ["112-20261125-0001"],
    }
    with pytest.raises(InvalidInput, match="Saringan status tidak dikenal"):
        queues.search_incidents(engine, SUPERVISOR_EKA, status="TUTUP")
    with pytest.raises(InvalidInput, match="Tanggal awal tidak boleh sesudah"):
        queues.search_incidents(
            engine, SUPERVISOR_EKA, date_from=date(2026, 11, 28), date_to=date(2026, 11, 27)
        )


def test_a_result_row_says_what_a_list_needs_and_the_limit_says_when_more_matched(engine, city_log):
    found = queues.search_incidents(engine, SUPERVISOR_EKA, text="112-20261128", limit=1)
    assert found.more and len(found.rows) == 1
    flood = found.rows[0]
    assert (flood.status, flood.opd_name, flood.kelurahan, flood.closed_at_utc, flood.version) == (
        "SELESAI",
        "BPBD",
        "Krapyak",
        NOW,
        3,
    )
    night = queues.search_incidents(engine, SUPERVISOR_EKA, text="112-20261128-0001").rows
    frame = queues.search_frame(night)
    assert frame.to_dict("records") == [
        {
            "Kode": "112-20261128-0001",
            "Masuk (WIB)": "28-11-2026 01:30:00",
            "Prioritas": "P1",
            "Jenis": "Kebakaran",
            "Status": "Dibatalkan: Panggilan iseng (prank)",
            "OPD": "-",
            "Tempat": "Krapyak",
            "Alamat": "Jl. Pelita No. 3",
            "Telepon": "0857******22",
            "Ditutup (WIB)": "28-11-2026 01:30:00",
        }
    ]
    assert queues.found_label(night[0]) == (
        "112-20261128-0001 · Dibatalkan: Panggilan iseng (prank) · Kebakaran · Krapyak · "
        "28-11-2026 01:30:00"
    )


def test_roles_without_see_phone_get_masked_numbers_and_may_not_search_by_one(engine, city_log):
    found = queues.search_incidents(engine, ADMIN_USER, text="112-20261125-0001")
    assert [r.phone for r in found.rows] == ["0812******90"]
    with pytest.raises(PermissionDenied, match="menurut nomor telepon"):
        queues.search_incidents(engine, ADMIN_USER, text="081234567890")


def test_an_opd_admin_leadership_and_the_wall_are_refused_the_search(engine, city_log):
    for actor in (BPBD_ADMIN, Actor("pimpinan", LEADERSHIP), Actor("layar:1", WALL)):
        with pytest.raises(PermissionDenied):
            queues.search_incidents(engine, actor, text="112-20261128")


@pytest.mark.parametrize(
    ("search", "index"),
    [
        ({"text": "081234567890"}, "ix_incidents_phone_received"),
        ({"text": "112-20261128"}, "ix_incidents_received"),
        ({"date_from": date(2026, 11, 28), "date_to": date(2026, 11, 28)}, "ix_incidents_received"),
    ],
)
def test_each_search_runs_on_an_index_not_a_scan_of_every_incident(engine, city_log, search, index):
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, *_):
        if "FROM incidents" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        queues.search_incidents(engine, SUPERVISOR_EKA, **search)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    ((statement, parameters),) = statements
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            lines = [r[-1] for r in plan]
            incidents_line = next(line for line in lines if " incidents " in f"{line} ")
            assert incidents_line.startswith("SEARCH") and index in incidents_line, lines
        else:
            # Four rows: PostgreSQL would rightly scan them. Asked not to, it must find an index.
            conn.execute(text("SET enable_seqscan = off"))
            plan = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars().all()
            assert not any("Seq Scan on incidents" in line for line in plan), plan
            assert any("Index" in line and "incidents" in line for line in plan), plan
