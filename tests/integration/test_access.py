"""Access: every mutating service refuses the wrong role and the wrong OPD, and changes nothing.

Also: lockout after repeated failed sign-ins, idle sessions signed out on the real app path
(pages/ui.current_actor under streamlit.testing), and passwords that never reach the database or
the logs in clear.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from dashboard import admin, auth, catalogue, channels, labels, layers, sessions
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.domain import (
    ADMIN,
    CALL_TAKER,
    LEADERSHIP,
    OPD_ADMIN,
    SUPERVISOR,
    WALL,
    Actor,
    utc_now,
)
from dashboard.errors import AuthError, PermissionDenied
from dashboard.importer import import_incidents
from pages import ui
from tests.conftest import PMI_ADMIN, SUPERVISOR_EKA, new_report
from tests.helpers.databases import engine_for, fresh_pg_database, sqlite_copy

NOW = datetime(2026, 11, 28, 3, 0, 0)
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "kata-sandi-rahasia-112"

ACTORS = {
    "call_taker": Actor("ct.ani", CALL_TAKER),
    "supervisor": Actor("spv.eka", SUPERVISOR),
    "opd_own": Actor("opd.pmi", OPD_ADMIN, opd_code="PMI"),  # the incidents belong to PMI
    "opd_other": Actor("opd.bpbd", OPD_ADMIN, opd_code="BPBD"),
    "opd_none": Actor("opd.tanpa", OPD_ADMIN, opd_code=None),
    "leadership": Actor("pimpinan", LEADERSHIP),
    "admin": Actor("admin", ADMIN),
    "wall": Actor("layar:1", WALL),
    "unknown_role": Actor("tamu", "tamu"),
}
_seq = itertools.count(1)


def _pmi_incident(engine, *, steps: tuple[str, ...] = ()) -> svc.Recorded:
    """A report forwarded to PMI, optionally acknowledged (and handled) by PMI."""
    rec = svc.create_incident(engine, SUPERVISOR_EKA, _report(forward_to="PMI"), now=NOW)
    if "acknowledge" in steps:
        rec = svc.acknowledge(engine, PMI_ADMIN, rec.id, seen_version=rec.version, now=NOW)
    if "handle" in steps:
        rec = svc.start_handling(engine, PMI_ADMIN, rec.id, seen_version=rec.version, now=NOW)
    return rec


def _new_incident(engine) -> svc.Recorded:
    return svc.create_incident(engine, SUPERVISOR_EKA, _report(forward=False), now=NOW)


def _report(**overrides) -> svc.NewReport:
    kondisi = "Tabrakan motor, satu korban luka"
    return new_report("KECELAKAAN", kondisi, (-6.8890, 109.6750), "Jl. Hayam Wuruk", **overrides)


def _import_file(folder: Path) -> Path:
    path = folder / f"platform-{next(_seq)}.json"
    record = {
        "external_id": f"ACCESS-{next(_seq)}",
        "received_at": "2026-11-28T08:15:00+07:00",
        "category": "ROB",
        "kondisi": "Rob masuk rumah",
        "lat": -6.8680,
        "lon": 109.6880,
        "address": "Jl. Pelita",
        "caller_phone": "081234567890",
    }
    path.write_text(json.dumps([record]))
    return path


def _flood_layer(folder: Path) -> Path:
    n = next(_seq)
    box = [[109.680, -6.870], [109.690, -6.870], [109.690, -6.862], [109.680, -6.862]]
    feature = {
        "type": "Feature",
        "properties": {"name": f"Zona uji {n}", "type": "rob", "level": "tinggi"},
        "geometry": {"type": "Polygon", "coordinates": [[*box, box[0]]]},
    }
    path = folder / f"zona-{n}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def _facility_id(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(select(t.facilities.c.id).order_by(t.facilities.c.id)).scalars().first()


def _target_user(engine) -> int:
    """One account per database to be deactivated, reset or unlocked (Argon2 is slow on purpose)."""
    key = str(engine.url)
    if key not in _targets:
        _targets[key] = auth.create_user(
            engine,
            ACTORS["admin"],
            username="sasaran",
            full_name="Sasaran",
            password=PASSWORD,
            role=CALL_TAKER,
        )
    return _targets[key]


_targets: dict[str, int] = {}


def _moved_point() -> dict:
    n = next(_seq)
    return {"lat": -6.88 - n * 1e-5, "lon": 109.67 + n * 1e-5}


# Who may call each service: the policy written out here, not read from the code under test.
ALLOWED: dict[str, frozenset[str]] = {
    "create_incident": frozenset({"call_taker", "supervisor"}),
    "record_and_close": frozenset({"call_taker", "supervisor"}),
    "forward_incident": frozenset({"call_taker", "supervisor"}),
    "acknowledge": frozenset({"opd_own", "supervisor"}),
    "start_handling": frozenset({"opd_own", "supervisor"}),
    "resolve": frozenset({"opd_own", "supervisor"}),
    "change_status": frozenset({"opd_own", "supervisor"}),
    "cancel": frozenset({"call_taker", "supervisor"}),
    "reassign": frozenset({"supervisor"}),
    "reopen": frozenset({"supervisor"}),
    "import_incidents": frozenset({"admin", "supervisor"}),
    "layers.import_layer": frozenset({"admin", "supervisor"}),
    "layers.move_facility": frozenset({"admin"}),
    "auth.create_user": frozenset({"admin"}),
    "auth.create_display_token": frozenset({"admin"}),
    "auth.revoke_display_token": frozenset({"admin"}),
    "auth.set_user_active": frozenset({"admin"}),
    "auth.reset_password": frozenset({"admin"}),
    "auth.unlock_user": frozenset({"admin"}),
    "admin.save_opd": frozenset({"admin"}),
    "admin.set_default_opd": frozenset({"admin"}),
    "admin.set_area_override": frozenset({"admin"}),
    "admin.move_facility": frozenset({"admin"}),
    "admin.import_layer_upload": frozenset({"admin", "supervisor"}),
    "channels.add_channel": frozenset({"admin"}),
    "channels.deactivate_channel": frozenset({"admin"}),
    "catalogue.set_setting": frozenset({"admin"}),
}

# What each call needs, made by allowed actors before the fingerprint is taken.
_PREPARE: dict[str, Callable[[Engine, Path], dict]] = {
    "forward_incident": lambda e, f: {"rec": _new_incident(e)},
    "acknowledge": lambda e, f: {"rec": _pmi_incident(e)},
    "change_status": lambda e, f: {"rec": _pmi_incident(e)},
    "cancel": lambda e, f: {"rec": _pmi_incident(e)},
    "reassign": lambda e, f: {"rec": _pmi_incident(e)},
    "reopen": lambda e, f: {
        "rec": svc.record_and_close(e, SUPERVISOR_EKA, _report(), "PRANK", now=NOW)
    },
    "start_handling": lambda e, f: {"rec": _pmi_incident(e, steps=("acknowledge",))},
    "resolve": lambda e, f: {"rec": _pmi_incident(e, steps=("acknowledge", "handle"))},
    "import_incidents": lambda e, f: {"path": _import_file(f)},
    "layers.import_layer": lambda e, f: {"path": _flood_layer(f)},
    "admin.import_layer_upload": lambda e, f: {"data": _flood_layer(f).read_bytes()},
    "layers.move_facility": lambda e, f: {"id": _facility_id(e)},
    "admin.move_facility": lambda e, f: {"id": _facility_id(e)},
    "auth.revoke_display_token": lambda e, f: {
        "id": _token_id(e, auth.create_display_token(e, ACTORS["admin"], name="TV"))
    },
    "auth.set_user_active": lambda e, f: {"id": _target_user(e)},
    "auth.reset_password": lambda e, f: {"id": _target_user(e)},
    "auth.unlock_user": lambda e, f: {"id": _locked_user(e)},
    "channels.deactivate_channel": lambda e, f: {
        "id": channels.add_channel(
            e, ACTORS["admin"], opd_code="PMI", channel="email", target="posko@pmi.or.id"
        ).id
    },
}
# The call under test: the same for allowed and refused actors.
_CALL: dict[str, Callable[[Engine, Actor, dict], object]] = {
    "create_incident": lambda e, a, p: svc.create_incident(e, a, _report(), now=NOW),
    "record_and_close": lambda e, a, p: svc.record_and_close(e, a, _report(), "PRANK", now=NOW),
    "forward_incident": lambda e, a, p: svc.forward_incident(
        e, a, p["rec"].id, "PMI", seen_version=p["rec"].version
    ),
    "acknowledge": lambda e, a, p: svc.acknowledge(
        e, a, p["rec"].id, seen_version=p["rec"].version
    ),
    "start_handling": lambda e, a, p: svc.start_handling(
        e, a, p["rec"].id, seen_version=p["rec"].version
    ),
    "resolve": lambda e, a, p: svc.resolve(
        e, a, p["rec"].id, seen_version=p["rec"].version, note="Korban dibawa ke RSUD"
    ),
    "change_status": lambda e, a, p: svc.change_status(
        e, a, p["rec"].id, "DITERIMA", seen_version=p["rec"].version, reason="Diterima"
    ),
    "cancel": lambda e, a, p: svc.cancel(
        e, a, p["rec"].id, "DUPLIKAT", seen_version=p["rec"].version
    ),
    "reassign": lambda e, a, p: svc.reassign(
        e, a, p["rec"].id, "BPBD", "Butuh evakuasi", seen_version=p["rec"].version
    ),
    "reopen": lambda e, a, p: svc.reopen(
        e, a, p["rec"].id, "Ternyata darurat sungguhan", seen_version=p["rec"].version
    ),
    "import_incidents": lambda e, a, p: import_incidents(e, a, p["path"], now=NOW),
    "layers.import_layer": lambda e, a, p: layers.import_layer(e, a, "flood_zones", p["path"]),
    "layers.move_facility": lambda e, a, p: layers.move_facility(e, a, p["id"], **_moved_point()),
    "auth.create_user": lambda e, a, p: auth.create_user(
        e, a, username=f"baru.{next(_seq)}", full_name="Baru", password=PASSWORD, role=ADMIN
    ),
    "auth.create_display_token": lambda e, a, p: auth.create_display_token(e, a, name="TV uji"),
    "auth.revoke_display_token": lambda e, a, p: auth.revoke_display_token(e, a, p["id"]),
    "auth.set_user_active": lambda e, a, p: auth.set_user_active(e, a, p["id"], active=False),
    "auth.reset_password": lambda e, a, p: auth.reset_password(e, a, p["id"], PASSWORD + "-2"),
    "auth.unlock_user": lambda e, a, p: auth.unlock_user(e, a, p["id"]),
    "admin.save_opd": lambda e, a, p: admin.save_opd(
        e, a, code=f"OPD_UJI{next(_seq)}", name="OPD uji", short_name="Uji"
    ),
    "admin.set_default_opd": lambda e, a, p: admin.set_default_opd(e, a, "SARANG_TAWON", "BPBD"),
    "admin.set_area_override": lambda e, a, p: admin.set_area_override(
        e, a, "KEBAKARAN", "Pekalongan Timur", "BPBD"
    ),
    "admin.move_facility": lambda e, a, p: admin.move_facility(e, a, p["id"], **_moved_point()),
    "admin.import_layer_upload": lambda e, a, p: admin.import_layer_upload(
        e, a, "flood_zones", f"zona-{next(_seq)}.geojson", p["data"]
    ),
    "channels.add_channel": lambda e, a, p: channels.add_channel(
        e, a, opd_code="PMI", channel="webhook", target="https://pmi.example/112"
    ),
    "channels.deactivate_channel": lambda e, a, p: channels.deactivate_channel(e, a, p["id"]),
    "catalogue.set_setting": lambda e, a, p: catalogue.set_setting(
        e, "refresh_interval_s", 10 + next(_seq), actor=a
    ),
}


def _token_id(engine, token: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(t.display_tokens.c.id).where(
                t.display_tokens.c.token_hash == auth.token_hash(token)
            )
        ).scalar_one()


def _locked_user(engine) -> int:
    user_id = _target_user(engine)
    with engine.begin() as conn:
        conn.execute(
            t.users.update()
            .where(t.users.c.id == user_id)
            .values(locked_until_utc=utc_now() + timedelta(minutes=15))
        )
    return user_id


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_engine(request, tmp_path_factory):
    """One database per backend for the whole matrix (each case adds its own incidents)."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("access")
        with engine_for(sqlite_copy(request.getfixturevalue("sqlite_template"), folder)) as e:
            yield e
        return
    template = request.getfixturevalue("pg_template")
    with fresh_pg_database(template) as url, engine_for(url) as e:
        yield e


