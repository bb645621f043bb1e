"""Load the city's map layers and bundle them, with projected copies and indexes, as a City."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo import messages
from geo.crs import METRIC_CRS, STORAGE_CRS, to_metric_xy_local
from geo.errors import DataFileError
from geo.facilities import empty_facilities, facilities_from_frame

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

KELURAHAN_FILE = "kota_pekalongan_kelurahan.geojson"
KECAMATAN_FILE = "kota_pekalongan_kecamatan.geojson"
FLOOD_ZONES_FILE = "flood_zones.geojson"
# The derived sea north of the city (geo.derive_sea_area): tells a point at sea from one on land.
SEA_AREA_FILE = "sea_area.geojson"
FACILITIES_FILE = "facilities.csv"
LANDMARKS_FILE = "landmarks.csv"
ALIASES_FILE = "aliases.csv"

KELURAHAN_COLUMNS = ("kode", "nama", "kecamatan", "kode_kecamatan")
KECAMATAN_COLUMNS = ("kode", "nama")
FLOOD_ZONE_COLUMNS = ("name", "type", "level")
LANDMARK_COLUMNS = ("id", "name", "kelurahan", "lat", "lon")
ALIAS_COLUMNS = ("alias", "kelurahan", "note", "source")
CORE_LAYERS = ("kelurahan", "kecamatan", "flood_zones", "facilities", "landmarks")

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class City:
    """Every layer the dispatch map needs, in EPSG:4326, plus UTM copies and spatial indexes.

    Build it with ``City.from_layers`` (or ``load_city``); treat the frames as read-only.
    ``with_facilities`` / ``with_layer`` return a new City and never modify this one.
    """

    kelurahan: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    flood_zones: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    landmarks: gpd.GeoDataFrame
    aliases: pd.DataFrame
    extra_layers: Mapping[str, gpd.GeoDataFrame]
    kelurahan_utm: gpd.GeoDataFrame
    flood_zones_utm: gpd.GeoDataFrame
    facility_x_m: np.ndarray
    facility_y_m: np.ndarray
    outline: BaseGeometry
    outline_utm: BaseGeometry
    kelurahan_tree: shapely.STRtree
    flood_zone_tree: shapely.STRtree
    sea_area: gpd.GeoDataFrame
    sea_utm: BaseGeometry
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_layers(
        cls,
        *,
        kelurahan: gpd.GeoDataFrame,
        kecamatan: gpd.GeoDataFrame | None = None,
        flood_zones: gpd.GeoDataFrame | None = None,
        facilities: pd.DataFrame | None = None,
        landmarks: gpd.GeoDataFrame | None = None,
        aliases: pd.DataFrame | None = None,
        extra_layers: Mapping[str, gpd.GeoDataFrame] | None = None,
        sea_area: gpd.GeoDataFrame | None = None,
    ) -> City:
        """Check the layers, project them to UTM 49S and build the indexes once.

        ``sea_area`` is polygons of open sea around the city (no columns required); without
        it no point is ever at sea.
        """
        kel = _checked_layer(kelurahan, "kelurahan", KELURAHAN_COLUMNS)
        kel = kel.sort_values("kode", kind="stable").reset_index(drop=True)
        kec = (
            _dissolve_kecamatan(kel)
            if kecamatan is None
            else _checked_layer(kecamatan, "kecamatan", KECAMATAN_COLUMNS)
        )
        zones = (
            _empty_flood_zones()
            if flood_zones is None
            else _checked_layer(flood_zones, "flood_zones", FLOOD_ZONE_COLUMNS)
        )
        fac = empty_facilities() if facilities is None else _normalised_facilities(facilities)
        marks = _empty_landmarks() if landmarks is None else _normalised_landmarks(landmarks)
        alias_frame = _empty_aliases() if aliases is None else aliases.reset_index(drop=True)
        sea = _empty_layer() if sea_area is None else _checked_layer(sea_area, "sea_area", ())

        kel_utm = kel.to_crs(METRIC_CRS)
        zones_utm = zones.to_crs(METRIC_CRS)
        outline_utm = filled_outline(kel_utm.geometry.values)
        outline = gpd.GeoSeries([outline_utm], crs=METRIC_CRS).to_crs(STORAGE_CRS).iloc[0]
        shapely.prepare(outline_utm)
        sea_utm = shapely.union_all(sea.to_crs(METRIC_CRS).geometry.values)
        shapely.prepare(sea_utm)
        fac_x, fac_y = to_metric_xy_local(fac["lon"].to_numpy(float), fac["lat"].to_numpy(float))
        return cls(
            kelurahan=kel,
            kecamatan=kec,
            flood_zones=zones,
            facilities=fac,
            landmarks=marks,
            aliases=alias_frame,
            extra_layers=MappingProxyType(dict(extra_layers or {})),
            kelurahan_utm=kel_utm,
            flood_zones_utm=zones_utm,
            facility_x_m=fac_x,
            facility_y_m=fac_y,
            outline=outline,
            outline_utm=outline_utm,
            kelurahan_tree=shapely.STRtree(kel_utm.geometry.values),
            flood_zone_tree=shapely.STRtree(zones_utm.geometry.values),
            sea_area=sea,
            sea_utm=sea_utm,
        )

    def with_facilities(self, facilities: pd.DataFrame) -> City:
        """A new City whose facilities are ``facilities`` (database rows or CSV frame).

        Columns: id, name, kind, lat, lon (required), also_serves, opd_code, address, phone,
        units, lokasi_perkiraan, source (optional). Other layers are shared, not copied.
        """
        fac = _normalised_facilities(facilities)
        fac_x, fac_y = to_metric_xy_local(fac["lon"].to_numpy(float), fac["lat"].to_numpy(float))
        return replace(self, facilities=fac, facility_x_m=fac_x, facility_y_m=fac_y, _memo={})

    def with_layer(self, name: str, layer: gpd.GeoDataFrame) -> City:
        """A new City with layer ``name`` replaced (core layers) or added (any other name)."""
        if not isinstance(name, str) or not name.strip():
            msg = messages.UNKNOWN_CORE_LAYER.format(name=name)
            raise DataFileError(msg)
        if name == "facilities":
            return self.with_facilities(layer)
        if name == "flood_zones":
            zones = _checked_layer(layer, name, FLOOD_ZONE_COLUMNS)
            zones_utm = zones.to_crs(METRIC_CRS)
            return replace(
                self,
                flood_zones=zones,
                flood_zones_utm=zones_utm,
                flood_zone_tree=shapely.STRtree(zones_utm.geometry.values),
                _memo={},
            )
        if name in CORE_LAYERS:
            return self._rebuilt(**{name: layer})
        if layer.crs is None:
            msg = messages.LAYER_WITHOUT_CRS.format(name=name)
            raise DataFileError(msg)
        extra = dict(self.extra_layers)
        extra[name] = layer.to_crs(STORAGE_CRS)
        return replace(self, extra_layers=MappingProxyType(extra), _memo={})

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """Build a derived object (e.g. a search index) once per City and keep it."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def _rebuilt(self, **changes: Any) -> City:
        layers: dict[str, Any] = {
            "kelurahan": self.kelurahan,
            "kecamatan": self.kecamatan,
            "flood_zones": self.flood_zones,
            "facilities": self.facilities,
            "landmarks": self.landmarks,
            "aliases": self.aliases,
            "extra_layers": self.extra_layers,
            "sea_area": self.sea_area,
        }
        layers.update(changes)
        return City.from_layers(**layers)


