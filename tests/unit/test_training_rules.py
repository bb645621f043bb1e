"""Latihan's scoring: hand-made scenarios and attempts with exact, hand-computed points."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dashboard import labels
from dashboard.training_rules import (
    ACK,
    CALL_STEPS,
    DUPLICATE,
    FEEDBACK_CODES,
    FORWARD,
    HANDLE,
    OPD_STEPS,
    PRANK,
    REASSIGN,
    RESOLVE,
    SOP_QUESTIONS,
    CallAttempt,
    OpdAction,
    OpdAttempt,
    OpenIncident,
    Scenario,
    Score,
    SopCard,
    expected_outcome,
    score_call,
    score_opd,
    step_summary,
)

ALL_ASKED = frozenset(SOP_QUESTIONS)

# A fire in Kuripan Yosorejo; the caller's number written as the desk shows it.
FIRE = Scenario(
    code="T-FIRE",
    title="Kebakaran rumah",
    kind="call",
    opening="Tolong, rumah tetangga terbakar!",
    answers={q: f"jawaban {q}" for q in SOP_QUESTIONS},
    caller_phone="081234567890",
    category_code="KEBAKARAN",
    opd_code="DAMKAR",
    lat=-6.9129,
    lon=109.6796,
    location_hint="nama_lama",
    tolerance_m=300,
    kelurahan="Kuripan Yosorejo",
)
FIRE_CARD = SopCard(
    category_code="KEBAKARAN",
    ask=("Apa yang terbakar?",),
    opd_code="DAMKAR",
    posts=("Pos Damkar Selatan",),
    target_forward_s=60,
    target_ack_s=120,
    mistakes=(),
)
PRANK_CALL = replace(FIRE, code="T-PRANK", category_code=None, opd_code=None, distractor="PRANK")
OPEN_FIRE = OpenIncident("112-20261201-0007", "KEBAKARAN", "Kuripan", "09:12 WIB")
OPEN_ROB = OpenIncident("112-20261201-0003", "ROB", "Panjang Wetan", "07:40 WIB")
DUPLICATE_CALL = replace(
    FIRE,
    code="T-DUP",
    distractor="DUPLICATE",
    duplicate_of="112-20261201-0007",
    open_incidents=(OPEN_ROB, OPEN_FIRE),
)

# Everything right: point 120 m off (tolerance 300), 45 s (target 60).
PERFECT = CallAttempt(
    asked=ALL_ASKED,
    outcome=FORWARD,
    category_code="KEBAKARAN",
    opd_code="DAMKAR",
    lat=-6.9129,
    lon=109.6796,
    kondisi="Dapur terbakar, dua orang terjebak di lantai atas",
    phone="081234567890",
    elapsed_s=45,
)


def points_by_step(score: Score) -> dict[str, int]:
    return {step.step: step.points for step in score.steps}


def feedback_of(score: Score, step: str) -> tuple[str | None, dict]:
    found = next(s for s in score.steps if s.step == step)
    return found.feedback, dict(found.detail)


def test_a_perfect_call_scores_every_point_of_eighteen():
    score = score_call(FIRE, PERFECT, card=FIRE_CARD, distance_m=120)
    # asks 4 x 1 + outcome 4 + kondisi 1 + nomor 1 + location 3 + category 2 + opd 2 + time 1
    assert (score.points, score.max_points) == (18, 18)
    assert score.missed == ()


def test_the_wrong_opd_loses_exactly_the_two_opd_points():
    score = score_call(FIRE, replace(PERFECT, opd_code="BPBD"), card=FIRE_CARD, distance_m=120)
    assert (score.points, score.max_points) == (16, 18)
    assert [s.step for s in score.missed] == ["OPD"]
    assert feedback_of(score, "OPD") == ("WRONG_OPD", {"expected": "DAMKAR", "given": "BPBD"})


def test_the_wrong_category_loses_two_points_and_names_both_codes():
    attempt = replace(PERFECT, category_code="BANJIR")
    score = score_call(FIRE, attempt, card=FIRE_CARD, distance_m=120)
    assert score.points == 16
    assert feedback_of(score, "CATEGORY") == (
        "WRONG_CATEGORY",
        {"expected": "KEBAKARAN", "given": "BANJIR"},
    )


def test_a_prank_recognised_after_all_four_questions_scores_eight_of_eight():
    attempt = CallAttempt(asked=ALL_ASKED, outcome=PRANK, elapsed_s=30)
    score = score_call(PRANK_CALL, attempt, card=None, distance_m=None)
    # asks 4 + outcome 4; no forward steps for a prank
    assert (score.points, score.max_points) == (8, 8)
    assert expected_outcome(PRANK_CALL) == PRANK


def test_a_prank_forwarded_after_two_questions_scores_two_of_eight():
    attempt = replace(PERFECT, asked=frozenset({"JENIS", "LOKASI"}))
    score = score_call(PRANK_CALL, attempt, card=None, distance_m=None)
    # asks 2 of 4 + outcome 0 of 4
    assert (score.points, score.max_points) == (2, 8)
    assert feedback_of(score, "OUTCOME")[0] == "WRONG_OUTCOME_FORWARDED_PRANK"
    assert feedback_of(score, "ASK_KONDISI")[0] == "MISSED_ASK_KONDISI"
    assert feedback_of(score, "ASK_NOMOR")[0] == "MISSED_ASK_NOMOR"


def test_a_prank_marked_as_a_duplicate_is_not_recognised():
    attempt = CallAttempt(asked=ALL_ASKED, outcome=DUPLICATE, duplicate_of="112-20261201-0003")
    score = score_call(PRANK_CALL, attempt, card=None, distance_m=None)
    assert score.points == 4
    assert feedback_of(score, "OUTCOME")[0] == "PRANK_NOT_RECOGNISED"


def test_a_duplicate_naming_the_right_open_incident_scores_eight_of_eight():
    attempt = CallAttempt(asked=ALL_ASKED, outcome=DUPLICATE, duplicate_of="112-20261201-0007")
    score = score_call(DUPLICATE_CALL, attempt, card=FIRE_CARD, distance_m=None)
    assert (score.points, score.max_points) == (8, 8)


def test_a_duplicate_naming_another_open_incident_loses_the_four_outcome_points():
    attempt = CallAttempt(asked=ALL_ASKED, outcome=DUPLICATE, duplicate_of="112-20261201-0003")
    score = score_call(DUPLICATE_CALL, attempt, card=FIRE_CARD, distance_m=None)
    assert (score.points, score.max_points) == (4, 8)
    assert feedback_of(score, "OUTCOME") == (
        "WRONG_DUPLICATE",
        {"expected_incident": "112-20261201-0007", "given_incident": "112-20261201-0003"},
    )


def test_a_duplicate_forwarded_as_a_new_incident_is_not_recognised():
    score = score_call(DUPLICATE_CALL, PERFECT, card=FIRE_CARD, distance_m=0)
    assert (score.points, score.max_points) == (4, 8)
    assert feedback_of(score, "OUTCOME")[0] == "DUPLICATE_NOT_RECOGNISED"


def test_a_genuine_report_dismissed_as_a_prank_loses_outcome_and_every_forward_step():
    attempt = CallAttempt(asked=ALL_ASKED, outcome=PRANK, elapsed_s=20)
    score = score_call(FIRE, attempt, card=FIRE_CARD, distance_m=None)
    # asks 4; outcome 0 of 4; kondisi, nomor, location, category, opd, time all 0 of 10
    assert (score.points, score.max_points) == (4, 18)
    assert feedback_of(score, "OUTCOME")[0] == "DISMISSED_REAL_REPORT"
    assert {s.feedback for s in score.missed if s.step != "OUTCOME"} == {"NOT_FORWARDED"}


@pytest.mark.parametrize(
    ("distance_m", "points", "feedback", "detail"),
    [
        (300.0, 3, None, {}),  # exactly at the 300 m tolerance: within it
        (300.4, 1, "LOCATION_NEAR", {"m": 301, "tolerance_m": 300}),  # just over, rounded up
        (900.0, 1, "LOCATION_NEAR", {"m": 900, "tolerance_m": 300}),  # exactly 3 x 300
        (900.2, 0, "LOCATION_FAR", {"m": 901, "tolerance_m": 300}),  # beyond 3 x 300
        (None, 0, "NO_POINT", {}),
    ],
)
def test_the_location_scores_three_within_tolerance_one_within_three_times_else_zero(
    distance_m, points, feedback, detail
):
    score = score_call(FIRE, PERFECT, card=FIRE_CARD, distance_m=distance_m)
    assert points_by_step(score)["LOCATION"] == points
    assert score.points == 15 + points  # 18 less the location's 3, plus what it earned
    assert feedback_of(score, "LOCATION") == (feedback, detail)


def test_a_forward_after_the_cards_target_loses_the_time_point():
    score = score_call(FIRE, replace(PERFECT, elapsed_s=75.2), card=FIRE_CARD, distance_m=0)
    assert score.points == 17
    assert feedback_of(score, "TIME") == ("SLOW_FORWARD", {"s": 76, "target_s": 60})


def test_exactly_at_the_target_is_on_time():
    score = score_call(FIRE, replace(PERFECT, elapsed_s=60), card=FIRE_CARD, distance_m=0)
    assert score.points == 18


def test_without_a_card_the_forward_target_is_the_settings_default_of_60_s():
    score = score_call(FIRE, replace(PERFECT, elapsed_s=61), card=None, distance_m=0)
    assert feedback_of(score, "TIME") == ("SLOW_FORWARD", {"s": 61, "target_s": 60})


def test_a_phone_written_differently_but_equal_after_normalisation_scores_the_nomor_point():
    score = score_call(FIRE, replace(PERFECT, phone="+62 812-3456-7890"), card=None, distance_m=0)
    assert points_by_step(score)["NOMOR"] == 1


@pytest.mark.parametrize(
    ("phone", "feedback"),
    [("", "NOMOR_MISSING"), ("nomor rahasia", "NOMOR_INVALID"), ("081234567899", "NOMOR_WRONG")],
)
def test_a_missing_garbage_or_other_number_loses_the_nomor_point(phone, feedback):
    score = score_call(FIRE, replace(PERFECT, phone=phone), card=FIRE_CARD, distance_m=0)
    assert score.points == 17
    assert feedback_of(score, "NOMOR")[0] == feedback


def test_a_kondisi_shorter_than_ten_characters_loses_the_kondisi_point():
    score = score_call(FIRE, replace(PERFECT, kondisi=" api  "), card=FIRE_CARD, distance_m=0)
    assert score.points == 17
    assert feedback_of(score, "KONDISI") == ("KONDISI_MISSING", {"min_chars": 10})


# OPD drills: a fire that arrived at Damkar (theirs) and a rob that arrived at Damkar (not).
THEIRS = replace(
    FIRE,
    code="T-OPD-1",
    kind="opd",
    assigned_opd="DAMKAR",
    target_ack_s=120,
    target_handle_s=300,
    target_resolve_s=600,
)
NOT_THEIRS = replace(
    THEIRS, code="T-OPD-2", category_code="ROB", opd_code="BPBD", assigned_opd="DAMKAR"
)
GOOD_REASON = "Rob masuk rumah, tugas BPBD"


def test_an_opd_drill_of_theirs_done_on_time_scores_eight_of_eight():
    attempt = OpdAttempt((OpdAction(ACK, 50), OpdAction(HANDLE, 200), OpdAction(RESOLVE, 600)))
    score = score_opd(THEIRS, attempt)
    # ack 2 + handle 2 + resolve 2 + keep 2
    assert (score.points, score.max_points) == (8, 8)


def test_an_opd_drill_of_theirs_done_late_scores_one_per_late_action():
    attempt = OpdAttempt((OpdAction(ACK, 121), OpdAction(HANDLE, 200), OpdAction(RESOLVE, 900)))
    score = score_opd(THEIRS, attempt)
    # ack late 1 + handle 2 + resolve late 1 + keep 2
    assert score.points == 6
    assert feedback_of(score, "ACK") == ("ACK_LATE", {"s": 121, "target_s": 120})
    assert feedback_of(score, "RESOLVE") == ("RESOLVE_LATE", {"s": 900, "target_s": 600})


def test_an_opd_drill_of_theirs_only_acknowledged_misses_handle_and_resolve():
    score = score_opd(THEIRS, OpdAttempt((OpdAction(ACK, 30),)))
    # ack 2 + handle 0 + resolve 0 + keep 2
    assert score.points == 4
    assert feedback_of(score, "HANDLE")[0] == "HANDLE_MISSING"
    assert feedback_of(score, "RESOLVE")[0] == "RESOLVE_MISSING"


def test_reassigning_their_own_incident_away_loses_the_keep_points():
    attempt = OpdAttempt((OpdAction(REASSIGN, 40, to_opd="BPBD", reason=GOOD_REASON),))
    score = score_opd(THEIRS, attempt)
    # ack 0 + handle 0 + resolve 0 + keep 0
    assert (score.points, score.max_points) == (0, 8)
    assert feedback_of(score, "KEEP") == ("WRONG_REASSIGN", {"given": "BPBD"})


def test_not_theirs_reassigned_to_the_true_opd_with_a_reason_scores_six_of_six():
    attempt = OpdAttempt((OpdAction(REASSIGN, 40, to_opd="BPBD", reason=GOOD_REASON),))
    score = score_opd(NOT_THEIRS, attempt)
    # reassign 4 + no handling 2
    assert (score.points, score.max_points) == (6, 6)


def test_not_theirs_reassigned_to_the_wrong_opd_scores_two_of_four_for_reassign():
    attempt = OpdAttempt((OpdAction(REASSIGN, 40, to_opd="DISHUB", reason=GOOD_REASON),))
    score = score_opd(NOT_THEIRS, attempt)
    assert score.points == 4
    assert feedback_of(score, "REASSIGN") == (
        "REASSIGN_WRONG_OPD",
        {"expected": "BPBD", "given": "DISHUB"},
    )


def test_not_theirs_reassigned_with_too_short_a_reason_scores_two_of_four_for_reassign():
    attempt = OpdAttempt((OpdAction(REASSIGN, 40, to_opd="BPBD", reason="rob"),))
    score = score_opd(NOT_THEIRS, attempt)
    assert score.points == 4
    assert feedback_of(score, "REASSIGN") == ("REASSIGN_NO_REASON", {"min_chars": 10})


def test_not_theirs_handled_themselves_and_never_reassigned_scores_zero():
    attempt = OpdAttempt((OpdAction(ACK, 20), OpdAction(HANDLE, 60), OpdAction(RESOLVE, 300)))
    score = score_opd(NOT_THEIRS, attempt)
    assert (score.points, score.max_points) == (0, 6)
    assert feedback_of(score, "REASSIGN")[0] == "NOT_REASSIGNED"
    assert feedback_of(score, "NO_HANDLING") == ("HANDLED_NOT_THEIRS", {"action": "ACK"})


def test_not_theirs_acknowledged_before_the_right_reassign_loses_the_no_handling_points():
    attempt = OpdAttempt(
        (OpdAction(ACK, 20), OpdAction(REASSIGN, 40, to_opd="BPBD", reason=GOOD_REASON))
    )
    assert score_opd(NOT_THEIRS, attempt).points == 4


def test_the_step_summary_counts_misses_and_scorings_per_step():
    perfect = score_call(FIRE, PERFECT, card=FIRE_CARD, distance_m=0)
    wrong_opd = score_call(FIRE, replace(PERFECT, opd_code="BPBD"), card=FIRE_CARD, distance_m=0)
    prank = score_call(
        PRANK_CALL,
        CallAttempt(asked=frozenset({"JENIS"}), outcome=PRANK),
        card=None,
        distance_m=None,
    )
    summary = step_summary([perfect, wrong_opd, prank])
    assert summary["OPD"] == (1, 2)  # scored in both real reports, missed once
    assert summary["OUTCOME"] == (0, 3)
    assert summary["ASK_KONDISI"] == (1, 3)  # the prank call never asked it
    assert summary["TIME"] == (0, 2)
    assert "REASSIGN" not in summary


def test_every_feedback_code_and_step_has_an_indonesian_text():
    assert set(FEEDBACK_CODES) <= set(labels.TRAINING_FEEDBACK)
    assert set(CALL_STEPS) | set(OPD_STEPS) == set(labels.TRAINING_STEP)
    assert labels.TRAINING_FEEDBACK["LOCATION_FAR"].format(m=850, tolerance_m=300) == (
        "Lokasi meleset 850 m dari titik sebenarnya."
    )
