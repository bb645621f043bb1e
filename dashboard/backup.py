"""Backup and restore: SQLite by the online backup API, PostgreSQL by pg_dump/pg_restore."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from dashboard import labels
from dashboard import tables as t
from dashboard.db import make_engine
from dashboard.errors import BackupError

# Tables whose rows make a database "in use": restoring over them needs --force. A database that
# holds only the schema and the catalogue (what init-db --no-demo leaves) may be restored into.
_CONTENT_TABLES = ("incidents", "incident_events", "users")
_PG_TIMEOUT_S = 3600


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size_bytes: int


def backup_database(url: str, path: Path | str) -> BackupInfo:
    """Write a consistent copy of the database at `url` to `path` while the app keeps running.

    SQLite: the online backup API (a page-by-page copy of one snapshot, WAL included).
    PostgreSQL: `pg_dump --format=custom` (one snapshot; restore with restore_database).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_path(parsed), target)
    else:
        _run_pg("pg_dump", parsed, ["--format=custom", "--no-owner", f"--file={target}"])
    return BackupInfo(target, target.stat().st_size)


def restore_database(url: str, path: Path | str, *, force: bool = False) -> int:
    """Replace the database at `url` with the backup at `path`; returns the incidents restored.

    Refused (BackupError, Indonesian) when the backup is not readable or when the database already
    holds incidents, events or users, unless `force`. The replacement is all-or-nothing.
    """
    source = Path(path)
    parsed = make_url(url)
    if not source.is_file():
        raise BackupError(labels.ERR_BACKUP_FILE.format(path=source))
    _check_backup(parsed, source)
    if not force:
        _refuse_if_in_use(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_restore(source, _sqlite_path(parsed, must_exist=False))
    else:
        _run_pg(
            "pg_restore",
            parsed,
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(source),
            ],
        )
    return _count_incidents(url)


def add_commands(subparsers) -> None:
    """Register `backup` and `restore` on the `python -m dashboard` command line."""
    cmd = subparsers.add_parser(
        "backup",
        help="write a consistent copy of the database while the app runs "
        "(SQLite: online backup API; PostgreSQL: pg_dump custom format)",
    )
    cmd.add_argument("file", type=Path, help="where to write the backup (e.g. cadangan/siaga.bak)")
    cmd.set_defaults(handler=_backup_command)

    cmd = subparsers.add_parser(
        "restore",
        help="replace the database with a backup; refuses a database in use unless --force",
    )
    cmd.add_argument("file", type=Path, help="a file written by `backup`")
    cmd.add_argument(
        "--force",
        action="store_true",
        help="overwrite a database that already holds incidents or users",
    )
    cmd.set_defaults(handler=_restore_command)


def find_pg_tool(name: str) -> str:
    """pg_dump/pg_restore on PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise BackupError(labels.ERR_BACKUP_TOOL.format(tool=name))
    return candidates[-1]


# --- private helpers -------------------------------------------------------------------------


def _backup_command(engine, args, settings) -> int:
    info = backup_database(engine.url.render_as_string(hide_password=False), args.file)
    print(labels.DONE_BACKUP.format(path=info.path, size_kb=info.size_bytes / 1024))
    return 0


def _restore_command(engine, args, settings) -> int:
    engine.dispose()  # the restore replaces what this engine's connections would see
    count = restore_database(
        engine.url.render_as_string(hide_password=False), args.file, force=args.force
    )
    print(labels.DONE_RESTORE.format(path=args.file, count=count))
    return 0


def _sqlite_path(url: URL, *, must_exist: bool = True) -> Path:
    database = url.database or ""
    if database in {"", ":memory:"}:
        raise BackupError(labels.ERR_BACKUP_SOURCE.format(path=database or ":memory:"))
    path = Path(database)
    if must_exist and not path.is_file():
        raise BackupError(labels.ERR_BACKUP_SOURCE.format(path=path))
    return path


def _sqlite_backup(source: Path, target: Path) -> None:
    # Written next to the target and renamed: a failed backup never leaves half a file behind.
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=15)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    os.replace(partial, target)


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=15)
    try:
        # The backup API replaces every page of the target under one lock: readers see the old
        # database or the restored one, never a mix. The app's WAL mode is kept.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


def _check_backup(url: URL, source: Path) -> None:
    if url.get_backend_name() == "sqlite":
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as conn:
                ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError:
            ok, tables = False, set()
        if not ok or "incidents" not in tables:
            raise BackupError(labels.ERR_BACKUP_FILE.format(path=source))
        return
    listing = _run_pg("pg_restore", None, ["--list", str(source)], check=False)
    if listing.returncode != 0 or " incidents " not in listing.stdout:
        raise BackupError(labels.ERR_BACKUP_FILE.format(path=source))


def _refuse_if_in_use(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return
    engine = make_engine(url)
    try:
        present = set(inspect(engine).get_table_names())
        counts = {}
        with engine.connect() as conn:
            for name in _CONTENT_TABLES:
                if name in present:
                    table = t.metadata.tables[name]
                    counts[name] = conn.execute(select(func.count()).select_from(table)).scalar()
    except SQLAlchemyError as error:
        reason = type(error).__name__
        raise BackupError(labels.ERR_BACKUP_FAILED.format(tool="restore", reason=reason)) from None
    finally:
        engine.dispose()
    if any(counts.values()):
        raise BackupError(
            labels.ERR_RESTORE_NOT_EMPTY.format(
                count=counts.get("incidents", 0), users=counts.get("users", 0)
            )
        )


def _count_incidents(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.incidents)).scalar_one()
    finally:
        engine.dispose()


def _run_pg(
    tool: str, url: URL | None, arguments: list[str], *, check: bool = True
) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client tool; the password goes through the environment, not argv."""
    command = [find_pg_tool(tool)]
    env = dict(os.environ)
    if url is not None:
        libpq = url.set(drivername="postgresql", password=None)
        command.append(f"--dbname={libpq.render_as_string(hide_password=False)}")
        if url.password is not None:
            env["PGPASSWORD"] = str(url.password)
    command += arguments
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=_PG_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BackupError(labels.ERR_BACKUP_FAILED.format(tool=tool, reason=error)) from None
    if check and done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(
            labels.ERR_BACKUP_FAILED.format(tool=tool, reason=reason[-1] if reason else "?")
        )
    return done
