"""The CAP warning banner above the live map and the wall: what it says, escaped, and its size."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from dashboard.cap import FetchState
from pages.cap_warnings import WALL_ITEMS, WarningView, banner_html, wall_banner_px
from tests.unit.mapview.test_warnings import XSS, alert

NOW = datetime(2026, 2, 16, 15, 30)  # 22:30 WIB
FETCHED = FetchState(
    source="https://example.invalid/rss.xml",
    last_attempt_utc=datetime(2026, 2, 16, 15, 25),
    last_success_utc=datetime(2026, 2, 16, 15, 25),
    last_error=None,
    alerts_seen=1,
)
FAILED = FetchState(
    source="https://example.invalid/rss.xml",
    last_attempt_utc=datetime(2026, 2, 16, 15, 28),
    last_success_utc=datetime(2026, 2, 16, 15, 13),
    last_error="timeout",
    alerts_seen=0,
)


def view(alerts=(), fetch=FETCHED) -> WarningView:
    return WarningView(alerts=tuple(alerts), fetch=fetch, geojson={}, now_utc=NOW)


def text(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def test_the_banner_says_event_severity_end_places_and_when_fetched():
    shown = text(banner_html(view([alert()])))

    assert shown == (
        "&#9888; Peringatan dini diambil 22:25 WIB "
        "Hujan Lebat dan Petir · Sedang · sampai 01:00 WIB · "
        "Wilayah: Pekalongan Barat, Pekalongan Utara · "
        "Urgensi: Dalam waktu dekat · Kepastian: Kemungkinan besar"
    )


def test_several_alerts_are_listed_in_the_given_order_and_the_wall_keeps_three():
    alerts = [
        alert(identifier=f"a{i}", event=f"Peristiwa {i}", severity=sev)
        for i, sev in enumerate(["Extreme", "Severe", "Moderate", "Minor"])
    ]

    desk = banner_html(view(alerts))
    wall = banner_html(view(alerts), wall=True)

    assert "Peringatan dini (4)" in desk and desk.count("data-testid='cap-item'") == 4
    events = re.findall(r"Peristiwa \d · (\w+)", desk)
    assert events == ["Ekstrem", "Berat", "Sedang", "Ringan"]
    assert wall.count("data-testid='cap-item'") == WALL_ITEMS == 3
    assert "+1 lainnya" in wall and "Urgensi" not in wall
    assert wall_banner_px(view(alerts)) == 56 + 34 * 3
    assert wall_banner_px(view(alerts[:1])) == 56 + 34


def test_a_failed_last_fetch_is_said_with_the_time_of_the_last_good_one():
    shown = text(banner_html(view([alert()], fetch=FAILED)))
    assert "pengambilan 22:28 WIB gagal; data terakhir 22:13 WIB, mungkin sudah berubah" in shown

    # Without an alert the desk still says so, quietly; the wall shows nothing.
    quiet = banner_html(view(fetch=FAILED))
    assert "data-testid='cap-stale'" in quiet and "22:28 WIB gagal" in quiet
    assert banner_html(view(fetch=FAILED), wall=True) == ""


def test_no_alert_no_banner_and_no_height_taken_from_the_wall_map():
    assert banner_html(view()) == ""
    assert banner_html(view(fetch=None)) == ""
    assert banner_html(None) == ""
    assert wall_banner_px(view()) == 0 and wall_banner_px(None) == 0


def test_hostile_cap_text_is_escaped_in_the_banner():
    markup = banner_html(view([alert(event=XSS, matched_places=("<script>x</script>",))]))

    assert "<img" not in markup and "<script" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup


def test_a_fetch_from_another_day_shows_its_date():
    yesterday = datetime(2026, 2, 15, 1, 0)
    old = replace(FETCHED, last_attempt_utc=yesterday, last_success_utc=yesterday)
    assert "diambil 15-02-2026 08:00 WIB" in text(banner_html(view([alert()], fetch=old)))
