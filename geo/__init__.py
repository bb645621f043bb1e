"""Geospatial core of Siaga 112: city layers, locating, nearest facilities, search, import."""

from __future__ import annotations

from geo.crs import METRES_PER_DEGREE_LAT, METRIC_CRS, STORAGE_CRS
from geo.errors import (
    DataFileError,
    FacilityDataError,
    GeoError,
    InvalidCoordinates,
    LayerImportError,
    RoadGraphError,
    UnknownFacilityKind,
)
from geo.facilities import FACILITY_KINDS, OPD_CODES
from geo.grid import density_grid
from geo.importer import read_layer, to_geojson_text
from geo.layers import DEFAULT_DATA_DIR, City, default_city, load_city
from geo.locate import FloodZoneHit, Location, locate, locate_many, locate_points
from geo.nearest import (
    DEFAULT_DETOUR_FACTOR,
    DEFAULT_SPEEDS_KMH,
    FacilityMatch,
    geodesic_distance_m,
    nearest_facilities,
    nearest_facilities_many,
)
from geo.roads import RoadGraph
from geo.search import PlaceMatch, search_place

__all__ = [
    "DEFAULT_DATA_DIR",
    "DEFAULT_DETOUR_FACTOR",
    "DEFAULT_SPEEDS_KMH",
    "FACILITY_KINDS",
    "METRES_PER_DEGREE_LAT",
    "METRIC_CRS",
    "OPD_CODES",
    "STORAGE_CRS",
    "City",
    "DataFileError",
    "FacilityDataError",
    "FacilityMatch",
    "FloodZoneHit",
    "GeoError",
    "InvalidCoordinates",
    "LayerImportError",
    "Location",
    "PlaceMatch",
    "RoadGraph",
    "RoadGraphError",
    "UnknownFacilityKind",
    "default_city",
    "density_grid",
    "geodesic_distance_m",
    "load_city",
    "locate",
    "locate_many",
    "locate_points",
    "nearest_facilities",
    "nearest_facilities_many",
    "read_layer",
    "search_place",
    "to_geojson_text",
]
