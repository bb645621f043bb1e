"""Folium maps of the city that work offline: base map, incident, facility and nearest-post layers.

No Streamlit here. Every map loads Leaflet and MarkerCluster from the app's own static folder
(see mapview.assets), never from a CDN; basemap tiles are opt-in (SIAGA_TILES_URL). Caller text that
reaches a tooltip is html-escaped and phone-like digit runs are masked: maps are shared screens.

Live refresh without reloading the map (streamlit-folium): build `base_map(...)` afresh on every
run from the same data (the GeoJSON is cached on the City, never the folium.Map), and pass
`incident_layer(...)` / `nearest_post_layer(...)` as `feature_group_to_add` with a fixed `key`.
Do not add branca colormaps or folium plugins whose assets are not vendored: `offline_assets`
refuses them rather than let a CDN link through.
"""

from __future__ import annotations

import copy
import html
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from dashboard import labels
from dashboard.domain import BARU, DITANGANI, DITERIMA, DITERUSKAN, format_wib
from dashboard.fmt import format_km, format_minutes
from geo.crs import to_geographic
from mapview.assets import asset_urls

LIGHT, DARK = "light", "dark"
THEMES = (LIGHT, DARK)
DEFAULT_LAYERS = ("kelurahan", "flood_zones", "kecamatan", "facilities")
TILES_ENV = "SIAGA_TILES_URL"
MIN_ZOOM = 11
MAX_ZOOM = 19
COORD_DECIMALS = 5  # ~1 m: plenty for boundaries drawn at city scale, and a third of the bytes
KONDISI_TOOLTIP_CHARS = 140
CLUSTER_RADIUS_PX = 40
NO_CLUSTER_FROM_ZOOM = 17
# Incidents this far beyond the city's bounding box may widen the first view (the service area
# ends 5 km out); a point farther away is a typing error and would zoom the city to nothing.
FIT_REACH_M = 10_000.0
_INITIAL_VIEW_JS = (Path(__file__).with_name("initial_view.js")).read_text(encoding="utf-8")

STATUS_CLASS = {
    BARU: "siaga-st-baru",
    DITERUSKAN: "siaga-st-diteruskan",
    DITERIMA: "siaga-st-diterima",
    DITANGANI: "siaga-st-ditangani",
}
FLOOD_LEVEL_STYLE = {
    "tinggi": {"color": "#08519c", "fillColor": "#2171b5", "fillOpacity": 0.38},
    "sedang": {"color": "#3182bd", "fillColor": "#6baed6", "fillOpacity": 0.28},
    "rendah": {"color": "#6baed6", "fillColor": "#c6dbef", "fillOpacity": 0.22},
}
# kind -> (shape, fill colour, text colour, glyph): distinct shape AND colour AND letter, so the
# symbols still differ for colour-blind viewers and on a washed-out wall screen.
FACILITY_SYMBOL = {
    "hospital": ("square", "#1565c0", "#ffffff", "H"),
    "ambulance": ("circle", "#c62828", "#ffffff", "A"),
    "fire": ("triangle", "#e65100", "#ffffff", "D"),
    "police": ("shield", "#263238", "#ffffff", "P"),
    "bpbd": ("diamond", "#f9a825", "#212121", "B"),
    "puskesmas": ("rounded", "#2e7d32", "#ffffff", "+"),
    "command": ("hexagon", "#6a1b9a", "#ffffff", "C"),
}
LINE_COLOR = {"ambulance": "#c62828", "fire": "#e65100"}
INCIDENT_LOOKUPS = ("status", "overdue", "code_prefix", "category", "kelurahan", "opd")
_INERT_JSON = {ord(c): f"\\u{ord(c):04x}" for c in "<>&'{}"}
_PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?\d[\d\s().\-/]{5,}\d)(?!\d)")
_MIN_PHONE_DIGITS = 7


