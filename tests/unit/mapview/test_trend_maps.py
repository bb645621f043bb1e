"""The Tren map: counts per kelurahan, readable class steps, nothing from a CDN, names escaped."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard import labels
from geo import default_city
from geo.grid_counts import grid_spec
from mapview.base import map_html
from mapview.trend_maps import (
    PALETTE,
    ZERO_FILL,
    class_breaks,
    class_colour,
    class_labels,
    trend_map,
)


def decoded(html: str) -> str:
    """The page with folium's JSON escapes (\\u003c for <, ...) turned back into characters."""
    for code, char in (("003c", "<"), ("003e", ">"), ("0026", "&"), ("0027", "'")):
        html = html.replace(f"\\u{code}", char)
    return html


@pytest.fixture(scope="module")
def city():
    return default_city()


def test_class_breaks_are_round_steps_that_include_the_maximum():
    assert class_breaks([3, 10, 47]) == [10, 20, 30, 40, 50]
    assert class_breaks([1, 2, 3]) == [1, 2, 3]
    assert class_breaks([0, 0]) == []
    assert class_breaks([241, 144]) == [50, 100, 150, 200, 250]
    assert class_labels([10, 20, 30]) == ["1-10", "11-20", "21-30"]
    assert class_labels([1, 2]) == ["1", "2"]


def test_zero_is_grey_and_the_busiest_class_is_darkest():
    breaks = class_breaks([3, 10, 47])
    assert class_colour(0, breaks) == ZERO_FILL
    assert class_colour(47, breaks) == PALETTE[-1]
    assert class_colour(1, breaks) == PALETTE[0]
    assert class_colour(2, [1, 2]) == PALETTE[-1]  # two classes still end on the darkest


def test_the_map_draws_every_kelurahan_with_its_count_and_loads_nothing_from_outside(city):
    first = city.kelurahan.iloc[0]
    counts = pd.DataFrame({"kelurahan_kode": [first["kode"]], "count": [7]})
    kecamatan = pd.DataFrame({"kecamatan": [first["kecamatan"]], "count": [7]})
    spec = grid_spec(cell_m=250.0, city=city)
    cells = pd.DataFrame({"ix": [10], "iy": [10], "count": [4]})
    html = decoded(
        map_html(
            trend_map(
                city,
                kelurahan_counts=counts,
                kecamatan_counts=kecamatan,
                grid_spec=spec,
                grid_cells=cells,
            )
        )
    )
    expected = labels.TREND_MAP_TOOLTIP_KELURAHAN.format(
        kelurahan=first["nama"], kecamatan=first["kecamatan"], count=7
    )
    assert expected in html
    assert labels.TREND_MAP_LAYER_GRID.format(cell_m=250) in html
    assert html.count('"label":') >= len(city.kelurahan) + len(city.kecamatan)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, "the map loads Leaflet from somewhere"
    assert all(s.startswith("/app/static/") for s in sources), sources


def test_a_hostile_kelurahan_name_is_escaped_in_the_tooltip(city):
    kelurahan = city.kelurahan.copy()
    kelurahan.loc[kelurahan.index[0], "nama"] = "<img src=x onerror=alert(1)>"
    hostile = city.with_layer("kelurahan", kelurahan)
    html = decoded(
        map_html(
            trend_map(
                hostile,
                kelurahan_counts=pd.DataFrame({"kelurahan_kode": [], "count": []}),
                kecamatan_counts=pd.DataFrame({"kecamatan": [], "count": []}),
            )
        )
    )
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
