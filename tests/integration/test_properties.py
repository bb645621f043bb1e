"""Property tests: any report or import file is stored whole or refused in Indonesian, untouched DB.

Hypothesis throws odd coordinates (NaN, inf, huge integers, the poles, far outside the city),
phone numbers, dates (year 1, year 9999, odd offsets), huge and odd Unicode (RTL overrides, emoji,
zero-width, lone surrogates, NUL) and unknown categories at create_incident and import_incidents.
A refusal must be a DispatchError whose message is one of the labels' Indonesian texts, and the
row counts of incidents and incident_events must not move.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tempfile
import unicodedata
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import folium
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dashboard import labels
from dashboard import tables as t
from dashboard.citydata import current_city
from dashboard.domain import naive_utc
from dashboard.errors import DispatchError
from dashboard.importer import REQUIRED_COLUMNS, import_incidents
from dashboard.incidents import NewReport, create_incident
from dashboard.layers import import_layer
from mapview.base import base_map
from mapview.incidents import incident_layer
from mapview.trend_maps import trend_map
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, new_report
from tests.helpers.databases import engine_for, fresh_pg_database, row_counts, sqlite_copy

NOW = datetime(2026, 11, 28, 3, 0, 0)
CATEGORIES = ("KEBAKARAN", "BANJIR", "ROB", "KECELAKAAN", "AMBULANS", "KRIMINAL", "ODGJ")
OPDS = ("PMI", "BPBD", "DAMKAR", "DISHUB", "RSUD", "POLRES")
# Examples per backend: enough to meet every branch, few enough to keep the suite fast.
EXAMPLES = {"sqlite": {"create": 150, "import": 80}, "postgresql": {"create": 40, "import": 25}}

# --- strategies -------------------------------------------------------------------------------

ODD_TEXT = [
    "\u202egnaP lanaj\u202c",  # right-to-left override
    "مرحبا بالعالم حريق",  # Arabic, RTL
    "🚒🔥🆘 kebakaran 👩‍🚒",  # emoji with a zero-width joiner
    "a\u200bb\u200c\u200d\u2060c",  # zero-width characters
    "\ufeffBOM di depan",
    "e\u0301 (combining) vs é",
    "\u0958 expands under NFC",
    "\U0010ffff\U000e0001",  # last code point, a tag character
    "ok\ud800lone surrogate",
    "nul\x00inside",
    "bell\x07",
    "baris\r\nbaru\tdan tab",
    "   ",
    "",
    "'); DROP TABLE incidents; --",
    "<script>top.__pwned=1</script>",
    "{{7*7}} ${7*7} %s %(x)s {0}",
    "𝕂𝕠𝕟𝕕𝕚𝕤𝕚 𝒻𝒶𝓃𝒸𝓎",
]
any_char = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates, which UTF-8 cannot carry
    st.sampled_from(list("\x00\x1b\u202e\u200b\ufeff\u2028\u0301")),
)
odd_text = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(alphabet=any_char, max_size=40),
    st.integers(1_990, 2_010).map(lambda n: "K" * n),  # at the 2000-character kondisi limit
    st.integers(495, 505).map(lambda n: "é" * n),  # at the 500-character address limit
    st.integers(1, 3).map(lambda n: "🔥" * (700 * n)),
)
plain_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"]), min_size=1, max_size=60
)
text_field = st.one_of(plain_text, plain_text, odd_text)

in_city = st.tuples(
    st.floats(-6.93, -6.855, allow_nan=False), st.floats(109.645, 109.705, allow_nan=False)
)
special_points = st.sampled_from(
    [
        (math.nan, 109.68),
        (-6.88, math.inf),
        (-math.inf, -math.inf),
        (90.0, 180.0),
        (-90.0, -180.0),
        (90.0000001, 109.68),
        (-6.88, -180.0000001),
        (0.0, 0.0),
        (-0.0, -0.0),
        (-6.70, 109.68),  # ~20 km north, in the Java Sea
        (-6.95, 109.75),  # just beyond the city line
        (10**400, 109.68),  # an integer too large for a float
        ("-6,88", "109,68"),  # Indonesian decimal comma
        ("-6.88", "109.68"),  # numbers as text are fine
        ("", ""),
        (None, 109.68),
        ([1], {"a": 1}),
        (True, False),
    ]
)
any_float = st.floats(allow_nan=True, allow_infinity=True)
point = st.one_of(in_city, in_city, special_points, st.tuples(any_float, any_float))

valid_phone = st.one_of(
    st.from_regex(r"08[1-9][0-9]{7,10}", fullmatch=True),
    st.from_regex(r"\+628[1-9][0-9]{7,10}", fullmatch=True),
    st.sampled_from(
        ["0812 3456 7890", "(0285) 421580", "62-812-3456-7890", "112", "0062812345678"]
    ),
)
odd_phone = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "08",
            "+1 202 555 0100",
            "٠٨١٢٣٤٥٦٧٨٩٠",
            "０８１２３４５６７８９０",
            "0812\x003456789",
            "0812" + "9" * 30,
            "tidak tahu",
            "0812-34",
        ]
    ),
    st.text(alphabet=any_char, max_size=25),
)
phone = st.one_of(valid_phone, valid_phone, odd_phone)

fixed_offset = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
    lambda m: timezone(timedelta(minutes=m))
)
recent = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 11, 28, 2))
received = st.one_of(
    st.none(),
    recent,
    recent.map(lambda d: d.replace(tzinfo=UTC)),
    st.datetimes(timezones=st.one_of(st.none(), fixed_offset)),  # year 1 .. year 9999
    st.sampled_from(
        [datetime.min, datetime.max, datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))]
    ),
)
category = st.one_of(
    st.sampled_from(CATEGORIES),
    st.sampled_from(CATEGORIES).map(lambda c: f"  {c.lower()} "),
    st.sampled_from(["", "TIDAK_ADA", "kebakaran\x00", "ＢＡＮＪＩＲ", "banjır", "X" * 200]),
    st.text(alphabet=any_char, max_size=30),
)
forward_to = st.one_of(st.none(), st.sampled_from(OPDS), st.sampled_from(["", "NASA", "pmi"]))


valid_text = st.one_of(
    plain_text,
    st.sampled_from(ODD_TEXT[:8]),  # RTL, emoji, zero-width, combining: valid, kept as typed
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1),
)
VALID = {
    "category_code": st.one_of(
        st.sampled_from(CATEGORIES), st.sampled_from(CATEGORIES).map(lambda c: f" {c.lower()} ")
    ),
    "kondisi": valid_text,
    "point": in_city,
    "address": valid_text,
    "caller_phone": valid_phone,
    "received_at_utc": st.one_of(st.none(), recent, recent.map(lambda d: d.replace(tzinfo=UTC))),
    "forward_to": st.one_of(st.none(), st.sampled_from(OPDS)),
}
ODD = {
    "category_code": category,
    "kondisi": odd_text,
    "point": point,
    "address": odd_text,
    "caller_phone": odd_phone,
    "received_at_utc": received,
    "forward_to": forward_to,
}


@st.composite
def reports(draw) -> NewReport:
    """A valid report with up to three fields swapped for odd values (often none)."""
    odd = draw(st.sets(st.sampled_from(sorted(ODD)), max_size=3))
    values = {name: draw(ODD[name] if name in odd else VALID[name]) for name in sorted(VALID)}
    lat, lon = values.pop("point")
    return NewReport(lat=lat, lon=lon, forward=draw(st.booleans()), **values)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    """(name, engine): one database per backend for every example of the module."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("props")
        url = sqlite_copy(request.getfixturevalue("sqlite_template"), folder)
        with engine_for(url) as engine:
            yield request.param, engine
        return
    template = request.getfixturevalue("pg_template")
    with fresh_pg_database(template) as url, engine_for(url) as engine:
        yield request.param, engine


