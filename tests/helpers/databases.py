"""Fresh databases for tests that need their own (module-scoped, several engines, subprocesses)."""

from __future__ import annotations

import shutil
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from dashboard import tables as t
from dashboard.db import MIGRATIONS_DIR, make_engine
from tests.helpers.embedded_pg import shared_pg_url
from tests.helpers.required import unavailable


def pg_url(database: str) -> str:
    """The shared test server's URL for `database` (password kept: subprocesses need it)."""
    return make_url(shared_pg_url()).set(database=database).render_as_string(hide_password=False)


@contextmanager
def pg_admin() -> Iterator[Engine]:
    """An autocommit engine on the test server's `postgres` database; skips when unreachable."""
    url = pg_url("postgres")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:
        admin.dispose()
        unavailable(f"PostgreSQL at {make_url(url).render_as_string()} not reachable: {error}")
    try:
        yield admin
    finally:
        admin.dispose()


@contextmanager
def fresh_pg_database(template: str | None = None, *, prefix: str = "siaga_r") -> Iterator[str]:
    """A new PostgreSQL database (copied from `template` when given), dropped afterwards.

    Yields its URL.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with pg_admin() as admin:
        with admin.connect() as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        try:
            yield pg_url(name)
        finally:
            drop_database(admin, name)


def drop_database(admin: Engine, name: str) -> None:
    """DROP DATABASE ... WITH (FORCE), tried again while PostgreSQL refuses for a moment.

    FORCE may not end a process of another role: an autovacuum worker (the superuser's) that
    has just entered the throwaway database makes the drop fail for the test role until it
    leaves. A database still there after ten seconds is left behind with a warning: it is a
    test's copy, and failing the test for it would report nothing a user could notice.
    """
    for _ in range(20):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError as error:
            if "must be a member of the role" not in str(error.orig):
                raise
            time.sleep(0.5)
    msg = f"test database {name} left behind: PostgreSQL kept refusing to drop it"
    warnings.warn(msg, stacklevel=2)


def sqlite_copy(template: Path, folder: Path, name: str = "siaga.db") -> str:
    """A copy of the migrated, catalogued SQLite template; returns its URL."""
    path = folder / name
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    """Take the migrated database back to `revision`: what a test of a migration starts from."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def count_rows(engine: Engine, table, *where) -> int:
    """How many rows of `table` meet every condition in `where` (all of them without one)."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def row_counts(engine: Engine) -> tuple[int, int]:
    """(incidents, incident_events): what a refused input must leave unchanged."""
    return count_rows(engine, t.incidents), count_rows(engine, t.incident_events)


def incident_row(engine: Engine, incident_id: int):
    """The stored incidents row, as a service left it."""
    with engine.connect() as conn:
        return conn.execute(select(t.incidents).where(t.incidents.c.id == incident_id)).one()


def incident_events(engine: Engine, incident_id: int) -> list:
    """The incident's event log, oldest first."""
    with engine.connect() as conn:
        return conn.execute(
            select(t.incident_events)
            .where(t.incident_events.c.incident_id == incident_id)
            .order_by(t.incident_events.c.id)
        ).all()
