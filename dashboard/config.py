"""Run-time settings read from the environment, with the embedded defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

REPO_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_DIR / "data"
LOCAL_DIR = DATA_DIR / "local"
DEFAULT_SQLITE_PATH = LOCAL_DIR / "siaga112.db"
# The city's OpenStreetMap road extract, used when present (README "Jalan (routing by road)").
DEFAULT_ROADS_FILE = LOCAL_DIR / "jalan.osm"
# Latihan's own database file, beside a live SQLite file (else in LOCAL_DIR): dashboard.training.
TRAINING_SQLITE_NAME = "latihan.db"


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo: bool
    # The built-in keep-alive of the demo city (dashboard.demo.keep_alive): demo mode only.
    demo_live: bool = False
    # A CAP source the worker polls (SIAGA_CAP_URL: a CAP or RSS/Atom index URL; dashboard.cap).
    cap_url: str | None = None
    # The .osm road extract the ETAs route on (SIAGA_ROADS_FILE; dashboard.roads); None: none.
    roads_file: Path | None = None
    # Latihan's database (SIAGA_TRAINING_DATABASE_URL; dashboard.training refuses the live one).
    training_database_url: str = ""


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from DATABASE_URL, SIAGA_DEMO (demo data on by default), SIAGA_DEMO_LIVE and
    SIAGA_CAP_URL (the worker polls it every SIAGA_CAP_INTERVAL_S, dashboard/worker.py) and
    SIAGA_ROADS_FILE (default data/local/jalan.osm when that file exists) and
    SIAGA_TRAINING_DATABASE_URL (default: latihan.db beside a live SQLite file, else in
    data/local)."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL", "").strip() or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    demo = _flag(env.get("SIAGA_DEMO", "1"))
    return Settings(
        database_url=url,
        demo=demo,
        demo_live=demo and _flag(env.get("SIAGA_DEMO_LIVE", "1")),
        cap_url=env.get("SIAGA_CAP_URL", "").strip() or None,
        roads_file=_roads_file(env.get("SIAGA_ROADS_FILE", "")),
        training_database_url=env.get("SIAGA_TRAINING_DATABASE_URL", "").strip()
        or default_training_url(url),
    )


def default_training_url(database_url: str) -> str:
    """latihan.db in the live SQLite file's folder; data/local/latihan.db for an in-memory or
    PostgreSQL live database."""
    folder = LOCAL_DIR
    try:
        parsed = make_url(database_url)
    except ArgumentError:
        # The live engine refuses that URL itself, with its own message; nothing to sit beside.
        return f"sqlite:///{folder / TRAINING_SQLITE_NAME}"
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in {"", ":memory:"}:
        folder = Path(database).expanduser().parent
    return f"sqlite:///{folder / TRAINING_SQLITE_NAME}"


def _roads_file(value: str) -> Path | None:
    # A named file is kept even if missing: the screens then say it is missing.
    if value.strip():
        return Path(value.strip()).expanduser()
    return DEFAULT_ROADS_FILE if DEFAULT_ROADS_FILE.is_file() else None


def _flag(value: str) -> bool:
    return value.strip().lower() not in {"0", "false", "no", "off"}


def demo_days(environ: dict[str, str] | None = None) -> int:
    """Days of demo history seeded on first start (SIAGA_DEMO_DAYS, default a year)."""
    env = os.environ if environ is None else environ
    try:
        return max(1, int(env.get("SIAGA_DEMO_DAYS", "365")))
    except ValueError:
        return 365
