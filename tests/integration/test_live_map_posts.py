"""Peta Langsung's nearest posts take the same settings as Laporan baru's.

An admin who sets the level-crossing delay (eta_level_crossing_delay_s) expects every screen's
ETA to include it: the picked incident's posts on Peta Langsung (pages/live_map.py under
streamlit.testing, SQLite, the generated city grid with a railway) are timed like
live.nearest_posts with the stored settings, not with the defaults.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import auth, catalogue, live, sessions
from dashboard.citydata import current_city
from dashboard.domain import ADMIN, SUPERVISOR, Actor
from dashboard.fmt import format_minutes
from dashboard.incidents import NewReport, create_incident
from dashboard.roads import load_road_graph
from pages import ui
from tests.conftest import CALL_TAKER_ANI
from tests.helpers.databases import engine_for, sqlite_copy
from tests.helpers.pekalongan_grid import PEKALONGAN_GRID as GRID

REPO = Path(__file__).resolve().parents[2]
# East of the grid's railway (column 40): the posts west of it are reached over a crossing.
INCIDENT = GRID.latlon(30, 47.5)
DELAY_S = 900  # a quarter of an hour at each level crossing: impossible to miss in the ETA


def shown_posts(app: AppTest) -> list[str]:
    return [t.value for t in app.text if " km" in t.value and "menit" in t.value]


def test_peta_langsung_times_the_picked_incident_s_posts_with_the_stored_crossing_delay(
    tmp_path, monkeypatch, sqlite_template, request
):
    url = sqlite_copy(sqlite_template, tmp_path)
    road_file = GRID.write_osm(tmp_path / "jalan.osm")
    with engine_for(url) as engine:
        auth.create_user(
            engine, Actor("admin", ADMIN), username="spv.uji", full_name="Uji",
            password="kata-sandi-rahasia-112", role=SUPERVISOR,
        )  # fmt: skip
        session_id, _ = sessions.open_session(engine, Actor("spv.uji", SUPERVISOR))
        lat, lon = INCIDENT
        recorded = create_incident(
            engine,
            CALL_TAKER_ANI,
            NewReport(
                category_code="KEBAKARAN",
                kondisi="Rumah terbakar dekat rel",
                lat=lat,
                lon=lon,
                address="Jl. Rel No. 2",
                caller_phone="081234567890",
            ),
        )
        catalogue.set_setting(engine, "eta_level_crossing_delay_s", DELAY_S)
        with engine.connect() as conn:
            settings = catalogue.ops_settings(conn)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SIAGA_DEMO", "0")
    monkeypatch.setenv("SIAGA_ROADS_FILE", str(road_file))
    monkeypatch.chdir(REPO)
    for clear in (ui.get_engine.clear, ui._settings_cached.clear):
        clear()
        request.addfinalizer(clear)

    app = AppTest.from_file(str(REPO / "pages" / "live_map.py"), default_timeout=60)
    app.session_state[ui.SESSION_KEY] = session_id
    app.session_state["live_pick"] = recorded.id
    app.run()
    assert len(app.exception) == 0

    with engine_for(url) as engine:
        expected = live.nearest_posts(
            current_city(engine),
            lat,
            lon,
            settings=settings,
            road_graph=load_road_graph(road_file, cache_dir=tmp_path),
        )
        defaults = live.nearest_posts(
            current_city(engine),
            lat,
            lon,
            settings={},
            road_graph=load_road_graph(road_file, cache_dir=tmp_path),
        )
    lines = shown_posts(app)
    assert len(lines) == len(expected)
    # The crossing delay reaches at least one post here, so the two estimates differ ...
    assert [p.eta_min for p in expected] != [p.eta_min for p in defaults]
    # ... and the page shows the one with the stored delay.
    for line, post in zip(lines, expected, strict=True):
        assert post.name in line
        assert f"{format_minutes(post.eta_min)} menit" in line
