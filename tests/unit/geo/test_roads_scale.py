"""Road routing at city scale on a generated 100 x 100 street grid with known shortest paths.

The grid (tests/helpers/osm_grid.py) has a corner every 100 m, residential streets (20 km/h,
so 0.18 s a metre), every 7th row one-way eastbound (3, 10, 17, ...), every 7th column one-way
northbound (5, 12, 19, ...), a river between rows 49 and 50 crossed only at columns 20 and 70,
and a railway between columns 85 and 86 with a level crossing on every row. Grid position
(i, j) is row i, column j; fractions are points between corners. Expected values are written
as arithmetic on those 100 m blocks.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import GeoError, nearest_facilities, nearest_facilities_many
from geo.crs import to_geographic
from geo.nearest import (
    DIRECTION_RESPONSE,
    DIRECTION_TRANSPORT,
    ROUTE_OFF_ROAD,
    ROUTE_ROAD_GRAPH,
    direction_for_kind,
)
from geo.roads import RoadGraph, RoadSlowdown
from tests.helpers.osm_grid import GridCity

GRID = GridCity(
    rows=100,
    cols=100,
    spacing_m=100.0,
    oneway_rows=frozenset(range(3, 100, 7)),
    oneway_cols=frozenset(range(5, 100, 7)),
    river_row=50,
    bridge_cols=(20, 70),
    railway_col=85,
)
S_PER_M = 3.6 / 20.0  # residential, 20 km/h
ACCESS_S_PER_M = 3.6 / 10.0  # the access leg off the road, 10 km/h
# The .osm stores 9 decimals of a degree (0.1 mm): metres and seconds agree to a millimetre.
MM = 1e-3


@pytest.fixture(scope="module")
def roads(tmp_path_factory) -> RoadGraph:
    folder = tmp_path_factory.mktemp("grid")
    return RoadGraph.from_osm_file(GRID.write_osm(folder / "grid.osm"), cache_dir=folder)


def at(*points: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """UTM x and y arrays of grid positions (row, column)."""
    xy = np.array([GRID.xy(i, j) for i, j in points])
    return xy[:, 0], xy[:, 1]


def route(roads: RoadGraph, start: tuple[float, float], end: tuple[float, float], **options):
    """(seconds, metres) of the fastest route between two grid positions."""
    matrix = roads.travel(*at(start), *at(end), vehicle_speed_kmh=35.0, **options)
    return float(matrix.time_s[0, 0]), float(matrix.distance_m[0, 0])


def box_around(i: float, j: float, half_m: float) -> shapely.Polygon:
    x, y = GRID.xy(i, j)
    return shapely.box(x - half_m, y - half_m, x + half_m, y + half_m)


def grid_city(tiny_city, facilities: dict[str, tuple[float, float]], kind: str = "fire"):
    """A city whose facilities of ``kind`` stand at the given grid positions."""
    spots = [GRID.latlon(i, j) for i, j in facilities.values()]
    frame = pd.DataFrame(
        {
            "id": list(facilities),
            "name": [f"Pos {key}" for key in facilities],
            "kind": kind,
            "lat": [lat for lat, _ in spots],
            "lon": [lon for _, lon in spots],
        }
    )
    return tiny_city.with_facilities(frame)


# --- the grid as parsed ------------------------------------------------------------------------


def test_the_generated_city_has_every_corner_crossing_and_street_of_the_grid(roads):
    assert roads.node_ids.size == 100 * 100 + 100
    assert int(roads.node_level_crossing.sum()) == 100
    # Two-way streets give two edges per block, the 14 one-way rows and columns one. The
    # railway's crossing node splits one block of every row; 98 columns lack the river block.
    per_block = 2 * 86 + 14
    row_blocks, col_blocks = 99 + 1, 99
    river_gap = 2 * (98 - 14) + 14
    assert roads.edge_from.size == per_block * row_blocks + per_block * col_blocks - river_gap
    assert roads.graph.has_edge(GRID.node_id(10, 30), GRID.node_id(10, 31))
    assert not roads.graph.has_edge(GRID.node_id(10, 31), GRID.node_id(10, 30))


# --- direction, snapping, river and crossings: known shortest paths ----------------------------


def test_on_a_one_way_street_the_post_to_incident_route_differs_from_the_way_back(roads):
    post, incident = (10, 30.25), (10, 30.75)  # both on one-way row 10, 50 m apart
    there_s, there_m = route(roads, post, incident)
    back_s, back_m = route(roads, incident, post)
    assert there_m == pytest.approx(50.0, abs=MM)
    assert there_s == pytest.approx(50.0 * S_PER_M, abs=MM)
    # Back: on to corner 31 (25 m), up to row 11, west one block, down to row 10, and 25 m east.
    assert back_m == pytest.approx(25 + 100 + 100 + 100 + 25, abs=MM)
    assert back_s == pytest.approx(350.0 * S_PER_M, abs=MM)


def test_nearest_posts_by_road_use_the_direction_the_vehicle_drives(roads, tiny_city):
    city = grid_city(tiny_city, {"barat": (10, 30.25), "timur": (10, 31.25)})
    lat, lon = GRID.latlon(10, 30.75)
    frame = nearest_facilities_many(
        [lat], [lon], "fire", k=2, city=city, road_graph=roads, direction=DIRECTION_RESPONSE
    )
    # The post to the west drives 50 m east along the one-way row. The one to the east must go
    # round: 75 m on to corner 32, up to row 11, west to column 30, down, and 75 m east.
    assert frame["facility_id"].tolist() == ["barat", "timur"]
    east_m = 75 + 100 + 200 + 100 + 75
    assert frame["road_distance_m"].tolist() == pytest.approx([50.0, east_m], abs=MM)
    assert frame["eta_min"].tolist() == pytest.approx(
        [50 * S_PER_M / 60, east_m * S_PER_M / 60], abs=1e-5
    )
    assert frame["route_model"].tolist() == [ROUTE_ROAD_GRAPH, ROUTE_ROAD_GRAPH]

    transport = nearest_facilities_many(
        [lat], [lon], "fire", k=2, city=city, road_graph=roads, direction=DIRECTION_TRANSPORT
    )
    # From the incident: 50 m east to the east post; round the block to the west one.
    assert transport["facility_id"].tolist() == ["timur", "barat"]
    assert transport["road_distance_m"].tolist() == pytest.approx([50.0, 350.0], abs=MM)


def test_a_point_between_corners_is_reached_by_the_partial_block_plus_its_access_leg(roads):
    # The post is 10 m south of row 60, 40 m past column 10; the incident 20 m north of row 60,
    # 30 m past column 12. Both snap onto row 60: 190 m of street between them.
    time_s, distance_m = route(roads, (59.9, 10.4), (60.2, 12.3))
    assert distance_m == pytest.approx(190 + 10 + 20, abs=MM)
    assert time_s == pytest.approx(190 * S_PER_M + 30 * ACCESS_S_PER_M, abs=MM)


def test_snapping_projects_onto_the_nearest_street_segment(roads):
    snapped = roads.snap(*at((60.2, 12.3), (33.5, 7.05)))
    assert snapped.offset_m.tolist() == pytest.approx([20.0, 5.0], abs=MM)
    seg = roads._segments
    a, b = seg["a"][snapped.segment], seg["b"][snapped.segment]
    ends = {(int(roads.node_ids[u]), int(roads.node_ids[v])) for u, v in zip(a, b, strict=True)}
    assert ends == {
        (GRID.node_id(60, 12), GRID.node_id(60, 13)),
        (GRID.node_id(33, 7), GRID.node_id(34, 7)),
    }
    assert snapped.fraction.tolist() == pytest.approx([0.3, 0.5], abs=1e-5)


def test_crossing_the_river_takes_the_nearer_bridge(roads):
    # (49, 40) to (50, 45): west 20 blocks to the bridge at column 20, across, east 25 blocks.
    time_s, distance_m = route(roads, (49, 40), (50, 45))
    assert distance_m == pytest.approx(2000 + 100 + 2500, abs=MM)
    assert time_s == pytest.approx(4600 * S_PER_M, abs=MM)


def test_a_closed_flooded_bridge_forces_the_detour_over_the_other_bridge(roads):
    flooded = RoadSlowdown(box_around(49.5, 20, 10.0), math.inf)
    time_s, distance_m = route(roads, (49, 40), (50, 45), slowdowns=[flooded])
    # East 30 blocks to the bridge at column 70, across, west 25 blocks.
    assert distance_m == pytest.approx(3000 + 100 + 2500, abs=MM)
    assert time_s == pytest.approx(5600 * S_PER_M, abs=MM)


def test_a_slowed_bridge_costs_its_factor_until_the_other_bridge_is_faster(roads):
    slow = RoadSlowdown(box_around(49.5, 20, 10.0), 10.0)
    time_s, distance_m = route(roads, (49, 40), (50, 45), slowdowns=[slow])
    assert distance_m == pytest.approx(4600.0, abs=MM)
    assert time_s == pytest.approx((4500 + 10 * 100) * S_PER_M, abs=MM)  # 5500 < 5600
    slower = RoadSlowdown(box_around(49.5, 20, 10.0), 12.0)
    time_s, distance_m = route(roads, (49, 40), (50, 45), slowdowns=[slower])
    assert distance_m == pytest.approx(5600.0, abs=MM)  # 4500 + 1200 > 5600


def test_a_flood_area_given_in_lat_lon_closes_the_same_bridge(roads, tiny_city):
    ring = np.array(box_around(49.5, 20, 10.0).exterior.coords)
    lons, lats = to_geographic(ring[:, 0], ring[:, 1])
    flooded = RoadSlowdown.from_lonlat(shapely.Polygon(np.column_stack([lons, lats])), math.inf)
    city = grid_city(tiny_city, {"selatan": (49, 40)})
    (match,) = nearest_facilities(
        *GRID.latlon(50, 45),
        "fire",
        k=1,
        city=city,
        road_graph=roads,
        direction=DIRECTION_RESPONSE,
        slowdowns=[flooded],
    )
    assert match.road_distance_m == pytest.approx(5600.0, abs=MM)
    assert match.eta_min == pytest.approx(5600 * S_PER_M / 60, abs=1e-5)


def test_each_level_crossing_passed_adds_its_delay(roads):
    crossing_s, distance_m = route(roads, (60, 80), (60, 90), level_crossing_delay_s=30.0)
    assert distance_m == pytest.approx(1000.0, abs=MM)
    assert crossing_s == pytest.approx(1000 * S_PER_M + 30.0, abs=MM)
    back_s, _ = route(roads, (60, 90), (60, 80), level_crossing_delay_s=30.0)
    assert back_s == pytest.approx(1000 * S_PER_M + 30.0, abs=MM)
    before_s, _ = route(roads, (60, 80), (60, 84), level_crossing_delay_s=30.0)
    assert before_s == pytest.approx(400 * S_PER_M, abs=MM)


def test_routes_are_the_same_whichever_side_the_trees_grow_from(roads):
    # Three origins and two destinations: the trees grow into the destinations on the reversed
    # graph. Two origins sit 25 m either side of the level crossing at column 85.5 on row 60.
    origins = [(60, 85.25), (60, 85.75), (30, 40)]
    destinations = [(60, 80), (60, 90)]
    options = {"vehicle_speed_kmh": 35.0, "level_crossing_delay_s": 30.0}
    matrix = roads.travel(*at(*origins), *at(*destinations), **options)
    for row, origin in enumerate(origins):
        alone = roads.travel(*at(origin), *at(*destinations), **options)
        assert matrix.time_s[row] == pytest.approx(alone.time_s[0], abs=MM)
        assert matrix.distance_m[row] == pytest.approx(alone.distance_m[0], abs=MM)
    assert matrix.time_s[0] == pytest.approx([525 * S_PER_M, 475 * S_PER_M + 30], abs=MM)
    assert matrix.time_s[1] == pytest.approx([575 * S_PER_M + 30, 425 * S_PER_M], abs=MM)
    assert matrix.distance_m[:2].ravel() == pytest.approx([525, 475, 575, 425], abs=MM)


def test_an_incident_far_from_any_road_falls_back_to_the_detour_model_and_says_so(roads, tiny_city):
    city = grid_city(tiny_city, {"pos": (10, 10)})
    lat, lon = GRID.latlon(-10, 10)  # 1 km south of the grid's southern edge
    (match,) = nearest_facilities(
        lat, lon, "fire", k=1, city=city, road_graph=roads, direction=DIRECTION_RESPONSE
    )
    assert match.route_model == ROUTE_OFF_ROAD
    assert match.distance_m == pytest.approx(2000.0, abs=MM)
    assert match.road_distance_m == pytest.approx(2000.0 * 1.3, abs=MM)
    assert match.eta_min == pytest.approx(2600.0 / (30.0 * 1000 / 60), abs=1e-5)


@pytest.mark.parametrize("direction", [DIRECTION_RESPONSE, DIRECTION_TRANSPORT])
def test_one_incident_by_road_ranks_as_in_the_many_incident_search(roads, tiny_city, direction):
    rng = np.random.default_rng(16)
    posts = {f"pos-{n}": tuple(rng.uniform(0, 99, 2)) for n in range(6)}
    city = grid_city(tiny_city, posts)
    spots = [GRID.latlon(*rng.uniform(0, 99, 2)) for _ in range(12)]
    lats, lons = [lat for lat, _ in spots], [lon for _, lon in spots]
    options = {"city": city, "road_graph": roads, "direction": direction, "k": 3}
    frame = nearest_facilities_many(lats, lons, "fire", **options)
    for n, (lat, lon) in enumerate(spots):
        one = nearest_facilities(lat, lon, "fire", **options)
        rows = frame[frame["incident"] == n]
        assert rows["facility_id"].tolist() == [m.facility_id for m in one]
        assert rows["eta_min"].tolist() == pytest.approx([m.eta_min for m in one], abs=1e-9)
        assert rows["road_distance_m"].tolist() == pytest.approx(
            [m.road_distance_m for m in one], abs=1e-6
        )
        assert rows["route_model"].tolist() == [m.route_model for m in one]


def test_a_hospital_search_is_patient_transport_and_a_post_search_is_response():
    assert direction_for_kind("hospital") == DIRECTION_TRANSPORT
    assert direction_for_kind("ambulance") == DIRECTION_RESPONSE
    assert direction_for_kind("fire") == DIRECTION_RESPONSE


@pytest.mark.parametrize(
    "options",
    [
        {"direction": "ke-mana-saja"},
        {"level_crossing_delay_s": -5.0},
    ],
)
def test_nonsense_road_options_are_refused_in_indonesian(roads, tiny_city, options):
    city = grid_city(tiny_city, {"pos": (10, 10)})
    with pytest.raises(GeoError, match=r"Arah rute|Tundaan perlintasan"):
        nearest_facilities(*GRID.latlon(5, 5), "fire", city=city, road_graph=roads, **options)


def test_a_slowdown_that_would_speed_roads_up_is_refused():
    with pytest.raises(GeoError, match="Faktor perlambatan"):
        RoadSlowdown(box_around(1, 1, 5.0), 0.5)