# --- tests ------------------------------------------------------------------------------------


def test_any_report_is_stored_whole_or_refused_in_indonesian_with_nothing_written(backend):
    name, engine = backend
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES[name]["create"],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(report=reports())
    @example(report=_report(lat=10**400))
    @example(report=_report(received_at_utc=datetime(1, 1, 1)))
    @example(report=_report(received_at_utc=datetime.max))
    @example(report=_report(received_at_utc=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=9)))))
    @example(report=_report(caller_phone="٠٨١٢٣٤٥٦٧٨٩٠"))
    @example(report=_report(caller_phone="081٢٣٤٥٦٧٨٩٠"))  # Arabic-Indic digits after 081
    @example(report=_report(caller_phone="0812３４５６７８９０"))  # full-width digits
    @example(report=_report(lat=90.0, lon=180.0))
    def check(report: NewReport) -> None:
        recorded, before = _stored_or_refused(
            engine, outcomes, lambda: create_incident(engine, CALL_TAKER_ANI, report, now=NOW)
        )
        if recorded is None:
            return
        incidents, events = row_counts(engine)
        assert incidents == before[0] + 1
        assert events == before[1] + (2 if recorded.opd_code else 1)
        _assert_stored_whole(engine, recorded.id, report)

    check()
    print(f"create_incident on {name}: {dict(outcomes)}")
    # Both sides were exercised: a generator that only ever produced refusals proves little.
    assert outcomes["stored"] >= 5 and outcomes["refused"] >= 5, outcomes


