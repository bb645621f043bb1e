"""Benchmark: a platform file imported in bulk vs report by report; one `locate` vs spatial joins.

Import: the project path is dashboard.importer.import_incidents (every row validated, all located
in one indexed pass, all written in one transaction with one statement per table). The naive
path is the per-row way the import worked before issue 16: per row validate, locate_report and
record_report in a transaction of its own. Both run on the same database (naive first, so the
project path writes into the larger table), each with its own external ids and days; every row
is counted in the database afterwards.

Locate: `geo.locate` on the prepared, indexed City (median of many points) against the
GeoDataFrame spatial joins it replaced (kept as the yardstick in tests/unit/geo).
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, func, select

from dashboard import catalogue, importer
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.catalogue import seed_catalogue
from dashboard.db import make_engine, migrate
from dashboard.domain import ADMIN, Actor
from geo import default_city, locate, locate_many
from tests.unit.geo.test_locate_index import _reference_locations

ACTOR = Actor("bench.admin", ADMIN)
NOW = datetime(2026, 11, 28, 3, 0)  # 10:00 WIB
TARGET_IMPORT_S = 2.0
TARGET_LOCATE_MS = 1.0


def run_import(database_url: str, folder: Path, *, rows: int = 5_000) -> dict:
    """Both import paths on `database_url` (migrated and catalogued here)."""
    engine = make_engine(database_url)
    migrate(engine)
    seed_catalogue(engine)
    try:
        with engine.connect() as conn:
            categories = sorted(catalogue.categories(conn))
        # The naive rows a day earlier than the project's: neither path's day runs past 9999.
        naive_records = _records(rows, prefix="N", categories=categories, days_back=1)
        project_records = _records(rows, prefix="P", categories=categories, days_back=0)
        path = folder / "platform.json"
        path.write_text(json.dumps(project_records))
        importer.import_incidents(engine, ACTOR, _warm_up_file(folder, categories), now=NOW)
        before = _count(engine)
        started = time.perf_counter()
        _per_row(engine, naive_records)
        naive_s = time.perf_counter() - started
        naive_written = _count(engine) - before
        before = _count(engine)
        started = time.perf_counter()
        result = importer.import_incidents(engine, ACTOR, path, now=NOW)
        project_s = time.perf_counter() - started
        project_written = _count(engine) - before
    finally:
        engine.dispose()
    return {
        "backend": engine.dialect.name,
        "rows": rows,
        "project_s": round(project_s, 3),
        "naive_s": round(naive_s, 3),
        "speedup": round(naive_s / project_s, 1) if project_s else None,
        "project_inserted": result.inserted,
        "project_written": project_written,
        "naive_written": naive_written,
        "target_s": TARGET_IMPORT_S,
    }


def run_locate(*, points: int = 2_000, naive_points: int = 200, batch: int = 5_000) -> dict:
    """One `locate` (median over `points`) and a locate_many of `batch`, new vs spatial joins."""
    city = default_city()
    rng = np.random.default_rng(16)
    west, south, east, north = city.outline.bounds
    lats = rng.uniform(south - 0.005, north + 0.005, points)
    lons = rng.uniform(west - 0.005, east + 0.005, points)
    locate(lats[0], lons[0], city=city)  # the City's index is built once, not per call
    _reference_locations([lats[0]], [lons[0]], city)
    project = _median_ms(lambda i: locate(lats[i], lons[i], city=city), points)
    naive = _median_ms(lambda i: _reference_locations([lats[i]], [lons[i]], city), naive_points)
    many_lats = rng.uniform(south, north, batch)
    many_lons = rng.uniform(west, east, batch)
    started = time.perf_counter()
    locate_many(many_lats, many_lons, city=city)
    many_s = time.perf_counter() - started
    started = time.perf_counter()
    _reference_locations(list(many_lats), list(many_lons), city)
    naive_many_s = time.perf_counter() - started
    return {
        "points": points,
        "naive_points": naive_points,
        "project_median_ms": round(project, 3),
        "naive_median_ms": round(naive, 3),
        "speedup": round(naive / project, 1) if project else None,
        "batch": batch,
        "project_many_s": round(many_s, 3),
        "naive_many_s": round(naive_many_s, 3),
        "target_ms": TARGET_LOCATE_MS,
    }


def _per_row(engine: Engine, records: list[dict]) -> None:
    """The import as it was: each row validated, located and written in its own transaction."""
    for record in records:
        report = importer.report_from_record(record)
        fields = svc.validate_report(report, now=NOW)
        place = svc.locate_report(engine, fields["lat"], fields["lon"])
        with engine.begin() as conn:
            svc.record_report(conn, ACTOR, fields, place, report, now=NOW)


def _records(rows: int, *, prefix: str, categories: list[str], days_back: int) -> list[dict]:
    """Platform rows at random points the service takes (in or near the city), one per minute
    or so over a day, in random categories."""
    rng = random.Random(f"{prefix}{rows}")
    city = default_city()
    west, south, east, north = city.outline.bounds
    lats, lons = [], []
    while len(lats) < rows:
        cand_lats = [rng.uniform(south, north) for _ in range(rows)]
        cand_lons = [rng.uniform(west, east) for _ in range(rows)]
        where = locate_many(cand_lats, cand_lons, city=city)
        taken = (where["distance_to_city_m"] <= svc.SERVICE_AREA_MARGIN_M).to_numpy()
        lats += [lat for lat, ok in zip(cand_lats, taken, strict=True) if ok]
        lons += [lon for lon, ok in zip(cand_lons, taken, strict=True) if ok]
    end = NOW - timedelta(days=days_back)
    step_s = 86_400 * 0.9 / rows
    return [
        {
            "external_id": f"{prefix}-{n:06d}",
            "received_at": (end - timedelta(seconds=step_s * n)).isoformat(timespec="seconds")
            + "Z",
            "category": rng.choice(categories),
            "kondisi": f"Laporan platform nomor {n}",
            "lat": lats[n],
            "lon": lons[n],
            "address": f"Jl. Uji No. {n}",
            "caller_phone": f"0812{rng.randrange(10**7, 10**8)}",
        }
        for n in range(rows)
    ]


def _warm_up_file(folder: Path, categories: list[str]) -> Path:
    """A one-row file: the first import loads the city and warms the connection pool."""
    path = folder / "warm-up.json"
    path.write_text(json.dumps(_records(1, prefix="W", categories=categories, days_back=2)))
    return path


def _median_ms(call, n: int) -> float:
    times = []
    for i in range(n):
        started = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.incidents)).scalar_one()
