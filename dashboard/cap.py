"""CAP 1.2 warnings (BMKG nowcast or any CAP source): what the screens show, and the import.

Read model (for the live map, the wall, Tren): `active_alerts` lists the alerts that touch Kota
Pekalongan, are neither superseded by an Update/Cancel nor a Cancel themselves, and are in
force at `now_utc`: effective (effective_utc <= now; without <effective>, sent_utc) and not
expired (expires_utc > now). The rule is `in_force_at`, which Tren applies to each incident.
CAP makes <expires> optional; BMKG always sends it. An alert without it would otherwise stay
on the wall forever, so it counts as expired NO_EXPIRES_LIFETIME_H after it was sent: long
enough for a nowcast (2-3 hours), short enough that a forgotten one leaves.
`last_fetch` says when the warnings were last fetched, and the last error if that failed.

Import (`import_source`: a file, an http(s) URL, or an RSS/Atom index of CAP links; the
command line and the background poller both use it):
- A document over MAX_DOCUMENT_BYTES is refused before it is parsed (a file by its size, a
  download by Content-Length and by reading at most one byte more than the limit). It is
  parsed with defusedxml: entity declarations (billion laughs, XXE) and external references
  are refused, nothing is ever loaded from a DTD.
- Required: identifier, sender, sent, status, msgType (Alert, Update or Cancel; Ack and Error
  are refused) and an <info> with event, urgency, severity, certainty, each a CAP 1.2 value.
  With several <info> (languages), the Indonesian one is read. Times must carry their offset
  and are stored as naive UTC. Every <polygon> of every <area> is kept as its own ring
  (geo.cap_area); an Alert or Update without any polygon is refused, a Cancel needs none (it
  only ends what it references). <circle> and <geocode> are not read.
- Judgement (`judge`): touches the city by 'polygon' when a ring intersects the city's
  outline, else by 'name' when the headline, description or areaDesc names a place of the
  city (geo.cap_area.named_places says which names count), else 'none'.
- Idempotent on identifier: the same bytes again change nothing ("sudah ada"); another
  document under a stored identifier is refused, naming it. An Update or Cancel sets
  superseded_by / superseded_at_utc (its sent time) on each stored alert its <references>
  ("sender,identifier,sent ...") name, in the same transaction; an alert that arrives after
  the Update naming it is superseded at once. A Cancel is stored but never in force.
- One document is one transaction: a refusal stores nothing. In an index each CAP is its own
  document: one that is refused or unreachable is reported, the others are stored.
- A URL source's every fetch is recorded in cap_fetches (attempt, success, error): with no
  network the stored alerts stay and the screens say when they were last fetched.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import defusedxml.ElementTree as DefusedET
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    and_,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from dashboard import labels
from dashboard import tables as t
from dashboard.citydata import current_city
from dashboard.db import from_row
from dashboard.domain import naive_utc, utc_now
from dashboard.errors import CapRejected, CapUnreachable, DispatchError
from geo.cap_area import (
    PolygonRefused,
    kecamatan_under,
    named_places,
    parse_polygon,
    ring_intersects_city,
)
from geo.layers import City

log = logging.getLogger(__name__)

NO_EXPIRES_LIFETIME_H = 6
# The order of the screens: the most severe first (CAP <severity> values).
SEVERITY_RANK = {"Extreme": 0, "Severe": 1, "Moderate": 2, "Minor": 3, "Unknown": 4}
MSG_ALERT, MSG_UPDATE, MSG_CANCEL = "Alert", "Update", "Cancel"
MSG_TYPES = (MSG_ALERT, MSG_UPDATE, MSG_CANCEL)
STATUS_ACTUAL = "Actual"
TOUCH_POLYGON, TOUCH_NAME, TOUCH_NONE = "polygon", "name", "none"
# The CAP 1.2 value lists (OASIS CAP 1.2, section 3.2).
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
CAP_URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CAP_SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CAP_CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
_ATOM = "{http://www.w3.org/2005/Atom}"
# A BMKG alert is 2-4 kB and its index 4 kB; anything near this limit is no warning.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_INDEX_ITEMS = 200
FETCH_TIMEOUT_S = 20
URL_SCHEMES = ("http", "https")
USER_AGENT = "Siaga112-CAP/1 (Call Center 112 Kota Pekalongan)"
WRITE_ATTEMPTS = 3
# Column sizes of cap_alerts / cap_fetches (dashboard/tables.py).
IDENTIFIER_MAX = SENDER_MAX = EVENT_MAX = 200
HEADLINE_MAX = 300
WEB_MAX = SOURCE_MAX = 500
ERROR_MAX = 1000
SHOWN_MAX = 120


@dataclass(frozen=True)
class ActiveAlert:
    """A warning in force that touches the city. Text fields are as received: escape them."""

    identifier: str
    msg_type: str
    event: str
    severity: str
    urgency: str
    certainty: str
    headline: str | None
    description: str | None
    area_desc: str | None
    sender: str
    sent_utc: datetime
    effective_utc: datetime | None
    expires_utc: datetime | None
    # 'polygon' (a ring intersects the city) or 'name' (the text names a place of the city).
    touch_reason: str
    matched_places: tuple[str, ...]
    # Every polygon ring of every <area>, GeoJSON order: [[lon, lat], ...], closed.
    rings: tuple[list[list[float]], ...]


@dataclass(frozen=True)
class FetchState:
    """The newest fetch of a CAP source: when tried, when it last worked, what went wrong."""

    source: str
    last_attempt_utc: datetime
    last_success_utc: datetime | None
    last_error: str | None
    alerts_seen: int


def active_alerts(engine: Engine, *, now_utc: datetime) -> list[ActiveAlert]:
    """The warnings touching the city in force at `now_utc`, the most severe first."""
    now = naive_utc(now_utc)
    with engine.connect() as conn:
        rows = conn.execute(select(t.cap_alerts).where(in_force_at(now))).all()
        ids = [row.id for row in rows]
        ring_rows = (
            conn.execute(
                select(t.cap_alert_areas.c.alert_id, t.cap_alert_areas.c.ring_geojson)
                .where(t.cap_alert_areas.c.alert_id.in_(ids))
                .order_by(
                    t.cap_alert_areas.c.alert_id,
                    t.cap_alert_areas.c.area_index,
                    t.cap_alert_areas.c.ring_index,
                )
            ).all()
            if ids
            else []
        )
    rings: dict[int, list[list[list[float]]]] = {}
    for ring in ring_rows:
        rings.setdefault(ring.alert_id, []).append(json.loads(ring.ring_geojson))
    alerts = [_active_alert(row, rings.get(row.id, [])) for row in rows]
    alerts.sort(
        key=lambda x: (
            SEVERITY_RANK.get(x.severity, len(SEVERITY_RANK)),
            x.expires_utc or datetime.max,
            x.identifier,
        )
    )
    return alerts


def last_fetch(engine: Engine) -> FetchState | None:
    """The most recently attempted fetch of any CAP source, or None when none was tried."""
    f = t.cap_fetches.c
    with engine.connect() as conn:
        row = conn.execute(
            select(t.cap_fetches).order_by(f.last_attempt_utc.desc(), f.source).limit(1)
        ).first()
    if row is None:
        return None
    return from_row(FetchState, row)


def in_force_at(moment: datetime | ColumnElement) -> ColumnElement[bool]:
    """SQL: this cap_alerts row is a warning touching the city in force at `moment`.

    `moment` is a naive-UTC datetime (now: active_alerts) or a timestamp column (when each
    incident was received: Tren), so the screens and the statistics share one rule. In force:
    touches the city, status Actual, not a Cancel, not superseded by `moment` (an Update or
    Cancel ends it at superseded_at_utc), and inside its window (in_force_window): effective by
    `moment` (its sent time without <effective>), not expired (without <expires>:
    NO_EXPIRES_LIFETIME_H after sent).
    """
    a = t.cap_alerts.c
    start, end = in_force_window()
    return and_(
        a.touches_city.is_(True),
        # Exercise, Test, System and Draft messages are stored but are no real warning.
        a.status == STATUS_ACTUAL,
        a.msg_type != MSG_CANCEL,
        or_(a.superseded_by.is_(None), a.superseded_at_utc > moment),
        start <= moment,
        end > moment,
    )


def in_force_window() -> tuple[ColumnElement, ColumnElement]:
    """SQL: the first moment of a cap_alerts row's window and the moment it ends (exclusive):
    effective (else sent), and expires (else NO_EXPIRES_LIFETIME_H after sent). in_force_at
    holds only inside it; a range join on an indexed time column uses the two as its bounds."""
    a = t.cap_alerts.c
    lifetime_end = _PlusHours(a.sent_utc, literal_column(str(NO_EXPIRES_LIFETIME_H)))
    return func.coalesce(a.effective_utc, a.sent_utc), func.coalesce(a.expires_utc, lifetime_end)


# --- Import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapArea:
    """One <area>: its description and every <polygon> as a closed GeoJSON ring."""

    area_desc: str | None
    rings: tuple[list[list[float]], ...]


@dataclass(frozen=True)
class CapMessage:
    """A CAP 1.2 <alert> as read (times naive UTC), before it is judged or stored."""

    identifier: str
    sender: str
    sent_utc: datetime
    status: str
    msg_type: str
    references: str | None
    event: str
    urgency: str
    severity: str
    certainty: str
    effective_utc: datetime | None
    onset_utc: datetime | None
    expires_utc: datetime | None
    headline: str | None
    description: str | None
    web: str | None
    areas: tuple[CapArea, ...]

    @property
    def area_desc(self) -> str | None:
        names = [a.area_desc for a in self.areas if a.area_desc]
        return "; ".join(dict.fromkeys(names)) or None

    @property
    def referenced(self) -> tuple[Reference, ...]:
        return parse_references(self.references)


@dataclass(frozen=True)
class Reference:
    """One entry of <references>: which earlier alert an Update or Cancel replaces."""

    sender: str
    identifier: str
    sent: str


@dataclass(frozen=True)
class Judgement:
    """Does the alert touch the city, by which rule, and which of its rings do."""

    touches_city: bool
    touch_reason: str
    matched_places: tuple[str, ...]
    # Per area, per ring: does that ring intersect the city.
    ring_hits: tuple[tuple[bool, ...], ...]


@dataclass(frozen=True)
class Imported:
    """What happened to one CAP document: stored now (`created`) or already there."""

    identifier: str
    msg_type: str
    event: str
    created: bool
    touch_reason: str
    matched_places: tuple[str, ...]
    # Stored alerts this Update/Cancel superseded now, and references not stored (yet).
    supersedes: tuple[str, ...] = ()
    unknown_references: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemRefused:
    """A CAP document of an index that was refused or could not be fetched; the rest went on."""

    location: str
    message: str


@dataclass(frozen=True)
class SourceResult:
    """Everything a file, URL or RSS/Atom index brought."""

    source: str
    imported: tuple[Imported, ...]
    refused: tuple[ItemRefused, ...]
    is_index: bool

    @property
    def stored(self) -> int:
        return sum(1 for i in self.imported if i.created)

    @property
    def already(self) -> int:
        return sum(1 for i in self.imported if not i.created)


def parse_cap(body: bytes, *, source: str = "CAP") -> CapMessage:
    """Read a CAP 1.2 document; CapRejected naming what is wrong (module docstring)."""
    root = _xml_root(body, source=source)
    if root.tag != _cap("alert"):
        raise CapRejected(labels.ERR_CAP_NOT_CAP.format(source=_shown(source), tag=_tag(root)))
    return _message(root)


def parse_references(text: str | None, *, identifier: str = "") -> tuple[Reference, ...]:
    """The "sender,identifier,sent" entries of a <references> text (whitespace between)."""
    entries = []
    for entry in (text or "").split():
        parts = entry.split(",")
        if len(parts) != 3 or not all(parts):
            msg = labels.ERR_CAP_BAD_REFERENCE.format(identifier=identifier, value=_shown(entry))
            raise CapRejected(msg)
        entries.append(Reference(*parts))
    return tuple(entries)


def judge(message: CapMessage, *, city: City) -> Judgement:
    """Touches the city by 'polygon' (a ring intersects it), else by 'name', else 'none'."""
    hits = tuple(
        tuple(ring_intersects_city(ring, city=city) for ring in area.rings)
        for area in message.areas
    )
    texts = [message.headline, message.description, *(a.area_desc for a in message.areas)]
    # The texts are joined by a list separator so that no name spans two of them.
    places = named_places(" ; ".join(x for x in texts if x), city=city)
    if any(any(area) for area in hits):
        # The places named in the text first, then the kecamatan under the rings.
        under = [
            name
            for area, area_hits in zip(message.areas, hits, strict=True)
            for ring, hit in zip(area.rings, area_hits, strict=True)
            if hit
            for name in kecamatan_under(ring, city=city)
        ]
        places = tuple(dict.fromkeys([*places, *under]))
        return Judgement(True, TOUCH_POLYGON, places, hits)
    if places:
        return Judgement(True, TOUCH_NAME, places, hits)
    return Judgement(False, TOUCH_NONE, places, hits)


def import_cap(
    engine: Engine,
    body: bytes,
    *,
    source: str,
    now: datetime | None = None,
    city: City | None = None,
) -> Imported:
    """Read, judge and store one CAP document in one transaction; idempotent on identifier.

    The same document again changes nothing (created=False); another document under a stored
    identifier is refused. An Update or Cancel supersedes the stored alerts it references, and
    an alert arriving after the Update that references it is superseded at once.
    """
    now = naive_utc(now) if now else utc_now()
    message = parse_cap(body, source=source)
    return _import_message(engine, message, body, source=source, now=now, city=city)


def import_source(
    engine: Engine,
    location: str | Path,
    *,
    now: datetime | None = None,
    city: City | None = None,
) -> SourceResult:
    """Import a CAP file or URL, or every CAP an RSS/Atom index links to.

    A single CAP that is refused raises CapRejected; in an index each linked CAP is its own
    transaction, and one that is refused or cannot be fetched is listed in `refused` while the
    others are stored. A URL source's fetch is recorded in cap_fetches (the screens' "diambil
    HH:MM"), failed or not; CapUnreachable when the source itself cannot be fetched.
    """
    now = naive_utc(now) if now else utc_now()
    location = str(location)
    if not _is_url(location):
        return _import_location(engine, location, now=now, city=city)
    try:
        result = _import_location(engine, location, now=now, city=city)
    except DispatchError as error:
        _record_fetch(engine, location, now=now, error=str(error), seen=None)
        raise
    _record_fetch(engine, location, now=now, error=_fetch_error(result), seen=len(result.imported))
    return result


def poll(engine: Engine, url: str, *, now: datetime | None = None) -> int:
    """One tick of the background poller: import from `url`; returns how many were stored.

    A refused or unreachable source is recorded (import_source) and the stored alerts stay.
    """
    try:
        return import_source(engine, url, now=now).stored
    except DispatchError as error:
        log.warning("CAP poll of %s failed: %s", url, error)
        return 0


def result_lines(result: SourceResult) -> list[str]:
    """What `import-cap` prints: one line per document, then the totals."""
    lines: list[str] = []
    for item in result.imported:
        if not item.created:
            lines.append(labels.CAP_IMPORT_ALREADY.format(identifier=item.identifier))
            continue
        touch = labels.CAP_IMPORT_TOUCH[item.touch_reason].format(
            places=", ".join(item.matched_places)
        )
        lines.append(
            labels.CAP_IMPORT_STORED.format(
                identifier=item.identifier, msg_type=item.msg_type, event=item.event, touch=touch
            )
        )
        if item.supersedes:
            lines.append(
                labels.CAP_IMPORT_SUPERSEDES.format(identifiers=", ".join(item.supersedes))
            )
        if item.unknown_references:
            lines.append(
                labels.CAP_IMPORT_UNKNOWN_REFS.format(
                    identifiers=", ".join(item.unknown_references)
                )
            )
    for refused in result.refused:
        lines.append(
            labels.CAP_IMPORT_REFUSED.format(location=refused.location, message=refused.message)
        )
    lines.append(
        labels.CAP_IMPORT_SUMMARY.format(
            stored=result.stored, already=result.already, refused=len(result.refused)
        )
    )
    return lines


def _active_alert(row, rings: list[list[list[float]]]) -> ActiveAlert:
    return from_row(
        ActiveAlert, row, matched_places=_split_places(row.matched_places), rings=tuple(rings)
    )


class _PlusHours(FunctionElement):
    """A naive-UTC timestamp column plus a whole number of hours, on SQLite and PostgreSQL."""

    type = DateTime()
    inherit_cache = True


@compiles(_PlusHours, "sqlite")
def _plus_hours_sqlite(element, compiler, **kw):
    stamp, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    # datetime() writes 'YYYY-MM-DD HH:MM:SS', which sorts with the stored text at the second.
    return f"datetime({stamp}, '+' || {hours} || ' hours')"


@compiles(_PlusHours, "postgresql")
def _plus_hours_pg(element, compiler, **kw):
    stamp, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({stamp} + make_interval(hours => {hours}))"


def _import_location(
    engine: Engine, location: str, *, now: datetime, city: City | None
) -> SourceResult:
    body = _read(location)
    root = _xml_root(body, source=location)
    if root.tag == _cap("alert"):
        message = _message(root)
        imported = _import_message(engine, message, body, source=location, now=now, city=city)
        return SourceResult(location, (imported,), (), is_index=False)
    links = _index_links(root, source=location)
    imported: list[Imported] = []
    refused: list[ItemRefused] = []
    for link in links:
        try:
            item = _read(link)
            message = parse_cap(item, source=link)
            imported.append(_import_message(engine, message, item, source=link, now=now, city=city))
        except DispatchError as error:
            refused.append(ItemRefused(link, str(error)))
    return SourceResult(location, tuple(imported), tuple(refused), is_index=True)


def _import_message(
    engine: Engine,
    message: CapMessage,
    body: bytes,
    *,
    source: str,
    now: datetime,
    city: City | None,
) -> Imported:
    city = city or current_city(engine)
    judgement = judge(message, city=city)
    digest = hashlib.sha256(body).hexdigest()
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with engine.begin() as conn:
                return _store(conn, message, judgement, digest, source=source, now=now)
        except IntegrityError:
            # Another worker stored this identifier meanwhile: read again (same or conflict).
            if attempt == WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _store(
    conn: Connection,
    m: CapMessage,
    judgement: Judgement,
    digest: str,
    *,
    source: str,
    now: datetime,
) -> Imported:
    a = t.cap_alerts.c
    stored = conn.execute(
        select(a.body_sha256, a.touch_reason, a.matched_places).where(a.identifier == m.identifier)
    ).first()
    if stored is not None:
        if stored.body_sha256 != digest:
            raise CapRejected(labels.ERR_CAP_CONFLICT.format(identifier=_shown(m.identifier)))
        return _imported(
            m,
            created=False,
            touch_reason=stored.touch_reason,
            matched_places=_split_places(stored.matched_places),
        )
    alert_id = conn.execute(
        insert(t.cap_alerts).values(
            identifier=m.identifier,
            sender=m.sender,
            sent_utc=m.sent_utc,
            msg_type=m.msg_type,
            status=m.status,
            references=m.references,
            event=m.event,
            urgency=m.urgency,
            severity=m.severity,
            certainty=m.certainty,
            effective_utc=m.effective_utc,
            onset_utc=m.onset_utc,
            expires_utc=m.expires_utc,
            headline=m.headline,
            description=m.description,
            area_desc=m.area_desc,
            web=m.web,
            touches_city=judgement.touches_city,
            touch_reason=judgement.touch_reason,
            matched_places=", ".join(judgement.matched_places) or None,
            source=source[:SOURCE_MAX],
            received_at_utc=now,
            body_sha256=digest,
        )
    ).inserted_primary_key[0]
    rings = [
        {
            "alert_id": alert_id,
            "area_index": area_index,
            "ring_index": ring_index,
            "area_desc": area.area_desc,
            "ring_geojson": json.dumps(ring),
            "intersects_city": judgement.ring_hits[area_index][ring_index],
        }
        for area_index, area in enumerate(m.areas)
        for ring_index, ring in enumerate(area.rings)
    ]
    if rings:
        conn.execute(insert(t.cap_alert_areas), rings)
    supersedes, unknown = _supersede_referenced(conn, m)
    _superseded_already(conn, m, alert_id)
    return _imported(
        m,
        created=True,
        touch_reason=judgement.touch_reason,
        matched_places=judgement.matched_places,
        supersedes=supersedes,
        unknown_references=unknown,
    )


def _imported(m: CapMessage, **outcome: object) -> Imported:
    """What came of storing `m`: its identity and the `outcome` fields of Imported."""
    return Imported(m.identifier, m.msg_type, m.event, **outcome)


def _supersede_referenced(
    conn: Connection, m: CapMessage
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An Update or Cancel ends the alerts it references, at its own sent time."""
    if m.msg_type == MSG_ALERT:
        return (), ()
    a = t.cap_alerts.c
    supersedes: list[str] = []
    unknown: list[str] = []
    for ref in m.referenced:
        target = conn.execute(
            select(a.id, a.superseded_by).where(
                a.identifier == ref.identifier, a.sender == ref.sender
            )
        ).first()
        if target is None:
            unknown.append(ref.identifier)
            continue
        if target.superseded_by is None:
            conn.execute(
                update(t.cap_alerts)
                .where(a.id == target.id)
                .values(superseded_by=m.identifier, superseded_at_utc=m.sent_utc)
            )
            supersedes.append(ref.identifier)
    return tuple(supersedes), tuple(unknown)