@pytest.mark.parametrize("actor_key", sorted(ACTORS))
@pytest.mark.parametrize("service", sorted(ALLOWED))
def test_every_mutating_service_refuses_the_wrong_role_and_opd_and_changes_nothing(
    shared_engine, service, actor_key
):
    actor = ACTORS[actor_key]
    with tempfile.TemporaryDirectory() as folder:
        prepared = _PREPARE.get(service, lambda e, f: {})(shared_engine, Path(folder))
        before = _fingerprint(shared_engine)
        if actor_key in ALLOWED[service]:
            _CALL[service](shared_engine, actor, prepared)
            assert _fingerprint(shared_engine) != before, f"{service} by {actor_key} did nothing"
            return
        with pytest.raises(PermissionDenied) as refused:
            _CALL[service](shared_engine, actor, prepared)
        assert _fingerprint(shared_engine) == before, f"{service} by {actor_key} changed data"
    if actor_key == "opd_other" and service in {"acknowledge", "start_handling", "resolve"}:
        assert str(refused.value) == labels.ERR_WRONG_OPD


def test_the_refusal_matrix_names_every_service_and_every_role():
    # A service added to ALLOWED without a call would fail here rather than test nothing.
    assert set(_CALL) == set(ALLOWED)
    assert {key for key in ACTORS} >= {"call_taker", "supervisor", "admin", "leadership", "wall"}


