"""Benchmark: the live map with N open incidents, project path vs one folium.Marker+Popup each.

`run(n)` times building the map in Python and counts the bytes sent to the browser;
`run_browser(n)` opens both pages in Chromium and times navigation -> map usable (and one
zoom step); `run_browser(n, app_url=...)` times the real wall display of a running app.
Run: ``python -m benchmarks.bench_map 1000 5000`` (one JSON line per size and measure).
"""

from __future__ import annotations

import functools
import http.server
import json
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import shapely
from playwright.sync_api import sync_playwright
from sqlalchemy import func, insert, select

from dashboard import tables as t
from dashboard.db import make_engine
from dashboard.domain import OPEN_STATUSES, utc_now
from geo import default_city
from mapview.assets import ensure_static_assets, offline_assets
from mapview.base import base_map, map_html, standalone_map
from mapview.incidents import incident_layer
from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS

SEED = 112
CATEGORIES = (
    ("KEBAKARAN", "Kebakaran", "#d7301f"),
    ("BANJIR", "Banjir", "#2171b5"),
    ("KECELAKAAN", "Kecelakaan lalu lintas", "#ff7f00"),
    ("AMBULANS", "Ambulans / gawat darurat medis", "#e7298a"),
)
# folium.Popup builds its content with jQuery's $(html)[0]; nothing here serves jQuery, so the
# naive page gets this one-line stand-in. It parses less than jQuery does: the naive figures are
# a lower bound.
JQUERY_SHIM = (
    "<script>window.$ = function (html) { var t = document.createElement('template');"
    " t.innerHTML = String(html).trim(); return [t.content.firstChild]; };</script>"
)
READY_JS = """async ([n, naive]) => {
    const map = Object.values(window).find(v => v && v instanceof L.Map);
    const count = () => {
        let total = 0;
        map.eachLayer(l => {
            if (naive) {
                if (l instanceof L.Marker && l.options.siagaNaive) total += 1;
            } else if (!l.feature && l.options && l.options.siagaLayer === 'incidents') {
                total += l.getLayers().length;
            }
        });
        return total;
    };
    while (count() < n) { await new Promise(r => setTimeout(r, 5)); }
    const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    await frames();
    const readyMs = performance.now();
    const zoomStart = performance.now();
    map.setZoom(map.getZoom() + 1, {animate: false});
    await frames();
    return {
        ready_ms: readyMs,
        zoom_step_ms: performance.now() - zoomStart,
        dom_elements: document.getElementsByTagName('*').length,
        markers: count(),
    };
}"""
APP_READY_JS = """(n) => {
    if (!window.map_div) return false;
    let total = 0;
    map_div.eachLayer(l => {
        if (!l.feature && l.options && l.options.siagaLayer === 'incidents') {
            total += l.getLayers().length;
        }
    });
    return total >= n;
}"""


def run(n_incidents: int) -> dict:
    """Python-side cost of the map with `n_incidents` open incidents, project vs naive.

    Returns build+render seconds of a whole static page for each path, its HTML bytes and
    bytes per incident (page size minus the empty map, over n), and for the project path what
    one refresh of the Streamlit page costs: building the base map and the incident layer
    afresh and turning them into streamlit-folium's script strings (seconds), and the bytes
    of the incident layer's script sent on each refresh.
    """
    city = default_city()
    frame = synthetic_incidents(n_incidents, city=city)
    empty = synthetic_incidents(0, city=city)
    categories = {code: (name, colour) for code, name, colour in CATEGORIES}

    _streamlit_refresh_bytes(city, empty, categories)  # warm imports and the City's GeoJSON
    project_s, project_html = _timed(lambda: _project_html(city, frame, categories))
    naive_s, naive_html = _timed(lambda: _naive_html(city, frame, categories))
    project_empty = len(_project_html(city, empty, categories).encode())
    naive_empty = len(_naive_html(city, empty, categories).encode())
    refresh_s, layer_bytes = _timed(lambda: _streamlit_refresh_bytes(city, frame, categories))
    project_bytes = len(project_html.encode())
    naive_bytes = len(naive_html.encode())
    return {
        "n_incidents": n_incidents,
        "project_build_s": round(project_s, 3),
        "naive_build_s": round(naive_s, 3),
        "build_speedup": round(naive_s / project_s, 1) if project_s else None,
        "project_html_bytes": project_bytes,
        "naive_html_bytes": naive_bytes,
        "project_bytes_per_incident": _per(project_bytes - project_empty, n_incidents),
        "naive_bytes_per_incident": _per(naive_bytes - naive_empty, n_incidents),
        "project_refresh_build_s": round(refresh_s, 3),
        "project_refresh_layer_bytes": layer_bytes,
    }


