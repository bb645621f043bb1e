"""Shared fixtures: a migrated, catalogued database on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.catalogue import seed_catalogue
from dashboard.db import make_engine, migrate
from dashboard.domain import ADMIN, CALL_TAKER, OPD_ADMIN, SUPERVISOR, Actor
from dashboard.incidents import NewReport
from tests.helpers import embedded_pg
from tests.helpers.databases import drop_database, pg_url
from tests.helpers.required import unavailable  # re-exported: helpers and tests import it here

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
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    seed_catalogue(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> str:
    """A migrated, catalogued PostgreSQL database used as the template for each test."""
    admin = _pg_admin_engine()
    name = f"siaga_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(pg_url(name))
    migrate(engine)
    seed_catalogue(engine)
    engine.dispose()
    yield name
    drop_database(admin, name)
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A fresh database with the schema and catalogue, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "siaga.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
        return
    template = request.getfixturevalue("pg_template")
    admin = _pg_admin_engine()
    name = f"siaga_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    eng = make_engine(pg_url(name))
    yield eng
    eng.dispose()
    drop_database(admin, name)
    admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path, sqlite_template):
    path = tmp_path / "siaga.db"
    shutil.copy(sqlite_template, path)
    eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


def _pg_admin_engine():
    url = make_url(pg_url("postgres"))
    admin = create_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:
        admin.dispose()
        unavailable(f"PostgreSQL at {url.render_as_string()} not reachable: {type(error).__name__}")
    return admin
