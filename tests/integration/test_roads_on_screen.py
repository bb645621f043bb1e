"""The city's road file on the screens: Laporan baru's posts by road, the file's loader, a bad file.

The road file is a generated 100 m street grid over Kota Pekalongan
(tests/helpers/pekalongan_grid.py), with every 7th row one-way eastbound. The incident stands on
one of those rows in Bendan Kergon, so the drive from a post and the way back differ.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, config, intake, roads, sessions
from dashboard.catalogue import get_settings
from dashboard.citydata import current_city
from dashboard.domain import ADMIN, CALL_TAKER, Actor
from dashboard.live import SPEED_SETTINGS
from geo.crs import to_metric_xy
from geo.errors import RoadGraphError
from geo.facilities import serving_mask
from geo.nearest import ROUTE_ROAD_GRAPH, ROUTE_STRAIGHT_LINE
from geo.roads import RoadGraph
from pages import ui
from tests.helpers.databases import engine_for, sqlite_copy
from tests.helpers.osm_grid import GridCity
from tests.helpers.pekalongan_grid import PEKALONGAN_GRID as GRID

NOW = datetime(2026, 11, 28, 3, 0, 0)  # 10:00 WIB
REPO = Path(__file__).resolve().parents[2]
INCIDENT = GRID.latlon(52, 22.5)  # on one-way row 52, Bendan Kergon, 150 m from RSUD Bendan
UNREADABLE = "Berkas jaringan jalan jalan.osm tidak dapat dibaca (bukan XML OSM yang valid)."


@pytest.fixture(scope="module")
def grid_roads(tmp_path_factory) -> RoadGraph:
    folder = tmp_path_factory.mktemp("roads")
    return RoadGraph.from_osm_file(GRID.write_osm(folder / "jalan.osm"), cache_dir=folder)


def fastest_by_road(city, graph: RoadGraph, kind: str, *, speed_kmh: float, from_post: bool):
    """(name, metres, minutes) of the post of ``kind`` with the fastest road route."""
    rows = np.flatnonzero(serving_mask(city.facilities, kind))
    posts = (city.facility_x_m[rows], city.facility_y_m[rows])
    lat, lon = INCIDENT
    incident = to_metric_xy(np.array([lon]), np.array([lat]))
    if from_post:
        matrix = graph.travel(*posts, *incident, vehicle_speed_kmh=speed_kmh)
        time_s, distance_m = matrix.time_s[:, 0], matrix.distance_m[:, 0]
    else:
        matrix = graph.travel(*incident, *posts, vehicle_speed_kmh=speed_kmh)
        time_s, distance_m = matrix.time_s[0], matrix.distance_m[0]
    best = int(np.argmin(time_s))
    name = str(city.facilities["name"].iat[rows[best]])
    return name, float(distance_m[best]), float(time_s[best] / 60)


def test_with_the_road_file_laporan_baru_times_each_post_on_the_road_from_the_post(
    engine, grid_roads
):
    pv = intake.preview(engine, "KRIMINAL", *INCIDENT, None, now=NOW, road_graph=grid_roads)
    city = current_city(engine)
    with engine.connect() as conn:
        settings = get_settings(conn)
    assert pv.kelurahan == "Bendan Kergon"
    assert [post.kind for post in pv.posts] == ["ambulance", "fire", "police"]
    for post in pv.posts:
        speed = float(settings[SPEED_SETTINGS[post.kind]])
        name, road_m, eta_min = fastest_by_road(
            city, grid_roads, post.kind, speed_kmh=speed, from_post=True
        )
        assert post.route_model == ROUTE_ROAD_GRAPH
        assert post.name == name
        assert post.road_distance_m == pytest.approx(road_m, abs=1e-3)
        assert post.eta_min == pytest.approx(eta_min, abs=1e-6)
    ambulance = pv.posts[0]
    _, back_m, _ = fastest_by_road(city, grid_roads, "ambulance", speed_kmh=35, from_post=False)
    # RSUD Bendan drives round the block to reach the one-way row; the way back is shorter.
    assert ambulance.name == "RSUD Bendan"
    assert ambulance.road_distance_m > back_m + 100
    lines = [text for _, text in intake.notices(pv) if "terdekat:" in text]
    assert len(lines) == 3
    assert all(line.endswith("menit (lewat jalan)") for line in lines)


def test_without_the_road_file_laporan_baru_keeps_the_straight_line_estimate(engine):
    pv = intake.preview(engine, "KRIMINAL", *INCIDENT, None, now=NOW)
    assert [post.route_model for post in pv.posts] == [ROUTE_STRAIGHT_LINE] * 3
    for post in pv.posts:
        assert post.road_distance_m == pytest.approx(post.distance_m * 1.3, abs=1e-6)
    lines = [text for _, text in intake.notices(pv) if "terdekat:" in text]
    assert all(line.endswith("menit (garis lurus × 1,3)") for line in lines)


# --- the loader: which file, once per version, a broken file ---------------------------------


def test_the_road_file_is_data_local_jalan_osm_when_present_or_the_one_siaga_roads_file_names(
    tmp_path, monkeypatch
):
    default = tmp_path / "jalan.osm"
    monkeypatch.setattr(config, "DEFAULT_ROADS_FILE", default)
    assert config.load_settings({}).roads_file is None
    default.write_text("<osm/>", encoding="utf-8")
    assert config.load_settings({}).roads_file == default
    named = tmp_path / "lain" / "kota.osm"  # named but missing: the screens will say so
    assert config.load_settings({"SIAGA_ROADS_FILE": str(named)}).roads_file == named


def count_parses(monkeypatch) -> list:
    """The files RoadGraph.from_osm_file parses from now on, one entry per parse."""
    parses = []
    parse = RoadGraph.from_osm_file.__func__

    def counted(cls, *args, **kwargs):
        parses.append(args[0])
        return parse(cls, *args, **kwargs)

    monkeypatch.setattr(RoadGraph, "from_osm_file", classmethod(counted))
    return parses


def test_the_road_file_is_parsed_once_per_version_and_again_when_replaced(tmp_path, monkeypatch):
    path = GRID.write_osm(tmp_path / "jalan.osm")
    monkeypatch.setenv("SIAGA_ROADS_FILE", str(path))
    parses = count_parses(monkeypatch)
    monkeypatch.setattr(roads, "ROADS_CACHE_DIR", tmp_path / "cache")
    first = roads.configured_road_graph()
    assert roads.configured_road_graph() is first
    assert len(parses) == 1
    assert first.node_ids.size == GRID.n_nodes

    smaller = GridCity(rows=10, cols=10, x0_m=GRID.x0_m, y0_m=GRID.y0_m)
    smaller.write_osm(path)
    replaced = roads.configured_road_graph()
    assert replaced.node_ids.size == 100
    assert len(parses) == 2


def test_a_broken_road_file_is_refused_in_indonesian_and_not_parsed_again_each_refresh(
    tmp_path, monkeypatch
):
    path = tmp_path / "jalan.osm"
    path.write_text("<osm><node id='1' lat='-6.9'", encoding="utf-8")
    monkeypatch.setenv("SIAGA_ROADS_FILE", str(path))
    parses = count_parses(monkeypatch)
    for _ in range(3):
        with pytest.raises(RoadGraphError) as refused:
            roads.configured_road_graph()
        assert str(refused.value) == UNREADABLE
    assert len(parses) == 1


def _screen_with_the_road_file() -> None:
    import streamlit as st  # noqa: PLC0415 - AppTest runs only this body

    from pages import ui  # noqa: PLC0415 - AppTest runs only this body

    graph = ui.road_graph()
    st.write("garis lurus" if graph is None else f"{graph.node_ids.size} simpul jalan")


def test_a_broken_road_file_shows_one_warning_and_the_screen_goes_on_with_the_straight_line(
    tmp_path, monkeypatch
):
    path = tmp_path / "jalan.osm"
    path.write_text("<!DOCTYPE osm [<!ENTITY a 'b'>]><osm>&a;</osm>", encoding="utf-8")
    monkeypatch.setenv("SIAGA_ROADS_FILE", str(path))
    app = AppTest.from_function(_screen_with_the_road_file, default_timeout=30).run()
    assert len(app.exception) == 0
    (warning,) = app.warning
    assert warning.value.replace("\\", "") == (
        f"{UNREADABLE} Jarak jalan dan ETA pos terdekat memakai garis lurus × faktor jalan "
        "sampai berkas jaringan jalan diperbaiki."
    )
    assert [m.value for m in app.markdown] == ["garis lurus"]

    GRID.write_osm(path)  # the operator puts a good extract in its place
    app = AppTest.from_function(_screen_with_the_road_file, default_timeout=30).run()
    assert len(app.warning) == 0
    assert [m.value for m in app.markdown] == [f"{GRID.n_nodes} simpul jalan"]


def test_a_missing_road_file_named_by_siaga_roads_file_is_said_on_screen(tmp_path, monkeypatch):
    monkeypatch.setenv("SIAGA_ROADS_FILE", str(tmp_path / "tidak_ada.osm"))
    app = AppTest.from_function(_screen_with_the_road_file, default_timeout=30).run()
    (warning,) = app.warning
    assert warning.value.replace("\\", "").startswith(
        f"Berkas jaringan jalan tidak ditemukan: {tmp_path / 'tidak_ada.osm'}."
    )
    assert [m.value for m in app.markdown] == ["garis lurus"]


def test_the_next_process_reads_the_parsed_graph_from_the_cache_in_the_runtime_folder(
    tmp_path, monkeypatch
):
    assert config.LOCAL_DIR / "cache" / "roads" == roads.ROADS_CACHE_DIR  # data/local: gitignored
    path = GRID.write_osm(tmp_path / "jalan.osm")
    cache = tmp_path / "cache"
    first = roads.load_road_graph(path, cache_dir=cache)
    assert len(list(cache.glob("jalan.osm.*.npz"))) == 1
    monkeypatch.setattr(roads, "_cache", {})  # a new process: nothing in memory
    again = roads.load_road_graph(path, cache_dir=cache)
    assert (first.from_cache, again.from_cache) == (False, True)
    assert again.edge_from.size == first.edge_from.size


# --- Laporan baru itself (pages/intake.py under streamlit.testing, SQLite) --------------------


@pytest.fixture
def intake_page(tmp_path, monkeypatch, sqlite_template, request):
    """Laporan baru opened by a signed-in call-taker with a KRIMINAL report's point set."""
    url = sqlite_copy(sqlite_template, tmp_path)
    with engine_for(url) as engine:
        auth.create_user(
            engine, Actor("admin", ADMIN), username="ct.uji", full_name="Uji",
            password="kata-sandi-rahasia-112", role=CALL_TAKER,
        )  # fmt: skip
        session_id, _ = sessions.open_session(engine, Actor("ct.uji", CALL_TAKER))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SIAGA_DEMO", "0")
    monkeypatch.chdir(REPO)
    # The engine and settings are cached per process: none inherited, none left behind.
    for clear in (ui.get_engine.clear, ui._settings_cached.clear):
        clear()
        request.addfinalizer(clear)

    def run() -> AppTest:
        app = AppTest.from_file(str(REPO / "pages" / "intake.py"), default_timeout=60)
        app.session_state[ui.SESSION_KEY] = session_id
        app.session_state["intake_kondisi"] = "Perkelahian di depan toko"
        app.session_state["intake_category"] = "KRIMINAL"
        app.session_state["intake_point"] = INCIDENT
        return app.run()

    return run


