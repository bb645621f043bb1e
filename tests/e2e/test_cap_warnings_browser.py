"""CAP warnings in Chromium: the real Jawa Tengah sample on the live map (1366x768) and the wall
(1920x1080): banner and outline while it is in force, an Update supersedes it, a Cancel removes it,
and at its expiry the next refresh shows neither. Tren counts the calls during a past one.

The clock is the sample's: its sent/effective/expires (and an Update's or Cancel's references) are
rewritten so that it is in force now, then imported through dashboard.cap into the app's database.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from dashboard import cap, labels, trends
from dashboard import tables as t
from dashboard.db import make_engine
from dashboard.domain import format_wib, to_wib, utc_now
from dashboard.setup import DEMO_DISPLAY_TOKEN
from tests.e2e.conftest import DESK_VIEWPORTS, new_page, sign_in
from tests.helpers.browser import boxes_overlap, choose, settle

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "cap"
SCREENSHOTS = REPO / "static" / "screenshots"
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
SENDER = "cuaca.ekstrem@bmkg.go.id"
ORIGINAL_ID = "2.49.0.1.360.0.2026.02.16.16.45.005"
REFRESH_WAIT_MS = 40_000  # the pages refresh every 10 s (data/settings.json); a loaded CI box
# The warning layer inside the map's frame: per layer part, its colour and number of points.
OUTLINE_JS = """() => {
    const parts = [];
    map_div.eachLayer(l => {
        if (l.options && l.options.siagaLayer === 'cap_warnings' && l.getLayers) {
            l.getLayers().forEach(p => parts.push([p.options.color, p.getLatLngs().length]));
        }
    });
    return parts;
}"""


def cap_time(value: datetime) -> str:
    """A naive-UTC time as CAP writes it: WIB with its offset ("2026-02-16T22:00:00+07:00")."""
    return to_wib(value).isoformat(timespec="seconds")


def shifted(
    name: str,
    *,
    sent: datetime,
    expires: datetime | None = None,
    identifier: str | None = None,
    references: list[tuple[str, datetime]] = (),
) -> bytes:
    """A fixture with its times (and identifier, references) rewritten: the clock injected."""
    values = {"sent": cap_time(sent), "effective": cap_time(sent)}
    if expires is not None:
        values["expires"] = cap_time(expires)
    if identifier is not None:
        values["identifier"] = identifier
    if references:
        values["references"] = " ".join(f"{SENDER},{i},{cap_time(at)}" for i, at in references)
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for tag, value in values.items():
        text = re.sub(f"<{tag}>[^<]+</{tag}>", f"<{tag}>{value}</{tag}>", text)
    return text.encode("utf-8")


def until(expires: datetime) -> str:
    return f"sampai {format_wib(expires, with_date=False)[:5]} WIB"


@pytest.fixture
def engine(app_server, browser):
    """The app's database, migrated and seeded by a first visit; alerts ended afterwards."""
    page = new_page(browser, app_server.url)
    page.goto(app_server.url)
    page.get_by_label("Nama pengguna").or_(
        page.get_by_role("button", name="Keluar")
    ).first.wait_for(timeout=180_000)
    page.context.close()
    eng = make_engine(app_server.database_url)
    yield eng
    # A test that failed half-way leaves no warning on the other tests' screens.
    with eng.begin() as conn:
        conn.execute(
            update(t.cap_alerts)
            .where(t.cap_alerts.c.expires_utc > utc_now())
            .values(expires_utc=utc_now())
        )
    eng.dispose()


def settled_map(page):
    container = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    container.wait_for(state="visible")
    frame = next(f for f in page.frames if "st_folium" in f.url)
    frame.wait_for_function("() => window.map_div && map_div.siagaViewSettled === true")
    return frame


def outline(frame) -> list:
    return frame.evaluate(OUTLINE_JS)


def wait_outline(frame, expected: list) -> None:
    deadline = time.monotonic() + REFRESH_WAIT_MS / 1000
    while outline(frame) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"outline {outline(frame)!r}, expected {expected!r}")
        time.sleep(0.5)


def screenshot(page, name: str) -> None:
    path = SCREENSHOTS / name
    if os.environ.get("SIAGA_SCREENSHOTS") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))


