"""Server-side sign-in sessions: one opaque id per browser, shared by its tabs, ended at once.

The browser keeps only a random id in an HttpOnly, SameSite=Strict cookie; the database keeps
its SHA-256 hash, the user, and when it was last used. A reload or a second tab of the same
browser sends the cookie and is signed in; signing out, an idle timeout or an admin closing the
account ends the row, and every tab sees that at its next refresh.

The tab that signs in runs over a WebSocket and cannot set a cookie itself: it gets a one-time
ticket (valid for a minute) that the browser trades for the cookie at POST /auth/sesi.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, insert, select, update

from dashboard import tables as t
from dashboard.domain import Actor, naive_utc, session_expired, utc_now

COOKIE_NAME = "siaga_sesi"
# The training room's session (Latihan, its own database): never mixed with the live one.
TRAINING_COOKIE_NAME = "siaga_latihan"
CLAIM_TTL_S = 60
# Activity is written at most this often: a click is not a database write every time.
TOUCH_EVERY_S = 30
# Why a session ended (user_sessions.end_reason); labels render them.
ENDED_SIGN_OUT, ENDED_IDLE, ENDED_ACCOUNT = "keluar", "idle", "akun"


@dataclass(frozen=True)
class SessionCheck:
    """A session as seen now: the actor to act as, or why there is none (an ENDED_* code)."""

    session_id: int | None
    actor: Actor | None
    ended: str | None = None


def open_session(engine: Engine, actor: Actor, *, now: datetime | None = None) -> tuple[int, str]:
    """A new session for a signed-in actor: (its id, the one-time ticket for the cookie)."""
    now = naive_utc(now) if now else utc_now()
    ticket = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        session_id = conn.execute(
            insert(t.user_sessions)
            .values(
                username=actor.username,
                claim_hash=_hash(ticket),
                claim_expires_utc=now + timedelta(seconds=CLAIM_TTL_S),
                created_at_utc=now,
                last_seen_utc=now,
            )
            .returning(t.user_sessions.c.id)
        ).scalar_one()
    return session_id, ticket


def claim_session(engine: Engine, ticket: str, *, now: datetime | None = None) -> str | None:
    """Trade a fresh ticket for the cookie's id (once); None for an unknown or old ticket."""
    if not ticket or len(ticket) > 200:
        return None
    now = naive_utc(now) if now else utc_now()
    sid = secrets.token_urlsafe(32)
    s = t.user_sessions.c
    with engine.begin() as conn:
        claimed = conn.execute(
            update(t.user_sessions)
            .where(
                s.claim_hash == _hash(ticket),
                s.claim_expires_utc >= now,
                s.ended_at_utc.is_(None),
            )
            .values(sid_hash=_hash(sid), claim_hash=None, claim_expires_utc=None)
        ).rowcount
    return sid if claimed == 1 else None


def check_session(
    engine: Engine,
    *,
    session_id: int | None = None,
    sid: str | None = None,
    now: datetime | None = None,
    idle_min: int,
    touch: bool = True,
) -> SessionCheck:
    """The actor behind a session (by its id in this tab, or by the cookie of a new tab).

    An idle session or a closed account ends the row here, so every other tab of the browser
    is signed out as well. `touch` records activity (a click); a screen refreshing by itself
    passes touch=False and is signed out on time.
    """
    if session_id is None and not sid:
        return SessionCheck(None, None)
    now = naive_utc(now) if now else utc_now()
    s, u = t.user_sessions.c, t.users.c
    query = select(
        s.id, s.last_seen_utc, s.ended_at_utc, s.end_reason, u.username, u.role, u.opd_code,
        u.full_name, u.active,
    ).join_from(t.user_sessions, t.users, s.username == u.username)  # fmt: skip
    query = query.where(s.id == session_id) if session_id is not None else query
    query = query.where(s.sid_hash == _hash(sid)) if sid else query
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return SessionCheck(None, None)
    if row.ended_at_utc is not None:
        return SessionCheck(row.id, None, row.end_reason or ENDED_SIGN_OUT)
    ended = None
    if not row.active:
        ended = ENDED_ACCOUNT
    elif session_expired(row.last_seen_utc, now=now, idle_min=idle_min):
        ended = ENDED_IDLE
    if ended:
        end_session(engine, row.id, reason=ended, now=now)
        return SessionCheck(row.id, None, ended)
    if touch and now - row.last_seen_utc >= timedelta(seconds=TOUCH_EVERY_S):
        with engine.begin() as conn:
            conn.execute(update(t.user_sessions).where(s.id == row.id).values(last_seen_utc=now))
    actor = Actor(
        username=row.username, role=row.role, opd_code=row.opd_code, full_name=row.full_name
    )
    return SessionCheck(row.id, actor)


def end_session(
    engine: Engine, session_id: int, *, reason: str = ENDED_SIGN_OUT, now: datetime | None = None
) -> None:
    """End one session (every tab of that browser); ending an ended one changes nothing."""
    now = naive_utc(now) if now else utc_now()
    s = t.user_sessions.c
    with engine.begin() as conn:
        conn.execute(
            update(t.user_sessions)
            .where(s.id == session_id, s.ended_at_utc.is_(None))
            .values(ended_at_utc=now, end_reason=reason, claim_hash=None)
        )


def end_session_by_sid(engine: Engine, sid: str, *, now: datetime | None = None) -> None:
    """End the session behind a cookie (POST /auth/keluar)."""
    if not sid:
        return
    with engine.connect() as conn:
        session_id = conn.execute(
            select(t.user_sessions.c.id).where(t.user_sessions.c.sid_hash == _hash(sid))
        ).scalar()
    if session_id is not None:
        end_session(engine, session_id, now=now)


def end_user_sessions(
    conn: Connection, username: str, *, reason: str = ENDED_ACCOUNT, now: datetime | None = None
) -> int:
    """End every open session of a user, inside the caller's transaction (an admin closing the
    account signs it out everywhere in the same commit): how many were open."""
    now = naive_utc(now) if now else utc_now()
    s = t.user_sessions.c
    return conn.execute(
        update(t.user_sessions)
        .where(s.username == username, s.ended_at_utc.is_(None))
        .values(ended_at_utc=now, end_reason=reason, claim_hash=None)
    ).rowcount


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
