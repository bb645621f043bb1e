"""Incident services on SQLite and PostgreSQL: record, route, forward, transitions, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    OutsideServiceArea,
    PermissionDenied,
    StaleVersion,
    UnknownReference,
)
from tests.conftest import (
    BPBD_ADMIN,
    CALL_TAKER_ANI,
    DAMKAR_ADMIN,
    PMI_ADMIN,
    SUPERVISOR_EKA,
    flood_report,
)
from tests.helpers.databases import incident_row, row_counts

NOW = datetime(2026, 11, 28, 3, 0, 0)
# A point in Panjang Baru (coastal, rob) and one near RSUD Bendan (Pekalongan Barat).
PANJANG_BARU = (-6.86315, 109.67895)
BENDAN = (-6.8918, 109.6615)


def report(**overrides) -> svc.NewReport:
    place = {"lat": PANJANG_BARU[0], "lon": PANJANG_BARU[1]}
    return flood_report(**(place | overrides))


def test_a_flood_report_is_located_routed_to_bpbd_and_logged(engine):
    recorded = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    row = incident_row(engine, recorded.id)
    assert recorded.code == "112-20261128-0001"
    assert row.status == "DITERUSKAN" and row.opd_code == "BPBD"
    assert row.kecamatan == "Pekalongan Utara"
    assert row.caller_phone == "081234567890"
    assert row.forwarded_at_utc == NOW
    with engine.connect() as conn:
        actions = (
            conn.execute(
                select(t.incident_events.c.action)
                .where(t.incident_events.c.incident_id == recorded.id)
                .order_by(t.incident_events.c.id)
            )
            .scalars()
            .all()
        )
    assert actions == ["CREATE", "FORWARD"]


def test_ambulance_calls_in_pekalongan_barat_go_to_rsud_by_area_rule(engine):
    recorded = svc.create_incident(
        engine,
        CALL_TAKER_ANI,
        report(category_code="AMBULANS", lat=BENDAN[0], lon=BENDAN[1]),
        now=NOW,
    )
    assert recorded.opd_code == "RSUD"
    elsewhere = svc.create_incident(
        engine, CALL_TAKER_ANI, report(category_code="AMBULANS"), now=NOW
    )
    assert elsewhere.opd_code == "PMI"


def test_codes_count_up_within_the_wib_day(engine):
    first = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    second = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW + timedelta(minutes=1))
    next_day = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW + timedelta(days=1))
    assert (first.code, second.code, next_day.code) == (
        "112-20261128-0001",
        "112-20261128-0002",
        "112-20261129-0001",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kondisi": "  "}, "kondisi"),
        ({"caller_phone": ""}, "nomor yang bisa dihubungi"),
        ({"address": ""}, "lokasi"),
        ({"caller_phone": "12ab"}, "Nomor telepon tidak sah"),
        ({"lat": float("nan")}, "Koordinat tidak sah"),
        ({"lat": 95.0}, "Koordinat tidak sah"),
        ({"lat": -6.2, "lon": 106.8}, "di luar Kota Pekalongan"),
        ({"category_code": "UFO"}, "tidak dikenal"),
        ({"kondisi": "x" * 2001}, "terlalu panjang"),
    ],
)
def test_bad_reports_are_refused_with_a_message_and_change_nothing(engine, overrides, message):
    before = row_counts(engine)
    with pytest.raises((InvalidInput, OutsideServiceArea, UnknownReference), match=message):
        svc.create_incident(engine, CALL_TAKER_ANI, report(**overrides), now=NOW)
    assert row_counts(engine) == before


def test_the_opd_moves_its_incident_to_done_with_a_timestamp_per_status(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    rec = svc.acknowledge(
        engine, BPBD_ADMIN, rec.id, seen_version=rec.version, now=NOW + timedelta(minutes=1)
    )
    rec = svc.start_handling(
        engine, BPBD_ADMIN, rec.id, seen_version=rec.version, now=NOW + timedelta(minutes=5)
    )
    rec = svc.resolve(
        engine,
        BPBD_ADMIN,
        rec.id,
        seen_version=rec.version,
        note="Air surut, pompa dipasang",
        now=NOW + timedelta(hours=3),
    )
    row = incident_row(engine, rec.id)
    assert row.status == "SELESAI"
    assert row.acknowledged_at_utc == NOW + timedelta(minutes=1)
    assert row.handling_at_utc == NOW + timedelta(minutes=5)
    assert row.resolved_at_utc == NOW + timedelta(hours=3)
    assert row.resolution_note == "Air surut, pompa dipasang"
    assert row_counts(engine)[1] == 5


def test_an_opd_admin_cannot_touch_another_opds_incident(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    before = row_counts(engine)
    with pytest.raises(PermissionDenied, match="bukan milik OPD Anda"):
        svc.acknowledge(engine, PMI_ADMIN, rec.id, seen_version=rec.version)
    assert row_counts(engine) == before
    assert incident_row(engine, rec.id).status == "DITERUSKAN"


def test_call_taker_cannot_reassign(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    with pytest.raises(PermissionDenied):
        svc.reassign(
            engine, CALL_TAKER_ANI, rec.id, "DAMKAR", "salah OPD", seen_version=rec.version
        )


def test_reassignment_needs_a_reason_and_resets_the_acknowledgement(engine):
    rec = svc.create_incident(
        engine, CALL_TAKER_ANI, report(category_code="POHON_TUMBANG"), now=NOW
    )
    rec = svc.acknowledge(
        engine, BPBD_ADMIN, rec.id, seen_version=rec.version, now=NOW + timedelta(minutes=2)
    )
    with pytest.raises(InvalidInput, match="Alasan wajib diisi"):
        svc.reassign(engine, SUPERVISOR_EKA, rec.id, "DAMKAR", "   ", seen_version=rec.version)
    moved = svc.reassign(
        engine,
        SUPERVISOR_EKA,
        rec.id,
        "DAMKAR",
        "Butuh gergaji mesin Damkar",
        seen_version=rec.version,
        now=NOW + timedelta(minutes=4),
    )
    row = incident_row(engine, rec.id)
    assert (row.status, row.opd_code, row.first_opd_code) == ("DITERUSKAN", "DAMKAR", "BPBD")
    assert row.acknowledged_at_utc is None and row.reassign_count == 1
    assert row.forwarded_at_utc == NOW and row.assigned_at_utc == NOW + timedelta(minutes=4)
    # The old OPD can no longer act; the new one can.
    with pytest.raises(PermissionDenied):
        svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=moved.version)
    svc.acknowledge(engine, DAMKAR_ADMIN, rec.id, seen_version=moved.version)
    with engine.connect() as conn:
        event = conn.execute(
            select(t.incident_events).where(t.incident_events.c.action == "REASSIGN")
        ).one()
    assert (event.from_opd, event.to_opd, event.reason) == (
        "BPBD",
        "DAMKAR",
        "Butuh gergaji mesin Damkar",
    )


def test_a_stale_version_is_refused_naming_who_changed_it(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    svc.acknowledge(engine, BPBD_ADMIN, rec.id, seen_version=rec.version, now=NOW)
    before = row_counts(engine)
    with pytest.raises(StaleVersion, match=r"opd\.bpbd"):
        svc.reassign(
            engine, SUPERVISOR_EKA, rec.id, "DAMKAR", "salah OPD", seen_version=rec.version
        )
    assert row_counts(engine) == before
    assert incident_row(engine, rec.id).opd_code == "BPBD"


def test_cancel_as_prank_and_closed_incidents_stay_closed(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, report(forward=False), now=NOW)
    assert rec.status == "BARU"
    rec = svc.cancel(engine, CALL_TAKER_ANI, rec.id, "PRANK", seen_version=rec.version, now=NOW)
    row = incident_row(engine, rec.id)
    assert (row.status, row.cancel_reason) == ("DIBATALKAN", "PRANK")
    with pytest.raises(InvalidTransition):
        svc.forward_incident(engine, CALL_TAKER_ANI, rec.id, "BPBD", seen_version=rec.version)
    with pytest.raises(InvalidInput):
        svc.cancel(engine, CALL_TAKER_ANI, rec.id, "BOSAN", seen_version=rec.version)
    with engine.connect() as conn:
        assert svc.prank_count(conn, "081234567890", now=NOW, days=30) == 1


def test_unknown_incident_is_not_found(engine):
    with pytest.raises(NotFound):
        svc.acknowledge(engine, BPBD_ADMIN, 999_999, seen_version=1)


def test_a_nearby_open_report_of_the_same_kind_is_pointed_out_as_a_possible_duplicate(engine):
    first = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)

    def flood_reports_near(lat: float) -> list:
        """Open flood reports within 300 m and 30 min of a new one at (lat, Panjang Baru's lon)."""
        with engine.connect() as conn:
            return svc.possible_duplicates(
                conn,
                category_code="BANJIR",
                lat=lat,
                lon=PANJANG_BARU[1],
                now=NOW + timedelta(minutes=5),
                radius_m=300,
                window_min=30,
            )

    near = flood_reports_near(PANJANG_BARU[0] + 0.001)
    far = flood_reports_near(PANJANG_BARU[0] + 0.01)
    assert [d["code"] for d in near] == [first.code]
    assert 100 < near[0]["distance_m"] < 120
    assert far == []
