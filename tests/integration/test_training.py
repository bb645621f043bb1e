"""Latihan's services on SQLite and PostgreSQL: its own database, accounts, drills, trainer's view,
and the hand-over page read from the live database."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboard import auth, escalation, training, training_library
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.config import Settings, load_settings
from dashboard.db import make_engine
from dashboard.domain import CALL_TAKER, OPD_ADMIN, SUPERVISOR, Actor
from dashboard.errors import InvalidInput, NotFound, PermissionDenied, TrainingDataRejected
from dashboard.training_rules import (
    ACK,
    FORWARD,
    PRANK,
    REASSIGN,
    CallAttempt,
    OpdAction,
    OpdAttempt,
    Scenario,
    SopCard,
)
from tests.conftest import BPBD_ADMIN, CALL_TAKER_ANI, flood_report
from tests.helpers.databases import count_rows

NOW = datetime(2026, 11, 28, 3, 0, 0)  # 10:00 WIB
STARTED = NOW - timedelta(minutes=5)
KRAPYAK = (-6.8680, 109.6880)  # Pekalongan Utara, in the Rob Krapyak zone
# 0.0045 degrees north of it: 497.7 m (pyproj), inside 3 x 300 m but not 300 m.
KRAPYAK_500_M_NORTH = (-6.8635, 109.6880)
BENDAN = (-6.8918, 109.6615)  # Bendan Kergon, Pekalongan Barat
ELSEWHERE = "sqlite:////nonexistent/live-elsewhere.db"

TRAINER = Actor("pelatih", SUPERVISOR, full_name="Pelatih (supervisor)")
CT1 = Actor("latih.ct1", CALL_TAKER)
CT2 = Actor("latih.ct2", CALL_TAKER)
LATIH_DAMKAR = Actor("latih.damkar", OPD_ADMIN, opd_code="DAMKAR")

FLOOD = Scenario(
    code="UJI-BANJIR-KRAPYAK",
    title="Banjir di Krapyak",
    kind="call",
    opening="Pak, air masuk rumah saya!",
    answers={
        "JENIS": "Banjir, air masuk rumah",
        "KONDISI": "Air setinggi lutut, ada lansia di rumah",
        "LOKASI": "Gang belakang masjid, Krapyak",
        "NOMOR": "081234567890",
    },
    caller_phone="081234567890",
    category_code="BANJIR",
    opd_code="BPBD",
    lat=KRAPYAK[0],
    lon=KRAPYAK[1],
    location_hint="alamat",
    kelurahan="Krapyak",
    source="uji integrasi",
)
PRANK_CALL = Scenario(
    code="UJI-PRANK",
    title="Penelepon iseng",
    kind="call",
    opening="Halo, ada kebakaran... hahaha",
    answers={
        "JENIS": "Kebakaran, katanya",
        "KONDISI": "Tidak jelas, penelepon tertawa",
        "LOKASI": "Di mana saja",
        "NOMOR": "081200000000",
    },
    caller_phone="081200000000",
    category_code=None,
    opd_code=None,
    lat=BENDAN[0],
    lon=BENDAN[1],
    location_hint="alamat",
    distractor="PRANK",
    kelurahan="Bendan Kergon",
    source="uji integrasi",
)
# An OPD drill: a fallen tree sent to Damkar that is BPBD's.
TREE = Scenario(
    code="UJI-OPD-POHON",
    title="Pohon tumbang salah alamat",
    kind="opd",
    opening="Pohon tumbang menutup Jl. Patiunus",
    answers={},
    caller_phone="081234567890",
    category_code="POHON_TUMBANG",
    opd_code="BPBD",
    lat=BENDAN[0],
    lon=BENDAN[1],
    location_hint="alamat",
    assigned_opd="DAMKAR",
    kelurahan="Bendan Kergon",
    source="uji integrasi",
)
# Our own card for BANJIR, so the forward target the TIME step uses is known here: 120 s.
BANJIR_CARD = SopCard(
    category_code="BANJIR",
    ask=("Apa yang terjadi?", "Seberapa tinggi airnya?", "Di mana?", "Nomor yang bisa dihubungi?"),
    opd_code="BPBD",
    posts=("Pos BPBD terdekat",),
    target_forward_s=120,
    target_ack_s=180,
    mistakes=("Lupa menanyakan ketinggian air",),
)
FULL_MARKS = CallAttempt(
    asked=frozenset({"JENIS", "KONDISI", "LOKASI", "NOMOR"}),
    outcome=FORWARD,
    category_code="BANJIR",
    opd_code="BPBD",
    lat=KRAPYAK[0],
    lon=KRAPYAK[1],
    kondisi="Air setinggi lutut, ada lansia",
    phone="0812-3456-7890",
    elapsed_s=90,
)
# Asked two questions, no kondisi, the point 498 m off, the wrong OPD, late: 10 of 18.
HALF_MARKS = CallAttempt(
    asked=frozenset({"JENIS", "LOKASI"}),
    outcome=FORWARD,
    category_code="BANJIR",
    opd_code="DAMKAR",
    lat=KRAPYAK_500_M_NORTH[0],
    lon=KRAPYAK_500_M_NORTH[1],
    kondisi="",
    phone="081234567890",
    elapsed_s=200,
)
# The prank recognised after one question: 1 + 4 of 8.
PRANK_SEEN = CallAttempt(asked=frozenset({"JENIS"}), outcome=PRANK, elapsed_s=30)


def training_counts(engine) -> tuple[int, int, int, int]:
    return tuple(
        count_rows(engine, table)
        for table in (
            t.training_scenarios,
            t.training_cards,
            t.training_attempts,
            t.training_attempt_steps,
        )
    )


def prepared(engine):
    training.prepare_training_database(engine, live_url=ELSEWHERE)
    return engine


def with_test_library(engine):
    prepared(engine)
    for scenario in (FLOOD, PRANK_CALL):
        training.add_scenario(
            engine, TRAINER, json.dumps(training_library.scenario_to_json(scenario)), now_utc=NOW
        )
    training.save_card(
        engine, TRAINER, json.dumps(training_library.card_to_json(BANJIR_CARD)), now_utc=NOW
    )
    return engine


def record_call(engine, actor, scenario, attempt, *, drill_id="drill-a", minutes=0):
    return training.record_call_attempt(
        engine,
        actor,
        drill_id=drill_id,
        scenario_code=scenario.code,
        attempt=attempt,
        started_at_utc=STARTED + timedelta(minutes=minutes),
        now_utc=NOW + timedelta(minutes=minutes),
    )


def three_attempts(engine):
    with_test_library(engine)
    record_call(engine, CT1, FLOOD, FULL_MARKS, minutes=0)
    record_call(engine, CT1, FLOOD, HALF_MARKS, minutes=10)
    record_call(engine, CT2, PRANK_CALL, PRANK_SEEN, drill_id="drill-b", minutes=20)


# --- the training database -------------------------------------------------------------------


def test_the_training_database_defaults_to_latihan_db_beside_the_live_file(tmp_path):
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path}/siaga112.db"})
    assert training.training_url(settings) == f"sqlite:///{tmp_path}/latihan.db"


def test_a_postgresql_live_database_puts_the_training_file_in_data_local():
    settings = load_settings({"DATABASE_URL": "postgresql+psycopg://siaga@db.internal/siaga"})
    assert training.training_url(settings).endswith("/data/local/latihan.db")


def test_the_training_url_is_refused_when_it_is_the_live_sqlite_file_spelt_differently(tmp_path):
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/siaga112.db",
            "SIAGA_TRAINING_DATABASE_URL": f"sqlite:///{tmp_path}/./siaga112.db",
        }
    )
    with pytest.raises(InvalidInput, match="tidak boleh sama dengan basis data layanan 112"):
        training.training_url(settings)


def test_a_live_file_named_latihan_db_is_never_its_own_training_database(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/latihan.db", demo=False)
    with pytest.raises(InvalidInput):
        training.training_url(settings)


def test_the_same_postgresql_database_by_another_user_driver_or_host_spelling_is_refused():
    settings = Settings(
        database_url="postgresql+psycopg://siaga:rahasia@localhost/siaga",
        demo=False,
        training_database_url="postgresql://pelatih@127.0.0.1:5432/siaga",
    )
    with pytest.raises(InvalidInput) as refused:
        training.training_url(settings)
    assert "rahasia" not in str(refused.value)
    other = Settings(
        database_url="postgresql+psycopg://siaga@localhost/siaga",
        demo=False,
        training_database_url="postgresql+psycopg://siaga@localhost/siaga_latihan",
    )
    assert training.training_url(other) == "postgresql+psycopg://siaga@localhost/siaga_latihan"


def test_prepare_is_idempotent_and_every_training_account_signs_in_with_the_password(engine):
    prepared(engine)
    prepared(engine)
    with engine.connect() as conn:
        users = conn.execute(
            select(t.users.c.username, t.users.c.role, t.users.c.opd_code).order_by(
                t.users.c.username
            )
        ).all()
    assert [tuple(u) for u in users] == [
        ("latih.bpbd", "opd_admin", "BPBD"),
        ("latih.ct1", "call_taker", None),
        ("latih.ct2", "call_taker", None),
        ("latih.damkar", "opd_admin", "DAMKAR"),
        ("latih.pmi", "opd_admin", "PMI"),
        ("pelatih", "supervisor", None),
    ]
    signed_in = auth.authenticate(engine, "latih.pmi", training.TRAINING_PASSWORD, now=NOW)
    assert (signed_in.role, signed_in.opd_code) == ("opd_admin", "PMI")
    assert training.is_trainer(auth.authenticate(engine, "pelatih", "latihan112", now=NOW))
    assert not training.is_trainer(auth.authenticate(engine, "latih.ct1", "latihan112", now=NOW))


def test_prepare_refuses_the_live_database_and_creates_no_account_there(engine):
    live = engine.url.render_as_string(hide_password=False)
    with pytest.raises(InvalidInput, match="tidak boleh sama"):
        training.prepare_training_database(engine, live_url=live)
    assert count_rows(engine, t.users) == 0


# --- the library -----------------------------------------------------------------------------


def test_a_trainer_adds_a_scenario_and_the_library_then_holds_it_beside_the_files(engine):
    prepared(engine)
    in_files = len(training_library.load_scenarios())
    added = training.add_scenario(
        engine, TRAINER, json.dumps(training_library.scenario_to_json(FLOOD)), now_utc=NOW
    )
    assert added == FLOOD
    scenarios = training.library(engine).scenarios
    assert len(scenarios) == in_files + 1
    assert scenarios["UJI-BANJIR-KRAPYAK"] == FLOOD
    with engine.connect() as conn:
        row = conn.execute(select(t.training_scenarios)).one()
    assert (row.code, row.added_by, row.added_at_utc) == ("UJI-BANJIR-KRAPYAK", "pelatih", NOW)


def test_a_trainee_cannot_add_a_scenario(engine):
    prepared(engine)
    body = json.dumps(training_library.scenario_to_json(FLOOD))
    with pytest.raises(PermissionDenied, match="Hanya pelatih"):
        training.add_scenario(engine, CT1, body)
    assert training_counts(engine) == (0, 0, 0, 0)


def test_broken_json_is_refused_with_where_it_breaks_and_nothing_is_written(engine):
    prepared(engine)
    with pytest.raises(TrainingDataRejected) as refused:
        training.add_scenario(engine, TRAINER, '{"code": "X",\n "title": }')
    assert str(refused.value) == "Teks JSON tidak dapat dibaca: rusak di baris 2 kolom 11."
    assert training_counts(engine) == (0, 0, 0, 0)


def test_a_scenario_code_already_taken_by_the_trainer_or_the_files_is_refused(engine):
    prepared(engine)
    body = json.dumps(training_library.scenario_to_json(FLOOD))
    training.add_scenario(engine, TRAINER, body)
    with pytest.raises(TrainingDataRejected) as refused:
        training.add_scenario(engine, TRAINER, body)
    assert str(refused.value) == "Skenario dengan kode UJI-BANJIR-KRAPYAK sudah ada."
    from_files = next(iter(training_library.load_scenarios().values()))
    with pytest.raises(TrainingDataRejected, match="sudah ada"):
        training.add_scenario(
            engine, TRAINER, json.dumps(training_library.scenario_to_json(from_files))
        )
    assert training_counts(engine) == (1, 0, 0, 0)


def test_a_saved_card_replaces_its_categorys_card_and_an_unknown_category_is_refused(engine):
    prepared(engine)
    body = json.dumps(training_library.card_to_json(BANJIR_CARD))
    training.save_card(engine, TRAINER, body, now_utc=NOW)
    faster = dataclasses.replace(BANJIR_CARD, target_forward_s=90)
    training.save_card(engine, TRAINER, json.dumps(training_library.card_to_json(faster)))
    assert training.library(engine).cards["BANJIR"].target_forward_s == 90
    assert count_rows(engine, t.training_cards) == 1
    unknown = dataclasses.replace(BANJIR_CARD, category_code="TSUNAMI")
    with pytest.raises(TrainingDataRejected, match=r"kategori 'TSUNAMI' .* tidak ada di katalog"):
        training.save_card(engine, TRAINER, json.dumps(training_library.card_to_json(unknown)))
    with pytest.raises(PermissionDenied):
        training.save_card(engine, CT1, body)


# --- drills ----------------------------------------------------------------------------------


def test_a_call_attempt_is_stored_with_each_step_and_the_exact_points(engine):
    with_test_library(engine)
    recorded = record_call(engine, CT1, FLOOD, HALF_MARKS)
    points = {s.step: (s.points, s.max_points) for s in recorded.score.steps}
    # Asked 2 of 4, the right decision, no kondisi, the number, 498 m off a 300 m tolerance
    # (1 of 3), the right category, the wrong OPD, 200 s against the card's 120 s.
    assert points == {
        "ASK_JENIS": (1, 1),
        "ASK_KONDISI": (0, 1),
        "ASK_LOKASI": (1, 1),
        "ASK_NOMOR": (0, 1),
        "OUTCOME": (4, 4),
        "KONDISI": (0, 1),
        "NOMOR": (1, 1),
        "LOCATION": (1, 3),
        "CATEGORY": (2, 2),
        "OPD": (0, 2),
        "TIME": (0, 1),
    }
    assert (recorded.score.points, recorded.score.max_points) == (10, 18)
    with engine.connect() as conn:
        row = conn.execute(select(t.training_attempts)).one()
        steps = conn.execute(
            select(t.training_attempt_steps).order_by(t.training_attempt_steps.c.id)
        ).all()
    assert row.id == recorded.attempt_id
    assert (row.trainee, row.kind, row.scenario_code, row.score, row.max_score) == (
        "latih.ct1",
        "call",
        "UJI-BANJIR-KRAPYAK",
        10,
        18,
    )
    assert (row.started_at_utc, row.submitted_at_utc) == (STARTED, NOW)
    answers = json.loads(row.answers)
    assert (answers["asked"], answers["opd_code"], answers["elapsed_s"]) == (
        ["JENIS", "LOKASI"],
        "DAMKAR",
        200,
    )
    assert [(s.step, bool(s.ok), s.points, s.max_points, s.feedback) for s in steps] == [
        (s.step, s.ok, s.points, s.max_points, s.feedback) for s in recorded.score.steps
    ]
    assert all(s.attempt_id == recorded.attempt_id for s in steps)
    detail = training.attempt_detail(engine, recorded.attempt_id)
    assert (detail.trainee, detail.scenario_title, detail.score) == (
        "latih.ct1",
        "Banjir di Krapyak",
        10,
    )
    assert detail.steps["step"].tolist() == list(points)
    assert detail.steps.loc[detail.steps["step"] == "OPD", "feedback"].item() is not None
    # Nothing leaves the training room: no incident, alert or outbox message came of it.
    with engine.connect() as conn:
        for table in (t.incidents, t.incident_events, t.alerts, t.outbox):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
    # The trainer later reads the very feedback the trainee saw, its numbers included.
    assert detail.result == recorded.score
    assert any(step.detail for step in detail.result.steps)


@pytest.mark.parametrize(
    ("record", "refusal", "message"),
    [
        pytest.param(
            lambda engine: record_call(
                engine, CT1, dataclasses.replace(FLOOD, code="TIDAK-ADA"), FULL_MARKS
            ),
            NotFound,
            "Skenario latihan TIDAK-ADA tidak ditemukan",
            id="at_an_unknown_scenario",
        ),
        pytest.param(
            lambda engine: record_call(engine, CALL_TAKER_ANI, FLOOD, FULL_MARKS),
            PermissionDenied,
            r"ct\.ani bukan akun aktif",
            id="by_someone_without_an_account_in_the_training_database",
        ),
        pytest.param(
            lambda engine: training.record_opd_attempt(
                engine,
                LATIH_DAMKAR,
                drill_id="drill-c",
                scenario_code=FLOOD.code,
                attempt=OpdAttempt(()),
                started_at_utc=STARTED,
            ),
            InvalidInput,
            "bukan latihan Penanganan OPD",
            id="of_a_call_scenario_as_an_opd_drill",
        ),
    ],
)
def test_an_attempt_that_cannot_be_recorded_is_refused_and_writes_nothing(
    engine, record, refusal, message
):
    with_test_library(engine)
    before = training_counts(engine)
    with pytest.raises(refusal, match=message):
        record(engine)
    assert training_counts(engine) == before


def test_an_opd_attempt_that_handled_first_and_sent_it_to_the_wrong_opd_scores_two_of_six(
    engine,
):
    with_test_library(engine)
    training.add_scenario(engine, TRAINER, json.dumps(training_library.scenario_to_json(TREE)))
    attempt = OpdAttempt(
        (
            OpdAction(ACK, at_s=30),
            OpdAction(REASSIGN, at_s=60, to_opd="PMI", reason="Bukan tugas Damkar"),
        )
    )
    recorded = training.record_opd_attempt(
        engine,
        LATIH_DAMKAR,
        drill_id="drill-c",
        scenario_code="UJI-OPD-POHON",
        attempt=attempt,
        started_at_utc=STARTED,
        now_utc=NOW,
    )
    assert (recorded.score.points, recorded.score.max_points) == (2, 6)
    detail = training.attempt_detail(engine, recorded.attempt_id)
    assert (detail.kind, detail.trainee) == ("opd", "latih.damkar")
    assert detail.steps.values.tolist() == [
        ["REASSIGN", False, 2, 4, "REASSIGN_WRONG_OPD"],
        ["NO_HANDLING", False, 0, 2, "HANDLED_NOT_THEIRS"],
    ]
    assert detail.answers == {
        "actions": [
            {"action": "ACK", "at_s": 30, "to_opd": None, "reason": ""},
            {"action": "REASSIGN", "at_s": 60, "to_opd": "PMI", "reason": "Bukan tugas Damkar"},
        ]
    }


# --- the trainer's view ----------------------------------------------------------------------


def test_the_trainer_sees_each_attempts_score_of_its_maximum_and_percent(engine):
    three_attempts(engine)
    scores = training.trainee_scores(engine)
    assert scores[
        ["trainee", "scenario_code", "scenario_title", "kind", "score", "max_score", "percent"]
    ].values.tolist() == [
        ["latih.ct1", "UJI-BANJIR-KRAPYAK", "Banjir di Krapyak", "call", 18, 18, 100.0],
        ["latih.ct1", "UJI-BANJIR-KRAPYAK", "Banjir di Krapyak", "call", 10, 18, 55.6],
        ["latih.ct2", "UJI-PRANK", "Penelepon iseng", "call", 5, 8, 62.5],
    ]
    assert scores["submitted_at_utc"].tolist() == [
        NOW,
        NOW + timedelta(minutes=10),
        NOW + timedelta(minutes=20),
    ]
    assert scores["trainee_name"].tolist()[-1] == "Peserta latihan 2 (petugas 112)"


def test_the_steps_missed_most_come_first_with_their_exact_shares(engine):
    three_attempts(engine)
    misses = training.step_misses(engine)
    # Kondisi and nomor questions: missed by the half-marks call and the prank (2 of 3); the
    # half-marks call alone misses kondisi, location, OPD and time (1 of the 2 forwards);
    # the prank skipped the location question (1 of 3).
    assert misses[["step", "attempts", "missed"]].values.tolist() == [
        ["ASK_KONDISI", 3, 2],
        ["ASK_NOMOR", 3, 2],
        ["KONDISI", 2, 1],
        ["LOCATION", 2, 1],
        ["OPD", 2, 1],
        ["TIME", 2, 1],
        ["ASK_LOKASI", 3, 1],
        ["ASK_JENIS", 3, 0],
        ["CATEGORY", 2, 0],
        ["NOMOR", 2, 0],
        ["OUTCOME", 3, 0],
    ]
    assert misses["share_missed"].tolist()[:3] == [2 / 3, 2 / 3, 1 / 2]
    per_trainee = training.step_misses(engine, by_trainee=True)
    ct2 = per_trainee[per_trainee["trainee"] == "latih.ct2"]
    assert ct2[["step", "attempts", "missed", "share_missed"]].values.tolist() == [
        ["ASK_KONDISI", 1, 1, 1.0],
        ["ASK_LOKASI", 1, 1, 1.0],
        ["ASK_NOMOR", 1, 1, 1.0],
        ["ASK_JENIS", 1, 0, 0.0],
        ["OUTCOME", 1, 0, 0.0],
    ]
    ct1_location = per_trainee[
        (per_trainee["trainee"] == "latih.ct1") & (per_trainee["step"] == "LOCATION")
    ]
    assert ct1_location[["attempts", "missed", "share_missed"]].values.tolist() == [[2, 1, 0.5]]


def test_the_export_has_indonesian_headers_wib_times_and_the_missed_steps(engine):
    three_attempts(engine)
    rows = training.export_rows(engine)
    assert list(rows.columns)[:4] == ["No. percobaan", "Sesi latihan", "Peserta", "Nama peserta"]
    second = rows.iloc[1]
    assert second["Selesai (WIB)"] == datetime(2026, 11, 28, 10, 10, 0)
    assert (second["Skor"], second["Skor maksimal"], second["Persentase (%)"]) == (10, 18, 55.6)
    assert second["Jenis latihan"] == "Panggilan (petugas 112)"
    assert second["Langkah terlewat"] == (
        "Tanya kondisi, Tanya nomor, Kondisi dicatat, Lokasi, OPD tujuan, Waktu meneruskan"
    )
    csv_text = training.export_csv(engine).decode("utf-8-sig")
    assert "28-11-2026 10:10:00" in csv_text.splitlines()[2]
    assert training.export_xlsx(engine)[:2] == b"PK"


# --- the hand-over page ----------------------------------------------------------------------


def test_the_handover_lists_exactly_the_opds_open_incidents_rules_escalations_and_cards(engine):
    live = engine
    old = svc.create_incident(
        live,
        CALL_TAKER_ANI,
        flood_report(lat=KRAPYAK[0], lon=KRAPYAK[1]),
        now=NOW - timedelta(days=40),
    )
    escalation.escalate_due(live, now=NOW - timedelta(days=40) + timedelta(seconds=400))
    done = svc.acknowledge(
        live, BPBD_ADMIN, old.id, seen_version=old.version, now=NOW - timedelta(days=39)
    )
    done = svc.start_handling(
        live, BPBD_ADMIN, old.id, seen_version=done.version, now=NOW - timedelta(days=39)
    )
    svc.resolve(
        live,
        BPBD_ADMIN,
        old.id,
        seen_version=done.version,
        note="Air surut",
        now=NOW - timedelta(days=39),
    )
    waiting = svc.create_incident(
        live, CALL_TAKER_ANI, flood_report(lat=KRAPYAK[0], lon=KRAPYAK[1]), now=NOW
    )
    taken = svc.create_incident(
        live, CALL_TAKER_ANI, flood_report(lat=BENDAN[0], lon=BENDAN[1]), now=NOW
    )
    svc.acknowledge(live, BPBD_ADMIN, taken.id, seen_version=taken.version, now=NOW)
    fire = svc.create_incident(
        live,
        CALL_TAKER_ANI,
        flood_report(lat=BENDAN[0], lon=BENDAN[1], category_code="KEBAKARAN"),
        now=NOW,
    )
    assert fire.opd_code == "DAMKAR"
    # 365 s: BANJIR (120/360 s) and KEBAKARAN (60/300 s) both straight to level 2.
    escalation.escalate_due(live, now=NOW + timedelta(seconds=365))
    before = (count_rows(live, t.incidents), count_rows(live, t.incident_events))
    fire_card = dataclasses.replace(BANJIR_CARD, category_code="KEBAKARAN", opd_code="DAMKAR")
    cards = {"BANJIR": BANJIR_CARD, "KEBAKARAN": fire_card}

    page = training.handover(live, "BPBD", now_utc=NOW + timedelta(minutes=10), cards=cards)

    assert page.opd_name == "BPBD"
    assert sorted(r.code for r in page.open_incidents) == sorted([waiting.code, taken.code])
    assert sorted(page.open_table["Kode"]) == sorted([waiting.code, taken.code])
    assert [(r.category_code, r.kecamatan) for r in page.routing_rules] == [
        ("BANJIR", None),
        ("POHON_TUMBANG", None),
        ("ROB", None),
    ]
    assert page.routing_table["Kecamatan"].tolist() == ["Semua kecamatan"] * 3
    assert page.escalations.values.tolist() == [
        [waiting.code, "Banjir", "28-11-2026 10:06:05", 2, 6, "Diteruskan"],
    ]
    assert page.cards == (BANJIR_CARD,)
    assert (count_rows(live, t.incidents), count_rows(live, t.incident_events)) == before
    damkar = training.handover(live, "DAMKAR", now_utc=NOW + timedelta(minutes=10), cards=cards)
    assert [r.code for r in damkar.open_incidents] == [fire.code]
    assert damkar.escalations["Kode"].tolist() == [fire.code]
    assert damkar.cards == (fire_card,)


def test_the_handover_of_an_unknown_opd_is_refused(engine):
    with pytest.raises(NotFound, match="OPD TIDAKADA tidak ditemukan"):
        training.handover(engine, "TIDAKADA", now_utc=NOW)


def test_a_trainer_adds_a_training_account_that_signs_in_and_a_trainee_cannot(engine):
    training.prepare_training_database(engine, live_url=ELSEWHERE)
    trainer = auth.authenticate(engine, "pelatih", training.TRAINING_PASSWORD)
    trainee = auth.authenticate(engine, "latih.ct1", training.TRAINING_PASSWORD)
    training.add_trainee(
        engine,
        trainer,
        username="latih.rina",
        full_name="Rina (petugas baru)",
        role="call_taker",
        password="rotasi-2026-ok",
    )
    rina = auth.authenticate(engine, "latih.rina", "rotasi-2026-ok")
    assert (rina.username, rina.role, rina.full_name) == (
        "latih.rina",
        "call_taker",
        "Rina (petugas baru)",
    )
    with pytest.raises(PermissionDenied, match="Hanya pelatih"):
        training.add_trainee(
            engine,
            trainee,
            username="latih.lain",
            full_name="Lain",
            role="call_taker",
            password="rotasi-2026-ok",
        )
    with engine.connect() as conn:
        users = set(conn.execute(select(t.users.c.username)).scalars())
        audited = conn.execute(
            select(t.admin_audit.c.actor).where(t.admin_audit.c.entity_key == "latih.rina")
        ).scalar_one()
    assert "latih.lain" not in users
    assert audited == "pelatih"


# --- a drill in progress (kept for a reload or a second tab) ---------------------------------


def call_progress(engine, **changes) -> training.DrillProgress:
    """Halfway through a two-call drill: the flood call scored, the prank call begun
    (two questions asked, the form partly typed)."""
    with_test_library(engine)
    first = record_call(engine, CT1, FLOOD, FULL_MARKS, drill_id="drill-r")
    return dataclasses.replace(
        training.DrillProgress(
            kind=training.CALL,
            drill_id="drill-r",
            codes=(FLOOD.code, PRANK_CALL.code),
            index=1,
            started_at_utc=STARTED,
            results=((FLOOD.code, first.score),),
            steps=("JENIS", "LOKASI"),
            fields={"category": "BANJIR", "lat": KRAPYAK[0], "kondisi": "Air selutut"},
        ),
        **changes,
    )


def test_a_drill_in_progress_comes_back_as_saved_and_its_time_counts_from_the_first_showing(
    engine,
):
    progress = call_progress(engine)
    assert training.save_progress(engine, CT1, progress, seen_revision=None, now_utc=NOW) == 1
    resumed = training.load_progress(engine, CT1, training.CALL)
    assert resumed == dataclasses.replace(progress, revision=1)
    assert resumed.results[0][1].points == 18
    # Reloaded a minute and a half after the prank call was first shown: 90 s, not 0.
    assert resumed.elapsed_s(STARTED + timedelta(seconds=90)) == 90.0
    # Another trainee, and the same trainee's OPD drill, have nothing to resume.
    assert training.load_progress(engine, CT2, training.CALL) is None
    assert training.load_progress(engine, CT1, training.OPD) is None


def test_an_opd_drill_in_progress_keeps_its_actions_and_their_times(engine):
    prepared(engine)
    progress = training.DrillProgress(
        kind=training.OPD,
        drill_id="drill-o",
        codes=(TREE.code,),
        index=0,
        started_at_utc=STARTED,
        steps=(OpdAction(ACK, 40.0), OpdAction(REASSIGN, 75.5, to_opd="BPBD", reason="Bukan kami")),
        fields={"reason": "Bukan kami"},
    )
    training.save_progress(engine, LATIH_DAMKAR, progress, seen_revision=None, now_utc=NOW)
    resumed = training.load_progress(engine, LATIH_DAMKAR, training.OPD)
    assert resumed.steps == progress.steps
    assert resumed.fields == {"reason": "Bukan kami"}


def test_a_tab_that_saw_an_older_revision_writes_nothing_and_the_kept_drill_stays(engine):
    progress = call_progress(engine)
    training.save_progress(engine, CT1, progress, seen_revision=None, now_utc=NOW)
    # Tab A asks a third question (revision 2); tab B, still on revision 1, asks another.
    tab_a = dataclasses.replace(progress, steps=("JENIS", "LOKASI", "NOMOR"))
    assert training.save_progress(engine, CT1, tab_a, seen_revision=1, now_utc=NOW) == 2
    tab_b = dataclasses.replace(progress, steps=("JENIS", "LOKASI", "KONDISI"))
    assert training.save_progress(engine, CT1, tab_b, seen_revision=1, now_utc=NOW) is None
    assert training.load_progress(engine, CT1, training.CALL) == dataclasses.replace(
        tab_a, revision=2
    )
    # A new drill replaces it; a tab still showing the old drill cannot write over the new one
    # (nor could it after the new drill reached the revision that tab saw).
    fresh = dataclasses.replace(progress, drill_id="drill-s", index=0, results=(), steps=())
    assert training.save_progress(engine, CT1, fresh, seen_revision=None, now_utc=NOW) == 1
    assert training.save_progress(engine, CT1, fresh, seen_revision=1, now_utc=NOW) == 2
    assert training.save_progress(engine, CT1, tab_a, seen_revision=2, now_utc=NOW) is None
    assert training.load_progress(engine, CT1, training.CALL) == dataclasses.replace(
        fresh, revision=2
    )
    assert count_rows(engine, t.training_progress) == 1


def test_a_finished_or_abandoned_drill_leaves_nothing_to_resume_and_its_attempts_stay(engine):
    progress = call_progress(engine)
    training.save_progress(engine, CT1, progress, seen_revision=None, now_utc=NOW)
    training.save_progress(engine, CT2, progress, seen_revision=None, now_utc=NOW)
    # A tab that finished another drill clears only that one.
    training.clear_progress(engine, CT1, training.CALL, drill_id="drill-old")
    assert training.load_progress(engine, CT1, training.CALL) is not None
    training.clear_progress(engine, CT1, training.CALL, drill_id="drill-r")
    assert training.load_progress(engine, CT1, training.CALL) is None
    assert training.load_progress(engine, CT2, training.CALL) is not None
    assert count_rows(engine, t.training_attempts) == 1
    # The other tab, still on revision 1, cannot bring the cleared drill back.
    assert training.save_progress(engine, CT1, progress, seen_revision=1, now_utc=NOW) is None
    assert training.load_progress(engine, CT1, training.CALL) is None


def test_a_drill_in_progress_is_kept_only_in_the_training_database(
    engine, tmp_path, sqlite_template, monkeypatch
):
    live_path = tmp_path / "live.db"
    shutil.copy(sqlite_template, live_path)
    live_url = f"sqlite:///{live_path}"
    monkeypatch.setenv("DATABASE_URL", live_url)
    live = make_engine(live_url)
    try:
        with sqlite3.connect(live_path) as conn:
            before = "\n".join(conn.iterdump())
        progress = call_progress(engine)
        training.save_progress(engine, CT1, progress, seen_revision=None, now_utc=NOW)
        with pytest.raises(InvalidInput, match="tidak boleh sama"):
            training.save_progress(live, CT1, progress, seen_revision=None, now_utc=NOW)
        with sqlite3.connect(live_path) as conn:
            assert "\n".join(conn.iterdump()) == before
        assert count_rows(engine, t.training_progress) == 1
    finally:
        live.dispose()


def test_only_a_training_account_keeps_a_drill_in_progress(engine):
    progress = call_progress(engine)
    with pytest.raises(PermissionDenied):
        training.save_progress(engine, CALL_TAKER_ANI, progress, seen_revision=None, now_utc=NOW)
    assert count_rows(engine, t.training_progress) == 0
