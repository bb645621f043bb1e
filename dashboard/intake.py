"""What the intake form shows before a report is saved: place, suggested OPD, posts, warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from dashboard import catalogue, labels
from dashboard.citydata import current_city
from dashboard.domain import format_wib, naive_utc, normalise_phone, route
from dashboard.errors import InvalidInput
from dashboard.fmt import format_km, format_minutes
from dashboard.incidents import SERVICE_AREA_MARGIN_M, possible_duplicates, prank_count
from dashboard.live import NearestPost, nearest_posts, route_text
from dashboard.places import place_text
from dashboard.settings import OpsSettings
from geo import GeoError, locate, search_place

# Post kinds always shown (the two that race against the clock), plus the category's own need.
ALWAYS_SHOWN_KINDS = ("ambulance", "fire")


@dataclass(frozen=True)
class Duplicate:
    id: int
    code: str
    address: str
    status: str
    received_at_utc: datetime
    distance_m: float


@dataclass(frozen=True)
class Preview:
    """Everything the call-taker checks before saving; any part may be missing (None/empty).

    ``place_text`` is how the point will read on every screen ("Panjang Baru, Pekalongan
    Utara", "Laut, 1,2 km dari Panjang Wetan"); ``at_sea`` and ``nearest_kelurahan`` are set
    only for a point outside the city.
    """

    located: bool
    kelurahan: str | None
    kecamatan: str | None
    in_city: bool
    distance_to_city_m: float
    outside_service_area: bool
    flood_zones: tuple[str, ...]
    suggested_opd: str | None
    suggested_opd_name: str | None
    posts: tuple[NearestPost, ...]
    duplicates: tuple[Duplicate, ...]
    phone: str | None
    phone_error: str | None
    prank_count: int
    prank_flag: bool
    prank_days: int
    at_sea: bool = False
    nearest_kelurahan: str | None = None
    place_text: str | None = None

    @property
    def in_flood_zone(self) -> bool:
        return bool(self.flood_zones)


@dataclass(frozen=True)
class PlaceMatch:
    """A place-search result the call-taker can pick to set the point."""

    label: str
    address: str
    lat: float
    lon: float


def preview(
    engine: Engine,
    category_code: str | None,
    lat: float | None,
    lon: float | None,
    phone: str | None,
    *,
    now: datetime,
    city=None,
    road_graph=None,
) -> Preview:
    """The pre-save check of a report (reads only): nothing here refuses the report.

    Place, flood zones and the outside-the-city flag come from geo.locate on the database's
    city; the suggested OPD from the routing rules; the nearest posts with distance and ETA
    (by road on ``road_graph`` when given, dashboard.live.nearest_posts); possible duplicates
    (same category, nearby, recent, still open); and how many recent calls from this number
    were closed as prank, ghost or not an emergency.
    """
    now = naive_utc(now)
    category_code = (category_code or "").strip().upper() or None
    phone_norm, phone_error = _phone(phone)
    place = None
    if lat is not None and lon is not None:
        # Before the connection below: on SQLite a second connection would wait for this one.
        city = city if city is not None else current_city(engine)
        place = _locate(lat, lon, city)
    with engine.connect() as conn:
        settings = catalogue.ops_settings(conn)
        categories = catalogue.categories(conn)
        rules = catalogue.routing_rules(conn)
        opd_names = catalogue.opd_names(conn)
        prank_days = settings.prank_flag_days
        pranks = prank_count(conn, phone_norm, now=now, days=prank_days) if phone_norm else 0
        duplicates: list[dict] = []
        if place is not None and category_code:
            duplicates = possible_duplicates(
                conn,
                category_code=category_code,
                lat=lat,
                lon=lon,
                now=now,
                radius_m=settings.duplicate_radius_m,
                window_min=settings.duplicate_window_min,
            )
    category = categories.get(category_code or "")
    suggested = (
        route(category.code, place.kecamatan if place else None, rules) if category else None
    )
    outside = bool(place and not place.in_city and place.distance_to_city_m > SERVICE_AREA_MARGIN_M)
    # Posts hundreds of km away (a swapped or mistyped point) would only mislead.
    posts = (
        _posts(lat, lon, category, settings, city=city, road_graph=road_graph)
        if place and not outside
        else ()
    )
    return Preview(
        located=place is not None,
        kelurahan=place.kelurahan if place else None,
        kecamatan=place.kecamatan if place else None,
        in_city=bool(place.in_city) if place else True,
        distance_to_city_m=float(place.distance_to_city_m) if place else 0.0,
        outside_service_area=outside,
        flood_zones=tuple(z.name for z in place.flood_zones) if place else (),
        suggested_opd=suggested,
        suggested_opd_name=opd_names.get(suggested or ""),
        posts=posts,
        duplicates=tuple(
            Duplicate(
                id=d["id"],
                code=d["code"],
                address=d["address"],
                status=d["status"],
                received_at_utc=d["received_at_utc"],
                distance_m=float(d["distance_m"]),
            )
            for d in duplicates
        ),
        phone=phone_norm,
        phone_error=phone_error,
        prank_count=pranks,
        prank_flag=pranks >= settings.prank_flag_count,
        prank_days=prank_days,
        at_sea=bool(place.at_sea) if place else False,
        nearest_kelurahan=place.nearest_kelurahan if place else None,
        place_text=place_text(place) if place else None,
    )


def search_places(engine: Engine, text: str, *, limit: int = 5, city=None) -> list[PlaceMatch]:
    """geo.search_place on the database's city, as labelled choices (kelurahan, old names,
    landmarks); an empty or too short query finds nothing rather than everything."""
    query = (text or "").strip()
    if len(query) < 3:
        return []
    city = city if city is not None else current_city(engine)
    return [
        PlaceMatch(
            label=_match_label(m), address=_match_address(m), lat=float(m.lat), lon=float(m.lon)
        )
        for m in search_place(query, city=city, limit=limit)
    ]


def form_options(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """(category code -> name, OPD code -> short name) for the form's pickers, in display order."""
    with engine.connect() as conn:
        categories = catalogue.categories(conn)
        opds = catalogue.opd_names(conn)
    return {c.code: f"{c.name} (P{c.priority})" for c in categories.values()}, opds


