"""The intake API for the 112 telephony platform: POST/GET /api/v1/incidents, openapi.json.

Served by the app itself (st.App routes): one deploy, one database, the same validation as the
form. Every answer is JSON, never a stack trace; every request, accepted or refused, is a row of
api_requests. The work (key, rate, validation, writes) lives in dashboard.intake_api.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dashboard import apikeys, eido, intake_api, labels
from dashboard.config import load_settings
from dashboard.db import make_engine
from dashboard.errors import ApiRefused, DispatchError
from web.openapi import OPENAPI

log = logging.getLogger("siaga112.api")
MAX_BODY_BYTES = 256 * 1024
SCOPE = "intake"
# Reading and sending EIDO documents; the caller's phone only with the second (issue 15).
EIDO_SCOPE, EIDO_PHONE_SCOPE = "eido", "eido.phone"
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@functools.cache
def _engine() -> Engine:
    return make_engine(load_settings().database_url)


@dataclass
class _Call:
    """One request as logged: who, what, and what came of it."""

    method: str
    path: str
    remote: str | None
    key_id: int | None = None
    status: int = 500
    result: str = "error"
    external_id: str | None = None
    incident_code: str | None = None
    detail: str | None = None
    headers: dict = field(default_factory=dict)


class _Refused(Exception):
    def __init__(
        self,
        status: int,
        result: str,
        message: str,
        *,
        field: str | None = None,
        errors: list | None = None,
        headers: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.result, self.message = status, result, message
        self.field, self.errors, self.headers = field, errors or [], headers or {}


API_RESULTS = {400: "invalid", 404: "not_found", 409: "conflict", 413: "too_large", 422: "invalid"}


async def incidents(request: Request) -> Response:
    """POST /api/v1/incidents: one report (an object) or a batch (a list)."""
    return await _with_body(request, _post)


async def incident(request: Request) -> Response:
    """GET /api/v1/incidents/{code}: the incident's status, OPD and times (no phone)."""
    return await _with_code(request, _get)


async def openapi(request: Request) -> Response:
    """GET /api/v1/openapi.json: the description of this API (no key needed)."""
    call = _call(request)
    call.status, call.result = 200, "openapi"
    await run_in_threadpool(_log, call)
    return JSONResponse(OPENAPI)


async def unknown(request: Request) -> Response:
    call = _call(request)
    return await run_in_threadpool(_answer, call, _Refused(404, "not_found", labels.ERR_API_ROUTE))


async def _not_allowed(request: Request) -> Response:
    call = _call(request)
    return await run_in_threadpool(
        _answer, call, _Refused(405, "not_allowed", labels.ERR_API_METHOD)
    )


async def _with_body(request: Request, handler) -> Response:
    """A POST: read the body (capped) and answer with `handler` in a worker thread."""
    if request.method != "POST":
        return await _not_allowed(request)
    call = _call(request)
    try:
        too_large, body = await _read_body(request)
    except ClientDisconnect:
        # The client hung up mid-body: nothing to answer, but the attempt is logged.
        call.status, call.result, call.detail = 400, "disconnected", "klien memutus sambungan"
        await run_in_threadpool(_log, call)
        return Response(status_code=400)
    return await run_in_threadpool(handler, call, request.headers, too_large, body)


async def _with_code(request: Request, handler) -> Response:
    """A GET: answer with `handler` for the path's incident code in a worker thread."""
    if request.method != "GET":
        return await _not_allowed(request)
    call = _call(request)
    return await run_in_threadpool(handler, call, request.headers, request.path_params["code"])


def _call(request: Request) -> _Call:
    return _Call(
        method=request.method,
        path=request.url.path,
        remote=request.client.host if request.client else None,
    )


async def _read_body(request: Request) -> tuple[bool, bytes]:
    """The body, or (True, b"") as soon as it is known to be over the limit (not read further)."""
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return True, b""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return True, b""
        chunks.append(chunk)
    return False, b"".join(chunks)