def _superseded_already(conn: Connection, m: CapMessage, alert_id: int) -> None:
    """An alert that arrives after an Update or Cancel referencing it is superseded at once."""
    a = t.cap_alerts.c
    later = conn.execute(
        select(a.identifier, a.sent_utc, a.references)
        .where(
            a.id != alert_id,
            a.msg_type.in_((MSG_UPDATE, MSG_CANCEL)),
            a.references.contains(m.identifier, autoescape=True),
        )
        .order_by(a.sent_utc, a.identifier)
    ).all()
    for row in later:
        refs = parse_references(row.references)
        if any(r.identifier == m.identifier and r.sender == m.sender for r in refs):
            conn.execute(
                update(t.cap_alerts)
                .where(a.id == alert_id)
                .values(superseded_by=row.identifier, superseded_at_utc=row.sent_utc)
            )
            return


def _record_fetch(
    engine: Engine, source: str, *, now: datetime, error: str | None, seen: int | None
) -> None:
    """Upsert the source's cap_fetches row; a failed fetch keeps the last success and count."""
    source = source[:SOURCE_MAX]
    error = error[:ERROR_MAX] if error else None
    f = t.cap_fetches.c
    changes: dict = {"last_attempt_utc": now, "last_error": error}
    if seen is not None:
        changes |= {"last_success_utc": now, "alerts_seen": seen}
    with engine.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(t.cap_fetches).values(
            source=source,
            last_attempt_utc=now,
            last_success_utc=changes.get("last_success_utc"),
            last_error=error,
            alerts_seen=seen or 0,
        )
        conn.execute(stmt.on_conflict_do_update(index_elements=[f.source], set_=changes))


