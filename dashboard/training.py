"""Latihan's services: its own database, accounts, library, scored attempts and the trainer's view.

The training room never touches live data: it runs on SIAGA_TRAINING_DATABASE_URL (training_url
refuses the live database), with the same migration chain and catalogue as live and its own
accounts. Scenarios and SOP cards come from data/latihan/ (dashboard.training_library) plus the
rows a trainer added; attempts are scored by dashboard.training_rules and stored with one row
per scored step. `handover` is the one function here that reads the LIVE database, read-only.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError

from dashboard import catalogue, exports, labels, queues, training_library, training_rules
from dashboard import tables as t
from dashboard.auth import create_user
from dashboard.config import Settings, default_training_url, load_settings
from dashboard.db import from_row, migrate, reading
from dashboard.domain import (
    ADMIN,
    CALL_TAKER,
    OPD_ADMIN,
    SUPERVISOR,
    Actor,
    RoutingRule,
    naive_utc,
    py_datetime,
    to_wib,
    utc_now,
)
from dashboard.errors import InvalidInput, NotFound, PermissionDenied, TrainingDataRejected
from dashboard.intake_api import json_body
from dashboard.setup import SETUP_ACTOR
from dashboard.training_rules import (
    CallAttempt,
    OpdAction,
    OpdAttempt,
    Scenario,
    Score,
    SopCard,
    StepResult,
)
from geo.nearest import geodesic_distance_m

# The training accounts (README "Latihan"): a public password, so they exist only in the
# training database (prepare_training_database refuses the live one).
TRAINING_PASSWORD = "latihan112"
TRAINING_USERS = [
    ("latih.ct1", CALL_TAKER, None),
    ("latih.ct2", CALL_TAKER, None),
    ("latih.pmi", OPD_ADMIN, "PMI"),
    ("latih.bpbd", OPD_ADMIN, "BPBD"),
    ("latih.damkar", OPD_ADMIN, "DAMKAR"),
    ("pelatih", SUPERVISOR, None),
]
TRAINER_ROLES = frozenset({SUPERVISOR, ADMIN})
CALL, OPD = "call", "opd"
# Column widths of migration 0010's tables.
SCENARIO_CODE_MAX = 40
DRILL_ID_MAX = 36
HANDOVER_ESCALATION_DAYS = 30
# Who reads the live queue for the hand-over page: an OPD admin's view of that OPD, so the
# queue's own filter (not a new query) decides which incidents are the OPD's.
_HANDOVER_READER = "serah-terima"

_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
_PG_DEFAULT_PORT = 5432


@dataclass(frozen=True)
class Library:
    """The scenarios and SOP cards a drill uses: data/latihan/ plus the trainer's rows."""

    scenarios: Mapping[str, Scenario]
    cards: Mapping[str, SopCard]


@dataclass(frozen=True)
class RecordedAttempt:
    attempt_id: int
    score: Score


@dataclass(frozen=True)
class DrillProgress:
    """A drill in progress, kept server-side per trainee and kind (save_progress): a reload or
    a second tab resumes it where it was, its time counting from the scenario's first showing."""

    kind: str  # CALL or OPD
    drill_id: str
    codes: tuple[str, ...]  # the drill's scenarios, in order
    index: int  # the scenario shown now (== len(codes): the drill is done)
    started_at_utc: datetime  # when the current scenario was first shown
    results: tuple[tuple[str, Score], ...] = ()  # each finished scenario's code and score
    scored: Score | None = None  # the current scenario's score, shown until the next one
    # What the trainee did in the current scenario: the SOP questions asked (CALL) or the
    # actions taken (OPD, OpdAction), in order.
    steps: tuple = ()
    # The scenario's form as typed so far (widget name -> value: str, number, None).
    fields: Mapping[str, object] = field(default_factory=dict)
    revision: int = 0  # set by save/load_progress: which save this is

    def elapsed_s(self, now_utc: datetime) -> float:
        """Seconds since the current scenario was first shown, across reloads."""
        return (naive_utc(now_utc) - naive_utc(self.started_at_utc)).total_seconds()


