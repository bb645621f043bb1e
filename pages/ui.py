"""The one place for Streamlit glue: cached engine and city, signed-in actor, error display."""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from dashboard import auth, labels, sessions, training
from dashboard.catalogue import get_settings
from dashboard.citydata import current_city
from dashboard.config import load_settings
from dashboard.db import make_engine
from dashboard.domain import Actor, can, utc_now
from dashboard.errors import DispatchError
from dashboard.roads import configured_road_graph
from dashboard.settings import from_rows
from dashboard.setup import prepare_database
from geo.roads import RoadGraph

log = logging.getLogger("siaga112.ui")
T = TypeVar("T")

ACTOR_KEY = "actor"
SESSION_KEY = "session_id"
COOKIE_SCRIPT_KEY = "_session_cookie_script"
SIGNED_OUT_REASON_KEY = "signed_out_reason"
FLASH_KEY = "flash_messages"
# A timed (touch=False) session check this recent serves the page's other timed parts too: a
# session ended elsewhere still ends here within the session watch's interval plus this.
RECHECK_S = 2.0
CHECKED_SUFFIX = "_checked_at"
DEFAULT_IDLE_MIN = 30
_COOKIE_JS = (Path(__file__).with_name("session_cookie.js")).read_text(encoding="utf-8")
_DESK_CSS = (Path(__file__).with_name("desk.css")).read_text(encoding="utf-8")


# What the first preparation of this process has done so far (read by every waiting tab).
_setup_steps: list[str] = []
_setup_lock = threading.Lock()
_setup_thread: threading.Thread | None = None
_setup_failed = threading.Event()
SETUP_POLL_S = 0.3


@st.cache_resource(show_spinner=False)
def _prepared_engine():
    """One engine per process; the schema is migrated and (in demo mode) seeded on first use."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    prepare_database(
        engine,
        demo_mode=settings.demo,
        retire_demo=not settings.demo,
        on_step=_setup_steps.append,
    )
    return engine


def get_engine():
    """The process's engine. The first visitor after a start sees what is being prepared.

    The preparation runs once per process in a helper thread; every tab that arrives meanwhile
    shows the same steps as they happen, then goes on. A failure (database down) is raised
    here, in the tab, where the pages show their banner.
    """
    global _setup_thread  # noqa: PLW0603 - one preparation per process
    with _setup_lock:
        if _setup_thread is None or (not _setup_thread.is_alive() and _setup_failed.is_set()):
            _setup_failed.clear()
            _setup_steps.clear()
            _setup_thread = threading.Thread(target=_prepare_quietly, name="siaga-setup")
            add_script_run_ctx(_setup_thread, get_script_run_ctx())
            _setup_thread.start()
        thread = _setup_thread
    if thread.is_alive():
        _show_preparation(thread)
    return _prepared_engine()


def _prepare_quietly() -> None:
    try:
        _prepared_engine()
    except Exception as error:  # the tab calls again and shows the error its own way
        _setup_failed.set()
        log.warning("database preparation failed, the next visit tries again: %s", error)


def _show_preparation(thread: threading.Thread) -> None:
    slot = st.empty()
    with slot.container(), st.status(labels.SETUP_TITLE, expanded=True) as box:
        shown = 0
        while thread.is_alive() or shown < len(_setup_steps):
            for step in _setup_steps[shown:]:
                box.write(step)
                shown += 1
            thread.join(SETUP_POLL_S)
    # Done: the page takes the place of the progress (a TV never keeps a "ready" box).
    slot.empty()


def _clear_engine() -> None:
    """Forget the process's engine (tests switch databases); the next call prepares again."""
    global _setup_thread  # noqa: PLW0603 - see get_engine
    _prepared_engine.clear()
    with _setup_lock:
        _setup_thread = None
    _setup_steps.clear()


get_engine.clear = _clear_engine  # type: ignore[attr-defined]


def get_city():
    """The city as the database describes it; during an outage the last one this process saw.

    The layers change only when an admin imports one, so drawing the map from the last good
    copy while the database is down is right, and a page shows its banner instead of a trace.
    """
    global _last_city  # noqa: PLW0603 - one process-wide fallback, like the cached engine
    try:
        city = current_city(get_engine())
    except SQLAlchemyError:
        if _last_city is None:
            raise
        log.warning("database unavailable: drawing the last known city layers")
        return _last_city
    _last_city = city
    return city


_last_city = None


