"""Shared fixtures: a migrated, catalogued database on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from dashboard.catalogue import seed_catalogue
from dashboard.db import migrate
from dashboard.domain import ADMIN, CALL_TAKER, OPD_ADMIN, SUPERVISOR, Actor
from dashboard.incidents import NewReport
from tests.helpers import embedded_pg
from tests.helpers.databases import (
    drop_database,
    engine_for,
    fresh_pg_database,
    pg_admin,
    pg_url,
    sqlite_copy,
)
from tests.helpers.required import unavailable  # noqa: F401 - re-exported: tests import it here

CALL_TAKER_ANI = Actor("ct.ani", CALL_TAKER, full_name="Ani")
SUPERVISOR_EKA = Actor("spv.eka", SUPERVISOR, full_name="Eka")
PMI_ADMIN = Actor("opd.pmi", OPD_ADMIN, opd_code="PMI")
BPBD_ADMIN = Actor("opd.bpbd", OPD_ADMIN, opd_code="BPBD")
DAMKAR_ADMIN = Actor("opd.damkar", OPD_ADMIN, opd_code="DAMKAR")
ADMIN_USER = Actor("admin", ADMIN)


def new_report(
    category_code: str, kondisi: str, at: tuple[float, float], address: str, /, **overrides
) -> NewReport:
    """A complete report at `at` (lat, lon), phone 081234567890; any field overridable."""
    values = {
        "category_code": category_code,
        "kondisi": kondisi,
        "lat": at[0],
        "lon": at[1],
        "address": address,
        "caller_phone": "081234567890",
    }
    return NewReport(**(values | overrides))


def flood_report(*, lat: float, lon: float, **overrides) -> NewReport:
    """A complete flood report at (lat, lon): the SOP fields filled, any of them overridable."""
    values = {
        "category_code": "BANJIR",
        "kondisi": "Air masuk rumah setinggi lutut",
        "lat": lat,
        "lon": lon,
        "address": "Jl. Pelita No. 3",
        "caller_phone": "0812 3456 7890",
    }
    return NewReport(**(values | overrides))


def pytest_sessionfinish(session, exitstatus):
    embedded_pg.stop()


def pytest_terminal_summary(terminalreporter):
    line = embedded_pg.summary()
    if line:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    with engine_for(f"sqlite:///{path}") as engine:
        migrate(engine)
        seed_catalogue(engine)
    return path


@pytest.fixture(scope="session")
def pg_template() -> str:
    """A migrated, catalogued PostgreSQL database used as the template for each test."""
    name = f"siaga_tpl_{uuid.uuid4().hex[:8]}"
    with pg_admin() as admin:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        with engine_for(pg_url(name)) as engine:
            migrate(engine)
            seed_catalogue(engine)
        yield name
        drop_database(admin, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A fresh database with the schema and catalogue, on each backend."""
    if request.param == "sqlite":
        yield from _sqlite_engine(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    template = request.getfixturevalue("pg_template")
    with fresh_pg_database(template, prefix="siaga_t") as url, engine_for(url) as eng:
        yield eng


@pytest.fixture
def second_engine(engine, request, tmp_path):
    """A second fresh database on the same backend as `engine` (another Siaga 112's)."""
    if engine.dialect.name == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        yield from _sqlite_engine(template, tmp_path, "second.db")
        return
    with fresh_pg_database(request.getfixturevalue("pg_template")) as url, engine_for(url) as other:
        yield other


@pytest.fixture
def sqlite_engine(tmp_path, sqlite_template):
    yield from _sqlite_engine(sqlite_template, tmp_path)


def _sqlite_engine(template: Path, folder: Path, name: str = "siaga.db") -> Iterator[Engine]:
    with engine_for(sqlite_copy(template, folder, name)) as eng:
        yield eng
