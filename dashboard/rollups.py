"""Trend rollups: per WIB day, week and month x cell counts and duration histograms, kept current.

Tren at a million incidents spent seconds re-reading every incident of a year. Here each WIB
day's incidents are folded once into a few rows (dashboard.tables.trend_rollups), one per cell:
category, current OPD, first OPD and kecamatan, the dimensions every Tren filter uses. A cell
row holds exact counts (calls, prank / ghost / not-an-emergency closures, reassigned), calls
per weekday x hour, per kelurahan, per cell of the density grid (the GridSpec recorded in the
state row, GRID_CELL_M on the city by default), reassignment flows, and per stage (forward,
acknowledge, resolve) the count within the stage's target and a histogram of the durations. A
'month' row is the sum of the month's day rows and a 'week' row of its ISO week's (Monday to
Sunday, across a month's end too), so a year reads about twelve month rows per cell, and the
days around them mostly as weeks.

Duration bins (`bin_key`): a duration under EXACT_BELOW_S seconds (either sign) is its own bin;
above it, bins grow by BIN_GROWTH (1 %) each, and a bin stands for its geometric middle, so a
binned duration is within MAX_RELATIVE_ERROR (0.499 %) of the true one. A percentile is the
same linear interpolation trends uses (closest ranks, see dashboard/trends.py) between two
binned durations, so it is within 0.5 % of the exact value too, and identical when both ranks
fall below EXACT_BELOW_S. Counts and "within target" are exact.

Keeping them current: `refresh_rollups` folds every incident changed since the watermark (id
above folded_id, or updated_at_utc / a REASSIGN at or after folded_until_utc) by recomputing
its whole WIB day (delete and insert, one transaction per month: idempotent, safe twice or from
two workers, each batch locks the state row and checks the generation), then the month row and
the week rows of the changed days. The hand-off view (trends.handoff_view) is folded by the WIB
day of each hand-off (dashboard.tables.handoff_rollups: per OPD, channel, category, kecamatan,
counts and the acknowledgement-time histogram; day, week and month rows as for the trend
cells) and escalations by the day of each ESCALATE
event (escalation_rollups); an incident changed since the watermark (also by an ACKNOWLEDGE,
hand-off or ESCALATE event after it, which need not touch the incident row) has every day
holding one of its hand-offs or escalations folded again. `rebuild_rollups` starts over (first
run, changed targets or grid). The worker runs the catch-up every 30 s. `read` gives Tren its
figures: months wholly in range and clean from the month rows, whole weeks left from week rows,
other clean days from day rows, and days with changes not yet folded in (today, usually) folded
on the fly from the incidents and events, so the report stays exact for today. A grid other
than the folded one is counted from the incidents.
"""

from __future__ import annotations

import bisect
import json
import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    union,
    update,
)

from dashboard import catalogue, citydata, trends
from dashboard import tables as t
from dashboard.domain import DIBATALKAN, NUISANCE_REASONS, Targets
from geo import grid_counts

EXACT_BELOW_S = 128
BIN_GROWTH = 0.01
MAX_RELATIVE_ERROR = math.sqrt(1 + BIN_GROWTH) - 1
# Durations beyond +-68 years are data errors; they are binned as 68 years.
MAX_DURATION_S = 2**31 - 1
# A change is folded once its updated_at_utc is this much older than the catch-up's clock: a
# transaction that stamped its rows just before the catch-up read may commit just after it.
SETTLE_S = 120
REFRESH_INTERVAL_S = 30.0
HOURS = 7 * 24
# The density grid Tren draws (pages/trends.py asks for this cell size on the city's grid).
GRID_CELL_M = 250.0
DAY, WEEK, MONTH = "day", "week", "month"
STATE_ID = 1
CELL_KEYS = ("category_code", "opd_code", "first_opd_code", "kecamatan")
COUNTS = ("total", "prank", "ghost", "bukan_darurat", "reassigned")
HANDOFF_KEYS = ("opd_code", "channel", "category_code", "kecamatan")
ESCALATION_KEYS = ("level", "opd_code", "category_code", "kecamatan")
# Events whose WIB day holds an incident's hand-off view rows, and the events that change them.
DAY_ACTIONS = (*trends.HANDOFF_ACTIONS, "ESCALATE")
CHANGE_ACTIONS = (*DAY_ACTIONS, "ACKNOWLEDGE")


def bin_key(seconds: int) -> int:
    """The histogram bin of a whole-second duration (the module docstring's rule)."""
    magnitude = min(abs(int(seconds)), MAX_DURATION_S)
    if magnitude < EXACT_BELOW_S:
        return int(seconds)
    key = EXACT_BELOW_S + int(math.log(magnitude / EXACT_BELOW_S) / math.log1p(BIN_GROWTH))
    return key if seconds > 0 else -key


def bin_value(key: int) -> float:
    """The duration a bin stands for: itself below EXACT_BELOW_S, else its geometric middle."""
    if abs(key) < EXACT_BELOW_S:
        return float(key)
    middle = EXACT_BELOW_S * (1 + BIN_GROWTH) ** (abs(key) - EXACT_BELOW_S + 0.5)
    return middle if key > 0 else -middle


MAX_KEY = bin_key(MAX_DURATION_S)
# Every bin's value, indexed by key + MAX_KEY (the dense histograms the reader adds up).
_VALUES = np.array([bin_value(k) for k in range(-MAX_KEY, MAX_KEY + 1)])


@dataclass
class Cell:
    """One rollup row in memory: the figures of one cell over one day or month."""

    total: int = 0
    prank: int = 0
    ghost: int = 0
    bukan_darurat: int = 0
    reassigned: int = 0
    hours: np.ndarray = field(default_factory=lambda: np.zeros(HOURS, dtype=np.int64))
    places: Counter = field(default_factory=Counter)  # (kelurahan_kode, kelurahan) -> calls
    flows: Counter = field(default_factory=Counter)  # (from_opd, to_opd) -> reassignments
    grid: Counter = field(default_factory=Counter)  # (ix, iy) of the state's grid -> calls
    within: dict[str, int] = field(default_factory=lambda: dict.fromkeys(trends.STAGES, 0))
    # stage -> (bin keys ascending, counts)
    bins: dict[str, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=lambda: {s: _no_bins() for s in trends.STAGES}
    )


