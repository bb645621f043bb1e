"""Latihan's rules: what a scenario and an SOP card are, and how an attempt is scored.

Pure: no database, no streamlit, no files (dashboard.training_library reads the JSON in
data/latihan/, dashboard.training stores attempts). Every score is an exact integer sum of the
steps below, so a trainer can recompute it by hand from the table in README's "Latihan".

Call drills (kind "call": a call-taker takes a scripted caller)
    ASK_JENIS, ASK_KONDISI, ASK_LOKASI, ASK_NOMOR  1 point each: the SOP question was asked
                                                    (its answer revealed) before the decision
    OUTCOME     4: the right decision: FORWARD a real report, PRANK for a prank call,
                   DUPLICATE (naming the right open incident) for a second call about one
    For an expected FORWARD only (a real report, at sea on purpose included):
    KONDISI     1: the kondisi written down (at least KONDISI_MIN_CHARS characters)
    NOMOR       1: the number to call back captured (normalised, equal to the caller's)
    LOCATION    3 within the scenario's tolerance_m of the true point, 1 within
                   LOCATION_NEAR_FACTOR x tolerance_m, else 0 (also 0 with no point)
    CATEGORY    2: the true category
    OPD         2: the true OPD
    TIME        1: decided within the category card's target_forward_s of the call's start
OPD drills (kind "opd": an OPD admin gets an incident that may not be theirs)
    If it is theirs (scenario.opd_code == scenario.assigned_opd):
    ACK, HANDLE, RESOLVE  2 each when done within the scenario's target (seconds from the
                          drill's start), 1 when done late, 0 when not done
    KEEP        2: they did not reassign their own incident away (0, feedback WRONG_REASSIGN)
    If it is not theirs:
    REASSIGN    4: reassigned to the true OPD with a reason of at least REASON_MIN_CHARS
                   characters; 2 to another OPD or with too short a reason; 0 not reassigned
    NO_HANDLING 2: they did not acknowledge/handle/resolve it themselves first

A real report decided as PRANK or DUPLICATE was not handed off: its six FORWARD steps score 0
(feedback NOT_FORWARDED). A drill with no assigned_opd arrives at its true OPD. Limits are
inclusive: exactly tolerance_m, target_forward_s or a target is within it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dashboard.domain import Targets, normalise_phone
from dashboard.errors import InvalidInput

# The SOP's four facts (Dinkominfo's SOP: jenis keadaan darurat, kondisi, lokasi, nomor yang
# bisa dihubungi), in the order a call-taker asks them.
SOP_QUESTIONS = ("JENIS", "KONDISI", "LOKASI", "NOMOR")

# Decisions at the end of a call drill.
FORWARD, PRANK, DUPLICATE = "FORWARD", "PRANK", "DUPLICATE"
OUTCOMES = (FORWARD, PRANK, DUPLICATE)
# Scenario distractors: a prank call, a second call about an open incident, a point near or at sea.
DISTRACTORS = ("PRANK", "DUPLICATE", "SEA")

# OPD drill actions.
ACK, HANDLE, RESOLVE, REASSIGN = "ACK", "HANDLE", "RESOLVE", "REASSIGN"
OPD_ACTIONS = (ACK, HANDLE, RESOLVE, REASSIGN)

KONDISI_MIN_CHARS = 10
REASON_MIN_CHARS = 10
LOCATION_NEAR_FACTOR = 3
DEFAULT_TOLERANCE_M = 300

# Scored steps (labels.TRAINING_STEP names them), in the order a score lists them.
ASK_STEPS = tuple(f"ASK_{question}" for question in SOP_QUESTIONS)
STEP_OUTCOME = "OUTCOME"
FORWARD_STEPS = ("KONDISI", "NOMOR", "LOCATION", "CATEGORY", "OPD", "TIME")
CALL_STEPS = (*ASK_STEPS, STEP_OUTCOME, *FORWARD_STEPS)
THEIRS_STEPS = (ACK, HANDLE, RESOLVE, "KEEP")
NOT_THEIRS_STEPS = (REASSIGN, "NO_HANDLING")
OPD_STEPS = (*THEIRS_STEPS, *NOT_THEIRS_STEPS)

# Every feedback code a score can carry (labels.TRAINING_FEEDBACK has a text for each).
FEEDBACK_CODES = (
    *(f"MISSED_{step}" for step in ASK_STEPS),
    "WRONG_OUTCOME_FORWARDED_PRANK",
    "PRANK_NOT_RECOGNISED",
    "DUPLICATE_NOT_RECOGNISED",
    "DUPLICATE_DISMISSED_AS_PRANK",
    "WRONG_DUPLICATE",
    "DUPLICATE_OF_MISSING",
    "DISMISSED_REAL_REPORT",
    "MARKED_DUPLICATE_REAL_REPORT",
    "NOT_FORWARDED",
    "KONDISI_MISSING",
    "NOMOR_MISSING",
    "NOMOR_INVALID",
    "NOMOR_WRONG",
    "LOCATION_NEAR",
    "LOCATION_FAR",
    "NO_POINT",
    "WRONG_CATEGORY",
    "CATEGORY_MISSING",
    "WRONG_OPD",
    "OPD_MISSING",
    "SLOW_FORWARD",
    *(f"{action}_{when}" for action in (ACK, HANDLE, RESOLVE) for when in ("LATE", "MISSING")),
    "WRONG_REASSIGN",
    "NOT_REASSIGNED",
    "REASSIGN_WRONG_OPD",
    "REASSIGN_NO_REASON",
    "HANDLED_NOT_THEIRS",
)

_LOCATION_POINTS = 3
_OUTCOME_POINTS = 4
_ON_TIME_POINTS, _LATE_POINTS = 2, 1
_REASSIGN_RIGHT_POINTS, _REASSIGN_PARTLY_POINTS = 4, 2


@dataclass(frozen=True)
class SopCard:
    """What a call-taker should know about one category (data/latihan/sop_cards.json)."""

    category_code: str
    ask: tuple[str, ...]  # the questions to ask, in order (Indonesian)
    opd_code: str  # the OPD it goes to
    posts: tuple[str, ...]  # which posts respond (Indonesian, e.g. "Pos Damkar terdekat")
    target_forward_s: int  # from the call's start to the hand-off
    target_ack_s: int  # the OPD's acknowledgement after the hand-off
    mistakes: tuple[str, ...]  # common mistakes (Indonesian)
    note: str = ""


@dataclass(frozen=True)
class OpenIncident:
    """An incident already open in a scenario's world (for duplicate calls)."""

    code: str
    category_code: str
    place: str
    received: str  # "HH:MM WIB", as the desk would show it