def road_graph() -> RoadGraph | None:
    """The city's road graph for the nearest posts' ETAs, or None without a road file.

    Parsed once per process and file version (dashboard.roads). A file that cannot be used
    shows one warning where this is called, and the screen goes on with the straight-line ETAs.
    """
    try:
        return configured_road_graph()
    except DispatchError as error:  # dashboard.errors.RoadFileRefused
        st.warning(plain(labels.ROADS_FILE_WARNING.format(reason=error)))
        return None


@dataclass(frozen=True)
class Room:
    """Where a tab's session lives: the live desk, or the training room (Latihan), each with
    its own session keys, cookie and database, so neither can act in the other."""

    name: str  # "" for the live desk; "latihan" (session_cookie.js picks its routes by it)
    session_key: str
    actor_key: str
    cookie: str
    engine: Callable[[], Engine]
    idle_min: Callable[[], int]


def _live_idle_min() -> int:
    return from_rows(settings()).session_idle_min


# The engines are looked up at call time (tests swap get_engine): hence the lambdas.
LIVE = Room(
    "",
    SESSION_KEY,
    ACTOR_KEY,
    sessions.COOKIE_NAME,
    lambda: get_engine(),  # noqa: PLW0108
    _live_idle_min,
)


@st.cache_resource(show_spinner=False)
def training_engine() -> Engine:
    """The training room's own database (dashboard.training.training_url), prepared once per
    process: never the live one."""
    engine = make_engine(training.training_url())
    training.prepare_training_database(engine)
    return engine


TRAINING = Room(
    "latihan",
    "training_session_id",
    "training_actor",
    sessions.TRAINING_COOKIE_NAME,
    lambda: training_engine(),  # noqa: PLW0108
    lambda: DEFAULT_IDLE_MIN,
)


def current_actor(*, touch: bool = True, room: Room = LIVE) -> Actor | None:
    """The signed-in actor, or None; checked against the server-side session on every run.

    This tab's session id is kept in session_state; a new tab or a reload finds it through the
    browser's cookie. The account is re-read each time, so a deactivation or role change
    applies at the next click, and a session ended elsewhere (Keluar in another tab, idle
    expiry, an admin closing the account) ends here too. An auto-refreshing fragment passes
    touch=False: a screen refreshing by itself is not activity and must not keep it alive.
    """
    session_id = st.session_state.get(room.session_key)
    cookie = None if session_id is not None else st.context.cookies.get(room.cookie)
    if session_id is None and not cookie:
        return None
    checked = st.session_state.get(room.session_key + CHECKED_SUFFIX)
    actor = st.session_state.get(room.actor_key)
    if (
        not touch
        and actor is not None
        and checked is not None
        and checked[1] == session_id
        and time.monotonic() - checked[0] < RECHECK_S
    ):
        # The page's timed parts (its own refresh, the session watch, the alert strip) tick
        # together: one check serves them all for a moment; a click always asks again.
        return actor
    try:
        check = sessions.check_session(
            room.engine(), session_id=session_id, sid=cookie, idle_min=room.idle_min(), touch=touch
        )
    except SQLAlchemyError:
        # An outage is not a reason to sign people out: keep the session, pages show the banner.
        return st.session_state.get(room.actor_key)
    if check.actor is None:
        _forget_session(room)
        if check.ended:
            st.session_state[SIGNED_OUT_REASON_KEY] = labels.SESSION_ENDED[check.ended]
        return None
    st.session_state[room.session_key] = check.session_id
    st.session_state[room.actor_key] = check.actor
    st.session_state[room.session_key + CHECKED_SUFFIX] = (time.monotonic(), check.session_id)
    return check.actor


def sign_in(actor: Actor, room: Room = LIVE) -> None:
    """Open a server-side session; the browser gets its cookie on this tab's next run."""
    session_id, ticket = sessions.open_session(room.engine(), actor)
    st.session_state[room.session_key] = session_id
    st.session_state[room.actor_key] = actor
    st.session_state[COOKIE_SCRIPT_KEY] = ("claim", ticket, room.name)


def sign_out(room: Room = LIVE) -> None:
    """End the session for every tab of this browser and remove the cookie."""
    session_id = st.session_state.get(room.session_key)
    if session_id is not None:
        try:
            sessions.end_session(room.engine(), session_id)
        except SQLAlchemyError:
            log.exception("database unavailable: the cookie is removed, the row ends later")
    _forget_session(room)
    st.session_state[COOKIE_SCRIPT_KEY] = ("clear", "", room.name)