# A cell's identity: (period start, category, OPD, first OPD, kecamatan).
CellKey = tuple[date, str, str | None, str | None, str | None]


@dataclass
class HandoffCell:
    """The hand-offs of one day or month to one OPD by one channel, one category, kecamatan."""

    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(trends.HANDOFF_SUMS, 0))
    bins: Counter = field(default_factory=Counter)  # acknowledgement bin key -> hand-offs


# (period start, OPD, channel, category, kecamatan) and (day, level, OPD, category, kecamatan).
HandoffKey = tuple[date, str, str, str, str | None]
EscalationKey = tuple[date, int, str | None, str, str | None]


@dataclass(frozen=True)
class Parts:
    """The report's rollup-backed pieces, in the shapes the exact trends functions return."""

    activity: pd.DataFrame
    places: pd.DataFrame
    routing: pd.DataFrame
    speed: dict[str, pd.DataFrame] | None  # None: targets changed since the fold, read exactly
    flows: pd.DataFrame
    hour_weekday: pd.DataFrame
    handoff: trends.HandoffView | None  # None: targets changed since the fold, read exactly
    unfolded_days: tuple[date, ...]
    # ix, iy, count as trends.grid_cells; None: no grid asked, or not the grid folded
    grid: pd.DataFrame | None = None


@dataclass(frozen=True)
class _State:
    generation: int
    folded_id: int | None
    folded_until_utc: datetime | None
    targets: str | None
    grid: str | None

    @property
    def ready(self) -> bool:
        return self.folded_until_utc is not None and self.folded_id is not None


def refresh_rollups(engine: Engine, *, now_utc: datetime, grid=None) -> int:
    """Fold every incident change since the watermark; returns how many days were refolded.

    `grid` is the density grid to count in (a geo.grid_counts.GridSpec; default rollup_grid).
    A first run, or one after the stage targets or the grid changed, rebuilds everything.
    """
    spec = grid if grid is not None else rollup_grid(engine)
    with trends.read_connection(engine) as conn:
        state = _state(conn)
        targets = _targets_json(conn)
        current = state.ready and state.targets == targets and state.grid == _grid_json(spec)
        if current:
            mark = _mark(conn, now_utc)
            days = _unfolded_days(conn, state)
            event_days = _unfolded_event_days(conn, state)
    if not current:
        return rebuild_rollups(engine, now_utc=now_utc, grid=spec)
    stage_targets = json.loads(targets)
    for month_days, month_event_days in _by_month(days, event_days):
        with engine.begin() as conn:
            if not _lock(conn, state.generation, now_utc):
                return 0  # a rebuild started: it folds these days itself
            _fold_month(conn, month_days, month_event_days, stage_targets, spec)
    with engine.begin() as conn:
        conn.execute(
            update(t.trend_rollup_state)
            .where(
                t.trend_rollup_state.c.id == STATE_ID,
                t.trend_rollup_state.c.generation == state.generation,
                t.trend_rollup_state.c.folded_until_utc == state.folded_until_utc,
            )
            .values(folded_id=mark[0], folded_until_utc=mark[1], refreshed_at_utc=now_utc)
        )
    return len(set(days) | set(event_days))


def rebuild_rollups(engine: Engine, *, now_utc: datetime, grid=None) -> int:
    """Recompute every day from the incidents, one month per transaction; returns the days.

    Until it finishes Tren reads every incident (the state says nothing is folded); a second
    rebuild or catch-up started meanwhile makes this one stop at its next month. `grid` as
    in refresh_rollups.
    """
    spec = grid if grid is not None else rollup_grid(engine)
    with engine.begin() as conn:
        s = t.trend_rollup_state.c
        conn.execute(
            update(t.trend_rollup_state)
            .where(s.id == STATE_ID)
            .values(
                generation=s.generation + 1,
                folded_id=None,
                folded_until_utc=None,
                targets=None,
                grid=None,
                refreshed_at_utc=now_utc,
            )
        )
        generation = _state(conn).generation
        targets = _targets_json(conn)
        mark = _mark(conn, now_utc)
        received = t.incidents.c.received_at_utc
        days = _days_between(*conn.execute(select(func.min(received), func.max(received))).one())
        e = t.incident_events.c
        event_days = _days_between(
            *conn.execute(
                select(func.min(e.at_utc), func.max(e.at_utc)).where(e.action.in_(DAY_ACTIONS))
            ).one()
        )
        for table in (t.trend_rollups, t.handoff_rollups, t.escalation_rollups):
            conn.execute(delete(table))
    stage_targets = json.loads(targets)
    for month_days, month_event_days in _by_month(days, event_days):
        with engine.begin() as conn:
            if not _lock(conn, generation, now_utc):
                return 0
            _fold_month(conn, month_days, month_event_days, stage_targets, spec)
    with engine.begin() as conn:
        conn.execute(
            update(t.trend_rollup_state)
            .where(s.id == STATE_ID, s.generation == generation)
            .values(
                folded_id=mark[0],
                folded_until_utc=mark[1],
                targets=targets,
                grid=_grid_json(spec),
            )
        )
    return len(set(days) | set(event_days))


