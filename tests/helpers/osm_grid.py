"""A generated city-sized street grid written as OpenStreetMap XML, for road tests and benchmarks.

Node (i, j) is row i (south to north), column j (west to east) at UTM 49S
``(x0_m + j * spacing_m, y0_m + i * spacing_m)``. Every row and every column is one
``highway`` way, so shortest paths are Manhattan sums of ``spacing_m`` that a test writes as
arithmetic. Options add what makes real routing differ from crow-flies: one-way rows (eastbound
only) and columns (northbound only), faster primary rows, a river below one row crossed only by
a few bridge columns, and a railway between two columns with a ``railway=level_crossing`` node
on every row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geo.crs import to_geographic

CROSSING_ID_BASE = 100_000_000  # level-crossing node ids: base + row
FILLER_ID_BASE = 200_000_000  # node ids of the non-road filler (buildings)


@dataclass(frozen=True)
class GridCity:
    """The street grid's layout; ``node_id``/``xy`` say where each street corner is."""

    rows: int = 100
    cols: int = 100
    spacing_m: float = 100.0
    x0_m: float = 352_000.0
    y0_m: float = 9_230_000.0
    highway: str = "residential"
    primary_rows: frozenset[int] = frozenset()  # highway=primary instead of ``highway``
    oneway_rows: frozenset[int] = frozenset()
    oneway_cols: frozenset[int] = frozenset()
    # No street crosses between row river_row - 1 and row river_row except the bridge columns.
    river_row: int | None = None
    bridge_cols: tuple[int, ...] = ()
    # A railway between column railway_col and railway_col + 1, crossed by every row at a
    # level-crossing node half way.
    railway_col: int | None = None

    @property
    def n_nodes(self) -> int:
        return self.rows * self.cols + (self.rows if self.railway_col is not None else 0)

    def node_id(self, i: int, j: int) -> int:
        return i * self.cols + j + 1

    def crossing_id(self, i: int) -> int:
        return CROSSING_ID_BASE + i

    def xy(self, i: float, j: float) -> tuple[float, float]:
        """UTM point of grid position (row i, column j); fractions give points between corners."""
        return self.x0_m + j * self.spacing_m, self.y0_m + i * self.spacing_m

    def latlon(self, i: float, j: float) -> tuple[float, float]:
        lons, lats = to_geographic(*(np.array([v]) for v in self.xy(i, j)))
        return float(lats[0]), float(lons[0])

    def write_osm(self, path: Path, *, decimals: int = 9, filler_buildings: int = 0) -> Path:
        """Write the grid as .osm XML; ``filler_buildings`` adds non-road ways a parser must skip.

        OSM itself stores 7 decimals (about 1 cm); tests use more so lengths stay exact.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            out.write('<osm version="0.6" generator="siaga-tests osm_grid">\n')
            out.writelines(self._node_lines(decimals))
            out.writelines(self._filler_lines(filler_buildings, decimals))
            out.writelines(self._way_lines())
            out.write("</osm>\n")
        return path

    def _node_lines(self, decimals: int) -> Iterator[str]:
        ii, jj = np.meshgrid(np.arange(self.rows), np.arange(self.cols), indexing="ij")
        ids = [self.node_id(int(i), int(j)) for i, j in zip(ii.ravel(), jj.ravel(), strict=True)]
        x = self.x0_m + jj.ravel() * self.spacing_m
        y = self.y0_m + ii.ravel() * self.spacing_m
        yield from _nodes(ids, x, y, decimals)
        if self.railway_col is not None:
            rows = np.arange(self.rows)
            x_cross = np.full(self.rows, self.x0_m + (self.railway_col + 0.5) * self.spacing_m)
            y_cross = self.y0_m + rows * self.spacing_m
            ids = [self.crossing_id(int(i)) for i in rows]
            tag = '<tag k="railway" v="level_crossing"/>'
            yield from _nodes(ids, x_cross, y_cross, decimals, inner=tag)

    def _way_lines(self) -> Iterator[str]:
        way_id = 1
        for i in range(self.rows):
            refs = [self.node_id(i, j) for j in range(self.cols)]
            if self.railway_col is not None:
                refs.insert(self.railway_col + 1, self.crossing_id(i))
            highway = "primary" if i in self.primary_rows else self.highway
            yield _way(way_id, refs, highway, oneway=i in self.oneway_rows)
            way_id += 1
        for j in range(self.cols):
            column = [self.node_id(i, j) for i in range(self.rows)]
            split = self.river_row is not None and j not in self.bridge_cols
            pieces = [column[: self.river_row], column[self.river_row :]] if split else [column]
            for refs in pieces:
                yield _way(way_id, refs, self.highway, oneway=j in self.oneway_cols)
                way_id += 1
        if self.railway_col is not None:
            refs = [self.crossing_id(i) for i in range(self.rows)]
            yield _way(way_id, refs, None, extra={"railway": "rail"})

    def _filler_lines(self, count: int, decimals: int) -> Iterator[str]:
        """Square buildings (4 nodes, a closed way) between the streets: bytes a parser skips."""
        if count == 0:
            return
        rng = np.random.default_rng(16)
        width_m = self.spacing_m * (self.cols - 1)
        height_m = self.spacing_m * (self.rows - 1)
        corners = np.array([[0, 0], [12, 0], [12, 9], [0, 9]], dtype=float)
        for b in range(count):
            x, y = self.x0_m + rng.uniform(0, width_m), self.y0_m + rng.uniform(0, height_m)
            ids = [FILLER_ID_BASE + 4 * b + c for c in range(4)]
            yield from _nodes(ids, x + corners[:, 0], y + corners[:, 1], decimals)
            yield _way(FILLER_ID_BASE + b, [*ids, ids[0]], None, extra={"building": "house"})


def _nodes(
    ids: list[int], x_m: np.ndarray, y_m: np.ndarray, decimals: int, *, inner: str = ""
) -> Iterator[str]:
    lons, lats = to_geographic(np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float))
    for node_id, lat, lon in zip(ids, lats.tolist(), lons.tolist(), strict=True):
        coords = f'id="{node_id}" lat="{lat:.{decimals}f}" lon="{lon:.{decimals}f}"'
        if inner:
            yield f"  <node {coords}>{inner}</node>\n"
        else:
            yield f"  <node {coords}/>\n"


def _way(
    way_id: int,
    refs: list[int],
    highway: str | None,
    *,
    oneway: bool = False,
    extra: dict[str, str] | None = None,
) -> str:
    tags = dict(extra or {})
    if highway:
        tags["highway"] = highway
    if oneway:
        tags["oneway"] = "yes"
    nds = "".join(f'<nd ref="{ref}"/>' for ref in refs)
    tag_xml = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'  <way id="{way_id}">{nds}{tag_xml}</way>\n'
