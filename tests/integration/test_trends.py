"""Trend figures on SQLite and PostgreSQL from a small hand-made history with exact timestamps.

The history, two ISO weeks, Mon 2 - Sun 15 March 2026 (WIB wall clock; stored as UTC = WIB - 7 h;
"+s" = seconds after the previous step):

 #1  Mon 02 00:00:00  AMBULANS       Barat/Medono         fwd PMI +30, ack +60, resolved at 1800
 #2  Mon 02 23:30:00  KEBAKARAN      Utara/Krapyak        fwd DAMKAR +50, ack +120, resolved 3600
 #3  Tue 03 00:30:00  AMBULANS       Timur/Kauman         fwd PMI +70, moved to RSUD +100, ack +40,
     (UTC: Mon 02 17:30)                                  resolved at 5400
 #4  Wed 04 10:00:00  AMBULANS       Barat/Medono         cancelled PRANK +60
 #5  Wed 04 11:00:00  KECELAKAAN     outside the city     cancelled GHOST +30
 #6  Sun 08 07:15:00  BANJIR         Utara/Krapyak        fwd BPBD +90, ack +200, still open
 #7  Mon 09 09:00:00  POHON_TUMBANG  Utara/Panjang Wetan  fwd BPBD +40, moved to DAMKAR +300,
                                                          ack +100, resolved at 9000
 #8  Sat 14 22:00:00  AMBULANS       Barat/Medono         fwd PMI +60, ack +180, resolved 7200
 #9  Sun 15 16:59:59  KEBAKARAN      Timur/Setono         fwd DAMKAR +20, cancelled BUKAN_DARURAT
 #12 Tue 10 14:00:00  KECELAKAAN     Selatan/Jenggot      fwd POLRES +45, moved to PMI +60, then
                                                          to RSUD +60, ack +30, still open
 #10 Mon 16 06:00:00  (UTC still Sun 15) and #11 Sun 01 23:59:59: just outside the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from dashboard import catalogue, trends
from dashboard import tables as t
from dashboard.errors import InvalidInput
from dashboard.trends import ALL_GROUP, TrendFilter
from geo.grid_counts import GridSpec

WIB_H = 7
START, END = date(2026, 3, 2), date(2026, 3, 15)
BARAT, UTARA, TIMUR, SELATAN = (
    "Pekalongan Barat",
    "Pekalongan Utara",
    "Pekalongan Timur",
    "Pekalongan Selatan",
)


@dataclass(frozen=True)
class Step:
    """One thing that happened to an incident, `after_s` seconds after the previous step."""

    action: str
    after_s: int
    opd: str | None = None
    reason: str | None = None


def wib(day: int, hour: int, minute: int = 0, second: int = 0, *, month: int = 3) -> datetime:
    """The naive-UTC storage value of a WIB wall-clock time in 2026."""
    return datetime(2026, month, day, hour, minute, second) - timedelta(hours=WIB_H)


def add_incident(
    conn,
    incident_id: int,
    received_utc: datetime,
    category: str,
    steps: list[Step],
    *,
    kecamatan: str | None,
    kelurahan: str | None,
    lat: float = -6.89,
    lon: float = 109.67,
    phone: str = "081234567890",
) -> None:
    """Insert one incident row and its event log, replaying `steps` at exact times."""
    row = {
        "id": incident_id,
        "code": f"112-TEST-{incident_id:04d}",
        "received_at_utc": received_utc,
        "category_code": category,
        "priority": 1,
        "kondisi": f"Kejadian uji {incident_id}",
        "lat": lat,
        "lon": lon,
        "address": f"Jl. Uji No. {incident_id}",
        "kelurahan": kelurahan,
        "kecamatan": kecamatan,
        "kelurahan_kode": None if kelurahan is None else f"K-{kelurahan}",
        "in_city": kecamatan is not None,
        "caller_phone": phone,
        "status": "BARU",
        "opd_code": None,
        "reassign_count": 0,
        "first_opd_code": None,
        "created_by": "ct.ani",
        "updated_at_utc": received_utc,
        "updated_by": "ct.ani",
        "version": 1,
    }
    events = [
        _event(
            incident_id,
            received_utc,
            "CREATE",
            from_status=None,
            to_status="BARU",
            from_opd=None,
            to_opd=None,
        )
    ]
    at = received_utc
    for step in steps:
        at = at + timedelta(seconds=step.after_s)
        before_status, before_opd = row["status"], row["opd_code"]
        if step.action == "FORWARD":
            row |= {
                "status": "DITERUSKAN",
                "opd_code": step.opd,
                "first_opd_code": step.opd,
                "forwarded_at_utc": at,
                "assigned_at_utc": at,
            }
        elif step.action == "REASSIGN":
            row |= {
                "status": "DITERUSKAN",
                "opd_code": step.opd,
                "assigned_at_utc": at,
                "acknowledged_at_utc": None,
                "reassign_count": row["reassign_count"] + 1,
            }
        elif step.action == "ACKNOWLEDGE":
            row |= {"status": "DITERIMA", "acknowledged_at_utc": at}
        elif step.action == "RESOLVE":
            row |= {"status": "SELESAI", "resolved_at_utc": at}
        elif step.action == "CANCEL":
            row |= {"status": "DIBATALKAN", "cancelled_at_utc": at, "cancel_reason": step.reason}
        events.append(
            _event(
                incident_id,
                at,
                step.action,
                from_status=before_status,
                to_status=row["status"],
                from_opd=before_opd,
                to_opd=row["opd_code"],
            )
        )
    conn.execute(insert(t.incidents).values(**row))
    conn.execute(insert(t.incident_events), events)


def _event(incident_id, at, action, *, from_status, to_status, from_opd, to_opd) -> dict:
    return {
        "incident_id": incident_id,
        "at_utc": at,
        "actor": "uji",
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "from_opd": from_opd,
        "to_opd": to_opd,
        "reason": "uji" if action == "REASSIGN" else None,
        "details": None,
    }


def resolved_at(total_s: int, *before: int) -> Step:
    """A RESOLVE step placed `total_s` after reception, given the earlier steps' delays."""
    return Step("RESOLVE", total_s - sum(before))


