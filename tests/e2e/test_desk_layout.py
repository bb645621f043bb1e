"""The live map on a laptop and a monitor: most of the map on screen, KPI labels in full."""

from __future__ import annotations

import pytest

from dashboard import labels
from tests.e2e.conftest import sign_in
from tests.helpers.browser import open_page, settle

pytestmark = pytest.mark.browser

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def test_the_live_map_shows_at_least_half_its_map_and_every_kpi_label_in_full(
    desk_page, app_server
):
    page = desk_page
    sign_in(page, app_server.url, "spv.eka")
    open_page(page, labels.LIVE_TITLE)
    page.frame_locator(MAP_FRAME).first.locator(".leaflet-container").wait_for(timeout=60_000)
    page.locator(".desk-kpi").first.wait_for()
    settle(page)
    box = page.locator(MAP_FRAME).first.bounding_box()
    height = page.viewport_size["height"]
    visible = max(0.0, min(box["y"] + box["height"], height) - max(box["y"], 0.0))
    assert visible >= box["height"] / 2, f"{page.viewport_name}: {visible:.0f} of {box['height']}"
    cut = page.evaluate(
        "() => [...document.querySelectorAll('.desk-kpi .k-label')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"
    )
    assert cut == [], f"{page.viewport_name}: KPI labels cut: {cut}"
    assert page.watch.page_errors == []
