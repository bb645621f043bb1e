"""Read models of the live map and the wall on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from dashboard import incidents as svc
from dashboard import live
from tests.conftest import CALL_TAKER_ANI, new_report

NOW = datetime(2026, 11, 28, 3, 0, 0)
KAUMAN = (-6.8876, 109.6760)
PHONE = "081234567890"


def report(**overrides) -> svc.NewReport:
    place = {"caller_phone": PHONE} | overrides
    return new_report("KEBAKARAN", "Asap tebal dari dapur", KAUMAN, "Jl. Masjid No. 1", **place)


def test_snapshot_holds_exactly_the_open_incidents_and_no_phone_column(engine):
    kept = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    prank = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    svc.cancel(engine, CALL_TAKER_ANI, prank.id, "PRANK", seen_version=prank.version, now=NOW)

    snapshot = live.live_snapshot(engine, now_utc=NOW + timedelta(minutes=1))

    assert snapshot.incidents["id"].tolist() == [kept.id]
    assert "caller_phone" not in snapshot.incidents.columns
    assert PHONE not in snapshot.incidents.to_string()
    assert snapshot.categories["KEBAKARAN"][0] == "Kebakaran"
    assert snapshot.kpis.reports_today == 2


def test_an_incident_forwarded_but_not_acknowledged_past_its_target_is_overdue(engine):
    svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)

    on_time = live.live_snapshot(engine, now_utc=NOW + timedelta(minutes=2))
    late = live.live_snapshot(engine, now_utc=NOW + timedelta(minutes=4))

    assert on_time.incidents["overdue"].tolist() == [None]
    assert late.incidents["overdue"].tolist() == ["belum diterima OPD"]
    assert late.kpis.overdue == 1


def test_filters_narrow_the_map_by_category_and_time_window(engine):
    fire = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW - timedelta(hours=3))
    flood = svc.create_incident(engine, CALL_TAKER_ANI, report(category_code="BANJIR"), now=NOW)

    only_fire = live.incident_filter(now_utc=NOW, categories=["KEBAKARAN"])
    last_hour = live.incident_filter(now_utc=NOW, window="1j")

    assert live.live_snapshot(engine, now_utc=NOW, flt=only_fire).incidents["id"].tolist() == [
        fire.id
    ]
    assert live.live_snapshot(engine, now_utc=NOW, flt=last_hour).incidents["id"].tolist() == [
        flood.id
    ]


def test_incident_card_masks_the_phone_for_shared_screens(engine):
    recorded = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)

    card = live.incident_card(engine, recorded.id, now_utc=NOW)

    assert card is not None
    assert card.phone_masked == "0812******90"
    assert card.code == recorded.code
    assert live.incident_card(engine, 999_999, now_utc=NOW) is None
