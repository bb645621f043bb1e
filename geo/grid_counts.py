"""A grid fixed in degrees so a database can count incidents per cell, and its cells as polygons.

``density_grid`` (geo.grid) counts points in memory on a UTM grid. When the points live in a
database, counting there is cheaper: ``grid_spec`` gives a grid whose cells are ``cell_m``
metres on the ground at the city's latitude, expressed in degrees (origin and cell size), so
SQL can compute ``ix = floor((lon - origin_lon) / cell_lon_deg)`` and
``iy = floor((lat - origin_lat) / cell_lat_deg)``. ``cells_frame`` turns (ix, iy, count) rows
back into polygons clipped to the city. Cell sizes are measured geodesically at the city
centre; across the 9 km of the city they vary by well under 0.1 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import messages
from geo.crs import GEOD, METRIC_CRS, STORAGE_CRS
from geo.errors import GeoError
from geo.grid import MAX_CELL_M, MIN_CELL_M
from geo.layers import City, default_city

_PROBE_DEG = 0.01


@dataclass(frozen=True)
class GridSpec:
    """Grid origin (south-west corner) and cell size in degrees; ``cell_m`` on the ground."""

    origin_lat: float
    origin_lon: float
    cell_lat_deg: float
    cell_lon_deg: float
    cell_m: float

    def cell_index(self, lats: np.ndarray, lons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ix, iy) of points, the same formula the database uses."""
        ix = np.floor((np.asarray(lons, dtype=float) - self.origin_lon) / self.cell_lon_deg)
        iy = np.floor((np.asarray(lats, dtype=float) - self.origin_lat) / self.cell_lat_deg)
        return ix.astype(np.int64), iy.astype(np.int64)


def grid_spec(*, cell_m: float = 300.0, city: City | None = None) -> GridSpec:
    """A degree grid of ``cell_m``-metre cells anchored at the city's south-west corner."""
    if not math.isfinite(cell_m) or not MIN_CELL_M <= float(cell_m) <= MAX_CELL_M:
        msg = messages.INVALID_CELL_SIZE.format(min_m=MIN_CELL_M, max_m=MAX_CELL_M, value=cell_m)
        raise GeoError(msg)
    city = city or default_city()
    min_lon, min_lat, max_lon, max_lat = city.outline.bounds
    mid_lat, mid_lon = (min_lat + max_lat) / 2.0, (min_lon + max_lon) / 2.0
    _, _, north_m = GEOD.inv(mid_lon, mid_lat, mid_lon, mid_lat + _PROBE_DEG)
    _, _, east_m = GEOD.inv(mid_lon, mid_lat, mid_lon + _PROBE_DEG, mid_lat)
    cell_lat_deg = float(cell_m) * _PROBE_DEG / north_m
    cell_lon_deg = float(cell_m) * _PROBE_DEG / east_m
    return GridSpec(
        origin_lat=min_lat - cell_lat_deg,
        origin_lon=min_lon - cell_lon_deg,
        cell_lat_deg=cell_lat_deg,
        cell_lon_deg=cell_lon_deg,
        cell_m=float(cell_m),
    )


def cells_frame(
    spec: GridSpec, cells: pd.DataFrame, *, city: City | None = None
) -> gpd.GeoDataFrame:
    """Polygons (EPSG:4326) for rows with columns ix, iy, count, clipped to the city outline.

    Cells entirely outside the city are dropped; ``area_m2`` is the clipped area (UTM).
    """
    city = city or default_city()
    ix = cells["ix"].to_numpy(dtype=np.int64)
    iy = cells["iy"].to_numpy(dtype=np.int64)
    west = spec.origin_lon + ix * spec.cell_lon_deg
    south = spec.origin_lat + iy * spec.cell_lat_deg
    squares = shapely.box(west, south, west + spec.cell_lon_deg, south + spec.cell_lat_deg)
    clipped = shapely.intersection(squares, city.outline)
    keep = ~shapely.is_empty(clipped)
    frame = gpd.GeoDataFrame(
        {
            "ix": ix[keep],
            "iy": iy[keep],
            "count": cells["count"].to_numpy(dtype=np.int64)[keep],
        },
        geometry=clipped[keep],
        crs=STORAGE_CRS,
    )
    frame["area_m2"] = frame.to_crs(METRIC_CRS).area.to_numpy()
    return frame.reset_index(drop=True)
