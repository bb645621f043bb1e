"""Nearest facilities of a kind, with road-distance and ETA estimates, one incident or many.

Default road model (no road graph): straight-line distance in UTM 49S times a detour factor,
travelled at a speed per vehicle kind: ``road_distance_m = distance_m * detour_factor`` and
``eta_min = road_distance_m / speed``. No dispatch/turnout delay is added: the ETA is travel
time only, so the dashboard can add its own turnout figure next to it.

DEFAULT_DETOUR_FACTOR = 1.3: the ratio of network to straight-line distance ("circuity") for
short urban trips is typically 1.2-1.4 in published road-network studies; Kota Pekalongan's
grid is dense, but trips must cross the Kali Loji / Kali Pekalongan at a few bridges and the
railway at level crossings, so the middle of that range is used.

With a RoadGraph (``road_graph=``) the fastest route on the local OpenStreetMap extract is used
instead (geo.roads: points snapped to the nearest street segment, one shortest-path tree per
facility, optional slowdowns for flood or CAP areas and level-crossing delays), in the
direction the vehicle drives: ``DIRECTION_RESPONSE`` from the facility to the incident (a post
sends an ambulance or an engine), ``DIRECTION_TRANSPORT`` from the incident to the facility (a
patient to hospital; ``direction_for_kind`` picks it for "hospital"). Without ``direction`` the
search runs from the incident, as it always has. A pair the graph cannot serve falls back to
the detour model, and ``route_model`` says which: ``ROUTE_ROAD_GRAPH``, ``ROUTE_STRAIGHT_LINE``
(no graph, or no road route between the two), ``ROUTE_OFF_ROAD`` (the incident or the facility
is farther than geo.roads.MAX_SNAP_DISTANCE_M from any road).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import messages
from geo.coordinates import OnInvalid, check_coordinate_arrays, check_coordinates
from geo.crs import GEOD, to_metric_xy_local
from geo.errors import GeoError
from geo.facilities import check_kind, serving_mask
from geo.layers import City, default_city
from geo.roads import RoadGraph, RoadSlowdown

DEFAULT_DETOUR_FACTOR = 1.3
DEFAULT_SPEEDS_KMH: Mapping[str, float] = {
    "ambulance": 35.0,
    "fire": 30.0,  # heavy engines in narrow urban streets
    "police": 35.0,
    "hospital": 35.0,  # patient transport to hospital, by ambulance
    "bpbd": 30.0,
    "puskesmas": 35.0,
    "command": 30.0,
}
ROUTE_STRAIGHT_LINE = "garis_lurus_x_faktor"
ROUTE_ROAD_GRAPH = "jaringan_jalan"
ROUTE_OFF_ROAD = "garis_lurus_jauh_dari_jalan"
DIRECTION_RESPONSE = "response"  # from the facility to the incident
DIRECTION_TRANSPORT = "transport"  # from the incident to the facility
DIRECTIONS = (DIRECTION_RESPONSE, DIRECTION_TRANSPORT)
NEAREST_COLUMNS = (
    "incident",
    "rank",
    "facility_id",
    "name",
    "kind",
    "opd",
    "distance_m",
    "road_distance_m",
    "eta_min",
    "lokasi_perkiraan",
    "lat",
    "lon",
    "route_model",
)
# Incidents per block of the straight-line search: a block's incidents x facilities scores
# (~11 posts, 8 bytes each) stay in the CPU cache between the product and the argmin.
_BLOCK_INCIDENTS = 4096


@dataclass(frozen=True)
class FacilityMatch:
    """One candidate facility for an incident, nearest first."""

    rank: int
    facility_id: object
    name: str
    kind: str
    opd: str
    distance_m: float
    road_distance_m: float
    eta_min: float
    lokasi_perkiraan: bool
    lat: float
    lon: float
    address: str
    phone: str
    route_model: str


def nearest_facilities(
    lat: float,
    lon: float,
    kind: str,
    k: int = 3,
    *,
    city: City | None = None,
    detour_factor: float | None = None,
    speeds_kmh: Mapping[str, float] | None = None,
    road_graph: RoadGraph | None = None,
    direction: str | None = None,
    slowdowns: Sequence[RoadSlowdown] = (),
    level_crossing_delay_s: float = 0.0,
) -> list[FacilityMatch]:
    """The k facilities serving ``kind`` with the shortest ETA from (lat, lon).

    ``distance_m`` is always the straight-line UTM distance; ``road_distance_m``/``eta_min``
    come from the detour model, or from fastest routes on ``road_graph`` when given, in
    ``direction`` with the ``slowdowns`` and ``level_crossing_delay_s`` of geo.roads (a pair
    the graph cannot serve falls back to the detour model, see ``route_model``).
    """
    lat_f, lon_f = check_coordinates(lat, lon)
    check_kind(kind)
    _check_k(k)
    city = city or default_city()
    factor = _detour_factor(detour_factor)
    speed_kmh = _speed_kmh(kind, speeds_kmh)
    rows = np.flatnonzero(serving_mask(city.facilities, kind))
    if rows.size == 0:
        return []
    x, y = to_metric_xy_local(np.array([lon_f]), np.array([lat_f]))
    straight_m = np.hypot(city.facility_x_m[rows] - x[0], city.facility_y_m[rows] - y[0])
    road_m = straight_m * factor
    eta_min = _eta_min(road_m, speed_kmh)
    models = np.full(rows.size, ROUTE_STRAIGHT_LINE, dtype=object)
    if road_graph is not None:
        road, eta, model = _road_estimates(
            road_graph,
            (x, y),
            (city.facility_x_m[rows], city.facility_y_m[rows]),
            straight_m[None, :],
            speed_kmh=speed_kmh,
            factor=factor,
            direction=_direction(direction),
            slowdowns=slowdowns,
            level_crossing_delay_s=level_crossing_delay_s,
        )
        road_m, eta_min, models = road[0], eta[0], model[0]
    ids = city.facilities["id"].to_numpy(dtype=object)[rows]
    order = np.lexsort((ids.astype(str), straight_m, eta_min))[:k]
    fac = city.facilities
    return [
        FacilityMatch(
            rank=rank,
            facility_id=ids[i],
            name=str(fac["name"].iat[rows[i]]),
            kind=str(fac["kind"].iat[rows[i]]),
            opd=str(fac["opd_code"].iat[rows[i]]),
            distance_m=float(straight_m[i]),
            road_distance_m=float(road_m[i]),
            eta_min=float(eta_min[i]),
            lokasi_perkiraan=bool(fac["lokasi_perkiraan"].iat[rows[i]]),
            lat=float(fac["lat"].iat[rows[i]]),
            lon=float(fac["lon"].iat[rows[i]]),
            address=str(fac["address"].iat[rows[i]]),
            phone=str(fac["phone"].iat[rows[i]]),
            route_model=str(models[i]),
        )
        for rank, i in enumerate(order, start=1)
    ]


def nearest_facilities_many(
    lats: Sequence[float] | np.ndarray | pd.Series,
    lons: Sequence[float] | np.ndarray | pd.Series,
    kind: str,
    k: int = 1,
    *,
    city: City | None = None,
    detour_factor: float | None = None,
    speeds_kmh: Mapping[str, float] | None = None,
    on_invalid: OnInvalid = "raise",
    road_graph: RoadGraph | None = None,
    direction: str | None = None,
    slowdowns: Sequence[RoadSlowdown] = (),
    level_crossing_delay_s: float = 0.0,
) -> pd.DataFrame:
    """Vectorised nearest facilities: one row per (incident, rank), columns NEAREST_COLUMNS.

    ``incident`` is the input Series' index label (else the position). The detour model ranks
    on UTM coordinates (geo.crs.to_metric_xy_local: numpy near the city) with one small matrix
    product per cache-sized block, so 100,000 incidents against 11 posts cost ~20 ms of CPU
    (benchmarks row 1). With ``road_graph`` (options as in ``nearest_facilities``) one
    shortest-path tree per facility serves every incident.
    Ranking matches ``nearest_facilities`` (ETA, then straight-line distance, then id).
    """
    check_kind(kind)
    _check_k(k)
    lat_a, lon_a, valid = check_coordinate_arrays(lats, lons, on_invalid=on_invalid)
    city = city or default_city()
    factor = _detour_factor(detour_factor)
    speed_kmh = _speed_kmh(kind, speeds_kmh)
    posts = city.memo(f"nearest_posts:{kind}", lambda: _ServingPosts.of(city, kind))
    fx, fy = posts.x_m, posts.y_m
    labels = lats.index.to_numpy() if isinstance(lats, pd.Series) else np.arange(lat_a.size)
    if not valid.all():
        incidents = np.flatnonzero(valid)
        lat_a, lon_a, labels = lat_a[incidents], lon_a[incidents], labels[incidents]
    if fx.size == 0 or lat_a.size == 0:
        return _empty_nearest_frame()

    k_eff = min(k, fx.size)
    x, y = to_metric_xy_local(lon_a, lat_a)

    if road_graph is None:
        nearest_rows, nearest_m = _nearest_straight(x, y, fx, fy, k_eff)
        distance_m = nearest_m.ravel()
        road_m = distance_m * factor
        eta_min = _eta_min(road_m, speed_kmh)
        # One text repeated: taking from a one-value text array skips pandas' per-row inference.
        models = _take(pd.Series([ROUTE_STRAIGHT_LINE]), np.zeros(distance_m.size, dtype=np.intp))
    else:
        straight_m = np.hypot(x[:, None] - fx[None, :], y[:, None] - fy[None, :])
        road, eta, model = _road_estimates(
            road_graph,
            (x, y),
            (fx, fy),
            straight_m,
            speed_kmh=speed_kmh,
            factor=factor,
            direction=_direction(direction),
            slowdowns=slowdowns,
            level_crossing_delay_s=level_crossing_delay_s,
        )
        # The facilities are sorted by id: their position is the last tie-breaker.
        by_position = np.broadcast_to(np.arange(fx.size), straight_m.shape)
        order = np.lexsort((by_position, straight_m, eta), axis=1)
        nearest_rows = order[:, :k_eff]

        def pick(values: np.ndarray) -> np.ndarray:
            return np.take_along_axis(values, nearest_rows, axis=1).ravel()

        distance_m, road_m, eta_min, models = pick(straight_m), pick(road), pick(eta), pick(model)

    chosen = nearest_rows.ravel()
    # copy=False: every column below is a new array, so pandas need not copy them again.
    return pd.DataFrame(
        {
            "incident": np.repeat(labels, k_eff),
            "rank": np.tile(np.arange(1, k_eff + 1), lat_a.size),
            **{column: values.take(chosen) for column, values in posts.columns.items()},
            "distance_m": distance_m,
            "road_distance_m": road_m,
            "eta_min": eta_min,
            "route_model": models,
        },
        columns=list(NEAREST_COLUMNS),
        copy=False,
    )


@dataclass(frozen=True)
class _ServingPosts:
    """The facilities serving one kind, sorted by id, with the columns a nearest row shows."""

    x_m: np.ndarray
    y_m: np.ndarray
    columns: Mapping[str, np.ndarray | pd.api.extensions.ExtensionArray]

    @classmethod
    def of(cls, city: City, kind: str) -> _ServingPosts:
        fac = city.facilities
        rows = np.flatnonzero(serving_mask(fac, kind))
        # Ties are broken by id (as in the scalar function): sort facilities by id once, then
        # the first minimum (or a stable sort) keeps that order among equal distances.
        ids = fac["id"].to_numpy(dtype=object)[rows]
        rows = rows[np.argsort(ids.astype(str), kind="stable")]
        columns = {
            "facility_id": _take(fac["id"], rows),
            "name": _take(fac["name"], rows),
            "kind": _take(fac["kind"], rows),
            "opd": _take(fac["opd_code"], rows),
            "lokasi_perkiraan": fac["lokasi_perkiraan"].to_numpy(dtype=bool)[rows],
            "lat": fac["lat"].to_numpy(dtype=float)[rows],
            "lon": fac["lon"].to_numpy(dtype=float)[rows],
        }
        return cls(city.facility_x_m[rows], city.facility_y_m[rows], columns)


def direction_for_kind(kind: str) -> str:
    """The trip a search for ``kind`` is about: to the hospital for "hospital", else response."""
    check_kind(kind)
    return DIRECTION_TRANSPORT if kind == "hospital" else DIRECTION_RESPONSE


def geodesic_distance_m(
    lat1: float | np.ndarray,
    lon1: float | np.ndarray,
    lat2: float | np.ndarray,
    lon2: float | np.ndarray,
) -> float | np.ndarray:
    """Distance on the WGS84 ellipsoid (pyproj.Geod); scalars or broadcastable arrays."""
    lat1_a, lon1_a, lat2_a, lon2_a = np.broadcast_arrays(
        np.asarray(lat1, dtype=float),
        np.asarray(lon1, dtype=float),
        np.asarray(lat2, dtype=float),
        np.asarray(lon2, dtype=float),
    )
    _, _, dist = GEOD.inv(lon1_a.ravel(), lat1_a.ravel(), lon2_a.ravel(), lat2_a.ravel())
    dist = np.asarray(dist, dtype=float).reshape(lat1_a.shape)
    return float(dist) if dist.ndim == 0 else dist


def _nearest_straight(
    x: np.ndarray, y: np.ndarray, fx: np.ndarray, fy: np.ndarray, k_eff: int
) -> tuple[np.ndarray, np.ndarray]:
    """(facility positions, straight metres) of each incident's k nearest, nearest first."""
    if k_eff < fx.size:
        nearest_rows = _nearest_candidates(x, y, fx, fy, k_eff)
    else:
        nearest_rows = np.tile(np.arange(fx.size), (x.size, 1))
    # Exact metres for the k winners only (in place: fewer large temporaries), then nearest
    # first; among equal distances the lower position (= lower id) first, as argpartition
    # leaves their order arbitrary.
    nearest_m = fx[nearest_rows]
    np.subtract(x[:, None], nearest_m, out=nearest_m)
    np.multiply(nearest_m, nearest_m, out=nearest_m)
    dy = fy[nearest_rows]
    np.subtract(y[:, None], dy, out=dy)
    np.multiply(dy, dy, out=dy)
    np.add(nearest_m, dy, out=nearest_m)
    np.sqrt(nearest_m, out=nearest_m)
    if k_eff > 1:
        order = np.lexsort((nearest_rows, nearest_m), axis=1)
        nearest_rows = np.take_along_axis(nearest_rows, order, axis=1)
        nearest_m = np.take_along_axis(nearest_m, order, axis=1)
    return nearest_rows, nearest_m


