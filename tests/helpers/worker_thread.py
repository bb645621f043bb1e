"""The background worker in a thread for the length of a test's block, on a real database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from dashboard import worker


@contextmanager
def running_worker(
    engine: Engine, *, join_s: float = 10.0, **options
) -> Iterator[threading.Thread]:
    """worker.run_forever as worker `w1` ticking every 0.05 s, with `options`, until the block
    ends; then it is stopped and joined (at most `join_s`)."""
    stop = threading.Event()
    kwargs = {"worker_id": "w1", "stop_event": stop, "interval_s": 0.05} | options
    loop = threading.Thread(target=worker.run_forever, args=(engine,), kwargs=kwargs)
    loop.start()
    try:
        yield loop
    finally:
        stop.set()
        loop.join(timeout=join_s)
