"""Which kelurahan, kecamatan and flood zones a point falls in, one point or thousands.

A point outside the city also gets its nearest kelurahan and whether it lies at sea (in the
city's derived sea area, data/sea_area.geojson) rather than on land in a neighbouring regency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.coordinates import OnInvalid, check_coordinate_arrays, check_coordinates
from geo.crs import GEOD, METRIC_CRS, is_utm_trusted, to_metric_xy
from geo.layers import City, default_city

SNAP_DISTANCE_M = 50.0
FLOOD_LEVEL_RANK = {"rendah": 1, "sedang": 2, "tinggi": 3}

LOCATION_COLUMNS = (
    "kelurahan",
    "kecamatan",
    "kode",
    "in_city",
    "distance_to_city_m",
    "approximate",
    "at_sea",
    "nearest_kelurahan",
    "in_flood_zone",
    "flood_zone_names",
    "flood_level",
)


@dataclass(frozen=True)
class FloodZoneHit:
    """A flood zone containing the point."""

    name: str
    type: str
    level: str


@dataclass(frozen=True)
class Location:
    """Administrative place and flood exposure of one coordinate.

    ``approximate`` is True when the point lies in no kelurahan polygon (a sliver between
    neighbours, or just outside the city edge) and was given the nearest one within
    SNAP_DISTANCE_M. ``distance_to_city_m`` is 0.0 inside the city outline and the UTM distance
    to it otherwise (geodesic for points far outside UTM zone 49).

    Outside the city only: ``at_sea`` is True in the city's sea area (north of the coast; land
    in Kabupaten Pekalongan or Batang is not at sea) and ``nearest_kelurahan`` names the
    kelurahan whose boundary is nearest (None inside the city and far outside UTM zone 49).
    """

    lat: float
    lon: float
    kelurahan: str | None
    kecamatan: str | None
    kode: str | None
    in_city: bool
    distance_to_city_m: float
    approximate: bool
    flood_zones: tuple[FloodZoneHit, ...]
    at_sea: bool = False
    nearest_kelurahan: str | None = None

    @property
    def in_flood_zone(self) -> bool:
        return bool(self.flood_zones)

    @property
    def flood_level(self) -> str | None:
        """The highest level among the flood zones containing the point, if any."""
        if not self.flood_zones:
            return None
        return max((z.level for z in self.flood_zones), key=lambda v: FLOOD_LEVEL_RANK.get(v, 0))


def locate(lat: float, lon: float, *, city: City | None = None) -> Location:
    """Locate one point; raise InvalidCoordinates for NaN/inf/out-of-range input."""
    return locate_points([lat], [lon], city=city)[0]


def locate_points(
    lats: Sequence[float], lons: Sequence[float], *, city: City | None = None
) -> list[Location]:
    """`locate` for several points in one pass (the intake API's batches); same order.

    Raises InvalidCoordinates if any point is invalid, like `locate`.
    """
    checked = [check_coordinates(lat, lon) for lat, lon in zip(lats, lons, strict=True)]
    city = city or default_city()
    lat_a = np.array([c[0] for c in checked], dtype=float)
    lon_a = np.array([c[1] for c in checked], dtype=float)
    result = _locate_arrays(lat_a, lon_a, city)
    kel = city.kelurahan
    located = []
    for i, (lat_f, lon_f) in enumerate(checked):
        kel_index = int(result.kelurahan_index[i])
        nearest_index = int(result.nearest_index[i])
        zones = tuple(
            FloodZoneHit(
                name=str(city.flood_zones["name"].iat[z]),
                type=str(city.flood_zones["type"].iat[z]),
                level=str(city.flood_zones["level"].iat[z]),
            )
            for z in result.flood_indexes[i]
        )
        located.append(
            Location(
                lat=lat_f,
                lon=lon_f,
                kelurahan=str(kel["nama"].iat[kel_index]) if kel_index >= 0 else None,
                kecamatan=str(kel["kecamatan"].iat[kel_index]) if kel_index >= 0 else None,
                kode=str(kel["kode"].iat[kel_index]) if kel_index >= 0 else None,
                in_city=bool(result.in_city[i]),
                distance_to_city_m=float(result.distance_m[i]),
                approximate=bool(result.approximate[i]),
                flood_zones=zones,
                at_sea=bool(result.at_sea[i]),
                nearest_kelurahan=(
                    str(kel["nama"].iat[nearest_index]) if nearest_index >= 0 else None
                ),
            )
        )
    return located


def locate_many(
    lats: Sequence[float] | np.ndarray | pd.Series,
    lons: Sequence[float] | np.ndarray | pd.Series,
    *,
    city: City | None = None,
    on_invalid: OnInvalid = "raise",
) -> pd.DataFrame:
    """Locate many points at once (spatial joins in UTM); one row per input point, same order.

    Columns: LOCATION_COLUMNS; ``flood_zone_names`` is a tuple of names. With
    ``on_invalid="skip"`` invalid rows get in_city=False, at_sea=False and NaN distance instead
    of raising.
    The index is the input Series' index, else 0..n-1.
    """
    lat_a, lon_a, valid = check_coordinate_arrays(lats, lons, on_invalid=on_invalid)
    city = city or default_city()
    result = _locate_arrays(lat_a, lon_a, city, valid=valid)
    kel = city.kelurahan

    def pick(column: str, rows: np.ndarray) -> np.ndarray:
        values = kel[column].to_numpy(dtype=object)
        if len(values) == 0:
            return np.full(lat_a.size, None, dtype=object)
        return np.where(rows >= 0, values[np.where(rows >= 0, rows, 0)], None)

    zone_names = city.flood_zones["name"].to_numpy(dtype=object)
    zone_levels = city.flood_zones["level"].to_numpy(dtype=object)
    names = [tuple(str(zone_names[i]) for i in idx) for idx in result.flood_indexes]
    levels = [
        max((str(zone_levels[i]) for i in idx), key=lambda v: FLOOD_LEVEL_RANK.get(v, 0))
        if len(idx)
        else None
        for idx in result.flood_indexes
    ]
    index = lats.index if isinstance(lats, pd.Series) else pd.RangeIndex(lat_a.size)
    return pd.DataFrame(
        {
            "kelurahan": pick("nama", result.kelurahan_index),
            "kecamatan": pick("kecamatan", result.kelurahan_index),
            "kode": pick("kode", result.kelurahan_index),
            "in_city": result.in_city,
            "distance_to_city_m": result.distance_m,
            "approximate": result.approximate,
            "at_sea": result.at_sea,
            "nearest_kelurahan": pick("nama", result.nearest_index),
            "in_flood_zone": np.array([bool(n) for n in names], dtype=bool),
            "flood_zone_names": pd.Series(names, dtype=object).to_numpy(),
            "flood_level": np.array(levels, dtype=object),
        },
        index=index,
    )


@dataclass(frozen=True)
class _LocateArrays:
    kelurahan_index: np.ndarray  # int, -1 when none
    in_city: np.ndarray
    distance_m: np.ndarray
    approximate: np.ndarray
    at_sea: np.ndarray
    nearest_index: np.ndarray  # int, -1 inside the city (and where unknown)
    flood_indexes: list[np.ndarray]


def _locate_arrays(
    lats: np.ndarray, lons: np.ndarray, city: City, *, valid: np.ndarray | None = None
) -> _LocateArrays:
    n = lats.size
    valid = np.ones(n, dtype=bool) if valid is None else valid
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    if valid.any():
        x[valid], y[valid] = to_metric_xy(lons[valid], lats[valid])
    usable = valid & np.isfinite(x) & np.isfinite(y) & is_utm_trusted(lons)
    points = gpd.GeoDataFrame(
        {"point_id": np.flatnonzero(usable)},
        geometry=shapely.points(x[usable], y[usable]),
        crs=METRIC_CRS,
    )

    kel_index = np.full(n, -1, dtype=np.int64)
    approximate = np.zeros(n, dtype=bool)
    inside = _kelurahan_within(points, city)
    kel_index[inside.index.to_numpy()] = inside.to_numpy()
    unmatched = points[kel_index[points["point_id"].to_numpy()] < 0]
    snapped = _kelurahan_nearest(unmatched, city)
    kel_index[snapped.index.to_numpy()] = snapped.to_numpy()
    approximate[snapped.index.to_numpy()] = True

    distance = np.full(n, np.nan)
    nearest = np.full(n, -1, dtype=np.int64)
    ids = points["point_id"].to_numpy()
    in_outline = shapely.contains_xy(city.outline_utm, x[ids], y[ids])
    distance[ids[in_outline]] = 0.0
    beyond = ids[~in_outline]
    distance[beyond], nearest[beyond] = _nearest_outline(points.geometry.values[~in_outline], city)
    far = valid & ~usable
    if far.any():
        distance[far] = _geodesic_distance_to_outline_m(lats[far], lons[far], city)
    in_city = valid & (distance <= SNAP_DISTANCE_M)
    # A point in the outline's filled slivers is in the city but in no polygon: snapped.
    kel_index[~in_city] = -1
    approximate[~in_city] = False
    nearest[in_city] = -1
    at_sea = np.zeros(n, dtype=bool)
    off = ids[~in_city[ids]]
    at_sea[off] = shapely.contains_xy(city.sea_utm, x[off], y[off])

    return _LocateArrays(
        kelurahan_index=kel_index,
        in_city=in_city,
        distance_m=distance,
        approximate=approximate,
        at_sea=at_sea,
        nearest_index=nearest,
        flood_indexes=_flood_zones_containing(points, city, n),
    )


def _kelurahan_within(points: gpd.GeoDataFrame, city: City) -> pd.Series:
    """point_id -> kelurahan row; in overlaps the polygon whose boundary is farthest wins."""
    if points.empty or city.kelurahan_utm.empty:
        return pd.Series([], dtype=np.int64)
    polygons = city.kelurahan_utm[["kode", "geometry"]]
    hits = gpd.sjoin(points, polygons, how="inner", predicate="within")
    if hits.empty:
        return pd.Series([], dtype=np.int64)
    kel_rows = hits["index_right"].to_numpy()
    boundaries = shapely.boundary(polygons.geometry.values[kel_rows])
    # Depths are compared to the millimetre so that equal depths really tie (then: lowest kode).
    hits = hits.assign(
        kel_row=kel_rows,
        depth_m=np.round(shapely.distance(hits.geometry.values, boundaries), 3),
    )
    hits = hits.sort_values(["point_id", "depth_m", "kode"], ascending=[True, False, True])
    best = hits.drop_duplicates("point_id", keep="first")
    return pd.Series(best["kel_row"].to_numpy(), index=best["point_id"].to_numpy())


def _kelurahan_nearest(points: gpd.GeoDataFrame, city: City) -> pd.Series:
    """point_id -> nearest kelurahan row within SNAP_DISTANCE_M (ties: lowest kode)."""
    if points.empty or city.kelurahan_utm.empty:
        return pd.Series([], dtype=np.int64)
    polygons = city.kelurahan_utm[["kode", "geometry"]]
    near = gpd.sjoin_nearest(
        points, polygons, how="inner", max_distance=SNAP_DISTANCE_M, distance_col="gap_m"
    )
    if near.empty:
        return pd.Series([], dtype=np.int64)
    near = near.assign(gap_m=np.round(near["gap_m"].to_numpy(), 3))
    near = near.sort_values(["point_id", "gap_m", "kode"]).drop_duplicates("point_id")
    return pd.Series(near["index_right"].to_numpy(), index=near["point_id"].to_numpy())


def _nearest_outline(points: np.ndarray, city: City) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) to the city outline and the row of the nearest kelurahan, per outside point.

    The nearest kelurahan of an outside point owns the nearest stretch of the outline, so one
    nearest-segment query over the outline (its segments labelled once per City) gives both:
    far cheaper than distances to 27 detailed polygons. Ties: the lowest kode.
    """
    segments, owners = city.memo("geo.locate.outline_segments", lambda: _outline_segments(city))
    if len(points) == 0 or len(owners) == 0:
        return np.full(len(points), np.nan), np.full(len(points), -1, dtype=np.int64)
    (point_rows, segment_rows), gap_m = segments.query_nearest(
        points, all_matches=True, return_distance=True
    )
    point_rows, kel_rows, gap_m = _lowest_per_point(point_rows, owners[segment_rows], gap_m)
    distance = np.full(len(points), np.nan)
    nearest = np.full(len(points), -1, dtype=np.int64)
    distance[point_rows], nearest[point_rows] = gap_m, kel_rows
    return distance, nearest


def _outline_segments(city: City) -> tuple[shapely.STRtree, np.ndarray]:
    """The city outline cut into segments (an index) and the kelurahan row owning each."""
    rings = [np.asarray(p.exterior.coords) for p in shapely.get_parts(city.outline_utm)]
    if not rings or city.kelurahan_utm.empty:
        return shapely.STRtree([]), np.zeros(0, dtype=np.int64)
    starts = np.vstack([ring[:-1] for ring in rings])
    ends = np.vstack([ring[1:] for ring in rings])
    segments = shapely.linestrings(np.stack([starts, ends], axis=1))
    midpoints = shapely.points((starts + ends) / 2.0)
    point_rows, kel_rows = _lowest_per_point(
        *city.kelurahan_tree.query_nearest(midpoints, all_matches=True)
    )
    owners = np.zeros(len(midpoints), dtype=np.int64)
    owners[point_rows] = kel_rows
    return shapely.STRtree(segments), owners


def _lowest_per_point(point_rows: np.ndarray, rows: np.ndarray, *extra: np.ndarray) -> tuple:
    """Of equally near matches (query_nearest with all_matches), keep each point's lowest row."""
    order = np.lexsort((rows, point_rows))
    point_rows, rows = point_rows[order], rows[order]
    first = np.r_[True, point_rows[1:] != point_rows[:-1]] if len(point_rows) else order[:0]
    return (point_rows[first], rows[first], *(e[order][first] for e in extra))


def _flood_zones_containing(points: gpd.GeoDataFrame, city: City, n: int) -> list[np.ndarray]:
    empty = np.zeros(0, dtype=np.int64)
    found: list[np.ndarray] = [empty] * n
    if points.empty or city.flood_zones_utm.empty:
        return found
    zones = city.flood_zones_utm[["geometry"]]
    hits = gpd.sjoin(points, zones, how="inner", predicate="within")
    if hits.empty:
        return found
    hits = hits.sort_values(["point_id", "index_right"])
    point_ids = hits["point_id"].to_numpy()
    zone_rows = hits["index_right"].to_numpy(dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, point_ids[1:] != point_ids[:-1]])
    for point_id, chunk in zip(point_ids[starts], np.split(zone_rows, starts[1:]), strict=True):
        found[int(point_id)] = chunk
    return found


def _geodesic_distance_to_outline_m(lats: np.ndarray, lons: np.ndarray, city: City) -> np.ndarray:
    """Far outside UTM 49: geodesic distance to the nearest vertex of the city outline."""
    vertices = np.vstack([np.asarray(p.exterior.coords) for p in shapely.get_parts(city.outline)])
    out = np.empty(lats.size)
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        _, _, dist = GEOD.inv(
            np.full(len(vertices), lon), np.full(len(vertices), lat), vertices[:, 0], vertices[:, 1]
        )
        out[i] = float(np.min(dist))
    return out
