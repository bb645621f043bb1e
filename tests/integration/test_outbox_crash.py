"""Worker processes (`python -m dashboard worker`) killed and doubled: no message lost or doubled.

(a) A worker that tried a receiver while it was down is killed with SIGKILL; the receiver comes
    up, a new worker starts and the message arrives exactly once (SQLite and PostgreSQL).
(b) A worker killed while the receiver holds its request (sent, not yet recorded): the new worker
    sends it again with the same X-Siaga-Delivery key, so an idempotent receiver acts once.
(c) Two workers on one PostgreSQL database deliver each of 40 messages exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import channels
from dashboard import incidents as svc
from dashboard import tables as t
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, flood_report
from tests.e2e.harness import start_app
from tests.helpers.receivers import WebhookReceiver, free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PANJANG_WETAN = (-6.8790, 109.6890)
FAST = {
    "SIAGA_WORKER_INTERVAL_S": "0.1",
    "SIAGA_ESCALATION_INTERVAL_S": "3600",
    "SIAGA_OUTBOX_RETRY_BASE_S": "0.2",
    "SIAGA_OUTBOX_RETRY_CAP_S": "0.4",
    "SIAGA_OUTBOX_MAX_ATTEMPTS": "1000",
    "SIAGA_OUTBOX_LEASE_S": "2",
}


def start_worker(url: str, worker_id: str, **env: str) -> subprocess.Popen:
    environ = {**os.environ, **FAST, **env, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    environ["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "worker", "--worker-id", worker_id],
        cwd=REPO,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert "berjalan" in line, process.stderr.read() if process.poll() is not None else line
    return process


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=15)
    finally:
        process.stdout.close()
        process.stderr.close()


def wait_for(condition, *, timeout_s: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def forward_to_pmi(engine):
    report = flood_report(lat=PANJANG_WETAN[0], lon=PANJANG_WETAN[1], forward_to="PMI")
    return svc.create_incident(engine, CALL_TAKER_ANI, report)


def attempt_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.outbox_attempts)).scalar_one()


def statuses(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(t.outbox.c.status).order_by(t.outbox.c.id)).scalars())


def workers(engine) -> list[tuple[str, bool]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox_attempts.c.worker, t.outbox_attempts.c.ok).order_by(
                t.outbox_attempts.c.id
            )
        )
        return [(w, ok) for w, ok in rows]


@pytest.mark.timeout(90)
def test_a_worker_killed_after_failed_tries_leaves_the_message_to_its_successor_once(engine):
    url = engine.url.render_as_string(hide_password=False)
    receiver = WebhookReceiver(port=free_port())  # not started: the port is closed
    channels.add_channel(engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=receiver.url)
    first = start_worker(url, "first")
    try:
        forward_to_pmi(engine)  # committed: from here on the message must arrive
        wait_for(lambda: attempt_count(engine) >= 2, what="the first worker's failed tries")
    finally:
        assert stop(first, signal.SIGKILL) == -signal.SIGKILL
    assert statuses(engine) == ["PENDING"]
    assert {ok for _, ok in workers(engine)} == {False}
    receiver.start()
    second = start_worker(url, "second")
    try:
        wait_for(lambda: statuses(engine) == ["SENT"], what="the delivery after restart")
        time.sleep(0.5)  # a few more ticks: nothing is sent twice
    finally:
        assert stop(second) == 0  # SIGTERM: the loop ends cleanly
        receiver.stop()
    (key,) = set(receiver.deliveries())
    assert receiver.deliveries() == [key]
    assert workers(engine)[-1] == ("second", True)
    assert all(w == "first" for w, _ in workers(engine)[:-1])


@pytest.mark.timeout(90)
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_worker_killed_in_the_middle_of_a_send_is_followed_by_a_resend_with_the_same_key(
    engine,
):
    url = engine.url.render_as_string(hide_password=False)
    receiver = WebhookReceiver(delay_s=3.0).start()  # takes the request, answers late
    channels.add_channel(engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=receiver.url)
    first = start_worker(url, "first")
    try:
        forward_to_pmi(engine)
        wait_for(lambda: len(receiver.requests) == 1, what="the first send")
    finally:
        stop(first, signal.SIGKILL)
    receiver.delay_s = 0.0
    assert statuses(engine) == ["PENDING"] and attempt_count(engine) == 0
    second = start_worker(url, "second")
    try:
        wait_for(lambda: statuses(engine) == ["SENT"], what="the resend after the lease expired")
        time.sleep(0.5)
    finally:
        stop(second)
        receiver.stop()
    # At least once on the wire, exactly once for a receiver that keeps the delivery keys.
    keys = receiver.deliveries()
    assert len(keys) == 2 and len(set(keys)) == 1
    assert workers(engine) == [("second", True)]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_two_workers_on_one_postgresql_database_deliver_each_message_exactly_once(engine):
    url = engine.url.render_as_string(hide_password=False)
    receiver = WebhookReceiver(delay_s=0.02).start()
    channels.add_channel(engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=receiver.url)
    replicas = [start_worker(url, name, SIAGA_OUTBOX_LEASE_S="30") for name in ("A", "B")]
    try:
        for _ in range(40):
            forward_to_pmi(engine)
        wait_for(lambda: statuses(engine) == ["SENT"] * 40, what="40 deliveries")
        time.sleep(0.5)
    finally:
        codes = [stop(process) for process in replicas]
        receiver.stop()
    assert codes == [0, 0]
    counts = Counter(receiver.deliveries())
    assert len(counts) == 40 and set(counts.values()) == {1}
    logged = workers(engine)
    assert len(logged) == 40 and all(ok for _, ok in logged)
    assert {w for w, _ in logged} == {"A", "B"}, "both replicas took part"


@pytest.mark.timeout(180)
def test_the_app_server_delivers_and_after_a_sigkill_its_restart_delivers_exactly_once(
    sqlite_engine, tmp_path
):
    url = sqlite_engine.url.render_as_string(hide_password=False)
    receiver = WebhookReceiver(port=free_port())  # down while the first server runs
    channels.add_channel(
        sqlite_engine, ADMIN_USER, opd_code="PMI", channel="webhook", target=receiver.url
    )
    env = {**FAST, "SIAGA_DEMO": "0"}
    server = start_app(url, tmp_path, env=env)
    try:
        forward_to_pmi(sqlite_engine)
        wait_for(lambda: attempt_count(sqlite_engine) >= 1, what="the app's worker trying")
    finally:
        server.process.kill()  # SIGKILL
        server.process.wait(timeout=10)
    receiver.start()
    server = start_app(url, tmp_path, env=env)
    try:
        wait_for(lambda: statuses(sqlite_engine) == ["SENT"], what="delivery by the restarted app")
        time.sleep(0.5)
    finally:
        server.stop()
        receiver.stop()
    assert len(receiver.deliveries()) == 1
    assert workers(sqlite_engine)[-1][1] is True
