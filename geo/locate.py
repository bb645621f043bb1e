"""Which kelurahan, kecamatan and flood zones a point falls in, one point or thousands.

A point outside the city also gets its nearest kelurahan and whether it lies at sea (in the
city's derived sea area, data/sea_area.geojson) rather than on land in a neighbouring regency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.coordinates import OnInvalid, check_coordinate_arrays, check_coordinates
from geo.crs import GEOD, is_utm_trusted, to_metric_xy
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
    index = _index(city)
    lat_a = np.array([c[0] for c in checked], dtype=float)
    lon_a = np.array([c[1] for c in checked], dtype=float)
    result = _locate_arrays(lat_a, lon_a, city)
    located = []
    for i, (lat_f, lon_f) in enumerate(checked):
        kel_row = int(result.kelurahan_index[i])
        nearest_row = int(result.nearest_index[i])
        located.append(
            Location(
                lat=lat_f,
                lon=lon_f,
                kelurahan=index.nama[kel_row] if kel_row >= 0 else None,
                kecamatan=index.kecamatan[kel_row] if kel_row >= 0 else None,
                kode=index.kode[kel_row] if kel_row >= 0 else None,
                in_city=bool(result.in_city[i]),
                distance_to_city_m=float(result.distance_m[i]),
                approximate=bool(result.approximate[i]),
                flood_zones=tuple(index.zone_hits[z] for z in result.flood_indexes[i]),
                at_sea=bool(result.at_sea[i]),
                nearest_kelurahan=index.nama[nearest_row] if nearest_row >= 0 else None,
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
    """Locate many points at once (indexed queries in UTM); one row per input point, same order.

    Columns: LOCATION_COLUMNS; ``flood_zone_names`` is a tuple of names. With
    ``on_invalid="skip"`` invalid rows get in_city=False, at_sea=False and NaN distance instead
    of raising.
    The index is the input Series' index, else 0..n-1.
    """
    lat_a, lon_a, valid = check_coordinate_arrays(lats, lons, on_invalid=on_invalid)
    city = city or default_city()
    index = _index(city)
    result = _locate_arrays(lat_a, lon_a, city, valid=valid)

    def pick(values: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
        if not values:
            return np.full(lat_a.size, None, dtype=object)
        column = np.array(values, dtype=object)
        return np.where(rows >= 0, column[np.where(rows >= 0, rows, 0)], None)

    zones = [tuple(index.zone_hits[z] for z in rows) for rows in result.flood_indexes]
    names = [tuple(zone.name for zone in hits) for hits in zones]
    levels = [
        max((zone.level for zone in hits), key=lambda v: FLOOD_LEVEL_RANK.get(v, 0))
        if hits
        else None
        for hits in zones
    ]
    frame_index = lats.index if isinstance(lats, pd.Series) else pd.RangeIndex(lat_a.size)
    return pd.DataFrame(
        {
            "kelurahan": pick(index.nama, result.kelurahan_index),
            "kecamatan": pick(index.kecamatan, result.kelurahan_index),
            "kode": pick(index.kode, result.kelurahan_index),
            "in_city": result.in_city,
            "distance_to_city_m": result.distance_m,
            "approximate": result.approximate,
            "at_sea": result.at_sea,
            "nearest_kelurahan": pick(index.nama, result.nearest_index),
            "in_flood_zone": np.array([bool(n) for n in names], dtype=bool),
            "flood_zone_names": pd.Series(names, dtype=object).to_numpy(),
            "flood_level": np.array(levels, dtype=object),
        },
        index=frame_index,
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


@dataclass(frozen=True, eq=False)
class _Index:
    """What locating reads from one City: prepared polygons and plain names, built once."""

    kelurahan: np.ndarray  # prepared copies of the UTM polygons, in the City's row (kode) order
    boundaries: np.ndarray  # their outlines: how deep a point lies, where two overlap
    nama: tuple[str, ...]
    kecamatan: tuple[str, ...]
    kode: tuple[str, ...]
    zones: np.ndarray  # prepared copies of the UTM flood zones, in the City's row order
    zone_hits: tuple[FloodZoneHit, ...]


def _index(city: City) -> _Index:
    return city.memo("geo.locate.index", lambda: _build_index(city))


def _build_index(city: City) -> _Index:
    kel, zones = city.kelurahan, city.flood_zones
    polygons = _prepared_copies(city.kelurahan_utm.geometry.values)
    # The City prepared its outline and sea area; their lazy parts are built here, once, too.
    _warm_up(np.array([city.outline_utm, city.sea_utm], dtype=object))
    return _Index(
        kelurahan=polygons,
        boundaries=shapely.boundary(polygons),
        nama=tuple(str(v) for v in kel["nama"]),
        kecamatan=tuple(str(v) for v in kel["kecamatan"]),
        kode=tuple(str(v) for v in kel["kode"]),
        zones=_prepared_copies(city.flood_zones_utm.geometry.values),
        zone_hits=tuple(
            FloodZoneHit(name=str(name), type=str(kind), level=str(level))
            for name, kind, level in zip(zones["name"], zones["type"], zones["level"], strict=True)
        ),
    )


def _prepared_copies(geometries: np.ndarray) -> np.ndarray:
    """Prepared copies (the City's own geometries stay as they are), warmed up.

    GEOS builds a prepared polygon's point index lazily on its first query, and that build is
    not thread-safe: one query per polygon here, before any page or API thread shares them.
    """
    copies = shapely.from_wkb(shapely.to_wkb(np.asarray(geometries, dtype=object)))
    copies = np.asarray(copies, dtype=object).reshape(-1)
    shapely.prepare(copies)
    _warm_up(copies)
    return copies


def _warm_up(prepared: np.ndarray) -> None:
    """One point-in-polygon query per geometry, at a point inside it (a query outside its
    bounding box would return before building anything)."""
    prepared = prepared[~shapely.is_empty(prepared)]
    if prepared.size:
        inner = shapely.point_on_surface(prepared)
        shapely.contains_xy(prepared, shapely.get_x(inner), shapely.get_y(inner))


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
    ids = np.flatnonzero(usable)
    index = _index(city)
    xs, ys = x[ids], y[ids]
    points = shapely.points(xs, ys)

    kel_index = np.full(n, -1, dtype=np.int64)
    approximate = np.zeros(n, dtype=bool)
    kel_index[ids] = _kelurahan_containing(points, xs, ys, city, index)
    unmatched = np.flatnonzero(kel_index[ids] < 0)
    snapped_rows, kel_rows = _kelurahan_nearest(points[unmatched], city)
    kel_index[ids[unmatched[snapped_rows]]] = kel_rows
    approximate[ids[unmatched[snapped_rows]]] = True

    distance = np.full(n, np.nan)
    nearest = np.full(n, -1, dtype=np.int64)
    in_outline = shapely.contains_xy(city.outline_utm, xs, ys)
    distance[ids[in_outline]] = 0.0
    beyond = ids[~in_outline]
    distance[beyond], nearest[beyond] = _nearest_outline(points[~in_outline], city)
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
    zone_points, zone_rows = _flood_zones_containing(points, xs, ys, city, index)

    return _LocateArrays(
        kelurahan_index=kel_index,
        in_city=in_city,
        distance_m=distance,
        approximate=approximate,
        at_sea=at_sea,
        nearest_index=nearest,
        flood_indexes=_grouped(ids[zone_points], zone_rows, n),
    )


def _kelurahan_containing(
    points: np.ndarray, xs: np.ndarray, ys: np.ndarray, city: City, index: _Index
) -> np.ndarray:
    """Per point, the kelurahan row whose interior holds it (-1: none; a border is no interior).

    In overlaps the polygon whose boundary is farthest wins, compared to the millimetre so
    that equal depths really tie (then: the lowest kode, i.e. the lowest row).
    """
    found = np.full(len(points), -1, dtype=np.int64)
    if len(points) == 0 or index.kelurahan.size == 0:
        return found
    point_rows, kel_rows = city.kelurahan_tree.query(points)  # bounding boxes only
    inside = shapely.contains_xy(index.kelurahan[kel_rows], xs[point_rows], ys[point_rows])
    point_rows, kel_rows = point_rows[inside], kel_rows[inside]
    hits = np.bincount(point_rows, minlength=len(points))[point_rows]
    found[point_rows[hits == 1]] = kel_rows[hits == 1]
    if (hits > 1).any():
        point_rows, kel_rows = point_rows[hits > 1], kel_rows[hits > 1]
        depth_m = np.round(shapely.distance(points[point_rows], index.boundaries[kel_rows]), 3)
        order = np.lexsort((kel_rows, -depth_m, point_rows))
        point_rows, kel_rows = point_rows[order], kel_rows[order]
        first = np.r_[True, point_rows[1:] != point_rows[:-1]]
        found[point_rows[first]] = kel_rows[first]
    return found


def _kelurahan_nearest(points: np.ndarray, city: City) -> tuple[np.ndarray, np.ndarray]:
    """(point rows, kelurahan rows): the nearest kelurahan within SNAP_DISTANCE_M of each point
    that has one (equally near ones, a point on a shared border too: the lowest kode)."""
    empty = np.zeros(0, dtype=np.int64)
    if len(points) == 0 or city.kelurahan_utm.empty:
        return empty, empty
    point_rows, kel_rows = city.kelurahan_tree.query_nearest(
        points, max_distance=SNAP_DISTANCE_M, all_matches=True
    )
    return _lowest_per_point(point_rows, kel_rows)


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


def _flood_zones_containing(
    points: np.ndarray, xs: np.ndarray, ys: np.ndarray, city: City, index: _Index
) -> tuple[np.ndarray, np.ndarray]:
    """(point rows, zone rows) of every flood zone whose interior holds a point, sorted."""
    empty = np.zeros(0, dtype=np.int64)
    if len(points) == 0 or index.zones.size == 0:
        return empty, empty
    point_rows, zone_rows = city.flood_zone_tree.query(points)  # bounding boxes only
    inside = shapely.contains_xy(index.zones[zone_rows], xs[point_rows], ys[point_rows])
    point_rows, zone_rows = point_rows[inside], zone_rows[inside].astype(np.int64)
    order = np.lexsort((zone_rows, point_rows))
    return point_rows[order], zone_rows[order]


def _grouped(point_ids: np.ndarray, rows: np.ndarray, n: int) -> list[np.ndarray]:
    """Sorted (point id, row) pairs as one array of rows per point id 0..n-1."""
    found: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n
    if point_ids.size == 0:
        return found
    starts = np.flatnonzero(np.r_[True, point_ids[1:] != point_ids[:-1]])
    for point_id, chunk in zip(point_ids[starts], np.split(rows, starts[1:]), strict=True):
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
