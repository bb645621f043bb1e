"""Peta Langsung in Chromium: the whole city offline, live refresh without reload, nearest posts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import live
from dashboard import tables as t
from dashboard.catalogue import get_settings
from dashboard.citydata import current_city
from dashboard.db import make_engine
from dashboard.domain import OPEN_STATUSES
from dashboard.fmt import format_km, format_minutes
from dashboard.incidents import NewReport, cancel, create_incident
from tests.conftest import CALL_TAKER_ANI
from tests.e2e.conftest import sign_in
from tests.helpers.browser import MAP_FRAME, settled_map_frame
from tests.helpers.databases import count_rows

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "static" / "screenshots" / "live_map.png"
REFRESH_S = 10  # data/settings.json refresh_interval_s
# Counts read from the Leaflet map inside the component iframe (streamlit-folium names it map_div).
COUNT_JS = """() => {
    let incidents = 0, kelurahan = 0, facilities = 0;
    map_div.eachLayer(l => {
        if (!l.feature && l.options && l.options.siagaLayer === 'incidents') {
            incidents += l.getLayers().length;
        }
        if (l.feature && l.options.siagaLayer === 'kelurahan') { kelurahan += 1; }
        if (l.options && l.options.siagaFacility) { facilities += 1; }
    });
    return {incidents, kelurahan, facilities};
}"""
INCIDENT_COUNT_JS = "() => (" + COUNT_JS + ")().incidents"
# Centre on one incident marker at a zoom where nothing is clustered, and tag its icon.
TAG_MARKER_JS = """(id) => {
    let found = false;
    map_div.eachLayer(l => {
        if (!l.feature && l.options && l.options.siagaLayer === 'incidents') {
            l.getLayers().forEach(m => {
                if (m.options.siagaId === id) {
                    map_div.setView(m.getLatLng(), 18, {animate: false});
                    found = true;
                }
            });
        }
    });
    return found;
}"""
ICON_JS = """(id) => {
    let tagged = false;
    map_div.eachLayer(l => {
        if (l.options && l.options.siagaId === id && l._icon) {
            l._icon.setAttribute('data-test-incident', String(id));
            tagged = true;
        }
    });
    return tagged;
}"""


@pytest.fixture
def engine(app_server):
    eng = make_engine(app_server.database_url)
    yield eng
    eng.dispose()


def open_live_map(page, app_url: str):
    """Sign in as the supervisor, open Peta Langsung, return the map's frame once it has settled."""
    sign_in(page, app_url, "spv.eka")
    page.get_by_role("link", name="Peta Langsung").click()
    return settled_map_frame(page, larger_than_px=(300, 300))


def new_report(lat: float, lon: float, **overrides) -> NewReport:
    values = {
        "category_code": "KEBAKARAN",
        "kondisi": "Asap tebal dari dapur rumah",
        "lat": lat,
        "lon": lon,
        "address": "Jl. Uji Peta No. 4",
        "caller_phone": "081298765432",
    }
    return NewReport(**(values | overrides))


def open_count(engine) -> int:
    return count_rows(engine, t.incidents, t.incidents.c.status.in_(OPEN_STATUSES))


