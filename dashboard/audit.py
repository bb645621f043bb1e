"""Admin changes are audited like incidents: who, when, which thing, before and after.

`record` is called by each admin service inside its own transaction, so a change and its audit
row are written together or not at all. Rows are never updated or deleted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import Connection, insert

from dashboard import tables as t
from dashboard.domain import Actor, naive_utc, utc_now

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
