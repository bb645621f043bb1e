"""Read models of Penugasan and Cari laporan: an OPD's queue, the board, search, one incident."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from dashboard import alerts, catalogue, labels
from dashboard import tables as t
from dashboard.db import from_row
from dashboard.domain import (
    ADMIN,
    BARU,
    CALL_TAKER,
    CLOSED_STATUSES,
    DITERIMA,
    DITERUSKAN,
    OPD_ADMIN,
    OPEN_STATUSES,
    SELESAI,
    STATUSES,
    SUPERVISOR,
    TRANSITIONS,
    WALL,
    Actor,
    Targets,
    can,
    clean_text,
    code_prefix_days,
    format_wib,
    is_full_code,
    mask_phone,
    naive_utc,
    normalise_phone,
    py_datetime,
    row_overdue_reason,
    wib_days_utc,
    wib_today,
)
from dashboard.errors import InvalidInput, NotFound, PermissionDenied
from dashboard.places import PLACE_FIELDS, place_text
from dashboard.queries import INCIDENT_COLUMNS, incident_detail

# Who sees which queue: an OPD admin only their OPD's incidents; the others the whole board.
BOARD_ROLES = frozenset({SUPERVISOR, ADMIN, CALL_TAKER})
# Statuses a supervisor may set from the board (forwarding needs an OPD: that is reassign).
BOARD_TARGETS = ("DITERIMA", "DITANGANI", "SELESAI", "DIBATALKAN")
# A queue row reads the incidents frame's columns (in its order) but the point, the flood zone
# names, the later timestamps and the escalation level.
_NOT_IN_QUEUE = frozenset(
    {
        "lat",
        "lon",
        "flood_zone_names",
        "handling_at_utc",
        "resolved_at_utc",
        "cancelled_at_utc",
        "cancel_reason",
        "escalation_level",
    }
)
QUEUE_COLUMNS = tuple(name for name in INCIDENT_COLUMNS if name not in _NOT_IN_QUEUE)


@dataclass(frozen=True)
class QueueRow:
    """One open incident as a queue shows it; `version` is what an action must pass back."""

    id: int
    code: str
    received_at_utc: datetime
    category_code: str
    category_name: str
    priority: int
    kondisi: str
    address: str
    kelurahan: str | None
    kecamatan: str | None
    in_flood_zone: bool
    phone_masked: str
    status: str
    opd_code: str | None
    opd_name: str | None
    reassign_count: int
    updated_at_utc: datetime
    updated_by: str
    version: int
    overdue: str | None
    overdue_s: float
    age_s: float
    in_city: bool = True
    at_sea: bool = False
    nearest_kelurahan: str | None = None
    distance_to_city_m: float | None = None


@dataclass(frozen=True)
class IncidentView:
    """One incident for the detail panel: fields, the timeline, and what the viewer may do."""

    incident: dict
    phone: str
    timeline: pd.DataFrame
    allowed_actions: tuple[str, ...]
    # Who was alerted about it, when, and how each alert ended (dashboard/alerts.py).
    alerts: pd.DataFrame | None = None


def open_queue(
    engine: Engine,
    actor: Actor,
    *,
    now_utc: datetime,
    opds: tuple[str, ...] = (),
    overdue_only: bool = False,
) -> list[QueueRow]:
    """The open incidents this actor works on, most urgent first.

    An OPD admin gets only their own OPD's incidents (the filter is in the query itself, so no
    page can widen it); the supervisor, call-takers and admins get the whole board, optionally
    narrowed to some OPDs. Order: priority, then how long past its target, then oldest first.
    """
    now = naive_utc(now_utc)
    conditions = [t.incidents.c.status.in_(OPEN_STATUSES)]
    if actor.role == OPD_ADMIN:
        if not actor.opd_code:
            raise PermissionDenied(labels.ERR_WRONG_OPD)
        conditions.append(t.incidents.c.opd_code == actor.opd_code)
    elif actor.role not in BOARD_ROLES:
        raise PermissionDenied(labels.ERR_PERMISSION.format(action="penugasan"))
    elif opds:
        conditions.append(t.incidents.c.opd_code.in_(opds))
    with engine.connect() as conn:
        targets = catalogue.ops_settings(conn).targets
        rows = conn.execute(_incident_select().where(and_(*conditions))).all()
    queue = [_queue_row(r, now=now, targets=targets) for r in rows]
    if overdue_only:
        queue = [q for q in queue if q.overdue]
    return sorted(queue, key=lambda q: (q.priority, -q.overdue_s, q.received_at_utc, q.id))


def queue_frame(rows: list[QueueRow]) -> pd.DataFrame:
    """The queue as a table with Indonesian headings and WIB times (no raw phone numbers)."""
    records = [
        {
            **_row_start(r),
            labels.COL_STATUS: labels.STATUS.get(r.status, r.status),
            labels.COL_OPD: r.opd_name or "-",
            labels.COL_PLACE: _place_text(r),
            labels.COL_OVERDUE: r.overdue or "",
            labels.COL_PHONE: r.phone_masked,
            labels.COL_REASSIGNED: r.reassign_count,
        }
        for r in rows
    ]
    return pd.DataFrame(records, columns=list(labels.QUEUE_HEADINGS))


def incident_view(engine: Engine, actor: Actor, incident_id: int) -> IncidentView:
    """One incident with its full timeline; the phone is unmasked only for roles with see_phone.

    An OPD admin may open only their own OPD's incidents.
    """
    if actor.role == WALL:
        raise PermissionDenied(labels.ERR_PERMISSION.format(action=labels.ACTION_INCIDENT_DETAIL))
    incident, events = incident_detail(engine, incident_id)
    if incident is None:
        raise NotFound(labels.ERR_NOT_FOUND)
    if actor.role == OPD_ADMIN and incident["opd_code"] != actor.opd_code:
        raise PermissionDenied(labels.ERR_WRONG_OPD)
    raw_phone = incident.pop("caller_phone")
    with engine.connect() as conn:
        opd_names = catalogue.opd_names(conn)
    return IncidentView(
        incident=incident,
        phone=raw_phone if can(actor, "see_phone") else mask_phone(raw_phone),
        timeline=timeline_frame(events, opd_names=opd_names),
        allowed_actions=allowed_actions(actor, incident),
        alerts=alerts.alert_log_frame(engine, incident_id),
    )


def timeline_frame(events: pd.DataFrame, *, opd_names: dict[str, str]) -> pd.DataFrame:
    """The event log as the detail shows it: WIB time, who, what, status and OPD moves, reason."""
    records = []
    for e in events.itertuples():
        records.append(
            {
                labels.COL_TIME: format_wib(py_datetime(e.at_utc)),
                labels.COL_ACTOR: e.actor,
                labels.COL_ACTION: labels.ACTION.get(e.action, e.action),
                labels.COL_STATUS_MOVE: _move(
                    labels.STATUS.get(_text(e.from_status) or "", _text(e.from_status)),
                    labels.STATUS.get(_text(e.to_status) or "", _text(e.to_status)),
                ),
                labels.COL_OPD_MOVE: _move(
                    opd_names.get(_text(e.from_opd) or "", _text(e.from_opd)),
                    opd_names.get(_text(e.to_opd) or "", _text(e.to_opd)),
                ),
                labels.COL_REASON: _reason_text(e, opd_names),
            }
        )
    return pd.DataFrame(records, columns=list(labels.TIMELINE_HEADINGS))


def allowed_actions(actor: Actor, incident: dict) -> tuple[str, ...]:
    """The buttons this actor should see on this incident (the services check again)."""
    status = incident["status"]
    if status in CLOSED_STATUSES:
        return ("reopen",) if can(actor, "reopen") else ()
    if status not in OPEN_STATUSES:
        return ()
    actions: list[str] = []
    # The OPD's own steps are one click; a supervisor acting for an OPD gives a reason instead.
    own = actor.role == OPD_ADMIN and incident.get("opd_code") == actor.opd_code
    if status == BARU and can(actor, "forward"):
        actions.append("forward")
    if own and status == DITERUSKAN:
        actions.append("acknowledge")
    if own and status == DITERIMA:
        actions.append("handle")
    if own and SELESAI in TRANSITIONS[status]:
        actions.append("resolve")
    if status != BARU and can(actor, "reassign"):
        actions.append("reassign")
    if actor.role == SUPERVISOR and status_choices(status):
        actions.append("change_status")
    elif can(actor, "cancel"):
        actions.append("cancel")
    return tuple(actions)


def opd_choices(engine: Engine) -> dict[str, str]:
    """Active OPDs (code -> short name) for the forward and reassign pickers."""
    with engine.connect() as conn:
        return catalogue.opd_names(conn)


def row_label(row: QueueRow) -> str:
    """How an incident reads in the picker: code, priority, category, status, OPD, lateness."""
    parts = [
        row.code,
        f"P{row.priority}",
        row.category_name,
        labels.STATUS.get(row.status, row.status),
        row.opd_name or "-",
    ]
    if row.overdue:
        parts.append(labels.OVERDUE_MARK.format(reason=row.overdue))
    return " · ".join(parts)


def status_choices(status: str) -> tuple[str, ...]:
    """Statuses the board may move an incident to from `status`."""
    return tuple(s for s in BOARD_TARGETS if s in TRANSITIONS.get(status, frozenset()))


# --- Cari laporan: any incident, open or closed ----------------------------------------------

# Who may search: the board's roles (the page is not shown to OPD admins, leadership, the wall).
SEARCH_ROLES = BOARD_ROLES
SEARCH_LIMIT_MAX = 200
SEARCH_DEFAULT_DAYS = 7
# Status filter codes besides the statuses themselves ("" or None: every status).
STATUS_GROUPS: dict[str, tuple[str, ...]] = {"OPEN": OPEN_STATUSES, "CLOSED": CLOSED_STATUSES}


@dataclass(frozen=True)
class FoundRow:
    """One incident in the search results; `phone` is masked for roles without see_phone."""

    id: int
    code: str
    received_at_utc: datetime
    category_name: str
    priority: int
    status: str
    cancel_reason: str | None
    opd_name: str | None
    kelurahan: str | None
    kecamatan: str | None
    place: str | None  # "Panjang Wetan" in the city, "Laut, 1,2 km dari Panjang Wetan" at sea
    address: str
    phone: str
    phone_masked: str
    closed_at_utc: datetime | None
    version: int


@dataclass(frozen=True)
class SearchResult:
    """The newest matches (at most `limit`), what `text` was read as, and whether more matched."""

    rows: list[FoundRow]
    matched_by: str  # "code", "phone", "kelurahan" or "all"
    phone: str | None  # the normalised number searched for, when matched_by == "phone"
    more: bool


def search_incidents(
    engine: Engine,
    actor: Actor,
    *,
    text: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
    limit: int = 50,
) -> SearchResult:
    """Incidents open or closed, newest first, found by code, caller phone or kelurahan.

    `text` is read, in this order, as a public code or its start (112-20261201: the code
    carries its WIB day, so that day is searched and date_from/date_to are not applied), as a
    phone number when it parses as one (the normalised number, exact; only for roles that may
    see phones), else as the start of a kelurahan name in any case. Dates are WIB days,
    inclusive. Each query has an index to run on: the code's own or ix_incidents_received for
    its day, ix_incidents_phone_received, and ix_incidents_received for the date range.
    """
    if actor.role not in SEARCH_ROLES:
        raise PermissionDenied(labels.ERR_PERMISSION.format(action=labels.ACTION_FIND))
    c = t.incidents.c
    text = clean_text(text, field=labels.FIELD_FIND_TEXT_NAME, limit=100, required=False)
    conditions = _status_filter(status)
    matched_by, phone, days = "all", None, (date_from, date_to)
    code_days = code_prefix_days(text) if text else None
    if code_days is not None:
        matched_by, days = "code", code_days
        is_code = c.code == text if is_full_code(text) else c.code.startswith(text, autoescape=True)
        conditions.append(is_code)
    elif text and (phone := _as_phone(text)) is not None:
        if not can(actor, "see_phone"):
            raise PermissionDenied(labels.ERR_SEARCH_PHONE)
        matched_by = "phone"
        conditions.append(c.caller_phone == phone)
    elif text:
        matched_by = "kelurahan"
        conditions.append(func.lower(c.kelurahan).startswith(text.lower(), autoescape=True))
    start, end = wib_days_utc(*days)
    if start is not None:
        conditions.append(c.received_at_utc >= start)
    if end is not None:
        conditions.append(c.received_at_utc < end)
    limit = max(1, min(int(limit), SEARCH_LIMIT_MAX))
    query = (
        select(*[c[name] for name in _FOUND_COLUMNS], *t.incident_names())
        .select_from(t.with_names())
        .where(*conditions)
        .order_by(c.received_at_utc.desc(), c.id.desc())
        .limit(limit + 1)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    show_phone = can(actor, "see_phone")
    found = [_found_row(r, show_phone=show_phone) for r in rows[:limit]]
    return SearchResult(found, matched_by, phone, more=len(rows) > limit)


def search_frame(rows: list[FoundRow]) -> pd.DataFrame:
    """Search results as a table: Indonesian headings, WIB times, masked phones (a shared list)."""
    records = [
        {
            **_row_start(r),
            labels.COL_STATUS: _status_text(r),
            labels.COL_OPD: r.opd_name or "-",
            labels.COL_KELURAHAN: r.place or "-",
            labels.COL_ADDRESS: r.address,
            labels.COL_PHONE: r.phone_masked,
            labels.COL_CLOSED: format_wib(r.closed_at_utc) if r.closed_at_utc else "",
        }
        for r in rows
    ]
    return pd.DataFrame(records, columns=list(labels.FIND_HEADINGS))


def found_label(row: FoundRow) -> str:
    """How a search result reads in the picker: code, status, category, place, day."""
    return " · ".join(
        (
            row.code,
            _status_text(row),
            row.category_name,
            row.place or "-",
            format_wib(row.received_at_utc),
        )
    )


def default_search_days(now_utc: datetime) -> tuple[date, date]:
    """The last SEARCH_DEFAULT_DAYS WIB days, today included."""
    today = wib_today(now_utc)
    return today - timedelta(days=SEARCH_DEFAULT_DAYS - 1), today


# --- private helpers -------------------------------------------------------------------------


# --- Penugasan: what changed under the person who has an incident open -------------------------


@dataclass(frozen=True)
class Change:
    """One change someone else made to an incident (from the event log)."""

    event_id: int
    at_utc: datetime
    actor: str
    action: str
    to_status: str | None
    to_opd_name: str | None
    reason: str | None


@dataclass(frozen=True)
class IncidentNow:
    """An open panel's incident as it is now, and what others changed since the panel saw it.

    `still_yours` is False once an OPD admin's incident belongs to another OPD: the panel then
    says so in place instead of disappearing (and keeps the person's unsaved text).
    """

    incident_id: int
    code: str
    status: str
    opd_code: str | None
    opd_name: str | None
    version: int
    last_event_id: int
    still_yours: bool
    changes: tuple[Change, ...]


def incident_now(
    engine: Engine, actor: Actor, incident_id: int, *, after_event_id: int = 0
) -> IncidentNow:
    """The incident's current state and the changes by others logged after `after_event_id`.

    An OPD admin may ask about an incident that is or was their OPD's (to learn it was moved
    away from them, by whom and when); anyone else on the board about any incident.
    """
    if actor.role == WALL:
        raise PermissionDenied(labels.ERR_PERMISSION.format(action=labels.ACTION_INCIDENT_DETAIL))
    i, e = t.incidents.c, t.incident_events.c
    with engine.connect() as conn:
        row = conn.execute(
            select(i.id, i.code, i.status, i.opd_code, i.version).where(i.id == incident_id)
        ).first()
        if row is None:
            raise NotFound(labels.ERR_NOT_FOUND)
        events = conn.execute(
            select(e.id, e.at_utc, e.actor, e.action, e.to_status, e.to_opd, e.from_opd, e.reason)
            .where(e.incident_id == incident_id)
            .order_by(e.id)
        ).all()
        opd_names = catalogue.opd_names(conn)
    if actor.role == OPD_ADMIN:
        ever_ours = row.opd_code == actor.opd_code or any(
            actor.opd_code in (ev.from_opd, ev.to_opd) for ev in events
        )
        if not ever_ours:
            raise PermissionDenied(labels.ERR_WRONG_OPD)
    changes = tuple(
        from_row(Change, ev, event_id=ev.id, to_opd_name=opd_names.get(ev.to_opd or "", ev.to_opd))
        for ev in events
        if ev.id > after_event_id and ev.actor != actor.username
    )
    return from_row(
        IncidentNow,
        row,
        incident_id=row.id,
        opd_name=opd_names.get(row.opd_code or "", row.opd_code),
        last_event_id=events[-1].id if events else 0,
        still_yours=actor.role != OPD_ADMIN or row.opd_code == actor.opd_code,
        changes=changes,
    )


def change_text(change: Change) -> str:
    """One line of an in-place notice: "Dialihkan ke BPBD oleh spv.eka pukul 14:52"."""
    if change.action == "REASSIGN":
        what = labels.CHANGE_REASSIGNED.format(opd=change.to_opd_name or "-")
    else:
        what = labels.ACTION.get(change.action, change.action)
    return labels.CHANGE_BY.format(
        what=what, actor=change.actor, at=format_wib(change.at_utc, with_date=False)[:5]
    )


def _row_start(r: QueueRow | FoundRow) -> dict[str, object]:
    """The columns every incident list starts with: code, call time (WIB), priority, category."""
    return {
        labels.COL_CODE: r.code,
        labels.COL_RECEIVED: format_wib(r.received_at_utc),
        labels.COL_PRIORITY: f"P{r.priority}",
        labels.COL_CATEGORY: r.category_name,
    }


def _incident_select():
    c = t.incidents.c
    return select(*[c[name] for name in QUEUE_COLUMNS], *t.incident_names()).select_from(
        t.with_names()
    )


def _queue_row(r, *, now: datetime, targets: Targets) -> QueueRow:
    code = row_overdue_reason(r, now_utc=now, targets=targets)
    reason = labels.OVERDUE.get(code)
    return from_row(
        QueueRow,
        r,
        in_flood_zone=bool(r.in_flood_zone),
        phone_masked=mask_phone(r.caller_phone),
        overdue=reason,
        overdue_s=_overdue_s(r, now=now, targets=targets) if reason else 0.0,
        age_s=(now - r.received_at_utc).total_seconds(),
        in_city=bool(r.in_city),
        at_sea=bool(r.at_sea),
    )


def _overdue_s(r, *, now: datetime, targets: Targets) -> float:
    """Seconds past the target that applies to the incident's current step (the largest)."""
    late = [(now - r.received_at_utc) - timedelta(seconds=targets.resolve_s)]
    if r.status == BARU:
        late.append((now - r.received_at_utc) - timedelta(seconds=targets.forward_s))
    if r.status == DITERUSKAN and r.assigned_at_utc is not None:
        late.append((now - r.assigned_at_utc) - timedelta(seconds=targets.acknowledge_s))
    if r.status == DITERIMA and r.acknowledged_at_utc is not None:
        late.append((now - r.acknowledged_at_utc) - timedelta(seconds=targets.handling_s))
    return max(0.0, *(d.total_seconds() for d in late))


