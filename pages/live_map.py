"""Peta Langsung: open incidents on the city map, filters, KPI strip, nearest posts of a pick."""

from __future__ import annotations

import folium
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard import labels, live
from dashboard.domain import OPEN_STATUSES, format_wib, wib_day
from dashboard.fmt import format_km, format_minutes
from mapview.base import base_map
from mapview.facilities import nearest_post_layer
from mapview.incidents import incident_layer
from mapview.style import LIGHT
from pages import cap_warnings, components, live_shared, ui

MAP_KEY = "live_map"
PICK_KEY = "live_pick"
POINTS_KEY = "live_points"
LAST_GOOD_KEY = "live_last_good"
MAP_HEIGHT_PX = 640
PICK_OPTIONS_MAX = 300


@st.cache_data(ttl=60, show_spinner=False)
def _filter_options() -> live.FilterOptions:
    return live.filter_options(ui.get_engine(), ui.get_city())


def _query_snapshot(
    categories: tuple[str, ...],
    opds: tuple[str, ...],
    statuses: tuple[str, ...],
    kecamatan: tuple[str, ...],
    window: str,
) -> live.LiveSnapshot:
    now = ui.now_utc()
    flt = live.incident_filter(
        now_utc=now,
        categories=categories,
        opds=opds,
        statuses=statuses,
        kecamatan=kecamatan,
        window=window,
    )
    return live.live_snapshot(ui.get_engine(), now_utc=now, flt=flt)


# SIAGA_LIVE_SHARED=0: a copy of the query per viewer (the snapshot shared, not the map).
_snapshot = st.cache_data(ttl=2, show_spinner=False)(_query_snapshot)


def _on_map_click() -> None:
    ui.current_actor()  # a click is activity, unlike the timed refresh
    clicked = (st.session_state.get(MAP_KEY) or {}).get("last_object_clicked")
    points = st.session_state.get(POINTS_KEY)
    if not clicked or points is None:
        return
    picked = live.incident_at(points, clicked.get("lat"), clicked.get("lng"))
    if picked is not None:
        st.session_state[PICK_KEY] = picked


def _kpi_strip(snapshot: live.LiveSnapshot) -> None:
    # One compact row that wraps: every label readable in full, the map still starts high.
    st.markdown(
        components.kpi_html(live.kpi_tiles(snapshot.kpis), css="desk"), unsafe_allow_html=True
    )


def _pick_panel(snapshot: live.LiveSnapshot, settings: dict) -> folium.FeatureGroup:
    frame = snapshot.incidents
    codes = dict(zip(frame["id"].astype(int), frame["code"], strict=True))
    options: list[int | None] = [None, *list(codes)[:PICK_OPTIONS_MAX]]
    picked = st.session_state.get(PICK_KEY)
    if picked is not None and picked not in options:
        options.append(picked)
        codes.setdefault(picked, labels.LIVE_PICK_CLOSED)
    st.selectbox(
        labels.LIVE_PICK,
        options,
        key=PICK_KEY,
        format_func=lambda i: labels.LIVE_PICK_NONE if i is None else codes.get(i, str(i)),
    )
    if picked is None:
        st.caption(labels.LIVE_PICK_HINT)
        return folium.FeatureGroup(name=labels.MAP_LAYER_NEAREST)
    card = ui.run_service(live.incident_card, ui.get_engine(), picked, now_utc=ui.now_utc())
    if card is None:
        st.info(labels.ERR_NOT_FOUND)
        return folium.FeatureGroup(name=labels.MAP_LAYER_NEAREST)
    st.subheader(f"{card.code}")
    st.markdown(f"**{card.category}** · {card.status} · {card.priority}")
    if card.overdue:
        st.error(labels.MAP_OVERDUE.format(reason=card.overdue))
    st.caption(labels.LIVE_RECEIVED.format(at=card.received))
    st.markdown(f"**{labels.LIVE_PLACE}**")
    st.text(f"{card.place}\n{card.address}")
    st.markdown(f"**{labels.LIVE_KONDISI}**")
    st.text(card.kondisi)
    st.markdown(f"**{labels.LIVE_PHONE_MASKED}**")
    st.text(card.phone_masked or "-")
    st.markdown(f"**{labels.LIVE_OPD}**")
    st.text(card.opd)
    st.markdown(f"**{labels.LIVE_NEAREST}**")
    roads = ui.road_graph()
    posts = live.nearest_posts(
        ui.get_city(), card.lat, card.lon, settings=settings, road_graph=roads
    )
    if not posts:
        st.caption(labels.LIVE_NO_POSTS)
    for post in posts:
        st.text(
            labels.LIVE_POST_LINE_ROUTE.format(
                kind=post.kind_label,
                name=post.name,
                approximate=f" {labels.MAP_APPROXIMATE}" if post.lokasi_perkiraan else "",
                distance_km=format_km(post.distance_m),
                road_km=format_km(post.road_distance_m),
                route=live.route_text(post),
                eta_min=format_minutes(post.eta_min),
            )
        )
    st.caption(labels.LIVE_ETA_NOTE if roads is None else labels.LIVE_ETA_NOTE_ROADS)
    return nearest_post_layer(card.lat, card.lon, posts, label=card.code)


