"""Benchmark: the intake API over real HTTP, keep-alive and batches vs the naive client.

A real app server (tests/e2e/harness.start_app, `streamlit run app.py`) on a fresh database; N
client threads post reports as fast as they can for a fixed time. The project way holds one
keep-alive connection per client and posts batches of 20; the naive way opens a new TCP
connection per request and posts one report per request. Throughput is reports recorded per
second (every one checked afterwards in the database); latency is per HTTP request.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from dashboard import apikeys, catalogue
from dashboard import tables as t
from dashboard.catalogue import seed_catalogue
from dashboard.db import make_engine, migrate
from dashboard.domain import ADMIN, WIB, Actor
from tests.e2e.harness import start_app

BATCH = 20
CLIENTS = (1, 8, 32)
ADMIN_ACTOR = Actor("bench.admin", ADMIN)


def run(database_url: str, log_dir: Path, *, duration_s: float = 5.0, clients=CLIENTS) -> dict:
    """Both ways at each client count against one app server on `database_url`."""
    engine = make_engine(database_url)
    migrate(engine)
    seed_catalogue(engine)
    # The benchmark measures the API, not its rate limit.
    catalogue.set_setting(engine, "api_rate_per_minute", 10**9)
    _, key = apikeys.create_key(engine, ADMIN_ACTOR, name="bench")
    server = start_app(database_url, log_dir, env={"SIAGA_WORKER": "0"})
    results = {"backend": engine.dialect.name, "batch": BATCH, "duration_s": duration_s}
    try:
        # Warm up: the first request loads the city and the engine of the routes.
        _Client(server.url, key, keep_alive=True).post([_report()])
        for n in clients:
            for way, keep_alive, batch in (("project", True, BATCH), ("naive", False, 1)):
                before = _count(engine)
                measured = _load(
                    server.url,
                    key,
                    clients=n,
                    keep_alive=keep_alive,
                    batch=batch,
                    duration_s=duration_s,
                )
                measured["recorded_in_db"] = _count(engine) - before
                results[f"{way}_{n}"] = measured
    finally:
        server.stop()
        engine.dispose()
    return results


class _Client:
    def __init__(self, url: str, key: str, *, keep_alive: bool) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port, self.key, self.keep_alive = host, int(port), key, keep_alive
        self.connection = None

    def post(self, items: list[dict]) -> int:
        body = json.dumps(items if len(items) > 1 else items[0]).encode()
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        if not self.keep_alive:
            headers["Connection"] = "close"
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.connection.request("POST", "/api/v1/incidents", body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        if not self.keep_alive:
            self.connection.close()
            self.connection = None
        return response.status


def _load(url: str, key: str, *, clients: int, keep_alive: bool, batch: int, duration_s: float):
    latencies: list[float] = []
    reports = [0]
    failures = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration_s

    def worker() -> None:
        client = _Client(url, key, keep_alive=keep_alive)
        mine, sent, failed = [], 0, 0
        while time.perf_counter() < stop_at:
            items = [_report() for _ in range(batch)]
            started = time.perf_counter()
            try:
                status = client.post(items)
            except OSError:
                status = 0
                client.connection = None
            mine.append(time.perf_counter() - started)
            if status == 201:
                sent += batch
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            reports[0] += sent
            failures[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "clients": clients,
        "requests": len(latencies),
        "reports": reports[0],
        "failed_requests": failures[0],
        "elapsed_s": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "reports_per_s": round(reports[0] / elapsed, 1),
        "p50_ms": round(_quantile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(_quantile(latencies, 0.95) * 1000, 1),
    }


def _report() -> dict:
    received = (datetime.now(UTC) - timedelta(minutes=1)).astimezone(WIB)
    return {
        "external_id": f"B-{uuid.uuid4().hex[:16]}",
        "received_at": received.isoformat(timespec="seconds"),
        "category": "BANJIR",
        "kondisi": "Air masuk rumah setinggi lutut (bench)",
        "lat": -6.8868,
        "lon": 109.6753,
        "address": "Jl. Pelita No. 3",
        "caller_phone": "0812 3456 7890",
    }


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.incidents)).scalar_one()


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(q * len(values)))]
