"""Replacing a map layer (flood zones, kelurahan, facilities) from an official file, atomically."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from dashboard import audit, labels
from dashboard import tables as t
from dashboard.domain import Actor, check_permission, utc_now
from dashboard.errors import NotFound, geo_boundary
from dashboard.incidents import check_coordinates
from geo import read_layer, to_geojson_text

LAYER_NAMES = ("flood_zones", "kelurahan", "kecamatan", "facilities")


def import_layer(engine: Engine, actor: Actor, name: str, path: Path | str) -> int:
    """Read, validate and store a layer; the old one stays if anything fails. Returns features.

    A refused file raises GeoRefused with geo's Indonesian reason."""
    check_permission(actor, "import")
    with geo_boundary():
        gdf = read_layer(Path(path), layer_name=name)
        geojson = None if name == "facilities" else to_geojson_text(gdf)
    now = utc_now()
    source = Path(path).name[:300]
    with engine.begin() as conn:
        before = _layer_state(conn, name)
        if name == "facilities":
            rows = [
                _facility(record, now, actor)
                for record in gdf.drop(columns="geometry").to_dict("records")
            ]
            for row, geom in zip(rows, gdf.geometry, strict=True):
                row["lat"], row["lon"] = geom.y, geom.x
            conn.execute(delete(t.facilities))
            conn.execute(insert(t.facilities), rows)
            _audit_import(conn, actor, name, before, len(rows), source=source, now=now)
            return len(rows)
        values = {
            "geojson": geojson,
            "source": source,
            "feature_count": len(gdf),
            "imported_at_utc": now,
            "imported_by": actor.username,
        }
        updated = conn.execute(
            update(t.geo_layers).where(t.geo_layers.c.name == name).values(**values)
        )
        if not updated.rowcount:
            conn.execute(insert(t.geo_layers).values(name=name, **values))
        _audit_import(conn, actor, name, before, len(gdf), source=source, now=now)
    return len(gdf)


def move_facility(
    engine: Engine, actor: Actor, facility_id: str, *, lat: float, lon: float
) -> None:
    """Correct a facility's position (admin); it is then no longer marked approximate."""
    check_permission(actor, "admin")
    lat, lon = check_coordinates(lat, lon)
    with engine.begin() as conn:
        f = t.facilities.c
        old = conn.execute(select(f.lat, f.lon).where(f.id == facility_id)).first()
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
        audit.record(
            conn,
            actor,
            "facility",
            facility_id,
            "MOVE",
            before={"lat": old.lat, "lon": old.lon},
            after={"lat": lat, "lon": lon},
        )


def _layer_state(conn: Connection, name: str) -> dict[str, object] | None:
    """What the audit keeps of a layer: its feature count and source file (never its GeoJSON)."""
    if name == "facilities":
        count = conn.execute(select(func.count()).select_from(t.facilities)).scalar_one()
        return {"feature_count": int(count)}
    g = t.geo_layers.c
    row = conn.execute(select(g.feature_count, g.source).where(g.name == name)).first()
    return None if row is None else {"feature_count": row.feature_count, "source": row.source}


def _audit_import(conn, actor: Actor, name: str, before, count: int, *, source: str, now) -> None:
    after = {"feature_count": count, "source": source}
    audit.record(conn, actor, "layer", name, "IMPORT", before=before, after=after, now=now)


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
