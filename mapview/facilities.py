"""Facilities on the map: one symbol per kind, and lines from an incident to its nearest posts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import folium
import pandas as pd

from dashboard import labels
from dashboard.fmt import format_km, format_minutes
from mapview.escape import clean_text, escape_html
from mapview.style import DARK, FACILITY_SYMBOL, LIGHT, LINE_COLOR, check_theme


def facility_layer(
    facilities: pd.DataFrame, *, theme: str = LIGHT, tooltips: bool = True
) -> folium.FeatureGroup:
    """One symbol per facility kind; an approximate position gets a dashed ring and a note."""
    check_theme(theme)
    size_px = 30 if theme == DARK else 24
    group = folium.FeatureGroup(name=labels.MAP_LAYER_FACILITIES, overlay=True)
    for row in facilities.itertuples(index=False):
        kind = str(row.kind)
        approximate = bool(getattr(row, "lokasi_perkiraan", False))
        icon = folium.DivIcon(
            html=facility_symbol_html(kind, approximate=approximate, size_px=size_px),
            icon_size=(size_px + 8, size_px + 8),
            icon_anchor=((size_px + 8) // 2, (size_px + 8) // 2),
            class_name="siaga-fac-icon",
        )
        tooltip = None
        if tooltips:
            tooltip = folium.Tooltip(_facility_tooltip(row, approximate=approximate))
        folium.Marker(
            location=[float(row.lat), float(row.lon)],
            icon=icon,
            tooltip=tooltip,
            keyboard=False,
            siaga_facility=str(row.id),
            siaga_approximate=approximate,
        ).add_to(group)
    return group


# Where along the line from the point to a post its km/ETA label sits: towards the post, so the
# labels of posts in different directions never pile up on the chosen point itself.
LABEL_AT_FRACTION = 0.65
PIN_COLOR = "#d50000"


def nearest_post_layer(
    lat: float, lon: float, posts: Iterable[Any], *, label: str = ""
) -> folium.FeatureGroup:
    """A pin and ring on the selected point and a dashed line to each post, labelled km and ETA.

    `posts` are geo.nearest_facilities matches (name, kind, lat, lon, distance_m, eta_min,
    lokasi_perkiraan) or dicts with those keys. The pin is added last and drawn above every
    marker, and each label sits on its line towards the post, so the point stays visible.
    """
    group = folium.FeatureGroup(name=labels.MAP_LAYER_NEAREST, overlay=True)

    def point_tooltip() -> folium.Tooltip | None:
        return folium.Tooltip(escape_html(label)) if label else None

    ring = folium.CircleMarker(
        location=[lat, lon],
        radius=16,
        color="#ffd600",
        weight=4,
        fill=False,
        tooltip=point_tooltip(),
    )
    # Path layers drop unknown keyword options: tag them afterwards (tests find them by it).
    ring.options["siagaSelected"] = True
    for post in posts:
        get = post.get if isinstance(post, Mapping) else lambda key, p=post: getattr(p, key, None)
        kind = str(get("kind") or "")
        text = labels.MAP_NEAREST_TOOLTIP.format(
            name=escape_html(str(get("name"))),
            distance_km=format_km(get("road_distance_m") or get("distance_m")),
            eta_min=format_minutes(get("eta_min")),
            approximate=f" {labels.MAP_APPROXIMATE}" if get("lokasi_perkiraan") else "",
        )
        post_lat, post_lon = float(get("lat")), float(get("lon"))
        line = folium.PolyLine(
            locations=[[lat, lon], [post_lat, post_lon]],
            color=LINE_COLOR.get(kind, "#6a1b9a"),
            weight=4,
            opacity=0.9,
            dash_array="8 6",
        )
        line.options["siagaPost"] = kind
        line.add_to(group)
        anchor = folium.CircleMarker(
            location=[
                lat + (post_lat - lat) * LABEL_AT_FRACTION,
                lon + (post_lon - lon) * LABEL_AT_FRACTION,
            ],
            radius=1,
            opacity=0,
            fill=False,
            tooltip=folium.Tooltip(text, permanent=True, direction="center"),
        )
        anchor.options["siagaPostLabel"] = kind
        anchor.add_to(group)
    ring.add_to(group)
    folium.Marker(
        location=[lat, lon],
        icon=folium.DivIcon(
            html=_pin_svg(),
            icon_size=(28, 40),
            icon_anchor=(14, 40),
            class_name="siaga-pick-pin",
        ),
        tooltip=point_tooltip(),
        z_index_offset=10_000,
        keyboard=False,
        siaga_pin=True,
    ).add_to(group)
    return group


def _pin_svg() -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="40" viewBox="0 0 28 40">'
        f'<path d="M14 1C7 1 1 6.6 1 13.6 1 23 14 39 14 39s13-16 13-25.4C27 6.6 21 1 14 1z" '
        f'fill="{PIN_COLOR}" stroke="#fff" stroke-width="2"/>'
        '<circle cx="14" cy="13.5" r="5" fill="#fff"/></svg>'
    )


def facility_symbol_html(kind: str, *, approximate: bool, size_px: int = 24) -> str:
    """Inline SVG symbol of a facility kind (no font or image download), ringed if approximate."""
    shape, fill, text_colour, glyph = FACILITY_SYMBOL.get(kind, ("circle", "#546e7a", "#fff", "?"))
    s = size_px
    outlines = {
        "square": f'<rect x="1" y="1" width="{s - 2}" height="{s - 2}"/>',
        "rounded": f'<rect x="1" y="1" width="{s - 2}" height="{s - 2}" rx="{s // 4}"/>',
        "circle": f'<circle cx="{s / 2}" cy="{s / 2}" r="{s / 2 - 1}"/>',
        "triangle": f'<polygon points="{s / 2},1 {s - 1},{s - 1} 1,{s - 1}"/>',
        "diamond": f'<polygon points="{s / 2},1 {s - 1},{s / 2} {s / 2},{s - 1} 1,{s / 2}"/>',
        "shield": (
            f'<path d="M1,2 L{s - 1},2 L{s - 1},{s * 0.55} Q{s - 1},{s * 0.85} {s / 2},{s - 1} '
            f'Q1,{s * 0.85} 1,{s * 0.55} Z"/>'
        ),
        "hexagon": (
            f'<polygon points="{s * 0.25},1 {s * 0.75},1 {s - 1},{s / 2} {s * 0.75},{s - 1} '
            f'{s * 0.25},{s - 1} 1,{s / 2}"/>'
        ),
    }
    text_y = s * 0.68 if shape == "triangle" else s * 0.5
    font_px = round(s * (0.5 if shape == "triangle" else 0.62))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" '
        f'viewBox="0 0 {s} {s}"><g fill="{fill}" stroke="#ffffff" stroke-width="1.5">'
        f"{outlines[shape]}</g>"
        f'<text x="{s / 2}" y="{text_y}" dy="0.35em" text-anchor="middle" fill="{text_colour}" '
        f'font-family="sans-serif" font-weight="700" font-size="{font_px}">{glyph}</text></svg>'
    )
    ring = " siaga-fac-approx" if approximate else ""
    return f'<div class="siaga-fac siaga-fac-{kind}{ring}">{svg}</div>'


# --- private helpers -------------------------------------------------------------------------


def _facility_tooltip(row: Any, *, approximate: bool) -> str:
    esc = escape_html
    kind = str(row.kind)
    title = f"<b>{esc(str(row.name))}</b>"
    if approximate:
        title += f" {esc(labels.MAP_APPROXIMATE)}"
    lines = [title, esc(labels.MAP_FACILITY_KIND.get(kind, kind))]
    address = clean_text(getattr(row, "address", None))
    if address:
        lines.append(esc(address))
    return "<br>".join(lines)