def read(conn: Connection, flt: trends.TrendFilter, *, targets: Targets, grid=None) -> Parts | None:
    """The report's rollup-backed pieces for `flt`, or None before the first build.

    Months wholly inside the range with every day folded come from month rows, the other folded
    days from week rows (whole ISO weeks) and day rows, unfolded days from the incidents (folded
    here, not stored). The grid (`grid`, a GridSpec) comes from the rollups when it is the one
    they were folded with, else Parts.grid is None (trends.grid_cells reads it exactly).
    """
    state = _state(conn)
    if not state.ready:
        return None
    unfolded = [day for day in _unfolded_days(conn, state) if flt.start_day <= day <= flt.end_day]
    months, weeks, days = _plan(flt.start_day, flt.end_day, set(unfolded))
    rows = _stored_rows(conn, flt, months=months, weeks=weeks, days=days)
    with_grid = grid is not None and state.grid == _grid_json(grid)
    fresh = fold(conn, unfolded, _stage_targets(targets), grid=grid if with_grid else None)
    rows += [_as_read(key, cell) for key, cell in fresh.items() if _matches(flt, key)]
    current = state.targets == _json(targets)
    return Parts(
        activity=_activity(conn, flt, unfolded, fresh),
        places=_places(rows),
        routing=_routing(rows),
        speed=_speed(rows, targets) if current else None,
        flows=_flows(rows),
        hour_weekday=_hour_weekday(rows),
        handoff=_handoff_view(conn, flt, state, targets) if current else None,
        unfolded_days=tuple(unfolded),
        grid=_grid(rows) if with_grid else None,
    )


def rollup_grid(engine: Engine):
    """The density grid the rollups count in: GRID_CELL_M cells on the database's city."""
    return grid_counts.grid_spec(cell_m=GRID_CELL_M, city=citydata.current_city(engine))


def fold(
    conn: Connection, days: list[date], stage_targets: dict[str, int], *, grid=None
) -> dict[CellKey, Cell]:
    """The day cells of `days` computed from the incidents and their REASSIGN events (their
    grid counted in `grid`, a GridSpec, when given)."""
    if not days:
        return {}
    c = t.incidents.c
    ranges = _received_in(days)
    cells: dict[CellKey, Cell] = {}
    for r in conn.execute(trends.incident_measures(ranges, grid=grid)):
        key = (
            date.fromisoformat(r.day),
            r.category_code,
            r.opd_code,
            r.first_opd_code,
            r.kecamatan,
        )
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = Cell()
            cell.bins = {stage: Counter() for stage in trends.STAGES}
        cell.total += 1
        if r.status == DIBATALKAN and r.cancel_reason in NUISANCE_REASONS:
            name = r.cancel_reason.lower()
            setattr(cell, name, getattr(cell, name) + 1)
        if r.reassign_count:
            cell.reassigned += 1
        cell.hours[r.weekday * 24 + r.hour] += 1
        cell.places[(r.kelurahan_kode, r.kelurahan)] += 1
        if grid is not None:
            cell.grid[(r.ix, r.iy)] += 1
        for stage in trends.STAGES:
            seconds = getattr(r, stage)
            if seconds is not None:
                cell.bins[stage][bin_key(seconds)] += 1
                cell.within[stage] += int(seconds <= stage_targets[stage])
    e = t.incident_events.c
    flows = conn.execute(
        select(
            trends.wib_day_of(c.received_at_utc).label("day"),
            *[c[k] for k in CELL_KEYS],
            e.from_opd,
            e.to_opd,
            func.count().label("n"),
        )
        .select_from(t.incident_events.join(t.incidents, c.id == e.incident_id))
        .where(e.action == "REASSIGN", ranges)
        .group_by(
            trends.wib_day_of(c.received_at_utc), *[c[k] for k in CELL_KEYS], e.from_opd, e.to_opd
        )
    )
    for r in flows:
        key = (date.fromisoformat(r.day), *[r._mapping[k] for k in CELL_KEYS])
        cells[key].flows[(r.from_opd, r.to_opd)] += int(r.n)
    for cell in cells.values():
        cell.bins = {stage: _from_counter(cell.bins[stage]) for stage in trends.STAGES}
    return cells


def fold_handoffs(
    conn: Connection, days: list[date], *, target_s: int
) -> tuple[dict[HandoffKey, HandoffCell], Counter]:
    """The hand-off cells and escalation counts (EscalationKey -> n) of `days`, from the
    events (trends.handoff_measures, trends.escalation_measures)."""
    cells: dict[HandoffKey, HandoffCell] = {}
    escalations: Counter = Counter()
    for first, last in _runs(days):
        for r in conn.execute(trends.handoff_measures(first, last)):
            key = (date.fromisoformat(r.day), r.opd, r.channel, r.category_code, r.kecamatan)
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = HandoffCell()
            sums = cell.sums
            sums["handoffs"] += 1
            sums["waiting"] += int(r.waiting)
            sums["escalations"] += int(r.escalations)
            if r.dur is not None:
                sums["acknowledged"] += 1
                sums["within"] += int(r.dur <= target_s)
                cell.bins[bin_key(r.dur)] += 1
        flt = trends.TrendFilter(first, last)
        for r in conn.execute(trends.escalation_measures(flt.since_utc, flt.until_utc)):
            if r.level is not None:  # escalations_per_week skips them too
                day = date.fromisoformat(r.day)
                escalations[(day, int(r.level), r.opd_code, r.category_code, r.kecamatan)] += int(
                    r.n
                )
    return cells, escalations


def merge(cells: list[Cell]) -> Cell:
    """The sum of several cells (a month from its days)."""
    out = Cell()
    for cell in cells:
        for name in COUNTS:
            setattr(out, name, getattr(out, name) + getattr(cell, name))
        out.hours = out.hours + cell.hours
        out.places.update(cell.places)
        out.flows.update(cell.flows)
        out.grid.update(cell.grid)
        for stage in trends.STAGES:
            out.within[stage] += cell.within[stage]
    for stage in trends.STAGES:
        out.bins[stage] = _add_bins([cell.bins[stage] for cell in cells])
    return out


def percentiles(hists: np.ndarray, ps: tuple[float, ...]) -> list[tuple[float, ...]]:
    """percentile_cont's closest-ranks interpolation at each p of `ps` on each row of `hists`
    (dense histograms, index key + MAX_KEY), all rows at once; NaN for an empty row."""
    upto = np.cumsum(hists, axis=1)
    n = upto[:, -1]
    columns = []
    for p in ps:
        position = p * (n - 1)
        lower = position.astype(np.int64)
        fraction = position - lower
        lo = _VALUES[np.minimum((upto < (lower + 1)[:, None]).sum(axis=1), len(_VALUES) - 1)]
        hi = _VALUES[np.minimum((upto < (lower + 2)[:, None]).sum(axis=1), len(_VALUES) - 1)]
        hi = np.where(lower + 1 < n, hi, lo)
        columns.append(np.where(n > 0, lo + fraction * (hi - lo), np.nan))
    return [tuple(float(v) for v in row) for row in zip(*columns, strict=True)]