def _post(call: _Call, headers, too_large: bool, body: bytes) -> Response:
    try:
        engine = _engine()
        key = _key(engine, call, headers)
        if too_large:
            message = labels.ERR_API_TOO_LARGE.format(limit=MAX_BODY_BYTES // 1024)
            raise _Refused(413, "too_large", message)
        items = _parse(body)
        call.external_id = _first_external_id(items)
        receipt = intake_api.receive(engine, key, items)
    except Exception as error:  # every failure is a JSON answer and a log row, never a trace
        return _answer(call, error)
    results = [r.as_json() for r in receipt.results]
    created = sum(r.created for r in receipt.results)
    call.status = 201 if receipt.created else 200
    call.result = "created" if receipt.created else "replayed"
    call.incident_code = receipt.results[0].code
    if receipt.batch:
        call.detail = labels.API_DETAIL_BATCH.format(
            count=len(results), created=created, replayed=len(results) - created
        )
        payload = {"ok": True, "results": results}
    else:
        payload = {"ok": True, **results[0]}
    _log(call)
    return JSONResponse(payload, status_code=call.status)


def _get(call: _Call, headers, code: str) -> Response:
    try:
        engine = _engine()
        _key(engine, call, headers)
        payload = intake_api.incident_status(engine, code)
    except Exception as error:  # every failure is a JSON answer and a log row, never a trace
        return _answer(call, error)
    call.status, call.result = 200, "status"
    call.incident_code, call.external_id = payload["code"], payload["external_id"]
    _log(call)
    return JSONResponse(payload)


def _key(engine: Engine, call: _Call, headers, *, scope: str = SCOPE):
    """The request's key row: 401 without a valid key, 403 out of scope, 429 over the rate."""
    presented = _presented_key(headers)
    with engine.connect() as conn:
        row = apikeys.lookup(conn, presented)
    if row is None:
        raise _Refused(401, "unauthorized", labels.ERR_API_KEY, headers=_CHALLENGE)
    call.key_id = row.id
    if row.revoked_at_utc is not None:
        call.detail = labels.API_DETAIL_REVOKED
        raise _Refused(401, "revoked", labels.ERR_API_KEY, headers=_CHALLENGE)
    if not apikeys.has_scope(row, scope):
        message = (
            labels.ERR_API_SCOPE if scope == SCOPE else labels.ERR_EIDO_SCOPE.format(scope=scope)
        )
        raise _Refused(403, "forbidden", message)
    limit = intake_api.rate_limit(engine)
    wait = intake_api.retry_after(engine, row.id, limit=limit)
    if wait is not None:
        message = labels.ERR_API_RATE.format(limit=limit, retry=wait)
        raise _Refused(429, "rate_limited", message, headers={"Retry-After": str(wait)})
    return row


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="siaga112"'}


def _presented_key(headers) -> str | None:
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get("x-api-key", "").strip() or None


def _parse(body: bytes) -> object:
    value, reason = intake_api.json_body(body)
    if reason is not None:
        raise _Refused(422, "malformed", labels.ERR_API_JSON.format(reason=reason), field="body")
    return value


def _first_external_id(items: object) -> str | None:
    first = items[0] if isinstance(items, list) and items else items
    value = first.get("external_id") if isinstance(first, dict) else None
    return str(value)[:80] if isinstance(value, str | int) and value != "" else None


def _answer(call: _Call, error: Exception) -> Response:
    """The JSON refusal for `error` (logged, with its status); never a trace."""
    if isinstance(error, _Refused):
        refused = error
    elif isinstance(error, ApiRefused):
        result = API_RESULTS.get(error.status, "invalid")
        refused = _Refused(error.status, result, str(error), field=error.field, errors=error.errors)
        call.incident_code = next((e["code"] for e in error.errors if e.get("code")), None)
    elif isinstance(error, DispatchError):
        refused = _Refused(422, "invalid", str(error))
    elif isinstance(error, SQLAlchemyError):
        log.warning("api %s %s failed: %s", call.method, call.path, type(error).__name__)
        refused = _Refused(503, "unavailable", labels.ERR_API_DATABASE)
    else:
        log.exception("api %s %s failed", call.method, call.path)
        refused = _Refused(500, "error", labels.ERR_API_INTERNAL)
    call.status, call.result = refused.status, refused.result
    call.detail = call.detail or refused.message
    _log(call)
    body = {"ok": False, "galat": refused.message, "field": refused.field}
    if refused.errors:
        body["errors"] = refused.errors
    return JSONResponse(body, status_code=refused.status, headers=refused.headers)


def _log(call: _Call) -> None:
    try:
        intake_api.log_request(
            _engine(),
            key_id=call.key_id,
            method=call.method,
            path=call.path,
            status_code=call.status,
            result=call.result,
            external_id=call.external_id,
            incident_code=call.incident_code,
            detail=call.detail,
            remote=call.remote,
        )
    except SQLAlchemyError as error:
        # The answer still goes out (a 503 says why); the log is lost with the database.
        log.warning("api request log failed: %s", type(error).__name__)


# --- EIDO documents (issue 15 part 2; the work is dashboard.eido) ----------------------------


async def incident_eido(request: Request) -> Response:
    """GET /api/v1/incidents/{code}/eido: the incident as an EIDO document."""
    return await _with_code(request, _get_eido)


async def eido_documents(request: Request) -> Response:
    """POST /api/v1/eido: an EIDO document from a neighbour's CAD, recorded as an incident."""
    return await _with_body(request, _post_eido)


def _get_eido(call: _Call, headers, code: str) -> Response:
    try:
        engine = _engine()
        key = _key(engine, call, headers, scope=EIDO_SCOPE)
        with_phone = apikeys.has_scope(key, EIDO_PHONE_SCOPE)
        document = eido.export_incident(engine, code, include_phone=with_phone)
    except Exception as error:  # every failure is a JSON answer and a log row, never a trace
        return _answer(call, error)
    call.status, call.result = 200, "eido_phone" if with_phone else "eido"
    call.incident_code = document["incidentComponent"]["internalIncidentId"]
    _log(call)
    return JSONResponse(document)


def _post_eido(call: _Call, headers, too_large: bool, body: bytes) -> Response:
    try:
        engine = _engine()
        key = _key(engine, call, headers, scope=EIDO_SCOPE)
        if too_large:
            message = labels.ERR_EIDO_TOO_LARGE.format(limit=MAX_BODY_BYTES // 1024)
            raise _Refused(413, "too_large", message, field="body")
        document = eido.load_document(body)
        if isinstance(document, dict) and isinstance(document.get("$id"), str):
            call.external_id = document["$id"][:80]
        result = eido.import_document(
            engine, document, actor=intake_api.api_actor(key), key_id=key.id
        )
    except Exception as error:  # every failure is a JSON answer and a log row, never a trace
        return _answer(call, error)
    call.status = 201 if result.created else 200
    call.result = "created" if result.created else "replayed"
    call.incident_code = result.code
    _log(call)
    return JSONResponse({"ok": True, **result.as_json()}, status_code=call.status)


ROUTES = [
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/incidents", incidents, methods=ALL_METHODS),
    Route("/api/v1/incidents/{code}", incident, methods=ALL_METHODS),
    Route("/api/v1/incidents/{code}/eido", incident_eido, methods=ALL_METHODS),
    Route("/api/v1/eido", eido_documents, methods=ALL_METHODS),
    Route("/api/{rest:path}", unknown, methods=ALL_METHODS),
]
