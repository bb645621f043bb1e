"""EIDO over real HTTP against the running app: what a neighbour's CAD would see.

The document of an incident is read with the caller's phone only by a key allowed it; a
document posted is recorded once (a retry is a replay); a bad one is a JSON refusal naming the
part, and writes nothing.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboard import apikeys, eido, labels
from dashboard import tables as t
from dashboard.domain import WIB
from tests.e2e.test_intake_api_http import ADMIN_ACTOR, Client, call
from tests.integration.test_eido import neighbour_document

pytestmark = pytest.mark.browser


def key(engine, *scopes: str) -> str:
    _, presented = apikeys.create_key(
        engine, ADMIN_ACTOR, name=f"CAD {uuid.uuid4().hex[:4]}", scopes=scopes
    )
    return presented


def incident_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.incidents)).scalar_one()


def post(client: Client, document, presented: str, *, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(document).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {presented}"}
    return client.send("POST", "/api/v1/eido", body, headers)


def test_an_eido_document_is_read_with_the_phone_only_for_a_key_allowed_it_and_one_is_posted(
    app_server, app_engine
):
    client = Client(app_server.url)
    intake, reader, trusted = (
        key(app_engine, "intake"),
        key(app_engine, "eido"),
        key(app_engine, "eido", "eido.phone"),
    )
    status, created, _ = client.post(call(), intake)
    assert status == 201
    path = f"/api/v1/incidents/{created['code']}/eido"

    status, document, _ = client.send("GET", path, headers={"X-API-Key": reader})
    assert status == 200 and document["eidoVersion"] == "1.0"
    assert document["incidentComponent"]["internalIncidentId"] == created["code"]
    eido.check_schema(document)
    assert "callbackComponent" not in document and "34567890" not in json.dumps(document)

    status, with_phone, _ = client.send("GET", path, headers={"X-API-Key": trusted})
    assert status == 200
    assert with_phone["callbackComponent"][0]["callBackInformationUri"] == ["tel:+6281234567890"]

    status, refused, _ = client.send("GET", path, headers={"X-API-Key": intake})
    assert (status, refused["ok"]) == (403, False)
    assert refused["galat"] == labels.ERR_EIDO_SCOPE.format(scope="eido")

    # A neighbour's transfer: recorded and routed once; the same document again is a replay.
    transfer = neighbour_document()
    transfer["$id"] = f"urn:emergency:uid:incidentid:{uuid.uuid4().hex[:8]}:kabbatang.example"
    call_time = (datetime.now(UTC) - timedelta(minutes=3)).astimezone(WIB)
    transfer["callComponent"][0]["callStartTimestamp"] = call_time.isoformat(timespec="seconds")
    status, first, _ = post(client, transfer, reader)
    assert (status, first["ok"], first["replayed"]) == (201, True, False)
    assert (first["status"], first["opd"]["code"]) == ("DITERUSKAN", "DAMKAR")
    status, again, _ = post(client, transfer, reader)
    assert (status, again["code"], again["replayed"]) == (200, first["code"], True)

    # Bad documents: a JSON answer naming the part, and no incident written.
    before = incident_count(app_engine)
    broken = dict(transfer, **{"$id": transfer["$id"] + ":2"})
    del broken["callComponent"]
    cases = [
        (broken, None, 422, "callComponent", "bagian callComponent tidak ada"),
        (None, b'{"$id": ', 422, "body", "bukan JSON yang sah"),
    ]
    for document, raw, status_code, field, words in cases:
        status, answer, _ = post(client, document, reader, raw=raw)
        assert (status, answer["ok"], answer["field"]) == (status_code, False, field)
        assert words in answer["galat"]
    assert incident_count(app_engine) == before

    status, spec, _ = client.send("GET", "/api/v1/openapi.json")
    assert {"/api/v1/incidents/{code}/eido", "/api/v1/eido"} <= set(spec["paths"])
    client.connection.close()
