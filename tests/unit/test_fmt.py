"""Numbers on every screen read the Indonesian way: decimal comma, '.' for thousands."""

from __future__ import annotations

import math

from dashboard.fmt import format_count, format_decimal, format_km, format_minutes, format_percent


def test_distances_are_kilometres_with_one_decimal_after_a_comma():
    assert format_km(2_140.0) == "2,1"
    assert format_km(1_250.0) == "1,2"  # a tie goes to the even digit (Python formatting)
    assert format_km(0.0) == "0,0"
    assert format_km(None) == "-"
    assert format_km(math.nan) == "-"


def test_an_eta_is_rounded_up_to_whole_minutes_and_never_below_one():
    assert format_minutes(4.7) == "5"
    assert format_minutes(4.0) == "4"
    assert format_minutes(0.2) == "1"
    assert format_minutes(None) == "-"
    assert format_minutes(math.inf) == "-"


def test_shares_are_percentages_with_one_decimal_after_a_comma():
    assert format_percent(0.36) == "36,0%"
    assert format_percent(1 / 3) == "33,3%"
    assert format_percent(None) == "-"
    assert format_percent(math.nan) == "-"


def test_counts_and_decimals_use_the_indonesian_separators():
    assert format_count(12_345) == "12.345"
    assert format_count(7) == "7"
    assert format_decimal(2.5) == "2,5"
    assert format_decimal(4.66, digits=2) == "4,66"
