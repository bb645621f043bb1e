"""The intake API over real HTTP against the running app: what the 112 platform would see.

Every answer is JSON (never HTML, never a trace); a refusal writes no incident; every request,
accepted or refused, is one row of the request log. The last test follows an API report to the
routed OPD's Penugasan queue in Chromium.
"""

from __future__ import annotations

import http.client
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from dashboard import apikeys, catalogue, labels
from dashboard import tables as t
from dashboard.domain import ADMIN, WIB, Actor
from tests.e2e.conftest import sign_in
from tests.e2e.test_workflow_flow import open_incident
from tests.helpers.browser import open_page
from tests.integration.test_intake_api import call as platform_call

pytestmark = pytest.mark.browser

ADMIN_ACTOR = Actor("admin", ADMIN)
PATH = "/api/v1/incidents"


def call(external_id: str | None = None, **overrides) -> dict:
    received = (datetime.now(UTC) - timedelta(minutes=2)).astimezone(WIB)
    fields = {"received_at": received.isoformat(timespec="seconds")} | overrides
    return platform_call(external_id or f"P112-{uuid.uuid4().hex[:10]}", **fields)


class Client:
    """One keep-alive HTTP connection to the app, as the platform's client would hold."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def send(self, method: str, path: str, body: bytes | None = None, headers=None):
        self.connection.request(method, path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        raw = response.read()
        if response.getheader("connection", "").lower() == "close":
            self.connection.close()
        assert response.getheader("content-type", "").startswith("application/json"), raw[:200]
        text = raw.decode()
        assert "Traceback" not in text and "<html" not in text.lower()
        return response.status, json.loads(text), response

    def post(self, items, key: str | None = None, *, raw: bytes | None = None, headers=None):
        all_headers = {"Content-Type": "application/json"} | (headers or {})
        if key:
            all_headers["Authorization"] = f"Bearer {key}"
        body = raw if raw is not None else json.dumps(items).encode()
        return self.send("POST", PATH, body, all_headers)


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        incidents = conn.execute(select(func.count()).select_from(t.incidents)).scalar_one()
        logged = conn.execute(select(func.count()).select_from(t.api_requests)).scalar_one()
    return incidents, logged


def last_log(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(t.api_requests).order_by(t.api_requests.c.id.desc()).limit(1)
        ).one()


@pytest.fixture
def api(app_server, app_engine):
    _, key = apikeys.create_key(app_engine, ADMIN_ACTOR, name=f"Platform {uuid.uuid4().hex[:4]}")
    client = Client(app_server.url)
    yield client, key
    client.connection.close()


def test_a_report_is_created_a_retry_returns_its_code_and_the_status_is_readable(
    api, app_engine, app_server
):
    client, key = api
    item = call()
    status, first, _ = client.post(item, key)
    assert status == 201 and first["ok"] is True and first["replayed"] is False
    assert (first["status"], first["opd"]["code"]) == ("DITERUSKAN", "BPBD")
    status, again, _ = client.post(item, key)
    assert (status, again["code"], again["replayed"]) == (200, first["code"], True)
    with app_engine.connect() as conn:
        stored = conn.execute(
            select(t.incidents.c.code, t.incidents.c.source).where(
                t.incidents.c.external_id == item["external_id"]
            )
        ).all()
        logged = conn.execute(
            select(t.api_requests.c.status_code, t.api_requests.c.result).where(
                t.api_requests.c.external_id == item["external_id"]
            )
        ).all()
    assert [tuple(r) for r in stored] == [(first["code"], "api")]
    assert [tuple(r) for r in logged] == [(201, "created"), (200, "replayed")]

    # The platform shows its operator where the report stands (X-API-Key works too).
    status, shown, _ = client.send("GET", f"{PATH}/{first['code']}", headers={"X-API-Key": key})
    assert status == 200 and shown["status"] == "DITERUSKAN" and shown["opd"]["code"] == "BPBD"
    received = shown["times"]["received_at"]
    assert received["wib"].startswith(item["received_at"][:16])
    assert received["wib"].endswith("+07:00") and received["utc"].endswith("Z")
    assert "caller_phone" not in shown and "3456" not in json.dumps(shown)
    status, missing, _ = client.send("GET", f"{PATH}/112-19990101-0001", headers={"X-API-Key": key})
    assert (status, missing["ok"]) == (404, False)

    # A batch: one new and one already received.
    second = call()
    status, batch, _ = client.post([item, second], key)
    assert status == 201
    assert [(r["code"] == first["code"], r["replayed"]) for r in batch["results"]] == [
        (True, True),
        (False, False),
    ]

    status, spec, _ = client.send("GET", "/api/v1/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.1")
    assert {"/api/v1/incidents", "/api/v1/incidents/{code}"} <= set(spec["paths"])


def test_each_bad_request_is_a_json_refusal_that_writes_nothing_and_is_logged(
    api, app_engine, app_server
):
    client, key = api
    revoked_id, revoked = apikeys.create_key(app_engine, ADMIN_ACTOR, name="Lama")
    apikeys.revoke_key(app_engine, ADMIN_ACTOR, revoked_id)
    taken = call()
    assert client.post(taken, key)[0] == 201
    oversized = json.dumps([call(kondisi="x" * 1900) for _ in range(140)]).encode()
    assert len(oversized) > 256 * 1024
    cases = [
        # (what, request, status, field, message)
        ("no key", {"items": call()}, 401, None, labels.ERR_API_KEY),
        ("wrong key", {"items": call(), "key": key + "x"}, 401, None, labels.ERR_API_KEY),
        ("revoked key", {"items": call(), "key": revoked}, 401, None, labels.ERR_API_KEY),
        ("oversized", {"raw": oversized, "key": key}, 413, None, "terlalu besar"),
        ("malformed", {"raw": b'{"external_id": "x",', "key": key}, 422, "body", "bukan JSON"),
        (
            "unknown category",
            {"items": call(category="GEMPA"), "key": key},
            422,
            "category",
            "Jenis keadaan darurat tidak dikenal: GEMPA.",
        ),
        (
            "far outside the city",
            {"items": call(lat=-6.9667, lon=110.4167), "key": key},
            422,
            "lat",
            "di luar",
        ),
        (
            "known external_id, other content",
            {"items": call(taken["external_id"], kondisi="Air sepinggang"), "key": key},
            409,
            "external_id",
            taken["external_id"],
        ),
    ]
    for what, request, status, field, message in cases:
        before = counts(app_engine)
        got, answer, _ = client.post(
            request.get("items"), request.get("key"), raw=request.get("raw")
        )
        assert (got, answer["ok"], answer["field"]) == (status, False, field), what
        assert message in answer["galat"], what
        incidents, logged = counts(app_engine)
        assert (incidents, logged) == (before[0], before[1] + 1), what
        row = last_log(app_engine)
        assert (row.status_code, row.path, row.remote) == (status, PATH, "127.0.0.1"), what
        if status == 409:
            assert row.incident_code == answer["errors"][0]["code"], what
        if client.connection.sock is None:
            client = Client(app_server.url)
    assert last_log(app_engine).key_id is not None


def test_a_flood_of_requests_is_refused_with_retry_after_and_logged(api, app_engine):
    client, key = api
    catalogue.set_setting(app_engine, "api_rate_per_minute", 3)
    try:
        answers = [
            client.send("GET", f"{PATH}/112-19990101-0001", headers={"X-API-Key": key})
            for _ in range(5)
        ]
        before = counts(app_engine)
        status, answer, response = client.post(call(), key)
        assert counts(app_engine) == (before[0], before[1] + 1)
    finally:
        catalogue.set_setting(app_engine, "api_rate_per_minute", 120)
    assert [a[0] for a in answers] == [404, 404, 404, 429, 429]
    assert status == 429 and "3 per menit" in answer["galat"]
    assert 1 <= int(response.getheader("retry-after")) <= 60
    assert last_log(app_engine).result == "rate_limited"


def test_a_report_posted_by_the_platform_is_in_the_routed_opds_queue(
    desk_page, app_server, app_engine
):
    _, key = apikeys.create_key(app_engine, ADMIN_ACTOR, name="Platform antrean")
    client = Client(app_server.url)
    status, answer, _ = client.post(call(kondisi="Banjir dari API, warga terjebak"), key)
    assert (status, answer["opd"]["code"]) == (201, "BPBD")
    sign_in(desk_page, app_server.url, "opd.bpbd")
    open_page(desk_page, labels.QUEUE_TITLE)
    open_incident(desk_page, answer["code"])
    desk_page.get_by_text("Banjir dari API, warga terjebak").first.wait_for()
    shots = Path("/tmp/shots")
    shots.mkdir(exist_ok=True)
    desk_page.screenshot(path=shots / f"intake-api-queue-{desk_page.viewport_name}.png")
