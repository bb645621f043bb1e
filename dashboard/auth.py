"""Users, sign-in with lockout, and wall-display tokens. Passwords are hashed with Argon2."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, insert, select, update

from dashboard import audit, labels
from dashboard import tables as t
from dashboard.catalogue import check_active_opds, ops_settings
from dashboard.db import reading
from dashboard.domain import (
    OPD_ADMIN,
    ROLES,
    WALL,
    Actor,
    check_permission,
    format_wib,
    naive_utc,
    utc_now,
)
from dashboard.errors import AuthError, InvalidInput, NotFound
from dashboard.sessions import end_user_sessions
from dashboard.settings import OpsSettings

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# Verifying against a dummy hash for unknown users keeps the timing the same as for known ones.
_DUMMY_HASH = _hasher.hash("siaga112-dummy-password")

_USER_COLUMNS = (
    "id",
    "username",
    "full_name",
    "role",
    "opd_code",
    "active",
    "failed_attempts",
    "locked_until_utc",
    "last_login_utc",
)
# Kept as names here for callers that imported them; the text lives in labels.
ERR_LOGIN = labels.ERR_LOGIN
ERR_LOCKED = labels.ERR_LOCKED
ERR_TOKEN = labels.ERR_TOKEN


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = OpsSettings.login_max_failures
    lockout_min: int = OpsSettings.login_lockout_min


def login_policy(conn: Connection) -> LoginPolicy:
    """The lockout policy from the settings table (login_max_failures, login_lockout_min)."""
    settings = ops_settings(conn)
    return LoginPolicy(
        max_failures=settings.login_max_failures, lockout_min=settings.login_lockout_min
    )


def create_user(
    engine: Engine,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    password: str,
    role: str,
    opd_code: str | None = None,
    now: datetime | None = None,
) -> int:
    """Add a user (admin only); the password is stored only as an Argon2 hash."""
    check_permission(actor, "admin")
    username = (username or "").strip().lower()
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise InvalidInput(labels.ERR_USERNAME)
    if len(username) > 60:
        raise InvalidInput(labels.ERR_TEXT_TOO_LONG.format(field=labels.FIELD_USERNAME, limit=60))
    if role not in ROLES or role == WALL:
        raise InvalidInput(labels.ERR_ROLE.format(role=str(role)[:20]))
    if role == OPD_ADMIN and not opd_code:
        raise InvalidInput(labels.ERR_OPD_REQUIRED)
    _check_password(password)
    with engine.begin() as conn:
        if role == OPD_ADMIN:
            check_active_opds(conn, [opd_code])
        if conn.execute(select(t.users.c.id).where(t.users.c.username == username)).first():
            raise InvalidInput(labels.ERR_USER_EXISTS.format(username=username))
        shown = {
            "full_name": ((full_name or "").strip() or username)[:120],
            "role": role,
            "opd_code": opd_code if role == OPD_ADMIN else None,
            "active": True,
        }
        at = naive_utc(now) if now else utc_now()
        user_id = conn.execute(
            insert(t.users)
            .values(
                username=username,
                password_hash=_hasher.hash(password),
                failed_attempts=0,
                created_at_utc=at,
                **shown,
            )
            .returning(t.users.c.id)
        ).scalar_one()
        # The audit names the account and its role, never its password or hash.
        audit.record(conn, actor, "user", username, "CREATE", after=shown, now=at)
        return user_id


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    policy: LoginPolicy | None = None,
) -> Actor:
    """The signed-in Actor, or AuthError; repeated failures lock the account for a while.

    The policy comes from the settings table unless one is passed. A failed attempt is
    committed before the refusal is raised: counting it inside the failing transaction would
    roll the count back and the lockout would never happen.
    """
    now = naive_utc(now) if now else utc_now()
    username = (username or "").strip().lower()
    with engine.begin() as conn:
        policy = policy or login_policy(conn)
        row = conn.execute(select(t.users).where(t.users.c.username == username)).first()
        refusal = _check_sign_in(conn, row, password, now=now, policy=policy)
    if refusal:
        raise AuthError(refusal)
    return Actor(
        username=row.username, role=row.role, opd_code=row.opd_code, full_name=row.full_name
    )


def list_users(engine: Engine, actor: Actor, *, now: datetime | None = None) -> pd.DataFrame:
    """Every user for the admin page (never the password hash), with a `locked` flag."""
    check_permission(actor, "admin")
    now = naive_utc(now) if now else utc_now()
    columns = [t.users.c[name] for name in _USER_COLUMNS]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).order_by(t.users.c.role, t.users.c.username)).all()
    frame = pd.DataFrame([r._asdict() for r in rows], columns=list(_USER_COLUMNS))
    frame["locked"] = [bool(isinstance(v, datetime) and v > now) for v in frame["locked_until_utc"]]
    return frame


def unlock_user(engine: Engine, actor: Actor, user_id: int) -> None:
    """Lift a lockout now (admin) instead of waiting for it to run out."""
    check_permission(actor, "admin")
    with engine.begin() as conn:
        row = _user_row(conn, user_id)
        _user_values(conn, user_id, failed_attempts=0, locked_until_utc=None)
        audit.record(
            conn,
            actor,
            "user",
            row.username,
            "UNLOCK",
            before={
                "failed_attempts": row.failed_attempts,
                "locked_until_utc": row.locked_until_utc,
            },
            after={"failed_attempts": 0, "locked_until_utc": None},
        )


def set_user_active(engine: Engine, actor: Actor, user_id: int, *, active: bool) -> None:
    """Deactivate or reactivate an account (admin); an admin cannot deactivate themselves."""
    check_permission(actor, "admin")
    with engine.begin() as conn:
        row = _user_row(conn, user_id)
        username = row.username
        if username == actor.username and not active:
            raise InvalidInput(labels.ERR_SELF_DEACTIVATE)
        _user_values(conn, user_id, active=bool(active))
        if bool(row.active) != bool(active):
            audit.record(
                conn,
                actor,
                "user",
                username,
                "ACTIVATE" if active else "DEACTIVATE",
                before={"active": bool(row.active)},
                after={"active": bool(active)},
            )
        if not active:
            # Signed out everywhere at once: every tab shows the sign-in form at its next refresh.
            end_user_sessions(conn, username)


def reset_password(engine: Engine, actor: Actor, user_id: int, password: str) -> None:
    """Set a new password (admin); this also lifts a lockout."""
    check_permission(actor, "admin")
    _check_password(password)
    with engine.begin() as conn:
        row = _user_row(conn, user_id)
        _user_values(
            conn,
            user_id,
            password_hash=_hasher.hash(password),
            failed_attempts=0,
            locked_until_utc=None,
        )
        # Only the fact: no password, no hash, in the audit.
        audit.record(conn, actor, "user", row.username, "PASSWORD_RESET")


def create_display_token(engine: Engine, actor: Actor, *, name: str) -> str:
    """A new wall-display token (shown once); only its hash is stored."""
    check_permission(actor, "admin")
    token = secrets.token_urlsafe(24)
    name = (name or "").strip()[:120] or labels.DISPLAY_DEFAULT_NAME
    with engine.begin() as conn:
        token_id = conn.execute(
            insert(t.display_tokens)
            .values(name=name, token_hash=_token_hash(token), created_at_utc=utc_now())
            .returning(t.display_tokens.c.id)
        ).scalar_one()
        # The token and its hash stay out of the audit: the name and id say which display.
        audit.record(
            conn, actor, "display_token", _token_key(token_id, name), "CREATE", after={"name": name}
        )
    return token


def add_display_token(engine: Engine, *, name: str, token: str) -> None:
    """Register a known token (used for the demo display listed in README)."""
    with engine.begin() as conn:
        conn.execute(
            insert(t.display_tokens).values(
                name=name, token_hash=_token_hash(token), created_at_utc=utc_now()
            )
        )


def display_actor(engine: Engine, token: str) -> Actor:
    """The wall display's Actor for a valid, unrevoked token; AuthError otherwise."""
    if not token:
        raise AuthError(labels.ERR_TOKEN_MISSING)
    with reading(engine) as conn:
        row = conn.execute(
            select(t.display_tokens).where(
                t.display_tokens.c.token_hash == _token_hash(token),
                t.display_tokens.c.revoked_at_utc.is_(None),
            )
        ).first()
    if row is None:
        raise AuthError(labels.ERR_TOKEN)
    return Actor(username=f"layar:{row.id}", role=WALL, full_name=row.name)


