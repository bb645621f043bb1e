"""Reading CAP 1.2 documents (no database): fields, times, rings, every refusal, the judgement."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from dashboard.cap import MAX_DOCUMENT_BYTES, Reference, judge, parse_cap
from dashboard.errors import CapRejected
from geo import default_city

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cap"
JATENG_ID = "2.49.0.1.360.0.2026.02.16.16.45.005"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def jateng(old: str = "", new: str = "") -> bytes:
    """The real Jawa Tengah sample, with one piece of text replaced."""
    text = fixture("cap_jateng.xml").decode()
    if old:
        assert old in text
        text = text.replace(old, new)
    return text.encode()


def without(element: str) -> bytes:
    text = fixture("cap_jateng.xml").decode()
    stripped = re.sub(rf"\s*<{element}>[^<]*</{element}>", "", text, count=1)
    assert stripped != text
    return stripped.encode()


def refusal(body: bytes, source: str = "uji.xml") -> str:
    with pytest.raises(CapRejected) as refused:
        parse_cap(body, source=source)
    return str(refused.value)


def test_the_jawa_tengah_sample_is_read_with_its_times_in_utc():
    message = parse_cap(fixture("cap_jateng.xml"))
    assert (message.identifier, message.sender) == (JATENG_ID, "cuaca.ekstrem@bmkg.go.id")
    assert (message.status, message.msg_type, message.references) == ("Actual", "Alert", None)
    assert (message.event, message.urgency, message.severity, message.certainty) == (
        "Hujan Lebat dan Petir",
        "Expected",
        "Moderate",
        "Likely",
    )
    # 22:00 WIB (+07:00) is 15:00 UTC; expires 01:00 WIB the next day is 18:00 UTC.
    assert message.sent_utc == datetime(2026, 2, 16, 15, 0)
    assert message.effective_utc == datetime(2026, 2, 16, 15, 0)
    assert message.onset_utc is None
    assert message.expires_utc == datetime(2026, 2, 16, 18, 0)
    assert message.headline == "Hujan Lebat disertai Petir di Jawa Tengah"
    assert message.description.startswith("Hujan lebat disertai petir akan terjadi")
    assert message.web == "https://nowcasting.bmkg.go.id/infografis/CJG/2026/02/16/infografis.jpg"
    assert message.area_desc == "Jawa Tengah"
    assert [area.rings for area in message.areas] == [
        ([[109.67, -6.89], [109.68, -6.88], [109.69, -6.87], [109.67, -6.89]],)
    ]


def test_every_area_and_every_polygon_of_a_multi_polygon_alert_is_kept_as_its_own_ring():
    message = parse_cap(fixture("cap_jatim_multi.xml"))
    assert [len(area.rings) for area in message.areas] == [2, 1]
    assert message.areas[0].rings[1] == [
        [112.60, -7.40],
        [112.64, -7.36],
        [112.66, -7.42],
        [112.60, -7.40],
    ]
    assert message.area_desc == "Jawa Timur (Sidoarjo); Jawa Timur (Tulungagung)"


def test_an_update_names_the_alert_it_replaces():
    message = parse_cap(fixture("cap_jateng_update.xml"))
    assert message.msg_type == "Update"
    assert message.referenced == (
        Reference("cuaca.ekstrem@bmkg.go.id", JATENG_ID, "2026-02-16T22:00:00+07:00"),
    )


def test_a_utc_time_written_with_z_or_minus_zero_is_read_as_utc():
    body = jateng(
        "<sent>2026-02-16T22:00:00+07:00</sent>", "<sent>2026-02-16T15:00:00-00:00</sent>"
    )
    assert parse_cap(body).sent_utc == datetime(2026, 2, 16, 15, 0)
    body = jateng("<sent>2026-02-16T22:00:00+07:00</sent>", "<sent>2026-02-16T15:00:00Z</sent>")
    assert parse_cap(body).sent_utc == datetime(2026, 2, 16, 15, 0)


def test_with_several_languages_the_indonesian_info_is_read():
    english = (
        "<info><language>en-US</language><event>Heavy Rain</event><urgency>Expected</urgency>"
        "<severity>Moderate</severity><certainty>Likely</certainty><area><areaDesc>Central Java"
        "</areaDesc><polygon>-6.0,109.0 -6.0,110.0 -7.0,110.0 -6.0,109.0</polygon></area></info>"
    )
    body = jateng(
        "  <info>\n    <language>id</language>", english + "<info><language>id</language>"
    )
    assert parse_cap(body).event == "Hujan Lebat dan Petir"


@pytest.mark.parametrize(
    "element",
    ["sender", "sent", "status", "msgType", "event", "urgency", "severity", "certainty"],
)
def test_a_missing_required_element_is_refused_naming_it(element):
    assert refusal(without(element)) == (
        f"CAP {JATENG_ID}: elemen wajib <{element}> tidak ada atau kosong."
    )


def test_a_missing_identifier_is_refused_without_one_to_name():
    assert refusal(without("identifier")) == (
        "CAP (tanpa identifier): elemen wajib <identifier> tidak ada atau kosong."
    )


def test_an_identifier_with_a_space_or_comma_is_refused_references_could_not_name_it():
    body = jateng(f"<identifier>{JATENG_ID}</identifier>", "<identifier>a,b c</identifier>")
    assert refusal(body) == (
        "CAP a,b c: <identifier> berisi spasi atau koma, yang dilarang CAP 1.2."
    )


def test_an_alert_without_info_is_refused_naming_info():
    text = fixture("cap_jateng.xml").decode()
    body = re.sub(r"<info>.*</info>", "", text, flags=re.DOTALL).encode()
    assert refusal(body) == f"CAP {JATENG_ID}: elemen wajib <info> tidak ada atau kosong."


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param(
            "unknown_msgtype.xml",
            'CAP siaga112.test.unknown-msgtype: msgType "Warning" tidak didukung; hanya '
            "Alert, Update atau Cancel.",
            id="an_unknown_msgtype_named",
        ),
        pytest.param(
            "no_polygon.xml",
            "CAP siaga112.test.no-polygon: tidak ada <polygon> di <area> mana pun; tanpa "
            "poligon wilayah peringatan tidak dapat digambar di peta.",
            id="no_polygon_named_polygon",
        ),
        pytest.param(
            "swapped_latlon.xml",
            "CAP siaga112.test.swapped: <area> ke-1, <polygon> ke-1 lat,lon tertukar pada "
            "pasangan ke-1 (109.67,-6.89): angka pertama bukan lintang (-90..90) tetapi "
            'cocok sebagai bujur. CAP menulis "lintang,bujur".',
            id="swapped_lat_lon_naming_area_polygon_and_pair",
        ),
        pytest.param(
            "out_of_range.xml",
            "CAP siaga112.test.out-of-range: <area> ke-1, <polygon> ke-1 lintang di luar "
            "-90..90 pada pasangan ke-2 (-96.88,109.68).",
            id="an_out_of_range_latitude_naming_the_pair",
        ),
        pytest.param(
            "malformed.xml",
            "Dokumen malformed.xml bukan XML yang benar (baris 8, kolom 2).",
            id="malformed_xml_naming_line_and_column",
        ),
        pytest.param(
            "rss_active.xml",
            "Dokumen rss_active.xml bukan CAP 1.2: elemen akarnya <rss>, seharusnya <alert> "
            "dengan namespace urn:oasis:names:tc:emergency:cap:1.2.",
            id="an_rss_index_is_no_cap_alert",
        ),
    ],
)
def test_a_bad_document_is_refused_naming_what_is_wrong(name, message):
    assert refusal(fixture(name), name) == message


def test_a_severity_outside_cap_is_refused_listing_the_values():
    body = jateng("<severity>Moderate</severity>", "<severity>Sedang</severity>")
    assert refusal(body) == (
        f'CAP {JATENG_ID}: <severity> "Sedang" bukan nilai CAP 1.2 '
        "(Extreme, Severe, Moderate, Minor, Unknown)."
    )


@pytest.mark.parametrize("value", ["2026-02-16T22:00:00", "2026-02-16 22:00:00+07:00", "besok"])
def test_a_time_without_its_offset_or_not_a_time_is_refused(value):
    body = jateng("<expires>2026-02-17T01:00:00+07:00</expires>", f"<expires>{value}</expires>")
    assert refusal(body) == (
        f'CAP {JATENG_ID}: <expires> "{value}" bukan waktu CAP dengan zona waktu '
        "(contoh 2026-02-16T22:00:00+07:00)."
    )


def test_a_cancel_needs_no_polygon():
    text = fixture("cap_jateng_cancel.xml").decode()
    body = re.sub(r"\s*<polygon>[^<]*</polygon>", "", text).encode()
    message = parse_cap(body)
    assert (message.msg_type, message.areas[0].rings) == ("Cancel", ())


def test_an_update_without_references_is_refused():
    body = jateng("<msgType>Alert</msgType>", "<msgType>Update</msgType>")
    assert refusal(body) == (
        f"CAP {JATENG_ID}: msgType Update tanpa <references>: tidak jelas peringatan mana "
        "yang diganti."
    )


def test_a_reference_that_is_not_sender_identifier_sent_is_refused_naming_it():
    text = fixture("cap_jateng_update.xml").decode()
    body = re.sub(r"<references>[^<]*</references>", f"<references>{JATENG_ID}</references>", text)
    assert refusal(body.encode()) == (
        "CAP siaga112.test.jateng.2026.02.16.update.006: <references> berisi "
        f'"{JATENG_ID}", bukan "pengirim,identifier,waktu".'
    )


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml"])
def test_entity_declarations_are_refused_before_any_expansion(name):
    assert refusal(fixture(name), name) == (
        f"Dokumen {name} memuat deklarasi entitas XML (<!ENTITY>): ditolak, karena bisa meledak "
        "menjadi gigabita (billion laughs) atau membaca berkas lain (XXE)."
    )


def test_a_document_over_the_limit_is_refused_for_its_size_not_parsed():
    # Not even well-formed: the size is checked first, so the message is about the size.
    body = b"<alert>" + b" " * MAX_DOCUMENT_BYTES
    assert refusal(body, "besar.xml") == (
        "Dokumen besar.xml lebih dari 2 MiB: ditolak tanpa dibaca seluruhnya."
    )


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        pytest.param(
            "<msgType>Alert</msgType>",
            "<msgType>Ack</msgType>",
            'msgType "Ack" tidak didukung',
            id="an_ack_it_is_no_warning",
        ),
        pytest.param(
            "urn:oasis:names:tc:emergency:cap:1.2",
            "urn:oasis:names:tc:emergency:cap:1.1",
            "bukan CAP 1.2: elemen akarnya <alert>",
            id="a_cap_1_1_document_as_not_cap_1_2",
        ),
    ],
)
def test_the_sample_edited_into_what_we_do_not_read_is_refused_saying_why(old, new, words):
    assert words in refusal(jateng(old, new))


def test_the_jawa_tengah_sample_touches_the_city_by_its_polygon_under_three_kecamatan():
    judgement = judge(parse_cap(fixture("cap_jateng.xml")), city=default_city())
    assert (judgement.touches_city, judgement.touch_reason) == (True, "polygon")
    # Its text names no place of the city; its triangle crosses three kecamatan.
    assert judgement.matched_places == ("Pekalongan Barat", "Pekalongan Timur", "Pekalongan Utara")
    assert judgement.ring_hits == ((True,),)


def test_the_jawa_timur_alert_touches_nothing_of_the_city():
    # Its description names Kauman: a kecamatan of Tulungagung, not the city's kelurahan.
    judgement = judge(parse_cap(fixture("cap_jatim_multi.xml")), city=default_city())
    assert (judgement.touches_city, judgement.touch_reason) == (False, "none")
    assert judgement.matched_places == ()
    assert judgement.ring_hits == ((False, False), (False,))


def test_an_alert_whose_area_misses_the_city_but_names_its_kecamatan_touches_it_by_name():
    body = jateng(
        "khususnya di Wiradesa, Kajen, Karanganyar, Pekalongan.",
        "khususnya di Wiradesa, Pekalongan Utara dan Panjang Wetan.",
    )
    body = body.replace(
        b"-6.89,109.67 -6.88,109.68 -6.87,109.69 -6.89,109.67",
        b"-6.87,109.58 -6.87,109.62 -6.91,109.62 -6.91,109.58 -6.87,109.58",
    )
    judgement = judge(parse_cap(body), city=default_city())
    assert (judgement.touches_city, judgement.touch_reason) == (True, "name")
    assert judgement.matched_places == ("Pekalongan Utara", "Panjang Wetan")
    assert judgement.ring_hits == ((False,),)
