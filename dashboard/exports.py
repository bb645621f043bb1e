"""The Tren page's tables with Indonesian headers, and the same tables as CSV / XLSX bytes.

The page shows exactly the frames built here, so a download holds the numbers on screen.
Caller phone numbers are masked; text that a spreadsheet would run as a formula is defused.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard import labels
from dashboard.catalogue import CATEGORY_CLASSES, category_class
from dashboard.domain import mask_phone, to_wib
from dashboard.fmt import UNKNOWN, format_count, format_decimal, format_percent
from dashboard.trends import TrendReport

COL = labels.TREND_COL
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
# WIB times: text in CSV (as on every screen), real date cells in XLSX (sortable as dates).
WIB_TEXT_FORMAT = "%d-%m-%Y %H:%M:%S"
XLSX_TIME_FORMAT = "DD-MM-YYYY HH:MM:SS"


def report_tables(report: TrendReport) -> dict[str, tuple[str, pd.DataFrame]]:
    """Every KPI table of a report: key -> (Indonesian title, table), in page order."""
    return {
        "volume": (labels.TREND_TABLE["volume"], volume_table(report)),
        "nuisance": (labels.TREND_TABLE["nuisance"], nuisance_table(report)),
        "kecamatan": (labels.TREND_TABLE["kecamatan"], kecamatan_table(report)),
        "kelurahan": (labels.TREND_TABLE["kelurahan"], kelurahan_table(report)),
        "speed_all": (labels.TREND_TABLE["speed_all"], speed_table(report, by="all")),
        "speed_opd": (labels.TREND_TABLE["speed_opd"], speed_table(report, by="opd")),
        "speed_category": (
            labels.TREND_TABLE["speed_category"],
            speed_table(report, by="category"),
        ),
        "reassign_opd": (labels.TREND_TABLE["reassign_opd"], reassign_table(report, by="opd")),
        "reassign_category": (
            labels.TREND_TABLE["reassign_category"],
            reassign_table(report, by="category"),
        ),
        "flows": (labels.TREND_TABLE["flows"], flows_table(report)),
        "staffing": (labels.TREND_TABLE["staffing"], staffing_table(report)),
        "handoff": (labels.TREND_TABLE["handoff"], handoff_table(report)),
        "handoff_weekly": (labels.TREND_TABLE["handoff_weekly"], escalation_weekly_table(report)),
        "handoff_silence": (labels.TREND_TABLE["handoff_silence"], silence_table(report)),
    }


def volume_table(report: TrendReport) -> pd.DataFrame:
    """One row per period, one column per category seen (catalogue order), and the total."""
    frame = report.volume
    codes = [code for code in report.category_names if code in set(frame["category_code"])]
    codes += sorted(set(frame["category_code"]) - set(codes))
    wide = frame.pivot_table(
        index="period", columns="category_code", values="count", aggfunc="sum", fill_value=0
    ).reindex(columns=codes, fill_value=0)
    wide = wide.reindex(
        sorted(set(frame["period"])) if not frame.empty else [], fill_value=0
    ).astype("int64")
    table = pd.DataFrame({COL["period"]: _period_labels(wide.index, report)})
    for code in codes:
        table[report.category_names.get(code, code)] = wide[code].to_numpy()
    table[COL["total"]] = wide.sum(axis=1).to_numpy() if codes else []
    return table


def volume_class_table(report: TrendReport) -> pd.DataFrame:
    """One row per period, one column per category class (catalogue.CATEGORY_CLASS) seen."""
    by_category = volume_table(report)
    names = {name: code for code, name in report.category_names.items()}
    table = pd.DataFrame({COL["period"]: by_category[COL["period"]]})
    for cls in CATEGORY_CLASSES:
        columns = [
            c
            for c in by_category.columns
            if c not in (COL["period"], COL["total"]) and category_class(names.get(c, c)) == cls
        ]
        if columns:
            table[labels.CATEGORY_CLASS[cls]] = by_category[columns].sum(axis=1).to_numpy()
    return table


def volume_class_codes(table: pd.DataFrame) -> list[str]:
    """The class code of each class column of volume_class_table, in column order."""
    by_name = {name: code for code, name in labels.CATEGORY_CLASS.items()}
    return [by_name[c] for c in table.columns if c in by_name]


def for_screen(table: pd.DataFrame) -> pd.DataFrame:
    """A table as the page shows it: decimals with a comma, thousands with a dot, "-" for none.

    Only for display (st.dataframe writes floats with a dot); downloads keep the numbers.
    """
    shown = table.copy()
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_float_dtype(values):
            shown[column] = [UNKNOWN if pd.isna(v) else format_decimal(v) for v in values]
        elif pd.api.types.is_integer_dtype(values) and (values.abs() >= 1000).any():
            shown[column] = [format_count(v) for v in values]
        elif values.dtype == object and values.map(lambda v: isinstance(v, float)).any():
            shown[column] = [_screen_value(v) for v in values]
    return shown


def _screen_value(value) -> object:
    if isinstance(value, float):
        return UNKNOWN if math.isnan(value) else format_decimal(value)
    return UNKNOWN if value is None else value


def category_colors(report: TrendReport, table: pd.DataFrame) -> list[str]:
    """The catalogue colour of each category column of volume_table, in column order."""
    by_name = {report.category_names[c]: color for c, color in report.category_colors.items()}
    columns = [c for c in table.columns if c not in (COL["period"], COL["total"])]
    return [by_name.get(name, "#9e9e9e") for name in columns]


def nuisance_table(report: TrendReport) -> pd.DataFrame:
    frame = report.nuisance
    return pd.DataFrame(
        {
            COL["period"]: _period_labels(frame["period"], report),
            COL["calls"]: frame["total"].to_numpy(),
            COL["prank"]: frame["prank"].to_numpy(),
            COL["ghost"]: frame["ghost"].to_numpy(),
            COL["bukan_darurat"]: frame["bukan_darurat"].to_numpy(),
            COL["nuisance"]: frame["nuisance"].to_numpy(),
            COL["nuisance_pct"]: [_pct(v) for v in frame["share"]],
        }
    )


def kecamatan_table(report: TrendReport) -> pd.DataFrame:
    frame = report.by_kecamatan
    total = int(frame["count"].sum())
    return pd.DataFrame(
        {
            COL["kecamatan"]: [_name(k, labels.TREND_UNKNOWN_PLACE) for k in frame["kecamatan"]],
            COL["total"]: frame["count"].to_numpy(dtype="int64"),
            COL["share_pct"]: [_pct(c / total if total else None) for c in frame["count"]],
        }
    )


def kelurahan_table(report: TrendReport) -> pd.DataFrame:
    frame = report.by_kelurahan
    total = int(frame["count"].sum())
    return pd.DataFrame(
        {
            COL["kelurahan"]: [_name(k, labels.TREND_UNKNOWN_PLACE) for k in frame["kelurahan"]],
            COL["kecamatan"]: [_name(k, "") for k in frame["kecamatan"]],
            COL["kelurahan_kode"]: [_name(k, "") for k in frame["kelurahan_kode"]],
            COL["total"]: frame["count"].to_numpy(dtype="int64"),
            COL["share_pct"]: [_pct(c / total if total else None) for c in frame["count"]],
        }
    )


def speed_table(report: TrendReport, *, by: str) -> pd.DataFrame:
    """Median and P90 per stage (minutes) with the target beside each measured figure."""
    frame = report.speed[by]
    group_header = {"opd": COL["opd"], "category": COL["category"]}.get(by)
    order = {stage: i for i, stage in enumerate(labels.TREND_STAGE)}
    frame = frame.assign(_order=frame["stage"].map(order)).sort_values(
        ["_order", "group"] if by == "all" else ["group", "_order"], kind="stable"
    )
    columns: dict[str, list] = {}
    if group_header:
        names = report.opd_names if by == "opd" else report.category_names
        columns[group_header] = [names.get(g, g) for g in frame["group"]]
    columns |= {
        COL["stage"]: [labels.TREND_STAGE[s] for s in frame["stage"]],
        COL["measured"]: frame["n"].astype("int64").tolist(),
        COL["median_min"]: [_minutes(v) for v in frame["median_s"]],
        COL["p90_min"]: [_minutes(v) for v in frame["p90_s"]],
        COL["target_min"]: [_minutes(v) for v in frame["target_s"]],
        COL["within_pct"]: [_pct(v) for v in frame["within_share"]],
        COL["target_pct"]: [_pct(v) for v in frame["target_share"]],
        COL["meets"]: [
            labels.TREND_YES if share is not None and share >= target else labels.TREND_NO
            for share, target in zip(frame["within_share"], frame["target_share"], strict=True)
        ],
    }
    return pd.DataFrame(columns)


def speed_chart(report: TrendReport) -> pd.DataFrame:
    """Per OPD, the median and P90 minutes from the call to resolution (the chart's long data:
    OPD, measure, minutes), the slowest median first. Acknowledgement per OPD is charted in
    the hand-off section."""
    frame = report.speed["opd"]
    columns = [COL["opd"], COL["measure"], COL["minutes"]]
    resolved = frame[(frame["stage"] == "resolve") & frame["median_s"].notna()]
    if resolved.empty:
        return pd.DataFrame(columns=columns)
    resolved = resolved.sort_values("median_s", ascending=False, kind="stable")
    rows = [
        [report.opd_names.get(r.group, r.group), measure, _minutes(value)]
        for r in resolved.itertuples()
        for measure, value in (
            (labels.TREND_CHART_MEDIAN, r.median_s),
            (labels.TREND_CHART_P90, r.p90_s),
        )
    ]
    return pd.DataFrame(rows, columns=columns)


def reassign_table(report: TrendReport, *, by: str) -> pd.DataFrame:
    frame = report.reassign[by]
    if by == "opd":
        header, names = COL["first_opd"], report.opd_names
    else:
        header, names = COL["category"], report.category_names
    return pd.DataFrame(
        {
            header: [names.get(g, g) for g in frame["group"]],
            COL["forwarded"]: frame["forwarded"].to_numpy(dtype="int64"),
            COL["reassigned"]: frame["reassigned"].to_numpy(dtype="int64"),
            COL["reassign_pct"]: [_pct(v) for v in frame["rate"]],
        }
    )


def flows_table(report: TrendReport) -> pd.DataFrame:
    frame = report.flows
    names = report.opd_names
    return pd.DataFrame(
        {
            COL["rank"]: list(range(1, len(frame) + 1)),
            COL["sent_to"]: [names.get(o, o) for o in frame["from_opd"]],
            COL["moved_to"]: [names.get(o, o) for o in frame["to_opd"]],
            COL["total"]: frame["count"].to_numpy(dtype="int64"),
        }
    )


def staffing_table(report: TrendReport) -> pd.DataFrame:
    """24 rows (WIB hour) x 7 weekdays (Senin first) of call counts, with row totals."""
    wide = report.hour_weekday.pivot(index="hour", columns="weekday", values="count")
    table = pd.DataFrame({COL["hour"]: [f"{h:02d}.00-{h:02d}.59" for h in wide.index]})
    for day, name in enumerate(labels.TREND_WEEKDAYS):
        table[name] = wide[day].to_numpy(dtype="int64")
    table[COL["total"]] = wide.sum(axis=1).to_numpy(dtype="int64")
    return table


def handoff_table(report: TrendReport) -> pd.DataFrame:
    """Per OPD (busiest first) each channel combination that carried its hand-offs, after the
    OPD's total over all channels when there is more than one; decimal-comma minutes."""
    view = report.handoff
    columns = [COL[k] for k in HANDOFF_KEYS]
    if view is None or view.by_opd.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for total in view.by_opd.itertuples(index=False):
        parts = list(view.by_channel[view.by_channel["opd"] == total.opd].itertuples(index=False))
        # An OPD reached by one channel only gets one row; otherwise its total comes first.
        for row in parts if len(parts) == 1 else [total, *parts]:
            rows.append(_handoff_row(row, report, view.target_s))
    return pd.DataFrame(rows, columns=columns)