def test_any_import_file_is_stored_whole_or_refused_whole_in_indonesian(backend):
    name, engine = backend
    outcomes: Counter[str] = Counter()
    stored_ids: list[str] = []

    @settings(
        max_examples=EXAMPLES[name]["import"],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(records=st.lists(import_records(), min_size=1, max_size=4), data=st.data())
    def check(records: list[dict], data) -> None:
        if stored_ids and data.draw(st.booleans()):
            # An id imported before: the row is skipped, the file is not refused for it.
            records[0]["external_id"] = data.draw(st.sampled_from(stored_ids))
        fmt = data.draw(st.sampled_from(["json", "csv", "json-raw"]))
        with tempfile.TemporaryDirectory() as folder:
            path = _write_import(Path(folder), records, fmt)
            result, before = _stored_or_refused(
                engine, outcomes, lambda: import_incidents(engine, ADMIN_USER, path, now=NOW)
            )
        if result is None:
            return
        assert result.inserted + result.skipped_existing == len(records)
        assert row_counts(engine) == (before[0] + result.inserted, before[1] + result.inserted)
        for record in records:
            stored_ids.append(str(record["external_id"]).strip())
        with engine.connect() as conn:
            for record in records[result.skipped_existing :]:
                row = conn.execute(
                    select(t.incidents).where(
                        t.incidents.c.external_id == str(record["external_id"]).strip()
                    )
                ).one()
                assert row.kondisi == _clean(str(record["kondisi"]))
                assert row.address == _clean(str(record["address"]))
                assert row.lat == float(record["lat"]) and row.lon == float(record["lon"])
                assert re.fullmatch(r"0[0-9]{8,12}|1[0-9]{2}", row.caller_phone)

    check()
    print(f"import_incidents on {name}: {dict(outcomes)}")
    assert outcomes["stored"] >= 3 and outcomes["refused"] >= 3, outcomes


def test_malformed_numbers_and_nesting_in_a_json_file_are_refused_not_crashed(sqlite_engine):
    good = _good_record("P-NUM-1")
    cases = {
        "a 5000-digit latitude": json.dumps([good]).replace("-6.87", "1" + "0" * 5000),
        "a 400-digit latitude": json.dumps([good]).replace("-6.87", "1" + "0" * 400),
        "nesting 100000 deep": "[" * 100_000 + "]" * 100_000,
        "a year-1 time with +14:00": json.dumps(
            [{**good, "received_at": "0001-01-01T00:00:00+14:00"}]
        ),
        "a time in year 9999 at -14:00": json.dumps(
            [{**good, "received_at": "9999-12-31T23:59:59-14:00"}]
        ),
        "a kondisi that is an object": json.dumps([{**good, "kondisi": {"a": 1}}]),
        "an external_id that is a list": json.dumps([{**good, "external_id": ["x"]}]),
    }
    with tempfile.TemporaryDirectory() as folder:
        for label, raw in cases.items():
            path = Path(folder) / "platform.json"
            path.write_text(raw, encoding="utf-8")
            before = row_counts(sqlite_engine)
            with pytest.raises(DispatchError) as refused:
                import_incidents(sqlite_engine, ADMIN_USER, path, now=NOW)
            _assert_indonesian(refused.value)
            assert row_counts(sqlite_engine) == before, label


# --- import strategies and helpers ------------------------------------------------------------

_id_counter = iter(range(1, 10**9))


@st.composite
def import_records(draw) -> dict:
    """A valid platform record with up to three fields swapped for odd values (often none)."""
    odd = draw(st.sets(st.sampled_from([*sorted(ODD), "external_id", "missing"]), max_size=3))
    values = {name: draw(ODD[name] if name in odd else VALID[name]) for name in sorted(VALID)}
    lat, lon = values["point"]
    when = values["received_at_utc"] or draw(recent)
    texts = [when.isoformat(), when.strftime("%Y-%m-%d %H:%M:%S")]
    if "received_at_utc" in odd:
        texts += ["kemarin", "28/11/2026 08:15", "2026-13-01T00:00:00", "", "2026-11-28Z"]
    record = {
        "external_id": f"P112-{next(_id_counter)}",
        "received_at": draw(st.sampled_from(texts)),
        "category": values["category_code"],
        "kondisi": values["kondisi"],
        "lat": lat,
        "lon": lon,
        "address": values["address"],
        "caller_phone": values["caller_phone"],
    }
    if "external_id" in odd:
        record["external_id"] = draw(st.sampled_from(["", "   ", "X" * 81, "dup-in-file", None]))
    if "missing" in odd:
        record.pop(draw(st.sampled_from(REQUIRED_COLUMNS)))
    return record


def _report(**overrides) -> NewReport:
    kondisi = "Air masuk rumah setinggi lutut"
    return new_report("BANJIR", kondisi, (-6.87, 109.68), "Jl. Pelita No. 3", **overrides)


def _good_record(external_id: str) -> dict:
    return {
        "external_id": external_id,
        "received_at": "2026-11-28T08:15:00+07:00",
        "category": "ROB",
        "kondisi": "Rob masuk rumah 30 cm",
        "lat": -6.87,
        "lon": 109.68,
        "address": "Jl. Pelita, Panjang Baru",
        "caller_phone": "081234567890",
    }


def _write_import(folder: Path, records: list[dict], fmt: str) -> Path:
    if fmt == "csv":
        buffer = io.StringIO()
        columns = sorted({key for record in records for key in record})
        writer = csv.DictWriter(buffer, fieldnames=columns)
        writer.writeheader()
        writer.writerows(records)
        path = folder / "platform.csv"
        # Lone surrogates cannot be UTF-8: written raw, the file is unreadable and refused whole.
        path.write_bytes(buffer.getvalue().encode("utf-8", errors="surrogatepass"))
        return path
    path = folder / "platform.json"
    if fmt == "json-raw":
        payload = json.dumps(records, ensure_ascii=False, default=str, allow_nan=True)
        path.write_bytes(payload.encode("utf-8", errors="surrogatepass"))
    else:
        path.write_text(json.dumps({"incidents": records}, default=str, allow_nan=True))
    return path


def _assert_stored_whole(engine, incident_id: int, report: NewReport) -> None:
    with engine.connect() as conn:
        row = conn.execute(select(t.incidents).where(t.incidents.c.id == incident_id)).one()
    assert re.fullmatch(r"112-\d{8}-\d{4}", row.code), row.code
    assert row.kondisi == _clean(report.kondisi)
    assert row.address == _clean(report.address)
    assert row.category_code == report.category_code.strip().upper()
    assert (row.lat, row.lon) == (float(report.lat), float(report.lon))
    assert re.fullmatch(r"0[0-9]{8,12}|1[0-9]{2}", row.caller_phone), row.caller_phone
    if report.received_at_utc is not None:
        assert row.received_at_utc == naive_utc(report.received_at_utc)
    assert row.version == 1


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _label_patterns() -> list[re.Pattern]:
    templates = [
        value
        for key, value in vars(labels).items()
        if key.startswith("ERR_") and isinstance(value, str)
    ]
    return [
        re.compile(".*".join(re.escape(part) for part in re.split(r"\{[^}]*\}", text)), re.S)
        for text in templates
    ]


_PATTERNS = _label_patterns()


def _stored_or_refused(engine, outcomes: Counter[str], write) -> tuple:
    """(write()'s result, the row counts before); (None, ...) when it was refused, which must
    be said in Indonesian and leave every row as it was. Counts the outcome."""
    before = row_counts(engine)
    try:
        result = write()
    except DispatchError as error:
        outcomes["refused"] += 1
        _assert_indonesian(error)
        assert row_counts(engine) == before, f"refused but written: {error}"
        return None, before
    outcomes["stored"] += 1
    return result, before


def _assert_indonesian(error: DispatchError) -> None:
    message = str(error)
    assert message and "Traceback" not in message
    assert any(p.fullmatch(message) for p in _PATTERNS), f"not a labels text: {message!r}"


# --- caller text on the map -------------------------------------------------------------------

TEMPLATE_TRICKS = [
    "{{ 12345*3 }}",
    "{{ lipsum.__globals__['os'].getcwd() }}",
    "{% for x in range(3) %}ulang{% endfor %}",
    "{# komentar #} {{",
    "}} {% raw %} {{ '\\u003c' }}",
]


def test_caller_text_drawn_on_a_map_is_never_run_as_a_template_on_the_server():
    """branca renders each map script a second time as Jinja; caller text must stay inert."""
    # Only text the services store reaches a map: no lone surrogates.
    storable = odd_text.filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s))

    @settings(max_examples=60, deadline=None, database=None)
    @given(kondisi=st.one_of(st.sampled_from(TEMPLATE_TRICKS), storable, valid_text))
    @example(kondisi="{{ 12345*3 }}")
    @example(kondisi="{{ lipsum.__globals__['os'].getcwd() }}")
    def check(kondisi: str) -> None:
        html_text = _rendered_incident_map(kondisi)  # a TemplateSyntaxError fails the test
        assert "37035" not in html_text, "{{ 12345*3 }} was evaluated"
        assert str(Path.cwd()) not in html_text, "os.getcwd() ran on the server"

    check()


