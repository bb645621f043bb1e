"""Layar dinding (/layar?token=...): the command-room TV, dark, large, refreshing by itself."""

from __future__ import annotations

import hashlib
import html
import logging
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard import alerts, labels, live
from dashboard.auth import display_actor
from dashboard.catalogue import CATEGORY_CLASSES
from dashboard.domain import format_wib, wib_day
from dashboard.errors import AuthError
from mapview.base import base_map
from mapview.incidents import incident_layer
from mapview.legend import wall_legend_html
from mapview.style import CLASS_COLOR, DARK
from pages import cap_warnings, components, live_shared, ui

log = logging.getLogger("siaga112.wall")

MAP_KEY = "wall_map"
LAST_GOOD_KEY = "wall_last_good"
CITY_KEY = "wall_city"
MAP_HEIGHT_PX = 725
NEWEST_ROWS = 9
LATE_KEY = "wall_late"
LATE_ITEMS = 3
LATE_BANNER_PX = 90

# Dark, large, no Streamlit chrome; system fonts only (nothing downloaded).
WALL_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stStatusWidget"],
[data-testid="stDecoration"],
footer { display: none !important; }
/* Streamlit shows "Page not found" to the first session after a restart when a pages/ folder
   exists (legacy page discovery, before st.navigation runs); nobody can close it on a TV. */
[data-testid="stDialog"] { display: none !important; }
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  background: #0b1220; color: #eceff1; }
[data-testid="stMainBlockContainer"], .block-container { padding: 12px 20px 0 20px !important;
  max-width: 100% !important; }