def handoff_chart(report: TrendReport) -> pd.DataFrame:
    """OPD, median and p90 minutes to acknowledgement (numbers, for the bar chart), busiest
    OPD first."""
    columns = [COL["opd"], labels.TREND_CHART_MEDIAN, labels.TREND_CHART_P90]
    view = report.handoff
    if view is None:
        return pd.DataFrame(columns=columns)
    frame = view.by_opd[view.by_opd["acknowledged"] > 0]
    values = [
        _names(frame["opd"], report.opd_names),
        [_minutes(v) for v in frame["median_s"]],
        [_minutes(v) for v in frame["p90_s"]],
    ]
    return pd.DataFrame(dict(zip(columns, values, strict=True)))


def escalation_weekly_table(report: TrendReport) -> pd.DataFrame:
    """One row per ISO week (WIB, Monday first day) with escalations per level and in all."""
    view = report.handoff
    if view is None:
        return pd.DataFrame(columns=[COL["week"], COL["escalations"]])
    wide = view.escalations.pivot_table(
        index="week", columns="level", values="count", aggfunc="sum", fill_value=0
    )
    table = pd.DataFrame({COL["week"]: [w.strftime("%Y-%m-%d") for w in wide.index]})
    for level in wide.columns:
        table[COL["escalation_level"].format(level=int(level))] = wide[level].to_numpy("int64")
    table[COL["escalations"]] = wide.sum(axis=1).to_numpy(dtype="int64") if len(wide) else []
    return table