def percentile(hist: np.ndarray, p: float) -> float:
    """percentile_cont's closest-ranks interpolation on a dense histogram (index key + MAX_KEY)."""
    return percentiles(hist[np.newaxis, :], (p,))[0][0]


# --- private helpers -------------------------------------------------------------------------


def _state(conn: Connection) -> _State:
    s = t.trend_rollup_state.c
    row = conn.execute(
        select(s.generation, s.folded_id, s.folded_until_utc, s.targets, s.grid).where(
            s.id == STATE_ID
        )
    ).one()
    return _State(row.generation, row.folded_id, row.folded_until_utc, row.targets, row.grid)


def _lock(conn: Connection, generation: int, now_utc: datetime) -> bool:
    """Take the state row (writers of rollup rows queue here); False when a rebuild began."""
    s = t.trend_rollup_state.c
    changed = conn.execute(
        update(t.trend_rollup_state)
        .where(s.id == STATE_ID, s.generation == generation)
        .values(refreshed_at_utc=now_utc)
    ).rowcount
    return changed == 1


def _mark(conn: Connection, now_utc: datetime) -> tuple[int, datetime]:
    newest = conn.execute(select(func.coalesce(func.max(t.incidents.c.id), 0))).scalar_one()
    return int(newest), now_utc - timedelta(seconds=SETTLE_S)


def _stage_targets(targets: Targets) -> dict[str, int]:
    return {
        "forward": int(targets.forward_s),
        "acknowledge": int(targets.acknowledge_s),
        "resolve": int(targets.resolve_s),
    }


def _json(targets: Targets) -> str:
    return json.dumps(_stage_targets(targets), sort_keys=True)


def _targets_json(conn: Connection) -> str:
    return _json(catalogue.ops_settings(conn).targets)


def _grid_json(spec) -> str:
    """The GridSpec as stored in trend_rollup_state.grid (floats written back exactly)."""
    return json.dumps(asdict(spec), sort_keys=True)


def _unfolded_days(conn: Connection, state: _State) -> list[date]:
    """WIB days (ascending) holding an incident changed since the watermark.

    Each query is driven by its own index (the id, updated_at_utc, REASSIGN events by time);
    a date range here would tempt the planner onto the received_at_utc index instead.
    """
    c, e = t.incidents.c, t.incident_events.c
    day = trends.wib_day_of(c.received_at_utc).label("day")
    changed = [
        select(day).where(c.id > state.folded_id),
        select(day).where(c.updated_at_utc >= state.folded_until_utc),
        select(day)
        .select_from(t.incident_events.join(t.incidents, c.id == e.incident_id))
        .where(e.action == "REASSIGN", e.at_utc >= state.folded_until_utc),
    ]
    found = set()
    for query in changed:
        found |= {date.fromisoformat(d) for d in conn.execute(query.distinct()).scalars()}
    return sorted(found)


def _unfolded_event_days(conn: Connection, state: _State) -> list[date]:
    """WIB days (ascending) holding a hand-off or escalation of an incident changed since the
    watermark: its row, or an event that bears on its hand-offs (_unfolded_days' indexes)."""
    c, e = t.incidents.c, t.incident_events.c
    changed = union(
        select(c.id).where(c.id > state.folded_id),
        select(c.id).where(c.updated_at_utc >= state.folded_until_utc),
        select(e.incident_id).where(
            e.action.in_(CHANGE_ACTIONS), e.at_utc >= state.folded_until_utc
        ),
    )
    query = select(trends.wib_day_of(e.at_utc)).where(
        e.incident_id.in_(changed), e.action.in_(DAY_ACTIONS)
    )
    return sorted(date.fromisoformat(d) for d in conn.execute(query.distinct()).scalars())


def _plan(start: date, end: date, unfolded: set[date]) -> tuple[list[date], list[date], list[date]]:
    """(month starts read from month rows, Mondays read from week rows, days read from day
    rows) for a clean read: whole months first, then whole ISO weeks of the days left."""
    months, left = [], []
    day = start
    while day <= end:
        month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        span = [day + timedelta(days=i) for i in range((min(month_end, end) - day).days + 1)]
        whole = day.day == 1 and month_end <= end
        if whole and not unfolded.intersection(span):
            months.append(day)
        else:
            left += [d for d in span if d not in unfolded]
        day = month_end + timedelta(days=1)
    remaining = set(left)
    weeks = sorted(
        {
            monday
            for monday in (d - timedelta(days=d.weekday()) for d in left)
            if all(monday + timedelta(days=i) in remaining for i in range(7))
        }
    )
    in_weeks = {monday + timedelta(days=i) for monday in weeks for i in range(7)}
    return months, weeks, [d for d in left if d not in in_weeks]


def _by_month(days: list[date], event_days: list[date]) -> list[tuple[list[date], list[date]]]:
    """(days, event days) of each month holding either, oldest month first."""
    batches: dict[date, tuple[list[date], list[date]]] = {}
    for at, group in ((0, days), (1, event_days)):
        for day in group:
            batches.setdefault(day.replace(day=1), ([], []))[at].append(day)
    return [batches[month] for month in sorted(batches)]


def _days_between(first: datetime | None, last: datetime | None) -> list[date]:
    """Every WIB day from the one of `first` to the one of `last` (none when NULL)."""
    if first is None:
        return []
    day, last_day = _wib_day(first), _wib_day(last)
    return [day + timedelta(days=i) for i in range((last_day - day).days + 1)]