@dataclass(frozen=True)
class AttemptDetail:
    """One stored attempt for the trainer: what was done, and each scored step."""

    attempt_id: int
    drill_id: str
    trainee: str
    kind: str
    scenario_code: str
    scenario_title: str
    started_at_utc: datetime
    submitted_at_utc: datetime
    score: int
    max_score: int
    answers: Mapping[str, object]
    # step, ok, points, max_points, feedback (a labels.TRAINING_FEEDBACK code or None),
    # in the order they were scored.
    steps: pd.DataFrame
    # The same steps as the trainee saw them right after the attempt (feedback numbers too).
    result: Score


@dataclass(frozen=True)
class Handover:
    """What a rotated OPD admin's replacement needs to know, read from the live database."""

    opd_code: str
    opd_name: str
    open_incidents: tuple[queues.QueueRow, ...]
    open_table: pd.DataFrame  # queues.queue_frame of open_incidents
    routing_rules: tuple[RoutingRule, ...]  # the rules that send a category to this OPD
    routing_table: pd.DataFrame
    escalations: pd.DataFrame  # the last HANDOVER_ESCALATION_DAYS, newest first
    cards: tuple[SopCard, ...]  # the SOP cards of the categories routed to it


# --- the training database -------------------------------------------------------------------


def training_url(settings: Settings | None = None) -> str:
    """The training database's URL; InvalidInput when it is the live database."""
    settings = settings or load_settings()
    url = settings.training_database_url or default_training_url(settings.database_url)
    if same_database(url, settings.database_url):
        shown = make_url(settings.database_url).render_as_string(hide_password=True)
        raise InvalidInput(labels.TRAINING_ERR_LIVE_DATABASE.format(url=shown))
    return url


def same_database(url_a: str, url_b: str) -> bool:
    """Whether two URLs name one database: the same SQLite file, or the same server and
    database name whatever the driver, user or spelling of a local host."""
    a, b = make_url(url_a), make_url(url_b)
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        path_a, path_b = _sqlite_path(a), _sqlite_path(b)
        # Two in-memory databases are two databases: each engine gets its own.
        return path_a is not None and path_a == path_b
    return _server_key(a) == _server_key(b)


def prepare_training_database(engine: Engine, *, live_url: str | None = None) -> None:
    """Idempotent: migrate, seed the live catalogue, create the missing training accounts.

    Refuses (InvalidInput) an engine on the live database (`live_url`, default DATABASE_URL):
    the training accounts' password is public.
    """
    live = live_url if live_url is not None else load_settings().database_url
    engine_url = engine.url.render_as_string(hide_password=False)
    if same_database(engine_url, live):
        shown = make_url(live).render_as_string(hide_password=True)
        raise InvalidInput(labels.TRAINING_ERR_LIVE_DATABASE.format(url=shown))
    migrate(engine)
    catalogue.seed_catalogue(engine)
    _ensure_training_users(engine)


def is_trainer(actor: Actor) -> bool:
    return actor.role in TRAINER_ROLES


# --- the library -----------------------------------------------------------------------------


def library(engine: Engine) -> Library:
    """The scenarios and cards of data/latihan/ with the trainer's additions and edits."""
    with engine.connect() as conn:
        scenario_rows = conn.execute(
            select(t.training_scenarios.c.body).order_by(t.training_scenarios.c.code)
        ).all()
        card_rows = conn.execute(
            select(t.training_cards.c.body).order_by(t.training_cards.c.category_code)
        ).all()
        # Checked against this database's catalogue (inactive codes included, so retiring a
        # category does not make the whole library unreadable), not the catalogue files.
        known = {
            "categories": set(conn.execute(select(t.categories.c.code)).scalars()),
            "opds": set(conn.execute(select(t.opds.c.code)).scalars()),
        }
    return Library(
        scenarios=training_library.load_scenarios(
            extra=[json.loads(r.body) for r in scenario_rows], **known
        ),
        cards=training_library.load_cards(
            overrides=[json.loads(r.body) for r in card_rows], **known
        ),
    )


# The roles a training account may have: the desk roles drilled in the room, and trainers.
TRAINEE_ROLES = (CALL_TAKER, OPD_ADMIN, SUPERVISOR)


