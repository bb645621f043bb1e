"""Read and validate an uploaded map layer (GeoJSON, GeoPackage, Shapefile or zipped Shapefile).

``read_layer`` only returns a checked GeoDataFrame in EPSG:4326; storing it is the dashboard's
job. Every refusal is a LayerImportError whose Indonesian message names the file and the reason.
Checks, in order: format, readable, one layer, not empty, CRS (missing -> refused, except
GeoJSON which RFC 7946 defines as WGS 84), reprojection, geometry present, invalid geometry
repaired with shapely.make_valid (refused if still invalid or empty), geometry type, required
columns, and overlap with Kota Pekalongan.
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from geo import messages
from geo.crs import METRES_PER_DEGREE_LAT, METRIC_CRS, STORAGE_CRS
from geo.errors import LayerImportError
from geo.facilities import FACILITY_KINDS
from geo.layers import City, default_city

log = logging.getLogger("siaga112.geo")

GEOJSON_SUFFIXES = (".geojson", ".json")
SUPPORTED_SUFFIXES = (*GEOJSON_SUFFIXES, ".gpkg", ".shp", ".zip")
CITY_MARGIN_M = 1000.0
MIN_POLYGON_AREA_M2 = 1.0


@dataclass(frozen=True)
class LayerSpec:
    """What a named layer must contain."""

    required_columns: tuple[str, ...] = ()
    geometry_types: tuple[str, ...] = ()  # empty: any type
    column_aliases: tuple[tuple[str, str], ...] = ()
    allowed_values: tuple[tuple[str, tuple[str, ...]], ...] = ()


# Official BPBD / InaRISK files are often Indonesian: nama/jenis/tingkat are accepted for
# name/type/level (matched case-insensitively); nothing else is guessed.
_POLYGONS = ("Polygon", "MultiPolygon")
LAYER_SPECS: dict[str, LayerSpec] = {
    "flood_zones": LayerSpec(
        required_columns=("name", "type", "level"),
        geometry_types=_POLYGONS,
        column_aliases=(("nama", "name"), ("jenis", "type"), ("tingkat", "level")),
        allowed_values=(("level", ("tinggi", "sedang", "rendah")),),
    ),
    "kelurahan": LayerSpec(
        required_columns=("kode", "nama", "kecamatan", "kode_kecamatan"),
        geometry_types=_POLYGONS,
    ),
    "kecamatan": LayerSpec(required_columns=("kode", "nama"), geometry_types=_POLYGONS),
    "facilities": LayerSpec(
        required_columns=("name", "kind"),
        geometry_types=("Point",),
        column_aliases=(("nama", "name"), ("jenis", "kind")),
        allowed_values=(("kind", FACILITY_KINDS),),
    ),
}
GENERIC_SPEC = LayerSpec()


def read_layer(path: str | Path, *, layer_name: str, city: City | None = None) -> gpd.GeoDataFrame:
    """Read ``path`` as layer ``layer_name`` and return it validated, in EPSG:4326.

    Known layer names (LAYER_SPECS: flood_zones, kelurahan, kecamatan, facilities) must have
    their columns and geometry type; any other name is accepted as a generic overlay.
    """
    path = Path(path)
    name = path.name
    spec = LAYER_SPECS.get(layer_name, GENERIC_SPEC)
    if not path.is_file():
        msg = messages.IMPORT_FILE_MISSING.format(name=name)
        raise LayerImportError(msg)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        msg = messages.IMPORT_UNSUPPORTED_FORMAT.format(name=name)
        raise LayerImportError(msg)

    layer = _read_file(path, layer_name)
    if layer.empty:
        msg = messages.IMPORT_EMPTY.format(name=name)
        raise LayerImportError(msg)
    layer = _to_storage_crs(layer, name, assume_wgs84=suffix in GEOJSON_SUFFIXES)
    layer = _repaired_geometry(layer, name, spec, layer_name)
    layer = _with_required_columns(layer, name, spec, layer_name)
    _check_inside_city(layer, name, city or default_city())
    return layer.reset_index(drop=True)


def to_geojson_text(layer: gpd.GeoDataFrame) -> str:
    """GeoJSON text in EPSG:4326; date/time values become ISO 8601 strings first.

    (pandas 3 Timestamps are not JSON-serialisable by GeoDataFrame.to_json.)
    """
    out = layer.copy()
    if out.crs is not None and not out.crs.equals(STORAGE_CRS):
        out = out.to_crs(STORAGE_CRS)
    geometry_name = out.geometry.name
    for column in out.columns:
        if column == geometry_name:
            continue
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series) or isinstance(series.dtype, pd.PeriodDtype):
            out[column] = _iso_strings(series)
        elif series.dtype == object and series.map(_is_temporal).any():
            out[column] = series.map(lambda v: _iso(v) if _is_temporal(v) else v)
    return out.to_json(na="null", show_bbox=False, drop_id=True)


def _read_file(path: Path, layer_name: str) -> gpd.GeoDataFrame:
    name = path.name
    source = str(path)
    if path.suffix.lower() == ".zip":
        source = _zipped_shapefile(path)
    layer = None
    try:
        layers = gpd.list_layers(source)
        if len(layers) > 1:
            names = [str(n) for n in layers["name"]]
            if layer_name not in names:
                msg = messages.IMPORT_MANY_LAYERS.format(
                    name=name, layers=", ".join(names), layer_name=layer_name
                )
                raise LayerImportError(msg)
            layer = layer_name
        return gpd.read_file(source, layer=layer, engine="pyogrio")
    except LayerImportError:
        raise
    except (
        DataSourceError,
        DataLayerError,
        FieldError,
        GeometryError,
        OSError,
        ValueError,
        UnicodeDecodeError,
    ) as exc:
        msg = messages.IMPORT_UNREADABLE.format(name=name, reason=_short_reason(exc))
        raise LayerImportError(msg) from exc


def _zipped_shapefile(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            shapefiles = [
                n
                for n in archive.namelist()
                if n.lower().endswith(".shp") and not n.startswith("__MACOSX/")
            ]
    except (zipfile.BadZipFile, OSError) as exc:
        msg = messages.IMPORT_UNREADABLE.format(name=path.name, reason=_short_reason(exc))
        raise LayerImportError(msg) from exc
    if not shapefiles:
        msg = messages.IMPORT_ZIP_WITHOUT_SHP.format(name=path.name)
        raise LayerImportError(msg)
    if len(shapefiles) > 1:
        msg = messages.IMPORT_ZIP_MANY_SHP.format(name=path.name, names=", ".join(shapefiles))
        raise LayerImportError(msg)
    return f"/vsizip/{path.resolve()}/{shapefiles[0]}"


def _to_storage_crs(layer: gpd.GeoDataFrame, name: str, *, assume_wgs84: bool) -> gpd.GeoDataFrame:
    if layer.crs is None:
        if not assume_wgs84:
            msg = messages.IMPORT_NO_CRS.format(name=name)
            raise LayerImportError(msg)
        layer = layer.set_crs(STORAGE_CRS)
    try:
        out = layer.to_crs(STORAGE_CRS)
    except (CRSError, ValueError) as exc:
        msg = messages.IMPORT_BAD_CRS.format(name=name, reason=_short_reason(exc))
        raise LayerImportError(msg) from exc
    bounds = out.total_bounds
    if not np.isfinite(bounds).all():
        msg = messages.IMPORT_BAD_CRS.format(name=name, reason=messages.REASON_INFINITE_COORDINATES)
        raise LayerImportError(msg)
    return out


def _repaired_geometry(
    layer: gpd.GeoDataFrame, name: str, spec: LayerSpec, layer_name: str
) -> gpd.GeoDataFrame:
    geoms = layer.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        msg = messages.IMPORT_MISSING_GEOMETRY.format(name=name, rows=_rows(missing))
        raise LayerImportError(msg)
    geoms = shapely.force_2d(geoms)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = [_repair(g, allowed=spec.geometry_types) for g in geoms[invalid]]
        still_bad = shapely.is_missing(geoms) | shapely.is_empty(geoms) | ~shapely.is_valid(geoms)
        if still_bad.any():
            msg = messages.IMPORT_INVALID_GEOMETRY.format(name=name, rows=_rows(still_bad))
            raise LayerImportError(msg)
    if spec.geometry_types and set(spec.geometry_types) <= set(_POLYGONS):
        # A "polygon" thinner than a square metre (collinear points) encloses nothing.
        area_m2 = gpd.GeoSeries(geoms, crs=layer.crs).to_crs(METRIC_CRS).area.to_numpy()
        degenerate = shapely.get_type_id(geoms) == 3
        degenerate |= shapely.get_type_id(geoms) == 6
        degenerate &= area_m2 < MIN_POLYGON_AREA_M2
        if degenerate.any():
            msg = messages.IMPORT_INVALID_GEOMETRY.format(name=name, rows=_rows(degenerate))
            raise LayerImportError(msg)
    if spec.geometry_types:
        wrong = ~np.isin(shapely.get_type_id(geoms), _type_ids(spec.geometry_types))
        if wrong.any():
            found = sorted({g.geom_type for g in geoms[wrong]})
            msg = messages.IMPORT_WRONG_GEOMETRY_TYPE.format(
                name=name, layer_name=layer_name, rows=_rows(wrong), types=", ".join(found)
            )
            raise LayerImportError(msg)
    return layer.set_geometry(gpd.GeoSeries(geoms, index=layer.index, crs=layer.crs))


def _repair(geometry: BaseGeometry, *, allowed: tuple[str, ...]) -> BaseGeometry | None:
    repaired = shapely.make_valid(geometry)
    if allowed and repaired.geom_type not in allowed:
        # make_valid may return a collection (polygon + stray lines): keep the allowed parts.
        parts = [p for p in shapely.get_parts(repaired) if p.geom_type in allowed]
        repaired = shapely.union_all(parts) if parts else None
    if repaired is None or repaired.is_empty:
        return None
    if set(allowed) <= set(_POLYGONS) and allowed and repaired.area == 0:
        return None
    return repaired


def _type_ids(names: tuple[str, ...]) -> list[int]:
    ids = {
        "Point": 0,
        "LineString": 1,
        "Polygon": 3,
        "MultiPoint": 4,
        "MultiLineString": 5,
        "MultiPolygon": 6,
    }
    return [ids[n] for n in names]


def _with_required_columns(
    layer: gpd.GeoDataFrame, name: str, spec: LayerSpec, layer_name: str
) -> gpd.GeoDataFrame:
    geometry_name = layer.geometry.name
    by_lower = {str(c).strip().lower(): c for c in layer.columns if c != geometry_name}
    aliases = dict(spec.column_aliases)
    renames = {}
    for wanted in spec.required_columns:
        if wanted in layer.columns:
            continue
        source = by_lower.get(wanted)
        if source is None:
            candidates = [a for a, target in aliases.items() if target == wanted]
            source = next((by_lower[a] for a in candidates if a in by_lower), None)
        if source is not None:
            renames[source] = wanted
    layer = layer.rename(columns=renames)
    missing = [c for c in spec.required_columns if c not in layer.columns]
    if missing:
        msg = messages.IMPORT_MISSING_COLUMNS.format(
            name=name, layer_name=layer_name, columns=", ".join(missing)
        )
        raise LayerImportError(msg)
    for column in spec.required_columns:
        text = layer[column].astype(object).map(lambda v: "" if _is_blank(v) else str(v).strip())
        blank = (text == "").to_numpy()
        if blank.any():
            msg = messages.IMPORT_EMPTY_VALUES.format(name=name, column=column, rows=_rows(blank))
            raise LayerImportError(msg)
        layer[column] = text.to_numpy(dtype=object)
    for column, allowed in spec.allowed_values:
        values = layer[column].str.lower()
        bad = ~values.isin(allowed)
        if bad.any():
            msg = messages.IMPORT_BAD_VALUES.format(
                name=name,
                column=column,
                rows=_rows(bad.to_numpy()),
                values=", ".join(sorted(set(layer.loc[bad, column]))),
            )
            raise LayerImportError(msg)
        layer[column] = values.to_numpy(dtype=object)
    return layer


def _check_inside_city(layer: gpd.GeoDataFrame, name: str, city: City) -> None:
    minx, miny, maxx, maxy = layer.total_bounds
    # City outline grown by ~1 km (in degrees at this latitude: 1 km ~ 0.009 deg).
    margin_deg = CITY_MARGIN_M / METRES_PER_DEGREE_LAT
    if not shapely.box(minx, miny, maxx, maxy).intersects(city.outline.buffer(margin_deg)):
        bounds = f"{minx:.4f}, {miny:.4f}, {maxx:.4f}, {maxy:.4f}"
        msg = messages.IMPORT_OUTSIDE_CITY.format(name=name, bounds=bounds)
        raise LayerImportError(msg)


def _iso_strings(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.PeriodDtype):
        series = series.dt.to_timestamp()
    out = series.map(lambda v: None if pd.isna(v) else _iso(v))
    return out.astype(object)


def _iso(value: object) -> str:
    if isinstance(value, (dt.date, dt.time)):  # includes datetime and pd.Timestamp
        return value.isoformat()
    return pd.Timestamp(value).isoformat()


def _is_temporal(value: object) -> bool:
    return isinstance(value, (pd.Timestamp, dt.datetime, dt.date, dt.time, np.datetime64))


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return str(value).strip() == ""


def _rows(mask: np.ndarray) -> str:
    rows = (np.flatnonzero(mask) + 1).tolist()
    shown = ", ".join(map(str, rows[:10]))
    return shown + (" ..." if len(rows) > 10 else "")


def _short_reason(exc: BaseException) -> str:
    """Why a file could not be read, in Indonesian, for the admin: never GDAL's English text
    nor a server path (the technical detail goes to the server log)."""
    log.info("layer file unreadable: %s: %s", type(exc).__name__, str(exc)[:300])
    for kinds, reason in (
        ((UnicodeDecodeError,), messages.REASON_ENCODING),
        ((zipfile.BadZipFile,), messages.REASON_BAD_ZIP),
        ((GeometryError,), messages.REASON_GEOMETRY),
        ((FieldError,), messages.REASON_FIELDS),
        ((CRSError,), messages.REASON_CRS),
        ((DataSourceError, DataLayerError), messages.REASON_NOT_MAP_DATA),
        ((OSError,), messages.REASON_CANNOT_OPEN),
    ):
        if isinstance(exc, kinds):
            return reason
    return messages.REASON_NOT_MAP_DATA
