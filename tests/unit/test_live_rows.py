"""The newest-incidents list: an old open call shows its date, today's only the time (WIB)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from dashboard import labels, live


def test_an_open_call_from_an_earlier_day_shows_its_date_and_todays_only_the_time():
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "code": ["112-20261127-0024", "112-20261129-0003"],
            # 27-11 16:22 UTC = 27-11 23:22 WIB; 28-11 20:28 UTC = 29-11 03:28 WIB.
            "received_at_utc": [datetime(2026, 11, 27, 16, 22), datetime(2026, 11, 28, 20, 28)],
            "category_name": ["Banjir", "Banjir"],
            "status": ["DITANGANI", "DITERIMA"],
            "kelurahan": ["Kauman", "Kandang Panjang"],
            "opd_name": ["BPBD", "BPBD"],
            "overdue": [None, None],
        }
    )
    rows = live.newest_rows(frame, now_utc=datetime(2026, 11, 28, 20, 40))
    assert list(rows[labels.LIVE_COL_TIME]) == ["03:28", "27-11 23:22"]