def _fetch_error(result: SourceResult) -> str | None:
    if not result.refused:
        return None
    return labels.CAP_FETCH_ITEMS_REFUSED.format(
        refused=len(result.refused),
        total=len(result.refused) + len(result.imported),
        first=result.refused[0].message,
    )


def _read(location: str) -> bytes:
    """The bytes of a local file or an http(s) URL, at most MAX_DOCUMENT_BYTES."""
    if _is_url(location):
        return _fetch(location)
    if urlsplit(location).scheme:
        raise CapRejected(labels.ERR_CAP_SCHEME.format(source=_shown(location)))
    path = Path(location)
    if not path.is_file():
        raise CapRejected(labels.ERR_CAP_FILE_MISSING.format(source=_shown(location)))
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise CapRejected(_too_large(location))
    with path.open("rb") as file:
        body = file.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise CapRejected(_too_large(location))
    return body


def _fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=FETCH_TIMEOUT_S) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > MAX_DOCUMENT_BYTES:
                raise CapRejected(_too_large(url))
            body = response.read(MAX_DOCUMENT_BYTES + 1)
    except DispatchError:
        # Too large, or a redirect away from http(s): a refusal, not a network failure.
        raise
    except urllib.error.HTTPError as error:
        raise _unreachable(url, labels.CAP_FETCH_REASON_HTTP.format(status=error.code)) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise _unreachable(url, _timeout_reason()) from None
        raise _unreachable(url, labels.CAP_FETCH_REASON_NETWORK) from None
    except TimeoutError:
        raise _unreachable(url, _timeout_reason()) from None
    except (OSError, http.client.HTTPException, ValueError):
        raise _unreachable(url, labels.CAP_FETCH_REASON_NETWORK) from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise CapRejected(_too_large(url))
    return body


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to http(s): urllib alone would also follow one to ftp://."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0917 - urllib's
        if not _is_url(newurl):
            raise CapRejected(labels.ERR_CAP_SCHEME.format(source=_shown(newurl)))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects())


