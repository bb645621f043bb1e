"""A drivable road graph from a local OpenStreetMap XML file, and fastest routes at city scale.

No download ever happens: the .osm file is an extract prepared offline (an Overpass or Geofabrik
clip saved to disk). It is streamed through expat with any DOCTYPE refused (so no entity can
be declared or fetched); nodes and ``<way>`` elements with a drivable ``highway`` tag become a
directed graph of straight segments measured in UTM 49S. Each edge's speed is the highway
type's speed (or a numeric ``maxspeed`` tag), capped by the vehicle's speed. One-way streets
are respected (``oneway=yes|true|1|-1``; roundabouts are one-way). Nodes tagged
``railway=level_crossing`` are remembered for an optional delay. The parsed arrays are cached
on disk as .npz, keyed by the file's SHA-256, so the next load of the same file skips the XML.

Routing model (``RoadGraph.travel``):
- A point is snapped to the nearest road segment (not only to a node) within ``max_snap_m``;
  its position along the segment counts: the partial segment from the point to the segment's
  end is driven like the rest, and on a one-way segment only in the segment's direction.
- The access leg, the straight line from the point to its snapped position, is part of
  ``distance_m`` and is covered at ``access_speed_kmh`` (10 km/h by default): off the mapped
  drivable network a vehicle creeps out of a station yard or down an unmapped gang, or the crew
  goes on foot. A point farther than ``max_snap_m`` from any road is not snapped: its time is
  infinite and the caller falls back to another model (geo.nearest uses crow-flies x detour).
- One shortest-path tree (scipy's Dijkstra in C) is grown from every point of the smaller side:
  from each origin on the graph, or into each destination on the reversed graph. k-nearest by
  road for thousands of incidents over 20 facilities therefore costs about 20 trees.
- Optional weights: ``slowdowns`` multiply the travel time of every segment that crosses or
  touches an area (a flood zone, a CAP warning area); a factor of ``math.inf`` closes those
  roads, and points are then snapped to the nearest open road. ``level_crossing_delay_s`` is
  added each time a route passes a level-crossing node.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.parsers import expat

import networkx as nx
import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry.base import BaseGeometry

from geo import messages
from geo.crs import to_metric_xy
from geo.errors import GeoError, RoadGraphError

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
ACCESS_SPEED_KMH = 10.0
MAX_SNAP_DISTANCE_M = 250.0
# Bump when the parsed arrays change meaning: older cache files are then parsed afresh.
CACHE_FORMAT = "siaga-roads-1"
_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
_FIRST_SNAP_RADIUS_M = 40.0  # see RoadGraph._snap
_ROOTS_PER_BATCH = 32  # shortest-path trees grown per Dijkstra call (bounds memory)
_HASH_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class Routes:
    """Shortest (fastest) routes from one origin to several targets; inf when unreachable."""

    distance_m: np.ndarray
    time_s: np.ndarray


@dataclass(frozen=True)
class TravelMatrix:
    """Fastest routes from every origin (rows) to every destination (columns).

    ``time_s``/``distance_m`` are inf where no road route exists or a point was not snapped;
    ``from_snapped``/``to_snapped`` say which points lie within the snapping distance of a road.
    """

    time_s: np.ndarray
    distance_m: np.ndarray
    from_snapped: np.ndarray
    to_snapped: np.ndarray


@dataclass(frozen=True)
class RoadSlowdown:
    """Roads crossing or touching ``area`` (UTM 49S) take ``factor`` times as long; inf closes."""

    area: BaseGeometry
    factor: float

    def __post_init__(self) -> None:
        try:
            factor = float(self.factor)
        except (TypeError, ValueError):
            factor = math.nan
        if math.isnan(factor) or factor < 1.0:
            msg = messages.ROAD_INVALID_SLOWDOWN.format(value=self.factor)
            raise GeoError(msg)

    @classmethod
    def from_lonlat(cls, area: BaseGeometry, factor: float) -> RoadSlowdown:
        """The same for an EPSG:4326 area (e.g. a CAP warning polygon or a stored flood zone)."""
        return cls(shapely.transform(area, _lonlat_to_metric), factor)


@dataclass(frozen=True)
class Snapped:
    """Points snapped to road segments: segment -1 where no road is within the distance."""

    segment: np.ndarray
    fraction: np.ndarray  # position along the segment from its first node, 0..1
    offset_m: np.ndarray  # straight distance from the point to its snapped position

    @property
    def ok(self) -> np.ndarray:
        return self.segment >= 0


@dataclass(frozen=True, eq=False, repr=False)
class RoadGraph:
    """Directed road graph as arrays: nodes in UTM metres, edges between node positions.

    ``edge_from``/``edge_to`` index the node arrays. ``graph`` gives the same as a networkx
    DiGraph keyed by OSM node id (x_m/y_m on nodes, length_m/speed_kmh on edges).
    """

    node_ids: np.ndarray
    node_x_m: np.ndarray
    node_y_m: np.ndarray
    node_level_crossing: np.ndarray
    edge_from: np.ndarray
    edge_to: np.ndarray
    edge_length_m: np.ndarray
    edge_speed_kmh: np.ndarray
    from_cache: bool = False
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_osm_file(
        cls,
        path: str | Path,
        *,
        cache_dir: str | Path | None = None,
        use_cache: bool = True,
    ) -> RoadGraph:
        """Parse a local .osm XML file; raise RoadGraphError if unreadable or without roads.

        The parsed graph is kept in ``cache_dir`` (default: the user's cache folder,
        ``$XDG_CACHE_HOME/siaga112/roads``) as ``<file name>.<sha256>.npz`` and read from there
        while the file's content is unchanged; an older cache of the same file name is removed.
        A cache that cannot be written or read is skipped, never an error.
        """
        path = Path(path)
        if not path.is_file():
            msg = messages.ROAD_FILE_MISSING.format(path=path)
            raise RoadGraphError(msg)
        cache_file = _cache_file(path, cache_dir) if use_cache else None
        if cache_file is not None:
            arrays = _read_cache(cache_file)
            if arrays is not None:
                return cls(**arrays, from_cache=True)
        try:
            coords, crossings, ways = _parse_osm(path)
        except (expat.ExpatError, ValueError, KeyError) as exc:
            msg = messages.ROAD_FILE_UNREADABLE.format(name=path.name)
            raise RoadGraphError(msg) from exc
        arrays = _build_arrays(coords, crossings, ways)
        if arrays["edge_from"].size == 0:
            msg = messages.ROAD_FILE_EMPTY.format(name=path.name)
            raise RoadGraphError(msg)
        if cache_file is not None:
            _write_cache(cache_file, arrays)
        return cls(**arrays)

    def __repr__(self) -> str:
        cached = ", from cache" if self.from_cache else ""
        return f"RoadGraph({self.node_ids.size} nodes, {self.edge_from.size} edges{cached})"

    @property
    def graph(self) -> nx.DiGraph:
        """The graph as networkx, keyed by OSM node id (built on first use)."""
        if "graph" not in self._memo:
            graph = nx.DiGraph()
            ids = self.node_ids.tolist()
            graph.add_nodes_from(
                (n, {"x_m": x, "y_m": y})
                for n, x, y in zip(ids, self.node_x_m.tolist(), self.node_y_m.tolist(), strict=True)
            )
            graph.add_edges_from(
                (ids[u], ids[v], {"length_m": length, "speed_kmh": speed})
                for u, v, length, speed in zip(
                    self.edge_from.tolist(),
                    self.edge_to.tolist(),
                    self.edge_length_m.tolist(),
                    self.edge_speed_kmh.tolist(),
                    strict=True,
                )
            )
            self._memo["graph"] = graph
        return self._memo["graph"]

    def nearest_node(self, x_m: float, y_m: float) -> tuple[int, float]:
        """(node id, straight distance in metres) of the graph node closest to a UTM point."""
        dist = np.hypot(self.node_x_m - x_m, self.node_y_m - y_m)
        i = int(np.argmin(dist))
        return int(self.node_ids[i]), float(dist[i])

    def snap(
        self,
        x_m: np.ndarray,
        y_m: np.ndarray,
        *,
        max_snap_m: float = MAX_SNAP_DISTANCE_M,
        slowdowns: Sequence[RoadSlowdown] = (),
    ) -> Snapped:
        """Snap UTM points to the nearest open road segment within ``max_snap_m``.

        Among equally near segments the one with the lowest index wins, so a point on a street
        corner always snaps the same way.
        """
        max_snap_m = _positive(max_snap_m, messages.ROAD_INVALID_SNAP_DISTANCE)
        closed = ~np.isfinite(self._segment_factors(slowdowns))
        return self._snap(x_m, y_m, max_snap_m=max_snap_m, closed=closed)

    def travel(
        self,
        from_x_m: np.ndarray,
        from_y_m: np.ndarray,
        to_x_m: np.ndarray,
        to_y_m: np.ndarray,
        *,
        vehicle_speed_kmh: float,
        slowdowns: Sequence[RoadSlowdown] = (),
        level_crossing_delay_s: float = 0.0,
        access_speed_kmh: float = ACCESS_SPEED_KMH,
        max_snap_m: float = MAX_SNAP_DISTANCE_M,
    ) -> TravelMatrix:
        """Fastest routes from every UTM origin to every UTM destination (see module docstring).

        Trees are grown from the smaller side: from each origin on the graph when there are
        fewer origins, else into each destination on the reversed graph (same routes).
        """
        vehicle_m_s = _positive(vehicle_speed_kmh, messages.ROAD_INVALID_SPEED) / 3.6
        access_m_s = _positive(access_speed_kmh, messages.ROAD_INVALID_ACCESS_SPEED) / 3.6
        max_snap_m = _positive(max_snap_m, messages.ROAD_INVALID_SNAP_DISTANCE)
        delay_s = float(level_crossing_delay_s)
        if not math.isfinite(delay_s) or delay_s < 0:
            msg = messages.ROAD_INVALID_CROSSING_DELAY.format(value=level_crossing_delay_s)
            raise GeoError(msg)

        factors = self._segment_factors(slowdowns)
        speed_m_s = np.minimum(self.edge_speed_kmh / 3.6, vehicle_m_s)
        edge_time_s = self.edge_length_m / speed_m_s * factors[self._edge_segment]
        node_delay_s = np.where(self.node_level_crossing, delay_s, 0.0)
        closed = ~np.isfinite(factors)
        origins = self._snap(from_x_m, from_y_m, max_snap_m=max_snap_m, closed=closed)
        targets = self._snap(to_x_m, to_y_m, max_snap_m=max_snap_m, closed=closed)

        network = _Network(self, edge_time_s, node_delay_s)
        if origins.segment.size <= targets.segment.size:
            time_s, distance_m = network.through_trees(origins, targets, reverse=False)
        else:
            time_s, distance_m = network.through_trees(targets, origins, reverse=True)
            time_s, distance_m = time_s.T, distance_m.T
        network.along_one_segment(origins, targets, time_s, distance_m)

        access_m = origins.offset_m[:, None] + targets.offset_m[None, :]
        reached = np.isfinite(time_s)
        time_s = np.where(reached, time_s + access_m / access_m_s, np.inf)
        distance_m = np.where(reached, distance_m + access_m, np.inf)
        return TravelMatrix(
            time_s=time_s,
            distance_m=distance_m,
            from_snapped=origins.ok,
            to_snapped=targets.ok,
        )

    def routes_from(
        self,
        x_m: float,
        y_m: float,
        targets_x_m: np.ndarray,
        targets_y_m: np.ndarray,
        *,
        vehicle_speed_kmh: float,
        **options: Any,
    ) -> Routes:
        """Fastest routes from one UTM point to UTM targets: ``travel`` with one origin."""
        matrix = self.travel(
            np.array([x_m], dtype=float),
            np.array([y_m], dtype=float),
            np.asarray(targets_x_m, dtype=float),
            np.asarray(targets_y_m, dtype=float),
            vehicle_speed_kmh=vehicle_speed_kmh,
            **options,
        )
        return Routes(distance_m=matrix.distance_m[0], time_s=matrix.time_s[0])

    # --- segments: the undirected street pieces that points snap to --------------------------

    @property
    def _segments(self) -> dict[str, np.ndarray]:
        """Each street piece once: nodes a < b, length, the a->b and b->a edges (-1: none)."""
        if "segments" not in self._memo:
            n = self.node_ids.size
            a = np.minimum(self.edge_from, self.edge_to)
            b = np.maximum(self.edge_from, self.edge_to)
            keys, edge_segment = np.unique(a * n + b, return_inverse=True)
            seg_a, seg_b = keys // n, keys % n
            forward = np.full(keys.size, -1, dtype=np.int64)
            backward = np.full(keys.size, -1, dtype=np.int64)
            edges = np.arange(self.edge_from.size)
            is_forward = self.edge_from == a
            forward[edge_segment[is_forward]] = edges[is_forward]
            backward[edge_segment[~is_forward]] = edges[~is_forward]
            self._memo["segments"] = {
                "a": seg_a,
                "b": seg_b,
                "length_m": np.hypot(
                    self.node_x_m[seg_b] - self.node_x_m[seg_a],
                    self.node_y_m[seg_b] - self.node_y_m[seg_a],
                ),
                "forward": forward,
                "backward": backward,
                "edge_segment": edge_segment.reshape(-1),
            }
        return self._memo["segments"]

    @property
    def _edge_segment(self) -> np.ndarray:
        return self._segments["edge_segment"]

    @property
    def _segment_lines(self) -> np.ndarray:
        if "lines" not in self._memo:
            seg = self._segments
            coords = np.stack(
                [
                    np.column_stack([self.node_x_m[seg["a"]], self.node_y_m[seg["a"]]]),
                    np.column_stack([self.node_x_m[seg["b"]], self.node_y_m[seg["b"]]]),
                ],
                axis=1,
            )
            self._memo["lines"] = shapely.linestrings(coords)
        return self._memo["lines"]

    @property
    def _segment_tree(self) -> shapely.STRtree:
        if "tree" not in self._memo:
            self._memo["tree"] = shapely.STRtree(self._segment_lines)
        return self._memo["tree"]

    def _segment_factors(self, slowdowns: Sequence[RoadSlowdown]) -> np.ndarray:
        """Travel-time factor per segment: the largest factor of the areas it touches."""
        factors = np.ones(self._segments["a"].size)
        for slowdown in slowdowns:
            hit = self._segment_tree.query(slowdown.area, predicate="intersects")
            factors[hit] = np.maximum(factors[hit], float(slowdown.factor))
        return factors

    def _snap(
        self, x_m: np.ndarray, y_m: np.ndarray, *, max_snap_m: float, closed: np.ndarray
    ) -> Snapped:
        """Nearest open segment per point: candidates by bounding box, distances in numpy.

        A first pass looks within a small box (most points are close to a street); a segment
        nearer than the box's half-width is certain to intersect the box, so such points are
        final. The others are looked up again within ``max_snap_m``.
        """
        x = np.asarray(x_m, dtype=float).reshape(-1)
        y = np.asarray(y_m, dtype=float).reshape(-1)
        segment = np.full(x.size, -1, dtype=np.int64)
        fraction = np.zeros(x.size)
        offset_m = np.full(x.size, np.inf)
        pending = np.arange(x.size)
        for radius_m in sorted({min(_FIRST_SNAP_RADIUS_M, max_snap_m), max_snap_m}):
            if pending.size == 0:
                break
            px, py = x[pending], y[pending]
            boxes = shapely.box(px - radius_m, py - radius_m, px + radius_m, py + radius_m)
            points, candidates = self._segment_tree.query(boxes)
            keep = ~closed[candidates]
            points, candidates = points[keep], candidates[keep]
            t, dist = self._project(px[points], py[points], candidates)
            # Nearest first; among equally near segments the lowest index.
            order = np.lexsort((candidates, dist, points))
            first = np.ones(order.size, dtype=bool)
            first[1:] = points[order][1:] != points[order][:-1]
            best = order[first]
            best = best[dist[best] <= radius_m]
            found = pending[points[best]]
            segment[found] = candidates[best]
            fraction[found] = t[best]
            offset_m[found] = dist[best]
            pending = pending[segment[pending] < 0]
        return Snapped(segment=segment, fraction=fraction, offset_m=offset_m)

    def _positions(
        self, segments: np.ndarray, fractions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """UTM positions at fractions along segments."""
        seg = self._segments
        ax, ay = self.node_x_m[seg["a"][segments]], self.node_y_m[seg["a"][segments]]
        bx, by = self.node_x_m[seg["b"][segments]], self.node_y_m[seg["b"][segments]]
        return ax + fractions * (bx - ax), ay + fractions * (by - ay)

    def _project(
        self, x: np.ndarray, y: np.ndarray, segments: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(fraction along, distance) of each point's closest position on its segment."""
        seg = self._segments
        ax, ay = self.node_x_m[seg["a"][segments]], self.node_y_m[seg["a"][segments]]
        dx = self.node_x_m[seg["b"][segments]] - ax
        dy = self.node_y_m[seg["b"][segments]] - ay
        squared = dx * dx + dy * dy
        along = (x - ax) * dx + (y - ay) * dy
        t = np.zeros(segments.size)
        np.divide(along, squared, out=t, where=squared > 0)
        t = np.clip(t, 0.0, 1.0)
        return t, np.hypot(x - (ax + t * dx), y - (ay + t * dy))


