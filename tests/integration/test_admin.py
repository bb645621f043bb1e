"""Admin services on SQLite and PostgreSQL: OPDs, routing rules, facility positions, layers."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from dashboard import admin, intake
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.errors import (
    ImportRejected,
    InvalidInput,
    NotFound,
    OutsideServiceArea,
    PermissionDenied,
    UnknownReference,
)
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, SUPERVISOR_EKA, new_report

NOW = datetime(2026, 11, 28, 3, 0, 0)
PANJANG_BARU = (-6.8680, 109.6880)
BENDAN = (-6.8918, 109.6615)
KECAMATAN = ("Pekalongan Barat", "Pekalongan Selatan", "Pekalongan Timur", "Pekalongan Utara")


def report(**overrides) -> svc.NewReport:
    return new_report(
        "POHON_TUMBANG", "Pohon tumbang menutup jalan", PANJANG_BARU, "Jl. Pelita", **overrides
    )


def facility(engine, facility_id):
    with engine.connect() as conn:
        return conn.execute(select(t.facilities).where(t.facilities.c.id == facility_id)).one()


def square_feature(lat: float, lon: float, size: float, **properties) -> dict:
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_changing_a_categorys_default_opd_routes_the_next_report_there(engine):
    assert svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW).opd_code == "BPBD"
    admin.set_default_opd(engine, ADMIN_USER, "POHON_TUMBANG", "DAMKAR")
    assert svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW).opd_code == "DAMKAR"
    table = admin.routing_table(engine, ADMIN_USER).set_index("category_code")
    assert table.loc["POHON_TUMBANG", "default_opd"] == "DAMKAR"


def test_a_kecamatan_override_applies_there_only_and_can_be_removed(engine):
    admin.set_area_override(
        engine,
        ADMIN_USER,
        "POHON_TUMBANG",
        "Pekalongan Utara",
        "DAMKAR",
        kecamatan_names=KECAMATAN,
    )
    north = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    west = svc.create_incident(
        engine, CALL_TAKER_ANI, report(lat=BENDAN[0], lon=BENDAN[1]), now=NOW
    )
    assert (north.opd_code, west.opd_code) == ("DAMKAR", "BPBD")
    table = admin.routing_table(engine, ADMIN_USER).set_index("category_code")
    assert table.loc["POHON_TUMBANG", "overrides"] == "Pekalongan Utara → DAMKAR"
    admin.set_area_override(
        engine, ADMIN_USER, "POHON_TUMBANG", "Pekalongan Utara", None, kecamatan_names=KECAMATAN
    )
    assert svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW).opd_code == "BPBD"


def test_the_kecamatan_choices_come_from_the_city_layer(engine):
    assert admin.kecamatan_choices(engine) == KECAMATAN


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda e: admin.set_default_opd(e, SUPERVISOR_EKA, "BANJIR", "DAMKAR"),
            PermissionDenied,
            "tidak berwenang",
        ),
        (
            lambda e: admin.set_default_opd(e, ADMIN_USER, "UFO", "DAMKAR"),
            UnknownReference,
            "tidak dikenal",
        ),
        (
            lambda e: admin.set_default_opd(e, ADMIN_USER, "BANJIR", "NASA"),
            UnknownReference,
            "OPD tidak dikenal",
        ),
        (
            lambda e: admin.set_area_override(
                e, ADMIN_USER, "BANJIR", "Batang", "DAMKAR", kecamatan_names=KECAMATAN
            ),
            InvalidInput,
            "Kecamatan tidak dikenal",
        ),
    ],
)
def test_bad_routing_changes_are_refused_and_routing_stays(engine, call, error, message):
    with pytest.raises(error, match=message):
        call(engine)
    table = admin.routing_table(engine, ADMIN_USER).set_index("category_code")
    assert table.loc["BANJIR", "default_opd"] == "BPBD"
    assert table.loc["BANJIR", "overrides"] == ""


def test_an_admin_adds_an_opd_and_then_routes_to_it(engine):
    assert admin.save_opd(
        engine, ADMIN_USER, code="dlh", name="Dinas Lingkungan Hidup", short_name="DLH"
    )
    admin.set_default_opd(engine, ADMIN_USER, "POHON_TUMBANG", "DLH")
    assert svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW).opd_code == "DLH"
    assert not admin.save_opd(
        engine, ADMIN_USER, code="DLH", name="Dinas LH Kota Pekalongan", short_name="DLH"
    )
    opds = admin.opd_table(engine, ADMIN_USER).set_index("code")
    assert opds.loc["DLH", "name"] == "Dinas LH Kota Pekalongan"
    assert (opds.loc["DLH", "open_incidents"], opds.loc["DLH", "routing_rules"]) == (1, 1)


def test_an_opd_still_named_by_a_routing_rule_cannot_be_deactivated(engine):
    with pytest.raises(InvalidInput, match="masih dipakai"):
        admin.save_opd(
            engine, ADMIN_USER, code="BPBD", name="BPBD", short_name="BPBD", active=False
        )
    assert admin.opd_table(engine, ADMIN_USER).set_index("code").loc["BPBD", "active"]


@pytest.mark.parametrize("code", ["", "1ABC", "bp bd", "X"])
def test_a_malformed_opd_code_is_refused(engine, code):
    with pytest.raises(InvalidInput, match="Kode OPD"):
        admin.save_opd(engine, ADMIN_USER, code=code, name="Nama", short_name="Singkat")


def test_correcting_a_facility_position_clears_the_approximate_mark_and_moves_the_eta(engine):
    fire_posts = admin.facility_table(engine, ADMIN_USER)
    approximate = fire_posts[(fire_posts["kind"] == "fire") & fire_posts["lokasi_perkiraan"]]
    post_id = approximate["id"].iloc[0]
    before = intake.preview(engine, "KEBAKARAN", *PANJANG_BARU, None, now=NOW)
    admin.move_facility(engine, ADMIN_USER, post_id, lat=-6.8681, lon=109.6881)
    moved = facility(engine, post_id)
    assert (moved.lat, moved.lon, moved.lokasi_perkiraan) == (-6.8681, 109.6881, False)
    assert moved.updated_by == "admin"
    after = intake.preview(engine, "KEBAKARAN", *PANJANG_BARU, None, now=NOW)
    fire_after = next(p for p in after.posts if p.kind == "fire")
    fire_before = next(p for p in before.posts if p.kind == "fire")
    assert fire_after.distance_m < 20 < fire_before.distance_m
    assert not fire_after.lokasi_perkiraan


def test_bad_facility_moves_are_refused_and_the_position_stays(engine):
    post_id = admin.facility_table(engine, ADMIN_USER)["id"].iloc[0]
    before = facility(engine, post_id)
    with pytest.raises(PermissionDenied):
        admin.move_facility(engine, SUPERVISOR_EKA, post_id, lat=-6.88, lon=109.67)
    with pytest.raises(OutsideServiceArea):
        admin.move_facility(engine, ADMIN_USER, post_id, lat=-6.97, lon=110.42)  # Semarang
    with pytest.raises(InvalidInput, match="Koordinat"):
        admin.move_facility(engine, ADMIN_USER, post_id, lat=float("nan"), lon=109.67)
    with pytest.raises(NotFound):
        admin.move_facility(engine, ADMIN_USER, "tidak-ada", lat=-6.88, lon=109.67)
    assert facility(engine, post_id) == before


def test_an_official_flood_zone_file_replaces_the_layer_and_changes_the_flag(engine):
    collection = {
        "type": "FeatureCollection",
        "features": [
            square_feature(
                -6.8935, 109.6595, 0.004, nama="Genangan RSUD", jenis="banjir", tingkat="tinggi"
            )
        ],
    }
    data = json.dumps(collection).encode("utf-8")
    count = admin.import_layer_upload(engine, ADMIN_USER, "flood_zones", "bpbd_2026.geojson", data)
    assert count == 1
    assert intake.preview(engine, "BANJIR", *BENDAN, None, now=NOW).flood_zones == (
        "Genangan RSUD",
    )
    assert not intake.preview(engine, "BANJIR", *PANJANG_BARU, None, now=NOW).in_flood_zone
    layers = admin.layer_table(engine, ADMIN_USER)
    row = layers[layers["Sumber"] == "bpbd_2026.geojson"]
    assert row["Fitur"].tolist() == [1] and row["Oleh"].tolist() == ["admin"]


@pytest.mark.parametrize(
    ("filename", "payload", "message"),
    [
        ("kosong.geojson", {"type": "FeatureCollection", "features": []}, "kosong.geojson"),
        (
            "jakarta.geojson",
            {
                "type": "FeatureCollection",
                "features": [
                    square_feature(-6.2, 106.8, 0.01, name="Jakarta", type="banjir", level="tinggi")
                ],
            },
            "di luar Kota Pekalongan",
        ),
        (
            "tanpa_tingkat.geojson",
            {
                "type": "FeatureCollection",
                "features": [square_feature(-6.87, 109.68, 0.002, name="Z", type="banjir")],
            },
            "level",
        ),
        ("peta.pdf", {"type": "FeatureCollection", "features": []}, "tidak didukung"),
    ],
)
def test_a_refused_layer_file_says_why_in_indonesian_and_the_old_layer_stays(
    engine, filename, payload, message
):
    before = intake.preview(engine, "BANJIR", *PANJANG_BARU, None, now=NOW).flood_zones
    with pytest.raises(ImportRejected, match=message) as refused:
        admin.import_layer_upload(
            engine, ADMIN_USER, "flood_zones", filename, json.dumps(payload).encode()
        )
    assert "Lapisan lama tetap dipakai" in str(refused.value)
    assert intake.preview(engine, "BANJIR", *PANJANG_BARU, None, now=NOW).flood_zones == before


def test_only_admins_and_supervisors_import_layers(engine):
    with pytest.raises(PermissionDenied):
        admin.import_layer_upload(engine, CALL_TAKER_ANI, "flood_zones", "a.geojson", b"{}")
    with pytest.raises(InvalidInput, match="Lapisan tidak dikenal"):
        admin.import_layer_upload(engine, ADMIN_USER, "jalan", "a.geojson", b"{}")


@pytest.mark.parametrize(
    "call",
    [
        lambda e: admin.opd_table(e, CALL_TAKER_ANI),
        lambda e: admin.routing_table(e, SUPERVISOR_EKA),
        lambda e: admin.facility_table(e, CALL_TAKER_ANI),
        lambda e: admin.save_opd(e, SUPERVISOR_EKA, code="DLH", name="DLH", short_name="DLH"),
    ],
)
def test_admin_screens_and_changes_are_refused_to_other_roles(engine, call):
    with pytest.raises(PermissionDenied):
        call(engine)
