"""Pure dispatch rules: transitions, permissions, routing, phone numbers, overdue, codes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from dashboard import domain, labels
from dashboard.domain import (
    BARU,
    CALL_TAKER,
    DIBATALKAN,
    DITANGANI,
    DITERIMA,
    DITERUSKAN,
    LEADERSHIP,
    OPD_ADMIN,
    SELESAI,
    SUPERVISOR,
    Actor,
    RoutingRule,
    Targets,
    can,
    check_permission,
    check_transition,
    clean_text,
    code_prefix_days,
    format_wib,
    incident_code,
    mask_phone,
    normalise_phone,
    overdue_reason,
    reopen_target,
    route,
    wib_days_utc,
)
from dashboard.errors import InvalidInput, InvalidTransition, PermissionDenied


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", "081234567890"),
        ("+62 812 3456 7890", "081234567890"),
        ("62 857 1234 5678", "085712345678"),
        ("0062-813-1111-2222", "081311112222"),
        ("(0285) 421580", "0285421580"),
        ("0285 437222", "0285437222"),
        ("112", "112"),
    ],
)
def test_indonesian_phone_numbers_are_normalised(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "abc", "12345", "0812", "+1 202 555 0100", "08123456789012345"]
)
def test_invalid_phone_numbers_are_refused_in_indonesian(typed):
    with pytest.raises(InvalidInput, match="Nomor telepon tidak sah"):
        normalise_phone(typed)


def test_masked_phone_keeps_only_first_four_and_last_two_digits():
    assert mask_phone("081234567890") == "0812******90"
    assert "3456" not in mask_phone("081234567890")


def test_status_moves_only_forward_along_the_sop():
    check_transition(BARU, DITERUSKAN)
    check_transition(DITERUSKAN, DITERIMA)
    check_transition(DITERIMA, DITANGANI)
    check_transition(DITANGANI, SELESAI)
    for closed in (SELESAI, DIBATALKAN):
        with pytest.raises(InvalidTransition):
            check_transition(closed, DITERUSKAN)
    with pytest.raises(InvalidTransition, match="Baru ke Selesai"):
        check_transition(BARU, SELESAI)


def test_any_open_status_can_be_cancelled():
    for status in (BARU, DITERUSKAN, DITERIMA, DITANGANI):
        check_transition(status, DIBATALKAN)


def test_call_taker_cannot_reassign_and_opd_admin_only_acts_on_own_opd():
    with pytest.raises(PermissionDenied):
        check_permission(Actor("ct", CALL_TAKER), "reassign")
    check_permission(Actor("spv", SUPERVISOR), "reassign")
    pmi = Actor("opd.pmi", OPD_ADMIN, opd_code="PMI")
    check_permission(pmi, "acknowledge", incident_opd="PMI")
    with pytest.raises(PermissionDenied, match="bukan milik OPD Anda"):
        check_permission(pmi, "acknowledge", incident_opd="BPBD")


def test_kecamatan_override_beats_city_default():
    rules = [
        RoutingRule("AMBULANS", None, "PMI"),
        RoutingRule("AMBULANS", "Pekalongan Barat", "RSUD"),
    ]
    assert route("AMBULANS", "Pekalongan Barat", rules) == "RSUD"
    assert route("AMBULANS", "Pekalongan Utara", rules) == "PMI"
    assert route("AMBULANS", None, rules) == "PMI"
    assert route("KEBAKARAN", "Pekalongan Utara", rules) is None


def test_incident_code_uses_the_wib_day():
    # 2026-11-27 18:30 UTC is already 28 November 01:30 in WIB.
    assert incident_code(datetime(2026, 11, 27, 18, 30), 42) == "112-20261128-0042"
    assert format_wib(datetime(2026, 11, 27, 18, 30)) == "28-11-2026 01:30:00"


def test_overdue_when_forwarded_but_not_acknowledged_past_target():
    received = datetime(2026, 11, 28, 1, 0)
    targets = Targets(forward_s=60, acknowledge_s=180)
    kwargs = {
        "received_at_utc": received,
        "assigned_at_utc": received + timedelta(seconds=30),
        "acknowledged_at_utc": None,
        "targets": targets,
    }
    assert overdue_reason(DITERUSKAN, now_utc=received + timedelta(seconds=200), **kwargs) is None
    assert overdue_reason(DITERUSKAN, now_utc=received + timedelta(seconds=211), **kwargs) == (
        "NOT_ACKNOWLEDGED"
    )
    assert overdue_reason(BARU, now_utc=received + timedelta(seconds=61), **kwargs) == (
        "NOT_FORWARDED"
    )
    # Every code has the words the screens show.
    assert labels.OVERDUE["NOT_ACKNOWLEDGED"] == "belum diterima OPD"


def test_the_acknowledgement_clock_restarts_at_a_reassignment():
    received = datetime(2026, 11, 28, 1, 0)
    moved = received + timedelta(minutes=30)  # reassigned to another OPD half an hour later
    late = overdue_reason(
        DITERUSKAN,
        received_at_utc=received,
        assigned_at_utc=moved,
        acknowledged_at_utc=None,
        now_utc=moved + timedelta(seconds=100),
        targets=Targets(acknowledge_s=180),
    )
    assert late is None


def test_text_with_control_characters_is_refused_and_html_is_kept_as_text():
    with pytest.raises(InvalidInput):
        clean_text("ada\x00null", field="Kondisi", limit=100)
    assert clean_text("  <b>api</b>  ", field="Kondisi", limit=100) == "<b>api</b>"
    with pytest.raises(InvalidInput, match="terlalu panjang"):
        clean_text("x" * 101, field="Kondisi", limit=100)


# --- reopening and finding closed reports ----------------------------------------------------


def test_a_closed_report_is_left_only_by_a_reopening():
    # A forward or a status step sent against a closed report must not reopen it on the side.
    for closed, target in ((SELESAI, DITERUSKAN), (DIBATALKAN, DITERUSKAN), (DIBATALKAN, BARU)):
        with pytest.raises(InvalidTransition):
            check_transition(closed, target)
        check_transition(closed, target, reopening=True)
    with pytest.raises(InvalidTransition, match="Selesai ke Diterima OPD"):
        check_transition(SELESAI, DITERIMA, reopening=True)
    with pytest.raises(InvalidTransition, match="Dibatalkan ke Selesai"):
        check_transition(DIBATALKAN, SELESAI, reopening=True)


def test_a_quick_closed_prank_that_never_reached_an_opd_reopens_as_new_to_be_forwarded():
    assert reopen_target(DIBATALKAN, None) == (BARU, None)


def test_a_report_cancelled_after_forwarding_or_resolved_goes_back_to_its_last_opd():
    assert reopen_target(DIBATALKAN, "BPBD") == (DITERUSKAN, "BPBD")
    assert reopen_target(SELESAI, "DAMKAR") == (DITERUSKAN, "DAMKAR")


def test_a_report_whose_last_opd_was_deactivated_reopens_as_new():
    assert reopen_target(SELESAI, "DISHUB", opd_active=False) == (BARU, None)
    assert reopen_target(DIBATALKAN, "DISHUB", opd_active=False) == (BARU, None)


@pytest.mark.parametrize("status", [BARU, DITERUSKAN, DITERIMA, DITANGANI])
def test_an_open_report_cannot_be_reopened(status):
    with pytest.raises(InvalidTransition, match="Hanya laporan yang selesai atau dibatalkan"):
        reopen_target(status, "BPBD")


def test_only_a_supervisor_may_reopen():
    check_permission(Actor("spv", SUPERVISOR), "reopen")
    for role in (CALL_TAKER, OPD_ADMIN, LEADERSHIP, "admin", "wall"):
        assert not can(Actor("x", role, opd_code="BPBD"), "reopen")
        with pytest.raises(PermissionDenied):
            check_permission(Actor("x", role, opd_code="BPBD"), "reopen")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("112-20261201-0042", (date(2026, 12, 1), date(2026, 12, 1))),
        ("112-20261201-", (date(2026, 12, 1), date(2026, 12, 1))),
        ("112-20261201", (date(2026, 12, 1), date(2026, 12, 1))),
        ("112-2026120", (date(2026, 12, 1), date(2026, 12, 9))),
        ("112-202602", (date(2026, 2, 1), date(2026, 2, 28))),
        ("112-202802", (date(2028, 2, 1), date(2028, 2, 29))),
        ("112-20261", (date(2026, 10, 1), date(2026, 12, 31))),
        ("112-2026", (date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_a_code_or_its_start_names_the_wib_days_it_can_belong_to(text, days):
    assert code_prefix_days(text) == days


@pytest.mark.parametrize(
    "text", ["112", "112-", "112-202", "112-202613", "112-20260230", "112-2026023", "Panjang"]
)
def test_text_that_no_code_can_start_with_is_not_read_as_a_code(text):
    assert code_prefix_days(text) is None


def test_wib_days_are_searched_as_utc_ranges_from_17_00_utc_the_day_before():
    # 1 December 00:00 WIB is 30 November 17:00 UTC; the range ends where 3 December begins.
    assert wib_days_utc(date(2026, 12, 1), date(2026, 12, 2)) == (
        datetime(2026, 11, 30, 17, 0),
        datetime(2026, 12, 2, 17, 0),
    )
    assert wib_days_utc(None, date(2026, 12, 1)) == (None, datetime(2026, 12, 1, 17, 0))
    with pytest.raises(InvalidInput, match="Tanggal awal tidak boleh sesudah tanggal akhir"):
        wib_days_utc(date(2026, 12, 2), date(2026, 12, 1))
    with pytest.raises(InvalidInput, match="di luar kalender"):
        wib_days_utc(date(2026, 12, 1), date.max)


def test_only_an_incident_an_opd_holds_can_be_reassigned():
    for status in domain.STATUSES:
        if status in domain.REASSIGNABLE_STATUSES:
            domain.check_reassign(status)
        else:
            with pytest.raises(InvalidTransition, match="Dialihkan ke OPD lain"):
                domain.check_reassign(status)
    assert {"DITERUSKAN", "DITERIMA", "DITANGANI"} == domain.REASSIGNABLE_STATUSES
