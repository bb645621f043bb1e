"""Laporan baru over time: closing a filled report asks once, a reload keeps the half-filled
form, a point clicked at sea reads as sea, and the map and Save fit a laptop screen."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard import labels
from dashboard import tables as t
from dashboard.places import place_text
from tests.e2e.conftest import sign_in
from tests.helpers.browser import choose, inside_viewport, open_page, settle

pytestmark = pytest.mark.browser

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
# 1,2 km north of Panjang Wetan's shore, off the fishing port (inside the 5 km service radius).
SEA_POINT = (-6.845, 109.6915)


def reports_with(engine, kondisi: str) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(t.incidents.c.status, t.incidents.c.cancel_reason).where(
                    t.incidents.c.kondisi == kondisi
                )
            )
        ]


def open_intake(page, app_server):
    sign_in(page, app_server.url, "ct.ani")
    open_page(page, labels.INTAKE_TITLE)
    container = page.frame_locator(MAP_FRAME).first.locator(".leaflet-container")
    container.wait_for(state="visible", timeout=60_000)
    settle(page)
    return container


def test_closing_a_filled_fire_report_as_a_prank_asks_first_and_a_reload_keeps_the_form(
    desk_page, app_server, app_engine
):
    page = desk_page
    container = open_intake(page, app_server)
    # On a 1366x768 laptop as on a 1920x1080 monitor: the point map and Save without scrolling.
    assert inside_viewport(page, page.locator(MAP_FRAME).first), page.viewport_name
    save = page.get_by_role("button", name=labels.BTN_SAVE_FORWARD)
    assert inside_viewport(page, save), page.viewport_name
    kondisi = f"Rumah terbakar, 2 orang terjebak ({uuid.uuid4().hex[:6]})"
    choose(page, labels.FIELD_CATEGORY_SOP, re.compile(r"^Kebakaran"))
    page.get_by_label(labels.FIELD_KONDISI_SOP).fill(kondisi)
    page.get_by_label(labels.FIELD_PHONE_SOP).fill("0812 3456 7890")
    page.get_by_label(labels.FIELD_PHONE_SOP).press("Tab")
    settle(page)

    page.get_by_role("button", name=labels.CANCEL_REASON_SHORT["PRANK"], exact=True).click()
    confirm = page.get_by_role(
        "button", name=labels.BTN_CONFIRM_CLOSE.format(reason=labels.CANCEL_REASON_SHORT["PRANK"])
    )
    confirm.wait_for()
    assert reports_with(app_engine, kondisi) == [], "nothing is closed before the confirmation"
    page.get_by_role("button", name=labels.BTN_CANCEL_CLOSE).click()
    confirm.wait_for(state="detached")
    expect(page.get_by_label(labels.FIELD_KONDISI_SOP)).to_have_value(kondisi)
    assert reports_with(app_engine, kondisi) == []

    # A reload (or the browser crashing) brings the half-filled report back as it was.
    page.reload()
    page.get_by_role("heading", name=labels.INTAKE_TITLE).wait_for()
    expect(page.get_by_label(labels.FIELD_KONDISI_SOP)).to_have_value(kondisi)
    expect(page.get_by_label(labels.FIELD_PHONE_SOP)).to_have_value("0812 3456 7890")
    expect(page.get_by_role("combobox", name=labels.FIELD_CATEGORY_SOP)).to_have_value(
        re.compile(r"^Kebakaran")
    )
    container.wait_for(state="visible", timeout=60_000)

    page.get_by_role("button", name=labels.CANCEL_REASON_SHORT["PRANK"], exact=True).click()
    confirm.click()
    done = page.get_by_text(re.compile(r"dicatat dan ditutup: Panggilan iseng"))
    done.wait_for()
    assert reports_with(app_engine, kondisi) == [("DIBATALKAN", "PRANK")]
    expect(page.get_by_label(labels.FIELD_KONDISI_SOP)).to_have_value("")
    # Closed and cleared: a reload now starts from an empty form.
    page.reload()
    page.get_by_role("heading", name=labels.INTAKE_TITLE).wait_for()
    container.wait_for(state="visible", timeout=60_000)
    expect(page.get_by_label(labels.FIELD_KONDISI_SOP)).to_have_value("")
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def test_a_point_clicked_at_sea_replaces_the_picked_place_and_is_saved_as_at_sea(
    page, app_server, app_engine
):
    container = open_intake(page, app_server)
    kondisi = f"Perahu nelayan terbalik, 3 awak ({uuid.uuid4().hex[:6]})"
    choose(page, labels.FIELD_CATEGORY_SOP, re.compile(r"^Ambulans"))
    page.get_by_label(labels.FIELD_KONDISI_SOP).fill(kondisi)
    page.get_by_label(labels.FIELD_PHONE_SOP).fill("081298765432")
    search = page.get_by_label(labels.SEARCH_PLACE)
    search.fill("Pabean")
    search.press("Enter")
    page.get_by_role("button", name=re.compile(r"^Pabean")).first.click()
    expect(page.get_by_label(labels.FIELD_ADDRESS_SOP)).to_have_value(re.compile(r"^Pabean"))
    frame = page.frame_locator(MAP_FRAME).first
    # The found place is a pin on the visible map (drawn above the posts' labels).
    frame.locator("body").evaluate(
        """() => new Promise((done, fail) => {
            const until = Date.now() + 20000;
            (function check() {
                let pin = null;
                window.map_div.eachLayer((l) => { if (l.options && l.options.siagaPin) {
                    pin = l.getLatLng(); } });
                if (pin && window.map_div.getBounds().contains(pin)) { return done(true); }
                if (Date.now() > until) { return fail(new Error("no pin in view")); }
                setTimeout(check, 200);
            })();
        })"""
    )
    # The caller is out at sea: the call-taker clicks the map there.
    point = frame.locator("body").evaluate(
        "(_, p) => { const m = window.map_div; m.setView(p, 14);"
        " const c = m.latLngToContainerPoint(p); return [c.x, c.y]; }",
        list(SEA_POINT),
    )
    page.wait_for_timeout(500)
    container.click(position={"x": point[0], "y": point[1]})
    address = page.get_by_label(labels.FIELD_ADDRESS_SOP)
    # The click reruns the page (locate, preview): on a loaded machine that takes seconds.
    expect(address).to_have_value(
        re.compile(r"^Laut, \d+,\d km dari Panjang Wetan$"), timeout=20_000
    )
    page.get_by_text(re.compile(r"^Titik di laut, \d+,\d km dari Panjang Wetan")).wait_for()
    page.get_by_role("button", name=labels.BTN_SAVE_FORWARD).click()
    page.get_by_text(re.compile(r"dicatat dan diteruskan ke")).wait_for()
    with app_engine.connect() as conn:
        row = conn.execute(
            select(
                t.incidents.c.at_sea,
                t.incidents.c.in_city,
                t.incidents.c.kelurahan,
                t.incidents.c.nearest_kelurahan,
                t.incidents.c.address,
                t.incidents.c.distance_to_city_m,
            ).where(t.incidents.c.kondisi == kondisi)
        ).one()
    assert row.at_sea and row.kelurahan is None
    assert row.nearest_kelurahan == "Panjang Wetan"
    # The Lokasi text and the stored distance agree, and the point lies within the service area.
    assert row.address == place_text(row._asdict())
    assert row.address.endswith("km dari Panjang Wetan")
    assert 0 < row.distance_to_city_m < 5000
    assert page.watch.page_errors == []
