"""The vectorised k-nearest by road equals a per-incident networkx Dijkstra on random points.

The yardstick below shares nothing with geo.roads but the parsed networkx graph: it snaps each
point by brute force over every street segment (shapely distances), splits the segments at the
snapped points into real graph edges (one-way streets keep their direction), applies the
slowdowns and crossing delays edge by edge, and runs networkx's Dijkstra once per incident.
The city is a 24 x 24 grid with one-way rows and columns, a river with two bridges, primary
rows and a railway with level crossings.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import pairwise

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geo import nearest_facilities_many
from geo.nearest import DIRECTION_RESPONSE, DIRECTION_TRANSPORT, ROUTE_ROAD_GRAPH
from geo.roads import ACCESS_SPEED_KMH, RoadGraph, RoadSlowdown
from tests.helpers.osm_grid import GridCity

GRID = GridCity(
    rows=24,
    cols=24,
    oneway_rows=frozenset({3, 10, 17}),
    oneway_cols=frozenset({5, 12, 19}),
    primary_rows=frozenset({0, 8, 20}),
    river_row=12,
    bridge_cols=(4, 18),
    railway_col=15,
)
DETOUR = 1.3
K = 3


@pytest.fixture(scope="module")
def roads(tmp_path_factory) -> RoadGraph:
    folder = tmp_path_factory.mktemp("grid24")
    return RoadGraph.from_osm_file(GRID.write_osm(folder / "grid24.osm"), cache_dir=folder)


def grid_points(min_size: int, max_size: int) -> st.SearchStrategy:
    # Odd offsets keep drawn points off the exact corners and diagonals where two streets
    # are equally near (a tie either side may break differently); assume() catches the rest.
    spot = st.tuples(
        st.floats(min_value=0, max_value=GRID.rows - 1.1).map(lambda i: i + 0.0123),
        st.floats(min_value=0, max_value=GRID.cols - 1.1).map(lambda j: j + 0.0371),
    )
    return st.lists(spot, min_size=min_size, max_size=max_size)


@settings(max_examples=30, deadline=None)
@given(spots=st.tuples(grid_points(1, 4), grid_points(3, 6)), transport=st.booleans())
def test_k_nearest_by_road_equals_a_dijkstra_per_incident(roads, tiny_city, spots, transport):
    # At 20 km/h every street is as fast as any other: time follows length, so the metres of
    # the fastest route are unique and compared too.
    direction = DIRECTION_TRANSPORT if transport else DIRECTION_RESPONSE
    frame, expected = _both(roads, tiny_city, *spots, direction, speed_kmh=20.0)
    for incident, (time_s, metres) in expected.items():
        rows = frame[frame["incident"] == incident]
        best = np.sort(time_s)[:K]
        assert rows["eta_min"].to_numpy() * 60 == pytest.approx(best, abs=1e-6)
        ids = rows["facility_id"].tolist()
        chosen = [int(i.removeprefix("pos-")) for i in ids]
        assert rows["road_distance_m"].to_numpy() == pytest.approx(metres[chosen], abs=1e-6)
        assert set(rows["route_model"]) == {ROUTE_ROAD_GRAPH}


@settings(max_examples=30, deadline=None)
@given(
    spots=st.tuples(grid_points(1, 4), grid_points(3, 6)),
    transport=st.booleans(),
    # (row, column, half width in metres) of a flood area and its slowdown factor, and of a
    # closed area (half width at most 100 m: a point inside stays within 250 m of an open road).
    areas=st.tuples(
        st.tuples(st.floats(2, 20), st.floats(2, 20), st.floats(60, 400)),
        st.floats(1.0, 6.0),
        st.tuples(st.floats(2, 20), st.floats(2, 20), st.floats(30, 100)),
    ),
)
def test_k_nearest_with_floods_closures_and_crossings_equals_a_dijkstra_per_incident(
    roads, tiny_city, spots, transport, areas
):
    # Primary rows at 35 km/h against 20 km/h streets, a slowed flood area, a closed area and
    # 25 s at each level crossing: routes of equal time may differ in length, so only the
    # times are compared.
    flood, factor, closed = areas
    slowdowns = [
        RoadSlowdown(_box(*flood), factor),
        RoadSlowdown(_box(*closed), math.inf),
    ]
    direction = DIRECTION_TRANSPORT if transport else DIRECTION_RESPONSE
    frame, expected = _both(
        roads,
        tiny_city,
        *spots,
        direction,
        speed_kmh=35.0,
        slowdowns=slowdowns,
        delay_s=25.0,
    )
    for incident, (time_s, _) in expected.items():
        rows = frame[frame["incident"] == incident]
        assert rows["eta_min"].to_numpy() * 60 == pytest.approx(np.sort(time_s)[:K], abs=1e-6)
        chosen = [int(i.removeprefix("pos-")) for i in rows["facility_id"]]
        assert rows["eta_min"].to_numpy() * 60 == pytest.approx(time_s[chosen], abs=1e-6)


# --- the two sides ----------------------------------------------------------------------------


def _both(
    roads: RoadGraph,
    tiny_city,
    incidents: list[tuple[float, float]],
    posts: list[tuple[float, float]],
    direction: str,
    *,
    speed_kmh: float,
    slowdowns: list[RoadSlowdown] | None = None,
    delay_s: float = 0.0,
) -> tuple[pd.DataFrame, dict[int, tuple[np.ndarray, np.ndarray]]]:
    """The project's frame and the yardstick's (seconds, metres) per incident and post."""
    slowdowns = slowdowns or []
    reference = _Reference(roads, slowdowns, speed_kmh=speed_kmh, delay_s=delay_s)
    incident_xy = [GRID.xy(i, j) for i, j in incidents]
    post_xy = [GRID.xy(i, j) for i, j in posts]
    expected = reference.times(incident_xy, post_xy, transport=direction == DIRECTION_TRANSPORT)

    spots = [GRID.latlon(i, j) for i, j in posts]
    city = tiny_city.with_facilities(
        pd.DataFrame(
            {
                "id": [f"pos-{n}" for n in range(len(posts))],
                "name": [f"Pos {n}" for n in range(len(posts))],
                "kind": "fire",
                "lat": [lat for lat, _ in spots],
                "lon": [lon for _, lon in spots],
            }
        )
    )
    where = [GRID.latlon(i, j) for i, j in incidents]
    frame = nearest_facilities_many(
        [lat for lat, _ in where],
        [lon for _, lon in where],
        "fire",
        k=K,
        city=city,
        speeds_kmh={"fire": speed_kmh},
        road_graph=roads,
        direction=direction,
        slowdowns=slowdowns,
        level_crossing_delay_s=delay_s,
    )
    return frame, expected


class _Reference:
    """Brute-force snapping, edges split at the points, one networkx Dijkstra per incident."""

    def __init__(
        self, roads: RoadGraph, slowdowns: list[RoadSlowdown], *, speed_kmh: float, delay_s: float
    ) -> None:
        self.graph = roads.graph
        self.speed_kmh = speed_kmh
        self.crossing_s = {GRID.crossing_id(i): delay_s for i in range(GRID.rows)}
        self.pos = {n: (d["x_m"], d["y_m"]) for n, d in self.graph.nodes(data=True)}
        self.pairs = sorted({tuple(sorted(edge)) for edge in self.graph.edges})
        self.lines = shapely.linestrings([[self.pos[u], self.pos[v]] for u, v in self.pairs])
        self.factor = np.ones(len(self.pairs))
        for slowdown in slowdowns:
            hit = shapely.intersects(self.lines, slowdown.area)
            self.factor[hit] = np.maximum(self.factor[hit], slowdown.factor)

    def times(
        self,
        incident_xy: list[tuple[float, float]],
        post_xy: list[tuple[float, float]],
        *,
        transport: bool,
    ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        keys = [("incident", n) for n in range(len(incident_xy))]
        keys += [("post", n) for n in range(len(post_xy))]
        spots = dict(zip(keys, incident_xy + post_xy, strict=True))
        snaps = {key: self._snap(*xy) for key, xy in spots.items()}
        split, node_of = self._split(snaps)
        searched = split if transport else split.reverse(copy=False)
        access_m_s = ACCESS_SPEED_KMH / 3.6
        vehicle_m_s = self.speed_kmh / 3.6
        result = {}
        for n in range(len(incident_xy)):
            start = ("incident", n)
            seconds, paths = nx.single_source_dijkstra(searched, node_of[start], weight="time")
            time_s = np.empty(len(post_xy))
            metres = np.empty(len(post_xy))
            for p in range(len(post_xy)):
                post = ("post", p)
                if node_of[post] not in seconds:  # no road route: the detour model
                    straight = math.dist(spots[start], spots[post])
                    time_s[p] = straight * DETOUR / vehicle_m_s
                    metres[p] = straight * DETOUR
                    continue
                access = snaps[start][2] + snaps[post][2]
                path = paths[node_of[post]]
                path_m = sum(searched.edges[u, v]["length"] for u, v in pairwise(path))
                time_s[p] = seconds[node_of[post]] + access / access_m_s
                metres[p] = path_m + access
            result[n] = (time_s, metres)
        return result

    def _snap(self, x: float, y: float) -> tuple[int, float, float]:
        """(segment, fraction from its first node, distance) of the nearest open segment."""
        point = shapely.Point(x, y)
        dist = np.where(np.isfinite(self.factor), shapely.distance(self.lines, point), np.inf)
        first, second = np.argsort(dist)[:2]
        assume(dist[second] - dist[first] > 1e-6)
        fraction = float(shapely.line_locate_point(self.lines[first], point, normalized=True))
        return int(first), fraction, float(dist[first])

    def _split(self, snaps: dict) -> tuple[nx.DiGraph, dict]:
        """The graph with a node at every snapped position, and each point's node.

        Points snapped to the very same position share one node: being there takes no driving,
        even on a one-way street.
        """
        first_at: dict[tuple[int, float], tuple] = {}
        node_of = {}
        on_segment = defaultdict(list)
        for key, (segment, fraction, _) in sorted(snaps.items()):
            node_of[key] = first_at.setdefault((segment, fraction), key)
            if node_of[key] == key:
                on_segment[segment].append((fraction, key))
        split = nx.DiGraph()
        for s, (u, v) in enumerate(self.pairs):
            if not np.isfinite(self.factor[s]):
                continue
            length = math.dist(self.pos[u], self.pos[v])
            chain = [(0.0, u), *sorted(on_segment[s]), (1.0, v)]
            for (ta, a), (tb, b) in pairwise(chain):
                piece_m = (tb - ta) * length
                for tail, head, edge in ((a, b, (u, v)), (b, a, (v, u))):
                    if self.graph.has_edge(*edge):
                        speed = min(self.graph.edges[edge]["speed_kmh"], self.speed_kmh) / 3.6
                        seconds = piece_m / speed * self.factor[s]
                        seconds += self.crossing_s.get(head, 0.0)
                        split.add_edge(tail, head, time=seconds, length=piece_m)
        return split, node_of


def _box(i: float, j: float, half_m: float) -> shapely.Polygon:
    x, y = GRID.xy(i, j)
    return shapely.box(x - half_m, y - half_m, x + half_m, y + half_m)
