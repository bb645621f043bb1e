"""Points outside the city: at sea or on land, the nearest kelurahan, and the derived sea file."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from dashboard.incidents import SERVICE_AREA_MARGIN_M
from geo import City, locate, locate_many
from geo.crs import METRIC_CRS
from geo.derive_sea_area import COAST_EXTENSION_M, NOTE, build_sea_area, extended_shore
from geo.layers import read_kelurahan

from .helpers import REPO_DATA_DIR, X0, Y0, latlon

# Panjang Wetan's northernmost point is the western harbour breakwater, 1.2 km south of here.
OFF_PANJANG_WETAN = (-6.8451, 109.6926)


@pytest.fixture(scope="module")
def coastal_city(tiny_city) -> City:
    """The tiny city with open sea north of Gamma's top edge (y = Y0+2020)."""
    sea = gpd.GeoDataFrame(
        {"name": ["Laut Uji"]},
        geometry=[shapely.box(X0 - 5_000, Y0 + 2_020, X0 + 7_000, Y0 + 10_000)],
        crs=METRIC_CRS,
    )
    return City.from_layers(
        kelurahan=tiny_city.kelurahan, flood_zones=tiny_city.flood_zones, sea_area=sea
    )


def names(column) -> list[str | None]:
    """A name column as a list, missing values as None (pandas may hold them as NaN)."""
    return [value if isinstance(value, str) else None for value in column]


# --- tiny hand-made city -------------------------------------------------------------------


def test_a_point_300_m_north_of_the_coast_is_at_sea_300_m_from_gamma(coastal_city):
    place = locate(*latlon(X0 + 500, Y0 + 2_020 + 300), city=coastal_city)
    assert place.at_sea and not place.in_city
    assert place.nearest_kelurahan == "Gamma"
    assert place.distance_to_city_m == pytest.approx(300.0, abs=1e-3)
    assert place.kelurahan is None


def test_a_point_400_m_south_of_the_city_is_on_land_400_m_from_beta(coastal_city):
    place = locate(*latlon(X0 + 1_500, Y0 - 400), city=coastal_city)
    assert not place.at_sea and not place.in_city
    assert place.nearest_kelurahan == "Beta"
    assert place.distance_to_city_m == pytest.approx(400.0, abs=1e-3)


def test_a_point_in_the_city_is_neither_at_sea_nor_given_a_nearest_kelurahan(coastal_city):
    inside = locate(*latlon(X0 + 100, Y0 + 100), city=coastal_city)
    assert (inside.at_sea, inside.nearest_kelurahan) == (False, None)
    # 30 m off the coast: in the sea polygon, but snapped into the city (SNAP_DISTANCE_M).
    snapped = locate(*latlon(X0 + 500, Y0 + 2_020 + 30), city=coastal_city)
    assert snapped.in_city and snapped.kelurahan == "Gamma"
    assert (snapped.at_sea, snapped.nearest_kelurahan) == (False, None)


def test_a_point_as_near_to_two_kelurahan_gets_the_one_with_the_lower_kode(coastal_city):
    # x = X0+980 lies under both Alfa (to X0+1000) and Beta (from X0+960): 100 m from each.
    place = locate(*latlon(X0 + 980, Y0 - 100), city=coastal_city)
    assert place.nearest_kelurahan == "Alfa"
    assert place.distance_to_city_m == pytest.approx(100.0, abs=1e-3)


def test_a_city_without_a_sea_area_puts_no_point_at_sea(tiny_city):
    place = locate(*latlon(X0 + 500, Y0 + 2_020 + 300), city=tiny_city)
    assert not place.at_sea
    assert place.nearest_kelurahan == "Gamma"


def test_locate_many_gives_at_sea_and_nearest_kelurahan_like_locate(coastal_city):
    xs = [X0 + 500, X0 + 1_500, X0 + 100, X0 + 980, X0 - 51, X0 + 9_000]
    ys = [Y0 + 2_320, Y0 - 400, Y0 + 100, Y0 - 100, Y0 + 500, Y0 + 2_320]
    lats, lons = zip(*(latlon(x, y) for x, y in zip(xs, ys, strict=True)), strict=True)
    frame = locate_many(list(lats), list(lons), city=coastal_city)
    assert frame["at_sea"].tolist() == [True, False, False, False, False, False]
    assert names(frame["nearest_kelurahan"]) == ["Gamma", "Beta", None, "Alfa", "Alfa", "Beta"]
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        one = locate(lat, lon, city=coastal_city)
        assert bool(frame["at_sea"].iloc[i]) == one.at_sea
        assert names(frame["nearest_kelurahan"])[i] == one.nearest_kelurahan


def test_an_invalid_row_skipped_by_locate_many_is_not_at_sea(coastal_city):
    lat, lon = latlon(X0 + 500, Y0 + 2_320)
    frame = locate_many([lat, float("nan")], [lon, lon], city=coastal_city, on_invalid="skip")
    assert frame["at_sea"].tolist() == [True, False]
    assert names(frame["nearest_kelurahan"]) == ["Gamma", None]


