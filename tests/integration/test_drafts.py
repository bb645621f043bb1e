"""A half-filled Laporan baru is kept per user until it is saved or emptied."""

from __future__ import annotations

from dashboard import drafts
from tests.conftest import CALL_TAKER_ANI, SUPERVISOR_EKA

FIRE = {
    "category": "KEBAKARAN",
    "kondisi": "Rumah terbakar, 2 orang terjebak <b>lantai 2</b>",
    "phone": "0812 3456 7890",
    "point": [-6.8902, 109.6601],
}


def test_a_draft_comes_back_as_it_was_kept_and_only_for_its_own_user(engine):
    drafts.save_draft(engine, CALL_TAKER_ANI, FIRE)
    assert drafts.load_draft(engine, CALL_TAKER_ANI) == FIRE
    assert drafts.load_draft(engine, SUPERVISOR_EKA) == {}


def test_a_newer_draft_replaces_the_older_and_an_empty_form_removes_it(engine):
    drafts.save_draft(engine, CALL_TAKER_ANI, FIRE)
    drafts.save_draft(engine, CALL_TAKER_ANI, {**FIRE, "address": "Jl. Hayam Wuruk 5"})
    assert drafts.load_draft(engine, CALL_TAKER_ANI)["address"] == "Jl. Hayam Wuruk 5"
    drafts.save_draft(engine, CALL_TAKER_ANI, {"category": None, "kondisi": "", "phone": ""})
    assert drafts.load_draft(engine, CALL_TAKER_ANI) == {}


def test_a_cleared_draft_is_gone_and_unknown_keys_are_never_kept(engine):
    drafts.save_draft(engine, CALL_TAKER_ANI, {**FIRE, "password": "rahasia"})
    assert "password" not in drafts.load_draft(engine, CALL_TAKER_ANI)
    drafts.clear_draft(engine, CALL_TAKER_ANI)
    assert drafts.load_draft(engine, CALL_TAKER_ANI) == {}