# --- sign-in, sessions, passwords -------------------------------------------------------------


def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(engine):
    auth.create_user(
        engine, ACTORS["admin"], username="ct.citra", full_name="Citra", password=PASSWORD,
        role=CALL_TAKER,
    )  # fmt: skip
    policy = auth.LoginPolicy(max_failures=3, lockout_min=15)
    for _ in range(3):
        with pytest.raises(AuthError):
            auth.authenticate(engine, "ct.citra", "tebakan-salah", now=NOW, policy=policy)
    with pytest.raises(AuthError, match="terkunci"):
        auth.authenticate(
            engine, "ct.citra", PASSWORD, now=NOW + timedelta(minutes=1), policy=policy
        )
    later = NOW + timedelta(minutes=16)
    assert (
        auth.authenticate(engine, "ct.citra", PASSWORD, now=later, policy=policy).role == CALL_TAKER
    )


def test_the_users_table_holds_only_argon2_hashes_and_no_password_reaches_db_or_logs(
    sqlite_engine, caplog
):
    # SQL statements and their parameters are logged too: the password must not be in them.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    auth.create_user(
        sqlite_engine, ACTORS["admin"], username="ct.dewi", full_name="Dewi", password=PASSWORD,
        role=CALL_TAKER,
    )  # fmt: skip
    with pytest.raises(AuthError):
        auth.authenticate(sqlite_engine, "ct.dewi", PASSWORD[::-1], now=NOW)
    assert auth.authenticate(sqlite_engine, "ct.dewi", PASSWORD, now=NOW).username == "ct.dewi"
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records), "SQL not logged"
    assert PASSWORD not in caplog.text and PASSWORD[::-1] not in caplog.text
    with sqlite_engine.connect() as conn:
        hashes = conn.execute(select(t.users.c.password_hash)).scalars().all()
        everything = [
            str(value)
            for table in t.metadata.sorted_tables
            for row in conn.execute(select(table)).all()
            for value in row
        ]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in value for value in everything)