def run_browser(
    n_incidents: int,
    *,
    app_url: str | None = None,
    database_url: str | None = None,
    token: str = "layar-demo-112",
    timeout_s: float = 180.0,
) -> dict:
    """Chromium: time from navigation until the map is usable, project vs naive page.

    Without `app_url` both pages are static HTML written by folium (project: mapview; naive:
    one folium.Marker with a Popup per incident), served with the vendored Leaflet by a
    loopback http.server. "Usable" = every incident marker is on the map and two animation
    frames have been painted; `zoom_step_ms` is one zoom-in step after that (interaction cost).
    With `app_url`, the project figure is the app's wall display (/layar?token=...) from
    navigation to its map holding `n_incidents` markers; pass `database_url` to first add
    that many open incidents to the app's database (see seed_open_incidents).
    """
    city = default_city()
    frame = synthetic_incidents(n_incidents, city=city)
    categories = {code: (name, colour) for code, name, colour in CATEGORIES}
    result: dict = {"n_incidents": n_incidents}
    with tempfile.TemporaryDirectory(prefix="siaga-bench-map-") as folder:
        root = Path(folder)
        ensure_static_assets(root / "app" / "static")
        (root / "project.html").write_text(_project_html(city, frame, categories))
        (root / "naive.html").write_text(_naive_html(city, frame, categories))
        with _loopback_server(root) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for name, naive in (("project", False), ("naive", True)):
                    page = browser.new_page(viewport={"width": 1600, "height": 1000})
                    page.set_default_timeout(timeout_s * 1000)
                    errors: list[str] = []
                    page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                    page.goto(f"{base}/{name}.html", wait_until="load")
                    figures = page.evaluate(READY_JS, [n_incidents, naive])
                    result[f"{name}_static_usable_ms"] = round(figures["ready_ms"])
                    result[f"{name}_static_zoom_step_ms"] = round(figures["zoom_step_ms"])
                    result[f"{name}_static_dom_elements"] = figures["dom_elements"]
                    result[f"{name}_page_errors"] = len(errors)
                    page.close()
                if app_url:
                    if database_url:
                        seed_open_incidents(database_url, n_incidents)
                    result["project_app_usable_ms"] = _app_usable_ms(
                        browser, app_url, token, n_incidents, timeout_s
                    )
            finally:
                browser.close()
    return result


def synthetic_incidents(n: int, *, city=None, seed: int = SEED) -> pd.DataFrame:
    """`n` open incidents at random points inside the city, shaped like incidents_frame()."""
    city = city or default_city()
    rng = np.random.default_rng(seed)
    west, south, east, north = city.outline.bounds
    lats: list[float] = []
    lons: list[float] = []
    while len(lats) < n:
        lon = rng.uniform(west, east, max(64, 2 * n))
        lat = rng.uniform(south, north, max(64, 2 * n))
        inside = shapely.contains_xy(city.outline, lon, lat)
        lons += lon[inside].tolist()
        lats += lat[inside].tolist()
    now = utc_now()
    rows = []
    for i in range(n):
        code, name, colour = CATEGORIES[i % len(CATEGORIES)]
        rows.append(
            {
                "id": i + 1,
                "code": f"112-20261128-{i + 1:04d}",
                "received_at_utc": now - timedelta(minutes=int(rng.integers(0, 600))),
                "category_code": code,
                "category_name": name,
                "color": colour,
                "status": OPEN_STATUSES[i % len(OPEN_STATUSES)],
                "lat": lats[i],
                "lon": lons[i],
                "kelurahan": "Kauman",
                "kecamatan": "Pekalongan Timur",
                "kondisi": "Asap tebal keluar dari rumah warga, perlu bantuan segera",
                "opd_name": "Satpol P3KP (Damkar)",
                "overdue": "belum diteruskan" if i % 7 == 0 else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "code",
            "received_at_utc",
            "category_code",
            "category_name",
            "color",
            "status",
            "lat",
            "lon",
            "kelurahan",
            "kecamatan",
            "kondisi",
            "opd_name",
            "overdue",
        ],
    )


