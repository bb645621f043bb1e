"""The bundled data files: facilities, landmarks, aliases and the derived flood zones."""

from __future__ import annotations

import csv

import geopandas as gpd
import pytest
import shapely

from geo import locate, nearest_facilities
from geo.crs import METRIC_CRS
from geo.derive_flood_zones import build_flood_zones, northern_edge
from geo.derive_places import FACILITIES, LANDMARKS, build_rows
from geo.facilities import FACILITY_COLUMNS, FACILITY_KINDS, OPD_CODES
from geo.layers import read_kelurahan

from .helpers import REPO_DATA_DIR

DERIVED_NOTE = "Lapisan turunan dari fakta publik, bukan peta resmi BPBD"


def read_csv(name: str) -> list[dict[str, str]]:
    with (REPO_DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- facilities ----------------------------------------------------------------------------


def test_facilities_csv_has_the_agreed_columns_and_known_codes():
    rows = read_csv("facilities.csv")
    assert tuple(rows[0]) == FACILITY_COLUMNS
    assert {r["kind"] for r in rows} <= set(FACILITY_KINDS)
    # Each post belongs to an OPD of the brief that the desk's catalogue also knows.
    opd_codes = {r["opd_code"] for r in rows}
    assert opd_codes <= set(OPD_CODES)
    assert opd_codes <= {r["code"] for r in read_csv("opds.csv")}
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(len(r["id"]) <= 40 and len(r["source"]) <= 300 for r in rows)
    assert all(r["units"] == "" or r["units"].isdigit() for r in rows)


def test_facilities_with_osm_coordinates_are_exact_and_the_rest_approximate():
    rows = {r["id"]: r for r in read_csv("facilities.csv")}
    exact = {i for i, r in rows.items() if r["lokasi_perkiraan"] == "false"}
    assert exact == {"rsud-bendan", "rs-hermina", "rs-budi-rahayu", "pmi-kota"}
    assert (rows["rsud-bendan"]["lat"], rows["rsud-bendan"]["lon"]) == ("-6.891536", "109.661999")


def test_named_posts_sit_in_the_kelurahan_of_their_address(city):
    expected = {
        "damkar-utama": "Kandang Panjang",
        "damkar-selatan": "Kuripan Kertoharjo",
        "polres": "Padukuhan Kraton",
        "pmi-kota": "Padukuhan Kraton",
        "rsud-bendan": "Bendan Kergon",
        "pkm-tirto": "Tirto",
        "pkm-kramatsari": "Pasirkratonkramat",
        "pkm-noyontaan": "Noyontaansari",
        "pkm-buaran": "Buaran Kradenan",
    }
    fac = city.facilities.set_index("id")
    for facility_id, kelurahan in expected.items():
        place = locate(fac.loc[facility_id, "lat"], fac.loc[facility_id, "lon"], city=city)
        assert place.kelurahan == kelurahan and not place.approximate, facility_id


def test_an_ambulance_request_can_reach_pmi_and_rsud_bendan(city):
    names = {m.name for m in nearest_facilities(-6.886, 109.665, "ambulance", k=5, city=city)}
    assert names == {"PMI Kota Pekalongan (UDD)", "RSUD Bendan"}


def test_eleven_puskesmas_and_two_fire_posts_are_listed(city):
    kinds = city.facilities["kind"].value_counts()
    assert kinds["puskesmas"] == 11 and kinds["fire"] == 2


def test_facilities_csv_is_what_the_derivation_script_writes():
    kel = read_kelurahan(REPO_DATA_DIR / "kota_pekalongan_kelurahan.geojson").to_crs(METRIC_CRS)
    rebuilt = build_rows(FACILITIES, kel, FACILITY_COLUMNS, default_perkiraan="true")
    assert rebuilt == read_csv("facilities.csv")


# --- landmarks and aliases -----------------------------------------------------------------


def test_every_landmark_lies_inside_its_kelurahan_polygon(city):
    marks = city.landmarks
    assert len(marks) >= 10
    for row in marks.to_dict("records"):
        place = locate(row["lat"], row["lon"], city=city)
        assert place.kelurahan == row["kelurahan"], row["name"]
        assert not place.approximate, row["name"]


def test_landmarks_are_marked_approximate_and_sourced():
    rows = read_csv("landmarks.csv")
    assert {r["id"] for r in rows} >= {"alun-alun", "stasiun", "museum-batik", "ppn-pekalongan"}
    assert all(r["lokasi_perkiraan"] == "true" and r["source"] for r in rows)
    kel = read_kelurahan(REPO_DATA_DIR / "kota_pekalongan_kelurahan.geojson").to_crs(METRIC_CRS)
    rebuilt = build_rows(LANDMARKS, kel, tuple(rows[0]), default_perkiraan="true")
    assert [(r["lat"], r["lon"]) for r in rebuilt] == [(r["lat"], r["lon"]) for r in rows]


def test_aliases_name_existing_kelurahan_and_flag_uncertain_ones(city):
    rows = read_csv("aliases.csv")
    assert {"alias", "kelurahan", "note", "source"} <= set(rows[0])
    kelurahan = set(city.kelurahan["nama"])
    kecamatan = set(city.kecamatan["nama"])
    for row in rows:
        assert row["source"], row["alias"]
        assert row["kecamatan"] in kecamatan, row["alias"]
        if row["kelurahan"]:
            assert row["kelurahan"] in kelurahan, row["alias"]
        if row["certain"] != "true":
            assert row["note"], f"{row['alias']} is uncertain: say why"
    names = {r["alias"] for r in rows}
    assert {
        "Pabean",
        "Dukuh",
        "Kraton Lor",
        "Bugisan",
        "Slamaran",
        "Clumprit",
        "Kertoharjo",
        "Pasirsari",
        "Sokorejo",
        "Yosorejo",
        "Kuripan Lor",
        "Kuripan Kidul",
    } <= names


# --- flood zones ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return gpd.read_file(REPO_DATA_DIR / "flood_zones.geojson")


def test_every_flood_zone_says_it_is_derived_and_not_official(zones):
    assert set(zones["type"]) == {"rob", "sungai", "pesisir"}
    assert set(zones["level"]) <= {"tinggi", "sedang", "rendah"}
    assert zones["derived"].all()
    assert (zones["note"] == DERIVED_NOTE).all()
    assert zones["source"].str.len().gt(0).all()
    assert zones.is_valid.all() and not zones.is_empty.any()


def test_rob_zones_are_the_coastal_kelurahan_from_the_public_record(zones):
    rob = zones[zones["type"] == "rob"]
    assert set(rob["name"]) == {
        "Rob Panjang Baru",
        "Rob Panjang Wetan",
        "Rob Kandang Panjang",
        "Rob Krapyak",
        "Rob Degayu",
        "Rob Padukuhan Kraton",
        "Rob Bandengan",
    }
    assert rob.set_index("name").loc["Rob Panjang Baru", "level"] == "tinggi"


def test_pekalongan_selatan_has_no_flood_zone(city, zones):
    selatan = city.kecamatan.loc[city.kecamatan["nama"] == "Pekalongan Selatan"].to_crs(METRIC_CRS)
    inside = selatan.geometry.iloc[0].buffer(-5)
    assert zones.to_crs(METRIC_CRS).intersection(inside).area.sum() < 1.0


def test_kali_loji_corridor_touches_the_kelurahan_it_floods(city, zones):
    loji = zones[zones["name"].str.contains("Kali Loji")].to_crs(METRIC_CRS).geometry.iloc[0]
    kel = city.kelurahan_utm.set_index("nama")
    for name in ("Panjang Wetan", "Klego", "Kauman", "Krapyak"):
        assert loji.intersection(kel.loc[name, "geometry"]).area > 10_000, name


def test_the_coastal_band_starts_at_the_northern_shore(city, zones):
    coast = northern_edge(city.kelurahan_utm)
    band = zones[zones["name"].str.startswith("Pesisir 0-400")].to_crs(METRIC_CRS)
    assert band.geometry.iloc[0].distance(coast) == 0
    minx, miny, maxx, _ = coast.bounds
    assert miny > 9_240_700  # the shore, not the inland border (UTM northing)
    assert maxx - minx > 5_000  # Bandengan to Degayu


def test_flood_zones_file_is_reproduced_by_its_script(zones):
    kelurahan = read_kelurahan(REPO_DATA_DIR / "kota_pekalongan_kelurahan.geojson")
    rebuilt = build_flood_zones(kelurahan)
    assert list(rebuilt["name"]) == list(zones["name"])
    for old, new in zip(
        zones.to_crs(METRIC_CRS).geometry, rebuilt.to_crs(METRIC_CRS).geometry, strict=True
    ):
        assert shapely.hausdorff_distance(old, new) < 0.5  # 6-decimal rounding ~0.1 m