def _nearest_candidates(
    x: np.ndarray, y: np.ndarray, fx: np.ndarray, fy: np.ndarray, k_eff: int
) -> np.ndarray:
    """Positions of each incident's k nearest facilities (k < facilities), in no order."""
    # |p - f|^2 = |p|^2 - 2 p.f + |f|^2 and |p|^2 is the same for every facility, so ranking
    # needs only |f|^2 - 2 p.f: one small matrix product per block, [px, py, 1] @ weights.
    # Centred on the facilities, the terms are city-sized and rounding stays ~1e-8 m^2 (at
    # UTM magnitudes, ~1e7 m, it would be ~1e-2 m^2 and could swap two near posts).
    centre_x, centre_y = fx.mean(), fy.mean()
    cfx, cfy = fx - centre_x, fy - centre_y
    weights = np.stack((-2.0 * cfx, -2.0 * cfy, cfx * cfx + cfy * cfy))
    nearest_rows = np.empty((x.size, k_eff), dtype=np.intp)
    points = np.empty((min(_BLOCK_INCIDENTS, x.size), 3))
    points[:, 2] = 1.0
    for start in range(0, x.size, _BLOCK_INCIDENTS):
        stop = min(start + _BLOCK_INCIDENTS, x.size)
        block = points[: stop - start]
        np.subtract(x[start:stop], centre_x, out=block[:, 0])
        np.subtract(y[start:stop], centre_y, out=block[:, 1])
        scores = block @ weights
        if k_eff == 1:
            # The dispatch case; the first minimum is the lowest id (facilities sorted by id).
            nearest_rows[start:stop, 0] = np.argmin(scores, axis=1)
        else:
            nearest_rows[start:stop] = np.argpartition(scores, k_eff - 1, axis=1)[:, :k_eff]
    return nearest_rows


