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

# UTM 49S near the city at numpy speed (pyproj costs ~0.1 us a point, most of a 100,000-incident
# nearest search): a polynomial in the degrees from this centre, fitted once to pyproj over the
# square box of this half-width. A degree-5 fit over +-0.5 deg (~55 km: the city and its
# neighbouring regencies) agrees with pyproj to ~3e-8 m; points outside the box go to pyproj.
LOCAL_UTM_CENTRE_DEG = (109.675, -6.89)  # (lon, lat): Kota Pekalongan
LOCAL_UTM_HALF_WIDTH_DEG = 0.5
LOCAL_UTM_DEGREE = 5
_LOCAL_UTM_FIT_NODES = 25  # Chebyshev nodes per axis for the least-squares fit
_LOCAL_UTM_BLOCK_POINTS = 8192


def to_metric_xy(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project longitude/latitude arrays (degrees) to UTM 49S easting/northing arrays (metres)."""
    x, y = _to_metric().transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_metric_xy_local(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``to_metric_xy`` for many points near the city, numpy only (pyproj outside the box)."""
    lon_a = np.asarray(lons, dtype=float)
    lat_a = np.asarray(lats, dtype=float)
    u, v = _local_box_coordinates(lon_a, lat_a)
    coefficients = _local_utm_coefficients()
    xy = np.empty((2, u.size))
    # In blocks: one block's monomials stay in the CPU cache, and each product is small
    # enough that BLAS does not hand it to threads (a whole-array product is slower).
    for start in range(0, u.size, _LOCAL_UTM_BLOCK_POINTS):
        stop = min(start + _LOCAL_UTM_BLOCK_POINTS, u.size)
        np.matmul(coefficients, _monomials(u[start:stop], v[start:stop]), out=xy[:, start:stop])
    x, y = xy[0], xy[1]
    if not (_within_unit(u) and _within_unit(v)):
        with np.errstate(invalid="ignore"):
            outside = ~((np.abs(u) <= 1.0) & (np.abs(v) <= 1.0))
        x[outside], y[outside] = to_metric_xy(lon_a.ravel()[outside], lat_a.ravel()[outside])
    return x.reshape(lon_a.shape), y.reshape(lat_a.shape)


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


def _local_box_coordinates(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets from LOCAL_UTM_CENTRE_DEG in box half-widths: [-1, 1] inside the box."""
    lon_c, lat_c = LOCAL_UTM_CENTRE_DEG
    scale = 1.0 / LOCAL_UTM_HALF_WIDTH_DEG
    u = lon.ravel() - lon_c
    v = lat.ravel() - lat_c
    u *= scale
    v *= scale
    return u, v


def _within_unit(values: np.ndarray) -> bool:
    # Two reductions instead of a mask; a NaN fails both (its point then goes to pyproj).
    return values.size == 0 or (values.min() >= -1.0 and values.max() <= 1.0)


def _monomials(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rows u**i * v**(n - i) for n = 0..LOCAL_UTM_DEGREE, i = 0..n (one product a row)."""
    rows = np.empty(((LOCAL_UTM_DEGREE + 1) * (LOCAL_UTM_DEGREE + 2) // 2, u.size))
    rows[0] = 1.0
    previous, current = 0, 1  # first row of degree n - 1 and of degree n
    for n in range(1, LOCAL_UTM_DEGREE + 1):
        # Degree n from degree n - 1: times v for i < n, the last one (u**(n-1)) times u.
        np.multiply(rows[previous : previous + n], v, out=rows[current : current + n])
        np.multiply(rows[current - 1], u, out=rows[current + n])
        previous, current = current, current + n + 1
    return rows


@lru_cache(maxsize=1)
def _local_utm_coefficients() -> np.ndarray:
    """(2, monomials) least-squares fit of pyproj's UTM 49S over the local box."""
    nodes = np.cos(np.linspace(0.0, np.pi, _LOCAL_UTM_FIT_NODES))
    u, v = (grid.ravel() for grid in np.meshgrid(nodes, nodes))
    lon_c, lat_c = LOCAL_UTM_CENTRE_DEG
    x, y = to_metric_xy(lon_c + u * LOCAL_UTM_HALF_WIDTH_DEG, lat_c + v * LOCAL_UTM_HALF_WIDTH_DEG)
    coefficients, *_ = np.linalg.lstsq(_monomials(u, v).T, np.column_stack((x, y)), rcond=None)
    return np.ascontiguousarray(coefficients.T)
