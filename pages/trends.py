"""Tren: volume, place, speed, routing quality and prank share for leadership, with exports."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import exports, fmt, labels, rollups, trends
from dashboard.domain import format_wib
from geo import grid_counts
from mapview import trend_maps
from mapview.style import CLASS_COLOR
from pages import components, ui

# Chart axes in Indonesian number form (1.000 and 2,5), like every other figure on the page.
VEGA_LOCALE = {
    "locale": {
        "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}
    }
}

# The rollups count on this grid: a different cell size would fall back to the exact query.
GRID_CELL_M = rollups.GRID_CELL_M
MAP_KEY = "trend_map"
COL = labels.TREND_COL


@st.cache_data(ttl=60, show_spinner=False)
def _report(flt: trends.TrendFilter) -> trends.TrendReport:
    spec = grid_counts.grid_spec(cell_m=GRID_CELL_M, city=ui.get_city())
    return trends.build_report(ui.get_engine(), flt, grid=spec)


@st.cache_data(ttl=60, show_spinner=False)
def _warning_split(flt: trends.TrendFilter) -> pd.DataFrame:
    return trends.warning_split(ui.get_engine(), flt)


@st.cache_data(ttl=300, show_spinner=False)
def _options() -> dict:
    return trends.filter_options(ui.get_engine())


def _filters() -> trends.TrendFilter:
    options = _options()
    default = trends.default_filter(now_utc=ui.now_utc())
    cols = st.columns([2.2, 1.2, 2.4, 2, 2])
    dates = cols[0].date_input(
        labels.TREND_DATES,
        value=(default.start_day, default.end_day),
        max_value=default.end_day,
        format="DD/MM/YYYY",
        key="trend_dates",
    )
    granularity = cols[1].selectbox(
        labels.TREND_GRANULARITY,
        trends.GRANULARITIES,
        format_func=labels.TREND_GRANULARITY_OPTIONS.get,
        key="trend_granularity",
    )
    categories = _narrow(
        cols[2], labels.TREND_FILTER_CATEGORIES, options["categories"], key="trend_categories"
    )
    opds = _narrow(
        cols[3],
        labels.TREND_FILTER_OPDS,
        options["opds"],
        help=labels.TREND_FILTER_OPDS_HELP,
        key="trend_opds",
    )
    # Kecamatan are shown by their own names.
    kecamatan = _narrow(
        cols[4],
        labels.TREND_FILTER_KECAMATAN,
        {name: name for name in options["kecamatan"]},
        key="trend_kecamatan",
    )
    if not isinstance(dates, tuple) or len(dates) != 2:
        st.info(labels.TREND_DATES_INCOMPLETE)
        st.stop()
    return trends.TrendFilter(
        start_day=dates[0],
        end_day=dates[1],
        granularity=granularity,
        categories=categories,
        opds=opds,
        kecamatan=kecamatan,
    )


def _narrow(col, label: str, names: dict, *, key: str, **options) -> tuple:
    """One filter of the report: the keys chosen; none chosen means all (as the box says)."""
    chosen = components.choose(
        col.multiselect, label, names, placeholder=labels.TREND_FILTER_ALL, key=key, **options
    )
    return tuple(chosen)


def _headlines(report: trends.TrendReport) -> None:
    items = exports.headlines(report)
    for start in range(0, len(items), 3):
        row = items[start : start + 3]
        for col, item in zip(st.columns(3), row, strict=False):
            colour = "gray" if item.on_target is None else ("green" if item.on_target else "red")
            col.metric(
                item.label,
                item.value,
                delta=item.detail,
                delta_color=colour,
                delta_arrow="off",
                border=True,
            )


def _table(frame) -> None:
    st.dataframe(exports.for_screen(frame), hide_index=True, width="stretch")


def _warning_table(report: trends.TrendReport, split: pd.DataFrame) -> pd.DataFrame:
    """Incidents during CAP warnings vs outside per category, and all categories last."""
    during, outside, total = (split[k].tolist() for k in ("during", "outside", "total"))
    names = [report.category_names.get(code, code) for code in split["category_code"]]
    names.append(labels.TREND_CAP_ALL)
    during.append(sum(during))
    outside.append(sum(outside))
    total.append(sum(total))
    return pd.DataFrame(
        {
            COL["category"]: names,
            COL["cap_during"]: during,
            COL["cap_outside"]: outside,
            COL["total"]: total,
            COL["cap_during_pct"]: [
                round(100 * d / n, 1) if n else None for d, n in zip(during, total, strict=True)
            ],
        }
    )


def _heatmap(report: trends.TrendReport) -> None:
    data = exports.staffing_long(report)
    spec = {
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {
                "field": COL["hour"],
                "type": "ordinal",
                "title": labels.TREND_CHART_HOUR,
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": labels.TREND_CHART_DAY,
                "type": "ordinal",
                "sort": list(labels.TREND_WEEKDAYS),
                "title": None,
            },
            "color": {
                "field": COL["total"],
                "type": "quantitative",
                "title": labels.TREND_CHART_COUNT,
                "scale": {"scheme": "orangered"},
            },
        },
        "height": 230,
        "config": VEGA_LOCALE,
    }
    st.vega_lite_chart(data, spec, width="stretch")


def _handoffs(report: trends.TrendReport, tables: dict) -> None:
    """How reports reach the OPDs: time to acknowledgement per OPD and channel, escalations."""
    st.subheader(labels.TREND_SECTION_HANDOFF)
    view = report.handoff
    target_min = fmt.format_decimal(report.targets.acknowledge_s / 60)
    st.caption(labels.TREND_HANDOFF_CAPTION.format(target=target_min))
    if view is None or view.by_opd.empty:
        st.info(labels.TREND_HANDOFF_EMPTY)
        return
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{labels.TREND_HANDOFF_CHART_TITLE}**")
        chart = exports.handoff_chart(report)
        st.bar_chart(
            chart,
            x=COL["opd"],
            y=[labels.TREND_CHART_MEDIAN, labels.TREND_CHART_P90],
            color=["#1565c0", "#ef6c00"],
            stack=False,
            horizontal=True,
            sort=False,
            x_label=COL["opd"],
            y_label=labels.TREND_CHART_MINUTES,
            height=max(220, 36 * len(chart) + 90),
        )
    with right:
        st.markdown(f"**{labels.TREND_ESCALATION_CHART_TITLE}**")
        weekly = tables["handoff_weekly"][1]
        levels = [c for c in weekly.columns if c not in (COL["week"], COL["escalations"])]
        if weekly[COL["escalations"]].sum() == 0:
            st.info(labels.TREND_NO_ESCALATIONS)
        else:
            st.bar_chart(
                weekly,
                x=COL["week"],
                y=levels,
                color=["#f9a825", "#c62828"][: len(levels)],
                stack=True,
                x_label=COL["week"],
                y_label=labels.TREND_CHART_ESCALATIONS,
                height=260,
            )
    _table(tables["handoff"][1])
    st.markdown(f"**{labels.TREND_SILENCE_TITLE}**")
    _table(tables["handoff_silence"][1])


def _downloads(report: trends.TrendReport, tables: dict, engine) -> None:
    flt = report.filter
    choices = {"incidents": labels.TREND_TABLE["incidents"]} | {
        key: title for key, (title, _table) in tables.items()
    }
    cols = st.columns([3, 1, 1, 2])
    key = components.choose(
        cols[0].selectbox, labels.TREND_EXPORT_TABLE, choices, key="trend_export"
    )
    if key == "incidents":

        def table():
            rows = trends.incident_rows(engine, flt)
            return exports.incidents_table(rows, report)

    else:

        def table():
            return tables[key][1]

    components.download(
        cols[1],
        labels.TREND_EXPORT_CSV,
        lambda: exports.csv_bytes(table()),
        exports.file_name(key, report, "csv"),
        key="trend_csv",
    )
    components.download(
        cols[2],
        labels.TREND_EXPORT_XLSX,
        lambda: exports.xlsx_bytes({choices[key]: table()}),
        exports.file_name(key, report, "xlsx"),
        key="trend_xlsx",
    )
    components.download(
        cols[3],
        labels.TREND_EXPORT_ALL,
        lambda: exports.xlsx_bytes({title: frame for title, frame in tables.values()}),
        exports.file_name("kpi", report, "xlsx"),
        key="trend_xlsx_all",
        type="primary",
    )
    st.caption(labels.TREND_EXPORT_NOTE.format(limit=fmt.format_count(trends.DEFAULT_EXPORT_LIMIT)))


ui.require("trends")
engine = ui.get_engine()
st.title(labels.TREND_TITLE)
flt = _filters()
report = ui.run_service(_report, flt)
if report is None:
    st.stop()
st.caption(labels.TREND_CAPTION.format(as_of=format_wib(ui.now_utc())))
if report.totals.incidents == 0:
    st.info(labels.TREND_EMPTY)
    st.stop()
tables = exports.report_tables(report)
_headlines(report)

st.subheader(labels.TREND_SECTION_VOLUME)
# Six classes a reader tells apart (colour-blind safe); the 18 categories are in the table.
volume = exports.volume_class_table(report)
classes = [c for c in volume.columns if c != COL["period"]]
volume_long = volume.melt(
    id_vars=COL["period"], value_vars=classes, var_name=COL["class"], value_name=COL["count"]
)
st.vega_lite_chart(
    volume_long,
    {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": COL["period"], "type": "ordinal", "title": labels.TREND_CHART_PERIOD},
            "y": {"field": COL["count"], "type": "quantitative", "title": labels.TREND_CHART_COUNT},
            "color": {
                "field": COL["class"],
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": classes,
                    "range": [CLASS_COLOR[c] for c in exports.volume_class_codes(volume)],
                },
                # Above the chart, every name in full (six classes fit on one or two lines).
                "legend": {"orient": "top", "labelLimit": 0, "labelFontSize": 13, "columns": 3},
            },
            "order": {"field": COL["class"], "sort": "ascending"},
        },
        "height": 300,
        "config": VEGA_LOCALE,
    },
    width="stretch",
)
with st.expander(labels.TREND_VOLUME_BY_CATEGORY):
    _table(tables["volume"][1])

st.subheader(labels.TREND_SECTION_CAP)
st.caption(labels.TREND_CAP_CAPTION)
warning_split = ui.run_service(_warning_split, flt)
if warning_split is not None:
    tables["cap_split"] = (labels.TREND_TABLE["cap_split"], _warning_table(report, warning_split))
    if int(warning_split["during"].sum()) == 0:
        st.info(labels.TREND_CAP_NONE_DURING)
    _table(tables["cap_split"][1])

st.subheader(labels.TREND_SECTION_NUISANCE)
nuisance = tables["nuisance"][1]
left, right = st.columns(2)
left.bar_chart(
    nuisance,
    x=COL["period"],
    y=[COL["prank"], COL["ghost"], COL["bukan_darurat"]],
    color=["#c62828", "#8e24aa", "#90a4ae"],
    stack=True,
    x_label=labels.TREND_CHART_PERIOD,
    y_label=labels.TREND_CHART_COUNT,
)
right.line_chart(
    nuisance,
    x=COL["period"],
    y=COL["nuisance_pct"],
    color="#c62828",
    x_label=labels.TREND_CHART_PERIOD,
    y_label=labels.TREND_CHART_SHARE,
)

st.subheader(labels.TREND_SECTION_PLACE)
st.caption(labels.TREND_PLACE_CAPTION.format(cell_m=round(GRID_CELL_M)))
map_col, table_col = st.columns([3, 2])
with map_col:
    trend_map = trend_maps.trend_map(
        ui.get_city(),
        kelurahan_counts=report.by_kelurahan,
        kecamatan_counts=report.by_kecamatan,
        grid_spec=report.grid.spec if report.grid else None,
        grid_cells=report.grid.cells if report.grid else None,
    )
    st_folium(trend_map, key=MAP_KEY, returned_objects=[], height=520, use_container_width=True)
with table_col:
    _table(tables["kecamatan"][1])
    _table(tables["kelurahan"][1])

st.subheader(labels.TREND_SECTION_SPEED)
st.caption(labels.TREND_SPEED_CAPTION)
_table(tables["speed_all"][1])
speed_chart = exports.speed_chart(report)
if not speed_chart.empty:
    st.markdown(f"**{labels.TREND_SPEED_CHART_TITLE}**")
    target_min = report.targets.resolve_s / 60
    bars = {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {
                "field": COL["opd"],
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelLimit": 0, "labelFontSize": 13},
            },
            "yOffset": {"field": COL["measure"]},
            "x": {"field": COL["minutes"], "type": "quantitative", "title": COL["minutes"]},
            "color": {
                "field": COL["measure"],
                "type": "nominal",
                "title": None,
                "scale": {"range": ["#0072B2", "#E69F00"]},
                "legend": {"orient": "top", "labelLimit": 0},
            },
        },
    }
    target = {
        "mark": {"type": "rule", "color": "#c62828", "strokeDash": [6, 4], "size": 2},
        "encoding": {"x": {"datum": target_min}},
    }
    st.vega_lite_chart(
        speed_chart,
        {
            "layer": [bars, target],
            "height": 44 * speed_chart[COL["opd"]].nunique() + 40,
            "config": VEGA_LOCALE,
        },
        width="stretch",
    )
    st.caption(labels.TREND_SPEED_CHART_TARGET.format(target=fmt.format_decimal(target_min)))
by_opd, by_category = st.tabs(
    [labels.TREND_TABLE["speed_opd"], labels.TREND_TABLE["speed_category"]]
)
with by_opd:
    _table(tables["speed_opd"][1])
with by_category:
    _table(tables["speed_category"][1])

st.subheader(labels.TREND_SECTION_ROUTING)
st.caption(labels.TREND_ROUTING_CAPTION)
left, right = st.columns(2)
with left:
    reassign_opd = tables["reassign_opd"][1]
    st.bar_chart(
        reassign_opd,
        x=COL["first_opd"],
        y=COL["reassign_pct"],
        color="#ef6c00",
        horizontal=True,
        sort=f"-{COL['reassign_pct']}",
        x_label=COL["first_opd"],
        y_label=COL["reassign_pct"],
    )
    _table(reassign_opd)
with right:
    st.markdown(f"**{labels.TREND_FLOWS_TITLE}**")
    flows = tables["flows"][1]
    if flows.empty:
        st.info(labels.TREND_NO_FLOWS)
    else:
        _table(flows)
    with st.expander(labels.TREND_TABLE["reassign_category"]):
        _table(tables["reassign_category"][1])

_handoffs(report, tables)

st.subheader(labels.TREND_SECTION_STAFFING)
st.caption(labels.TREND_STAFFING_CAPTION)
_heatmap(report)
with st.expander(labels.TREND_TABLE["staffing"]):
    _table(tables["staffing"][1])

st.subheader(labels.TREND_SECTION_EXPORT)
_downloads(report, tables, engine)
