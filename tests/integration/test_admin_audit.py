"""Admin changes are audited like incidents, on SQLite and PostgreSQL: every admin service that
changes something writes exactly one audit row (who, what, before, after) in its own
transaction; a refused change writes none; no password, hash or token ever reaches the table."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dashboard import admin, audit, auth, catalogue, setup
from dashboard import tables as t
from dashboard.domain import utc_now
from dashboard.errors import (
    AuthError,
    ImportRejected,
    InvalidInput,
    NotFound,
    OutsideServiceArea,
    PermissionDenied,
    UnknownReference,
)
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, SUPERVISOR_EKA

KECAMATAN = ("Pekalongan Barat", "Pekalongan Selatan", "Pekalongan Timur", "Pekalongan Utara")
PASSWORD = "RahasiaSekali-2026"
NEW_PASSWORD = "KataSandiBaru-777"


def audit_rows(engine) -> list[dict]:
    """Every audit row, oldest first, with before/after decoded."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.admin_audit).order_by(t.admin_audit.c.id)).all()
    return [
        r._asdict()
        | {
            "before": json.loads(r.before) if r.before else None,
            "after": json.loads(r.after) if r.after else None,
        }
        for r in rows
    ]


def audit_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.admin_audit)).scalar_one()


def only_new_row(engine, before_count: int) -> dict:
    rows = audit_rows(engine)
    assert len(rows) == before_count + 1, rows[before_count:]
    return rows[-1]


def audited(engine, before_count: int, entity: str, key: str, action: str) -> dict:
    """The one row written since `before_count`: the admin's `action` on `entity` `key`."""
    row = only_new_row(engine, before_count)
    found = (row["actor"], row["entity"], row["entity_key"], row["action"])
    assert found == ("admin", entity, key, action)
    return row


def change(row: dict) -> tuple:
    """(before, after) of an audit row."""
    return row["before"], row["after"]