def deliver_cookie_script() -> None:
    """Run, once, the browser side of a sign-in or sign-out (a same-origin POST that sets or
    removes the HttpOnly cookie; the page cannot touch the cookie itself)."""
    pending = st.session_state.pop(COOKIE_SCRIPT_KEY, None)
    if pending is None:
        return
    action, ticket, room = pending
    call = ", ".join(json.dumps(value) for value in (action, ticket, room))
    st.html(f"<script>{_COOKIE_JS}\nsiagaSession({call});</script>", unsafe_allow_javascript=True)


_TRAINING_CSS = """
.siaga-latihan { position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000100;
  padding: 6px 16px; font: 700 18px/1.3 sans-serif; letter-spacing: 0.04em; color: #111;
  text-align: left; background: repeating-linear-gradient(135deg, #ffd54f 0 22px,
  #ffca28 22px 44px); border-top: 3px solid #111; }
.siaga-latihan span { font-weight: 400; letter-spacing: 0; font-size: 15px; }
[data-testid="stMain"] { padding-bottom: 48px; }
"""


def training_banner() -> None:
    """The LATIHAN stripe fixed along the bottom of every training page (never hidden by
    scrolling, never over the page's own top controls)."""
    st.html(
        f"<style>{_TRAINING_CSS}</style><div class='siaga-latihan' data-testid='training-banner'>"
        f"{labels.TRAINING_BANNER} <span>{labels.TRAINING_BANNER_NOTE}</span></div>"
    )


def live_link() -> None:
    """A link out of the training room to the live desk (a new page load: its own session)."""
    st.markdown(f'<a href="/" target="_self">{labels.TRAINING_TO_LIVE}</a>', unsafe_allow_html=True)


def training_link() -> None:
    """A link from the live desk into the training room (/latihan)."""
    st.markdown(
        f'<a href="/latihan" target="_self">{labels.TRAINING_FROM_LIVE}</a>',
        unsafe_allow_html=True,
    )


def desk_style() -> None:
    """The compact layout of the desk pages (pages/desk.css); the wall has its own."""
    st.html(f"<style>{_DESK_CSS}</style>")


def watch_session(every_s: float, room: Room = LIVE) -> None:
    """Re-check the session every few seconds on any page: a tab signed out elsewhere (or whose
    account was closed) shows the sign-in form by itself instead of waiting for a click."""

    def _watch() -> None:
        if current_actor(touch=False, room=room) is None:
            st.rerun(scope="app")

    st.fragment(_watch, run_every=every_s)()


def _forget_session(room: Room = LIVE) -> None:
    for key in (room.session_key, room.actor_key, room.session_key + CHECKED_SUFFIX):
        st.session_state.pop(key, None)


def sign_in_form(room: Room = LIVE) -> None:
    """The sign-in form; on success the script reruns on the page that was asked for."""
    st.title(labels.APP_TITLE)
    st.caption(labels.APP_SUBTITLE)
    reason = st.session_state.pop(SIGNED_OUT_REASON_KEY, None)
    if reason:
        st.info(reason)
    with st.form("login"):
        username = st.text_input(labels.FIELD_USERNAME)
        password = st.text_input(labels.FIELD_PASSWORD, type="password")
        submitted = st.form_submit_button(labels.BTN_SIGN_IN, type="primary")
    if submitted:
        actor = run_service(auth.authenticate, room.engine(), username, password)
        if actor is not None:
            sign_in(actor, room)
            st.rerun()
    if room is TRAINING:
        st.caption(labels.TRAINING_LOGIN_HINT)
    else:
        if load_settings().demo:
            st.caption(labels.LOGIN_DEMO_HINT)
        training_link()


def require(action: str | None = None, room: Room = LIVE) -> Actor:
    """The signed-in actor allowed to `action`; otherwise a message and the page stops."""
    actor = current_actor(room=room)
    if actor is None:
        # Opened by URL without a session: sign in here, then the same page opens.
        sign_in_form(room)
        st.stop()
    if action and not can(actor, action):
        st.error(labels.ERR_PERMISSION.format(action=action))
        st.stop()
    return actor


def run_service(func: Callable[..., T], *args, **kwargs) -> T | None:
    """Call a service; a refusal (see attempt) is shown at once as st.error."""
    done, result, refusal = attempt(func, *args, **kwargs)
    if not done:
        st.error(plain(refusal))
    return result


