"""The city maps: offline assets only, escaped caller text, no phone on the wall, stable base."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import folium
import folium.plugins
import pandas as pd
import pytest
import streamlit_folium

from geo import load_city
from mapview.assets import VENDOR_FILES, asset_urls, ensure_static_assets, offline_assets
from mapview.base import TILES_ENV, base_map, map_html, standalone_map
from mapview.escape import redact_phone_like
from mapview.facilities import facility_layer, nearest_post_layer
from mapview.incidents import incident_layer, incident_payload, incident_rows

XSS = "<img src=x onerror=alert(1)>"
PHONE = "081234567890"
NOW = datetime(2026, 11, 28, 3, 0)


@pytest.fixture(scope="module")
def city():
    return load_city()


def incidents(n: int = 3, *, kondisi: str = "Asap tebal dari dapur") -> pd.DataFrame:
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": i + 1,
                "code": f"112-20261128-{i + 1:04d}",
                "received_at_utc": NOW - timedelta(minutes=10 * i),
                "category_code": "KEBAKARAN",
                "category_name": "Kebakaran",
                "color": "#d7301f",
                "status": ("BARU", "DITERUSKAN", "DITERIMA", "DITANGANI")[i % 4],
                "lat": -6.8876 + 0.001 * i,
                "lon": 109.6760 + 0.001 * i,
                "kelurahan": "Kauman",
                "kecamatan": "Pekalongan Timur",
                "kondisi": kondisi,
                "caller_phone": PHONE,
                "opd_name": "Satpol P3KP (Damkar)",
                "overdue": "belum diteruskan" if i == 0 else None,
            }
        )
    return pd.DataFrame(rows)


def decoded(text: str) -> str:
    """The HTML with JSON \\uXXXX escapes undone, i.e. what the browser's JS strings hold."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def test_map_page_loads_every_script_and_stylesheet_from_the_app_itself(city):
    m = standalone_map(city, incidents(), categories={"KEBAKARAN": ("Kebakaran", "#d7301f")})
    page = map_html(m)
    links = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert links, "the page must load Leaflet from somewhere"
    assert all(link.startswith("/app/static/vendor/") for link in links), links
    assert not re.search(r"cdn|jquery|bootstrap|awesome|fontawesome|unpkg|googleapis", page, re.I)
    assert "/app/static/vendor/markercluster/leaflet.markercluster.js" in links


def test_tiles_are_off_unless_configured_and_then_carry_the_osm_attribution(city, monkeypatch):
    monkeypatch.delenv(TILES_ENV, raising=False)
    assert "L.tileLayer" not in map_html(base_map(city))
    monkeypatch.setenv(TILES_ENV, "http://tiles.example/{z}/{x}/{y}.png")
    page = decoded(map_html(base_map(city)))
    assert "http://tiles.example/{z}/{x}/{y}.png" in page
    assert "© OpenStreetMap contributors" in page


def test_map_credits_the_boundary_data_and_openstreetmap(city):
    page = decoded(map_html(base_map(city)))
    assert "Batas wilayah: cahyadsn/wilayah_boundaries (MIT)" in page
    assert "© OpenStreetMap contributors" in page


def test_caller_text_reaches_the_page_as_script_data_never_as_markup(city):
    kondisi = f"Kebakaran {XSS} di gang 3 {{{{ 7*7 }}}}"
    page = map_html(standalone_map(city, incidents(kondisi=kondisi)))
    assert "<img src=x" not in page and "{{ 7*7 }}" not in page
    # The browser's JS string holds the literal text; the tooltip puts it in a text node.
    assert kondisi in decoded(page)
    assert "innerHTML" not in map_html(_map_with(incident_layer(incidents())))


def test_tooltip_rows_carry_indices_into_tables_sent_once_per_layer():
    frame = incidents(4)
    frame.loc[3, "kelurahan"] = None
    payload = incident_payload(frame)
    assert payload.lookups["category"] == ["Kebakaran"]
    assert payload.lookups["code_prefix"] == ["112-20261128-"]
    assert payload.lookups["overdue"] == ["Terlambat: belum diteruskan"]
    assert payload.lookups["kelurahan"] == ["Kel. Kauman", ""]
    first, last = payload.rows[0], payload.rows[3]
    assert first[6:] == [0, "0001", 0, 0, "10:00", 0, "Asap tebal dari dapur"]
    assert last[7] == "0004" and last[9] == 1 and last[10] == "09:30"
    assert payload.lookups["status"][last[4]] == "Ditangani"
    assert all(len(row) == 12 for row in incident_rows(frame, wall=True))


