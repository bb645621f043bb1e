"""CAP warnings on the map: every ring of an active alert as a hazard-tape outline, with a tooltip.

The outline is a wide amber line with black dashes inside: the amber carries it on the dark
wall map, the black on the light desk map, and no other layer is drawn like it (flood zones are
filled blues, boundaries solid greys, incidents are point markers). There is no fill: the flood
zones and the incident colours under an alert stay as they are, and a ring is a line, so
hovering inside a province-wide polygon still shows the kelurahan under the pointer.

No Streamlit here. `warning_geojson` is the cacheable part (one per refresh for every viewer),
`warning_layer_from` wraps it in a fresh FeatureGroup for st_folium's `feature_group_to_add` on
each run (streamlit-folium adds that group to the map it is given: never reuse one).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from typing import Any

import folium

from dashboard import labels
from dashboard.cap import ActiveAlert
from dashboard.domain import format_wib
from mapview.escape import clean_text, escape_html
from mapview.style import DARK, LIGHT, check_theme

WARNING_AMBER = "#ffc400"
WARNING_BLACK = "#111111"
WARNING_DASH = "12 10"
# (casing, dashes) line widths: the amber casing is wider than the black dashes inside it, so
# its edges show even where a ring runs back over itself; thicker on the wall (across the room).
WARNING_WEIGHT_PX = {LIGHT: (6, 3), DARK: (9, 5)}
WARNING_LAYER = "cap_warnings"
COORD_DECIMALS = 5


def warning_geojson(alerts: Sequence[ActiveAlert], *, theme: str = LIGHT) -> dict:
    """The rings of `alerts` as a GeoJSON FeatureCollection of hazard-tape lines.

    Two features per ring, drawn in this order: the amber casing ("part": "casing"), then the
    black dashes ("part": "dash"), both with the alert's tooltip label (escaped HTML). A ring
    with fewer than two usable [lon, lat] points is skipped; an alert without rings adds none.
    """
    check_theme(theme)
    features = []
    for alert in alerts:
        label = warning_tooltip_html(alert)
        for ring in alert.rings:
            line = _line(ring)
            if len(line) < 2:
                continue
            for part, style in warning_styles(theme).items():
                features.append(
                    {
                        "type": "Feature",
                        "id": str(len(features)),
                        "properties": {"label": label, "part": part, "style": style},
                        "geometry": {"type": "LineString", "coordinates": line},
                    }
                )
    return {"type": "FeatureCollection", "features": features}


def warning_layer_from(data: dict, *, tooltips: bool = True) -> folium.FeatureGroup | None:
    """A FeatureGroup with the outlines of `warning_geojson`, or None when there are none."""
    if not data["features"]:
        return None
    group = folium.FeatureGroup(name=labels.MAP_LAYER_CAP, overlay=True)
    folium.GeoJson(
        # folium may add ids to the dict it is given: keep the cached copy pristine.
        copy.deepcopy(data),
        name=labels.MAP_LAYER_CAP,
        # base_map.js: the tooltip is the label, escaped on the server.
        on_each_feature=folium.JsCode("siagaFeatureTooltip") if tooltips else None,
        siaga_layer=WARNING_LAYER,
    ).add_to(group)
    return group


def warning_layer(
    alerts: Sequence[ActiveAlert], *, theme: str = LIGHT, tooltips: bool = True
) -> folium.FeatureGroup | None:
    """The active alerts' outlines as one layer, or None when no alert has a ring."""
    return warning_layer_from(warning_geojson(alerts, theme=theme), tooltips=tooltips)


def warning_styles(theme: str = LIGHT) -> dict[str, dict[str, Any]]:
    """The Leaflet path style of each part of a warning outline for `theme`, in drawing order."""
    check_theme(theme)
    casing, dash = WARNING_WEIGHT_PX[theme]
    common = {"opacity": 1.0, "fill": False, "lineCap": "butt"}
    return {
        "casing": {**common, "weight": casing, "color": WARNING_AMBER},
        "dash": {**common, "weight": dash, "color": WARNING_BLACK, "dashArray": WARNING_DASH},
    }


def warning_summary(alert: ActiveAlert) -> str:
    """The alert in one line, "<event> · <severity> · sampai HH:MM WIB": plain text."""
    return labels.CAP_SUMMARY.format(
        event=clean_text(alert.event) or labels.CAP_EVENT_UNKNOWN,
        severity=labels.CAP_SEVERITY.get(alert.severity, alert.severity),
        until=until_text(alert),
    )


def until_text(alert: ActiveAlert) -> str:
    """The alert's end, "sampai HH:MM WIB", or the words for an alert that names none."""
    if alert.expires_utc is None:
        return labels.CAP_UNTIL_OPEN
    return labels.CAP_UNTIL.format(time=format_wib(alert.expires_utc, with_date=False)[:5])


def warning_tooltip_html(alert: ActiveAlert) -> str:
    """The outline's tooltip: event, severity and end in bold, then the headline; all escaped."""
    lines = [f"<b>{escape_html(warning_summary(alert))}</b>"]
    headline = clean_text(alert.headline)
    if headline:
        lines.append(escape_html(headline))
    areas = areas_text(alert)
    if areas:
        lines.append(escape_html(labels.CAP_AREAS.format(places=areas)))
    return "<br>".join(lines)


def areas_text(alert: ActiveAlert) -> str:
    """The places of the city the alert names or covers, else its own area text; may be ""."""
    places = [name for name in (clean_text(p) for p in alert.matched_places) if name]
    return ", ".join(places) if places else clean_text(alert.area_desc) or ""


def warning_swatch_svg(*, width_px: int = 28, height_px: int = 14, theme: str = LIGHT) -> str:
    """The outline as a short horizontal line of inline SVG, for the legends."""
    y = height_px / 2
    parts = []
    for style in warning_styles(theme).values():
        dash = f' stroke-dasharray="{style["dashArray"]}"' if "dashArray" in style else ""
        parts.append(
            f'<line x1="0" y1="{y:g}" x2="{width_px}" y2="{y:g}" stroke="{style["color"]}" '
            f'stroke-width="{min(style["weight"], height_px)}"{dash}/>'
        )
    return (
        f'<svg class="siaga-cap-swatch" width="{width_px}" height="{height_px}" '
        f'viewBox="0 0 {width_px} {height_px}" aria-hidden="true">{"".join(parts)}</svg>'
    )


# --- private helpers -------------------------------------------------------------------------


def _line(ring: Iterable[Any]) -> list[list[float]]:
    """[[lon, lat], ...] rounded, without points that are not two finite numbers in range."""
    points = []
    for point in ring:
        try:
            lon, lat = (float(v) for v in point)
        except (TypeError, ValueError):
            continue
        if not (math.isfinite(lon) and math.isfinite(lat)):
            continue
        if -180 <= lon <= 180 and -90 <= lat <= 90:
            points.append([round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)])
    return points
