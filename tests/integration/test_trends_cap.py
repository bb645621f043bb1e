"""Tren: incidents received during CAP warnings vs outside, on SQLite and PostgreSQL.

The hand-made history (WIB wall clock; stored as UTC = WIB - 7 h), range Mon 2 - Tue 3 March 2026:

 Alerts touching the city                       in force (WIB)
  A1  Alert   effective 08:00, expires 12:00    08:00-12:00
  A2  Alert   effective 10:00, expires 14:00    10:00-14:00 (overlaps A1)
  A3  Alert   effective 16:00, expires 20:00,   16:00-17:00 (superseded by A4 at 17:00)
  A4  Update  effective 17:30, expires 19:00    17:30-19:00
  A6  Alert   effective 20:30, expires 23:30    20:30-21:00 (cancelled by A5 at 21:00)
  A5  Cancel  effective 21:00, expires 23:00    never (a Cancel is no window)
  A8  Alert   sent Tue 06:00, no effective and  06:00-12:00 (the 6 h lifetime)
              no expires
 Not touching the city
  A7  Alert   Mon 00:00 - 23:59                 ignored
 Outside the range
  A9  Alert   Wed 4, 08:00-10:00                (incident #15 at 09:00 is outside the range too)

 Incidents                  in a warning?
  #1  Mon 07:59:59 BANJIR          no (before A1)
  #2  Mon 08:00:00 BANJIR          yes (A1 starts)
  #3  Mon 11:00    BANJIR          yes (A1 and A2: counted once)
  #4  Mon 11:30    POHON_TUMBANG   yes (A1 and A2)
  #5  Mon 13:59:59 AMBULANS        yes (A2)
  #6  Mon 14:00:00 AMBULANS        no (A2 has expired)
  #7  Mon 16:30    BANJIR          yes (A3)
  #8  Mon 17:15    BANJIR          no (A3 superseded, A4 not yet effective)
  #9  Mon 18:00    POHON_TUMBANG   yes (A4)
  #10 Mon 20:45    KEBAKARAN       yes (A6 before its Cancel)
  #11 Mon 22:00    KEBAKARAN       no (A6 cancelled; the Cancel A5 is no window)
  #12 Mon 15:00    KECELAKAAN      no (only A7, which does not touch the city)
  #13 Tue 11:59:59 BANJIR          yes (A8)
  #14 Tue 12:00:00 BANJIR          no (A8 gone 6 h after sent)
  #15 Wed 09:00    BANJIR          not counted (outside the range)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from dashboard import tables as t
from dashboard import trends
from dashboard.errors import InvalidInput
from dashboard.trends import TrendFilter

WIB_H = 7
RANGE = TrendFilter(start_day=date(2026, 3, 2), end_day=date(2026, 3, 3))


def wib(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """The naive-UTC storage value of a WIB wall-clock time in March 2026."""
    return datetime(2026, 3, day, hour, minute, second) - timedelta(hours=WIB_H)


def alert(identifier: str, **values) -> dict:
    row = {
        "identifier": identifier,
        "sender": "cuaca.ekstrem@bmkg.go.id",
        "sent_utc": values.get("effective_utc") or wib(2, 0),
        "msg_type": "Alert",
        "status": "Actual",
        "references": None,
        "event": "Hujan Lebat dan Petir",
        "urgency": "Expected",
        "severity": "Moderate",
        "certainty": "Likely",
        "effective_utc": None,
        "expires_utc": None,
        "touches_city": True,
        "touch_reason": "polygon",
        "matched_places": "Pekalongan Barat",
        "superseded_by": None,
        "superseded_at_utc": None,
        "source": "test",
        "received_at_utc": wib(2, 0),
        "body_sha256": "0" * 64,
    }
    return row | values


ALERTS = [
    alert("A1", effective_utc=wib(2, 8), expires_utc=wib(2, 12)),
    alert("A2", effective_utc=wib(2, 10), expires_utc=wib(2, 14), severity="Severe"),
    alert(
        "A3",
        effective_utc=wib(2, 16),
        expires_utc=wib(2, 20),
        superseded_by="A4",
        superseded_at_utc=wib(2, 17),
    ),
    alert("A4", msg_type="Update", effective_utc=wib(2, 17, 30), expires_utc=wib(2, 19)),
    alert(
        "A6",
        effective_utc=wib(2, 20, 30),
        expires_utc=wib(2, 23, 30),
        superseded_by="A5",
        superseded_at_utc=wib(2, 21),
    ),
    alert("A5", msg_type="Cancel", effective_utc=wib(2, 21), expires_utc=wib(2, 23)),
    alert("A8", sent_utc=wib(3, 6)),
    alert(
        "A7",
        effective_utc=wib(2, 0),
        expires_utc=wib(2, 23, 59),
        touches_city=False,
        touch_reason="none",
        matched_places=None,
    ),
    alert("A9", effective_utc=wib(4, 8), expires_utc=wib(4, 10)),
]

INCIDENTS = [
    (1, wib(2, 7, 59, 59), "BANJIR"),
    (2, wib(2, 8), "BANJIR"),
    (3, wib(2, 11), "BANJIR"),
    (4, wib(2, 11, 30), "POHON_TUMBANG"),
    (5, wib(2, 13, 59, 59), "AMBULANS"),
    (6, wib(2, 14), "AMBULANS"),
    (7, wib(2, 16, 30), "BANJIR"),
    (8, wib(2, 17, 15), "BANJIR"),
    (9, wib(2, 18), "POHON_TUMBANG"),
    (10, wib(2, 20, 45), "KEBAKARAN"),
    (11, wib(2, 22), "KEBAKARAN"),
    (12, wib(2, 15), "KECELAKAAN"),
    (13, wib(3, 11, 59, 59), "BANJIR"),
    (14, wib(3, 12), "BANJIR"),
    (15, wib(4, 9), "BANJIR"),
]


def incident(incident_id: int, received_utc: datetime, category: str) -> dict:
    return {
        "id": incident_id,
        "code": f"112-CAP-{incident_id:04d}",
        "received_at_utc": received_utc,
        "category_code": category,
        "priority": 1,
        "kondisi": f"Kejadian uji {incident_id}",
        "lat": -6.89,
        "lon": 109.67,
        "address": f"Jl. Uji No. {incident_id}",
        "kelurahan": "Medono",
        "kecamatan": "Pekalongan Barat",
        "kelurahan_kode": "K-Medono",
        "in_city": True,
        "caller_phone": "081234567890",
        "status": "BARU",
        "created_by": "ct.ani",
        "updated_at_utc": received_utc,
        "updated_by": "ct.ani",
        "version": 1,
    }


@pytest.fixture
def history(engine):
    with engine.begin() as conn:
        conn.execute(insert(t.cap_alerts), ALERTS)
        conn.execute(insert(t.incidents), [incident(*row) for row in INCIDENTS])
    return engine


def rows(frame) -> list[tuple[str, int, int, int]]:
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_incidents_split_by_warning_time_per_category_counting_overlaps_once(history):
    split = trends.warning_split(history, RANGE)

    assert list(split.columns) == ["category_code", "during", "outside", "total"]
    # Busiest category first, ties by code.
    assert rows(split) == [
        ("BANJIR", 4, 3, 7),  # in: #2, #3, #7, #13; out: #1, #8, #14
        ("AMBULANS", 1, 1, 2),  # in: #5; out: #6
        ("KEBAKARAN", 1, 1, 2),  # in: #10; out: #11
        ("POHON_TUMBANG", 2, 0, 2),  # in: #4, #9
        ("KECELAKAAN", 0, 1, 1),  # out: #12
    ]
    assert int(split["during"].sum()) == 8 and int(split["total"].sum()) == 14


def test_the_split_follows_the_category_filter_and_the_date_range(history):
    one_day = TrendFilter(
        start_day=date(2026, 3, 2), end_day=date(2026, 3, 2), categories=("BANJIR",)
    )
    assert rows(trends.warning_split(history, one_day)) == [("BANJIR", 3, 2, 5)]

    # Wednesday: A9 was in force when #15 came in.
    wednesday = TrendFilter(start_day=date(2026, 3, 4), end_day=date(2026, 3, 4))
    assert rows(trends.warning_split(history, wednesday)) == [("BANJIR", 1, 0, 1)]


def test_with_no_warnings_every_incident_is_outside(engine):
    with engine.begin() as conn:
        conn.execute(insert(t.incidents), [incident(*row) for row in INCIDENTS[:3]])

    assert rows(trends.warning_split(engine, RANGE)) == [("BANJIR", 0, 3, 3)]


def test_a_reversed_range_is_refused_in_indonesian(engine):
    backwards = TrendFilter(start_day=date(2026, 3, 3), end_day=date(2026, 3, 2))

    with pytest.raises(InvalidInput, match="Tanggal akhir tidak boleh sebelum tanggal awal"):
        trends.warning_split(engine, backwards)
