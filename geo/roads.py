"""A drivable road graph from a local OpenStreetMap XML file, and shortest-path travel times.

No download ever happens: the .osm file is an extract prepared offline (e.g. JOSM or an
Overpass export saved to disk). Nodes and ``<way>`` elements with a drivable ``highway`` tag
are parsed with xml.etree; edge lengths are measured in UTM 49S; each edge's speed is the
highway type's speed (or a numeric ``maxspeed`` tag), capped by the vehicle's speed. One-way
streets are respected (``oneway=yes|true|1|-1``; roundabouts are one-way).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np

from geo import messages
from geo.crs import to_metric_xy
from geo.errors import RoadGraphError

HIGHWAY_SPEEDS_KMH: Mapping[str, float] = {
    "motorway": 60.0,
    "trunk": 50.0,
    "primary": 40.0,
    "secondary": 35.0,
    "tertiary": 30.0,
    "unclassified": 25.0,
    "residential": 20.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 20.0,
}
_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})


@dataclass(frozen=True)
class Routes:
    """Shortest (fastest) routes from one origin to several targets; inf when unreachable."""

    distance_m: np.ndarray
    time_s: np.ndarray


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """Directed road graph: nodes carry UTM x_m/y_m, edges length_m and speed_kmh."""

    graph: nx.DiGraph
    node_ids: np.ndarray
    node_x_m: np.ndarray
    node_y_m: np.ndarray

    @classmethod
    def from_osm_file(cls, path: str | Path) -> RoadGraph:
        """Parse a local .osm XML file; raise RoadGraphError if unreadable or without roads."""
        path = Path(path)
        if not path.is_file():
            msg = messages.ROAD_FILE_MISSING.format(path=path)
            raise RoadGraphError(msg)
        try:
            nodes, ways = _parse_osm(path)
        except (ET.ParseError, ValueError) as exc:
            msg = messages.ROAD_FILE_UNREADABLE.format(name=path.name)
            raise RoadGraphError(msg) from exc
        graph = _build_graph(nodes, ways)
        if graph.number_of_edges() == 0:
            msg = messages.ROAD_FILE_EMPTY.format(name=path.name)
            raise RoadGraphError(msg)
        node_ids = np.array(list(graph.nodes), dtype=np.int64)
        return cls(
            graph=graph,
            node_ids=node_ids,
            node_x_m=np.array([graph.nodes[n]["x_m"] for n in node_ids]),
            node_y_m=np.array([graph.nodes[n]["y_m"] for n in node_ids]),
        )

    def nearest_node(self, x_m: float, y_m: float) -> tuple[int, float]:
        """(node id, straight distance in metres) of the graph node closest to a UTM point."""
        dist = np.hypot(self.node_x_m - x_m, self.node_y_m - y_m)
        i = int(np.argmin(dist))
        return int(self.node_ids[i]), float(dist[i])

    def routes_from(
        self,
        x_m: float,
        y_m: float,
        targets_x_m: np.ndarray,
        targets_y_m: np.ndarray,
        *,
        vehicle_speed_kmh: float,
    ) -> Routes:
        """Fastest routes from a UTM point to UTM targets.

        Origin and targets are joined to their nearest node by a straight access leg driven at
        the vehicle speed; the network part follows Dijkstra on travel time.
        """
        source, access_m = self.nearest_node(x_m, y_m)
        vehicle_m_s = vehicle_speed_kmh / 3.6

        def edge_time_s(_u: int, _v: int, data: dict[str, float]) -> float:
            return data["length_m"] / (min(data["speed_kmh"], vehicle_speed_kmh) / 3.6)

        times, paths = nx.single_source_dijkstra(self.graph, source, weight=edge_time_s)
        distance = np.full(len(targets_x_m), np.inf)
        time_s = np.full(len(targets_x_m), np.inf)
        for i, (tx, ty) in enumerate(zip(targets_x_m, targets_y_m, strict=True)):
            target, egress_m = self.nearest_node(float(tx), float(ty))
            if target not in times:
                continue
            path = paths[target]
            network_m = sum(self.graph.edges[u, v]["length_m"] for u, v in pairwise(path))
            distance[i] = access_m + network_m + egress_m
            time_s[i] = times[target] + (access_m + egress_m) / vehicle_m_s
        return Routes(distance_m=distance, time_s=time_s)


def _parse_osm(path: Path) -> tuple[dict[int, tuple[float, float]], list[tuple[list[int], dict]]]:
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[list[int], dict[str, str]]] = []
    for _, element in ET.iterparse(path, events=("end",)):
        if element.tag == "node":
            nodes[int(element.attrib["id"])] = (
                float(element.attrib["lon"]),
                float(element.attrib["lat"]),
            )
            element.clear()
        elif element.tag == "way":
            refs = [int(nd.attrib["ref"]) for nd in element.iter("nd")]
            tags = {t.attrib["k"]: t.attrib.get("v", "") for t in element.iter("tag")}
            ways.append((refs, tags))
            element.clear()
    return nodes, ways


def _build_graph(
    nodes: dict[int, tuple[float, float]], ways: list[tuple[list[int], dict[str, str]]]
) -> nx.DiGraph:
    used = sorted({ref for refs, tags in ways if _speed_of(tags) for ref in refs if ref in nodes})
    graph = nx.DiGraph()
    if not used:
        return graph
    lon = np.array([nodes[n][0] for n in used])
    lat = np.array([nodes[n][1] for n in used])
    x, y = to_metric_xy(lon, lat)
    xy = {n: (float(xi), float(yi)) for n, xi, yi in zip(used, x, y, strict=True)}
    for n, (xi, yi) in xy.items():
        graph.add_node(n, x_m=xi, y_m=yi)
    for refs, tags in ways:
        speed = _speed_of(tags)
        if not speed:
            continue
        oneway = _oneway(tags)
        chain = [r for r in refs if r in xy]
        if oneway == -1:
            chain.reverse()
        for u, v in pairwise(chain):
            if u == v:
                continue
            length = float(np.hypot(xy[v][0] - xy[u][0], xy[v][1] - xy[u][1]))
            _add_edge(graph, u, v, length, speed)
            if oneway == 0:
                _add_edge(graph, v, u, length, speed)
    return graph


def _add_edge(graph: nx.DiGraph, u: int, v: int, length_m: float, speed_kmh: float) -> None:
    # Parallel ways between the same two nodes: keep the faster one.
    if graph.has_edge(u, v):
        old = graph.edges[u, v]
        if old["length_m"] / old["speed_kmh"] <= length_m / speed_kmh:
            return
    graph.add_edge(u, v, length_m=length_m, speed_kmh=speed_kmh)


def _speed_of(tags: Mapping[str, str]) -> float:
    """Speed for a drivable way, 0.0 for anything a vehicle cannot use."""
    highway = tags.get("highway", "")
    base = HIGHWAY_SPEEDS_KMH.get(highway.removesuffix("_link"), 0.0)
    if not base or tags.get("access") in ("no", "private") or tags.get("area") == "yes":
        return 0.0
    maxspeed = tags.get("maxspeed", "").split()[0] if tags.get("maxspeed") else ""
    return float(maxspeed) if maxspeed.isdigit() and int(maxspeed) > 0 else base


def _oneway(tags: Mapping[str, str]) -> int:
    value = tags.get("oneway", "").lower()
    if value == "-1":
        return -1
    return 1 if value in _ONEWAY_FORWARD or tags.get("junction") == "roundabout" else 0
