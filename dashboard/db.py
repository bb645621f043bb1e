"""Engines and schema: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL, via Alembic."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000

T = TypeVar("T")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; SQLite gets the pragmas and write locking several sessions need."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)
    database = parsed.database or ""
    in_memory = database in {"", ":memory:"}
    if not in_memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict = {"echo": echo}
    if in_memory:
        kwargs |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        kwargs |= {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
    engine = create_engine(url, **kwargs)
    _configure_sqlite(engine, wal=not in_memory)
    return engine


def reading(engine: Engine) -> Connection:
    """A connection for reads only: on SQLite a deferred transaction (it takes no write lock, so
    live views and walls never queue behind the call-takers' writes, nor each other)."""
    return engine.connect().execution_options(deferred_read=True)


def from_row(cls: type[T], row: Any, **values: Any) -> T:
    """The dataclass `cls` from a result row: `values` give the fields worked out from it, every
    other field is the row's column of the same name (a read model copies most of its row)."""
    copied = {f.name: getattr(row, f.name) for f in fields(cls) if f.name not in values}
    return cls(**copied, **values)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (run at every start; cheap when current)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("incidents")


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # pysqlite's own transaction handling is turned off so that BEGIN IMMEDIATE below
        # takes the write lock up front: two writers then queue instead of failing late.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A long read (the trend report) asks for a deferred transaction instead: in WAL mode
        # it reads one snapshot and never holds the write lock call-takers are waiting for.
        if connection.get_execution_options().get("deferred_read"):
            connection.exec_driver_sql("BEGIN")
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE")
