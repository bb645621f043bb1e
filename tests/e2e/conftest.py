"""Browser fixtures: one app server per test session (seeded demo), pages in real Chromium."""

from __future__ import annotations

import os

import pytest

from tests.conftest import unavailable
from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, RequestWatch, start_app


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed")
    with sync_playwright() as pw:
        try:
            instance = pw.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        except Exception as error:
            unavailable(f"Chromium did not start: {error}")
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app on a fresh SQLite database: it migrates and seeds itself on first start."""
    folder = tmp_path_factory.mktemp("app")
    server = start_app(f"sqlite:///{folder / 'siaga.db'}", folder)
    yield server
    server.stop()


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(
        viewport={"width": 1600, "height": 1000}, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.watch = RequestWatch(pg, app_server.url)
    yield pg
    context.close()


def sign_in(page, app_url: str, username: str, password: str = "siaga112demo") -> None:
    page.goto(app_url)
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("button", name="Keluar").wait_for()
