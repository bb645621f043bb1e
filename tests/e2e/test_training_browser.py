"""Latihan in Chromium: a trainee's drill of three calls, the trainer's view, and the live side
untouched.

The app runs on its own live SQLite database with the worker off, so nothing but this test's
actions could change it. A trainee signs in to the training room (/latihan) at 1366x768 and takes
three scripted calls: one handled right, one forwarded to the wrong OPD, one prank recognised;
after each the score and what was missed are on screen. Halfway through the prank call the page
is reloaded and a second tab opened: both show that call where it was, and it is finished there.
The trainer (1920x1080) then sees the three scores. The live database's full SQL dump is
byte-for-byte what it was before the drill, and the wall display shows nothing of it.
"""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import make_url

from dashboard import labels, training_library
from dashboard.catalogue import DATA_DIR
from dashboard.sessions import COOKIE_NAME, TRAINING_COOKIE_NAME
from dashboard.setup import DEMO_DISPLAY_TOKEN
from dashboard.training import TRAINING_PASSWORD
from tests.e2e.conftest import DESK_VIEWPORTS, new_page, sign_in
from tests.e2e.harness import start_app
from tests.helpers.browser import choose, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A report forwarded right: 4 questions + decision 4 + kondisi 1 + nomor 1 + location 3
# + category 2 + OPD 2 + time 1 (dashboard/training_rules.py's table).
FULL_CALL = 18
WRONG_OPD = FULL_CALL - 2
# A prank recognised after the four questions: 4 + decision 4.
FULL_PRANK = 8


@pytest.fixture(scope="module")
def training_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("latihan")
    server = start_app(
        f"sqlite:///{folder / 'siaga.db'}",
        folder,
        env={
            "SIAGA_WORKER": "0",
            "SIAGA_DEMO_DAYS": "2",
            "SIAGA_TRAINING_DATABASE_URL": f"sqlite:///{folder / 'latihan.db'}",
        },
    )
    yield server
    server.stop()


def _live_dump(server) -> str:
    path = make_url(server.database_url).database
    with sqlite3.connect(path) as conn:
        return "\n".join(conn.iterdump())


def _started_utc(server, scenario_code: str) -> datetime:
    path = make_url(server.extra_env["SIAGA_TRAINING_DATABASE_URL"]).database
    with sqlite3.connect(path) as conn:
        (started,) = conn.execute(
            "SELECT started_at_utc FROM training_attempts WHERE scenario_code = ?",
            (scenario_code,),
        ).fetchone()
    return datetime.fromisoformat(started)


def _scenarios():
    """Two real reports with an unhurried target (time is scored) and one prank."""
    cards = training_library.load_cards()
    calls = [s for s in training_library.load_scenarios().values() if s.kind == "call"]
    real = [
        s for s in calls if s.distractor is None and cards[s.category_code].target_forward_s >= 120
    ]
    prank = next(s for s in calls if s.distractor == "PRANK")
    return real[0], real[1], prank


def _names() -> tuple[dict[str, str], dict[str, str]]:
    with (DATA_DIR / "categories.csv").open(encoding="utf-8") as handle:
        categories = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    with (DATA_DIR / "opds.csv").open(encoding="utf-8") as handle:
        opds = {row["code"]: row["short_name"] for row in csv.DictReader(handle)}
    return categories, opds


def _sign_in_training(page, url: str, username: str) -> None:
    page.goto(f"{url}/latihan")
    page.get_by_test_id("training-banner").wait_for()
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(TRAINING_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("button", name=labels.BTN_SIGN_OUT).wait_for()


def _pick_drill(page, codes: list[str]) -> None:
    box = page.get_by_role("combobox", name=labels.TRAINING_PICK_SCENARIOS)
    box.click()
    for _ in range(12):  # the default set's chips, removed one by one
        page.keyboard.press("Backspace")
    for code in codes:
        page.keyboard.type(code)
        page.get_by_role("option", name=code).first.click()
        settle(page)
        box.click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name=labels.TRAINING_START).click()


def _ask_all(page, questions=("JENIS", "KONDISI", "LOKASI", "NOMOR")) -> None:
    for question in questions:
        page.get_by_role("button", name=labels.TRAINING_ASK[question]).click()
        page.get_by_text(labels.TRAINING_QUESTION[question]).wait_for()
        settle(page)


