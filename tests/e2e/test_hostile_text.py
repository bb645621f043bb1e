"""Hostile caller text stays text on every screen, in Chromium, and the sign-in leaks no password.

Thirty injection payloads (tests/e2e/payloads.py) are recorded as kondisi, address and
reassignment reason on the app server's database. The live map (tooltips and side panel), the wall
display, the supervisor board with the incident detail and the Tren exports must show them
literally, open no dialog and run nothing: the sentinel `top.__pwned` that every payload would
set stays undefined in the page and in every map iframe.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dashboard import incidents as svc
from dashboard import labels
from dashboard import tables as t
from dashboard.db import make_engine
from dashboard.domain import utc_now
from dashboard.setup import DEMO_DISPLAY_TOKEN
from mapview.escape import redact_phone_like
from tests.conftest import CALL_TAKER_ANI, SUPERVISOR_EKA
from tests.e2e.conftest import sign_in
from tests.e2e.harness import RequestWatch
from tests.e2e.payloads import PAYLOADS
from tests.helpers.browser import pick

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
# Shown one by one in the side panel / incident detail (each pick is a rerun): one of each kind.
PICKED = (0, 1, 10, 12, 26)
CATEGORIES = ("KEBAKARAN", "BANJIR", "KECELAKAAN", "POHON_TUMBANG", "AMBULANS")
# Elements the payloads would create if parsed (a parsed <div> shows up in the text check).
PAYLOAD_TAGS = {"SCRIPT", "IMG", "SVG", "IFRAME", "BODY", "A", "DETAILS", "INPUT", "MATH"}
PAYLOAD_TAGS |= {"MTEXT", "TABLE", "MGLYPH", "STYLE", "OBJECT"}


@pytest.fixture(scope="module")
def hostile(app_server, browser) -> dict[int, str]:
    """The payload incidents on the shared app server: id -> payload (kondisi and address)."""
    _wait_until_seeded(browser, app_server)
    engine = make_engine(app_server.database_url)
    now = utc_now()
    stored: dict[int, str] = {}
    try:
        for n, payload in enumerate(PAYLOADS):
            recorded = svc.create_incident(
                engine,
                CALL_TAKER_ANI,
                svc.NewReport(
                    category_code=CATEGORIES[n % len(CATEGORIES)],
                    kondisi=payload,
                    lat=-6.905 + (n % 6) * 0.007,
                    lon=109.655 + (n // 6) * 0.009,
                    address=payload,
                    caller_phone="081234567890",
                    forward_to="BPBD",
                    received_at_utc=now - timedelta(seconds=n),
                ),
                now=now,
            )
            if n % 3 == 0:
                recorded = svc.reassign(
                    engine, SUPERVISOR_EKA, recorded.id, "DAMKAR", payload, seen_version=1
                )
            stored[recorded.id] = payload
    finally:
        engine.dispose()
    return stored


@pytest.fixture
def watched(browser, app_server):
    context = browser.new_context(
        viewport={"width": 1600, "height": 1000},
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.watch = RequestWatch(page, app_server.url)
    yield page
    context.close()


def test_payloads_on_the_live_map_are_text_in_tooltips_and_the_side_panel(
    watched, app_server, hostile
):
    sign_in(watched, app_server.url, "spv.eka")
    watched.get_by_role("link", name="Peta Langsung").click()
    frame = _map_frame(watched)
    shown = frame.evaluate(_RENDER_TOOLTIPS_JS, list(hostile))
    assert set(map(int, shown)) == set(hostile), "a payload incident is missing from the map"
    for incident_id, payload in hostile.items():
        text, elements = shown[str(incident_id)]
        assert redact_phone_like(payload) in text
        # No element named in a payload was created: the payload stayed text.
        assert not set(elements) & PAYLOAD_TAGS, elements
    codes = _codes(app_server, hostile)
    for n in PICKED:
        incident_id = list(hostile)[n]
        # The side panel shows kondisi and address through st.text: the literal characters.
        pick(watched, labels.LIVE_PICK, codes[incident_id], then_shows=hostile[incident_id])
    _assert_nothing_ran(watched)


def test_payloads_on_the_wall_display_run_nothing(watched, app_server, hostile):
    watched.goto(f"{app_server.url}/layar?token={DEMO_DISPLAY_TOKEN}")
    frame = _map_frame(watched)
    shown = frame.evaluate(_RENDER_TOOLTIPS_JS, list(hostile))
    assert set(map(int, shown)) == set(hostile)
    for text, _elements in shown.values():
        # The wall never shows caller text, not even escaped.
        assert "pwned" not in text and "cmd|" not in text
    _assert_nothing_ran(watched)


def test_payloads_on_the_supervisor_board_and_incident_detail_are_plain_text(
    watched, app_server, hostile
):
    sign_in(watched, app_server.url, "spv.eka")
    codes = _codes(app_server, hostile)
    watched.get_by_role("link", name="Penugasan").click()
    for n in PICKED:
        incident_id = list(hostile)[n]
        pick(watched, labels.PICK_INCIDENT, codes[incident_id], then_shows=hostile[incident_id])
    _assert_nothing_ran(watched)


def test_payloads_in_the_trend_exports_are_text_and_never_formulas(watched, app_server, hostile):
    sign_in(watched, app_server.url, "spv.eka")
    watched.get_by_role("link", name="Tren").click()
    with watched.expect_download() as csv_download:
        watched.get_by_role("button", name=labels.TREND_EXPORT_CSV).click()
    rows = list(csv.reader(io.StringIO(_read(csv_download.value).decode("utf-8-sig"))))
    cells = {cell for row in rows for cell in row}
    for payload in PAYLOADS:
        # A spreadsheet would run a cell starting with = + - @ : those are defused with a quote.
        expected = "'" + payload if payload.startswith(("=", "+", "-", "@")) else payload
        assert expected in cells, payload
    with watched.expect_download() as xlsx_download:
        watched.get_by_role("button", name=labels.TREND_EXPORT_XLSX).click()
    book = load_workbook(io.BytesIO(_read(xlsx_download.value)))
    values = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}"
                values.add(cell.value)
    assert set(PAYLOADS) <= values
    _assert_nothing_ran(watched)


def test_a_failed_and_a_successful_sign_in_leave_no_password_in_the_server_log(watched, app_server):
    wrong = "tebakan-Salah-112"
    watched.goto(app_server.url)
    watched.get_by_label("Nama pengguna").fill("spv.eka")
    watched.get_by_label("Kata sandi").fill(wrong)
    watched.get_by_role("button", name="Masuk").click()
    watched.get_by_text(labels.ERR_LOGIN).wait_for()
    sign_in(watched, app_server.url, "spv.eka")
    log = app_server.log_path.read_text(errors="replace")
    assert wrong not in log and "siaga112demo" not in log
    engine = make_engine(app_server.database_url)
    try:
        with engine.connect() as conn:
            hashes = conn.execute(select(t.users.c.password_hash)).scalars().all()
    finally:
        engine.dispose()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


# --- helpers ----------------------------------------------------------------------------------

# Render every payload incident's tooltip the way Leaflet does when a marker is hovered (markers
# inside a cluster have no element yet), then report its text and which elements it contains.
_RENDER_TOOLTIPS_JS = """
(ids) => {
  const map = window.map_div;
  const found = {};
  map.eachLayer((layer) => {
    if (!layer.options || layer.options.siagaLayer !== "incidents") { return; }
    const markers = layer.getLayers ? layer.getLayers() : [];
    for (const marker of markers) {
      if (!ids.includes(marker.options.siagaId) || !marker.getTooltip()) { continue; }
      // Leaflet tooltip content is a string, a DOM node, or a function of the marker.
      const content = marker.getTooltip().getContent();
      const tip = L.tooltip({permanent: true})
        .setLatLng(marker.getLatLng())
        .setContent(typeof content === "function" ? content(marker) : content);
      map.openTooltip(tip);
      const element = tip.getElement();
      found[marker.options.siagaId] = [
        element.textContent,
        Array.from(element.querySelectorAll("*")).map((e) => e.tagName),
      ];
      map.closeTooltip(tip);
    }
  });
  return found;
}
"""


def _map_frame(page):
    container = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    container.wait_for(state="visible")
    box = container.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200
    frame = next(f for f in page.frames if "st_folium" in f.url)
    frame.wait_for_function("() => window.map_div !== undefined")
    return frame


def _assert_nothing_ran(page) -> None:
    for frame in page.frames:
        sentinel = frame.evaluate("() => [typeof window.__pwned, typeof top.__pwned]")
        assert sentinel == ["undefined", "undefined"], f"script ran in {frame.url}"
    assert page.watch.dialogs == []
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def _codes(app_server, hostile: dict[int, str]) -> dict[int, str]:
    engine = make_engine(app_server.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(t.incidents.c.id, t.incidents.c.code).where(
                    t.incidents.c.id.in_(list(hostile))
                )
            ).all()
    finally:
        engine.dispose()
    return dict(rows)


def _read(download) -> bytes:
    with open(download.path(), "rb") as handle:
        return handle.read()


def _wait_until_seeded(browser, app_server) -> None:
    """The app seeds its database on the first visit: open the sign-in page once."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(app_server.url)
        page.get_by_label("Nama pengguna").wait_for(timeout=180_000)
    finally:
        context.close()
