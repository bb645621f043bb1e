"""Browser flows: a call-taker records a report, a supervisor reassigns it, OPD queues follow."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard import incidents as svc
from dashboard import labels
from dashboard import tables as t
from dashboard.domain import CALL_TAKER, Actor
from dashboard.errors import PermissionDenied
from tests.conftest import new_report
from tests.e2e.conftest import sign_in
from tests.helpers.browser import choose, open_page, settle

pytestmark = pytest.mark.browser

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
CODE = re.compile(r"112-\d{8}-\d{4}")


def wait_for_map(page):
    container = page.frame_locator(MAP_FRAME).first.locator(".leaflet-container")
    container.wait_for(state="visible", timeout=60_000)
    box = container.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    return container, box


def pick(page, combobox: str, code: str) -> None:
    """Choose `code` in a Streamlit selectbox by typing it (long lists are virtualised)."""
    choose(page, combobox, re.compile(re.escape(code)), typed=code)


def open_incident(page, code: str) -> None:
    """Pick an incident on the Penugasan page and wait for its detail; a pick lost to the
    queue's own refresh is made again."""
    heading = page.get_by_role("heading", name=re.compile(re.escape(code)))
    for _ in range(3):
        pick(page, labels.PICK_INCIDENT, code)
        try:
            heading.wait_for(timeout=15_000)
        except PlaywrightTimeout:
            continue
        settle(page)
        return
    msg = f"the detail of {code} never opened"
    raise AssertionError(msg)


def offered(page, combobox: str, code: str, *, empty_text: str) -> bool:
    """Whether a Streamlit selectbox offers an option containing `code` (False when the page
    shows `empty_text` instead of the selectbox)."""
    box = page.get_by_role("combobox", name=combobox)
    box.or_(page.get_by_text(empty_text)).first.wait_for()
    settle(page)
    if box.count() == 0:
        return False
    box.click()
    page.keyboard.type(code)
    match = page.get_by_role("option", name=re.compile(re.escape(code)))
    # Streamlit's filter is fuzzy: typed "...-0041" may still list "...-0040" of the same OPD,
    # so the list can show other options; "No results" is its text when nothing is left.
    match.or_(page.get_by_text("No results")).or_(page.get_by_role("option")).first.wait_for()
    found = False
    for _ in range(15):  # the list follows the typed text within a moment
        if match.count() > 0:
            found = True
            break
        page.wait_for_timeout(200)
    page.keyboard.press("Escape")
    return found


def queue_offers(page, url: str, username: str, code: str) -> bool:
    sign_in(page, url, username)
    open_page(page, "Penugasan")
    return offered(page, labels.PICK_INCIDENT, code, empty_text=labels.QUEUE_EMPTY)


def record(engine, kondisi: str) -> svc.Recorded:
    """A flood report in Panjang Baru, forwarded to BPBD by the routing rule."""
    report = new_report("BANJIR", kondisi, (-6.8680, 109.6880), "Jl. Pelita No. 3")
    return svc.create_incident(engine, Actor("ct.ani", CALL_TAKER), report)


