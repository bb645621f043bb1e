"""The admin-editable settings: one typed, frozen OpsSettings and data/settings.json, its seed."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from dashboard.config import DATA_DIR
from dashboard.domain import Targets
from dashboard.settings import (
    DEFAULT_AGENCY_ID,
    SPEED_SETTINGS,
    OpsSettings,
    as_ops_settings,
    from_rows,
)

SEED = {
    key: value
    for key, value in json.loads((DATA_DIR / "settings.json").read_text(encoding="utf-8")).items()
    if not key.startswith("_")
}
FIELDS = {f.name: f for f in dataclasses.fields(OpsSettings)}
# Fields whose default is not the seed's value, and why:
# - eskalasi_target_s: the seed is the per-category table; without the setting no category has
#   an entry and each waits for the acknowledge target, then three times it.
# - eido_agency_id: not seeded; each deployment sets its own, else this Call Center's domain.
NOT_THE_SEED = {"eskalasi_target_s": (), "eido_agency_id": DEFAULT_AGENCY_ID}


def test_every_seeded_setting_is_a_field():
    assert sorted(set(SEED) - set(FIELDS)) == []


def test_every_default_is_the_seeded_value_except_the_two_explained():
    differing = {
        name: f.default for name, f in FIELDS.items() if name not in SEED or f.default != SEED[name]
    }
    assert differing == NOT_THE_SEED


def test_the_seed_reads_back_as_itself():
    settings = from_rows(SEED)
    for name, value in SEED.items():
        if name != "eskalasi_target_s":
            assert getattr(settings, name) == value, name
    assert dict(settings.eskalasi_target_s) == {
        code: tuple(pair) for code, pair in SEED["eskalasi_target_s"].items()
    }


def test_an_empty_table_gives_the_defaults():
    assert from_rows({}) == OpsSettings()


def test_the_settings_cannot_be_changed_in_place():
    settings = OpsSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.refresh_interval_s = 1  # type: ignore[misc]


def test_the_targets_and_speeds_come_from_their_fields():
    settings = from_rows({"target_acknowledge_s": 240, "target_share": 0.8, "speed_fire_kmh": 25})
    assert settings.targets == Targets(acknowledge_s=240, share=0.8)
    assert settings.speeds_kmh == {"ambulance": 35.0, "fire": 25.0, "police": 35.0}
    assert set(SPEED_SETTINGS.values()) <= set(FIELDS)


def test_typed_settings_pass_through_and_a_raw_table_is_read():
    settings = OpsSettings(refresh_interval_s=30.0)
    assert as_ops_settings(settings) is settings
    assert as_ops_settings({"refresh_interval_s": 30}) == settings


@pytest.mark.parametrize(
    ("key", "stored", "read"),
    [
        # With a minimum: below it reads as the minimum, unreadable or not finite as the default.
        ("refresh_interval_s", 30, 30.0),
        ("refresh_interval_s", 0, 2.0),
        ("refresh_interval_s", "x", 10.0),
        ("refresh_interval_s", math.inf, 10.0),
        ("eta_flood_factor", 3, 3.0),
        ("eta_flood_factor", 0.5, 1.0),
        ("eta_flood_factor", "banyak", 1.0),
        ("eta_level_crossing_delay_s", 45, 45.0),
        ("eta_level_crossing_delay_s", -5, 0.0),
        ("eta_level_crossing_delay_s", "x", 0.0),
        ("api_rate_per_minute", 3, 3),
        ("api_rate_per_minute", "12", 12),
        ("api_rate_per_minute", 0, 1),
        ("api_rate_per_minute", "x", 120),
        ("api_rate_per_minute", None, 120),
        ("login_max_failures", 0, 1),
        ("login_max_failures", 3.7, 3),
        ("login_lockout_min", -10, 1),
        # Without one: taken as stored (geo.nearest refuses a detour below 1 or a speed of 0
        # with its own message); only an unreadable value is the default.
        ("eta_detour_factor", 0.5, 0.5),
        ("eta_detour_factor", "x", 1.3),
        ("speed_ambulance_kmh", 0, 0.0),
        ("speed_ambulance_kmh", [35], 35.0),
        ("duplicate_radius_m", "500", 500.0),
        ("prank_flag_days", "x", 30),
        ("target_acknowledge_s", 239.9, 239),
        ("target_share", "x", 0.9),
        # Text: stripped; blank or not text is the default.
        ("eido_agency_id", "  112.example.go.id ", "112.example.go.id"),
        ("eido_agency_id", "   ", DEFAULT_AGENCY_ID),
        ("eido_agency_id", 112, DEFAULT_AGENCY_ID),
    ],
)
def test_a_stored_value_is_read_as_its_type_with_its_minimum(key, stored, read):
    value = getattr(from_rows({key: stored}), key)
    assert value == read
    assert type(value) is type(read)


def test_a_malformed_escalation_entry_is_left_out_as_if_the_category_had_none():
    settings = from_rows(
        {
            "eskalasi_target_s": {
                "KEBAKARAN": [60, 300],
                "BANJIR": [300, 60],
                "ODGJ": "cepat",
                "KRIMINAL": [0, 10],
                "default": ["100", 200],
            }
        }
    )
    assert settings.eskalasi_target_s == (("KEBAKARAN", (60, 300)), ("default", (100, 200)))
    assert from_rows({"eskalasi_target_s": [[60, 300]]}).eskalasi_target_s == ()
