"""queues.incident_now on SQLite and PostgreSQL: an open panel's incident as it is now."""

from __future__ import annotations

from datetime import datetime

from dashboard import incidents as svc
from dashboard import queues
from tests.conftest import BPBD_ADMIN, CALL_TAKER_ANI, SUPERVISOR_EKA, flood_report

NOW = datetime(2026, 11, 28, 3, 0, 0)  # 10:00 WIB
PANJANG_BARU = {"lat": -6.8680, "lon": 109.6880}  # coastal Pekalongan Utara, rob zone


def test_an_opd_panel_learns_its_incident_was_moved_away_by_whom_and_to_which_opd(engine):
    rec = svc.create_incident(engine, CALL_TAKER_ANI, flood_report(**PANJANG_BARU), now=NOW)
    seen = queues.incident_now(engine, BPBD_ADMIN, rec.id)
    moved = svc.reassign(
        engine, SUPERVISOR_EKA, rec.id, "DAMKAR", "Api, bukan banjir", seen_version=rec.version
    )

    now = queues.incident_now(engine, BPBD_ADMIN, rec.id, after_event_id=seen.last_event_id)

    assert (seen.code, seen.opd_code, seen.opd_name, seen.still_yours) == (
        rec.code,
        "BPBD",
        "BPBD",
        True,
    )
    assert (now.incident_id, now.status, now.opd_code, now.version) == (
        rec.id,
        "DITERUSKAN",
        "DAMKAR",
        moved.version,
    )
    assert now.opd_name == "Satpol P3KP (Damkar)" and not now.still_yours
    assert [(c.actor, c.action, c.to_status, c.to_opd_name, c.reason) for c in now.changes] == [
        ("spv.eka", "REASSIGN", "DITERUSKAN", "Satpol P3KP (Damkar)", "Api, bukan banjir")
    ]
    assert now.changes[0].event_id == now.last_event_id > seen.last_event_id
