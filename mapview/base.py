"""The city base map, offline: Leaflet served by the app, boundary and facility layers, legend.

No Streamlit here. Every map loads Leaflet and MarkerCluster from the app's own static folder
(see mapview.assets), never from a CDN; basemap tiles are opt-in (SIAGA_TILES_URL). Caller text
that reaches a tooltip is html-escaped (mapview.escape): maps are shared screens. The browser
side is in files beside this module: base_map.js, initial_view.js, map.css and its themes.

Live refresh without reloading the map (streamlit-folium): build `base_map(...)` afresh on every
run from the same data (the GeoJSON is cached on the City, never the folium.Map), and pass
`incident_layer(...)` / `nearest_post_layer(...)` as `feature_group_to_add` with a fixed `key`.
Do not add branca colormaps or folium plugins whose assets are not vendored: `offline_assets`
refuses them rather than let a CDN link through.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from dashboard import labels
from geo.crs import to_geographic
from mapview.assets import browser_source, offline_assets
from mapview.escape import escape_html
from mapview.facilities import facility_layer
from mapview.incidents import incident_layer
from mapview.legend import Legend, legend_html
from mapview.style import (
    DARK,
    DEFAULT_LAYERS,
    FLOOD_LEVEL_STYLE,
    LIGHT,
    MapStyle,
    check_theme,
)

TILES_ENV = "SIAGA_TILES_URL"
MIN_ZOOM = 11
MAX_ZOOM = 19
COORD_DECIMALS = 5  # ~1 m: plenty for boundaries drawn at city scale, and a third of the bytes
# Incidents this far beyond the city's bounding box may widen the first view (the service area
# ends 5 km out); a point farther away is a typing error and would zoom the city to nothing.
FIT_REACH_M = 10_000.0
_BASE_MAP_JS = browser_source("base_map.js")
_INITIAL_VIEW_JS = browser_source("initial_view.js")


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
    widens an untouched view for a later incident outside it (initial_view.js).
    """
    check_theme(theme)
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
    m.add_child(MapStyle(theme))
    m.add_child(_BaseScript())
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
        body = legend_html(categories or {}, layers=layers, theme=theme, is_open=is_open)
        m.add_child(Legend(body, position=legend_position))
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


def map_html(m: folium.Map) -> str:
    """The map as one standalone HTML page (tests, benchmarks, saving a snapshot)."""
    return m.get_root().render()


# --- private helpers -------------------------------------------------------------------------


class _BaseScript(MacroElement):
    """base_map.js, first in the map's script: the functions its controls and layers call."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.source }}
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BaseScript"
        self.source = _BASE_MAP_JS


class _Controls(MacroElement):
    """A metric scale bar and the data attributions (boundaries, OpenStreetMap): base_map.js."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        siagaControls({{ this._parent.get_name() }}, {{ this.texts|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, texts: Sequence[str]) -> None:
        super().__init__()
        self._name = "Controls"
        self.texts = [escape_html(text) for text in texts]


class _InitialView(MacroElement):
    """Fit the city while the frame settles, then once the city and the open incidents.

    The browser code is initial_view.js (why and how there). `reach` bounds the incidents that
    may widen the view; `grow` lets a later incident outside the view widen it again on a map
    nobody has touched (the wall display).
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
    data = city.memo("mapview.base.kelurahan", lambda: _kelurahan_geojson(city.kelurahan))
    return _geojson_layer(
        data, name=labels.MAP_LAYER_KELURAHAN, siaga_layer="kelurahan", tooltips=tooltips
    )


def _kecamatan_layer(city: Any, *, theme: str, tooltips: bool) -> folium.GeoJson:
    data = city.memo(
        f"mapview.base.kecamatan.{theme}", lambda: _kecamatan_geojson(city.kecamatan, theme=theme)
    )
    return _geojson_layer(
        data, name=labels.MAP_LAYER_KECAMATAN, siaga_layer="kecamatan", tooltips=tooltips
    )


def _flood_zone_layer(city: Any, *, tooltips: bool) -> folium.GeoJson:
    data = city.memo("mapview.base.flood_zones", lambda: _flood_zone_geojson(city.flood_zones))
    return _geojson_layer(
        data, name=labels.MAP_LAYER_FLOOD, siaga_layer="flood_zones", tooltips=tooltips
    )


def _geojson_layer(data: dict, *, name: str, siaga_layer: str, tooltips: bool) -> folium.GeoJson:
    # Functions of base_map.js: a thicker outline on hover, and the label as a tooltip.
    on_each_feature = "siagaFeatureTooltipHover" if tooltips else "siagaFeatureHover"
    return folium.GeoJson(
        # folium may add ids to the dict it is given: keep the cached copy pristine.
        copy.deepcopy(data),
        name=name,
        on_each_feature=folium.JsCode(on_each_feature),
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