def _fold_month(
    conn: Connection,
    days: list[date],
    event_days: list[date],
    stage_targets: dict[str, int],
    grid,
) -> None:
    """Fold one month's changed days (received / event days) and sum its month rows and the
    week rows of their weeks again (a week across two months: whichever month folds last)."""
    if days:
        _fold_days(conn, days, stage_targets, grid)
        _sum_periods(conn, t.trend_rollups, days)
    if event_days:
        _fold_handoff_days(conn, event_days, target_s=stage_targets["acknowledge"])
        _sum_periods(conn, t.handoff_rollups, event_days)


def _fold_days(conn: Connection, days: list[date], stage_targets: dict[str, int], grid) -> None:
    r = t.trend_rollups.c
    conn.execute(delete(t.trend_rollups).where(r.tier == DAY, r.period_start.in_(days)))
    cells = fold(conn, days, stage_targets, grid=grid)
    rows = [_row(DAY, key, cell) for key, cell in cells.items()]
    if rows:
        conn.execute(insert(t.trend_rollups), rows)


def _sum_periods(conn: Connection, table, days: list[date]) -> None:
    """Sum the month row and the week rows of one month's refolded `days` again, in `table`
    (trend_rollups or handoff_rollups)."""
    month = days[0].replace(day=1)
    _sum_period(conn, table, MONTH, month, (month + timedelta(days=31)).replace(day=1))
    for monday in sorted({day - timedelta(days=day.weekday()) for day in days}):
        _sum_period(conn, table, WEEK, monday, monday + timedelta(days=7))


def _sum_period(conn: Connection, table, tier: str, start: date, following: date) -> None:
    """The `tier` rows of `table` starting at `start`: the sums of its day rows before
    `following`, cell by cell."""
    r = table.c
    keys, add_up, as_row = (
        (CELL_KEYS, _merged_cell, _row)
        if table is t.trend_rollups
        else (HANDOFF_KEYS, _merged_handoff, _handoff_row)
    )
    groups: dict[tuple, list] = {}
    for row in conn.execute(
        select(table).where(r.tier == DAY, r.period_start >= start, r.period_start < following)
    ):
        groups.setdefault(tuple(row._mapping[k] for k in keys), []).append(row)
    conn.execute(delete(table).where(r.tier == tier, r.period_start == start))
    rows = [as_row(tier, (start, *key), add_up(group)) for key, group in groups.items()]
    if rows:
        conn.execute(insert(table), rows)


def _merged_cell(rows: list) -> Cell:
    return merge([_cell(row) for row in rows])


def _merged_handoff(rows: list) -> HandoffCell:
    cell = HandoffCell()
    for row in rows:
        _add_handoff(cell, row)
    return cell


def _row(tier: str, key: CellKey, cell: Cell) -> dict:
    period_start, category, opd, first_opd, kecamatan = key
    row = {
        "tier": tier,
        "period_start": period_start,
        "category_code": category,
        "opd_code": opd,
        "first_opd_code": first_opd,
        "kecamatan": kecamatan,
        **{name: int(getattr(cell, name)) for name in COUNTS},
        "hours": cell.hours.astype("<u4").tobytes(),
        "places": json.dumps(
            [[k, n, count] for (k, n), count in sorted(cell.places.items(), key=str)]
        ),
        "flows": json.dumps(
            [[a, b, count] for (a, b), count in sorted(cell.flows.items(), key=str)]
        ),
        "grid": _pack_grid(cell.grid),
    }
    for stage in trends.STAGES:
        keys, counts = cell.bins[stage]
        row[f"{stage}_within"] = int(cell.within[stage])
        row[f"{stage}_bins"] = np.concatenate([keys, counts]).astype("<i4").tobytes()
    return row


def _cell(row) -> Cell:
    cell = Cell(**{name: int(row._mapping[name]) for name in COUNTS})
    cell.hours = np.frombuffer(row.hours, dtype="<u4").astype(np.int64)
    cell.places = Counter({(k, n): count for k, n, count in json.loads(row.places)})
    cell.flows = Counter({(a, b): count for a, b, count in json.loads(row.flows)})
    ix, iy, counts = _unpack_grid(row.grid)
    cells = zip(ix.tolist(), iy.tolist(), strict=True)
    cell.grid = Counter(dict(zip(cells, counts.tolist(), strict=True)))
    for stage in trends.STAGES:
        packed = np.frombuffer(row._mapping[f"{stage}_bins"], dtype="<i4").astype(np.int64)
        half = len(packed) // 2
        cell.bins[stage] = (packed[:half], packed[half:])
        cell.within[stage] = int(row._mapping[f"{stage}_within"])
    return cell


def _stored_rows(
    conn: Connection,
    flt: trends.TrendFilter,
    *,
    months: list[date],
    weeks: list[date],
    days: list[date],
) -> list[tuple]:
    r = t.trend_rollups.c
    periods = _periods(r, months=months, weeks=weeks, days=days)
    if not periods:
        return []
    query = select(*[r[name] for name in _READ]).where(or_(*periods), *_cell_conditions(flt))
    return _all_rows(conn, query)


def _periods(columns, *, months: list[date], weeks: list[date], days: list[date]) -> list:
    """The conditions picking a plan's (_plan) month, week and day rows of a rollup table."""
    periods = []
    if months:
        periods.append(and_(columns.tier == MONTH, columns.period_start.in_(months)))
    if weeks:
        periods.append(and_(columns.tier == WEEK, columns.period_start.in_(weeks)))
    for first, last in _runs(days):
        periods.append(
            and_(columns.tier == DAY, columns.period_start >= first, columns.period_start <= last)
        )
    return periods


# The columns the reader uses, in this order (stored rows and cells folded on the fly alike).
_READ = (
    *CELL_KEYS,
    "total",
    "reassigned",
    "hours",
    "places",
    "flows",
    *[f"{stage}_{part}" for stage in trends.STAGES for part in ("within", "bins")],
    "grid",
)
_CATEGORY, _OPD, _FIRST_OPD, _KECAMATAN, _TOTAL, _REASSIGNED, _HOURS, _PLACES, _FLOWS = range(9)
_STAGE_AT = {stage: 9 + 2 * i for i, stage in enumerate(trends.STAGES)}
_GRID = 9 + 2 * len(trends.STAGES)
# Up to this many cells in the grid's bounding box, _grid sums in one dense array (32 MiB).
_DENSE_GRID_CELLS = 4_000_000


def _as_read(key: CellKey, cell: Cell) -> tuple:
    row = _row(DAY, key, cell)
    return tuple(row[name] for name in _READ)


def _cell_conditions(flt: trends.TrendFilter) -> list:
    """trends.filter_conditions on rollup rows (the same columns, minus the date range)."""
    return trends.narrowing_conditions(t.trend_rollups.c, flt)


def _matches(flt: trends.TrendFilter, key: CellKey) -> bool:
    _day, category, opd, first_opd, kecamatan = key
    return (
        (not flt.categories or category in flt.categories)
        and (not flt.opds or opd in flt.opds or first_opd in flt.opds)
        and (not flt.kecamatan or kecamatan in flt.kecamatan)
    )


def _activity(
    conn: Connection, flt: trends.TrendFilter, unfolded: list[date], fresh: dict[CellKey, Cell]
) -> pd.DataFrame:
    """trends.period_activity's frame: clean days summed by the database, unfolded ones here."""
    r = t.trend_rollups.c
    names = ("total", "prank", "ghost", "bukan_darurat")
    query = (
        select(r.period_start, r.category_code, *[func.sum(r[n]) for n in names])
        .where(
            r.tier == DAY,
            r.period_start >= flt.start_day,
            r.period_start <= flt.end_day,
            r.period_start.not_in(unfolded),
            *_cell_conditions(flt),
        )
        .group_by(r.period_start, r.category_code)
    )
    rows = _all_rows(conn, query)
    rows += [
        (key[0], key[1], *[getattr(cell, n) for n in names])
        for key, cell in fresh.items()
        if _matches(flt, key)
    ]
    starts = trends.period_starts(flt)
    sums: dict[tuple[date, str], list[int]] = {}
    for day, category, *values in rows:
        cell = sums.setdefault((starts[bisect.bisect_right(starts, day) - 1], category), [0] * 4)
        for i, n in enumerate(values):
            cell[i] += int(n)
    frame = pd.DataFrame(
        [(*key, *values) for key, values in sorted(sums.items())],
        columns=["period", "category_code", *names],
    )
    return frame.astype({n: "int64" for n in names})


def _places(rows: list[tuple]) -> pd.DataFrame:
    counts: Counter = Counter()
    # One JSON parse for all rows (thousands of small json.loads cost more than the sums).
    parsed = json.loads("[" + ",".join(row[_PLACES] for row in rows) + "]")
    for row, places in zip(rows, parsed, strict=True):
        kecamatan = row[_KECAMATAN]
        for kode, nama, n in places:
            counts[(kode, nama, kecamatan)] += n
    frame = pd.DataFrame(
        _ranked(counts), columns=["kelurahan_kode", "kelurahan", "kecamatan", "count"]
    )
    return frame.astype({"count": "int64"})


def _routing(rows: list[tuple]) -> pd.DataFrame:
    sums: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        if row[_FIRST_OPD] is None:
            continue
        pair = sums.setdefault((row[_FIRST_OPD], row[_CATEGORY]), [0, 0])
        pair[0] += row[_TOTAL]
        pair[1] += row[_REASSIGNED]
    frame = pd.DataFrame(
        [(*pair, *n) for pair, n in sums.items()],
        columns=["first_opd_code", "category_code", "forwarded", "reassigned"],
    )
    return frame.astype({"forwarded": "int64", "reassigned": "int64"})


def _flows(rows: list[tuple]) -> pd.DataFrame:
    counts: Counter = Counter()
    moved = [row[_FLOWS] for row in rows if row[_FLOWS] != "[]"]
    for flows in json.loads("[" + ",".join(moved) + "]"):
        for a, b, n in flows:
            counts[(a, b)] += n
    frame = pd.DataFrame(_ranked(counts), columns=["from_opd", "to_opd", "count"])
    return frame.astype({"count": "int64"})


def _ranked(counts: Counter) -> list[tuple]:
    """(*key, count) rows, most first, then by each part of the key (None last): sorted here,
    a few dozen rows where a pandas sort costs more than the figures."""
    return sorted(
        ((*key, n) for key, n in counts.items()),
        key=lambda row: (-row[-1], *[(part is None, part or "") for part in row[:-1]]),
    )


def _hour_weekday(rows: list[tuple]) -> pd.DataFrame:
    total = np.zeros(HOURS, dtype=np.int64)
    if rows:
        packed = b"".join(bytes(row[_HOURS]) for row in rows)
        total = np.frombuffer(packed, dtype="<u4").reshape(-1, HOURS).sum(axis=0, dtype=np.int64)
    # Hour by hour, each with its weekdays (the stored index is weekday * 24 + hour).
    return pd.DataFrame(
        {
            "hour": np.repeat(np.arange(24, dtype=np.int64), 7),
            "weekday": np.tile(np.arange(7, dtype=np.int64), 24),
            "count": total.reshape(7, 24).T.ravel(),
        }
    )


def _speed(rows: list[tuple], targets: Targets) -> dict[str, pd.DataFrame]:
    """Per stage and grouping: n, within and the percentiles of the added-up histograms."""
    # Each row's group per grouping, once for the three stages (a group with no duration of
    # a stage gets no row for it, as in the exact query).
    groupings = [("all", [trends.ALL_GROUP], np.zeros(len(rows), dtype=np.int64))]
    for grouping, position in (("opd", _OPD), ("category", _CATEGORY)):
        names = sorted({row[position] for row in rows}, key=lambda v: (v is None, v or ""))
        index = {name: i for i, name in enumerate(names)}
        group = np.array([index[row[position]] for row in rows], dtype=np.int64)
        groupings.append((grouping, names, group))
    out = []
    for stage in trends.STAGES:
        at = _STAGE_AT[stage]
        within = np.array([row[at] for row in rows], dtype=np.int64)
        bins = _decoded([row[at + 1] for row in rows])
        for grouping, names, group in groupings:
            hists = bins.hists(group, len(names))
            withins = np.bincount(group, weights=within, minlength=len(names)).astype(np.int64)
            counts = hists.sum(axis=1)
            values = percentiles(hists, trends.PERCENTILES)
            out += [
                (stage, grouping, name, int(counts[i]), int(withins[i]), *values[i])
                for i, name in enumerate(names)
                if counts[i]
            ]
    return trends.speed_frames(out, targets=targets)


