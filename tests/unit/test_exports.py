"""Tren exports: the CSV and XLSX files re-open to the very table shown, in Indonesian."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dashboard import exports, labels
from dashboard.catalogue import CATEGORY_CLASS, CATEGORY_CLASSES
from dashboard.domain import Targets
from dashboard.trends import ALL_GROUP, Totals, TrendFilter, TrendReport
from mapview.style import CLASS_COLOR

COL = labels.TREND_COL
CATEGORIES_CSV = Path(__file__).resolve().parents[2] / "data" / "categories.csv"


def tiny_report(granularity: str = "week") -> TrendReport:
    """Two weeks, two categories, two OPDs: every table has a few hand-checkable rows."""
    weeks = [date(2026, 3, 2), date(2026, 3, 9)]
    speed_all = pd.DataFrame(
        {
            "group": [ALL_GROUP] * 3,
            "stage": ["forward", "acknowledge", "resolve"],
            "n": [8, 7, 5],
            "within": [6, 6, 4],
            "median_s": [47.5, 100.0, 5400.0],
            "p90_s": [76.0, 188.0, 8280.0],
            "target_s": [60, 180, 7200],
            "within_share": [0.75, 6 / 7, 0.8],
            "target_share": [0.9, 0.9, 0.9],
        }
    )
    speed_opd = speed_all.assign(group="PMI").iloc[[0]]
    return TrendReport(
        filter=TrendFilter(date(2026, 3, 2), date(2026, 3, 15), granularity=granularity),
        targets=Targets(),
        totals=Totals(incidents=10, nuisance=3, forwarded=8, reassigned=3),
        category_names={"AMBULANS": "Ambulans / gawat darurat medis", "KEBAKARAN": "Kebakaran"},
        category_colors={"KEBAKARAN": "#d7301f", "AMBULANS": "#e7298a"},
        opd_names={"PMI": "PMI", "RSUD": "RSUD Bendan"},
        volume=pd.DataFrame(
            {
                "period": [weeks[0], weeks[0], weeks[1], weeks[1]],
                "category_code": ["AMBULANS", "KEBAKARAN", "AMBULANS", "KEBAKARAN"],
                "count": [3, 1, 1, 0],
            }
        ),
        nuisance=pd.DataFrame(
            {
                "period": weeks,
                "total": [6, 4],
                "prank": [1, 0],
                "ghost": [1, 0],
                "bukan_darurat": [0, 1],
                "nuisance": [2, 1],
                "share": [2 / 6, 0.25],
            }
        ),
        by_kecamatan=pd.DataFrame({"kecamatan": ["Pekalongan Barat", None], "count": [3, 1]}),
        by_kelurahan=pd.DataFrame(
            {
                "kelurahan_kode": ["33.75.01.1002", None],
                "kelurahan": ["Medono", None],
                "kecamatan": ["Pekalongan Barat", None],
                "count": [3, 1],
            }
        ),
        speed={"all": speed_all, "opd": speed_opd, "category": speed_all.iloc[:0]},
        reassign={
            "opd": pd.DataFrame(
                {"group": ["PMI"], "forwarded": [3], "reassigned": [1], "rate": [1 / 3]}
            ),
            "category": pd.DataFrame(
                {"group": ["AMBULANS"], "forwarded": [3], "reassigned": [1], "rate": [1 / 3]}
            ),
        },
        flows=pd.DataFrame({"from_opd": ["PMI"], "to_opd": ["RSUD"], "count": [2]}),
        hour_weekday=pd.DataFrame(
            {
                "hour": [h for h in range(24) for _ in range(7)],
                "weekday": list(range(7)) * 24,
                "count": [1 if (h, d) == (0, 0) else 0 for h in range(24) for d in range(7)],
            }
        ),
    )


def incident_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["112-20260302-0001", "112-20260304-0002"],
            "received_at_utc": [datetime(2026, 3, 1, 17, 0), datetime(2026, 3, 4, 3, 0)],
            "category_code": ["AMBULANS", "AMBULANS"],
            "priority": [1, 1],
            "status": ["SELESAI", "DIBATALKAN"],
            "cancel_reason": [None, "PRANK"],
            "kondisi": ["Warga pingsan", '=HYPERLINK("http://x","klik")'],
            "address": ["Jl. Veteran 27", "+62 jalan"],
            "kelurahan": ["Medono", "Medono"],
            "kecamatan": ["Pekalongan Barat", "Pekalongan Barat"],
            "lat": [-6.8950, -6.8950],
            "lon": [109.6550, 109.6550],
            "caller_phone": ["081234567890", "085700000013"],
            "first_opd_code": ["PMI", None],
            "opd_code": ["RSUD", None],
            "reassign_count": [1, 0],
            "forwarded_at_utc": [datetime(2026, 3, 1, 17, 0, 30), None],
            "acknowledged_at_utc": [datetime(2026, 3, 1, 17, 3, 10), None],
            "resolved_at_utc": [datetime(2026, 3, 1, 17, 30), None],
            "cancelled_at_utc": [None, datetime(2026, 3, 4, 3, 1)],
            "forward_s": [30, None],
            "acknowledge_s": [40, None],
            "resolve_s": [1800, None],
        }
    )


def reopen_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)


def reopen_xlsx(data: bytes) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book}


def same_as_shown(reopened: pd.DataFrame, shown: pd.DataFrame) -> None:
    assert list(reopened.columns) == list(shown.columns)
    for column in shown.columns:
        expected = ["" if v is None or pd.isna(v) else v for v in shown[column].tolist()]
        got = reopened[column].tolist()
        assert got == pytest.approx(expected) if _numeric(expected) else got == expected, column


def _blank_as_none(value):
    return None if value is None or value == "" or pd.isna(value) else value


def _numeric(values: list) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


@pytest.mark.parametrize("key", list(exports.report_tables(tiny_report())))
def test_every_kpi_table_reopens_from_csv_with_the_same_numbers(key):
    _title, shown = exports.report_tables(tiny_report())[key]
    reopened = reopen_csv(exports.csv_bytes(shown))
    same_as_shown(reopened, shown)


@pytest.mark.parametrize("key", list(exports.report_tables(tiny_report())))
def test_every_kpi_table_reopens_from_xlsx_with_the_same_numbers(key):
    title, shown = exports.report_tables(tiny_report())[key]
    sheets = reopen_xlsx(exports.xlsx_bytes({title: shown}))
    rows = sheets[title]
    assert rows[0] == list(shown.columns)
    # A blank cell (None) stands for the empty text shown on screen.
    expected = [[_blank_as_none(v) for v in row] for row in shown.itertuples(index=False)]
    assert rows[1:] == expected


def test_the_speed_table_puts_the_target_beside_the_measured_figure():
    table = exports.speed_table(tiny_report(), by="all")
    forward = table.iloc[0]
    assert forward[COL["stage"]] == "Meneruskan ke OPD"
    assert (forward[COL["median_min"]], forward[COL["target_min"]]) == (0.79, 1.0)
    assert (forward[COL["within_pct"]], forward[COL["target_pct"]]) == (75.0, 90.0)
    assert forward[COL["meets"]] == "Tidak"


def test_headers_are_indonesian_and_weekly_periods_are_monday_dates():
    volume = exports.volume_table(tiny_report())
    assert list(volume.columns) == [
        "Awal periode",
        "Ambulans / gawat darurat medis",
        "Kebakaran",
        "Jumlah laporan",
    ]
    assert volume["Awal periode"].tolist() == ["2026-03-02", "2026-03-09"]
    assert volume["Jumlah laporan"].tolist() == [4, 1]
    staffing = exports.staffing_table(tiny_report())
    assert list(staffing.columns)[1:8] == list(labels.TREND_WEEKDAYS)
    assert staffing.loc[0, "Senin"] == 1 and staffing["Jumlah laporan"].sum() == 1


def test_unlocated_calls_are_named_not_left_blank():
    table = exports.kecamatan_table(tiny_report())
    assert table[COL["kecamatan"]].tolist() == ["Pekalongan Barat", labels.TREND_UNKNOWN_PLACE]
    assert table[COL["share_pct"]].tolist() == [75.0, 25.0]


def test_incident_export_masks_phones_and_shows_wib_times():
    shown = exports.incidents_table(incident_rows(), tiny_report())
    assert shown[COL["phone_masked"]].tolist() == ["0812******90", "0857******13"]
    assert shown[COL["received_wib"]].tolist() == [
        datetime(2026, 3, 2, 0, 0),
        datetime(2026, 3, 4, 10, 0),
    ]
    assert shown[COL["first_opd"]].tolist() == ["PMI", ""]
    assert shown[COL["current_opd"]].tolist() == ["RSUD Bendan", ""]
    assert shown[COL["cancel_reason"]].tolist() == ["", "Panggilan iseng (prank)"]
    csv_text = exports.csv_bytes(shown).decode("utf-8-sig")
    xlsx = reopen_xlsx(exports.xlsx_bytes({"Laporan": shown}))
    for raw in ("081234567890", "085700000013"):
        assert raw not in csv_text
        assert raw not in str(xlsx)


def test_wib_times_are_text_in_csv_and_real_dates_in_xlsx():
    shown = exports.incidents_table(incident_rows(), tiny_report())
    csv_rows = reopen_csv(exports.csv_bytes(shown))
    assert csv_rows[COL["received_wib"]].tolist() == ["02-03-2026 00:00:00", "04-03-2026 10:00:00"]
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({"Laporan": shown})))
    sheet = book["Laporan"]
    col = list(shown.columns).index(COL["received_wib"]) + 1
    cell = sheet.cell(row=2, column=col)
    # A date cell, so a spreadsheet sorts and filters it as a date (not '02-03-2026 00:00:00').
    assert cell.is_date and cell.value == datetime(2026, 3, 2, 0, 0)
    assert cell.number_format == "DD-MM-YYYY HH:MM:SS"
    # A time that never happened (not yet forwarded) is an empty cell, not "NaT".
    forwarded = sheet.cell(row=3, column=list(shown.columns).index(COL["forwarded_wib"]) + 1)
    assert forwarded.value is None


def test_caller_text_never_becomes_a_spreadsheet_formula():
    shown = exports.incidents_table(incident_rows(), tiny_report())
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({"Laporan": shown})))
    sheet = book["Laporan"]
    kondisi_col = list(shown.columns).index(COL["kondisi"]) + 1
    cell = sheet.cell(row=3, column=kondisi_col)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","klik")'
    reopened = reopen_csv(exports.csv_bytes(shown))
    assert reopened[COL["kondisi"]].tolist()[1].startswith("'=")
    assert reopened[COL["address"]].tolist()[1] == "'+62 jalan"


def test_all_tables_fit_in_one_workbook_with_valid_sheet_names():
    tables = exports.report_tables(tiny_report())
    sheets = {title: frame for title, frame in tables.values()}
    sheets["Per kecamatan / kelurahan: [uji]"] = tables["kecamatan"][1]
    names = list(reopen_xlsx(exports.xlsx_bytes(sheets)))
    assert len(names) == len(sheets)
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)


def test_durations_read_as_people_say_them():
    assert exports.duration_text(44.6) == "45 dtk"
    assert exports.duration_text(106) == "1 mnt 46 dtk"
    assert exports.duration_text(120) == "2 mnt"
    assert exports.duration_text(5760) == "1 j 36 mnt"
    assert exports.duration_text(None) == "-"


def test_headlines_show_each_stage_median_with_its_target():
    items = {item.label: item for item in exports.headlines(tiny_report())}
    forward = items["Meneruskan ke OPD (median)"]
    assert forward.value == "48 dtk"
    assert forward.detail == "target 1 mnt; 75,0% dalam target (target 90,0%)"
    assert forward.on_target is False
    assert items[labels.TREND_METRIC_NUISANCE].value == "30,0%"


def test_the_volume_chart_counts_six_classes_a_reader_can_tell_apart():
    table = exports.volume_class_table(tiny_report())
    # Ambulans is in "Medis & kecelakaan", Kebakaran its own class; classes in a fixed order.
    assert list(table.columns) == [COL["period"], "Kebakaran", "Medis & kecelakaan"]
    assert table["Kebakaran"].tolist() == [1, 0]
    assert table["Medis & kecelakaan"].tolist() == [3, 1]
    assert exports.volume_class_codes(table) == ["FIRE", "MEDICAL"]


def test_every_category_of_the_catalogue_has_a_class_and_every_class_a_name_and_colour():
    codes = [line.split(",")[0] for line in CATEGORIES_CSV.read_text().splitlines()[1:]]
    assert sorted(CATEGORY_CLASS) == sorted(codes)
    assert set(labels.CATEGORY_CLASS) == set(CLASS_COLOR) == set(CATEGORY_CLASSES)


def test_tables_on_screen_have_decimal_commas_and_thousand_dots_downloads_keep_numbers():
    table = pd.DataFrame(
        {"OPD": ["PMI", "BPBD"], "Median": [279.02, float("nan")], "Laporan": [100_000, 12]}
    )
    shown = exports.for_screen(table)
    assert shown["Median"].tolist() == ["279,0", "-"]
    assert shown["Laporan"].tolist() == ["100.000", "12"]
    assert table["Median"].iloc[0] == 279.02  # the table itself is untouched


def test_the_speed_chart_has_each_opds_median_and_p90_minutes_to_resolution_slowest_first():
    speed_opd = pd.DataFrame(
        {
            "group": ["PMI", "PMI", "RSUD", "RSUD"],
            "stage": ["acknowledge", "resolve", "acknowledge", "resolve"],
            "n": [3, 3, 7, 6],
            "median_s": [120.0, 1800.0, 90.0, 3600.0],
            "p90_s": [300.0, 2400.0, 200.0, 7200.0],
        }
    )
    report = replace(tiny_report(), speed={**tiny_report().speed, "opd": speed_opd})
    chart = exports.speed_chart(report)
    assert chart.values.tolist() == [
        ["RSUD Bendan", labels.TREND_CHART_MEDIAN, 60.0],
        ["RSUD Bendan", labels.TREND_CHART_P90, 120.0],
        ["PMI", labels.TREND_CHART_MEDIAN, 30.0],
        ["PMI", labels.TREND_CHART_P90, 40.0],
    ]