def add_trainee(
    engine: Engine,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    role: str,
    opd_code: str | None = None,
    password: str,
) -> int:
    """A training account for a new or rotated member of staff (trainer only), in the training
    database: its own password, never a live account. Returns the user id."""
    if not is_trainer(actor):
        raise PermissionDenied(labels.TRAINING_ERR_TRAINER_ONLY)
    if role not in TRAINEE_ROLES:
        raise InvalidInput(labels.ERR_ROLE.format(role=str(role)[:20]))
    _refuse_live(engine)
    # In the training database a trainer administers its accounts: the audit names them.
    return create_user(
        engine,
        Actor(actor.username, ADMIN, full_name=actor.full_name),
        username=username,
        full_name=full_name,
        password=password,
        role=role,
        opd_code=opd_code,
    )


def add_scenario(
    engine: Engine, actor: Actor, body: str, *, now_utc: datetime | None = None
) -> Scenario:
    """Add a scenario from its JSON text (trainer only), validated against the catalogue;
    refused when its code exists in the files or among the trainer's."""
    _check_trainer(actor)
    scenario = training_library.scenario_from_json(_json_object(body))
    now = naive_utc(now_utc) if now_utc else utc_now()
    exists = TrainingDataRejected(labels.TRAINING_ERR_SCENARIO_EXISTS.format(code=scenario.code))
    in_files = training_library.load_scenarios()
    try:
        with engine.begin() as conn:
            training_library.validate_scenario(
                scenario, set(catalogue.categories(conn)), set(catalogue.opd_names(conn))
            )
            c = t.training_scenarios.c
            taken = conn.execute(select(c.code).where(c.code == scenario.code)).first()
            if scenario.code in in_files or taken:
                raise exists
            conn.execute(
                insert(t.training_scenarios).values(
                    code=scenario.code,
                    body=_dumps(training_library.scenario_to_json(scenario)),
                    added_by=actor.username,
                    added_at_utc=now,
                )
            )
    except IntegrityError as error:
        # Another trainer added the same code between our check and our insert.
        raise exists from error
    return scenario


def save_card(
    engine: Engine, actor: Actor, body: str, *, now_utc: datetime | None = None
) -> SopCard:
    """Store an SOP card from its JSON text (trainer only): it replaces its category's card;
    its category and OPD must be in the catalogue."""
    _check_trainer(actor)
    card = training_library.card_from_json(_json_object(body))
    now = naive_utc(now_utc) if now_utc else utc_now()
    values = {
        "body": _dumps(training_library.card_to_json(card)),
        "updated_by": actor.username,
        "updated_at_utc": now,
    }
    c = t.training_cards.c
    with engine.begin() as conn:
        training_library.validate_card(
            card, set(catalogue.categories(conn)), set(catalogue.opd_names(conn))
        )
        changed = conn.execute(
            update(t.training_cards).where(c.category_code == card.category_code).values(**values)
        ).rowcount
        if not changed:
            conn.execute(
                insert(t.training_cards).values(category_code=card.category_code, **values)
            )
    return card


# --- drills ----------------------------------------------------------------------------------


def new_drill_id() -> str:
    """A fresh id grouping the scenarios one trainee runs in one sitting."""
    return uuid.uuid4().hex[:12]


def record_call_attempt(
    engine: Engine,
    actor: Actor,
    *,
    drill_id: str,
    scenario_code: str,
    attempt: CallAttempt,
    started_at_utc: datetime,
    now_utc: datetime | None = None,
) -> RecordedAttempt:
    """Score a call drill (training_rules.score_call) and store it with its steps."""
    lib = library(engine)
    scenario = _scenario(lib, scenario_code, kind=CALL)
    card = lib.cards.get(scenario.category_code) if scenario.category_code else None
    distance_m = None
    if attempt.lat is not None and attempt.lon is not None:
        distance_m = geodesic_distance_m(attempt.lat, attempt.lon, scenario.lat, scenario.lon)
    score = training_rules.score_call(scenario, attempt, card=card, distance_m=distance_m)
    return _store_attempt(
        engine,
        actor,
        kind=CALL,
        drill_id=drill_id,
        scenario=scenario,
        attempt=attempt,
        score=score,
        started_at_utc=started_at_utc,
        now_utc=now_utc,
    )


