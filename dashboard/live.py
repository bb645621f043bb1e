"""Read models of the live map and the wall display: open incidents, KPI tiles, nearest posts."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard import catalogue, labels, queries
from dashboard import tables as t
from dashboard.db import reading
from dashboard.domain import (
    OPEN_STATUSES,
    format_wib,
    mask_phone,
    naive_utc,
    overdue_reason,
    utc_now,
    wib_day,
)
from dashboard.errors import geo_boundary
from dashboard.fmt import format_decimal, format_km, format_minutes
from dashboard.places import place_text
from dashboard.queries import IncidentFilter, Kpis
from dashboard.settings import (
    SPEED_SETTINGS,  # noqa: F401 - re-exported: callers read a kind's speed setting here
    OpsSettings,
    as_ops_settings,
)
from geo import DEFAULT_DETOUR_FACTOR, METRES_PER_DEGREE_LAT, nearest_facilities
from geo.layers import City
from geo.nearest import ROUTE_STRAIGHT_LINE, direction_for_kind
from geo.roads import RoadGraph, RoadSlowdown

# Time windows offered on the live map (hours back from now; None = every open incident).
TIME_WINDOWS_H: dict[str, int | None] = {"semua": None, "1j": 1, "6j": 6, "24j": 24, "7h": 168}
POST_KINDS = ("ambulance", "fire")
NEWEST_LIMIT = 12
# A click on a marker returns the marker's own position; anything farther is a click elsewhere.
CLICK_TOLERANCE_M = 3.0
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class LiveSnapshot:
    """What one refresh of the live map or the wall shows. `incidents` never holds a phone."""

    incidents: pd.DataFrame
    kpis: Kpis
    categories: dict[str, tuple[str, str]]
    as_of_utc: datetime
    # newest_rows(incidents): made once with the snapshot, shown by every viewer of it.
    newest: pd.DataFrame
    # A digest of what a map draws from this snapshot (the incident rows and the categories):
    # a timed rebuild that changed nothing has the same digest, so its map is not drawn again.
    map_digest: str


@dataclass(frozen=True)
class KpiTile:
    label: str
    value: str
    note: str
    alert: bool


@dataclass(frozen=True)
class IncidentCard:
    """One incident as a shared screen may show it: escaped by the page, phone masked."""

    id: int
    code: str
    lat: float
    lon: float
    category: str
    status: str
    priority: str
    received: str
    place: str
    address: str
    kondisi: str
    phone_masked: str
    opd: str
    overdue: str | None


@dataclass(frozen=True)
class NearestPost:
    kind: str
    kind_label: str
    name: str
    distance_m: float
    road_distance_m: float
    eta_min: float
    lokasi_perkiraan: bool
    lat: float
    lon: float
    # Which estimate gave road_distance_m and eta_min (geo.nearest ROUTE_*), and the detour
    # factor of the straight-line estimate.
    route_model: str = ROUTE_STRAIGHT_LINE
    detour_factor: float = DEFAULT_DETOUR_FACTOR


def incident_filter(
    *,
    now_utc: datetime,
    categories: Sequence[str] = (),
    opds: Sequence[str] = (),
    statuses: Sequence[str] = (),
    kecamatan: Sequence[str] = (),
    window: str = "semua",
) -> IncidentFilter:
    """The filter of the live map: open statuses only, the window counted back from now."""
    hours = TIME_WINDOWS_H.get(window)
    chosen = tuple(s for s in statuses if s in OPEN_STATUSES) or OPEN_STATUSES
    return IncidentFilter(
        categories=tuple(categories),
        opds=tuple(opds),
        statuses=chosen,
        kecamatan=tuple(kecamatan),
        since_utc=None if hours is None else naive_utc(now_utc) - timedelta(hours=hours),
    )


def live_snapshot(
    engine: Engine, *, now_utc: datetime, flt: IncidentFilter | None = None
) -> LiveSnapshot:
    """Open incidents (with `overdue` and `place`), the KPI figures and the category legend.

    `place` is the short place text (dashboard.places; the kelurahan alone in the city), which
    the map's tooltips show for an incident outside the city. The caller's phone column is
    dropped here: neither the live map nor the wall needs it, so it cannot leak into a map
    layer or a table by accident.
    """
    now = naive_utc(now_utc)
    frame = queries.incidents_frame(engine, flt or IncidentFilter())
    with reading(engine) as conn:
        targets = catalogue.ops_settings(conn).targets
        categories = {
            code: (category.name, category.color)
            for code, category in catalogue.categories(conn).items()
        }
    frame = queries.with_overdue(frame, now_utc=now, targets=targets)
    frame["place"] = [place_text(row, with_kecamatan=False) for row in frame.itertuples()]
    frame = frame.drop(columns=["caller_phone"], errors="ignore")
    return LiveSnapshot(
        incidents=frame,
        kpis=queries.kpis(engine, now_utc=now),
        categories=categories,
        as_of_utc=now,
        newest=newest_rows(frame, now_utc=now),
        map_digest=map_digest(frame, categories),
    )


def map_digest(frame: pd.DataFrame, categories: Mapping[str, tuple[str, str]]) -> str:
    """The same text for the same incident rows (every column, in order) and categories."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(frame.to_csv(index=False).encode())
    digest.update(json.dumps(categories, sort_keys=True).encode())
    return digest.hexdigest()


