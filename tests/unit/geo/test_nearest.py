"""Nearest facilities: kinds served, distances, the detour/speed model, vectorised form."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo import (
    DEFAULT_DETOUR_FACTOR,
    FACILITY_KINDS,
    GeoError,
    InvalidCoordinates,
    UnknownFacilityKind,
    geodesic_distance_m,
    nearest_facilities,
    nearest_facilities_many,
)
from geo.nearest import DEFAULT_SPEEDS_KMH, NEAREST_COLUMNS

from .helpers import X0, Y0, latlon

AMBULANCE_M_PER_MIN = 35.0 * 1000 / 60


# --- tiny hand-made city -------------------------------------------------------------------


def test_ambulance_request_finds_the_post_and_the_hospital_that_runs_ambulances(tiny_city):
    matches = nearest_facilities(*latlon(X0 + 500, Y0 + 200), "ambulance", k=5, city=tiny_city)
    assert [m.facility_id for m in matches] == ["pos-a", "rs-b"]
    assert [m.rank for m in matches] == [1, 2]
    first, second = matches
    assert first.distance_m == pytest.approx(300.0, abs=1e-3)
    assert second.distance_m == pytest.approx(math.hypot(1000, 300), abs=1e-3)
    assert second.kind == "hospital" and second.opd == "RSUD"


def test_road_distance_is_straight_line_times_1_3_and_eta_uses_35_kmh(tiny_city):
    (match,) = nearest_facilities(*latlon(X0 + 500, Y0 + 200), "ambulance", k=1, city=tiny_city)
    assert DEFAULT_DETOUR_FACTOR == 1.3
    assert match.road_distance_m == pytest.approx(300.0 * 1.3, abs=1e-3)
    assert match.eta_min == pytest.approx(300.0 * 1.3 / AMBULANCE_M_PER_MIN, abs=1e-6)


def test_detour_factor_and_speeds_can_be_set_per_call(tiny_city):
    (match,) = nearest_facilities(
        *latlon(X0 + 500, Y0 + 200),
        "ambulance",
        k=1,
        city=tiny_city,
        detour_factor=1.0,
        speeds_kmh={"ambulance": 60.0},
    )
    assert match.road_distance_m == pytest.approx(300.0, abs=1e-3)
    assert match.eta_min == pytest.approx(0.3, abs=1e-6)  # 300 m at 1 km/min


def test_fire_uses_the_slower_urban_fire_speed(tiny_city):
    (match,) = nearest_facilities(*latlon(X0 + 500, Y0 + 200), "fire", k=1, city=tiny_city)
    assert match.facility_id == "damkar-c"
    assert match.distance_m == pytest.approx(1320.0, abs=1e-3)
    assert match.eta_min == pytest.approx(1320.0 * 1.3 / (30.0 * 1000 / 60), abs=1e-6)
    assert match.lokasi_perkiraan is True


def test_a_kind_without_facilities_gives_an_empty_list(tiny_city):
    assert nearest_facilities(*latlon(X0, Y0), "police", city=tiny_city) == []


def test_an_unknown_kind_is_refused_with_the_list_of_kinds(tiny_city):
    with pytest.raises(UnknownFacilityKind, match="ambulance"):
        nearest_facilities(*latlon(X0, Y0), "helikopter", city=tiny_city)


@pytest.mark.parametrize(
    "options", [{"k": 0}, {"detour_factor": 0.8}, {"speeds_kmh": {"ambulance": 0}}]
)
def test_nonsense_options_are_refused(tiny_city, options):
    with pytest.raises(GeoError):
        nearest_facilities(*latlon(X0, Y0), "ambulance", city=tiny_city, **options)


def test_invalid_incident_coordinates_are_refused(tiny_city):
    with pytest.raises(InvalidCoordinates):
        nearest_facilities(float("nan"), 109.6, "ambulance", city=tiny_city)


def test_vectorised_form_gives_one_row_per_incident_and_rank(tiny_city):
    lat1, lon1 = latlon(X0 + 500, Y0 + 200)
    lat2, lon2 = latlon(X0 + 1500, Y0 + 900)
    frame = nearest_facilities_many(
        pd.Series([lat1, lat2], index=["a", "b"]),
        pd.Series([lon1, lon2], index=["a", "b"]),
        "ambulance",
        k=2,
        city=tiny_city,
    )
    assert tuple(frame.columns) == NEAREST_COLUMNS
    assert frame[["incident", "rank", "facility_id"]].values.tolist() == [
        ["a", 1, "pos-a"],
        ["a", 2, "rs-b"],
        ["b", 1, "rs-b"],
        ["b", 2, "pos-a"],
    ]
    assert frame["distance_m"].tolist() == pytest.approx(
        [300.0, math.hypot(1000, 300), 400.0, math.hypot(1000, 400)], abs=1e-3
    )


def test_vectorised_form_skips_invalid_rows_when_asked(tiny_city):
    lat, lon = latlon(X0 + 500, Y0 + 200)
    frame = nearest_facilities_many(
        [lat, float("nan")], [lon, lon], "ambulance", city=tiny_city, on_invalid="skip"
    )
    assert frame["incident"].tolist() == [0]
    with pytest.raises(InvalidCoordinates):
        nearest_facilities_many([lat, float("nan")], [lon, lon], "ambulance", city=tiny_city)


def test_vectorised_form_without_matching_facilities_is_an_empty_frame(tiny_city):
    frame = nearest_facilities_many([-6.9], [109.6], "police", city=tiny_city)
    assert frame.empty and tuple(frame.columns) == NEAREST_COLUMNS


# --- the real city -------------------------------------------------------------------------


def test_ambulance_near_rsud_bendan_is_rsud_bendan_itself(city):
    (match,) = nearest_facilities(-6.8916, 109.6621, "ambulance", k=1, city=city)
    assert match.name == "RSUD Bendan"
    assert match.opd == "RSUD"
    assert match.lokasi_perkiraan is False
    assert match.distance_m < 20


def test_every_kind_has_at_least_one_facility_in_the_city(city):
    for kind in FACILITY_KINDS:
        assert nearest_facilities(-6.89, 109.675, kind, k=1, city=city), kind


def test_distances_agree_with_the_geodesic_within_half_a_percent(city):
    rng = np.random.default_rng(7)
    lats = rng.uniform(-6.94, -6.85, 300)
    lons = rng.uniform(109.64, 109.715, 300)
    frame = nearest_facilities_many(lats, lons, "puskesmas", k=3, city=city)
    incidents = frame["incident"].to_numpy()
    geodesic = geodesic_distance_m(
        lats[incidents], lons[incidents], frame["lat"].to_numpy(), frame["lon"].to_numpy()
    )
    relative = np.abs(frame["distance_m"].to_numpy() - geodesic) / geodesic
    assert relative.max() < 0.005


def test_geodesic_distance_of_one_degree_of_latitude_is_about_110_6_km():
    assert geodesic_distance_m(-7.0, 109.6, -6.0, 109.6) == pytest.approx(110_600, rel=2e-3)


@pytest.mark.parametrize("kind", ["ambulance", "hospital", "puskesmas", "fire"])
def test_vectorised_nearest_equals_scalar_nearest_on_random_points(city, kind):
    rng = np.random.default_rng(11)
    lats = rng.uniform(-6.95, -6.84, 150)
    lons = rng.uniform(109.63, 109.72, 150)
    frame = nearest_facilities_many(lats, lons, kind, k=3, city=city)
    for i in range(len(lats)):
        scalar = nearest_facilities(lats[i], lons[i], kind, k=3, city=city)
        rows = frame[frame["incident"] == i]
        assert rows["facility_id"].tolist() == [m.facility_id for m in scalar]
        assert rows["distance_m"].tolist() == pytest.approx([m.distance_m for m in scalar])
        assert rows["eta_min"].tolist() == pytest.approx([m.eta_min for m in scalar])


def test_100k_incidents_in_one_call_each_get_the_post_a_single_search_finds(city):
    # Speed is benchmarks/ row 1; here: one call over 100,000 points answers
    # every point, and sampled answers equal the one-incident search.
    rng = np.random.default_rng(3)
    lats = rng.uniform(-6.94, -6.85, 100_000)
    lons = rng.uniform(109.64, 109.715, 100_000)
    frame = nearest_facilities_many(lats, lons, "puskesmas", k=1, city=city)
    assert sorted(frame["incident"].tolist()) == list(range(100_000))
    for i in rng.choice(100_000, 25, replace=False):
        (best,) = nearest_facilities(lats[i], lons[i], "puskesmas", k=1, city=city)
        row = frame[frame["incident"] == i].iloc[0]
        assert (row["facility_id"], row["distance_m"]) == (
            best.facility_id,
            pytest.approx(best.distance_m),
        )


def test_default_speeds_cover_every_kind():
    assert set(DEFAULT_SPEEDS_KMH) == set(FACILITY_KINDS)
    assert DEFAULT_SPEEDS_KMH["ambulance"] == 35.0
    assert DEFAULT_SPEEDS_KMH["fire"] == 30.0
