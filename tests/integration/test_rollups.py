"""Tren from the trend rollups agrees with the exact queries on random histories, both databases.

A seeded random history of ~1,500 incidents over 75 WIB days (two month boundaries, every
category, OPD changes, calls outside the city, durations from 0 s to days, negative ones too;
hand-offs with webhook / email messages, acknowledgements and escalations) is folded, then
changed (new calls, reassignments, acknowledgements, resolutions, escalations that touch no
incident row, a corrected location) without folding, then folded again. At every step the
report read from rollups must equal the exact one (the hand-off view and the 250 m density grid
too): identical counts everywhere, percentiles within rollups.MAX_RELATIVE_ERROR (identical
below EXACT_BELOW_S).
"""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, insert, select, update

from dashboard import catalogue, rollups, trends
from dashboard import tables as t
from dashboard.db import MIGRATIONS_DIR, migrate
from dashboard.trends import TrendFilter
from geo import grid_counts
from geo.layers import default_city
from tests.helpers.worker_thread import running_worker

WIB_H = 7
FIRST_DAY = date(2026, 1, 20)
DAYS = 75
NOW = datetime(2026, 4, 6, 12, 0) - timedelta(hours=WIB_H)  # 5 April, 19:00 WIB: after them all
PLACES = [
    ("Pekalongan Barat", "3375011001", "Medono"),
    ("Pekalongan Barat", "3375011002", "Podosugih"),
    ("Pekalongan Utara", "3375041001", "Krapyak"),
    ("Pekalongan Timur", "3375021003", "Kauman"),
    ("Pekalongan Selatan", "3375031004", "Jenggot"),
    (None, None, None),  # outside the city
]
OPDS = ["PMI", "RSUD", "BPBD", "DAMKAR", "POLRES"]
CATEGORIES = ["AMBULANS", "BANJIR", "KEBAKARAN", "KECELAKAAN", "POHON_TUMBANG", "ROB"]
FILTERS = [
    TrendFilter(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1)),
    TrendFilter(date(2026, 2, 1), date(2026, 3, 31), granularity="week"),
    TrendFilter(date(2026, 2, 10), date(2026, 3, 9), granularity="month"),
    TrendFilter(date(2026, 1, 25), date(2026, 3, 3), categories=("AMBULANS", "BANJIR")),
    TrendFilter(date(2026, 2, 1), date(2026, 2, 28), opds=("RSUD",)),
    TrendFilter(FIRST_DAY, date(2026, 4, 5), kecamatan=("Pekalongan Barat", "Pekalongan Utara")),
    # Up to the day of the changes: escalations and acknowledgements made after the fold.
    TrendFilter(date(2026, 3, 30), date(2026, 4, 6), opds=("PMI", "BPBD")),
]


# The grid Tren draws; the catch-up's default (rollups.rollup_grid) on the test city.
GRID = grid_counts.grid_spec(cell_m=rollups.GRID_CELL_M, city=default_city())


def test_rollups_and_the_exact_queries_agree_on_a_random_history_as_it_changes(engine):
    rng = random.Random(16)
    with engine.begin() as conn:
        _add_history(conn, rng, first_id=1, count=1500)
    # The first run builds every day with a call (and a later day holding only a hand-off).
    assert rollups.refresh_rollups(engine, now_utc=NOW) >= DAYS
    _assert_reports_agree(engine, expect_unfolded=False)

    # Changes after the fold: new calls on old and new days, moves and resolutions.
    later = NOW + timedelta(hours=1)
    with engine.begin() as conn:
        _add_history(conn, rng, first_id=5001, count=60)
        _change_some(conn, rng, at=later)
    _assert_reports_agree(engine, expect_unfolded=True)

    assert rollups.refresh_rollups(engine, now_utc=later + timedelta(hours=1)) > 0
    _assert_reports_agree(engine, expect_unfolded=False)


def test_a_second_catch_up_finds_nothing_to_fold_and_leaves_the_rows_as_they_were(engine):
    with engine.begin() as conn:
        _add_history(conn, random.Random(3), first_id=1, count=300)
    rollups.refresh_rollups(engine, now_utc=NOW)
    before = [_rollup_rows(engine, table) for table in ROLLUP_TABLES]
    assert rollups.refresh_rollups(engine, now_utc=NOW + timedelta(minutes=5)) == 0
    assert [_rollup_rows(engine, table) for table in ROLLUP_TABLES] == before


