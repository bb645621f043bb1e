"""The CAP warning layer: hazard-tape outlines of tiny rings, escaped text, none without alerts."""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
import pytest

from dashboard.cap import ActiveAlert
from geo import load_city
from mapview.base import map_html, standalone_map
from mapview.legend import legend_html, wall_legend_html
from mapview.style import CLASS_COLOR, DARK, FLOOD_LEVEL_STYLE, LIGHT
from mapview.warnings import (
    WARNING_AMBER,
    WARNING_BLACK,
    WARNING_LAYER,
    areas_text,
    warning_geojson,
    warning_layer,
    warning_styles,
    warning_summary,
)

XSS = "<img src=x onerror=alert(1)>"
# A triangle inside Kota Pekalongan (the BMKG sample's), and a second ring as a square.
TRIANGLE = [[109.67, -6.89], [109.68, -6.88], [109.69, -6.87], [109.67, -6.89]]
SQUARE = [[109.6, -6.9], [109.7, -6.9], [109.7, -6.8], [109.6, -6.8], [109.6, -6.9]]


def alert(**values) -> ActiveAlert:
    fields = {
        "identifier": "2.49.0.1.360.0.2026.02.16.16.45.005",
        "msg_type": "Alert",
        "event": "Hujan Lebat dan Petir",
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Likely",
        "headline": "Hujan Lebat disertai Petir di Jawa Tengah",
        "description": None,
        "area_desc": "Jawa Tengah",
        "sender": "cuaca.ekstrem@bmkg.go.id",
        "sent_utc": datetime(2026, 2, 16, 15, 0),
        "effective_utc": datetime(2026, 2, 16, 15, 0),
        # 01:00 WIB on the 17th.
        "expires_utc": datetime(2026, 2, 16, 18, 0),
        "touch_reason": "polygon",
        "matched_places": ("Pekalongan Barat", "Pekalongan Utara"),
        "rings": (TRIANGLE,),
    }
    return ActiveAlert(**(fields | values))


@pytest.fixture(scope="module")
def city():
    return load_city()


def test_each_ring_is_an_amber_line_with_black_dashes_inside_with_the_points_as_given():
    data = warning_geojson([alert(rings=(TRIANGLE, SQUARE))])

    features = data["features"]
    assert [f["properties"]["part"] for f in features] == ["casing", "dash", "casing", "dash"]
    assert [f["geometry"]["type"] for f in features] == ["LineString"] * 4
    assert features[0]["geometry"]["coordinates"] == TRIANGLE
    assert features[1]["geometry"]["coordinates"] == TRIANGLE
    assert features[2]["geometry"]["coordinates"] == SQUARE
    assert features[0]["properties"]["style"]["color"] == WARNING_AMBER
    assert features[1]["properties"]["style"]["color"] == WARNING_BLACK
    assert all(f["properties"]["style"]["fill"] is False for f in features)


def test_the_outline_is_drawn_as_designed_and_thicker_on_the_wall_with_amber_either_side():
    assert warning_styles(LIGHT) == {
        "casing": {
            "opacity": 1.0,
            "fill": False,
            "lineCap": "butt",
            "weight": 6,
            "color": "#ffc400",
        },
        "dash": {
            "opacity": 1.0,
            "fill": False,
            "lineCap": "butt",
            "weight": 3,
            "color": "#111111",
            "dashArray": "12 10",
        },
    }
    # On the wall both are thicker, and the amber still shows either side of the dashes.
    assert warning_styles(DARK)["casing"]["weight"] == 9
    assert warning_styles(DARK)["dash"]["weight"] == 5
    # Not a colour the flood zones or the incident classes use.
    taken = {c.lower() for s in FLOOD_LEVEL_STYLE.values() for c in (s["color"], s["fillColor"])}
    taken |= {c.lower() for c in CLASS_COLOR.values()}
    assert {WARNING_AMBER, WARNING_BLACK}.isdisjoint(taken)


def test_the_map_page_draws_the_outline_as_its_own_layer(city):
    layer = warning_layer([alert()])
    page = map_html(standalone_map(city, pd.DataFrame(), extra_layers=[layer]))

    assert f'"siagaLayer": "{WARNING_LAYER}"' in page
    triangle = "[[109.67, -6.89], [109.68, -6.88], [109.69, -6.87], [109.67, -6.89]]"
    assert f'"coordinates": {triangle}' in page
    assert '"dashArray": "12 10"' in page
    assert "siagaFeatureTooltip" in page


def test_the_tooltip_names_event_severity_and_end_in_wib():
    label = warning_geojson([alert()])["features"][0]["properties"]["label"]

    assert label == (
        "<b>Hujan Lebat dan Petir · Sedang · sampai 01:00 WIB</b><br>"
        "Hujan Lebat disertai Petir di Jawa Tengah<br>"
        "Wilayah: Pekalongan Barat, Pekalongan Utara"
    )
    assert warning_summary(alert(severity="Extreme", expires_utc=None)) == (
        "Hujan Lebat dan Petir · Ekstrem · tanpa waktu berakhir"
    )


def test_hostile_cap_text_reaches_the_page_inert(city):
    hostile = alert(
        event=XSS,
        headline="{{ 7*7 }} <script>alert(2)</script>",
        matched_places=("<b>Medono</b>",),
    )
    label = warning_geojson([hostile])["features"][0]["properties"]["label"]
    assert "<img" not in label and "<script" not in label and "{{" not in label
    assert "&lt;img src=x onerror=alert(1)&gt;" in label

    page = map_html(standalone_map(city, pd.DataFrame(), extra_layers=[warning_layer([hostile])]))
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    assert XSS not in text and "<script>alert(2)" not in text and "<b>Medono" not in text
    # branca's second template pass never saw the braces: no 49 where the headline is.
    assert "&#123;&#123; 7*7 &#125;&#125;" in text


def test_no_alert_no_layer_and_an_alert_without_rings_draws_nothing():
    assert warning_layer([]) is None
    assert warning_layer([alert(rings=())]) is None
    assert warning_geojson([]) == {"type": "FeatureCollection", "features": []}


def test_points_that_are_not_two_finite_numbers_in_range_are_left_out():
    ring = [[109.67, -6.89], [float("nan"), -6.88], [200.0, -6.88], ["x", 1], [109.69, -6.87]]
    line = warning_geojson([alert(rings=(ring, [[109.6, -6.9]]))])["features"]

    assert [f["geometry"]["coordinates"] for f in line] == [[[109.67, -6.89], [109.69, -6.87]]] * 2


def test_the_areas_are_the_places_of_the_city_else_the_alerts_own_area():
    assert areas_text(alert()) == "Pekalongan Barat, Pekalongan Utara"
    assert areas_text(alert(matched_places=())) == "Jawa Tengah"
    assert areas_text(alert(matched_places=(), area_desc=None)) == ""


def test_both_legends_show_the_warning_outline_the_wall_only_while_one_is_on_the_map():
    desk = legend_html({})
    assert "Wilayah peringatan dini aktif" in desk
    assert f'stroke="{WARNING_AMBER}"' in desk and 'stroke-dasharray="12 10"' in desk

    assert "Peringatan dini" not in wall_legend_html({"FIRE": "#D55E00"})
    wall = wall_legend_html({"FIRE": "#D55E00"}, warning=True)
    assert 'class="wl-cap"' in wall and "Peringatan dini" in wall
    assert f'stroke="{WARNING_BLACK}"' in wall
