"""CAP warnings on the live map and the wall: one cached read per refresh, the banner, the layer.

While a warning touching the city is in force (dashboard.cap.active_alerts) both pages show a
banner above the map, most severe first: "<event> · <severity> · sampai HH:MM WIB", the places
it names, and when the warnings were last fetched (with a note when the last fetch failed); the
map gets its outline (mapview.warnings). At `expires` the next refresh finds no alert: no banner,
no layer. The banner's look is cap_warnings.css; every text from the CAP document is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import folium
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard import cap, labels
from dashboard.domain import format_wib, to_wib
from mapview.escape import escape_html
from mapview.warnings import areas_text, warning_geojson, warning_layer_from, warning_summary
from pages import live_shared, ui

_CSS = Path(__file__).with_name("cap_warnings.css").read_text(encoding="utf-8")
WALL_ITEMS = 3
# The wall banner's height in px (cap_warnings.css: padding, the title line and its margin, one
# line per alert): the map's frame gives it up, so the wall still fits a 1920x1080 screen.
WALL_BANNER_BASE_PX = 56
WALL_BANNER_LINE_PX = 34


@dataclass(frozen=True)
class WarningView:
    """The CAP warnings at one refresh, and the outline data for one map theme."""

    alerts: tuple[cap.ActiveAlert, ...]
    fetch: cap.FetchState | None
    geojson: dict  # mapview.warnings.warning_geojson of the alerts
    now_utc: datetime


def current(theme: str) -> WarningView | None:
    """The warnings in force now, or None when the database cannot say (the page shows the
    outage; an old answer could show a warning past its expiry)."""
    try:
        return _read(theme)
    except SQLAlchemyError:
        return None


def show_banner(view: WarningView | None, *, wall: bool = False) -> None:
    """The banner with its CSS (banner_block), or nothing. Call it last in a container that is
    there with or without a banner: the elements after it keep their place in the page, so
    the map's frame is not rebuilt (reloaded) when a warning comes or goes."""
    block = banner_block(view, wall=wall)
    if block:
        st.html(block)


def banner_block(view: WarningView | None, *, wall: bool = False) -> str:
    """The banner (banner_html) preceded by its CSS, or "" without a banner."""
    banner = banner_html(view, wall=wall)
    return f"<style>{_CSS}</style>{banner}" if banner else ""


def layer(view: WarningView | None, *, tooltips: bool = True) -> folium.FeatureGroup | None:
    """A fresh FeatureGroup with the outlines for st_folium, or None without any."""
    if view is None:
        return None
    return warning_layer_from(view.geojson, tooltips=tooltips)


def banner_html(view: WarningView | None, *, wall: bool = False) -> str:
    """The banner above the map ("" when no warning is in force).

    The desk's lists every alert with its urgency and certainty, and says even without an alert
    when the last fetch failed; the wall's shows WALL_ITEMS alerts, one line each.
    """
    if view is None:
        return ""
    esc = escape_html
    fetch = _fetch_text(view)
    if not view.alerts:
        failed = view.fetch is not None and view.fetch.last_error
        if wall or not failed:
            return ""
        return (
            f"<div class='cap-quiet' data-testid='cap-stale'>"
            f"{esc(labels.CAP_QUIET_STALE.format(stale=fetch))}</div>"
        )
    shown = view.alerts[:WALL_ITEMS] if wall else view.alerts
    count = len(view.alerts)
    title = labels.CAP_BANNER_TITLE_N.format(n=count) if count > 1 else labels.CAP_BANNER_TITLE
    hidden = count - len(shown)
    more = (
        f"<span class='cap-more'>{esc(labels.CAP_BANNER_MORE.format(n=hidden))}</span>"
        if hidden
        else ""
    )
    stale = view.fetch is not None and bool(view.fetch.last_error)
    css = "cap-stale" if stale else "cap-fetch"
    when = f"<span class='{css}'>{esc(fetch)}</span>" if fetch else ""
    head = (
        f"<div class='cap-head'><span class='cap-title'>&#9888; {esc(title)}</span>{more}{when}"
        "</div>"
    )
    items = []
    for alert in shown:
        areas = areas_text(alert)
        where = f"<span class='cap-areas'> · {esc(labels.CAP_AREAS.format(places=areas))}</span>"
        detail = "" if wall else f"<span class='cap-detail'> · {esc(_detail(alert))}</span>"
        items.append(
            f"<div class='cap-item' data-testid='cap-item'><b>{esc(warning_summary(alert))}</b>"
            f"{where if areas else ''}{detail}</div>"
        )
    kind = "cap-wall" if wall else "cap-desk"
    return (
        f"<div class='cap-banner {kind}' data-testid='cap-banner' role='alert'>"
        f"{head}{''.join(items)}</div>"
    )


def wall_banner_px(view: WarningView | None) -> int:
    """How much height the wall banner takes from the map (0 without one)."""
    if view is None or not view.alerts:
        return 0
    return WALL_BANNER_BASE_PX + WALL_BANNER_LINE_PX * min(len(view.alerts), WALL_ITEMS)


# --- private helpers -------------------------------------------------------------------------


def _read(theme: str) -> WarningView:
    # Every viewer of a theme shares one read and one outline for two seconds, the same object
    # (no copy per viewer: the view is frozen and its layer copies the outline).
    return live_shared.recent(
        ("cap_warnings", theme, str(ui.get_engine().url)), lambda: _fetch(theme), max_age_s=2
    )


def _fetch(theme: str) -> WarningView:
    now = ui.now_utc()
    engine = ui.get_engine()
    alerts = cap.active_alerts(engine, now_utc=now)
    return WarningView(
        alerts=tuple(alerts),
        fetch=cap.last_fetch(engine),
        geojson=warning_geojson(alerts, theme=theme),
        now_utc=now,
    )


def _detail(alert: cap.ActiveAlert) -> str:
    return labels.CAP_DETAIL.format(
        urgency=labels.CAP_URGENCY.get(alert.urgency, alert.urgency),
        certainty=labels.CAP_CERTAINTY.get(alert.certainty, alert.certainty),
    )


def _fetch_text(view: WarningView) -> str:
    """When the warnings were last fetched, or that the last fetch failed ("" if never)."""
    fetch = view.fetch
    if fetch is None:
        return ""
    if not fetch.last_error:
        return labels.CAP_FETCHED.format(at=_when(fetch.last_success_utc, view.now_utc))
    at = _when(fetch.last_attempt_utc, view.now_utc)
    if fetch.last_success_utc is None:
        return labels.CAP_STALE_NEVER.format(at=at)
    return labels.CAP_STALE.format(at=at, ok=_when(fetch.last_success_utc, view.now_utc))


def _when(value: datetime | None, now: datetime) -> str:
    """HH:MM on today's WIB date, the date too on another day."""
    if value is None:
        return "-"
    if to_wib(value).date() == to_wib(now).date():
        return format_wib(value, with_date=False)[:5]
    return format_wib(value)[:16]
