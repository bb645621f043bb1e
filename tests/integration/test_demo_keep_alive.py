"""The demo city keeps living: the built-in keep-alive's calls move on through every step."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from dashboard import catalogue, demo, setup
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.config import load_settings
from tests.conftest import CALL_TAKER_ANI, flood_report
from tests.helpers.worker_thread import running_worker

NOW = datetime(2026, 12, 1, 12, 0)


def _simulated(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(t.incidents)
            .where(t.incidents.c.created_by == demo.SIMULATOR.username)
            .order_by(t.incidents.c.id)
        ).all()


def _a_real_call(engine) -> random.Random:
    """A seeded generator whose call (after the tick's one roll) is a real emergency."""
    with engine.connect() as conn:
        cats = catalogue.categories(conn)
    for seed in range(100):
        probe = random.Random(seed)
        probe.random()
        if demo._plan_call(probe, NOW, cats)["cancel_reason"] is None:
            return random.Random(seed)
    raise AssertionError("no seed below 100 gives a real call")


def test_a_simulated_call_goes_from_new_to_resolved_one_step_at_a_time(engine):
    rng = _a_real_call(engine)
    demo.keep_alive(engine, interval_s=demo.LIVE_CALL_INTERVAL_S, now=NOW, rng=rng)
    (call,) = _simulated(engine)
    assert call.status == "BARU"
    # One second later nothing is due yet: the call-taker is still talking.
    demo.keep_alive(engine, interval_s=0, now=NOW + timedelta(seconds=1))
    assert _simulated(engine)[0].status == "BARU"
    seen = []
    for hours in (1, 2, 3, 30):
        # Ticks an hour apart: a late step lingers (LATE_LINGER_S) but not across a whole hour.
        tick = demo.LATE_LINGER_S
        demo.keep_alive(engine, interval_s=tick, now=NOW + timedelta(hours=hours), rng=rng)
        seen.append(_simulated(engine)[0].status)
    assert seen == ["DITERUSKAN", "DITERIMA", "DITANGANI", "SELESAI"]
    with engine.connect() as conn:
        alerts = conn.execute(select(t.alerts).where(t.alerts.c.incident_id == call.id)).all()
        actors = set(
            conn.execute(
                select(t.incident_events.c.actor).where(t.incident_events.c.incident_id == call.id)
            ).scalars()
        )
    # The OPD was alerted at the hand-off as for any report; every step is the simulator's.
    assert [a.kind for a in alerts] == ["ASSIGNED"]
    assert actors == {"simulator"}


def test_the_keep_alive_never_moves_a_report_a_person_recorded(engine):
    mine = svc.create_incident(
        engine, CALL_TAKER_ANI, flood_report(lat=-6.8886, lon=109.6753), now=NOW
    )
    for hours in (1, 5, 30):
        demo.keep_alive(engine, interval_s=0, now=NOW + timedelta(hours=hours))
    with engine.connect() as conn:
        status = conn.execute(
            select(t.incidents.c.status).where(t.incidents.c.id == mine.id)
        ).scalar_one()
    assert status == "DITERUSKAN"


def _run_worker_briefly(engine, *, demo_live: bool, monkeypatch) -> None:
    # One keep-alive tick per 240 s makes a call at its first tick (probability 1).
    monkeypatch.setenv("SIAGA_DEMO_LIVE_INTERVAL_S", str(demo.LIVE_CALL_INTERVAL_S))
    with running_worker(engine, demo_live=demo_live):
        for _ in range(100):
            if _simulated(engine) or not demo_live:
                break
            time.sleep(0.1)


def test_the_worker_keeps_the_demo_city_alive_only_when_asked(engine, monkeypatch):
    _run_worker_briefly(engine, demo_live=False, monkeypatch=monkeypatch)
    assert _simulated(engine) == []
    _run_worker_briefly(engine, demo_live=True, monkeypatch=monkeypatch)
    assert len(_simulated(engine)) == 1


def test_demo_live_is_on_in_demo_mode_and_never_without_it():
    assert load_settings({}).demo_live is True
    assert load_settings({"SIAGA_DEMO_LIVE": "0"}).demo_live is False
    assert load_settings({"SIAGA_DEMO": "0", "SIAGA_DEMO_LIVE": "1"}).demo_live is False


def test_a_keep_alive_call_before_the_first_preparation_still_leaves_a_populated_city(
    engine, monkeypatch
):
    # On a fresh start the worker's keep-alive may call before the preparation (creating the
    # demo accounts) reaches the history: the city must still get its history, not one call.
    monkeypatch.setenv("SIAGA_DEMO_DAYS", "2")
    demo.keep_alive(engine, interval_s=demo.LIVE_CALL_INTERVAL_S, now=NOW, rng=_a_real_call(engine))
    assert len(_simulated(engine)) == 1
    setup.prepare_database(engine, demo_mode=True)
    i = t.incidents.c
    with engine.connect() as conn:
        history = conn.execute(
            select(func.count()).where(i.created_by != demo.SIMULATOR.username)
        ).scalar_one()
    assert history > 20
    assert len(_simulated(engine)) == 1