def list_display_tokens(engine: Engine, actor: Actor) -> pd.DataFrame:
    """The wall-display tokens (names and dates only: the tokens themselves are not kept)."""
    check_permission(actor, "admin")
    d = t.display_tokens.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(d.id, d.name, d.created_at_utc, d.revoked_at_utc).order_by(d.id)
        ).all()
    return pd.DataFrame(
        [r._asdict() for r in rows], columns=["id", "name", "created_at_utc", "revoked_at_utc"]
    )


def revoke_display_token(engine: Engine, actor: Actor, token_id: int) -> None:
    """Close a wall display's access; the screen shows the sign-in refusal at its next refresh."""
    check_permission(actor, "admin")
    now = utc_now()
    with engine.begin() as conn:
        updated = conn.execute(
            update(t.display_tokens)
            .where(t.display_tokens.c.id == token_id, t.display_tokens.c.revoked_at_utc.is_(None))
            .values(revoked_at_utc=now)
        ).rowcount
        if not updated:
            raise NotFound(labels.ERR_TOKEN_NOT_FOUND)
        name = conn.execute(
            select(t.display_tokens.c.name).where(t.display_tokens.c.id == token_id)
        ).scalar_one()
        audit.record(
            conn,
            actor,
            "display_token",
            _token_key(token_id, name),
            "REVOKE",
            before={"revoked_at_utc": None},
            after={"revoked_at_utc": now},
            now=now,
        )


