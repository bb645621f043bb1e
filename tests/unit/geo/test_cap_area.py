"""CAP polygons and place names: rings, refusals, does a warning touch Kota Pekalongan."""

from __future__ import annotations

import pytest

from geo.cap_area import (
    PolygonRefused,
    kecamatan_under,
    named_places,
    parse_polygon,
    ring_intersects_city,
)

# The description of the real BMKG Jawa Tengah sample (tests/fixtures/cap/cap_jateng.xml).
JATENG_DESCRIPTION = (
    "Hujan lebat disertai petir akan terjadi pada 16 February 2026, 22:00 WIB di sebagian "
    "wilayah Jawa Tengah, khususnya di Wiradesa, Kajen, Karanganyar, Pekalongan.\n"
    " Kondisi ini berpotensi menimbulkan dampak berupa jarak pandang berkurang, angin kencang, "
    "dan banjir lokal.\n"
    " Kondisi diperkirakan dapat berlangsung hingga 17 February 2026, 01:00 WIB."
)


def test_a_cap_polygon_becomes_a_geojson_ring_in_lon_lat_order():
    ring = parse_polygon("-6.89,109.67 -6.88,109.68 -6.87,109.69 -6.89,109.67")
    assert ring == [[109.67, -6.89], [109.68, -6.88], [109.69, -6.87], [109.67, -6.89]]


def test_pairs_may_be_separated_by_line_breaks_and_several_spaces():
    ring = parse_polygon("\n  -7.1,110.1\t-7.2,110.2   -7.3,110.1\n-7.1,110.1 ")
    assert ring == [[110.1, -7.1], [110.2, -7.2], [110.1, -7.3], [110.1, -7.1]]


def test_a_ring_whose_last_pair_is_not_the_first_is_closed():
    ring = parse_polygon("-7.1,110.1 -7.2,110.2 -7.3,110.1")
    assert ring == [[110.1, -7.1], [110.2, -7.2], [110.1, -7.3], [110.1, -7.1]]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("-7.1,110.1", 1),
        ("-7.1,110.1 -7.2,110.2 -7.1,110.1", 2),
        ("-7,110 -7,110 -7,110 -7,110", 1),
    ],
)
def test_a_point_or_a_segment_is_refused_as_too_few_points(text, count):
    with pytest.raises(PolygonRefused) as refused:
        parse_polygon(text)
    assert str(refused.value) == (f"hanya {count} titik berbeda; sebuah wilayah perlu minimal 3.")


def test_an_empty_polygon_is_refused():
    with pytest.raises(PolygonRefused) as refused:
        parse_polygon("   ")
    assert str(refused.value) == 'kosong, tidak ada pasangan koordinat "lintang,bujur".'


def test_lon_lat_written_in_geojson_order_is_refused_as_swapped_naming_the_pair():
    with pytest.raises(PolygonRefused) as refused:
        parse_polygon("109.67,-6.89 109.68,-6.88 109.69,-6.87 109.67,-6.89")
    assert str(refused.value).startswith("lat,lon tertukar pada pasangan ke-1 (109.67,-6.89)")


def test_a_latitude_out_of_range_is_refused_naming_the_pair():
    with pytest.raises(PolygonRefused) as refused:
        parse_polygon("-6.9,109.6 -96.9,109.7 -6.8,109.7 -6.9,109.6")
    assert str(refused.value) == ("lintang di luar -90..90 pada pasangan ke-2 (-96.9,109.7).")


def test_a_longitude_out_of_range_is_refused_naming_the_pair():
    with pytest.raises(PolygonRefused) as refused:
        parse_polygon("-6.9,109.6 -6.8,209.7 -6.8,109.7 -6.9,109.6")
    assert str(refused.value) == ("bujur di luar -180..180 pada pasangan ke-2 (-6.8,209.7).")


@pytest.mark.parametrize("pair", ["-6.9;109.6", "-6.9,109.6,0", "nan,109.6", "-6.9,inf", "a,b"])
def test_a_pair_that_is_not_two_numbers_is_refused_naming_it(pair):
    with pytest.raises(PolygonRefused) as refused:
        parse_polygon(f"-6.8,109.7 {pair} -6.8,109.6 -6.8,109.7")
    assert str(refused.value) == (f'pasangan ke-2 ({pair}) bukan "lintang,bujur" berupa dua angka.')


def test_the_bmkg_sample_ring_inside_the_city_intersects_it(city):
    ring = parse_polygon("-6.89,109.67 -6.88,109.68 -6.87,109.69 -6.89,109.67")
    assert ring_intersects_city(ring, city=city)


def test_a_province_wide_ring_around_the_whole_city_intersects_it(city):
    ring = parse_polygon("-6.5,109.0 -6.5,110.5 -7.5,110.5 -7.5,109.0 -6.5,109.0")
    assert ring_intersects_city(ring, city=city)