def _unreachable(url: str, reason: str) -> CapUnreachable:
    return CapUnreachable(labels.ERR_CAP_UNREACHABLE.format(source=_shown(url), reason=reason))


def _timeout_reason() -> str:
    return labels.CAP_FETCH_REASON_TIMEOUT.format(timeout_s=FETCH_TIMEOUT_S)


def _too_large(source: str) -> str:
    return labels.ERR_CAP_TOO_LARGE.format(
        source=_shown(source), limit_mib=MAX_DOCUMENT_BYTES // (1024 * 1024)
    )


def _is_url(location: str) -> bool:
    return urlsplit(location).scheme.lower() in URL_SCHEMES


def _xml_root(body: bytes, *, source: str) -> ElementTree.Element:
    """Parse with defusedxml: entity declarations and external references are refused."""
    if len(body) > MAX_DOCUMENT_BYTES:
        raise CapRejected(_too_large(source))
    shown = _shown(source)
    try:
        return DefusedET.fromstring(body)
    except EntitiesForbidden:
        raise CapRejected(labels.ERR_CAP_ENTITIES.format(source=shown)) from None
    except (ExternalReferenceForbidden, DTDForbidden):
        raise CapRejected(labels.ERR_CAP_EXTERNAL.format(source=shown)) from None
    except ElementTree.ParseError as error:
        line, column = error.position
        msg = labels.ERR_CAP_MALFORMED.format(source=shown, line=line, column=column)
        raise CapRejected(msg) from None


