"""One error root: a geo refusal reaches pages, the CLI and the API as a DispatchError.

geo/ keeps its own GeoError (it never imports dashboard); the service boundary translates it
once (dashboard.errors.geo_boundary) into a GeoRefused carrying geo's Indonesian message.
"""

from __future__ import annotations

import pytest

from dashboard import admin, cli, layers, roads
from dashboard.errors import DispatchError, GeoRefused, ImportRejected, geo_boundary
from geo.errors import GeoError, InvalidCoordinates, RoadGraphError
from tests.conftest import ADMIN_USER

BROKEN_LAYER = b"{bukan json"
UNREADABLE_LAYER = (
    "Berkas rusak.geojson tidak dapat dibaca sebagai data peta: isinya bukan data peta yang "
    "dikenali (berkas rusak atau formatnya lain)."
)
UNREADABLE_ROADS = "Berkas jaringan jalan jalan.osm tidak dapat dibaca (bukan XML OSM yang valid)."


def test_a_geo_refusal_leaves_the_boundary_as_a_dispatch_error_with_the_same_message():
    with pytest.raises(GeoRefused) as refused, geo_boundary():
        raise InvalidCoordinates("Koordinat tidak sah.")
    assert isinstance(refused.value, DispatchError)
    assert str(refused.value) == "Koordinat tidak sah."
    assert isinstance(refused.value.__cause__, InvalidCoordinates)


def test_an_error_already_translated_passes_a_second_boundary_unchanged():
    first = GeoRefused("Berkas ditolak.")
    with pytest.raises(GeoRefused) as refused, geo_boundary(), geo_boundary():
        raise first
    assert refused.value is first


def test_an_unreadable_layer_file_reaches_the_layer_service_caller_as_a_dispatch_error(
    engine, tmp_path
):
    path = tmp_path / "rusak.geojson"
    path.write_bytes(BROKEN_LAYER)
    with pytest.raises(DispatchError) as refused:
        layers.import_layer(engine, ADMIN_USER, "flood_zones", path)
    assert isinstance(refused.value, GeoRefused)
    assert not isinstance(refused.value, GeoError)
    assert str(refused.value) == UNREADABLE_LAYER


def test_an_unreadable_layer_upload_is_refused_by_the_admin_service_with_geos_reason(engine):
    with pytest.raises(ImportRejected) as refused:
        admin.import_layer_upload(engine, ADMIN_USER, "flood_zones", "rusak.geojson", BROKEN_LAYER)
    assert str(refused.value) == f"Berkas ditolak: {UNREADABLE_LAYER} Lapisan lama tetap dipakai."


def test_the_cli_refuses_an_unreadable_layer_file_in_indonesian_and_keeps_the_old_layer(
    tmp_path, capsys
):
    path = tmp_path / "rusak.geojson"
    path.write_bytes(BROKEN_LAYER)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    code = cli.main(["--database-url", url, "import-layer", "--layer", "flood_zones", str(path)])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        f"DITOLAK: {UNREADABLE_LAYER}",
        "Lapisan lama tetap dipakai.",
    ]


def test_a_broken_road_file_is_a_dispatch_error_and_still_a_road_graph_error(tmp_path, monkeypatch):
    path = tmp_path / "jalan.osm"
    path.write_text("<osm><node id='1' lat='-6.9'", encoding="utf-8")
    monkeypatch.setenv("SIAGA_ROADS_FILE", str(path))
    with pytest.raises(DispatchError) as refused:
        roads.configured_road_graph()
    assert isinstance(refused.value, RoadGraphError)
    assert str(refused.value) == UNREADABLE_ROADS
