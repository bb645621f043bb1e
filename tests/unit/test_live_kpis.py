"""The live map's numbers and picks: KPI tiles, short durations, refresh floor, clicked marker."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from dashboard import live
from dashboard.queries import Kpis

NOW = datetime(2026, 11, 28, 3, 0)


def incidents(n: int) -> pd.DataFrame:
    """n calls 10 minutes apart, each ~150 m north-east of the one before (Kauman)."""
    return pd.DataFrame(
        {
            "id": [i + 1 for i in range(n)],
            "received_at_utc": [NOW - timedelta(minutes=10 * i) for i in range(n)],
            "lat": [-6.8876 + 0.001 * i for i in range(n)],
            "lon": [109.6760 + 0.001 * i for i in range(n)],
        }
    )


def test_a_click_on_a_marker_selects_that_incident_and_a_click_elsewhere_selects_none():
    frame = incidents(3)
    assert live.incident_at(frame, -6.8866, 109.6770) == 2
    assert live.incident_at(frame, -6.8866 + 0.0005, 109.6770) is None


def test_kpi_strip_flags_a_median_forward_time_over_its_target():
    k = Kpis(
        {"BARU": 2, "DITERUSKAN": 1, "DITERIMA": 0, "DITANGANI": 4}, 3, 20, 75.0, 0.25, 60, NOW
    )
    tiles = {tile.label: tile for tile in live.kpi_tiles(k)}
    median = tiles["Median teruskan"]
    assert median.value == "75 dtk"
    assert "60" in median.note
    assert median.alert
    assert tiles["Terlambat"].alert
    assert tiles["Iseng/kosong"].value == "25%"


def test_kpi_durations_stay_short_enough_for_a_tile():
    assert live.format_duration(45.4) == "45 dtk"
    assert live.format_duration(384) == "6 mnt"
    assert live.format_duration(9000) == "2,5 jam"


def test_refresh_interval_comes_from_settings_with_a_floor():
    assert live.refresh_interval_s({}) == 10
    assert live.refresh_interval_s({"refresh_interval_s": 30}) == 30
    assert live.refresh_interval_s({"refresh_interval_s": 0}) == 2
    assert live.refresh_interval_s({"refresh_interval_s": "x"}) == 10
