"""Admin, tab Jejak audit, in Chromium at 1366x768: a change made on the Admin page is listed
there at once (who, what, before → after), and the secret it created is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard import auth, labels
from tests.conftest import ADMIN_USER
from tests.e2e.conftest import new_page, sign_in
from tests.helpers.browser import choose, inside_viewport, settle

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
TOKEN_NAME = "Layar uji jejak audit"


@pytest.mark.timeout(180)
def test_a_display_token_made_on_the_admin_page_shows_in_jejak_audit_without_the_token(
    browser, app_server, app_engine
):
    page = new_page(browser, app_server.url, {"width": 1366, "height": 768})
    try:
        sign_in(page, app_server.url, "admin")
        page.goto(f"{app_server.url}/admin")
        page.get_by_role("tab", name=labels.ADMIN_TABS[4]).click()
        page.get_by_label(labels.FIELD_TOKEN_NAME).fill(TOKEN_NAME)
        page.get_by_role("button", name=labels.BTN_CREATE_TOKEN).click()
        page.get_by_text(labels.TOKEN_SHOWN_ONCE).wait_for()
        address = page.locator("[data-testid=stCode] code").first.inner_text().strip()
        token = address.split("token=", 1)[1]
        assert len(token) >= 24

        tab = page.get_by_role("tab", name=labels.AUDIT_TAB)
        tab.scroll_into_view_if_needed()
        assert inside_viewport(page, tab), "the Jejak audit tab is on screen at 1366x768"
        tab.click()
        page.get_by_text(labels.AUDIT_CAPTION).wait_for()
        settle(page)
        # The grid's cells are in the page (for screen readers) though drawn on a canvas.
        page.get_by_text(labels.AUDIT_COL_CHANGE).first.wait_for(state="attached")
        page.get_by_text(f"Nama: - → {TOKEN_NAME}").first.wait_for(state="attached")
        page.get_by_text(labels.AUDIT_ACTION["CREATE"]).first.wait_for(state="attached")
        # The filters and the table fit the laptop screen side by side.
        for label in (labels.AUDIT_FILTER_ENTITY, labels.AUDIT_FILTER_DATES):
            assert inside_viewport(page, page.get_by_label(label).first), label
        grid = page.locator("[data-testid=stDataFrame]:visible").first
        box = grid.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1366
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "audit-jejak-1366.png"), full_page=False)

        choose(page, labels.AUDIT_FILTER_ENTITY, labels.AUDIT_ENTITY["display_token"])
        settle(page)
        page.get_by_text(f"Nama: - → {TOKEN_NAME}").first.wait_for(state="attached")
        expect(page.get_by_text(token)).to_have_count(0)
        expect(page.get_by_text(auth.token_hash(token))).to_have_count(0)
        assert page.watch.page_errors == []
        assert page.watch.foreign_requests == []
    finally:
        page.context.close()
        # The shared app keeps no working display token from this test.
        tokens = auth.list_display_tokens(app_engine, ADMIN_USER)
        mine = tokens[(tokens["name"] == TOKEN_NAME) & tokens["revoked_at_utc"].isna()]
        for token_id in mine["id"]:
            auth.revoke_display_token(app_engine, ADMIN_USER, int(token_id))
