"""The nearest posts' road km and ETA on Peta Langsung and Laporan baru (dashboard.live).

The road graph is a generated 100 m street grid over Kota Pekalongan
(tests/helpers/pekalongan_grid.py): row 40 is one-way eastbound, a railway with a level crossing
on every row runs between columns 40 and 41, residential streets at 20 km/h (0.18 s a metre).
Grid position (i, j) is row i, column j; posts stand on the streets, so expected values are
sums of 100 m blocks.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard import intake, live
from geo import load_city
from geo.crs import METRIC_CRS
from geo.nearest import ROUTE_OFF_ROAD, ROUTE_ROAD_GRAPH, ROUTE_STRAIGHT_LINE
from geo.roads import RoadGraph
from tests.helpers.pekalongan_grid import PEKALONGAN_GRID as GRID
from tests.helpers.pekalongan_grid import S_PER_M

SETTINGS = {"eta_detour_factor": 1.3, "speed_fire_kmh": 30, "speed_ambulance_kmh": 35}
INCIDENT = (40, 20.75)  # on the one-way row, in Pekalongan Barat
MM = 1e-3


@pytest.fixture(scope="module")
def roads(tmp_path_factory) -> RoadGraph:
    folder = tmp_path_factory.mktemp("roads")
    return RoadGraph.from_osm_file(GRID.write_osm(folder / "jalan.osm"), cache_dir=folder)


@pytest.fixture(scope="module")
def pekalongan():
    return load_city()


def city_with_posts(city, posts: dict[str, tuple[str, tuple[float, float]]]):
    """Kota Pekalongan with only these posts: name -> (kind, grid position)."""
    spots = {name: GRID.latlon(*where) for name, (_, where) in posts.items()}
    frame = pd.DataFrame(
        {
            "id": [f"f{n}" for n in range(len(posts))],
            "name": list(posts),
            "kind": [kind for kind, _ in posts.values()],
            "lat": [spots[name][0] for name in posts],
            "lon": [spots[name][1] for name in posts],
        }
    )
    return city.with_facilities(frame)


@pytest.fixture(scope="module")
def row_40(pekalongan):
    """A fire post and a hospital each 75 m west and 50 m east of the incident on row 40."""
    return city_with_posts(
        pekalongan,
        {
            "Pos barat": ("fire", (40, 20.0)),
            "Pos timur": ("fire", (40, 21.25)),
            "RS barat": ("hospital", (40, 20.0)),
            "RS timur": ("hospital", (40, 21.25)),
        },
    )


def posts_at(city, where, *, roads=None, settings=SETTINGS, kinds=("fire", "hospital")):
    lat, lon = GRID.latlon(*where)
    found = live.nearest_posts(city, lat, lon, settings=settings, kinds=kinds, road_graph=roads)
    return {post.kind: post for post in found}


def test_with_the_road_file_a_fire_engine_is_timed_from_its_post_down_the_one_way_street(
    roads, row_40
):
    fire = posts_at(row_40, INCIDENT, roads=roads)["fire"]
    # Pos barat drives 75 m east along the one-way row. Pos timur is nearer (50 m) but must go
    # round: 75 m on to column 22, up to row 41, west to column 20, down, and 75 m east.
    assert fire.name == "Pos barat"
    assert fire.route_model == ROUTE_ROAD_GRAPH
    assert fire.distance_m == pytest.approx(75.0, abs=MM)
    assert fire.road_distance_m == pytest.approx(75.0, abs=MM)
    assert fire.eta_min == pytest.approx(75 * S_PER_M / 60, abs=1e-6)
    assert live.route_text(fire) == "lewat jalan"


def test_with_the_road_file_a_patient_is_timed_from_the_incident_to_the_hospital(roads, row_40):
    hospital = posts_at(row_40, INCIDENT, roads=roads)["hospital"]
    # Patient transport starts at the incident: 50 m east to RS timur (RS barat: 25 m east,
    # round the block through rows 41 and 40, 325 m).
    assert hospital.name == "RS timur"
    assert hospital.road_distance_m == pytest.approx(50.0, abs=MM)
    assert hospital.eta_min == pytest.approx(50 * S_PER_M / 60, abs=1e-6)
    assert hospital.route_model == ROUTE_ROAD_GRAPH


def test_without_the_road_file_the_nearest_post_is_the_straight_line_times_the_detour(row_40):
    fire = posts_at(row_40, INCIDENT)["fire"]
    assert fire.name == "Pos timur"
    assert fire.route_model == ROUTE_STRAIGHT_LINE
    assert fire.road_distance_m == pytest.approx(50 * 1.3, abs=MM)
    assert fire.eta_min == pytest.approx(50 * 1.3 / (30_000 / 60), abs=1e-6)
    assert live.route_text(fire) == "garis lurus × 1,3"


def test_an_incident_far_from_any_road_keeps_the_straight_line_and_says_so(roads, row_40):
    fire = posts_at(row_40, (-4, 20.0), roads=roads)["fire"]  # 400 m south of the grid
    assert fire.name == "Pos barat"
    assert fire.route_model == ROUTE_OFF_ROAD
    assert fire.distance_m == pytest.approx(4400.0, abs=MM)
    assert fire.road_distance_m == pytest.approx(4400 * 1.3, abs=MM)
    assert live.route_text(fire) == "jauh dari jalan, garis lurus × 1,3"


def test_the_level_crossing_delay_setting_is_added_where_the_route_crosses_the_railway(
    roads, pekalongan
):
    city = city_with_posts(pekalongan, {"Pos rel": ("fire", (60, 40))})
    plain = posts_at(city, (60, 41), roads=roads, kinds=("fire",))["fire"]
    delayed = posts_at(
        city,
        (60, 41),
        roads=roads,
        kinds=("fire",),
        settings={**SETTINGS, "eta_level_crossing_delay_s": 45},
    )["fire"]
    assert plain.eta_min == pytest.approx(100 * S_PER_M / 60, abs=1e-6)
    assert delayed.eta_min == pytest.approx((100 * S_PER_M + 45) / 60, abs=1e-6)
    assert delayed.road_distance_m == pytest.approx(100.0, abs=MM)


def test_the_flood_factor_setting_slows_the_streets_in_the_city_s_flood_zones(roads, row_40):
    x, y = GRID.xy(40, 20.5)
    zone = gpd.GeoDataFrame(
        {"name": ["Rob uji"], "type": ["rob"], "level": ["tinggi"]},
        geometry=[shapely.box(x - 10, y - 10, x + 10, y + 10)],
        crs=METRIC_CRS,
    )
    flooded = row_40.with_layer("flood_zones", zone)
    slowed = posts_at(flooded, INCIDENT, roads=roads, settings={**SETTINGS, "eta_flood_factor": 3})
    # The block between columns 20 and 21 takes three times as long for both posts; Pos barat's
    # 75 m all lie on it, Pos timur's 550 m end on it (475 m dry): barat still comes first.
    assert slowed["fire"].name == "Pos barat"
    assert slowed["fire"].eta_min == pytest.approx(75 * S_PER_M * 3 / 60, abs=1e-6)
    assert slowed["fire"].road_distance_m == pytest.approx(75.0, abs=MM)
    dry = posts_at(flooded, INCIDENT, roads=roads)
    assert dry["fire"].eta_min == pytest.approx(75 * S_PER_M / 60, abs=1e-6)


@pytest.mark.parametrize(
    ("value", "factor"), [(3, 3.0), (1.5, 1.5), (0.5, 1.0), ("banyak", 1.0), (None, 1.0)]
)
def test_a_malformed_flood_factor_leaves_the_streets_unslowed(value, factor):
    settings = {} if value is None else {"eta_flood_factor": value}
    assert live.flood_factor(settings) == factor


@pytest.mark.parametrize(("value", "delay_s"), [(45, 45.0), (0, 0.0), (-5, 0.0), ("x", 0.0)])
def test_a_malformed_level_crossing_delay_adds_nothing(value, delay_s):
    assert live.level_crossing_delay_s({"eta_level_crossing_delay_s": value}) == delay_s


def test_the_posts_table_and_the_intake_line_say_which_estimate_gave_the_road_km(roads, pekalongan):
    city = city_with_posts(pekalongan, {"Pos rel": ("fire", (60, 40))})
    # 400 m east along row 60 (72 s by road); straight, 400 m x 1.3 at 30 km/h (62.4 s).
    by_road = posts_at(city, (60, 44), roads=roads, kinds=("fire",))["fire"]
    straight = posts_at(city, (60, 44), kinds=("fire",))["fire"]
    table = live.posts_table([by_road, straight])
    assert table.columns.tolist() == [
        "Jenis pos",
        "Nama",
        "Jarak lurus (km)",
        "Perkiraan jalan (km)",
        "Dasar perkiraan",
        "ETA (menit)",
    ]
    assert table.values.tolist() == [
        ["Pos pemadam kebakaran (Damkar)", "Pos rel", "0,4", "0,4", "lewat jalan", "2"],
        ["Pos pemadam kebakaran (Damkar)", "Pos rel", "0,4", "0,5", "garis lurus × 1,3", "2"],
    ]
    assert intake.post_line(by_road) == (
        "Pemadam kebakaran terdekat: Pos rel · 0,4 km · ±2 menit (lewat jalan)"
    )
