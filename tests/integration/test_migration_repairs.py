"""Migrations that repair stored rows: an upgraded database reads right on every screen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.db import migrate
from tests.conftest import CALL_TAKER_ANI, flood_report
from tests.helpers.databases import downgrade

NOW = datetime(2026, 12, 1, 5, 0)
PANJANG_BARU = (-6.86315, 109.67895)


def _store_names(engine, incident_id: int, text: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(t.incidents).where(t.incidents.c.id == incident_id).values(flood_zone_names=text)
        )


def _names(engine, incident_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(
            select(t.incidents.c.flood_zone_names).where(t.incidents.c.id == incident_id)
        ).scalar_one()


def test_upgrading_rewrites_flood_zone_names_stored_as_tuple_text_into_plain_names(engine):
    report = flood_report(lat=PANJANG_BARU[0], lon=PANJANG_BARU[1])
    one = svc.create_incident(engine, CALL_TAKER_ANI, report, now=NOW).id
    two = svc.create_incident(engine, CALL_TAKER_ANI, report, now=NOW).id
    odd = svc.create_incident(engine, CALL_TAKER_ANI, report, now=NOW).id
    _store_names(engine, one, "('Rob Bandengan',)")
    _store_names(engine, two, "('Rob Degayu', 'Pesisir 0-400 m dari garis pantai')")
    # Not a literal (and certainly not code to run): left exactly as it was.
    _store_names(engine, odd, "(__import__('os').getcwd())")
    downgrade(engine, "0005")

    migrate(engine)

    assert _names(engine, one) == "Rob Bandengan"
    assert _names(engine, two) == "Rob Degayu, Pesisir 0-400 m dari garis pantai"
    assert _names(engine, odd) == "(__import__('os').getcwd())"
