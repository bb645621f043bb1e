"""Importing official layers: what is accepted, repaired, reprojected, and what is refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import LayerImportError, read_layer, to_geojson_text

# A 400 m x 400 m square in Panjang Wetan (north Pekalongan), in degrees.
LON0, LAT0 = 109.680, -6.868
D = 0.0036
IN_CITY = shapely.box(LON0, LAT0, LON0 + D, LAT0 + D)
JAKARTA = shapely.box(106.82, -6.18, 106.83, -6.17)


def zones(geometries, **columns) -> gpd.GeoDataFrame:
    n = len(geometries)
    data = {"name": [f"Zona {i}" for i in range(n)], "type": ["rob"] * n, "level": ["tinggi"] * n}
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=list(geometries), crs="EPSG:4326")


def write(gdf: gpd.GeoDataFrame, path: Path, **kwargs) -> Path:
    gdf.to_file(path, engine="pyogrio", **kwargs)
    return path


def test_a_valid_geopackage_made_here_is_accepted_and_comes_back_in_4326(city, tmp_path):
    path = write(zones([IN_CITY, IN_CITY.buffer(0.001)]).to_crs("EPSG:32749"), tmp_path / "z.gpkg")
    layer = read_layer(path, layer_name="flood_zones", city=city)
    assert layer.crs.to_epsg() == 4326
    assert len(layer) == 2
    assert {"name", "type", "level"} <= set(layer.columns)
    assert layer.geometry.iloc[0].equals_exact(IN_CITY, tolerance=1e-7)


def test_a_layer_in_jakarta_is_refused_as_outside_the_city(city, tmp_path):
    path = write(zones([JAKARTA]), tmp_path / "jakarta.geojson")
    with pytest.raises(LayerImportError) as caught:
        read_layer(path, layer_name="flood_zones", city=city)
    assert "jakarta.geojson" in caught.value.user_message
    assert "di luar Kota Pekalongan" in caught.value.user_message


def test_a_shapefile_without_prj_is_refused_for_missing_crs(city, tmp_path):
    no_crs = zones([IN_CITY]).set_crs(None, allow_override=True)
    with pytest.warns(UserWarning, match="crs"):
        path = write(no_crs, tmp_path / "rob.shp")
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(LayerImportError, match=r"rob\.shp.*tidak memiliki sistem koordinat"):
        read_layer(path, layer_name="flood_zones", city=city)


def test_a_geojson_without_crs_is_read_as_wgs84_per_rfc_7946(city, tmp_path):
    feature = {
        "type": "Feature",
        "properties": {"name": "A", "type": "rob", "level": "sedang"},
        "geometry": shapely.geometry.mapping(IN_CITY),
    }
    path = tmp_path / "tanpa_crs.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    layer = read_layer(path, layer_name="flood_zones", city=city)
    assert layer.crs.to_epsg() == 4326 and layer["level"].tolist() == ["sedang"]


def test_a_self_intersecting_polygon_is_repaired(city, tmp_path):
    bowtie = shapely.Polygon(
        [(LON0, LAT0), (LON0 + D, LAT0 + D), (LON0 + D, LAT0), (LON0, LAT0 + D), (LON0, LAT0)]
    )
    assert not bowtie.is_valid
    path = write(zones([bowtie]), tmp_path / "bowtie.geojson")
    layer = read_layer(path, layer_name="flood_zones", city=city)
    repaired = layer.geometry.iloc[0]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(D * D / 2, rel=1e-6)


def test_a_polygon_that_cannot_be_repaired_into_an_area_is_refused(city, tmp_path):
    flat = shapely.Polygon([(LON0, LAT0), (LON0 + D, LAT0), (LON0 + 2 * D, LAT0)])
    assert not flat.is_valid
    path = write(zones([IN_CITY, flat]), tmp_path / "datar.geojson")
    with pytest.raises(LayerImportError, match=r"datar\.geojson.*rusak.*baris 2"):
        read_layer(path, layer_name="flood_zones", city=city)


def test_a_polygon_enclosing_less_than_a_square_metre_is_refused(city, tmp_path):
    # A 400 m long needle 1 mm wide, drawn in UTM and stored in degrees.
    x, y = 354_000.0, 9_240_000.0
    needle = shapely.Polygon([(x, y), (x + 400, y), (x + 400, y + 0.001), (x, y)])
    layer = zones([needle]).set_crs("EPSG:32749", allow_override=True)
    path = write(layer, tmp_path / "jarum.gpkg")
    with pytest.raises(LayerImportError, match=r"jarum\.gpkg.*baris 1"):
        read_layer(path, layer_name="flood_zones", city=city)


@pytest.mark.parametrize("name", ["catatan.txt", "laporan.csv", "peta.kml"])
def test_a_non_geo_file_is_refused_by_its_format(city, tmp_path, name):
    path = tmp_path / name
    path.write_text("nama,lat,lon\nA,-6.9,109.6\n")
    with pytest.raises(LayerImportError, match="tidak didukung"):
        read_layer(path, layer_name="flood_zones", city=city)


def test_a_geojson_that_is_not_json_is_refused_as_unreadable(city, tmp_path):
    path = tmp_path / "rusak.geojson"
    path.write_text("ini bukan peta")
    with pytest.raises(LayerImportError, match=r"rusak\.geojson.*tidak dapat dibaca") as refused:
        read_layer(path, layer_name="flood_zones", city=city)
    # The admin reads why in Indonesian; GDAL's English and the server's temp path stay out.
    assert str(refused.value) == (
        "Berkas rusak.geojson tidak dapat dibaca sebagai data peta: isinya bukan data peta yang "
        "dikenali (berkas rusak atau formatnya lain)."
    )


def test_a_broken_zip_is_refused_without_the_server_path(city, tmp_path):
    path = tmp_path / "batas.zip"
    path.write_bytes(b"PK\x03\x04 bukan arsip")
    with pytest.raises(LayerImportError, match="arsip ZIP-nya rusak") as refused:
        read_layer(path, layer_name="flood_zones", city=city)
    assert str(tmp_path) not in str(refused.value)


def test_an_empty_layer_is_refused(city, tmp_path):
    path = tmp_path / "kosong.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(LayerImportError, match="tidak berisi satu pun fitur"):
        read_layer(path, layer_name="flood_zones", city=city)


def test_a_flood_layer_without_the_level_column_is_refused(city, tmp_path):
    path = write(zones([IN_CITY]).drop(columns="level"), tmp_path / "tanpa_level.gpkg")
    with pytest.raises(LayerImportError, match="kolom wajib: level"):
        read_layer(path, layer_name="flood_zones", city=city)


def test_indonesian_column_names_and_capitals_are_accepted_for_flood_zones(city, tmp_path):
    gdf = gpd.GeoDataFrame(
        {"NAMA": ["Genangan"], "Jenis": ["banjir"], "tingkat": ["Tinggi"]},
        geometry=[IN_CITY],
        crs="EPSG:4326",
    )
    layer = read_layer(write(gdf, tmp_path / "bpbd.gpkg"), layer_name="flood_zones", city=city)
    assert layer[["name", "type", "level"]].values.tolist() == [["Genangan", "banjir", "tinggi"]]


def test_an_unknown_flood_level_is_refused(city, tmp_path):
    path = write(zones([IN_CITY], level=["parah"]), tmp_path / "level.gpkg")
    with pytest.raises(LayerImportError, match="parah"):
        read_layer(path, layer_name="flood_zones", city=city)


def test_points_are_refused_as_flood_zones(city, tmp_path):
    path = write(zones([shapely.Point(LON0, LAT0)]), tmp_path / "titik.gpkg")
    with pytest.raises(LayerImportError, match="harus berisi poligon"):
        read_layer(path, layer_name="flood_zones", city=city)


def test_a_zipped_shapefile_is_accepted(city, tmp_path):
    write(zones([IN_CITY]), tmp_path / "rob.shp")
    archive = tmp_path / "rob.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("rob.*"):
            if part.suffix != ".zip":
                zf.write(part, arcname=f"data/{part.name}")
    layer = read_layer(archive, layer_name="flood_zones", city=city)
    assert len(layer) == 1 and layer.crs.to_epsg() == 4326


def test_a_zip_without_a_shapefile_is_refused(city, tmp_path):
    archive = tmp_path / "kosong.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("baca.txt", "tidak ada peta")
    with pytest.raises(LayerImportError, match=r"kosong\.zip.*tidak berisi Shapefile"):
        read_layer(archive, layer_name="flood_zones", city=city)


def test_a_geopackage_with_several_layers_uses_the_one_named_like_the_layer(city, tmp_path):
    path = tmp_path / "banyak.gpkg"
    write(zones([IN_CITY]), path, layer="flood_zones")
    write(zones([IN_CITY, IN_CITY]), path, layer="lain")
    assert len(read_layer(path, layer_name="flood_zones", city=city)) == 1
    with pytest.raises(LayerImportError, match="beberapa lapisan"):
        read_layer(path, layer_name="kelurahan", city=city)


def test_a_facility_point_layer_is_accepted_and_kinds_are_checked(city, tmp_path):
    points = gpd.GeoDataFrame(
        {"name": ["Pos Baru"], "kind": ["Fire"]},
        geometry=[shapely.Point(LON0, LAT0)],
        crs="EPSG:4326",
    )
    layer = read_layer(write(points, tmp_path / "pos.gpkg"), layer_name="facilities", city=city)
    assert layer["kind"].tolist() == ["fire"]
    bad = write(points.assign(kind=["helikopter"]), tmp_path / "heli.gpkg")
    with pytest.raises(LayerImportError, match="helikopter"):
        read_layer(bad, layer_name="facilities", city=city)


def test_a_missing_file_is_refused(city, tmp_path):
    with pytest.raises(LayerImportError, match=r"hilang\.geojson"):
        read_layer(tmp_path / "hilang.geojson", layer_name="flood_zones", city=city)


def test_geojson_text_turns_timestamps_into_iso_strings():
    gdf = zones([IN_CITY]).assign(
        imported_at=pd.Timestamp("2025-01-31 08:30:00"),
        checked=[pd.Timestamp("2025-02-01", tz="Asia/Jakarta")],
    )
    gdf["mixed"] = pd.Series([pd.Timestamp("2025-03-01")], dtype=object)
    data = json.loads(to_geojson_text(gdf))
    props = data["features"][0]["properties"]
    assert props["imported_at"] == "2025-01-31T08:30:00"
    assert props["checked"] == "2025-02-01T00:00:00+07:00"
    assert props["mixed"] == "2025-03-01T00:00:00"
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_geojson_text_is_always_in_wgs84():
    data = json.loads(to_geojson_text(zones([IN_CITY]).to_crs("EPSG:32749")))
    lon, lat = data["features"][0]["geometry"]["coordinates"][0][0]
    assert 109 < lon < 110 and -7 < lat < -6
