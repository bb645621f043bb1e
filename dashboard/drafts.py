"""A half-filled Laporan baru kept server-side per user: it survives a reload, a second tab and
a crash of the browser, and is cleared when the report is saved, closed or emptied."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from dashboard import tables as t
from dashboard.domain import Actor, naive_utc, utc_now

# What a draft may hold: the form's own fields (anything else in a stored draft is ignored).
DRAFT_FIELDS = ("category", "kondisi", "phone", "address", "address_auto", "point", "started")
DRAFT_MAX_CHARS = 20_000


def save_draft(engine: Engine, actor: Actor, fields: dict, *, now: datetime | None = None) -> None:
    """Keep the form as it is now (one row per user, replaced); an empty form removes it."""
    kept = {k: v for k, v in fields.items() if k in DRAFT_FIELDS and v not in (None, "")}
    if not kept:
        clear_draft(engine, actor)
        return
    text = json.dumps(kept, ensure_ascii=False, default=str)[:DRAFT_MAX_CHARS]
    now = naive_utc(now) if now else utc_now()
    with engine.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(t.intake_drafts).values(
            username=actor.username, fields=text, updated_at_utc=now
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.intake_drafts.c.username],
                set_={"fields": text, "updated_at_utc": now},
            )
        )


def load_draft(engine: Engine, actor: Actor) -> dict:
    """The user's kept draft ({} when there is none or it cannot be read)."""
    with engine.connect() as conn:
        text = conn.execute(
            select(t.intake_drafts.c.fields).where(t.intake_drafts.c.username == actor.username)
        ).scalar()
    if not text:
        return {}
    try:
        stored = json.loads(text)
    except ValueError:
        return {}
    return (
        {k: v for k, v in stored.items() if k in DRAFT_FIELDS} if isinstance(stored, dict) else {}
    )


def clear_draft(engine: Engine, actor: Actor) -> None:
    with engine.begin() as conn:
        conn.execute(delete(t.intake_drafts).where(t.intake_drafts.c.username == actor.username))