def test_a_ring_in_jawa_timur_does_not_intersect_the_city(city):
    ring = parse_polygon("-7.20,112.60 -7.20,112.80 -7.40,112.80 -7.40,112.60 -7.20,112.60")
    assert not ring_intersects_city(ring, city=city)


def test_a_ring_in_the_kabupaten_west_of_the_city_does_not_intersect_it(city):
    # Wiradesa, about 8 km west of the city's western edge (109.64 E).
    ring = parse_polygon("-6.87,109.58 -6.87,109.62 -6.91,109.62 -6.91,109.58 -6.87,109.58")
    assert not ring_intersects_city(ring, city=city)


def test_a_self_crossing_ring_over_the_city_still_intersects_it(city):
    ring = parse_polygon("-6.85,109.64 -6.93,109.72 -6.85,109.72 -6.93,109.64 -6.85,109.64")
    assert ring_intersects_city(ring, city=city)


def test_the_real_jawa_tengah_description_names_no_place_of_the_city(city):
    # Wiradesa, Kajen, Karanganyar are the Kabupaten's; a bare "Pekalongan" is ambiguous.
    assert named_places(JATENG_DESCRIPTION, city=city) == ()


def test_kecamatan_and_multi_word_kelurahan_are_named_in_order_of_mention(city):
    text = "khususnya di Batang, Panjang Wetan, Pekalongan Utara dan Kuripan Yosorejo."
    assert named_places(text, city=city) == (
        "Panjang Wetan",
        "Pekalongan Utara",
        "Kuripan Yosorejo",
    )


def test_names_match_whatever_the_case_punctuation_and_line_breaks(city):
    text = "PEKALONGAN-UTARA;\npanjang\n wetan"
    assert named_places(text, city=city) == ("Pekalongan Utara", "Panjang Wetan")


def test_a_name_inside_a_longer_word_is_not_a_match(city):
    assert named_places("Tirtoyudo, Medonowati, Setonoharjo, Degayuan", city=city) == ()


def test_only_part_of_a_multi_word_name_is_not_a_match(city):
    assert named_places("Panjang, Wetan, Kuripan, Pekalongan Kidul", city=city) == ()


def test_the_kabupaten_never_names_the_city_but_kota_pekalongan_does(city):
    assert named_places("Kabupaten Pekalongan, Kab. Pekalongan, Pekalongan", city=city) == ()
    assert named_places("Kab. Batang dan Kota Pekalongan", city=city) == ("Kota Pekalongan",)


def test_a_kabupaten_kecamatan_that_is_also_a_city_kelurahan_needs_kelurahan_before_it(city):
    # Tirto and Buaran are kecamatan of the Kabupaten; Tirto is also a kelurahan of the city.
    assert named_places("Wiradesa, Tirto, Buaran, Kedungwuni", city=city) == ()
    assert named_places("Kelurahan Tirto dan Kel. Buaran", city=city) == (
        "Tirto",
        "Buaran Kradenan",
    )


def test_a_city_name_that_is_a_kecamatan_elsewhere_needs_kelurahan_before_it(city):
    assert named_places("Kauman, Poncol, Klego, Tegalrejo", city=city) == ()
    assert named_places("Kel. Poncol", city=city) == ("Poncol",)


def test_old_names_and_kampung_are_reported_as_the_kelurahan_they_belong_to(city):
    text = "Kampung Bugisan, Kraton Lor, Landungsari, Kalibaros"
    assert named_places(text, city=city) == (
        "Panjang Wetan",
        "Padukuhan Kraton",
        "Noyontaansari",
        "Kali Baros",
    )


def test_an_alias_of_uncertain_kelurahan_is_reported_as_its_kecamatan(city):
    # Slamaran lies between Krapyak and Degayu; Sugihwaras's new kelurahan is unverified.
    assert named_places("Slamaran dan Sokorejo", city=city) == (
        "Pekalongan Utara",
        "Pekalongan Timur",
    )


def test_the_longer_name_wins_and_a_place_is_listed_once(city):
    text = "Kuripan Kertoharjo, Kertoharjo, Pekalongan Selatan, pekalongan selatan"
    assert named_places(text, city=city) == ("Kuripan Kertoharjo", "Pekalongan Selatan")


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_text_names_nothing(city, text):
    assert named_places(text, city=city) == ()


def test_a_ring_over_the_city_names_the_kecamatan_under_it_and_one_at_sea_names_none(city):
    # The BMKG sample's triangle: three points in a row across the north of the city.
    sample = [[109.67, -6.89], [109.68, -6.88], [109.69, -6.87], [109.67, -6.89]]
    assert kecamatan_under(sample, city=city) == (
        "Pekalongan Barat",
        "Pekalongan Timur",
        "Pekalongan Utara",
    )
    at_sea = [[109.60, -6.70], [109.62, -6.70], [109.62, -6.72], [109.60, -6.70]]
    assert kecamatan_under(at_sea, city=city) == ()
