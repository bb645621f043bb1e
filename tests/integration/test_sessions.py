"""Server-side sessions: one cookie per browser, shared by its tabs, ended everywhere at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from dashboard import sessions
from dashboard import tables as t
from tests.conftest import SUPERVISOR_EKA
from tests.integration.test_auth import add_user

NOW = datetime(2026, 12, 1, 7, 0, 0)  # 14:00 WIB


def signed_in(engine, *, now=NOW) -> tuple[int, str]:
    """A session whose ticket the browser has traded for the cookie: (session id, cookie)."""
    add_user(engine, username="spv.eka", role="supervisor")
    session_id, ticket = sessions.open_session(engine, SUPERVISOR_EKA, now=now)
    return session_id, sessions.claim_session(engine, ticket, now=now + timedelta(seconds=2))


def test_the_cookie_of_a_claimed_ticket_signs_in_a_second_tab_of_the_same_browser(engine):
    session_id, cookie = signed_in(engine)
    tab = sessions.check_session(engine, sid=cookie, now=NOW + timedelta(minutes=1), idle_min=30)
    assert (tab.session_id, tab.actor.username, tab.actor.role) == (
        session_id,
        "spv.eka",
        "supervisor",
    )


def test_a_ticket_is_traded_once_and_only_within_a_minute(engine):
    add_user(engine, username="spv.eka", role="supervisor")
    _, ticket = sessions.open_session(engine, SUPERVISOR_EKA, now=NOW)
    assert sessions.claim_session(engine, ticket, now=NOW + timedelta(seconds=61)) is None
    _, fresh = sessions.open_session(engine, SUPERVISOR_EKA, now=NOW)
    assert sessions.claim_session(engine, fresh, now=NOW + timedelta(seconds=5))
    assert sessions.claim_session(engine, fresh, now=NOW + timedelta(seconds=6)) is None


def test_only_hashes_of_the_cookie_and_the_ticket_are_stored(engine):
    session_id, cookie = signed_in(engine)
    with engine.connect() as conn:
        row = conn.execute(select(t.user_sessions).where(t.user_sessions.c.id == session_id)).one()
    assert cookie not in repr(tuple(row))
    assert len(row.sid_hash) == 64
    assert row.claim_hash is None


def test_a_forged_cookie_signs_nobody_in(engine):
    signed_in(engine)
    forged = sessions.check_session(engine, sid="forged-cookie-value", now=NOW, idle_min=30)
    assert (forged.actor, forged.ended) == (None, None)


def test_signing_out_in_one_tab_ends_the_session_for_every_tab(engine):
    session_id, cookie = signed_in(engine)
    sessions.end_session(engine, session_id, now=NOW + timedelta(minutes=2))
    later = NOW + timedelta(minutes=3)
    by_id = sessions.check_session(engine, session_id=session_id, now=later, idle_min=30)
    by_cookie = sessions.check_session(engine, sid=cookie, now=later, idle_min=30)
    assert (by_id.actor, by_id.ended) == (None, sessions.ENDED_SIGN_OUT)
    assert (by_cookie.actor, by_cookie.ended) == (None, sessions.ENDED_SIGN_OUT)


def test_an_idle_session_ends_at_the_limit_and_activity_moves_the_limit(engine):
    session_id, cookie = signed_in(engine)
    # A click at 29 minutes counts as activity: the limit moves 30 minutes on from there.
    active = sessions.check_session(
        engine, session_id=session_id, now=NOW + timedelta(minutes=29), idle_min=30
    )
    assert active.actor is not None
    still = sessions.check_session(engine, sid=cookie, now=NOW + timedelta(minutes=58), idle_min=30)
    assert still.actor is not None
    # A screen refreshing by itself (touch=False) does not keep the session alive.
    sessions.check_session(
        engine, sid=cookie, now=NOW + timedelta(minutes=87), idle_min=30, touch=False
    )
    idle = sessions.check_session(engine, sid=cookie, now=NOW + timedelta(minutes=89), idle_min=30)
    assert (idle.actor, idle.ended) == (None, sessions.ENDED_IDLE)


def test_closing_an_account_ends_all_of_its_sessions(engine):
    first, _ = signed_in(engine)
    second, _ = sessions.open_session(engine, SUPERVISOR_EKA, now=NOW)
    with engine.begin() as conn:
        assert sessions.end_user_sessions(conn, "spv.eka", now=NOW) == 2
    for session_id in (first, second):
        check = sessions.check_session(engine, session_id=session_id, now=NOW, idle_min=30)
        assert check.ended == sessions.ENDED_ACCOUNT