.stApp * { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
/* A refresh must not dim the screen. */
[data-stale="true"], .stale-element { opacity: 1 !important; }
.wall-top { display: flex; align-items: baseline; justify-content: space-between; gap: 24px; }
.wall-title { font-size: 40px; font-weight: 700; color: #ffffff; }
.wall-clock { font-size: 56px; font-weight: 700; color: #ffffff;
  font-variant-numeric: tabular-nums; }
.wall-asof { font-size: 24px; color: #b0bec5; }
.wall-kpis { display: flex; gap: 12px; margin: 8px 0 10px 0; }
.wall-kpi { flex: 1; background: #111a2e; border: 2px solid #263247; border-radius: 10px;
  padding: 6px 12px; }
.wall-kpi .k-label { font-size: 24px; color: #b0bec5; }
.wall-kpi .k-value { font-size: 48px; font-weight: 700; color: #ffffff; line-height: 1.1; }
.wall-kpi .k-note { font-size: 24px; line-height: 1.15; color: #90a4ae; }
.wall-kpi.alert { border-color: #ff1744; background: #3a0d16; }
.wall-kpi.alert .k-value { color: #ff8a80; }
.wall-list h2 { font-size: 30px; margin: 0 0 6px 0; color: #ffffff; }
.wall-list table { width: 100%; border-collapse: collapse; font-size: 24px; }
.wall-list td { padding: 6px 6px; border-bottom: 1px solid #263247; vertical-align: top; }
.wall-list td.t { font-variant-numeric: tabular-nums; color: #b0bec5; white-space: nowrap; }
.wall-list tr.late td.t { color: #ff8a80; }
.wall-list { max-height: 440px; overflow: hidden; }
.wall-list .sub { font-size: 24px; color: #90a4ae; }
.wall-list .code { white-space: nowrap; }
.wall-list .late-why { font-size: 24px; color: #ff8a80; }
.wall-banner { background: #b71c1c; color: #ffffff; font-size: 30px; font-weight: 700;
  padding: 12px 18px; border-radius: 8px; margin-bottom: 8px; }
.wall-late { background: #7f0000; border: 3px solid #ff1744; border-radius: 8px;
  padding: 4px 14px; margin: 0 0 8px 0; font-size: 24px; color: #ffffff; line-height: 1.3; }
.wall-late .late-head { font-size: 28px; font-weight: 700; }
.wall-late .late-items { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.wall-late .late-item + .late-item::before { content: " · "; color: #ff8a80; padding: 0 8px; }
.wall-late .late-esc { background: #ffd600; color: #7f0000; padding: 0 6px; border-radius: 4px; }
.wall-legend { background: #111a2e; border: 2px solid #263247; border-radius: 10px;
  padding: 8px 12px; margin-bottom: 10px; }
.wall-legend .wl-classes, .wall-legend .wl-status { display: grid;
  grid-template-columns: 1fr 1fr; gap: 4px 14px; }
.wall-legend .wl-status { margin-top: 8px; padding-top: 8px; border-top: 1px solid #263247; }
.wall-legend .wl-item { display: flex; align-items: center; gap: 10px; font-size: 24px;
  color: #eceff1; line-height: 1.25; }
.wall-legend .wl-status .wl-item { font-size: 24px; color: #cfd8dc; }
.wall-legend .wl-dot { width: 24px; height: 24px; border-radius: 50%; flex: none;
  border: 3px solid #ffffff; }
.wall-legend svg { flex: none; }
/* A 4K television (3840x2160) shows the 1080p layout at twice the size: it scales, it does
   not shrink into a corner. Our own blocks are zoomed; the map's frame gets twice the height
   (its layers are vectors, redrawn at that size). */
@media (min-width: 2560px) {
  .wall-top, .wall-kpis, .wall-late, .wall-legend, .wall-list, .wall-banner,
  .wall-message { zoom: 2; }
  iframe[title="streamlit_folium.st_folium"] { height: var(--wall-map-4k) !important; }
}
/* A smaller screen (a 1366x768 television or monitor) shows the 1080p layout scaled down the
   same way (1366/1920): the whole wall, map included, stays on one screen without scrolling. */
@media (max-width: 1700px) and (min-width: 1000px), (max-height: 950px) and (min-width: 1000px) {
  .wall-top, .wall-kpis, .wall-late, .wall-legend, .wall-list, .wall-banner,
  .wall-message { zoom: 0.711; }
  /* The map's frame is zoomed too (its map keeps the 1080p size inside): a little more, for
     Streamlit's own gaps between blocks, which do not scale. */
  iframe[title="streamlit_folium.st_folium"] { zoom: 0.69; }
}
.wall-message { font-size: 40px; color: #ffffff; margin-top: 20vh; text-align: center; }
.wall-message .sub { font-size: 26px; color: #b0bec5; margin-top: 16px; }
</style>
"""


@dataclass(frozen=True)
class _WallState:
    """What one run of the wall shows: the snapshot (the last good one during an outage)."""

    snapshot: live.LiveSnapshot | None
    city: object
    late: tuple[int, list[alerts.Overdue]]
    error: SQLAlchemyError | None
    warnings: object

    def map_height(self) -> int:
        # The banners above the map take their height from it: the screen never scrolls.
        late_count = self.late[0]
        return (
            MAP_HEIGHT_PX
            - (LATE_BANNER_PX if late_count else 0)
            - cap_warnings.wall_banner_px(self.warnings)
        )

    def drawn_key(self) -> tuple:
        """Everything the map and the list beside it show: a change of it redraws them."""
        snapshot = self.snapshot
        return (
            id(self.city),
            # The list is read from the map's rows and today's date (older calls show theirs).
            snapshot.map_digest if snapshot else None,
            wib_day(snapshot.as_of_utc) if snapshot else None,
            live_shared.content_key(self.warnings),
            self.map_height(),
        )


def _load(token: str, interval_s: float) -> _WallState:
    """This run's state (AuthError for a wrong token; an outage is in `error`)."""
    error: SQLAlchemyError | None = None
    snapshot = st.session_state.get(LAST_GOOD_KEY)
    city = st.session_state.get(CITY_KEY)
    try:
        engine = ui.get_engine()
        if live_shared.shared():
            # Asked by every wall at every refresh: one read serves them all for a few seconds
            # (a revoked token goes dark within live_shared.RECENT_S).
            live_shared.recent(
                ("display_actor", str(engine.url), hashlib.sha256(token.encode()).hexdigest()),
                lambda: display_actor(engine, token),
            )
            city = live_shared.city()
            snapshot, late = live_shared.snapshot(MAP_KEY, _state, interval_s=interval_s)
        else:
            display_actor(engine, token)
            city = ui.get_city()
            snapshot, late = _state()
        st.session_state[LAST_GOOD_KEY] = snapshot
        st.session_state[CITY_KEY] = city
        st.session_state[LATE_KEY] = late
    except SQLAlchemyError as exc:
        error = exc
    # CAP warnings in force: a banner right above the map, its height taken from the map.
    warnings = cap_warnings.current(DARK) if error is None else None
    late = st.session_state.get(LATE_KEY) or (0, [])
    return _WallState(snapshot, city, late, error, warnings)


def _wall(token: str, interval_s: float) -> None:
    """The whole wall in one timed run (SIAGA_LIVE_SHARED=0: the old per-viewer way)."""
    state = _wall_top(token, interval_s)
    if state is not None:
        _wall_map(token, interval_s, state)


def _wall_top(token: str, interval_s: float) -> _WallState | None:
    """Header, clock, KPI strip and banners: what changes with the time, every refresh.

    When what the map or the list beside it would show has changed since this viewer's map was
    drawn (an incident turned late, a warning came), the whole page runs again, once."""
    now = ui.now_utc()
    try:
        state = _load(token, interval_s)
    except AuthError as refused:
        _message(str(refused), labels.WALL_TOKEN_HINT)
        return None
    snapshot, error = state.snapshot, state.error
    st.markdown(_header_html(now, snapshot, failed=error is not None), unsafe_allow_html=True)
    if error is not None:
        log.warning("wall display: database unavailable (%s)", type(error).__name__)
    if snapshot is None or state.city is None:
        return None
    st.markdown(
        components.kpi_html(live.kpi_tiles(snapshot.kpis), css="wall"), unsafe_allow_html=True
    )
    late_count, late_rows = state.late
    # One element for the banners and the frame's 4K height, there with or without a banner:
    # its content changes in place, so a banner never blinks at a refresh and the map after it
    # keeps its place in the page (its frame is not rebuilt, i.e. reloaded) when an incident
    # turns late or a warning comes or goes.
    late = _late_html(late_count, late_rows) if late_count else ""
    st.html(
        # On a 4K screen the map's frame is twice as tall (see WALL_CSS).
        f"<style>:root {{ --wall-map-4k: {2 * state.map_height()}px; }}</style>"
        f"<div class='wall-banners'>{late}"
        f"{cap_warnings.banner_block(state.warnings, wall=True)}</div>"
    )
    if live_shared.shared() and error is None:
        live_shared.rerun_if_changed("wall", state.drawn_key())
    return state


def _wall_map(token: str, interval_s: float, state: _WallState | None = None) -> None:
    """The map and, beside it, the legend and the newest calls: drawn when they change."""
    if state is None:
        try:
            state = _load(token, interval_s)
        except AuthError:
            return  # the top part says so
    if state.snapshot is None or state.city is None:
        return
    snapshot, city = state.snapshot, state.city
    live_shared.drawn("wall", state.drawn_key())
    warning_layer = cap_warnings.layer(state.warnings, tooltips=False)
    # The city is taller than wide: a frame of 11/20 of the width is filled by it at 1080p.
    left, right = st.columns([11, 9])
    with left:

        def build():
            base = base_map(
                city,
                theme=DARK,
                categories=snapshot.categories,
                layer_control=False,
                zoom_control=False,
                tooltips=False,
                # The legend is a strip beside the map (never over it), see _legend_html.
                legend=False,
                # Nobody pans a wall: a later call far out at sea widens its view too.
                grow_view_with_incidents=True,
            )
            layers = [
                *([warning_layer] if warning_layer is not None else []),
                incident_layer(snapshot.incidents, wall=True),
            ]
            return base, layers, None

        # Every wall showing this snapshot and these warnings sends the same rendered map.
        render = live_shared.rendered(
            # Drawn again only when what it shows changed (not at every timed rebuild).
            (MAP_KEY, id(city), snapshot.map_digest, live_shared.content_key(state.warnings)),
            build,
            key=MAP_KEY,
            returned_objects=[],
            keep=(city,),
        )
        live_shared.show(render, height=state.map_height())
    with right:
        legend = _legend_html(snapshot, warning=warning_layer is not None)
        st.markdown(legend, unsafe_allow_html=True)
        st.markdown(_newest_html(snapshot), unsafe_allow_html=True)


def _state() -> tuple[live.LiveSnapshot, tuple[int, list[alerts.Overdue]]]:
    # What every wall shows (shared by all of them: live_shared.snapshot).
    now = ui.now_utc()
    engine = ui.get_engine()
    late = alerts.wall_overdue(engine, now=now, limit=LATE_ITEMS)
    return live.live_snapshot(engine, now_utc=now), late


def _legend_html(snapshot: live.LiveSnapshot, *, warning: bool = False) -> str:
    """The six classes (all of them: the meaning of a colour never changes), the shapes, and
    the warning outline while one is on the map."""
    return wall_legend_html({code: CLASS_COLOR[code] for code in CATEGORY_CLASSES}, warning=warning)


def _header_html(now, snapshot: live.LiveSnapshot | None, *, failed: bool) -> str:
    esc = html.escape
    clock = format_wib(now, with_date=False)[:5]
    if snapshot is None:
        as_of = labels.WALL_NO_DATA
    elif failed:
        as_of = labels.WALL_STALE.format(at=format_wib(snapshot.as_of_utc))
    else:
        as_of = labels.WALL_AS_OF.format(at=format_wib(snapshot.as_of_utc))
    banner = f'<div class="wall-banner">{esc(labels.WALL_DB_DOWN)}</div>' if failed else ""
    return (
        f"{banner}<div class='wall-top'><div class='wall-title'>{esc(labels.WALL_TITLE)}</div>"
        f"<div class='wall-asof'>{esc(as_of)}</div>"
        f"<div class='wall-clock'>{esc(labels.WALL_CLOCK.format(time=clock))}</div></div>"
    )


def _newest_html(snapshot: live.LiveSnapshot) -> str:
    esc = html.escape
    rows = snapshot.newest.head(NEWEST_ROWS)
    body = []
    for row in rows.itertuples(index=False):
        code, time, category, status, place, opd, overdue = (str(v) for v in row)
        late = f"<div class='late-why'>{esc(labels.MAP_OVERDUE.format(reason=overdue))}</div>"
        body.append(
            f"<tr class='{'late' if overdue else ''}'><td class='t'>{esc(time)}</td>"
            f"<td>{esc(category)}<div class='sub'>{esc(place)} · {esc(status)} · {esc(opd)}"
            f" · <span class='code'>{esc(code)}</span></div>{late if overdue else ''}</td></tr>"
        )
    if not body:
        body.append(f"<tr><td>{esc(labels.WALL_NO_INCIDENTS)}</td></tr>")
    return (
        f"<div class='wall-list'><h2>{esc(labels.WALL_NEWEST)}</h2>"
        f"<table>{''.join(body)}</table></div>"
    )


def _late_html(count: int, rows: list[alerts.Overdue]) -> str:
    """The banner: how many incidents wait for their OPD past target, the oldest few, each
    escalated one marked."""
    esc = html.escape
    items = []
    for r in rows:
        mark = labels.WALL_ESCALATED_MARK.format(level=r.escalation_level)
        badge = f"<b class='late-esc'>{esc(mark)}</b> " if r.escalation_level else ""
        text = components.waiting_item_text(labels.WALL_LATE_ITEM, r)
        items.append(f"<span class='late-item'>{badge}{esc(text)}</span>")
    return (
        f"<div class='wall-late' data-testid='wall-late-banner'><div class='late-head'>"
        f"{esc(labels.WALL_LATE_BANNER.format(n=count))}</div>"
        f"<div class='late-items'>{''.join(items)}</div></div>"
    )


def _message(text: str, sub: str) -> None:
    st.markdown(
        f"<div class='wall-message'>{html.escape(text)}"
        f"<div class='sub'>{html.escape(sub)}</div></div>",
        unsafe_allow_html=True,
    )


st.markdown(WALL_CSS, unsafe_allow_html=True)
wall_token = str(st.query_params.get("token", "") or "")
refresh_s = live.refresh_interval_s(ui.settings())
if live_shared.shared():
    # The top (clock, KPIs, banners) runs at every refresh; the map and the list beside it only
    # when what they show changed: a viewer's refresh does not send the whole map again.
    top = st.container()
    _wall_map(wall_token, refresh_s)
    with top:
        st.fragment(_wall_top, run_every=refresh_s)(wall_token, refresh_s)
else:
    st.fragment(_wall, run_every=refresh_s)(wall_token, refresh_s)
# A recorded or changed incident is on the wall in seconds, not at the next refresh.
live_shared.watch_changes()