def base_map(
    city: Any,
    *,
    theme: str = LIGHT,
    layers: Sequence[str] = DEFAULT_LAYERS,
    categories: Mapping[str, tuple[str, str]] | None = None,
    tiles_url: str | None = None,
    tiles_attribution: str | None = None,
    layer_control: bool = True,
    legend: bool = True,
    legend_open: bool | None = None,
    legend_position: str = "bottomleft",
    fit_padding_right_px: int = 0,
    zoom_control: bool = True,
    tooltips: bool = True,
    static_url: str | None = None,
    grow_view_with_incidents: bool = False,
) -> folium.Map:
    """The city map with its fixed layers, served entirely by the app (no CDN, no tiles).

    `city` is a geo.City (kelurahan, kecamatan, flood_zones, facilities). `layers` picks the
    vector layers, drawn in that order; `categories` (code -> (name, colour)) fills the legend's
    incident section; the legend is folded unless `legend_open` (default: open on the dark
    theme) and `fit_padding_right_px` keeps the initial view clear of a legend on the right.
    Tiles come from `tiles_url` or the SIAGA_TILES_URL environment variable and are off when
    both are empty. The result is deterministic for the same inputs, so
    streamlit-folium keeps the same iframe across reruns. Add live layers with st_folium's
    `feature_group_to_add` instead of adding them to this map.

    The first view fits the city; when the incident layer first arrives it fits the city and
    every open incident within FIT_REACH_M of the city (a call at sea), once: later refreshes
    leave the viewer's zoom and pan alone. `grow_view_with_incidents` (the wall display) also
    widens an untouched view for a later incident outside it (mapview/initial_view.js).
    """
    _check_theme(theme)
    west, south, east, north = (float(v) for v in city.kelurahan.total_bounds)
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=13,
        tiles=None,
        prefer_canvas=True,
        zoom_control=zoom_control,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
        zoom_snap=0.25,
    )
    # MarkerCluster refuses a map without maxZoom, which a map without tiles does not get.
    m.options["maxZoom"] = MAX_ZOOM
    m.options["minZoom"] = MIN_ZOOM
    offline_assets(m, static_url=static_url)
    m.add_child(_MapStyle(theme))
    url = tiles_url if tiles_url is not None else os.environ.get(TILES_ENV, "").strip()
    if url:
        folium.TileLayer(
            tiles=url,
            attr=tiles_attribution or labels.MAP_ATTRIBUTION_OSM,
            name=labels.MAP_LAYER_TILES,
            max_zoom=MAX_ZOOM,
            max_native_zoom=19,
            overlay=False,
            control=False,
        ).add_to(m)
    builders = {
        "kelurahan": lambda: _kelurahan_layer(city, tooltips=tooltips),
        "kecamatan": lambda: _kecamatan_layer(city, theme=theme, tooltips=tooltips),
        "flood_zones": lambda: _flood_zone_layer(city, tooltips=tooltips),
        "facilities": lambda: facility_layer(city.facilities, theme=theme, tooltips=tooltips),
    }
    for name in layers:
        if name not in builders:
            msg = f"unknown map layer {name!r}; choose from {', '.join(builders)}"
            raise ValueError(msg)
        builders[name]().add_to(m)
    m.add_child(_Controls([labels.MAP_ATTRIBUTION_BOUNDARIES, labels.MAP_ATTRIBUTION_OSM]))
    if legend:
        is_open = theme == DARK if legend_open is None else legend_open
        m.add_child(
            Legend(
                categories or {},
                layers=layers,
                theme=theme,
                is_open=is_open,
                position=legend_position,
            )
        )
    # The padding keeps the city clear of a legend placed on the right (wall display).
    m.add_child(
        _InitialView(
            [[south, west], [north, east]],
            reach=_reach_bounds(city),
            padding_top_left=(10, 10),
            padding_bottom_right=(10 + fit_padding_right_px, 10),
            grow=grow_view_with_incidents,
        )
    )
    if layer_control:
        folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


def incident_layer(
    frame: pd.DataFrame,
    *,
    wall: bool = False,
    cluster: bool = True,
    marker_px: int | None = None,
    name: str | None = None,
) -> folium.FeatureGroup:
    """Open incidents as one clustered layer built in the browser from compact rows.

    `frame` has the columns of dashboard.queries.incidents_frame plus `overdue` (reason or None,
    see queries.with_overdue). Fill colour = category colour, outline/shape = status, a red
    pulsing ring = overdue. No phone number is ever put on the map; the tooltip shows code,
    category, status, kelurahan, time (WIB), OPD and, except on the wall, the kondisi.
    Markers are created by one loop in JavaScript and clustered (MarkerCluster with its own
    callback), so 5,000 incidents stay usable; a tooltip is assembled from the row and the
    layer's lookup tables only when it opens, as DOM text nodes (caller text is never markup).
    """
    group = folium.FeatureGroup(name=name or labels.MAP_LAYER_INCIDENTS, overlay=True)
    payload = incident_payload(frame, wall=wall)
    layer = IncidentLayer(
        payload.rows,
        lookups=payload.lookups,
        palette=_palette(frame),
        cluster=cluster,
        marker_px=marker_px or (26 if wall else 18),
    )
    group.add_child(layer)
    return group


@dataclass(frozen=True)
class IncidentPayload:
    """What the incident layer sends: one compact row per incident and the tables rows index.

    A row is [lat, lon, id, colour index, status index, overdue, code prefix index, code
    suffix, category index, kelurahan index, time "HH:MM" WIB or "", OPD index] plus the
    kondisi (shortened, phone-like digits masked) except on the wall. `overdue` is 0 when on
    time, else 1 + the index of its reason in lookups["overdue"]. `lookups` maps "status",
    "overdue", "code_prefix", "category", "kelurahan" and "opd" to lists of display texts,
    each sent once per layer; a missing value is "" in its table. The "kelurahan" text is
    "Kel. <name>", or the frame's `place` column for an incident with no kelurahan (at sea).
    """

    rows: list[list[Any]]
    lookups: dict[str, list[str]]


