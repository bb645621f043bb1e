"""A private PostgreSQL server for one test module, which a test may stop and start at will.

The shared test server is used by every other test and must never be stopped; outage tests run
their own: initdb into a fresh folder, pg_ctl on a free port with the socket in that folder. As
root the tools run as the `postgres` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.conftest import unavailable
from tests.e2e.harness import free_port


@dataclass
class PrivatePostgres:
    bindir: Path
    folder: Path
    port: int

    @property
    def datadir(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "siaga") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as in a real outage."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        done = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "status")
        return done.returncode == 0

    def create_database(self, name: str = "siaga") -> str:
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _pg_ctl(self, *args: str) -> None:
        done = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args)
        if done.returncode != 0:
            log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
            msg = f"pg_ctl {args[-1]} failed: {done.stderr}\n{log}"
            raise RuntimeError(msg)

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=120, check=False
        )


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """initdb + start a throw-away server; stopped and removed afterwards."""
    bindir = _bindir()
    folder = Path(tempfile.mkdtemp(prefix="siaga-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres", group="postgres")
    server = PrivatePostgres(bindir, folder, free_port())
    done = server._run(
        str(bindir / "initdb"),
        "-D",
        str(server.datadir),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-sync",
    )
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"initdb failed: {done.stderr[-500:]}")
    try:
        server.start()
        yield server
    finally:
        if server.is_running():
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _bindir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    return Path(initdb).parent
