"""Place search: current and old names, typos, prefixes, facilities and landmarks."""

from __future__ import annotations

import pytest

from geo import search_place
from geo.search import normalize_place_name


def top(city, text: str):
    results = search_place(text, city=city)
    assert results, text
    return results[0]


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_an_empty_query_finds_nothing_without_error(city, text):
    assert search_place(text, city=city) == []


def test_gibberish_finds_nothing(city):
    assert search_place("xyzzy qwerty", city=city) == []


def test_rsud_bendan_finds_the_hospital(city):
    match = top(city, "rsud bendan")
    assert (match.kind, match.name, match.kelurahan) == ("facility", "RSUD Bendan", "Bendan Kergon")
    assert (match.lat, match.lon) == pytest.approx((-6.891536, 109.661999))


@pytest.mark.parametrize(
    ("text", "kelurahan"),
    [
        ("kel. panjang wetan", "Panjang Wetan"),
        ("Kelurahan PANJANG WETAN", "Panjang Wetan"),
        ("pabean", "Padukuhan Kraton"),
        ("kraton lor", "Padukuhan Kraton"),
        ("dukuh", "Padukuhan Kraton"),
        ("pasirsari", "Pasirkratonkramat"),
        ("kertoharjo", "Kuripan Kertoharjo"),
        ("yosorejo", "Kuripan Yosorejo"),
        ("bugisan", "Panjang Wetan"),
        ("clumprit", "Degayu"),
        ("landungsari", "Noyontaansari"),
    ],
)
def test_old_and_current_names_lead_to_the_right_kelurahan(city, text, kelurahan):
    assert top(city, text).kelurahan == kelurahan


def test_an_old_name_says_which_kelurahan_it_became(city):
    match = top(city, "pabean")
    assert match.kind == "alias"
    assert match.note.startswith("nama lama untuk Padukuhan Kraton")


def test_slamaran_offers_both_possible_kelurahan_and_says_it_is_uncertain(city):
    results = [m for m in search_place("slamaran", city=city) if m.name == "Slamaran"]
    assert {m.kelurahan for m in results} == {"Degayu", "Krapyak"}
    assert all("tidak pasti" in m.note for m in results)


def test_sokorejo_is_placed_only_at_kecamatan_level_because_its_merger_is_unverified(city):
    match = top(city, "sokorejo")
    assert (match.kind, match.kelurahan, match.kecamatan) == ("alias", None, "Pekalongan Timur")
    assert "belum terverifikasi" in match.note


@pytest.mark.parametrize(
    ("typo", "name"),
    [
        ("rsud bendn", "RSUD Bendan"),
        ("padukuhan kratn", "Padukuhan Kraton"),
        ("panjang wetn", "Panjang Wetan"),
        ("slamran", "Slamaran"),
        ("noyontaan sari", "Noyontaan Sari"),
        ("PASIR KRATON KRAMAT", "Pasir Kraton Kramat"),
        ("musium batik", "Museum Batik Pekalongan"),
    ],
)
def test_search_tolerates_typos_case_and_spacing(city, typo, name):
    assert top(city, typo).name == name


def test_landmarks_are_found_by_name_and_alternative_name(city):
    assert top(city, "alun alun").name == "Alun-alun Kota Pekalongan"
    assert top(city, "stasiun").name == "Stasiun Pekalongan"
    assert top(city, "PPN Pekalongan").kind == "landmark"
    masjid = top(city, "masjid agung")
    assert masjid.kelurahan == "Kauman" and masjid.lokasi_perkiraan


def test_kecamatan_are_found_with_the_kec_prefix(city):
    match = top(city, "Kec. Pekalongan Selatan")
    assert (match.kind, match.name) == ("kecamatan", "Pekalongan Selatan")


def test_results_are_ranked_and_limited(city):
    results = search_place("puskesmas", city=city, limit=3)
    assert len(results) == 3
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_every_alias_resolves_to_its_kelurahan(city):
    for row in city.aliases.to_dict("records"):
        results = search_place(row["alias"], city=city, limit=10)
        aliases = [m for m in results if m.kind == "alias" and m.name == row["alias"]]
        assert aliases, row["alias"]
        if row["kelurahan"]:
            assert row["kelurahan"] in {m.kelurahan for m in aliases}, row["alias"]
        else:
            assert {m.kecamatan for m in aliases} == {row["kecamatan"]}, row["alias"]
        assert all(m.score == 100.0 for m in aliases)


def test_normalisation_drops_prefixes_punctuation_and_accents():
    assert normalize_place_name("Kel. Panjang-Wetan") == "panjang wetan"
    assert normalize_place_name("Jl. Jetayu No.1") == "jetayu no 1"
    assert normalize_place_name("Masjid Al-Jāmi'") == "masjid al jami"
    assert normalize_place_name("kelurahan") == "kelurahan"