@dataclass(frozen=True)
class Scenario:
    """One scripted exercise (data/latihan/scenarios.json, or added by the admin)."""

    code: str
    title: str
    kind: str  # "call" or "opd"
    opening: str  # the caller's first words (call) or the incident as it arrives (opd)
    # The caller's answer to each SOP question (keys of SOP_QUESTIONS); call drills.
    answers: Mapping[str, str]
    caller_phone: str
    # The truth: category and OPD (None for a prank), the true point.
    category_code: str | None
    opd_code: str | None
    lat: float
    lon: float
    # How the caller gives the place: "alamat", "nama_lama" (an old kelurahan name),
    # "landmark", "laut" (at sea); the scenario's point is in the city unless at_sea.
    location_hint: str
    at_sea: bool = False
    tolerance_m: int = DEFAULT_TOLERANCE_M
    distractor: str | None = None  # one of DISTRACTORS
    duplicate_of: str | None = None  # the code of the open incident it repeats
    open_incidents: tuple[OpenIncident, ...] = ()
    # OPD drills: the OPD it arrives at, and targets in seconds from the drill's start.
    assigned_opd: str | None = None
    target_ack_s: int = 120
    target_handle_s: int = 300
    target_resolve_s: int = 600
    kelurahan: str | None = None  # the true kelurahan (None at sea), for the library's check
    source: str = ""  # where its facts come from


