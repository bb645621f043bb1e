"""Incidents exchanged as NENA EIDO JSON (NENA-STA-021): exported as documents, imported back.

An exported document (export_incident, export_since) describes one incident in EIDO 1.0 names:
the prologue, an agencyComponent for Call Center 112 and each OPD it was handed to, the
incidentComponent (type, status), a locationComponent (a PIDF-LO point with the address,
kelurahan and kecamatan), a callComponent (the call time), a dispatchComponent per hand-off
(forward, reassignment, reopening) and a notesComponent for the kondisi and for every entry of
the incident's log. The caller's phone travels only when asked for (an API key with the
"eido.phone" scope), as the callbackComponent the call refers to. Two extensions of our own
(named in eidoExtensionId, described in data/eido/README.md) carry what EIDO has no member
for: the incident's status times and OPDs, and the log entry each note was written from.

import_document takes a neighbour's document (a transfer) or one of our own (a restore) and
records it through the incident services: the same validation as the form, the routing rule
for a transfer, one transaction. A document exported by this deployment (same agency id) keeps
its history: the log entries, times and OPDs come back as they were. Any other is routed here
now, its notes added to the log. Idempotent on the document's $id (eido_imports), like the
intake API on external_id: the same content again is a replay, other content is refused.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import html
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import defusedxml.ElementTree as DefusedET
import pandas as pd
from defusedxml import DefusedXmlException
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from dashboard import catalogue, handoff, importer, intake_api, labels, queues
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.config import DATA_DIR
from dashboard.domain import (
    BARU,
    CALL_TAKER,
    CANCEL_REASONS,
    DITERUSKAN,
    Actor,
    can,
    check_permission,
    check_reassign,
    check_transition,
    clean_text,
    format_wib,
    naive_utc,
    normalise_phone,
    to_wib,
    utc_now,
)
from dashboard.errors import ApiRefused, DispatchError, InvalidInput

EIDO_DIR = DATA_DIR / "eido"
SCHEMA_PATH = EIDO_DIR / "eido_subset.schema.json"
CATEGORY_MAP_PATH = EIDO_DIR / "category_map.csv"
EIDO_VERSION = "1.0"
EXTENSION_INCIDENT = "siaga112-incident-1"
EXTENSION_LOG = "siaga112-log-1"
MAX_DOCUMENT_BYTES = 256 * 1024
# A file for import-eido: a list as long as export-eido --since writes.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_EXPORT = 5000
FALLBACK_CODE = "*"
ID_PREFIX = "urn:emergency:uid:incidentid:"
# Registry words as NENA's own samples use them.
LOCATION_TYPE = "CurrentIncident"
CALL_STATE = "callEnd"
PSAP_ROLE, OPD_ROLE = "CallReceiving", "Dispatch"
CALL_TAKING, DISPATCHING = "Call Taking", "Dispatching"
# The IANA urn:emergency:service:responder type of an OPD; "other" for the rest.
RESPONDER_TYPE = {"DAMKAR": "fire", "POLRES": "police", "PMI": "ems", "RSUD": "ems"}
CIVIC = {"country": "ID", "A1": "Jawa Tengah", "A2": "Kota Pekalongan"}
# Our own agency's contact (jCard): a proper name and the public number.
PSAP_CONTACT = ("Call Center 112 Kota Pekalongan", "Call Center 112", "112")
# The type code written for a category the map has no export row for (added after the map).
UNMAPPED_EXPORT_CODE = "INFO"
# The log entries that begin an incident (the first entry of a restored history).
CREATION_ACTIONS = frozenset({"CREATE", "IMPORT", "RECEIVE"})
IMPORT_ACTION, NOTE_ACTION = "EIDO_IMPORT", "NOTE"
KNOWN_ACTIONS = (
    CREATION_ACTIONS
    | svc.HANDOFF_ACTIONS
    | {
        "ACKNOWLEDGE",
        "HANDLE",
        "RESOLVE",
        "CANCEL",
        "ESCALATE",
        IMPORT_ACTION,
        NOTE_ACTION,
    }
)
# The incident's own columns carried by the siaga112Incident extension (member -> column).
SNAPSHOT_TIMES = (
    ("forwardedAt", "forwarded_at_utc"),
    ("assignedAt", "assigned_at_utc"),
    ("acknowledgedAt", "acknowledged_at_utc"),
    ("handlingAt", "handling_at_utc"),
    ("resolvedAt", "resolved_at_utc"),
    ("cancelledAt", "cancelled_at_utc"),
)
PIDF = "urn:ietf:params:xml:ns:pidf"
PIDF_DM = "urn:ietf:params:xml:ns:pidf:data-model"
GEOPRIV = "urn:ietf:params:xml:ns:pidf:geopriv10"
CIVIC_NS = "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"
GML = "http://www.opengis.net/gml"
WGS84 = "urn:ogc:def:crs:EPSG::4326"
# The prefixes our PIDF-LO is written with (what a reader sees; any prefixes are read back).
for _prefix, _uri in (
    ("pidf", PIDF),
    ("dm", PIDF_DM),
    ("gp", GEOPRIV),
    ("ca", CIVIC_NS),
    ("gml", GML),
):
    ElementTree.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class Result:
    eido_id: str
    code: str
    status: str
    opd_code: str | None
    opd_name: str | None
    created: bool

    def as_json(self) -> dict:
        return {"eido_id": self.eido_id, **intake_api.incident_json(self)}


@dataclass(frozen=True)
class CategoryMap:
    """data/eido/category_map.csv: EIDO incident type codes -> our categories, and back."""

    to_category: dict[str, str]
    to_code: dict[str, str]
    fallback: str | None

    def category_for(self, code: str | None) -> str | None:
        return self.to_category.get((code or "").strip().upper())


def document_id(code: str, agency_id: str) -> str:
    """The $id of the document for incident `code`: urn:emergency:uid:incidentid:<code>:<agency>."""
    return f"{ID_PREFIX}{code}:{agency_id}"


def export_incident(engine: Engine, code: str, *, include_phone: bool) -> dict:
    """The EIDO document of one incident; ApiRefused (404) when there is none with this code."""
    with engine.connect() as conn:
        row = conn.execute(
            select(t.incidents).where(t.incidents.c.code == str(code or "")[:24])
        ).first()
        if row is None:
            raise ApiRefused(labels.ERR_API_NOT_FOUND.format(code=str(code)[:40]), status=404)
        return _document(conn, row, _Context.read(conn), include_phone=include_phone)


def export_since(
    engine: Engine,
    since_utc: datetime,
    *,
    include_phone: bool,
    until_utc: datetime | None = None,
) -> list[dict]:
    """One document per incident received from `since_utc` (to `until_utc`), oldest first."""
    c = t.incidents.c
    query = select(t.incidents).where(c.received_at_utc >= naive_utc(since_utc))
    if until_utc is not None:
        query = query.where(c.received_at_utc < naive_utc(until_utc))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(c.received_at_utc, c.id).limit(MAX_EXPORT + 1)).all()
        if len(rows) > MAX_EXPORT:
            raise InvalidInput(labels.ERR_EIDO_EXPORT_LIMIT.format(limit=MAX_EXPORT))
        context = _Context.read(conn)
        return [_document(conn, row, context, include_phone=include_phone) for row in rows]


def load_document(raw: bytes, *, limit_bytes: int = MAX_DOCUMENT_BYTES) -> object:
    """The JSON in `raw` (a body, a file); ApiRefused 413 past the limit, 422 if not JSON."""
    if len(raw) > limit_bytes:
        raise ApiRefused(
            labels.ERR_EIDO_TOO_LARGE.format(limit=limit_bytes // 1024), status=413, field="body"
        )
    value, reason = intake_api.json_body(raw)
    if reason is not None:
        raise ApiRefused(labels.ERR_EIDO_JSON.format(reason=reason), field="body")
    return value


def import_document(
    engine: Engine,
    doc: object,
    *,
    actor: Actor,
    key_id: int | None = None,
    now: datetime | None = None,
    city=None,
    category_map: CategoryMap | None = None,
) -> Result:
    """Record the incident an EIDO document describes; ApiRefused naming what is wrong.

    Checked whole before anything is written (our schema, then our own checks: the parts an
    incident needs, the form's validation, the history against the state machine); written in
    one transaction with its eido_imports row. The same $id with the same content is a replay
    (the first incident, nothing written); with other content, a 409 naming it.
    """
    _check_may_import(actor)
    now = naive_utc(now) if now else utc_now()
    if not isinstance(doc, dict):
        raise ApiRefused(labels.ERR_EIDO_SHAPE, field="body")
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    encoded = canonical.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_DOCUMENT_BYTES:
        message = labels.ERR_EIDO_TOO_LARGE.format(limit=MAX_DOCUMENT_BYTES // 1024)
        raise ApiRefused(message, status=413, field="body")
    digest = hashlib.sha256(encoded).hexdigest()
    eido_id = doc.get("$id")
    if isinstance(eido_id, str) and eido_id:
        with engine.connect() as conn:
            replayed = _replay(conn, eido_id, digest)
        if replayed is not None:
            return replayed
    check_schema(doc)
    plan = _plan(
        engine,
        doc,
        digest=digest,
        now=now,
        city=city,
        category_map=category_map or load_category_map(),
    )
    for attempt in range(intake_api.WRITE_ATTEMPTS):
        try:
            with engine.begin() as conn:
                return _write(conn, plan, actor=actor, key_id=key_id, now=now)
        except IntegrityError:
            # Another request stored this $id meanwhile: read again (replay or conflict).
            if attempt == intake_api.WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def check_schema(doc: object) -> None:
    """ApiRefused (422) naming the part of `doc` that our EIDO subset schema refuses first."""
    error = best_match(schema_validator().iter_errors(doc))
    if error is None:
        return
    if error.validator == "required":
        missing = next(p for p in error.validator_value if p not in error.instance)
        part = _path([*error.absolute_path, missing])
        raise ApiRefused(labels.ERR_EIDO_MISSING.format(part=part), field=part)
    part = _path(error.absolute_path) or "dokumen"
    raise ApiRefused(labels.ERR_EIDO_INVALID.format(part=part, reason=_reason(error)), field=part)


@functools.cache
def schema() -> dict:
    """Our EIDO subset schema (data/eido/eido_subset.schema.json)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def schema_validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def load_category_map(path: Path = CATEGORY_MAP_PATH) -> CategoryMap:
    """The mapping table: the first row of a code wins on import, the export=1 row on export."""
    to_category: dict[str, str] = {}
    to_code: dict[str, str] = {}
    fallback = None
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code, category = row["eido_code"].strip().upper(), row["category_code"].strip()
            if code == FALLBACK_CODE:
                fallback = category
                continue
            to_category.setdefault(code, category)
            if row["export"].strip() == "1":
                to_code.setdefault(category, code)
    return CategoryMap(to_category, to_code, fallback)


# --- export ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What every document of an export needs: our agency id, the catalogue, who is who."""

    agency_id: str
    category_names: dict[str, str]
    opds: dict[str, tuple[str, str, str | None]]
    users: dict[str, str | None]
    category_map: CategoryMap

    @classmethod
    def read(cls, conn: Connection) -> _Context:
        o, u = t.opds.c, t.users.c
        return cls(
            agency_id=agency_id(conn),
            category_names=dict(
                conn.execute(select(t.categories.c.code, t.categories.c.name)).all()
            ),
            opds={
                r.code: (r.name, r.short_name, r.phone)
                for r in conn.execute(select(o.code, o.name, o.short_name, o.phone))
            },
            users=dict(conn.execute(select(u.username, u.opd_code)).all()),
            category_map=load_category_map(),
        )

    def opd_agency(self, opd_code: str) -> str:
        return f"{opd_code.lower()}.opd.{self.agency_id}"

    def agent_id(self, username: str) -> str:
        return f"{username}@{self.agency_id}"

    def agent_agency(self, username: str) -> str:
        opd_code = self.users.get(username)
        return self.opd_agency(opd_code) if opd_code else self.agency_id


def agency_id(conn: Connection) -> str:
    """Our agency identifier (a domain, as NENA-STA-010 has them): the eido_agency_id setting,
    else dashboard.settings.DEFAULT_AGENCY_ID. Every $id written ends with it; a document whose
    agency is ours is restored with its history, any other is a transfer. Two deployments need
    two ids."""
    return catalogue.ops_settings(conn).eido_agency_id


def _document(conn: Connection, row, ctx: _Context, *, include_phone: bool) -> dict:
    events = conn.execute(
        select(t.incident_events)
        .where(t.incident_events.c.incident_id == row.id)
        .order_by(t.incident_events.c.id)
    ).all()
    doc_id = document_id(row.code, ctx.agency_id)

    def prologue(part: str, at: datetime, username: str | None, *, ours: bool = False) -> dict:
        # Changed by an OPD's user: that OPD's agency; the document itself is always ours.
        agency = ctx.agent_agency(username) if username and not ours else ctx.agency_id
        stamp = {
            "$id": f"{doc_id}:{part}",
            "lastUpdateTimeStamp": _stamp(at),
            "updatedByAgencyReference": _ref(agency),
        }
        if username:
            stamp["updatedByAgentReference"] = _ref(ctx.agent_id(username))
        return stamp

    location_id, callback_id = f"{doc_id}:location", f"{doc_id}:callback"
    kondisi_id = f"{doc_id}:notes:kondisi"
    notes = [
        prologue("notes:kondisi", row.received_at_utc, row.created_by)
        | {
            "notesActionComments": _html(row.kondisi),
            "agentReference": _ref(ctx.agent_id(row.created_by)),
        }
    ]
    dispatches = []
    shown = queues.timeline_frame(
        pd.DataFrame([e._asdict() for e in events], columns=list(t.incident_events.c.keys())),
        opd_names={code: short for code, (_name, short, _phone) in ctx.opds.items()},
    )
    for n, (event, line) in enumerate(zip(events, shown.itertuples(index=False), strict=True)):
        note = prologue(f"notes:{n + 1}", event.at_utc, event.actor) | {
            "notesActionComments": _html(" · ".join(str(v) for v in line[2:] if v)),
            "agentReference": _ref(ctx.agent_id(event.actor)),
            "siaga112LogEntry": _log_entry(event),
        }
        notes.append(note)
        if event.action in svc.HANDOFF_ACTIONS and event.to_opd:
            dispatches.append(
                prologue(f"dispatch:{len(dispatches) + 1}", event.at_utc, event.actor)
                | {
                    "agencyReference": _ref(ctx.opd_agency(event.to_opd)),
                    "agentReference": _ref(ctx.agent_id(event.actor)),
                    "notesReference": [_ref(note["$id"])],
                }
            )
    call = prologue("call", row.received_at_utc, row.created_by) | {
        "callStateRegistryText": CALL_STATE,
        "standardPrimaryCallType": "emergency",
        "direction": "incoming",
        "callStartTimestamp": _stamp(row.received_at_utc),
        "agentReference": [_ref(ctx.agent_id(row.created_by))],
        "locationReference": [_ref(location_id)],
    }
    document = prologue("", row.updated_at_utc, row.updated_by, ours=True) | {
        "$id": doc_id,
        "eidoVersion": EIDO_VERSION,
        "eidoExtensionId": [EXTENSION_INCIDENT, EXTENSION_LOG],
        "issuingElementIdentification": f"siaga.{ctx.agency_id}",
        "incidentComponent": prologue("incident", row.updated_at_utc, row.updated_by)
        | {
            "incidentTypeCommonRegistryText": ctx.category_map.to_code.get(
                row.category_code, UNMAPPED_EXPORT_CODE
            ),
            "incidentTypeInternalCode": row.category_code,
            "incidentTypeInternalText": ctx.category_names.get(
                row.category_code, row.category_code
            ),
            "incidentStatusInternalText": [row.status],
            "internalIncidentId": row.code,
            "incidentPriorityInternalText": labels.PRIORITY.get(row.priority, str(row.priority)),
            "locationReference": [_ref(location_id)],
            "notesReference": [_ref(kondisi_id)],
            "siaga112Incident": _snapshot(row),
        },
        "callComponent": [call],
        "dispatchComponent": dispatches,
        "notesComponent": notes,
        "agencyComponent": _agencies(row, events, ctx, prologue),
        "agentComponent": _agents(row, events, ctx, prologue),
        "locationComponent": [
            prologue("location", row.received_at_utc, row.created_by)
            | {
                "locationTypeDescriptionRegistryText": LOCATION_TYPE,
                "locationByValue": _pidf(row, entity=doc_id),
            }
        ],
    }
    if include_phone:
        call["callBackReference"] = _ref(callback_id)
        document["callbackComponent"] = [
            prologue("callback", row.received_at_utc, row.created_by)
            | {"callBackInformationUri": [_tel(row.caller_phone)]}
        ]
    return document


def _agencies(row, events, ctx: _Context, prologue) -> list[dict]:
    psap = prologue("", row.received_at_utc, None) | {
        "$id": ctx.agency_id,
        "agencyJcard": _jcard(PSAP_CONTACT),
        "agencyRoleDescriptionRegistryText": [PSAP_ROLE],
        "agencyType": ["psap"],
        "incidentOwningAgencyIndicator": True,
    }
    codes: list[str] = []
    for code in [
        *(c for e in events for c in (e.from_opd, e.to_opd)),
        row.first_opd_code,
        row.opd_code,
    ]:
        if code and code not in codes:
            codes.append(code)
    agencies = [psap]
    for code in codes:
        agencies.append(
            prologue("", row.updated_at_utc, None)
            | {
                "$id": ctx.opd_agency(code),
                "agencyJcard": _jcard(ctx.opds.get(code, (code, code, None))),
                "agencyRoleDescriptionRegistryText": [OPD_ROLE],
                "agencyType": [RESPONDER_TYPE.get(code, "other")],
                "incidentOwningAgencyIndicator": False,
            }
        )
    return agencies


def _agents(row, events, ctx: _Context, prologue) -> list[dict]:
    names: list[str] = []
    for name in [row.created_by, *(e.actor for e in events), row.updated_by]:
        if name and name not in names:
            names.append(name)
    agents = []
    for name in names:
        opd_code = ctx.users.get(name)
        agents.append(
            prologue("", row.received_at_utc, None)
            | {
                "$id": ctx.agent_id(name),
                "agentRoleRegistryText": [DISPATCHING if opd_code else CALL_TAKING],
                "agencyReference": _ref(ctx.agent_agency(name)),
            }
        )
    return agents


def _snapshot(row) -> dict:
    snapshot = {
        "status": row.status,
        "opdCode": row.opd_code,
        "firstOpdCode": row.first_opd_code,
        **{member: _stamp(getattr(row, column)) for member, column in SNAPSHOT_TIMES},
        "cancelReason": row.cancel_reason,
        "resolutionNote": row.resolution_note,
        "reassignCount": row.reassign_count,
        "escalationLevel": row.escalation_level,
    }
    return snapshot


def _log_entry(event) -> dict:
    try:
        details = json.loads(event.details) if event.details else None
    except ValueError:
        details = None
    return {
        "action": event.action,
        "fromStatus": event.from_status,
        "toStatus": event.to_status,
        "fromOpdCode": event.from_opd,
        "toOpdCode": event.to_opd,
        "reason": event.reason,
        "details": details if isinstance(details, dict) else None,
    }


def _pidf(row, *, entity: str) -> str:
    """A PIDF-LO document: the point (WGS 84, latitude first) and the civic address."""
    presence = ElementTree.Element(f"{{{PIDF}}}presence", {"entity": f"pres:{entity}"})
    device = ElementTree.SubElement(presence, f"{{{PIDF_DM}}}device", {"id": row.code})
    geopriv = ElementTree.SubElement(device, f"{{{GEOPRIV}}}geopriv")
    info = ElementTree.SubElement(geopriv, f"{{{GEOPRIV}}}location-info")
    point = ElementTree.SubElement(info, f"{{{GML}}}Point", {"srsName": WGS84})
    # repr: the shortest text that reads back as the very same float.
    ElementTree.SubElement(point, f"{{{GML}}}pos").text = f"{row.lat!r} {row.lon!r}"
    civic = ElementTree.SubElement(info, f"{{{CIVIC_NS}}}civicAddress")
    parts = {**CIVIC, "A3": row.kecamatan, "A4": row.kelurahan, "LOC": row.address}
    for name, value in parts.items():
        if value:
            ElementTree.SubElement(civic, f"{{{CIVIC_NS}}}{name}").text = value
    ElementTree.SubElement(geopriv, f"{{{GEOPRIV}}}usage-rules")
    ElementTree.SubElement(geopriv, f"{{{GEOPRIV}}}method").text = "Manual"
    ElementTree.SubElement(device, f"{{{PIDF_DM}}}timestamp").text = _stamp(row.received_at_utc)
    return ElementTree.tostring(presence, encoding="unicode")


def _jcard(opd: tuple[str, str, str | None]) -> str:
    """The agency's contact as a jCard (RFC 7095) in JSON text: its name and public phone."""
    name, _short, phone = opd
    properties = [
        ["version", {}, "text", "4.0"],
        ["kind", {}, "text", "org"],
        ["fn", {}, "text", name],
    ]
    if phone:
        properties.append(["tel", {}, "text", phone])
    return json.dumps(["vcard", properties], ensure_ascii=False)


def _tel(phone: str) -> str:
    """A stored national number as a tel: URI (RFC 3966): global +62 form, short codes local."""
    if phone.startswith("0"):
        return f"tel:+62{phone[1:]}"
    return f"tel:{phone};phone-context=+62"


def _html(text: str) -> str:
    # EIDO notes are HTML5: a receiving CAD that renders them must get caller text as text.
    return html.escape(text or "")


def _stamp(value: datetime | None) -> str | None:
    return None if value is None else to_wib(value).isoformat()


def _ref(target: str) -> dict:
    return {"$ref": target}


# --- import: reading the document ------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One log entry of a restored history."""

    part: str
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    from_opd: str | None
    to_opd: str | None
    reason: str | None
    details: dict | None


@dataclass(frozen=True)
class _Plan:
    eido_id: str
    digest: str
    issuer: str
    report: svc.NewReport
    fields: dict
    place: object
    entries: tuple[_Entry, ...]
    snapshot: dict | None
    notes: tuple[str, ...]
    category_note: str | None = None
    opd_names: dict = field(default_factory=dict)


def _check_may_import(actor: Actor) -> None:
    # An importer (admin, supervisor, the command line), or a source that may record and
    # forward reports itself (an API key's actor, a call-taker).
    if can(actor, "import"):
        return
    check_permission(actor, "create")
    check_permission(actor, "forward")


def _replay(conn: Connection, eido_id: str, digest: str) -> Result | None:
    """The first import's Result when `eido_id` is known with this content; 409 if other."""
    e, i = t.eido_imports.c, t.incidents.c
    row = conn.execute(
        select(e.body_sha256, i.code, i.status, i.opd_code, t.opds.c.name.label("opd_name"))
        .select_from(
            t.eido_imports.join(t.incidents, i.id == e.incident_id).outerjoin(
                t.opds, t.opds.c.code == i.opd_code
            )
        )
        .where(e.eido_id == eido_id[:200])
    ).first()
    if row is None:
        return None
    if row.body_sha256 != digest:
        message = labels.ERR_EIDO_CONFLICT.format(eido_id=eido_id[:200], code=row.code)
        error = {"field": "$id", "galat": message, "code": row.code}
        raise ApiRefused(message, status=409, field="$id", errors=[error])
    return Result(eido_id, row.code, row.status, row.opd_code, row.opd_name, False)


def _plan(engine: Engine, doc: dict, *, digest, now, city, category_map: CategoryMap) -> _Plan:
    """Everything the write needs, read and checked; ApiRefused naming the part at fault."""
    index = _index(doc)
    with engine.connect() as conn:
        ours = agency_id(conn)
        categories = catalogue.categories(conn)
        opd_names = dict(conn.execute(select(t.opds.c.code, t.opds.c.name)).all())
        own_code = _own_code(conn, doc["$id"], ours)
    if own_code:
        message = labels.ERR_EIDO_OWN.format(eido_id=doc["$id"], code=own_code)
        raise ApiRefused(message, status=409, field="$id")
    incident = doc.get("incidentComponent")
    if incident is None:
        raise _missing("incidentComponent")
    location_part, location = _location(doc, incident, index)
    lat, lon, civic = _read_pidf(location, location_part)
    address = civic.get("LOC") or ", ".join(
        v for k, v in civic.items() if k not in ("country", "A1", "A2")
    )
    address = address or location.get("locationDescriptionText") or ""
    if not address:
        raise _invalid(f"{location_part}.locationByValue", labels.EIDO_REASON_NO_ADDRESS)
    call_part, call = _first(doc, "callComponent")
    received = _time(call["callStartTimestamp"], f"{call_part}.callStartTimestamp", now=now)
    phone = _phone(doc, call, call_part, index)
    kondisi = _kondisi(incident, index)
    category_code, category_note = _category(incident, set(categories), category_map)
    history = _restorable(doc, incident, ours)
    report = svc.NewReport(
        category_code=category_code,
        kondisi=kondisi,
        lat=lat,
        lon=lon,
        address=_named(
            f"{location_part}.locationByValue",
            clean_text,
            address,
            field=labels.FIELD_ADDRESS,
            limit=svc.ADDRESS_MAX,
        ),
        caller_phone=phone,
        received_at_utc=received,
        forward=not history,
        source="eido",
    )
    try:
        fields = svc.validate_report(report, now=now)
    except DispatchError as error:
        raise ApiRefused(str(error)) from None
    try:
        place = svc.locate_report(engine, fields["lat"], fields["lon"], city=city)
    except DispatchError as error:
        raise _part_error(location_part, error) from None
    entries: tuple[_Entry, ...] = ()
    snapshot = None
    if history:
        entries = _entries(doc, ours, known_opds=set(opd_names), now=now)
        snapshot = _read_snapshot(incident["siaga112Incident"], set(opd_names), now=now)
        _check_history(entries, snapshot)
    notes = _foreign_notes(doc, incident, ours, now=now)
    sender = (doc.get("updatedByAgencyReference") or {}).get("$ref", "")
    issuer = doc.get("issuingElementIdentification") or sender
    return _Plan(
        eido_id=doc["$id"],
        digest=digest,
        issuer=str(issuer)[:200],
        report=report,
        fields=fields,
        place=place,
        entries=entries,
        snapshot=snapshot,
        notes=notes,
        category_note=category_note,
        opd_names=opd_names,
    )


def _index(doc: dict) -> dict[str, tuple[str, dict]]:
    """Every data component by $id, with the part of the document it is: callComponent[0] ..."""
    index: dict[str, tuple[str, dict]] = {}
    for name, value in doc.items():
        if not (name.endswith("Component") and isinstance(value, list)):
            continue
        for n, component in enumerate(value):
            part = f"{name}[{n}]"
            if not (isinstance(component, dict) and isinstance(component.get("$id"), str)):
                continue  # a component our schema does not describe, and we do not read
            if component["$id"] in index:
                reason = labels.EIDO_REASON_DUPLICATE_ID.format(value=component["$id"][:80])
                raise _invalid(part, reason)
            index[component["$id"]] = (part, component)
    return index


def _follow(index, reference: dict, part: str, kind: str) -> tuple[str, dict]:
    target = index.get(reference["$ref"])
    if target is None or not target[0].startswith(kind):
        raise _invalid(part, labels.EIDO_REASON_REFERENCE.format(ref=reference["$ref"][:80]))
    return target


def _first(doc: dict, name: str) -> tuple[str, dict]:
    items = doc.get(name) or []
    if not items:
        raise _missing(name)
    return f"{name}[0]", items[0]


def _location(doc: dict, incident: dict, index) -> tuple[str, dict]:
    """The incident's location: the one its locationReference names, else the first one."""
    references = incident.get("locationReference") or []
    if references:
        return _follow(index, references[0], "incidentComponent.locationReference[0]", "location")
    return _first(doc, "locationComponent")


def _read_pidf(location: dict, part: str) -> tuple[float, float, dict[str, str]]:
    """(lat, lon, civic address parts) from a PIDF-LO; DTDs and entities are refused."""
    text = location.get("locationByValue")
    if not text:
        raise _missing(f"{part}.locationByValue")
    where = f"{part}.locationByValue"
    try:
        root = DefusedET.fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise _invalid(where, labels.EIDO_REASON_XML_FORBIDDEN) from None
    except ElementTree.ParseError:
        raise _invalid(where, labels.EIDO_REASON_XML) from None
    pos = next(root.iter(f"{{{GML}}}pos"), None)
    numbers = (pos.text or "").split() if pos is not None else []
    if len(numbers) not in (2, 3):
        raise _invalid(where, labels.EIDO_REASON_NO_POINT)
    lat, lon = _named(where, svc.check_coordinates, numbers[0], numbers[1])
    civic: dict[str, str] = {}
    address = next(root.iter(f"{{{CIVIC_NS}}}civicAddress"), None)
    for child in address if address is not None else ():
        name = child.tag.rsplit("}", 1)[-1]
        if (child.text or "").strip():
            civic[name] = child.text.strip()
    return lat, lon, civic


def _phone(doc: dict, call: dict, call_part: str, index) -> str:
    reference = call.get("callBackReference")
    if reference is not None:
        part, callback = _follow(index, reference, f"{call_part}.callBackReference", "callback")
    elif doc.get("callbackComponent"):
        part, callback = _first(doc, "callbackComponent")
    else:
        raise _missing(labels.EIDO_PART_PHONE)
    uris = [u for u in callback.get("callBackInformationUri") or [] if u.lower().startswith("tel:")]
    if not uris:
        raise _invalid(f"{part}.callBackInformationUri", labels.EIDO_REASON_NO_PHONE)
    number = uris[0][4:].split(";", 1)[0]
    return _named(f"{part}.callBackInformationUri", normalise_phone, number)


def _kondisi(incident: dict, index) -> str:
    """The text of the notes the incidentComponent refers to (the kondisi), as plain text."""
    texts = []
    for n, reference in enumerate(incident.get("notesReference") or []):
        _part, note = _follow(index, reference, f"incidentComponent.notesReference[{n}]", "notes")
        texts.append(html.unescape(note["notesActionComments"]))
    text = "\n\n".join(x for x in texts if x.strip())
    if not text:
        raise _missing(labels.EIDO_PART_KONDISI)
    return _named(
        "incidentComponent.notesReference",
        clean_text,
        text,
        field=labels.FIELD_KONDISI,
        limit=svc.KONDISI_MAX,
    )


def _category(incident: dict, known: set[str], mapping: CategoryMap) -> tuple[str, str | None]:
    """Our category: Siaga's own code, else the type code's row in the map, else the fallback."""
    internal = str(incident.get("incidentTypeInternalCode") or "").strip().upper()
    if internal in known:
        return internal, None
    code = incident["incidentTypeCommonRegistryText"]
    mapped = mapping.category_for(code)
    if mapped in known:
        return mapped, None
    if mapping.fallback in known:
        note = labels.EIDO_FALLBACK_NOTE.format(value=code[:80], category=mapping.fallback)
        return mapping.fallback, note
    reason = labels.ERR_UNKNOWN_CATEGORY.format(value=code[:80])
    raise _part_error("incidentComponent.incidentTypeCommonRegistryText", InvalidInput(reason))


def _restorable(doc: dict, incident: dict, ours: str) -> bool:
    """Our own document (our agency sent it) with its history: restored, not transferred."""
    sender = (doc.get("updatedByAgencyReference") or {}).get("$ref")
    return sender == ours and "siaga112Incident" in incident


def _own_code(conn: Connection, eido_id: str, ours: str) -> str | None:
    """The code of the incident here whose document this is (ours, never imported back)."""
    suffix = f":{ours}"
    if not (eido_id.startswith(ID_PREFIX) and eido_id.endswith(suffix)):
        return None
    code = eido_id[len(ID_PREFIX) : -len(suffix)]
    found = conn.execute(select(t.incidents.c.code).where(t.incidents.c.code == code[:24])).first()
    return found.code if found else None


def _entries(doc: dict, ours: str, *, known_opds: set[str], now: datetime) -> tuple[_Entry, ...]:
    entries = []
    for n, note in enumerate(doc.get("notesComponent") or []):
        entry = note.get("siaga112LogEntry")
        if entry is None:
            continue
        part = f"notesComponent[{n}]"
        if entry["action"] not in KNOWN_ACTIONS:
            raise _invalid(
                f"{part}.siaga112LogEntry.action",
                labels.EIDO_REASON_UNKNOWN_ACTION.format(value=entry["action"]),
            )
        for member in ("fromOpdCode", "toOpdCode"):
            code = entry.get(member)
            if code and code not in known_opds:
                reason = labels.ERR_UNKNOWN_OPD.format(value=code)
                raise _part_error(f"{part}.siaga112LogEntry.{member}", InvalidInput(reason))
        agent = (note.get("agentReference") or note.get("updatedByAgentReference") or {}).get(
            "$ref"
        )
        entries.append(
            _Entry(
                part=part,
                at=_time(note["lastUpdateTimeStamp"], f"{part}.lastUpdateTimeStamp", now=now),
                actor=_username(agent or "eido", ours),
                action=entry["action"],
                from_status=entry.get("fromStatus"),
                to_status=entry.get("toStatus"),
                from_opd=entry.get("fromOpdCode"),
                to_opd=entry.get("toOpdCode"),
                reason=entry.get("reason"),
                details=entry.get("details"),
            )
        )
    return tuple(entries)


def _read_snapshot(snapshot: dict, known_opds: set[str], *, now: datetime) -> dict:
    """The incident's columns from the siaga112Incident extension, checked."""
    part = "incidentComponent.siaga112Incident"
    for member in ("opdCode", "firstOpdCode"):
        code = snapshot.get(member)
        if code and code not in known_opds:
            reason = labels.ERR_UNKNOWN_OPD.format(value=code)
            raise _part_error(f"{part}.{member}", InvalidInput(reason))
    reason_code = snapshot.get("cancelReason")
    if reason_code is not None and reason_code not in CANCEL_REASONS:
        reason = labels.ERR_CANCEL_REASON.format(value=reason_code)
        raise _part_error(f"{part}.cancelReason", InvalidInput(reason))
    values = {
        "status": snapshot["status"],
        "opd_code": snapshot.get("opdCode"),
        "first_opd_code": snapshot.get("firstOpdCode"),
        "cancel_reason": reason_code,
        "resolution_note": snapshot.get("resolutionNote"),
        "reassign_count": snapshot["reassignCount"],
        "escalation_level": snapshot.get("escalationLevel", 0),
    }
    for member, column in SNAPSHOT_TIMES:
        value = snapshot.get(member)
        values[column] = None if value is None else _time(value, f"{part}.{member}", now=now)
    return values


def _check_history(entries: tuple[_Entry, ...], snapshot: dict) -> None:
    """The log must begin with the report's recording and follow the one state machine."""
    if not entries or entries[0].action not in CREATION_ACTIONS or entries[0].to_status != BARU:
        part = entries[0].part if entries else "notesComponent"
        raise _invalid(part, labels.EIDO_REASON_HISTORY_START)
    status = BARU
    for entry in entries[1:]:
        if entry.to_status is None:
            continue
        if entry.from_status != status:
            reason = labels.EIDO_REASON_HISTORY_ORDER.format(
                status=labels.STATUS.get(entry.from_status or "", entry.from_status),
                actual=labels.STATUS[status],
            )
            raise _invalid(entry.part, reason)
        try:
            if entry.action == "REASSIGN":
                check_reassign(status)
                if entry.to_status != DITERUSKAN:
                    raise _invalid(
                        entry.part, labels.EIDO_REASON_VALUE.format(value=entry.to_status)
                    )
            else:
                check_transition(status, entry.to_status, reopening=entry.action == "REOPEN")
        except DispatchError as error:
            raise _part_error(entry.part, error) from None
        status = entry.to_status
    if snapshot["status"] != status:
        reason = labels.EIDO_REASON_HISTORY_END.format(
            status=labels.STATUS[snapshot["status"]], actual=labels.STATUS[status]
        )
        raise _invalid("incidentComponent.siaga112Incident.status", reason)


def _foreign_notes(doc: dict, incident: dict, ours: str, *, now: datetime) -> tuple[str, ...]:
    """The notes that are neither the kondisi nor a log entry, as lines for our log."""
    kondisi = {r["$ref"] for r in incident.get("notesReference") or []}
    lines = []
    for n, note in enumerate(doc.get("notesComponent") or []):
        if note["$id"] in kondisi or "siaga112LogEntry" in note:
            continue
        source = (note.get("agentReference") or note["updatedByAgencyReference"])["$ref"]
        at = _time(note["lastUpdateTimeStamp"], f"notesComponent[{n}].lastUpdateTimeStamp", now=now)
        text = html.unescape(note["notesActionComments"]).strip()
        if text:
            lines.append(
                labels.EIDO_FOREIGN_NOTE.format(
                    source=_username(source, ours)[:80], at=format_wib(at), text=text
                )
            )
    return tuple(lines)


def _time(value: str, part: str, *, now: datetime) -> datetime:
    """A document time as stored (naive UTC); refused when unreadable, before 2000 or ahead."""
    parsed = _named(part, importer.parse_time, value)
    return _named(part, svc.check_received_time, parsed, now=now)


def _username(agent: str, ours: str) -> str:
    """Who a log entry names: our own agents by their username, others by their agent id."""
    suffix = f"@{ours}"
    name = agent[: -len(suffix)] if agent.endswith(suffix) else agent
    return name[:60]


def _named(part: str, check, *args, **kwargs):
    """check(*args, **kwargs), its refusal said as one of the document's part."""
    try:
        return check(*args, **kwargs)
    except DispatchError as error:
        raise _part_error(part, error) from None


def _part_error(part: str, error: DispatchError) -> ApiRefused:
    return ApiRefused(labels.ERR_EIDO_PART.format(part=part, reason=error), field=part)


def _missing(part: str) -> ApiRefused:
    return ApiRefused(labels.ERR_EIDO_MISSING.format(part=part), field=part)


def _invalid(part: str, reason: str) -> ApiRefused:
    return ApiRefused(labels.ERR_EIDO_INVALID.format(part=part, reason=reason), field=part)


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _reason(error: ValidationError) -> str:
    """What a schema refusal means, in Indonesian."""
    rule, value = error.validator, error.validator_value
    if rule == "type":
        kinds = value if isinstance(value, list) else [value]
        names = " atau ".join(labels.EIDO_TYPE_NAMES.get(k, k) for k in kinds)
        return labels.EIDO_REASON_TYPE.format(type=names)
    if rule == "maxLength":
        return labels.EIDO_REASON_TOO_LONG.format(limit=value)
    if rule == "minLength":
        return labels.EIDO_REASON_EMPTY
    if rule == "maxItems":
        return labels.EIDO_REASON_TOO_MANY.format(limit=value)
    if rule == "minItems":
        return labels.EIDO_REASON_TOO_FEW.format(limit=value)
    if rule in ("enum", "const"):
        return labels.EIDO_REASON_VALUE.format(value=str(error.instance)[:80])
    if rule == "pattern" and error.schema.get("format") == "date-time":
        return labels.EIDO_REASON_TIME
    if rule in ("minimum", "maximum"):
        return labels.EIDO_REASON_RANGE
    if rule == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return labels.EIDO_REASON_EXTRA.format(names=", ".join(extra)[:120])
    return labels.EIDO_REASON_RULE.format(rule=rule)


# --- import: writing -------------------------------------------------------------------------


def _write(conn: Connection, plan: _Plan, *, actor: Actor, key_id: int | None, now) -> Result:
    replayed = _replay(conn, plan.eido_id, plan.digest)
    if replayed is not None:
        return replayed
    if plan.snapshot is not None:
        incident_id = _restore(conn, plan, actor=actor, now=now)
    else:
        recorded = svc.record_report(conn, actor, plan.fields, plan.place, plan.report, now=now)
        incident_id = recorded.id
        _log_import(conn, plan, incident_id, actor, now=now)
    for line in plan.notes:
        svc.log_event(conn, incident_id, actor, NOTE_ACTION, now=now, reason=line)
    conn.execute(
        insert(t.eido_imports).values(
            eido_id=plan.eido_id,
            body_sha256=plan.digest,
            incident_id=incident_id,
            key_id=key_id,
            received_at_utc=now,
        )
    )
    row = conn.execute(
        select(t.incidents.c.code, t.incidents.c.status, t.incidents.c.opd_code).where(
            t.incidents.c.id == incident_id
        )
    ).one()
    return Result(
        plan.eido_id, row.code, row.status, row.opd_code, plan.opd_names.get(row.opd_code), True
    )


def _restore(conn: Connection, plan: _Plan, *, actor: Actor, now: datetime) -> int:
    """Our own incident back with its history: the recording, each log entry, its columns."""
    first = plan.entries[0]
    report = replace(plan.report, forward=False)
    recorded = svc.record_report(
        conn, _agent(first.actor), plan.fields, plan.place, report, now=first.at
    )
    for entry in plan.entries[1:]:
        svc.log_event(
            conn,
            recorded.id,
            _agent(entry.actor),
            entry.action,
            now=entry.at,
            from_status=entry.from_status,
            to_status=entry.to_status,
            from_opd=entry.from_opd,
            to_opd=entry.to_opd,
            reason=entry.reason,
            details=entry.details,
        )
    conn.execute(
        update(t.incidents)
        .where(t.incidents.c.id == recorded.id)
        .values(**plan.snapshot, updated_at_utc=now, updated_by=actor.username)
    )
    event_id = _log_import(conn, plan, recorded.id, actor, now=now)
    snapshot = plan.snapshot
    if snapshot["status"] == DITERUSKAN and snapshot["opd_code"]:
        # Still waiting for its OPD's acknowledgement: that OPD is told, here and now.
        handoffs = [e.action for e in plan.entries if e.action in svc.HANDOFF_ACTIONS]
        stored = conn.execute(select(t.incidents).where(t.incidents.c.id == recorded.id)).one()
        handoff.on_assigned(
            conn,
            stored,
            event_id=event_id,
            action=handoffs[-1] if handoffs else "FORWARD",
            from_opd=None,
            to_opd=snapshot["opd_code"],
            now=now,
        )
    return recorded.id


def _log_import(conn: Connection, plan: _Plan, incident_id: int, actor: Actor, *, now) -> int:
    reason = labels.EIDO_IMPORT_REASON.format(eido_id=plan.eido_id, issuer=plan.issuer)
    details = {
        "eido_id": plan.eido_id,
        **({"note": plan.category_note} if plan.category_note else {}),
    }
    return svc.log_event(
        conn, incident_id, actor, IMPORT_ACTION, now=now, reason=reason, details=details
    )


def _agent(username: str) -> Actor:
    return Actor(username=username, role=CALL_TAKER)
