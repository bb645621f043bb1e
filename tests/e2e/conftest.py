"""Browser fixtures: one app server per test session (seeded demo), pages in real Chromium."""

from __future__ import annotations

import os

import pytest

from dashboard.db import make_engine
from dashboard.sessions import COOKIE_NAME
from tests.conftest import unavailable
from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, RequestWatch, start_app


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - a missing one is skipped
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


# The desk's two screens: a common government laptop and the command room's monitors.
DESK_VIEWPORTS = {
    "1366x768": {"width": 1366, "height": 768},
    "1920x1080": {"width": 1920, "height": 1080},
}


def new_page(browser, app_url: str, viewport: dict | None = None, *, timeout_ms: int = 30_000):
    """A page in a fresh browser context (its own cookies: another person's browser)."""
    context = browser.new_context(
        viewport=viewport or {"width": 1600, "height": 1000},
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    pg = context.new_page()
    pg.set_default_timeout(timeout_ms)
    pg.watch = RequestWatch(pg, app_url)
    return pg


@pytest.fixture
def page(browser, app_server):
    pg = new_page(browser, app_server.url)
    yield pg
    pg.context.close()


@pytest.fixture(params=list(DESK_VIEWPORTS))
def desk_page(request, browser, app_server):
    """A page at each desk viewport (1366x768 and 1920x1080): the test runs once at each."""
    pg = new_page(browser, app_server.url, DESK_VIEWPORTS[request.param])
    pg.viewport_name = request.param
    yield pg
    pg.context.close()


@pytest.fixture
def app_engine(app_server, page):
    """The app's own database, once the app has migrated and seeded it (at its first visit)."""
    page.goto(app_server.url)
    page.get_by_label("Nama pengguna").or_(
        page.get_by_role("button", name="Keluar")
    ).first.wait_for(timeout=180_000)
    engine = make_engine(app_server.database_url)
    yield engine
    engine.dispose()


def sign_in(page, app_url: str, username: str, password: str = "siaga112demo") -> None:
    page.goto(app_url)
    # The browser may still be signed in (the session cookie): sign out first, as a person would.
    sign_out = page.get_by_role("button", name="Keluar")
    sign_out.or_(page.get_by_label("Nama pengguna")).first.wait_for()
    if sign_out.count():
        sign_out.click()
        # The sign-out reruns the page on a server that may be busy with other tabs' refreshes.
        page.get_by_label("Nama pengguna").wait_for(timeout=90_000)
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("button", name="Keluar").wait_for()
    # The browser trades the sign-in ticket for the session cookie just after the page shows.
    for _ in range(100):
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    msg = "signed in, but the browser never got the session cookie"
    raise AssertionError(msg)
