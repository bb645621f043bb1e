"""Density grids: metric cells clipped to the city, in memory and for database counting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import GeoError, density_grid
from geo.grid_counts import cells_frame, grid_spec

from .helpers import X0, Y0, latlon


def test_points_are_counted_in_300_m_cells_aligned_to_the_utm_grid(tiny_city):
    # X0 and Y0 are multiples of 300 m plus 200 and 200: cell edges at X0-200+300k.
    points = [latlon(X0 + 50, Y0 + 50), latlon(X0 + 60, Y0 + 90), latlon(X0 + 150, Y0 + 150)]
    lats, lons = zip(*points, strict=True)
    grid = density_grid(list(lats), list(lons), cell_m=300, city=tiny_city, include_empty=False)
    assert grid.crs.to_epsg() == 4326
    # X0 = 350000 = 1166 * 300 + 200: x in [X0, X0+100) is column 1166, [X0+100, X0+400) 1167.
    counts = dict(zip(grid["cell_id"], grid["count"], strict=True))
    assert counts == {"30766_1166": 2, "30767_1167": 1}
    assert grid["count"].sum() == 3


def test_cells_are_clipped_to_the_city_so_border_cells_are_smaller(tiny_city):
    grid = density_grid([], [], cell_m=300, city=tiny_city)
    assert grid["count"].sum() == 0
    assert grid["area_m2"].max() == pytest.approx(300 * 300, rel=1e-9)
    # Column 1166 spans x [X0-200, X0+100): only 100 m of it is in the city.
    sliver = grid[(grid["col"] == 1166) & (grid["row"] == 30767)]
    assert sliver["area_m2"].iloc[0] == pytest.approx(100 * 300, rel=1e-6)
    # Every part of the city is covered exactly once.
    assert grid.to_crs("EPSG:32749").area.sum() == pytest.approx(tiny_city.outline_utm.area)


def test_points_outside_the_city_and_invalid_points_are_not_counted(tiny_city):
    inside = latlon(X0 + 50, Y0 + 50)
    outside = latlon(X0 - 500, Y0 + 50)
    grid = density_grid(
        [inside[0], outside[0], float("nan")], [inside[1], outside[1], 109.6], city=tiny_city
    )
    assert grid["count"].sum() == 1
    assert grid.attrs["outside_points"] == 1 and grid.attrs["skipped_points"] == 1


@pytest.mark.parametrize("cell_m", [0, 10, 10_000, float("nan")])
def test_a_nonsense_cell_size_is_refused(tiny_city, cell_m):
    with pytest.raises(GeoError, match="Ukuran sel"):
        density_grid([], [], cell_m=cell_m, city=tiny_city)


def test_the_real_city_grid_counts_every_point_inside_it(city):
    rng = np.random.default_rng(5)
    lats = rng.uniform(-6.94, -6.85, 5000)
    lons = rng.uniform(109.64, 109.715, 5000)
    grid = density_grid(lats, lons, cell_m=300, city=city)
    assert grid["count"].sum() + grid.attrs["outside_points"] == 5000
    assert grid.to_crs("EPSG:32749").area.sum() / 1e6 == pytest.approx(46.2, abs=0.2)


def test_a_degree_grid_spec_has_cells_of_the_requested_size_on_the_ground(city):
    spec = grid_spec(cell_m=300, city=city)
    rng = np.random.default_rng(8)
    lats = rng.uniform(-6.93, -6.86, 2000)
    lons = rng.uniform(109.65, 109.70, 2000)
    ix, iy = spec.cell_index(lats, lons)
    cells = pd.DataFrame({"ix": ix, "iy": iy}).value_counts().rename("count").reset_index()
    frame = cells_frame(spec, cells, city=city)
    assert frame.crs.to_epsg() == 4326
    assert frame["area_m2"].max() == pytest.approx(300 * 300, rel=2e-3)
    assert frame["count"].sum() <= 2000
    assert (ix >= 0).all() and (iy >= 0).all()
