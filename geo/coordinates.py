"""Validation of latitude/longitude input, scalar and vectorised."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from geo import messages
from geo.errors import InvalidCoordinates

OnInvalid = Literal["raise", "skip"]


def check_coordinates(lat: object, lon: object) -> tuple[float, float]:
    """Return (lat, lon) as floats, or raise InvalidCoordinates for NaN/inf/out-of-range input."""
    try:
        lat_f = float(lat)  # type: ignore[arg-type]
        lon_f = float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        msg = messages.INVALID_COORDINATES.format(lat=lat, lon=lon)
        raise InvalidCoordinates(msg) from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        msg = messages.INVALID_COORDINATES.format(lat=lat, lon=lon)
        raise InvalidCoordinates(msg)
    if not (-90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0):
        msg = messages.INVALID_COORDINATES.format(lat=lat, lon=lon)
        raise InvalidCoordinates(msg)
    return lat_f, lon_f


def check_coordinate_arrays(
    lats: Sequence[float] | np.ndarray | pd.Series,
    lons: Sequence[float] | np.ndarray | pd.Series,
    *,
    on_invalid: OnInvalid = "raise",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (lats, lons, valid_mask) as float arrays.

    With ``on_invalid="raise"`` any bad row raises InvalidCoordinates naming the first bad row;
    with ``"skip"`` bad rows are only flagged False in the mask.
    """
    if on_invalid not in ("raise", "skip"):
        msg = messages.INVALID_ON_INVALID_OPTION.format(value=on_invalid)
        raise InvalidCoordinates(msg)
    lat_a = _as_float_array(lats)
    lon_a = _as_float_array(lons)
    if lat_a.shape != lon_a.shape:
        msg = messages.COORDINATE_LENGTH_MISMATCH.format(n_lat=lat_a.size, n_lon=lon_a.size)
        raise InvalidCoordinates(msg)
    with np.errstate(invalid="ignore"):
        valid = (
            np.isfinite(lat_a)
            & np.isfinite(lon_a)
            & (np.abs(lat_a) <= 90.0)
            & (np.abs(lon_a) <= 180.0)
        )
    if on_invalid == "raise" and not valid.all():
        bad = np.flatnonzero(~valid)
        msg = messages.INVALID_COORDINATE_ARRAYS.format(count=bad.size, first=int(bad[0]))
        raise InvalidCoordinates(msg)
    return lat_a, lon_a, valid


def _as_float_array(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    if isinstance(values, pd.Series):
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    try:
        return np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        series = pd.Series(list(values), dtype=object)
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