FWD, ACK, MOVE = "FORWARD", "ACKNOWLEDGE", "REASSIGN"
MEDONO = {"kecamatan": BARAT, "kelurahan": "Medono", "lat": -6.8950, "lon": 109.6550}
KRAPYAK = {"kecamatan": UTARA, "kelurahan": "Krapyak", "lat": -6.8750, "lon": 109.6850}


def where(kecamatan: str | None, kelurahan: str | None, **more) -> dict:
    return {"kecamatan": kecamatan, "kelurahan": kelurahan, **more}


# (id, received, category, steps, where): the history of the module docstring.
HISTORY = [
    (
        1,
        wib(2, 0),
        "AMBULANS",
        [Step(FWD, 30, "PMI"), Step(ACK, 60), resolved_at(1800, 30, 60)],
        MEDONO,
    ),
    (
        2,
        wib(2, 23, 30),
        "KEBAKARAN",
        [Step(FWD, 50, "DAMKAR"), Step(ACK, 120), resolved_at(3600, 50, 120)],
        KRAPYAK,
    ),
    (
        3,
        wib(3, 0, 30),
        "AMBULANS",
        [
            Step(FWD, 70, "PMI"),
            Step(MOVE, 100, "RSUD"),
            Step(ACK, 40),
            resolved_at(5400, 70, 100, 40),
        ],
        where(TIMUR, "Kauman", lat=-6.8850, lon=109.6750),
    ),
    (
        4,
        wib(4, 10),
        "AMBULANS",
        [Step("CANCEL", 60, reason="PRANK")],
        MEDONO | {"phone": "085700000013"},
    ),
    (
        5,
        wib(4, 11),
        "KECELAKAAN",
        [Step("CANCEL", 30, reason="GHOST")],
        where(None, None, lat=-6.8950, lon=109.5950),
    ),
    (6, wib(8, 7, 15), "BANJIR", [Step(FWD, 90, "BPBD"), Step(ACK, 200)], KRAPYAK),
    (
        7,
        wib(9, 9),
        "POHON_TUMBANG",
        [
            Step(FWD, 40, "BPBD"),
            Step(MOVE, 300, "DAMKAR"),
            Step(ACK, 100),
            resolved_at(9000, 40, 300, 100),
        ],
        where(UTARA, "Panjang Wetan"),
    ),
    (
        8,
        wib(14, 22),
        "AMBULANS",
        [Step(FWD, 60, "PMI"), Step(ACK, 180), resolved_at(7200, 60, 180)],
        MEDONO,
    ),
    (
        9,
        wib(15, 16, 59, 59),
        "KEBAKARAN",
        [Step(FWD, 20, "DAMKAR"), Step("CANCEL", 100, reason="BUKAN_DARURAT")],
        where(TIMUR, "Setono"),
    ),
    (
        12,
        wib(10, 14),
        "KECELAKAAN",
        [Step(FWD, 45, "POLRES"), Step(MOVE, 60, "PMI"), Step(MOVE, 60, "RSUD"), Step(ACK, 30)],
        where(SELATAN, "Jenggot"),
    ),
    # Just outside the range on either side, with durations that would spoil every figure.
    (10, wib(16, 6), "AMBULANS", [Step(FWD, 1000, "PMI"), Step(ACK, 5000)], where(BARAT, "Medono")),
    (
        11,
        wib(1, 23, 59, 59),
        "AMBULANS",
        [Step(FWD, 1000, "PMI"), Step("CANCEL", 10, reason="PRANK")],
        where(BARAT, "Medono"),
    ),
]


@pytest.fixture
def history(engine):
    with engine.begin() as conn:
        for incident_id, received_utc, category, steps, place in HISTORY:
            add_incident(conn, incident_id, received_utc, category, steps, **place)
    return engine


def two_weeks(**overrides) -> TrendFilter:
    return TrendFilter(start_day=START, end_day=END, **overrides)


def stage_row(frame, group, stage):
    rows = frame[(frame["group"] == group) & (frame["stage"] == stage)]
    assert len(rows) == 1, f"expected one row for {group}/{stage}"
    return rows.iloc[0]


def test_totals_count_only_calls_received_within_the_wib_days(history):
    report = trends.build_report(history, two_weeks())
    assert report.totals.incidents == 10
    assert report.totals.nuisance == 3  # prank, ghost, not an emergency; never duplicates
    assert report.totals.forwarded == 8
    assert report.totals.reassigned == 3
    assert report.totals.nuisance_share == pytest.approx(3 / 10)
    assert report.totals.reassign_rate == pytest.approx(3 / 8)


def test_a_call_after_midnight_wib_counts_on_the_next_wib_day(history):
    volume = trends.build_report(history, two_weeks()).volume
    per_day = volume.groupby("period")["count"].sum()
    assert len(per_day) == 14, "every day of the range is a period, even without calls"
    # #3 is Monday 17:30 UTC but Tuesday 00:30 WIB.
    assert per_day[date(2026, 3, 2)] == 2
    assert per_day[date(2026, 3, 3)] == 1
    assert per_day[date(2026, 3, 5)] == 0
    assert per_day[date(2026, 3, 15)] == 1  # 16:59:59 WIB on the last day is inside
    ambulans = volume[volume["category_code"] == "AMBULANS"].set_index("period")["count"]
    assert ambulans[date(2026, 3, 2)] == 1 and ambulans[date(2026, 3, 14)] == 1
    assert set(volume["category_code"]) == {
        "AMBULANS",
        "KEBAKARAN",
        "KECELAKAAN",
        "BANJIR",
        "POHON_TUMBANG",
    }