def _place_text(r: QueueRow) -> str:
    parts = [r.address]
    place = place_text(r)
    if place:
        parts.append(place)
    if r.in_flood_zone:
        parts.append(labels.FLOOD_ZONE_SHORT)
    return " · ".join(parts)


def _reason_text(e, opd_names: dict[str, str] | None = None) -> str:
    if e.action == "ESCALATE":
        return _escalation_note(_text(e.details), opd_names or {})
    reason = _text(e.reason) or ""
    if e.action == "CANCEL" and reason in labels.CANCEL_REASON:
        reason = labels.CANCEL_REASON[reason]
    note = _note(_text(e.details))
    return f"{reason} — {note}" if reason and note else reason or note


def _escalation_note(details: str | None, opd_names: dict[str, str]) -> str:
    try:
        parsed = json.loads(details or "")
        return labels.ESCALATE_NOTE.format(
            level=parsed["level"],
            opd=opd_names.get(parsed.get("opd") or "", parsed.get("opd") or "-"),
            waited=alerts.format_wait(parsed["waited_s"]),
            threshold=alerts.format_wait(parsed["threshold_s"]),
        )
    except (ValueError, KeyError, TypeError):
        return ""


def _note(details: str | None) -> str:
    if not details:
        return ""
    try:
        parsed = json.loads(details)
    except ValueError:
        return ""
    if isinstance(parsed, dict) and parsed.get("suggested_opd"):
        return labels.ROUTING_OVERRIDDEN.format(opd=parsed["suggested_opd"])
    return str(parsed.get("note") or "") if isinstance(parsed, dict) else ""


