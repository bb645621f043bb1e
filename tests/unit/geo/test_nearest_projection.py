"""The fast path of the nearest search: the local UTM polynomial, the blocked search, ties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import nearest_facilities, nearest_facilities_many
from geo.crs import (
    LOCAL_UTM_CENTRE_DEG,
    LOCAL_UTM_HALF_WIDTH_DEG,
    to_metric_xy,
    to_metric_xy_local,
)
from geo.facilities import serving_mask
from geo.nearest import _BLOCK_INCIDENTS

from .helpers import X0, Y0, latlon


def _points_in_local_box(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lon_c, lat_c = LOCAL_UTM_CENTRE_DEG
    half = LOCAL_UTM_HALF_WIDTH_DEG
    return rng.uniform(lon_c - half, lon_c + half, n), rng.uniform(lat_c - half, lat_c + half, n)


def test_local_projection_agrees_with_pyproj_to_a_micrometre_around_the_city():
    lons, lats = _points_in_local_box(20_000, seed=1)
    x, y = to_metric_xy_local(lons, lats)
    expected_x, expected_y = to_metric_xy(lons, lats)
    assert np.abs(x - expected_x).max() < 1e-6
    assert np.abs(y - expected_y).max() < 1e-6


def test_points_outside_the_local_box_are_projected_by_pyproj_itself():
    # Jakarta, Surabaya and a point just past the box's eastern edge, between two city points.
    lon_c, lat_c = LOCAL_UTM_CENTRE_DEG
    lons = np.array([109.67, 106.8, 112.75, lon_c + LOCAL_UTM_HALF_WIDTH_DEG + 0.01, 109.68])
    lats = np.array([-6.89, -6.2, -7.25, lat_c, -6.9])
    x, y = to_metric_xy_local(lons, lats)
    expected_x, expected_y = to_metric_xy(lons, lats)
    assert x[1:4].tolist() == expected_x[1:4].tolist()
    assert y[1:4].tolist() == expected_y[1:4].tolist()
    assert np.abs(x - expected_x).max() < 1e-6 and np.abs(y - expected_y).max() < 1e-6


@pytest.mark.parametrize("k", [1, 2, 3])
def test_search_over_several_blocks_equals_a_brute_force_search_over_every_post(city, k):
    n = 2 * _BLOCK_INCIDENTS + 7
    rng = np.random.default_rng(23)
    lats = rng.uniform(-6.95, -6.84, n)
    lons = rng.uniform(109.63, 109.72, n)
    frame = nearest_facilities_many(lats, lons, "puskesmas", k=k, city=city)

    posts = city.facilities[serving_mask(city.facilities, "puskesmas")]
    post_x, post_y = to_metric_xy(posts["lon"].to_numpy(float), posts["lat"].to_numpy(float))
    x, y = to_metric_xy(lons, lats)
    distance_m = np.hypot(x[:, None] - post_x[None, :], y[:, None] - post_y[None, :])
    order = np.argsort(distance_m, axis=1)[:, :k]
    expected_ids = posts["id"].to_numpy(dtype=object)[order].ravel()
    expected_m = np.take_along_axis(distance_m, order, axis=1).ravel()
    assert frame["facility_id"].tolist() == expected_ids.tolist()
    assert frame["distance_m"].to_numpy() == pytest.approx(expected_m, abs=1e-6)


def test_two_posts_at_the_same_place_the_lower_id_comes_first(tiny_city):
    post_lat, post_lon = latlon(X0 + 500, Y0 + 500)
    posts = pd.DataFrame(
        {
            "id": ["pos-a", "pos-0"],  # the twin is listed second but its id sorts first
            "name": ["Pos Ambulans A", "Pos Ambulans Kembar"],
            "kind": ["ambulance", "ambulance"],
            "opd_code": ["PMI", "PMI"],
            "lat": [post_lat, post_lat],
            "lon": [post_lon, post_lon],
        }
    )
    city = tiny_city.with_facilities(posts)
    lat, lon = latlon(X0 + 500, Y0 + 200)
    frame = nearest_facilities_many([lat, lat], [lon, lon], "ambulance", k=2, city=city)
    assert frame["facility_id"].tolist() == ["pos-0", "pos-a", "pos-0", "pos-a"]
    assert frame["distance_m"].tolist() == pytest.approx([300.0] * 4, abs=1e-3)
    (first,) = nearest_facilities_many([lat], [lon], "ambulance", k=1, city=city)["facility_id"]
    assert first == "pos-0"
    assert [m.facility_id for m in nearest_facilities(lat, lon, "ambulance", k=2, city=city)] == [
        "pos-0",
        "pos-a",
    ]


def test_a_city_with_new_facilities_answers_from_them_not_from_the_posts_it_remembered(
    tiny_city,
):
    lat, lon = latlon(X0 + 500, Y0 + 200)
    (before,) = nearest_facilities_many([lat], [lon], "ambulance", city=tiny_city)["facility_id"]
    moved_lat, moved_lon = latlon(X0 + 500, Y0 + 150)
    moved = pd.DataFrame(
        {
            "id": ["pos-z"],
            "name": ["Pos Ambulans Z"],
            "kind": ["ambulance"],
            "opd_code": ["PMI"],
            "lat": [moved_lat],
            "lon": [moved_lon],
        }
    )
    city = tiny_city.with_facilities(moved)
    frame = nearest_facilities_many([lat], [lon], "ambulance", city=city)
    assert before == "pos-a"
    assert frame["facility_id"].tolist() == ["pos-z"]
    assert frame["distance_m"].tolist() == pytest.approx([50.0], abs=1e-3)