# --- the real city -------------------------------------------------------------------------


def test_a_point_1_2_km_off_panjang_wetan_is_at_sea_1_2_km_from_panjang_wetan(city):
    place = locate(*OFF_PANJANG_WETAN, city=city)
    assert place.at_sea and not place.in_city and place.kelurahan is None
    assert place.nearest_kelurahan == "Panjang Wetan"
    assert place.distance_to_city_m == pytest.approx(1_200.0, abs=10.0)


@pytest.mark.parametrize(
    ("lat", "lon", "nearest", "distance_km"),
    [
        (-6.87, 109.62, "Pasirkratonkramat", 3.0),  # west: Kabupaten Pekalongan
        (-6.95, 109.66, "Kuripan Kertoharjo", 1.8),  # south: Kabupaten Pekalongan
        (-6.88, 109.73, "Degayu", 2.1),  # east: Kabupaten Batang
    ],
)
def test_a_point_on_land_beyond_the_city_line_is_outside_but_not_at_sea(
    city, lat, lon, nearest, distance_km
):
    place = locate(lat, lon, city=city)
    assert not place.in_city and not place.at_sea
    assert place.nearest_kelurahan == nearest
    assert place.distance_to_city_m / 1000 == pytest.approx(distance_km, abs=0.05)


def test_rsud_bendan_is_neither_at_sea_nor_outside(city):
    place = locate(-6.891536, 109.661999, city=city)
    assert place.in_city and not place.at_sea and place.nearest_kelurahan is None


def test_locate_many_finds_the_sea_north_of_the_city_and_agrees_with_locate(city):
    rng = np.random.default_rng(11)
    lats = rng.uniform(-6.96, -6.80, 4000)
    lons = rng.uniform(109.60, 109.76, 4000)
    frame = locate_many(lats, lons, city=city)
    assert not (frame["at_sea"] & frame["in_city"]).any()
    assert frame.loc[frame["in_city"], "nearest_kelurahan"].isna().all()
    assert frame.loc[~frame["in_city"], "nearest_kelurahan"].notna().all()
    # Everything at sea lies north of the city's southern half; everything south is land.
    assert lats[frame["at_sea"].to_numpy()].min() > -6.89
    assert not frame.loc[lats < -6.93, "at_sea"].any()
    for i in rng.choice(4000, 40, replace=False):
        one = locate(lats[i], lons[i], city=city)
        assert bool(frame["at_sea"].iloc[i]) == one.at_sea
        assert names(frame["nearest_kelurahan"])[i] == one.nearest_kelurahan


# --- the derived sea file ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sea() -> gpd.GeoDataFrame:
    return gpd.read_file(REPO_DATA_DIR / "sea_area.geojson")


def test_the_sea_file_says_it_is_derived_and_not_an_official_coastline(sea):
    assert len(sea) == 1
    assert bool(sea["derived"].iloc[0]) and sea["note"].iloc[0] == NOTE
    assert "bukan garis pantai resmi" in NOTE
    assert sea.is_valid.all() and not sea.is_empty.any()


def test_the_sea_lies_north_of_the_city_and_never_inside_it(city, sea):
    water = sea.to_crs(METRIC_CRS).geometry.iloc[0]
    # Slivers along the coast from the file's 6-decimal rounding (~0.1 m): a few m2 in all.
    assert water.intersection(city.outline_utm).area < 25.0
    assert water.distance(city.outline_utm) < 1.0  # it starts at the coast
    # The shore runs on COAST_EXTENSION_M beyond both ends of the city's coast, sea above it.
    shore = np.asarray(extended_shore(city.kelurahan_utm).coords)
    for end, coast_end in ((shore[0], shore[1]), (shore[-1], shore[-2])):
        assert np.hypot(*(end - coast_end)) == pytest.approx(COAST_EXTENSION_M)
        assert water.distance(shapely.Point(end)) < 1.0
        middle = (end + coast_end) / 2
        assert water.contains(shapely.Point(middle[0], middle[1] + 100))
        assert not water.contains(shapely.Point(middle[0], middle[1] - 100))


def test_the_sea_reaches_as_far_along_the_coast_as_the_service_radius():
    assert COAST_EXTENSION_M == SERVICE_AREA_MARGIN_M


def test_the_sea_file_is_reproduced_by_its_script(sea):
    kelurahan = read_kelurahan(REPO_DATA_DIR / "kota_pekalongan_kelurahan.geojson")
    rebuilt = build_sea_area(kelurahan)
    old = sea.to_crs(METRIC_CRS).geometry.iloc[0]
    new = rebuilt.to_crs(METRIC_CRS).geometry.iloc[0]
    assert shapely.hausdorff_distance(old, new) < 0.5  # 6-decimal rounding ~0.1 m