def incident_payload(frame: pd.DataFrame, *, wall: bool = False) -> IncidentPayload:
    """The incident layer's rows and lookup tables for `frame` (see IncidentPayload)."""
    lookups = {key: _Lookup() for key in INCIDENT_LOOKUPS}
    for status in STATUS_CLASS:
        # Status indices double as the marker's status class (STATUS_CLASS order).
        lookups["status"].index(labels.STATUS.get(status, status))
    if frame.empty:
        return IncidentPayload([], {key: table.values for key, table in lookups.items()})
    palette = _palette(frame)
    colour_index = {colour: i for i, colour in enumerate(palette)}
    rows = []
    for row in frame.itertuples(index=False):
        overdue = _text(getattr(row, "overdue", None))
        status = str(row.status)
        code = _text(row.code) or ""
        cut = code.rfind("-") + 1
        kelurahan = _text(getattr(row, "kelurahan", None))
        # Outside the city there is no kelurahan: the frame's own place text ("Laut, ...").
        place = (
            labels.MAP_KELURAHAN_SHORT.format(kelurahan=kelurahan)
            if kelurahan
            else _text(getattr(row, "place", None)) or ""
        )
        received = getattr(row, "received_at_utc", None)
        when = (
            format_wib(_as_datetime(received), with_date=False)[:5] if received is not None else ""
        )
        item = [
            round(float(row.lat), 6),
            round(float(row.lon), 6),
            int(row.id),
            colour_index[_colour(getattr(row, "color", None))],
            lookups["status"].index(labels.STATUS.get(status, status)),
            1 + lookups["overdue"].index(labels.MAP_OVERDUE.format(reason=overdue))
            if overdue
            else 0,
            lookups["code_prefix"].index(code[:cut]),
            code[cut:],
            lookups["category"].index(_text(getattr(row, "category_name", None)) or ""),
            lookups["kelurahan"].index(place),
            when if when != "-" else "",
            lookups["opd"].index(_text(getattr(row, "opd_name", None)) or ""),
        ]
        if not wall:
            item.append(_short_kondisi(_text(getattr(row, "kondisi", None)) or ""))
        rows.append(item)
    return IncidentPayload(rows, {key: table.values for key, table in lookups.items()})


def incident_rows(frame: pd.DataFrame, *, wall: bool = False) -> list[list[Any]]:
    """The compact row per incident of incident_payload (field order: IncidentPayload)."""
    return incident_payload(frame, wall=wall).rows


def facility_layer(
    facilities: pd.DataFrame, *, theme: str = LIGHT, tooltips: bool = True
) -> folium.FeatureGroup:
    """One symbol per facility kind; an approximate position gets a dashed ring and a note."""
    _check_theme(theme)
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


def nearest_post_layer(
    lat: float, lon: float, posts: Iterable[Any], *, label: str = ""
) -> folium.FeatureGroup:
    """A ring on the selected incident and a dashed line to each post, labelled with km and ETA.

    `posts` are geo.nearest_facilities matches (name, kind, lat, lon, distance_m, eta_min,
    lokasi_perkiraan) or dicts with those keys.
    """
    group = folium.FeatureGroup(name=labels.MAP_LAYER_NEAREST, overlay=True)
    ring = folium.CircleMarker(
        location=[lat, lon],
        radius=16,
        color="#ffd600",
        weight=4,
        fill=False,
        tooltip=folium.Tooltip(escape_html(label)) if label else None,
    )
    # Path layers drop unknown keyword options: tag them afterwards (tests find them by it).
    ring.options["siagaSelected"] = True
    ring.add_to(group)
    for post in posts:
        get = post.get if isinstance(post, Mapping) else lambda key, p=post: getattr(p, key, None)
        kind = str(get("kind") or "")
        text = labels.MAP_NEAREST_TOOLTIP.format(
            name=escape_html(str(get("name"))),
            distance_km=format_km(get("road_distance_m") or get("distance_m")),
            eta_min=format_minutes(get("eta_min")),
            approximate=f" {labels.MAP_APPROXIMATE}" if get("lokasi_perkiraan") else "",
        )
        line = folium.PolyLine(
            locations=[[lat, lon], [float(get("lat")), float(get("lon"))]],
            color=LINE_COLOR.get(kind, "#6a1b9a"),
            weight=4,
            opacity=0.9,
            dash_array="8 6",
            tooltip=folium.Tooltip(text, permanent=True, direction="center"),
        )
        line.options["siagaPost"] = kind
        line.add_to(group)
    return group


def standalone_map(
    city: Any,
    incidents: pd.DataFrame,
    *,
    theme: str = LIGHT,
    categories: Mapping[str, tuple[str, str]] | None = None,
    extra_layers: Sequence[folium.FeatureGroup] = (),
    static_url: str | None = None,
) -> folium.Map:
    """Base map plus the incident layer in one folium.Map, for a static page (no Streamlit).

    The Streamlit pages pass the incident layer through st_folium instead (see module doc).
    """
    m = base_map(
        city,
        theme=theme,
        categories=categories,
        layer_control=False,
        static_url=static_url,
    )
    incident_layer(incidents, wall=theme == DARK).add_to(m)
    for layer in extra_layers:
        layer.add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


