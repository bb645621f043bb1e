"""Benchmark: vectorised nearest facilities vs a naive per-incident geodesic loop.

Run: ``python -m benchmarks.bench_nearest 10000 100000`` (prints one JSON line per size).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from pyproj import Geod

from geo import default_city, nearest_facilities_many
from geo.facilities import serving_mask

SEED = 20241128
REPEAT = 3
# Incidents are drawn uniformly over the city's bounding box (some fall just outside).
LAT_RANGE = (-6.937, -6.851)
LON_RANGE = (109.642, 109.711)


def run(n_incidents: int, *, kind: str = "puskesmas") -> dict:
    """Time both methods on the same random incidents and compare their nearest distances.

    The default kind, puskesmas, has the most facilities (11), so the naive loop does the
    most work per incident; pass kind="ambulance" (2 facilities) for the dispatch case.

    Returns seconds for each, their ratio, whether both picked the same facility, and the
    maximum relative deviation of the vectorised (UTM) distance from the geodesic one.
    """
    city = default_city()
    rng = np.random.default_rng(SEED)
    lats = rng.uniform(*LAT_RANGE, n_incidents)
    lons = rng.uniform(*LON_RANGE, n_incidents)
    facilities = city.facilities[serving_mask(city.facilities, kind)]
    fac_ids = facilities["id"].tolist()
    fac_lats = facilities["lat"].to_numpy(dtype=float)
    fac_lons = facilities["lon"].to_numpy(dtype=float)

    nearest_facilities_many(lats[:10], lons[:10], kind, city=city)  # warm caches
    # Best of three for each: a single run on a shared 2-core machine is mostly noise.
    vectorised_s, naive_s = float("inf"), float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        frame = nearest_facilities_many(lats, lons, kind, k=1, city=city)
        vectorised_s = min(vectorised_s, time.perf_counter() - started)
        started = time.perf_counter()
        naive_ids, naive_m = _naive_nearest(lats, lons, fac_ids, fac_lats, fac_lons)
        naive_s = min(naive_s, time.perf_counter() - started)

    vector_m = frame["distance_m"].to_numpy()
    same = frame["facility_id"].to_numpy(dtype=object) == np.array(naive_ids, dtype=object)
    # Compare like with like: the geodesic distance to the facility the vectorised form chose.
    _, _, chosen_geodesic_m = Geod(ellps="WGS84").inv(
        lons, lats, frame["lon"].to_numpy(), frame["lat"].to_numpy()
    )
    deviation = np.abs(vector_m - chosen_geodesic_m) / chosen_geodesic_m
    return {
        "n_incidents": n_incidents,
        "kind": kind,
        "n_facilities": len(fac_ids),
        "vectorised_s": round(vectorised_s, 4),
        "naive_geodesic_loop_s": round(naive_s, 4),
        "speedup": round(naive_s / vectorised_s, 1) if vectorised_s > 0 else None,
        "same_nearest_share": float(same.mean()),
        "max_relative_deviation_from_geodesic": float(deviation.max()),
        "max_abs_difference_to_naive_m": float(np.max(np.abs(vector_m - naive_m))),
    }


def _naive_nearest(
    lats: np.ndarray,
    lons: np.ndarray,
    fac_ids: list[object],
    fac_lats: np.ndarray,
    fac_lons: np.ndarray,
) -> tuple[list[object], np.ndarray]:
    """The slow reference: for each incident, pyproj.Geod.inv against each facility in turn."""
    geod = Geod(ellps="WGS84")
    ids: list[object] = []
    distances = np.empty(len(lats))
    for i, (lat, lon) in enumerate(zip(lats.tolist(), lons.tolist(), strict=True)):
        best_id, best_m = None, float("inf")
        for fac_id, f_lat, f_lon in zip(fac_ids, fac_lats.tolist(), fac_lons.tolist(), strict=True):
            _, _, dist = geod.inv(lon, lat, f_lon, f_lat)
            if dist < best_m:
                best_id, best_m = fac_id, dist
        ids.append(best_id)
        distances[i] = best_m
    return ids, distances


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [10_000]
    for size in sizes:
        print(json.dumps(run(size)))
