"""Benchmark: the Tren page's report from the trend rollups vs reading the rows into pandas.

Run: ``python -m benchmarks.bench_trends --n 1000000`` (a fresh SQLite file under /tmp) or
``python -m benchmarks.bench_trends --url postgresql+psycopg://... --n 1000000`` (an EMPTY
database); ``--measure-only`` times a filled database again. Prints one JSON line per filter.
``run(engine_url, n_incidents)`` is the entry point (``measure(engine_url)`` the timing part).

The generated history spreads `n` incidents over the 365 days before now, with the demo's
mix: about 36 % prank/ghost/not-an-emergency, ~8 % of forwarded calls reassigned once, and
lognormal forward / acknowledge / resolve times. Only REASSIGN events are written: the
hand-off view (from its rollups like the rest) sees those hand-offs only, lighter than a
real history with a FORWARD and an ACKNOWLEDGE per forwarded call.

The report is timed as the page gets it: from the trend rollups (dashboard/rollups.py), built
once after the incidents are in (`rebuild_s`); `exact_s` is one run of the exact queries on
every incident (build_report(exact=True)), the way the page read before the rollups.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard import catalogue, rollups, trends
from dashboard import tables as t
from dashboard.catalogue import seed_catalogue
from dashboard.db import make_engine, migrate
from dashboard.demo import CATEGORY_WEIGHTS
from dashboard.domain import NUISANCE_REASONS, route, utc_now
from geo import grid_counts
from geo.layers import default_city

SEED = 112
CHUNK = 50_000
DAYS = 365
COLUMNS = (
    "id",
    "code",
    "received_at_utc",
    "category_code",
    "priority",
    "kondisi",
    "lat",
    "lon",
    "address",
    "kelurahan",
    "kecamatan",
    "kelurahan_kode",
    "in_city",
    "in_flood_zone",
    "flood_zone_names",
    "caller_phone",
    "status",
    "opd_code",
    "forwarded_at_utc",
    "assigned_at_utc",
    "acknowledged_at_utc",
    "handling_at_utc",
    "resolved_at_utc",
    "cancelled_at_utc",
    "cancel_reason",
    "reassign_count",
    "first_opd_code",
    "created_by",
    "updated_at_utc",
    "updated_by",
    "version",
)
EVENT_COLUMNS = ("incident_id", "at_utc", "actor", "action", "from_opd", "to_opd", "reason")


def run(engine_url: str, n_incidents: int, *, repeat: int = 3) -> list[dict]:
    """Fill an empty database with `n_incidents`, then time both ways on two filters.

    Returns one dict per filter (the page's default last 30 days, and the whole year): the
    best of `repeat` wall times for the SQL report and for the pandas way, the peak Python
    memory (tracemalloc, numpy included) of one run of each, and the SQL report's time per
    query. See measure() to time an already filled database again.
    """
    engine = make_engine(engine_url)
    migrate(engine)
    seed_catalogue(engine)
    started = time.perf_counter()
    generate(engine, n_incidents, now=utc_now())
    generate_s = time.perf_counter() - started
    _analyze(engine)
    started = time.perf_counter()
    rollups.rebuild_rollups(engine, now_utc=utc_now())
    rebuild_s = time.perf_counter() - started
    engine.dispose()
    results = measure(engine_url, repeat=repeat)
    return [
        {**result, "generate_s": round(generate_s, 1), "rebuild_s": round(rebuild_s, 1)}
        for result in results
    ]


def measure(engine_url: str, *, repeat: int = 3) -> list[dict]:
    """Time the report and the pandas way on a database filled by generate()."""
    engine = make_engine(engine_url)
    migrate(engine)  # a database filled before the rollups existed gets their tables
    rollups.refresh_rollups(engine, now_utc=utc_now())  # builds them once when not yet there
    _analyze(engine)
    with engine.connect() as conn:
        n_incidents = conn.execute(select(func.count()).select_from(t.incidents)).scalar_one()
        newest = conn.execute(select(func.max(t.incidents.c.received_at_utc))).scalar_one()
    spec = grid_counts.grid_spec(cell_m=250.0, city=default_city())
    last_30 = trends.default_filter(now_utc=newest)
    year = trends.TrendFilter(
        start_day=last_30.end_day - timedelta(days=DAYS), end_day=last_30.end_day
    )
    results = []
    for name, flt in (("last_30_days", last_30), ("whole_year", year)):

        def in_sql(flt=flt):
            return trends.build_report(engine, flt, grid=spec)

        def in_pandas(flt=flt):
            return pandas_report(engine, flt, spec)

        sql_report = in_sql()  # also warms caches and the pool
        _check_same(sql_report, in_pandas())
        sql_s = _best_of(repeat, in_sql)
        pandas_s = _best_of(repeat, in_pandas)
        exact_s = _best_of(
            1, lambda flt=flt: trends.build_report(engine, flt, grid=spec, exact=True)
        )
        results.append(
            {
                "backend": engine.dialect.name,
                "n_incidents": n_incidents,
                "filter": name,
                "incidents_in_filter": sql_report.totals.incidents,
                "sql_s": round(sql_s, 3),
                "pandas_s": round(pandas_s, 3),
                "speedup": round(pandas_s / sql_s, 1) if sql_s else None,
                "exact_s": round(exact_s, 3),
                "sql_peak_mib": _peak_mib(in_sql),
                "pandas_peak_mib": _peak_mib(in_pandas),
                "sql_query_s": query_times(engine, flt, spec),
            }
        )
    engine.dispose()
    return results


def generate(engine: Engine, n_incidents: int, *, now: datetime, seed: int = SEED) -> int:
    """Bulk-insert `n_incidents` over the year before `now` (refuses a non-empty database)."""
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(t.incidents)).scalar_one():
            msg = "the benchmark database must have no incidents (it never deletes any)"
            raise ValueError(msg)
        rules = catalogue.routing_rules(conn)
        priorities = {code: cat.priority for code, cat in catalogue.categories(conn).items()}
    places = _places()
    rng = np.random.default_rng(seed)
    next_id = 1
    for start in range(0, n_incidents, CHUNK):
        size = min(CHUNK, n_incidents - start)
        rows, events = _chunk(
            rng, size, first_id=next_id, now=now, places=places, rules=rules, priorities=priorities
        )
        _bulk_insert(engine, rows, events)
        next_id += size
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("incidents", "incident_events"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
    return n_incidents


def pandas_report(engine: Engine, flt: trends.TrendFilter, spec) -> dict[str, object]:
    """The same figures the other way: read every filtered row, then group in pandas."""
    c = t.incidents.c
    columns = [
        c.received_at_utc,
        c.category_code,
        c.status,
        c.cancel_reason,
        c.kecamatan,
        c.kelurahan_kode,
        c.lat,
        c.lon,
        c.opd_code,
        c.first_opd_code,
        c.reassign_count,
        c.forwarded_at_utc,
        c.assigned_at_utc,
        c.acknowledged_at_utc,
        c.resolved_at_utc,
    ]
    conditions = trends.filter_conditions(flt)
    with engine.connect() as conn:
        frame = pd.read_sql(select(*columns).where(*conditions), conn)
        events = pd.read_sql(
            select(t.incident_events.c.from_opd, t.incident_events.c.to_opd)
            .select_from(
                t.incident_events.join(
                    t.incidents, t.incidents.c.id == t.incident_events.c.incident_id
                )
            )
            .where(t.incident_events.c.action == "REASSIGN", *conditions),
            conn,
        )
    wib = frame["received_at_utc"] + pd.Timedelta(hours=7)
    period = wib.dt.floor("D")
    nuisance = (frame["status"] == "DIBATALKAN") & frame["cancel_reason"].isin(NUISANCE_REASONS)
    figures: dict[str, object] = {
        "incidents": len(frame),
        "nuisance": int(nuisance.sum()),
        "volume": frame.groupby([period, frame["category_code"]]).size(),
        "nuisance_per_period": nuisance.groupby(period).agg(["sum", "size"]),
        "kecamatan": frame.groupby("kecamatan", dropna=False).size(),
        "kelurahan": frame.groupby("kelurahan_kode", dropna=False).size(),
        "hour_weekday": frame.groupby([wib.dt.hour, wib.dt.day_of_week]).size(),
        "grid": frame.groupby(
            [
                np.floor((frame["lon"] - spec.origin_lon) / spec.cell_lon_deg),
                np.floor((frame["lat"] - spec.origin_lat) / spec.cell_lat_deg),
            ]
        ).size(),
        "flows": events.groupby(["from_opd", "to_opd"]).size().sort_values(ascending=False),
    }
    forwarded = frame[frame["first_opd_code"].notna()]
    moved = forwarded["reassign_count"] > 0
    figures["reassign_opd"] = moved.groupby(forwarded["first_opd_code"]).agg(["sum", "size"])
    figures["reassign_category"] = moved.groupby(forwarded["category_code"]).agg(["sum", "size"])
    stages = {
        "forward": ("received_at_utc", "forwarded_at_utc"),
        "acknowledge": ("assigned_at_utc", "acknowledged_at_utc"),
        "resolve": ("received_at_utc", "resolved_at_utc"),
    }
    for stage, (start, end) in stages.items():
        seconds = (frame[end].dt.floor("s") - frame[start].dt.floor("s")).dt.total_seconds()
        measured = frame.assign(seconds=seconds).dropna(subset=["seconds"])
        figures[f"{stage}_all"] = measured["seconds"].quantile([0.5, 0.9])
        for key, column in (("opd", "opd_code"), ("category", "category_code")):
            figures[f"{stage}_{key}"] = measured.groupby(column)["seconds"].quantile([0.5, 0.9])
    return figures


def query_times(engine: Engine, flt: trends.TrendFilter, spec) -> dict[str, float]:
    """Seconds per step of the report (one run each), to see where the time goes: `rollups`
    (activity, places, routing, speed, flows, hour x weekday, the hand-off view and the grid
    together), then each exact query (`grid` the density grid on the incidents, `handoff` the
    exact hand-off view) for comparison."""
    timings = {}
    with trends.read_connection(engine) as conn:
        targets = catalogue.targets(catalogue.get_settings(conn))
        steps: dict[str, Callable[[], object]] = {
            "rollups": lambda: rollups.read(conn, flt, targets=targets, grid=spec),
            "grid": lambda: trends.grid_cells(conn, flt, spec),
            "handoff": lambda: trends.handoff_view(conn, flt, targets=targets),
            "activity": lambda: trends.period_activity(conn, flt),
            "places": lambda: trends.place_counts(conn, flt),
            "routing": lambda: trends.routing_counts(conn, flt),
            "speed": lambda: trends.speed(conn, flt, targets=targets),
            "flows": lambda: trends.reassign_flows(conn, flt),
            "hour_weekday": lambda: trends.hour_weekday(conn, flt),
        }
        for name, step in steps.items():
            started = time.perf_counter()
            step()
            timings[name] = round(time.perf_counter() - started, 3)
    return timings


# --- private helpers -------------------------------------------------------------------------


def _places() -> list[tuple[str, str, str, float, float]]:
    city = default_city()
    centroids = city.kelurahan.to_crs("EPSG:32749").centroid.to_crs("EPSG:4326")
    return [
        (row.kode, row.nama, row.kecamatan, point.y, point.x)
        for row, point in zip(city.kelurahan.itertuples(), centroids, strict=True)
    ]


def _chunk(rng, size, *, first_id, now, places, rules, priorities):
    codes = [c for c in CATEGORY_WEIGHTS if c in priorities]
    weights = np.array([CATEGORY_WEIGHTS[c] for c in codes], dtype=float)
    category = rng.choice(len(codes), size=size, p=weights / weights.sum())
    place = rng.integers(0, len(places), size=size)
    received = rng.uniform(0, DAYS * 86_400, size=size)
    roll = rng.random(size)
    forward_s = rng.lognormal(np.log(45), 0.6, size)
    moved = rng.random(size) < 0.08
    reassign_s = rng.lognormal(np.log(240), 0.7, size)
    ack_s = rng.lognormal(np.log(110), 0.8, size)
    handle_s = rng.lognormal(np.log(420), 0.7, size)
    resolve_s = rng.lognormal(np.log(3000), 0.6, size)
    cancel_s = rng.uniform(20, 240, size)
    jitter = rng.normal(0, 0.004, (size, 2))
    opd_codes = sorted({r.opd_code for r in rules})
    start = now - timedelta(days=DAYS)
    rows, events = [], []
    for i in range(size):
        incident_id = first_id + i
        code = codes[category[i]]
        kode, nama, kecamatan, lat, lon = places[place[i]]
        at = start + timedelta(seconds=float(received[i]))
        row = dict.fromkeys(COLUMNS)
        row |= {
            "id": incident_id,
            "code": f"B-{incident_id:09d}",
            "received_at_utc": at,
            "category_code": code,
            "priority": priorities[code],
            "kondisi": "Laporan uji beban",
            "lat": lat + jitter[i, 0],
            "lon": lon + jitter[i, 1],
            "address": "Jl. Uji",
            "kelurahan": nama,
            "kecamatan": kecamatan,
            "kelurahan_kode": kode,
            "in_city": True,
            "in_flood_zone": False,
            "flood_zone_names": "",
            "caller_phone": f"0812{incident_id % 100_000_000:08d}",
            "reassign_count": 0,
            "created_by": "bench",
            "updated_at_utc": at,
            "updated_by": "bench",
            "version": 1,
        }
        reason = (
            "PRANK"
            if roll[i] < 0.22
            else "GHOST"
            if roll[i] < 0.32
            else "BUKAN_DARURAT"
            if roll[i] < 0.36
            else "DUPLIKAT"
            if roll[i] < 0.38
            else None
        )
        if reason:
            row |= {
                "status": "DIBATALKAN",
                "cancelled_at_utc": at + timedelta(seconds=float(cancel_s[i])),
                "cancel_reason": reason,
            }
            rows.append(row)
            continue
        opd = route(code, kecamatan, rules) or "DINKOMINFO"
        forwarded = at + timedelta(seconds=float(forward_s[i]))
        row |= {
            "opd_code": opd,
            "first_opd_code": opd,
            "forwarded_at_utc": forwarded,
            "assigned_at_utc": forwarded,
        }
        assigned = forwarded
        if moved[i]:
            target = opd_codes[(opd_codes.index(opd) + 1 + i % 3) % len(opd_codes)]
            assigned = forwarded + timedelta(seconds=float(reassign_s[i]))
            row |= {"opd_code": target, "assigned_at_utc": assigned, "reassign_count": 1}
            events.append(
                (incident_id, assigned, "bench", "REASSIGN", opd, target, "Salah OPD (uji)")
            )
        acknowledged = assigned + timedelta(seconds=float(ack_s[i]))
        handling = acknowledged + timedelta(seconds=float(handle_s[i]))
        resolved = handling + timedelta(seconds=float(resolve_s[i]))
        if resolved <= now:
            row |= {
                "status": "SELESAI",
                "acknowledged_at_utc": acknowledged,
                "handling_at_utc": handling,
                "resolved_at_utc": resolved,
            }
        elif acknowledged <= now:
            row |= {"status": "DITERIMA", "acknowledged_at_utc": acknowledged}
        else:
            row["status"] = "DITERUSKAN"
        rows.append(row)
    return rows, events


def _bulk_insert(engine: Engine, rows: list[dict], events: list[tuple]) -> None:
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur:
                with cur.copy(f"COPY incidents ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row[c] for c in COLUMNS])
                if events:
                    statement = f"COPY incident_events ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
                    with cur.copy(statement) as copy:
                        for event in events:
                            copy.write_row(event)
            raw.commit()
        finally:
            raw.close()
        return
    # SQLite: the DBAPI's executemany with SQLAlchemy's own text form of a datetime.
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")
        marks = ", ".join("?" * len(COLUMNS))
        cur.executemany(
            f"INSERT INTO incidents ({', '.join(COLUMNS)}) VALUES ({marks})",
            ([_sqlite_value(row[c]) for c in COLUMNS] for row in rows),
        )
        if events:
            marks = ", ".join("?" * len(EVENT_COLUMNS))
            cur.executemany(
                f"INSERT INTO incident_events ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})",
                ([_sqlite_value(v) for v in event] for event in events),
            )
        cur.execute("COMMIT")
    finally:
        raw.close()


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _analyze(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("incidents", "incident_events", "trend_rollups", "handoff_rollups"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def _best_of(repeat: int, func: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def _peak_mib(func: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20, 1)


def _check_same(report: trends.TrendReport, figures: dict[str, object]) -> None:
    """Both ways must agree before their times mean anything."""
    if report.totals.incidents != figures["incidents"]:
        msg = f"incident counts differ: {report.totals.incidents} vs {figures['incidents']}"
        raise AssertionError(msg)
    if report.totals.nuisance != figures["nuisance"]:
        msg = "nuisance counts differ"
        raise AssertionError(msg)
    cells = report.grid.cells.set_index(["ix", "iy"])["count"]
    expected = figures["grid"]
    if sorted(zip(cells.index, cells, strict=True)) != sorted(
        ((int(x), int(y)), int(n)) for (x, y), n in expected.items()
    ):
        msg = "grid counts differ"
        raise AssertionError(msg)
    sql_forward = report.speed["all"].set_index("stage").loc["forward"]
    pandas_forward = figures["forward_all"]
    for quantile, column in ((0.5, "median_s"), (0.9, "p90_s")):
        allowed = rollups.MAX_RELATIVE_ERROR * abs(pandas_forward[quantile]) + 1e-6
        if abs(sql_forward[column] - pandas_forward[quantile]) > allowed:
            msg = f"forward {column} differs: {sql_forward[column]} vs {pandas_forward[quantile]}"
            raise AssertionError(msg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="incidents to generate")
    parser.add_argument("--url", help="an EMPTY database; default a fresh SQLite file in /tmp")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--measure-only", action="store_true", help="time an already filled database again"
    )
    args = parser.parse_args()
    url = args.url
    if args.measure_only:
        url = url or f"sqlite:///{Path('/tmp') / f'siaga_bench_trends_{args.n}.db'}"
        for result in measure(url, repeat=args.repeat):
            print(json.dumps(result))
        return
    if url is None:
        path = Path("/tmp") / f"siaga_bench_trends_{args.n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    for result in run(url, args.n, repeat=args.repeat):
        print(json.dumps(result))


if __name__ == "__main__":
    main()