def silence_table(report: TrendReport) -> pd.DataFrame:
    """OPDs ranked by escalations per 100 hand-offs (the silence that escalates most first)."""
    view = report.handoff
    rank = view.silence_rank if view is not None else pd.DataFrame(columns=["opd"])
    return pd.DataFrame(
        {
            COL["rank"]: list(range(1, len(rank) + 1)),
            COL["opd"]: _names(rank["opd"], report.opd_names),
            COL["handoffs"]: rank["handoffs"].to_numpy(dtype="int64") if len(rank) else [],
            COL["escalations"]: rank["escalations"].to_numpy(dtype="int64") if len(rank) else [],
            COL["escalations_per_100"]: [
                UNKNOWN if not _present(v) else format_decimal(v) for v in rank.get("per_100", [])
            ],
        }
    )


def incidents_table(frame: pd.DataFrame, report: TrendReport) -> pd.DataFrame:
    """The filtered incidents (trends.incident_rows) for leadership: WIB times, masked phones."""
    cats, opds = report.category_names, report.opd_names
    return pd.DataFrame(
        {
            COL["code"]: frame["code"].tolist(),
            COL["received_wib"]: [_wib(v) for v in frame["received_at_utc"]],
            COL["category"]: [cats.get(c, c) for c in frame["category_code"]],
            COL["priority"]: frame["priority"].astype("int64").tolist(),
            COL["status"]: [labels.STATUS.get(s, s) for s in frame["status"]],
            COL["cancel_reason"]: _names(frame["cancel_reason"], labels.CANCEL_REASON),
            COL["kondisi"]: [_name(v, "") for v in frame["kondisi"]],
            COL["address"]: [_name(v, "") for v in frame["address"]],
            COL["kelurahan"]: [_name(v, "") for v in frame["kelurahan"]],
            COL["kecamatan"]: [_name(v, labels.TREND_UNKNOWN_PLACE) for v in frame["kecamatan"]],
            COL["lat"]: frame["lat"].astype("float64").round(6).tolist(),
            COL["lon"]: frame["lon"].astype("float64").round(6).tolist(),
            COL["phone_masked"]: [mask_phone(_name(p, "")) for p in frame["caller_phone"]],
            COL["first_opd"]: _names(frame["first_opd_code"], opds),
            COL["current_opd"]: _names(frame["opd_code"], opds),
            COL["reassign_count"]: frame["reassign_count"].astype("int64").tolist(),
            COL["forwarded_wib"]: [_wib(v) for v in frame["forwarded_at_utc"]],
            COL["acknowledged_wib"]: [_wib(v) for v in frame["acknowledged_at_utc"]],
            COL["resolved_wib"]: [_wib(v) for v in frame["resolved_at_utc"]],
            COL["cancelled_wib"]: [_wib(v) for v in frame["cancelled_at_utc"]],
            COL["forward_s"]: [_whole(v) for v in frame["forward_s"]],
            COL["acknowledge_s"]: [_whole(v) for v in frame["acknowledge_s"]],
            COL["resolve_min"]: [_minutes(v) for v in frame["resolve_s"]],
        }
    )


