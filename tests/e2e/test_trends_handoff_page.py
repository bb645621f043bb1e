"""Leadership opens Tren in Chromium and finds how reports reach the OPDs: the hand-off
section with its chart, the per-OPD-and-channel table and the silence ranking."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import labels
from tests.e2e.test_trends_page import open_trends

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
COL = labels.TREND_COL


def test_tren_shows_the_hand_off_section_per_opd_and_channel(page, app_server):
    open_trends(page, app_server.url)
    heading = page.get_by_role("heading", name=labels.TREND_SECTION_HANDOFF)
    heading.wait_for()
    heading.scroll_into_view_if_needed()
    page.get_by_text(labels.TREND_HANDOFF_CHART_TITLE).wait_for()
    page.get_by_text(labels.TREND_ESCALATION_CHART_TITLE).wait_for()
    page.get_by_text(labels.TREND_SILENCE_TITLE).wait_for()
    # The demo month hands reports to the OPDs through the browser: the table says so with
    # Indonesian headers and decimal-comma minutes (grid cells are in the page, drawn on canvas).
    for text in (COL["ack_median_min"], COL["ack_within_pct"], labels.TREND_CHANNEL["browser"]):
        page.get_by_text(text, exact=True).first.wait_for(state="attached")
    section = page.get_by_text(labels.TREND_HANDOFF_CHART_TITLE).locator(
        "xpath=ancestor::*[@data-testid='stHorizontalBlock'][1]"
    )
    assert section.locator("[data-testid='stVegaLiteChart']").count() >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "trends-handoff.png"), full_page=False)
    page.get_by_text(labels.TREND_SILENCE_TITLE).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "trends-handoff-tables.png"), full_page=False)
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []
