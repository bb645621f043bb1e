"""Leadership trends: volume, place, speed, routing quality and staffing, aggregated in SQL.

Every figure is computed by the database (GROUP BY, percentiles), never by loading incident rows
into pandas (pandas only sums a few of those small results, e.g. kelurahan -> kecamatan); the
same numbers come out of SQLite and PostgreSQL. Once the trend rollups are built, build_report
takes activity, places, routing, speed, flows, hour x weekday, the hand-off view and the
density grid from them instead (dashboard/rollups.py: the same counts, percentiles from
duration histograms within 0.5 %); the functions here stay the exact way
(build_report(exact=True)) and the rules both follow:

- Periods are WIB (UTC+7, no daylight saving) days, ISO weeks starting Monday, or months; a
  timestamp is stored as naive UTC and shifted by 7 hours in SQL before bucketing.
- Durations are whole seconds between the two timestamps, each truncated to the second.
- Percentiles use linear interpolation between closest ranks (PostgreSQL `percentile_cont`,
  numpy's default "linear" method): with the n durations sorted, h = p * (n - 1) and the value
  is v[floor(h)] + (h - floor(h)) * (v[ceil(h)] - v[floor(h)]) (0-based). PostgreSQL runs
  `percentile_cont`; SQLite evaluates the same formula, finding v[k] from running counts of
  the distinct durations (a SUM window), in the same double-precision order of operations,
  so both return identical values.
- "Within target" counts durations <= the target (a 60 s target accepts exactly 60 s).
- Hand-offs (`handoff_view`): a FORWARD, REASSIGN or REOPEN event naming an OPD, counted when
  its moment falls in the WIB days (category and kecamatan narrow by the incident, OPD by the
  OPD it went to). Its acknowledgement is the first ACKNOWLEDGE of the incident after it and
  before the incident's next hand-off; an escalation belongs to the hand-off it follows the
  same way. Its channels are the browser always, plus each outbox row made for that event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from dashboard import cap, catalogue, labels
from dashboard import tables as t
from dashboard.db import reading
from dashboard.domain import DIBATALKAN, DITERUSKAN, Targets, to_wib
from dashboard.errors import InvalidInput

GRANULARITIES = ("day", "week", "month")
WIB_OFFSET_H = 7
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
STAGES = ("forward", "acknowledge", "resolve")
GROUPINGS = ("all", "opd", "category")
ALL_GROUP = "__all__"
DEFAULT_EXPORT_LIMIT = 100_000
PERCENTILES = (0.5, 0.9)
SPEED_COLUMNS = (
    "group",
    "stage",
    "n",
    "median_s",
    "p90_s",
    "target_s",
    "within",
    "within_share",
    "target_share",
)

_STAGE_COLUMNS = {
    # stage: (start, end); acknowledgement counts from when the current OPD got the incident,
    # so a reassigned incident is not charged to the new OPD for the old OPD's time.
    "forward": ("received_at_utc", "forwarded_at_utc"),
    "acknowledge": ("assigned_at_utc", "acknowledged_at_utc"),
    "resolve": ("received_at_utc", "resolved_at_utc"),
}


@dataclass(frozen=True)
class TrendFilter:
    """Which incidents a trend covers: received between two WIB days (inclusive), narrowed."""

    start_day: date
    end_day: date
    granularity: str = "day"
    categories: tuple[str, ...] = ()
    # An OPD matches incidents it received first or holds now (routing quality needs both).
    opds: tuple[str, ...] = ()
    kecamatan: tuple[str, ...] = ()

    @property
    def since_utc(self) -> datetime:
        return datetime.combine(self.start_day, time()) - timedelta(hours=WIB_OFFSET_H)

    @property
    def until_utc(self) -> datetime:
        end = datetime.combine(self.end_day + timedelta(days=1), time())
        return end - timedelta(hours=WIB_OFFSET_H)


@dataclass(frozen=True)
class Totals:
    incidents: int
    nuisance: int
    forwarded: int
    reassigned: int

    @property
    def nuisance_share(self) -> float | None:
        return _share(self.nuisance, self.incidents)

    @property
    def reassign_rate(self) -> float | None:
        return _share(self.reassigned, self.forwarded)


@dataclass(frozen=True)
class GridCounts:
    """Incident counts per square cell of a geo.grid_counts.GridSpec (only non-empty cells)."""

    spec: object
    cells: pd.DataFrame  # ix, iy, count


@dataclass(frozen=True)
class HandoffView:
    """How reports reach the OPDs: per OPD and channel, time from hand-off to acknowledgement."""

    target_s: int
    # opd, channel (CHANNEL_* combination), handoffs, acknowledged, waiting, within,
    # within_share (of the hand-offs), median_s, p90_s, escalations; busiest OPD first.
    by_channel: pd.DataFrame
    # The same per OPD over all its channels, plus per_100 (escalations per 100 hand-offs).
    by_opd: pd.DataFrame
    # week (Monday, WIB), level (1, 2), count: every week of the range x both levels.
    escalations: pd.DataFrame

    @property
    def silence_rank(self) -> pd.DataFrame:
        """OPDs by escalations per 100 hand-offs, most first (ties: more hand-offs, code)."""
        frame = self.by_opd.sort_values(
            ["per_100", "handoffs", "opd"], ascending=[False, False, True], kind="stable"
        )
        return frame[["opd", "handoffs", "escalations", "per_100"]].reset_index(drop=True)


@dataclass(frozen=True)
class TrendReport:
    filter: TrendFilter
    targets: Targets
    totals: Totals
    category_names: dict[str, str]
    category_colors: dict[str, str]
    opd_names: dict[str, str]
    volume: pd.DataFrame  # period, category_code, count (every period x category seen)
    nuisance: pd.DataFrame  # period, total, prank, ghost, bukan_darurat, nuisance, share
    by_kecamatan: pd.DataFrame  # kecamatan, count
    by_kelurahan: pd.DataFrame  # kelurahan_kode, kelurahan, kecamatan, count
    speed: dict[str, pd.DataFrame]  # grouping -> group, stage, n, median_s, p90_s, within, ...
    reassign: dict[str, pd.DataFrame]  # "opd"/"category" -> group, forwarded, reassigned, rate
    flows: pd.DataFrame  # from_opd, to_opd, count (most frequent first)
    hour_weekday: pd.DataFrame  # hour, weekday (0 = Monday), count: all 24 x 7 cells
    grid: GridCounts | None = None
    handoff: HandoffView | None = None


def default_filter(*, now_utc: datetime, days: int = DEFAULT_DAYS) -> TrendFilter:
    """The last `days` WIB days up to and including today."""
    today = wib_today(now_utc)
    return TrendFilter(start_day=today - timedelta(days=days - 1), end_day=today)


def wib_today(now_utc: datetime) -> date:
    return to_wib(now_utc).date()


def check_filter(flt: TrendFilter) -> None:
    """Raise InvalidInput for an empty or reversed date range or an unknown granularity."""
    if flt.granularity not in GRANULARITIES:
        raise InvalidInput(labels.TREND_ERR_GRANULARITY.format(value=str(flt.granularity)[:20]))
    if flt.end_day < flt.start_day:
        raise InvalidInput(labels.TREND_ERR_RANGE)
    if (flt.end_day - flt.start_day).days + 1 > MAX_DAYS:
        raise InvalidInput(labels.TREND_ERR_RANGE_TOO_LONG.format(days=MAX_DAYS))


def build_report(
    engine: Engine, flt: TrendFilter, *, grid=None, exact: bool = False
) -> TrendReport:
    """Every table of the Tren page for one filter, read in one consistent snapshot.

    Activity, places, routing, speed, reassignment flows, hour x weekday and the hand-off
    view come from the trend rollups (dashboard/rollups.py: folded days from a few rows per
    day or month, days not yet folded from their incidents and events; counts exact,
    percentiles within 0.5 %) once they are built; `exact=True`, or rollups not built yet,
    runs the exact queries below on every incident instead. The grid (when `grid`, a
    geo.grid_counts.GridSpec, is given) comes from the rollups too when they were folded on
    that grid (rollups.rollup_grid), else from the incidents. Small roll-ups of their results
    happen in pandas.
    """
    # rollups builds on this module's filter and SQL helpers: importing it at the top would
    # be a cycle, so the one place that delegates to it imports it here.
    from dashboard import rollups  # noqa: PLC0415 - cycle: dashboard.rollups imports this module

    check_filter(flt)
    with read_connection(engine) as conn:
        targets = catalogue.ops_settings(conn).targets
        names, colors = _category_names(conn)
        parts = None if exact else rollups.read(conn, flt, targets=targets, grid=grid)
        if parts is None:
            activity = period_activity(conn, flt)
            places = place_counts(conn, flt)
            routing = routing_counts(conn, flt)
        else:
            activity, places, routing = parts.activity, parts.places, parts.routing
        report = TrendReport(
            filter=flt,
            targets=targets,
            totals=Totals(
                incidents=int(activity["total"].sum()),
                nuisance=int(activity[["prank", "ghost", "bukan_darurat"]].to_numpy().sum()),
                forwarded=int(routing["forwarded"].sum()),
                reassigned=int(routing["reassigned"].sum()),
            ),
            category_names=names,
            category_colors=colors,
            opd_names=_opd_names(conn),
            volume=volume_from(activity, flt),
            nuisance=nuisance_from(activity, flt),
            by_kecamatan=kecamatan_from(places),
            by_kelurahan=places,
            speed=(
                parts.speed
                if parts is not None and parts.speed is not None
                else speed(conn, flt, targets=targets)
            ),
            reassign={by: reassign_from(routing, by=by) for by in ("opd", "category")},
            flows=reassign_flows(conn, flt) if parts is None else parts.flows,
            hour_weekday=hour_weekday(conn, flt) if parts is None else parts.hour_weekday,
            grid=None if grid is None else GridCounts(grid, _grid_of(conn, flt, grid, parts)),
            handoff=(
                parts.handoff
                if parts is not None and parts.handoff is not None
                else handoff_view(conn, flt, targets=targets)
            ),
        )
    return report


def _grid_of(conn: Connection, flt: TrendFilter, spec, parts) -> pd.DataFrame:
    if parts is not None and parts.grid is not None:
        return parts.grid
    return grid_cells(conn, flt, spec)


def read_connection(engine: Engine) -> Connection:
    """A connection for a long read: on SQLite a deferred transaction (one WAL snapshot that
    does not hold the write lock call-takers need), on PostgreSQL a read-only repeatable read.
    """
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    return reading(engine)


def period_activity(conn: Connection, flt: TrendFilter) -> pd.DataFrame:
    """Calls per period and category, with prank / ghost / not-an-emergency closures."""
    c = t.incidents.c
    period = _wib_period(c.received_at_utc, flt.granularity).label("period")

    def closed_as(reason: str):
        flag = case((and_(c.status == DIBATALKAN, c.cancel_reason == reason), 1), else_=0)
        return func.sum(flag)

    rows = conn.execute(
        select(
            period,
            c.category_code,
            func.count(),
            closed_as("PRANK"),
            closed_as("GHOST"),
            closed_as("BUKAN_DARURAT"),
        )
        .where(*filter_conditions(flt))
        .group_by(period, c.category_code)
    ).all()
    columns = ["period", "category_code", "total", "prank", "ghost", "bukan_darurat"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    frame["period"] = [date.fromisoformat(p) for p in frame["period"]]
    return frame.astype({k: "int64" for k in columns[2:]})


def volume_from(activity: pd.DataFrame, flt: TrendFilter) -> pd.DataFrame:
    """period, category_code, count for every period of the range and every category seen."""
    # Plain dicts, not a MultiIndex reindex: a few hundred cells, and pandas' fixed cost per
    # step was most of the page's time once the figures came from the rollups.
    found = dict(
        zip(
            zip(activity["period"].tolist(), activity["category_code"].tolist(), strict=True),
            activity["total"].tolist(),
            strict=True,
        )
    )
    codes = sorted({code for _period, code in found})
    rows = [(p, code, found.get((p, code), 0)) for p in period_starts(flt) for code in codes]
    frame = pd.DataFrame(rows, columns=["period", "category_code", "count"])
    return frame.astype({"count": "int64"})


def nuisance_from(activity: pd.DataFrame, flt: TrendFilter) -> pd.DataFrame:
    """Per period: all calls, prank / ghost / not-an-emergency closures and their share."""
    sums = activity.groupby("period")[["total", "prank", "ghost", "bukan_darurat"]].sum()
    frame = sums.reindex(pd.Index(period_starts(flt), name="period"), fill_value=0)
    frame = frame.astype("int64").reset_index()
    frame["nuisance"] = frame["prank"] + frame["ghost"] + frame["bukan_darurat"]
    frame["share"] = _shares(frame["nuisance"], frame["total"])
    return frame


def place_counts(conn: Connection, flt: TrendFilter) -> pd.DataFrame:
    """Incidents per kelurahan (code, name, kecamatan), most first; NULL = outside / unknown."""
    c = t.incidents.c
    n = func.count()
    rows = conn.execute(
        select(c.kelurahan_kode, c.kelurahan, c.kecamatan, n.label("count"))
        .where(*filter_conditions(flt))
        .group_by(c.kelurahan_kode, c.kelurahan, c.kecamatan)
        .order_by(
            n.desc(),
            c.kelurahan_kode.asc().nulls_last(),
            c.kelurahan.asc().nulls_last(),
            c.kecamatan.asc().nulls_last(),
        )
    ).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=["kelurahan_kode", "kelurahan", "kecamatan", "count"]
    )
    return frame.astype({"count": "int64"})


def kecamatan_from(places: pd.DataFrame) -> pd.DataFrame:
    """kecamatan, count (most first, unknown last) from place_counts."""
    sums: dict[str | None, int] = {}
    for kecamatan, n in zip(_texts(places["kecamatan"]), places["count"].tolist(), strict=True):
        sums[kecamatan] = sums.get(kecamatan, 0) + n
    rows = sorted(sums.items(), key=lambda item: (-item[1], item[0] is None, item[0] or ""))
    return pd.DataFrame(rows, columns=["kecamatan", "count"]).astype({"count": "int64"})


def grid_cells(conn: Connection, flt: TrendFilter, spec) -> pd.DataFrame:
    """Incidents per cell of `spec` (cell index ix east, iy north of the grid origin)."""
    ix, iy = grid_index(spec)
    rows = conn.execute(
        select(ix, iy, func.count().label("count"))
        .where(*filter_conditions(flt))
        .group_by(ix, iy)
        .order_by(ix, iy)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["ix", "iy", "count"]).astype("int64")


def speed(conn: Connection, flt: TrendFilter, *, targets: Targets) -> dict[str, pd.DataFrame]:
    """Median and 90th percentile of every stage's duration against its target.

    One query: durations are computed once per incident, then ranked per (stage, grouping,
    group). Returns grouping ("all", "opd", "category") -> frame with columns group (OPD
    code, category code, or ALL_GROUP), stage, n, median_s, p90_s, target_s, within (count
    <= target), within_share, target_share. A group with no measured duration for a stage has
    no row for it.
    """
    stage_targets = _stage_targets(targets)
    c = t.incidents.c
    durations = (
        select(
            c.opd_code.label("opd"),
            c.category_code.label("category"),
            *[
                (_EpochS(c[end]) - _EpochS(c[start])).label(stage)
                for stage, (start, end) in _STAGE_COLUMNS.items()
            ],
        )
        .where(
            *filter_conditions(flt),
            or_(*[c[end].is_not(None) for _start, end in _STAGE_COLUMNS.values()]),
        )
        .cte("durations")
        .prefix_with("MATERIALIZED")
    )
    if conn.dialect.name == "postgresql":
        query = _percentile_cont(durations, stage_targets)
    else:
        query = _counted_percentiles(durations, stage_targets)
    return speed_frames(conn.execute(query).all(), targets=targets)


def speed_frames(rows, *, targets: Targets) -> dict[str, pd.DataFrame]:
    """speed()'s frames from rows of (stage, grouping, group, n, within, p50, p90)."""
    stage_targets = _stage_targets(targets)
    order = {stage: i for i, stage in enumerate(STAGES)}
    rows = [tuple(r) for r in rows]
    result = {}
    for grouping in GROUPINGS:
        # (stage, grouping, group, n, within, p50, p90), by group (unknown last), then stage
        part = sorted(
            (r for r in rows if r[1] == grouping),
            key=lambda r: (r[2] is None, r[2] or "", order[r[0]]),
        )
        n = np.array([r[3] for r in part], dtype=np.int64)
        within = np.array([r[4] for r in part], dtype=np.int64)
        result[grouping] = pd.DataFrame(
            {
                "group": _text_column([r[2] for r in part]),
                "stage": _text_column([r[0] for r in part]),
                "n": n,
                "median_s": np.array([r[5] for r in part], dtype=np.float64),
                "p90_s": np.array([r[6] for r in part], dtype=np.float64),
                "target_s": np.array([stage_targets[r[0]] for r in part], dtype=np.int64),
                "within": within,
                "within_share": _shares(within, n),
                "target_share": targets.share,
            }
        )
    return result


def routing_counts(conn: Connection, flt: TrendFilter) -> pd.DataFrame:
    """Forwarded and reassigned incidents per (first OPD, category)."""
    c = t.incidents.c
    moved = func.sum(case((c.reassign_count > 0, 1), else_=0))
    rows = conn.execute(
        select(c.first_opd_code, c.category_code, func.count(), moved)
        .where(*filter_conditions(flt), c.first_opd_code.is_not(None))
        .group_by(c.first_opd_code, c.category_code)
    ).all()
    columns = ["first_opd_code", "category_code", "forwarded", "reassigned"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    return frame.astype({"forwarded": "int64", "reassigned": "int64"})


def reassign_from(routing: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Per first OPD (by="opd") or category: forwarded, reassigned, rate (most moved first)."""
    column = "first_opd_code" if by == "opd" else "category_code"
    sums: dict[str, list[int]] = {}
    for group, forwarded, reassigned in zip(
        _texts(routing[column]),
        routing["forwarded"].tolist(),
        routing["reassigned"].tolist(),
        strict=True,
    ):
        if group is not None:
            pair = sums.setdefault(group, [0, 0])
            pair[0] += forwarded
            pair[1] += reassigned
    rows = sorted(((g, *pair) for g, pair in sums.items()), key=lambda r: (-r[2], r[0]))
    forwarded = np.array([r[1] for r in rows], dtype=np.int64)
    reassigned = np.array([r[2] for r in rows], dtype=np.int64)
    return pd.DataFrame(
        {
            "group": _text_column([r[0] for r in rows]),
            "forwarded": forwarded,
            "reassigned": reassigned,
            "rate": _shares(reassigned, forwarded),
        }
    )


def reassign_flows(conn: Connection, flt: TrendFilter) -> pd.DataFrame:
    """ "Sent to A, moved to B": reassignment events per (from, to) OPD pair, most first."""
    e = t.incident_events.c
    n = func.count().label("count")
    rows = conn.execute(
        select(e.from_opd, e.to_opd, n)
        .select_from(
            t.incident_events.join(t.incidents, t.incidents.c.id == t.incident_events.c.incident_id)
        )
        .where(e.action == "REASSIGN", *filter_conditions(flt))
        .group_by(e.from_opd, e.to_opd)
        .order_by(n.desc(), e.from_opd, e.to_opd)
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["from_opd", "to_opd", "count"])
    return frame.astype({"count": "int64"})


def hour_weekday(conn: Connection, flt: TrendFilter) -> pd.DataFrame:
    """Calls per WIB hour of day (0-23) and weekday (0 = Monday ... 6 = Sunday), all 168 cells."""
    c = t.incidents.c
    hour = _WibHour(c.received_at_utc).label("hour")
    weekday = _WibWeekday(c.received_at_utc).label("weekday")
    rows = conn.execute(
        select(hour, weekday, func.count()).where(*filter_conditions(flt)).group_by(hour, weekday)
    ).all()
    found = pd.Series(
        [int(r[2]) for r in rows],
        index=pd.MultiIndex.from_tuples(
            [(int(r[0]), int(r[1])) for r in rows], names=["hour", "weekday"]
        ),
        dtype="int64",
    )
    full = pd.MultiIndex.from_product([range(24), range(7)], names=["hour", "weekday"])
    return found.reindex(full, fill_value=0).rename("count").reset_index()


def grid_index(spec) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """SQL: the incident's cell (ix, iy) in `spec`, a geo.grid_counts.GridSpec (grid_cells and
    the rollups' grid use this one expression, so both count a point in the same cell)."""
    c = t.incidents.c
    ix = _Floor((c.lon - literal(spec.origin_lon)) / literal(spec.cell_lon_deg)).label("ix")
    iy = _Floor((c.lat - literal(spec.origin_lat)) / literal(spec.cell_lat_deg)).label("iy")
    return ix, iy


def incident_measures(where: ColumnElement[bool], *, grid=None):
    """One row per incident matching `where`, what dashboard.rollups folds into day cells:
    WIB day ('YYYY-MM-DD'), hour and weekday, the filters' dimensions, kelurahan, closure,
    reassign_count and each stage's duration in whole seconds (NULL when not reached); with
    `grid` (a GridSpec) also the incident's grid cell ix, iy (grid_index)."""
    c = t.incidents.c
    return select(
        *(grid_index(grid) if grid is not None else ()),
        _WibDay(c.received_at_utc).label("day"),
        _WibHour(c.received_at_utc).label("hour"),
        _WibWeekday(c.received_at_utc).label("weekday"),
        c.category_code,
        c.opd_code,
        c.first_opd_code,
        c.kecamatan,
        c.kelurahan_kode,
        c.kelurahan,
        c.status,
        c.cancel_reason,
        c.reassign_count,
        *[
            (_EpochS(c[end]) - _EpochS(c[start])).label(stage)
            for stage, (start, end) in _STAGE_COLUMNS.items()
        ],
    ).where(where)


def wib_day_of(column) -> ColumnElement[str]:
    """SQL: 'YYYY-MM-DD' of the WIB day of a naive-UTC timestamp column."""
    return _WibDay(column)


def incident_rows(
    engine: Engine, flt: TrendFilter, *, limit: int = DEFAULT_EXPORT_LIMIT
) -> pd.DataFrame:
    """The filtered incidents themselves (oldest first, at most `limit`), for the export only."""
    check_filter(flt)
    c = t.incidents.c
    query = (
        select(
            c.code,
            c.received_at_utc,
            c.category_code,
            c.priority,
            c.status,
            c.cancel_reason,
            c.kondisi,
            c.address,
            c.kelurahan,
            c.kecamatan,
            c.lat,
            c.lon,
            c.caller_phone,
            c.first_opd_code,
            c.opd_code,
            c.reassign_count,
            c.forwarded_at_utc,
            c.acknowledged_at_utc,
            c.resolved_at_utc,
            c.cancelled_at_utc,
            (_EpochS(c.forwarded_at_utc) - _EpochS(c.received_at_utc)).label("forward_s"),
            (_EpochS(c.acknowledged_at_utc) - _EpochS(c.assigned_at_utc)).label("acknowledge_s"),
            (_EpochS(c.resolved_at_utc) - _EpochS(c.received_at_utc)).label("resolve_s"),
        )
        .where(*filter_conditions(flt))
        .order_by(c.received_at_utc, c.id)
        .limit(limit)
    )
    with read_connection(engine) as conn:
        return pd.read_sql(query, conn)


# --- hand-offs to the OPDs (issue 12, part 6) ------------------------------------------------

HANDOFF_ACTIONS = ("FORWARD", "REASSIGN", "REOPEN")
ESCALATION_LEVELS = (1, 2)
# The channels that carried a hand-off: the browser always, webhook / email when queued.
CHANNEL_BROWSER = "browser"
CHANNEL_WEBHOOK = "browser+webhook"
CHANNEL_EMAIL = "browser+email"
CHANNEL_BOTH = "browser+webhook+email"
CHANNELS = (CHANNEL_BROWSER, CHANNEL_WEBHOOK, CHANNEL_EMAIL, CHANNEL_BOTH)
HANDOFF_COLUMNS = (
    "opd",
    "channel",
    "handoffs",
    "acknowledged",
    "waiting",
    "within",
    "within_share",
    "median_s",
    "p90_s",
    "escalations",
)
HANDOFF_SUMS = ("handoffs", "acknowledged", "waiting", "within", "escalations")


def handoff_view(conn: Connection, flt: TrendFilter, *, targets: Targets) -> HandoffView:
    """Hand-offs in the filter's days per OPD and channel, their acknowledgement times
    (median, p90, share within the acknowledge target), still waiting, and escalations."""
    target = int(targets.acknowledge_s)
    handoffs = _handoff_rows(flt)
    counts = conn.execute(
        select(
            handoffs.c.opd,
            handoffs.c.channel,
            func.count(),
            func.count(handoffs.c.dur),
            func.sum(handoffs.c.waiting),
            func.sum(case((handoffs.c.dur <= _sql_int(target), 1), else_=0)),
            func.sum(handoffs.c.escalations),
        ).group_by(handoffs.c.opd, handoffs.c.channel)
    ).all()
    by_channel = pd.DataFrame([tuple(r) for r in counts], columns=["opd", "channel", *HANDOFF_SUMS])
    return handoff_view_from(
        by_channel,
        _handoff_percentiles(conn, handoffs),
        escalations_per_week(conn, flt),
        target_s=target,
    )


def handoff_view_from(
    by_channel: pd.DataFrame, pcts: pd.DataFrame, escalations: pd.DataFrame, *, target_s: int
) -> HandoffView:
    """The view from its parts: sums per OPD and channel (opd, channel, HANDOFF_SUMS), the
    percentiles (opd, channel or ALL_GROUP, median_s, p90_s) and escalations per week."""
    # Plain dicts and one frame per table: a few dozen rows, where pandas' merges and sorts
    # cost more than the figures.
    channel_sums = [
        (opd, channel, [int(v) for v in values])
        for opd, channel, *values in zip(
            _texts(by_channel["opd"]),
            _texts(by_channel["channel"]),
            *[by_channel[k].tolist() for k in HANDOFF_SUMS],
            strict=True,
        )
    ]
    opd_sums: dict[str | None, list[int]] = {}
    for opd, _channel, values in channel_sums:
        total = opd_sums.setdefault(opd, [0] * len(HANDOFF_SUMS))
        for i, v in enumerate(values):
            total[i] += v
    found = {
        (opd, channel): (median, p90)
        for opd, channel, median, p90 in zip(
            _texts(pcts["opd"]),
            _texts(pcts["channel"]),
            pcts["median_s"].tolist(),
            pcts["p90_s"].tolist(),
            strict=True,
        )
    }
    by_opd = _handoff_table(
        [(opd, ALL_GROUP, values) for opd, values in sorted(opd_sums.items(), key=_unknown_last)],
        found,
    )
    by_opd["per_100"] = [
        None if not n else 100 * e / n
        for e, n in zip(by_opd["escalations"], by_opd["handoffs"], strict=True)
    ]
    return HandoffView(
        target_s=target_s,
        by_channel=_handoff_table(channel_sums, found),
        by_opd=by_opd,
        escalations=escalations,
    )


def _handoff_table(sums: list[tuple], pcts: dict[tuple, tuple[float, float]]) -> pd.DataFrame:
    """HANDOFF_COLUMNS from (opd, channel, HANDOFF_SUMS values): busiest first, then by OPD
    and CHANNELS' order (other channels last); percentiles NaN where pcts has none."""
    order = {channel: i for i, channel in enumerate(CHANNELS)}
    rows = sorted(
        sums,
        key=lambda r: (-r[2][0], r[0] is None, r[0] or "", order.get(r[1], len(CHANNELS))),
    )
    missing = (float("nan"), float("nan"))
    found = [pcts.get((opd, channel), missing) for opd, channel, _values in rows]
    columns = {
        "opd": _text_column([r[0] for r in rows]),
        "channel": _text_column([r[1] for r in rows]),
        **{
            name: np.array([r[2][i] for r in rows], dtype=np.int64)
            for i, name in enumerate(HANDOFF_SUMS)
        },
        "median_s": np.array([p[0] for p in found], dtype=np.float64),
        "p90_s": np.array([p[1] for p in found], dtype=np.float64),
    }
    columns["within_share"] = _shares(columns["within"], columns["handoffs"])
    return pd.DataFrame({name: columns[name] for name in HANDOFF_COLUMNS})


def _unknown_last(item: tuple) -> tuple:
    return (item[0] is None, item[0] or "")


def _text_column(values: list[str | None]):
    """A text column for pd.DataFrame({...}): the values, or an empty object array (the dtype
    of a frame built from no rows, where an empty list would make a float64 column)."""
    return values if values else np.array([], dtype=object)


def _texts(column: pd.Series) -> list[str | None]:
    """A text column's values with None for missing (pandas' str columns hold NaN there)."""
    return [value if isinstance(value, str) else None for value in column.tolist()]


def escalations_per_week(conn: Connection, flt: TrendFilter) -> pd.DataFrame:
    """ESCALATE events in the filter's days per WIB ISO week (Monday) and level."""
    e = t.incident_events.c
    week = _WibWeek(e.at_utc).label("week")
    level = _JsonInt(e.details, literal_column("'level'")).label("level")
    conditions = [e.action == "ESCALATE", e.at_utc >= flt.since_utc, e.at_utc < flt.until_utc]
    conditions += _incident_narrowing(flt)
    if flt.opds:
        conditions.append(_JsonText(e.details, literal_column("'opd'")).in_(flt.opds))
    rows = conn.execute(
        select(week, level, func.count())
        .select_from(t.incident_events.join(t.incidents, t.incidents.c.id == e.incident_id))
        .where(*conditions)
        .group_by(week, level)
    ).all()
    found = {(date.fromisoformat(w), int(lv)): int(n) for w, lv, n in rows if lv is not None}
    return escalations_frame(found, flt)


def escalations_frame(found: dict[tuple[date, int], int], flt: TrendFilter) -> pd.DataFrame:
    """week, level, count for every week of the range x level from {(week, level): count}."""
    weeks = period_starts(TrendFilter(flt.start_day, flt.end_day, granularity="week"))
    levels = sorted(set(ESCALATION_LEVELS) | {lv for _w, lv in found})
    return pd.DataFrame(
        [(w, lv, found.get((w, lv), 0)) for w in weeks for lv in levels],
        columns=["week", "level", "count"],
    ).astype({"level": "int64", "count": "int64"})


def escalation_measures(since_utc: datetime, until_utc: datetime):
    """ESCALATE events in [since_utc, until_utc) counted per WIB day ('YYYY-MM-DD'), level,
    OPD (both from the event's details) and the incident's category and kecamatan: what
    dashboard.rollups folds (escalations_per_week's rule)."""
    e, i = t.incident_events.c, t.incidents.c
    keys = (
        _WibDay(e.at_utc).label("day"),
        _JsonInt(e.details, literal_column("'level'")).label("level"),
        _JsonText(e.details, literal_column("'opd'")).label("opd_code"),
        i.category_code,
        i.kecamatan,
    )
    return (
        select(*keys, func.count().label("n"))
        .select_from(t.incident_events.join(t.incidents, i.id == e.incident_id))
        .where(e.action == "ESCALATE", e.at_utc >= since_utc, e.at_utc < until_utc)
        .group_by(*keys)
    )


def handoff_measures(start_day: date, end_day: date):
    """One row per hand-off in the WIB days (handoff_view's rule, nothing narrowed): opd,
    channel, dur, waiting, escalations, its WIB day ('YYYY-MM-DD') and the incident's
    category_code and kecamatan: what dashboard.rollups folds."""
    return select(_handoff_rows(TrendFilter(start_day, end_day), detail=True))


def _incident_narrowing(flt: TrendFilter) -> list[ColumnElement[bool]]:
    c = t.incidents.c
    conditions = []
    if flt.categories:
        conditions.append(c.category_code.in_(flt.categories))
    if flt.kecamatan:
        conditions.append(c.kecamatan.in_(flt.kecamatan))
    return conditions


def _handoff_rows(flt: TrendFilter, *, detail: bool = False):
    """One row per hand-off in range: opd, channel, dur (s to acknowledgement or NULL),
    waiting (1 when still unanswered with that OPD), escalations (of that hand-off); with
    `detail` also its WIB day and the incident's category_code and kecamatan.

    One stream per incident touched by a hand-off in range: its hand-off, acknowledge and
    escalate events in id order, each outbox row placed right after the event it was made
    for. A running count of hand-offs numbers the stream (seq), so every event and message
    belongs to the last hand-off before it; one GROUP BY (incident, seq) then reads each
    hand-off with its first acknowledgement, escalations and channels. No self-joins: one
    sort and one pass, however long the range.
    """
    e, i, o = t.incident_events.c, t.incidents.c, t.outbox.c
    touched = select(e.incident_id).where(
        e.action.in_(HANDOFF_ACTIONS), e.at_utc >= flt.since_utc, e.at_utc < flt.until_utc
    )
    events = (
        select(
            e.incident_id,
            e.id.label("ord"),
            literal_column("0", Integer).label("sub"),
            e.action,
            e.at_utc,
            e.to_opd,
            i.status,
        )
        .select_from(t.incident_events.join(t.incidents, i.id == e.incident_id))
        .where(
            e.incident_id.in_(touched),
            e.action.in_((*HANDOFF_ACTIONS, "ACKNOWLEDGE", "ESCALATE")),
            *_incident_narrowing(flt),
        )
    )
    messages = (
        select(
            o.incident_id,
            o.event_id.label("ord"),
            literal_column("1", Integer).label("sub"),
            o.channel.label("action"),
            literal(None, t.incident_events.c.at_utc.type).label("at_utc"),
            literal(None, String()).label("to_opd"),
            i.status,
        )
        .select_from(t.outbox.join(t.incidents, i.id == o.incident_id))
        .where(o.incident_id.in_(touched), o.event_id.is_not(None), *_incident_narrowing(flt))
    )
    stream = union_all(events, messages).subquery("stream")
    sc = stream.c
    is_handoff = sc.action.in_(HANDOFF_ACTIONS)
    numbered = select(
        sc.incident_id,
        sc.action,
        sc.at_utc,
        sc.to_opd,
        sc.status,
        func.sum(case((is_handoff, 1), else_=0))
        .over(partition_by=sc.incident_id, order_by=(sc.ord, sc.sub), rows=(None, 0))
        .label("seq"),
    ).subquery("numbered")
    n = numbered.c
    handoff = n.action.in_(HANDOFF_ACTIONS)
    per_handoff = (
        select(
            n.incident_id,
            n.seq,
            func.max(case((handoff, n.to_opd))).label("opd"),
            func.max(case((handoff, n.at_utc))).label("at_utc"),
            func.min(case((n.action == "ACKNOWLEDGE", n.at_utc))).label("ack_at"),
            func.sum(case((n.action == "ESCALATE", 1), else_=0)).label("escalations"),
            func.max(case((n.action == "webhook", 1), else_=0)).label("webhook"),
            func.max(case((n.action == "email", 1), else_=0)).label("email"),
            func.max(n.status).label("status"),
        )
        .where(n.seq > 0)
        .group_by(n.incident_id, n.seq)
        .subquery("per_handoff")
    )
    h = per_handoff.c
    last_seq = func.max(h.seq).over(partition_by=h.incident_id)
    webhook, email = h.webhook == 1, h.email == 1
    channel = case(
        (and_(webhook, email), literal_column(f"'{CHANNEL_BOTH}'")),
        (webhook, literal_column(f"'{CHANNEL_WEBHOOK}'")),
        (email, literal_column(f"'{CHANNEL_EMAIL}'")),
        else_=literal_column(f"'{CHANNEL_BROWSER}'"),
    )
    ranked = select(
        h.incident_id,
        h.opd,
        channel.label("channel"),
        h.at_utc,
        h.ack_at,
        h.escalations,
        case(
            (and_(h.ack_at.is_(None), h.seq == last_seq, h.status == DITERUSKAN), 1), else_=0
        ).label("waiting"),
    ).subquery("ranked")
    r = ranked.c
    conditions = [r.opd.is_not(None), r.at_utc >= flt.since_utc, r.at_utc < flt.until_utc]
    if flt.opds:
        conditions.append(r.opd.in_(flt.opds))
    columns = [
        r.opd,
        r.channel,
        (_EpochS(r.ack_at) - _EpochS(r.at_utc)).label("dur"),
        r.waiting,
        r.escalations,
    ]
    query = select(*columns)
    if detail:
        query = select(
            *columns, _WibDay(r.at_utc).label("day"), i.category_code, i.kecamatan
        ).select_from(ranked.join(t.incidents, i.id == r.incident_id))
    return query.where(*conditions).cte("handoffs").prefix_with("MATERIALIZED")


def _handoff_percentiles(conn: Connection, handoffs) -> pd.DataFrame:
    """opd, channel (ALL_GROUP for the OPD over all channels), median_s, p90_s of the
    acknowledged hand-offs: percentile_cont on PostgreSQL, the same formula on SQLite."""
    h = handoffs.c
    branches = [
        select(h.opd, group.label("channel"), h.dur).where(h.dur.is_not(None))
        for group in (h.channel, literal_column(f"'{ALL_GROUP}'"))
    ]
    measured = union_all(*branches).subquery("acknowledged")
    keys = (measured.c.opd, measured.c.channel)
    if conn.dialect.name == "postgresql":
        query = select(
            *keys,
            *[
                func.percentile_cont(p).within_group(cast(measured.c.dur, Float)).label(_pname(p))
                for p in PERCENTILES
            ],
        ).group_by(*keys)
    else:
        query = _sqlite_percentiles(measured, keys)
    rows = conn.execute(query).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=["opd", "channel", *[_pname(p) for p in PERCENTILES]]
    )
    frame = frame.rename(columns={"p50": "median_s", "p90": "p90_s"})
    return frame.astype({"median_s": "float64", "p90_s": "float64"})


def _sqlite_percentiles(measured, keys):
    """percentile_cont's formula (see the module docstring) from running counts per group."""
    counts = (
        select(*keys, measured.c.dur, func.count().label("c"))
        .group_by(*keys, measured.c.dur)
        .subquery("counts")
    )
    ckeys = [counts.c[k.name] for k in keys]
    cumulative = select(
        *ckeys,
        counts.c.dur,
        func.sum(counts.c.c)
        .over(partition_by=ckeys, order_by=counts.c.dur, rows=(None, 0))
        .label("upto"),
        func.sum(counts.c.c).over(partition_by=ckeys).label("n"),
    ).subquery("cum")
    cum_keys = [cumulative.c[k.name] for k in keys]
    grouped = (
        select(*cum_keys, func.max(cumulative.c.n).label("n"), *_percentile_picks(cumulative))
        .group_by(*cum_keys)
        .subquery("g")
    )
    return select(*[grouped.c[k.name] for k in keys], *_interpolated_percentiles(grouped))


def _percentile_picks(cumulative) -> list:
    """Per percentile i, the durations just below (lo{i}) and above (hi{i}) its position, from
    running counts (`upto`, `n`, `dur` columns): min(dur) where upto >= floor(p * (n-1)) + 1/2."""
    picks = []
    for i, p in enumerate(PERCENTILES):
        lower = cast(literal(p, Float) * (cumulative.c.n - 1), Integer)  # floor: value >= 0
        picks += [
            func.min(case((cumulative.c.upto >= lower + 1, cumulative.c.dur))).label(f"lo{i}"),
            func.min(case((cumulative.c.upto >= lower + 2, cumulative.c.dur))).label(f"hi{i}"),
        ]
    return picks


def _interpolated_percentiles(grouped) -> list:
    """percentile_cont per percentile from _percentile_picks' lo/hi and the group's `n`."""
    values = []
    for i, p in enumerate(PERCENTILES):
        position = literal(p, Float) * (grouped.c.n - 1)
        fraction = position - cast(position, Integer)
        lo = grouped.c[f"lo{i}"]
        hi = func.coalesce(grouped.c[f"hi{i}"], lo)
        # lo + pct * (hi - lo): PostgreSQL's float8 lerp, same operand order.
        values.append((lo + fraction * (hi - lo)).label(_pname(p)))
    return values


def period_starts(flt: TrendFilter) -> list[date]:
    """The first day of every period that overlaps the filter's range, oldest first."""
    current = _period_start(flt.start_day, flt.granularity)
    starts = []
    while current <= flt.end_day:
        starts.append(current)
        current = _next_period(current, flt.granularity)
    return starts


def filter_options(engine: Engine) -> dict[str, dict[str, str] | list[str]]:
    """Choices for the filters: categories and OPDs (code -> name), kecamatan names."""
    with engine.connect() as conn:
        categories = {code: cat.name for code, cat in catalogue.categories(conn).items()}
        opds = catalogue.opd_names(conn)
        layer = conn.execute(
            select(t.geo_layers.c.geojson).where(t.geo_layers.c.name == "kecamatan")
        ).scalar()
    kecamatan = sorted(
        {str(f["properties"].get("nama")) for f in json.loads(layer)["features"]}
        if layer
        else set()
    )
    return {"categories": categories, "opds": opds, "kecamatan": kecamatan}


def filter_conditions(flt: TrendFilter) -> list[ColumnElement[bool]]:
    """WHERE conditions for a filter: received in the WIB days, category, OPD, kecamatan."""
    c = t.incidents.c
    return [
        c.received_at_utc >= flt.since_utc,
        c.received_at_utc < flt.until_utc,
        *narrowing_conditions(c, flt),
    ]


def narrowing_conditions(columns, flt: TrendFilter) -> list[ColumnElement[bool]]:
    """A filter's category, OPD (current or first) and kecamatan conditions on `columns`: the
    incidents table's or its rollups' (the same column names)."""
    conditions = []
    if flt.categories:
        conditions.append(columns.category_code.in_(flt.categories))
    if flt.opds:
        opds = flt.opds
        conditions.append(or_(columns.opd_code.in_(opds), columns.first_opd_code.in_(opds)))
    if flt.kecamatan:
        conditions.append(columns.kecamatan.in_(flt.kecamatan))
    return conditions


# --- private helpers -------------------------------------------------------------------------


def _percentile_cont(durations, stage_targets: dict[str, int]):
    """PostgreSQL: percentile_cont over one row per (stage, grouping, group, duration)."""
    branches = []
    for stage in STAGES:
        for grouping in GROUPINGS:
            branches.append(
                select(
                    *_branch_keys(stage, grouping, durations),
                    durations.c[stage].label("dur"),
                    _sql_int(stage_targets[stage]).label("target"),
                ).where(durations.c[stage].is_not(None))
            )
    measured = union_all(*branches).subquery("d")
    keys = (measured.c.stage, measured.c.grouping, measured.c.grp)
    return select(
        *keys,
        func.count().label("n"),
        func.sum(case((measured.c.dur <= measured.c.target, 1), else_=0)).label("within"),
        *[
            func.percentile_cont(p).within_group(cast(measured.c.dur, Float)).label(_pname(p))
            for p in PERCENTILES
        ],
    ).group_by(*keys)


def _counted_percentiles(durations, stage_targets: dict[str, int]):
    """SQLite: percentile_cont's formula from counts of each distinct duration.

    Sorting every duration (ROW_NUMBER) costs ~10x more at a million rows than counting the
    distinct whole-second values per group and running a cumulative SUM over those: the value
    of 1-based rank r is the smallest duration whose running count reaches r.
    """
    branches = []
    for stage in STAGES:
        counts = (
            select(
                durations.c.opd,
                durations.c.category,
                durations.c[stage].label("dur"),
                func.count().label("c"),
            )
            .where(durations.c[stage].is_not(None))
            .group_by(durations.c.opd, durations.c.category, durations.c[stage])
            .cte(f"counts_{stage}")
            .prefix_with("MATERIALIZED")
        )
        for grouping in GROUPINGS:
            by = [counts.c.dur] if grouping == "all" else [counts.c[grouping], counts.c.dur]
            branches.append(
                select(
                    *_branch_keys(stage, grouping, counts),
                    counts.c.dur,
                    _sql_int(stage_targets[stage]).label("target"),
                    func.sum(counts.c.c).label("c"),
                ).group_by(*by)
            )
    measured = union_all(*branches).subquery("m")
    keys = (measured.c.stage, measured.c.grouping, measured.c.grp)
    cumulative = select(
        *keys,
        measured.c.dur,
        measured.c.target,
        measured.c.c,
        func.sum(measured.c.c)
        .over(partition_by=keys, order_by=measured.c.dur, rows=(None, 0))
        .label("upto"),
        func.sum(measured.c.c).over(partition_by=keys).label("n"),
    ).subquery("cum")
    ckeys = [cumulative.c[k.name] for k in keys]
    within = func.sum(case((cumulative.c.dur <= cumulative.c.target, cumulative.c.c), else_=0))
    grouped = (
        select(
            *ckeys,
            func.max(cumulative.c.n).label("n"),
            within.label("within"),
            *_percentile_picks(cumulative),
        )
        .group_by(*ckeys)
        .subquery("g")
    )
    return select(
        *[grouped.c[k.name] for k in keys],
        grouped.c.n,
        grouped.c.within,
        *_interpolated_percentiles(grouped),
    )


def _branch_keys(stage: str, grouping: str, source) -> list:
    # Code constants, written as SQL literals: a bound parameter has no type in a UNION.
    group = literal_column(f"'{ALL_GROUP}'") if grouping == "all" else source.c[grouping]
    return [
        literal_column(f"'{stage}'").label("stage"),
        literal_column(f"'{grouping}'").label("grouping"),
        group.label("grp"),
    ]


def _stage_targets(targets: Targets) -> dict[str, int]:
    return {
        "forward": targets.forward_s,
        "acknowledge": targets.acknowledge_s,
        "resolve": targets.resolve_s,
    }


def _sql_int(value: int):
    return literal_column(str(int(value)), Integer)


def _category_names(conn: Connection) -> tuple[dict[str, str], dict[str, str]]:
    rows = conn.execute(
        select(t.categories.c.code, t.categories.c.name, t.categories.c.color).order_by(
            t.categories.c.priority, t.categories.c.name
        )
    ).all()
    return {r.code: r.name for r in rows}, {r.code: r.color for r in rows}


def _opd_names(conn: Connection) -> dict[str, str]:
    rows = conn.execute(select(t.opds.c.code, t.opds.c.short_name).order_by(t.opds.c.short_name))
    return {r.code: r.short_name for r in rows}


def _share(part: int, whole: int) -> float | None:
    return (part / whole) if whole else None


def _shares(parts: Iterable[int], wholes: Iterable[int]) -> list[float | None]:
    return [_share(int(p), int(w)) for p, w in zip(parts, wholes, strict=True)]


def _period_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _next_period(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _wib_period(column, granularity: str):
    return {"day": _WibDay, "week": _WibWeek, "month": _WibMonth}[granularity](column)


# --- dialect helpers: one SQL expression per database, chosen by SQLAlchemy at compile time ---


_WIB_SHIFT = {
    "sqlite": f"'+{WIB_OFFSET_H} hours'",
    "postgresql": f"INTERVAL '{WIB_OFFSET_H} hours'",
}


def _dialect_function(
    name: str, sql_type, doc: str, *, sqlite: str, postgresql: str
) -> type[FunctionElement]:
    """A SQL function element written once per database.

    In each template {0}, {1} ... are the compiled arguments and {shift} is that database's way
    of writing the WIB offset.
    """
    element = type(name, (FunctionElement,), {"__doc__": doc, "type": sql_type})
    element.inherit_cache = True
    for dialect, template in (("sqlite", sqlite), ("postgresql", postgresql)):
        _compile_as(element, dialect, template)
    return element


def _compile_as(element_type: type[FunctionElement], dialect: str, template: str) -> None:
    @compiles(element_type, dialect)
    def _compile(element, compiler, **kw):
        args = [compiler.process(clause, **kw) for clause in element.clauses]
        return template.format(*args, shift=_WIB_SHIFT[dialect])


_WibDay = _dialect_function(
    "_WibDay",
    String(),
    "'YYYY-MM-DD' of the WIB day of a naive-UTC timestamp.",
    sqlite="date({0}, {shift})",
    postgresql="to_char({0} + {shift}, 'YYYY-MM-DD')",
)
_WibWeek = _dialect_function(
    "_WibWeek",
    String(),
    "'YYYY-MM-DD' of the Monday starting the WIB ISO week.",
    # Back 6 days, then forward to the next Monday (or stay on it): the week's Monday.
    sqlite="date({0}, {shift}, '-6 days', 'weekday 1')",
    postgresql="to_char(date_trunc('week', {0} + {shift}), 'YYYY-MM-DD')",
)
_WibMonth = _dialect_function(
    "_WibMonth",
    String(),
    "'YYYY-MM-01' of the WIB month.",
    sqlite="strftime('%Y-%m-01', {0}, {shift})",
    postgresql="to_char({0} + {shift}, 'YYYY-MM-01')",
)
_WibHour = _dialect_function(
    "_WibHour",
    Integer(),
    "0 ... 23, the WIB hour.",
    sqlite="CAST(strftime('%H', {0}, {shift}) AS INTEGER)",
    postgresql="CAST(EXTRACT(HOUR FROM {0} + {shift}) AS INTEGER)",
)
_WibWeekday = _dialect_function(
    "_WibWeekday",
    Integer(),
    "0 = Monday ... 6 = Sunday, in WIB.",
    sqlite="((CAST(strftime('%w', {0}, {shift}) AS INTEGER) + 6) % 7)",
    postgresql="(CAST(EXTRACT(ISODOW FROM {0} + {shift}) AS INTEGER) - 1)",
)
_EpochS = _dialect_function(
    "_EpochS",
    Integer(),
    "Whole seconds of a naive-UTC timestamp truncated to the second, on a fixed scale.\n\n"
    "Only differences are meaningful (the epoch differs between the databases).",
    # The stored text's first 19 characters are 'YYYY-MM-DD HH:MM:SS': an exact truncation.
    # julianday() counts whole milliseconds internally, so x 86400 rounds back to exact
    # seconds (since the Julian epoch: only differences are used); twice as fast as strftime.
    sqlite="CAST(ROUND(julianday(substr({0}, 1, 19)) * 86400) AS INTEGER)",
    postgresql="CAST(EXTRACT(EPOCH FROM date_trunc('second', {0})) AS BIGINT)",
)
_Floor = _dialect_function(
    "_Floor",
    Integer(),
    "The largest integer not above a number.",
    # CAST truncates toward zero; step down one for negative non-integers.
    sqlite="(CAST({0} AS INTEGER) - (({0}) < CAST({0} AS INTEGER)))",
    postgresql="CAST(floor({0}) AS BIGINT)",
)
_JsonInt = _dialect_function(
    "_JsonInt",
    Integer(),
    "An integer member of a JSON object stored as text (NULL when absent).",
    sqlite="CAST(json_extract({0}, '$.' || {1}) AS INTEGER)",
    postgresql="CAST(CAST({0} AS jsonb) ->> {1} AS INTEGER)",
)
_JsonText = _dialect_function(
    "_JsonText",
    String(),
    "A text member of a JSON object stored as text (NULL when absent).",
    sqlite="CAST(json_extract({0}, '$.' || {1}) AS TEXT)",
    postgresql="(CAST({0} AS jsonb) ->> {1})",
)


def _pname(p: float) -> str:
    return f"p{round(p * 100)}"


# --- Incidents during CAP warnings (issue 15) ------------------------------------------------

WARNING_SPLIT_COLUMNS = ("category_code", "during", "outside", "total")


def warning_split(engine: Engine, flt: TrendFilter) -> pd.DataFrame:
    """Per category: the filter's incidents received while a CAP warning touching the city was
    in force ("during"), the others ("outside") and both ("total"); most incidents first.

    The window of an alert is cap.in_force_at's: from its effective time until it expires or
    an Update or Cancel superseded it, whichever comes first (a Cancel is no window itself).
    The incidents during some warning are found by a range join from each alert over the
    received-time index (cap.in_force_window bounds it), and counted once however many
    alerts overlap. One query.
    """
    check_filter(flt)
    c = t.incidents.c
    inc = t.incidents.alias("during_incident")
    start, end = cap.in_force_window()
    received = inc.c.received_at_utc
    during_ids = (
        select(inc.c.id)
        .select_from(
            t.cap_alerts.join(inc, and_(received >= start, received < end)),
        )
        .where(
            cap.in_force_at(received),
            received >= flt.since_utc,
            received < flt.until_utc,
        )
    )
    n_during = func.sum(case((c.id.in_(during_ids), 1), else_=0))
    n = func.count()
    with read_connection(engine) as conn:
        rows = conn.execute(
            select(c.category_code, n_during, n)
            .where(*filter_conditions(flt))
            .group_by(c.category_code)
            .order_by(n.desc(), c.category_code)
        ).all()
    frame = pd.DataFrame(
        [(code, int(d or 0), int(total) - int(d or 0), int(total)) for code, d, total in rows],
        columns=list(WARNING_SPLIT_COLUMNS),
    )
    return frame.astype({k: "int64" for k in WARNING_SPLIT_COLUMNS[1:]})
