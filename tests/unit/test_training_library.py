"""Latihan's library: the shipped scenarios and SOP cards; every bad document refused by name."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from dashboard.errors import InvalidInput, TrainingDataRejected
from dashboard.training_library import (
    DATA_DIR,
    card_from_json,
    card_to_json,
    load_cards,
    load_scenarios,
    scenario_from_json,
    scenario_to_json,
    validate_scenario,
)
from dashboard.training_rules import SOP_QUESTIONS, Scenario
from geo.layers import load_city
from geo.locate import locate

CATEGORIES = {row["code"]: row for row in csv.DictReader((DATA_DIR / "categories.csv").open())}
OPDS = {row["code"] for row in csv.DictReader((DATA_DIR / "opds.csv").open())}
SCENARIOS = load_scenarios()
CARDS = load_cards()
CALLS = [s for s in SCENARIOS.values() if s.kind == "call"]
DRILLS = [s for s in SCENARIOS.values() if s.kind == "opd"]


def good_call(**changes) -> dict:
    """A complete call scenario as JSON, any field changed or (value ...) removed."""
    obj = {
        "code": "ADM-001",
        "title": "Rob di Panjang Baru",
        "kind": "call",
        "opening": "Air rob masuk rumah, Pak.",
        "answers": {
            "JENIS": "Rob",
            "KONDISI": "Air 30 cm di rumah",
            "LOKASI": "Panjang Baru",
            "NOMOR": "Nomor saya 081234567890",
        },
        "caller_phone": "081234567890",
        "category_code": "ROB",
        "opd_code": "BPBD",
        "lat": -6.8654,
        "lon": 109.6772,
        "location_hint": "alamat",
        "kelurahan": "Panjang Baru",
    }
    obj.update(changes)
    return {k: v for k, v in obj.items() if v is not ...}


def test_the_shipped_library_has_at_least_twenty_scenarios_and_a_card_per_category():
    assert len(SCENARIOS) >= 20
    assert set(CARDS) == set(CATEGORIES)
    assert all(SCENARIOS[code].code == code for code in SCENARIOS)


def test_every_card_goes_to_its_categorys_default_opd_with_the_priority_targets():
    for code, card in CARDS.items():
        assert card.opd_code == CATEGORIES[code]["default_opd"], code
        expected_s = {"1": 60, "2": 90}.get(CATEGORIES[code]["priority"], 120)
        assert card.target_forward_s == expected_s, code
        assert 2 <= len(card.mistakes) <= 4, code
        assert len(card.ask) >= 3 and card.posts, code


def test_every_category_group_and_every_opd_is_the_truth_of_some_scenario():
    groups = {
        CATEGORIES[s.category_code]["group_code"] for s in SCENARIOS.values() if s.category_code
    }
    assert groups == {"gawat_darurat", "gawat_tidak_darurat", "informasi"}
    assert {s.opd_code for s in SCENARIOS.values() if s.opd_code} == OPDS
    assert "RSUD" in OPDS


def test_the_library_holds_at_least_two_of_each_distractor():
    counts = Counter(s.distractor for s in SCENARIOS.values())
    assert counts["PRANK"] >= 2 and counts["DUPLICATE"] >= 2 and counts["SEA"] >= 2
    for s in SCENARIOS.values():
        if s.distractor == "DUPLICATE":
            assert s.duplicate_of in {i.code for i in s.open_incidents}, s.code
            assert len(s.open_incidents) >= 2, s.code  # another open incident to tell apart
        if s.distractor == "SEA":
            assert s.at_sea and s.location_hint == "laut", s.code


def test_places_are_given_as_an_address_an_old_name_a_landmark_and_at_sea():
    hints = {s.location_hint for s in SCENARIOS.values()}
    assert hints == {"alamat", "nama_lama", "landmark", "laut"}


def test_every_true_point_lies_in_its_kelurahan_or_at_sea_on_purpose():
    city = load_city()
    for s in SCENARIOS.values():
        where = locate(s.lat, s.lon, city=city)
        if s.at_sea:
            assert where.at_sea and not where.in_city, s.code
        else:
            assert where.in_city and not where.approximate, s.code
            assert where.kelurahan == s.kelurahan, s.code


def test_every_call_has_the_four_sop_answers_and_its_number_in_the_nomor_answer():
    for s in CALLS:
        assert all(s.answers[q].strip() for q in SOP_QUESTIONS), s.code
        assert s.caller_phone in s.answers["NOMOR"], s.code
        assert s.caller_phone.startswith("08"), s.code


def test_at_least_six_opd_drills_of_which_three_arrive_at_the_wrong_opd():
    assert len(DRILLS) >= 6
    assert sum(s.opd_code != s.assigned_opd for s in DRILLS) >= 3


def test_every_scenario_names_a_source_and_a_laporan_code_shape():
    for s in SCENARIOS.values():
        assert "data/" in s.source or "PEKALONGAN.md" in s.source, s.code
    assert all(code.startswith("LAT-") for code in SCENARIOS)


def test_a_scenario_and_a_card_survive_the_json_round_trip():
    for s in SCENARIOS.values():
        assert scenario_from_json(json.loads(json.dumps(scenario_to_json(s)))) == s
    card = CARDS["KEBAKARAN"]
    assert card_from_json(json.loads(json.dumps(card_to_json(card)))) == card


def test_an_admin_added_scenario_is_loaded_beside_the_files():
    loaded = load_scenarios(extra=[good_call()])
    assert len(loaded) == len(SCENARIOS) + 1
    assert loaded["ADM-001"].answers["LOKASI"] == "Panjang Baru"


def test_an_admin_edited_card_replaces_the_files_card():
    edited = card_to_json(CARDS["ROB"]) | {"target_forward_s": 45}
    assert load_cards(overrides=[edited])["ROB"].target_forward_s == 45


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ("not an object", "Butir ke-1 dari skenario tambahan: harus berupa objek JSON ({ ... })."),
        (good_call(code=...), "Butir ke-1 dari skenario tambahan: kolom 'code' wajib ada."),
        (good_call(code=7), "Butir ke-1 dari skenario tambahan: kolom 'code' harus teks."),
        (good_call(lat="-6.86"), "Skenario ADM-001: kolom 'lat' harus angka."),
        (good_call(lat=True), "Skenario ADM-001: kolom 'lat' harus angka."),
        (good_call(lon=209.5), "Skenario ADM-001: lon 209.5 di luar rentang -180 sampai 180."),
        (good_call(lat=-96.0), "Skenario ADM-001: lat -96.0 di luar rentang -90 sampai 90."),
        (
            good_call(kind="radio"),
            "Skenario ADM-001: kind 'radio' tidak dikenal; harus 'call' (panggilan) atau 'opd'.",
        ),
        (
            good_call(category_code="TSUNAMI"),
            "Skenario ADM-001: kategori 'TSUNAMI' (kolom category_code) tidak ada di katalog "
            "(data/categories.csv).",
        ),
        (
            good_call(opd_code="BASARNAS"),
            "Skenario ADM-001: OPD 'BASARNAS' (kolom opd_code) tidak ada di katalog "
            "(data/opds.csv).",
        ),
        (
            good_call(answers={"JENIS": "Rob", "KONDISI": "Air", "LOKASI": "Panjang Baru"}),
            "Skenario ADM-001: jawaban penelepon untuk pertanyaan NOMOR belum ada.",
        ),
        (
            good_call(caller_phone="12345"),
            "Skenario ADM-001: caller_phone '12345' bukan nomor telepon yang sah.",
        ),
        (good_call(tolerance_m=0), "Skenario ADM-001: kolom 'tolerance_m' harus lebih dari 0."),
        (good_call(colour="red"), "Skenario ADM-001: kolom 'colour' tidak dikenal."),
        (
            good_call(distractor="DUPLICATE", duplicate_of="112-20261201-0099"),
            "Skenario ADM-001: laporan ganda harus menyebut duplicate_of, salah satu kode di "
            "open_incidents.",
        ),
        (
            good_call(kind="opd"),
            "Skenario ADM-001: latihan OPD harus menyebut assigned_opd (OPD penerima).",
        ),
        (
            good_call(code="LAT-001"),
            "Skenario LAT-001: kode ini sudah ada di pustaka skenario; pakai kode lain.",
        ),
    ],
)
def test_a_bad_admin_scenario_is_refused_naming_what_is_wrong(obj, message):
    with pytest.raises(TrainingDataRejected) as refused:
        load_scenarios(extra=[obj])
    assert str(refused.value) == message
    assert isinstance(refused.value, InvalidInput)


@pytest.mark.parametrize(
    ("name", "content", "load", "message"),
    [
        pytest.param(
            "scenarios.json",
            '[\n  {"code": "X",\n  oops}\n]',
            load_scenarios,
            "Berkas scenarios.json bukan JSON yang sah (baris 3, kolom 3).",
            id="not_json_with_its_line_and_column",
        ),
        pytest.param(
            "sop_cards.json",
            '{"KEBAKARAN": {}}',
            load_cards,
            "Berkas sop_cards.json harus berisi daftar JSON ([ ... ]).",
            id="an_object_instead_of_a_list",
        ),
        pytest.param(
            "scenarios.json",
            json.dumps([good_call(), good_call()]),
            load_scenarios,
            "Skenario ADM-001: kode ini dipakai lebih dari sekali; kode harus unik.",
            id="a_scenario_code_repeated",
        ),
    ],
)
def test_a_bad_library_file_is_refused_saying_what_is_wrong(
    tmp_path: Path, name, content, load, message
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrainingDataRejected) as refused:
        load(path)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ask": "Apa yang terbakar?"}, "Kartu SOP KEBAKARAN: kolom 'ask' harus daftar teks."),
        (
            {"opd_code": "BASARNAS"},
            "Kartu SOP KEBAKARAN: OPD 'BASARNAS' (kolom opd_code) tidak ada di katalog "
            "(data/opds.csv).",
        ),
        (
            {"target_forward_s": -5},
            "Kartu SOP KEBAKARAN: kolom 'target_forward_s' harus lebih dari 0.",
        ),
        (
            {"category_code": "TSUNAMI"},
            "Kartu SOP TSUNAMI: kategori 'TSUNAMI' (kolom category_code) tidak ada di katalog "
            "(data/categories.csv).",
        ),
    ],
)
def test_a_bad_card_edit_is_refused_naming_the_card_and_field(changes, message):
    edited = card_to_json(CARDS["KEBAKARAN"]) | changes
    with pytest.raises(TrainingDataRejected) as refused:
        load_cards(overrides=[edited])
    assert str(refused.value) == message


def test_validate_scenario_refuses_a_hand_built_scenario_with_an_unknown_opd():
    scenario = scenario_from_json(good_call())
    bad = Scenario(**{**scenario_to_json(scenario), "open_incidents": (), "assigned_opd": "X"})
    with pytest.raises(TrainingDataRejected, match="OPD 'X' \\(kolom assigned_opd\\)"):
        validate_scenario(bad, set(CATEGORIES), OPDS)
