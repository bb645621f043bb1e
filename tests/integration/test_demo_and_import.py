"""Demo history, the 112-platform importer and the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from dashboard import demo
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.catalogue import seed_catalogue
from dashboard.db import make_engine, migrate
from dashboard.domain import OPEN_STATUSES, Targets, row_overdue_reason
from dashboard.errors import ImportRejected, PermissionDenied
from dashboard.importer import import_incidents
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, new_report
from tests.helpers.databases import count_rows

NOW = datetime(2026, 11, 28, 3, 0, 0)
GOOD_ROW = {
    "external_id": "P112-0001",
    "received_at": "2026-11-28T08:15:00+07:00",
    "category": "ROB",
    "kondisi": "Rob masuk rumah 30 cm",
    "lat": -6.86315,
    "lon": 109.67895,
    "address": "Jl. Pelita, Panjang Baru",
    "caller_phone": "081234567890",
}


def frame(engine, sql_table) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(select(sql_table), conn)


def test_a_demo_year_is_realistic_located_and_fully_logged(engine):
    written = demo.seed_demo(engine, days=365, now=NOW)
    incidents = frame(engine, t.incidents)
    events = frame(engine, t.incident_events)
    assert written == len(incidents) > 5000
    # Every incident lies in a real kelurahan of the city.
    assert incidents["kelurahan"].notna().all() and incidents["in_city"].all()
    assert incidents["kelurahan"].nunique() == 27
    # Rob and floods concentrate in the north; Pekalongan Selatan is relatively safe.
    water = incidents[incidents["category_code"].isin(["ROB", "BANJIR"])]
    assert (water["kecamatan"] == "Pekalongan Utara").mean() > 0.5
    assert (water["kecamatan"] == "Pekalongan Selatan").mean() < 0.05
    # Floods peak in the rainy season, fires in the dry season.
    months = pd.to_datetime(incidents["received_at_utc"]).dt.month
    floods = incidents["category_code"] == "BANJIR"
    assert floods[months.isin([12, 1, 2])].mean() > 2 * floods[months.isin([7, 8, 9])].mean()
    fires = incidents["category_code"] == "KEBAKARAN"
    assert fires[months.isin([8, 9])].mean() > 1.5 * fires[months.isin([12, 1])].mean()
    # About a third prank/ghost/not-an-emergency; about one in ten of the rest reassigned.
    nuisance = incidents["cancel_reason"].isin(["PRANK", "GHOST", "BUKAN_DARURAT"]).mean()
    assert 0.25 < nuisance < 0.45
    forwarded = incidents[incidents["first_opd_code"].notna()]
    assert 0.04 < (forwarded["reassign_count"] > 0).mean() < 0.15
    # Every status change is in the event log, and the clock never runs backwards.
    per_incident = events.groupby("incident_id").size()
    logged = per_incident.reindex(incidents["id"]).fillna(0).to_numpy()
    assert (logged == incidents["version"].to_numpy()).all()
    done = incidents[incidents["status"] == "SELESAI"]
    assert (done["resolved_at_utc"] > done["received_at_utc"]).all()
    assert (done["acknowledged_at_utc"] >= done["assigned_at_utc"]).all()
    # The city is not empty at "now": some incidents are still open.
    assert incidents["status"].isin(["BARU", "DITERUSKAN", "DITERIMA", "DITANGANI"]).sum() >= 3


def test_the_demo_is_deterministic(sqlite_engine, tmp_path):
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(other)
    seed_catalogue(other)
    demo.seed_demo(sqlite_engine, days=30, now=NOW)
    demo.seed_demo(other, days=30, now=NOW)
    columns = ["code", "category_code", "lat", "lon", "status", "opd_code", "received_at_utc"]
    pd.testing.assert_frame_equal(
        frame(sqlite_engine, t.incidents)[columns], frame(other, t.incidents)[columns]
    )
    other.dispose()


def test_new_incidents_after_the_demo_continue_the_days_numbering(engine):
    demo.seed_demo(engine, days=3, now=NOW)
    with engine.connect() as conn:
        last = conn.execute(
            select(func.max(t.incidents.c.code)).where(t.incidents.c.code.like("112-20261128-%"))
        ).scalar()
    recorded = svc.create_incident(
        engine,
        CALL_TAKER_ANI,
        new_report("ROB", "Rob", (-6.868, 109.688), "Jl. Pelita"),
        now=NOW,
    )
    assert recorded.code == f"112-20261128-{int(last[-4:]) + 1:04d}"


def test_an_import_is_idempotent_on_external_id(engine, tmp_path):
    path = tmp_path / "incidents.json"
    second = GOOD_ROW | {"external_id": "P112-0002", "category": "kebakaran"}
    path.write_text(json.dumps([GOOD_ROW, second]))
    first_run = import_incidents(engine, ADMIN_USER, path, now=NOW)
    again = import_incidents(engine, ADMIN_USER, path, now=NOW)
    assert (first_run.inserted, first_run.skipped_existing) == (2, 0)
    assert (again.inserted, again.skipped_existing) == (0, 2)
    rows = frame(engine, t.incidents).set_index("external_id")
    assert rows.loc["P112-0001", "received_at_utc"] == pd.Timestamp("2026-11-28 01:15:00")
    assert rows.loc["P112-0001", "kelurahan"] == "Panjang Baru"
    assert rows.loc["P112-0002", "category_code"] == "KEBAKARAN"
    assert set(rows["status"]) == {"BARU"}


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"received_at": "kemarin sore"}, "Waktu tidak sah"),
        ({"lat": "abc"}, "Koordinat tidak sah"),
        ({"caller_phone": "12"}, "Nomor telepon tidak sah"),
        ({"category": "ALIEN"}, "tidak dikenal"),
        ({"lat": -6.2, "lon": 106.8}, "di luar Kota Pekalongan"),
        ({"kondisi": ""}, "kondisi"),
    ],
)
def test_a_bad_csv_row_rejects_the_whole_file_naming_its_line(engine, tmp_path, bad, reason):
    rows = [
        GOOD_ROW,
        GOOD_ROW | {"external_id": "P112-0002"},
        GOOD_ROW | {"external_id": "P112-0003"} | bad,
    ]
    path = tmp_path / "incidents.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    with pytest.raises(ImportRejected, match=reason) as caught:
        import_incidents(engine, ADMIN_USER, path, now=NOW)
    assert str(caught.value).startswith("Baris 4:")  # header is line 1, the third row is line 4
    assert count_rows(engine, t.incidents) == 0 and count_rows(engine, t.incident_events) == 0


def test_malformed_files_are_refused_in_indonesian(engine, tmp_path):
    cases = {
        "broken.json": ("[{", "JSON rusak"),
        "object.json": ('{"a": 1}', "daftar objek"),
        "missing.csv": ("external_id,lat\nx,1\n", "Kolom wajib tidak ada"),
        "empty.csv": (",".join(GOOD_ROW) + "\n", "tidak berisi data"),
        "data.xml": ("<x/>", "Format berkas tidak didukung"),
        "dupe.json": (json.dumps([GOOD_ROW, GOOD_ROW]), "lebih dari sekali"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(ImportRejected, match=message):
            import_incidents(engine, ADMIN_USER, path, now=NOW)
    assert count_rows(engine, t.incidents) == 0


def test_a_call_taker_cannot_import(engine, tmp_path):
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps([GOOD_ROW]))
    with pytest.raises(PermissionDenied):
        import_incidents(engine, CALL_TAKER_ANI, path, now=NOW)


def test_cli_lists_its_commands_with_help():
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "--help"], capture_output=True, text=True, check=True
    )
    for command in (
        "init-db",
        "seed-demo",
        "simulate",
        "import-incidents",
        "import-layer",
        "create-user",
        "create-display-token",
    ):
        assert command in result.stdout


def test_cli_import_of_a_malformed_file_names_the_line_and_changes_nothing(tmp_path):
    db = tmp_path / "cli.db"
    path = tmp_path / "bad.csv"
    pd.DataFrame([GOOD_ROW, GOOD_ROW | {"external_id": "X2", "lat": "utara"}]).to_csv(
        path, index=False
    )
    env = {"DATABASE_URL": f"sqlite:///{db}", "SIAGA_DEMO": "0", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "import-incidents", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "Baris 3: Koordinat tidak sah" in result.stderr
    assert "Tidak ada data yang diubah." in result.stderr
    assert "Traceback" not in result.stderr
    engine = make_engine(f"sqlite:///{db}")
    assert count_rows(engine, t.incidents) == 0
    engine.dispose()


def _overdue_share(engine, now) -> tuple[int, float]:
    with engine.connect() as conn:
        open_rows = conn.execute(
            select(t.incidents).where(t.incidents.c.status.in_(OPEN_STATUSES))
        ).all()
    late = [r for r in open_rows if row_overdue_reason(r, now_utc=now, targets=Targets())]
    return len(open_rows), len(late) / max(len(open_rows), 1)


def test_the_demo_leaves_a_live_present_and_keeps_it_alive(engine):
    # A wall that is all red teaches nothing; one that is empty shows no flow.
    demo.seed_demo(engine, days=30, now=NOW)
    count, share = _overdue_share(engine, NOW)
    assert count >= 8
    assert 0.10 <= share <= 0.40, share
    # Ten minutes of the app running in demo mode (the worker ticks every 30 s, clock injected).
    rng = random.Random(7)
    for tick in range(1, 21):
        demo.keep_alive(engine, interval_s=30, now=NOW + timedelta(seconds=30 * tick), rng=rng)
    count, share = _overdue_share(engine, NOW + timedelta(minutes=10))
    assert count >= 5
    assert 0.10 <= share <= 0.40, share
