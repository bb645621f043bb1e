"""Leadership opens Tren: charts, the count map, and a CSV download with masked phone numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import labels
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE_DIGITS = re.compile(r"(?<!\d)0\d{9,12}(?!\d)")


def open_trends(page, app_url: str) -> None:
    sign_in(page, app_url, "pimpinan")
    page.get_by_role("link", name="Tren").click()
    page.get_by_role("heading", name=labels.TREND_TITLE).wait_for()


def test_leadership_sees_charts_map_and_downloads_a_masked_csv(page, app_server):
    open_trends(page, app_server.url)

    map_frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    container = map_frame.locator(".leaflet-container")
    container.wait_for(state="visible")
    box = container.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 200
    legend = map_frame.get_by_text(labels.TREND_MAP_LEGEND_TITLE)
    legend.wait_for()
    assert map_frame.get_by_text(labels.TREND_MAP_LAYER_KELURAHAN).first.is_visible()

    page.get_by_role("heading", name=labels.TREND_SECTION_VOLUME).wait_for()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.nth(4).wait_for()  # volume, prank counts, prank share, reassignment, staffing
    assert page.get_by_text(labels.TREND_STAGE["forward"] + " (median)").is_visible()

    download = page.get_by_role("button", name=labels.TREND_EXPORT_CSV)
    download.scroll_into_view_if_needed()
    with page.expect_download() as info:
        download.click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    assert labels.TREND_COL["phone_masked"] in header
    assert labels.TREND_COL["received_wib"] in header
    assert len(text.splitlines()) > 100, "a month of demo calls should be in the export"
    assert PHONE_DIGITS.findall(text) == [], "leadership exports never carry raw phone numbers"

    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []
