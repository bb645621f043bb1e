"""Tren's hand-off view on SQLite and PostgreSQL: how reports reach the OPDs.

The fixture, all through the real services (WIB = UTC + 7):

Fri 27 Nov 2026 10:00 WIB (T0 = 03:00 UTC), ISO week of Mon 23 Nov:
  A  ambulance call -> PMI at T0;            PMI acknowledges at T0+60   (60 s)
  B  ambulance call -> PMI at T0+10;         PMI acknowledges at T0+130  (120 s)
  C  flood -> BPBD at T0+20; BPBD silent; escalated (level 1, flood waits 120 s) at T0+150;
     PMI gets a webhook channel; reassigned to PMI at T0+300; PMI acknowledges at T0+900 (600 s)
Mon 30 Nov 2026 10:00 WIB (T1 = 03:00 UTC), ISO week of Mon 30 Nov:
  D  fire -> DAMKAR at T1; silent: escalated level 1 at T1+70 (fire waits 60 s), level 2 at
     T1+400 (300 s); still waiting.

So PMI: 3 hand-offs acknowledged after 60, 120, 600 s -> median 120 s = 2,0 min,
p90 = 120 + 0.8 x (600 - 120) = 504 s = 8,4 min (percentile_cont, h = 0.9 x 2 = 1.8),
within the 180 s target 2 of 3. BPBD: 1 hand-off, reassigned away unacknowledged, 1
escalation. DAMKAR: 1 hand-off still waiting, 2 escalations.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from dashboard import channels, escalation, exports, trends
from dashboard import incidents as svc
from dashboard.trends import ALL_GROUP, TrendFilter
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, PMI_ADMIN, SUPERVISOR_EKA, flood_report

PANJANG_BARU = (-6.8680, 109.6880)  # Pekalongan Utara: ambulance calls go to PMI
T0 = datetime(2026, 11, 27, 3, 0, 0)
T1 = datetime(2026, 11, 30, 3, 0, 0)
RANGE = TrendFilter(start_day=date(2026, 11, 27), end_day=date(2026, 11, 30))


def at(base: datetime, seconds: int) -> datetime:
    return base + timedelta(seconds=seconds)


def call(engine, category: str, when: datetime) -> svc.Recorded:
    report = flood_report(
        lat=PANJANG_BARU[0], lon=PANJANG_BARU[1], category_code=category, received_at_utc=when
    )
    return svc.create_incident(engine, CALL_TAKER_ANI, report, now=when)


def acknowledge(engine, actor, recorded: svc.Recorded, when: datetime) -> svc.Recorded:
    return svc.acknowledge(engine, actor, recorded.id, seen_version=recorded.version, now=when)


@pytest.fixture
def handoffs(engine):
    a = call(engine, "AMBULANS", T0)
    b = call(engine, "AMBULANS", at(T0, 10))
    c = call(engine, "BANJIR", at(T0, 20))
    assert (a.opd_code, b.opd_code, c.opd_code) == ("PMI", "PMI", "BPBD")
    acknowledge(engine, PMI_ADMIN, a, at(T0, 60))
    acknowledge(engine, PMI_ADMIN, b, at(T0, 130))
    assert escalation.escalate_due(engine, now=at(T0, 150)) == 1  # C at BPBD, level 1
    channels.add_channel(
        engine, ADMIN_USER, opd_code="PMI", channel="webhook", target="https://pmi.example/hook"
    )
    moved = svc.reassign(
        engine,
        SUPERVISOR_EKA,
        c.id,
        "PMI",
        "Korban perlu ambulans",
        seen_version=c.version,
        now=at(T0, 300),
    )
    acknowledge(engine, PMI_ADMIN, moved, at(T0, 900))
    d = call(engine, "KEBAKARAN", T1)
    assert d.opd_code == "DAMKAR"
    assert escalation.escalate_due(engine, now=at(T1, 70)) == 1
    assert escalation.escalate_due(engine, now=at(T1, 400)) == 1
    return engine


def row(frame, opd: str, channel: str = ALL_GROUP) -> dict:
    found = frame[(frame["opd"] == opd) & (frame["channel"] == channel)]
    assert len(found) == 1, frame
    return found.iloc[0].to_dict()


def view(engine, flt: TrendFilter = RANGE) -> trends.HandoffView:
    report = trends.build_report(engine, flt)
    assert report.handoff is not None
    return report.handoff


def test_time_from_hand_off_to_acknowledgement_per_opd_median_p90_and_share(handoffs):
    pmi = row(view(handoffs).by_opd, "PMI")
    assert (pmi["handoffs"], pmi["acknowledged"], pmi["waiting"], pmi["within"]) == (3, 3, 0, 2)
    assert pmi["median_s"] == 120.0
    assert pmi["p90_s"] == pytest.approx(504.0, abs=1e-9)
    assert pmi["within_share"] == pytest.approx(2 / 3)


def test_a_hand_off_reassigned_away_unanswered_is_neither_acknowledged_nor_waiting(handoffs):
    bpbd = row(view(handoffs).by_opd, "BPBD")
    assert (bpbd["handoffs"], bpbd["acknowledged"], bpbd["waiting"], bpbd["escalations"]) == (
        1,
        0,
        0,
        1,
    )
    assert bpbd["within_share"] == 0.0
    assert pd_missing(bpbd["median_s"])


def test_a_silent_opd_still_waiting_is_counted_as_waiting(handoffs):
    damkar = row(view(handoffs).by_opd, "DAMKAR")
    assert (damkar["handoffs"], damkar["acknowledged"], damkar["waiting"]) == (1, 0, 1)


def test_the_channel_of_a_hand_off_is_the_browser_plus_its_queued_webhook(handoffs):
    by_channel = view(handoffs).by_channel
    browser = row(by_channel, "PMI", trends.CHANNEL_BROWSER)
    webhook = row(by_channel, "PMI", trends.CHANNEL_WEBHOOK)
    assert (browser["handoffs"], browser["median_s"], browser["within"]) == (2, 90.0, 2)
    assert (webhook["handoffs"], webhook["median_s"], webhook["within"]) == (1, 600.0, 0)
    table = exports.handoff_table(trends.build_report(handoffs, RANGE))
    pmi_rows = table[table["OPD"] == "PMI"]
    assert pmi_rows["Saluran"].tolist() == ["Semua saluran", "Peramban", "Peramban + webhook"]
    # BPBD was reached through the browser only: one row, no separate total.
    assert table[table["OPD"] == "BPBD"]["Saluran"].tolist() == ["Peramban"]
    everything = pmi_rows.iloc[0]
    assert everything["Median sampai diterima (menit)"] == "2,0"
    assert everything["P90 sampai diterima (menit)"] == "8,4"
    assert everything["Diterima dalam target (%)"] == "66,7%"


def test_escalations_per_iso_week_in_wib_by_level(handoffs):
    weekly = view(handoffs).escalations
    counts = {(w.isoformat(), lv): n for w, lv, n in weekly.itertuples(index=False)}
    assert counts == {
        ("2026-11-23", 1): 1,
        ("2026-11-23", 2): 0,
        ("2026-11-30", 1): 1,
        ("2026-11-30", 2): 1,
    }


def test_the_opds_whose_silence_escalates_most_per_100_hand_offs(handoffs):
    rank = view(handoffs).silence_rank
    assert rank["opd"].tolist() == ["DAMKAR", "BPBD", "PMI"]
    assert rank["per_100"].tolist() == [200.0, 100.0, 0.0]


def test_the_date_range_and_the_opd_filter_narrow_the_hand_offs(handoffs):
    friday = view(handoffs, TrendFilter(start_day=date(2026, 11, 27), end_day=date(2026, 11, 27)))
    assert sorted(friday.by_opd["opd"]) == ["BPBD", "PMI"]
    assert friday.escalations["count"].sum() == 1
    damkar = view(handoffs, TrendFilter(RANGE.start_day, RANGE.end_day, opds=("DAMKAR",)))
    assert damkar.by_opd["opd"].tolist() == ["DAMKAR"]
    assert damkar.escalations["count"].sum() == 2


def test_an_empty_range_gives_an_empty_hand_off_view_not_an_error(handoffs):
    empty = view(handoffs, TrendFilter(start_day=date(2026, 12, 1), end_day=date(2026, 12, 1)))
    assert empty.by_opd.empty and empty.by_channel.empty
    assert empty.escalations["count"].sum() == 0


def test_the_export_has_the_hand_off_sheets(handoffs):
    tables = exports.report_tables(trends.build_report(handoffs, RANGE))
    titles = [title for title, _frame in tables.values()]
    assert {"Serah terima ke OPD", "Eskalasi per minggu", "OPD paling sering dieskalasi"} <= set(
        titles
    )
    workbook = exports.xlsx_bytes({title: frame for title, frame in tables.values()})
    assert workbook[:2] == b"PK"  # the 'Unduh semua' workbook, a sheet per table
    rank = tables["handoff_silence"][1]
    assert rank.iloc[0].to_dict() == {
        "Peringkat": 1,
        "OPD": "Satpol P3KP (Damkar)",
        "Serah terima": 1,
        "Eskalasi": 2,
        "Eskalasi per 100 serah terima": "200,0",
    }


def pd_missing(value) -> bool:
    return value is None or bool(pd.isna(value))
