"""Users, sign-in with lockout, and wall-display tokens. Passwords are hashed with Argon2."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update

from dashboard import labels
from dashboard import tables as t
from dashboard.domain import OPD_ADMIN, ROLES, WALL, Actor, naive_utc, utc_now
from dashboard.errors import AuthError, InvalidInput, PermissionDenied

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# Verifying against a dummy hash for unknown users keeps the timing the same as for known ones.
_DUMMY_HASH = _hasher.hash("siaga112-dummy-password")

ERR_LOGIN = "Nama pengguna atau kata sandi salah."
ERR_LOCKED = (
    "Akun terkunci sementara karena terlalu banyak percobaan gagal. Coba lagi pukul {until} WIB."
)
ERR_INACTIVE = "Akun tidak aktif. Hubungi administrator."
ERR_PASSWORD_SHORT = "Kata sandi minimal {n} karakter."
ERR_ROLE = "Peran tidak dikenal: {role}."
ERR_OPD_REQUIRED = "Admin OPD harus terikat pada satu OPD."
ERR_USER_EXISTS = "Nama pengguna sudah dipakai: {username}."
ERR_TOKEN = "Token layar dinding tidak sah atau sudah dicabut."


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout_min: int = 15


def create_user(
    engine: Engine,
    *,
    username: str,
    full_name: str,
    password: str,
    role: str,
    opd_code: str | None = None,
    now: datetime | None = None,
) -> int:
    """Add a user; the password is stored only as an Argon2 hash."""
    username = (username or "").strip().lower()
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise InvalidInput(labels.ERR_REQUIRED.format(fields="nama pengguna (huruf/angka)"))
    if role not in ROLES or role == WALL:
        raise InvalidInput(ERR_ROLE.format(role=role))
    if role == OPD_ADMIN and not opd_code:
        raise InvalidInput(ERR_OPD_REQUIRED)
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(ERR_PASSWORD_SHORT.format(n=MIN_PASSWORD_LENGTH))
    with engine.begin() as conn:
        if conn.execute(select(t.users.c.id).where(t.users.c.username == username)).first():
            raise InvalidInput(ERR_USER_EXISTS.format(username=username))
        return conn.execute(
            insert(t.users)
            .values(
                username=username,
                full_name=(full_name or username).strip()[:120],
                password_hash=_hasher.hash(password),
                role=role,
                opd_code=opd_code if role == OPD_ADMIN else None,
                active=True,
                failed_attempts=0,
                created_at_utc=naive_utc(now) if now else utc_now(),
            )
            .returning(t.users.c.id)
        ).scalar_one()


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    policy: LoginPolicy = LoginPolicy(),
) -> Actor:
    """The signed-in Actor, or AuthError; repeated failures lock the account for a while."""
    now = naive_utc(now) if now else utc_now()
    username = (username or "").strip().lower()
    with engine.begin() as conn:
        row = conn.execute(select(t.users).where(t.users.c.username == username)).first()
        if row is None:
            _verify(_DUMMY_HASH, password)
            raise AuthError(ERR_LOGIN)
        if row.locked_until_utc and row.locked_until_utc > now:
            from dashboard.domain import format_wib

            raise AuthError(
                ERR_LOCKED.format(until=format_wib(row.locked_until_utc, with_date=False))
            )
        if not _verify(row.password_hash, password):
            failures = row.failed_attempts + 1
            values: dict = {"failed_attempts": failures}
            if failures >= policy.max_failures:
                values = {
                    "failed_attempts": 0,
                    "locked_until_utc": now + timedelta(minutes=policy.lockout_min),
                }
            conn.execute(update(t.users).where(t.users.c.id == row.id).values(**values))
            raise AuthError(ERR_LOGIN)
        if not row.active:
            raise AuthError(ERR_INACTIVE)
        values = {"failed_attempts": 0, "locked_until_utc": None, "last_login_utc": now}
        if _hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = _hasher.hash(password)
        conn.execute(update(t.users).where(t.users.c.id == row.id).values(**values))
    return Actor(
        username=row.username, role=row.role, opd_code=row.opd_code, full_name=row.full_name
    )


def session_expired(last_activity_utc: datetime, *, now: datetime, idle_min: int) -> bool:
    return naive_utc(now) - naive_utc(last_activity_utc) > timedelta(minutes=idle_min)


def create_display_token(engine: Engine, actor: Actor, *, name: str) -> str:
    """A new wall-display token (shown once); only its hash is stored."""
    if actor.role != "admin":
        raise PermissionDenied(labels.ERR_PERMISSION.format(action="token layar dinding"))
    token = secrets.token_urlsafe(24)
    with engine.begin() as conn:
        conn.execute(
            insert(t.display_tokens).values(
                name=(name or "Layar dinding").strip()[:120],
                token_hash=_token_hash(token),
                created_at_utc=utc_now(),
            )
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
        raise AuthError(ERR_TOKEN)
    with engine.connect() as conn:
        row = conn.execute(
            select(t.display_tokens).where(
                t.display_tokens.c.token_hash == _token_hash(token),
                t.display_tokens.c.revoked_at_utc.is_(None),
            )
        ).first()
    if row is None:
        raise AuthError(ERR_TOKEN)
    return Actor(username=f"layar:{row.id}", role=WALL, full_name=row.name)


def revoke_display_token(engine: Engine, actor: Actor, token_id: int) -> None:
    if actor.role != "admin":
        raise PermissionDenied(labels.ERR_PERMISSION.format(action="token layar dinding"))
    with engine.begin() as conn:
        conn.execute(
            update(t.display_tokens)
            .where(t.display_tokens.c.id == token_id)
            .values(revoked_at_utc=utc_now())
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