def test_a_call_taker_records_a_located_report_that_reaches_the_opd_and_the_live_map(
    page, app_server, app_engine
):
    kondisi = f"Air masuk rumah setinggi lutut, lansia perlu dievakuasi ({uuid.uuid4().hex[:6]})"
    sign_in(page, app_server.url, "ct.ani")
    open_page(page, labels.INTAKE_TITLE)
    container, box = wait_for_map(page)

    choose(page, labels.FIELD_CATEGORY_SOP, re.compile(r"^Banjir \(P1\)"))
    page.get_by_label(labels.FIELD_KONDISI_SOP).fill(kondisi)
    phone = page.get_by_label(labels.FIELD_PHONE_SOP)
    # A mistyped number is named at once, literally: typed Markdown stays text (no image fetch).
    phone.fill("![x](http://evil.example/x.png)")
    phone.press("Tab")
    page.get_by_text("Nomor telepon tidak sah: ![x](http://evil.example/x.png)").wait_for()
    phone.fill("+62 812-3456-7890")
    phone.press("Tab")
    page.get_by_text(re.compile("Nomor telepon tidak sah")).wait_for(state="detached")
    # A click on the map sets a point; the place search then moves it to what the caller said.
    container.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.55})
    page.get_by_text(re.compile(r"^Titik lokasi: -6\.\d+, 109\.\d+")).wait_for()
    search = page.get_by_label(labels.SEARCH_PLACE)
    search.fill("Pabean")
    search.press("Enter")
    page.get_by_role("button", name=re.compile(r"^Pabean")).first.click()
    page.get_by_text("Kelurahan Padukuhan Kraton, Kecamatan Pekalongan Utara").wait_for()
    page.get_by_text(labels.INTAKE_SUGGESTED_OPD.format(opd="BPBD")).wait_for()
    page.get_by_text(re.compile(r"^Ambulans terdekat: .+ km · ±\d+ menit")).wait_for()
    assert page.get_by_label(labels.FIELD_ADDRESS_SOP).input_value().startswith("Pabean")

    page.get_by_role("button", name=labels.BTN_SAVE_FORWARD).click()
    done = page.get_by_text(re.compile(r"dicatat dan diteruskan ke BPBD"))
    done.wait_for()
    code = CODE.search(done.inner_text()).group(0)
    # The form is empty again for the next call.
    # Streamlit delivers the message and the emptied widgets as separate updates: wait for both.
    expect(page.get_by_label(labels.FIELD_KONDISI_SOP)).to_have_value("", timeout=10_000)

    with app_engine.connect() as conn:
        stored = conn.execute(select(t.incidents).where(t.incidents.c.code == code)).one()
    assert (stored.status, stored.opd_code, stored.kelurahan) == (
        "DITERUSKAN",
        "BPBD",
        "Padukuhan Kraton",
    )
    assert (stored.kondisi, stored.caller_phone, stored.created_by) == (
        kondisi,
        "081234567890",
        "ct.ani",
    )
    assert stored.in_flood_zone

    open_page(page, labels.LIVE_TITLE)
    wait_for_map(page)
    pick(page, labels.LIVE_PICK, code)
    page.get_by_role("heading", name=code).wait_for()
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def test_a_supervisor_reassignment_moves_the_report_between_the_two_opd_queues(
    page, app_server, app_engine
):
    rec = record(app_engine, f"Banjir rob, jalan tergenang ({uuid.uuid4().hex[:6]})")
    assert queue_offers(page, app_server.url, "opd.bpbd", rec.code)

    sign_in(page, app_server.url, "spv.eka")
    open_page(page, "Penugasan")
    open_incident(page, rec.code)
    reason = page.get_by_label(labels.FIELD_REASSIGN_REASON)
    choose(page, labels.FIELD_REASSIGN_TO, "Satpol P3KP (Damkar)")
    # Without a reason the service refuses and nothing moves.
    page.get_by_role("button", name=labels.BTN_REASSIGN, exact=True).click()
    page.get_by_text(labels.ERR_REASON_REQUIRED).wait_for()
    reason.fill("Butuh perahu karet dan evakuasi Damkar")
    page.get_by_role("button", name=labels.BTN_REASSIGN, exact=True).click()
    page.get_by_text(labels.DONE_REASSIGN.format(code=rec.code)).wait_for()
    # The timeline (a data grid) now ends with the reassignment.
    page.get_by_text(labels.ACTION["REASSIGN"]).first.wait_for(state="attached")
    assert page.watch.page_errors == []

    assert queue_offers(page, app_server.url, "opd.damkar", rec.code)
    assert not queue_offers(page, app_server.url, "opd.bpbd", rec.code)
    with app_engine.connect() as conn:
        event = conn.execute(
            select(t.incident_events).where(
                t.incident_events.c.incident_id == rec.id,
                t.incident_events.c.action == "REASSIGN",
            )
        ).one()
    assert (event.actor, event.from_opd, event.to_opd, event.reason) == (
        "spv.eka",
        "BPBD",
        "DAMKAR",
        "Butuh perahu karet dan evakuasi Damkar",
    )
    assert page.watch.foreign_requests == []


def test_a_call_taker_sees_the_report_but_no_way_to_reassign_it(page, app_server, app_engine):
    rec = record(app_engine, f"Air naik di gang ({uuid.uuid4().hex[:6]})")
    sign_in(page, app_server.url, "ct.ani")
    assert page.get_by_role("link", name="Admin").count() == 0
    open_page(page, "Penugasan")
    open_incident(page, rec.code)
    page.get_by_role("button", name=labels.BTN_CANCEL).wait_for()
    assert page.get_by_role("button", name=labels.BTN_REASSIGN, exact=True).count() == 0
    assert page.get_by_role("button", name=labels.BTN_CHANGE_STATUS).count() == 0
    assert page.get_by_text(labels.REASSIGN_HEADING).count() == 0
    # And the service refuses even if a page were to offer it.
    with pytest.raises(PermissionDenied):
        svc.reassign(
            app_engine,
            Actor("ct.ani", CALL_TAKER),
            rec.id,
            "DAMKAR",
            "coba",
            seen_version=rec.version,
        )
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def test_an_opd_acting_on_a_report_changed_meanwhile_is_told_who_changed_it(
    page, app_server, app_engine
):
    rec = record(app_engine, f"Rob masuk gang ({uuid.uuid4().hex[:6]})")
    sign_in(page, app_server.url, "opd.bpbd")
    open_page(page, "Penugasan")
    open_incident(page, rec.code)
    accept = page.get_by_role("button", name=labels.BTN_ACKNOWLEDGE)
    accept.wait_for()
    settle(page)
    # The supervisor acknowledges on the OPD's behalf while the OPD's screen still shows v1.
    svc.change_status(
        app_engine,
        Actor("spv.eka", "supervisor"),
        rec.id,
        "DITERIMA",
        seen_version=rec.version,
        reason="Dikonfirmasi lewat radio",
    )
    try:
        accept.click(timeout=2_000)
    except PlaywrightTimeout:
        pytest.skip("the queue's own refresh showed the change before the click")
    refusal = page.get_by_text(re.compile(r"sudah diubah oleh spv\.eka pada .+ WIB"))
    refusal.wait_for()
    assert labels.ACTION["ACKNOWLEDGE"] in refusal.inner_text()
    # The screen now shows the current state, and the log has one acknowledgement only.
    page.get_by_role("button", name=labels.BTN_HANDLE).wait_for()
    with app_engine.connect() as conn:
        actions = (
            conn.execute(
                select(t.incident_events.c.action).where(t.incident_events.c.incident_id == rec.id)
            )
            .scalars()
            .all()
        )
    assert actions == ["CREATE", "FORWARD", "ACKNOWLEDGE"]
    assert page.watch.page_errors == []