def seed_open_incidents(database_url: str, n: int) -> int:
    """Insert `n` open incidents straight into a migrated, catalogued database (bench fixture).

    Bypasses the services (no event log) on purpose: it only fills the map. Returns how many
    open incidents the database then holds.
    """
    frame = synthetic_incidents(n)
    engine = make_engine(database_url)
    stamp = int(time.time())
    now = utc_now()
    rows = [
        {
            "code": f"112-BENCH{stamp % 100000:05d}-{i:05d}",
            "received_at_utc": now - timedelta(minutes=i % 600),
            "category_code": row.category_code,
            "priority": 1,
            "kondisi": row.kondisi,
            "lat": row.lat,
            "lon": row.lon,
            "address": "Jl. Uji Beban",
            "kelurahan": row.kelurahan,
            "kecamatan": row.kecamatan,
            "in_city": True,
            "in_flood_zone": False,
            "flood_zone_names": "",
            "caller_phone": "081200000000",
            "status": row.status,
            "opd_code": "DAMKAR",
            "forwarded_at_utc": now if row.status != "BARU" else None,
            "assigned_at_utc": now if row.status != "BARU" else None,
            "reassign_count": 0,
            "created_by": "bench.map",
            "updated_at_utc": now,
            "updated_by": "bench.map",
            "version": 1,
        }
        for i, row in enumerate(frame.itertuples(index=False))
    ]
    try:
        with engine.begin() as conn:
            if rows:
                conn.execute(insert(t.incidents), rows)
            return conn.execute(
                select(func.count())
                .select_from(t.incidents)
                .where(t.incidents.c.status.in_(OPEN_STATUSES))
            ).scalar_one()
    finally:
        engine.dispose()


def _project_html(city, frame: pd.DataFrame, categories: dict) -> str:
    return map_html(standalone_map(city, frame, categories=categories))


def _naive_html(city, frame: pd.DataFrame, categories: dict) -> str:
    m = base_map(city, categories=categories, layer_control=False)
    group = folium.FeatureGroup(name="Laporan terbuka")
    for row in frame.itertuples(index=False):
        folium.Marker(
            location=[row.lat, row.lon],
            popup=folium.Popup(
                f"<b>{row.code}</b><br>{row.category_name}<br>{row.status}<br>{row.kondisi}",
                max_width=300,
            ),
            tooltip=row.code,
            siaga_naive=True,
        ).add_to(group)
    group.add_to(m)
    folium.LayerControl().add_to(m)
    offline_assets(m)
    return map_html(m).replace("<head>", "<head>" + JQUERY_SHIM, 1)


def _streamlit_refresh_bytes(city, frame: pd.DataFrame, categories: dict) -> int:
    import streamlit_folium  # noqa: PLC0415 - heavy: only this figure needs streamlit

    base = base_map(city, categories=categories, layer_control=False)
    base.get_root().render()
    streamlit_folium._get_map_string(base)
    layer = streamlit_folium._get_feature_group_string(incident_layer(frame), base)
    return len(layer.encode())


def _app_usable_ms(browser, app_url: str, token: str, n: int, timeout_s: float) -> int:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        started = time.monotonic()
        page.goto(f"{app_url.rstrip('/')}/layar?token={token}")
        page.frame_locator("iframe[title='streamlit_folium.st_folium']").locator(
            ".leaflet-container"
        ).wait_for(state="visible", timeout=timeout_s * 1000)
        frame = next(f for f in page.frames if "st_folium" in f.url)
        frame.wait_for_function(APP_READY_JS, arg=n, timeout=timeout_s * 1000, polling=50)
        return round((time.monotonic() - started) * 1000)
    finally:
        page.close()


@contextmanager
def _loopback_server(root: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *_args) -> None:
            return

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _timed(func):
    started = time.perf_counter()
    value = func()
    return time.perf_counter() - started, value


def _per(total_bytes: int, n: int) -> float | None:
    return round(total_bytes / n, 1) if n else None


if __name__ == "__main__":
    sizes = [int(arg) for arg in sys.argv[1:]] or [1000, 5000]
    for size in sizes:
        print(json.dumps(run(size)))
        print(json.dumps(run_browser(size)))
