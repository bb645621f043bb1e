"""The maps' first view: the city, then the city and every open incident (a call at sea)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit_folium

from geo import load_city
from geo.crs import to_metric_xy
from mapview import base
from mapview.base import base_map, map_html, standalone_map
from mapview.incidents import incident_payload
from mapview.style import DARK

INITIAL_VIEW_JS = Path(base.__file__).with_name("initial_view.js")
SEA_TEXT = "Laut, 1,2 km dari Panjang Wetan"


@pytest.fixture(scope="module")
def city():
    return load_city()


def sea_incident() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [7],
            "code": ["112-20261128-0007"],
            "lat": [-6.8451],
            "lon": [109.6926],
            "status": ["DITERUSKAN"],
            "color": ["#e7298a"],
            "category_name": ["Ambulans"],
            "kelurahan": [None],
            "place": [SEA_TEXT],
            "received_at_utc": [datetime(2026, 11, 28, 3, 0)],
            "opd_name": ["PMI"],
            "overdue": [None],
            "kondisi": ["Nelayan terluka"],
        }
    )


def test_the_first_view_script_survives_brancas_second_template_pass():
    # branca renders every map script as a Jinja template once more: no {{, {% or {# allowed.
    source = INITIAL_VIEW_JS.read_text(encoding="utf-8")
    assert not any(marker in source for marker in ("{{", "{%", "{#", "%}", "}}"))
    assert "function siagaInitialView(" in source


def test_the_base_map_fits_the_city_and_lets_incidents_within_10_km_widen_it(city):
    m = base_map(city)
    html = map_html(m)
    west, south, east, north = (float(v) for v in city.kelurahan.total_bounds)
    assert "siagaInitialView(" in html and "siagaFitIncidents" in html
    view = next(c for c in m._children.values() if c._name == "InitialView")
    assert view.bounds == [[south, west], [north, east]]
    (reach_south, reach_west), (reach_north, reach_east) = view.reach
    x, y = to_metric_xy(np.array([reach_west, reach_east]), np.array([reach_south, reach_north]))
    city_west, city_south, city_east, city_north = city.outline_utm.bounds
    assert (city_west - x[0], x[1] - city_east) == pytest.approx((10_000, 10_000), abs=1e-3)
    assert (city_south - y[0], y[1] - city_north) == pytest.approx((10_000, 10_000), abs=1e-3)
    assert view.grow is False


def test_only_the_wall_map_keeps_widening_for_later_incidents(city):
    wall = base_map(city, theme=DARK, grow_view_with_incidents=True)
    view = next(c for c in wall._children.values() if c._name == "InitialView")
    assert view.grow is True


def test_the_wall_map_with_the_first_view_script_is_identical_on_every_build(city):
    # st_folium keys its iframe on the map's hash: the same inputs must give the same map.
    def key() -> str:
        m = base_map(city, theme=DARK, grow_view_with_incidents=True)
        m.get_root().render()
        return streamlit_folium.generate_js_hash(streamlit_folium._get_map_string(m), "k", False)

    assert key() == key()


def test_the_incident_layer_asks_the_map_to_fit_its_incidents_when_it_arrives():
    html = map_html(standalone_map(load_city(), sea_incident()))
    assert 'layer.once("add"' in html and "siagaFitIncidents(" in html


def test_a_sea_incident_tooltip_names_the_sea_and_a_city_one_its_kelurahan():
    frame = pd.concat(
        [sea_incident(), sea_incident().assign(id=8, kelurahan="Kauman", place="Kauman")]
    )
    payload = incident_payload(frame)
    assert payload.lookups["kelurahan"] == [SEA_TEXT, "Kel. Kauman"]