@dataclass(frozen=True)
class Headline:
    """One figure at the top of the page, with its target beside it."""

    label: str
    value: str
    detail: str | None = None
    on_target: bool | None = None


def headlines(report: TrendReport) -> list[Headline]:
    """Volume, nuisance share, reassignment rate, and each stage's median against its target."""
    totals = report.totals
    items = [
        Headline(labels.TREND_METRIC_TOTAL, format_count(totals.incidents)),
        Headline(labels.TREND_METRIC_NUISANCE, format_percent(totals.nuisance_share)),
        Headline(labels.TREND_METRIC_REASSIGN, format_percent(totals.reassign_rate)),
    ]
    overall = report.speed["all"].set_index("stage")
    for stage, stage_label in labels.TREND_STAGE.items():
        label = labels.TREND_METRIC_STAGE.format(stage=stage_label)
        if stage not in overall.index:
            items.append(Headline(label, "-"))
            continue
        row = overall.loc[stage]
        share = row["within_share"]
        detail = labels.TREND_METRIC_STAGE_DELTA.format(
            target=duration_text(row["target_s"]),
            within=format_percent(share),
            share=format_percent(row["target_share"]),
        )
        on_target = bool(share is not None and share >= row["target_share"])
        items.append(Headline(label, duration_text(row["median_s"]), detail, on_target))
    return items


