"""Road graph from a hand-made .osm file: parsing, one-way streets, shortest travel times.

The fixture (fixtures/tiny_roads.osm) is a 500 m grid in UTM 49S:

    4 ---primary--- 5 ---primary--- 6          8 -- 9  (isolated street)
    |               :               ^
 tertiary        footway        one-way 3->6
    |               :               |
    1 -residential- 2 -residential- 3
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import RoadGraph, RoadGraphError, nearest_facilities
from geo.crs import to_metric_xy

from .helpers import FIXTURES

OSM_FILE = FIXTURES / "tiny_roads.osm"
NODES = {
    1: (-6.8918417, 109.6604650),
    3: (-6.8918670, 109.6695143),
    4: (-6.8873200, 109.6604777),
    6: (-6.8873452, 109.6695269),
    9: (-6.8738075, 109.6795185),
}


def seconds(length_m: float, speed_kmh: float) -> float:
    return length_m / (speed_kmh / 3.6)


@pytest.fixture(scope="module")
def roads() -> RoadGraph:
    return RoadGraph.from_osm_file(OSM_FILE)


def xy(node: int) -> tuple[float, float]:
    lat, lon = NODES[node]
    x, y = to_metric_xy(np.array([lon]), np.array([lat]))
    return float(x[0]), float(y[0])


def test_only_drivable_public_ways_become_edges(roads):
    edges = set(roads.graph.edges)
    assert (2, 5) not in edges and (5, 2) not in edges  # footway
    assert (1, 5) not in edges  # private service road
    assert {(1, 2), (2, 1), (4, 5), (5, 4), (1, 4), (4, 1), (8, 9)} <= edges


def test_one_way_street_is_only_drivable_in_its_direction(roads):
    assert roads.graph.has_edge(3, 6)
    assert not roads.graph.has_edge(6, 3)


def test_edge_lengths_are_metres_measured_in_utm(roads):
    assert roads.graph.edges[1, 2]["length_m"] == pytest.approx(500.0, abs=0.05)
    assert roads.graph.edges[4, 5]["speed_kmh"] == 40.0
    assert roads.graph.edges[1, 4]["speed_kmh"] == 30.0


def test_fastest_route_takes_the_primary_road_even_at_equal_length(roads):
    # 1->2->3->6: 1500 m of residential (20 km/h); 1->4->5->6: 500 m tertiary (30) + 1000 m
    # primary (40, capped at the ambulance's 35).
    routes = roads.routes_from(*xy(1), *map(np.array, zip(xy(6))), vehicle_speed_kmh=35.0)
    assert routes.distance_m[0] == pytest.approx(1500.0, abs=0.05)
    assert routes.time_s[0] == pytest.approx(seconds(500, 30) + seconds(1000, 35), abs=0.01)


def test_a_one_way_street_forces_the_long_way_round(roads):
    # 6->3 is not allowed: 6->5->4 (1000 m primary) ->1 (500 m tertiary) ->2->3 (1000 m res.)
    routes = roads.routes_from(*xy(6), *map(np.array, zip(xy(3))), vehicle_speed_kmh=30.0)
    assert routes.distance_m[0] == pytest.approx(2500.0, abs=0.05)
    expected = seconds(1000, 30) + seconds(500, 30) + seconds(1000, 20)
    assert routes.time_s[0] == pytest.approx(expected, abs=0.01)


def test_an_unreachable_target_has_infinite_time(roads):
    routes = roads.routes_from(*xy(1), *map(np.array, zip(xy(9))), vehicle_speed_kmh=35.0)
    assert np.isinf(routes.time_s[0]) and np.isinf(routes.distance_m[0])


def test_nearest_facilities_on_the_road_graph_ranks_by_travel_time(tiny_city, roads):
    facilities = pd.DataFrame(
        {
            "id": ["at-3", "at-4", "at-9"],
            "name": ["Pos 3", "Pos 4", "Pos 9"],
            "kind": ["fire", "fire", "fire"],
            "lat": [NODES[3][0], NODES[4][0], NODES[9][0]],
            "lon": [NODES[3][1], NODES[4][1], NODES[9][1]],
        }
    )
    city = tiny_city.with_facilities(facilities)
    straight = nearest_facilities(*NODES[6], "fire", k=3, city=city)
    assert [m.facility_id for m in straight] == ["at-3", "at-4", "at-9"]

    on_roads = nearest_facilities(*NODES[6], "fire", k=3, city=city, road_graph=roads)
    # at-4: 1000 m of primary at 30 km/h = 2 min. at-9 (unreachable, fallback): hypot(1100,
    # 1500) m * 1.3 at 30 km/h = 4.8 min. at-3: 2500 m the long way round = 6 min.
    assert [m.facility_id for m in on_roads] == ["at-4", "at-9", "at-3"]
    by_id = {m.facility_id: m for m in on_roads}
    assert by_id["at-4"].road_distance_m == pytest.approx(1000.0, abs=0.05)
    assert by_id["at-4"].eta_min == pytest.approx(seconds(1000, 30) / 60, abs=1e-3)
    assert by_id["at-4"].distance_m == pytest.approx(1000.0, abs=0.05)
    assert by_id["at-3"].road_distance_m == pytest.approx(2500.0, abs=0.05)
    assert by_id["at-4"].route_model == "jaringan_jalan"
    # Node 9 is on an isolated street: it falls back to the straight-line model.
    assert by_id["at-9"].route_model == "garis_lurus_x_faktor"
    assert by_id["at-9"].road_distance_m == pytest.approx(by_id["at-9"].distance_m * 1.3)


def test_a_file_that_is_not_osm_xml_is_refused(tmp_path):
    bad = tmp_path / "jalan.osm"
    bad.write_text("<osm><node id='1' lat='x'", encoding="utf-8")
    with pytest.raises(RoadGraphError, match=r"jalan\.osm"):
        RoadGraph.from_osm_file(bad)


def test_a_file_without_drivable_roads_is_refused(tmp_path):
    empty = tmp_path / "sungai.osm"
    empty.write_text(
        '<osm><node id="1" lat="-6.9" lon="109.6"/><node id="2" lat="-6.9" lon="109.61"/>'
        '<way id="3"><nd ref="1"/><nd ref="2"/><tag k="waterway" v="river"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(RoadGraphError, match="tidak berisi jalan"):
        RoadGraph.from_osm_file(empty)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(RoadGraphError):
        RoadGraph.from_osm_file(tmp_path / "tidak-ada.osm")