def load_city(data_dir: str | Path = DEFAULT_DATA_DIR) -> City:
    """Load every layer from ``data_dir`` once per resolved path (cached)."""
    return _load_city_cached(Path(data_dir).resolve())


def default_city() -> City:
    """The City built from this repository's data/ folder (resolved from the package, not cwd)."""
    return load_city(DEFAULT_DATA_DIR)


def read_kelurahan(path: str | Path) -> gpd.GeoDataFrame:
    """The 27 kelurahan polygons (kode, nama, kecamatan, kode_kecamatan) in EPSG:4326."""
    layer = _read_vector(Path(path))
    return _checked_layer(layer, Path(path).name, KELURAHAN_COLUMNS)


def read_kecamatan(path: str | Path) -> gpd.GeoDataFrame:
    """The 4 kecamatan polygons (kode, nama) in EPSG:4326."""
    layer = _read_vector(Path(path))
    return _checked_layer(layer, Path(path).name, KECAMATAN_COLUMNS)


def read_flood_zones(path: str | Path) -> gpd.GeoDataFrame:
    """Flood-zone polygons (name, type, level, ...) in EPSG:4326."""
    layer = _read_vector(Path(path))
    return _checked_layer(layer, Path(path).name, FLOOD_ZONE_COLUMNS)


def read_sea_area(path: str | Path) -> gpd.GeoDataFrame:
    """The derived sea polygons (name, derived, note, ...) in EPSG:4326."""
    layer = _read_vector(Path(path))
    return _checked_layer(layer, Path(path).name, ())


def read_facilities(path: str | Path) -> gpd.GeoDataFrame:
    """The facility CSV as a normalised point GeoDataFrame (see geo.facilities)."""
    return facilities_from_frame(_read_csv(Path(path)))


def read_landmarks(path: str | Path) -> gpd.GeoDataFrame:
    """Landmarks CSV (id, name, alt_names, category, kelurahan, lat, lon, ...) as points."""
    frame = _read_csv(Path(path))
    _require_columns(frame, Path(path).name, LANDMARK_COLUMNS)
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
        msg = messages.DATA_FILE_UNREADABLE.format(
            name=Path(path).name, reason=messages.REASON_EMPTY_LAT_LON
        )
        raise DataFileError(msg)
    frame = frame.assign(lat=lat, lon=lon)
    if "lokasi_perkiraan" in frame.columns:
        frame["lokasi_perkiraan"] = (
            frame["lokasi_perkiraan"].astype(str).str.strip().str.lower().isin(["true", "1"])
        )
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=STORAGE_CRS)


