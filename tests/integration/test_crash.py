"""Crashes: a writer killed with SIGKILL mid-stream loses no confirmed report and corrupts nothing.

The writer is a separate process that records reports in a loop and prints each code only after
create_incident returned (the commit is done). It is killed at an arbitrary moment, three times in
a row; after each restart SQLite's integrity check passes, every confirmed code is there with its
whole event log, and at most the one report in flight when it died is extra. An import killed
inside its transaction (every row written, not yet committed) leaves no row behind, on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.importer import import_incidents
from tests.conftest import ADMIN_USER
from tests.helpers.databases import engine_for, row_counts

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
KILL_AFTER = (7, 19, 3)  # confirmed writes before each SIGKILL
IMPORT_ROWS = 200
NOW = datetime(2026, 11, 28, 3, 0, 0)

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime

    from dashboard import incidents as svc
    from dashboard.db import make_engine
    from dashboard.domain import Actor
    from dashboard.importer import import_incidents

    url, mode = sys.argv[1], sys.argv[2]
    engine = make_engine(url)
    print("ready", flush=True)
    if mode == "create":
        actor = Actor("ct.penulis", "call_taker")
        n = 0
        while True:
            report = svc.NewReport(
                category_code="KEBAKARAN", kondisi=f"Kebakaran ke-{n}", lat=-6.889, lon=109.675,
                address="Jl. Hayam Wuruk", caller_phone="081234567890",
            )
            recorded = svc.create_incident(engine, actor, report)
            # Printed only after the commit returned: this is what the caller was told.
            print(recorded.code, flush=True)
            n += 1
    else:
        import time

        insert = svc._insert_incidents

        def noisy(*args, **kwargs):
            result = insert(*args, **kwargs)
            # Every row written in one statement per table, the import transaction still open.
            print("written", flush=True)
            time.sleep(60)
            return result

        svc._insert_incidents = noisy
        now = datetime(2026, 11, 28, 3)
        import_incidents(engine, Actor("admin", "admin"), sys.argv[3], now=now)
        print("done", flush=True)
    """
)


@pytest.mark.timeout(120)
def test_a_killed_writer_loses_no_confirmed_report_and_the_file_stays_sound(sqlite_engine):
    url = sqlite_engine.url.render_as_string(hide_password=False)
    path = Path(sqlite_engine.url.database)
    sqlite_engine.dispose()
    confirmed: list[str] = []
    for kills, kill_after in enumerate(KILL_AFTER, start=1):
        confirmed += _run_and_kill(url, "create", lines=kill_after)
        # "Restart": a fresh process opens the file as the app would, WAL recovery included.
        with engine_for(url) as engine, engine.connect() as conn:
            codes = set(conn.execute(select(t.incidents.c.code)).scalars())
            per_incident = conn.execute(
                select(t.incident_events.c.incident_id, func.count()).group_by(
                    t.incident_events.c.incident_id
                )
            ).all()
        assert _integrity(path) == "ok"
        assert set(confirmed) <= codes, "a report the caller was told about is gone"
        # Each kill may land between a commit and its confirmation: one unconfirmed report per kill.
        assert len(codes) - len(confirmed) <= kills, "only the report in flight may be unconfirmed"
        # Never half a report: each has its CREATE and FORWARD events, no event is orphaned.
        assert len(per_incident) == len(codes)
        assert all(count == 2 for _, count in per_incident)
    print(f"crash: {len(KILL_AFTER)} SIGKILLs, {len(confirmed)} confirmed reports all present")


@pytest.mark.timeout(120)
def test_an_import_killed_halfway_leaves_nothing_behind(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    before = row_counts(engine)
    engine.dispose()
    source = tmp_path / "platform.json"
    source.write_text(json.dumps([_record(i) for i in range(IMPORT_ROWS)]))
    lines = _run_and_kill(url, "import", str(source), lines=1)
    assert lines == ["written"], "not killed inside the import's transaction"
    with engine_for(url) as fresh:
        assert row_counts(fresh) == before
    if engine.dialect.name == "sqlite":
        assert _integrity(Path(engine.url.database)) == "ok"


def _run_and_kill(url: str, mode: str, *extra: str, lines: int) -> list[str]:
    """Start the writer, read `lines` confirmations, SIGKILL it; return what it confirmed."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, mode, *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    confirmed: list[str] = []
    try:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        while len(confirmed) < lines:
            line = process.stdout.readline()
            if not line:
                pytest.fail(f"writer ended early: {process.stderr.read()[-2000:]}")
            confirmed.append(line.strip())
        process.send_signal(signal.SIGKILL)
        # Lines already in the pipe were confirmed before the kill: they count too.
        rest, _ = process.communicate(timeout=30)
        confirmed += [line for line in rest.splitlines() if line.strip()]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    return confirmed


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _record(n: int) -> dict:
    return {
        "external_id": f"CRASH-{n:05d}",
        "received_at": "2026-11-28T08:15:00+07:00",
        "category": "ROB",
        "kondisi": f"Rob masuk rumah nomor {n}",
        "lat": -6.8680,
        "lon": 109.6880,
        "address": "Jl. Pelita",
        "caller_phone": "081234567890",
    }


def test_an_import_failing_halfway_inside_its_transaction_writes_nothing(
    engine, tmp_path, monkeypatch
):
    source = tmp_path / "platform.json"
    source.write_text(json.dumps([_record(i) for i in range(20)]))
    insert = svc._insert_incidents
    written: list[svc.Recorded] = []

    def failing_halfway(conn, actor, reports, *, now):
        written.extend(insert(conn, actor, reports[:10], now=now))
        # What a dropped connection looks like to the importer.
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(svc, "_insert_incidents", failing_halfway)
    before = row_counts(engine)
    with pytest.raises(OperationalError):
        import_incidents(engine, ADMIN_USER, source, now=NOW)
    assert len(written) == 10, "the failure did not come half-way"
    assert row_counts(engine) == before
    monkeypatch.setattr(svc, "_insert_incidents", insert)
    # Once the database answers again, the same file goes in whole.
    assert import_incidents(engine, ADMIN_USER, source, now=NOW).inserted == 20