def test_a_long_kondisi_is_shortened_and_its_phone_masked_before_it_is_sent():
    kondisi = "Pelapor di 0812-3456-7890 " + "x" * 200
    sent = incident_rows(incidents(1, kondisi=kondisi))[0][12]
    assert sent == "Pelapor di 08********** " + "x" * (140 - 26) + "…"


def test_wall_layer_carries_no_phone_number_even_one_typed_into_the_kondisi():
    frame = incidents(kondisi=f"Pelapor minta ditelepon di {PHONE}")
    for wall in (True, False):
        group = incident_layer(frame, wall=wall)
        m = folium.Map(tiles=None)
        group.add_to(m)
        page = decoded(map_html(m))
        assert PHONE not in page
        assert PHONE[1:] not in page
    assert "minta ditelepon" not in decoded(map_html(_map_with(incident_layer(frame, wall=True))))


def test_phone_like_digit_runs_are_masked_but_short_numbers_stay():
    assert redact_phone_like("hubungi 0812-3456-7890 segera") == "hubungi 08********** segera"
    assert redact_phone_like("rumah no 12, RT 3 RW 14") == "rumah no 12, RT 3 RW 14"


def test_every_incident_becomes_one_marker_row_with_its_status_and_overdue_flag():
    rows = incident_rows(incidents(4))
    assert [row[2] for row in rows] == [1, 2, 3, 4]
    assert [row[4] for row in rows] == [0, 1, 2, 3]  # BARU, DITERUSKAN, DITERIMA, DITANGANI
    assert [row[5] for row in rows] == [1, 0, 0, 0]  # 1 + index of the overdue reason


def test_a_catalogue_colour_that_is_not_a_plain_hex_colour_never_reaches_the_css():
    frame = incidents(2)
    frame.loc[1, "color"] = "red;background:url(http://evil.example/x.png)"
    page = map_html(_map_with(incident_layer(frame)))
    assert "evil.example" not in page


def test_approximate_facilities_are_ringed_and_say_perkiraan(city):
    group = facility_layer(city.facilities)
    page = decoded(map_html(_map_with(group)))
    approximate = int(city.facilities["lokasi_perkiraan"].sum())
    assert approximate > 0
    assert page.count("siaga-fac-approx") == approximate
    assert page.count("(perkiraan)") == approximate


def test_base_map_is_identical_on_every_build_so_a_refresh_does_not_reload_it(city):
    def key() -> str:
        m = base_map(city, categories={"KEBAKARAN": ("Kebakaran", "#d7301f")})
        m.get_root().render()
        return streamlit_folium.generate_js_hash(streamlit_folium._get_map_string(m), "k", False)

    assert key() == key()


def test_offline_assets_refuses_a_plugin_only_a_cdn_can_serve():
    m = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(ValueError, match="not served offline"):
        offline_assets(m)


def test_offline_assets_points_folium_marker_cluster_at_the_vendored_copy():
    m = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(m)
    page = map_html(offline_assets(m))
    assert "cdn" not in page.lower()
    assert asset_urls().markercluster_js in page


def test_static_assets_are_copied_once_and_left_alone_when_unchanged(tmp_path):
    vendor = ensure_static_assets(tmp_path)
    files = [vendor / item.folder / item.source for item in VENDOR_FILES]
    assert all(path.stat().st_size > 0 for path in files)
    before = {path: path.stat().st_mtime_ns for path in files}
    ensure_static_assets(tmp_path)
    assert {path: path.stat().st_mtime_ns for path in files} == before


def _map_with(group: folium.FeatureGroup) -> folium.Map:
    m = folium.Map(tiles=None)
    group.add_to(m)
    return offline_assets(m)


def test_the_chosen_point_is_a_pin_drawn_last_and_no_post_label_sits_on_it():
    point = (-6.8886, 109.6753)
    posts = [
        {
            "name": "PMI Kota",
            "kind": "ambulans",
            "lat": -6.8800,
            "lon": 109.6700,
            "distance_m": 1100,
            "eta_min": 3.2,
        },
        {
            "name": "Damkar",
            "kind": "damkar",
            "lat": -6.8950,
            "lon": 109.6850,
            "distance_m": 1300,
            "eta_min": 4.0,
        },
    ]
    group = nearest_post_layer(*point, posts, label="Titik laporan")
    layers = list(group._children.values())
    pin = layers[-1]
    assert isinstance(pin, folium.Marker) and pin.options.get("siaga_pin") is True
    assert pin.options["z_index_offset"] >= 1000
    labelled = [layer for layer in layers if "siagaPostLabel" in layer.options]
    assert len(labelled) == 2
    for layer, post in zip(labelled, posts, strict=True):
        lat, lon = layer.location
        # On the line, nearer the post than the point (65 % of the way).
        assert abs(lat - point[0]) > abs(lat - post["lat"])
        assert abs(lon - point[1]) > abs(lon - post["lon"])
