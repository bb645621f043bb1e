"""API keys for the sources that post incidents (the 112 telephony platform).

A key is shown once, when it is made; only its SHA-256 is stored (a key is 32 random bytes, so a
fast hash is enough: there is nothing to brute-force). Looking a key up by its hash means the
comparison happens inside the database index, never character by character in Python.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from dashboard import audit, labels
from dashboard import tables as t
from dashboard.domain import Actor, check_permission, format_wib, naive_utc, utc_now
from dashboard.errors import InvalidInput, NotFound

KEY_PREFIX = "s112_"
# How many characters of the key are kept to tell keys apart (the prefix plus 6 random ones).
SHOWN_CHARS = len(KEY_PREFIX) + 6
# intake: post reports, read their status. eido: read and send EIDO documents (issue 15);
# eido.phone: the EIDO documents it reads carry the caller's phone number.
SCOPES = ("intake", "eido", "eido.phone")
NAME_MAX = 120


def key_hash(presented: str) -> str:
    return hashlib.sha256(presented.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(
    engine: Engine,
    actor: Actor,
    *,
    name: str,
    scopes: tuple[str, ...] = ("intake",),
    now: datetime | None = None,
) -> tuple[int, str]:
    """A new key for a source: (its id, the key itself). The key is never shown again."""
    check_permission(actor, "admin")
    clean = " ".join((name or "").split())
    if not clean or len(clean) > NAME_MAX:
        raise InvalidInput(labels.ERR_API_KEY_NAME)
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise InvalidInput(labels.ERR_API_KEY_SCOPES.format(known=", ".join(SCOPES)))
    now = naive_utc(now) if now else utc_now()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    values = {
        "name": clean,
        "key_prefix": key[:SHOWN_CHARS],
        "scopes": " ".join(scopes),
        "created_at_utc": now,
        "created_by": actor.username,
    }
    with engine.begin() as conn:
        key_id = conn.execute(
            insert(t.api_keys).values(**values, key_hash=key_hash(key)).returning(t.api_keys.c.id)
        ).scalar_one()
        # The audit names the key by id, name and prefix; neither the key nor its hash.
        audit.record(conn, actor, "api_key", key_id, "CREATE", after=values, now=now)
    return key_id, key


def revoke_key(engine: Engine, actor: Actor, key_id: int, *, now: datetime | None = None) -> None:
    """Close a key: its next request is a 401. A revoked key stays listed (and in the log)."""
    check_permission(actor, "admin")
    now = naive_utc(now) if now else utc_now()
    k = t.api_keys.c
    with engine.begin() as conn:
        row = conn.execute(select(k.id, k.name, k.revoked_at_utc).where(k.id == key_id)).first()
        if row is None:
            raise NotFound(labels.ERR_API_KEY_UNKNOWN.format(value=key_id))
        if row.revoked_at_utc is not None:
            raise InvalidInput(labels.ERR_API_KEY_REVOKED.format(value=f"{row.id} ({row.name})"))
        conn.execute(
            update(t.api_keys)
            .where(k.id == key_id)
            .values(revoked_at_utc=now, revoked_by=actor.username)
        )
        audit.record(
            conn,
            actor,
            "api_key",
            key_id,
            "REVOKE",
            before={"name": row.name, "revoked_at_utc": None},
            after={"name": row.name, "revoked_at_utc": now, "revoked_by": actor.username},
            now=now,
        )


LIST_COLUMNS = [
    "id",
    "key_prefix",
    "name",
    "scopes",
    "created_at_utc",
    "created_by",
    "revoked_at_utc",
    "last_used_at_utc",
]


def list_keys(engine: Engine, actor: Actor) -> pd.DataFrame:
    """Every key, newest first: prefix, name, scopes and dates (never the key or its hash)."""
    check_permission(actor, "admin")
    k = t.api_keys.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(*(getattr(k, c) for c in LIST_COLUMNS)).order_by(k.id.desc())
        ).all()
    return pd.DataFrame([r._asdict() for r in rows], columns=LIST_COLUMNS)


def lookup(conn: Connection, presented: str | None):
    """The key row whose hash matches `presented` (revoked or not), or None."""
    if not presented or len(presented) > 200:
        return None
    return conn.execute(
        select(t.api_keys).where(t.api_keys.c.key_hash == key_hash(presented))
    ).first()


def authenticate(conn: Connection, presented: str | None):
    """The key row for a valid, unrevoked key, or None."""
    row = lookup(conn, presented)
    return row if row is not None and row.revoked_at_utc is None else None


def has_scope(row, scope: str) -> bool:
    return scope in (row.scopes or "").split()


def key_frame(keys: pd.DataFrame) -> pd.DataFrame:
    """The keys as the Admin page shows them: Indonesian headings, WIB times."""

    def wib(value) -> str:
        return "" if value is None or pd.isna(value) else format_wib(value)

    return pd.DataFrame(
        {
            "ID": keys["id"],
            labels.COL_API_PREFIX: keys["key_prefix"] + "…",
            labels.COL_API_NAME: keys["name"],
            labels.COL_API_SCOPES: keys["scopes"],
            labels.COL_API_CREATED: keys["created_at_utc"].map(wib),
            labels.COL_API_REVOKED: keys["revoked_at_utc"].map(wib),
            labels.COL_API_LAST_USED: keys["last_used_at_utc"].map(wib),
        }
    )