def duration_text(seconds: float | None) -> str:
    """45 dtk, 3 mnt 20 dtk, 2 j 05 mnt: durations as people say them."""
    if seconds is None or pd.isna(seconds):
        return "-"
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} j {minutes:02d} mnt"
    if minutes:
        return f"{minutes} mnt {secs:02d} dtk" if secs else f"{minutes} mnt"
    return f"{secs} dtk"


def staffing_long(report: TrendReport) -> pd.DataFrame:
    """The staffing table as (hour, day, count) rows, for a heat map."""
    frame = report.hour_weekday
    return pd.DataFrame(
        {
            COL["hour"]: [f"{h:02d}" for h in frame["hour"]],
            labels.TREND_CHART_DAY: [labels.TREND_WEEKDAYS[d] for d in frame["weekday"]],
            COL["total"]: frame["count"].to_numpy(dtype="int64"),
        }
    )


def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel then reads Indonesian text right)."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = [_defuse(v) for v in safe[column]]
        if (
            pd.api.types.is_datetime64_any_dtype(safe[column])
            or safe[column].map(lambda v: isinstance(v, datetime)).any()
        ):
            safe[column] = [_csv_time(v) for v in safe[column]]
    return safe.to_csv(index=False).encode("utf-8-sig")


def _csv_time(value) -> str:
    if not _present(value):
        return ""
    return pd.Timestamp(value).strftime(WIB_TEXT_FORMAT)


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per table (title -> table); text cells are never formulas."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for title, table in sheets.items():
        sheet = book.create_sheet(_sheet_name(title, used))
        for col, header in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=col, value=str(header))
            cell.font = Font(bold=True)
            cell.data_type = "s"
        for row_number, values in enumerate(table.itertuples(index=False), start=2):
            for col, value in enumerate(values, start=1):
                cell = sheet.cell(row=row_number, column=col, value=_cell_value(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # "=..." from a caller stays text
                elif isinstance(cell.value, datetime):
                    cell.number_format = XLSX_TIME_FORMAT
        for col, header in enumerate(table.columns, start=1):
            width = max([len(str(header)), *(len(str(v)) for v in table.iloc[:200, col - 1])])
            sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_name(key: str, report: TrendReport, suffix: str) -> str:
    """e.g. tren-volume-20260302-20260315.csv"""
    flt = report.filter
    return f"tren-{key}-{flt.start_day:%Y%m%d}-{flt.end_day:%Y%m%d}.{suffix}"


# --- private helpers -------------------------------------------------------------------------

HANDOFF_KEYS = (
    "opd",
    "channel",
    "handoffs",
    "acknowledged",
    "waiting",
    "ack_median_min",
    "ack_p90_min",
    "ack_within_pct",
    "target_min",
    "escalations",
)


def _handoff_row(row, report: TrendReport, target_s: int) -> list:
    return [
        report.opd_names.get(row.opd, row.opd),
        labels.TREND_CHANNEL.get(row.channel, row.channel),
        int(row.handoffs),
        int(row.acknowledged),
        int(row.waiting),
        _minutes_text(row.median_s),
        _minutes_text(row.p90_s),
        format_percent(row.within_share),
        _minutes_text(target_s),
        int(row.escalations),
    ]


def _minutes_text(seconds: float | None) -> str:
    if seconds is None or pd.isna(seconds):
        return UNKNOWN
    return format_decimal(float(seconds) / 60)


def _period_labels(periods, report: TrendReport) -> list[str]:
    fmt = "%Y-%m" if report.filter.granularity == "month" else "%Y-%m-%d"
    return [p.strftime(fmt) for p in periods]


def _pct(share: float | None) -> float | None:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return None
    return round(float(share) * 100, 1)


def _minutes(seconds: float | None) -> float | None:
    if seconds is None or pd.isna(seconds):
        return None
    return round(float(seconds) / 60, 2)


def _whole(seconds: float | None) -> int | None:
    if seconds is None or pd.isna(seconds):
        return None
    return int(seconds)


def _wib(value) -> datetime | None:
    """A stored UTC time as the WIB wall-clock time (naive: the column header says WIB).

    Kept a datetime so a spreadsheet sorts and filters it as a date; CSV writes it as text in
    the screens' form (dd-mm-yyyy hh:mm:ss).
    """
    if not _present(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return to_wib(value).replace(tzinfo=None)


def _present(value) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value))


def _name(value, missing: str) -> str:
    return str(value) if _present(value) else missing


def _names(codes, names: Mapping[str, str]) -> list[str]:
    return [names.get(c, c) if _present(c) else "" for c in codes]


def _defuse(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell_value(value):
    if not _present(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalar -> Python number
        return value.item()
    return value


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:SHEET_NAME_MAX] or "Tabel"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name
