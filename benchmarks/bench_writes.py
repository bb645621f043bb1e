"""Benchmark: concurrent reassignments with optimistic concurrency vs naive read-modify-write.

Eight workers reassign a small pool of incidents as fast as they can. The project path passes the
version it read (UPDATE ... WHERE version = :seen) and counts refusals; the naive path reads, then
writes `reassign_count = <read value> + 1` without a version check, as a hand-rolled form would.
Lost updates = changes the workers were told succeeded that the database does not show.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime

from sqlalchemy import Engine, func, select, update

from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.domain import CALL_TAKER, SUPERVISOR, Actor
from dashboard.errors import StaleVersion

OPDS = ("BPBD", "DAMKAR", "PMI", "POLRES", "DINSOS")
TAKER = Actor("bench.ct", CALL_TAKER)
SUPERVISOR_ACTOR = Actor("bench.spv", SUPERVISOR)


def run(
    engine: Engine, *, workers: int = 8, duration_s: float = 5.0, pool: int = 20, seed: int = 112
) -> dict:
    """Both paths on the same engine; returns ops/s, refusals and lost updates for each."""
    project = _run_project(engine, workers=workers, duration_s=duration_s, pool=pool, seed=seed)
    naive = _run_naive(engine, workers=workers, duration_s=duration_s, pool=pool, seed=seed)
    return {"backend": engine.dialect.name, "workers": workers, "project": project, "naive": naive}


def _make_pool(engine: Engine, pool: int) -> list[int]:
    ids = []
    for i in range(pool):
        recorded = svc.create_incident(
            engine,
            TAKER,
            svc.NewReport(
                category_code="POHON_TUMBANG",
                kondisi=f"Pohon tumbang bench {i}",
                lat=-6.8895,
                lon=109.676,
                address="Jl. Hayam Wuruk",
                caller_phone="081234567890",
            ),
            now=datetime(2026, 11, 28, 3, 0),
        )
        ids.append(recorded.id)
    return ids


def _run_project(engine: Engine, *, workers: int, duration_s: float, pool: int, seed: int) -> dict:
    def attempt(incident_id: int, row, target: str) -> str:
        try:
            svc.reassign(
                engine, SUPERVISOR_ACTOR, incident_id, target, "benchmark", seen_version=row.version
            )
        except StaleVersion:
            return "stale"
        return "ok"

    ids = _make_pool(engine, pool)
    stats, elapsed = _race(engine, ids, attempt, workers=workers, duration_s=duration_s, seed=seed)
    with engine.connect() as conn:
        logged = conn.execute(
            select(func.count())
            .select_from(t.incident_events)
            .where(
                t.incident_events.c.action == "REASSIGN", t.incident_events.c.incident_id.in_(ids)
            )
        ).scalar_one()
    return {**_summary(engine, ids, stats, elapsed), "event_log_matches": logged == stats["ok"]}


def _run_naive(engine: Engine, *, workers: int, duration_s: float, pool: int, seed: int) -> dict:
    def attempt(incident_id: int, row, target: str) -> str:
        # Read-modify-write with the value read earlier: the classic lost update.
        with engine.begin() as conn:
            conn.execute(
                update(t.incidents)
                .where(t.incidents.c.id == incident_id)
                .values(opd_code=target, reassign_count=row.reassign_count + 1)
            )
        return "ok"

    ids = _make_pool(engine, pool)
    stats, elapsed = _race(engine, ids, attempt, workers=workers, duration_s=duration_s, seed=seed)
    return _summary(engine, ids, stats, elapsed)


def _race(
    engine: Engine,
    ids: list[int],
    attempt,
    *,
    workers: int,
    duration_s: float,
    seed: int,
) -> tuple[dict[str, int], float]:
    """Workers pick a random incident, read it, and call attempt(); counts each outcome."""
    stats = {"ok": 0, "stale": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + duration_s
    c = t.incidents.c

    def work(worker: int) -> None:
        rng = random.Random(seed + worker)
        while time.monotonic() < deadline:
            incident_id = rng.choice(ids)
            with engine.connect() as conn:
                row = conn.execute(
                    select(c.version, c.opd_code, c.reassign_count).where(c.id == incident_id)
                ).one()
            outcome = attempt(incident_id, row, rng.choice([o for o in OPDS if o != row.opd_code]))
            with lock:
                stats[outcome] += 1

    return stats, _run_threads(work, workers)


def _summary(engine: Engine, ids: list[int], stats: dict[str, int], elapsed: float) -> dict:
    with engine.connect() as conn:
        shown = conn.execute(
            select(func.sum(t.incidents.c.reassign_count)).where(t.incidents.c.id.in_(ids))
        ).scalar_one()
    return {
        "ops_per_s": round(stats["ok"] / elapsed, 1),
        "succeeded": stats["ok"],
        "refused_stale": stats["stale"],
        "lost_updates": stats["ok"] - int(shown),
    }


def _run_threads(work, workers: int) -> float:
    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started
