"""The one place for Streamlit glue: cached engine and city, signed-in actor, error display."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import streamlit as st
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from dashboard import labels
from dashboard.auth import session_expired
from dashboard.config import load_settings
from dashboard.db import make_engine
from dashboard.domain import Actor, can, utc_now
from dashboard.errors import DispatchError

log = logging.getLogger("siaga112.ui")
T = TypeVar("T")

ACTOR_KEY = "actor"
LAST_ACTIVITY_KEY = "last_activity_utc"
DEFAULT_IDLE_MIN = 30


@st.cache_resource(show_spinner="Menyiapkan basis data…")
def get_engine():
    """One engine per process; the schema is migrated and (in demo mode) seeded on first use."""
    from dashboard.setup import prepare_database

    settings = load_settings()
    engine = make_engine(settings.database_url)
    prepare_database(engine, demo_mode=settings.demo)
    return engine


def get_city():
    from dashboard.citydata import current_city

    return current_city(get_engine())


def current_actor() -> Actor | None:
    """The signed-in actor, or None; an idle session past the limit is signed out."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        return None
    last = st.session_state.get(LAST_ACTIVITY_KEY)
    idle_min = int(settings_value("session_idle_min", DEFAULT_IDLE_MIN))
    now = utc_now()
    if last is not None and session_expired(last, now=now, idle_min=idle_min):
        sign_out()
        st.session_state["signed_out_reason"] = (
            "Sesi berakhir karena tidak aktif. Silakan masuk lagi."
        )
        return None
    st.session_state[LAST_ACTIVITY_KEY] = now
    return actor


def sign_in(actor: Actor) -> None:
    st.session_state[ACTOR_KEY] = actor
    st.session_state[LAST_ACTIVITY_KEY] = utc_now()


def sign_out() -> None:
    for key in (ACTOR_KEY, LAST_ACTIVITY_KEY):
        st.session_state.pop(key, None)


def require(action: str | None = None) -> Actor:
    """The signed-in actor allowed to `action`; otherwise a message and the page stops."""
    actor = current_actor()
    if actor is None:
        st.warning("Silakan masuk terlebih dahulu.")
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
        st.error(str(error))
    except OperationalError:
        log.exception("database unavailable")
        st.error(labels.ERR_DATABASE)
    return None


def database_banner(error: SQLAlchemyError) -> None:
    log.warning("database error: %s", type(error).__name__)
    st.error(labels.ERR_DATABASE)


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