def test_weekly_volume_starts_on_monday_and_stacks_by_category(history):
    volume = trends.build_report(history, two_weeks(granularity="week")).volume
    table = volume.pivot(index="period", columns="category_code", values="count")
    assert list(table.index) == [date(2026, 3, 2), date(2026, 3, 9)]
    week1, week2 = table.loc[date(2026, 3, 2)], table.loc[date(2026, 3, 9)]
    # Sunday 8 March still belongs to the week of Monday 2 March.
    assert week1.to_dict() == {
        "AMBULANS": 3,
        "BANJIR": 1,
        "KEBAKARAN": 1,
        "KECELAKAAN": 1,
        "POHON_TUMBANG": 0,
    }
    assert week2.sum() == 4


def test_monthly_volume_is_one_period_for_march(history):
    volume = trends.build_report(history, two_weeks(granularity="month")).volume
    assert set(volume["period"]) == {date(2026, 3, 1)}
    assert volume["count"].sum() == 10


def test_prank_share_per_week_counts_prank_ghost_and_not_an_emergency(history):
    frame = trends.build_report(history, two_weeks(granularity="week")).nuisance
    rows = frame.set_index("period")
    week1, week2 = rows.loc[date(2026, 3, 2)], rows.loc[date(2026, 3, 9)]
    assert (week1["total"], week1["prank"], week1["ghost"], week1["bukan_darurat"]) == (
        6,
        1,
        1,
        0,
    )
    assert week1["share"] == pytest.approx(2 / 6)
    assert (week2["total"], week2["nuisance"], week2["share"]) == (4, 1, 0.25)


def test_incidents_per_kecamatan_and_kelurahan_including_unlocated_calls(history):
    report = trends.build_report(history, two_weeks())
    kecamatan = report.by_kecamatan
    names = [None if pd.isna(name) else name for name in kecamatan["kecamatan"]]
    assert list(zip(names, kecamatan["count"], strict=True)) == [
        (BARAT, 3),
        (UTARA, 3),
        (TIMUR, 2),
        (SELATAN, 1),
        (None, 1),
    ]
    kelurahan = report.by_kelurahan.set_index("kelurahan_kode")["count"]
    assert kelurahan["K-Medono"] == 3
    assert kelurahan["K-Krapyak"] == 2
    assert kelurahan["K-Jenggot"] == 1
    assert report.by_kelurahan["count"].sum() == 10


def test_grid_counts_incidents_per_square_cell_west_of_the_origin_too(history):
    spec = GridSpec(
        origin_lat=-6.95, origin_lon=109.60, cell_lat_deg=0.01, cell_lon_deg=0.01, cell_m=1100.0
    )
    report = trends.build_report(history, two_weeks(), grid=spec)
    cells = {(r.ix, r.iy): r.count for r in report.grid.cells.itertuples()}
    # Medono (-6.895, 109.655): ix = floor(5.5) = 5, iy = floor(5.5) = 5; three calls there.
    assert cells[(5, 5)] == 3
    # (-6.895, 109.595) lies half a cell west of the origin: ix = floor(-0.5) = -1.
    assert cells[(-1, 5)] == 1
    assert cells[(8, 7)] == 2  # Krapyak (-6.875, 109.685)
    assert sum(cells.values()) == 10


def test_forward_acknowledge_resolve_medians_and_p90_against_targets(history):
    report = trends.build_report(history, two_weeks())
    overall = report.speed["all"]
    forward = stage_row(overall, ALL_GROUP, "forward")
    # Forward times 20 30 40 45 50 60 70 90: median between 45 and 50; p90 at rank 6.3.
    assert forward["n"] == 8
    assert forward["median_s"] == pytest.approx((45 + 50) / 2, abs=1e-9)
    assert forward["p90_s"] == pytest.approx(70 + 0.3 * (90 - 70), abs=1e-9)
    assert forward["target_s"] == 60
    assert forward["within"] == 6 and forward["within_share"] == 0.75  # 60 s itself is in
    assert forward["target_share"] == pytest.approx(0.9)

    acknowledge = stage_row(overall, ALL_GROUP, "acknowledge")
    # Counted from the current OPD's assignment: #3's 40 s and #12's 30 s, not since forwarding.
    assert acknowledge["n"] == 7
    assert acknowledge["median_s"] == 100
    assert acknowledge["p90_s"] == pytest.approx(180 + 0.4 * (200 - 180), abs=1e-9)
    assert (acknowledge["target_s"], acknowledge["within"]) == (180, 6)

    resolve = stage_row(overall, ALL_GROUP, "resolve")
    assert resolve["n"] == 5
    assert resolve["median_s"] == 5400
    assert resolve["p90_s"] == pytest.approx(7200 + 0.6 * 1800, abs=1e-9)
    assert (resolve["target_s"], resolve["within"], resolve["within_share"]) == (7200, 4, 0.8)


