"""The one place for Streamlit glue: cached engine and city, signed-in actor, error display."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import streamlit as st
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from dashboard import labels
from dashboard.auth import session_actor, session_expired
from dashboard.config import load_settings
from dashboard.db import make_engine
from dashboard.domain import Actor, can, utc_now
from dashboard.errors import DispatchError

log = logging.getLogger("siaga112.ui")
T = TypeVar("T")

ACTOR_KEY = "actor"
LAST_ACTIVITY_KEY = "last_activity_utc"
SIGNED_OUT_REASON_KEY = "signed_out_reason"
FLASH_KEY = "flash_messages"
DEFAULT_IDLE_MIN = 30


@st.cache_resource(show_spinner="Menyiapkan basis data…")
def get_engine():
    """One engine per process; the schema is migrated and (in demo mode) seeded on first use."""
    from dashboard.setup import prepare_database

    settings = load_settings()
    engine = make_engine(settings.database_url)
    prepare_database(engine, demo_mode=settings.demo, retire_demo=not settings.demo)
    return engine


def get_city():
    """The city as the database describes it; during an outage the last one this process saw.

    The layers change only when an admin imports one, so drawing the map from the last good
    copy while the database is down is right, and a page shows its banner instead of a trace.
    """
    from dashboard.citydata import current_city

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


def current_actor(*, touch: bool = True) -> Actor | None:
    """The signed-in actor, or None; an idle session past the limit is signed out.

    The account is re-read on every run, so a deactivation or role change applies at the next
    click. An auto-refreshing fragment passes touch=False: a screen left open refreshing by itself
    is not activity and must not keep the session alive.
    """
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        return None
    last = st.session_state.get(LAST_ACTIVITY_KEY)
    idle_min = int(settings_value("session_idle_min", DEFAULT_IDLE_MIN))
    now = utc_now()
    if last is not None and session_expired(last, now=now, idle_min=idle_min):
        sign_out()
        st.session_state[SIGNED_OUT_REASON_KEY] = labels.SESSION_EXPIRED
        return None
    try:
        fresh = session_actor(get_engine(), actor.username)
    except SQLAlchemyError:
        # An outage is not a reason to sign people out: keep the session, pages show the banner.
        fresh = actor
    if fresh is None:
        sign_out()
        st.session_state[SIGNED_OUT_REASON_KEY] = labels.SESSION_ACCOUNT_CLOSED
        return None
    st.session_state[ACTOR_KEY] = fresh
    if touch:
        st.session_state[LAST_ACTIVITY_KEY] = now
    return fresh


def sign_in(actor: Actor) -> None:
    st.session_state[ACTOR_KEY] = actor
    st.session_state[LAST_ACTIVITY_KEY] = utc_now()


def sign_out() -> None:
    for key in (ACTOR_KEY, LAST_ACTIVITY_KEY):
        st.session_state.pop(key, None)


def sign_in_form() -> None:
    """The sign-in form; on success the script reruns on the page that was asked for."""
    from dashboard import auth
    from dashboard.config import load_settings

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
        actor = run_service(auth.authenticate, get_engine(), username, password)
        if actor is not None:
            sign_in(actor)
            st.rerun()
    if load_settings().demo:
        st.caption(labels.LOGIN_DEMO_HINT)


def require(action: str | None = None) -> Actor:
    """The signed-in actor allowed to `action`; otherwise a message and the page stops."""
    actor = current_actor()
    if actor is None:
        # Opened by URL without a session: sign in here, then the same page opens.
        sign_in_form()
        st.stop()
    if action and not can(actor, action):
        st.error(labels.ERR_PERMISSION.format(action=action))
        st.stop()
    return actor


def run_service(func: Callable[..., T], *args, **kwargs) -> T | None:
    """Call a service; a DispatchError becomes st.error (Indonesian), a database outage a banner."""
    try:
        return func(*args, **kwargs)
    except DispatchError as error:
        st.error(plain(str(error)))
    except OperationalError:
        log.exception("database unavailable")
        st.error(labels.ERR_DATABASE)
    return None


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
    from dashboard.catalogue import get_settings

    with get_engine().connect() as conn:
        return get_settings(conn)


def settings_value(key: str, default: object) -> object:
    try:
        return _settings_cached().get(key, default)
    except SQLAlchemyError:
        return default


def now_utc() -> datetime:
    return utc_now()


def act(
    func: Callable[..., T], *args, success: str | None = None, **kwargs
) -> tuple[bool, T | None]:
    """Run a service from a button's on_click callback; (done, result), outcome kept for show_flash.

    A callback gets the arguments bound when the button was drawn, so the version passed is
    the one the user saw, not one re-read after the click. The outcome (success text or the
    service's Indonesian refusal) is shown by show_flash() at the top of the next run.
    """
    messages = st.session_state.setdefault(FLASH_KEY, [])
    try:
        result = func(*args, **kwargs)
    except DispatchError as error:
        messages.append(("error", str(error)))
        return False, None
    except OperationalError:
        log.exception("database unavailable")
        messages.append(("error", labels.ERR_DATABASE))
        return False, None
    if success:
        messages.append(("success", success))
    return True, result


def flash_error(text: str) -> None:
    """Keep an error for show_flash (from a callback that refuses before calling a service)."""
    st.session_state.setdefault(FLASH_KEY, []).append(("error", text))


def flash_success(text: str) -> None:
    """Keep a success message for show_flash (text built from the service's result)."""
    st.session_state.setdefault(FLASH_KEY, []).append(("success", text))


def show_flash() -> None:
    """Show (once) the outcomes kept by act()."""
    for kind, text in st.session_state.pop(FLASH_KEY, []):
        (st.error if kind == "error" else st.success)(plain(text))


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """Text for st.error/st.info/st.success, which render Markdown: every Markdown character is
    escaped, so a message that repeats what someone typed (a phone number, a place name from an
    imported layer) shows literally and can never become a link, an image or a formula."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
