"""Facility kinds and the normalisation of facility tables (CSV file or database rows).

A facility has one primary ``kind`` and may also serve other kinds (``also_serves``). A request
for kind K matches every facility whose kind is K or whose ``also_serves`` contains K. This is
how "ambulance" reaches both ambulance posts (PMI) and hospitals that run IGD ambulances
(RSUD Bendan: kind ``hospital``, also_serves ``ambulance``).

Frames without an ``also_serves`` column serve only their primary kind. ``units`` is the
number of vehicles when known (blank/0 = unknown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import messages
from geo.crs import STORAGE_CRS
from geo.errors import FacilityDataError, UnknownFacilityKind

FACILITY_KINDS: tuple[str, ...] = (
    "ambulance",
    "fire",
    "hospital",
    "police",
    "bpbd",
    "puskesmas",
    "command",
)
OPD_CODES: tuple[str, ...] = (
    "DINKOMINFO",
    "PMI",
    "BPBD",
    "DAMKAR",
    "DISHUB",
    "RSUD",
    "DINKES",
    "POLRES",
    "PLN",
    "DLH",
    "DINSOS",
)
FACILITY_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "kind",
    "also_serves",
    "opd_code",
    "lat",
    "lon",
    "address",
    "phone",
    "units",
    "lokasi_perkiraan",
    "source",
)
REQUIRED_FACILITY_COLUMNS: tuple[str, ...] = ("id", "name", "kind", "lat", "lon")

_LIST_SPLIT = re.compile(r"[;,|]")
_TRUE_TEXT = frozenset({"true", "1", "yes", "ya", "y", "t"})


def check_kind(kind: str) -> str:
    """Return the kind if known, else raise UnknownFacilityKind with the valid choices."""
    if kind not in FACILITY_KINDS:
        msg = messages.UNKNOWN_FACILITY_KIND.format(kind=kind, choices=", ".join(FACILITY_KINDS))
        raise UnknownFacilityKind(msg)
    return kind


def facilities_from_frame(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Validate a facility table and return it as a point GeoDataFrame in EPSG:4326.

    Accepts the CSV columns (FACILITY_COLUMNS) or database rows without ``also_serves``;
    ``also_serves`` becomes a tuple of kinds and ``lokasi_perkiraan`` a bool.
    """
    missing = [c for c in REQUIRED_FACILITY_COLUMNS if c not in frame.columns]
    if missing:
        msg = messages.DATA_FILE_MISSING_COLUMNS.format(
            name="fasilitas", columns=", ".join(missing)
        )
        raise FacilityDataError(msg)
    df = frame.reset_index(drop=True).copy()
    lat = pd.to_numeric(df["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(df["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad_xy = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad_xy.any():
        msg = messages.FACILITY_BAD_ROWS.format(
            rows=_row_list(np.flatnonzero(bad_xy)), reason=messages.REASON_BAD_LAT_LON
        )
        raise FacilityDataError(msg)
    kinds = df["kind"].astype(object).map(lambda v: str(v).strip().lower() if _present(v) else "")
    bad_kind = ~kinds.isin(FACILITY_KINDS)
    if bad_kind.any():
        bad_values = sorted(set(kinds[bad_kind]))
        msg = messages.FACILITY_BAD_ROWS.format(
            rows=_row_list(np.flatnonzero(bad_kind.to_numpy())),
            reason=messages.REASON_UNKNOWN_KINDS.format(kinds=bad_values),
        )
        raise FacilityDataError(msg)
    ids = df["id"].astype(object)
    duplicated = ids[ids.duplicated()].tolist()
    if duplicated:
        msg = messages.FACILITY_DUPLICATE_IDS.format(ids=", ".join(map(str, duplicated)))
        raise FacilityDataError(msg)

    units = _text_column(df, "units")
    if "also_serves" in df.columns:
        also = [_parse_kinds(v) for v in df["also_serves"].astype(object)]
    else:
        also = [()] * len(df)
    bad_also = [i for i, kinds_i in enumerate(also) if set(kinds_i) - set(FACILITY_KINDS)]
    if bad_also:
        msg = messages.FACILITY_BAD_ROWS.format(
            rows=_row_list(bad_also), reason=messages.REASON_UNKNOWN_ALSO_SERVES
        )
        raise FacilityDataError(msg)

    out = pd.DataFrame(
        {
            "id": ids.to_numpy(dtype=object),
            "name": _text_column(df, "name"),
            "kind": kinds.to_numpy(dtype=object),
            "also_serves": pd.Series(also, dtype=object),
            "opd_code": _text_column(df, "opd_code"),
            "lat": lat,
            "lon": lon,
            "address": _text_column(df, "address"),
            "phone": _text_column(df, "phone"),
            "units": units,
            "lokasi_perkiraan": _bool_column(df, "lokasi_perkiraan"),
            "source": _text_column(df, "source"),
        }
    )
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs=STORAGE_CRS)


def serving_mask(facilities: pd.DataFrame, kind: str) -> np.ndarray:
    """Boolean mask of facilities that serve ``kind`` (primary kind or also_serves)."""
    check_kind(kind)
    if len(facilities) == 0:
        return np.zeros(0, dtype=bool)
    primary = facilities["kind"].to_numpy(dtype=object) == kind
    also = np.fromiter(
        (kind in tuple(v) for v in facilities["also_serves"]), dtype=bool, count=len(facilities)
    )
    return primary | also


def empty_facilities() -> gpd.GeoDataFrame:
    """A facility GeoDataFrame with the normalised columns and no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in FACILITY_COLUMNS})
    frame["lat"] = frame["lat"].astype(float)
    frame["lon"] = frame["lon"].astype(float)
    return facilities_from_frame(frame)


def format_kinds(kinds: Iterable[str]) -> str:
    """Serialise an also_serves tuple for CSV: kinds joined by ';'."""
    return ";".join(kinds)


def _parse_kinds(value: object) -> tuple[str, ...]:
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        items = [str(v) for v in value]
    elif _present(value):
        items = _LIST_SPLIT.split(str(value))
    else:
        items = []
    return tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))


def _text_column(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df.columns:
        return np.full(len(df), "", dtype=object)
    return np.array([str(v).strip() if _present(v) else "" for v in df[column]], dtype=object)


def _bool_column(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return np.array([_to_bool(v) for v in df[column]], dtype=bool)


def _to_bool(value: object) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if not _present(value):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return bool(value)
    return str(value).strip().lower() in _TRUE_TEXT


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return value is not pd.NA and str(value).strip() != ""


def _row_list(rows: Iterable[int]) -> str:
    rows = [int(r) + 1 for r in rows]
    shown = ", ".join(map(str, rows[:10]))
    return shown + (" ..." if len(rows) > 10 else "")
