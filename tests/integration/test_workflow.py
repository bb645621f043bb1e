"""The dispatch workflow on SQLite and PostgreSQL: transitions, refusals, queues, races, the log."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dashboard import incidents as svc
from dashboard import intake, queues
from dashboard.catalogue import set_setting
from dashboard.domain import LEADERSHIP, OPD_ADMIN, SUPERVISOR, WALL, Actor
from dashboard.errors import (
    DispatchError,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
    StaleVersion,
)
from tests.conftest import (
    ADMIN_USER,
    BPBD_ADMIN,
    CALL_TAKER_ANI,
    DAMKAR_ADMIN,
    PMI_ADMIN,
    SUPERVISOR_EKA,
    flood_report,
)
from tests.helpers.databases import incident_events, incident_row, row_counts

NOW = datetime(2026, 11, 28, 3, 0, 0)  # 10:00 WIB
PANJANG_BARU = (-6.8680, 109.6880)  # coastal Pekalongan Utara, rob zone
BENDAN = (-6.8918, 109.6615)  # Pekalongan Barat, next to RSUD Bendan
LEADER = Actor("pimpinan", LEADERSHIP)
REPO = Path(__file__).resolve().parents[2]


def report(**overrides) -> svc.NewReport:
    place = {"lat": PANJANG_BARU[0], "lon": PANJANG_BARU[1]}
    return flood_report(**(place | overrides))


def flood_taken_by_bpbd(engine, steps: int) -> svc.Recorded:
    """A new flood report forwarded to BPBD, then acknowledged (steps >= 1) and handled (2)."""
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    if steps >= 1:
        rec = svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=rec.version)
    if steps >= 2:
        rec = svc.start_handling(engine, BPBD_ADMIN, rec.id, seen_version=rec.version)
    return rec


# --- transitions -----------------------------------------------------------------------------


def test_a_report_saved_without_forwarding_is_forwarded_then_worked_to_done(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(forward=False), now=NOW)
    assert rec.status == "BARU" and rec.opd_code is None
    rec = svc.forward_incident(
        engine, CALL_TAKER_ANI, rec.id, "BPBD", seen_version=rec.version, now=NOW
    )
    rec = svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=rec.version, now=NOW)
    rec = svc.start_handling(engine, BPBD_ADMIN, rec.id, seen_version=rec.version, now=NOW)
    rec = svc.resolve(
        engine, BPBD_ADMIN, rec.id, seen_version=rec.version, note="Pompa dipasang", now=NOW
    )
    assert (rec.status, rec.version) == ("SELESAI", 5)
    assert [e.action for e in incident_events(engine, rec.id)] == [
        "CREATE",
        "FORWARD",
        "ACKNOWLEDGE",
        "HANDLE",
        "RESOLVE",
    ]
    assert [e.to_status for e in incident_events(engine, rec.id)] == [
        "BARU",
        "DITERUSKAN",
        "DITERIMA",
        "DITANGANI",
        "SELESAI",
    ]


def test_an_opd_may_close_an_acknowledged_report_without_sending_a_unit(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    rec = svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=rec.version, now=NOW)
    rec = svc.resolve(
        engine, BPBD_ADMIN, rec.id, seen_version=rec.version, note="Ditangani via telepon"
    )
    assert incident_row(engine, rec.id).status == "SELESAI"
    assert incident_row(engine, rec.id).handling_at_utc is None


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_a_supervisor_cancels_an_open_report_at_any_step_with_a_reason_code(engine, steps):
    rec = flood_taken_by_bpbd(engine, steps)
    rec = svc.change_status(
        engine,
        SUPERVISOR_EKA,
        rec.id,
        "DIBATALKAN",
        seen_version=rec.version,
        reason="Penelepon mengaku iseng",
        cancel_reason="PRANK",
        now=NOW + timedelta(minutes=9),
    )
    stored = incident_row(engine, rec.id)
    assert (stored.status, stored.cancel_reason) == ("DIBATALKAN", "PRANK")
    assert stored.cancelled_at_utc == NOW + timedelta(minutes=9)
    last = incident_events(engine, rec.id)[-1]
    assert (last.action, last.reason, last.actor) == ("CANCEL", "PRANK", "spv.eka")
    assert "Penelepon mengaku iseng" in last.details


@pytest.mark.parametrize(
    ("target", "done_steps", "column"),
    [
        ("DITERIMA", 0, "acknowledged_at_utc"),
        ("DITANGANI", 1, "handling_at_utc"),
        ("SELESAI", 2, "resolved_at_utc"),
    ],
)
def test_a_supervisor_moves_a_status_for_an_opd_and_the_reason_is_logged(
    engine, target, done_steps, column
):
    rec = flood_taken_by_bpbd(engine, done_steps)
    later = NOW + timedelta(minutes=20)
    svc.change_status(
        engine,
        SUPERVISOR_EKA,
        rec.id,
        target,
        seen_version=rec.version,
        reason="Dikonfirmasi OPD lewat radio",
        now=later,
    )
    stored = incident_row(engine, rec.id)
    assert stored.status == target and getattr(stored, column) == later
    assert incident_events(engine, rec.id)[-1].reason == "Dikonfirmasi OPD lewat radio"


@pytest.mark.parametrize("done_steps", [0, 1, 2])
def test_reassignment_from_any_working_status_goes_back_to_forwarded(engine, done_steps):
    rec = flood_taken_by_bpbd(engine, done_steps)
    rec = svc.reassign(
        engine, SUPERVISOR_EKA, rec.id, "DAMKAR", "Butuh evakuasi", seen_version=rec.version
    )
    stored = incident_row(engine, rec.id)
    assert (stored.status, stored.opd_code) == ("DITERUSKAN", "DAMKAR")
    assert stored.acknowledged_at_utc is None and stored.handling_at_utc is None


def test_closed_reports_refuse_every_further_step(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    rec = svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=rec.version)
    rec = svc.resolve(engine, BPBD_ADMIN, rec.id, seen_version=rec.version, note="Selesai")
    before = row_counts(engine)
    with pytest.raises(InvalidTransition):
        svc.start_handling(engine, BPBD_ADMIN, rec.id, seen_version=rec.version)
    with pytest.raises(InvalidTransition):
        svc.cancel(engine, SUPERVISOR_EKA, rec.id, "PRANK", seen_version=rec.version)
    with pytest.raises(InvalidTransition):
        svc.reassign(engine, SUPERVISOR_EKA, rec.id, "DAMKAR", "x", seen_version=rec.version)
    assert row_counts(engine) == before


def test_a_new_unforwarded_report_cannot_be_reassigned_only_forwarded(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(forward=False), now=NOW)
    with pytest.raises(InvalidTransition, match="tidak dapat diubah"):
        svc.reassign(
            engine, SUPERVISOR_EKA, rec.id, "DAMKAR", "Salah OPD", seen_version=rec.version
        )


def test_a_call_takers_choice_of_another_opd_is_kept_with_the_suggestion_in_the_log(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(forward_to="DAMKAR"), now=NOW)
    assert rec.opd_code == "DAMKAR"
    forward = incident_events(engine, rec.id)[1]
    assert forward.to_opd == "DAMKAR" and '"suggested_opd": "BPBD"' in forward.details


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "call"),
    [
        (LEADER, "create"),
        (ADMIN_USER, "create"),
        (BPBD_ADMIN, "create"),
        (CALL_TAKER_ANI, "acknowledge"),
        (LEADER, "acknowledge"),
        (CALL_TAKER_ANI, "reassign"),
        (BPBD_ADMIN, "reassign"),
        (ADMIN_USER, "reassign"),
        (BPBD_ADMIN, "cancel"),
        (LEADER, "cancel"),
        (CALL_TAKER_ANI, "resolve"),
        (BPBD_ADMIN, "record_and_close"),
    ],
)
def test_each_role_is_refused_what_it_may_not_do_and_nothing_changes(engine, actor, call):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    before = row_counts(engine)
    attempts = {
        "create": lambda: svc.create_incident(engine, actor, report(), now=NOW),
        "acknowledge": lambda: svc.acknowledge(engine, actor, rec.id, seen_version=1),
        "reassign": lambda: svc.reassign(engine, actor, rec.id, "DAMKAR", "x", seen_version=1),
        "cancel": lambda: svc.cancel(engine, actor, rec.id, "PRANK", seen_version=1),
        "resolve": lambda: svc.resolve(engine, actor, rec.id, seen_version=1, note="x"),
        "record_and_close": lambda: svc.record_and_close(engine, actor, report(), "PRANK", now=NOW),
    }
    with pytest.raises(PermissionDenied):
        attempts[call]()
    assert row_counts(engine) == before
    assert incident_row(engine, rec.id).version == 1


@pytest.mark.parametrize("step", ["acknowledge", "handle", "resolve"])
def test_an_opd_admin_cannot_work_another_opds_report(engine, step):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    if step != "acknowledge":
        rec = svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=rec.version)
    call = {
        "acknowledge": lambda: svc.acknowledge(engine, PMI_ADMIN, rec.id, seen_version=1),
        "handle": lambda: svc.start_handling(engine, PMI_ADMIN, rec.id, seen_version=2),
        "resolve": lambda: svc.resolve(engine, PMI_ADMIN, rec.id, seen_version=2, note="x"),
    }[step]
    with pytest.raises(PermissionDenied, match="bukan milik OPD Anda"):
        call()
    assert incident_row(engine, rec.id).version == rec.version


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("reassign", "Alasan wajib diisi"),
        ("change_status", "Alasan wajib diisi"),
        ("resolve", "Catatan penyelesaian"),
        ("cancel_without_code", "Pilih alasan pembatalan"),
        ("cancel_unknown_code", "Alasan pembatalan tidak dikenal"),
    ],
)
def test_a_missing_reason_is_refused_and_nothing_changes(engine, call, message):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    rec = svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=rec.version)
    before = row_counts(engine)
    attempts = {
        "reassign": lambda: svc.reassign(
            engine, SUPERVISOR_EKA, rec.id, "DAMKAR", "  \n ", seen_version=rec.version
        ),
        "change_status": lambda: svc.change_status(
            engine, SUPERVISOR_EKA, rec.id, "DITANGANI", seen_version=rec.version, reason=""
        ),
        "resolve": lambda: svc.resolve(engine, BPBD_ADMIN, rec.id, seen_version=2, note=" "),
        "cancel_without_code": lambda: svc.change_status(
            engine, SUPERVISOR_EKA, rec.id, "DIBATALKAN", seen_version=2, reason="iseng"
        ),
        "cancel_unknown_code": lambda: svc.cancel(
            engine, SUPERVISOR_EKA, rec.id, "BOSAN", seen_version=2
        ),
    }
    with pytest.raises(InvalidInput, match=message):
        attempts[call]()
    assert row_counts(engine) == before
    assert incident_row(engine, rec.id).status == "DITERIMA"


def test_a_stale_version_is_refused_before_any_rule_naming_who_changed_it_and_when(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    seen = rec.version
    svc.reassign(
        engine, SUPERVISOR_EKA, rec.id, "DAMKAR", "Butuh Damkar", seen_version=seen, now=NOW
    )
    before = row_counts(engine)
    # The second supervisor still sees BPBD and picks DAMKAR too: the refusal must be about the
    # race (who and when, in WIB), not "already assigned to that OPD".
    other = Actor("spv.budi", SUPERVISOR)
    with pytest.raises(StaleVersion) as refused:
        svc.reassign(engine, other, rec.id, "DAMKAR", "Salah OPD", seen_version=seen)
    message = str(refused.value)
    assert "spv.eka" in message and "28-11-2026 10:00:00" in message
    assert "Dialihkan ke OPD lain" in message
    assert row_counts(engine) == before
    # Nothing is lost: with the version now on screen the second supervisor can act.
    svc.reassign(engine, other, rec.id, "PMI", "Ternyata butuh ambulans", seen_version=seen + 1)
    assert incident_row(engine, rec.id).opd_code == "PMI"


def test_a_stale_opd_acknowledgement_is_refused_after_a_reassignment(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    svc.reassign(engine, SUPERVISOR_EKA, rec.id, "DAMKAR", "Salah OPD", seen_version=1)
    with pytest.raises((StaleVersion, PermissionDenied)):
        svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=1)
    with pytest.raises(StaleVersion, match=r"spv\.eka"):
        svc.acknowledge(engine, DAMKAR_ADMIN, rec.id, seen_version=1)
    assert incident_row(engine, rec.id).status == "DITERUSKAN"


# --- quick close of nuisance calls -----------------------------------------------------------


def test_a_prank_call_is_recorded_and_closed_in_one_step_and_counts_for_the_number(engine):
    rec = svc.record_and_close(engine, CALL_TAKER_ANI, report(), "PRANK", now=NOW)
    stored = incident_row(engine, rec.id)
    assert (stored.status, stored.cancel_reason, stored.opd_code) == ("DIBATALKAN", "PRANK", None)
    assert [e.action for e in incident_events(engine, rec.id)] == ["CREATE", "CANCEL"]
    assert stored.kelurahan == "Krapyak"
    with engine.connect() as conn:
        assert svc.prank_count(conn, "081234567890", now=NOW, days=30) == 1


def test_a_ghost_call_needs_only_the_number(engine):
    silent = svc.NewReport(
        category_code="",
        kondisi="",
        lat=None,
        lon=None,
        address="",
        caller_phone="+62 857-0000-1111",
    )
    rec = svc.record_and_close(engine, CALL_TAKER_ANI, silent, "GHOST", now=NOW)
    stored = incident_row(engine, rec.id)
    assert stored.caller_phone == "085700001111"
    assert (stored.category_code, stored.kelurahan, stored.cancel_reason) == (
        "INFORMASI",
        None,
        "GHOST",
    )
    assert stored.kondisi == "Panggilan kosong (ghost call)"


def test_a_quick_close_that_fails_halfway_leaves_no_half_written_record(engine, monkeypatch):
    before = row_counts(engine)

    def broken(*args, **kwargs):
        raise StaleVersion("simulated failure after the insert")

    monkeypatch.setattr(svc, "_apply", broken)
    with pytest.raises(StaleVersion):
        svc.record_and_close(engine, CALL_TAKER_ANI, report(), "PRANK", now=NOW)
    assert row_counts(engine) == before


def test_a_quick_close_with_a_bad_number_writes_nothing(engine):
    before = row_counts(engine)
    with pytest.raises(InvalidInput, match="Nomor telepon tidak sah"):
        svc.record_and_close(engine, CALL_TAKER_ANI, report(caller_phone="12ab"), "PRANK", now=NOW)
    assert row_counts(engine) == before


def test_a_full_report_without_a_map_point_names_the_missing_location(engine):
    with pytest.raises(InvalidInput, match="titik lokasi di peta"):
        svc.create_incident(engine, CALL_TAKER_ANI, report(lat=None, lon=None), now=NOW)


# --- the intake preview ----------------------------------------------------------------------


def test_the_preview_shows_place_flood_zone_suggested_opd_and_nearest_posts(engine):
    pv = intake.preview(engine, "BANJIR", *PANJANG_BARU, "0812 3456 7890", now=NOW)
    assert (pv.kelurahan, pv.kecamatan, pv.in_city) == ("Krapyak", "Pekalongan Utara", True)
    assert pv.in_flood_zone
    assert (pv.suggested_opd, pv.phone, pv.prank_flag) == ("BPBD", "081234567890", False)
    kinds = [p.kind for p in pv.posts]
    assert kinds[:2] == ["ambulance", "fire"]
    assert all(p.distance_m > 0 and p.eta_min > 0 for p in pv.posts)


def test_the_preview_follows_the_kecamatan_override_for_ambulances(engine):
    pv = intake.preview(engine, "AMBULANS", *BENDAN, None, now=NOW)
    assert pv.suggested_opd == "RSUD"
    assert intake.preview(engine, "AMBULANS", *PANJANG_BARU, None, now=NOW).suggested_opd == "PMI"


def test_the_preview_points_out_a_likely_duplicate_and_a_known_prank_number(engine):
    first = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    for minutes in (1, 2):
        svc.record_and_close(
            engine,
            CALL_TAKER_ANI,
            report(caller_phone="0857 1111 2222"),
            "PRANK",
            now=NOW - timedelta(days=minutes),
        )
    pv = intake.preview(
        engine,
        "BANJIR",
        PANJANG_BARU[0] + 0.001,
        PANJANG_BARU[1],
        "085711112222",
        now=NOW + timedelta(minutes=10),
    )
    assert [d.code for d in pv.duplicates] == [first.code]
    assert (pv.prank_count, pv.prank_flag) == (2, True)
    texts = " ".join(text for _, text in intake.notices(pv))
    assert first.code in texts and "2 kali" in texts


def test_the_prank_and_duplicate_thresholds_come_from_the_settings(engine):
    svc.record_and_close(
        engine, CALL_TAKER_ANI, report(caller_phone="085711112222"), "PRANK", now=NOW
    )
    assert not intake.preview(engine, None, None, None, "085711112222", now=NOW).prank_flag
    set_setting(engine, "prank_flag_count", 1)
    assert intake.preview(engine, None, None, None, "085711112222", now=NOW).prank_flag
    svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    near = (PANJANG_BARU[0] + 0.003, PANJANG_BARU[1])  # ~330 m away
    assert not intake.preview(engine, "BANJIR", *near, None, now=NOW).duplicates
    set_setting(engine, "duplicate_radius_m", 500)
    assert intake.preview(engine, "BANJIR", *near, None, now=NOW).duplicates


def test_the_preview_flags_points_outside_the_city_and_far_outside_the_service_area(engine):
    just_outside = intake.preview(engine, "KEBAKARAN", -6.95, 109.70, None, now=NOW)
    assert not just_outside.in_city and not just_outside.outside_service_area
    jakarta = intake.preview(engine, "KEBAKARAN", -6.2, 106.8, None, now=NOW)
    assert jakarta.outside_service_area and jakarta.posts == ()
    assert intake.notices(jakarta)[0][0] == "error"


def test_the_preview_names_a_bad_phone_number_without_refusing_the_rest(engine):
    pv = intake.preview(engine, "BANJIR", *PANJANG_BARU, "12ab", now=NOW)
    assert pv.phone is None and "Nomor telepon tidak sah" in pv.phone_error
    assert pv.suggested_opd == "BPBD"


# --- queues and the supervisor board ---------------------------------------------------------


def test_an_opd_admin_sees_only_their_own_open_reports(engine):
    bpbd = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    pmi = svc.create_incident(engine, CALL_TAKER_ANI, report(category_code="AMBULANS"), now=NOW)
    done = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    done = svc.acknowledge(engine, BPBD_ADMIN, done.id, seen_version=done.version)
    svc.resolve(engine, BPBD_ADMIN, done.id, seen_version=done.version, note="Selesai")
    assert [r.id for r in queues.open_queue(engine, BPBD_ADMIN, now_utc=NOW)] == [bpbd.id]
    assert [r.id for r in queues.open_queue(engine, PMI_ADMIN, now_utc=NOW)] == [pmi.id]
    # The OPD filter of the board cannot widen an OPD admin's queue.
    widened = queues.open_queue(engine, BPBD_ADMIN, now_utc=NOW, opds=("PMI", "BPBD"))
    assert [r.id for r in widened] == [bpbd.id]


def test_the_board_puts_the_most_urgent_then_the_most_overdue_first(engine):
    late_fire = svc.create_incident(
        engine, CALL_TAKER_ANI, report(category_code="KEBAKARAN"), now=NOW - timedelta(hours=1)
    )
    new_flood = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    old_bees = svc.create_incident(
        engine, CALL_TAKER_ANI, report(category_code="SARANG_TAWON"), now=NOW - timedelta(hours=2)
    )
    board = queues.open_queue(engine, SUPERVISOR_EKA, now_utc=NOW + timedelta(minutes=1))
    assert [r.id for r in board] == [late_fire.id, new_flood.id, old_bees.id]
    assert board[0].overdue and board[0].overdue_s > board[1].overdue_s
    assert board[0].phone_masked == "0812******90"
    only_late = queues.open_queue(
        engine, SUPERVISOR_EKA, now_utc=NOW + timedelta(minutes=1), overdue_only=True
    )
    assert new_flood.id not in [r.id for r in only_late]
    damkar = queues.open_queue(engine, SUPERVISOR_EKA, now_utc=NOW, opds=("DAMKAR",))
    assert [r.id for r in damkar] == [late_fire.id, old_bees.id]


def test_roles_without_a_queue_are_refused_it(engine):
    for actor in (LEADER, Actor("layar:1", WALL), Actor("opd.x", OPD_ADMIN)):
        with pytest.raises(PermissionDenied):
            queues.open_queue(engine, actor, now_utc=NOW)


def test_the_detail_shows_the_whole_timeline_in_wib_with_reasons_and_opd_moves(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    rec = svc.reassign(
        engine,
        SUPERVISOR_EKA,
        rec.id,
        "DAMKAR",
        "Butuh perahu karet Damkar",
        seen_version=rec.version,
        now=NOW + timedelta(minutes=3),
    )
    view = queues.incident_view(engine, SUPERVISOR_EKA, rec.id)
    timeline = view.timeline
    assert list(timeline["Kejadian"]) == [
        "Laporan dicatat",
        "Diteruskan ke OPD",
        "Dialihkan ke OPD lain",
    ]
    last = timeline.iloc[-1]
    assert last["Waktu (WIB)"] == "28-11-2026 10:03:00"
    assert (last["Oleh"], last["OPD"]) == ("spv.eka", "BPBD → Satpol P3KP (Damkar)")
    assert last["Alasan / catatan"] == "Butuh perahu karet Damkar"
    assert view.phone == "081234567890"
    assert "reassign" in view.allowed_actions and "acknowledge" not in view.allowed_actions


def test_the_callers_number_is_unmasked_only_for_roles_allowed_to_see_it(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    assert queues.incident_view(engine, BPBD_ADMIN, rec.id).phone == "081234567890"
    assert queues.incident_view(engine, ADMIN_USER, rec.id).phone == "0812******90"
    assert queues.incident_view(engine, LEADER, rec.id).phone == "0812******90"
    assert "caller_phone" not in queues.incident_view(engine, ADMIN_USER, rec.id).incident
    with pytest.raises(PermissionDenied):
        queues.incident_view(engine, PMI_ADMIN, rec.id)
    with pytest.raises(PermissionDenied):
        queues.incident_view(engine, Actor("layar:1", WALL), rec.id)


def test_each_role_is_offered_only_the_actions_it_may_take(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    offered = {
        actor.username: queues.incident_view(engine, actor, rec.id).allowed_actions
        for actor in (CALL_TAKER_ANI, BPBD_ADMIN, SUPERVISOR_EKA, ADMIN_USER)
    }
    assert offered["ct.ani"] == ("cancel",)
    assert offered["opd.bpbd"] == ("acknowledge",)
    assert offered["spv.eka"] == ("reassign", "change_status")
    assert offered["admin"] == ()


# --- races and the append-only log -----------------------------------------------------------


def test_fifty_simultaneous_reassignments_yield_one_winner_and_a_complete_log(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    workers = 50
    barrier = threading.Barrier(workers)
    outcomes: list[tuple[str, str, object]] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        actor = Actor(f"spv.{i:02d}", SUPERVISOR)
        target = "DAMKAR" if i % 2 else "PMI"
        barrier.wait()
        try:
            result = svc.reassign(
                engine, actor, rec.id, target, f"alasan {i}", seen_version=rec.version
            )
        except DispatchError as error:
            result = error
        with lock:
            outcomes.append((actor.username, target, result))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [o for o in outcomes if isinstance(o[2], svc.Recorded)]
    losers = [o for o in outcomes if not isinstance(o[2], svc.Recorded)]
    assert len(outcomes) == workers and len(winners) == 1
    winner, target, _ = winners[0]
    assert all(isinstance(o[2], StaleVersion) for o in losers)
    assert all(winner in str(o[2]) for o in losers)
    stored = incident_row(engine, rec.id)
    assert (stored.opd_code, stored.version, stored.reassign_count) == (target, 2, 1)
    log = incident_events(engine, rec.id)
    assert [e.action for e in log] == ["CREATE", "FORWARD", "REASSIGN"]
    assert (log[-1].actor, log[-1].from_opd, log[-1].to_opd) == (winner, "BPBD", target)


def test_no_code_path_updates_or_deletes_the_event_log():
    pattern = re.compile(
        r"(update|delete)\(\s*(t\.|tables\.)?incident_events"
        r"|incident_events\.(update|delete)\("
        r"|update\s+incident_events|delete\s+from\s+incident_events",
        re.IGNORECASE,
    )
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for folder in ("dashboard", "geo", "pages")
        for path in sorted((REPO / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE incident_events SET reason = 'diubah'",
        "DELETE FROM incident_events",
    ],
)
def test_the_database_itself_refuses_to_rewrite_the_event_log(engine, statement):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert [e.reason for e in incident_events(engine, rec.id)] == [None, None]
