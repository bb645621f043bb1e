"""Benchmark: the server's CPU per viewer per refresh with 1, 8 and 32 viewers of one live view.

Starts the app (`streamlit run app.py`) on a fresh SQLite database, opens N Chromium pages of the
wall display (token URL) or of Peta Langsung (one signed-in browser context, N tabs), lets every
page settle, then reads the server process's CPU time (utime + stime in /proc/<pid>/stat, the
streamlit process only, never the browser's) over a fixed window. The figure is that CPU time
divided by viewers and by refreshes (window / refresh interval). SIAGA_LIVE_SHARED=0 in the
app's environment, with Streamlit's after-run garbage collection back on, gives the old
per-viewer rebuild for the "naive" column.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from tests.e2e.conftest import sign_in
from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, start_app

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
VIEWS = ("wall", "live")
VIEWERS = (1, 8, 32)


def run(
    *,
    viewers: tuple[int, ...] = VIEWERS,
    views: tuple[str, ...] = VIEWS,
    window_s: float = 40.0,
    refresh_s: float = 10.0,
    shared: bool = True,
) -> dict:
    """{view: {n: ms of server CPU per viewer per refresh}} for each viewer count."""
    folder = Path(tempfile.mkdtemp(prefix="siaga-viewers-"))
    url = f"sqlite:///{folder / 'viewers.db'}"
    server = start_app(
        url,
        folder,
        env=app_env(shared=shared),
    )
    results: dict[str, dict[str, float]] = {}
    shown: dict[str, int] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for view in views:
                results[view] = {}
                for n in viewers:
                    context = browser.new_context(viewport={"width": 1600, "height": 900})
                    pages, shown[f"{view}_{n}"] = _open(context, server.url, view, n)
                    time.sleep(refresh_s)  # every page past its first, heavier run
                    before = server_cpu_s(server.process.pid)
                    time.sleep(window_s)
                    used_s = server_cpu_s(server.process.pid) - before
                    refreshes = window_s / refresh_s
                    results[view][str(n)] = round(1000 * used_s / n / refreshes, 1)
                    for page in pages:
                        page.close()
                    context.close()
                    print(
                        f"    {view}, {n} viewers ({shown[f'{view}_{n}']} maps shown): "
                        f"{results[view][str(n)]} ms per viewer per refresh",
                        flush=True,
                    )
                    time.sleep(2)
            browser.close()
    finally:
        server.stop()
    return {
        "shared": shared,
        "window_s": window_s,
        "refresh_s": refresh_s,
        "ms_per_viewer_per_refresh": results,
        "maps_shown": shown,
    }


def app_env(*, shared: bool) -> dict[str, str]:
    """The app's environment for the shared live views, or for the old per-viewer way."""
    return {
        "SIAGA_DEMO_DAYS": "7",
        "SIAGA_LIVE_SHARED": "1" if shared else "0",
        # The old way also ran Streamlit's full gc.collect(2) after every script run
        # (.streamlit/config.toml turns it off since issue 16).
        **({} if shared else {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"}),
    }


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are the 14th and 15th fields; after the ")" they are 12th and 13th.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _open(context, base_url: str, view: str, n: int) -> tuple[list, int]:
    pages = []
    if view == "live":
        first = context.new_page()
        sign_in(first, base_url, "spv.eka")
        _goto(first, f"{base_url}/peta")
        pages.append(first)
    while len(pages) < n:
        page = context.new_page()
        path = "/layar?token=layar-demo-112" if view == "wall" else "/peta"
        _goto(page, f"{base_url}{path}")
        pages.append(page)
    # A page whose map never shows (the server too busy) is counted, not waited for forever.
    deadline = time.monotonic() + 120
    shown = 0
    for page in pages:
        left_ms = max(1_000, 1000 * (deadline - time.monotonic()))
        try:
            page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(
                state="visible", timeout=left_ms
            )
            shown += 1
        except PlaywrightTimeout:
            pass
    return pages, shown


def _goto(page, url: str) -> None:
    # The old way with 32 viewers can leave the server too busy to answer a navigation in
    # Playwright's 30 s: that page is counted as not shown (below), the run goes on.
    with contextlib.suppress(PlaywrightTimeout):
        page.goto(url, timeout=120_000)


if __name__ == "__main__":
    import json
    import sys

    counts = tuple(int(v) for v in sys.argv[1:]) or (1, 8)
    print(json.dumps(run(viewers=counts, shared=os.environ.get("SIAGA_LIVE_SHARED") != "0")))
