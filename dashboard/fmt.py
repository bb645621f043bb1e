"""Numbers as Indonesian readers write them: decimal comma, "." for thousands, "-" if unknown."""

from __future__ import annotations

import math

UNKNOWN = "-"


def format_decimal(value: float, *, digits: int = 1) -> str:
    """2.54 -> '2,5': a fixed number of decimals with a decimal comma."""
    return f"{float(value):.{digits}f}".replace(".", ",")


def format_count(count: int) -> str:
    """12345 -> '12.345': a whole number with "." between thousands."""
    return f"{int(count):,}".replace(",", ".")


def format_km(distance_m: float | None) -> str:
    """1234.5 -> '1,2' (kilometres, one decimal); '-' when unknown."""
    if distance_m is None or not math.isfinite(float(distance_m)):
        return UNKNOWN
    return format_decimal(float(distance_m) / 1000)


def format_minutes(eta_min: float | None) -> str:
    """4.3 -> '5' (rounded up: an ETA should not promise too early); '-' when unknown."""
    if eta_min is None or not math.isfinite(float(eta_min)):
        return UNKNOWN
    return str(max(1, math.ceil(float(eta_min))))


def format_percent(share: float | None) -> str:
    """0.36 -> '36,0%' (a share of 1, one decimal); '-' when unknown."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return UNKNOWN
    return format_decimal(round(float(share) * 100, 1)) + "%"