def notices(pv: Preview) -> list[tuple[str, str]]:
    """The preview as (level, Indonesian text) lines for the form: info, warning or error."""
    lines: list[tuple[str, str]] = []
    if not pv.located:
        lines.append(("info", labels.INTAKE_NO_POINT))
    elif pv.outside_service_area:
        lines.append(
            ("error", labels.INTAKE_OUTSIDE_SERVICE.format(km=pv.distance_to_city_m / 1000))
        )
    elif pv.at_sea and pv.nearest_kelurahan:
        lines.append(
            (
                "warning",
                labels.INTAKE_AT_SEA.format(
                    km=format_km(pv.distance_to_city_m), kelurahan=pv.nearest_kelurahan
                ),
            )
        )
    elif not pv.in_city:
        lines.append(("warning", labels.INTAKE_OUTSIDE_CITY.format(m=pv.distance_to_city_m)))
    if pv.located and pv.kelurahan:
        lines.append(
            ("info", labels.INTAKE_PLACE.format(kelurahan=pv.kelurahan, kecamatan=pv.kecamatan))
        )
    if pv.in_flood_zone:
        lines.append(("warning", labels.INTAKE_FLOOD_ZONE.format(names=", ".join(pv.flood_zones))))
    if pv.suggested_opd:
        opd = pv.suggested_opd_name or pv.suggested_opd
        lines.append(("info", labels.INTAKE_SUGGESTED_OPD.format(opd=opd)))
    for post in pv.posts:
        lines.append(("info", post_line(post)))
    for dup in pv.duplicates:
        lines.append(
            (
                "warning",
                labels.INTAKE_DUPLICATE.format(
                    code=dup.code,
                    distance_m=dup.distance_m,
                    at=format_wib(dup.received_at_utc, with_date=False),
                    status=labels.STATUS.get(dup.status, dup.status),
                ),
            )
        )
    if pv.phone_error:
        lines.append(("error", pv.phone_error))
    if pv.prank_flag:
        lines.append(
            ("warning", labels.INTAKE_PRANK.format(count=pv.prank_count, days=pv.prank_days))
        )
    return lines


def address_for_point(pv: Preview) -> str:
    """What the Lokasi field gets when the point is set by a map click (it replaces the old text).

    The kelurahan in the city ("Panjang Baru"); at sea or beyond the city line the place text
    ("Laut, 1,2 km dari Panjang Wetan"), so a point moved out to sea never keeps the address
    of the place clicked before. Empty when the point is not located.
    """
    if not pv.located:
        return ""
    if pv.kelurahan:
        return pv.kelurahan
    return pv.place_text or ""


def post_line(post: NearestPost) -> str:
    """'Ambulans terdekat: PMI Kota Pekalongan · 1,2 km · ±4 menit (lewat jalan)': the estimate
    the km and ETA came from; approximate posts say so."""
    # The same rounding as the map's tooltips (an ETA is rounded up, never promised early).
    return labels.INTAKE_POST_ROUTE.format(
        kind=labels.POST_KIND.get(post.kind, post.kind),
        name=post.name,
        km=format_km(post.road_distance_m),
        route=route_text(post),
        eta=format_minutes(post.eta_min),
        approx=f" ({labels.APPROXIMATE_SHORT})" if post.lokasi_perkiraan else "",
    )


# --- private helpers -------------------------------------------------------------------------


def _phone(phone: str | None) -> tuple[str | None, str | None]:
    if not (phone or "").strip():
        return None, None
    try:
        return normalise_phone(phone or ""), None
    except InvalidInput as error:
        return None, str(error)


def _locate(lat: float, lon: float, city):
    try:
        return locate(lat, lon, city=city)
    except GeoError:
        return None


def _posts(
    lat, lon, category, settings: OpsSettings, *, city, road_graph
) -> tuple[NearestPost, ...]:
    kinds = list(ALWAYS_SHOWN_KINDS)
    if category is not None and category.needs and category.needs not in kinds:
        kinds.append(category.needs)
    return tuple(
        nearest_posts(city, lat, lon, settings=settings, kinds=kinds, road_graph=road_graph)
    )


def _match_label(match) -> str:
    parts = [str(match.name)]
    where = ", ".join(str(p) for p in (match.kelurahan, match.kecamatan) if p)
    if where and where != str(match.name):
        parts.append(where)
    note = getattr(match, "note", "")
    if note:
        parts.append(f"({note})")
    return " · ".join(parts) if len(parts) > 1 else parts[0]


def _match_address(match) -> str:
    """What the address field gets when a place is picked: the name and its kelurahan."""
    name = str(match.name)
    if match.kelurahan and str(match.kelurahan) not in name:
        return f"{name}, {match.kelurahan}"
    return name
