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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
    raise NotImplementedError


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
    raise NotImplementedError


def score_opd(scenario: Scenario, attempt: OpdAttempt) -> Score:
    """Score an OPD drill (module docstring's table)."""
    raise NotImplementedError


def step_summary(scores: Sequence[Score]) -> dict[str, tuple[int, int]]:
    """step -> (times missed, times scored) over several attempts, for the trainer's view."""
    raise NotImplementedError
