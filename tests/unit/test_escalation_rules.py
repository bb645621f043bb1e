"""When silence escalates: the level due after a wait, and the thresholds per category."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.domain import escalation_level_due
from dashboard.escalation import thresholds_for

ASSIGNED = datetime(2026, 11, 28, 3, 0, 0)


def waited(seconds: int) -> datetime:
    return ASSIGNED + timedelta(seconds=seconds)


def test_an_incident_inside_its_first_threshold_has_not_escalated():
    assert escalation_level_due(ASSIGNED, waited(59), (60, 300)) == 0


def test_the_first_threshold_reached_to_the_second_escalates_once():
    assert escalation_level_due(ASSIGNED, waited(60), (60, 300)) == 1
    assert escalation_level_due(ASSIGNED, waited(299), (60, 300)) == 1


def test_from_the_second_threshold_on_the_level_is_two_and_stays_two():
    assert escalation_level_due(ASSIGNED, waited(300), (60, 300)) == 2
    assert escalation_level_due(ASSIGNED, waited(86_400), (60, 300)) == 2


def test_an_aware_now_counts_the_same_as_naive_utc():
    assert escalation_level_due(ASSIGNED, waited(60).replace(tzinfo=UTC), (60, 300)) == 1


def test_an_incident_never_handed_to_an_opd_never_escalates():
    assert escalation_level_due(None, waited(10_000), (60, 300)) == 0


def test_a_category_with_its_own_entry_uses_it():
    settings = {"eskalasi_target_s": {"KEBAKARAN": [60, 300]}, "target_acknowledge_s": 180}
    assert thresholds_for(settings, "KEBAKARAN") == (60, 300)


def test_a_category_without_an_entry_uses_the_default_entry():
    settings = {"eskalasi_target_s": {"default": [100, 200], "KEBAKARAN": [60, 300]}}
    assert thresholds_for(settings, "ODGJ") == (100, 200)


def test_without_the_setting_the_acknowledge_target_and_three_times_it_apply():
    assert thresholds_for({"target_acknowledge_s": 120}, "ODGJ") == (120, 360)
    assert thresholds_for({}, "ODGJ") == (180, 540)


def test_a_malformed_entry_falls_back_instead_of_stopping_the_worker():
    settings = {"eskalasi_target_s": {"KEBAKARAN": [300, 60], "BANJIR": "cepat"}}
    assert thresholds_for(settings, "KEBAKARAN") == (180, 540)
    assert thresholds_for(settings, "BANJIR") == (180, 540)
