"""The app starts on an empty database, seeds itself, and the start page shows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dashboard import tables as t
from dashboard.db import make_engine
from dashboard.queries import IncidentFilter, incidents_frame
from tests.e2e.conftest import new_page, sign_in
from tests.e2e.harness import start_app

pytestmark = pytest.mark.browser


def test_first_start_seeds_the_city_and_shows_the_start_page(page, app_server):
    # The first visit migrates and seeds the empty database; the start page then shows the city.
    sign_in(page, app_server.url, "spv.eka")
    page.get_by_text("Laporan terbuka", exact=True).wait_for()
    assert page.get_by_text("Siaga 112 Kota Pekalongan").first.is_visible()
    engine = make_engine(app_server.database_url)
    with engine.connect() as conn:
        incidents = conn.execute(select(func.count()).select_from(t.incidents)).scalar_one()
        opds = conn.execute(select(func.count()).select_from(t.opds)).scalar_one()
        kelurahan = conn.execute(
            select(func.count(func.distinct(t.incidents.c.kelurahan)))
        ).scalar_one()
    engine.dispose()
    assert incidents > 300, "a month of demo history should be there after the first start"
    assert opds >= 8 and kelurahan == 27
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests == []


def test_a_page_opened_by_its_url_asks_for_sign_in_then_opens(page, app_server):
    page.goto(f"{app_server.url}/penugasan")
    page.get_by_label("Nama pengguna").fill("spv.eka")
    page.get_by_label("Kata sandi").fill("siaga112demo")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("heading", name="Penugasan").wait_for()
    assert page.get_by_text("Page not found").count() == 0


def test_wrong_password_is_refused_in_indonesian(page, app_server):
    page.goto(app_server.url)
    page.get_by_label("Nama pengguna").fill("spv.eka")
    page.get_by_label("Kata sandi").fill("salah-sekali")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Nama pengguna atau kata sandi salah.").wait_for()
    assert page.get_by_role("button", name="Keluar").count() == 0


def test_an_opd_admin_starts_on_their_own_open_incidents_with_a_way_to_the_queue(page, app_server):
    engine = make_engine(app_server.database_url)
    sign_in(page, app_server.url, "opd.bpbd")
    page.get_by_text("Laporan terbuka untuk BPBD").wait_for()
    own = incidents_frame(engine, IncidentFilter(opds=("BPBD",)))
    engine.dispose()
    shown = page.locator("[data-testid='stMetric']").first.inner_text()
    assert shown.splitlines()[-1].strip() == str(len(own))
    page.get_by_role("link", name="Antrean & papan tugas").click()
    page.get_by_role("heading", name="Penugasan").wait_for()
    assert page.watch.page_errors == []


def test_the_first_visitor_after_a_fresh_start_sees_what_is_prepared_then_the_bookmarked_page(
    browser, tmp_path
):
    # A new server on an empty database; the first visitor arrives by a bookmark of Penugasan.
    # 90 days of history take a few seconds to seed: long enough for a person (and the test) to
    # read that step (20 days were seeded in under a second, between two looks of the test).
    server = start_app(f"sqlite:///{tmp_path / 'baru.db'}", tmp_path, env={"SIAGA_DEMO_DAYS": "90"})
    pg = new_page(browser, server.url, {"width": 1366, "height": 768})
    try:
        pg.goto(f"{server.url}/penugasan")
        pg.get_by_text("Menyiapkan Siaga 112 untuk pertama kali").wait_for()
        pg.get_by_text("Mengisi riwayat demo 90 hari").wait_for(timeout=60_000)
        pg.get_by_label("Nama pengguna").wait_for(timeout=120_000)
        # Never Streamlit's English dialog nor its raw list of page files.
        assert not pg.get_by_text("Page not found").is_visible()
        assert pg.locator("[data-testid='stSidebarNav']").count() == 0
        pg.get_by_label("Nama pengguna").fill("spv.eka")
        pg.get_by_label("Kata sandi").fill("siaga112demo")
        pg.get_by_role("button", name="Masuk").click()
        pg.get_by_role("heading", name="Penugasan").wait_for()
        assert pg.watch.page_errors == []
    finally:
        pg.context.close()
        server.stop()
