"""Fixtures for the geo tests: the real city from the repo's data/ and a tiny hand-made city.

The tiny city lives in UTM 49S so expected distances can be written as arithmetic:
  Alfa  x [X0, X0+1000]      y [Y0, Y0+1000]   kecamatan Satu
  Beta  x [X0+960, X0+2000]  y [Y0, Y0+1000]   kecamatan Satu (overlaps Alfa by a 40 m strip)
  Gamma x [X0, X0+1000]      y [Y0+1020, Y0+2020]   kecamatan Dua (20 m gap above Alfa)
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.crs import METRIC_CRS
from geo.layers import City, load_city

from .helpers import REPO_DATA_DIR, X0, Y0, latlon


@pytest.fixture(scope="session")
def city() -> City:
    return load_city(REPO_DATA_DIR)


@pytest.fixture(scope="session")
def tiny_city() -> City:
    kelurahan = gpd.GeoDataFrame(
        {
            "kode": ["99.01.01.1001", "99.01.01.1002", "99.01.02.1003"],
            "nama": ["Alfa", "Beta", "Gamma"],
            "kecamatan": ["Satu", "Satu", "Dua"],
            "kode_kecamatan": ["99.01.01", "99.01.01", "99.01.02"],
        },
        geometry=[
            shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
            shapely.box(X0 + 960, Y0, X0 + 2000, Y0 + 1000),
            shapely.box(X0, Y0 + 1020, X0 + 1000, Y0 + 2020),
        ],
        crs=METRIC_CRS,
    )
    flood_zones = gpd.GeoDataFrame(
        {
            "name": ["Zona Rob Uji", "Koridor Sungai Uji"],
            "type": ["rob", "sungai"],
            "level": ["tinggi", "sedang"],
        },
        geometry=[
            shapely.box(X0, Y0, X0 + 500, Y0 + 500),
            shapely.box(X0 + 250, Y0, X0 + 750, Y0 + 1000),
        ],
        crs=METRIC_CRS,
    )
    facility_xy = {
        "pos-a": (X0 + 500, Y0 + 500),
        "rs-b": (X0 + 1500, Y0 + 500),
        "damkar-c": (X0 + 500, Y0 + 1520),
    }
    coords = {key: latlon(*xy) for key, xy in facility_xy.items()}
    facilities = pd.DataFrame(
        {
            "id": list(facility_xy),
            "name": ["Pos Ambulans A", "RS B", "Damkar C"],
            "kind": ["ambulance", "hospital", "fire"],
            "also_serves": ["", "ambulance", ""],
            "opd_code": ["PMI", "RSUD", "DAMKAR"],
            "lat": [coords[k][0] for k in facility_xy],
            "lon": [coords[k][1] for k in facility_xy],
            "lokasi_perkiraan": [False, False, True],
        }
    )
    return City.from_layers(kelurahan=kelurahan, flood_zones=flood_zones, facilities=facilities)
