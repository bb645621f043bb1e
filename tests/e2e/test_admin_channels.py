"""Admin, tab Saluran & kiriman, in Chromium: a webhook added there gets the app's message.

The admin adds a webhook for an OPD (the secret is shown once), a report forwarded to that OPD
reaches a real local HTTP receiver through the app's own worker, the outbox table shows it
delivered, and the admin deactivates the channel again (the shared app server stays as it was).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard import incidents as svc
from dashboard import labels
from dashboard import tables as t
from tests.conftest import CALL_TAKER_ANI, flood_report
from tests.e2e.conftest import sign_in
from tests.helpers.browser import settle
from tests.helpers.receivers import WebhookReceiver

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"outbox-{name}.png"), full_page=True)


def open_tab(page, url: str) -> None:
    page.goto(f"{url}/admin")
    page.get_by_role("tab", name=labels.CHANNELS_TAB).click()
    page.get_by_text(labels.CHANNELS_HEADING).wait_for()
    settle(page)


@pytest.mark.timeout(240)
def test_a_webhook_added_on_the_admin_page_receives_the_forwarded_report(
    page, app_server, app_engine
):
    receiver = WebhookReceiver().start()
    try:
        sign_in(page, app_server.url, "admin")
        open_tab(page, app_server.url)
        page.get_by_label(labels.FIELD_CHANNEL_TARGET).fill(receiver.url)
        page.get_by_role("button", name=labels.BTN_ADD_CHANNEL).click()
        page.get_by_text(labels.DONE_CHANNEL_ADDED).wait_for()
        secret = page.locator("[data-testid=stCode] code").first.inner_text().strip()
        shot(page, "channel-added")
        with app_engine.connect() as conn:
            channel = conn.execute(
                select(t.opd_channels).where(t.opd_channels.c.target == receiver.url)
            ).one()
        assert channel.secret == secret and len(secret) >= 40

        report = flood_report(lat=-6.8790, lon=109.6890, forward_to=channel.opd_code)
        rec = svc.create_incident(app_engine, CALL_TAKER_ANI, report)
        deadline = time.monotonic() + 30
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.1)
        (request,) = receiver.requests
        stamp = request.headers["X-Siaga-Timestamp"]
        mac = hmac.new(secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha256)
        assert request.headers["X-Siaga-Signature"] == f"sha256={mac.hexdigest()}"
        assert json.loads(request.body)["incident"]["code"] == rec.code

        # A reload: the secret is gone from the page, the outbox shows the message delivered.
        open_tab(page, app_server.url)
        expect(page.get_by_text(secret)).to_have_count(0)
        table = page.locator("[data-testid=stDataFrame]").last
        expect(table).to_be_visible()
        page.get_by_text(labels.OUTBOX_HEADING).scroll_into_view_if_needed()
        shot(page, "outbox")
        with app_engine.connect() as conn:
            sent = conn.execute(
                select(t.outbox.c.status).where(t.outbox.c.channel_id == channel.id)
            ).scalar_one()
        assert sent == "SENT"

        page.get_by_role("button", name=labels.BTN_DEACTIVATE_CHANNEL).click()
        page.get_by_text(labels.DONE_CHANNEL_DEACTIVATED).wait_for()
        with app_engine.connect() as conn:
            active = conn.execute(
                select(t.opd_channels.c.active).where(t.opd_channels.c.id == channel.id)
            ).scalar_one()
        assert active is False
    finally:
        receiver.stop()