def read_aliases(path: str | Path) -> pd.DataFrame:
    """Old and alternative place names (alias, kelurahan, kecamatan, alias_type, certain, ...)."""
    frame = _read_csv(Path(path))
    _require_columns(frame, Path(path).name, ALIAS_COLUMNS)
    if "certain" in frame.columns:
        frame["certain"] = frame["certain"].astype(str).str.strip().str.lower().isin(["true", "1"])
    return frame


def filled_outline(polygons: np.ndarray) -> BaseGeometry:
    """Union of the kelurahan with interior slivers filled: the city as one would draw it."""
    union = shapely.union_all(polygons)
    parts = union.geoms if isinstance(union, MultiPolygon) else [union]
    filled = [Polygon(p.exterior) for p in parts if isinstance(p, Polygon) and not p.is_empty]
    return shapely.union_all(filled)


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write a derived layer as GeoJSON (RFC 7946, 6 decimals) so reruns produce the same file."""
    path.unlink(missing_ok=True)
    frame.to_file(
        path,
        driver="GeoJSON",
        engine="pyogrio",
        layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "6", "WRITE_NAME": "NO"},
    )


@lru_cache(maxsize=4)
def _load_city_cached(data_dir: Path) -> City:
    return City.from_layers(
        kelurahan=read_kelurahan(data_dir / KELURAHAN_FILE),
        kecamatan=read_kecamatan(data_dir / KECAMATAN_FILE),
        flood_zones=read_flood_zones(data_dir / FLOOD_ZONES_FILE),
        facilities=read_facilities(data_dir / FACILITIES_FILE),
        landmarks=read_landmarks(data_dir / LANDMARKS_FILE),
        aliases=read_aliases(data_dir / ALIASES_FILE),
        sea_area=read_sea_area(data_dir / SEA_AREA_FILE),
    )


def _read_vector(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        msg = messages.DATA_FILE_MISSING.format(path=path)
        raise DataFileError(msg)
    try:
        return gpd.read_file(path, engine="pyogrio")
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        msg = messages.DATA_FILE_UNREADABLE.format(name=path.name, reason=exc)
        raise DataFileError(msg) from exc


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        msg = messages.DATA_FILE_MISSING.format(path=path)
        raise DataFileError(msg)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        msg = messages.DATA_FILE_UNREADABLE.format(name=path.name, reason=exc)
        raise DataFileError(msg) from exc


def _checked_layer(
    layer: gpd.GeoDataFrame, name: str, columns: tuple[str, ...]
) -> gpd.GeoDataFrame:
    if not isinstance(layer, gpd.GeoDataFrame) or layer.crs is None:
        msg = messages.LAYER_WITHOUT_CRS.format(name=name)
        raise DataFileError(msg)
    _require_columns(layer, name, columns)
    return layer.to_crs(STORAGE_CRS).reset_index(drop=True)


def _require_columns(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = messages.DATA_FILE_MISSING_COLUMNS.format(name=name, columns=", ".join(missing))
        raise DataFileError(msg)


def _normalised_facilities(facilities: pd.DataFrame) -> gpd.GeoDataFrame:
    if isinstance(facilities, gpd.GeoDataFrame):
        if facilities.crs is None:
            msg = messages.LAYER_WITHOUT_CRS.format(name="facilities")
            raise DataFileError(msg)
        points = facilities.to_crs(STORAGE_CRS)
        frame = pd.DataFrame(points.drop(columns=points.geometry.name))
        if "lat" not in frame.columns or "lon" not in frame.columns:
            frame["lon"] = points.geometry.x.to_numpy()
            frame["lat"] = points.geometry.y.to_numpy()
        return facilities_from_frame(frame)
    return facilities_from_frame(pd.DataFrame(facilities))


def _normalised_landmarks(landmarks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    marks = _checked_layer(landmarks, "landmarks", ("name",))
    if "lat" not in marks.columns or "lon" not in marks.columns:
        marks = marks.assign(lon=marks.geometry.x.to_numpy(), lat=marks.geometry.y.to_numpy())
    return marks


def _dissolve_kecamatan(kel: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    columns = ["kode_kecamatan", "kecamatan", kel.geometry.name]
    dissolved = kel[columns].dissolve(by=["kode_kecamatan", "kecamatan"], as_index=False)
    dissolved = dissolved.rename(columns={"kode_kecamatan": "kode", "kecamatan": "nama"})
    return dissolved[["kode", "nama", "geometry"]].reset_index(drop=True)


def _empty_flood_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in FLOOD_ZONE_COLUMNS},
        geometry=gpd.GeoSeries([], crs=STORAGE_CRS),
        crs=STORAGE_CRS,
    )


def _empty_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)


def _empty_landmarks() -> gpd.GeoDataFrame:
    columns = ("id", "name", "alt_names", "category", "kelurahan", "lokasi_perkiraan", "source")
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame["lat"] = pd.Series(dtype=float)
    frame["lon"] = pd.Series(dtype=float)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)


def _empty_aliases() -> pd.DataFrame:
    columns = ("alias", "kelurahan", "kecamatan", "alias_type", "certain", "note", "source")
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
