"""Loading the city: the City bundle, its caching, and building it from database rows."""

from __future__ import annotations

import ast
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import geo
from geo import City, DataFileError, FacilityDataError, default_city, load_city, locate
from geo.layers import DEFAULT_DATA_DIR

from .helpers import REPO_DATA_DIR, X0, Y0, latlon

GEO_DIR = Path(geo.__file__).resolve().parent


def test_default_city_reads_the_repositorys_data_folder_wherever_we_run(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert DEFAULT_DATA_DIR == REPO_DATA_DIR
    assert len(default_city().kelurahan) == 27


def test_the_city_is_loaded_once_per_folder(city):
    assert load_city(REPO_DATA_DIR) is city
    assert load_city(str(REPO_DATA_DIR / ".")) is city


def test_the_real_city_has_27_kelurahan_in_4_kecamatan_stored_in_wgs84(city):
    assert len(city.kelurahan) == 27 and len(city.kecamatan) == 4
    assert city.kelurahan.crs.to_epsg() == 4326
    assert city.kelurahan_utm.crs.to_epsg() == 32749
    assert set(city.kelurahan["kecamatan"]) == {
        "Pekalongan Barat",
        "Pekalongan Timur",
        "Pekalongan Utara",
        "Pekalongan Selatan",
    }
    # BPS says 45.25 km2; the source polygons measure about 46.2 km2 (known quirk).
    assert city.outline_utm.area / 1e6 == pytest.approx(46.2, abs=0.2)


def test_with_facilities_returns_a_new_city_and_leaves_the_old_one_alone(city):
    rows = pd.DataFrame(  # database rows: no also_serves column, integer units
        {
            "id": ["x1"],
            "name": ["Pos Uji"],
            "kind": ["fire"],
            "opd_code": ["DAMKAR"],
            "lat": [-6.89],
            "lon": [109.67],
            "address": [None],
            "phone": [None],
            "units": [2],
            "lokasi_perkiraan": [True],
            "source": ["uji"],
        }
    )
    changed = city.with_facilities(rows)
    assert changed is not city
    assert changed.facilities["id"].tolist() == ["x1"]
    assert changed.facilities["also_serves"].tolist() == [()]
    assert len(city.facilities) > 1
    assert changed.kelurahan is city.kelurahan


def test_also_serves_makes_a_hospital_answer_ambulance_requests(city):
    rsud = city.facilities.set_index("id").loc["rsud-bendan"]
    assert rsud["kind"] == "hospital" and rsud["also_serves"] == ("ambulance",)


def test_with_layer_replaces_flood_zones_and_keeps_other_layers_as_extras(tiny_city):
    official = gpd.GeoDataFrame(
        {"name": ["Resmi"], "type": ["banjir"], "level": ["tinggi"]},
        geometry=[shapely.box(X0 + 800, Y0 + 800, X0 + 900, Y0 + 900)],
        crs="EPSG:32749",
    )
    replaced = tiny_city.with_layer("flood_zones", official)
    place = locate(*latlon(X0 + 850, Y0 + 850), city=replaced)
    assert [z.name for z in place.flood_zones] == ["Resmi"]
    assert locate(*latlon(X0 + 100, Y0 + 100), city=replaced).flood_zones == ()

    extra = tiny_city.with_layer("posko_banjir", official)
    assert list(extra.extra_layers) == ["posko_banjir"]
    assert extra.extra_layers["posko_banjir"].crs.to_epsg() == 4326
    assert tiny_city.extra_layers == {}


def test_a_layer_without_crs_is_refused(tiny_city):
    layer = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(0, 0)])
    with pytest.raises(DataFileError):
        tiny_city.with_layer("lain", layer)


@pytest.mark.parametrize(
    ("column", "value"),
    [("kind", "helikopter"), ("lat", "utara"), ("lon", 999.0)],
)
def test_bad_facility_rows_are_refused(tiny_city, column, value):
    rows = pd.DataFrame(
        {"id": ["a"], "name": ["A"], "kind": ["fire"], "lat": [-6.9], "lon": [109.6]}
    )
    rows[column] = rows[column].astype(object)
    rows.loc[0, column] = value
    with pytest.raises(FacilityDataError, match="baris 1"):
        tiny_city.with_facilities(rows)


def test_duplicate_facility_ids_are_refused(tiny_city):
    rows = pd.DataFrame(
        {
            "id": ["a", "a"],
            "name": ["A", "B"],
            "kind": ["fire"] * 2,
            "lat": [-6.9] * 2,
            "lon": [109.6] * 2,
        }
    )
    with pytest.raises(FacilityDataError, match="ganda"):
        tiny_city.with_facilities(rows)


def test_a_missing_data_folder_is_reported_in_indonesian(tmp_path):
    with pytest.raises(DataFileError, match="tidak ditemukan"):
        load_city(tmp_path)


def test_city_can_be_built_from_the_kelurahan_alone(tiny_city):
    bare = City.from_layers(kelurahan=tiny_city.kelurahan)
    assert bare.facilities.empty and bare.flood_zones.empty
    assert sorted(bare.kecamatan["nama"]) == ["Dua", "Satu"]


def test_the_public_api_is_exported_from_the_package():
    for name in (
        "locate",
        "locate_many",
        "nearest_facilities",
        "nearest_facilities_many",
        "search_place",
        "default_city",
        "load_city",
        "City",
        "GeoError",
        "InvalidCoordinates",
        "LayerImportError",
        "METRIC_CRS",
        "density_grid",
        "read_layer",
    ):
        assert hasattr(geo, name), name
    assert geo.METRIC_CRS == "EPSG:32749"
    assert issubclass(geo.InvalidCoordinates, geo.GeoError)
    assert issubclass(geo.LayerImportError, geo.GeoError)
    assert issubclass(geo.GeoError, ValueError)


def test_geo_never_imports_streamlit_nor_reads_the_shared_reference_folder():
    for path in GEO_DIR.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }
        assert "streamlit" not in imported, path.name
        assert "/work/shared" not in source, path.name
        assert ast.get_docstring(tree), f"{path.name} needs a one-line docstring"