def post_lines(app: AppTest) -> list[str]:
    shown = [m.value.replace("\\", "") for m in app.info]  # st.info gets Markdown-escaped text
    return [text for text in shown if "terdekat:" in text]


def test_laporan_baru_says_lewat_jalan_beside_each_post_when_the_road_file_is_loaded(
    intake_page, tmp_path, monkeypatch
):
    monkeypatch.setenv("SIAGA_ROADS_FILE", str(GRID.write_osm(tmp_path / "jalan.osm")))
    app = intake_page()
    assert len(app.exception) == 0
    assert len(app.warning) == 0
    lines = post_lines(app)
    assert [line.split(" terdekat:")[0] for line in lines] == [
        "Ambulans",
        "Pemadam kebakaran",
        "Polisi",
    ]
    assert all(line.endswith("menit (lewat jalan)") for line in lines)


def test_laporan_baru_with_a_broken_road_file_warns_once_and_shows_the_straight_line_posts(
    intake_page, tmp_path, monkeypatch
):
    path = tmp_path / "jalan.osm"
    path.write_text("bukan peta", encoding="utf-8")
    monkeypatch.setenv("SIAGA_ROADS_FILE", str(path))
    app = intake_page()
    assert len(app.exception) == 0
    (warning,) = app.warning
    assert warning.value.replace("\\", "").startswith(UNREADABLE)
    lines = post_lines(app)
    assert len(lines) == 3
    assert all(line.endswith("menit (garis lurus × 1,3)") for line in lines)