def attempt(func: Callable[..., T], *args, **kwargs) -> tuple[bool, T | None, str | None]:
    """Call a service: (done, result, refusal). The one mapping of a service's errors to what
    the user sees (run_service, act, the alert strip's toasts): a DispatchError its own
    Indonesian text, a database outage the banner's text; anything else propagates (run_page
    logs it under a reference). The text is raw: show it through plain().
    """
    try:
        return True, func(*args, **kwargs), None
    except DispatchError as error:
        return False, None, str(error)
    except OperationalError:
        log.exception("database unavailable")
        return False, None, labels.ERR_DATABASE


def run_page(run: Callable[[], None]) -> None:
    """Run a page; an outage shows the banner, a defect an Indonesian message, never a trace.

    The defect's trace goes to the server log under a short reference the user can quote.
    Streamlit's own st.rerun/st.stop are BaseExceptions and pass through.
    """
    try:
        run()
    except SQLAlchemyError as outage:
        database_banner(outage)
        retry_page_every()
    except Exception:
        reference = secrets.token_hex(4)
        log.exception("page failed (reference %s)", reference)
        st.error(labels.ERR_UNEXPECTED.format(reference=reference))


def database_banner(error: SQLAlchemyError) -> None:
    log.warning("database error: %s", type(error).__name__)
    st.error(labels.ERR_DATABASE)


RETRY_ARMED_KEY = "_retry_page_armed"
OUTAGE_RETRY_S = 5


def retry_page_every(seconds: float = OUTAGE_RETRY_S) -> None:
    """For a page stopped by an outage: run the whole page again every few seconds.

    A page that stops before its own self-refreshing fragment starts would otherwise wait for a
    click; the command-room screens must come back by themselves when the database returns.
    """
    st.session_state[RETRY_ARMED_KEY] = False

    def _tick() -> None:
        if st.session_state.get(RETRY_ARMED_KEY):
            st.rerun(scope="app")
        st.session_state[RETRY_ARMED_KEY] = True

    st.fragment(_tick, run_every=seconds)()


@st.cache_data(ttl=30, show_spinner=False)
def _settings_cached() -> dict:
    with get_engine().connect() as conn:
        return get_settings(conn)


def settings() -> dict:
    """The settings table (cached 30 s); during an outage an empty dict (defaults apply)."""
    try:
        return _settings_cached()
    except SQLAlchemyError:
        return {}


def now_utc() -> datetime:
    return utc_now()


def act(
    func: Callable[..., T], *args, success: str | None = None, **kwargs
) -> tuple[bool, T | None]:
    """Run a service from a button's on_click callback; (done, result), outcome kept for show_flash.

    A callback gets the arguments bound when the button was drawn, so the version passed is
    the one the user saw, not one re-read after the click. The outcome (success text or the
    service's Indonesian refusal) replaces the last one and stays on screen, through every
    refresh, until the user dismisses it or acts again.
    """
    messages: list[tuple[str, str]] = []
    st.session_state[FLASH_KEY] = messages
    done, result, refusal = attempt(func, *args, **kwargs)
    if not done:
        messages.append(("error", refusal))
    elif success:
        messages.append(("success", success))
    return done, result


def flash_error(text: str) -> None:
    """A refusal before any service was called (a choice missing): it is the new outcome."""
    st.session_state[FLASH_KEY] = [("error", text)]


def flash_success(text: str) -> None:
    """Add a success message built from the result of the act() just called."""
    st.session_state.setdefault(FLASH_KEY, []).append(("success", text))


def _dismiss_flash() -> None:
    st.session_state.pop(FLASH_KEY, None)


def show_flash() -> None:
    """Show the last outcome kept by act(); it stays until dismissed or replaced."""
    messages = st.session_state.get(FLASH_KEY) or []
    # Always one container in the same place: a message appearing or going never moves what
    # follows it (a rerun would otherwise show the page's widgets twice, old and new, a moment).
    with st.container():
        for kind, text in messages:
            (st.error if kind == "error" else st.success)(plain(text))
        if messages:
            st.button(labels.BTN_DISMISS, key="flash_dismiss", on_click=_dismiss_flash)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """Text for st.error/st.info/st.success, which render Markdown: every Markdown character is
    escaped, so a message that repeats what someone typed (a phone number, a place name from an
    imported layer) shows literally and can never become a link, an image or a formula."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