def demo_password_matches(password_hash: str, password: str) -> bool:
    """True when the stored hash is of `password` (used to retire demo accounts)."""
    return _verify(password_hash, password)


def token_hash(token: str) -> str:
    """The stored form of a display token."""
    return _token_hash(token)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_sign_in(
    conn: Connection, row, password: str, *, now: datetime, policy: LoginPolicy
) -> str | None:
    """Record the attempt; return the refusal message, or None when the sign-in succeeds."""
    if row is None:
        _verify(_DUMMY_HASH, password)
        return labels.ERR_LOGIN
    if row.locked_until_utc and row.locked_until_utc > now:
        return labels.ERR_LOCKED.format(until=format_wib(row.locked_until_utc, with_date=False))
    if not _verify(row.password_hash, password):
        failures = row.failed_attempts + 1
        values: dict = {"failed_attempts": failures}
        if failures >= policy.max_failures:
            values = {
                "failed_attempts": 0,
                "locked_until_utc": now + timedelta(minutes=policy.lockout_min),
            }
        conn.execute(update(t.users).where(t.users.c.id == row.id).values(**values))
        if "locked_until_utc" in values:
            return labels.ERR_LOCKED.format(
                until=format_wib(values["locked_until_utc"], with_date=False)
            )
        return labels.ERR_LOGIN
    if not row.active:
        return labels.ERR_INACTIVE
    values = {"failed_attempts": 0, "locked_until_utc": None, "last_login_utc": now}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher.hash(password)
    conn.execute(update(t.users).where(t.users.c.id == row.id).values(**values))
    return None


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(labels.ERR_PASSWORD_SHORT.format(n=MIN_PASSWORD_LENGTH))
    if len(password) > 256:
        raise InvalidInput(labels.ERR_TEXT_TOO_LONG.format(field=labels.FIELD_PASSWORD, limit=256))


def _token_key(token_id: int, name: str) -> str:
    return f"{name} (#{token_id})"


def _user_row(conn: Connection, user_id: int):
    f = t.users.c
    row = conn.execute(
        select(f.username, f.active, f.failed_attempts, f.locked_until_utc).where(f.id == user_id)
    ).first()
    if row is None:
        raise NotFound(labels.ERR_USER_NOT_FOUND)
    return row


def _user_values(conn: Connection, user_id: int, **values) -> None:
    updated = conn.execute(update(t.users).where(t.users.c.id == user_id).values(**values))
    if updated.rowcount != 1:
        raise NotFound(labels.ERR_USER_NOT_FOUND)