def record_opd_attempt(
    engine: Engine,
    actor: Actor,
    *,
    drill_id: str,
    scenario_code: str,
    attempt: OpdAttempt,
    started_at_utc: datetime,
    now_utc: datetime | None = None,
) -> RecordedAttempt:
    """Score an OPD drill (training_rules.score_opd) and store it with its steps."""
    scenario = _scenario(library(engine), scenario_code, kind=OPD)
    score = training_rules.score_opd(scenario, attempt)
    return _store_attempt(
        engine,
        actor,
        kind=OPD,
        drill_id=drill_id,
        scenario=scenario,
        attempt=attempt,
        score=score,
        started_at_utc=started_at_utc,
        now_utc=now_utc,
    )


def save_progress(
    engine: Engine,
    actor: Actor,
    progress: DrillProgress,
    *,
    seen_revision: int | None,
    now_utc: datetime | None = None,
) -> int | None:
    """Keep the trainee's drill in progress (one per kind) in the training database.

    `seen_revision` is the revision of this drill (progress.drill_id) this tab last loaded or
    saved; None starts a new drill at revision 1, replacing any other. Returns the new revision,
    or None (nothing written) when another tab saved, cleared or replaced the drill since: the
    kept drill is the one to show. Refuses (InvalidInput) the live database and
    (PermissionDenied) a non-training account.
    """
    _refuse_live(engine)
    if not progress.drill_id or len(progress.drill_id) > DRILL_ID_MAX:
        raise InvalidInput(labels.TRAINING_ERR_DRILL_ID)
    now = naive_utc(now_utc) if now_utc else utc_now()
    p = t.training_progress.c
    values = {
        "drill_id": progress.drill_id,
        "state": _dumps(_progress_json(progress)),
        "started_at_utc": naive_utc(progress.started_at_utc),
        "updated_at_utc": now,
    }
    with engine.begin() as conn:
        _check_training_user(conn, actor)
        if seen_revision is not None:
            changed = conn.execute(
                update(t.training_progress)
                .where(
                    p.trainee == actor.username,
                    p.kind == progress.kind,
                    p.drill_id == progress.drill_id,
                    p.revision == seen_revision,
                )
                .values(revision=seen_revision + 1, **values)
            ).rowcount
            return seen_revision + 1 if changed else None
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(t.training_progress).values(
            trainee=actor.username, kind=progress.kind, revision=1, **values
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[p.trainee, p.kind], set_={"revision": 1, **values}
            )
        )
        return 1


def load_progress(engine: Engine, actor: Actor, kind: str) -> DrillProgress | None:
    """The trainee's kept drill of `kind`, or None (none, or a row this version cannot read)."""
    p = t.training_progress.c
    with engine.connect() as conn:
        row = conn.execute(
            select(p.drill_id, p.state, p.started_at_utc, p.revision).where(
                p.trainee == actor.username, p.kind == kind
            )
        ).first()
    if row is None:
        return None
    try:
        return _progress_from_json(
            json.loads(row.state),
            kind=kind,
            drill_id=row.drill_id,
            started_at_utc=py_datetime(row.started_at_utc),
            revision=row.revision,
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def clear_progress(engine: Engine, actor: Actor, kind: str, *, drill_id: str | None = None) -> None:
    """The drill is finished or abandoned: nothing to resume (its attempts stay). With
    `drill_id`, only that drill (not one another tab has started since)."""
    p = t.training_progress.c
    mine = [p.trainee == actor.username, p.kind == kind]
    if drill_id is not None:
        mine.append(p.drill_id == drill_id)
    with engine.begin() as conn:
        conn.execute(delete(t.training_progress).where(*mine))


# --- the trainer's view ----------------------------------------------------------------------

SCORE_COLUMNS = [
    "attempt_id",
    "drill_id",
    "trainee",
    "trainee_name",
    "started_at_utc",
    "submitted_at_utc",
    "scenario_code",
    "scenario_title",
    "kind",
    "score",
    "max_score",
    "percent",
]
MISS_COLUMNS = ["step", "attempts", "missed", "share_missed"]


def trainee_scores(engine: Engine) -> pd.DataFrame:
    """One row per attempt, oldest first: who, when, which scenario, score of max and percent."""
    a, u = t.training_attempts.c, t.users.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                a.id.label("attempt_id"),
                a.drill_id,
                a.trainee,
                u.full_name.label("trainee_name"),
                a.started_at_utc,
                a.submitted_at_utc,
                a.scenario_code,
                a.kind,
                a.score,
                a.max_score,
            )
            .select_from(t.training_attempts.outerjoin(t.users, u.username == a.trainee))
            .order_by(a.submitted_at_utc, a.id)
        ).all()
    titles = _titles(engine, {r.scenario_code for r in rows})
    records = [
        {
            **r._asdict(),
            "trainee_name": r.trainee_name or r.trainee,
            "started_at_utc": py_datetime(r.started_at_utc),
            "submitted_at_utc": py_datetime(r.submitted_at_utc),
            "scenario_title": titles.get(r.scenario_code, r.scenario_code),
            "percent": _percent(r.score, r.max_score),
        }
        for r in rows
    ]
    frame = pd.DataFrame(records, columns=SCORE_COLUMNS)
    return frame.astype({"attempt_id": "int64", "score": "int64", "max_score": "int64"})