@dataclass(frozen=True)
class CallAttempt:
    """What a trainee did in a call drill."""

    asked: frozenset[str]  # the SOP questions asked (revealed), subset of SOP_QUESTIONS
    outcome: str  # one of OUTCOMES
    category_code: str | None = None
    opd_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    kondisi: str = ""
    phone: str = ""
    duplicate_of: str | None = None
    elapsed_s: float = 0.0  # from the call's start to the decision


@dataclass(frozen=True)
class OpdAction:
    action: str  # one of OPD_ACTIONS
    at_s: float  # seconds from the drill's start
    to_opd: str | None = None  # REASSIGN
    reason: str = ""  # REASSIGN


@dataclass(frozen=True)
class OpdAttempt:
    """What an OPD admin did in an OPD drill, in order."""

    actions: tuple[OpdAction, ...]


@dataclass(frozen=True)
class StepResult:
    step: str
    ok: bool
    points: int
    max_points: int
    # Why points were lost (a code of labels.TRAINING_FEEDBACK), None when ok.
    feedback: str | None = None
    # Numbers for the feedback text, e.g. {"m": 850} for a location 850 m off.
    detail: Mapping[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Score:
    steps: tuple[StepResult, ...]

    @property
    def points(self) -> int:
        return sum(step.points for step in self.steps)

    @property
    def max_points(self) -> int:
        return sum(step.max_points for step in self.steps)

    @property
    def missed(self) -> tuple[StepResult, ...]:
        return tuple(step for step in self.steps if not step.ok)


def expected_outcome(scenario: Scenario) -> str:
    """FORWARD, PRANK or DUPLICATE: what a call-taker should decide for this scenario."""
    if scenario.distractor == "DUPLICATE":
        return DUPLICATE
    if scenario.distractor == "PRANK" or scenario.category_code is None:
        return PRANK
    return FORWARD


def score_call(
    scenario: Scenario,
    attempt: CallAttempt,
    *,
    card: SopCard | None,
    distance_m: float | None,
) -> Score:
    """Score a call drill (module docstring's table). `distance_m` is the trainee's point's
    distance to the true point (geo measures it; None without a point); `card` is the true
    category's SOP card (its target_forward_s; None: domain.Targets().forward_s)."""
    expected = expected_outcome(scenario)
    steps = [_asked_step(question, attempt) for question in SOP_QUESTIONS]
    steps.append(_outcome_step(scenario, attempt, expected))
    if expected == FORWARD:
        if attempt.outcome == FORWARD:
            target_s = card.target_forward_s if card is not None else Targets().forward_s
            steps += [
                _kondisi_step(attempt),
                _nomor_step(scenario, attempt),
                _location_step(scenario, distance_m),
                _choice_step("CATEGORY", scenario.category_code, attempt.category_code),
                _choice_step("OPD", scenario.opd_code, attempt.opd_code),
                _time_step(attempt.elapsed_s, target_s),
            ]
        else:
            steps += [
                _missed(step, _forward_points(step), "NOT_FORWARDED") for step in FORWARD_STEPS
            ]
    return Score(tuple(steps))


def score_opd(scenario: Scenario, attempt: OpdAttempt) -> Score:
    """Score an OPD drill (module docstring's table)."""
    reassign = next((a for a in attempt.actions if a.action == REASSIGN), None)
    if scenario.assigned_opd in (None, scenario.opd_code):
        targets = {
            ACK: scenario.target_ack_s,
            HANDLE: scenario.target_handle_s,
            RESOLVE: scenario.target_resolve_s,
        }
        steps = [
            _timed_action_step(action, attempt, target_s) for action, target_s in targets.items()
        ]
        if reassign is None:
            steps.append(_ok("KEEP", _ON_TIME_POINTS))
        else:
            steps.append(
                _missed("KEEP", _ON_TIME_POINTS, "WRONG_REASSIGN", given=reassign.to_opd or "")
            )
        return Score(tuple(steps))
    return Score((_reassign_step(scenario, reassign), _no_handling_step(attempt, reassign)))


def step_summary(scores: Sequence[Score]) -> dict[str, tuple[int, int]]:
    """step -> (times missed, times scored) over several attempts, for the trainer's view."""
    counts: dict[str, tuple[int, int]] = {}
    for score in scores:
        for step in score.steps:
            missed, scored = counts.get(step.step, (0, 0))
            counts[step.step] = (missed + (not step.ok), scored + 1)
    return counts


def _ok(step: str, points: int) -> StepResult:
    return StepResult(step=step, ok=True, points=points, max_points=points)


def _missed(
    step: str, max_points: int, feedback: str, *, points: int = 0, **detail: float | int | str
) -> StepResult:
    return StepResult(
        step=step,
        ok=False,
        points=points,
        max_points=max_points,
        feedback=feedback,
        detail=detail,
    )


def _forward_points(step: str) -> int:
    return {"LOCATION": _LOCATION_POINTS, "CATEGORY": 2, "OPD": 2}.get(step, 1)


def _asked_step(question: str, attempt: CallAttempt) -> StepResult:
    step = f"ASK_{question}"
    if question in attempt.asked:
        return _ok(step, 1)
    return _missed(step, 1, f"MISSED_{step}")


def _outcome_step(scenario: Scenario, attempt: CallAttempt, expected: str) -> StepResult:
    given = attempt.outcome
    if given == expected == DUPLICATE:
        if attempt.duplicate_of == scenario.duplicate_of:
            return _ok(STEP_OUTCOME, _OUTCOME_POINTS)
        if not attempt.duplicate_of:
            return _missed(
                STEP_OUTCOME,
                _OUTCOME_POINTS,
                "DUPLICATE_OF_MISSING",
                expected_incident=scenario.duplicate_of or "",
            )
        return _missed(
            STEP_OUTCOME,
            _OUTCOME_POINTS,
            "WRONG_DUPLICATE",
            expected_incident=scenario.duplicate_of or "",
            given_incident=attempt.duplicate_of,
        )
    if given == expected:
        return _ok(STEP_OUTCOME, _OUTCOME_POINTS)
    feedback = (
        {
            (PRANK, FORWARD): "WRONG_OUTCOME_FORWARDED_PRANK",
            (PRANK, DUPLICATE): "PRANK_NOT_RECOGNISED",
            (DUPLICATE, FORWARD): "DUPLICATE_NOT_RECOGNISED",
            (DUPLICATE, PRANK): "DUPLICATE_DISMISSED_AS_PRANK",
            (FORWARD, PRANK): "DISMISSED_REAL_REPORT",
            (FORWARD, DUPLICATE): "MARKED_DUPLICATE_REAL_REPORT",
        }[(expected, given)]
        if given in OUTCOMES
        else "NOT_FORWARDED"
    )
    return _missed(STEP_OUTCOME, _OUTCOME_POINTS, feedback)


def _kondisi_step(attempt: CallAttempt) -> StepResult:
    if len(attempt.kondisi.strip()) >= KONDISI_MIN_CHARS:
        return _ok("KONDISI", 1)
    return _missed("KONDISI", 1, "KONDISI_MISSING", min_chars=KONDISI_MIN_CHARS)


def _nomor_step(scenario: Scenario, attempt: CallAttempt) -> StepResult:
    if not attempt.phone.strip():
        return _missed("NOMOR", 1, "NOMOR_MISSING")
    try:
        given = normalise_phone(attempt.phone)
    except InvalidInput:
        return _missed("NOMOR", 1, "NOMOR_INVALID")
    try:
        expected = normalise_phone(scenario.caller_phone)
    except InvalidInput:
        # The library refuses such a scenario; a hand-made one compares the raw text.
        expected = scenario.caller_phone.strip()
    if given == expected:
        return _ok("NOMOR", 1)
    return _missed("NOMOR", 1, "NOMOR_WRONG")


def _location_step(scenario: Scenario, distance_m: float | None) -> StepResult:
    tolerance_m = scenario.tolerance_m
    if distance_m is None:
        return _missed("LOCATION", _LOCATION_POINTS, "NO_POINT")
    if distance_m <= tolerance_m:
        return _ok("LOCATION", _LOCATION_POINTS)
    # Rounded up: a point 300.4 m off with a 300 m tolerance must not read "300 m".
    off_m = math.ceil(distance_m)
    if distance_m <= LOCATION_NEAR_FACTOR * tolerance_m:
        return _missed(
            "LOCATION",
            _LOCATION_POINTS,
            "LOCATION_NEAR",
            points=1,
            m=off_m,
            tolerance_m=tolerance_m,
        )
    return _missed("LOCATION", _LOCATION_POINTS, "LOCATION_FAR", m=off_m, tolerance_m=tolerance_m)


def _choice_step(step: str, expected: str | None, given: str | None) -> StepResult:
    if given == expected:
        return _ok(step, 2)
    if not given:
        return _missed(step, 2, f"{step}_MISSING", expected=expected or "")
    return _missed(step, 2, f"WRONG_{step}", expected=expected or "", given=given)


def _time_step(elapsed_s: float, target_s: int) -> StepResult:
    if elapsed_s <= target_s:
        return _ok("TIME", 1)
    return _missed("TIME", 1, "SLOW_FORWARD", s=math.ceil(elapsed_s), target_s=target_s)


def _timed_action_step(action: str, attempt: OpdAttempt, target_s: int) -> StepResult:
    done = next((a for a in attempt.actions if a.action == action), None)
    if done is None:
        return _missed(action, _ON_TIME_POINTS, f"{action}_MISSING")
    if done.at_s <= target_s:
        return _ok(action, _ON_TIME_POINTS)
    return _missed(
        action,
        _ON_TIME_POINTS,
        f"{action}_LATE",
        points=_LATE_POINTS,
        s=math.ceil(done.at_s),
        target_s=target_s,
    )


def _reassign_step(scenario: Scenario, reassign: OpdAction | None) -> StepResult:
    if reassign is None:
        return _missed(REASSIGN, _REASSIGN_RIGHT_POINTS, "NOT_REASSIGNED")
    if reassign.to_opd != scenario.opd_code:
        return _missed(
            REASSIGN,
            _REASSIGN_RIGHT_POINTS,
            "REASSIGN_WRONG_OPD",
            points=_REASSIGN_PARTLY_POINTS,
            expected=scenario.opd_code or "",
            given=reassign.to_opd or "",
        )
    if len(reassign.reason.strip()) < REASON_MIN_CHARS:
        return _missed(
            REASSIGN,
            _REASSIGN_RIGHT_POINTS,
            "REASSIGN_NO_REASON",
            points=_REASSIGN_PARTLY_POINTS,
            min_chars=REASON_MIN_CHARS,
        )
    return _ok(REASSIGN, _REASSIGN_RIGHT_POINTS)


def _no_handling_step(attempt: OpdAttempt, reassign: OpdAction | None) -> StepResult:
    before = attempt.actions[: attempt.actions.index(reassign)] if reassign else attempt.actions
    handled = next((a.action for a in before if a.action in (ACK, HANDLE, RESOLVE)), None)
    if handled is None:
        return _ok("NO_HANDLING", 2)
    return _missed("NO_HANDLING", 2, "HANDLED_NOT_THEIRS", action=handled)
