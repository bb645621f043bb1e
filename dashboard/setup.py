"""Start-up: migrate, seed the catalogue, and on an empty demo database a year of history."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine, func, select, update

from dashboard import audit, auth, catalogue, demo, labels
from dashboard import tables as t
from dashboard.config import demo_days
from dashboard.db import migrate
from dashboard.domain import ADMIN, Actor, utc_now

log = logging.getLogger(__name__)

# Demo accounts exist only in demo mode (SIAGA_DEMO=1, the default); README lists them.
DEMO_PASSWORD = "siaga112demo"
DEMO_USERS = [
    ("ct.ani", "Ani (petugas 112)", "call_taker", None),  # not-ui: a demo user's name (data)
    ("spv.eka", "Eka (supervisor)", "supervisor", None),
    ("opd.pmi", "Admin PMI", "opd_admin", "PMI"),
    ("opd.bpbd", "Admin BPBD", "opd_admin", "BPBD"),
    ("opd.damkar", "Admin Damkar", "opd_admin", "DAMKAR"),
    ("opd.rsud", "Admin RSUD Bendan", "opd_admin", "RSUD"),
    ("opd.polres", "Admin Polres", "opd_admin", "POLRES"),
    ("pimpinan", "Kepala Dinkominfo", "leadership", None),
    ("admin", "Administrator", "admin", None),
]
DEMO_DISPLAY_TOKEN = "layar-demo-112"
# Who creates the demo accounts (the services check roles, this one included).
SETUP_ACTOR = Actor(username="sistem", role=ADMIN, full_name="Sistem")


def prepare_database(
    engine: Engine,
    *,
    demo_mode: bool,
    retire_demo: bool = False,
    on_step: Callable[[str], None] | None = None,
) -> None:
    """Idempotent: safe to call at every start and from several replicas.

    `retire_demo` (the app and init-db pass it when SIAGA_DEMO is off) closes demo accounts
    left over from a demo start; other commands leave accounts alone. `on_step` hears what is
    being prepared, in Indonesian (the first visitor's progress).
    """
    say = on_step or (lambda _text: None)
    say(labels.SETUP_STEP_SCHEMA)
    migrate(engine)
    say(labels.SETUP_STEP_CATALOGUE)
    catalogue.seed_catalogue(engine)
    if demo_mode:
        say(labels.SETUP_STEP_USERS)
        ensure_demo_users(engine)
        if demo.history_missing(engine):
            say(labels.SETUP_STEP_HISTORY.format(days=demo_days()))
            count = demo.seed_demo(engine, days=demo_days())
            log.info("seeded %d demo incidents", count)
    elif retire_demo:
        retire_demo_accounts(engine)


def ensure_demo_users(engine: Engine) -> None:
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(t.users)).scalar_one():
            return
    for username, full_name, role, opd in DEMO_USERS:
        auth.create_user(
            engine,
            SETUP_ACTOR,
            username=username,
            full_name=full_name,
            password=DEMO_PASSWORD,
            role=role,
            opd_code=opd,
        )
    # not-ui: the demo display's name, stored as data like any display token's name
    auth.add_display_token(engine, name="Layar demo ruang komando", token=DEMO_DISPLAY_TOKEN)


def retire_demo_accounts(engine: Engine) -> int:
    """Outside demo mode, demo accounts that still have the public demo password are
    deactivated and the demo display token revoked: a database that began as a demo must not
    stay open to a password printed in the README. Returns how many accounts were closed."""
    names = [username for username, *_ in DEMO_USERS]
    with engine.begin() as conn:
        rows = conn.execute(
            select(t.users.c.id, t.users.c.username, t.users.c.password_hash).where(
                t.users.c.username.in_(names), t.users.c.active
            )
        ).all()
        retired = [r for r in rows if auth.demo_password_matches(r.password_hash, DEMO_PASSWORD)]
        if retired:
            conn.execute(
                update(t.users)
                .where(t.users.c.id.in_([r.id for r in retired]))
                .values(active=False)
            )
            log.warning("demo mode is off: %d demo accounts deactivated", len(retired))
        for r in retired:
            audit.record(
                conn,
                SETUP_ACTOR,
                "user",
                r.username,
                "DEACTIVATE",
                before={"active": True},
                after={"active": False},
            )
        d = t.display_tokens.c
        demo_tokens = conn.execute(
            select(d.id, d.name).where(
                d.token_hash == auth.token_hash(DEMO_DISPLAY_TOKEN), d.revoked_at_utc.is_(None)
            )
        ).all()
        now = utc_now()
        for token in demo_tokens:
            conn.execute(
                update(t.display_tokens).where(d.id == token.id).values(revoked_at_utc=now)
            )
            audit.record(
                conn,
                SETUP_ACTOR,
                "display_token",
                f"{token.name} (#{token.id})",
                "REVOKE",
                before={"revoked_at_utc": None},
                after={"revoked_at_utc": now},
                now=now,
            )
    return len(retired)
