"""Benchmark: an inserted incident until it is visible on the wall display's map (p50, p95).

Starts the app (`streamlit run app.py`) on a fresh SQLite database, opens the wall display in
Chromium, then records incidents through the service one at a time and measures how long each
takes to appear as a marker on the wall map (polling the Leaflet map inside the iframe), and the
server process's CPU per minute meanwhile (benchmarks.bench_viewers.server_cpu_s).
`shared=False` starts the app with SIAGA_LIVE_SHARED=0 (and Streamlit's collection after every run
back on): the 10 s per-viewer rebuild of before.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.bench_viewers import app_env, server_cpu_s
from dashboard import incidents as svc
from dashboard.db import make_engine
from dashboard.domain import CALL_TAKER, Actor
from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, start_app

TAKER = Actor("bench.live", CALL_TAKER)
MAP_FRAME = "st_folium"
HAS_ID_JS = """(id) => {
    if (!window.map_div) return false;
    let found = false;
    map_div.eachLayer(l => {
        if (!l.feature && l.options && l.options.siagaLayer === 'incidents') {
            l.getLayers().forEach(m => { if (m.options.siagaId === id) found = true; });
        }
    });
    return found;
}"""


TARGET_P95_S = 3.0


def run(
    *, inserts: int = 20, refresh_s: int = 10, timeout_s: float = 60.0, shared: bool = True
) -> dict:
    """Latency figures in seconds over `inserts` incidents, and the server's CPU per minute."""
    folder = Path(tempfile.mkdtemp(prefix="siaga-live-"))
    url = f"sqlite:///{folder / 'live.db'}"
    server = start_app(url, folder, env=app_env(shared=shared))
    engine = make_engine(url)
    rng = random.Random(112)
    latencies: list[float] = []
    missed = 0
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"{server.url}/layar?token=layar-demo-112")
            page.frame_locator("iframe[title='streamlit_folium.st_folium']").locator(
                ".leaflet-container"
            ).wait_for(state="visible", timeout=60_000)
            frame = next(f for f in page.frames if MAP_FRAME in f.url)
            cpu_started, wall_started = server_cpu_s(server.process.pid), time.monotonic()
            for _ in range(inserts):
                time.sleep(rng.uniform(0, refresh_s))  # land at a random point of the cycle
                recorded = svc.create_incident(
                    engine,
                    TAKER,
                    svc.NewReport(
                        category_code="KEBAKARAN",
                        kondisi="Uji latensi",
                        lat=-6.8895 + rng.uniform(-0.01, 0.01),
                        lon=109.676 + rng.uniform(-0.01, 0.01),
                        address="Jl. Uji",
                        caller_phone="081234567890",
                    ),
                )
                started = time.monotonic()
                while time.monotonic() - started < timeout_s:
                    frame = next((f for f in page.frames if MAP_FRAME in f.url), frame)
                    try:
                        if frame.evaluate(HAS_ID_JS, recorded.id):
                            latencies.append(time.monotonic() - started)
                            break
                    except Exception:
                        pass
                    time.sleep(0.1)
                else:
                    missed += 1
            cpu_s = server_cpu_s(server.process.pid) - cpu_started
            minutes = (time.monotonic() - wall_started) / 60
            browser.close()
    finally:
        engine.dispose()
        server.stop()
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else None
    return {
        "inserts": inserts,
        "seen": len(latencies),
        "missed": missed,
        "refresh_s": refresh_s,
        "p50_s": round(statistics.median(ordered), 2) if ordered else None,
        "p95_s": round(p95, 2) if p95 is not None else None,
        "max_s": round(ordered[-1], 2) if ordered else None,
        "target_p95_s": TARGET_P95_S,
        "shared": shared,
        "server_cpu_s_per_min": round(cpu_s / minutes, 2),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(inserts=5)))
