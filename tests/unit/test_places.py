"""The place text every screen shows, the stored location columns, and the intake's address."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from dashboard import intake, labels
from dashboard.places import place_columns, place_text
from geo import FloodZoneHit, Location

AT_SEA = {
    "kelurahan": None,
    "kecamatan": None,
    "in_city": False,
    "at_sea": True,
    "nearest_kelurahan": "Panjang Wetan",
    "distance_to_city_m": 1201.3,
}
ON_LAND = {**AT_SEA, "at_sea": False, "nearest_kelurahan": "Degayu", "distance_to_city_m": 2260.0}
IN_CITY = {
    "kelurahan": "Panjang Baru",
    "kecamatan": "Pekalongan Utara",
    "in_city": True,
    "at_sea": False,
    "nearest_kelurahan": None,
    "distance_to_city_m": None,
}

# What geo.locate says of a point 1.2 km off Panjang Wetan.
SEA_LOCATION = Location(
    lat=-6.8451,
    lon=109.6926,
    kelurahan=None,
    kecamatan=None,
    kode=None,
    in_city=False,
    distance_to_city_m=1201.3,
    approximate=False,
    flood_zones=(),
    at_sea=True,
    nearest_kelurahan="Panjang Wetan",
)


def preview(**changes) -> intake.Preview:
    """A preview of a located point in Panjang Baru with nothing else to say."""
    base = intake.Preview(
        located=True,
        kelurahan="Panjang Baru",
        kecamatan="Pekalongan Utara",
        in_city=True,
        distance_to_city_m=0.0,
        outside_service_area=False,
        flood_zones=(),
        suggested_opd=None,
        suggested_opd_name=None,
        posts=(),
        duplicates=(),
        phone=None,
        phone_error=None,
        prank_count=0,
        prank_flag=False,
        prank_days=30,
        place_text="Panjang Baru, Pekalongan Utara",
    )
    return replace(base, **changes)


SEA_PREVIEW = {
    "kelurahan": None,
    "kecamatan": None,
    "in_city": False,
    "distance_to_city_m": 1201.3,
    "at_sea": True,
    "nearest_kelurahan": "Panjang Wetan",
    "place_text": "Laut, 1,2 km dari Panjang Wetan",
}


# --- place text ------------------------------------------------------------------------------


def test_a_point_in_the_city_reads_kelurahan_comma_kecamatan():
    assert place_text(IN_CITY) == "Panjang Baru, Pekalongan Utara"


def test_the_wall_shows_the_kelurahan_alone():
    assert place_text(IN_CITY, with_kecamatan=False) == "Panjang Baru"


def test_a_point_at_sea_reads_laut_with_km_to_the_nearest_kelurahan_and_a_decimal_comma():
    assert place_text(AT_SEA) == "Laut, 1,2 km dari Panjang Wetan"
    assert place_text(AT_SEA, with_kecamatan=False) == "Laut, 1,2 km dari Panjang Wetan"


def test_a_point_on_land_beyond_the_city_line_reads_luar_kota():
    assert place_text(ON_LAND) == "Luar kota, 2,3 km dari Degayu"


def test_an_outside_point_stored_without_its_nearest_kelurahan_says_only_where_it_is():
    legacy = {**AT_SEA, "nearest_kelurahan": None, "distance_to_city_m": None}
    assert place_text(legacy) == labels.PLACE_AT_SEA_SHORT == "Laut"
    assert place_text({**legacy, "at_sea": False}) == labels.PLACE_OUTSIDE_CITY_SHORT


def test_a_call_never_located_has_no_place_text():
    assert place_text({"kelurahan": None, "in_city": True}) is None
    assert place_text({"kelurahan": "  "}) is None


def test_place_text_reads_frame_rows_with_missing_values_as_nan():
    frame = pd.DataFrame([AT_SEA, IN_CITY])
    rows = list(frame.itertuples(index=False))
    assert [place_text(r, with_kecamatan=False) for r in rows] == [
        "Laut, 1,2 km dari Panjang Wetan",
        "Panjang Baru",
    ]
    assert place_text(frame.iloc[0]) == "Laut, 1,2 km dari Panjang Wetan"


def test_place_text_reads_a_geo_location():
    assert place_text(SEA_LOCATION) == "Laut, 1,2 km dari Panjang Wetan"


# --- stored columns --------------------------------------------------------------------------


def test_a_sea_point_is_stored_at_sea_with_its_nearest_kelurahan_and_distance():
    columns = place_columns(SEA_LOCATION)
    assert columns == {
        "kelurahan": None,
        "kecamatan": None,
        "kelurahan_kode": None,
        "in_city": False,
        "at_sea": True,
        "nearest_kelurahan": "Panjang Wetan",
        "distance_to_city_m": 1201.3,
        "in_flood_zone": False,
        "flood_zone_names": "",
    }


def test_a_city_point_stores_no_distance_nor_nearest_kelurahan_and_joins_its_zone_names():
    location = Location(
        lat=-6.86543,
        lon=109.67722,
        kelurahan="Panjang Baru",
        kecamatan="Pekalongan Utara",
        kode="33.75.04.1007",
        in_city=True,
        distance_to_city_m=0.0,
        approximate=False,
        flood_zones=(
            FloodZoneHit("Rob Panjang Baru", "rob", "tinggi"),
            FloodZoneHit("Pesisir 0-400 m dari garis pantai", "pesisir", "tinggi"),
        ),
    )
    columns = place_columns(location)
    assert (columns["at_sea"], columns["nearest_kelurahan"], columns["distance_to_city_m"]) == (
        False,
        None,
        None,
    )
    assert columns["flood_zone_names"] == "Rob Panjang Baru, Pesisir 0-400 m dari garis pantai"
    assert columns["in_flood_zone"] is True


def test_a_locate_many_row_gives_the_same_columns_as_a_location():
    # geo.locate_many holds zone names as a tuple and a missing name as NaN.
    row = pd.Series(
        {
            "kelurahan": "Degayu",
            "kecamatan": "Pekalongan Utara",
            "kode": "33.75.04.1001",
            "in_city": True,
            "distance_to_city_m": 0.0,
            "at_sea": False,
            "nearest_kelurahan": math.nan,
            "flood_zone_names": ("Rob Degayu", "Koridor Kali Banger"),
        }
    )
    columns = place_columns(row)
    assert columns["flood_zone_names"] == "Rob Degayu, Koridor Kali Banger"
    assert columns["nearest_kelurahan"] is None and columns["kelurahan"] == "Degayu"


# --- the intake preview ----------------------------------------------------------------------


def test_a_sea_point_sets_the_lokasi_field_to_the_sea_text():
    assert intake.address_for_point(preview(**SEA_PREVIEW)) == "Laut, 1,2 km dari Panjang Wetan"


def test_a_city_point_sets_the_lokasi_field_to_its_kelurahan():
    assert intake.address_for_point(preview()) == "Panjang Baru"


def test_a_point_on_land_outside_the_city_sets_the_lokasi_field_to_luar_kota():
    pv = preview(**{**SEA_PREVIEW, "at_sea": False, "nearest_kelurahan": "Degayu"})
    pv = replace(pv, place_text="Luar kota, 2,3 km dari Degayu")
    assert intake.address_for_point(pv) == "Luar kota, 2,3 km dari Degayu"


def test_no_point_leaves_the_lokasi_field_empty():
    pv = preview(located=False, kelurahan=None, kecamatan=None, place_text=None)
    assert intake.address_for_point(pv) == ""


def test_a_sea_point_gets_a_sea_notice_instead_of_a_bare_outside_the_city():
    notices = intake.notices(preview(**SEA_PREVIEW))
    assert notices[0] == (
        "warning",
        "Titik di laut, 1,2 km dari Panjang Wetan: pastikan posisi penelepon.",
    )
    texts = " ".join(text for _, text in notices)
    assert "di luar batas" not in texts


def test_a_point_on_land_outside_the_city_keeps_the_outside_the_city_warning():
    pv = preview(**{**SEA_PREVIEW, "at_sea": False, "distance_to_city_m": 120.0})
    assert intake.notices(pv)[0] == (
        "warning",
        labels.INTAKE_OUTSIDE_CITY.format(m=120.0),
    )


@pytest.mark.parametrize("km", [5.5, 300.0])
def test_a_sea_point_beyond_the_service_area_is_an_error_not_a_sea_notice(km):
    pv = preview(**SEA_PREVIEW, outside_service_area=True)
    pv = replace(pv, distance_to_city_m=km * 1000)
    assert intake.notices(pv)[0][0] == "error"
