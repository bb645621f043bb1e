"""Siaga 112 entry point: the web app, and the script each browser tab runs.

`streamlit run app.py` finds `app` at the bottom and serves it (uvicorn): Streamlit's pages plus
the small HTTP routes in web/ (the sign-in cookie). Streamlit then runs this same file as
`__main__` for every tab: page config, sign-in, and the navigation each role may see.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from dashboard import labels, live, worker
from dashboard.domain import ADMIN, CALL_TAKER, LEADERSHIP, OPD_ADMIN, SUPERVISOR, Actor
from mapview.assets import ensure_static_assets
from pages import alert_strip, ui
from web import api_routes, live_routes, session_routes


@st.cache_resource(show_spinner=False)
def _vendored_assets() -> None:
    # The maps load Leaflet from the app itself (no CDN): copy it into static/vendor/ once.
    ensure_static_assets(Path(__file__).resolve().parent / "static")


# Every page once: script, title, icon, URL. The role table below is the one place that says
# who sees which page (Beranda's shortcuts follow the same permissions).
PAGES = {
    "home": ("pages/home.py", labels.PAGE_HOME, ":material/home:", "beranda"),
    "live": ("pages/live_map.py", labels.PAGE_LIVE, ":material/map:", "peta"),
    "intake": ("pages/intake.py", labels.PAGE_INTAKE, ":material/call:", "laporan-baru"),
    "queue": ("pages/queue.py", labels.PAGE_QUEUE, ":material/assignment:", "penugasan"),
    "find": ("pages/find.py", labels.PAGE_FIND, ":material/search:", "cari"),
    "trends": ("pages/trends.py", labels.PAGE_TRENDS, ":material/trending_up:", "tren"),
    "admin": ("pages/admin.py", labels.PAGE_ADMIN, ":material/settings:", "admin"),
    "handover": (
        "pages/handover.py",
        labels.HANDOVER_TITLE,
        ":material/handshake:",
        "serah-terima",
    ),
    "wall": ("pages/wall.py", labels.PAGE_WALL, ":material/tv:", "layar"),
    "login": ("pages/login.py", labels.PAGE_LOGIN, ":material/login:", "masuk"),
}
PAGES_BY_ROLE = {
    CALL_TAKER: ("home", "live", "intake", "queue", "find"),
    OPD_ADMIN: ("home", "live", "queue", "handover"),
    SUPERVISOR: ("home", "live", "intake", "queue", "find", "trends", "handover"),
    LEADERSHIP: ("home", "live", "trends"),
    ADMIN: ("home", "live", "queue", "find", "trends", "handover", "admin"),
}
SIGNED_IN_PAGES = ("live", "intake", "queue", "find", "trends", "handover", "admin")

# The training room (Latihan, /latihan): its own pages, sign-in and database (pages/ui.TRAINING).
TRAINING_PAGES = {
    "t_call": (
        "pages/training_call.py",
        labels.TRAINING_PAGE_CALL,
        ":material/call:",
        "latihan-panggilan",
    ),
    "t_opd": (
        "pages/training_opd.py",
        labels.TRAINING_PAGE_OPD,
        ":material/assignment:",
        "latihan-opd",
    ),
    "t_cards": (
        "pages/training_cards.py",
        labels.TRAINING_PAGE_CARDS,
        ":material/menu_book:",
        "latihan-sop",
    ),
    "t_trainer": (
        "pages/training_trainer.py",
        labels.TRAINING_PAGE_TRAINER,
        ":material/school:",
        "latihan-pelatih",
    ),
}
TRAINING_PAGES_BY_ROLE = {
    CALL_TAKER: ("t_call", "t_cards"),
    # Everyone has the call drill at /latihan, the room's door (an OPD admin hears calls too).
    OPD_ADMIN: ("t_opd", "t_call", "t_cards"),
    SUPERVISOR: ("t_trainer", "t_call", "t_opd", "t_cards"),
    ADMIN: ("t_trainer", "t_call", "t_opd", "t_cards"),
}
TRAINING_ROOM_KEY = "_training_room"


def _page(key: str, *, default: bool = False, url_path: str | None = None) -> st.Page:
    script, title, icon, path = PAGES[key] if key in PAGES else TRAINING_PAGES[key]
    return st.Page(script, title=title, icon=icon, url_path=url_path or path, default=default)


def _opened_path() -> str:
    """The last part of the path this tab was opened at ("layar" for /layar?token=...)."""
    try:
        opened = urlsplit(st.context.url or "").path
    except (AttributeError, RuntimeError):
        return ""
    return opened.rstrip("/").rsplit("/", 1)[-1]


def _opened_at(path: str) -> bool:
    """Whether this tab was opened at /<path> (a TV's bookmark without its token, say)."""
    return _opened_path() == path


def _in_training_room() -> bool:
    """Whether this tab is in the training room: opened at /latihan..., and then for good."""
    if not st.session_state.get(TRAINING_ROOM_KEY):
        st.session_state[TRAINING_ROOM_KEY] = _opened_path().startswith("latihan")
    return st.session_state[TRAINING_ROOM_KEY]


def _training_pages(keys: tuple[str, ...]) -> tuple[st.Page, list[st.Page]]:
    """(the navigation, hidden, and the pages to link to). As for the wall, the default page
    answers at "/" only, so the first page is there twice: /latihan is the room's door."""
    # The role's first page is the door (/latihan): an OPD admin lands on Latihan OPD.
    pages = [_page(key, url_path="latihan" if i == 0 else None) for i, key in enumerate(keys)]
    root = _page(keys[0], default=True, url_path="latihan-mulai")
    return st.navigation([root, *pages], position="hidden"), pages


def _training_navigation() -> st.Page:
    """Latihan: the LATIHAN banner on every page, training accounts on the training database;
    nothing here reads or writes the live database (no wall, Tren, alert or outbox of it)."""
    ui.desk_style()
    ui.training_banner()
    ui.training_engine()  # first, as for the desk (see _navigation)
    actor = ui.current_actor(room=ui.TRAINING)
    if actor is None:
        # Every training page asks for a training sign-in (ui.require), then opens.
        with st.sidebar:
            ui.live_link()
        return _training_pages(tuple(TRAINING_PAGES))[0]
    with st.sidebar:
        _signed_in_as(actor, labels.TRAINING_TITLE, ui.TRAINING, sign_out_key="training_sign_out")
        ui.live_link()
        ui.watch_session(live.refresh_interval_s({}), ui.TRAINING)
    keys = TRAINING_PAGES_BY_ROLE.get(actor.role, ("t_call", "t_cards"))
    page, links = _training_pages(keys)
    with st.sidebar:
        for link in links:
            st.page_link(link)
    return page


def _navigation() -> st.Page:
    # The wall display opens by token URL (/layar?token=...), with no sidebar and no sign-in.
    if "token" in st.query_params or _opened_at("layar"):
        # The default page answers at "/", never at its own path: without a separate default,
        # /layar would be "page not found" (a dialog on the TV). One wall script serves both.
        root = _page("wall", default=True, url_path="layar-utama")
        return st.navigation([root, _page("wall")], position="hidden")
    if _in_training_room():
        return _training_navigation()
    # The database first (a first visit sees it prepared). While it is down the error goes to
    # ui.run_page (main): the banner, and the whole page again every few seconds.
    ui.get_engine()
    ui.desk_style()
    actor = ui.current_actor()
    if actor is None:
        # Any page's URL (a bookmark, a link in a chat) first asks for sign-in, then opens there.
        pages = [_page("login", default=True), *(_page(key) for key in SIGNED_IN_PAGES)]
        return st.navigation(pages, position="hidden")
    with st.sidebar:
        _signed_in_as(actor, labels.APP_TITLE, ui.LIVE, sign_out_key="sign_out")
        ui.watch_session(live.refresh_interval_s(ui.settings()))
        alert_strip.sidebar_controls(actor)
    # Above every page: the OPD's new incidents, the supervisors' escalations (issue 12).
    alert_strip.show(actor, live.refresh_interval_s(ui.settings()))
    keys = PAGES_BY_ROLE.get(actor.role, ("home",))
    return st.navigation([_page(key, default=i == 0) for i, key in enumerate(keys)])


def _signed_in_as(actor: Actor, title: str, room: ui.Room, *, sign_out_key: str) -> None:
    """The sidebar's head: the room, who is signed in (name, role, OPD) and the sign-out button."""
    st.markdown(f"**{title}**")
    st.caption(
        f"{actor.full_name or actor.username} · {labels.ROLE.get(actor.role, actor.role)}"
        + (f" · {actor.opd_code}" if actor.opd_code else "")
    )
    if st.button(labels.BTN_SIGN_OUT, key=sign_out_key):
        ui.sign_out(room)
        st.rerun()


def main() -> None:
    st.set_page_config(page_title=labels.APP_TITLE, page_icon="🚨", layout="wide")
    _vendored_assets()
    ui.run_page(_navigate_and_run)


def _navigate_and_run() -> None:
    page = _navigation()
    ui.deliver_cookie_script()
    page.run()


if __name__ == "__main__":
    main()
else:
    # Imported by the server (uvicorn) rather than run for a tab: the web app with its routes.
    # Streamlit would treat pages/ beside this file as an old-style pages folder until the
    # first st.navigation call, so the first visitor after a restart got its raw file list
    # and an English "Page not found" dialog on a bookmarked URL. Our navigation is explicit.
    PagesManager.uses_pages_directory = False
    # Outbox delivery and escalation checks: one daemon thread per server (SIAGA_WORKER=0: none).
    worker.start_unless_disabled()
    app = st.App(__file__, routes=[*session_routes.ROUTES, *api_routes.ROUTES, *live_routes.ROUTES])
