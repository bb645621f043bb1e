"""Build data/sea_area.geojson from the city boundary (run: python -m geo.derive_sea_area).

No coastline is bundled, so the sea off Kota Pekalongan is DERIVED from the kelurahan polygons:
approximate, not an official coastline. Measured in UTM 49S:

* the shore is the coastline the flood zones use (geo.derive_flood_zones.northern_edge: the
  north-facing edge of Pekalongan Utara open to the sea, harbour breakwaters ignored), its
  pieces joined west to east;
* beyond the city the shore is extended straight for COAST_EXTENSION_M (the service radius of
  dashboard.incidents) at each end, in the direction of the last COAST_TREND_M of the city's
  own coast: the coast of Kabupaten Pekalongan to the west and of Kabupaten Batang to the east
  is not known here, so land there is told from sea only by that straight line;
* the sea is everything north of that line, up to SEA_REACH_M north of the shore's northernmost
  point, minus the city itself (breakwaters included).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.derive_flood_zones import northern_edge
from geo.layers import (
    DEFAULT_DATA_DIR,
    KELURAHAN_FILE,
    SEA_AREA_FILE,
    filled_outline,
    read_kelurahan,
    write_geojson,
)

NAME = "Laut Jawa (perkiraan)"
NOTE = "Lapisan turunan dari batas kota, perkiraan, bukan garis pantai resmi"
SOURCE = "garis pantai = tepi utara Pekalongan Utara (batas kelurahan cahyadsn/wilayah_boundaries)"
# Equal to dashboard.incidents.SERVICE_AREA_MARGIN_M (geo does not import dashboard; a test
# checks the two agree): calls from farther than this are refused anyway.
COAST_EXTENSION_M = 5_000.0
COAST_TREND_M = 1_500.0
SEA_REACH_M = 10_000.0


def main(data_dir: Path = DEFAULT_DATA_DIR) -> None:
    """Regenerate data/sea_area.geojson from the kelurahan polygons in ``data_dir``."""
    kelurahan = read_kelurahan(data_dir / KELURAHAN_FILE)
    write_geojson(build_sea_area(kelurahan), data_dir / SEA_AREA_FILE)


def build_sea_area(kelurahan: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The derived sea north of the city as one polygon feature in EPSG:4326."""
    kel = kelurahan.to_crs(METRIC_CRS)
    shore = extended_shore(kel)
    sea = _north_of(shore, top_y=shore.bounds[3] + SEA_REACH_M)
    city = filled_outline(kel.geometry.values)
    sea = _polygonal(sea.difference(city))
    frame = gpd.GeoDataFrame(
        [
            {
                "name": NAME,
                "type": "laut",
                "detail": (
                    f"utara garis pantai, diperpanjang {COAST_EXTENSION_M / 1000:.0f} km "
                    "ke barat dan timur"
                ),
                "source": SOURCE,
                "derived": True,
                "note": NOTE,
                "geometry": sea,
            }
        ],
        geometry="geometry",
        crs=METRIC_CRS,
    )
    return frame.to_crs(STORAGE_CRS)


def extended_shore(kel_utm: gpd.GeoDataFrame) -> LineString:
    """The city's coast as one west-to-east line, extended straight beyond both ends."""
    pieces = []
    for part in shapely.get_parts(northern_edge(kel_utm)):
        coords = np.asarray(part.coords)
        pieces.append(coords if coords[0, 0] <= coords[-1, 0] else coords[::-1])
    pieces.sort(key=lambda coords: coords[0, 0])
    chain = np.vstack(pieces)
    west = _extension(chain)
    east = _extension(chain[::-1])
    return LineString(np.vstack([west, chain, east]))


def _extension(chain: np.ndarray) -> np.ndarray:
    """A point COAST_EXTENSION_M beyond chain[0], along the last COAST_TREND_M of coast."""
    line = LineString(chain)
    inland = line.interpolate(min(COAST_TREND_M, line.length))
    direction = chain[0] - np.array([inland.x, inland.y])
    direction /= np.hypot(*direction)
    return (chain[0] + direction * COAST_EXTENSION_M)[np.newaxis, :]


def _north_of(line: LineString, *, top_y: float) -> BaseGeometry:
    """Everything between the line and the northing top_y (each segment swept north)."""
    quads = [
        Polygon([(x0, y0), (x1, y1), (x1, top_y), (x0, top_y)])
        for (x0, y0), (x1, y1) in pairwise(line.coords)
        if x0 != x1
    ]
    return shapely.union_all([q if q.is_valid else shapely.make_valid(q) for q in quads])


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Polygon parts only, specks under 1 m2 dropped, as a valid (Multi)Polygon."""
    parts = [
        p
        for p in shapely.get_parts(shapely.make_valid(geometry))
        if isinstance(p, Polygon) and p.area >= 1.0
    ]
    return shapely.union_all(parts)


if __name__ == "__main__":
    main()