def step_misses(engine: Engine, *, by_trainee: bool = False) -> pd.DataFrame:
    """Per scored step: attempts that scored it, how many missed it and the share missed
    (0..1), most missed share first (then most misses, then the step's code). With
    `by_trainee`, the same per trainee x step, each trainee's worst steps first."""
    a, s = t.training_attempts.c, t.training_attempt_steps.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(a.trainee, s.step, s.ok).select_from(
                t.training_attempt_steps.join(t.training_attempts, a.id == s.attempt_id)
            )
        ).all()
    keys = ["trainee", "step"] if by_trainee else ["step"]
    columns = keys + MISS_COLUMNS[1:]
    if not rows:
        return pd.DataFrame(columns=columns).astype({"attempts": "int64", "missed": "int64"})
    steps = pd.DataFrame(
        {
            "trainee": [r.trainee for r in rows],
            "step": [r.step for r in rows],
            "missed": [0 if r.ok else 1 for r in rows],
        }
    )
    grouped = steps.groupby(keys, as_index=False).agg(
        attempts=("missed", "size"), missed=("missed", "sum")
    )
    grouped["share_missed"] = grouped["missed"] / grouped["attempts"]
    order = ["trainee"] if by_trainee else []
    grouped = grouped.sort_values(
        [*order, "share_missed", "missed", "step"],
        ascending=[*([True] * len(order)), False, False, True],
        kind="stable",
    )
    return grouped[columns].astype({"attempts": "int64", "missed": "int64"}).reset_index(drop=True)


def attempt_detail(engine: Engine, attempt_id: int) -> AttemptDetail:
    """One attempt with its steps and their feedback codes; NotFound for an unknown id."""
    a, s = t.training_attempts.c, t.training_attempt_steps.c
    with engine.connect() as conn:
        row = conn.execute(select(t.training_attempts).where(a.id == attempt_id)).first()
        if row is None:
            raise NotFound(labels.TRAINING_ERR_NO_ATTEMPT.format(attempt_id=attempt_id))
        steps = conn.execute(
            select(s.step, s.ok, s.points, s.max_points, s.feedback, s.detail)
            .where(s.attempt_id == attempt_id)
            .order_by(s.id)
        ).all()
    titles = _titles(engine, {row.scenario_code})
    return from_row(
        AttemptDetail,
        row,
        attempt_id=row.id,
        scenario_title=titles.get(row.scenario_code, row.scenario_code),
        started_at_utc=py_datetime(row.started_at_utc),
        submitted_at_utc=py_datetime(row.submitted_at_utc),
        answers=json.loads(row.answers),
        steps=pd.DataFrame(
            [
                {
                    "step": r.step,
                    "ok": bool(r.ok),
                    "points": r.points,
                    "max_points": r.max_points,
                    "feedback": r.feedback,
                }
                for r in steps
            ],
            columns=["step", "ok", "points", "max_points", "feedback"],
        ),
        result=Score(
            tuple(
                StepResult(
                    step=r.step,
                    ok=bool(r.ok),
                    points=r.points,
                    max_points=r.max_points,
                    feedback=r.feedback,
                    detail=json.loads(r.detail) if r.detail else {},
                )
                for r in steps
            )
        ),
    )