def _road_estimates(
    road_graph: RoadGraph,
    incident_xy: tuple[np.ndarray, np.ndarray],
    facility_xy: tuple[np.ndarray, np.ndarray],
    straight_m: np.ndarray,
    *,
    speed_kmh: float,
    factor: float,
    direction: str,
    slowdowns: Sequence[RoadSlowdown],
    level_crossing_delay_s: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(road metres, ETA minutes, route model) per incident x facility, detour model as fallback."""
    options = {
        "vehicle_speed_kmh": speed_kmh,
        "slowdowns": slowdowns,
        "level_crossing_delay_s": level_crossing_delay_s,
    }
    if direction == DIRECTION_RESPONSE:
        routes = road_graph.travel(*facility_xy, *incident_xy, **options)
        time_s, road_m = routes.time_s.T, routes.distance_m.T
        incident_ok, facility_ok = routes.to_snapped, routes.from_snapped
    else:
        routes = road_graph.travel(*incident_xy, *facility_xy, **options)
        time_s, road_m = routes.time_s, routes.distance_m
        incident_ok, facility_ok = routes.from_snapped, routes.to_snapped
    reached = np.isfinite(time_s)
    detour_m = straight_m * factor
    on_roads = incident_ok[:, None] & facility_ok[None, :]
    models = np.where(
        reached, ROUTE_ROAD_GRAPH, np.where(on_roads, ROUTE_STRAIGHT_LINE, ROUTE_OFF_ROAD)
    ).astype(object)
    return (
        np.where(reached, road_m, detour_m),
        np.where(reached, time_s / 60.0, _eta_min(detour_m, speed_kmh)),
        models,
    )


def _direction(value: str | None) -> str:
    # None: the historic search from the incident (the callers before directions existed).
    if value is None:
        return DIRECTION_TRANSPORT
    if value not in DIRECTIONS:
        msg = messages.ROAD_INVALID_DIRECTION.format(value=value, choices=", ".join(DIRECTIONS))
        raise GeoError(msg)
    return value


def _take(column: pd.Series, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Repeat a few facility values for many rows (converting the few first is much faster)."""
    return pd.Series(column.to_numpy(dtype=object)).array.take(rows)


def _eta_min(road_m: np.ndarray, speed_kmh: float) -> np.ndarray:
    return road_m / (speed_kmh * 1000.0 / 60.0)


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        msg = messages.INVALID_K.format(k=k)
        raise GeoError(msg)


def _detour_factor(value: float | None) -> float:
    factor = DEFAULT_DETOUR_FACTOR if value is None else float(value)
    if not np.isfinite(factor) or factor < 1.0:
        msg = messages.INVALID_DETOUR_FACTOR.format(value=value)
        raise GeoError(msg)
    return factor


def _speed_kmh(kind: str, speeds_kmh: Mapping[str, float] | None) -> float:
    speeds = dict(DEFAULT_SPEEDS_KMH)
    speeds.update(speeds_kmh or {})
    value = speeds.get(kind)
    try:
        speed = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        speed = float("nan")
    if not np.isfinite(speed) or speed <= 0:
        msg = messages.INVALID_SPEED.format(kind=kind, value=value)
        raise GeoError(msg)
    return speed


def _empty_nearest_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in NEAREST_COLUMNS})
    for column in ("distance_m", "road_distance_m", "eta_min", "lat", "lon"):
        frame[column] = frame[column].astype(float)
    frame["rank"] = frame["rank"].astype(np.int64)
    frame["lokasi_perkiraan"] = frame["lokasi_perkiraan"].astype(bool)
    return frame