def _forward(page, scenario, *, opd_name: str, category_name: str) -> None:
    _ask_all(page)
    choose(page, labels.TRAINING_FIELD_CATEGORY, category_name)
    settle(page)
    choose(page, labels.TRAINING_FIELD_OPD, opd_name)
    settle(page)
    page.get_by_label(labels.TRAINING_FIELD_LAT).fill(f"{scenario.lat:.5f}")
    page.get_by_label(labels.TRAINING_FIELD_LAT).press("Enter")
    settle(page)
    page.get_by_label(labels.TRAINING_FIELD_LON).fill(f"{scenario.lon:.5f}")
    page.get_by_label(labels.TRAINING_FIELD_LON).press("Enter")
    settle(page)
    page.get_by_label(labels.TRAINING_FIELD_KONDISI).fill(scenario.answers["KONDISI"])
    page.get_by_label(labels.TRAINING_FIELD_PHONE).fill(scenario.caller_phone)
    page.get_by_label(labels.TRAINING_FIELD_PHONE).press("Enter")
    settle(page)
    page.get_by_role("button", name=labels.TRAINING_SUBMIT_FORWARD).click()


def _score_line(points: int, max_points: int) -> str:
    percent = f"{round(100 * points / max_points, 1):.1f}".replace(".", ",")
    return labels.TRAINING_SCORE.format(points=points, max_points=max_points, percent=f"{percent}%")


