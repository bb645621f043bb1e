"""Layar dinding in Chromium at 1920x1080: no phone number anywhere, bad tokens refused clearly."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard import tables as t
from dashboard.db import make_engine
from dashboard.domain import OPEN_STATUSES
from dashboard.incidents import create_incident
from dashboard.setup import DEMO_DISPLAY_TOKEN
from tests.conftest import CALL_TAKER_ANI, new_report
from tests.e2e.conftest import new_page
from tests.e2e.harness import RequestWatch
from tests.helpers.browser import MAP_FRAME, boxes_overlap, settled_map_frame

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "static" / "screenshots" / "wall.png"


@pytest.fixture
def wall_page(browser, app_server):
    page = new_page(browser, app_server.url, {"width": 1920, "height": 1080}, timeout_ms=60_000)
    yield page
    page.context.close()


def open_wall(page, app_url: str, token: str = DEMO_DISPLAY_TOKEN):
    page.goto(f"{app_url}/layar?token={token}")
    return settled_map_frame(page, larger_than_px=(800, 600))


def phone_forms(phone: str) -> set[str]:
    """The ways a stored national number could show up: 0812..., 812..., 62812..."""
    digits = re.sub(r"\D", "", phone)
    return {digits, digits.lstrip("0"), "62" + digits.lstrip("0")}


def test_wall_shows_no_caller_phone_number_of_any_open_incident(wall_page, app_server):
    engine = make_engine(app_server.database_url)
    wall_page.goto(app_server.url)  # the first visit seeds the database
    wall_page.get_by_label("Nama pengguna").wait_for()
    create_incident(
        engine,
        CALL_TAKER_ANI,
        new_report(
            "BANJIR",
            "Air masuk rumah, hubungi saya di 0856 4321 9876 kalau tim datang",
            (-6.8631, 109.6789),
            "Jl. Pelita No. 3, dekat 0856-4321-9876",
            caller_phone="0856 4321 9876",
        ),
    )
    with engine.connect() as conn:
        phones = conn.execute(
            select(t.incidents.c.caller_phone).where(t.incidents.c.status.in_(OPEN_STATUSES))
        ).scalars()
        forms = set().union(*(phone_forms(p) for p in phones if p))
    engine.dispose()
    assert "085643219876" in forms

    frame = open_wall(wall_page, app_server.url)
    wall_page.get_by_text("Laporan terbaru").wait_for()
    wall_page.get_by_text(re.compile(r"\d\d:\d\d WIB")).first.wait_for()
    page_text = re.sub(r"\D", "", wall_page.locator("body").inner_text())
    # The map's own document and every marker's tooltip as it would open (built on hover).
    map_html = re.sub(r"[\s\-]", "", frame.evaluate(_MAP_TEXT_JS))
    assert "leaflet" in map_html and "WIB" in map_html

    leaked = sorted(form for form in forms if form in page_text or form in map_html)
    assert leaked == []
    assert wall_page.get_by_text("Data per").count() == 1
    assert wall_page.locator("[data-testid='stSidebar']").is_hidden()

    if os.environ.get("SIAGA_SCREENSHOTS") == "1" or not SCREENSHOT.exists():
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        wall_page.screenshot(path=str(SCREENSHOT))
    assert wall_page.watch.page_errors == []
    assert wall_page.watch.foreign_requests == []


def test_a_wrong_token_gets_a_clear_message_and_no_map(wall_page, app_server):
    wall_page.goto(f"{app_server.url}/layar?token=bukan-token-yang-benar")

    wall_page.get_by_text("Token layar dinding tidak sah atau sudah dicabut.").wait_for()
    assert wall_page.get_by_text("Minta tautan layar dinding yang baru").count() == 1
    assert wall_page.locator(MAP_FRAME).count() == 0
    assert wall_page.watch.page_errors == []


@pytest.mark.parametrize("path", ["/layar", "/layar/", "/layar?token="])
def test_the_wall_address_without_a_token_says_so_in_indonesian_never_page_not_found(
    wall_page, app_server, path
):
    # A TV's bookmark that lost its token: a readable message on the screen, not a dialog.
    wall_page.goto(f"{app_server.url}{path}")

    wall_page.get_by_text("Alamat layar dinding ini tidak memuat token").wait_for()
    assert wall_page.get_by_text("Minta tautan layar dinding yang baru").count() == 1
    assert not wall_page.get_by_text("Page not found").is_visible()
    assert wall_page.locator(MAP_FRAME).count() == 0


_MAP_TEXT_JS = """() => {
    const texts = [document.documentElement.outerHTML];
    map_div.eachLayer((layer) => {
        if (!layer.options || layer.options.siagaLayer !== "incidents") { return; }
        for (const marker of layer.getLayers()) {
            const content = marker.getTooltip() && marker.getTooltip().getContent();
            const box = document.createElement("div");
            if (typeof content === "function") { box.appendChild(content(marker)); }
            else { box.textContent = content || ""; }
            texts.push(box.textContent);
        }
    });
    return texts.join("\\n");
}"""


_TEXT_SIZES_JS = """() => [...document.querySelectorAll(
    '.wall-legend .wl-item, .wall-list td, .wall-list .sub, .wall-kpi .k-label, .wall-asof')]
    .filter((el) => el.textContent.trim())
    .map((el) => [el.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(el).fontSize)])"""


def test_the_wall_legend_sits_beside_the_map_in_type_read_from_five_metres(wall_page, app_server):
    frame = open_wall(wall_page, app_server.url)
    legend = wall_page.get_by_test_id("wall-legend")
    map_box = wall_page.locator(MAP_FRAME).bounding_box()
    legend_box = legend.bounding_box()
    assert legend_box is not None and map_box is not None
    assert not boxes_overlap(legend_box, map_box), "the legend must never cover the map"
    assert frame.locator(".siaga-legend").count() == 0  # no legend drawn inside the map
    # Six classes a person tells apart, not eighteen category colours.
    assert legend.locator(".wl-classes .wl-item").count() == 6
    sizes = wall_page.evaluate(_TEXT_SIZES_JS)
    assert sizes and all(size >= 24 for _text, size in sizes), sizes
    # The whole wall fits the screen: nothing a person must read is below the fold.
    assert map_box["y"] + map_box["height"] <= 1080


def test_on_a_4k_screen_the_wall_scales_up_instead_of_shrinking(browser, app_server):
    context = browser.new_context(viewport={"width": 3840, "height": 2160}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.watch = RequestWatch(page, app_server.url)
    try:
        open_wall(page, app_server.url)
        item = page.get_by_test_id("wall-legend").locator(".wl-item").first.bounding_box()
        map_box = page.locator(MAP_FRAME).bounding_box()
        # Twice the 1080p size: legend lines about 60 px tall, the map over 1,200 px high.
        assert item is not None and item["height"] >= 50
        assert map_box is not None and map_box["height"] >= 1200
        assert map_box["y"] + map_box["height"] <= 2160
    finally:
        context.close()
