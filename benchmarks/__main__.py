"""`python -m benchmarks`: every hot path measured against the naive way, side by side in one run.

Prints a table and writes benchmarks/results/latest.json (with the machine it ran on). PostgreSQL
rows run when SIAGA_BENCH_PG_URL (or SIAGA_TEST_PG_URL) points at a server whose role may create
databases. `--quick` uses small sizes to try the harness; the README quotes a full run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks import (
    bench_import,
    bench_intake_api,
    bench_live,
    bench_map,
    bench_nearest,
    bench_roads,
    bench_trends,
    bench_viewers,
    bench_writes,
)
from dashboard.catalogue import seed_catalogue
from dashboard.db import make_engine, migrate

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
BENCHMARKS = (
    "nearest",
    "map",
    "browser",
    "trends",
    "live",
    "writes",
    "intake",
    "import",
    "roads",
    "viewers",
)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (minutes, not tens)")
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        choices=BENCHMARKS,
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    wanted = set(args.only or BENCHMARKS)
    pg_url = os.environ.get("SIAGA_BENCH_PG_URL") or os.environ.get("SIAGA_TEST_PG_URL")
    rows: list[dict] = []
    raw: dict[str, object] = {}
    if "nearest" in wanted:
        raw["nearest"] = _nearest(rows, quick=args.quick)
    if "map" in wanted:
        raw["map"] = _map(rows, quick=args.quick)
    if "browser" in wanted:
        raw["browser"] = _browser(rows, quick=args.quick)
    if "trends" in wanted:
        raw["trends"] = _trends(rows, quick=args.quick, pg_url=pg_url)
    if "live" in wanted:
        raw["live"] = _live(rows, quick=args.quick)
    if "writes" in wanted:
        raw["writes"] = _writes(rows, quick=args.quick, pg_url=pg_url)
    if "intake" in wanted:
        raw["intake"] = _intake(rows, quick=args.quick, pg_url=pg_url)
    if "import" in wanted:
        raw["import"] = _import(rows, quick=args.quick, pg_url=pg_url)
    if "roads" in wanted:
        raw["roads"] = _roads(rows, quick=args.quick)
    if "viewers" in wanted:
        raw["viewers"] = _viewers(rows, quick=args.quick)
    if args.only and args.output.exists():
        # A partial run replaces its own rows in the last full report and keeps the others.
        previous = json.loads(args.output.read_text())
        redone = {row["n"] for row in rows}
        kept = [row for row in previous["rows"] if row["n"] not in redone]
        rows = sorted(kept + rows, key=lambda row: row["n"])
        raw = {**previous.get("raw", {}), **raw}
    report = {
        "ran_at_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "quick": args.quick,
        "rows": rows,
        "raw": raw,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str))
    print(render_table(rows))
    print(f"\n{report['machine']}\nJSON: {args.output}")
    return 0


def render_table(rows: list[dict]) -> str:
    """A Markdown table: benchmark, size, project, naive, ratio, target, met."""
    lines = [
        "| # | benchmark | size | project | naive | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            "| {n} | {name} | {size} | {project} | {naive} | {ratio} | {target} | {met} |".format(
                **{
                    k: row.get(k, "")
                    for k in ("n", "name", "size", "project", "naive", "ratio", "target")
                },
                met={True: "yes", False: "**no**", None: "-"}[row.get("met")],
            )
        )
    return "\n".join(lines)


def _row(  # noqa: PLR0917 - one argument per table column, in column order
    rows: list[dict],
    n: int,
    name: str,
    size: str,
    project: str,
    naive: str,
    ratio: str,
    target: str,
    met: bool | None,
) -> None:
    rows.append(
        {
            "n": n,
            "name": name,
            "size": size,
            "project": project,
            "naive": naive,
            "ratio": ratio,
            "target": target,
            "met": met,
        }
    )
    print(f"  [{n}] {name} {size}: {project} vs {naive} ({ratio})", flush=True)


def _nearest(rows: list[dict], *, quick: bool) -> list[dict]:
    results = []
    for size in (10_000,) if quick else (10_000, 100_000):
        result = bench_nearest.run(size)
        results.append(result)
        speedup = result["speedup"]
        deviation = result["max_relative_deviation_from_geodesic"] * 100
        _row(
            rows,
            1,
            "nearest posts (vectorised vs per-incident loop)",
            f"{size:,} incidents",
            f"{result['vectorised_s']:.3f} s",
            f"{result['naive_geodesic_loop_s']:.3f} s",
            f"{speedup}x",
            ">= 50x at 100k",
            speedup >= 50 if size >= 100_000 else None,
        )
        _row(
            rows,
            1,
            "nearest posts: max deviation from geodesic",
            f"{size:,} incidents",
            f"{deviation:.4f} %",
            "-",
            "-",
            "<= 0.5 %",
            deviation <= 0.5,
        )
    return results


def _map(rows: list[dict], *, quick: bool) -> dict:
    result = bench_map.run(1_000 if quick else 5_000)
    size = f"{result['n_incidents']:,} open"
    ratio = result["project_bytes_per_incident"] / result["naive_bytes_per_incident"]
    _row(
        rows,
        2,
        "map payload per incident",
        size,
        f"{result['project_bytes_per_incident']:.0f} B",
        f"{result['naive_bytes_per_incident']:.0f} B",
        f"{ratio:.2f}",
        "<= 0.25",
        ratio <= 0.25,
    )
    _row(
        rows,
        2,
        "map build time",
        size,
        f"{result['project_build_s']:.2f} s",
        f"{result['naive_build_s']:.2f} s",
        f"{result['build_speedup']}x faster",
        "-",
        None,
    )
    return result


def _browser(rows: list[dict], *, quick: bool) -> list[dict]:
    results = []
    for size in (1_000,) if quick else (1_000, 5_000):
        result = bench_map.run_browser(size)
        results.append(result)
        project, naive = result["project_static_usable_ms"], result["naive_static_usable_ms"]
        ratio = project / naive if naive else None
        _row(
            rows,
            3,
            "map usable in Chromium",
            f"{size:,} open",
            f"{project} ms",
            f"{naive} ms",
            f"{ratio:.2f}" if ratio else "-",
            "<= 0.5",
            ratio is not None and ratio <= 0.5,
        )
    return results


def _trends(rows: list[dict], *, quick: bool, pg_url: str | None) -> list[dict]:
    size = 100_000 if quick else 1_000_000
    results = []
    folder = Path(tempfile.mkdtemp(prefix="siaga-bench-trends-"))
    targets = [("sqlite", f"sqlite:///{folder / 'trends.db'}")]
    if pg_url:
        targets.append(("postgresql", None))
    for backend, url in targets:
        with _scratch_database(pg_url if backend == "postgresql" else None, url) as engine_url:
            for result in bench_trends.run(engine_url, size, repeat=2):
                results.append(result)
                ratio = result["sql_s"] / result["pandas_s"] if result["pandas_s"] else None
                flat = result["sql_peak_mib"] <= max(64.0, result["pandas_peak_mib"] / 4)
                _row(
                    rows,
                    4,
                    f"trends aggregates, {backend}, {result['filter']}",
                    f"{result['n_incidents']:,} incidents",
                    f"{result['sql_s']:.2f} s, {result['sql_peak_mib']:.0f} MiB",
                    f"{result['pandas_s']:.2f} s, {result['pandas_peak_mib']:.0f} MiB",
                    f"{ratio:.2f}",
                    "<= 0.1 time, flat memory",
                    ratio is not None and ratio <= 0.1 and flat,
                )
    return results


def _live(rows: list[dict], *, quick: bool) -> dict:
    inserts = 5 if quick else 20
    result = bench_live.run(inserts=inserts)
    naive = bench_live.run(inserts=inserts, shared=False)
    met = (
        result["p95_s"] is not None
        and result["p95_s"] <= result["target_p95_s"]
        and not result["missed"]
    )
    _row(
        rows,
        5,
        "insert -> visible on wall display (change watch vs 10 s rebuild), server CPU",
        f"{result['inserts']} inserts, 1 wall",
        f"p50 {result['p50_s']} s, p95 {result['p95_s']} s, "
        f"{result['server_cpu_s_per_min']} CPU s/min",
        f"p50 {naive['p50_s']} s, p95 {naive['p95_s']} s, "
        f"{naive['server_cpu_s_per_min']} CPU s/min",
        f"{result['server_cpu_s_per_min'] / naive['server_cpu_s_per_min']:.2f} CPU",
        f"p95 <= {result['target_p95_s']:g} s",
        met,
    )
    return {"project": result, "naive": naive}


def _viewers(rows: list[dict], *, quick: bool) -> dict:
    counts = (1, 8) if quick else bench_viewers.VIEWERS
    window_s = 20.0 if quick else 30.0
    result = bench_viewers.run(viewers=counts, window_s=window_s)
    naive = bench_viewers.run(viewers=counts, window_s=window_s, shared=False)
    for view, name in (("wall", "Layar dinding"), ("live", "Peta Langsung")):
        ours = result["ms_per_viewer_per_refresh"][view]
        theirs = naive["ms_per_viewer_per_refresh"][view]
        most = str(counts[-1])
        ratio = ours[most] / ours["1"] if ours["1"] else None
        _row(
            rows,
            11,
            f"server CPU per viewer per refresh, {name} (shared vs per-viewer rebuild)",
            f"{', '.join(str(n) for n in counts)} viewers",
            ", ".join(f"{ours[str(n)]:.0f} ms at {n}" for n in counts),
            ", ".join(f"{theirs[str(n)]:.0f} ms at {n}" for n in counts),
            f"{ratio:.3f} ({most} vs 1 viewer)" if ratio is not None else "-",
            f"<= 0.125 at {bench_viewers.VIEWERS[-1]} viewers",
            ratio is not None and ratio <= 0.125 if most == "32" else None,
        )
    return {"project": result, "naive": naive}


def _writes(rows: list[dict], *, quick: bool, pg_url: str | None) -> list[dict]:
    results = []
    folder = Path(tempfile.mkdtemp(prefix="siaga-bench-writes-"))
    targets = [("sqlite", f"sqlite:///{folder / 'writes.db'}")]
    if pg_url:
        targets.append(("postgresql", None))
    for backend, url in targets:
        with _scratch_database(pg_url if backend == "postgresql" else None, url) as engine_url:
            engine = make_engine(engine_url)
            migrate(engine)
            seed_catalogue(engine)
            result = bench_writes.run(engine, workers=8, duration_s=3.0 if quick else 10.0)
            engine.dispose()
            results.append(result)
            project, naive = result["project"], result["naive"]
            _row(
                rows,
                6,
                f"concurrent reassignments, 8 workers, {backend}",
                "20 incidents",
                f"{project['ops_per_s']}/s, {project['lost_updates']} lost",
                f"{naive['ops_per_s']}/s, {naive['lost_updates']} lost",
                "-",
                "0 lost updates",
                project["lost_updates"] == 0 and project["event_log_matches"],
            )
    return results


def _intake(rows: list[dict], *, quick: bool, pg_url: str | None) -> list[dict]:
    results = []
    folder = Path(tempfile.mkdtemp(prefix="siaga-bench-intake-"))
    targets = [("sqlite", f"sqlite:///{folder / 'intake.db'}")]
    if pg_url:
        targets.append(("postgresql", None))
    for backend, url in targets:
        with _scratch_database(pg_url if backend == "postgresql" else None, url) as engine_url:
            result = bench_intake_api.run(engine_url, folder, duration_s=2.0 if quick else 6.0)
        results.append(result)
        for clients in bench_intake_api.CLIENTS:
            project, naive = result[f"project_{clients}"], result[f"naive_{clients}"]
            ratio = (
                project["reports_per_s"] / naive["reports_per_s"] if naive["reports_per_s"] else 0
            )
            _row(
                rows,
                7,
                f"intake API over HTTP, {clients} client{'s' if clients > 1 else ''}, {backend}",
                f"{result['duration_s']:g} s, batches of {result['batch']}",
                f"{project['reports_per_s']} reports/s ({project['requests_per_s']} req/s), "
                f"p95 {project['p95_ms']:.0f} ms",
                f"{naive['reports_per_s']} reports/s, p95 {naive['p95_ms']:.0f} ms",
                f"{ratio:.1f}x",
                "every report recorded once",
                project["recorded_in_db"] == project["reports"]
                and naive["recorded_in_db"] == naive["reports"],
            )
    return results


def _import(rows: list[dict], *, quick: bool, pg_url: str | None) -> dict:
    size = 1_000 if quick else 5_000
    results: dict[str, object] = {"import": []}
    folder = Path(tempfile.mkdtemp(prefix="siaga-bench-import-"))
    targets = [("sqlite", f"sqlite:///{folder / 'import.db'}")]
    if pg_url:
        targets.append(("postgresql", None))
    for backend, url in targets:
        with _scratch_database(pg_url if backend == "postgresql" else None, url) as engine_url:
            result = bench_import.run_import(engine_url, folder, rows=size)
        results["import"].append(result)
        _row(
            rows,
            9,
            f"import-incidents in bulk vs per row, {backend}",
            f"{size:,} rows",
            f"{result['project_s']:.2f} s",
            f"{result['naive_s']:.2f} s",
            f"{result['speedup']}x",
            f"<= {result['target_s']:g} s, every row written",
            result["project_s"] <= result["target_s"]
            and result["project_written"] == result["naive_written"] == size,
        )
    located = bench_import.run_locate(points=500 if quick else 2_000)
    results["locate"] = located
    _row(
        rows,
        9,
        "one locate (indexed vs spatial joins), median",
        f"{located['points']:,} points",
        f"{located['project_median_ms']:.3f} ms",
        f"{located['naive_median_ms']:.2f} ms",
        f"{located['speedup']}x",
        f"<= {located['target_ms']:g} ms",
        located["project_median_ms"] <= located["target_ms"],
    )
    _row(
        rows,
        9,
        "locate_many (indexed vs spatial joins)",
        f"{located['batch']:,} points",
        f"{located['project_many_s']:.3f} s",
        f"{located['naive_many_s']:.3f} s",
        f"{located['naive_many_s'] / located['project_many_s']:.1f}x",
        "-",
        None,
    )
    return results


def _roads(rows: list[dict], *, quick: bool) -> dict:
    result = bench_roads.run(1_000 if quick else 5_000, naive_sample=5 if quick else 20)
    _row(
        rows,
        10,
        f"k={result['k']} nearest posts by road (a tree per post vs a Dijkstra per incident)",
        f"{result['n_incidents']:,} incidents x {result['n_posts']} posts, "
        f"{result['n_nodes']:,}-node grid",
        f"{result['project_warm_s']:.3f} s (first call {result['project_cold_s']:.3f} s)",
        f"{result['naive_extrapolated_s']:.0f} s (extrapolated from {result['naive_sample']} "
        f"incidents at {result['naive_per_incident_ms']:.0f} ms)",
        f"{result['speedup']:,.0f}x",
        f"<= {result['target_s']:g} s",
        result["project_warm_s"] <= result["target_s"],
    )
    for name, load in result["loads"].items():
        _row(
            rows,
            10,
            f"road graph from .osm, {name.replace('_', ' ')}: cached vs cold",
            f"{load['file_mb']:g} MB, {result['n_nodes']:,} road nodes",
            f"{load['cached_s']:.3f} s",
            f"{load['cold_s']:.2f} s",
            f"{load['cold_s'] / load['cached_s']:.0f}x",
            "cold in seconds (<= 5 s)",
            load["cold_s"] <= 5.0,
        )
    return result


class _scratch_database:
    """A fresh PostgreSQL database (dropped afterwards), or the given SQLite URL."""

    def __init__(self, pg_url: str | None, sqlite_url: str | None) -> None:
        self.pg_url, self.sqlite_url, self.name = pg_url, sqlite_url, None

    def __enter__(self) -> str:
        if self.pg_url is None:
            return self.sqlite_url
        self.admin = create_engine(
            make_url(self.pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        self.name = f"siaga_bench_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return make_url(self.pg_url).set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *exc) -> None:
        if self.name:
            time.sleep(0.5)
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
