"""Live views shared by every viewer: one snapshot query per interval, a rebuild on a change."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from dashboard import incidents as svc
from dashboard import live
from tests.conftest import CALL_TAKER_ANI, new_report

NOW = datetime(2026, 11, 28, 3, 0, 0)
INTERVAL_S = 10.0


def report() -> svc.NewReport:
    return new_report("KEBAKARAN", "Asap tebal dari dapur", (-6.8876, 109.6760), "Jl. Masjid No. 1")


@pytest.fixture
def statements(engine):
    """Every query the engine runs from now on (SQLite's BEGIN IMMEDIATE left out)."""
    seen: list[str] = []

    def record(conn, cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def wall_snapshot(engine, shared: live.SharedSnapshots, at: datetime) -> live.LiveSnapshot:
    """What one wall viewer's refresh at `at` asks for."""
    return shared.get(
        engine,
        "wall",
        lambda: live.live_snapshot(engine, now_utc=at),
        now_utc=at,
        interval_s=INTERVAL_S,
    )


def snapshot_queries(statements: list[str]) -> int:
    """How many times the open-incident list itself was read (not the change stamp)."""
    return sum("category_name" in s or "opd_name" in s for s in statements)


def test_two_viewers_with_the_same_filters_in_one_interval_cause_one_snapshot_query(
    engine, statements
):
    svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    shared = live.SharedSnapshots()
    statements.clear()

    first = wall_snapshot(engine, shared, NOW + timedelta(seconds=1))
    built = len(statements)
    second = wall_snapshot(engine, shared, NOW + timedelta(seconds=4))

    assert snapshot_queries(statements) == 1
    assert second is first
    # The second viewer's whole cost in the database: one change-stamp read.
    assert len(statements) == built + 1
    assert len(first.incidents) == 1


def test_a_recorded_incident_is_in_the_next_call_of_the_same_interval(engine, statements):
    shared = live.SharedSnapshots()
    before = wall_snapshot(engine, shared, NOW + timedelta(seconds=1))

    created = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    statements.clear()
    after = wall_snapshot(engine, shared, NOW + timedelta(seconds=2))

    assert before.incidents.empty
    assert after.incidents["id"].tolist() == [created.id]
    assert snapshot_queries(statements) == 1


def test_the_next_interval_reads_again_though_nothing_changed(engine, statements):
    svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    shared = live.SharedSnapshots()
    wall_snapshot(engine, shared, NOW + timedelta(seconds=1))
    statements.clear()

    later = wall_snapshot(engine, shared, NOW + timedelta(seconds=1 + INTERVAL_S))

    # Overdue marks and "Data per" follow the clock: the snapshot is one interval old at most.
    assert snapshot_queries(statements) == 1
    assert later.as_of_utc == NOW + timedelta(seconds=1 + INTERVAL_S)


def test_the_change_stamp_moves_when_an_incident_is_recorded_or_changes(engine):
    empty = live.change_stamp(engine)
    created = svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    recorded = live.change_stamp(engine)
    svc.cancel(
        engine,
        CALL_TAKER_ANI,
        created.id,
        "PRANK",
        seen_version=created.version,
        now=NOW + timedelta(minutes=1),
    )
    cancelled = live.change_stamp(engine)

    assert empty == (None, None)
    assert recorded[0] == created.id
    assert len({empty, recorded, cancelled}) == 3


def test_a_timed_rebuild_that_changed_nothing_draws_the_same_map(engine):
    # The maps are rendered once per map_digest (pages/live_shared.rendered): a new snapshot in
    # the next interval with the same incidents must not cost a new render, a change must.
    svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW)
    shared = live.SharedSnapshots()
    first = wall_snapshot(engine, shared, NOW + timedelta(seconds=1))
    later = wall_snapshot(engine, shared, NOW + timedelta(seconds=1 + INTERVAL_S))
    assert later is not first
    assert later.map_digest == first.map_digest

    # Unacknowledged past the 180 s target, the incident is drawn late: another map.
    late = wall_snapshot(engine, shared, NOW + timedelta(seconds=200))
    assert late.incidents["overdue"].notna().all()
    assert late.map_digest != first.map_digest

    svc.create_incident(engine, CALL_TAKER_ANI, report(), now=NOW + timedelta(seconds=201))
    grown = wall_snapshot(engine, shared, NOW + timedelta(seconds=202))
    assert len(grown.incidents) == 2
    assert grown.map_digest != late.map_digest
