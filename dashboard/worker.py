"""The background worker: delivers the outbox and runs the escalation checks.

Every app process starts one in a daemon thread (app.py, unless SIAGA_WORKER=0); a separate
process runs it with `python -m dashboard worker`. Any number of them may run on one database:
the outbox claim (dashboard/delivery.py) gives each message to one worker at a time.

A failing tick (database down, a bug in one message) is logged and the loop goes on; the next
tick simply tries again. Intervals: SIAGA_WORKER_INTERVAL_S (delivery, default 2 s) and
SIAGA_ESCALATION_INTERVAL_S (default 10 s).
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping

from sqlalchemy import Engine

from dashboard import delivery

log = logging.getLogger(__name__)

DELIVERY_INTERVAL_S = 2.0
ESCALATION_INTERVAL_S = 10.0
BATCH = 20
# The same failure is logged again at most this often (a database outage is one message a minute).
REPEAT_LOG_S = 60.0

_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def new_worker_id() -> str:
    """host:pid:random, unique per process start (a restarted worker is a new worker)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{secrets.token_hex(3)}"


def interval_from_env(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


class _Tick:
    """Runs one kind of job and logs its failures without repeating itself every tick."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.failing: str | None = None
        self.logged_at = 0.0

    def run(self, job: Callable[[], int]) -> int:
        try:
            result = job()
        except Exception as error:  # the loop must survive anything a tick raises
            summary = _summary(error)
            now = time.monotonic()
            if summary != self.failing or now - self.logged_at >= REPEAT_LOG_S:
                log.warning("worker %s failed, retrying: %s", self.name, summary)
                self.logged_at = now
            self.failing = summary
            return 0
        if self.failing is not None:
            log.info("worker %s works again", self.name)
            self.failing = None
        return result


def run_forever(
    engine: Engine,
    *,
    worker_id: str,
    stop_event: threading.Event,
    interval_s: float | None = None,
    escalation_interval_s: float | None = None,
) -> None:
    """Deliver every `interval_s`, escalate every `escalation_interval_s`, until `stop_event`."""
    interval = interval_s or interval_from_env("SIAGA_WORKER_INTERVAL_S", DELIVERY_INTERVAL_S)
    escalate_every = escalation_interval_s or interval_from_env(
        "SIAGA_ESCALATION_INTERVAL_S", ESCALATION_INTERVAL_S
    )
    policy = delivery.Policy.from_env()
    deliveries, escalations = _Tick("delivery"), _Tick("escalation")
    escalator = _Escalator()
    next_escalation = time.monotonic()
    log.info("worker %s started (every %.1f s)", worker_id, interval)
    while not stop_event.is_set():
        tried = deliveries.run(
            lambda: delivery.deliver_due(engine, worker_id=worker_id, limit=BATCH, policy=policy)
        )
        if time.monotonic() >= next_escalation:
            escalations.run(lambda: escalator(engine))
            next_escalation = time.monotonic() + escalate_every
        # A full batch means more may be due: go on at once instead of waiting.
        if tried < BATCH:
            stop_event.wait(interval)
    log.info("worker %s stopped", worker_id)


class _Escalator:
    """escalation.escalate_due, imported when first needed; missing, it is reported once."""

    def __init__(self) -> None:
        self.missing_logged = False

    def __call__(self, engine: Engine) -> int:
        try:
            from dashboard import escalation
        except ImportError as error:
            if not self.missing_logged:
                log.warning("escalation checks not available: %s", error)
                self.missing_logged = True
            return 0
        return escalation.escalate_due(engine)


def start_in_background(database_url: str) -> threading.Thread:
    """One daemon worker thread per process; calling again returns the running one."""
    global _thread  # noqa: PLW0603 - one worker thread per process
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return _thread
        worker_id = new_worker_id()

        def target() -> None:
            from dashboard.db import make_engine

            engine = make_engine(database_url)
            try:
                run_forever(engine, worker_id=worker_id, stop_event=threading.Event())
            finally:
                engine.dispose()

        _thread = threading.Thread(target=target, name="siaga-worker", daemon=True)
        _thread.start()
        return _thread


def run_cli(engine: Engine, *, worker_id: str | None = None) -> int:
    """`python -m dashboard worker`: the loop in the foreground until SIGTERM or SIGINT."""
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        log.info("signal %s: stopping after the current tick", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker_id = worker_id or new_worker_id()
    print(f"Pekerja {worker_id} berjalan. Hentikan dengan Ctrl+C.", flush=True)
    run_forever(engine, worker_id=worker_id, stop_event=stop)
    return 0


def _summary(error: BaseException) -> str:
    # The first line only: SQLAlchemy appends the statement and its parameters below it.
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text[:200]}"


def start_unless_disabled(environ: Mapping[str, str] | None = None) -> threading.Thread | None:
    """What app.py calls when the server imports it: the worker, unless SIAGA_WORKER=0."""
    from dashboard.config import load_settings

    env = os.environ if environ is None else environ
    if env.get("SIAGA_WORKER", "1").strip().lower() in {"0", "false", "no", "off"}:
        log.info("background worker off (SIAGA_WORKER=0)")
        return None
    return start_in_background(load_settings(dict(env)).database_url)
