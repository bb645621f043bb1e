"""The sign-in cookie routes over real HTTP: bad tickets, other sites and junk change nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from dashboard import sessions
from dashboard import tables as t
from dashboard.db import make_engine
from dashboard.domain import SUPERVISOR, Actor
from tests.helpers.databases import count_rows

pytestmark = pytest.mark.browser


def post(url: str, body: bytes, *, origin: str | None = None) -> tuple[int, dict, str]:
    headers = {"Content-Type": "application/json"}
    if origin:
        headers["Origin"] = origin
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return (
                response.status,
                json.loads(response.read()),
                response.headers.get("set-cookie", ""),
            )
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers.get("set-cookie", "")


def claimed_sessions(engine) -> int:
    return count_rows(engine, t.user_sessions, t.user_sessions.c.sid_hash.is_not(None))


def test_the_claim_route_sets_the_cookie_once_and_refuses_junk_other_sites_and_old_tickets(
    app_server, app_engine
):
    url = f"{app_server.url}/auth/sesi"
    engine = make_engine(app_server.database_url)
    before = claimed_sessions(engine)
    for body in (b"{not json", b'{"tiket": 5}', b"[]", b"x" * 5000):
        status, answer, cookie = post(url, body)
        assert (status, answer["ok"], cookie) == (400, False, "")
        assert "Traceback" not in json.dumps(answer)
    assert post(url, b'{"tiket": "forged"}')[0] == 403
    _, ticket = sessions.open_session(engine, Actor("spv.eka", SUPERVISOR))
    body = json.dumps({"tiket": ticket}).encode()
    # Another site cannot trade a ticket for this browser's cookie.
    status, answer, cookie = post(url, body, origin="http://evil.example")
    assert (status, cookie) == (403, "")
    status, answer, cookie = post(url, body, origin=app_server.url)
    assert (status, answer) == (200, {"ok": True})
    assert "siaga_sesi=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    # A ticket works once.
    assert post(url, body)[0] == 403
    assert claimed_sessions(engine) == before + 1
    engine.dispose()