def _load(filters: dict, interval_s: float) -> tuple[live.LiveSnapshot | None, Exception | None]:
    """This run's snapshot for the filters (the last good one during an outage) and the error."""
    try:
        if live_shared.shared():
            # Viewers with the same filters share one query per interval and change.
            snapshot = live_shared.snapshot(
                (MAP_KEY, *filters.items()),
                lambda: _query_snapshot(**filters),
                interval_s=interval_s,
            )
        else:
            snapshot = _snapshot(**filters)
    except SQLAlchemyError as exc:
        return st.session_state.get(LAST_GOOD_KEY), exc
    st.session_state[LAST_GOOD_KEY] = snapshot
    return snapshot, None


def _drawn_key(snapshot: live.LiveSnapshot, warnings) -> tuple:
    """Everything the map, the pick panel and the newest list show: a change redraws them."""
    return (
        id(live_shared.city()),
        snapshot.map_digest,
        # The newest list is read from the map's rows and today's date (older calls show theirs).
        wib_day(snapshot.as_of_utc),
        live_shared.content_key(warnings),
    )


def _live_view(filters: dict, interval_s: float) -> None:
    """The whole view in one timed run (SIAGA_LIVE_SHARED=0: the old per-viewer way)."""
    if _live_top(filters, interval_s):
        _live_map(filters, interval_s)


def _live_top(filters: dict, interval_s: float) -> bool:
    """The KPI strip, the time and the banners, at every refresh; False when there is nothing
    to show. When what the map, the pick or the list would show has changed since this
    viewer's were drawn, the whole page runs again, once."""
    # A screen refreshing by itself is not activity: an idle session still ends (and signs out).
    if ui.current_actor(touch=False) is None:
        st.rerun()
    snapshot, error = _load(filters, interval_s)
    if snapshot is None:
        if error is not None:
            ui.database_banner(error)
        return False
    # CAP warnings in force: a banner above the map and their outline on it (gone at expiry).
    warnings = cap_warnings.current(LIGHT)
    # One slot for the outage banner, the strip, the time and the warning banner: with or
    # without a banner the map keeps its place in the page, so its frame is not rebuilt
    # (reloaded, its zoom lost) when the database goes down or comes back, or a warning
    # comes or goes.
    with st.container():
        if error is not None:
            ui.database_banner(error)
        _kpi_strip(snapshot)
        st.caption(
            labels.LIVE_AS_OF.format(
                at=format_wib(snapshot.as_of_utc),
                n=len(snapshot.incidents),
                every=round(interval_s),
            )
        )
        cap_warnings.show_banner(warnings)
    if live_shared.shared() and error is None:
        live_shared.rerun_if_changed("live", _drawn_key(snapshot, warnings))
    return True


