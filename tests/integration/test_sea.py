"""A call from the sea on SQLite and PostgreSQL: stored at sea, and named so on every screen."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard import incidents as svc
from dashboard import intake, labels, live, queues
from dashboard import tables as t
from dashboard.importer import import_incidents
from mapview.incidents import incident_payload
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, SUPERVISOR_EKA, flood_report
from tests.helpers.databases import incident_row

NOW = datetime(2026, 11, 28, 3, 0, 0)
# 1.2 km north of Panjang Wetan's harbour breakwater, in the Java Sea.
OFF_PANJANG_WETAN = (-6.8451, 109.6926)
# 2.1 km east of Degayu, on land in Kabupaten Batang.
IN_BATANG = (-6.88, 109.73)
PANJANG_BARU = (-6.86315, 109.67895)
SEA_TEXT = "Laut, 1,2 km dari Panjang Wetan"


def boat_report(**overrides) -> svc.NewReport:
    values = {
        "category_code": "AMBULANS",
        "kondisi": "Nelayan terluka di kapal, perlu dijemput di dermaga",
        "lat": OFF_PANJANG_WETAN[0],
        "lon": OFF_PANJANG_WETAN[1],
        "address": SEA_TEXT,
    }
    return flood_report(**(values | overrides))


def test_a_report_from_a_boat_is_stored_at_sea_with_its_nearest_kelurahan_and_distance(engine):
    recorded = svc.create_incident(engine, CALL_TAKER_ANI, boat_report(), now=NOW)
    row = incident_row(engine, recorded.id)
    assert (row.in_city, row.at_sea) == (False, True)
    assert row.nearest_kelurahan == "Panjang Wetan"
    assert row.distance_to_city_m == pytest.approx(1_201.3, abs=1.0)
    assert row.kelurahan is None and row.kecamatan is None
    # No kecamatan, so the category's default OPD takes it.
    assert (row.status, row.opd_code) == ("DITERUSKAN", "PMI")


def test_a_report_on_land_beyond_the_city_line_is_outside_but_not_at_sea(engine):
    recorded = svc.create_incident(
        engine, CALL_TAKER_ANI, flood_report(lat=IN_BATANG[0], lon=IN_BATANG[1]), now=NOW
    )
    row = incident_row(engine, recorded.id)
    assert (row.in_city, row.at_sea, row.nearest_kelurahan) == (False, False, "Degayu")
    assert row.distance_to_city_m / 1000 == pytest.approx(2.1, abs=0.05)


def test_a_report_in_the_city_stores_neither_a_nearest_kelurahan_nor_a_distance(engine):
    recorded = svc.create_incident(
        engine, CALL_TAKER_ANI, flood_report(lat=PANJANG_BARU[0], lon=PANJANG_BARU[1]), now=NOW
    )
    row = incident_row(engine, recorded.id)
    assert (row.in_city, row.at_sea, row.kelurahan) == (True, False, "Panjang Baru")
    assert row.nearest_kelurahan is None and row.distance_to_city_m is None


def test_an_imported_report_from_the_sea_is_stored_at_sea_too(engine, tmp_path):
    path = tmp_path / "incidents.json"
    row = {
        "external_id": "P112-LAUT-1",
        "received_at": "2026-11-28T09:40:00+07:00",
        "category": "AMBULANS",
        "kondisi": "Nelayan terluka",
        "lat": OFF_PANJANG_WETAN[0],
        "lon": OFF_PANJANG_WETAN[1],
        "address": "Perairan utara PPN Pekalongan",
        "caller_phone": "081234567890",
    }
    path.write_text(json.dumps([row]))
    assert import_incidents(engine, ADMIN_USER, path, now=NOW).inserted == 1
    with engine.connect() as conn:
        stored = conn.execute(
            select(t.incidents).where(t.incidents.c.external_id == "P112-LAUT-1")
        ).one()
    assert (stored.at_sea, stored.nearest_kelurahan) == (True, "Panjang Wetan")
    assert stored.distance_to_city_m == pytest.approx(1_201.3, abs=1.0)


def test_the_queue_names_a_sea_incident_by_its_distance_from_the_nearest_kelurahan(engine):
    svc.create_incident(engine, CALL_TAKER_ANI, boat_report(address="Perairan utara PPN"), now=NOW)
    rows = queues.open_queue(engine, SUPERVISOR_EKA, now_utc=NOW + timedelta(minutes=1))
    table = queues.queue_frame(rows)
    assert table[labels.COL_PLACE].tolist() == [f"Perairan utara PPN · {SEA_TEXT}"]


def test_the_wall_list_the_map_tooltip_and_the_side_panel_name_the_sea(engine):
    recorded = svc.create_incident(engine, CALL_TAKER_ANI, boat_report(), now=NOW)
    svc.create_incident(
        engine, CALL_TAKER_ANI, flood_report(lat=PANJANG_BARU[0], lon=PANJANG_BARU[1]), now=NOW
    )
    later = NOW + timedelta(minutes=1)
    snapshot = live.live_snapshot(engine, now_utc=later)
    places = live.newest_rows(snapshot.incidents, now_utc=later)[labels.LIVE_COL_PLACE]
    assert sorted(places) == sorted([SEA_TEXT, "Panjang Baru"])
    payload = incident_payload(snapshot.incidents, wall=True)
    assert sorted(payload.lookups["kelurahan"]) == sorted([SEA_TEXT, "Kel. Panjang Baru"])
    card = live.incident_card(engine, recorded.id, now_utc=later)
    assert card.place == SEA_TEXT


def test_the_intake_preview_of_a_sea_point_warns_and_offers_the_sea_as_the_address(engine):
    pv = intake.preview(engine, "AMBULANS", *OFF_PANJANG_WETAN, None, now=NOW)
    assert pv.at_sea and not pv.in_city and not pv.outside_service_area
    assert (pv.nearest_kelurahan, pv.place_text) == ("Panjang Wetan", SEA_TEXT)
    assert intake.address_for_point(pv) == SEA_TEXT
    assert intake.notices(pv)[0] == (
        "warning",
        labels.INTAKE_AT_SEA.format(km="1,2", kelurahan="Panjang Wetan"),
    )
    assert pv.posts  # the nearest ambulance still shown: it drives to the harbour


def test_the_intake_preview_of_a_city_point_offers_its_kelurahan_as_the_address(engine):
    pv = intake.preview(engine, "BANJIR", *PANJANG_BARU, None, now=NOW)
    assert (pv.at_sea, pv.nearest_kelurahan) == (False, None)
    assert pv.place_text == "Panjang Baru, Pekalongan Utara"
    assert intake.address_for_point(pv) == "Panjang Baru"