def _fold_handoff_days(conn: Connection, days: list[date], *, target_s: int) -> None:
    h, x = t.handoff_rollups.c, t.escalation_rollups.c
    conn.execute(delete(t.handoff_rollups).where(h.tier == DAY, h.period_start.in_(days)))
    conn.execute(delete(t.escalation_rollups).where(x.period_start.in_(days)))
    cells, escalations = fold_handoffs(conn, days, target_s=target_s)
    if cells:
        rows = [_handoff_row(DAY, key, cell) for key, cell in cells.items()]
        conn.execute(insert(t.handoff_rollups), rows)
    if escalations:
        rows = [
            {"period_start": key[0], **dict(zip(ESCALATION_KEYS, key[1:], strict=True)), "count": n}
            for key, n in escalations.items()
        ]
        conn.execute(insert(t.escalation_rollups), rows)


def _handoff_row(tier: str, key: HandoffKey, cell: HandoffCell) -> dict:
    keys, counts = _from_counter(cell.bins)
    return {
        "tier": tier,
        "period_start": key[0],
        **dict(zip(HANDOFF_KEYS, key[1:], strict=True)),
        **{name: int(n) for name, n in cell.sums.items()},
        "ack_bins": np.concatenate([keys, counts]).astype("<i4").tobytes(),
    }


def _add_handoff(cell: HandoffCell, row) -> None:
    """Add a stored row (or a row of the same columns) into `cell`."""
    for name in trends.HANDOFF_SUMS:
        cell.sums[name] += int(row._mapping[name])
    packed = np.frombuffer(bytes(row.ack_bins), dtype="<i4")
    half = len(packed) // 2
    cell.bins.update(dict(zip(packed[:half].tolist(), packed[half:].tolist(), strict=True)))


def _handoff_view(
    conn: Connection, flt: trends.TrendFilter, state: _State, targets: Targets
) -> trends.HandoffView:
    """trends.handoff_view from month, week and day rows (read's plan), days changed since the
    fold folded here."""
    target_s = int(targets.acknowledge_s)
    unfolded = [
        day for day in _unfolded_event_days(conn, state) if flt.start_day <= day <= flt.end_day
    ]
    months, weeks, days = _plan(flt.start_day, flt.end_day, set(unfolded))
    fresh, fresh_escalations = fold_handoffs(conn, unfolded, target_s=target_s)
    h = t.handoff_rollups.c
    periods = _periods(h, months=months, weeks=weeks, days=days)
    rows = []
    if periods:
        query = select(
            h.opd_code, h.channel, *[h[n] for n in trends.HANDOFF_SUMS], h.ack_bins
        ).where(or_(*periods), *_narrowing(h, flt))
        rows = _all_rows(conn, query)
    rows += [
        (opd, channel, *cell.sums.values(), _pack_bins(cell.bins))
        for (_day, opd, channel, category, kecamatan), cell in fresh.items()
        if _narrowed(flt, opd, category, kecamatan)
    ]
    # One group per (OPD, channel): sums in a dict, histograms by one bincount.
    sums: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        total = sums.setdefault((row[0], row[1]), [0] * len(trends.HANDOFF_SUMS))
        for i, n in enumerate(row[2:-1]):
            total[i] += int(n)
    index = {group: i for i, group in enumerate(sums)}
    hists = _dense_hists(
        [row[-1] for row in rows], [index[(row[0], row[1])] for row in rows], len(sums)
    )
    by_channel = pd.DataFrame(
        [(*group, *total) for group, total in sums.items()],
        columns=["opd", "channel", *trends.HANDOFF_SUMS],
    )
    return trends.handoff_view_from(
        by_channel.astype({name: "int64" for name in trends.HANDOFF_SUMS}),
        _handoff_percentiles(dict(zip(sums, hists, strict=True))),
        _escalations(conn, flt, unfolded, fresh_escalations),
        target_s=target_s,
    )


def _narrowing(columns, flt: trends.TrendFilter) -> list:
    """The hand-off view's narrowing on a rollup table with opd_code, category, kecamatan."""
    conditions = []
    if flt.opds:
        conditions.append(columns.opd_code.in_(flt.opds))
    if flt.categories:
        conditions.append(columns.category_code.in_(flt.categories))
    if flt.kecamatan:
        conditions.append(columns.kecamatan.in_(flt.kecamatan))
    return conditions


def _narrowed(
    flt: trends.TrendFilter, opd: str | None, category: str, kecamatan: str | None
) -> bool:
    return (
        (not flt.opds or opd in flt.opds)
        and (not flt.categories or category in flt.categories)
        and (not flt.kecamatan or kecamatan in flt.kecamatan)
    )


