"""Loading a .osm road file: the parsed graph cached on disk by the file's SHA-256, safe parsing."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from geo import RoadGraphError
from geo.roads import RoadGraph
from tests.helpers.osm_grid import GridCity

BLOCK = GridCity(rows=6, cols=6)
ONE_WAY_BLOCK = GridCity(rows=6, cols=6, oneway_rows=frozenset({2}))
S_PER_M = 3.6 / 20.0


def cache_name(osm) -> str:
    return f"{osm.name}.{hashlib.sha256(osm.read_bytes()).hexdigest()}.npz"


def westward_s(roads: RoadGraph, grid: GridCity) -> float:
    """Seconds from corner (2, 3) to corner (2, 2): one block west along row 2."""
    (x0, y0), (x1, y1) = grid.xy(2, 3), grid.xy(2, 2)
    routes = roads.routes_from(x0, y0, np.array([x1]), np.array([y1]), vehicle_speed_kmh=35.0)
    return float(routes.time_s[0])


def same_graph(a: RoadGraph, b: RoadGraph) -> bool:
    names = ("node_ids", "node_x_m", "node_y_m", "node_level_crossing", "edge_from", "edge_to")
    names += ("edge_length_m", "edge_speed_kmh")
    return all(np.array_equal(getattr(a, n), getattr(b, n)) for n in names)


def test_the_parsed_graph_is_cached_by_content_and_reused_on_the_next_load(tmp_path):
    osm = BLOCK.write_osm(tmp_path / "jalan.osm")
    cache = tmp_path / "cache"
    first = RoadGraph.from_osm_file(osm, cache_dir=cache)
    assert [p.name for p in cache.iterdir()] == [cache_name(osm)]
    second = RoadGraph.from_osm_file(osm, cache_dir=cache)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert same_graph(first, second)
    assert westward_s(second, BLOCK) == pytest.approx(100 * S_PER_M, abs=1e-3)


def test_a_changed_file_is_parsed_again_and_its_old_cache_removed(tmp_path):
    osm = BLOCK.write_osm(tmp_path / "jalan.osm")
    cache = tmp_path / "cache"
    RoadGraph.from_osm_file(osm, cache_dir=cache)
    ONE_WAY_BLOCK.write_osm(osm)  # the operator replaces the extract: row 2 is now one-way
    changed = RoadGraph.from_osm_file(osm, cache_dir=cache)
    assert changed.from_cache is False
    assert [p.name for p in cache.iterdir()] == [cache_name(osm)]
    # West along row 2 is now round the block: up, west, down.
    assert westward_s(changed, ONE_WAY_BLOCK) == pytest.approx(300 * S_PER_M, abs=1e-3)
    assert RoadGraph.from_osm_file(osm, cache_dir=cache).from_cache is True


def test_a_damaged_cache_is_parsed_afresh_and_rewritten(tmp_path):
    osm = BLOCK.write_osm(tmp_path / "jalan.osm")
    cache = tmp_path / "cache"
    parsed = RoadGraph.from_osm_file(osm, cache_dir=cache)
    (cache / cache_name(osm)).write_bytes(b"PK\x03\x04 half a file")
    again = RoadGraph.from_osm_file(osm, cache_dir=cache)
    assert again.from_cache is False and same_graph(parsed, again)
    assert RoadGraph.from_osm_file(osm, cache_dir=cache).from_cache is True


def test_a_cache_folder_that_cannot_be_written_does_not_stop_the_load(tmp_path):
    osm = BLOCK.write_osm(tmp_path / "jalan.osm")
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be", encoding="utf-8")
    roads = RoadGraph.from_osm_file(osm, cache_dir=not_a_folder)
    assert westward_s(roads, BLOCK) == pytest.approx(100 * S_PER_M, abs=1e-3)


def test_without_the_cache_nothing_is_written(tmp_path):
    osm = BLOCK.write_osm(tmp_path / "jalan.osm")
    cache = tmp_path / "cache"
    RoadGraph.from_osm_file(osm, cache_dir=cache, use_cache=False)
    assert not cache.exists()


def test_a_way_cut_by_the_edge_of_the_extract_stops_at_the_cut(tmp_path):
    # Node 3 lies outside the clip: no straight chord from 2 to 4 may appear.
    osm = tmp_path / "potongan.osm"
    osm.write_text(
        '<osm><node id="1" lat="-6.890" lon="109.660"/><node id="2" lat="-6.890" lon="109.661"/>'
        '<node id="4" lat="-6.890" lon="109.663"/><node id="5" lat="-6.891" lon="109.663"/>'
        '<way id="7"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="5"/>'
        '<tag k="highway" v="residential"/></way></osm>',
        encoding="utf-8",
    )
    roads = RoadGraph.from_osm_file(osm, use_cache=False)
    assert set(roads.graph.edges) == {(1, 2), (2, 1), (4, 5), (5, 4)}


def test_an_osm_file_with_entity_tricks_is_refused_with_its_name(tmp_path):
    bomb = tmp_path / "bom.osm"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<osm><node id="1" lat="-6.89" lon="109.66"><tag k="name" v="&b;"/></node></osm>',
        encoding="utf-8",
    )
    with pytest.raises(RoadGraphError, match=r"bom\.osm"):
        RoadGraph.from_osm_file(bomb, use_cache=False)