def export_rows(engine: Engine) -> pd.DataFrame:
    """Every attempt for the trainer's download, Indonesian headers, WIB times, the missed
    steps by name ("Lokasi, OPD tujuan"), oldest first."""
    scores = trainee_scores(engine)
    missed = _missed_steps(engine)
    col = labels.TRAINING_EXPORT_COL
    return pd.DataFrame(
        {
            col["attempt_id"]: scores["attempt_id"].tolist(),
            col["drill_id"]: scores["drill_id"].tolist(),
            col["trainee"]: scores["trainee"].tolist(),
            col["trainee_name"]: scores["trainee_name"].tolist(),
            col["started_wib"]: [_wib(v) for v in scores["started_at_utc"]],
            col["submitted_wib"]: [_wib(v) for v in scores["submitted_at_utc"]],
            col["scenario_code"]: scores["scenario_code"].tolist(),
            col["scenario_title"]: scores["scenario_title"].tolist(),
            col["kind"]: [labels.TRAINING_KIND.get(k, k) for k in scores["kind"]],
            col["score"]: scores["score"].tolist(),
            col["max_score"]: scores["max_score"].tolist(),
            col["percent"]: scores["percent"].tolist(),
            col["missed"]: [
                ", ".join(labels.TRAINING_STEP.get(step, step) for step in missed.get(i, ()))
                for i in scores["attempt_id"]
            ],
        },
        columns=list(col.values()),
    )


def export_csv(engine: Engine) -> bytes:
    return exports.csv_bytes(export_rows(engine))


def export_xlsx(engine: Engine) -> bytes:
    return exports.xlsx_bytes({labels.TRAINING_EXPORT_SHEET: export_rows(engine)})


# --- the hand-over page (LIVE database, read-only) -------------------------------------------


def handover(
    live_engine: Engine,
    opd_code: str,
    *,
    now_utc: datetime,
    cards: Mapping[str, SopCard] | None = None,
) -> Handover:
    """The OPD's open incidents, routing rules, escalations of the last 30 days and the SOP
    cards of its categories (`cards`, default data/latihan/'s), read from the live database
    without writing to it; NotFound for an unknown OPD."""
    now = naive_utc(now_utc)
    # Deferred: on SQLite a read takes no write lock from the call-takers.
    with reading(live_engine) as conn:
        opds = catalogue.opd_names(conn)
        if opd_code not in opds:
            raise NotFound(labels.TRAINING_ERR_NO_OPD.format(code=str(opd_code)[:20]))
        categories = catalogue.categories(conn)
        rules = tuple(
            sorted(
                (r for r in catalogue.routing_rules(conn) if r.opd_code == opd_code),
                key=lambda r: (r.category_code, r.kecamatan or ""),
            )
        )
        escalations = _escalations(conn, opd_code, since=now - timedelta(HANDOVER_ESCALATION_DAYS))
    reader = Actor(username=_HANDOVER_READER, role=OPD_ADMIN, opd_code=opd_code)
    open_rows = tuple(queues.open_queue(live_engine, reader, now_utc=now))
    cards = training_library.load_cards() if cards is None else cards
    routed = {r.category_code for r in rules}
    own_cards = [c for code, c in cards.items() if code in routed or c.opd_code == opd_code]
    order = {code: n for n, code in enumerate(categories)}
    own_cards.sort(key=lambda c: (order.get(c.category_code, len(order)), c.category_code))
    names = {code: c.name for code, c in categories.items()}
    rule_col = labels.TRAINING_HANDOVER_RULE_COL
    return Handover(
        opd_code=opd_code,
        opd_name=opds[opd_code],
        open_incidents=open_rows,
        open_table=queues.queue_frame(list(open_rows)),
        routing_rules=rules,
        routing_table=pd.DataFrame(
            {
                rule_col["category"]: [names.get(r.category_code, r.category_code) for r in rules],
                rule_col["kecamatan"]: [
                    r.kecamatan or labels.TRAINING_HANDOVER_ALL_KECAMATAN for r in rules
                ],
            },
            columns=list(rule_col.values()),
        ),
        escalations=_escalation_table(escalations, names),
        cards=tuple(own_cards),
    )


