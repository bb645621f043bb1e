"""The background worker: delivers the outbox, runs the escalation checks, keeps the demo alive,
polls the CAP warnings.

Every app process starts one in a daemon thread (app.py, unless SIAGA_WORKER=0); a separate
process runs it with `python -m dashboard worker`. Any number of them may run on one database:
the outbox claim (dashboard/delivery.py) gives each message to one worker at a time.

A failing tick (database down, a bug in one message) is logged and the loop goes on; the next
tick simply tries again. Intervals: SIAGA_WORKER_INTERVAL_S (delivery, default 2 s),
SIAGA_ESCALATION_INTERVAL_S (default 10 s) and, in demo mode unless SIAGA_DEMO_LIVE=0, the demo
city's keep-alive every SIAGA_DEMO_LIVE_INTERVAL_S (default 30 s; dashboard.demo.keep_alive).
When SIAGA_CAP_URL is set, the CAP source is polled every SIAGA_CAP_INTERVAL_S (default 300 s;
dashboard.cap.poll): the first poll right at start, each attempt recorded in cap_fetches.
The trend rollups catch up every SIAGA_ROLLUP_INTERVAL_S (default 30 s; dashboard.rollups), in
their own thread: the first run after the upgrade builds every day (a minute at a million).
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

from dashboard import cap, delivery, demo, escalation, labels, rollups
from dashboard.config import load_settings
from dashboard.db import make_engine
from dashboard.domain import utc_now

log = logging.getLogger(__name__)

DELIVERY_INTERVAL_S = 2.0
ESCALATION_INTERVAL_S = 10.0
DEMO_LIVE_INTERVAL_S = 30.0
# BMKG's nowcast changes within minutes; a poll is a few kB.
CAP_INTERVAL_S = 300.0
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
    demo_live: bool = False,
    cap_url: str | None = None,
    trend_rollups: bool = False,
) -> None:
    """Deliver every `interval_s`, escalate every `escalation_interval_s`, until `stop_event`.

    With `trend_rollups` (every worker the app or the CLI starts), the Tren rollups catch up
    every SIAGA_ROLLUP_INTERVAL_S in their own thread.

    With `demo_live`, the demo city's keep-alive ticks too (demo mode only); with `cap_url`,
    the CAP warnings are polled every SIAGA_CAP_INTERVAL_S.
    """
    interval = interval_s or interval_from_env("SIAGA_WORKER_INTERVAL_S", DELIVERY_INTERVAL_S)
    escalate_every = escalation_interval_s or interval_from_env(
        "SIAGA_ESCALATION_INTERVAL_S", ESCALATION_INTERVAL_S
    )
    live_every = interval_from_env("SIAGA_DEMO_LIVE_INTERVAL_S", DEMO_LIVE_INTERVAL_S)
    cap_every = interval_from_env("SIAGA_CAP_INTERVAL_S", CAP_INTERVAL_S)
    policy = delivery.Policy.from_env()
    deliveries, escalations, city = _Tick("delivery"), _Tick("escalation"), _Tick("demo")
    warnings = _Tick("cap")
    next_escalation = next_live = next_cap = time.monotonic()
    poller: threading.Thread | None = None
    trends_rollup, next_rollup, folder = _Tick("rollups"), time.monotonic(), None
    rollup_every = interval_from_env("SIAGA_ROLLUP_INTERVAL_S", rollups.REFRESH_INTERVAL_S)
    log.info("worker %s started (every %.1f s)", worker_id, interval)
    while not stop_event.is_set():
        tried = deliveries.run(
            lambda: delivery.deliver_due(engine, worker_id=worker_id, limit=BATCH, policy=policy)
        )
        if time.monotonic() >= next_escalation:
            escalations.run(lambda: escalation.escalate_due(engine))
            next_escalation = time.monotonic() + escalate_every
        if demo_live and time.monotonic() >= next_live:
            city.run(lambda: len(demo.keep_alive(engine, interval_s=live_every)))
            next_live = time.monotonic() + live_every
        if cap_url and time.monotonic() >= next_cap and not _running(poller):
            # In its own thread: a slow CAP server must not hold up deliveries and escalations.
            poller = _started(lambda: warnings.run(lambda: cap.poll(engine, cap_url)), "siaga-cap")
            next_cap = time.monotonic() + cap_every
        if trend_rollups and time.monotonic() >= next_rollup and not _running(folder):
            folder = _started(
                lambda: trends_rollup.run(
                    lambda: rollups.refresh_rollups(engine, now_utc=utc_now())
                ),
                "siaga-rollups",
            )
            next_rollup = time.monotonic() + rollup_every
        # A full batch means more may be due: go on at once instead of waiting.
        if tried < BATCH:
            stop_event.wait(interval)
    if poller is not None:
        poller.join(timeout=interval)
    if folder is not None:
        folder.join(timeout=interval)
    log.info("worker %s stopped", worker_id)


def start_in_background(
    database_url: str, *, demo_live: bool = False, cap_url: str | None = None
) -> threading.Thread:
    """One daemon worker thread per process; calling again returns the running one."""
    global _thread  # noqa: PLW0603 - one worker thread per process
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return _thread
        worker_id = new_worker_id()

        def target() -> None:
            engine = make_engine(database_url)
            try:
                run_forever(
                    engine,
                    worker_id=worker_id,
                    stop_event=threading.Event(),
                    demo_live=demo_live,
                    cap_url=cap_url,
                    trend_rollups=True,
                )
            finally:
                engine.dispose()

        _thread = threading.Thread(target=target, name="siaga-worker", daemon=True)
        _thread.start()
        return _thread


def run_cli(engine: Engine, *, worker_id: str | None = None, cap_url: str | None = None) -> int:
    """`python -m dashboard worker`: the loop in the foreground until SIGTERM or SIGINT."""
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        log.info("signal %s: stopping after the current tick", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker_id = worker_id or new_worker_id()
    print(labels.WORKER_RUNNING.format(worker_id=worker_id), flush=True)
    run_forever(engine, worker_id=worker_id, stop_event=stop, cap_url=cap_url, trend_rollups=True)
    return 0


def _running(thread: threading.Thread | None) -> bool:
    return thread is not None and thread.is_alive()


def _started(job: Callable[[], object], name: str) -> threading.Thread:
    thread = threading.Thread(target=job, name=name, daemon=True)
    thread.start()
    return thread


def _summary(error: BaseException) -> str:
    # The first line only: SQLAlchemy appends the statement and its parameters below it.
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text[:200]}"


def start_unless_disabled(environ: Mapping[str, str] | None = None) -> threading.Thread | None:
    """What app.py calls when the server imports it: the worker, unless SIAGA_WORKER=0."""
    env = os.environ if environ is None else environ
    if env.get("SIAGA_WORKER", "1").strip().lower() in {"0", "false", "no", "off"}:
        log.info("background worker off (SIAGA_WORKER=0)")
        return None
    settings = load_settings(dict(env))
    return start_in_background(
        settings.database_url, demo_live=settings.demo_live, cap_url=settings.cap_url
    )