def test_a_changed_target_is_counted_exactly_at_once_and_refolded_by_the_next_catch_up(engine):
    with engine.begin() as conn:
        _add_history(conn, random.Random(5), first_id=1, count=300)
    rollups.refresh_rollups(engine, now_utc=NOW)
    catalogue.set_setting(engine, "target_forward_s", 45)
    # Until the catch-up, "within 45 s" cannot come from rows counted against 60 s.
    _assert_reports_agree(engine, expect_unfolded=False)
    rollups.refresh_rollups(engine, now_utc=NOW + timedelta(minutes=1))
    with engine.connect() as conn:
        assert '"forward": 45' in conn.execute(select(t.trend_rollup_state.c.targets)).scalar()
    _assert_reports_agree(engine, expect_unfolded=False)


def test_two_catch_ups_at_once_leave_one_row_per_cell_and_the_same_report(engine):
    with engine.begin() as conn:
        _add_history(conn, random.Random(9), first_id=1, count=600)
    rollups.refresh_rollups(engine, now_utc=NOW)
    later = NOW + timedelta(hours=1)
    with engine.begin() as conn:
        _change_some(conn, random.Random(10), at=later)
    errors: list[BaseException] = []

    def catch_up() -> None:
        try:
            rollups.refresh_rollups(engine, now_utc=later + timedelta(hours=1))
        except BaseException as error:  # the test reports it below
            errors.append(error)

    threads = [threading.Thread(target=catch_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    r = t.trend_rollups.c
    with engine.connect() as conn:
        duplicates = conn.execute(
            select(r.tier, r.period_start, r.category_code, r.opd_code, r.first_opd_code)
            .group_by(r.tier, r.period_start, r.category_code, r.opd_code, r.first_opd_code)
            .group_by(r.kecamatan)
            .having(func.count() > 1)
        ).all()
    assert duplicates == []
    h = t.handoff_rollups.c
    with engine.connect() as conn:
        duplicates = conn.execute(
            select(h.tier, h.period_start, h.opd_code, h.channel, h.category_code, h.kecamatan)
            .group_by(h.tier, h.period_start, h.opd_code, h.channel, h.category_code)
            .group_by(h.kecamatan)
            .having(func.count() > 1)
        ).all()
    assert duplicates == []
    _assert_reports_agree(engine, expect_unfolded=False)


def test_the_worker_builds_the_rollups_and_tren_then_reads_them(engine, monkeypatch):
    with engine.begin() as conn:
        _add_history(conn, random.Random(2), first_id=1, count=200)
    monkeypatch.setenv("SIAGA_ROLLUP_INTERVAL_S", "0.1")
    with running_worker(engine, join_s=30, trend_rollups=True):
        for _ in range(200):
            with engine.connect() as conn:
                if conn.execute(select(t.trend_rollup_state.c.folded_until_utc)).scalar():
                    break
            time.sleep(0.1)
    with trends.read_connection(engine) as conn:
        targets = catalogue.targets(catalogue.get_settings(conn))
        parts = rollups.read(conn, FILTERS[0], targets=targets)
    assert parts is not None
    assert int(parts.activity["total"].sum()) == 200


def test_the_grid_comes_from_the_rollups_only_when_they_were_folded_on_the_same_grid(engine):
    with engine.begin() as conn:
        _add_history(conn, random.Random(4), first_id=1, count=300)
    coarse = grid_counts.grid_spec(cell_m=500.0, city=default_city())
    rollups.refresh_rollups(engine, now_utc=NOW, grid=coarse)
    flt = FILTERS[0]
    exact = trends.build_report(engine, flt, grid=GRID, exact=True).grid.cells
    assert _rollup_parts(engine, flt, grid=coarse).grid is not None
    # Asked for 250 m cells, rollups counted in 500 m ones: Tren counts the incidents.
    assert _rollup_parts(engine, flt, grid=GRID).grid is None
    pd.testing.assert_frame_equal(trends.build_report(engine, flt, grid=GRID).grid.cells, exact)
    # The next catch-up sees the grid is not the city's and folds everything again on it.
    assert rollups.refresh_rollups(engine, now_utc=NOW + timedelta(minutes=1)) >= DAYS
    parts = _rollup_parts(engine, flt, grid=GRID)
    assert parts.grid is not None
    pd.testing.assert_frame_equal(parts.grid, exact)
    assert int(exact["count"].sum()) == 300


def test_a_range_reads_whole_months_then_whole_weeks_then_the_days_left():
    # February 2026 starts on a Sunday: its Mondays are the 2nd, 9th, 16th and 23rd.
    months, weeks, days = rollups._plan(date(2026, 1, 31), date(2026, 3, 9), unfolded=set())
    assert months == [date(2026, 2, 1)]
    assert weeks == [date(2026, 3, 2)]  # 26 Jan - 1 Feb is cut by the range and by February
    assert days == [date(2026, 1, 31), date(2026, 3, 1), date(2026, 3, 9)]
    # A day not folded yet keeps its month and its week out: their other days come as days.
    months, weeks, days = rollups._plan(
        date(2026, 2, 10), date(2026, 3, 9), unfolded={date(2026, 2, 25)}
    )
    assert months == []
    assert weeks == [date(2026, 2, 16), date(2026, 3, 2)]
    february = [date(2026, 2, d) for d in (10, 11, 12, 13, 14, 15, 23, 24, 26, 27, 28)]
    assert days == [*february, date(2026, 3, 1), date(2026, 3, 9)]


def test_a_week_across_two_months_sums_its_seven_days_after_either_month_is_refolded(engine):
    with engine.begin() as conn:
        _add_history(conn, random.Random(7), first_id=1, count=600)
    rollups.refresh_rollups(engine, now_utc=NOW, grid=GRID)
    # 23 February - 1 March 2026: a new call on the Sunday (March) after both months folded,
    # forwarded that day (seed 10: its first call is forwarded, a hand-off on the Sunday too).
    sunday = datetime(2026, 3, 1, 10, 0) - timedelta(hours=WIB_H)
    with engine.begin() as conn:
        _add_history(conn, random.Random(10), first_id=9001, count=1, received_at=sunday)
    rollups.refresh_rollups(engine, now_utc=NOW + timedelta(hours=1), grid=GRID)
    week_of = (date(2026, 2, 23), date(2026, 3, 1))
    r, h = t.trend_rollups.c, t.handoff_rollups.c
    with engine.connect() as conn:
        week, days, handoff_week, handoff_days = (
            conn.execute(
                select(func.sum(total)).where(
                    columns.tier == tier, columns.period_start.between(*period)
                )
            ).scalar_one()
            for columns, total in ((r, r.total), (h, h.handoffs))
            for tier, period in (("week", (week_of[0], week_of[0])), ("day", week_of))
        )
        received = conn.execute(
            select(func.count()).where(
                t.incidents.c.received_at_utc >= datetime(2026, 2, 22, 17, 0),
                t.incidents.c.received_at_utc < datetime(2026, 3, 1, 17, 0),
            )
        ).scalar_one()
        targets = catalogue.targets(catalogue.get_settings(conn))
        handed_off = trends.handoff_view(conn, TrendFilter(*week_of), targets=targets)
    assert week == days == received
    assert handoff_week == handoff_days == int(handed_off.by_channel["handoffs"].sum())
    # Three whole weeks, no whole month: read from the three week rows, as exact as the rows.
    flt = TrendFilter(date(2026, 2, 16), date(2026, 3, 8))
    assert rollups._plan(flt.start_day, flt.end_day, set())[1] == [
        date(2026, 2, 16),
        date(2026, 2, 23),
        date(2026, 3, 2),
    ]
    fast, exact = (trends.build_report(engine, flt, exact=e) for e in (False, True))
    assert fast.totals == exact.totals
    pd.testing.assert_frame_equal(fast.by_kecamatan, exact.by_kecamatan)
    _assert_handoffs_agree(fast.handoff, exact.handoff)


def test_before_the_first_build_tren_reads_every_incident_exactly(engine):
    with engine.begin() as conn:
        _add_history(conn, random.Random(1), first_id=1, count=100)
    flt = FILTERS[0]
    with trends.read_connection(engine) as conn:
        targets = catalogue.targets(catalogue.get_settings(conn))
        assert rollups.read(conn, flt, targets=targets) is None
    assert trends.build_report(engine, flt).totals.incidents == 100


def test_upgrading_to_0013_sums_the_week_rows_of_the_hand_off_days_already_folded(engine):
    with engine.begin() as conn:
        _add_history(conn, random.Random(12), first_id=1, count=400)
    rollups.refresh_rollups(engine, now_utc=NOW, grid=GRID)
    folded = _rollup_rows(engine, t.handoff_rollups)
    assert any(row[0] == rollups.WEEK for row in folded)
    # A database whose rollups were folded before migration 0013: day and month rows only.
    _downgrade(engine, "0012")
    with engine.connect() as conn:
        tiers = conn.execute(select(t.handoff_rollups.c.tier).distinct()).scalars().all()
    assert sorted(tiers) == ["day", "month"]

    migrate(engine)

    # The rows the catch-up writes, still ready: nothing to fold again, Tren reads them.
    assert _rollup_rows(engine, t.handoff_rollups) == folded
    assert rollups.refresh_rollups(engine, now_utc=NOW + timedelta(minutes=5), grid=GRID) == 0
    _assert_reports_agree(engine, expect_unfolded=False)


# --- helpers ---------------------------------------------------------------------------------


def _assert_reports_agree(engine, *, expect_unfolded: bool) -> None:
    saw_unfolded = False
    for flt in FILTERS:
        fast = trends.build_report(engine, flt, grid=GRID)
        exact = trends.build_report(engine, flt, grid=GRID, exact=True)
        parts = _rollup_parts(engine, flt, grid=GRID)
        assert parts is not None
        saw_unfolded |= bool(parts.unfolded_days)
        if parts.speed is not None:
            assert parts.handoff is not None  # read from the rollups, not the exact queries
        assert parts.grid is not None  # folded on GRID: not the exact query
        assert fast.totals == exact.totals, flt
        pd.testing.assert_frame_equal(fast.grid.cells, exact.grid.cells, obj="grid")
        for name in ("volume", "nuisance", "by_kecamatan", "hour_weekday"):
            pd.testing.assert_frame_equal(getattr(fast, name), getattr(exact, name), obj=name)
        for name in ("by_kelurahan", "flows"):
            # Ties may come in another order (PostgreSQL's collation vs Python's).
            a, b = (_sorted(getattr(r, name)) for r in (fast, exact))
            pd.testing.assert_frame_equal(a, b, obj=name)
        for by in ("opd", "category"):
            pd.testing.assert_frame_equal(fast.reassign[by], exact.reassign[by])
        for grouping in trends.GROUPINGS:
            a, b = fast.speed[grouping], exact.speed[grouping]
            counts = ["group", "stage", "n", "within", "within_share", "target_s"]
            pd.testing.assert_frame_equal(a[counts], b[counts], obj=grouping)
            for column in ("median_s", "p90_s"):
                for got, want in zip(a[column], b[column], strict=True):
                    assert abs(got - want) <= rollups.MAX_RELATIVE_ERROR * abs(want) + 1e-9
                    if abs(want) < rollups.EXACT_BELOW_S - 1:
                        assert got == pytest.approx(want, abs=1e-9)
        _assert_handoffs_agree(fast.handoff, exact.handoff)
    assert saw_unfolded == expect_unfolded


def _assert_handoffs_agree(fast: trends.HandoffView, exact: trends.HandoffView) -> None:
    assert fast.target_s == exact.target_s
    assert int(exact.by_channel["handoffs"].sum()) > 0
    pd.testing.assert_frame_equal(fast.escalations, exact.escalations, obj="escalations")
    for name in ("by_channel", "by_opd"):
        a, b = getattr(fast, name), getattr(exact, name)
        counts = [c for c in a.columns if c not in ("median_s", "p90_s")]
        pd.testing.assert_frame_equal(a[counts], b[counts], obj=name)
        for column in ("median_s", "p90_s"):
            for got, want in zip(a[column], b[column], strict=True):
                if pd.isna(want):
                    assert pd.isna(got), name
                    continue
                # A few hand-offs per OPD and channel: the two ranks interpolated between may
                # lie far apart (one exact, one binned), so only the error bound holds here.
                assert abs(got - want) <= rollups.MAX_RELATIVE_ERROR * abs(want) + 1e-9


def _downgrade(engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _rollup_parts(engine, flt: TrendFilter, *, grid) -> rollups.Parts | None:
    with trends.read_connection(engine) as conn:
        targets = catalogue.targets(catalogue.get_settings(conn))
        return rollups.read(conn, flt, targets=targets, grid=grid)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keyed = frame.astype(str)
    return frame.loc[keyed.sort_values(list(keyed.columns)).index].reset_index(drop=True)


ROLLUP_TABLES = (t.trend_rollups, t.handoff_rollups, t.escalation_rollups)


def _rollup_rows(engine, table=t.trend_rollups) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(table)).all()
    columns = [c.key for c in table.c if c.key != "id"]
    return sorted(tuple(str(row._mapping[c]) for c in columns) for row in rows)


def _add_history(
    conn, rng: random.Random, *, first_id: int, count: int, received_at: datetime | None = None
) -> None:
    """`count` random incidents from `first_id` on, received at random moments (or at
    `received_at`)."""
    rows, events = [], []
    for i in range(count):
        incident_id = first_id + i
        received = datetime.combine(FIRST_DAY, datetime.min.time()) - timedelta(hours=WIB_H)
        received += timedelta(
            seconds=rng.randrange(DAYS * 86_400), microseconds=rng.randrange(10**6)
        )
        received = received_at or received
        spot = random.Random(incident_id)
        kecamatan, kode, nama = rng.choice(PLACES)
        row = dict.fromkeys(_OPTIONAL) | {
            "id": incident_id,
            "code": f"112-ROLL-{incident_id:05d}",
            "received_at_utc": received,
            "category_code": rng.choice(CATEGORIES),
            "priority": 1,
            "kondisi": "Uji rollup",
            # About 26 x 26 cells of 250 m around the centre, from their own generator so the
            # rest of each seeded history is what it was before the grid was rolled up.
            "lat": -6.89 + spot.uniform(-0.03, 0.03),
            "lon": 109.67 + spot.uniform(-0.03, 0.03),
            "address": "Jl. Uji",
            "kelurahan": nama,
            "kecamatan": kecamatan,
            "kelurahan_kode": kode,
            "in_city": kecamatan is not None,
            "caller_phone": "081234567890",
            "status": "BARU",
            "reassign_count": 0,
            "created_by": "uji",
            "updated_at_utc": received,
            "updated_by": "uji",
            "version": 1,
        }
        roll = rng.random()
        if roll < 0.3:
            reason = rng.choice(["PRANK", "GHOST", "BUKAN_DARURAT", "DUPLIKAT"])
            row |= {"status": "DIBATALKAN", "cancel_reason": reason, "cancelled_at_utc": received}
        elif roll < 0.95:
            opd = rng.choice(OPDS)
            forwarded = received + timedelta(seconds=_duration(rng))
            row |= {
                "status": "DITERUSKAN",
                "opd_code": opd,
                "first_opd_code": opd,
                "forwarded_at_utc": forwarded,
                "assigned_at_utc": forwarded,
            }
            events.append(_event(incident_id, forwarded, "FORWARD", to_opd=opd))
            if rng.random() < 0.2:
                moved_to = rng.choice([o for o in OPDS if o != opd])
                assigned = forwarded + timedelta(seconds=rng.randrange(1, 900))
                row |= {"opd_code": moved_to, "assigned_at_utc": assigned, "reassign_count": 1}
                events.append(_reassign(incident_id, assigned, opd, moved_to))
            if rng.random() < 0.15:
                at = row["assigned_at_utc"] + timedelta(seconds=rng.randrange(300, 7200))
                events.append(_escalate(incident_id, at, rng.choice([1, 2]), row["opd_code"]))
            if rng.random() < 0.8:
                acknowledged = row["assigned_at_utc"] + timedelta(seconds=_duration(rng))
                row |= {"status": "DITERIMA", "acknowledged_at_utc": acknowledged}
                events.append(_event(incident_id, acknowledged, "ACKNOWLEDGE"))
                if rng.random() < 0.7:
                    resolved = acknowledged + timedelta(seconds=rng.randrange(0, 3 * 86_400))
                    row |= {"status": "SELESAI", "resolved_at_utc": resolved}
        rows.append(row)
    conn.execute(insert(t.incidents), rows)
    if events:
        conn.execute(insert(t.incident_events), events)
    _add_messages(conn, rng, first_id=first_id)


def _add_messages(conn, rng: random.Random, *, first_id: int) -> None:
    """Webhook and/or email outbox rows for about a third of the new hand-offs."""
    e = t.incident_events.c
    handoffs = conn.execute(
        select(e.id, e.incident_id, e.at_utc)
        .where(e.incident_id >= first_id, e.action.in_(trends.HANDOFF_ACTIONS))
        .order_by(e.id)
    ).all()
    messages = []
    for event in handoffs:
        if rng.random() < 0.35:
            for channel in rng.choice([["webhook"], ["email"], ["webhook", "email"]]):
                messages.append(
                    {
                        "dedupe_key": f"uji-{event.id}-{channel}",
                        "channel": channel,
                        "target": "https://opd.example/hook",
                        "incident_id": event.incident_id,
                        "event_id": event.id,
                        "payload": "{}",
                        "status": "SENT",
                        "attempts": 1,
                        "next_attempt_utc": event.at_utc,
                        "created_at_utc": event.at_utc,
                    }
                )
    if messages:
        conn.execute(insert(t.outbox), messages)


_OPTIONAL = (
    "opd_code",
    "first_opd_code",
    "forwarded_at_utc",
    "assigned_at_utc",
    "acknowledged_at_utc",
    "resolved_at_utc",
    "cancelled_at_utc",
    "cancel_reason",
)


def _change_some(conn, rng: random.Random, *, at: datetime) -> None:
    """Reassign a few forwarded incidents and resolve a few acknowledged ones, as services do."""
    c = t.incidents.c
    forwarded = conn.execute(
        select(c.id, c.opd_code).where(c.status == "DITERUSKAN").order_by(c.id)
    ).all()
    for row in rng.sample(forwarded, min(15, len(forwarded))):
        moved_to = rng.choice([o for o in OPDS if o != row.opd_code])
        conn.execute(
            update(t.incidents)
            .where(c.id == row.id)
            .values(
                opd_code=moved_to,
                assigned_at_utc=at,
                reassign_count=c.reassign_count + 1,
                updated_at_utc=at,
            )
        )
        conn.execute(insert(t.incident_events), [_reassign(row.id, at, row.opd_code, moved_to)])
    acknowledged = conn.execute(select(c.id).where(c.status == "DITERIMA").order_by(c.id)).all()
    for row in rng.sample(acknowledged, min(15, len(acknowledged))):
        conn.execute(
            update(t.incidents)
            .where(c.id == row.id)
            .values(status="SELESAI", resolved_at_utc=at, updated_at_utc=at)
        )
    # A call-taker corrects a few locations: the old and the new grid cell both change.
    for incident_id in rng.sample(range(1, 1001), 10):
        conn.execute(
            update(t.incidents)
            .where(c.id == incident_id)
            .values(lat=c.lat + 0.01, lon=c.lon - 0.01, updated_at_utc=at)
        )
    # The escalation job writes an event and leaves updated_at_utc alone; an OPD acknowledges.
    waiting = conn.execute(
        select(c.id, c.opd_code).where(c.status == "DITERUSKAN").order_by(c.id)
    ).all()
    for row in rng.sample(waiting, min(20, len(waiting))):
        if rng.random() < 0.5:
            conn.execute(insert(t.incident_events), [_escalate(row.id, at, 1, row.opd_code)])
        else:
            conn.execute(
                update(t.incidents)
                .where(c.id == row.id)
                .values(status="DITERIMA", acknowledged_at_utc=at, updated_at_utc=at)
            )
            conn.execute(insert(t.incident_events), [_event(row.id, at, "ACKNOWLEDGE")])


def _duration(rng: random.Random) -> float:
    """Seconds with a fraction: mostly under EXACT_BELOW_S, some up to hours, a few negative."""
    roll = rng.random()
    if roll < 0.5:
        return rng.uniform(0, 127)
    if roll < 0.97:
        return rng.uniform(127, 20_000)
    return -rng.uniform(0, 500)  # a clock set wrong on an imported record


def _event(incident_id: int, at: datetime, action: str, *, to_opd: str | None = None) -> dict:
    return {
        "incident_id": incident_id,
        "at_utc": at,
        "actor": "uji",
        "action": action,
        "from_status": None,
        "to_status": None,
        "from_opd": None,
        "to_opd": to_opd,
        "reason": None,
        "details": None,
    }


def _escalate(incident_id: int, at: datetime, level: int, opd: str) -> dict:
    details = json.dumps({"level": level, "opd": opd, "waited_s": 600, "threshold_s": 600})
    return _event(incident_id, at, "ESCALATE") | {"actor": "sistem", "details": details}


def _reassign(incident_id: int, at: datetime, from_opd: str, to_opd: str) -> dict:
    return {
        "incident_id": incident_id,
        "at_utc": at,
        "actor": "uji",
        "action": "REASSIGN",
        "from_status": "DITERUSKAN",
        "to_status": "DITERUSKAN",
        "from_opd": from_opd,
        "to_opd": to_opd,
        "reason": "uji",
        "details": None,
    }