# --- helpers ---------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> str | None:
    database = url.database or ""
    if database in {"", ":memory:"} or database.startswith("file::memory:"):
        return None
    return str(Path(database).expanduser().resolve())


def _server_key(url: URL) -> tuple[str, int, str]:
    host = (url.host or "").lower()
    host = "localhost" if host in _LOCAL_HOSTS else host
    return host, url.port or _PG_DEFAULT_PORT, url.database or ""


def _refuse_live(engine: Engine) -> None:
    if same_database(
        engine.url.render_as_string(hide_password=False), load_settings().database_url
    ):
        raise InvalidInput(labels.TRAINING_ERR_LIVE_DATABASE.format(url="DATABASE_URL"))


def _ensure_training_users(engine: Engine) -> None:
    with engine.connect() as conn:
        present = set(conn.execute(select(t.users.c.username)).scalars())
    for username, role, opd in TRAINING_USERS:
        if username in present:
            continue
        try:
            create_user(
                engine,
                SETUP_ACTOR,
                username=username,
                full_name=labels.TRAINING_USER_NAME[username],
                password=TRAINING_PASSWORD,
                role=role,
                opd_code=opd,
            )
        except (InvalidInput, IntegrityError):
            # Another session preparing the same database created it first.
            if not _user_exists(engine, username):
                raise


def _user_exists(engine: Engine, username: str) -> bool:
    with engine.connect() as conn:
        found = conn.execute(select(t.users.c.id).where(t.users.c.username == username)).first()
    return found is not None


def _check_trainer(actor: Actor) -> None:
    if not is_trainer(actor):
        raise PermissionDenied(labels.TRAINING_ERR_TRAINER_ONLY)


def _json_object(body: str) -> object:
    value, why = json_body((body or "").encode("utf-8"))
    if why:
        raise TrainingDataRejected(labels.TRAINING_ERR_JSON.format(reason=why))
    return value


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _scenario(lib: Library, code: str, *, kind: str) -> Scenario:
    scenario = lib.scenarios.get(code)
    if scenario is None:
        raise NotFound(labels.TRAINING_ERR_NO_SCENARIO.format(code=str(code)[:SCENARIO_CODE_MAX]))
    if scenario.kind != kind:
        raise InvalidInput(
            labels.TRAINING_ERR_WRONG_KIND.format(code=code, kind=labels.TRAINING_KIND[kind])
        )
    return scenario


def _store_attempt(
    engine: Engine,
    actor: Actor,
    *,
    kind: str,
    drill_id: str,
    scenario: Scenario,
    attempt: CallAttempt | OpdAttempt,
    score: Score,
    started_at_utc: datetime,
    now_utc: datetime | None,
) -> RecordedAttempt:
    drill_id = (drill_id or "").strip()
    if not drill_id or len(drill_id) > DRILL_ID_MAX:
        raise InvalidInput(labels.TRAINING_ERR_DRILL_ID)
    now = naive_utc(now_utc) if now_utc else utc_now()
    with engine.begin() as conn:
        _check_training_user(conn, actor)
        attempt_id = conn.execute(
            insert(t.training_attempts)
            .values(
                drill_id=drill_id,
                trainee=actor.username,
                kind=kind,
                scenario_code=scenario.code,
                started_at_utc=naive_utc(started_at_utc),
                submitted_at_utc=now,
                answers=_dumps(_attempt_json(attempt)),
                score=score.points,
                max_score=score.max_points,
            )
            .returning(t.training_attempts.c.id)
        ).scalar_one()
        conn.execute(
            insert(t.training_attempt_steps),
            [
                {
                    "attempt_id": attempt_id,
                    "step": step.step,
                    "ok": bool(step.ok),
                    "points": step.points,
                    "max_points": step.max_points,
                    "feedback": step.feedback,
                    "detail": _dumps(dict(step.detail)) if step.detail else None,
                }
                for step in score.steps
            ],
        )
    return RecordedAttempt(attempt_id=attempt_id, score=score)


