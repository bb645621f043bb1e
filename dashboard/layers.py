"""Replacing a map layer (flood zones, kelurahan, facilities) from an official file, atomically."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, delete, insert, update

from dashboard import labels
from dashboard import tables as t
from dashboard.domain import Actor, check_permission, utc_now
from dashboard.errors import NotFound

LAYER_NAMES = ("flood_zones", "kelurahan", "kecamatan", "facilities")


def import_layer(engine: Engine, actor: Actor, name: str, path: Path | str) -> int:
    """Read, validate and store a layer; the old one stays if anything fails. Returns features."""
    from geo import read_layer, to_geojson_text

    check_permission(actor, "import")
    gdf = read_layer(Path(path), layer_name=name)
    now = utc_now()
    with engine.begin() as conn:
        if name == "facilities":
            rows = [
                _facility(record, now, actor)
                for record in gdf.drop(columns="geometry").to_dict("records")
            ]
            for row, geom in zip(rows, gdf.geometry, strict=True):
                row["lat"], row["lon"] = geom.y, geom.x
            conn.execute(delete(t.facilities))
            conn.execute(insert(t.facilities), rows)
            return len(rows)
        values = {
            "geojson": to_geojson_text(gdf),
            "source": Path(path).name[:300],
            "feature_count": len(gdf),
            "imported_at_utc": now,
            "imported_by": actor.username,
        }
        updated = conn.execute(
            update(t.geo_layers).where(t.geo_layers.c.name == name).values(**values)
        )
        if not updated.rowcount:
            conn.execute(insert(t.geo_layers).values(name=name, **values))
    return len(gdf)


def move_facility(
    engine: Engine, actor: Actor, facility_id: str, *, lat: float, lon: float
) -> None:
    """Correct a facility's position (admin); it is then no longer marked approximate."""
    from dashboard.incidents import check_coordinates

    check_permission(actor, "admin")
    lat, lon = check_coordinates(lat, lon)
    with engine.begin() as conn:
        moved = conn.execute(
            update(t.facilities)
            .where(t.facilities.c.id == facility_id)
            .values(
                lat=lat,
                lon=lon,
                lokasi_perkiraan=False,
                updated_at_utc=utc_now(),
                updated_by=actor.username,
            )
        ).rowcount
        if moved != 1:
            raise NotFound(labels.ERR_FACILITY_NOT_FOUND)


def _facility(record: dict, now, actor: Actor) -> dict:
    def text(key: str) -> str | None:
        value = record.get(key)
        return None if value is None or str(value) in {"", "nan", "None"} else str(value)

    return {
        "id": text("id") or text("name"),
        "name": text("name"),
        "kind": text("kind"),
        "also_serves": text("also_serves") or "",
        "opd_code": text("opd_code"),
        "address": text("address"),
        "phone": text("phone"),
        "units": int(float(record.get("units") or 0)),
        "lokasi_perkiraan": str(record.get("lokasi_perkiraan", "")).lower() in {"1", "true", "ya"},
        "source": text("source"),
        "updated_at_utc": now,
        "updated_by": actor.username,
    }