def _move(before: str | None, after: str | None) -> str:
    if before and after and before != after:
        return f"{before} → {after}"
    return after or before or ""


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)


_FOUND_COLUMNS = (
    "id",
    "code",
    "received_at_utc",
    "priority",
    "status",
    "cancel_reason",
    *PLACE_FIELDS,
    "address",
    "caller_phone",
    "resolved_at_utc",
    "cancelled_at_utc",
    "version",
)


def _status_filter(status: str | None) -> list:
    c = t.incidents.c
    if not status:
        return []
    if status in STATUS_GROUPS:
        return [c.status.in_(STATUS_GROUPS[status])]
    if status in STATUSES:
        return [c.status == status]
    raise InvalidInput(labels.ERR_STATUS_FILTER.format(value=str(status)[:20]))


def _as_phone(text: str) -> str | None:
    try:
        return normalise_phone(text)
    except InvalidInput:
        return None


def _found_row(r, *, show_phone: bool) -> FoundRow:
    masked = mask_phone(r.caller_phone)
    return from_row(
        FoundRow,
        r,
        place=place_text(r._asdict(), with_kecamatan=False),
        phone=r.caller_phone if show_phone else masked,
        phone_masked=masked,
        closed_at_utc=r.resolved_at_utc or r.cancelled_at_utc,
    )


def _status_text(row: FoundRow) -> str:
    text = labels.STATUS.get(row.status, row.status)
    if row.cancel_reason:
        return f"{text}: {labels.CANCEL_REASON.get(row.cancel_reason, row.cancel_reason)}"
    return text