def offline_assets(element: Any, *, static_url: str | None = None) -> Any:
    """Point the map's and every plugin's JS/CSS at the app's vendored copies.

    Leaflet and MarkerCluster are vendored (mapview.assets); jQuery, Bootstrap and the
    awesome-markers font are dropped because nothing here uses them. Any other CDN asset
    raises ValueError: better a clear error in development than a blank map in the command room.
    """
    urls = asset_urls(static_url)
    local_js = {
        "leaflet": urls.leaflet_js,
        "markerclusterjs": urls.markercluster_js,
        "markercluster": urls.markercluster_js,
    }
    local_css = {
        "leaflet_css": urls.leaflet_css,
        "markerclustercss": urls.markercluster_css,
        "markerclusterdefaultcss": urls.markercluster_default_css,
    }
    dropped = {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
    for item in _walk(element):
        if isinstance(item, folium.Map):
            item.default_js = [
                ("leaflet", urls.leaflet_js),
                ("markerclusterjs", urls.markercluster_js),
            ]
            item.default_css = [
                ("leaflet_css", urls.leaflet_css),
                ("markerclustercss", urls.markercluster_css),
                ("markerclusterdefaultcss", urls.markercluster_default_css),
            ]
            continue
        for attribute, local in (("default_js", local_js), ("default_css", local_css)):
            links = getattr(item, attribute, None)
            if not links:
                continue
            kept = []
            for key, url in links:
                if key in dropped:
                    continue
                if _is_local(url, urls):
                    kept.append((key, url))
                elif key in local:
                    kept.append((key, local[key]))
                else:
                    msg = f"{type(item).__name__} needs {url}, which is not served offline"
                    raise ValueError(msg)
            setattr(item, attribute, kept)
    return element


def map_html(m: folium.Map) -> str:
    """The map as one standalone HTML page (tests, benchmarks, saving a snapshot)."""
    return m.get_root().render()


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


def escape_html(value: object) -> str:
    """Text made safe for a map's HTML and for branca's second Jinja pass.

    branca compiles the output of every map element's script as a Jinja template once more
    (MacroElement.render wraps it in Element(...)), so caller text such as "{{ 7*7 }}" would be
    evaluated on the server: template injection, arbitrary Python. Braces are therefore written
    as HTML entities too: the browser shows them, Jinja never sees them.
    """
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


def redact_phone_like(text: str) -> str:
    """Free text with digit runs that look like phone numbers masked (shared screens)."""

    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        if len(digits) < _MIN_PHONE_DIGITS:
            return match.group()
        return digits[:2] + "*" * (len(digits) - 2)

    return _PHONE_LIKE.sub(mask, text)


class IncidentLayer(MacroElement):
    """A MarkerCluster (or plain group) filled by one JavaScript loop over compact rows.

    Rows and lookups are IncidentPayload's. A tooltip is built when it opens, from text nodes
    and <b>/<i>/<br> elements made with document.createElement: no text is parsed as HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (rows, lookups, palette, opts) {
            var statusClass = opts.statusClass;
            var size = opts.markerPx;
            var icons = {};
            function iconFor(c, s, od) {
                var key = c + ":" + s + ":" + od;
                if (!icons[key]) {
                    icons[key] = L.divIcon({
                        className: "siaga-inc-icon",
                        html: '<div class="siaga-inc ' + (statusClass[s] || statusClass[0])
                            + (od ? ' siaga-od' : '') + '" style="background:'
                            + palette[c] + '"></div>',
                        iconSize: [size, size],
                        iconAnchor: [size / 2, size / 2],
                        tooltipAnchor: [0, -size / 2]
                    });
                }
                return icons[key];
            }
            function tooltipFor(r) {
                return function () {
                    var lines = [
                        [[lookups.code_prefix[r[6]] + r[7], "b"], [lookups.category[r[8]]]],
                        [[lookups.status[r[4]]], [r[5] ? lookups.overdue[r[5] - 1] : "", "b"]],
                        [
                            [lookups.kelurahan[r[9]]],
                            [r[10] ? opts.timeLabel[0] + r[10] + opts.timeLabel[1] : ""],
                            [lookups.opd[r[11]]]
                        ],
                        [[r[12], "i"]]
                    ];
                    var box = document.createDocumentFragment();
                    for (var i = 0; i < lines.length; i++) {
                        var parts = lines[i].filter(function (part) { return part[0]; });
                        if (!parts.length) { continue; }
                        if (box.hasChildNodes()) { box.appendChild(document.createElement("br")); }
                        for (var j = 0; j < parts.length; j++) {
                            if (j) { box.appendChild(document.createTextNode(opts.separator)); }
                            var node = document.createTextNode(String(parts[j][0]));
                            if (parts[j][1]) {
                                var wrap = document.createElement(parts[j][1]);
                                wrap.appendChild(node);
                                node = wrap;
                            }
                            box.appendChild(node);
                        }
                    }
                    return box;
                };
            }
            var layer;
            if (opts.cluster) {
                var clusterOptions = opts.clusterOptions;
                clusterOptions.iconCreateFunction = function (cluster) {
                    var children = cluster.getAllChildMarkers();
                    var late = 0;
                    for (var j = 0; j < children.length; j++) {
                        if (children[j].options.siagaOverdue) { late++; }
                    }
                    var n = cluster.getChildCount();
                    var px = n < 10 ? 34 : (n < 100 ? 40 : 48);
                    px = Math.round(px * size / 18);
                    return L.divIcon({
                        html: "<div><span>" + n + "</span></div>",
                        className: "marker-cluster siaga-cluster"
                            + (late ? " siaga-cluster-od" : ""),
                        iconSize: L.point(px, px)
                    });
                };
                layer = L.markerClusterGroup(clusterOptions);
            } else {
                layer = L.featureGroup();
            }
            layer.options.siagaLayer = "incidents";
            var markers = new Array(rows.length);
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var marker = L.marker([r[0], r[1]], {
                    icon: iconFor(r[3], r[4], r[5] ? 1 : 0),
                    keyboard: false,
                    riseOnHover: true,
                    zIndexOffset: r[5] ? 2000 : 1000,
                    siagaId: r[2],
                    siagaOverdue: r[5] > 0
                });
                marker.bindTooltip(tooltipFor(r), {direction: "top"});
                markers[i] = marker;
            }
            if (opts.cluster) {
                layer.addLayers(markers);
            } else {
                for (var k = 0; k < markers.length; k++) { layer.addLayer(markers[k]); }
            }
            // The base map's first view grows to hold these incidents (mapview/initial_view.js).
            layer.once("add", function () {
                if (layer._map && layer._map.siagaFitIncidents) {
                    layer._map.siagaFitIncidents(rows.map(function (r) {
                        return [r[0], r[1]];
                    }), size);
                }
            });
            return layer;
        })({{ this.rows_json }}, {{ this.lookups_json }}, {{ this.palette|tojson }},
           {{ this.js_options_json }});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: list[list[Any]],
        *,
        lookups: Mapping[str, list[str]],
        palette: list[str],
        cluster: bool = True,
        marker_px: int = 18,
    ) -> None:
        super().__init__()
        self._name = "IncidentLayer"
        self.rows = rows
        self.lookups = dict(lookups)
        self.palette = palette
        time_before, _, time_after = labels.MAP_TIME_WIB.partition("{time}")
        self.js_options = {
            "cluster": cluster,
            "markerPx": marker_px,
            "statusClass": list(STATUS_CLASS.values()),
            "timeLabel": [time_before, time_after],
            "separator": " · ",
            "clusterOptions": {
                "maxClusterRadius": CLUSTER_RADIUS_PX,
                "disableClusteringAtZoom": NO_CLUSTER_FROM_ZOOM,
                "showCoverageOnHover": False,
                "spiderfyOnMaxZoom": True,
                "chunkedLoading": True,
            },
        }
        # Caller and catalogue text: serialised so that neither HTML nor Jinja can read into it.
        self.rows_json = _inert_json(rows)
        self.lookups_json = _inert_json(self.lookups)
        self.js_options_json = _inert_json(self.js_options)


class Legend(MacroElement):
    """A collapsible legend control: incident colours and shapes, flood levels, facilities."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "siaga-legend leaflet-control");
            div.innerHTML = {{ this.body|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        categories: Mapping[str, tuple[str, str]],
        *,
        layers: Sequence[str] = DEFAULT_LAYERS,
        theme: str = LIGHT,
        is_open: bool = True,
        position: str = "bottomleft",
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.position = position
        self.body = legend_html(categories, layers=layers, theme=theme, is_open=is_open)


def legend_html(
    categories: Mapping[str, tuple[str, str]],
    *,
    layers: Sequence[str] = DEFAULT_LAYERS,
    theme: str = LIGHT,
    is_open: bool = True,
) -> str:
    """The legend's HTML (every text escaped); a <details> box the viewer can fold."""
    _check_theme(theme)
    esc = escape_html
    parts = ["<details open>" if is_open else "<details>"]
    parts.append(f"<summary>{esc(labels.MAP_LEGEND_TITLE)}</summary>")
    if categories:
        parts.append(f'<h4>{esc(labels.MAP_LEGEND_CATEGORIES)}</h4><ul class="siaga-cats">')
        for name, colour in categories.values():
            parts.append(
                f'<li><span class="siaga-swatch" style="background:{_colour(colour)}"></span>'
                f"{esc(name)}</li>"
            )
        parts.append("</ul>")
    parts.append(f"<h4>{esc(labels.MAP_LEGEND_STATUS)}</h4><ul>")
    for status, css in STATUS_CLASS.items():
        parts.append(
            f'<li><span class="siaga-inc siaga-legend-inc {css}"></span>'
            f"{esc(labels.MAP_STATUS_LEGEND.get(status, status))}</li>"
        )
    parts.append(
        '<li><span class="siaga-inc siaga-legend-inc siaga-st-diteruskan siaga-od"></span>'
        f"{esc(labels.MAP_LEGEND_OVERDUE)}</li>"
        '<li><span class="siaga-legend-cluster">5</span>'
        f"{esc(labels.MAP_LEGEND_CLUSTER)}</li></ul>"
    )
    if "flood_zones" in layers:
        parts.append(f"<h4>{esc(labels.MAP_LEGEND_FLOOD)}</h4><ul>")
        for level, style in FLOOD_LEVEL_STYLE.items():
            parts.append(
                f'<li><span class="siaga-swatch" style="background:{style["fillColor"]};'
                f'opacity:{0.4 + style["fillOpacity"]}"></span>'
                f"{esc(labels.MAP_FLOOD_LEVEL.get(level, level))}</li>"
            )
        parts.append(f'<li class="siaga-note">{esc(labels.MAP_FLOOD_DERIVED_NOTE)}</li></ul>')
    if "facilities" in layers:
        parts.append(f"<h4>{esc(labels.MAP_LEGEND_FACILITIES)}</h4><ul>")
        for kind in FACILITY_SYMBOL:
            parts.append(
                f"<li>{facility_symbol_html(kind, approximate=False, size_px=16)}"
                f"{esc(labels.MAP_FACILITY_KIND.get(kind, kind))}</li>"
            )
        parts.append(
            f"<li>{facility_symbol_html('puskesmas', approximate=True, size_px=16)}"
            f"{esc(labels.MAP_LEGEND_APPROXIMATE)}</li></ul>"
        )
    parts.append("</details>")
    return "".join(parts)


class _MapStyle(MacroElement):
    """The map's own CSS (theme, markers, legend), inlined in the header: no font download."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        """
    )

    def __init__(self, theme: str) -> None:
        super().__init__()
        self._name = "MapStyle"
        self.css = _css(theme)


class _Controls(MacroElement):
    """A metric scale bar and the data attributions (boundaries, OpenStreetMap)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {%- for text in this.texts %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ text|tojson }});
        {%- endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, texts: Sequence[str]) -> None:
        super().__init__()
        self._name = "Controls"
        self.texts = [escape_html(text) for text in texts]


class _InitialView(MacroElement):
    """Fit the city while the frame settles, then once the city and the open incidents.

    The browser code is mapview/initial_view.js (why and how there). `reach` bounds the incidents
    that may widen the view; `grow` lets a later incident outside the view widen it again on a
    map nobody has touched (the wall display).
    """

    SETTLE_MS = 1500
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.source }}
        siagaInitialView({{ this._parent.get_name() }}, {{ this.bounds|tojson }},
            {{ this.reach|tojson }}, {{ this.options|tojson }}, {{ this.SETTLE_MS }},
            {{ this.grow|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        bounds: list[list[float]],
        *,
        reach: list[list[float]],
        padding_top_left: tuple[int, int],
        padding_bottom_right: tuple[int, int],
        grow: bool = False,
    ) -> None:
        super().__init__()
        self._name = "InitialView"
        self.source = _INITIAL_VIEW_JS
        self.bounds = bounds
        self.reach = reach
        self.grow = grow
        self.options = {
            "paddingTopLeft": list(padding_top_left),
            "paddingBottomRight": list(padding_bottom_right),
        }


def _reach_bounds(city: Any) -> list[list[float]]:
    """The city's box widened by FIT_REACH_M on every side (in UTM), as [[s, w], [n, e]]."""
    west, south, east, north = city.outline_utm.bounds
    lons, lats = to_geographic(
        np.array([west - FIT_REACH_M, east + FIT_REACH_M]),
        np.array([south - FIT_REACH_M, north + FIT_REACH_M]),
    )
    return [[float(lats[0]), float(lons[0])], [float(lats[1]), float(lons[1])]]


def _kelurahan_layer(city: Any, *, tooltips: bool) -> folium.GeoJson:
    data = city.memo("mapview.maps.kelurahan", lambda: _kelurahan_geojson(city.kelurahan))
    return _geojson_layer(
        data, name=labels.MAP_LAYER_KELURAHAN, siaga_layer="kelurahan", tooltips=tooltips
    )


def _kecamatan_layer(city: Any, *, theme: str, tooltips: bool) -> folium.GeoJson:
    data = city.memo(
        f"mapview.maps.kecamatan.{theme}", lambda: _kecamatan_geojson(city.kecamatan, theme=theme)
    )
    return _geojson_layer(
        data, name=labels.MAP_LAYER_KECAMATAN, siaga_layer="kecamatan", tooltips=tooltips
    )


def _flood_zone_layer(city: Any, *, tooltips: bool) -> folium.GeoJson:
    data = city.memo("mapview.maps.flood_zones", lambda: _flood_zone_geojson(city.flood_zones))
    return _geojson_layer(
        data, name=labels.MAP_LAYER_FLOOD, siaga_layer="flood_zones", tooltips=tooltips
    )


def _geojson_layer(data: dict, *, name: str, siaga_layer: str, tooltips: bool) -> folium.GeoJson:
    hover = """
        function (feature, layer) {
            var base = feature.properties.style;
            %s
            layer.on("mouseover", function () {
                layer.setStyle({weight: base.weight + 2});
            });
            layer.on("mouseout", function () { layer.setStyle(base); });
        }
    """ % ("layer.bindTooltip(feature.properties.label, {sticky: true});" if tooltips else "")
    return folium.GeoJson(
        # folium may add ids to the dict it is given: keep the cached copy pristine.
        copy.deepcopy(data),
        name=name,
        on_each_feature=folium.JsCode(hover),
        siaga_layer=siaga_layer,
    )


def _kelurahan_geojson(kelurahan: Any) -> dict:
    features = []
    for i, row in enumerate(kelurahan.itertuples(index=False)):
        label = labels.MAP_KELURAHAN_TOOLTIP.format(
            kelurahan=escape_html(str(row.nama)), kecamatan=escape_html(str(row.kecamatan))
        )
        style = {
            "color": "#78909c",
            "weight": 1,
            "opacity": 0.9,
            "fillColor": "#b0bec5",
            "fillOpacity": 0.08,
        }
        features.append(_feature(i, row.geometry, {"label": label, "style": style}))
    return {"type": "FeatureCollection", "features": features}


def _kecamatan_geojson(kecamatan: Any, *, theme: str) -> dict:
    colour = "#eceff1" if theme == DARK else "#37474f"
    features = []
    for i, row in enumerate(kecamatan.itertuples(index=False)):
        label = labels.MAP_KECAMATAN_TOOLTIP.format(kecamatan=escape_html(str(row.nama)))
        style = {"color": colour, "weight": 3, "opacity": 0.9, "fill": False}
        features.append(_feature(i, row.geometry, {"label": label, "style": style}))
    return {"type": "FeatureCollection", "features": features}


def _flood_zone_geojson(zones: Any) -> dict:
    features = []
    for i, row in enumerate(zones.itertuples(index=False)):
        level = str(getattr(row, "level", "") or "").strip().lower()
        style = {
            "weight": 1,
            "opacity": 0.8,
            **FLOOD_LEVEL_STYLE.get(level, FLOOD_LEVEL_STYLE["rendah"]),
        }
        label = labels.MAP_FLOOD_TOOLTIP.format(
            name=escape_html(str(row.name)),
            level=escape_html(labels.MAP_FLOOD_LEVEL.get(level, level)),
        )
        if bool(getattr(row, "derived", False)):
            label += f"<br><i>{escape_html(labels.MAP_FLOOD_DERIVED_NOTE)}</i>"
        features.append(_feature(i, row.geometry, {"label": label, "style": style}))
    return {"type": "FeatureCollection", "features": features}


def _feature(i: int, geometry: Any, properties: dict) -> dict:
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, COORD_DECIMALS))
    return {
        "type": "Feature",
        "id": str(i),
        "properties": properties,
        "geometry": json.loads(shapely.to_geojson(rounded)),
    }


