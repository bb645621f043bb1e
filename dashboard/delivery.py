"""Delivering the outbox: webhooks (JSON, HMAC-signed) and email (SMTP), with retries.

dashboard/handoff.py writes one outbox row per message in the incident's own transaction; this
module is what a worker (dashboard/worker.py) calls every few seconds. One call:

1. claims the due rows in a short transaction: PENDING, next attempt reached, no live lease.
   PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so replicas claiming at the same moment take
   different rows; SQLite: the same statements under BEGIN IMMEDIATE (one writer at a time).
   The claim writes a lease (locked_by, locked_until_utc) and commits before anything is sent;
2. sends each message outside any transaction (a slow receiver holds no lock);
3. records the attempt and its result in one transaction: an outbox_attempts row, and the
   message SENT, rescheduled with exponential backoff, or FAILED after the last attempt. The
   message row is only changed while this worker still holds its lease: a lease that expired and
   was taken by another worker is never overwritten.

Delivery is at least once. A worker killed after the receiver got a message but before step 3
committed leaves the lease to expire and the message is sent again, with the same
`X-Siaga-Delivery` header (webhook) or Message-ID (email): that value is the message's
dedupe_key, the receiver's idempotency key. A receiver that keeps the keys it has processed sees
every message exactly once.

A webhook request carries:
    Content-Type: application/json
    X-Siaga-Delivery: event:<event id>:channel:<channel id>
    X-Siaga-Timestamp: <unix seconds when sent>
    X-Siaga-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
and counts as delivered on any 2xx answer within WEBHOOK_TIMEOUT_S; anything else is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import os
import random
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import Engine, and_, insert, or_, select, update

from dashboard import labels
from dashboard import tables as t
from dashboard.db import from_row, is_sqlite, reading
from dashboard.domain import format_wib, mask_phone, naive_utc, utc_now
from dashboard.fmt import format_decimal

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = "PENDING", "SENT", "FAILED"
WEBHOOK_TIMEOUT_S = 5.0
SMTP_TIMEOUT_S = 10.0
RESPONSE_MAX = 300
USER_AGENT = "Siaga112-outbox/1"


@dataclass(frozen=True)
class Policy:
    """Lease length and retry schedule (seconds). The defaults suit production."""

    lease_s: float = 60.0
    retry_base_s: float = 10.0
    retry_factor: float = 3.0
    retry_cap_s: float = 900.0
    max_attempts: int = 8
    jitter: float = 0.1  # up to +10 % on each delay, so retries of one outage spread out

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Policy:
        """Defaults; SIAGA_OUTBOX_LEASE_S, _RETRY_BASE_S, _RETRY_CAP_S, _MAX_ATTEMPTS override."""
        env = os.environ if environ is None else environ
        default = cls()

        def number(name: str, fallback: float) -> float:
            try:
                value = float(env.get(name, "") or fallback)
            except ValueError:
                return fallback
            return value if value > 0 else fallback

        return cls(
            lease_s=number("SIAGA_OUTBOX_LEASE_S", default.lease_s),
            retry_base_s=number("SIAGA_OUTBOX_RETRY_BASE_S", default.retry_base_s),
            retry_cap_s=number("SIAGA_OUTBOX_RETRY_CAP_S", default.retry_cap_s),
            max_attempts=int(number("SIAGA_OUTBOX_MAX_ATTEMPTS", default.max_attempts)),
        )

    def retry_delay_s(self, attempts: int, *, rand: Callable[[], float] = random.random) -> float:
        """The wait after failed attempt `attempts` (1, 2, ...): 10 s, 30 s, 90 s ... 15 min."""
        delay = self.retry_base_s * self.retry_factor ** max(attempts - 1, 0)
        return min(delay * (1 + self.jitter * rand()), self.retry_cap_s)


@dataclass(frozen=True)
class Message:
    """A claimed outbox row, with what sending it needs."""

    id: int
    dedupe_key: str
    channel: str
    target: str
    opd_code: str | None
    payload: str
    attempts: int  # attempts before this one
    secret: str | None = None
    opd_name: str | None = None
    category_name: str | None = None


@dataclass(frozen=True)
class Outcome:
    ok: bool
    response: str


Sender = Callable[[Message], Outcome]


def deliver_due(
    engine: Engine,
    *,
    worker_id: str,
    now: datetime | None = None,
    limit: int = 20,
    send: Sender | None = None,
    policy: Policy | None = None,
) -> int:
    """Claim up to `limit` due messages, send them, log each attempt; returns how many were tried.

    `now` (naive UTC) is injected by tests; `send` replaces the transport (webhook/email).
    """
    policy = policy or Policy.from_env()
    send = send or send_message
    fixed_now = naive_utc(now) if now else None
    claimed_at = fixed_now or utc_now()
    messages = claim_due(
        engine, worker_id=worker_id, now=claimed_at, limit=limit, lease_s=policy.lease_s
    )
    # A message is only sent while its lease has room for a whole send: the rest of a slow batch
    # goes back to the queue instead of being sent after another worker may have taken it.
    send_budget = max(policy.lease_s - max(WEBHOOK_TIMEOUT_S, SMTP_TIMEOUT_S), policy.lease_s / 2)
    deadline = time.monotonic() + send_budget
    tried = 0
    for position, message in enumerate(messages):
        if position and time.monotonic() > deadline:
            release(engine, [m.id for m in messages[position:]], worker_id=worker_id)
            break
        at = fixed_now or utc_now()
        started = time.monotonic()
        try:
            outcome = send(message)
        except Exception as error:  # a transport bug must not strand the message
            log.exception("outbox %s: sender raised", message.id)
            outcome = Outcome(False, _short(f"{type(error).__name__}: {error}"))
        duration_ms = round((time.monotonic() - started) * 1000)
        record_attempt(
            engine,
            message,
            outcome,
            worker_id=worker_id,
            at=at,
            finished=fixed_now or utc_now(),
            duration_ms=duration_ms,
            policy=policy,
        )
        tried += 1
    return tried


def claim_due(
    engine: Engine, *, worker_id: str, now: datetime, limit: int, lease_s: float
) -> list[Message]:
    """Lease the due messages to `worker_id` (committed before returning); oldest due first."""
    o = t.outbox.c
    due = and_(
        o.status == PENDING,
        o.next_attempt_utc <= now,
        or_(o.locked_until_utc.is_(None), o.locked_until_utc < now),
    )
    # Nothing due is the common case: look first without taking SQLite's write lock.
    with reading(engine) as conn:
        if conn.execute(select(o.id).where(due).limit(1)).first() is None:
            return []
    with engine.begin() as conn:
        query = select(o.id).where(due).order_by(o.next_attempt_utc, o.id).limit(limit)
        if not is_sqlite(engine):
            # Rows another replica is claiming right now are skipped, not waited for.
            query = query.with_for_update(skip_locked=True)
        ids = list(conn.execute(query).scalars())
        if not ids:
            return []
        conn.execute(
            update(t.outbox)
            .where(o.id.in_(ids))
            .values(locked_by=worker_id, locked_until_utc=now + timedelta(seconds=lease_s))
        )
        rows = conn.execute(
            select(
                t.outbox,
                t.opd_channels.c.secret,
                t.opds.c.short_name.label("opd_name"),
            )
            .select_from(
                t.outbox.outerjoin(t.opd_channels, t.opd_channels.c.id == o.channel_id).outerjoin(
                    t.opds, t.opds.c.code == o.opd_code
                )
            )
            .where(o.id.in_(ids))
            .order_by(o.next_attempt_utc, o.id)
        ).all()
        categories = dict(conn.execute(select(t.categories.c.code, t.categories.c.name)).all())
    return [
        from_row(Message, row, category_name=categories.get(_category_code(row.payload)))
        for row in rows
    ]


def record_attempt(
    engine: Engine,
    message: Message,
    outcome: Outcome,
    *,
    worker_id: str,
    at: datetime,
    finished: datetime,
    duration_ms: int,
    policy: Policy,
) -> bool:
    """Log the attempt and settle the message; False when the lease was lost (row untouched)."""
    o = t.outbox.c
    attempts = message.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "locked_by": None, "locked_until_utc": None}
    if outcome.ok:
        values |= {"status": SENT, "sent_at_utc": finished, "last_error": None}
    elif attempts >= policy.max_attempts:
        values |= {"status": FAILED, "last_error": _short(outcome.response)}
    else:
        delay = policy.retry_delay_s(attempts)
        values |= {
            "next_attempt_utc": finished + timedelta(seconds=delay),
            "last_error": _short(outcome.response),
        }
    with engine.begin() as conn:
        mine = conn.execute(
            update(t.outbox)
            .where(o.id == message.id, o.locked_by == worker_id, o.status == PENDING)
            .values(**values)
        ).rowcount
        response = outcome.response if mine else f"{outcome.response} (lease lost)"
        conn.execute(
            insert(t.outbox_attempts).values(
                outbox_id=message.id,
                at_utc=at,
                worker=worker_id[:80],
                ok=outcome.ok,
                response=_short(response),
                duration_ms=duration_ms,
            )
        )
    if not mine:
        log.warning("outbox %s: lease lost to another worker; its row left as it is", message.id)
    return bool(mine)


def release(engine: Engine, ids: list[int], *, worker_id: str) -> None:
    """Give leased messages back untried (their next attempt unchanged)."""
    if not ids:
        return
    o = t.outbox.c
    with engine.begin() as conn:
        conn.execute(
            update(t.outbox)
            .where(o.id.in_(ids), o.locked_by == worker_id)
            .values(locked_by=None, locked_until_utc=None)
        )


def send_message(message: Message) -> Outcome:
    if message.channel == "webhook":
        return send_webhook(message)
    if message.channel == "email":
        return send_email(message)
    return Outcome(False, f"unknown channel {message.channel!r}")


# --- webhook -------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Siaga-Signature value: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without body: answer it as a failure instead.
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def send_webhook(message: Message, *, timeout: float = WEBHOOK_TIMEOUT_S) -> Outcome:
    """POST the payload; 2xx within the timeout is delivered, anything else a failure."""
    body = message.payload.encode("utf-8")
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        message.target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Siaga-Delivery": message.dedupe_key,
            "X-Siaga-Timestamp": timestamp,
            "X-Siaga-Signature": signature(message.secret or "", timestamp, body),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
            response.read(1024)
    except urllib.error.HTTPError as error:
        return Outcome(False, f"HTTP {error.code} {error.reason}")
    except urllib.error.URLError as error:
        return Outcome(False, _short(f"{type(error.reason).__name__}: {error.reason}"))
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Outcome(False, _short(f"{type(error).__name__}: {error}"))
    return Outcome(200 <= status < 300, f"HTTP {status}")


# --- email ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 25
    sender: str = "siaga112@localhost"
    starttls: bool = False
    ssl: bool = False
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpConfig:
        """SIAGA_SMTP_HOST, _PORT, _FROM, _STARTTLS=1, _SSL=1 (port 465), _USER, _PASSWORD."""
        env = os.environ if environ is None else environ
        on = {"1", "true", "yes", "on"}
        use_ssl = env.get("SIAGA_SMTP_SSL", "").strip().lower() in on
        try:
            port = int(env.get("SIAGA_SMTP_PORT", "") or (465 if use_ssl else 25))
        except ValueError:
            port = 25
        return cls(
            host=env.get("SIAGA_SMTP_HOST", "").strip() or "localhost",
            port=port,
            sender=env.get("SIAGA_SMTP_FROM", "").strip() or "siaga112@localhost",
            starttls=env.get("SIAGA_SMTP_STARTTLS", "").strip().lower() in on,
            ssl=use_ssl,
            user=env.get("SIAGA_SMTP_USER") or None,
            password=env.get("SIAGA_SMTP_PASSWORD") or None,
        )


def send_email(message: Message, *, config: SmtpConfig | None = None) -> Outcome:
    config = config or SmtpConfig.from_env()
    email = build_email(message, sender=config.sender)
    try:
        smtp_class = smtplib.SMTP_SSL if config.ssl else smtplib.SMTP
        with smtp_class(config.host, config.port, timeout=SMTP_TIMEOUT_S) as smtp:
            if config.starttls and not config.ssl:
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, config.password or "")
            refused = smtp.send_message(email)
    except (smtplib.SMTPException, OSError) as error:
        return Outcome(False, _short(f"{type(error).__name__}: {error}"))
    if refused:
        return Outcome(False, _short(f"refused: {', '.join(refused)}"))
    return Outcome(True, "250 accepted")


def message_id(dedupe_key: str, sender: str) -> str:
    """The same for every send of one message, so a mail client recognises a resend."""
    domain = sender.rpartition("@")[2] or "localhost"
    local = "".join(ch if ch.isalnum() else "." for ch in dedupe_key)
    return f"<siaga112.{local}@{domain}>"


def build_email(message: Message, *, sender: str) -> EmailMessage:
    payload = json.loads(message.payload)
    subject, body = email_text(
        payload, opd_name=message.opd_name, category_name=message.category_name
    )
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = sender
    email["To"] = message.target
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id(message.dedupe_key, sender)
    email["X-Siaga-Delivery"] = message.dedupe_key
    email.set_content(body)
    return email


def email_text(
    payload: Mapping, *, opd_name: str | None = None, category_name: str | None = None
) -> tuple[str, str]:
    """Subject and plain-text body for an OPD's mailbox; the caller's phone is masked."""
    incident = payload.get("incident", {})
    opd = opd_name or payload.get("opd") or ""
    category = category_name or str(incident.get("category") or "").title()
    kelurahan = incident.get("kelurahan") or incident.get("kecamatan") or labels.EMAIL_NO_PLACE
    subject = labels.EMAIL_SUBJECT.format(
        code=incident.get("code", ""), opd=opd, category=category, kelurahan=kelurahan
    )
    received = _parse_utc(incident.get("received_at_utc"))
    phone = incident.get("caller_phone_masked") or mask_phone(incident.get("caller_phone"))
    lat, lon = incident.get("lat"), incident.get("lon")
    place = ", ".join(p for p in (incident.get("kelurahan"), incident.get("kecamatan")) if p)
    lines = [
        labels.EMAIL_INTRO.get(payload.get("action"), labels.EMAIL_INTRO["FORWARD"]).format(
            opd=opd
        ),
        "",
        f"{labels.EMAIL_FIELD_CODE}: {incident.get('code', '')}",
        f"{labels.EMAIL_FIELD_STATUS}: "
        + labels.STATUS.get(incident.get("status"), str(incident.get("status") or "")),
        f"{labels.EMAIL_FIELD_CATEGORY}: {category}",
        f"{labels.EMAIL_FIELD_PRIORITY}: "
        + labels.PRIORITY.get(incident.get("priority"), str(incident.get("priority") or "-")),
        f"{labels.EMAIL_FIELD_KONDISI}: {incident.get('kondisi', '')}",
        f"{labels.EMAIL_FIELD_ADDRESS}: {incident.get('address', '')}",
        f"{labels.EMAIL_FIELD_AREA}: {place or labels.EMAIL_NO_PLACE}",
    ]
    if lat is not None and lon is not None:
        coords = f"{format_decimal(lat, digits=6)}; {format_decimal(lon, digits=6)}"
        lines.append(f"{labels.EMAIL_FIELD_COORDS}: {coords}")
    if received is not None:
        lines.append(f"{labels.EMAIL_FIELD_RECEIVED}: {format_wib(received)} WIB")
    lines += [
        f"{labels.EMAIL_FIELD_PHONE}: {phone} {labels.EMAIL_PHONE_NOTE}",
        "",
        labels.EMAIL_ACTION_HINT,
        labels.EMAIL_FOOTER,
    ]
    return subject, "\n".join(lines) + "\n"


def _parse_utc(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return naive_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _category_code(payload: str) -> str | None:
    try:
        return json.loads(payload).get("incident", {}).get("category")
    except (ValueError, AttributeError):
        return None


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= RESPONSE_MAX else text[: RESPONSE_MAX - 1] + "…"
