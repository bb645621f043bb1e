"""Admin changes are audited like incidents: who, when, which thing, before and after.

`record` is called by each admin service inside its own transaction, so a change and its audit
row are written together or not at all. Rows are never updated or deleted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from dashboard import labels
from dashboard import tables as t
from dashboard.domain import Actor, check_permission, format_wib, naive_utc, py_datetime, utc_now
from dashboard.errors import InvalidInput
from dashboard.fmt import format_decimal

LOG_COLUMNS = ("id", "at_utc", "actor", "entity", "entity_key", "action", "before", "after")
MAX_LOG_ROWS = 5000

# What an audit row can be about (admin_audit.entity).
ENTITIES = (
    "routing_rule",
    "opd",
    "user",
    "api_key",
    "setting",
    "facility",
    "layer",
    "display_token",
    "opd_channel",
)


def record(
    conn: Connection,
    actor: Actor,
    entity: str,
    entity_key: object,
    action: str,
    *,
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> None:
    """Append one audit row in the caller's transaction. Secrets never go in before/after."""
    if entity not in ENTITIES:
        msg = f"unknown audit entity {entity!r}"
        raise ValueError(msg)
    conn.execute(
        insert(t.admin_audit).values(
            at_utc=naive_utc(now) if now else utc_now(),
            actor=actor.username,
            entity=entity,
            entity_key=str(entity_key)[:120],
            action=action,
            before=_json(before),
            after=_json(after),
        )
    )


def _json(values: Mapping[str, object] | None) -> str | None:
    if values is None:
        return None
    return json.dumps({k: _plain(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def audit_log(
    engine: Engine,
    actor: Actor,
    *,
    entity: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Audit rows, newest first (admin): at_utc in [since, until), optionally one entity.

    `before` and `after` come back as dicts (None when the row has none).
    """
    check_permission(actor, "admin")
    if entity is not None and entity not in ENTITIES:
        raise InvalidInput(labels.AUDIT_ERR_ENTITY.format(value=str(entity)[:40]))
    if since is not None and until is not None and until <= since:
        raise InvalidInput(labels.AUDIT_ERR_RANGE)
    a = t.admin_audit.c
    query = select(*[a[name] for name in LOG_COLUMNS])
    if entity is not None:
        query = query.where(a.entity == entity)
    if since is not None:
        query = query.where(a.at_utc >= naive_utc(since))
    if until is not None:
        query = query.where(a.at_utc < naive_utc(until))
    limit = max(1, min(int(limit), MAX_LOG_ROWS))
    query = query.order_by(a.at_utc.desc(), a.id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    records = [
        r._asdict()
        | {
            "before": json.loads(r.before) if r.before else None,
            "after": json.loads(r.after) if r.after else None,
        }
        for r in rows
    ]
    frame = pd.DataFrame(records, columns=list(LOG_COLUMNS))
    for name in ("before", "after"):  # keep None (not NaN) where a row has no values
        frame[name] = pd.Series([r[name] for r in records], index=frame.index, dtype=object)
    return frame


def audit_frame(log: pd.DataFrame) -> pd.DataFrame:
    """The audit log for people: WIB time, who, what (Indonesian), the changed fields only."""
    return pd.DataFrame(
        {
            labels.AUDIT_COL_AT: [format_wib(py_datetime(v)) for v in log["at_utc"]],
            labels.AUDIT_COL_ACTOR: log["actor"],
            labels.AUDIT_COL_ENTITY: [labels.AUDIT_ENTITY.get(e, e) for e in log["entity"]],
            labels.AUDIT_COL_KEY: [
                _key_text(e, k) for e, k in zip(log["entity"], log["entity_key"], strict=True)
            ],
            labels.AUDIT_COL_ACTION: [labels.AUDIT_ACTION.get(a, a) for a in log["action"]],
            labels.AUDIT_COL_CHANGE: [
                change_text(b, a) for b, a in zip(log["before"], log["after"], strict=True)
            ],
        }
    )


def change_text(before: Mapping[str, object] | None, after: Mapping[str, object] | None) -> str:
    """'Lintang: -6,889000 → -6,880000; Bujur: …': the fields whose value changed, in order."""
    before, after = before or {}, after or {}
    parts = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        was, now = _shown(key, old), _shown(key, new)
        if was == now:  # unchanged, or empty on both sides (a new user without an OPD)
            continue
        parts.append(f"{labels.AUDIT_FIELD.get(key, key)}: {was} → {now}")
    return "; ".join(parts)


def _key_text(entity: str, key: str) -> str:
    """'BANJIR · seluruh kota' for a city-wide routing rule, the Indonesian layer name."""
    if entity == "routing_rule" and "/" in key:
        category, area = key.split("/", 1)
        return f"{category} · {labels.AUDIT_CITY_WIDE if area == '*' else area}"
    if entity == "layer":
        return labels.LAYER.get(key, key)
    return key


def _shown(key: str, value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return labels.YES if value else labels.NO
    if key == "role":
        return labels.ROLE.get(str(value), str(value))
    if key.endswith("_utc") and isinstance(value, str):
        try:
            return format_wib(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, float):
        return format_decimal(value, digits=6 if key in {"lat", "lon"} else 2)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