def _message(root: ElementTree.Element) -> CapMessage:
    identifier = _element_text(root, "identifier")
    name = _shown(identifier) if identifier else labels.CAP_UNNAMED
    required = _Required(name)
    identifier = required.text(root, "identifier", limit=IDENTIFIER_MAX)
    sender = required.text(root, "sender", limit=SENDER_MAX)
    for element, value in (("identifier", identifier), ("sender", sender)):
        # <references> is "sender,identifier,sent" separated by spaces: CAP forbids both in them.
        if any(c.isspace() or c == "," for c in value):
            msg = labels.ERR_CAP_BAD_ID.format(identifier=name, element=element)
            raise CapRejected(msg)
    sent_utc = required.time(root, "sent")
    status = required.choice(root, "status", CAP_STATUSES)
    msg_type = required.text(root, "msgType")
    if msg_type not in MSG_TYPES:
        msg = labels.ERR_CAP_MSG_TYPE.format(identifier=name, value=_shown(msg_type))
        raise CapRejected(msg)
    references = _element_text(root, "references")
    if msg_type != MSG_ALERT and not references:
        msg = labels.ERR_CAP_NO_REFERENCES.format(identifier=name, msg_type=msg_type)
        raise CapRejected(msg)
    parse_references(references, identifier=name)
    info = _chosen_info(root)
    if info is None:
        raise CapRejected(labels.ERR_CAP_MISSING.format(identifier=name, element="info"))
    areas = tuple(_area(area, index, name) for index, area in enumerate(info.findall(_cap("area"))))
    if msg_type != MSG_CANCEL and not any(area.rings for area in areas):
        raise CapRejected(labels.ERR_CAP_NO_POLYGON.format(identifier=name))
    return CapMessage(
        identifier=identifier,
        sender=sender,
        sent_utc=sent_utc,
        status=status,
        msg_type=msg_type,
        references=references,
        event=required.text(info, "event", limit=EVENT_MAX),
        urgency=required.choice(info, "urgency", CAP_URGENCIES),
        severity=required.choice(info, "severity", CAP_SEVERITIES),
        certainty=required.choice(info, "certainty", CAP_CERTAINTIES),
        effective_utc=required.time(info, "effective", optional=True),
        onset_utc=required.time(info, "onset", optional=True),
        expires_utc=required.time(info, "expires", optional=True),
        headline=required.text(info, "headline", limit=HEADLINE_MAX, optional=True),
        description=_element_text(info, "description"),
        web=required.text(info, "web", limit=WEB_MAX, optional=True),
        areas=areas,
    )