def _check_training_user(conn: Connection, actor: Actor) -> None:
    u = t.users.c
    active = conn.execute(
        select(u.id).where(u.username == actor.username, u.active, u.role == actor.role)
    ).first()
    if active is None:
        raise PermissionDenied(labels.TRAINING_ERR_NOT_TRAINEE.format(username=actor.username))


def _attempt_json(attempt: CallAttempt | OpdAttempt) -> dict:
    return _plain(dataclasses.asdict(attempt))


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _progress_json(progress: DrillProgress) -> dict:
    return {
        "codes": list(progress.codes),
        "index": progress.index,
        "results": [[code, _plain(dataclasses.asdict(score))] for code, score in progress.results],
        "scored": None if progress.scored is None else _plain(dataclasses.asdict(progress.scored)),
        "steps": [
            _plain(dataclasses.asdict(s)) if progress.kind == OPD else s for s in progress.steps
        ],
        "fields": dict(progress.fields),
    }


def _progress_from_json(
    stored: dict, *, kind: str, drill_id: str, started_at_utc: datetime, revision: int
) -> DrillProgress:
    scored = stored.get("scored")
    return DrillProgress(
        kind=kind,
        drill_id=drill_id,
        codes=tuple(str(code) for code in stored["codes"]),
        index=int(stored["index"]),
        started_at_utc=started_at_utc,
        results=tuple((str(code), _score_from_json(value)) for code, value in stored["results"]),
        scored=None if scored is None else _score_from_json(scored),
        steps=tuple(OpdAction(**s) if kind == OPD else str(s) for s in stored["steps"]),
        fields=dict(stored.get("fields") or {}),
        revision=revision,
    )


def _score_from_json(value: dict) -> Score:
    return Score(tuple(StepResult(**step) for step in value["steps"]))


def _titles(engine: Engine, codes: Iterable[str]) -> dict[str, str]:
    wanted = set(codes)
    if not wanted:
        return {}
    scenarios = library(engine).scenarios
    return {code: scenarios[code].title for code in wanted if code in scenarios}


def _percent(score: int, max_score: int) -> float | None:
    return round(100 * score / max_score, 1) if max_score else None


def _missed_steps(engine: Engine) -> dict[int, list[str]]:
    s = t.training_attempt_steps.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.attempt_id, s.step).where(s.ok.is_(False)).order_by(s.attempt_id, s.id)
        ).all()
    missed: dict[int, list[str]] = {}
    for r in rows:
        missed.setdefault(r.attempt_id, []).append(r.step)
    return missed


def _wib(value: datetime | None) -> datetime | None:
    return None if value is None else to_wib(value).replace(tzinfo=None)


def _escalations(conn: Connection, opd_code: str, *, since: datetime) -> list[dict]:
    e, i = t.incident_events.c, t.incidents.c
    rows = conn.execute(
        select(e.at_utc, e.details, i.code, i.category_code, i.status)
        .select_from(t.incident_events.join(t.incidents, i.id == e.incident_id))
        .where(e.action == "ESCALATE", e.at_utc >= since)
        .order_by(e.at_utc.desc(), e.id.desc())
    ).all()
    found = []
    for r in rows:
        details = json.loads(r.details) if r.details else {}
        if details.get("opd") != opd_code:
            continue
        found.append(
            {
                "code": r.code,
                "category_code": r.category_code,
                "status": r.status,
                "at_utc": py_datetime(r.at_utc),
                "level": int(details.get("level", 0)),
                "waited_s": details.get("waited_s"),
            }
        )
    return found


def _escalation_table(found: list[dict], names: Mapping[str, str]) -> pd.DataFrame:
    col = labels.TRAINING_HANDOVER_ESCALATION_COL
    return pd.DataFrame(
        {
            col["code"]: [f["code"] for f in found],
            col["category"]: [names.get(f["category_code"], f["category_code"]) for f in found],
            col["at_wib"]: [to_wib(f["at_utc"]).strftime(exports.WIB_TEXT_FORMAT) for f in found],
            col["level"]: [f["level"] for f in found],
            col["waited_min"]: [
                None if f["waited_s"] is None else round(f["waited_s"] / 60) for f in found
            ],
            col["status"]: [labels.STATUS.get(f["status"], f["status"]) for f in found],
        },
        columns=list(col.values()),
    )
