"""Layar dinding when the database goes away: a banner and the last good picture, no traceback.

AppTest runs the page's own logic (the map component itself is covered in Chromium).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from dashboard import labels, live
from dashboard.auth import add_display_token
from pages import ui

TOKEN = "layar-uji-padam"
WALL_PAGE = Path(__file__).resolve().parents[2] / "pages" / "wall.py"


@pytest.fixture
def wall_app(sqlite_engine, monkeypatch):
    add_display_token(sqlite_engine, name="Layar uji", token=TOKEN)
    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    monkeypatch.setenv("SIAGA_DEMO", "0")
    # Streamlit caches live for the whole process: start and end with this test's database.
    ui.get_engine.clear()
    st_cache_clear()
    at = AppTest.from_file(str(WALL_PAGE), default_timeout=60)
    at.query_params["token"] = TOKEN
    yield at
    ui.get_engine.clear()
    st_cache_clear()


def st_cache_clear() -> None:
    st.cache_data.clear()


def page_html(at: AppTest) -> str:
    return "\n".join(element.value for element in at.markdown)


def test_a_database_outage_shows_a_banner_and_keeps_the_last_good_picture(wall_app, monkeypatch):
    wall_app.run()
    assert not wall_app.exception
    first = page_html(wall_app)
    assert labels.WALL_AS_OF.split("{")[0] in first
    assert "wall-kpis" in first

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(live, "live_snapshot", unreachable)
    # Every read fails, the change check of the shared snapshot too.
    monkeypatch.setattr(live, "change_stamp", unreachable)
    wall_app.run()

    assert not wall_app.exception
    html = page_html(wall_app)
    assert labels.WALL_DB_DOWN in html
    assert labels.WALL_STALE.split("{")[0] in html
    assert "wall-kpis" in html, "the last good KPI strip stays on screen"
    assert "Traceback" not in html


def test_a_wall_started_while_the_database_is_down_says_so_without_a_traceback(
    wall_app, monkeypatch
):
    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(live, "live_snapshot", unreachable)
    wall_app.run()

    assert not wall_app.exception
    html = page_html(wall_app)
    assert labels.WALL_DB_DOWN in html
    assert labels.WALL_NO_DATA in html
