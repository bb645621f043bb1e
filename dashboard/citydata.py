"""The geo.City as the database describes it: stored layers and facility positions."""

from __future__ import annotations

import json
import threading

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard import tables as t
from dashboard.db import reading
from dashboard.errors import geo_boundary
from geo import load_city

_lock = threading.Lock()
_cache: dict[tuple, object] = {}


def current_city(engine: Engine):
    """geo.City with the database's facilities and layers; rebuilt only when they change.

    Bundled data files or stored facility rows geo cannot use raise GeoRefused."""
    # Asked by every viewer at every refresh: a read that takes no SQLite write lock.
    with reading(engine) as conn:
        facility_stamp = select(func.max(t.facilities.c.updated_at_utc), func.count())
        layer_stamp = select(func.max(t.geo_layers.c.imported_at_utc), func.count())
        fingerprint = (
            str(engine.url),
            tuple(conn.execute(facility_stamp.select_from(t.facilities)).one()),
            tuple(conn.execute(layer_stamp.select_from(t.geo_layers)).one()),
        )
        with _lock:
            cached = _cache.get(fingerprint)
        if cached is not None:
            return cached
        facilities = pd.read_sql(select(t.facilities), conn)
        layers = conn.execute(select(t.geo_layers.c.name, t.geo_layers.c.geojson)).all()
    with geo_boundary():
        city = load_city().with_facilities(facilities)
        for name, text in layers:
            gdf = gpd.GeoDataFrame.from_features(json.loads(text)["features"], crs="EPSG:4326")
            city = city.with_layer(name, gdf)
    with _lock:
        _cache.clear()
        _cache[fingerprint] = city
    return city


def layer_geojson(engine: Engine, name: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            select(t.geo_layers.c.geojson).where(t.geo_layers.c.name == name)
        ).scalar()