def flood_zone_file(name: str = "Genangan RSUD") -> bytes:
    lat, lon, size = -6.8935, 109.6595, 0.004
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    feature = {
        "type": "Feature",
        "properties": {"nama": name, "jenis": "banjir", "tingkat": "tinggi"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode("utf-8")


def user_id(engine, username: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(t.users.c.id).where(t.users.c.username == username)).scalar_one()


def make_user(engine, username: str = "petugas.budi") -> int:
    auth.create_user(
        engine,
        ADMIN_USER,
        username=username,
        full_name="Budi",
        password=PASSWORD,
        role="call_taker",
    )
    return user_id(engine, username)


# --- each audited service writes one row with what changed -----------------------------------


def test_changing_a_categorys_default_opd_is_audited_with_the_old_and_new_opd(engine):
    n = audit_count(engine)
    admin.set_default_opd(engine, ADMIN_USER, "POHON_TUMBANG", "DAMKAR")
    row = audited(engine, n, "routing_rule", "POHON_TUMBANG/*", "UPDATE")
    assert change(row) == ({"opd_code": "BPBD"}, {"opd_code": "DAMKAR"})
    # Saving the rule it already has changes nothing and is not audited.
    admin.set_default_opd(engine, ADMIN_USER, "POHON_TUMBANG", "DAMKAR")
    assert audit_count(engine) == n + 1


def test_adding_and_removing_a_kecamatan_override_are_audited_once_each(engine):
    n = audit_count(engine)
    admin.set_area_override(
        engine, ADMIN_USER, "POHON_TUMBANG", "Pekalongan Utara", "DAMKAR", kecamatan_names=KECAMATAN
    )
    added = audited(engine, n, "routing_rule", "POHON_TUMBANG/Pekalongan Utara", "CREATE")
    assert change(added) == (None, {"opd_code": "DAMKAR"})
    admin.set_area_override(
        engine, ADMIN_USER, "POHON_TUMBANG", "Pekalongan Utara", None, kecamatan_names=KECAMATAN
    )
    removed = audited(engine, n + 1, "routing_rule", "POHON_TUMBANG/Pekalongan Utara", "DELETE")
    assert change(removed) == ({"opd_code": "DAMKAR"}, None)
    # Removing an override that is not there changes nothing.
    admin.set_area_override(
        engine, ADMIN_USER, "POHON_TUMBANG", "Pekalongan Utara", None, kecamatan_names=KECAMATAN
    )
    assert audit_count(engine) == n + 2


def test_a_new_opd_is_audited_whole_and_an_edit_only_with_the_changed_columns(engine):
    n = audit_count(engine)
    assert admin.save_opd(engine, ADMIN_USER, code="DLH", name="Dinas LH", short_name="DLH")
    created = audited(engine, n, "opd", "DLH", "CREATE")
    assert created["before"] is None
    assert created["after"] == {
        "name": "Dinas LH",
        "short_name": "DLH",
        "phone": None,
        "description": None,
        "active": True,
    }
    admin.save_opd(
        engine, ADMIN_USER, code="DLH", name="Dinas LH", short_name="DLH", phone="(0285) 421"
    )
    edited = audited(engine, n + 1, "opd", "DLH", "UPDATE")
    assert change(edited) == ({"phone": None}, {"phone": "(0285) 421"})


def test_moving_a_facility_is_audited_with_its_old_and_new_position(engine):
    post = admin.facility_table(engine, ADMIN_USER).iloc[0]
    n = audit_count(engine)
    admin.move_facility(engine, ADMIN_USER, post["id"], lat=-6.8681, lon=109.6881)
    row = audited(engine, n, "facility", post["id"], "MOVE")
    assert change(row) == (
        {"lat": float(post["lat"]), "lon": float(post["lon"])},
        {"lat": -6.8681, "lon": 109.6881},
    )


def test_a_layer_import_is_audited_with_counts_and_file_name_but_not_the_geojson(engine):
    with engine.connect() as conn:
        seeded = conn.execute(
            select(t.geo_layers.c.feature_count).where(t.geo_layers.c.name == "flood_zones")
        ).scalar_one()
    n = audit_count(engine)
    admin.import_layer_upload(
        engine, ADMIN_USER, "flood_zones", "bpbd_2026.geojson", flood_zone_file()
    )
    row = audited(engine, n, "layer", "flood_zones", "IMPORT")
    assert change(row) == (
        {"feature_count": seeded, "source": "data/flood_zones.geojson"},
        {"feature_count": 1, "source": "bpbd_2026.geojson"},
    )
    assert "Genangan RSUD" not in json.dumps(row, default=str)


def test_user_changes_are_audited_and_a_password_reset_only_as_a_fact(engine):
    n = audit_count(engine)
    budi = make_user(engine)
    created = audited(engine, n, "user", "petugas.budi", "CREATE")
    assert change(created) == (
        None,
        {"full_name": "Budi", "role": "call_taker", "opd_code": None, "active": True},
    )
    auth.set_user_active(engine, ADMIN_USER, budi, active=False)
    deactivated = audited(engine, n + 1, "user", "petugas.budi", "DEACTIVATE")
    assert change(deactivated) == ({"active": True}, {"active": False})
    auth.set_user_active(engine, ADMIN_USER, budi, active=True)
    assert only_new_row(engine, n + 2)["action"] == "ACTIVATE"
    auth.reset_password(engine, ADMIN_USER, budi, NEW_PASSWORD)
    reset = audited(engine, n + 3, "user", "petugas.budi", "PASSWORD_RESET")
    assert change(reset) == (None, None)


def test_unlocking_a_locked_account_is_audited_with_the_lock_it_lifted(engine):
    budi = make_user(engine)
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.authenticate(engine, "petugas.budi", "salah-sekali-123")
    with engine.connect() as conn:
        locked_until = conn.execute(
            select(t.users.c.locked_until_utc).where(t.users.c.id == budi)
        ).scalar_one()
    assert locked_until is not None
    n = audit_count(engine)
    auth.unlock_user(engine, ADMIN_USER, budi)
    row = audited(engine, n, "user", "petugas.budi", "UNLOCK")
    assert change(row) == (
        {"failed_attempts": 0, "locked_until_utc": locked_until.isoformat()},
        {"failed_attempts": 0, "locked_until_utc": None},
    )


def test_display_tokens_are_audited_by_name_when_created_and_revoked(engine):
    n = audit_count(engine)
    auth.create_display_token(engine, ADMIN_USER, name="Layar lantai 2")
    token_id = int(auth.list_display_tokens(engine, ADMIN_USER)["id"].iloc[-1])
    key = f"Layar lantai 2 (#{token_id})"
    created = audited(engine, n, "display_token", key, "CREATE")
    assert change(created) == (None, {"name": "Layar lantai 2"})
    auth.revoke_display_token(engine, ADMIN_USER, token_id)
    revoked = audited(engine, n + 1, "display_token", key, "REVOKE")
    assert revoked["before"] == {"revoked_at_utc": None}
    assert revoked["after"]["revoked_at_utc"][:10] == utc_now().date().isoformat()


def test_a_setting_change_is_audited_with_the_old_and_new_value(engine):
    n = audit_count(engine)
    catalogue.set_setting(engine, "target_acknowledge_s", 240, actor=ADMIN_USER)
    row = audited(engine, n, "setting", "target_acknowledge_s", "UPDATE")
    assert change(row) == ({"value": 180}, {"value": 240})
    catalogue.set_setting(engine, "target_acknowledge_s", 240, actor=ADMIN_USER)
    assert audit_count(engine) == n + 1


# --- refused changes write nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda e: admin.set_default_opd(e, ADMIN_USER, "BANJIR", "NASA"), UnknownReference),
        (lambda e: admin.set_default_opd(e, SUPERVISOR_EKA, "BANJIR", "DAMKAR"), PermissionDenied),
        (
            lambda e: admin.set_area_override(
                e, ADMIN_USER, "BANJIR", "Batang", "DAMKAR", kecamatan_names=KECAMATAN
            ),
            InvalidInput,
        ),
        (lambda e: admin.save_opd(e, ADMIN_USER, code="x", name="X", short_name="X"), InvalidInput),
        (
            lambda e: admin.save_opd(
                e, ADMIN_USER, code="BPBD", name="BPBD", short_name="BPBD", active=False
            ),
            InvalidInput,
        ),
        (
            lambda e: admin.move_facility(
                e,
                ADMIN_USER,
                admin.facility_table(e, ADMIN_USER)["id"].iloc[0],
                lat=-6.97,
                lon=110.42,
            ),
            OutsideServiceArea,
        ),
        (
            lambda e: admin.move_facility(e, ADMIN_USER, "tidak-ada", lat=-6.88, lon=109.67),
            NotFound,
        ),
        (
            lambda e: admin.import_layer_upload(
                e, ADMIN_USER, "flood_zones", "kosong.geojson", b'{"type":"FeatureCollection"}'
            ),
            ImportRejected,
        ),
        (
            lambda e: auth.create_user(
                e, ADMIN_USER, username="x.y", full_name="X", password="pendek", role="call_taker"
            ),
            InvalidInput,
        ),
        (lambda e: auth.reset_password(e, ADMIN_USER, 99999, NEW_PASSWORD), NotFound),
        (lambda e: auth.unlock_user(e, ADMIN_USER, 99999), NotFound),
        (lambda e: auth.set_user_active(e, ADMIN_USER, 99999, active=False), NotFound),
        (lambda e: auth.revoke_display_token(e, ADMIN_USER, 99999), NotFound),
        (lambda e: auth.create_display_token(e, CALL_TAKER_ANI, name="Layar"), PermissionDenied),
        (
            lambda e: catalogue.set_setting(e, "target_acknowledge_s", 1, actor=SUPERVISOR_EKA),
            PermissionDenied,
        ),
    ],
)
def test_a_refused_admin_change_writes_no_audit_row_and_changes_nothing(engine, call, error):
    def snapshot():
        with engine.connect() as conn:
            return {
                table.name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
                for table in (
                    t.routing_rules,
                    t.opds,
                    t.facilities,
                    t.geo_layers,
                    t.users,
                    t.display_tokens,
                    t.settings,
                    t.admin_audit,
                )
            }

    before = snapshot()
    with pytest.raises(error):
        call(engine)
    assert snapshot() == before


