"""The settings an admin edits (table settings, seeded from data/settings.json), typed once.

`from_rows` turns the raw table (key -> JSON value, catalogue.get_settings) into one frozen
OpsSettings. Each field names its type, its default (used when the key is missing or its value
cannot be read as that type) and, where one applies, its minimum: a value below it reads as the
minimum. A setting without a minimum is taken as stored (geo.nearest, for one, refuses a detour
factor below 1 or a speed of 0 with its own message).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from dashboard.domain import Targets
from geo.nearest import DEFAULT_DETOUR_FACTOR, DEFAULT_SPEEDS_KMH

# The vehicle kinds whose speed is a setting, and the setting of each.
SPEED_SETTINGS = {
    "ambulance": "speed_ambulance_kmh",
    "fire": "speed_fire_kmh",
    "police": "speed_police_kmh",
}
# This Call Center's EIDO agency identifier (a domain, as NENA-STA-010 has them) unless the
# setting eido_agency_id names another (dashboard.eido).
DEFAULT_AGENCY_ID = "112.pekalongankota.go.id"


def _number(cast: type, default: float, *, minimum: float | None = None):
    """A numeric field: `cast(value)`, the default when that fails, at least `minimum`."""

    def parse(value: object, default: object) -> object:
        try:
            number = cast(value)
        except (TypeError, ValueError, OverflowError):
            return default
        if minimum is None:
            return number
        return max(cast(minimum), number) if math.isfinite(number) else default

    return field(default=cast(default), metadata={"parse": parse})


def _text(default: str):
    """A text field: the stripped text, the default when it is not text or blank."""

    def parse(value: object, default: object) -> object:
        return value.strip() if isinstance(value, str) and value.strip() else default

    return field(default=default, metadata={"parse": parse})


def _thresholds():
    """The escalation table: (category, (first_s, second_s)) for each well-formed entry; a
    malformed entry is left out, as if the category had none."""

    def parse(value: object, default: object) -> object:
        if not isinstance(value, Mapping):
            return default
        pairs = ((str(key), _pair(entry)) for key, entry in value.items())
        return tuple((key, pair) for key, pair in pairs if pair is not None)

    return field(default=(), metadata={"parse": parse})


@dataclass(frozen=True)
class OpsSettings:
    # KPI targets (dashboard.domain.Targets has the same defaults).
    target_forward_s: int = _number(int, Targets.forward_s)
    target_acknowledge_s: int = _number(int, Targets.acknowledge_s)
    target_handling_s: int = _number(int, Targets.handling_s)
    target_resolve_s: int = _number(int, Targets.resolve_s)
    target_share: float = _number(float, Targets.share)
    # Screens that refresh by themselves: never faster than every 2 s.
    refresh_interval_s: float = _number(float, 10, minimum=2)
    # Nearest posts (dashboard.live): straight line x detour factor, or the roads with a flood
    # zone slowed by eta_flood_factor (1 = not slowed) and a wait at each level crossing.
    eta_detour_factor: float = _number(float, DEFAULT_DETOUR_FACTOR)
    speed_ambulance_kmh: float = _number(float, DEFAULT_SPEEDS_KMH["ambulance"])
    speed_fire_kmh: float = _number(float, DEFAULT_SPEEDS_KMH["fire"])
    speed_police_kmh: float = _number(float, DEFAULT_SPEEDS_KMH["police"])
    eta_flood_factor: float = _number(float, 1.0, minimum=1.0)
    eta_level_crossing_delay_s: float = _number(float, 0.0, minimum=0.0)
    # Laporan baru (dashboard.intake): possible duplicates and the prank flag.
    duplicate_radius_m: float = _number(float, 300)
    duplicate_window_min: int = _number(int, 30)
    prank_flag_count: int = _number(int, 2)
    prank_flag_days: int = _number(int, 30)
    # Sign-in (dashboard.auth, pages.ui).
    session_idle_min: int = _number(int, 30)
    login_max_failures: int = _number(int, 5, minimum=1)
    login_lockout_min: int = _number(int, 15, minimum=1)
    # Requests a minute one intake API key may make (dashboard.intake_api).
    api_rate_per_minute: int = _number(int, 120, minimum=1)
    # Per category escalation thresholds (dashboard.escalation); none: the acknowledge target.
    eskalasi_target_s: tuple[tuple[str, tuple[int, int]], ...] = _thresholds()
    eido_agency_id: str = _text(DEFAULT_AGENCY_ID)

    @property
    def targets(self) -> Targets:
        return Targets(
            forward_s=self.target_forward_s,
            acknowledge_s=self.target_acknowledge_s,
            handling_s=self.target_handling_s,
            resolve_s=self.target_resolve_s,
            share=self.target_share,
        )

    @property
    def speeds_kmh(self) -> dict[str, float]:
        return {kind: getattr(self, key) for kind, key in SPEED_SETTINGS.items()}


def from_rows(rows: Mapping[str, object]) -> OpsSettings:
    """The typed settings from the raw table; a missing or unreadable value is its default."""
    values = {
        f.name: f.metadata["parse"](rows[f.name], f.default)
        for f in fields(OpsSettings)
        if f.name in rows
    }
    return OpsSettings(**values)


def as_ops_settings(settings: OpsSettings | Mapping[str, object]) -> OpsSettings:
    """The typed settings, from either themselves or the raw table (callers holding a dict)."""
    return settings if isinstance(settings, OpsSettings) else from_rows(settings)


def _pair(value: object) -> tuple[int, int] | None:
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    try:
        first, second = int(value[0]), int(value[1])
    except (TypeError, ValueError, OverflowError):
        return None
    if first <= 0 or second < first:
        return None
    return first, second
