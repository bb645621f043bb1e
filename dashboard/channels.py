"""An OPD's outbound channels (webhook, email) and what the outbox did with their messages.

A webhook channel gets an HMAC secret when it is added: it is returned once, for the admin to
give to the OPD's system, and never listed or audited afterwards. Messages are written by
dashboard/handoff.py in the incident's transaction and delivered by dashboard/delivery.py.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from dashboard import audit, labels
from dashboard import tables as t
from dashboard.domain import Actor, check_permission, format_wib, naive_utc, utc_now
from dashboard.errors import InvalidInput, NotFound, UnknownReference

WEBHOOK, EMAIL = "webhook", "email"
CHANNELS = (WEBHOOK, EMAIL)
TARGET_MAX = 500
EMAIL_MAX = 254
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
OUTBOX_STATUSES = ("PENDING", "SENT", "FAILED")
RECENT_MESSAGES = 50


@dataclass(frozen=True)
class NewChannel:
    id: int
    # The webhook's signing secret: shown to the admin once, None for email.
    secret: str | None


def add_channel(
    engine: Engine,
    actor: Actor,
    *,
    opd_code: str,
    channel: str,
    target: str,
    now: datetime | None = None,
) -> NewChannel:
    """Add a webhook URL or an email address for an OPD; a webhook gets its secret here."""
    check_permission(actor, "admin")
    if channel not in CHANNELS:
        raise InvalidInput(labels.ERR_CHANNEL_KIND)
    target = check_target(channel, target)
    now = naive_utc(now) if now else utc_now()
    secret = secrets.token_urlsafe(32) if channel == WEBHOOK else None
    with engine.begin() as conn:
        known = conn.execute(select(t.opds.c.code).where(t.opds.c.code == opd_code)).first()
        if known is None:
            raise UnknownReference(labels.ERR_CHANNEL_OPD.format(opd=str(opd_code)[:20]))
        channel_id = conn.execute(
            insert(t.opd_channels)
            .values(
                opd_code=opd_code,
                channel=channel,
                target=target,
                secret=secret,
                active=True,
                created_at_utc=now,
            )
            .returning(t.opd_channels.c.id)
        ).scalar_one()
        after = {"opd_code": opd_code, "channel": channel, "target": target, "active": True}
        audit.record(conn, actor, "opd_channel", channel_id, "create", after=after, now=now)
    return NewChannel(id=channel_id, secret=secret)


def deactivate_channel(
    engine: Engine, actor: Actor, channel_id: int, *, now: datetime | None = None
) -> None:
    """No new messages for this channel; those already in the outbox are still delivered."""
    check_permission(actor, "admin")
    with engine.begin() as conn:
        row = conn.execute(select(t.opd_channels).where(t.opd_channels.c.id == channel_id)).first()
        if row is None:
            raise NotFound(labels.ERR_CHANNEL_NOT_FOUND)
        if not row.active:
            return
        conn.execute(
            update(t.opd_channels).where(t.opd_channels.c.id == channel_id).values(active=False)
        )
        before = {"opd_code": row.opd_code, "channel": row.channel, "target": row.target}
        audit.record(
            conn,
            actor,
            "opd_channel",
            channel_id,
            "deactivate",
            before=before | {"active": True},
            after=before | {"active": False},
            now=now,
        )


def list_channels(engine: Engine, actor: Actor, *, opd_code: str | None = None) -> list[dict]:
    """The channels (newest first), with whether a secret is set; never the secret itself."""
    check_permission(actor, "admin")
    c = t.opd_channels.c
    query = select(
        c.id,
        c.opd_code,
        c.channel,
        c.target,
        c.active,
        c.created_at_utc,
        c.secret.is_not(None).label("has_secret"),
    ).order_by(c.opd_code, c.id.desc())
    if opd_code:
        query = query.where(c.opd_code == opd_code)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def check_target(channel: str, target: str | None) -> str:
    """The webhook URL (http or https, with a host) or email address, trimmed; else InvalidInput."""
    text = (target or "").strip()
    if not text:
        raise InvalidInput(labels.ERR_CHANNEL_TARGET_EMPTY)
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise InvalidInput(
            labels.ERR_CHANNEL_URL if channel == WEBHOOK else labels.ERR_CHANNEL_EMAIL
        )
    if channel == WEBHOOK:
        try:
            parts = urlsplit(text)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError:
            raise InvalidInput(labels.ERR_CHANNEL_URL) from None
        if parts.scheme.lower() not in ("http", "https") or not host or len(text) > TARGET_MAX:
            raise InvalidInput(labels.ERR_CHANNEL_URL)
        return text
    if len(text) > EMAIL_MAX or not EMAIL_PATTERN.fullmatch(text):
        raise InvalidInput(labels.ERR_CHANNEL_EMAIL)
    return text


def outbox_counts(engine: Engine, actor: Actor) -> dict[str, int]:
    """How many messages are waiting, delivered and given up (every status, zero included)."""
    check_permission(actor, "admin")
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox.c.status, func.count()).group_by(t.outbox.c.status)
        ).all()
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def recent_messages(engine: Engine, actor: Actor, *, limit: int = RECENT_MESSAGES) -> list[dict]:
    """The newest messages with their incident code, attempts, last error and next attempt."""
    check_permission(actor, "admin")
    o, a = t.outbox.c, t.outbox_attempts.c
    query = (
        select(
            o.id,
            o.created_at_utc,
            t.incidents.c.code.label("incident_code"),
            o.opd_code,
            o.channel,
            o.target,
            o.status,
            o.attempts,
            o.next_attempt_utc,
            o.sent_at_utc,
            o.last_error,
            o.dedupe_key,
            select(func.max(a.at_utc))
            .where(a.outbox_id == o.id)
            .scalar_subquery()
            .label("last_attempt_utc"),
        )
        .select_from(t.outbox.outerjoin(t.incidents, t.incidents.c.id == o.incident_id))
        .order_by(o.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def channels_frame(rows: list[dict]) -> pd.DataFrame:
    """The channel list for the Admin page: Indonesian headings, WIB, the secret as ada/tidak."""
    names = labels.CHANNEL_COLUMNS
    return pd.DataFrame(
        {
            names["id"]: [r["id"] for r in rows],
            names["opd_code"]: [r["opd_code"] for r in rows],
            names["channel"]: [labels.CHANNEL_KIND.get(r["channel"], r["channel"]) for r in rows],
            names["target"]: [r["target"] for r in rows],
            names["active"]: [labels.YES if r["active"] else labels.NO for r in rows],
            names["has_secret"]: [labels.SECRET_SET if r["has_secret"] else "-" for r in rows],
            names["created_at_utc"]: [format_wib(r["created_at_utc"]) for r in rows],
        }
    )


def outbox_frame(rows: list[dict]) -> pd.DataFrame:
    """The newest messages: status in Indonesian, times in WIB, the next attempt only if waiting."""
    names = labels.OUTBOX_COLUMNS

    def wib(value: datetime | None) -> str:
        return format_wib(value) if value else "-"

    return pd.DataFrame(
        {
            names["id"]: [r["id"] for r in rows],
            names["created_at_utc"]: [wib(r["created_at_utc"]) for r in rows],
            names["incident_code"]: [r["incident_code"] or "-" for r in rows],
            names["opd_code"]: [r["opd_code"] or "-" for r in rows],
            names["channel"]: [labels.CHANNEL_KIND.get(r["channel"], r["channel"]) for r in rows],
            names["target"]: [r["target"] for r in rows],
            names["status"]: [labels.OUTBOX_STATUS.get(r["status"], r["status"]) for r in rows],
            names["attempts"]: [r["attempts"] for r in rows],
            names["last_attempt_utc"]: [wib(r["last_attempt_utc"]) for r in rows],
            names["next_attempt_utc"]: [
                wib(r["next_attempt_utc"]) if r["status"] == "PENDING" else "-" for r in rows
            ],
            names["sent_at_utc"]: [wib(r["sent_at_utc"]) for r in rows],
            names["last_error"]: [r["last_error"] or "" for r in rows],
        }
    )