def test_an_admin_cannot_deactivate_themselves_and_nothing_is_audited(engine):
    auth.create_user(
        engine, ADMIN_USER, username="admin", full_name="A", password=PASSWORD, role="admin"
    )
    n = audit_count(engine)
    with pytest.raises(InvalidInput):
        auth.set_user_active(engine, ADMIN_USER, user_id(engine, "admin"), active=False)
    assert audit_count(engine) == n


# --- secrets stay out ------------------------------------------------------------------------


def test_no_password_hash_or_token_ever_appears_in_the_audit_table(engine):
    budi = make_user(engine)
    auth.reset_password(engine, ADMIN_USER, budi, NEW_PASSWORD)
    token = auth.create_display_token(engine, ADMIN_USER, name="Layar rahasia")
    with engine.connect() as conn:
        password_hash = conn.execute(
            select(t.users.c.password_hash).where(t.users.c.id == budi)
        ).scalar_one()
        table_text = "\n".join(
            " ".join(str(v) for v in row) for row in conn.execute(select(t.admin_audit)).all()
        )
    assert "petugas.budi" in table_text and "Layar rahasia" in table_text
    for secret in (PASSWORD, NEW_PASSWORD, password_hash, token, auth.token_hash(token), "argon2"):
        assert secret not in table_text


