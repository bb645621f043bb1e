"""Siaga 112 entry point: page config, sign-in, and the navigation each role may see."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard import labels
from dashboard.domain import ADMIN, CALL_TAKER, LEADERSHIP, OPD_ADMIN, SUPERVISOR
from geo.assets import ensure_static_assets
from pages import ui

st.set_page_config(page_title=labels.APP_TITLE, page_icon="🚨", layout="wide")


@st.cache_resource(show_spinner=False)
def _vendored_assets() -> None:
    # The maps load Leaflet from the app itself (no CDN): copy it into static/vendor/ once.
    ensure_static_assets(Path(__file__).resolve().parent / "static")


_vendored_assets()

HOME = st.Page(
    "pages/home.py", title="Beranda", icon=":material/home:", url_path="beranda", default=True
)
LIVE = st.Page("pages/live_map.py", title="Peta Langsung", icon=":material/map:", url_path="peta")
INTAKE = st.Page(
    "pages/intake.py", title="Laporan baru", icon=":material/call:", url_path="laporan-baru"
)
QUEUE = st.Page(
    "pages/queue.py", title="Penugasan", icon=":material/assignment:", url_path="penugasan"
)
FIND = st.Page("pages/find.py", title="Cari laporan", icon=":material/search:", url_path="cari")
TRENDS = st.Page("pages/trends.py", title="Tren", icon=":material/trending_up:", url_path="tren")
ADMIN_PAGE = st.Page("pages/admin.py", title="Admin", icon=":material/settings:", url_path="admin")
WALL = st.Page("pages/wall.py", title="Layar dinding", icon=":material/tv:", url_path="layar")
# The default page answers at "/", never at its own path: without a separate default, /layar would
# be "page not found" (a dialog on the TV). The same wall script serves both.
WALL_ROOT = st.Page("pages/wall.py", title="Layar dinding", url_path="layar-utama", default=True)
LOGIN = st.Page(
    "pages/login.py", title="Masuk", icon=":material/login:", url_path="masuk", default=True
)

PAGES_BY_ROLE = {
    CALL_TAKER: [HOME, LIVE, INTAKE, QUEUE, FIND],
    OPD_ADMIN: [HOME, LIVE, QUEUE],
    SUPERVISOR: [HOME, LIVE, INTAKE, QUEUE, FIND, TRENDS],
    LEADERSHIP: [HOME, LIVE, TRENDS],
    ADMIN: [HOME, LIVE, QUEUE, FIND, TRENDS, ADMIN_PAGE],
}
SIGNED_IN_PAGES = [LIVE, INTAKE, QUEUE, FIND, TRENDS, ADMIN_PAGE]


def _navigation() -> st.Page:
    # The wall display opens by token URL (/layar?token=...), with no sidebar and no sign-in.
    if "token" in st.query_params:
        return st.navigation([WALL_ROOT, WALL], position="hidden")
    try:
        ui.get_engine()
    except SQLAlchemyError as error:
        ui.database_banner(error)
        ui.retry_page_every()
        st.stop()
    actor = ui.current_actor()
    if actor is None:
        # Any page's URL (a bookmark, a link in a chat) first asks for sign-in, then opens there.
        return st.navigation([LOGIN, *SIGNED_IN_PAGES], position="hidden")
    with st.sidebar:
        st.markdown(f"**{labels.APP_TITLE}**")
        st.caption(
            f"{actor.full_name or actor.username} · {labels.ROLE.get(actor.role, actor.role)}"
            + (f" · {actor.opd_code}" if actor.opd_code else "")
        )
        if st.button("Keluar", key="sign_out"):
            ui.sign_out()
            st.rerun()
    return st.navigation(PAGES_BY_ROLE.get(actor.role, [HOME]))


try:
    _navigation().run()
except SQLAlchemyError as outage:
    # A page that reads the database outside ui.run_service still shows the banner, not a trace.
    ui.database_banner(outage)
    ui.retry_page_every()
