"""Penugasan over time: the open incident and typed text survive refreshes, new reports, a
supervisor moving the incident away, and a lost race (whose refusal stays on screen)."""

from __future__ import annotations

import contextlib
import re
import uuid

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard import auth, labels
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.domain import ADMIN, SUPERVISOR, Actor
from dashboard.errors import InvalidInput
from tests.e2e.conftest import new_page, sign_in
from tests.e2e.test_workflow_flow import open_incident, record
from tests.helpers.browser import choose, inside_viewport, open_page, settle

pytestmark = pytest.mark.browser

REFRESH_S = 10  # the queue's refresh interval (the demo setting, never below its floor)
NOTE = "Api padam pukul 14.50, 2 korban dievakuasi ke RSUD Bendan"
SPV_EKA = Actor("spv.eka", SUPERVISOR)


def version_of(engine, incident_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(t.incidents.c.version).where(t.incidents.c.id == incident_id)
        ).scalar_one()


def test_the_open_incident_and_a_typed_note_survive_refreshes_new_reports_and_a_move_away(
    desk_page, app_server, app_engine
):
    page = desk_page
    rec = record(app_engine, f"Rob masuk rumah, lansia terjebak ({uuid.uuid4().hex[:6]})")
    sign_in(page, app_server.url, "opd.bpbd")
    open_page(page, labels.QUEUE_TITLE)
    open_incident(page, rec.code)
    page.get_by_role("button", name=labels.BTN_ACKNOWLEDGE).click()
    page.get_by_text(labels.DONE_ACKNOWLEDGE.format(code=rec.code)).wait_for()
    note = page.get_by_label(labels.FIELD_RESOLUTION_NOTE)
    note.fill(NOTE)
    summary = page.get_by_text(re.compile(r"^\d+ laporan terbuka"))
    before = summary.inner_text()
    # A new report for BPBD arrives while the note is being written: the list changes.
    record(app_engine, f"Banjir di gang ({uuid.uuid4().hex[:6]})")
    page.wait_for_timeout((3 * REFRESH_S + 2) * 1000)
    assert summary.inner_text() != before, "three refreshes should have shown the new report"
    assert page.get_by_role("heading", name=re.compile(re.escape(rec.code))).count() == 1
    assert note.input_value() == NOTE
    # The outcome of the person's own action is still on screen, too.
    assert page.get_by_text(labels.DONE_ACKNOWLEDGE.format(code=rec.code)).is_visible()
    # The picked incident's main action is on screen without scrolling.
    page.evaluate("window.scrollTo(0, 0)")
    resolve = page.get_by_role("button", name=labels.BTN_RESOLVE)
    assert inside_viewport(page, page.get_by_role("button", name=labels.BTN_HANDLE)), (
        page.viewport_name
    )

    svc.reassign(
        app_engine,
        SPV_EKA,
        rec.id,
        "DAMKAR",
        "Butuh mobil pemadam",
        seen_version=version_of(app_engine, rec.id),
    )
    notice = page.get_by_text(re.compile(r"Dialihkan ke Satpol P3KP \(Damkar\) oleh spv\.eka"))
    notice.wait_for(timeout=(REFRESH_S + 5) * 1000)
    page.get_by_text(re.compile(r"kini bukan milik OPD Anda")).wait_for()
    # The unsaved note is still there to copy; it can no longer be saved from this queue.
    assert note.input_value() == NOTE
    # The notice and the disabled button arrive as separate updates: wait for the button too.
    expect(resolve).to_be_disabled(timeout=10_000)
    page.get_by_role("button", name=labels.BTN_CLOSE_PANEL).click()
    notice.wait_for(state="detached")
    assert page.get_by_label(labels.FIELD_RESOLUTION_NOTE).count() == 0
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def test_the_loser_of_a_race_between_two_supervisors_still_sees_who_won_30_seconds_later(
    browser, page, app_server, app_engine
):
    # A second supervisor (an earlier run of this test on the same server may have made it).
    with contextlib.suppress(InvalidInput):
        auth.create_user(
            app_engine,
            Actor("admin", ADMIN),
            username="spv.dwi",
            full_name="Dwi (supervisor)",
            password="siaga112demo",
            role=SUPERVISOR,
        )
    loser = page
    winner = new_page(browser, app_server.url)
    sign_in(winner, app_server.url, "spv.dwi")
    sign_in(loser, app_server.url, "spv.eka")
    for page_ in (winner, loser):
        open_page(page_, labels.QUEUE_TITLE)
    for _attempt in range(3):
        rec = record(app_engine, f"Pohon tumbang ({uuid.uuid4().hex[:6]})")
        for page_ in (winner, loser):
            open_incident(page_, rec.code)
        # The loser prepares a reassignment to PMI ...
        choose(loser, labels.FIELD_REASSIGN_TO, "PMI")
        loser.get_by_label(labels.FIELD_REASSIGN_REASON).fill("Ada korban luka")
        settle(loser)
        # ... the winner moves it to Damkar first ...
        choose(winner, labels.FIELD_REASSIGN_TO, "Satpol P3KP (Damkar)")
        winner.get_by_label(labels.FIELD_REASSIGN_REASON).fill("Pohon menimpa kabel, perlu Damkar")
        winner.get_by_role("button", name=labels.BTN_REASSIGN, exact=True).click()
        winner.get_by_text(labels.DONE_REASSIGN.format(code=rec.code)).wait_for()
        # ... and the loser clicks on the version still on the screen.
        loser.get_by_role("button", name=labels.BTN_REASSIGN, exact=True).click()
        refusal = loser.get_by_text(re.compile(r"sudah diubah oleh spv\.dwi pada .+ WIB"))
        try:
            refusal.wait_for(timeout=10_000)
        except PlaywrightTimeout:
            # The loser's own refresh showed the change before the click: race again.
            continue
        break
    else:
        pytest.fail("the loser's refresh came first three times in a row")
    loser.wait_for_timeout(30_000)
    assert refusal.is_visible(), "the refusal must stay through the refreshes"
    with app_engine.connect() as conn:
        opd = conn.execute(
            select(t.incidents.c.opd_code).where(t.incidents.c.id == rec.id)
        ).scalar_one()
    assert opd == "DAMKAR"
    winner.context.close()
    assert loser.watch.page_errors == []