def _live_map(filters: dict, interval_s: float) -> None:
    """The pick panel, the map and the newest list: drawn again when what they show changed,
    or when this viewer picks (a pick or a map click runs only this part)."""
    settings = {**_settings(), "refresh_interval_s": interval_s}
    snapshot, _error = _load(filters, interval_s)
    if snapshot is None:
        return
    warnings = cap_warnings.current(LIGHT)
    warning_layer = cap_warnings.layer(warnings)
    live_shared.drawn("live", _drawn_key(snapshot, warnings))
    st.session_state[POINTS_KEY] = snapshot.incidents[["id", "lat", "lon", "received_at_utc"]]
    left, right = st.columns([3, 1])
    with right:
        selection = _pick_panel(snapshot, settings)
    with left:
        city = live_shared.city()

        def build():
            base = base_map(city, categories=snapshot.categories, layer_control=False)
            layers = [
                # The warning outline first: drawn under the lines to the nearest posts.
                *([warning_layer] if warning_layer is not None else []),
                incident_layer(snapshot.incidents),
                # This viewer's pick replaces it (same name, so the same layer control).
                folium.FeatureGroup(name=labels.MAP_LAYER_NEAREST),
            ]
            return base, layers, folium.LayerControl(collapsed=True, position="topright")

        # Every viewer with these filters sends the same rendered map, plus their own pick.
        render = live_shared.rendered(
            # Drawn again only when what it shows changed (not at every timed rebuild).
            (MAP_KEY, id(city), snapshot.map_digest, live_shared.content_key(warnings)),
            build,
            key=MAP_KEY,
            returned_objects=["last_object_clicked"],
            keep=(city,),
        )
        live_shared.show(
            render, height=MAP_HEIGHT_PX, last_layer=selection, on_change=_on_map_click
        )
    st.markdown(f"**{labels.LIVE_NEWEST}**")
    st.dataframe(snapshot.newest, hide_index=True, width="stretch")


def _settings() -> dict:
    # The whole settings table: the nearest posts here take the same detour factor, speeds,
    # flood-zone slowdown and level-crossing delay as Laporan baru's (live.nearest_posts).
    return dict(ui.settings())


actor = ui.require()
st.title(labels.LIVE_TITLE)
try:
    options = _filter_options()
except SQLAlchemyError as error:
    ui.database_banner(error)
    ui.retry_page_every()
    st.stop()

with st.container():
    cols = st.columns([2, 2, 2, 2, 1.4])
    # Per filter: its label, the choices (code -> shown name), the empty text, the session key.
    filter_specs = (
        (
            labels.LIVE_FILTER_CATEGORY,
            options.categories,
            labels.LIVE_FILTER_ALL_CATEGORIES,
            "category",
        ),
        (labels.LIVE_FILTER_OPD, options.opds, labels.LIVE_FILTER_ALL_OPDS, "opd"),
        (
            labels.LIVE_FILTER_STATUS,
            {status: labels.STATUS.get(status, status) for status in OPEN_STATUSES},
            labels.LIVE_FILTER_ALL_OPEN,
            "status",
        ),
        (
            labels.LIVE_FILTER_KECAMATAN,
            {name: name for name in options.kecamatan},
            labels.LIVE_FILTER_ALL_KECAMATAN,
            "kecamatan",
        ),
    )
    chosen_categories, chosen_opds, chosen_statuses, chosen_kecamatan = (
        column.multiselect(
            label,
            list(choices),
            format_func=choices.get,
            placeholder=placeholder,
            key=f"live_f_{name}",
            label_visibility="collapsed",
        )
        for column, (label, choices, placeholder, name) in zip(cols, filter_specs, strict=False)
    )
    chosen_window = cols[4].selectbox(
        labels.LIVE_FILTER_WINDOW,
        list(live.TIME_WINDOWS_H),
        format_func=lambda key: labels.LIVE_WINDOWS.get(key, key),
        key="live_f_window",
        label_visibility="collapsed",
    )

refresh_s = live.refresh_interval_s(ui.settings())
chosen = {
    "categories": tuple(chosen_categories),
    "opds": tuple(chosen_opds),
    "statuses": tuple(chosen_statuses),
    "kecamatan": tuple(chosen_kecamatan),
    "window": chosen_window,
}
if live_shared.shared():
    # The top (KPIs, time, banners) runs at every refresh; the pick, the map and the list only
    # when what they show changed or this viewer picks: a refresh does not send the map again.
    top = st.container()
    st.fragment(_live_map)(chosen, refresh_s)
    with top:
        st.fragment(_live_top, run_every=refresh_s)(chosen, refresh_s)
else:
    st.fragment(_live_view, run_every=refresh_s)(chosen, refresh_s)
