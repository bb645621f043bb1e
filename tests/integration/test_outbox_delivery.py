"""Outbound messages on SQLite and PostgreSQL, to a real local HTTP receiver and SMTP server.

A forward to an OPD with a webhook and an email channel delivers one signed POST and one email
(masked phone); a receiver that is down gets retries further and further apart, each attempt
logged, while the incident itself goes on; the message arrives once when it is back, and is
given up after the last attempt. A lease another worker took over is not overwritten.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard import channels, delivery, worker
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.db import make_engine
from dashboard.errors import InvalidInput, PermissionDenied
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, PMI_ADMIN, flood_report
from tests.helpers.receivers import MailReceiver, WebhookReceiver, free_port

NOW = datetime(2026, 12, 1, 3, 0, 0)  # 10:00 WIB
PANJANG_WETAN = (-6.8790, 109.6890)
MAILBOX = "posko@pmi-pekalongan.or.id"
SENDER = "siaga112@pekalongankota.go.id"


@pytest.fixture
def mail(monkeypatch):
    receiver = MailReceiver().start()
    monkeypatch.setenv("SIAGA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SIAGA_SMTP_PORT", str(receiver.port))
    monkeypatch.setenv("SIAGA_SMTP_FROM", SENDER)
    yield receiver
    receiver.stop()


@pytest.fixture
def webhook():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def forward_to_pmi(engine, *, now=NOW):
    report = flood_report(lat=PANJANG_WETAN[0], lon=PANJANG_WETAN[1], forward_to="PMI")
    return svc.create_incident(engine, CALL_TAKER_ANI, report, now=now)


def outbox(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(t.outbox).order_by(t.outbox.c.id)).all()


def attempts(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(t.outbox_attempts).order_by(t.outbox_attempts.c.id)).all()


def incident(engine, incident_id):
    with engine.connect() as conn:
        return conn.execute(select(t.incidents).where(t.incidents.c.id == incident_id)).one()


def test_a_forward_reaches_the_webhook_once_signed_and_the_mailbox_once_with_the_phone_masked(
    engine, webhook, mail
):
    hook = channels.add_channel(
        engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=webhook.url
    )
    box = channels.add_channel(engine, ADMIN_USER, opd_code="PMI", channel="email", target=MAILBOX)
    rec = forward_to_pmi(engine)

    assert delivery.deliver_due(engine, worker_id="w1", now=NOW) == 2
    assert delivery.deliver_due(engine, worker_id="w1", now=NOW + timedelta(hours=1)) == 0

    row = incident(engine, rec.id)
    event_id = outbox(engine)[0].event_id
    assert [r.status for r in outbox(engine)] == ["SENT", "SENT"]
    assert [(a.worker, a.ok) for a in attempts(engine)] == [("w1", True), ("w1", True)]
    # The webhook: one POST, signed with the secret the admin was shown once.
    assert len(webhook.requests) == 1
    request = webhook.requests[0]
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Siaga-Delivery"] == f"event:{event_id}:channel:{hook.id}"
    stamp = request.headers["X-Siaga-Timestamp"]
    expected = hmac.new(
        hook.secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-Siaga-Signature"] == f"sha256={expected}"
    body = json.loads(request.body)
    assert body["incident"]["code"] == rec.code
    assert body["incident"]["caller_phone"] == "081234567890"  # the OPD's own system
    assert body["opd"] == "PMI" and body["action"] == "FORWARD"
    # The email: one message, Indonesian subject, phone masked, Message-ID from the dedupe key.
    assert len(mail.messages) == 1
    email = mail.messages[0]
    assert email["Subject"] == f"[Siaga 112] Laporan {rec.code} untuk PMI: Banjir — {row.kelurahan}"
    assert email["To"] == MAILBOX and email["From"] == SENDER
    assert email["Message-ID"] == (
        f"<siaga112.event.{event_id}.channel.{box.id}@pekalongankota.go.id>"
    )
    text = email.get_content()
    assert "0812******90" in text and "081234567890" not in text
    assert "Kondisi: Air masuk rumah setinggi lutut" in text
    assert "Waktu laporan: 01-12-2026 10:00:00 WIB" in text


def test_a_receiver_that_is_down_gets_retries_further_apart_and_the_incident_still_works(engine):
    port = free_port()  # nothing listens here yet
    receiver = WebhookReceiver(port=port, status=500)
    channels.add_channel(engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=receiver.url)
    rec = forward_to_pmi(engine)
    at, delays = NOW, []
    for attempt in range(1, 4):
        if attempt == 3:
            receiver.start()  # up again, but answering 500
        assert delivery.deliver_due(engine, worker_id="w1", now=at) == 1
        (message,) = outbox(engine)
        assert (message.status, message.attempts) == ("PENDING", attempt)
        delays.append((message.next_attempt_utc - at).total_seconds())
        # Not due before its time.
        early = message.next_attempt_utc - timedelta(seconds=1)
        assert delivery.deliver_due(engine, worker_id="w1", now=early) == 0
        at = message.next_attempt_utc
    assert 10 <= delays[0] <= 11 and 30 <= delays[1] <= 33 and 90 <= delays[2] <= 99
    logged = attempts(engine)
    assert [a.ok for a in logged] == [False, False, False]
    assert "Connection refused" in logged[0].response or "Refused" in logged[0].response
    assert logged[2].response.startswith("HTTP 500")
    assert outbox(engine)[0].last_error.startswith("HTTP 500")
    # The incident is not held up by its notification.
    done = svc.acknowledge(
        engine, PMI_ADMIN, rec.id, seen_version=rec.version, now=NOW + timedelta(minutes=3)
    )
    assert done.status == "DITERIMA"
    receiver.status = 200
    assert delivery.deliver_due(engine, worker_id="w2", now=at) == 1
    assert delivery.deliver_due(engine, worker_id="w2", now=at + timedelta(hours=2)) == 0
    receiver.stop()
    (message,) = outbox(engine)
    assert (message.status, message.attempts, message.last_error) == ("SENT", 4, None)
    assert message.sent_at_utc == at
    # The 500 answer and the one delivery reached the receiver; the delivery key is the same.
    assert [r.headers["X-Siaga-Delivery"] for r in receiver.requests] == [message.dedupe_key] * 2
    assert [a.ok for a in attempts(engine)] == [False, False, False, True]


def test_a_message_is_given_up_after_the_eighth_attempt(engine):
    target = f"http://127.0.0.1:{free_port()}/siaga"
    channels.add_channel(engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=target)
    forward_to_pmi(engine)
    at = NOW
    for _ in range(8):
        assert delivery.deliver_due(engine, worker_id="w1", now=at) == 1
        at = outbox(engine)[0].next_attempt_utc
    (message,) = outbox(engine)
    assert (message.status, message.attempts) == ("FAILED", 8)
    assert message.locked_by is None
    assert delivery.deliver_due(engine, worker_id="w1", now=at + timedelta(days=1)) == 0
    assert len(attempts(engine)) == 8


def test_a_lease_taken_over_after_it_expired_is_not_overwritten_by_the_first_worker(
    engine, webhook
):
    channels.add_channel(engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=webhook.url)
    forward_to_pmi(engine)

    def stuck_send(message):
        # Worker A hangs past its 60 s lease; worker B takes the message over and delivers it.
        later = NOW + timedelta(seconds=61)
        assert delivery.deliver_due(engine, worker_id="B", now=later) == 1
        return delivery.Outcome(False, "timed out")

    assert delivery.deliver_due(engine, worker_id="A", now=NOW, send=stuck_send) == 1
    (message,) = outbox(engine)
    assert (message.status, message.attempts, message.locked_by) == ("SENT", 1, None)
    assert message.sent_at_utc == NOW + timedelta(seconds=61)
    logged = [(a.worker, a.ok, a.response) for a in attempts(engine)]
    assert logged == [("B", True, "HTTP 200"), ("A", False, "timed out (lease lost)")]
    assert len(webhook.requests) == 1


def test_a_live_lease_keeps_a_second_worker_away(engine, webhook):
    channels.add_channel(engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=webhook.url)
    forward_to_pmi(engine)

    def slow_send(message):
        assert delivery.deliver_due(engine, worker_id="B", now=NOW + timedelta(seconds=59)) == 0
        return delivery.send_message(message)

    assert delivery.deliver_due(engine, worker_id="A", now=NOW, send=slow_send) == 1
    assert [a.worker for a in attempts(engine)] == ["A"]
    assert len(webhook.requests) == 1


def test_channels_are_checked_their_secret_shown_once_and_every_change_audited(engine):
    for channel, target in (
        ("webhook", "ftp://opd.example/hook"),
        ("webhook", "sistem opd"),
        ("webhook", "https://"),
        ("email", "posko@"),
        ("email", "posko pmi@pmi.or.id"),
        ("sms", "0812"),
    ):
        with pytest.raises(InvalidInput):
            channels.add_channel(engine, ADMIN_USER, opd_code="PMI", channel=channel, target=target)
    with pytest.raises(PermissionDenied):
        channels.add_channel(
            engine, PMI_ADMIN, opd_code="PMI", channel="email", target="posko@pmi.or.id"
        )
    assert channels.list_channels(engine, ADMIN_USER) == []

    hook = channels.add_channel(
        engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=" https://pmi.example/112 "
    )
    box = channels.add_channel(
        engine, ADMIN_USER, opd_code="PMI", channel="email", target="posko@pmi.or.id"
    )
    assert len(hook.secret) >= 40 and box.secret is None
    listed = channels.list_channels(engine, ADMIN_USER, opd_code="PMI")
    assert [(c["channel"], c["target"], c["has_secret"]) for c in listed] == [
        ("email", "posko@pmi.or.id", False),
        ("webhook", "https://pmi.example/112", True),
    ]
    assert all("secret" not in c for c in listed)
    channels.deactivate_channel(engine, ADMIN_USER, box.id)
    forward_to_pmi(engine)
    assert [m.channel for m in outbox(engine)] == ["webhook"]  # the inactive mailbox gets none
    with engine.connect() as conn:
        audit = conn.execute(select(t.admin_audit).order_by(t.admin_audit.c.id)).all()
    assert [(a.entity, a.entity_key, a.action) for a in audit] == [
        ("opd_channel", str(hook.id), "create"),
        ("opd_channel", str(box.id), "create"),
        ("opd_channel", str(box.id), "deactivate"),
    ]
    assert all(hook.secret not in (a.after or "") for a in audit)
    assert json.loads(audit[2].after)["active"] is False


def test_the_worker_loop_waits_out_a_database_outage_and_says_so_once(caplog):
    # A PostgreSQL server that is not there: every tick fails, the loop goes on until stopped.
    down = make_engine(f"postgresql+psycopg://siaga:rahasia@127.0.0.1:{free_port()}/siaga")
    stop = threading.Event()
    loop = threading.Thread(
        target=worker.run_forever,
        args=(down,),
        kwargs={
            "worker_id": "w1",
            "stop_event": stop,
            "interval_s": 0.05,
            "escalation_interval_s": 0.05,
        },
    )
    with caplog.at_level(logging.INFO, logger="dashboard.worker"):
        loop.start()
        time.sleep(0.8)
        assert loop.is_alive()
        stop.set()
        loop.join(timeout=10)
    down.dispose()
    assert not loop.is_alive()
    failures = [r.getMessage() for r in caplog.records if "failed, retrying" in r.getMessage()]
    assert [m.split(" failed")[0] for m in failures] == ["worker delivery", "worker escalation"]
    assert all("rahasia" not in m for m in failures)
    assert worker.start_unless_disabled({"SIAGA_WORKER": "0"}) is None