@dataclass(frozen=True)
class _Network:
    """One routing call's weighted graph: edge times with factors, per-node crossing delays."""

    graph: RoadGraph
    edge_time_s: np.ndarray  # per edge, inf when closed; without the crossing delay
    node_delay_s: np.ndarray

    def segment_time_s(self, segments: np.ndarray, direction: str) -> np.ndarray:
        """Whole-segment time a->b ("forward") or b->a ("backward"); inf where not drivable."""
        edges = self.graph._segments[direction][segments]
        times = np.full(segments.size, np.inf)
        has = edges >= 0
        times[has] = self.edge_time_s[edges[has]]
        return times

    def through_trees(
        self, roots: Snapped, others: Snapped, *, reverse: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """(time_s, distance_m) matrices roots x others over the network, one tree per root.

        Not reverse: routes from each root (origin) to the others (destinations). Reverse: routes
        from each of the others (origins) into each root (destination), on the reversed graph.
        """
        time_s = np.full((roots.segment.size, others.segment.size), np.inf)
        distance_m = np.full_like(time_s, np.inf)
        root_rows = np.flatnonzero(roots.ok)
        other_cols = np.flatnonzero(others.ok)
        if root_rows.size == 0 or other_cols.size == 0:
            return time_s, distance_m
        g = self.graph
        seg = g._segments
        n = g.node_ids.size
        usable = np.isfinite(self.edge_time_s)
        head = g.edge_to[usable]
        tail = g.edge_from[usable]
        weight = self.edge_time_s[usable] + self.node_delay_s[head]
        if reverse:
            tail, head = head, tail

        o_seg = others.segment[other_cols]
        o_t = others.fraction[other_cols]
        o_len = seg["length_m"][o_seg]
        o_fwd = self.segment_time_s(o_seg, "forward")
        o_bwd = self.segment_time_s(o_seg, "backward")
        o_a, o_b = seg["a"][o_seg], seg["b"][o_seg]
        for start in range(0, root_rows.size, _ROOTS_PER_BATCH):
            rows = root_rows[start : start + _ROOTS_PER_BATCH]
            vt, vh, vw = self._attachments(roots, rows, n, reverse=reverse)
            # Virtual nodes sit at the roots' snapped positions, so every hop of a tree is the
            # straight line between two node positions (edges are straight segments).
            vx, vy = g._positions(roots.segment[rows], roots.fraction[rows])
            trees_t, trees_d = _trees(
                np.concatenate([tail, vt]),
                np.concatenate([head, vh]),
                np.concatenate([weight, vw]),
                np.concatenate([g.node_x_m, vx]),
                np.concatenate([g.node_y_m, vy]),
                roots=np.arange(n, n + rows.size),
            )
            if reverse:
                # Leave the other point along its segment, then the tree from that node.
                via_b_t = _part(1 - o_t, o_fwd, self.node_delay_s[o_b]) + trees_t[:, o_b]
                via_b_d = (1 - o_t) * o_len + trees_d[:, o_b]
                via_a_t = _part(o_t, o_bwd, self.node_delay_s[o_a]) + trees_t[:, o_a]
                via_a_d = o_t * o_len + trees_d[:, o_a]
            else:
                # Reach a node of the other point's segment, then drive on to the point.
                via_a_t = trees_t[:, o_a] + _part(o_t, o_fwd)
                via_a_d = trees_d[:, o_a] + o_t * o_len
                via_b_t = trees_t[:, o_b] + _part(1 - o_t, o_bwd)
                via_b_d = trees_d[:, o_b] + (1 - o_t) * o_len
            use_a = via_a_t <= via_b_t
            block = np.ix_(rows, other_cols)
            time_s[block] = np.where(use_a, via_a_t, via_b_t)
            distance_m[block] = np.where(use_a, via_a_d, via_b_d)
        return time_s, distance_m

    def _attachments(
        self, roots: Snapped, rows: np.ndarray, n: int, *, reverse: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Edges (tail, head, seconds) from a virtual node per root (n, n+1, ...) to its nodes.

        Not reverse: leaving the root along its segment (the a->b part beyond it, the b->a part
        before it), paying the delay of the node entered. Reverse: arriving at the root, i.e.
        the parts of the segment between each node and the root, in the reversed graph.
        """
        seg = self.graph._segments
        s = roots.segment[rows]
        t = roots.fraction[rows]
        fwd = self.segment_time_s(s, "forward")
        bwd = self.segment_time_s(s, "backward")
        a, b = seg["a"][s], seg["b"][s]
        virtual = n + np.arange(rows.size)
        if reverse:
            to_a = _part(t, fwd)  # a -> root along a->b
            to_b = _part(1 - t, bwd)  # b -> root along b->a
        else:
            to_b = _part(1 - t, fwd, self.node_delay_s[b])  # root -> b along a->b
            to_a = _part(t, bwd, self.node_delay_s[a])  # root -> a along b->a
        tail = np.concatenate([virtual, virtual])
        head = np.concatenate([a, b])
        weight = np.concatenate([to_a, to_b])
        keep = np.isfinite(weight)
        return tail[keep], head[keep], weight[keep]

    def along_one_segment(
        self, origins: Snapped, targets: Snapped, time_s: np.ndarray, distance_m: np.ndarray
    ) -> None:
        """Origin and destination on the same segment: the direct drive between them, if legal."""
        same = (origins.segment[:, None] == targets.segment[None, :]) & origins.ok[:, None]
        i, j = np.nonzero(same)
        if i.size == 0:
            return
        s, t = origins.fraction[i], targets.fraction[j]
        segments = origins.segment[i]
        length = self.graph._segments["length_m"][segments]
        ahead = t >= s
        step_s = np.where(
            ahead,
            _part(t - s, self.segment_time_s(segments, "forward")),
            _part(s - t, self.segment_time_s(segments, "backward")),
        )
        better = step_s < time_s[i, j]
        time_s[i[better], j[better]] = step_s[better]
        distance_m[i[better], j[better]] = (np.abs(t - s) * length)[better]


def _part(
    fraction: np.ndarray, segment_s: np.ndarray, entered_delay_s: np.ndarray | float = 0.0
) -> np.ndarray:
    """Time to drive ``fraction`` of a segment, plus the delay of the node it enters.

    Nothing to drive (fraction 0: the point is on that node) takes no time even against a
    one-way street, and enters no crossing.
    """
    moving = fraction > 0
    seconds = np.zeros(np.shape(fraction))
    np.multiply(fraction, segment_s, out=seconds, where=moving)
    return seconds + np.where(moving, entered_delay_s, 0.0)


def _trees(
    tail: np.ndarray,
    head: np.ndarray,
    weight: np.ndarray,
    node_x_m: np.ndarray,
    node_y_m: np.ndarray,
    *,
    roots: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Time and length from each root to every node along its fastest-path tree.

    scipy gives the times and each node's predecessor; the length along the tree is summed by
    pointer jumping (each round doubles the hops covered), a few numpy passes for any depth.
    """
    m = node_x_m.size
    matrix = csr_matrix((weight, (tail, head)), shape=(m, m))
    time_s, pred = dijkstra(matrix, directed=True, indices=roots, return_predecessors=True)
    # Flat indices over all trees: node v of tree r is r * m + v.
    nodes = np.arange(m)
    offsets = (np.arange(roots.size) * m)[:, None]
    has_parent = pred >= 0
    parent_node = np.where(has_parent, pred, nodes)
    hop_m = np.hypot(node_x_m - node_x_m[parent_node], node_y_m - node_y_m[parent_node]).ravel()
    parent = (parent_node + offsets).ravel()
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            break
        hop_m += hop_m[parent]
        parent = grand
    length_m = hop_m.reshape(pred.shape)
    return time_s, np.where(np.isfinite(time_s), length_m, np.inf)


# --- reading the .osm file ---------------------------------------------------------------------


def _parse_osm(
    path: Path,
) -> tuple[dict[int, tuple[float, float]], set[int], list[tuple[list[int], float, int]]]:
    """Node coordinates, level-crossing node ids, and the drivable ways (refs, speed, oneway).

    expat (C) calls back per element; nothing of the document is kept but these. A DOCTYPE is
    refused outright, so no entity can be declared, expanded or fetched: the policy of
    defusedxml's ``forbid_dtd``, whose ElementTree parser runs in pure Python and would take
    four times as long on a city file.
    """
    reader = _OsmReader()
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.ExternalEntityRefHandler = _refuse_doctype
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    with path.open("rb") as f:
        parser.ParseFile(f)
    return reader.coords, reader.crossings, reader.ways


class _OsmReader:
    """expat handlers that collect nodes, level crossings and drivable ways."""

    def __init__(self) -> None:
        self.coords: dict[int, tuple[float, float]] = {}
        self.crossings: set[int] = set()
        self.ways: list[tuple[list[int], float, int]] = []
        self._node: int | None = None  # id of the <node> being read
        self._refs: list[int] | None = None  # node refs of the <way> being read
        self._tags: dict[str, str] | None = None  # tags of that way

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "nd":
            if self._refs is not None:
                self._refs.append(int(attrs["ref"]))
        elif name == "tag":
            if self._tags is not None:
                self._tags[attrs["k"]] = attrs.get("v", "")
            elif self._node is not None and _is_level_crossing(attrs):
                self.crossings.add(self._node)
        elif name == "node":
            node_id = int(attrs["id"])
            self.coords[node_id] = (float(attrs["lon"]), float(attrs["lat"]))
            self._node = node_id
        elif name == "way":
            self._refs, self._tags = [], {}

    def end(self, name: str) -> None:
        if name == "node":
            self._node = None
        elif name == "way" and self._refs is not None and self._tags is not None:
            speed = _speed_of(self._tags)
            if speed:
                self.ways.append((self._refs, speed, _oneway(self._tags)))
            self._refs = self._tags = None


def _is_level_crossing(tag: dict[str, str]) -> bool:
    return tag.get("k") == "railway" and tag.get("v") == "level_crossing"


def _refuse_doctype(*_args: object) -> None:
    raise _ForbiddenXml


class _ForbiddenXml(ValueError):
    """A DOCTYPE or an external entity in an .osm file (never needed by OSM XML)."""


def _build_arrays(
    coords: dict[int, tuple[float, float]],
    crossings: set[int],
    ways: list[tuple[list[int], float, int]],
) -> dict[str, np.ndarray]:
    """Node and edge arrays; a way cut by the extract's edge is kept up to the cut."""
    tails: list[int] = []
    heads: list[int] = []
    speeds: list[float] = []
    for refs, speed, oneway in ways:
        chain = refs[::-1] if oneway == -1 else refs
        for u, v in pairwise(chain):
            if u == v or u not in coords or v not in coords:
                continue
            tails.append(u)
            heads.append(v)
            speeds.append(speed)
            if oneway == 0:
                tails.append(v)
                heads.append(u)
                speeds.append(speed)
    tail_ids = np.array(tails, dtype=np.int64)
    head_ids = np.array(heads, dtype=np.int64)
    node_ids = np.unique(np.concatenate([tail_ids, head_ids]))
    lon = np.array([coords[n][0] for n in node_ids.tolist()])
    lat = np.array([coords[n][1] for n in node_ids.tolist()])
    x_m, y_m = to_metric_xy(lon, lat)
    tail = np.searchsorted(node_ids, tail_ids)
    head = np.searchsorted(node_ids, head_ids)
    speed_kmh = np.array(speeds, dtype=float)
    length_m = np.hypot(x_m[head] - x_m[tail], y_m[head] - y_m[tail])
    # Parallel ways between the same two nodes: keep the fastest (the first of equals).
    keys = tail * max(node_ids.size, 1) + head
    order = np.lexsort((np.arange(keys.size), length_m / speed_kmh, keys))
    first = np.ones(order.size, dtype=bool)
    first[1:] = keys[order][1:] != keys[order][:-1]
    keep = np.sort(order[first])
    return {
        "node_ids": node_ids,
        "node_x_m": x_m,
        "node_y_m": y_m,
        "node_level_crossing": np.isin(node_ids, np.fromiter(crossings, dtype=np.int64)),
        "edge_from": tail[keep],
        "edge_to": head[keep],
        "edge_length_m": length_m[keep],
        "edge_speed_kmh": speed_kmh[keep],
    }


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


# --- the on-disk cache -------------------------------------------------------------------------

_CACHE_ARRAYS = (
    "node_ids",
    "node_x_m",
    "node_y_m",
    "node_level_crossing",
    "edge_from",
    "edge_to",
    "edge_length_m",
    "edge_speed_kmh",
)


def _cache_file(path: Path, cache_dir: str | Path | None) -> Path:
    folder = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
    return folder / f"{path.name}.{_sha256(path)}.npz"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "siaga112" / "roads"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _cache_stamp() -> str:
    """What the cached arrays depend on besides the file: format and the speed table."""
    speeds = ",".join(f"{k}={v}" for k, v in sorted(HIGHWAY_SPEEDS_KMH.items()))
    return f"{CACHE_FORMAT};{speeds}"


def _read_cache(cache_file: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(cache_file, allow_pickle=False) as data:
            if str(data["stamp"]) != _cache_stamp():
                return None
            return {name: data[name] for name in _CACHE_ARRAYS}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def _write_cache(cache_file: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write atomically (a reader never sees half a file); drop this file name's older caches."""
    folder = cache_file.parent
    tmp: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as out:
            tmp = Path(out.name)
            np.savez(out, stamp=np.array(_cache_stamp()), **arrays)
        tmp.replace(cache_file)
        source_name = _cache_source_name(cache_file)
        for old in folder.iterdir():
            if (
                old != cache_file
                and old.suffix == ".npz"
                and _cache_source_name(old) == source_name
            ):
                old.unlink(missing_ok=True)
    except OSError:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _cache_source_name(cache_file: Path) -> str:
    """'jalan.osm' of 'jalan.osm.<sha256>.npz'."""
    return cache_file.name.rsplit(".", 2)[0]


def _lonlat_to_metric(coords: np.ndarray) -> np.ndarray:
    x, y = to_metric_xy(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def _positive(value: float, message: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise GeoError(message.format(value=value))
    return number