def test_live_map_shows_the_warning_an_update_replaces_it_and_a_cancel_removes_it(
    browser, app_server, engine
):
    now = utc_now()
    sent, expires = now - timedelta(minutes=1), now + timedelta(minutes=5)
    cap.import_cap(engine, shifted("cap_jateng.xml", sent=sent, expires=expires), source="uji")
    page = new_page(browser, app_server.url, DESK_VIEWPORTS["1366x768"])
    try:
        sign_in(page, app_server.url, "spv.eka")
        page.get_by_role("link", name="Peta Langsung").click()
        frame = settled_map(page)
        # Marks this map's document: a reloaded frame (zoom and pan lost) would not have it.
        frame.evaluate("() => { window.siagaTestSameMap = true; }")
        banner = page.get_by_test_id("cap-banner")
        banner.wait_for()

        item = banner.get_by_test_id("cap-item")
        assert item.count() == 1
        assert f"Hujan Lebat dan Petir · Sedang · {until(expires)}" in item.inner_text()
        # The sample's triangle (three points in a row, closed: four), amber under black.
        wait_outline(frame, [["#ffc400", 4], ["#111111", 4]])
        # Above the map, on screen at 1366x768, covering nothing.
        map_box = page.locator(MAP_FRAME).bounding_box()
        banner_box = banner.bounding_box()
        assert banner_box["y"] >= 0 and banner_box["y"] + banner_box["height"] <= 768
        assert banner_box["y"] + banner_box["height"] <= map_box["y"]
        kpis = page.locator(".desk-kpis").bounding_box()
        assert not boxes_overlap(banner_box, kpis)
        screenshot(page, "cap_live_map.png")

        # An Update (more severe, a larger area) supersedes it: its text and its outline.
        update_sent, update_expires = utc_now(), utc_now() + timedelta(minutes=6)
        update_id = "siaga112.test.jateng.2026.02.16.update.006"
        body = shifted(
            "cap_jateng_update.xml",
            sent=update_sent,
            expires=update_expires,
            references=[(ORIGINAL_ID, sent)],
        )
        cap.import_cap(engine, body, source="uji")
        page.get_by_text(f"Hujan Lebat dan Petir · Berat · {until(update_expires)}").wait_for(
            timeout=REFRESH_WAIT_MS
        )
        assert page.get_by_test_id("cap-item").count() == 1
        assert "Wilayah: Pekalongan Utara, Pekalongan Barat" in (
            page.get_by_test_id("cap-item").inner_text()
        )
        wait_outline(frame, [["#ffc400", 5], ["#111111", 5]])

        # A Cancel of both: no banner, no outline, the map still there.
        body = shifted(
            "cap_jateng_cancel.xml",
            sent=utc_now(),
            references=[(ORIGINAL_ID, sent), (update_id, update_sent)],
        )
        cap.import_cap(engine, body, source="uji")
        banner.wait_for(state="detached", timeout=REFRESH_WAIT_MS)
        wait_outline(frame, [])
        # The same map all along: the warning came and went without reloading it.
        assert frame.evaluate("() => window.siagaTestSameMap === true")
        assert page.watch.page_errors == []
        assert page.watch.foreign_requests == []
    finally:
        page.context.close()


