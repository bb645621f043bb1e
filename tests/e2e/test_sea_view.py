"""A call from the sea in Chromium: inside the first view of the live map and of the wall."""

from __future__ import annotations

import pytest

from dashboard.db import make_engine
from dashboard.incidents import NewReport, cancel, create_incident
from dashboard.setup import DEMO_DISPLAY_TOKEN
from tests.conftest import CALL_TAKER_ANI
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.browser

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
# 1.2 km north of Panjang Wetan's harbour breakwater: above the city's own bounding box.
OFF_PANJANG_WETAN = (-6.8451, 109.6926)
SEA_TEXT = "Laut, 1,2 km dari Panjang Wetan"
# Where the marker of an incident is drawn, in the map's container and on the page.
MARKER_BOX_JS = """(id) => {
    let box = null;
    map_div.eachLayer(l => {
        if (l.options && l.options.siagaId === id) {
            const p = map_div.latLngToContainerPoint(l.getLatLng());
            const size = map_div.getSize();
            box = {x: p.x, y: p.y, width: size.x, height: size.y,
                   inView: map_div.getBounds().contains(l.getLatLng()),
                   px: l.options.icon.options.iconSize[0]};
        }
    });
    return box;
}"""


@pytest.fixture
def boat_call(desk_page, app_server):
    """An open ambulance call from a boat off the harbour, cancelled again afterwards."""
    sign_in(desk_page, app_server.url, "spv.eka")  # the first visit migrates and seeds
    engine = make_engine(app_server.database_url)
    recorded = create_incident(
        engine,
        CALL_TAKER_ANI,
        NewReport(
            category_code="AMBULANS",
            kondisi="Nelayan terluka di kapal",
            lat=OFF_PANJANG_WETAN[0],
            lon=OFF_PANJANG_WETAN[1],
            address=SEA_TEXT,
            caller_phone="081298765432",
        ),
    )
    yield recorded
    # Other browser tests share this app: leave no incident at sea behind.
    cancel(engine, CALL_TAKER_ANI, recorded.id, "DUPLIKAT", seen_version=recorded.version)
    engine.dispose()


def first_view_frame(page):
    """The map's frame once its first view is fitted to the city and the open incidents."""
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(state="visible")
    frame = next(f for f in page.frames if "st_folium" in f.url)
    frame.wait_for_function(
        "() => window.map_div && map_div.siagaViewSettled && map_div.siagaIncidentsFitted"
    )
    return frame


def assert_marker_fully_inside(frame, incident_id: int) -> dict:
    box = frame.evaluate(MARKER_BOX_JS, incident_id)
    assert box is not None, "the sea incident is not on the map"
    assert box["inView"], box
    half = box["px"] / 2
    assert half <= box["x"] <= box["width"] - half, box
    assert half <= box["y"] <= box["height"] - half, box
    return box


def test_a_call_at_sea_lies_inside_the_first_view_of_the_live_map_and_the_wall(
    desk_page, app_server, boat_call
):
    page = desk_page
    page.get_by_role("link", name="Peta Langsung").click()
    live = first_view_frame(page)
    assert_marker_fully_inside(live, boat_call.id)

    page.goto(f"{app_server.url}/layar?token={DEMO_DISPLAY_TOKEN}")
    page.get_by_text(SEA_TEXT).first.wait_for()
    wall = first_view_frame(page)
    box = assert_marker_fully_inside(wall, boat_call.id)
    # ... and on the screen itself, not only inside the map's frame.
    frame_box = page.locator(MAP_FRAME).bounding_box()
    assert 0 <= frame_box["y"] + box["y"] <= page.viewport_size["height"]
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []
