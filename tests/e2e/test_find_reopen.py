"""Browser: a supervisor finds a quick-closed report by its code and reopens it; a call-taker
finds reports too but is offered no way to reopen one."""

from __future__ import annotations

import os
import random
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard import incidents as svc
from dashboard import labels
from dashboard import tables as t
from dashboard.db import make_engine
from dashboard.domain import CALL_TAKER, Actor
from tests.e2e.conftest import sign_in
from tests.e2e.harness import REPO
from tests.helpers.browser import choose, open_page, settle

pytestmark = pytest.mark.browser

REASON = "Penelepon menelepon lagi: rumahnya benar-benar terbakar"
SCREENSHOT = REPO / "static" / "screenshots" / "cari-laporan.png"


@contextmanager
def app_database(page, app_server) -> Iterator:
    """The app's own database, once the app has migrated and seeded it (at its first visit)."""
    page.goto(app_server.url)
    page.get_by_label(labels.FIELD_USERNAME).wait_for(timeout=180_000)
    engine = make_engine(app_server.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def quick_closed_fire(engine, *, phone: str = "0857 1111 2222") -> svc.Recorded:
    """Issue 11's report: a P1 fire with every field filled, closed with one click as a prank."""
    report = svc.NewReport(
        category_code="KEBAKARAN",
        kondisi=f"Rumah terbakar, 2 orang terjebak ({uuid.uuid4().hex[:6]})",
        lat=-6.8680,
        lon=109.6880,
        address="Jl. Pelita No. 3",
        caller_phone=phone,
    )
    return svc.record_and_close(engine, Actor("ct.ani", CALL_TAKER), report, "PRANK")


def search(page, text: str, *, matched_by: str) -> None:
    page.get_by_role("textbox", name=labels.FIELD_FIND_TEXT).fill(text)
    page.get_by_role("button", name=labels.BTN_FIND, exact=True).click()
    page.get_by_text(labels.FIND_MATCHED_BY[matched_by]).wait_for()
    settle(page)


def open_result(page, code: str) -> None:
    choose(page, labels.FIND_PICK, re.compile(re.escape(code)), typed=code)
    page.get_by_role("heading", name=re.compile(re.escape(code))).wait_for()
    settle(page)


def status_metric(page):
    """The status tile of the detail (the timeline itself is a canvas grid, not page text)."""
    tile = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(labels.COL_STATUS, exact=True)
    )
    return tile.get_by_test_id("stMetricValue")


def readme_picture(page) -> None:
    """README picture (1920x1080): written when missing, or on request (SIAGA_SCREENSHOTS=1)."""
    if page.viewport_name != "1920x1080":
        return
    if os.environ.get("SIAGA_SCREENSHOTS") == "1" or not SCREENSHOT.exists():
        page.screenshot(path=str(SCREENSHOT))


def logged(engine, incident_id: int) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.incident_events.c.action,
                t.incident_events.c.actor,
                t.incident_events.c.to_status,
                t.incident_events.c.reason,
            )
            .where(t.incident_events.c.incident_id == incident_id)
            .order_by(t.incident_events.c.id)
        ).all()
    return [tuple(r) for r in rows]


def test_a_supervisor_finds_a_quick_closed_report_by_its_code_and_reopens_it_with_a_reason(
    desk_page, app_server
):
    page = desk_page
    with app_database(page, app_server) as engine:
        rec = quick_closed_fire(engine)
        sign_in(page, app_server.url, "spv.eka")
        open_page(page, labels.FIND_TITLE)
        page.get_by_role("heading", name=labels.FIND_TITLE).wait_for()
        search(page, rec.code, matched_by="code")
        open_result(page, rec.code)
        expect(status_metric(page)).to_have_text(labels.STATUS["DIBATALKAN"])
        readme_picture(page)
        reopen = page.get_by_role("button", name=labels.BTN_REOPEN, exact=True)
        # Without a reason the service refuses, says why, and nothing changes.
        reopen.click()
        page.get_by_text(labels.ERR_REASON_REQUIRED).wait_for()
        expect(status_metric(page)).to_have_text(labels.STATUS["DIBATALKAN"])
        page.get_by_label(labels.FIELD_REOPEN_REASON).fill(REASON)
        reopen.click()
        page.get_by_text(labels.DONE_REOPEN_NEW.format(code=rec.code)).wait_for()
        expect(status_metric(page)).to_have_text(labels.STATUS["BARU"])
        # The pick stays on the report, and the picker names its new status.
        expect(page.get_by_role("combobox", name=labels.FIND_PICK)).to_have_value(
            re.compile(rf"^{re.escape(rec.code)} · {labels.STATUS['BARU']} · ")
        )
        # Reopened as new, it is no longer closed: no reopen form, and the reason field is gone.
        expect(page.get_by_role("button", name=labels.BTN_REOPEN, exact=True)).to_have_count(0)
        assert logged(engine, rec.id) == [
            ("CREATE", "ct.ani", "BARU", None),
            ("CANCEL", "ct.ani", "DIBATALKAN", "PRANK"),
            ("REOPEN", "spv.eka", "BARU", REASON),
        ]
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def test_a_call_taker_finds_a_closed_report_by_the_callers_number_but_cannot_reopen_it(
    page, app_server
):
    number = f"0857{random.randrange(10**7, 10**8)}"
    with app_database(page, app_server) as engine:
        rec = quick_closed_fire(engine, phone=number)
        sign_in(page, app_server.url, "ct.ani")
        open_page(page, labels.FIND_TITLE)
        # Typed the way a caller says it: +62 and spaces.
        search(page, f"+62 {number[1:4]} {number[4:]}", matched_by="phone")
        open_result(page, rec.code)
        expect(status_metric(page)).to_have_text(labels.STATUS["DIBATALKAN"])
        # A call-taker may see the number in the detail, in full.
        page.get_by_text(number, exact=True).wait_for()
        assert page.get_by_role("button", name=labels.BTN_REOPEN, exact=True).count() == 0
        assert page.get_by_text(labels.REOPEN_HEADING).count() == 0
        assert [action for action, *_ in logged(engine, rec.id)] == ["CREATE", "CANCEL"]
    assert page.watch.page_errors == []
