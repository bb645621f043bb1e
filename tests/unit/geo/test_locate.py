"""Locating points: kelurahan, snapping near edges, distance to the city, flood zones."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import InvalidCoordinates, locate, locate_many, locate_points
from geo.crs import to_metric_xy
from geo.locate import SNAP_DISTANCE_M

from .helpers import X0, Y0, latlon

# --- tiny hand-made city -------------------------------------------------------------------


def test_point_inside_a_square_gets_its_kelurahan_and_zero_distance(tiny_city):
    place = locate(*latlon(X0 + 100, Y0 + 100), city=tiny_city)
    assert (place.kelurahan, place.kecamatan, place.kode) == ("Alfa", "Satu", "99.01.01.1001")
    assert place.in_city and not place.approximate
    assert place.distance_to_city_m == 0.0


def test_point_in_two_overlapping_kelurahan_goes_to_the_one_whose_edge_is_farther(tiny_city):
    # x = X0+990: 10 m inside Alfa's east edge, 30 m inside Beta's west edge.
    assert locate(*latlon(X0 + 990, Y0 + 500), city=tiny_city).kelurahan == "Beta"
    # x = X0+970: 30 m inside Alfa, 10 m inside Beta.
    assert locate(*latlon(X0 + 970, Y0 + 500), city=tiny_city).kelurahan == "Alfa"


def test_overlap_at_equal_depth_is_decided_by_the_lower_kode(tiny_city):
    # x = X0+980: 20 m from both edges.
    assert locate(*latlon(X0 + 980, Y0 + 500), city=tiny_city).kelurahan == "Alfa"


def test_point_30_m_outside_an_edge_snaps_to_that_kelurahan(tiny_city):
    place = locate(*latlon(X0 - 30, Y0 + 500), city=tiny_city)
    assert place.kelurahan == "Alfa"
    assert place.in_city and place.approximate
    assert place.distance_to_city_m == pytest.approx(30.0, abs=1e-3)


def test_point_in_the_gap_between_two_kelurahan_snaps_to_the_nearer(tiny_city):
    # Alfa's top edge is 5 m below, Gamma's bottom edge 15 m above.
    place = locate(*latlon(X0 + 500, Y0 + 1005), city=tiny_city)
    assert (place.kelurahan, place.approximate) == ("Alfa", True)
    assert place.distance_to_city_m == pytest.approx(5.0, abs=1e-3)


def test_point_51_m_outside_is_outside_the_city(tiny_city):
    place = locate(*latlon(X0 - 51, Y0 + 500), city=tiny_city)
    assert not place.in_city
    assert place.kelurahan is None and place.kode is None
    assert place.distance_to_city_m == pytest.approx(51.0, abs=1e-3)


def test_distance_to_city_is_measured_in_metres_to_the_nearest_edge(tiny_city):
    # 1 km south of Alfa/Beta's bottom edge, 1.2 km east of Beta's east edge -> corner.
    place = locate(*latlon(X0 + 2000 + 1200, Y0 - 1000), city=tiny_city)
    assert place.distance_to_city_m == pytest.approx(math.hypot(1200, 1000), abs=1e-3)


def test_flood_zones_containing_the_point_are_listed_with_type_and_level(tiny_city):
    place = locate(*latlon(X0 + 300, Y0 + 100), city=tiny_city)
    assert {(z.name, z.type, z.level) for z in place.flood_zones} == {
        ("Zona Rob Uji", "rob", "tinggi"),
        ("Koridor Sungai Uji", "sungai", "sedang"),
    }
    assert place.in_flood_zone and place.flood_level == "tinggi"
    dry = locate(*latlon(X0 + 900, Y0 + 900), city=tiny_city)
    assert dry.flood_zones == () and dry.flood_level is None


def test_locate_many_matches_locate_point_by_point(tiny_city):
    xs = [X0 + 100, X0 + 990, X0 - 30, X0 - 51, X0 + 500, X0 + 300]
    ys = [Y0 + 100, Y0 + 500, Y0 + 500, Y0 + 500, Y0 + 1005, Y0 + 100]
    lats, lons = zip(*(latlon(x, y) for x, y in zip(xs, ys, strict=True)), strict=True)
    frame = locate_many(list(lats), list(lons), city=tiny_city)
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        one = locate(lat, lon, city=tiny_city)
        row = frame.iloc[i]
        assert (row["kelurahan"] if isinstance(row["kelurahan"], str) else None) == one.kelurahan
        assert bool(row["in_city"]) == one.in_city
        assert row["distance_to_city_m"] == pytest.approx(one.distance_to_city_m, abs=1e-6)
        assert bool(row["approximate"]) == one.approximate
        assert set(row["flood_zone_names"]) == {z.name for z in one.flood_zones}
        assert bool(row["in_flood_zone"]) == one.in_flood_zone


def test_locate_many_keeps_the_index_of_a_series(tiny_city):
    lat, lon = latlon(X0 + 100, Y0 + 100)
    frame = locate_many(
        pd.Series([lat, lat], index=[7, 3]), pd.Series([lon, lon], index=[7, 3]), city=tiny_city
    )
    assert list(frame.index) == [7, 3]
    assert list(frame.columns[:5]) == [
        "kelurahan",
        "kecamatan",
        "kode",
        "in_city",
        "distance_to_city_m",
    ]


# --- invalid input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (float("nan"), 109.67),
        (-6.89, float("inf")),
        (91.0, 109.67),
        (-6.89, -180.5),
        ("utara", 109.67),
        (None, 109.67),
    ],
)
def test_invalid_coordinates_are_refused_in_indonesian(tiny_city, lat, lon):
    with pytest.raises(InvalidCoordinates) as caught:
        locate(lat, lon, city=tiny_city)
    assert "Koordinat tidak valid" in caught.value.user_message
    assert isinstance(caught.value, ValueError)


def test_locate_many_refuses_a_bad_row_unless_asked_to_skip_it(tiny_city):
    lat, lon = latlon(X0 + 100, Y0 + 100)
    with pytest.raises(InvalidCoordinates, match="baris 1"):
        locate_many([lat, float("nan")], [lon, lon], city=tiny_city)
    frame = locate_many([lat, float("nan")], [lon, lon], city=tiny_city, on_invalid="skip")
    assert frame["in_city"].tolist() == [True, False]
    assert np.isnan(frame["distance_to_city_m"].iloc[1])


# --- the real city -------------------------------------------------------------------------


def test_rsud_bendan_lies_in_bendan_kergon(city):
    place = locate(-6.891536, 109.661999, city=city)
    assert place.kelurahan == "Bendan Kergon"
    assert place.kecamatan == "Pekalongan Barat"
    assert place.kode == "33.75.01.1006"
    assert place.in_city and not place.approximate


def test_a_point_in_the_java_sea_is_outside_the_city_about_six_km_off(city):
    place = locate(-6.80, 109.68, city=city)
    assert not place.in_city and place.kelurahan is None
    # The coast is near latitude -6.854: about 0.054 deg * 110.6 km/deg = 6 km.
    assert 5_000 < place.distance_to_city_m < 7_000


def test_a_point_far_outside_utm_zone_49_gets_a_geodesic_distance(city):
    place = locate(-6.2, 106.8, city=city)  # Jakarta, UTM zone 48
    assert not place.in_city
    assert 300_000 < place.distance_to_city_m < 340_000


def test_a_point_20_m_beyond_the_southern_city_edge_snaps_and_80_m_does_not(city):
    outline = city.outline_utm
    south = min(outline.exterior.coords, key=lambda c: c[1])
    near = locate(*latlon(south[0], south[1] - 20), city=city)
    assert near.in_city and near.approximate
    assert near.kecamatan == "Pekalongan Selatan"
    assert 0 < near.distance_to_city_m <= 20.0 + 1e-6
    far = locate(*latlon(south[0], south[1] - 80), city=city)
    assert not far.in_city and far.distance_to_city_m > SNAP_DISTANCE_M


def test_a_point_in_a_sliver_between_kelurahan_is_in_the_city_and_snapped(city):
    polygons = shapely.union_all(city.kelurahan_utm.geometry.values)
    slivers = city.outline_utm.difference(polygons)
    largest = max(shapely.get_parts(slivers), key=lambda p: p.area)
    point = largest.representative_point()
    place = locate(*latlon(point.x, point.y), city=city)
    assert place.in_city and place.approximate and place.kelurahan is not None
    assert place.distance_to_city_m == 0.0


def test_known_rob_kelurahan_are_in_a_flood_zone_and_the_south_is_not(city):
    panjang_baru = locate(-6.86543, 109.67722, city=city)
    assert panjang_baru.kelurahan == "Panjang Baru"
    assert "rob" in {z.type for z in panjang_baru.flood_zones}
    assert panjang_baru.flood_level == "tinggi"
    sokoduwet = locate(-6.92269, 109.69155, city=city)
    assert sokoduwet.kecamatan == "Pekalongan Selatan"
    assert sokoduwet.flood_zones == ()


def test_locate_many_handles_thousands_of_points_and_agrees_with_locate(city):
    rng = np.random.default_rng(42)
    lats = rng.uniform(-6.945, -6.845, 3000)
    lons = rng.uniform(109.635, 109.72, 3000)
    frame = locate_many(lats, lons, city=city)
    assert len(frame) == 3000
    assert frame["in_city"].any() and not frame["in_city"].all()
    for i in rng.choice(3000, 40, replace=False):
        one = locate(lats[i], lons[i], city=city)
        kel = frame["kelurahan"].iloc[i]
        assert (kel if isinstance(kel, str) else None) == one.kelurahan
        assert frame["distance_to_city_m"].iloc[i] == pytest.approx(one.distance_to_city_m)


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(min_value=-90, max_value=90, allow_nan=False),
    lon=st.floats(min_value=-180, max_value=180, allow_nan=False),
)
def test_any_valid_coordinate_is_located_without_error(city, lat, lon):
    place = locate(lat, lon, city=city)
    assert place.distance_to_city_m >= 0.0
    assert place.in_city == (place.distance_to_city_m <= SNAP_DISTANCE_M)
    assert (place.kelurahan is not None) == place.in_city


@settings(max_examples=40, deadline=None)
@given(
    lat=st.floats(min_value=-6.94, max_value=-6.85),
    lon=st.floats(min_value=109.64, max_value=109.715),
)
def test_a_point_inside_the_city_is_in_the_kelurahan_polygon_it_reports(city, lat, lon):
    place = locate(lat, lon, city=city)
    if place.in_city and not place.approximate:
        x, y = to_metric_xy(np.array([lon]), np.array([lat]))
        polygon = city.kelurahan_utm.loc[city.kelurahan_utm["nama"] == place.kelurahan]
        assert polygon.geometry.iloc[0].contains(shapely.Point(x[0], y[0]))


def test_locating_several_points_in_one_pass_gives_what_locating_each_gives(tiny_city):
    points = [latlon(X0 + 50, Y0 + 50), latlon(X0 - 30, Y0 + 50), latlon(X0 - 5000, Y0)]
    one_by_one = [locate(lat, lon, city=tiny_city) for lat, lon in points]
    together = locate_points([p[0] for p in points], [p[1] for p in points], city=tiny_city)
    assert together == one_by_one
    with pytest.raises(InvalidCoordinates):
        locate_points([points[0][0], math.nan], [points[0][1], 0.0], city=tiny_city)
