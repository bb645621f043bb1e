"""The OpenAPI 3.1 description of the intake API, as data (served at /api/v1/openapi.json)."""

from __future__ import annotations

from dashboard import labels
from dashboard.domain import STATUSES
from dashboard.importer import REQUIRED_COLUMNS
from dashboard.intake_api import MAX_BATCH

_ERROR = {"$ref": "#/components/schemas/Error"}
CODE_PARAMETER = {
    "name": "code",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "examples": ["112-20260310-0001"]},
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_TIME = {
    "type": ["object", "null"],
    "properties": {
        "utc": {"type": "string", "format": "date-time", "examples": ["2026-03-10T02:58:00Z"]},
        "wib": {
            "type": "string",
            "format": "date-time",
            "examples": ["2026-03-10T09:58:00+07:00"],
        },
    },
}

OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": labels.OPENAPI_TITLE,
        "version": "1.0.0",
        "description": (
            "Reports from the 112 telephony platform. The fields are those of "
            "`python -m dashboard import-incidents`; a report is validated exactly like the "
            "call-taker's form (same Indonesian messages) and forwarded to the OPD by the "
            "routing rule. Idempotent on external_id: the same content again returns the first "
            "incident (200); other content under a known external_id is a 409. A batch (a list, "
            f"at most {MAX_BATCH}) is all-or-nothing. Body at most 256 KiB. Rate limit per key "
            "(setting api_rate_per_minute, default 120 a minute): 429 with Retry-After."
        ),
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}, {"apiKey": []}],
    "paths": {
        "/api/v1/incidents": {
            "post": {
                "summary": "Record one report or a batch",
                "operationId": "createIncidents",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/Report"},
                                    {
                                        "type": "array",
                                        "minItems": 1,
                                        "maxItems": MAX_BATCH,
                                        "items": {"$ref": "#/components/schemas/Report"},
                                    },
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "201": _ok(
                        "Recorded (a batch: at least one item new)",
                        {"$ref": "#/components/schemas/Accepted"},
                    ),
                    "200": _ok(
                        "A retry: the first result, nothing written",
                        {"$ref": "#/components/schemas/Accepted"},
                    ),
                    "401": _error("No key, an unknown key or a revoked key"),
                    "403": _error("The key has no 'intake' scope"),
                    "409": _error("external_id already received with other content (named)"),
                    "413": _error("Body over 256 KiB"),
                    "422": _error("Malformed JSON, or invalid fields (each item and field)"),
                    "429": _error("Over the key's rate limit; see Retry-After"),
                    "503": _error("The database cannot be reached; nothing written"),
                },
            }
        },
        "/api/v1/incidents/{code}": {
            "get": {
                "summary": "Status, OPD and times of an incident (never the caller's phone)",
                "operationId": "getIncident",
                "parameters": [CODE_PARAMETER],
                "responses": {
                    "200": _ok("The incident", {"$ref": "#/components/schemas/Status"}),
                    "401": _error("No key, an unknown key or a revoked key"),
                    "403": _error("The key has no 'intake' scope"),
                    "404": _error("No incident with this code"),
                    "429": _error("Over the key's rate limit; see Retry-After"),
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        },
        "schemas": {
            "Report": {
                "type": "object",
                "required": list(REQUIRED_COLUMNS),
                "properties": {
                    "external_id": {"type": "string", "maxLength": 80},
                    "received_at": {
                        "type": "string",
                        "format": "date-time",
                        "description": "ISO 8601; without an offset it is read as WIB",
                    },
                    "category": {"type": "string", "examples": ["BANJIR", "KEBAKARAN"]},
                    "kondisi": {"type": "string", "maxLength": 2000},
                    "lat": {"type": ["number", "string"]},
                    "lon": {"type": ["number", "string"]},
                    "address": {"type": "string", "maxLength": 500},
                    "caller_phone": {"type": "string", "examples": ["0812 3456 7890"]},
                },
            },
            "Result": {
                "type": "object",
                "properties": {
                    "external_id": {"type": "string"},
                    "code": {"type": "string"},
                    "status": {"type": "string"},
                    "opd": {"$ref": "#/components/schemas/Opd"},
                    "replayed": {"type": "boolean"},
                },
            },
            "Accepted": {
                "type": "object",
                "description": "One report: ok plus its Result; a batch: ok and results",
                "properties": {
                    "ok": {"const": True},
                    "code": {"type": "string"},
                    "status": {"type": "string"},
                    "opd": {"$ref": "#/components/schemas/Opd"},
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                },
            },
            "Opd": {
                "type": ["object", "null"],
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
            "Status": {
                "type": "object",
                "properties": {
                    "ok": {"const": True},
                    "code": {"type": "string"},
                    "external_id": {"type": ["string", "null"]},
                    "status": {"enum": list(STATUSES)},
                    "status_label": {"type": "string"},
                    "category": {"type": "string"},
                    "opd": {"$ref": "#/components/schemas/Opd"},
                    "kelurahan": {"type": ["string", "null"]},
                    "kecamatan": {"type": ["string", "null"]},
                    "times": {
                        "type": "object",
                        "additionalProperties": _TIME,
                        "description": "received_at, forwarded_at, assigned_at, "
                        "acknowledged_at, handling_at, resolved_at, cancelled_at, updated_at",
                    },
                },
            },
            "Error": {
                "type": "object",
                "required": ["ok", "galat"],
                "properties": {
                    "ok": {"const": False},
                    "galat": {"type": "string", "description": "Indonesian message"},
                    "field": {"type": ["string", "null"]},
                    "errors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "index": {"type": "integer"},
                                "external_id": {"type": ["string", "integer", "null"]},
                                "code": {
                                    "type": "string",
                                    "description": "409: the incident the external_id has",
                                },
                                "field": {"type": ["string", "null"]},
                                "galat": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
}


# --- EIDO documents (issue 15 part 2) ---------------------------------------------------------

OPENAPI["paths"]["/api/v1/incidents/{code}/eido"] = {
    "get": {
        "summary": "The incident as a NENA EIDO JSON document",
        "description": (
            "EIDO 1.0 (NENA-STA-021): agencies, incident, location (PIDF-LO), call, one "
            "dispatch per hand-off and one note per log entry. Needs the 'eido' scope; the "
            "caller's phone (callbackComponent) only for a key that also has 'eido.phone'."
        ),
        "operationId": "getIncidentEido",
        "parameters": [CODE_PARAMETER],
        "responses": {
            "200": _ok("The EIDO document", {"$ref": "#/components/schemas/EidoDocument"}),
            "401": _error("No key, an unknown key or a revoked key"),
            "403": _error("The key has no 'eido' scope"),
            "404": _error("No incident with this code"),
            "429": _error("Over the key's rate limit; see Retry-After"),
        },
    }
}
OPENAPI["paths"]["/api/v1/eido"] = {
    "post": {
        "summary": "Record the incident an EIDO document describes (a transfer)",
        "description": (
            "Validated against our EIDO subset schema and our own checks (an incident, a "
            "location with a point and an address, a call time, a callback number, the "
            "kondisi note), mapped to our categories by data/eido/category_map.csv and routed "
            "like a form report. A document this deployment exported comes back with its "
            "history. Idempotent on $id: the same content again returns the first incident "
            "(200); other content under a known $id is a 409. Needs the 'eido' scope. Body at "
            "most 256 KiB."
        ),
        "operationId": "importEido",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EidoDocument"}}
            },
        },
        "responses": {
            "201": _ok("Recorded", {"$ref": "#/components/schemas/EidoAccepted"}),
            "200": _ok(
                "A retry: the first result, nothing written",
                {"$ref": "#/components/schemas/EidoAccepted"},
            ),
            "401": _error("No key, an unknown key or a revoked key"),
            "403": _error("The key has no 'eido' scope"),
            "409": _error("$id already received with other content, or our own incident"),
            "413": _error("Body over 256 KiB"),
            "422": _error("Not JSON, or a part missing or invalid (named in field and galat)"),
            "429": _error("Over the key's rate limit; see Retry-After"),
        },
    }
}
OPENAPI["components"]["schemas"].update(
    {
        "EidoDocument": {
            "type": "object",
            "description": (
                "An Emergency Incident Data Object, EIDO JSON 1.0. The subset we write and "
                "read is data/eido/eido_subset.schema.json (JSON Schema 2020-12)."
            ),
            "required": [
                "$id",
                "lastUpdateTimeStamp",
                "updatedByAgencyReference",
                "eidoVersion",
                "issuingElementIdentification",
                "agencyComponent",
            ],
        },
        "EidoAccepted": {
            "type": "object",
            "properties": {
                "ok": {"const": True},
                "eido_id": {"type": "string"},
                "code": {"type": "string"},
                "status": {"type": "string"},
                "opd": {"$ref": "#/components/schemas/Opd"},
                "replayed": {"type": "boolean"},
            },
        },
    }
)