def _handoff_percentiles(groups: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """opd, channel (ALL_GROUP too), median_s, p90_s of the acknowledged hand-offs' dense
    histograms (index key + MAX_KEY)."""
    hists: dict[tuple[str, str], np.ndarray] = {}
    for (opd, channel), hist in groups.items():
        if not hist.any():
            continue
        hists[(opd, channel)] = hist
        everything = hists.get((opd, trends.ALL_GROUP))
        hists[(opd, trends.ALL_GROUP)] = hist if everything is None else everything + hist
    return pd.DataFrame(
        [
            (opd, channel, *[percentile(hist, p) for p in trends.PERCENTILES])
            for (opd, channel), hist in hists.items()
        ],
        columns=["opd", "channel", "median_s", "p90_s"],
    )


def _escalations(
    conn: Connection, flt: trends.TrendFilter, unfolded: list[date], fresh: Counter
) -> pd.DataFrame:
    """trends.escalations_per_week from the day rows, unfolded days from `fresh`."""
    x = t.escalation_rollups.c
    rows = conn.execute(
        select(x.period_start, x.level, func.sum(x.count))
        .where(
            x.period_start >= flt.start_day,
            x.period_start <= flt.end_day,
            x.period_start.not_in(unfolded),
            *_narrowing(x, flt),
        )
        .group_by(x.period_start, x.level)
    ).all()
    counts = [(day, int(level), int(n)) for day, level, n in rows]
    counts += [
        (day, level, n)
        for (day, level, opd, category, kecamatan), n in fresh.items()
        if _narrowed(flt, opd, category, kecamatan)
    ]
    found: Counter = Counter()
    for day, level, n in counts:
        found[(day - timedelta(days=day.weekday()), level)] += n
    return trends.escalations_frame(dict(found), flt)


def _all_rows(conn: Connection, query) -> list[tuple]:
    """Every row of `query`, as tuples. On PostgreSQL through a binary cursor of the same
    connection (same transaction): bytea columns (hours, histograms, grid) then arrive as bytes
    rather than hex text to decode, which takes half the time for a year's thousands of rows."""
    if conn.dialect.name != "postgresql":
        return [tuple(row) for row in conn.execute(query).all()]
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    with conn.connection.driver_connection.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()


def _grid(rows: list[tuple]) -> pd.DataFrame:
    """trends.grid_cells' frame (ix, iy, count, by ix then iy) from the rows' packed grids."""
    packed = [bytes(row[_GRID]) for row in rows]
    sizes = np.array([len(p) // 12 for p in packed], dtype=np.int64)
    flat = np.frombuffer(b"".join(packed), dtype="<i4").astype(np.int64)
    if not len(flat):
        return pd.DataFrame(columns=["ix", "iy", "count"]).astype("int64")
    # Each row's ix values, then iy values, then counts.
    part = np.repeat(np.tile([0, 1, 2], len(sizes)), np.repeat(sizes, 3))
    ix, iy, counts = flat[part == 0], flat[part == 1], flat[part == 2]
    # One integer per cell, ordered as (ix, iy), then summed per cell: by a dense bincount
    # over the cells' bounding box when it is small (a city), else through np.unique.
    x0, y0, height = ix.min(), iy.min(), iy.max() - iy.min() + 1
    key = (ix - x0) * height + (iy - y0)
    if (ix.max() - x0 + 1) * height <= _DENSE_GRID_CELLS:
        dense = np.bincount(key, weights=counts)
        cells = np.flatnonzero(dense)
        sums = dense[cells].astype(np.int64)
    else:
        cells, inverse = np.unique(key, return_inverse=True)
        sums = np.bincount(inverse, weights=counts).astype(np.int64)
    return pd.DataFrame({"ix": cells // height + x0, "iy": cells % height + y0, "count": sums})


def _pack_grid(grid: Counter) -> bytes:
    cells = sorted(grid.items())
    ix = [cell[0][0] for cell in cells]
    iy = [cell[0][1] for cell in cells]
    return np.array([*ix, *iy, *[cell[1] for cell in cells]], dtype="<i4").tobytes()


def _unpack_grid(packed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    flat = np.frombuffer(bytes(packed), dtype="<i4").astype(np.int64)
    third = len(flat) // 3
    return flat[:third], flat[third : 2 * third], flat[2 * third :]


def _dense_hists(packed: list[bytes], groups: list[int], n_groups: int) -> np.ndarray:
    """Per group, the dense histogram (n_groups x (2 MAX_KEY + 1), int64) of packed bins
    (each its int32 keys then its int32 counts), row i added into group groups[i]."""
    return _decoded(packed).hists(groups, n_groups)


@dataclass(frozen=True)
class _Bins:
    """Many rows' packed bins decoded at once: every row's (key + MAX_KEY, count) pairs."""

    sizes: np.ndarray
    offsets: np.ndarray
    counts: np.ndarray

    def hists(self, groups: list[int], n_groups: int) -> np.ndarray:
        span = 2 * MAX_KEY + 1
        at = np.repeat(np.asarray(groups, dtype=np.int64), self.sizes) * span + self.offsets
        hists = np.bincount(at, weights=self.counts, minlength=n_groups * span)
        return hists.astype(np.int64).reshape(n_groups, span)


def _decoded(packed: list[bytes]) -> _Bins:
    sizes = np.array([len(p) // 8 for p in packed], dtype=np.int64)
    flat = np.frombuffer(b"".join(bytes(p) for p in packed), dtype="<i4")
    # Each row's keys then its counts: split by a mask built from the sizes.
    is_key = np.repeat(np.tile([True, False], len(sizes)), np.repeat(sizes, 2))
    return _Bins(sizes, flat[is_key].astype(np.int64) + MAX_KEY, flat[~is_key])


def _pack_bins(bins: Counter) -> bytes:
    keys, counts = _from_counter(bins)
    return np.concatenate([keys, counts]).astype("<i4").tobytes()


def _no_bins() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


def _from_counter(counter: Counter) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array(sorted(counter), dtype=np.int64)
    return keys, np.array([counter[k] for k in keys.tolist()], dtype=np.int64)


def _add_bins(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    if not len(keys):
        return _no_bins()
    counts = np.concatenate([p[1] for p in parts])
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=counts).astype(np.int64)


def _received_in(days: list[date]):
    """received_at_utc within any of the WIB days (one range per run of consecutive days)."""
    c = t.incidents.c
    ranges = []
    for first, last in _runs(days):
        flt = trends.TrendFilter(start_day=first, end_day=last)
        ranges.append(and_(c.received_at_utc >= flt.since_utc, c.received_at_utc < flt.until_utc))
    return or_(*ranges)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _wib_day(value: datetime) -> date:
    return (value + timedelta(hours=trends.WIB_OFFSET_H)).date()
