"""Incident density on a square grid in UTM 49S, clipped to the city, returned in EPSG:4326."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import messages
from geo.coordinates import check_coordinate_arrays
from geo.crs import METRIC_CRS, STORAGE_CRS, to_metric_xy
from geo.errors import GeoError
from geo.layers import City, default_city

MIN_CELL_M = 50.0
MAX_CELL_M = 5000.0
GRID_COLUMNS = ("cell_id", "row", "col", "count", "area_m2", "geometry")


def density_grid(
    lats: Sequence[float] | np.ndarray | pd.Series,
    lons: Sequence[float] | np.ndarray | pd.Series,
    *,
    cell_m: float = 300.0,
    city: City | None = None,
    include_empty: bool = True,
) -> gpd.GeoDataFrame:
    """Count points per square cell of ``cell_m`` metres, aligned to multiples of cell_m in UTM.

    Cells are clipped to the city outline (``area_m2`` is the clipped area) and only points
    inside the outline are counted; invalid coordinates are skipped and their number is left
    in ``result.attrs["skipped_points"]`` (points outside the city in ``"outside_points"``).
    """
    if not np.isfinite(cell_m) or not MIN_CELL_M <= float(cell_m) <= MAX_CELL_M:
        msg = messages.INVALID_CELL_SIZE.format(min_m=MIN_CELL_M, max_m=MAX_CELL_M, value=cell_m)
        raise GeoError(msg)
    cell_m = float(cell_m)
    city = city or default_city()
    lat_a, lon_a, valid = check_coordinate_arrays(lats, lons, on_invalid="skip")

    outline = city.outline_utm
    minx, miny, maxx, maxy = outline.bounds
    col0, row0 = int(np.floor(minx / cell_m)), int(np.floor(miny / cell_m))
    n_cols = int(np.ceil(maxx / cell_m)) - col0
    n_rows = int(np.ceil(maxy / cell_m)) - row0

    x, y = to_metric_xy(lon_a[valid], lat_a[valid])
    inside = shapely.contains_xy(outline, x, y)
    cols = np.floor(x[inside] / cell_m).astype(np.int64) - col0
    rows = np.floor(y[inside] / cell_m).astype(np.int64) - row0
    counts = np.bincount(rows * n_cols + cols, minlength=n_rows * n_cols)

    grid_rows, grid_cols = np.divmod(np.arange(n_rows * n_cols), n_cols)
    x0 = (grid_cols + col0) * cell_m
    y0 = (grid_rows + row0) * cell_m
    squares = shapely.box(x0, y0, x0 + cell_m, y0 + cell_m)
    clipped = shapely.intersection(squares, outline)
    keep = ~shapely.is_empty(clipped) & (shapely.area(clipped) > 0)
    if not include_empty:
        keep &= counts > 0
    cells = gpd.GeoDataFrame(
        {
            "cell_id": [
                f"{r + row0}_{c + col0}"
                for r, c in zip(grid_rows[keep], grid_cols[keep], strict=True)
            ],
            "row": grid_rows[keep] + row0,
            "col": grid_cols[keep] + col0,
            "count": counts[keep].astype(np.int64),
            "area_m2": shapely.area(clipped[keep]),
        },
        geometry=clipped[keep],
        crs=METRIC_CRS,
    ).to_crs(STORAGE_CRS)
    cells.attrs["skipped_points"] = int((~valid).sum())
    cells.attrs["outside_points"] = int((~inside).sum())
    cells.attrs["cell_m"] = cell_m
    return cells.reset_index(drop=True)