def _rendered_incident_map(kondisi: str) -> str:
    frame = pd.DataFrame(
        [
            {
                "id": 1,
                "code": "112-20261128-0001",
                "received_at_utc": NOW,
                "category_code": "KEBAKARAN",
                "category_name": "Kebakaran",
                "color": "#d7301f",
                "status": "DITERUSKAN",
                "lat": -6.8876,
                "lon": 109.6760,
                "kelurahan": "Kauman",
                "kecamatan": "Pekalongan Timur",
                "kondisi": kondisi,
                "opd_name": "BPBD",
                "overdue": None,
            }
        ]
    )
    m = folium.Map(tiles=None)
    incident_layer(frame).add_to(m)
    return m.get_root().render()


def test_an_imported_layer_whose_names_are_templates_is_drawn_as_text(sqlite_engine, tmp_path):
    """Layer names come from files a supervisor may import: they reach every map's tooltips."""
    data = Path(__file__).resolve().parents[2] / "data"
    source = json.loads((data / "kota_pekalongan_kelurahan.geojson").read_text())
    source["features"][0]["properties"]["nama"] = "{{ 12345*3 }}"
    source["features"][1]["properties"]["kecamatan"] = "{{ lipsum.__globals__['os'].getcwd() }}"
    path = tmp_path / "kelurahan.geojson"
    path.write_text(json.dumps(source))
    import_layer(sqlite_engine, ADMIN_USER, "kelurahan", path)
    city = current_city(sqlite_engine)
    empty = pd.DataFrame(columns=["kelurahan_kode", "kecamatan", "count"])
    for m in (
        base_map(city),
        trend_map(city, kelurahan_counts=empty, kecamatan_counts=empty),
    ):
        rendered = m.get_root().render()
        assert "37035" not in rendered and str(Path.cwd()) not in rendered
        assert "12345*3" in rendered