def test_speed_per_opd_and_per_category(history):
    report = trends.build_report(history, two_weeks())
    by_opd = report.speed["opd"]
    pmi = stage_row(by_opd, "PMI", "forward")
    assert (pmi["n"], pmi["median_s"]) == (2, 45)
    assert pmi["p90_s"] == pytest.approx(30 + 0.9 * 30, abs=1e-9)
    damkar_forward = stage_row(by_opd, "DAMKAR", "forward")
    assert damkar_forward["median_s"] == 40
    assert damkar_forward["p90_s"] == pytest.approx(40 + 0.8 * 10, abs=1e-9)
    damkar_resolve = stage_row(by_opd, "DAMKAR", "resolve")
    assert (damkar_resolve["n"], damkar_resolve["median_s"]) == (2, 6300)
    assert damkar_resolve["within_share"] == 0.5
    assert by_opd[(by_opd["group"] == "BPBD") & (by_opd["stage"] == "resolve")].empty

    by_category = report.speed["category"]
    ambulans = stage_row(by_category, "AMBULANS", "forward")
    assert ambulans["n"] == 3  # the prank call was never forwarded
    assert ambulans["median_s"] == 60
    assert ambulans["p90_s"] == pytest.approx(60 + 0.8 * 10, abs=1e-9)


def test_percentiles_match_numpy_linear_with_ties_and_tiny_groups(engine):
    rng = np.random.default_rng(7)
    # Few distinct values (many ties), one OPD with a single call and one with two.
    forward_s = rng.integers(1, 90, size=157)
    opds = ["PMI"] * 154 + ["RSUD", "BPBD", "BPBD"]
    with engine.begin() as conn:
        for i, (seconds, opd) in enumerate(zip(forward_s, opds, strict=True), start=1):
            add_incident(
                conn,
                i,
                wib(2, 8) + timedelta(minutes=i),
                "AMBULANS",
                [Step("FORWARD", int(seconds), opd)],
                kecamatan=BARAT,
                kelurahan="Medono",
            )
    with engine.connect() as conn:
        targets = catalogue.targets(catalogue.get_settings(conn))
        frames = trends.speed(conn, two_weeks(), targets=targets)
    groups = {ALL_GROUP: forward_s, **{o: forward_s[np.array(opds) == o] for o in set(opds)}}
    for group, values in groups.items():
        frame = frames["all"] if group == ALL_GROUP else frames["opd"]
        row = stage_row(frame, group, "forward")
        assert row["n"] == len(values)
        assert row["median_s"] == pytest.approx(np.percentile(values, 50), abs=1e-9), group
        assert row["p90_s"] == pytest.approx(np.percentile(values, 90), abs=1e-9), group
        assert row["within"] == int((values <= 60).sum())


def test_a_running_trend_report_does_not_block_a_call_taker_saving(sqlite_engine):
    # The report reads in a deferred transaction; BEGIN IMMEDIATE would make this insert wait
    # out the busy timeout and fail with "database is locked".
    with trends.read_connection(sqlite_engine) as reading:
        trends.period_activity(reading, two_weeks())
        with sqlite_engine.begin() as writing:
            add_incident(
                writing,
                1,
                wib(3, 9),
                "AMBULANS",
                [Step("FORWARD", 30, "PMI")],
                kecamatan=BARAT,
                kelurahan="Medono",
            )
        # Still the snapshot the report started with: figures stay consistent.
        assert trends.period_activity(reading, two_weeks()).empty
    assert trends.build_report(sqlite_engine, two_weeks()).totals.incidents == 1


