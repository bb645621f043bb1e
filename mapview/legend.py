"""The legend control both maps use (legend.js), and the live and wall maps' legend text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from branca.element import MacroElement
from folium.template import Template

from dashboard import labels
from mapview.assets import browser_source
from mapview.escape import escape_html, safe_colour
from mapview.facilities import facility_symbol_html
from mapview.style import (
    DARK,
    DEFAULT_LAYERS,
    FACILITY_SYMBOL,
    FLOOD_LEVEL_STYLE,
    LIGHT,
    STATUS_CLASS,
    check_theme,
)
from mapview.warnings import warning_swatch_svg

_LEGEND_JS = browser_source("legend.js")


class Legend(MacroElement):
    """A legend box in one corner of the map holding `body`, HTML whose every text is escaped."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.source }}
        var {{ this.get_name() }} = siagaLegend({{ this._parent.get_name() }},
            {{ this.position|tojson }}, {{ this.body|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str, *, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "Legend"
        self.source = _LEGEND_JS
        self.position = position
        self.body = body


def legend_html(
    categories: Mapping[str, tuple[str, str]],
    *,
    layers: Sequence[str] = DEFAULT_LAYERS,
    theme: str = LIGHT,
    is_open: bool = True,
    warnings: bool = True,
) -> str:
    """The incident map's legend (categories, statuses, flood levels, warnings, facilities),
    foldable. The warning entry is there whether or not an alert is active: the legend is part
    of the fixed base map, which must not change when an alert comes or goes (mapview.base)."""
    check_theme(theme)
    esc = escape_html
    parts = ["<details open>" if is_open else "<details>"]
    parts.append(f"<summary>{esc(labels.MAP_LEGEND_TITLE)}</summary>")
    if categories:
        parts.append(f'<h4>{esc(labels.MAP_LEGEND_CATEGORIES)}</h4><ul class="siaga-cats">')
        for name, colour in categories.values():
            parts.append(
                f'<li><span class="siaga-swatch" style="background:{safe_colour(colour)}"></span>'
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
    if warnings:
        parts.append(
            f"<h4>{esc(labels.MAP_LEGEND_CAP)}</h4><ul><li>{warning_swatch_svg(theme=theme)}"
            f"{esc(labels.MAP_LEGEND_CAP_AREA)}</li></ul>"
        )
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


# The wall's legend is a strip beside the map (never over it): the six classes and the status
# shapes, in type a person reads at five metres. Inline SVG, so it needs no map CSS.
_WALL_STATUS_SVG = {
    "BARU": '<circle cx="14" cy="14" r="10" fill="#90a4ae" stroke="#fff" stroke-width="3" '
    'stroke-dasharray="4 3"/>',
    "DITERUSKAN": '<circle cx="14" cy="14" r="10" fill="#90a4ae" stroke="#fff" stroke-width="3"/>',
    "DITERIMA": '<circle cx="14" cy="14" r="10" fill="#90a4ae" stroke="#fff" stroke-width="3"/>'
    '<circle cx="14" cy="14" r="4" fill="#fff"/>',
    "DITANGANI": '<rect x="4" y="4" width="20" height="20" rx="3" fill="#90a4ae" stroke="#fff" '
    'stroke-width="3"/>',
    "OVERDUE": '<circle cx="14" cy="14" r="11" fill="none" stroke="#ff1744" stroke-width="4"/>'
    '<circle cx="14" cy="14" r="6" fill="#90a4ae"/>',
}


def wall_legend_html(classes: Mapping[str, str], *, warning: bool = False) -> str:
    """The wall's side legend: class code -> colour for the classes to list, then the shapes,
    then, while a CAP warning is on the map (`warning`), its outline."""
    esc = escape_html
    parts = ['<div class="wall-legend" data-testid="wall-legend"><div class="wl-classes">']
    for code, colour in classes.items():
        parts.append(
            f'<span class="wl-item"><span class="wl-dot" style="background:{safe_colour(colour)}">'
            f"</span>{esc(labels.CATEGORY_CLASS.get(code, code))}</span>"
        )
    parts.append('</div><div class="wl-status">')
    for status, svg in _WALL_STATUS_SVG.items():
        parts.append(
            f'<span class="wl-item"><svg width="28" height="28" viewBox="0 0 28 28" '
            f'aria-hidden="true">{svg}</svg>{esc(labels.WALL_STATUS_SHORT[status])}</span>'
        )
    parts.append("</div>")
    if warning:
        parts.append(
            f'<div class="wl-cap"><span class="wl-item">'
            f"{warning_swatch_svg(width_px=40, height_px=14, theme=DARK)}"
            f"{esc(labels.WALL_LEGEND_CAP)}</span></div>"
        )
    parts.append("</div>")
    return "".join(parts)
