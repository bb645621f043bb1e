"""The maps' look: themes, layer names, status and facility symbols, and the CSS (map.css)."""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

from dashboard.domain import BARU, DITANGANI, DITERIMA, DITERUSKAN
from mapview.assets import browser_source

LIGHT, DARK = "light", "dark"
THEMES = (LIGHT, DARK)
DEFAULT_LAYERS = ("kelurahan", "flood_zones", "kecamatan", "facilities")

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
# The six category classes (dashboard.catalogue.CATEGORY_CLASS) in the Okabe-Ito palette, which
# stays distinguishable for the common colour-vision deficiencies (Okabe & Ito 2008).
CLASS_COLOR = {
    "FIRE": "#D55E00",  # vermillion
    "WATER": "#0072B2",  # blue
    "MEDICAL": "#E69F00",  # orange
    "SECURITY": "#CC79A7",  # reddish purple
    "ENVIRONMENT": "#009E73",  # bluish green
    "OTHER": "#999999",  # grey
}

# Read once: the theme's variables first (theme_<name>.css), then the rules that use them.
_CSS = {theme: browser_source(f"theme_{theme}.css") + browser_source("map.css") for theme in THEMES}


class MapStyle(MacroElement):
    """The map's own CSS for a theme, inlined in the page header: no stylesheet or font download."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        """
    )

    def __init__(self, theme: str) -> None:
        super().__init__()
        check_theme(theme)
        self._name = "MapStyle"
        self.css = _CSS[theme]


def check_theme(theme: str) -> None:
    """Raise ValueError unless `theme` is LIGHT or DARK."""
    if theme not in THEMES:
        msg = f"unknown theme {theme!r}; choose from {', '.join(THEMES)}"
        raise ValueError(msg)
