"""Benchmark: k nearest posts by road, one tree per post, vs one Dijkstra per incident; .osm loads.

The city is a generated 142 x 142 street grid (tests/helpers/osm_grid.py): a corner every
100 m, 20,306 nodes with the level crossings, every 7th row and column one-way, a river crossed
at two bridges, a railway with a crossing on every row. 5,000 incidents and 20 posts are drawn
uniformly over it.

Project: ``nearest_facilities_many(..., road_graph=g, direction="response", k=3)``: 20 trees
from the posts (scipy), edge snapping, ranking; timed warm (best of three) and cold (the first
call also builds the segment index). Naive: what the per-incident path does, one networkx
Dijkstra per incident (on the reversed graph, so it is the post-to-incident direction too) and a
path-length sum per post; it takes about 0.2 s an incident, so it runs on a sample and is
extrapolated to all incidents (the row says so).

Loading: ``RoadGraph.from_osm_file`` on the grid's .osm (roads only, ~2 MB) and on the same
roads among 60,000 buildings (~26 MB, like a city extract that was not filtered to roads), cold
(parse and write the cache) and cached (the .npz keyed by the file's SHA-256).

Run: ``python -m benchmarks.bench_roads`` (prints one JSON line).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from geo import default_city, nearest_facilities_many
from geo.crs import to_geographic
from geo.nearest import DIRECTION_RESPONSE
from geo.roads import RoadGraph
from tests.helpers.osm_grid import GridCity

SEED = 20261201
REPEAT = 3
SPEED_KMH = 35.0  # the ambulance's default speed
GRID = GridCity(
    rows=142,
    cols=142,
    oneway_rows=frozenset(range(3, 142, 7)),
    oneway_cols=frozenset(range(5, 142, 7)),
    river_row=71,
    bridge_cols=(30, 100),
    railway_col=90,
)
FILLER_BUILDINGS = 60_000
TARGET_S = 0.5


def run(n_incidents: int = 5_000, n_posts: int = 20, *, k: int = 3, naive_sample: int = 20) -> dict:
    """Time both ways on the same incidents and posts; load the .osm files cold and cached."""
    folder = Path(tempfile.mkdtemp(prefix="siaga-bench-roads-"))
    loads = {
        "roads_only": _loads(GRID.write_osm(folder / "grid.osm"), folder / "cache"),
        "with_buildings": _loads(
            GRID.write_osm(folder / "city.osm", filler_buildings=FILLER_BUILDINGS),
            folder / "cache",
        ),
    }
    roads = RoadGraph.from_osm_file(folder / "grid.osm", cache_dir=folder / "cache")

    rng = np.random.default_rng(SEED)
    width_m = GRID.spacing_m * (GRID.cols - 1)
    height_m = GRID.spacing_m * (GRID.rows - 1)
    inc_x = GRID.x0_m + rng.uniform(0, width_m, n_incidents)
    inc_y = GRID.y0_m + rng.uniform(0, height_m, n_incidents)
    post_x = GRID.x0_m + rng.uniform(0, width_m, n_posts)
    post_y = GRID.y0_m + rng.uniform(0, height_m, n_posts)
    inc_lon, inc_lat = to_geographic(inc_x, inc_y)
    post_lon, post_lat = to_geographic(post_x, post_y)
    city = default_city().with_facilities(
        pd.DataFrame(
            {
                "id": [f"pos-{i:02d}" for i in range(n_posts)],
                "name": [f"Pos {i}" for i in range(n_posts)],
                "kind": "ambulance",
                "lat": post_lat,
                "lon": post_lon,
            }
        )
    )

    def project() -> pd.DataFrame:
        return nearest_facilities_many(
            inc_lat,
            inc_lon,
            "ambulance",
            k=k,
            city=city,
            road_graph=roads,
            direction=DIRECTION_RESPONSE,
        )

    started = time.perf_counter()
    frame = project()
    cold_s = time.perf_counter() - started
    warm_s = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        frame = project()
        warm_s = min(warm_s, time.perf_counter() - started)

    sample = rng.choice(n_incidents, size=min(naive_sample, n_incidents), replace=False)
    started = time.perf_counter()
    naive_s_per_incident = _naive(roads, inc_x[sample], inc_y[sample], post_x, post_y)
    naive_sample_s = time.perf_counter() - started
    naive_best = naive_s_per_incident.argmin(axis=1)
    first = frame[frame["rank"] == 1].set_index("incident")
    project_best = first.loc[sample, "facility_id"].to_numpy(dtype=object)
    same_best = project_best == np.array([f"pos-{i:02d}" for i in naive_best], dtype=object)
    eta_gap_s = np.abs(
        first.loc[sample, "eta_min"].to_numpy() * 60 - naive_s_per_incident.min(axis=1)
    )
    naive_total_s = naive_sample_s / sample.size * n_incidents
    return {
        "n_nodes": int(roads.node_ids.size),
        "n_edges": int(roads.edge_from.size),
        "n_incidents": n_incidents,
        "n_posts": n_posts,
        "k": k,
        "project_warm_s": round(warm_s, 4),
        "project_cold_s": round(cold_s, 4),
        "naive_sample": int(sample.size),
        "naive_sample_s": round(naive_sample_s, 3),
        "naive_per_incident_ms": round(naive_sample_s / sample.size * 1000, 1),
        "naive_extrapolated_s": round(naive_total_s, 1),
        "speedup": round(naive_total_s / warm_s, 1) if warm_s > 0 else None,
        "target_s": TARGET_S,
        # The naive search snaps to the nearest node, the project to the nearest street
        # segment: the nearest post and its ETA differ a little.
        "same_nearest_share_on_sample": float(same_best.mean()),
        "max_eta_gap_on_sample_s": round(float(eta_gap_s.max()), 1),
        "loads": loads,
    }


def _loads(osm: Path, cache_dir: Path) -> dict:
    """Seconds to load ``osm`` with an empty cache (parse, write) and from the cache (best of 3)."""
    started = time.perf_counter()
    roads = RoadGraph.from_osm_file(osm, cache_dir=cache_dir)
    cold_s = time.perf_counter() - started
    assert not roads.from_cache
    cached_s = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        roads = RoadGraph.from_osm_file(osm, cache_dir=cache_dir)
        cached_s = min(cached_s, time.perf_counter() - started)
        assert roads.from_cache
    return {
        "file_mb": round(osm.stat().st_size / 1e6, 1),
        "cold_s": round(cold_s, 3),
        "cached_s": round(cached_s, 4),
    }


def _naive(
    roads: RoadGraph, x: np.ndarray, y: np.ndarray, post_x: np.ndarray, post_y: np.ndarray
) -> np.ndarray:
    """Seconds post -> incident by one networkx Dijkstra per incident (the per-incident path).

    Each incident and post joins its nearest node by a straight leg at the vehicle speed, as
    the per-incident RoadGraph.routes_from did; the search runs on the reversed graph from the
    incident, so it reaches every post with the post-to-incident time.
    """
    graph = roads.graph.reverse(copy=False)
    vehicle_m_s = SPEED_KMH / 3.6

    def edge_time_s(_u: int, _v: int, data: dict[str, float]) -> float:
        return data["length_m"] / (min(data["speed_kmh"], SPEED_KMH) / 3.6)

    posts = [
        roads.nearest_node(float(px), float(py)) for px, py in zip(post_x, post_y, strict=True)
    ]
    seconds = np.full((x.size, post_x.size), np.inf)
    metres = np.full_like(seconds, np.inf)
    for i, (ix, iy) in enumerate(zip(x.tolist(), y.tolist(), strict=True)):
        source, access_m = roads.nearest_node(ix, iy)
        times, paths = nx.single_source_dijkstra(graph, source, weight=edge_time_s)
        for p, (target, egress_m) in enumerate(posts):
            if target in times:
                path_m = sum(graph.edges[u, v]["length_m"] for u, v in pairwise(paths[target]))
                metres[i, p] = path_m + access_m + egress_m
                seconds[i, p] = times[target] + (access_m + egress_m) / vehicle_m_s
    return seconds


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [5_000]
    for size in sizes:
        print(json.dumps(run(size)))
