"""Admin use cases: OPD catalogue, routing rules per category and kecamatan, facilities, layers."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from dashboard import audit, catalogue, labels
from dashboard import tables as t
from dashboard.citydata import current_city
from dashboard.domain import (
    OPEN_STATUSES,
    Actor,
    check_permission,
    clean_text,
    format_wib,
    py_datetime,
)
from dashboard.errors import GeoRefused, ImportRejected, InvalidInput, UnknownReference
from dashboard.incidents import check_coordinates, locate_report
from dashboard.layers import LAYER_NAMES, import_layer
from dashboard.layers import move_facility as store_position

OPD_CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]{1,19}")
OPD_COLUMNS = ("code", "name", "short_name", "phone", "description", "active")
FACILITY_COLUMNS = (
    "id",
    "name",
    "kind",
    "opd_code",
    "lat",
    "lon",
    "address",
    "lokasi_perkiraan",
    "updated_at_utc",
    "updated_by",
)


def opd_table(engine: Engine, actor: Actor) -> pd.DataFrame:
    """Every OPD (active or not) with how many open incidents and routing rules point at it."""
    check_permission(actor, "admin")
    with engine.connect() as conn:
        rows = conn.execute(select(t.opds).order_by(t.opds.c.code)).all()
        open_counts = _count_by(
            conn, t.incidents.c.opd_code, t.incidents.c.status.in_(OPEN_STATUSES)
        )
        rule_counts = _count_by(conn, t.routing_rules.c.opd_code)
    frame = pd.DataFrame([r._asdict() for r in rows], columns=list(OPD_COLUMNS))
    frame["open_incidents"] = [open_counts.get(code, 0) for code in frame["code"]]
    frame["routing_rules"] = [rule_counts.get(code, 0) for code in frame["code"]]
    return frame


def save_opd(
    engine: Engine,
    actor: Actor,
    *,
    code: str,
    name: str,
    short_name: str,
    phone: str | None = None,
    description: str | None = None,
    active: bool = True,
) -> bool:
    """Add an OPD or update one; returns True when it was new.

    An OPD still named by a routing rule cannot be deactivated: new reports would be routed to
    an OPD that no longer takes them.
    """
    check_permission(actor, "admin")
    code = (code or "").strip().upper()
    if not OPD_CODE_PATTERN.fullmatch(code):
        raise InvalidInput(labels.ERR_OPD_CODE)
    values = {
        "name": clean_text(name, field=labels.FIELD_OPD_NAME_SHORT, limit=200),
        "short_name": clean_text(short_name, field=labels.FIELD_OPD_SHORT, limit=60),
        "phone": clean_text(phone, field=labels.FIELD_OPD_PHONE, limit=40, required=False) or None,
        "description": clean_text(
            description, field=labels.FIELD_OPD_DESCRIPTION, limit=1000, required=False
        )
        or None,
        "active": bool(active),
    }
    with engine.begin() as conn:
        exists = conn.execute(
            select(*[t.opds.c[name] for name in values]).where(t.opds.c.code == code)
        ).first()
        if not active:
            rules = _count_by(conn, t.routing_rules.c.opd_code).get(code, 0)
            if rules:
                raise InvalidInput(labels.ERR_OPD_IN_RULES.format(code=code, count=rules))
        if exists:
            old = exists._asdict()
            changed = [name for name, value in values.items() if old[name] != value]
            conn.execute(update(t.opds).where(t.opds.c.code == code).values(**values))
            if changed:
                audit.record(
                    conn,
                    actor,
                    "opd",
                    code,
                    "UPDATE",
                    before={name: old[name] for name in changed},
                    after={name: values[name] for name in changed},
                )
            return False
        conn.execute(insert(t.opds).values(code=code, **values))
        audit.record(conn, actor, "opd", code, "CREATE", after=values)
        return True


def routing_table(engine: Engine, actor: Actor) -> pd.DataFrame:
    """One row per category: its city-wide OPD and the per-kecamatan overrides."""
    check_permission(actor, "admin")
    with engine.connect() as conn:
        categories = conn.execute(
            select(t.categories.c.code, t.categories.c.name, t.categories.c.priority)
            .where(t.categories.c.active)
            .order_by(t.categories.c.priority, t.categories.c.name)
        ).all()
        rules = conn.execute(select(t.routing_rules)).all()
    defaults = {r.category_code: r.opd_code for r in rules if r.kecamatan is None}
    overrides: dict[str, list[str]] = {}
    for r in sorted(rules, key=lambda r: (r.category_code, r.kecamatan or "")):
        if r.kecamatan is not None:
            overrides.setdefault(r.category_code, []).append(f"{r.kecamatan} → {r.opd_code}")
    return pd.DataFrame(
        [
            {
                "category_code": c.code,
                "category_name": c.name,
                "priority": c.priority,
                "default_opd": defaults.get(c.code),
                "overrides": "; ".join(overrides.get(c.code, [])),
            }
            for c in categories
        ],
        columns=["category_code", "category_name", "priority", "default_opd", "overrides"],
    )


def set_default_opd(engine: Engine, actor: Actor, category_code: str, opd_code: str) -> None:
    """The OPD a category goes to anywhere in the city (unless a kecamatan overrides it)."""
    check_permission(actor, "admin")
    with engine.begin() as conn:
        _check_category(conn, category_code)
        catalogue.check_active_opds(conn, [opd_code])
        _upsert_rule(conn, actor, category_code, None, opd_code)


def set_area_override(
    engine: Engine,
    actor: Actor,
    category_code: str,
    kecamatan: str,
    opd_code: str | None,
    *,
    kecamatan_names: tuple[str, ...] | None = None,
) -> None:
    """A per-kecamatan exception to a category's routing; opd_code None removes it.

    `kecamatan_names` are the valid names (by default the city's kecamatan layer).
    """
    check_permission(actor, "admin")
    names = kecamatan_names if kecamatan_names is not None else kecamatan_choices(engine)
    if kecamatan not in names:
        raise InvalidInput(labels.ERR_UNKNOWN_KECAMATAN.format(value=str(kecamatan)[:60]))
    with engine.begin() as conn:
        _check_category(conn, category_code)
        if opd_code is None:
            r = t.routing_rules.c
            where = (r.category_code == category_code, r.kecamatan == kecamatan)
            old = conn.execute(select(r.opd_code).where(*where)).scalar()
            if old is not None:
                conn.execute(delete(t.routing_rules).where(*where))
                audit.record(
                    conn,
                    actor,
                    "routing_rule",
                    _rule_key(category_code, kecamatan),
                    "DELETE",
                    before=_rule_values(old),
                )
            return
        catalogue.check_active_opds(conn, [opd_code])
        _upsert_rule(conn, actor, category_code, kecamatan, opd_code)


def kecamatan_choices(engine: Engine) -> tuple[str, ...]:
    """The kecamatan names of the city the database describes, sorted."""
    city = current_city(engine)
    return tuple(sorted({str(name) for name in city.kelurahan["kecamatan"]}))


def facility_table(engine: Engine, actor: Actor) -> pd.DataFrame:
    """Facilities for the admin page, approximate positions first (they need checking)."""
    check_permission(actor, "admin")
    f = t.facilities.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(*[f[name] for name in FACILITY_COLUMNS]).order_by(
                f.lokasi_perkiraan.desc(), f.kind, f.name
            )
        ).all()
    return pd.DataFrame([r._asdict() for r in rows], columns=list(FACILITY_COLUMNS))


def move_facility(
    engine: Engine, actor: Actor, facility_id: str, *, lat: float, lon: float
) -> None:
    """Correct a facility's position (admin); the approximate mark is cleared.

    The point must be in or near the city: a swapped lat/lon would put a fire post in the sea.
    """
    check_permission(actor, "admin")
    lat, lon = check_coordinates(lat, lon)
    locate_report(engine, lat, lon)
    store_position(engine, actor, facility_id, lat=lat, lon=lon)


def import_layer_upload(
    engine: Engine, actor: Actor, layer_name: str, filename: str, data: bytes
) -> int:
    """Replace a map layer from an uploaded file (kept in a private temporary folder only for
    the import). A refused file raises ImportRejected with geo's Indonesian reason; the old
    layer stays in use. Returns the number of features stored."""
    check_permission(actor, "import")
    if layer_name not in LAYER_NAMES:
        raise InvalidInput(labels.ERR_UNKNOWN_LAYER.format(value=str(layer_name)[:40]))
    safe_name = Path(filename or "lapisan").name or "lapisan"
    with tempfile.TemporaryDirectory(prefix="siaga-layer-") as folder:
        path = Path(folder) / safe_name
        path.write_bytes(data)
        try:
            return import_layer(engine, actor, layer_name, path)
        except GeoRefused as error:
            raise ImportRejected(labels.ERR_LAYER_REFUSED.format(reason=str(error))) from None
        except IntegrityError:
            raise ImportRejected(labels.ERR_LAYER_CONFLICT) from None


def layer_table(engine: Engine, actor: Actor) -> pd.DataFrame:
    """Which file each stored map layer came from, when and by whom."""
    check_permission(actor, "import")
    g = t.geo_layers.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(g.name, g.source, g.feature_count, g.imported_at_utc, g.imported_by).order_by(
                g.name
            )
        ).all()
    return pd.DataFrame(
        [
            {
                labels.COL_LAYER: labels.LAYER.get(r.name, r.name),
                labels.COL_SOURCE: r.source,
                labels.COL_FEATURES: r.feature_count,
                labels.COL_IMPORTED_AT: format_wib(r.imported_at_utc),
                labels.COL_IMPORTED_BY: r.imported_by,
            }
            for r in rows
        ],
        columns=[
            labels.COL_LAYER,
            labels.COL_SOURCE,
            labels.COL_FEATURES,
            labels.COL_IMPORTED_AT,
            labels.COL_IMPORTED_BY,
        ],
    )


def opd_names(engine: Engine) -> dict[str, str]:
    """Active OPDs, code -> short name."""
    with engine.connect() as conn:
        return catalogue.opd_names(conn)


def users_frame(users: pd.DataFrame) -> pd.DataFrame:
    """The user list with Indonesian headings, roles spelled out and WIB times."""
    return pd.DataFrame(
        {
            labels.COL_USERNAME: users["username"],
            labels.COL_FULL_NAME: users["full_name"],
            labels.COL_ROLE: [labels.ROLE.get(r, r) for r in users["role"]],
            labels.COL_OPD: users["opd_code"].fillna("-") if len(users) else [],
            labels.COL_ACTIVE: [labels.YES if v else labels.NO for v in users["active"]],
            labels.COL_LOCKED: [
                labels.LOCKED_UNTIL.format(at=format_wib(py_datetime(at), with_date=False))
                if locked
                else ""
                for locked, at in zip(users["locked"], users["locked_until_utc"], strict=True)
            ],
            labels.COL_LAST_LOGIN: [format_wib(py_datetime(v)) for v in users["last_login_utc"]],
        }
    )


def opd_frame(opds: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            labels.COL_OPD_CODE: opds["code"],
            labels.COL_OPD_SHORT: opds["short_name"],
            labels.COL_OPD_NAME: opds["name"],
            labels.COL_PHONE_OFFICE: opds["phone"].fillna("") if len(opds) else [],
            labels.COL_ACTIVE: [labels.YES if v else labels.NO for v in opds["active"]],
            labels.COL_OPEN_INCIDENTS: opds["open_incidents"],
            labels.COL_RULES: opds["routing_rules"],
        }
    )


def routing_frame(routing: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            labels.COL_CATEGORY: routing["category_name"],
            labels.COL_PRIORITY: [f"P{p}" for p in routing["priority"]],
            labels.COL_DEFAULT_OPD: routing["default_opd"].fillna("-") if len(routing) else [],
            labels.COL_OVERRIDES: routing["overrides"],
        }
    )


def facility_frame(facilities: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            labels.COL_FACILITY: facilities["name"],
            labels.COL_KIND: [labels.FACILITY_KIND.get(k, k) for k in facilities["kind"]],
            labels.COL_OPD: facilities["opd_code"].fillna("-") if len(facilities) else [],
            labels.COL_LAT: facilities["lat"].round(6),
            labels.COL_LON: facilities["lon"].round(6),
            labels.COL_APPROXIMATE: [
                labels.YES if v else "" for v in facilities["lokasi_perkiraan"]
            ],
            labels.COL_UPDATED: [
                f"{format_wib(py_datetime(at))} · {by or '-'}"
                for at, by in zip(
                    facilities["updated_at_utc"], facilities["updated_by"], strict=True
                )
            ],
        }
    )


def facility_label(row) -> str:
    mark = f" ({labels.APPROXIMATE_SHORT})" if row.lokasi_perkiraan else ""
    return f"{row.name} · {labels.FACILITY_KIND.get(row.kind, row.kind)}{mark}"


def token_frame(tokens: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            labels.COL_TOKEN_NAME: tokens["name"],
            labels.COL_CREATED: [format_wib(py_datetime(v)) for v in tokens["created_at_utc"]],
            labels.COL_REVOKED: [
                format_wib(py_datetime(v)) if py_datetime(v) else ""
                for v in tokens["revoked_at_utc"]
            ],
        }
    )


# --- private helpers -------------------------------------------------------------------------


def _upsert_rule(
    conn: Connection, actor: Actor, category_code: str, kecamatan: str | None, opd_code: str
) -> None:
    r = t.routing_rules.c
    area = r.kecamatan.is_(None) if kecamatan is None else r.kecamatan == kecamatan
    old = conn.execute(select(r.opd_code).where(r.category_code == category_code, area)).scalar()
    if old == opd_code:
        return  # nothing changes, so nothing to audit
    key = _rule_key(category_code, kecamatan)
    after = _rule_values(opd_code)
    if old is not None:
        conn.execute(
            update(t.routing_rules)
            .where(r.category_code == category_code, area)
            .values(opd_code=opd_code)
        )
        before = _rule_values(old)
        audit.record(conn, actor, "routing_rule", key, "UPDATE", before=before, after=after)
        return
    conn.execute(
        insert(t.routing_rules).values(
            category_code=category_code, kecamatan=kecamatan, opd_code=opd_code
        )
    )
    audit.record(conn, actor, "routing_rule", key, "CREATE", after=after)


def _rule_key(category_code: str, kecamatan: str | None) -> str:
    return f"{category_code}/{kecamatan or '*'}"


def _rule_values(opd_code: str) -> dict[str, object]:
    # The rule itself (category, kecamatan) is the audit row's entity_key.
    return {"opd_code": opd_code}


def _check_category(conn: Connection, category_code: str) -> None:
    found = conn.execute(
        select(t.categories.c.code).where(
            t.categories.c.code == (category_code or ""), t.categories.c.active
        )
    ).first()
    if found is None:
        raise UnknownReference(labels.ERR_UNKNOWN_CATEGORY.format(value=str(category_code)[:40]))


def _count_by(conn: Connection, column, *conditions) -> dict[str, int]:
    query = select(column, func.count()).group_by(column)
    if conditions:
        query = query.where(*conditions)
    return {key: count for key, count in conn.execute(query).all() if key is not None}
