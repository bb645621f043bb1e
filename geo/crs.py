"""Coordinate reference systems: store and draw in EPSG:4326, measure in UTM 49S."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Geod, Transformer

STORAGE_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:32749"  # WGS 84 / UTM zone 49S: Kota Pekalongan is ~1.3 deg west of 111E
GEOD = Geod(ellps="WGS84")
# One degree of latitude in metres (WGS 84 mean; 110.6 km at the equator to 111.7 km at the
# poles, 110.6 km at Pekalongan's 6.9 deg S). Only for coarse boxes and click tolerances: every
# distance a person reads is geodesic or UTM.
METRES_PER_DEGREE_LAT = 111_320.0

# Beyond this longitude offset from the zone's central meridian UTM distances are no longer
# trustworthy (scale error grows fast); callers fall back to geodesic distances there.
UTM_CENTRAL_MERIDIAN_DEG = 111.0
UTM_TRUSTED_HALF_WIDTH_DEG = 9.0


def to_metric_xy(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project longitude/latitude arrays (degrees) to UTM 49S easting/northing arrays (metres)."""
    x, y = _to_metric().transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_geographic(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unproject UTM 49S easting/northing arrays (metres) to (lons, lats) in degrees."""
    lons, lats = _to_geographic().transform(
        np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float)
    )
    return np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)


def is_utm_trusted(lons: np.ndarray) -> np.ndarray:
    """True where a longitude is close enough to UTM 49S for metric distances to hold."""
    offset = np.abs(np.asarray(lons, dtype=float) - UTM_CENTRAL_MERIDIAN_DEG)
    return offset <= UTM_TRUSTED_HALF_WIDTH_DEG


@lru_cache(maxsize=1)
def _to_metric() -> Transformer:
    return Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)


@lru_cache(maxsize=1)
def _to_geographic() -> Transformer:
    return Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)