@dataclass(frozen=True)
class _Required:
    """Reads the elements of one alert, refusing with the alert's identifier in the message."""

    name: str

    def text(
        self, parent: ElementTree.Element, element: str, *, limit: int = 0, optional: bool = False
    ) -> str | None:
        value = _element_text(parent, element)
        if value is None:
            if optional:
                return None
            raise CapRejected(labels.ERR_CAP_MISSING.format(identifier=self.name, element=element))
        if limit and len(value) > limit:
            msg = labels.ERR_CAP_TOO_LONG.format(identifier=self.name, element=element, limit=limit)
            raise CapRejected(msg)
        return value

    def choice(self, parent: ElementTree.Element, element: str, allowed: tuple[str, ...]) -> str:
        value = self.text(parent, element)
        if value not in allowed:
            msg = labels.ERR_CAP_BAD_VALUE.format(
                identifier=self.name,
                element=element,
                value=_shown(value),
                allowed=", ".join(allowed),
            )
            raise CapRejected(msg)
        return value

    def time(
        self, parent: ElementTree.Element, element: str, *, optional: bool = False
    ) -> datetime | None:
        value = self.text(parent, element, optional=optional)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        # CAP times always carry their offset; a time without one could be any zone.
        if moment is None or moment.tzinfo is None or "T" not in value:
            msg = labels.ERR_CAP_BAD_TIME.format(
                identifier=self.name, element=element, value=_shown(value)
            )
            raise CapRejected(msg)
        return naive_utc(moment)