def _short_kondisi(kondisi: str) -> str:
    if len(kondisi) > KONDISI_TOOLTIP_CHARS:
        kondisi = kondisi[:KONDISI_TOOLTIP_CHARS] + "…"
    return redact_phone_like(kondisi)


class _Lookup:
    """Distinct texts in first-seen order; index() adds a new one."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._positions: dict[str, int] = {}

    def index(self, value: str) -> int:
        position = self._positions.get(value)
        if position is None:
            position = self._positions[value] = len(self.values)
            self.values.append(value)
        return position


def _inert_json(value: Any) -> str:
    """JSON for inline script that neither HTML nor branca's second Jinja pass can read into.

    Strings are JSON-escaped with <, >, &, ' and both braces as \\uXXXX escapes: the browser's
    JS sees the original characters, the HTML parser sees no tag and Jinja sees no "{{".
    """
    if isinstance(value, Mapping):
        items = (f"{_inert_json(str(key))}:{_inert_json(item)}" for key, item in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_inert_json(item) for item in value) + "]"
    return json.dumps(value, allow_nan=False).translate(_INERT_JSON)


def _facility_tooltip(row: Any, *, approximate: bool) -> str:
    esc = escape_html
    kind = str(row.kind)
    title = f"<b>{esc(str(row.name))}</b>"
    if approximate:
        title += f" {esc(labels.MAP_APPROXIMATE)}"
    lines = [title, esc(labels.MAP_FACILITY_KIND.get(kind, kind))]
    address = _text(getattr(row, "address", None))
    if address:
        lines.append(esc(address))
    return "<br>".join(lines)


def _palette(frame: pd.DataFrame) -> list[str]:
    if frame.empty or "color" not in frame.columns:
        return [_colour(None)]
    return sorted({_colour(value) for value in frame["color"].tolist()})


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


def _colour(value: object) -> str:
    # Colours come from the editable catalogue: only a plain hex colour reaches the CSS.
    text = _text(value)
    return text if text and _HEX_COLOUR.fullmatch(text) else "#607d8b"


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    text = str(value).strip()
    return text or None


def _as_datetime(value: object) -> Any:
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    return value


def _is_local(url: str, urls: Any) -> bool:
    return url in set(vars(urls).values()) or not re.match(r"^(https?:)?//", url)


def _walk(element: Any) -> Iterable[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _check_theme(theme: str) -> None:
    if theme not in THEMES:
        msg = f"unknown theme {theme!r}; choose from {', '.join(THEMES)}"
        raise ValueError(msg)


def _css(theme: str) -> str:
    dark = theme == DARK
    background = "#0b1220" if dark else "#e9eef2"
    text = "#eceff1" if dark else "#212121"
    panel = "rgba(17,24,39,0.92)" if dark else "rgba(255,255,255,0.94)"
    outline = "#f5f5f5" if dark else "#212121"
    font_px = 18 if dark else 13
    return f"""
.leaflet-container {{ background: {background}; font-family: sans-serif; font-size: {font_px}px; }}
.leaflet-tooltip {{ font-size: {font_px}px; line-height: 1.35; width: max-content;
  max-width: 340px; white-space: normal; background: {panel}; color: {text};
  border-color: #90a4ae; }}
.leaflet-control-attribution {{ font-size: {12 if dark else 11}px;
  background: {panel} !important; color: {text}; }}
.leaflet-control-attribution a {{ color: {"#90caf9" if dark else "#0d47a1"}; }}
{".leaflet-tile-pane { filter: invert(1) hue-rotate(180deg) brightness(0.75); }" if dark else ""}
.siaga-inc-icon, .siaga-fac-icon {{ background: none; border: none; }}
.siaga-inc {{ width: 100%; height: 100%; box-sizing: border-box; border-radius: 50%;
  border: 3px solid {outline}; box-shadow: 0 0 0 1.5px {background}; position: relative; }}
.siaga-st-baru {{ border-style: dashed; }}
.siaga-st-diterima::after {{ content: ""; position: absolute; left: 30%; top: 30%; width: 40%;
  height: 40%; border-radius: 50%; background: {outline}; }}
.siaga-st-ditangani {{ border-radius: 3px; }}
.siaga-od {{ box-shadow: 0 0 0 3px #ff1744, 0 0 10px 4px rgba(255,23,68,0.75);
  animation: siaga-pulse 1.4s ease-in-out infinite; }}
@keyframes siaga-pulse {{
  50% {{ box-shadow: 0 0 0 6px #ff1744, 0 0 18px 8px rgba(255,23,68,0.5); }} }}
@media (prefers-reduced-motion: reduce) {{ .siaga-od {{ animation: none; }} }}
.siaga-cluster {{ background: rgba(84,110,122,0.45); border-radius: 50%; }}
.siaga-cluster div {{ width: calc(100% - 8px); height: calc(100% - 8px); margin: 4px;
  border-radius: 50%; background: rgba(38,50,56,0.92); color: #ffffff; font-weight: 700;
  display: flex; align-items: center; justify-content: center;
  font-size: {16 if dark else 12}px; }}
.siaga-cluster-od {{ background: rgba(255,23,68,0.55); box-shadow: 0 0 0 2px #ff1744; }}
.siaga-fac {{ display: inline-block; line-height: 0; padding: 2px; border-radius: 50%; }}
.siaga-fac-approx {{ border: 2px dashed {outline}; padding: 1px; }}
.siaga-legend {{ background: {panel}; color: {text}; padding: 6px 10px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.4); max-height: {"740px" if dark else "70vh"};
  overflow-y: auto;
  font-size: {15 if dark else 12}px; line-height: 1.2; max-width: {460 if dark else 420}px; }}
.siaga-legend summary {{ cursor: pointer; font-weight: 700; }}
.siaga-legend h4 {{ margin: 6px 0 2px; font-size: 1em; }}
.siaga-legend ul {{ list-style: none; margin: 0; padding: 0; }}
.siaga-legend ul.siaga-cats {{ display: grid; grid-template-columns: 1fr 1fr; column-gap: 10px; }}
.siaga-legend li {{ display: flex; align-items: center; gap: 6px; margin: 2px 0; }}
.siaga-legend .siaga-note {{ font-style: italic; opacity: 0.8; max-width: 220px; }}
.siaga-swatch {{ display: inline-block; width: 14px; height: 14px; border-radius: 3px;
  border: 1px solid {outline}; }}
.siaga-legend-inc {{ display: inline-block; width: 16px; height: 16px; background: #9e9e9e; }}
.siaga-legend-cluster {{ display: inline-flex; width: 18px; height: 18px; border-radius: 50%;
  align-items: center; justify-content: center; background: rgba(38,50,56,0.92);
  box-shadow: 0 0 0 3px rgba(84,110,122,0.45); color: #ffffff; font-size: 10px;
  font-weight: 700; margin: 0 1px; }}
"""
