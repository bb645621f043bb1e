"""The catalogue (OPDs, categories, routing, facilities, settings, layers), seeded from data/."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, update

from dashboard import audit, labels
from dashboard import tables as t
from dashboard.config import DATA_DIR
from dashboard.domain import ADMIN, Actor, RoutingRule, Targets, check_permission, utc_now
from dashboard.errors import UnknownReference
from dashboard.settings import OpsSettings, as_ops_settings, from_rows

SEEDED_LAYERS = {
    "kelurahan": "kota_pekalongan_kelurahan.geojson",
    "kecamatan": "kota_pekalongan_kecamatan.geojson",
    "flood_zones": "flood_zones.geojson",
}


# Six classes a person tells apart at a glance (the wall at five metres, Tren's volume chart):
# what kind of help an incident needs. Every category belongs to exactly one; a category not
# listed (added later) is OTHER. Colours: mapview.style.CLASS_COLOR; names: labels.CATEGORY_CLASS.
FIRE, WATER, MEDICAL, SECURITY, ENVIRONMENT, OTHER = (
    "FIRE",
    "WATER",
    "MEDICAL",
    "SECURITY",
    "ENVIRONMENT",
    "OTHER",
)
CATEGORY_CLASSES = (FIRE, WATER, MEDICAL, SECURITY, ENVIRONMENT, OTHER)
CATEGORY_CLASS = {
    "KEBAKARAN": FIRE,
    "BANJIR": WATER,
    "ROB": WATER,
    "AMBULANS": MEDICAL,
    "KECELAKAAN": MEDICAL,
    "MOBIL_JENAZAH": MEDICAL,
    "PERMINTAAN_DARAH": MEDICAL,
    "KESEHATAN_MASYARAKAT": MEDICAL,
    "KRIMINAL": SECURITY,
    "ODGJ": SECURITY,
    "PERJUDIAN": SECURITY,
    "MIRAS": SECURITY,
    "PROSTITUSI": SECURITY,
    "POHON_TUMBANG": ENVIRONMENT,
    "SARANG_TAWON": ENVIRONMENT,
    "GANGGUAN_LISTRIK": ENVIRONMENT,
    "LALU_LINTAS": ENVIRONMENT,
    "INFORMASI": OTHER,
}


def category_class(category_code: str | None) -> str:
    """The display class of a category (OTHER for one not in CATEGORY_CLASS)."""
    return CATEGORY_CLASS.get(category_code or "", OTHER)


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group_code: str
    priority: int
    color: str
    needs: str | None


def seed_catalogue(engine: Engine, *, data_dir: Path = DATA_DIR) -> bool:
    """Load the catalogue files into an empty database; returns False when already seeded."""
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(t.opds)).scalar_one():
            return False
        now = utc_now()
        opd_rows = _read_csv(data_dir / "opds.csv")
        conn.execute(insert(t.opds), [{**row, "active": True} for row in opd_rows])
        category_rows = _read_csv(data_dir / "categories.csv")
        conn.execute(
            insert(t.categories),
            [
                {
                    "code": row["code"],
                    "name": row["name"],
                    "group_code": row["group_code"],
                    "priority": int(row["priority"]),
                    "color": row["color"],
                    "needs": row["needs"] or None,
                    "active": True,
                }
                for row in category_rows
            ],
        )
        rules = [
            {"category_code": row["code"], "kecamatan": None, "opd_code": row["default_opd"]}
            for row in category_rows
        ]
        rules += [
            {
                "category_code": r["category_code"],
                "kecamatan": r["kecamatan"],
                "opd_code": r["opd_code"],
            }
            for r in _read_csv(data_dir / "routing_rules.csv")
        ]
        conn.execute(insert(t.routing_rules), rules)
        conn.execute(
            insert(t.facilities),
            [_facility_row(r, now) for r in _read_csv(data_dir / "facilities.csv")],
        )
        defaults = json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))
        conn.execute(
            insert(t.settings),
            [
                {"key": key, "value": json.dumps(value), "updated_at_utc": now}
                for key, value in defaults.items()
                if not key.startswith("_")
            ],
        )
        for name, filename in SEEDED_LAYERS.items():
            text = (data_dir / filename).read_text(encoding="utf-8")
            conn.execute(
                insert(t.geo_layers).values(
                    name=name,
                    geojson=text,
                    source=f"data/{filename}",
                    feature_count=len(json.loads(text)["features"]),
                    imported_at_utc=now,
                    imported_by="sistem",
                )
            )
    return True


def categories(conn: Connection) -> dict[str, Category]:
    rows = conn.execute(
        select(t.categories)
        .where(t.categories.c.active)
        .order_by(t.categories.c.priority, t.categories.c.name)
    )
    return {
        r.code: Category(r.code, r.name, r.group_code, r.priority, r.color, r.needs) for r in rows
    }


def opd_names(conn: Connection) -> dict[str, str]:
    rows = conn.execute(
        select(t.opds.c.code, t.opds.c.short_name)
        .where(t.opds.c.active)
        .order_by(t.opds.c.short_name)
    )
    return {r.code: r.short_name for r in rows}


def check_active_opds(conn: Connection, opd_codes: Sequence[str | None]) -> None:
    """UnknownReference naming the first code that is no active OPD (one query for all)."""
    if not opd_codes:
        return
    wanted = {code or "" for code in opd_codes}
    active = set(
        conn.execute(
            select(t.opds.c.code).where(t.opds.c.code.in_(wanted), t.opds.c.active)
        ).scalars()
    )
    for opd_code in opd_codes:
        if (opd_code or "") not in active:
            raise UnknownReference(labels.ERR_UNKNOWN_OPD.format(value=str(opd_code)[:40]))


def routing_rules(conn: Connection) -> list[RoutingRule]:
    rows = conn.execute(select(t.routing_rules))
    return [RoutingRule(r.category_code, r.kecamatan, r.opd_code) for r in rows]


def get_settings(conn: Connection) -> dict[str, object]:
    """The settings table as stored (key -> JSON value); services read ops_settings instead."""
    return {r.key: json.loads(r.value) for r in conn.execute(select(t.settings))}


def ops_settings(conn: Connection) -> OpsSettings:
    """The settings table, typed, with dashboard.settings' defaults for what is missing."""
    return from_rows(get_settings(conn))


