"""Outages and replicas, in Chromium against a private PostgreSQL server this module may stop.

With the database down, the live map and the wall display show a clear banner over the last data
(never a stack trace) and recover by themselves once it is back. Two `streamlit run` replicas share
one PostgreSQL database: a reassignment made on replica A's Penugasan page reaches replica B's wall
display within the refresh interval (plus a margin for the browser round trip).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard import incidents as svc
from dashboard import labels
from dashboard import tables as t
from dashboard.catalogue import set_setting
from dashboard.db import make_engine
from dashboard.domain import utc_now
from dashboard.setup import DEMO_DISPLAY_TOKEN, prepare_database
from tests.conftest import CALL_TAKER_ANI, new_report
from tests.e2e.conftest import new_page, sign_in
from tests.e2e.harness import start_app
from tests.helpers.browser import pick
from tests.helpers.private_pg import private_postgres

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REFRESH_S = 3
# Browser round trip, Streamlit rerun and a cold reconnect on top of one refresh interval.
MARGIN_S = 20
APP_ENV = {"SIAGA_DEMO_DAYS": "3"}
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "static" / "screenshots"


@pytest.fixture(scope="module")
def private_pg():
    with private_postgres() as server:
        yield server


@pytest.fixture(scope="module")
def database_url(private_pg):
    """A demo database (3 days) on the private server, refreshing every REFRESH_S seconds."""
    url = private_pg.create_database()
    engine = make_engine(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIAGA_DEMO_DAYS", APP_ENV["SIAGA_DEMO_DAYS"])
        prepare_database(engine, demo_mode=True)
    set_setting(engine, "refresh_interval_s", REFRESH_S)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def replica_a(database_url, tmp_path_factory):
    server = start_app(database_url, tmp_path_factory.mktemp("replica_a"), env=APP_ENV)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replica_b(database_url, tmp_path_factory):
    server = start_app(database_url, tmp_path_factory.mktemp("replica_b"), env=APP_ENV)
    yield server
    server.stop()


@contextmanager
def watched_page(browser, server):
    page = new_page(browser, server.url, timeout_ms=60_000)
    try:
        yield page
    finally:
        page.context.close()


@pytest.mark.timeout(240)
def test_pages_show_a_banner_while_postgresql_is_down_and_recover_by_themselves(
    browser, private_pg, replica_a
):
    with watched_page(browser, replica_a) as live, watched_page(browser, replica_a) as wall:
        sign_in(live, replica_a.url, "spv.eka")
        live.get_by_role("link", name="Peta Langsung").click()
        _wait_for_map(live)
        wall.goto(f"{replica_a.url}/layar?token={DEMO_DISPLAY_TOKEN}")
        _wait_for_map(wall)
        banners = {live: labels.ERR_DATABASE, wall: labels.WALL_DB_DOWN}
        for page in banners:
            _map_frame(page).evaluate("() => { window.siagaTestSameMap = true; }")

        private_pg.stop()
        stopped = time.monotonic()
        for page, banner in banners.items():
            page.get_by_text(banner).first.wait_for(timeout=(REFRESH_S + MARGIN_S) * 1000)
        # Let a few more refreshes fail: each must keep the banner and the last map, no trace.
        _wait_for_refreshes(live, wall, count=2)
        for page, banner in banners.items():
            assert page.get_by_text(banner).first.is_visible()
            _assert_no_trace(page)
            _assert_map_shown(page)
            # The last map stays as it was (zoom and pan kept): the banner did not reload it.
            assert _map_frame(page).evaluate("() => window.siagaTestSameMap === true")
        _screenshot(live, "outage-live-map.png")
        _screenshot(wall, "outage-wall.png")
        # Any page opened during the outage says so too (Tren and Laporan baru read the database
        # outside the services' error handling: app.py shows their banner).
        for name in ("Beranda", "Laporan baru", "Penugasan", "Tren", "Peta Langsung"):
            live.get_by_role("link", name=name).click()
            live.get_by_text(labels.ERR_DATABASE).first.wait_for()
            _assert_no_trace(live)
        down_for_s = time.monotonic() - stopped

        private_pg.start()
        started = time.monotonic()
        for page, banner in banners.items():
            page.get_by_text(banner).first.wait_for(
                state="detached", timeout=(REFRESH_S + MARGIN_S) * 1000
            )
        recovered_s = time.monotonic() - started
        for page in banners:
            _wait_for_map(page)
            _assert_clean(page)
        print(
            f"outage: database down {down_for_s:.0f} s, both pages recovered "
            f"{recovered_s:.1f} s after it returned (refresh every {REFRESH_S} s)"
        )


@pytest.mark.timeout(240)
def test_a_reassignment_on_replica_a_reaches_the_wall_display_of_replica_b(
    browser, private_pg, database_url, replica_a, replica_b
):
    if not private_pg.is_running():
        private_pg.start()
    engine = make_engine(database_url)
    try:
        recorded = svc.create_incident(
            engine,
            CALL_TAKER_ANI,
            new_report(
                "KEBAKARAN",
                "Asap tebal dari gudang kain",
                (-6.8890, 109.6750),
                "Jl. Hayam Wuruk",
                forward_to="BPBD",
                received_at_utc=utc_now() - timedelta(seconds=5),
            ),
        )
        with engine.connect() as conn:
            names = dict(conn.execute(select(t.opds.c.code, t.opds.c.short_name)).all())
    finally:
        engine.dispose()
    with watched_page(browser, replica_b) as wall, watched_page(browser, replica_a) as desk:
        wall.goto(f"{replica_b.url}/layar?token={DEMO_DISPLAY_TOKEN}")
        _wait_for_map(wall)
        row = wall.locator(".wall-list tr", has_text=recorded.code)
        row.wait_for(timeout=(REFRESH_S + MARGIN_S) * 1000)
        assert names["BPBD"] in row.inner_text()

        sign_in(desk, replica_a.url, "spv.eka")
        desk.get_by_role("link", name="Penugasan").click()
        pick(desk, labels.PICK_INCIDENT, recorded.code)
        pick(desk, labels.FIELD_REASSIGN_TO, names["DAMKAR"])
        desk.get_by_label(labels.FIELD_REASSIGN_REASON).fill("Api membesar, butuh mobil pemadam")
        desk.get_by_role("button", name=labels.BTN_REASSIGN).click()
        desk.get_by_text(labels.DONE_REASSIGN.format(code=recorded.code)).wait_for()
        done = time.monotonic()

        wall.locator(".wall-list tr", has_text=recorded.code).filter(
            has_text=names["DAMKAR"]
        ).wait_for(timeout=(REFRESH_S + MARGIN_S) * 1000)
        seen_after_s = time.monotonic() - done
        for page in (wall, desk):
            _assert_clean(page)
        print(
            f"replicas: reassignment on A seen on B's wall after {seen_after_s:.1f} s "
            f"(refresh every {REFRESH_S} s)"
        )


def _screenshot(page, name: str) -> None:
    """README pictures: written when missing, or on request (SIAGA_SCREENSHOTS=1)."""
    path = SCREENSHOTS / name
    if os.environ.get("SIAGA_SCREENSHOTS") == "1" or not path.exists():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))


def _wait_for_map(page) -> None:
    container = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    container.wait_for(state="visible")
    box = container.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200


def _map_frame(page):
    return next(frame for frame in page.frames if "st_folium" in frame.url)


def _assert_map_shown(page) -> None:
    container = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    assert container.is_visible()


def _assert_no_trace(page) -> None:
    shown = page.locator("[data-testid='stException']")
    assert shown.count() == 0, shown.first.inner_text()[-1500:]
    assert "Traceback" not in page.locator("body").inner_text()


def _assert_clean(page) -> None:
    """No traceback shown, no script error, no request to another site."""
    _assert_no_trace(page)
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def _wait_for_refreshes(*pages, count: int) -> None:
    """Wait for `count` refresh intervals to pass (observing, not asserting a duration)."""
    for page in pages:
        page.wait_for_timeout(REFRESH_S * 1000 * count / len(pages))


@pytest.mark.timeout(240)
def test_an_app_started_while_postgresql_is_down_says_so_and_comes_up_by_itself(
    browser, private_pg, database_url, tmp_path_factory
):
    # A command-room PC rebooted during an outage: nobody is there to click "reload".
    private_pg.stop()
    server = None
    try:
        server = start_app(database_url, tmp_path_factory.mktemp("cold_start"), env=APP_ENV)
        with watched_page(browser, server) as page:
            page.goto(server.url)
            page.get_by_text(labels.ERR_DATABASE).first.wait_for()
            _assert_no_trace(page)
            private_pg.start()
            page.get_by_label("Nama pengguna").wait_for(timeout=(5 + MARGIN_S) * 1000)
            assert page.get_by_text(labels.ERR_DATABASE).count() == 0
            _assert_no_trace(page)
            assert page.watch.foreign_requests == []
    finally:
        if not private_pg.is_running():
            private_pg.start()
        if server is not None:
            server.stop()