def test_a_trainee_drills_three_calls_the_trainer_sees_the_scores_and_live_is_untouched(
    browser, training_app
):
    url = training_app.url
    right, wrong_opd, prank = _scenarios()
    categories, opds = _names()
    # The live side first: prepared by its first visit, then its full dump and the wall.
    wall = new_page(browser, url, DESK_VIEWPORTS["1920x1080"])
    trainee = new_page(browser, url, DESK_VIEWPORTS["1366x768"])
    trainer = new_page(browser, url, DESK_VIEWPORTS["1920x1080"])
    try:
        wall.goto(f"{url}/layar?token={DEMO_DISPLAY_TOKEN}")
        wall.locator(".wall-list").first.wait_for(timeout=180_000)
        before = _live_dump(training_app)
        wall_before = wall.locator(".wall-list").first.inner_text()

        _sign_in_training(trainee, url, "latih.ct1")
        trainee.get_by_role("heading", name=labels.TRAINING_PAGE_CALL).wait_for()
        _pick_drill(trainee, [right.code, wrong_opd.code, prank.code])

        # 1. Right: every SOP question, the true category, OPD and point.
        trainee.get_by_text(right.opening).wait_for()
        _forward(
            trainee,
            right,
            opd_name=opds[right.opd_code],
            category_name=categories[right.category_code],
        )
        trainee.get_by_text(_score_line(FULL_CALL, FULL_CALL)).wait_for()
        trainee.screenshot(path=str(training_app.log_path.parent / "latihan-benar.png"))
        trainee.get_by_role("button", name=labels.TRAINING_NEXT).click()

        # 2. The wrong OPD: two points lost, and the feedback names the right one.
        trainee.get_by_text(wrong_opd.opening).wait_for()
        other_opd = next(code for code in opds if code not in (wrong_opd.opd_code, "DINKOMINFO"))
        _forward(
            trainee,
            wrong_opd,
            opd_name=opds[other_opd],
            category_name=categories[wrong_opd.category_code],
        )
        trainee.get_by_text(_score_line(WRONG_OPD, FULL_CALL)).wait_for()
        # The feedback lines arrive just after the score line: wait for the right OPD's name.
        expect(trainee.locator("[data-testid='stMain']")).to_contain_text(
            opds[wrong_opd.opd_code], timeout=15_000
        )
        trainee.get_by_role("button", name=labels.TRAINING_NEXT).click()

        # 3. A prank: two questions asked and a note typed, then a reload (F5) and a second
        # tab: both show the same call at the same place, not the drill choice.
        trainee.get_by_text(prank.opening).wait_for()
        _ask_all(trainee, ("JENIS", "KONDISI"))
        note = "Catatan sebelum muat ulang"
        trainee.get_by_label(labels.TRAINING_FIELD_KONDISI).fill(note)
        trainee.get_by_label(labels.TRAINING_FIELD_PHONE).click()  # the note is kept on blur
        settle(trainee)
        reloaded_utc = datetime.now(UTC).replace(tzinfo=None)
        trainee.reload()
        position = labels.TRAINING_SCENARIO_OF.format(n=3, total=3, title=prank.title)
        second = trainee.context.new_page()
        for tab in (trainee, second):
            if tab is second:
                tab.goto(trainee.url)
            tab.get_by_role("heading", name=position).wait_for()
            tab.get_by_text(labels.TRAINING_RESUMED).wait_for()
            tab.get_by_text(prank.answers["KONDISI"]).wait_for()
            expect(tab.get_by_label(labels.TRAINING_FIELD_KONDISI)).to_have_value(note)
            expect(tab.get_by_role("button", name=labels.TRAINING_ASK["JENIS"])).to_have_count(0)
            # The picks not yet made read as ours, never Streamlit's English placeholder.
            expect(tab.get_by_text("Choose an option")).to_have_count(0)
        second.close()
        # Then recognised and closed as prank: the questions asked before the reload count.
        _ask_all(trainee, ("LOKASI", "NOMOR"))
        trainee.get_by_text(labels.TRAINING_OUTCOME["PRANK"]).click()
        settle(trainee)
        trainee.get_by_role("button", name=labels.TRAINING_SUBMIT_PRANK).click()
        trainee.get_by_text(_score_line(FULL_PRANK, FULL_PRANK)).wait_for()
        # Its time counted from the call's first showing, before the reload.
        assert _started_utc(training_app, prank.code) <= reloaded_utc
        trainee.get_by_role("button", name=labels.TRAINING_FINISH).click()
        trainee.get_by_text(labels.TRAINING_DRILL_DONE).wait_for()
        # The LATIHAN stripe stayed on screen all along, along the bottom of the viewport.
        banner = trainee.get_by_test_id("training-banner")
        box = banner.bounding_box()
        assert box and box["y"] + box["height"] <= 768 and box["width"] >= 1300

        # A reload keeps the training session (its own cookie), never a live one.
        trainee.reload()
        trainee.get_by_role("button", name=labels.BTN_SIGN_OUT).wait_for()
        trainee.get_by_test_id("training-banner").wait_for()
        cookies = {c["name"] for c in trainee.context.cookies()}
        assert TRAINING_COOKIE_NAME in cookies
        assert COOKIE_NAME not in cookies

        # The trainer sees the three scores.
        _sign_in_training(trainer, url, "pelatih")
        trainer.get_by_role("link", name=labels.TRAINING_PAGE_TRAINER).click()
        trainer.get_by_role("heading", name=labels.TRAINING_PAGE_TRAINER).wait_for()
        for code, points, max_points in (
            (right.code, FULL_CALL, FULL_CALL),
            (wrong_opd.code, WRONG_OPD, FULL_CALL),
            (prank.code, FULL_PRANK, FULL_PRANK),
        ):
            # The table fills in after the heading (a busy machine: give it time).
            row = trainer.locator("[role=row]", has_text=code).first
            expect(row).to_contain_text("latih.ct1", timeout=30_000)
            expect(row).to_contain_text(f"{points}/{max_points}")
        trainer.screenshot(path=str(training_app.log_path.parent / "latihan-pelatih.png"))

        # Live: not one byte of the dump changed, and the wall shows none of it.
        wall.wait_for_timeout(3_000)
        assert _live_dump(training_app) == before
        assert wall.locator(".wall-list").first.inner_text() == wall_before
        body = wall.locator("body").inner_text()
        for scenario in (right, wrong_opd, prank):
            assert scenario.code not in body
            assert scenario.opening not in body

        # On the live desk (after the dump: signing in writes a session): the SOP card folded
        # under Laporan baru's category, and Serah terima for a rotated OPD admin's replacement.
        desk = new_page(browser, url, DESK_VIEWPORTS["1366x768"])
        try:
            sign_in(desk, url, "ct.ani")
            desk.get_by_role("link", name="Laporan baru").click()
            choose(desk, labels.FIELD_CATEGORY_SOP, categories["KEBAKARAN"] + " (P1)")
            desk.get_by_text(labels.INTAKE_SOP_CARD).click()
            fire_card = training_library.load_cards()["KEBAKARAN"]
            desk.get_by_text(fire_card.ask[0]).wait_for()
            sign_in(desk, url, "opd.bpbd")
            desk.get_by_role("link", name=labels.HANDOVER_TITLE).click()
            desk.get_by_role("heading", name=labels.HANDOVER_RULES).wait_for(timeout=60_000)
            desk.get_by_text(labels.HANDOVER_OPEN.split(":")[0].format(opd="BPBD")).wait_for()
            desk.get_by_text(f"Kartu SOP: {categories['ROB']}").first.wait_for()
            assert desk.watch.page_errors == []
        except Exception:
            desk.screenshot(path=str(training_app.log_path.parent / "desk-failed.png"))
            raise
        finally:
            desk.context.close()
    finally:
        for page in (wall, trainee, trainer):
            page.context.close()