def test_wall_shows_the_warning_large_beside_a_whole_map_until_it_expires(
    browser, app_server, engine
):
    now = utc_now()
    # In force for about 45 s from now: the test waits for the expiry itself.
    sent, expires = now - timedelta(minutes=1), now + timedelta(seconds=45)
    body = shifted(
        "cap_jateng.xml", sent=sent, expires=expires, identifier="siaga112.test.wall.expiry"
    )
    cap.import_cap(engine, body, source="uji")
    page = new_page(browser, app_server.url, {"width": 1920, "height": 1080})
    try:
        page.goto(f"{app_server.url}/layar?token={DEMO_DISPLAY_TOKEN}")
        frame = settled_map(page)
        frame.evaluate("() => { window.siagaTestSameMap = true; }")
        banner = page.get_by_test_id("cap-banner")
        banner.wait_for()
        assert f"Hujan Lebat dan Petir · Sedang · {until(expires)}" in banner.inner_text()
        wait_outline(frame, [["#ffc400", 4], ["#111111", 4]])
        assert page.get_by_test_id("wall-legend").locator(".wl-cap").is_visible()
        screenshot(page, "cap_wall.png")

        # Read from across the room, above the map, and the whole wall still fits the screen.
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('.cap-banner .cap-head, .cap-banner .cap-item')]
            .map(el => parseFloat(getComputedStyle(el).fontSize))"""
        )
        assert sizes and min(sizes) >= 24, sizes
        map_box = page.locator(MAP_FRAME).bounding_box()
        banner_box = banner.bounding_box()
        assert banner_box["y"] + banner_box["height"] <= map_box["y"]
        assert map_box["y"] + map_box["height"] <= 1080
        assert map_box["height"] >= 400

        # Shown at every look until its expiry (no blink at a refresh), then gone at the next
        # refresh: no banner, no outline, no legend line, and still the same map.
        while utc_now() < expires - timedelta(seconds=1):
            assert banner.count() == 1, f"no banner at {utc_now()}, in force until {expires}"
            time.sleep(0.5)
        banner.wait_for(state="detached", timeout=REFRESH_WAIT_MS)
        assert utc_now() >= expires
        wait_outline(frame, [])
        expect(page.get_by_test_id("wall-legend").locator(".wl-cap")).to_have_count(0)
        assert frame.evaluate("() => window.siagaTestSameMap === true")
        assert page.watch.page_errors == []
        assert page.watch.foreign_requests == []
    finally:
        page.context.close()


def in_force_windows(engine) -> list[tuple[datetime, datetime]]:
    """Each stored real warning touching the city as [start, end), read without dashboard.cap:
    effective (else sent) until expires (else 6 h after sent) or its Update/Cancel."""
    a = t.cap_alerts.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(a.sent_utc, a.effective_utc, a.expires_utc, a.superseded_at_utc).where(
                a.touches_city.is_(True), a.status == "Actual", a.msg_type != "Cancel"
            )
        ).all()
    windows = []
    for row in rows:
        end = row.expires_utc or row.sent_utc + timedelta(hours=6)
        if row.superseded_at_utc is not None:
            end = min(end, row.superseded_at_utc)
        windows.append((row.effective_utc or row.sent_utc, end))
    return windows


def test_tren_counts_the_days_calls_during_a_past_warning_and_exports_that_table(
    browser, app_server, engine
):
    # A warning in force from 20 hours ago until 2 hours ago: part of the demo's recent calls.
    now = utc_now()
    sent, expires = now - timedelta(hours=20), now - timedelta(hours=2)
    body = shifted(
        "cap_jateng.xml", sent=sent, expires=expires, identifier="siaga112.test.tren.window"
    )
    cap.import_cap(engine, body, source="uji")
    with engine.connect() as conn:
        received = conn.execute(select(t.incidents.c.received_at_utc)).scalars().all()
    # The file's earlier tests left warnings of their own (around their "now"): a call in any
    # in-force window counts once, so the expected figure is the union of all stored windows.
    windows = in_force_windows(engine)
    during = sum(1 for at in received if any(start <= at < end for start, end in windows))
    flt = trends.default_filter(now_utc=now)
    in_range = sum(1 for at in received if flt.since_utc <= at < flt.until_utc)
    assert 0 < during < in_range

    page = new_page(browser, app_server.url)
    try:
        sign_in(page, app_server.url, "pimpinan")
        page.get_by_role("link", name="Tren").click()
        heading = page.get_by_role("heading", name=labels.TREND_SECTION_CAP)
        heading.wait_for()
        heading.scroll_into_view_if_needed()
        screenshot(page, "cap_tren.png")
        choose(page, labels.TREND_EXPORT_TABLE, labels.TREND_TABLE["cap_split"])
        # The choice reruns the page; until it has, the button still holds the old table.
        for _ in range(10):
            settle(page)
            with page.expect_download() as download:
                page.get_by_role("button", name=labels.TREND_EXPORT_CSV).click()
            if download.value.suggested_filename.startswith("tren-cap_split-"):
                break
            page.wait_for_timeout(1_000)
        assert download.value.suggested_filename.startswith("tren-cap_split-")
        rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8-sig"))))
        total = rows[-1]
        assert total[labels.TREND_COL["category"]] == labels.TREND_CAP_ALL
        assert int(total[labels.TREND_COL["cap_during"]]) == during
        assert int(total[labels.TREND_COL["cap_outside"]]) == in_range - during
        assert sum(int(r[labels.TREND_COL["cap_during"]]) for r in rows[:-1]) == during
        assert page.watch.page_errors == []
    finally:
        page.context.close()
