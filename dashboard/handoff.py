"""What a hand-off sets in motion, inside the incident's own transaction.

When an incident reaches an OPD (forwarded, reassigned, reopened back to it) its users' open
pages get an alert, and a message for each of the OPD's active channels (webhook, email) is put
in the outbox. When the OPD acknowledges, its alerts (and any escalation) close; when the
incident is resolved or cancelled, every alert about it closes. The OPD that lost an incident to
a reassignment gets a MOVED_AWAY alert that stays until one of its users has seen it.

Everything here takes the caller's connection: the change, its alerts and its outbound messages
commit together or not at all (the transactional outbox). Delivery is dashboard/delivery.py.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from dashboard import tables as t
from dashboard.domain import OPD_ADMIN, SUPERVISOR, Actor, mask_phone

ASSIGNED, MOVED_AWAY, ESCALATED = "ASSIGNED", "MOVED_AWAY", "ESCALATED"
ALERT_KINDS = (ASSIGNED, MOVED_AWAY, ESCALATED)
# Why an alert closed without a person acknowledging it.
CLOSED_ACKNOWLEDGED, CLOSED_MOVED, CLOSED_FINISHED = "ACKNOWLEDGED", "MOVED", "FINISHED"
# The message format version sent to webhooks (payload["schema"]).
PAYLOAD_SCHEMA = "siaga112.handoff.v1"
PENDING = "PENDING"


def on_assigned(
    conn: Connection,
    incident,
    *,
    event_id: int,
    action: str,
    from_opd: str | None,
    to_opd: str,
    now: datetime,
) -> None:
    """The incident now belongs to `to_opd` (a FORWARD, REASSIGN or REOPEN event)."""
    _close(conn, incident.id, now, CLOSED_MOVED, kinds=(ASSIGNED, ESCALATED))
    _alert(conn, incident.id, ASSIGNED, role=OPD_ADMIN, opd_code=to_opd, event_id=event_id, now=now)
    if from_opd and from_opd != to_opd:
        _alert(
            conn,
            incident.id,
            MOVED_AWAY,
            role=OPD_ADMIN,
            opd_code=from_opd,
            event_id=event_id,
            now=now,
        )
    _enqueue(conn, incident, event_id=event_id, action=action, opd_code=to_opd, now=now)


def on_acknowledged(conn: Connection, incident_id: int, actor: Actor, now: datetime) -> None:
    """The OPD took the incident: its new-incident alert and any escalation are answered."""
    conn.execute(
        update(t.alerts)
        .where(
            t.alerts.c.incident_id == incident_id,
            t.alerts.c.kind.in_((ASSIGNED, ESCALATED)),
            t.alerts.c.closed_at_utc.is_(None),
        )
        .values(
            acknowledged_at_utc=now,
            acknowledged_by=actor.username,
            closed_at_utc=now,
            close_reason=CLOSED_ACKNOWLEDGED,
        )
    )


def on_finished(conn: Connection, incident_id: int, now: datetime) -> None:
    """Resolved or cancelled: nobody needs to act on an alert about it any more."""
    _close(conn, incident_id, now, CLOSED_FINISHED, kinds=(ASSIGNED, ESCALATED))


def raise_escalation(
    conn: Connection, incident_id: int, *, level: int, event_id: int, now: datetime
) -> None:
    """The current OPD stayed silent past a threshold: the supervisors are alerted."""
    _close(conn, incident_id, now, CLOSED_MOVED, kinds=(ESCALATED,))
    _alert(
        conn,
        incident_id,
        ESCALATED,
        role=SUPERVISOR,
        opd_code=None,
        event_id=event_id,
        now=now,
        level=level,
    )


def handoff_payload(incident, *, event_id: int, action: str, opd_code: str, now: datetime) -> dict:
    """The message an OPD's webhook or mailbox gets (the SOP fields; the phone for the OPD)."""
    return {
        "schema": PAYLOAD_SCHEMA,
        "event_id": event_id,
        "action": action,
        "sent_for_utc": now.isoformat() + "Z",
        "opd": opd_code,
        "incident": {
            "code": incident.code,
            "status": incident.status,
            "category": incident.category_code,
            "priority": incident.priority,
            "kondisi": incident.kondisi,
            "address": incident.address,
            "kelurahan": incident.kelurahan,
            "kecamatan": incident.kecamatan,
            "lat": incident.lat,
            "lon": incident.lon,
            "received_at_utc": incident.received_at_utc.isoformat() + "Z",
            "caller_phone": incident.caller_phone,
            "caller_phone_masked": mask_phone(incident.caller_phone),
        },
    }


def _enqueue(
    conn: Connection, incident, *, event_id: int, action: str, opd_code: str, now: datetime
) -> None:
    channels = conn.execute(
        select(t.opd_channels).where(t.opd_channels.c.opd_code == opd_code, t.opd_channels.c.active)
    ).all()
    if not channels:
        return
    payload = json.dumps(
        handoff_payload(incident, event_id=event_id, action=action, opd_code=opd_code, now=now),
        ensure_ascii=False,
        sort_keys=True,
    )
    conn.execute(
        insert(t.outbox),
        [
            {
                # One message per event and channel, whatever retries the caller makes.
                "dedupe_key": f"event:{event_id}:channel:{channel.id}",
                "channel": channel.channel,
                "channel_id": channel.id,
                "target": channel.target,
                "opd_code": opd_code,
                "incident_id": incident.id,
                "event_id": event_id,
                "payload": payload,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_utc": now,
                "created_at_utc": now,
            }
            for channel in channels
        ],
    )


def _alert(
    conn: Connection,
    incident_id: int,
    kind: str,
    *,
    role: str,
    opd_code: str | None,
    event_id: int,
    now: datetime,
    level: int = 0,
) -> None:
    conn.execute(
        insert(t.alerts).values(
            incident_id=incident_id,
            kind=kind,
            level=level,
            audience_role=role,
            audience_opd=opd_code,
            event_id=event_id,
            created_at_utc=now,
        )
    )


def _close(conn: Connection, incident_id: int, now: datetime, reason: str, *, kinds) -> None:
    conn.execute(
        update(t.alerts)
        .where(
            t.alerts.c.incident_id == incident_id,
            t.alerts.c.kind.in_(kinds),
            t.alerts.c.closed_at_utc.is_(None),
        )
        .values(closed_at_utc=now, close_reason=reason)
    )