def _chosen_info(root: ElementTree.Element) -> ElementTree.Element | None:
    """The Indonesian <info> when there are several languages, else the first."""
    infos = root.findall(_cap("info"))
    for info in infos:
        if (_element_text(info, "language") or "").lower().startswith("id"):
            return info
    return infos[0] if infos else None


def _area(area: ElementTree.Element, index: int, name: str) -> CapArea:
    rings = []
    for polygon_index, polygon in enumerate(area.findall(_cap("polygon"))):
        try:
            rings.append(parse_polygon(polygon.text or ""))
        except PolygonRefused as error:
            msg = labels.ERR_CAP_BAD_POLYGON.format(
                identifier=name, area=index + 1, polygon=polygon_index + 1, reason=error
            )
            raise CapRejected(msg) from None
    return CapArea(area_desc=_element_text(area, "areaDesc"), rings=tuple(rings))


def _index_links(root: ElementTree.Element, *, source: str) -> list[str]:
    """The CAP links of an RSS 2.0 or Atom index, resolved against the index's location."""
    if root.tag == "rss":
        links = [(item.findtext("link") or "").strip() for item in root.iterfind("channel/item")]
    elif root.tag == _ATOM + "feed":
        links = [_atom_link(entry) for entry in root.iterfind(_ATOM + "entry")]
    else:
        msg = labels.ERR_CAP_NOT_CAP_OR_INDEX.format(source=_shown(source), tag=_tag(root))
        raise CapRejected(msg)
    if len(links) > MAX_INDEX_ITEMS:
        msg = labels.ERR_CAP_INDEX_TOO_MANY.format(
            source=_shown(source), count=len(links), limit=MAX_INDEX_ITEMS
        )
        raise CapRejected(msg)
    return list(dict.fromkeys(_resolved(link, source) for link in links if link))


def _atom_link(entry: ElementTree.Element) -> str:
    links = [link for link in entry.iterfind(_ATOM + "link") if link.get("href")]
    for link in links:
        if link.get("rel", "alternate") == "alternate":
            return link.get("href", "").strip()
    return links[0].get("href", "").strip() if links else ""


def _resolved(link: str, base: str) -> str:
    """A link as it is to be read: relative to a URL index's URL, or to a file index's folder."""
    if _is_url(base):
        return urljoin(base, link)
    if urlsplit(link).scheme:
        return link
    return str(Path(base).parent / link)


def _cap(name: str) -> str:
    return f"{{{CAP_NS}}}{name}"


def _element_text(parent: ElementTree.Element, name: str) -> str | None:
    element = parent.find(_cap(name))
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _tag(element: ElementTree.Element) -> str:
    return _shown(element.tag.rsplit("}", 1)[-1])


def _shown(text: str) -> str:
    # A message quotes what was received, cut short: a document may contain anything.
    text = " ".join(str(text).split())
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX] + "…"


def _split_places(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())
