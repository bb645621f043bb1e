"""How an incident's location reads on every screen: its kelurahan, at sea, or outside the city."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard import labels
from dashboard.fmt import format_km

# The location fields an incident (a table row, a dict, a frame row) or a geo.Location carries.
PLACE_FIELDS = (
    "kelurahan",
    "kecamatan",
    "in_city",
    "at_sea",
    "nearest_kelurahan",
    "distance_to_city_m",
)


def place_text(incident: Any, *, with_kecamatan: bool = True) -> str | None:
    """The short place text of an incident, or None when it was never located.

    In the city "Kelurahan, Kecamatan" (only the kelurahan with ``with_kecamatan=False``, as on
    the wall); at sea "Laut, 1,2 km dari Panjang Wetan"; on land beyond the city line "Luar
    kota, 2,3 km dari Degayu" (decimal comma). A point outside the city stored before its
    nearest kelurahan was recorded reads "Laut" or "Luar kota". ``incident`` is a mapping
    (dict, pandas row) or any object with PLACE_FIELDS as attributes; a missing ``in_city``
    counts as in the city.
    """
    kelurahan = _text(_field(incident, "kelurahan"))
    if kelurahan:
        kecamatan = _text(_field(incident, "kecamatan"))
        return f"{kelurahan}, {kecamatan}" if with_kecamatan and kecamatan else kelurahan
    if _flag(_field(incident, "in_city"), default=True):
        return None
    at_sea = _flag(_field(incident, "at_sea"), default=False)
    nearest = _text(_field(incident, "nearest_kelurahan"))
    distance_m = _number(_field(incident, "distance_to_city_m"))
    if nearest is None or distance_m is None:
        return labels.PLACE_AT_SEA_SHORT if at_sea else labels.PLACE_OUTSIDE_CITY_SHORT
    template = labels.PLACE_AT_SEA if at_sea else labels.PLACE_OUTSIDE_CITY
    return template.format(km=format_km(distance_m), kelurahan=nearest)


def place_columns(place: Any) -> dict[str, object]:
    """The incident table's location columns from a geo.Location (or a locate_many row).

    ``nearest_kelurahan`` and ``distance_to_city_m`` are stored only for a point outside the
    city; ``at_sea`` only ever for one outside (geo.locate never says both).
    """
    in_city = _flag(_field(place, "in_city"), default=True)
    zones = _field(place, "flood_zones")
    if zones is None:
        zones = _field(place, "flood_zone_names") or ()
    names = ", ".join(_zone_name(zone) for zone in zones)
    distance_m = _number(_field(place, "distance_to_city_m"))
    return {
        "kelurahan": _text(_field(place, "kelurahan")),
        "kecamatan": _text(_field(place, "kecamatan")),
        "kelurahan_kode": _text(_field(place, "kode")),
        "in_city": in_city,
        "at_sea": not in_city and _flag(_field(place, "at_sea"), default=False),
        "nearest_kelurahan": None if in_city else _text(_field(place, "nearest_kelurahan")),
        "distance_to_city_m": None if in_city else distance_m,
        "in_flood_zone": bool(names),
        "flood_zone_names": names[:300],
    }


def _field(item: Any, name: str) -> Any:
    if isinstance(item, (Mapping, pd.Series)):
        return item.get(name)
    return getattr(item, name, None)


def _zone_name(zone: Any) -> str:
    return str(getattr(zone, "name", zone[0] if isinstance(zone, tuple) else zone))


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any, *, default: bool) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return default
    return bool(value)


def _number(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