def test_reassignment_rate_per_first_opd_and_per_category(history):
    report = trends.build_report(history, two_weeks())
    by_opd = report.reassign["opd"].set_index("group")
    assert by_opd.loc["PMI", ["forwarded", "reassigned"]].tolist() == [3, 1]
    assert by_opd.loc["BPBD", ["forwarded", "reassigned"]].tolist() == [2, 1]
    assert by_opd.loc["POLRES", "rate"] == 1.0
    assert by_opd.loc["DAMKAR", "rate"] == 0.0
    by_category = report.reassign["category"].set_index("group")
    assert by_category.loc["AMBULANS", "rate"] == pytest.approx(1 / 3)
    assert by_category.loc["KECELAKAAN", ["forwarded", "reassigned"]].tolist() == [1, 1]


def test_routing_flows_are_ranked_sent_to_a_moved_to_b(history):
    flows = trends.build_report(history, two_weeks()).flows
    assert list(flows.itertuples(index=False, name=None)) == [
        ("PMI", "RSUD", 2),
        ("BPBD", "DAMKAR", 1),
        ("POLRES", "PMI", 1),
    ]


def test_hour_of_day_by_weekday_in_wib(history):
    table = trends.build_report(history, two_weeks()).hour_weekday
    cells = table.set_index(["hour", "weekday"])["count"]
    assert len(table) == 24 * 7
    assert cells[(0, 0)] == 1  # Monday 00:00 WIB (Sunday 17:00 UTC)
    assert cells[(23, 0)] == 1
    assert cells[(0, 1)] == 1  # Tuesday 00:30 WIB
    assert cells[(16, 6)] == 1  # Sunday 16:59:59 WIB
    assert cells[(10, 2)] == 1 and cells[(11, 2)] == 1
    assert table["count"].sum() == 10


def test_filters_narrow_every_figure(history):
    ambulans = trends.build_report(history, two_weeks(categories=("AMBULANS",)))
    assert (ambulans.totals.incidents, ambulans.totals.nuisance) == (4, 1)
    assert set(ambulans.volume["category_code"]) == {"AMBULANS"}

    # An OPD matches what it received first or holds now: #1, #3 (first PMI), #8.
    pmi = trends.build_report(history, two_weeks(opds=("PMI",)))
    assert pmi.totals.incidents == 3
    assert list(pmi.flows.itertuples(index=False, name=None)) == [("PMI", "RSUD", 1)]

    utara = trends.build_report(history, two_weeks(kecamatan=(UTARA,)))
    assert utara.totals.incidents == 3
    assert stage_row(utara.speed["all"], ALL_GROUP, "forward")["median_s"] == 50


def test_an_empty_range_gives_zeros_not_errors(history):
    report = trends.build_report(
        history, TrendFilter(start_day=date(2025, 1, 1), end_day=date(2025, 1, 7))
    )
    assert report.totals.incidents == 0 and report.totals.nuisance_share is None
    assert report.volume.empty
    assert report.nuisance["total"].tolist() == [0] * 7
    assert report.speed["all"].empty
    assert report.hour_weekday["count"].sum() == 0


def test_a_reversed_range_is_refused_in_indonesian(history):
    with pytest.raises(InvalidInput, match="Tanggal akhir"):
        trends.build_report(history, TrendFilter(start_day=END, end_day=START))


def test_incident_rows_for_export_carry_durations_in_whole_seconds(history):
    rows = trends.incident_rows(history, two_weeks()).set_index("code")
    assert len(rows) == 10
    third = rows.loc["112-TEST-0003"]
    assert (third["forward_s"], third["acknowledge_s"], third["resolve_s"]) == (70, 40, 5400)
    assert third["first_opd_code"] == "PMI" and third["opd_code"] == "RSUD"