def test_map_shows_every_kelurahan_facility_and_exactly_the_open_incidents(
    page, app_server, engine
):
    frame = open_live_map(page, app_server.url)
    counts = frame.evaluate(COUNT_JS)

    assert counts == {
        "incidents": open_count(engine),
        "kelurahan": 27,
        "facilities": count_rows(engine, t.facilities),
    }
    # The page as the map's own scripts see it: Playwright's frame.content() reads from a
    # separate world that sometimes still holds the blank document streamlit-folium replaced.
    page_html = frame.evaluate("() => document.documentElement.outerHTML")
    assert "Batas wilayah: cahyadsn/wilayah_boundaries (MIT)" in page_html
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def test_new_incidents_appear_and_closed_ones_go_without_reloading_the_map_or_zoom(
    page, app_server, engine
):
    frame = open_live_map(page, app_server.url)
    zoom = frame.evaluate("() => map_div.getZoom()") + 1
    frame.evaluate(
        "(z) => { window.siagaProbe = 'same-map'; map_div.setZoom(z, {animate: false}); }", zoom
    )
    before = frame.evaluate(INCIDENT_COUNT_JS)

    recorded = create_incident(engine, CALL_TAKER_ANI, new_report(-6.8912, 109.6795))

    frame.wait_for_function(
        f"(n) => ({INCIDENT_COUNT_JS})() === n", arg=before + 1, timeout=(REFRESH_S + 5) * 1000
    )
    assert frame.evaluate("() => map_div.getZoom()") == zoom
    assert frame.evaluate("() => window.siagaProbe") == "same-map", "the map iframe was reloaded"

    cancel(engine, CALL_TAKER_ANI, recorded.id, "DUPLIKAT", seen_version=recorded.version)

    frame.wait_for_function(
        f"(n) => ({INCIDENT_COUNT_JS})() === n", arg=before, timeout=(REFRESH_S + 5) * 1000
    )
    assert frame.evaluate("() => map_div.getZoom()") == zoom
    assert frame.evaluate("() => window.siagaProbe") == "same-map", "the map iframe was reloaded"
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def test_a_category_filter_leaves_only_that_category_on_the_map(page, app_server, engine):
    frame = open_live_map(page, app_server.url)
    create_incident(engine, CALL_TAKER_ANI, new_report(-6.8700, 109.6800))
    create_incident(engine, CALL_TAKER_ANI, new_report(-6.8710, 109.6810, category_code="BANJIR"))
    with engine.connect() as conn:
        fires = conn.execute(
            select(func.count())
            .select_from(t.incidents)
            .where(
                t.incidents.c.status.in_(OPEN_STATUSES),
                t.incidents.c.category_code == "KEBAKARAN",
            )
        ).scalar_one()
    assert 0 < fires < open_count(engine)
    frame.evaluate("() => { window.siagaProbe = 'same-map'; }")

    page.get_by_role("combobox", name="Jenis kejadian").click()
    page.get_by_role("option", name="Kebakaran", exact=True).click()
    page.keyboard.press("Escape")

    frame.wait_for_function(f"(n) => ({INCIDENT_COUNT_JS})() === n", arg=fires)
    assert frame.evaluate("() => window.siagaProbe") == "same-map", "the map iframe was reloaded"
    assert page.watch.page_errors == []


def test_clicking_an_incident_shows_its_nearest_ambulance_and_fire_posts(page, app_server, engine):
    frame = open_live_map(page, app_server.url)
    lat, lon = -6.9205, 109.6850  # Pekalongan Selatan, near the south fire post
    before = frame.evaluate(INCIDENT_COUNT_JS)
    recorded = create_incident(engine, CALL_TAKER_ANI, new_report(lat, lon))
    with engine.connect() as conn:
        settings = get_settings(conn)
    posts = live.nearest_posts(current_city(engine), lat, lon, settings=settings)
    assert {post.kind for post in posts} == {"ambulance", "fire"}
    frame.wait_for_function(
        f"(n) => ({INCIDENT_COUNT_JS})() >= n", arg=before + 1, timeout=(REFRESH_S + 5) * 1000
    )

    assert frame.evaluate(TAG_MARKER_JS, recorded.id), "the new incident is not on the map"
    frame.wait_for_function(ICON_JS, arg=recorded.id)
    page.frame_locator(MAP_FRAME).locator(f"[data-test-incident='{recorded.id}']").click()

    page.get_by_role("heading", name=recorded.code).wait_for()
    for post in posts:
        page.get_by_text(post.name).first.wait_for()
        line = page.get_by_text(f"ETA ± {format_minutes(post.eta_min)} menit")
        assert line.count() >= 1
        assert page.get_by_text(f"{format_km(post.distance_m)} km lurus").count() >= 1
    frame.wait_for_function(
        "() => { let n = 0; map_div.eachLayer(l => { if (l.options && l.options.siagaPost) n++; });"
        " return n === 2; }"
    )
    assert page.get_by_text("0812******32").count() == 1, "the phone is shown masked"
    assert page.get_by_text("081298765432").count() == 0

    page.set_viewport_size({"width": 1600, "height": 1250})
    page.mouse.move(5, 5)
    page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
    frame.evaluate("([la, lo]) => map_div.setView([la, lo], 14, {animate: false})", [lat, lon])
    page.wait_for_timeout(500)  # let the canvas repaint before the README screenshot
    if os.environ.get("SIAGA_SCREENSHOTS") == "1" or not SCREENSHOT.exists():
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []
