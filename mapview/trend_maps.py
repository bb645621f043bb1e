"""The Tren page's map: incidents per kelurahan and kecamatan, and a density grid, offline.

Built on mapview.base.base_map (Leaflet served by the app, no tiles needed) with the legend
control both maps use (mapview.legend); every label that reaches a tooltip or the legend is
escaped (mapview.escape). No Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely

from dashboard import labels
from geo.grid_counts import GridSpec, cells_frame
from mapview.assets import offline_assets
from mapview.base import COORD_DECIMALS, base_map
from mapview.escape import escape_html
from mapview.legend import Legend

# ColorBrewer YlOrRd, 5 classes: readable on a projector and for most colour-blind viewers.
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
ZERO_FILL = "#eceff1"


def trend_map(
    city: Any,
    *,
    kelurahan_counts: pd.DataFrame,
    kecamatan_counts: pd.DataFrame,
    grid_spec: GridSpec | None = None,
    grid_cells: pd.DataFrame | None = None,
    static_url: str | None = None,
) -> folium.Map:
    """The city with incident counts: kelurahan choropleth, kecamatan totals, optional grid.

    `kelurahan_counts` has kelurahan_kode and count (dashboard.trends.by_kelurahan),
    `kecamatan_counts` kecamatan and count; `grid_cells` (ix, iy, count) are cells of
    `grid_spec` counted by the database, drawn clipped to the city as a layer that starts hidden.
    """
    m = base_map(city, layers=(), legend=False, layer_control=False, static_url=static_url)
    by_kode = _counts(kelurahan_counts, "kelurahan_kode")
    kelurahan_breaks = class_breaks(list(by_kode.values()))
    _kelurahan_layer(city.kelurahan, by_kode, kelurahan_breaks).add_to(m)
    _kecamatan_layer(city.kecamatan, _counts(kecamatan_counts, "kecamatan")).add_to(m)
    sections = [(labels.TREND_MAP_LAYER_KELURAHAN, kelurahan_breaks)]
    if grid_spec is not None and grid_cells is not None and not grid_cells.empty:
        cells = cells_frame(grid_spec, grid_cells, city=city)
        grid_breaks = class_breaks([int(c) for c in cells["count"]])
        grid_name = labels.TREND_MAP_LAYER_GRID.format(cell_m=round(grid_spec.cell_m))
        _grid_layer(cells, grid_breaks, name=grid_name, cell_m=grid_spec.cell_m).add_to(m)
        sections.append((grid_name, grid_breaks))
    m.add_child(Legend(_count_legend_html(sections)))
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return offline_assets(m, static_url=static_url)


def class_breaks(values: Sequence[int], *, classes: int = len(PALETTE)) -> list[int]:
    """Upper bounds of up to `classes` equal-width count classes (1..max), whole numbers.

    [3, 10, 47] with 5 classes gives [10, 20, 30, 40, 50]: readable steps, max included.
    """
    top = max((int(v) for v in values), default=0)
    if top <= 0:
        return []
    if top <= classes:
        return list(range(1, top + 1))
    raw_step = top / classes
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(
        s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw_step
    )  # a "nice" step
    step = max(1, math.ceil(step))
    return [step * i for i in range(1, math.ceil(top / step) + 1)]


def class_colour(count: int, breaks: Sequence[int]) -> str:
    if count <= 0 or not breaks:
        return ZERO_FILL
    for i, upper in enumerate(breaks):
        if count <= upper:
            return PALETTE[_palette_index(i, len(breaks))]
    return PALETTE[-1]


def class_labels(breaks: Sequence[int]) -> list[str]:
    """'1', '2-3', ... for each class, the text the legend shows."""
    result, low = [], 1
    for upper in breaks:
        result.append(str(upper) if upper == low else f"{low}-{upper}")
        low = upper + 1
    return result


# --- private helpers -------------------------------------------------------------------------


def _palette_index(i: int, n_classes: int) -> int:
    # Fewer classes than colours: spread them over the palette so the top is always darkest.
    if n_classes >= len(PALETTE):
        return min(i, len(PALETTE) - 1)
    if n_classes == 1:
        return len(PALETTE) - 1
    return round(i * (len(PALETTE) - 1) / (n_classes - 1))


def _counts(frame: pd.DataFrame, key: str) -> dict[str, int]:
    if frame is None or frame.empty:
        return {}
    return {
        str(k): int(c)
        for k, c in zip(frame[key], frame["count"], strict=True)
        if k is not None and not pd.isna(k)
    }


def _kelurahan_layer(kelurahan: Any, by_kode: dict[str, int], breaks: list[int]) -> folium.GeoJson:
    features = []
    for row in kelurahan.itertuples(index=False):
        count = by_kode.get(str(row.kode), 0)
        label = labels.TREND_MAP_TOOLTIP_KELURAHAN.format(
            kelurahan=escape_html(str(row.nama)),
            kecamatan=escape_html(str(row.kecamatan)),
            count=count,
        )
        style = {
            "color": "#607d8b",
            "weight": 1,
            "fillColor": class_colour(count, breaks),
            "fillOpacity": 0.75 if count else 0.35,
        }
        features.append(_feature(row.geometry, {"label": label, "style": style}))
    return _layer(features, name=labels.TREND_MAP_LAYER_KELURAHAN)


def _kecamatan_layer(kecamatan: Any, by_name: dict[str, int]) -> folium.GeoJson:
    features = []
    for row in kecamatan.itertuples(index=False):
        label = labels.TREND_MAP_TOOLTIP_KECAMATAN.format(
            kecamatan=escape_html(str(row.nama)), count=by_name.get(str(row.nama), 0)
        )
        style = {"color": "#263238", "weight": 3, "fill": False, "fillOpacity": 0}
        features.append(_feature(row.geometry, {"label": label, "style": style}))
    return _layer(features, name=labels.TREND_MAP_LAYER_KECAMATAN, interactive_fill=False)


def _grid_layer(
    cells: Any, breaks: list[int], *, name: str, cell_m: float | None
) -> folium.GeoJson:
    features = []
    for row in cells.itertuples(index=False):
        count = int(row.count)
        label = labels.TREND_MAP_TOOLTIP_GRID.format(count=count, cell_m=round(cell_m or 0))
        style = {
            "color": "#5d4037",
            "weight": 0.5,
            "fillColor": class_colour(count, breaks),
            "fillOpacity": 0.8,
        }
        features.append(_feature(row.geometry, {"label": label, "style": style}))
    return _layer(features, name=name, show=False)


def _feature(geometry: Any, properties: dict) -> dict:
    # Plain rounding, no topology: the source boundaries have small overlaps (PEKALONGAN.md).
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, COORD_DECIMALS))
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": shapely.geometry.mapping(rounded),
    }


def _layer(
    features: list[dict], *, name: str, show: bool = True, interactive_fill: bool = True
) -> folium.GeoJson:
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        show=show,
        style_function=lambda feature: feature["properties"]["style"],
        highlight_function=(
            (lambda _feature: {"weight": 3, "fillOpacity": 0.9}) if interactive_fill else None
        ),
        # base_map.js (part of every base map): the label as a sticky tooltip.
        on_each_feature=folium.JsCode("siagaFeatureTooltip"),
    )


def _count_legend_html(sections: list[tuple[str, list[int]]]) -> str:
    """Each layer's count classes and colours (all text escaped), in a white card (map.css)."""
    parts = [
        '<div class="siaga-count-legend">',
        f"<b>{escape_html(labels.TREND_MAP_LEGEND_TITLE)}</b>",
    ]
    for title, breaks in sections:
        parts.append(f'<div class="siaga-count-layer">{escape_html(title)}</div>')
        rows = [(ZERO_FILL, "0")] + [
            (class_colour(upper, breaks), text)
            for upper, text in zip(breaks, class_labels(breaks), strict=True)
        ]
        for colour, text in rows:
            parts.append(
                f'<div><span class="siaga-count-swatch" style="background:{colour}"></span>'
                f"{escape_html(text)}</div>"
            )
    parts.append("</div>")
    return "".join(parts)
