"""Alerts in Chromium: an OPD admin's open page hears and sees a new incident within one refresh,
it survives a reload and ends with Terima; a silent OPD's incident escalates to the supervisor's
page and the wall, and the incident's log has the escalation."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard import escalation, labels
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.domain import CALL_TAKER, OPD_ADMIN, Actor, utc_now
from dashboard.setup import DEMO_DISPLAY_TOKEN
from tests.conftest import new_report
from tests.e2e.conftest import DESK_VIEWPORTS, new_page, sign_in
from tests.helpers.browser import settle

pytestmark = pytest.mark.browser

REFRESH_S = 10  # the strip's refresh interval (the demo setting)
STRIP = "[data-testid='siaga-alert-strip']"
CALL_TAKER_ANI = Actor("ct.ani", CALL_TAKER)
# Counts each attempt to play a sound and each desktop notification the page creates.
RECORDER = """
window.__siagaPlays = [];
window.__siagaRefused = 0;
// Set by the test: the browser refuses sound as it does before any click in the page.
window.__siagaBlockSound = false;
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (window.__siagaBlockSound) {
    window.__siagaRefused++;
    return Promise.reject(new DOMException("no user gesture", "NotAllowedError"));
  }
  window.__siagaPlays.push(this.currentSrc || this.src);
  return realPlay.apply(this, arguments);
};
document.addEventListener("pointerdown", () => { window.__siagaBlockSound = false; }, true);
window.__siagaNotes = [];
const RealNotification = window.Notification;
window.Notification = function (title, options) {
  window.__siagaNotes.push(title);
  return new RealNotification(title, options);
};
Object.defineProperty(window.Notification, "permission", {get: () => RealNotification.permission});
window.Notification.requestPermission = (...a) => RealNotification.requestPermission(...a);
"""


def record_on(page, app_url: str):
    """The page's sounds and notifications recorded, notifications allowed (asked once)."""
    page.context.grant_permissions(["notifications"], origin=app_url)
    page.context.add_init_script(RECORDER)
    return page


def report(kondisi: str, *, forward_to: str) -> svc.NewReport:
    return new_report(
        "BANJIR", kondisi, (-6.8680, 109.6880), "Jl. Pelita No. 3", forward_to=forward_to
    )


def test_a_new_incident_alerts_the_opd_with_sound_and_notification_until_terima(
    desk_page, app_server, app_engine
):
    page, viewport = record_on(desk_page, app_server.url), desk_page.viewport_name
    try:
        sign_in(page, app_server.url, "opd.rsud")
        made = svc.create_incident(
            app_engine, CALL_TAKER_ANI, report(f"Banjir {uuid.uuid4().hex[:6]}", forward_to="RSUD")
        )
        strip = page.locator(STRIP)
        expect(strip).to_contain_text(made.code, timeout=(REFRESH_S + 8) * 1000)
        expect(strip).to_contain_text("Banjir")
        assert "Pekalongan Utara" in strip.inner_text()
        page.wait_for_function("() => window.__siagaPlays.length > 0", timeout=5_000)
        assert page.evaluate("window.__siagaPlays")[0].endswith("/sounds/siaga-alert.wav")
        notes = page.evaluate("window.__siagaNotes")
        assert f"Laporan baru {made.code}" in notes
        # Compact: the page's own title is still on screen above the fold with the strip there.
        box = strip.bounding_box()
        assert box["height"] < 120, f"{viewport}: strip {box['height']:.0f} px high"
        page.screenshot(path=f"/tmp/shots/alerts-opd-{viewport}.png")
        page.reload()
        expect(page.locator(STRIP)).to_contain_text(made.code, timeout=30_000)
        # The reload did not announce the same alert again (its id is remembered by the tab).
        page.wait_for_timeout(1_500)
        assert f"Laporan baru {made.code}" not in page.evaluate("window.__siagaNotes")
        # Sound refused (no click yet in this document): the strip offers "Aktifkan suara".
        page.evaluate("window.__siagaBlockSound = true")
        second = svc.create_incident(
            app_engine, CALL_TAKER_ANI, report(f"Banjir {uuid.uuid4().hex[:6]}", forward_to="RSUD")
        )
        expect(page.locator(STRIP)).to_contain_text(second.code, timeout=(REFRESH_S + 8) * 1000)
        sound_on = page.locator(STRIP).get_by_role("button", name=labels.BTN_SOUND_ON)
        expect(sound_on).to_be_visible(timeout=5_000)
        assert page.evaluate("window.__siagaRefused") >= 1
        plays = page.evaluate("window.__siagaPlays.length")
        sound_on.click()
        page.wait_for_function(f"() => window.__siagaPlays.length > {plays}", timeout=5_000)
        expect(sound_on).to_be_hidden()
        svc.acknowledge(app_engine, Actor("opd.rsud", OPD_ADMIN, "RSUD"), second.id, seen_version=1)
        page.get_by_role("button", name=labels.STRIP_BTN_OPEN.format(code=made.code)).click()
        page.get_by_role("button", name=labels.BTN_ACKNOWLEDGE).click()
        page.get_by_text(labels.DONE_ACKNOWLEDGE.format(code=made.code)).wait_for()
        expect(page.locator(STRIP)).to_have_count(0, timeout=(REFRESH_S + 8) * 1000)
        settle(page)
        page.screenshot(path=f"/tmp/shots/alerts-opd-after-terima-{viewport}.png")
        assert page.watch.page_errors == []
    finally:
        page.context.clear_permissions()