def test_an_idle_session_is_signed_out_on_the_next_click_and_an_active_one_is_kept(
    tmp_path, monkeypatch, sqlite_template, request
):
    url = sqlite_copy(sqlite_template, tmp_path)
    with engine_for(url) as engine:
        auth.create_user(
            engine, ACTORS["admin"], username="spv.eka", full_name="Eka", password=PASSWORD,
            role=SUPERVISOR,
        )  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SIAGA_DEMO", "0")
    monkeypatch.chdir(REPO)
    # Another test may have cached an engine on another database, and later ones must not
    # inherit this one's: the process-wide caches are emptied before and after.
    request.addfinalizer(ui.get_engine.clear)
    request.addfinalizer(ui._settings_cached.clear)

    def run(last_activity: datetime) -> tuple[AppTest, int]:
        ui.get_engine.clear()
        ui._settings_cached.clear()
        with engine_for(url) as engine:
            session_id, _ = sessions.open_session(
                engine, Actor("spv.eka", SUPERVISOR, full_name="Eka"), now=last_activity
            )
        app = AppTest.from_function(_session_probe, default_timeout=30)
        app.session_state[ui.SESSION_KEY] = session_id
        return app.run(), session_id

    def actor_lines(app: AppTest) -> list[str]:
        # The first run of a process also lists what it prepared (the database's first start).
        return [m.value for m in app.markdown if m.value.startswith("actor:")]

    expired, _ = run(utc_now() - timedelta(minutes=31))
    assert actor_lines(expired) == ["actor: -"]
    assert expired.session_state[ui.SIGNED_OUT_REASON_KEY] == labels.SESSION_EXPIRED
    active, session_id = run(utc_now() - timedelta(minutes=5))
    assert actor_lines(active) == ["actor: spv.eka"]
    # A click counts as activity: the idle clock starts again.
    with engine_for(url) as engine, engine.connect() as conn:
        last_seen = conn.execute(
            select(t.user_sessions.c.last_seen_utc).where(t.user_sessions.c.id == session_id)
        ).scalar_one()
    assert utc_now() - last_seen < timedelta(minutes=1)


def _session_probe() -> None:
    import streamlit as st  # noqa: PLC0415 - AppTest runs only this body

    from pages import ui  # noqa: PLC0415 - AppTest runs only this body

    actor = ui.current_actor()
    st.markdown(f"actor: {actor.username if actor else '-'}")


def _fingerprint(engine) -> str:
    """A digest of every table's content (the big GeoJSON text by its metadata only)."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name != "geojson"]
            rows = conn.execute(select(*columns)).all()
            for row in sorted(repr(tuple(r)) for r in rows):
                digest.update(row.encode("utf-8", "surrogatepass"))
            digest.update(f"|{table.name}|".encode())
    return digest.hexdigest()