def change_stamp(engine: Engine) -> tuple:
    """What changes whenever any incident is recorded or changed: (max id, max updated_at_utc).

    Two index lookups (the primary key and ix_incidents_updated), whatever the table's size:
    cheap enough to ask every second or two, so a live view rebuilds only when it differs.
    """
    with reading(engine) as conn:
        row = conn.execute(
            select(func.max(t.incidents.c.id), func.max(t.incidents.c.updated_at_utc))
        ).one()
    return tuple(row)


class SharedSnapshots:
    """Live-view snapshots shared by every viewer of this process.

    A snapshot is built once per filter set, refresh interval and change stamp: viewers with the
    same filters in the same interval share one query and the same object, and a recorded or
    changed incident makes the next call build afresh. `stamp` (the change watch of every
    viewer) reads the database at most once a second.
    """

    def __init__(self, *, kept: int = 32) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._stamps: dict[tuple[str, int], tuple] = {}

    def stamp(self, engine: Engine, *, now_utc: datetime) -> tuple:
        """change_stamp(engine), shared by every call within the same second."""
        at = (str(engine.url), int(_epoch_s(now_utc)))
        with self._lock:
            known = self._stamps.get(at)
        if known is None:
            known = change_stamp(engine)
            with self._lock:
                self._stamps = {at: known}
        return known

    def get(
        self,
        engine: Engine,
        key: Hashable,
        build: Callable[[], object],
        *,
        now_utc: datetime,
        interval_s: float,
    ) -> object:
        """The snapshot `build()` made for `key` in this interval at this stamp, else a new one
        (one build at a time: viewers arriving meanwhile wait and take its result).

        The stamp is read afresh: every refresh proves the database answers (an outage shows
        as one, not as the last snapshot) and sees every change up to this moment.
        """
        stamp = change_stamp(engine)
        with self._lock:
            self._stamps = {(str(engine.url), int(_epoch_s(now_utc))): stamp}
        full_key = (str(engine.url), key, stamp, int(_epoch_s(now_utc) // interval_s))
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
            snapshot = build()
            self._entries[full_key] = snapshot
            while len(self._entries) > self._kept:
                self._entries.popitem(last=False)
        return snapshot


def refresh_interval_s(settings: OpsSettings | Mapping[str, object]) -> float:
    """The auto-refresh interval from settings (refresh_interval_s), never below 2 s."""
    return as_ops_settings(settings).refresh_interval_s


def kpi_tiles(k: Kpis) -> list[KpiTile]:
    """The KPI strip: open by status, overdue, reports today, median forward time, prank share."""
    tiles = [
        KpiTile(labels.STATUS.get(status, status), str(k.open_by_status.get(status, 0)), "", False)
        for status in OPEN_STATUSES
    ]
    tiles.append(
        KpiTile(
            labels.LIVE_KPI_OVERDUE, str(k.overdue), labels.LIVE_KPI_OVERDUE_NOTE, k.overdue > 0
        )
    )
    tiles.append(KpiTile(labels.LIVE_KPI_REPORTS_TODAY, str(k.reports_today), "", False))
    median = k.median_forward_s_today
    tiles.append(
        KpiTile(
            labels.LIVE_KPI_MEDIAN_FORWARD,
            "-" if median is None else format_duration(median),
            labels.LIVE_KPI_TARGET.format(s=k.target_forward_s),
            median is not None and median > k.target_forward_s,
        )
    )
    share = k.nuisance_share_today
    tiles.append(
        KpiTile(
            labels.LIVE_KPI_NUISANCE_SHARE,
            "-" if share is None else f"{share:.0%}",
            labels.LIVE_KPI_NUISANCE_NOTE,
            False,
        )
    )
    return tiles


def format_duration(seconds: float) -> str:
    """45 -> '45 dtk', 384 -> '6 mnt', 9000 -> '2,5 jam': short enough for a KPI tile."""
    if seconds < 120:
        return labels.LIVE_KPI_SECONDS.format(s=round(seconds))
    if seconds < 2 * 3600:
        return labels.LIVE_KPI_MINUTES.format(m=round(seconds / 60))
    return labels.LIVE_KPI_HOURS.format(h=format_decimal(seconds / 3600))


def newest_rows(
    frame: pd.DataFrame, *, limit: int = NEWEST_LIMIT, now_utc: datetime | None = None
) -> pd.DataFrame:
    """The newest incidents as display rows (no caller text, no phone), newest first.

    The time is HH:MM (WIB) for today's calls and "DD-MM HH:MM" for older ones still open, so a
    two-day-old flood is not read as tonight's. The place is the kelurahan in the city, else
    "Laut, 1,2 km dari ..." or "Luar kota, 2,3 km dari ..." (dashboard.places).
    """
    today = wib_day(now_utc or utc_now())
    columns = [
        labels.LIVE_COL_CODE,
        labels.LIVE_COL_TIME,
        labels.LIVE_COL_CATEGORY,
        labels.LIVE_COL_STATUS,
        labels.LIVE_COL_PLACE,
        labels.LIVE_COL_OPD,
        labels.LIVE_COL_OVERDUE,
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    top = frame.sort_values(["received_at_utc", "id"], ascending=False).head(limit)
    rows = [
        [
            row.code,
            _short_time(_datetime(row.received_at_utc), today=today),
            row.category_name,
            labels.STATUS.get(row.status, row.status),
            place_text(row, with_kecamatan=False) or "-",
            _clean(getattr(row, "opd_name", None)) or "-",
            _clean(getattr(row, "overdue", None)) or "",
        ]
        for row in top.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=columns)


def _short_time(at_utc: datetime | None, *, today: str) -> str:
    if at_utc is None:
        return "-"
    if wib_day(at_utc) == today:
        return format_wib(at_utc, with_date=False)[:5]
    return format_wib(at_utc)[:5] + " " + format_wib(at_utc, with_date=False)[:5]


def incident_at(
    frame: pd.DataFrame, lat: float, lon: float, *, tolerance_m: float = CLICK_TOLERANCE_M
) -> int | None:
    """The id of the incident drawn at (lat, lon) (a map click), newest if several; else None."""
    if frame.empty or lat is None or lon is None:
        return None
    dlat_m = (frame["lat"].to_numpy(float) - float(lat)) * METRES_PER_DEGREE_LAT
    dlon_m = (
        (frame["lon"].to_numpy(float) - float(lon))
        * METRES_PER_DEGREE_LAT
        * math.cos(math.radians(float(lat)))
    )
    distance_m = np.hypot(dlat_m, dlon_m)
    hits = np.flatnonzero(distance_m <= tolerance_m)
    if hits.size == 0:
        return None
    candidates = frame.iloc[hits]
    newest = candidates.sort_values(["received_at_utc", "id"], ascending=False).iloc[0]
    return int(newest["id"])


def incident_card(engine: Engine, incident_id: int, *, now_utc: datetime) -> IncidentCard | None:
    """One incident for the live map's side panel (any status), phone masked; None if missing."""
    row, _events = queries.incident_detail(engine, incident_id)
    if row is None:
        return None
    with engine.connect() as conn:
        targets = catalogue.ops_settings(conn).targets
    overdue_code = overdue_reason(
        row["status"],
        received_at_utc=row["received_at_utc"],
        assigned_at_utc=row.get("assigned_at_utc"),
        acknowledged_at_utc=row.get("acknowledged_at_utc"),
        now_utc=now_utc,
        targets=targets,
    )
    overdue = labels.OVERDUE.get(overdue_code)
    place = place_text(row)
    return IncidentCard(
        id=int(row["id"]),
        code=str(row["code"]),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        category=str(row.get("category_name") or row["category_code"]),
        status=labels.STATUS.get(row["status"], row["status"]),
        priority=labels.PRIORITY.get(row.get("priority"), str(row.get("priority") or "-")),
        received=format_wib(row["received_at_utc"]),
        place=place or "-",
        address=str(row.get("address") or ""),
        kondisi=str(row.get("kondisi") or ""),
        phone_masked=mask_phone(row.get("caller_phone")),
        opd=str(row.get("opd_name") or "-"),
        overdue=overdue,
    )


def nearest_posts(
    city: City,
    lat: float,
    lon: float,
    *,
    settings: OpsSettings | Mapping[str, object],
    kinds: Sequence[str] = POST_KINDS,
    road_graph: RoadGraph | None = None,
) -> list[NearestPost]:
    """The nearest post of each kind (ambulance, fire) with distance and ETA (geo.nearest).

    With ``road_graph`` (dashboard.roads) the fastest route on the streets, in the direction
    the vehicle drives (from the post; to the hospital for "hospital"), with the mapped flood
    zones slowed by ``eta_flood_factor`` and ``eta_level_crossing_delay_s`` at each level
    crossing; a pair the roads cannot serve, and every pair without a graph, keeps straight
    line x ``eta_detour_factor``. ``route_model`` says which estimate each post got.
    """
    settings = as_ops_settings(settings)
    factor = settings.eta_detour_factor
    roads: dict = {}
    if road_graph is not None:
        roads = {
            "road_graph": road_graph,
            "slowdowns": flood_slowdowns(city, settings.eta_flood_factor),
            "level_crossing_delay_s": settings.eta_level_crossing_delay_s,
        }
    posts = []
    for kind in kinds:
        with geo_boundary():
            matches = nearest_facilities(
                lat,
                lon,
                kind,
                k=1,
                city=city,
                detour_factor=factor,
                speeds_kmh=settings.speeds_kmh,
                direction=direction_for_kind(kind),
                **roads,
            )
        for match in matches:
            posts.append(
                NearestPost(
                    kind=kind,
                    kind_label=labels.MAP_FACILITY_KIND.get(kind, kind),
                    name=str(match.name),
                    distance_m=float(match.distance_m),
                    road_distance_m=float(match.road_distance_m),
                    eta_min=float(match.eta_min),
                    lokasi_perkiraan=bool(match.lokasi_perkiraan),
                    lat=float(match.lat),
                    lon=float(match.lon),
                    route_model=str(match.route_model),
                    detour_factor=factor,
                )
            )
    return posts


def flood_factor(settings: OpsSettings | Mapping[str, object]) -> float:
    """eta_flood_factor: at least 1 (1 = flood zones not slowed); a malformed value is 1."""
    return as_ops_settings(settings).eta_flood_factor


def level_crossing_delay_s(settings: OpsSettings | Mapping[str, object]) -> float:
    """eta_level_crossing_delay_s: seconds added per level crossing; a malformed value is 0."""
    return as_ops_settings(settings).eta_level_crossing_delay_s


def flood_slowdowns(city: City, factor: float) -> tuple[RoadSlowdown, ...]:
    """The city's flood zones as road slowdowns of ``factor`` (none at 1), built once per City."""
    if factor <= 1.0:
        return ()
    return city.memo(
        f"flood_slowdowns:{factor!r}",
        lambda: tuple(RoadSlowdown(zone, factor) for zone in city.flood_zones_utm.geometry),
    )


def route_text(post: NearestPost) -> str:
    """'lewat jalan', 'garis lurus × 1,3' or 'jauh dari jalan, garis lurus × 1,3'."""
    text = labels.ROUTE_MODEL.get(post.route_model, post.route_model)
    return text.format(factor=format_decimal(post.detour_factor))


def posts_table(posts: Sequence[NearestPost]) -> pd.DataFrame:
    """Nearest posts as display rows: kind, name (+ perkiraan), straight km, road km and the
    estimate it came from, ETA."""
    rows = [
        [
            post.kind_label,
            post.name + (f" {labels.MAP_APPROXIMATE}" if post.lokasi_perkiraan else ""),
            format_km(post.distance_m),
            format_km(post.road_distance_m),
            route_text(post),
            format_minutes(post.eta_min),
        ]
        for post in posts
    ]
    return pd.DataFrame(
        rows,
        columns=[
            labels.LIVE_COL_POST_KIND,
            labels.LIVE_COL_POST_NAME,
            labels.LIVE_COL_POST_DISTANCE,
            labels.LIVE_COL_POST_ROAD,
            labels.LIVE_COL_POST_ROUTE,
            labels.LIVE_COL_POST_ETA,
        ],
    )


@dataclass(frozen=True)
class FilterOptions:
    categories: dict[str, str]
    opds: dict[str, str]
    kecamatan: list[str]


def filter_options(engine: Engine, city: object) -> FilterOptions:
    """Choices of the live map's filters: active categories and OPDs, the city's kecamatan."""
    with engine.connect() as conn:
        categories = {code: c.name for code, c in catalogue.categories(conn).items()}
        opds = catalogue.opd_names(conn)
    kecamatan = sorted(str(name) for name in city.kecamatan["nama"].tolist())
    return FilterOptions(categories=categories, opds=opds, kecamatan=kecamatan)


def _epoch_s(at: datetime) -> float:
    return (naive_utc(at) - _EPOCH).total_seconds()


def _datetime(value: object) -> datetime | None:
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    return value  # type: ignore[return-value]


def _clean(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA:
        return None
    text = str(value).strip()
    return text or None