# Who changes a setting when no signed-in admin does (tests, start-up, the CLI).
SYSTEM_ACTOR = Actor(username="sistem", role=ADMIN, full_name="Sistem")


def set_setting(engine: Engine, key: str, value: object, *, actor: Actor | None = None) -> None:
    """Change one setting (an admin's change when `actor` is given); audited with the old and
    new value in the same transaction. Writing the value it already has changes nothing."""
    actor = actor or SYSTEM_ACTOR
    check_permission(actor, "admin")
    with engine.begin() as conn:
        old = conn.execute(select(t.settings.c.value).where(t.settings.c.key == key)).scalar()
        if old is not None and json.loads(old) == value:
            return
        updated = conn.execute(
            update(t.settings)
            .where(t.settings.c.key == key)
            .values(value=json.dumps(value), updated_at_utc=utc_now())
        ).rowcount
        if not updated:
            conn.execute(
                insert(t.settings).values(
                    key=key, value=json.dumps(value), updated_at_utc=utc_now()
                )
            )
        audit.record(
            conn,
            actor,
            "setting",
            key,
            "UPDATE" if old is not None else "CREATE",
            before=None if old is None else {"value": json.loads(old)},
            after={"value": value},
        )


def targets(settings: OpsSettings | Mapping[str, object]) -> Targets:
    """The KPI targets of typed settings or of the raw table."""
    return as_ops_settings(settings).targets


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {k: (v or "").strip() for k, v in row.items() if k and k != "why"}
            for row in csv.DictReader(handle)
        ]


def _facility_row(row: dict[str, str], now) -> dict[str, object]:
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "also_serves": row.get("also_serves", ""),
        "opd_code": row.get("opd_code") or None,
        "lat": float(row["lat"]),
        "lon": float(row["lon"]),
        "address": row.get("address") or None,
        "phone": row.get("phone") or None,
        "units": int(row.get("units") or 0),
        "lokasi_perkiraan": row.get("lokasi_perkiraan", "").lower() in {"1", "true", "ya", "yes"},
        "source": row.get("source") or None,
        "updated_at_utc": now,
        "updated_by": "sistem",
    }
