"""Sign-in cookie routes: trade the signing-in tab's ticket for the cookie, and clear it.

A Streamlit page runs over a WebSocket and cannot set an HttpOnly cookie; these two small HTTP
routes can. Both answer JSON, never a stack trace; a database outage is a 503. The training room
(Latihan) has its own pair under /auth/latihan/, its own cookie and its own database: a training
session never reaches the live database, and a live one never opens the training room.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard import labels, sessions
from dashboard.config import load_settings
from dashboard.db import make_engine
from dashboard.training import training_url

log = logging.getLogger("siaga112.web")
MAX_BODY_BYTES = 1024


@functools.cache
def _engine() -> Engine:
    # One engine per process for the routes; the pages keep their own (ui.get_engine), which
    # also migrates and seeds: a ticket can only exist once that has happened.
    return make_engine(load_settings().database_url)


@functools.cache
def _training_engine() -> Engine:
    return make_engine(training_url())


@dataclass(frozen=True)
class _Room:
    cookie: str
    engine: Callable[[], Engine]


LIVE = _Room(sessions.COOKIE_NAME, _engine)
TRAINING = _Room(sessions.TRAINING_COOKIE_NAME, _training_engine)


def _same_origin(request: Request) -> bool:
    """A browser sends Origin with every POST; one from another site may not touch the cookie."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


async def claim(request: Request, room: _Room = LIVE) -> JSONResponse:
    """POST /auth/sesi {"tiket": ...}: set the session cookie for a fresh ticket."""
    if not _same_origin(request):
        return JSONResponse({"ok": False, "galat": labels.ERR_SESSION_TICKET}, status_code=403)
    body = await request.body()
    try:
        ticket = json.loads(body)["tiket"] if len(body) <= MAX_BODY_BYTES else ""
    except (ValueError, KeyError, TypeError):
        ticket = ""
    if not isinstance(ticket, str) or not ticket:
        return JSONResponse({"ok": False, "galat": labels.ERR_SESSION_TICKET}, status_code=400)
    try:
        sid = await run_in_threadpool(sessions.claim_session, room.engine(), ticket)
    except SQLAlchemyError as error:
        log.warning("session claim failed: %s", type(error).__name__)
        return JSONResponse({"ok": False, "galat": labels.ERR_SESSION_DATABASE}, status_code=503)
    if sid is None:
        return JSONResponse({"ok": False, "galat": labels.ERR_SESSION_TICKET}, status_code=403)
    response = JSONResponse({"ok": True})
    response.set_cookie(
        room.cookie,
        sid,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


async def sign_out(request: Request, room: _Room = LIVE) -> JSONResponse:
    """POST /auth/keluar: end the cookie's session and remove the cookie."""
    if not _same_origin(request):
        return JSONResponse({"ok": False, "galat": labels.ERR_SESSION_TICKET}, status_code=403)
    sid = request.cookies.get(room.cookie, "")
    try:
        await run_in_threadpool(sessions.end_session_by_sid, room.engine(), sid)
    except SQLAlchemyError as error:
        log.warning("sign-out by cookie failed: %s", type(error).__name__)
    response = JSONResponse({"ok": True})
    response.delete_cookie(room.cookie, path="/", httponly=True, samesite="strict")
    return response


async def training_claim(request: Request) -> JSONResponse:
    """POST /auth/latihan/sesi: `claim` for the training room."""
    return await claim(request, TRAINING)


async def training_sign_out(request: Request) -> JSONResponse:
    """POST /auth/latihan/keluar: `sign_out` for the training room."""
    return await sign_out(request, TRAINING)


ROUTES = [
    Route("/auth/sesi", claim, methods=["POST"]),
    Route("/auth/keluar", sign_out, methods=["POST"]),
    Route("/auth/latihan/sesi", training_claim, methods=["POST"]),
    Route("/auth/latihan/keluar", training_sign_out, methods=["POST"]),
]
