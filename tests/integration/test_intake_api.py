"""The intake API's service on both backends: keys, replay, conflicts, batches, races."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from dashboard import apikeys, importer, intake_api
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.errors import ApiRefused, DispatchError, InvalidInput, PermissionDenied
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, flood_report
from tests.helpers.databases import count_rows

NOW = datetime(2026, 3, 10, 3, 0)  # 10:00 WIB


def call(external_id: str = "P112-0001", **overrides) -> dict:
    """One report as the 112 platform posts it (the fields of import-incidents)."""
    return {
        "external_id": external_id,
        "received_at": "2026-03-10T09:58:00+07:00",
        "category": "BANJIR",
        "kondisi": "Air masuk rumah setinggi lutut",
        "lat": -6.8868,
        "lon": 109.6753,
        "address": "Jl. Pelita No. 3",
        "caller_phone": "0812 3456 7890",
    } | overrides


def key_row(engine, name: str = "Platform 112"):
    _key_id, key = apikeys.create_key(engine, ADMIN_USER, name=name, now=NOW)
    with engine.connect() as conn:
        return apikeys.authenticate(conn, key)


def refusal(engine, key, items) -> ApiRefused:
    with pytest.raises(ApiRefused) as caught:
        intake_api.receive(engine, key, items, now=NOW)
    return caught.value


def test_a_key_is_shown_once_stored_as_its_hash_and_audited_without_it(engine):
    key_id, key = apikeys.create_key(engine, ADMIN_USER, name="Platform 112", now=NOW)
    assert key.startswith("s112_") and len(key) > 40
    with engine.connect() as conn:
        row = conn.execute(select(t.api_keys).where(t.api_keys.c.id == key_id)).one()
        audit = conn.execute(select(t.admin_audit)).all()
        assert apikeys.authenticate(conn, key).id == key_id
        assert apikeys.authenticate(conn, key + "x") is None
    assert row.key_hash == apikeys.key_hash(key) and key not in row.key_hash
    assert row.key_prefix == key[:11] and row.scopes == "intake"
    assert [(a.entity, a.entity_key, a.action) for a in audit] == [
        ("api_key", str(key_id), "CREATE")
    ]
    assert key not in (audit[0].after or "") and row.key_hash not in (audit[0].after or "")
    listed = apikeys.list_keys(engine, ADMIN_USER)
    assert list(listed["name"]) == ["Platform 112"] and "key_hash" not in listed.columns


def test_only_the_admin_manages_keys(engine):
    with pytest.raises(PermissionDenied):
        apikeys.create_key(engine, CALL_TAKER_ANI, name="x")
    with pytest.raises(PermissionDenied):
        apikeys.list_keys(engine, CALL_TAKER_ANI)


def test_a_key_needs_at_least_one_known_scope_and_nothing_is_created_otherwise(engine):
    for scopes in ((), ("intake", "admin")):
        with pytest.raises(InvalidInput, match="cakupan kunci API yang dikenal: intake, eido"):
            apikeys.create_key(engine, ADMIN_USER, name="Tetangga", scopes=scopes)
    assert apikeys.list_keys(engine, ADMIN_USER).empty
    apikeys.create_key(engine, ADMIN_USER, name="CAD tetangga", scopes=("eido", "eido.phone"))
    assert list(apikeys.list_keys(engine, ADMIN_USER)["scopes"]) == ["eido eido.phone"]


def test_a_post_creates_a_forwarded_incident_and_a_retry_returns_the_same_code(engine):
    key = key_row(engine)
    first = intake_api.receive(engine, key, call(), now=NOW)
    again = intake_api.receive(engine, key, call(), now=NOW)
    (created,), (replayed,) = first.results, again.results
    assert (first.created, again.created) == (True, False)
    assert created.code == replayed.code and created.code.startswith("112-20260310-")
    assert (created.status, created.opd_code) == ("DITERUSKAN", "BPBD")
    assert count_rows(engine, t.incidents) == 1
    with engine.connect() as conn:
        incident = conn.execute(select(t.incidents)).one()
        intake = conn.execute(select(t.api_intake)).one()
        outbox_or_alerts = conn.execute(select(func.count()).select_from(t.alerts)).scalar_one()
        actions = (
            conn.execute(select(t.incident_events.c.action).order_by(t.incident_events.c.id))
            .scalars()
            .all()
        )
    # Its log says it came from the platform, then the routing rule forwarded it.
    assert actions == ["RECEIVE", "FORWARD"]
    assert (incident.source, incident.created_by, incident.external_id) == (
        "api",
        "api:Platform 112",
        "P112-0001",
    )
    assert (intake.incident_id, intake.key_id) == (incident.id, key.id)
    # The routing rule forwarded it: the OPD's alert was raised in the same transaction.
    assert outbox_or_alerts == 1


def test_the_same_external_id_with_other_content_is_refused_by_name(engine):
    key = key_row(engine)
    first = intake_api.receive(engine, key, call(), now=NOW).results[0]
    error = refusal(engine, key, call(kondisi="Air sepinggang"))
    assert error.status == 409 and error.field == "external_id"
    assert "P112-0001" in str(error) and first.code in str(error)
    assert error.errors[0]["code"] == first.code
    assert count_rows(engine, t.incidents) == 1


def test_a_call_imported_from_a_file_counts_as_received(engine, tmp_path):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps([call("P112-0009")]))
    importer.import_incidents(engine, ADMIN_USER, path, now=NOW)
    key = key_row(engine)
    replay = intake_api.receive(engine, key, call("P112-0009"), now=NOW)
    assert replay.created is False
    assert refusal(engine, key, call("P112-0009", address="Jl. Lain")).status == 409
    assert count_rows(engine, t.incidents) == 1


def test_a_batch_with_one_bad_item_writes_nothing_and_names_every_bad_item(engine):
    key = key_row(engine)
    batch = [
        call("A-1"),
        call("A-2", category="GEMPA_BUMI"),
        call("A-5", lat=-6.9667, lon=110.4167),  # Semarang
        call("A-3"),
        call("A-4", lat="utara"),
        call("A-1"),
    ]
    error = refusal(engine, key, batch)
    assert error.status == 422
    assert [(e["index"], e["field"]) for e in error.errors] == [
        (1, "category"),
        (2, "lat"),
        (4, "lat"),
        (5, "external_id"),
    ]
    assert str(error).startswith("Laporan indeks 1: ")
    assert count_rows(engine, t.incidents) == 0 and count_rows(engine, t.api_intake) == 0
    good = intake_api.receive(engine, key, [call("A-1"), call("A-3")], now=NOW)
    assert [r.created for r in good.results] == [True, True]
    assert count_rows(engine, t.incidents) == 2


def test_an_unknown_category_says_what_the_form_says(engine):
    key = key_row(engine)
    error = refusal(engine, key, call(category="GEMPA"))
    with pytest.raises(DispatchError) as form:
        svc.create_incident(
            engine, CALL_TAKER_ANI, flood_report(lat=-6.8868, lon=109.6753, category_code="GEMPA")
        )
    assert str(error) == str(form.value) == "Jenis keadaan darurat tidak dikenal: GEMPA."
    assert error.field == "category"


def test_a_point_far_outside_the_city_is_refused_with_the_forms_message(engine):
    key = key_row(engine)
    semarang = {"lat": -6.9667, "lon": 110.4167}
    error = refusal(engine, key, call(**semarang))
    with pytest.raises(DispatchError) as form:
        svc.create_incident(engine, CALL_TAKER_ANI, flood_report(**semarang))
    assert str(error) == str(form.value) and "di luar" in str(error)
    assert error.field == "lat" and count_rows(engine, t.incidents) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"caller_phone": "abc"}, "caller_phone"),
        ({"kondisi": ""}, "kondisi"),
        ({"received_at": "kemarin"}, "received_at"),
        ({"received_at": "2026-03-11T09:00:00+07:00"}, "received_at"),
        ({"external_id": ""}, "external_id"),
        ({"address": ["Jl.", "Pelita"]}, "address"),
        ({"lon": 500}, "lon"),
    ],
)
def test_each_bad_field_is_named_with_the_forms_message(engine, overrides, field):
    key = key_row(engine)
    error = refusal(engine, key, call(**overrides))
    assert (error.status, error.field, error.errors[0]["field"]) == (422, field, field)
    assert count_rows(engine, t.incidents) == 0


def test_a_missing_field_is_named(engine):
    key = key_row(engine)
    item = call()
    del item["caller_phone"]
    error = refusal(engine, key, item)
    assert (error.field, str(error)) == ("caller_phone", "Kolom wajib tidak ada: caller_phone.")


def test_a_revoked_key_no_longer_authenticates(engine):
    key_id, key = apikeys.create_key(engine, ADMIN_USER, name="Lama", now=NOW)
    apikeys.revoke_key(engine, ADMIN_USER, key_id, now=NOW)
    with engine.connect() as conn:
        assert apikeys.authenticate(conn, key) is None
        assert apikeys.lookup(conn, key).revoked_by == "admin"
        actions = conn.execute(select(t.admin_audit.c.action).order_by(t.admin_audit.c.id))
        assert list(actions.scalars()) == ["CREATE", "REVOKE"]
    with pytest.raises(DispatchError, match="sudah dicabut"):
        apikeys.revoke_key(engine, ADMIN_USER, key_id)


def test_two_concurrent_posts_of_one_external_id_make_one_incident(engine):
    key = key_row(engine)
    barrier = threading.Barrier(2)
    results, failures = [], []

    def post() -> None:
        barrier.wait()
        try:
            results.append(intake_api.receive(engine, key, call("RACE-1"), now=NOW))
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.results[0].code for r in results}) == 1
    assert count_rows(engine, t.incidents) == 1 and count_rows(engine, t.api_intake) == 1


def test_the_rate_limit_counts_this_keys_requests_of_the_last_minute(engine):
    key = key_row(engine)
    for second in range(3):
        intake_api.log_request(
            engine,
            key_id=key.id,
            method="POST",
            path="/api/v1/incidents",
            status_code=201,
            result="created",
            now=datetime(2026, 3, 10, 3, 0, second * 10),
        )
    at = datetime(2026, 3, 10, 3, 0, 30)
    assert intake_api.retry_after(engine, key.id, limit=4, now=at) is None
    # The third-newest request (at :00) leaves the window at 03:01:00, 30 s from now.
    assert intake_api.retry_after(engine, key.id, limit=3, now=at) == 30
    assert intake_api.retry_after(engine, key.id, limit=2, now=at) == 40


def test_the_cli_creates_lists_and_revokes_a_key_shown_once(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "SIAGA_DEMO": "0",
        "PATH": "/usr/bin:/bin",
    }

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "dashboard", "api-key", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    created = cli("create", "Platform 112 Kominfo")
    assert created.returncode == 0, created.stderr
    key = created.stdout.splitlines()[1]
    assert key.startswith("s112_")
    listed = cli("list")
    assert "Platform 112 Kominfo" in listed.stdout and key[:11] in listed.stdout
    assert key not in listed.stdout and "aktif" in listed.stdout
    assert cli("revoke", "1").returncode == 0
    assert "dicabut" in cli("list").stdout
    again = cli("revoke", "1")
    assert again.returncode == 1 and "sudah dicabut" in again.stderr
    assert "Traceback" not in again.stderr
