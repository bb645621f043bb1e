"""Start-up: migrate, seed the catalogue, and on an empty demo database a year of history."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, func, select

from dashboard import auth, catalogue, demo
from dashboard import tables as t
from dashboard.config import demo_days
from dashboard.db import migrate

log = logging.getLogger(__name__)

# Demo accounts exist only in demo mode (SIAGA_DEMO=1, the default); README lists them.
DEMO_PASSWORD = "siaga112demo"
DEMO_USERS = [
    ("ct.ani", "Ani (petugas 112)", "call_taker", None),
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


def prepare_database(engine: Engine, *, demo_mode: bool) -> None:
    """Idempotent: safe to call at every start and from several replicas."""
    migrate(engine)
    catalogue.seed_catalogue(engine)
    if demo_mode:
        ensure_demo_users(engine)
        if demo.is_empty(engine):
            count = demo.seed_demo(engine, days=demo_days())
            log.info("seeded %d demo incidents", count)


def ensure_demo_users(engine: Engine) -> None:
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(t.users)).scalar_one():
            return
    for username, full_name, role, opd in DEMO_USERS:
        auth.create_user(
            engine,
            username=username,
            full_name=full_name,
            password=DEMO_PASSWORD,
            role=role,
            opd_code=opd,
        )
    auth.add_display_token(engine, name="Layar demo ruang komando", token=DEMO_DISPLAY_TOKEN)