# --- reading the log -------------------------------------------------------------------------


def test_the_audit_log_reads_newest_first_filtered_by_entity_and_time(engine):
    admin.set_default_opd(engine, ADMIN_USER, "POHON_TUMBANG", "DAMKAR")
    admin.save_opd(engine, ADMIN_USER, code="DLH", name="Dinas LH", short_name="DLH")
    admin.set_default_opd(engine, ADMIN_USER, "POHON_TUMBANG", "BPBD")
    log = audit.audit_log(engine, ADMIN_USER)
    assert log["entity"].tolist()[:3] == ["routing_rule", "opd", "routing_rule"]
    rules = audit.audit_log(engine, ADMIN_USER, entity="routing_rule")
    assert [a["opd_code"] for a in rules["after"]] == ["BPBD", "DAMKAR"]
    shown = audit.audit_frame(rules)
    assert shown["Sebelum → sesudah"].tolist() == ["OPD: DAMKAR → BPBD", "OPD: BPBD → DAMKAR"]
    assert shown["Jenis"].tolist() == ["Aturan rute", "Aturan rute"]
    assert shown["Yang diubah"].tolist() == ["POHON_TUMBANG · seluruh kota"] * 2
    assert shown["Tindakan"].tolist() == ["Diubah", "Diubah"]
    later = utc_now() + timedelta(minutes=5)
    assert audit.audit_log(engine, ADMIN_USER, since=later).empty
    assert len(audit.audit_log(engine, ADMIN_USER, until=later, limit=2)) == 2


def test_the_audit_log_is_for_admins_and_refuses_an_unknown_entity(engine):
    with pytest.raises(PermissionDenied):
        audit.audit_log(engine, SUPERVISOR_EKA)
    with pytest.raises(InvalidInput, match="Jenis perubahan tidak dikenal"):
        audit.audit_log(engine, ADMIN_USER, entity="rahasia")


def test_a_facility_move_reads_as_old_and_new_coordinates_with_a_decimal_comma():
    text = audit.change_text(
        {"lat": -6.8895, "lon": 109.67, "name": "Pos"},
        {"lat": -6.8681, "lon": 109.67, "name": "Pos"},
    )
    assert text == "Lintang: -6,889500 → -6,868100"


def test_a_new_account_reads_only_the_fields_it_was_given():
    text = audit.change_text(None, {"opd_code": None, "role": "call_taker", "active": True})
    assert text == "Aktif: - → ya; Peran: - → Petugas 112 (call-taker)"


def test_retiring_the_demo_accounts_at_start_up_is_audited_as_the_system(engine):
    setup.ensure_demo_users(engine)
    n = audit_count(engine)
    assert setup.retire_demo_accounts(engine) == len(setup.DEMO_USERS)
    rows = audit_rows(engine)[n:]
    users = [r for r in rows if r["entity"] == "user"]
    assert {r["entity_key"] for r in users} == {u[0] for u in setup.DEMO_USERS}
    assert {(r["actor"], r["action"], json.dumps(r["after"])) for r in users} == {
        ("sistem", "DEACTIVATE", '{"active": false}')
    }
    (token,) = [r for r in rows if r["entity"] == "display_token"]
    assert (token["actor"], token["action"]) == ("sistem", "REVOKE")
    assert setup.DEMO_PASSWORD not in json.dumps(rows, default=str)
    assert setup.DEMO_DISPLAY_TOKEN not in json.dumps(rows, default=str)
