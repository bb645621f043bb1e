"""Sign-in over time: reloads, second tabs, signing out elsewhere, forged cookies, restarts."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from dashboard import labels, sessions
from dashboard.db import make_engine
from tests.e2e.conftest import new_page, sign_in
from tests.e2e.harness import start_app

pytestmark = pytest.mark.browser

# Every page a supervisor has, by its sidebar link and the heading it shows.
SUPERVISOR_PAGES = (
    ("Beranda", labels.APP_TITLE, "/"),
    ("Peta Langsung", labels.LIVE_TITLE, "/peta"),
    ("Laporan baru", labels.INTAKE_TITLE, "/laporan-baru"),
    ("Penugasan", labels.QUEUE_TITLE, "/penugasan"),
    ("Cari laporan", labels.FIND_TITLE, "/cari"),
    ("Tren", labels.TREND_TITLE, "/tren"),
)


def signed_in(page) -> bool:
    page.get_by_role("button", name=labels.BTN_SIGN_OUT).or_(
        page.get_by_label(labels.FIELD_USERNAME)
    ).first.wait_for()
    return page.get_by_role("button", name=labels.BTN_SIGN_OUT).count() == 1


def session_cookie(page) -> dict:
    (cookie,) = [c for c in page.context.cookies() if c["name"] == sessions.COOKIE_NAME]
    return cookie


def test_a_reload_keeps_the_user_signed_in_on_the_same_page_and_a_new_tab_is_signed_in(
    page, app_server
):
    sign_in(page, app_server.url, "spv.eka")
    cookie = session_cookie(page)
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
    for link, heading, path in SUPERVISOR_PAGES:
        page.get_by_role("link", name=link, exact=True).click()
        page.get_by_role("heading", name=heading).first.wait_for()
        page.reload()
        page.get_by_role("heading", name=heading).first.wait_for()
        assert signed_in(page), f"signed out by a reload of {link}"
        assert urlparse(page.url).path == path
    second = page.context.new_page()
    second.goto(f"{app_server.url}/penugasan")
    second.get_by_role("heading", name=labels.QUEUE_TITLE).wait_for()
    assert signed_in(second)
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def test_signing_out_in_one_tab_signs_out_the_other_at_its_next_refresh(page, app_server):
    sign_in(page, app_server.url, "opd.bpbd")
    other = page.context.new_page()
    other.goto(f"{app_server.url}/peta")
    other.get_by_role("button", name=labels.BTN_SIGN_OUT).wait_for()
    page.get_by_role("button", name=labels.BTN_SIGN_OUT).click()
    page.get_by_label(labels.FIELD_USERNAME).wait_for()
    # No click in the other tab: its own refresh (10 s) finds the session over.
    other.get_by_text(labels.SESSION_ENDED[sessions.ENDED_SIGN_OUT]).wait_for(timeout=25_000)
    # The old page's Keluar button goes once that rerun has finished (Streamlit keeps a stale
    # element on screen until then); the sign-in form is what stays.
    expect(other.get_by_role("button", name=labels.BTN_SIGN_OUT)).to_have_count(0, timeout=15_000)
    assert not signed_in(other)
    other.reload()
    assert not signed_in(other)
    assert [c for c in page.context.cookies() if c["name"] == sessions.COOKIE_NAME] == []


def test_a_forged_or_ended_cookie_gets_the_sign_in_form(browser, page, app_server):
    sign_in(page, app_server.url, "ct.ani")
    stolen = session_cookie(page)
    engine = make_engine(app_server.database_url)
    with engine.begin() as conn:
        sessions.end_user_sessions(conn, "ct.ani", reason=sessions.ENDED_IDLE)
    engine.dispose()
    for value in (stolen["value"], "forged-" + "x" * 40):
        intruder = new_page(browser, app_server.url)
        intruder.context.add_cookies([{**stolen, "value": value}])
        intruder.goto(f"{app_server.url}/laporan-baru")
        assert not signed_in(intruder)
        assert intruder.get_by_role("heading", name=labels.INTAKE_TITLE).count() == 0
        intruder.context.close()


def test_the_first_visitor_after_a_restart_opens_a_bookmark_without_a_page_not_found_dialog(
    browser, app_server, tmp_path
):
    # A second server process on the same (already seeded) database: a restart.
    restarted = start_app(app_server.database_url, tmp_path)
    page = new_page(browser, restarted.url)
    try:
        page.goto(f"{restarted.url}/penugasan")
        page.get_by_label(labels.FIELD_USERNAME).wait_for()
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text(re.compile(r"^(app|components|ui)$")).count() == 0
        page.get_by_label(labels.FIELD_USERNAME).fill("spv.eka")
        page.get_by_label(labels.FIELD_PASSWORD).fill("siaga112demo")
        page.get_by_role("button", name=labels.BTN_SIGN_IN).click()
        page.get_by_role("heading", name=labels.QUEUE_TITLE).wait_for()
        assert page.watch.page_errors == []
    finally:
        page.context.close()
        restarted.stop()