def test_a_silent_opd_escalates_to_the_supervisor_page_and_the_wall(
    browser, app_server, app_engine
):
    page = record_on(new_page(browser, app_server.url, DESK_VIEWPORTS["1366x768"]), app_server.url)
    wall = new_page(browser, app_server.url, {"width": 1920, "height": 1080})
    try:
        sign_in(page, app_server.url, "spv.eka")
        hour_ago = utc_now() - timedelta(hours=1)
        made = svc.create_incident(
            app_engine,
            CALL_TAKER_ANI,
            report(f"Banjir {uuid.uuid4().hex[:6]}", forward_to="POLRES"),
            now=hour_ago,
        )
        escalation.escalate_due(app_engine)  # the app's worker may get there first: same result
        with app_engine.connect() as conn:
            level = conn.execute(
                select(t.incidents.c.escalation_level).where(t.incidents.c.id == made.id)
            ).scalar_one()
            [details] = conn.execute(
                select(t.incident_events.c.details).where(
                    t.incident_events.c.incident_id == made.id,
                    t.incident_events.c.action == "ESCALATE",
                )
            ).scalars()
        assert level == 2
        assert json.loads(details)["level"] == 2
        strip = page.locator(STRIP)
        expect(strip).to_contain_text(made.code, timeout=(REFRESH_S + 8) * 1000)
        expect(strip).to_contain_text("Eskalasi tingkat 2")
        page.wait_for_function("() => window.__siagaPlays.length > 0", timeout=5_000)
        page.screenshot(path="/tmp/shots/alerts-supervisor-1366x768.png")
        # Its log shows the escalation and who was alerted.
        page.get_by_role("button", name=labels.STRIP_BTN_OPEN.format(code=made.code)).click()
        page.get_by_text(labels.DETAIL_ALERTS).wait_for()
        page.screenshot(path="/tmp/shots/alerts-supervisor-log.png", full_page=True)
        wall.goto(f"{app_server.url}/layar?token={DEMO_DISPLAY_TOKEN}")
        banner = wall.get_by_test_id("wall-late-banner")
        expect(banner).to_contain_text("laporan belum diterima OPD melewati target")
        size = banner.locator(".late-head").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert size >= 24
        frame = wall.frame_locator("iframe[title='streamlit_folium.st_folium']")
        expect(frame.locator(".siaga-esc, .siaga-cluster-esc").first).to_be_attached()
        wall.screenshot(path="/tmp/shots/alerts-wall-1920x1080.png")
        assert page.watch.page_errors == []
    finally:
        page.context.close()
        wall.context.close()
