"""`python -m dashboard backup` and `restore`: a round trip keeps every table whole, both DBs."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Table, inspect, select, text
from sqlalchemy.exc import DBAPIError

from dashboard import auth, demo
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.backup import backup_database, restore_database
from dashboard.catalogue import set_setting
from dashboard.domain import CALL_TAKER
from dashboard.errors import BackupError
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, new_report
from tests.helpers.databases import engine_for, fresh_pg_database

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 28, 3, 0, 0)


@pytest.fixture
def filled(engine):
    """A database in use: a few demo days, a user, a wall token, a changed setting."""
    demo.seed_demo(engine, days=4, now=NOW)
    auth.create_user(
        engine,
        ADMIN_USER,
        username="ct.fitri",
        full_name="Fitri «112» ✓",
        password="kata-sandi-panjang",
        role=CALL_TAKER,
    )
    auth.create_display_token(engine, ADMIN_USER, name="TV ruang komando")
    set_setting(engine, "refresh_interval_s", 15)
    return engine


@pytest.fixture
def empty_target(engine, tmp_path):
    """A URL on the same backend with nothing in it (not even a schema)."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'pulih.db'}"
        return
    with fresh_pg_database(prefix="siaga_pulih") as url:
        yield url


def test_a_backup_restored_into_an_empty_database_has_every_table_identical(
    filled, empty_target, tmp_path
):
    source_url = filled.url.render_as_string(hide_password=False)
    info = backup_database(source_url, tmp_path / "cadangan" / "siaga.bak")
    assert info.path.is_file() and info.size_bytes > 0
    restored = restore_database(empty_target, info.path)
    with engine_for(empty_target) as target:
        assert restored == len(_table(filled, t.incidents)) > 50
        for name in [*t.metadata.tables, "alembic_version"]:
            assert _table(target, name) == _table(filled, name), f"table {name} differs"
        # The restored database works: new ids follow the old ones, the log stays append-only.
        rec = svc.create_incident(target, CALL_TAKER_ANI, _report(), now=NOW)
        assert rec.id > max(row[0] for row in _table(filled, t.incidents))
        with pytest.raises(DBAPIError), target.begin() as conn:
            conn.execute(text("DELETE FROM incident_events"))


def test_restore_refuses_a_database_in_use_unless_forced(filled, engine, tmp_path):
    url = filled.url.render_as_string(hide_password=False)
    backup = backup_database(url, tmp_path / "siaga.bak").path
    extra = svc.create_incident(filled, CALL_TAKER_ANI, _report(), now=NOW)
    before = _table(filled, t.incidents)
    filled.dispose()
    with pytest.raises(BackupError) as refused:
        restore_database(url, backup)
    assert "tidak kosong" in str(refused.value) and "--force" in str(refused.value)
    assert _table(filled, t.incidents) == before
    filled.dispose()
    restore_database(url, backup, force=True)
    codes = {row[1] for row in _table(filled, t.incidents)}
    assert extra.code not in codes and len(codes) == len(before) - 1


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_is_touched(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    junk = tmp_path / "bukan-cadangan.bak"
    junk.write_bytes(b"PGDMP? no, just text\n" * 50)
    before = _table(engine, t.categories)
    engine.dispose()
    with pytest.raises(BackupError, match="tidak dapat dibaca sebagai cadangan"):
        restore_database(url, junk, force=True)
    assert _table(engine, t.categories) == before
    with pytest.raises(BackupError, match="tidak dapat dibaca"):
        restore_database(url, tmp_path / "tidak-ada.bak", force=True)


def test_the_command_line_backs_up_and_restores_with_indonesian_messages(sqlite_engine, tmp_path):
    demo.seed_demo(sqlite_engine, days=2, now=NOW)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    sqlite_engine.dispose()
    backup = tmp_path / "siaga.bak"
    done = _cli("--database-url", url, "backup", str(backup))
    assert done.returncode == 0 and "Cadangan dibuat" in done.stdout, done.stderr
    target = f"sqlite:///{tmp_path / 'baru.db'}"
    done = _cli("--database-url", target, "restore", str(backup))
    assert done.returncode == 0 and "dipulihkan" in done.stdout, done.stderr
    again = _cli("--database-url", target, "restore", str(backup))
    assert again.returncode == 1
    assert "--force" in again.stderr and "Traceback" not in again.stderr
    forced = _cli("--database-url", target, "restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr
    with engine_for(url) as source, engine_for(target) as restored:
        assert _table(restored, t.incidents) == _table(source, t.incidents)
    helptext = _cli("--help").stdout
    assert "backup" in helptext and "restore" in helptext


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SIAGA_DEMO": "0"}
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _table(engine, table: Table | str) -> list[tuple]:
    """Every row of a table, in primary-key order (or sorted, without one)."""
    name = table if isinstance(table, str) else table.name
    if name == "alembic_version":
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    sql_table = t.metadata.tables[name]
    keys = inspect(engine).get_pk_constraint(name)["constrained_columns"]
    with engine.connect() as conn:
        rows = conn.execute(select(sql_table).order_by(*[sql_table.c[k] for k in keys])).all()
    return [tuple(r) for r in rows]


def _report() -> svc.NewReport:
    return new_report("KEBAKARAN", "Asap dari gudang", (-6.8890, 109.6750), "Jl. Hayam Wuruk")
