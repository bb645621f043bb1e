"""Layar dinding over several timed refreshes, without the browser's change watch.

The wall's top (clock, "data per", KPIs, banners) runs at every refresh; the map and the list
beside it are sent again only when what they show changed. Here the watch is off
(SIAGA_LIVE_WATCH_S=0, as behind a proxy that drops its polls): a new call must still reach
the map at a timed refresh, the top must keep moving, and the map's frame is never reloaded.
On a 1366x768 screen the whole wall, map included, fits without scrolling.
"""

from __future__ import annotations

import time

import pytest

from dashboard.incidents import NewReport, create_incident
from tests.conftest import CALL_TAKER_ANI
from tests.e2e.harness import start_app
from tests.e2e.test_wall_news import HAS_ID_JS, open_wall_map, seeded_page

pytestmark = pytest.mark.browser

REFRESH_S = 3


@pytest.fixture(scope="module")
def unwatched_wall_server(tmp_path_factory):
    """The app on its own database, the browser-side change watch off."""
    folder = tmp_path_factory.mktemp("wall-refresh")
    server = start_app(
        f"sqlite:///{folder / 'siaga.db'}",
        folder,
        env={"SIAGA_DEMO_DAYS": "2", "SIAGA_LIVE_WATCH_S": "0", "SIAGA_DEMO_LIVE": "0"},
    )
    yield server
    server.stop()


def as_of_text(page) -> str:
    return page.locator(".wall-asof").inner_text()


def test_without_the_watch_a_new_call_reaches_the_map_at_a_timed_refresh_in_the_same_frame(
    browser, unwatched_wall_server
):
    server = unwatched_wall_server
    context, page, watch, engine = seeded_page(
        browser, server, viewport={"width": 1366, "height": 768}, refresh_s=REFRESH_S
    )
    try:
        frame = open_wall_map(page, server)

        # Two timed refreshes with nothing new: the top moves ("data per" is newer) ...
        first = as_of_text(page)
        page.wait_for_function(
            "(before) => document.querySelector('.wall-asof').innerText !== before",
            arg=first,
            timeout=4 * REFRESH_S * 1000,
        )
        second = as_of_text(page)
        page.wait_for_function(
            "(before) => document.querySelector('.wall-asof').innerText !== before",
            arg=second,
            timeout=4 * REFRESH_S * 1000,
        )

        recorded = create_incident(
            engine,
            CALL_TAKER_ANI,
            NewReport(
                category_code="KEBAKARAN",
                kondisi="Gudang kain terbakar",
                lat=-6.8890,
                lon=109.6740,
                address="Jl. Hayam Wuruk No. 9",
                caller_phone="081234567890",
            ),
        )
        # ... and a new call is on the map at a timed refresh, and in the list beside it.
        frame.wait_for_function(
            HAS_ID_JS, arg=recorded.id, timeout=6 * REFRESH_S * 1000, polling=200
        )
        page.get_by_text(recorded.code).first.wait_for(timeout=4 * REFRESH_S * 1000)
        time.sleep(REFRESH_S + 1)  # one more refresh after it
        still_there = frame.evaluate(HAS_ID_JS, recorded.id)
        not_reloaded = frame.evaluate("() => window.siagaNotReloaded === true")
        kpis_shown = page.locator(".wall-kpis").count()
        # At 1366x768 the whole wall is on the screen: the map's frame ends inside it and the
        # page does not scroll (the 1080p layout scaled down).
        fits = page.evaluate(
            """() => {
                const f = document.querySelector("iframe[title='streamlit_folium.st_folium']");
                const r = f.getBoundingClientRect();
                return {bottom: r.bottom, height: r.height, inner: innerHeight,
                        scroll: document.scrollingElement.scrollHeight};
            }"""
        )
    finally:
        engine.dispose()
        context.close()

    assert first != second
    assert still_there
    assert not_reloaded, "the map's frame was reloaded: the wall would blink"
    assert kpis_shown == 1
    assert fits["bottom"] <= fits["inner"], fits
    assert fits["scroll"] <= fits["inner"], fits
    assert fits["height"] > 0.6 * fits["inner"], "the map is most of the screen's height"
    assert watch.page_errors == []
