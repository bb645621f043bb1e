"""CAP warnings stored and judged: the BMKG sample, Update/Cancel, another province, bad input,
an RSS index over real local HTTP, an unreachable source, the command line and the poller."""

from __future__ import annotations

import json
import shutil
import threading
import time
from datetime import datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import cap, cli
from dashboard import tables as t
from dashboard.config import load_settings
from dashboard.errors import CapRejected, CapUnreachable
from tests.helpers.receivers import free_port
from tests.helpers.worker_thread import running_worker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cap"
JATENG = FIXTURES / "cap_jateng.xml"
JATENG_ID = "2.49.0.1.360.0.2026.02.16.16.45.005"
UPDATE_ID = "siaga112.test.jateng.2026.02.16.update.006"
CANCEL_ID = "siaga112.test.jateng.2026.02.16.cancel.007"
JATIM_ID = "siaga112.test.jatim.2026.02.16.001"
# The sample: sent and effective 22:00 WIB = 15:00 UTC, expires 01:00 WIB = 18:00 UTC.
EFFECTIVE = datetime(2026, 2, 16, 15, 0)
EXPIRES = datetime(2026, 2, 16, 18, 0)
RECEIVED = datetime(2026, 2, 16, 15, 5)
TABLES = (t.cap_alerts, t.cap_alert_areas, t.cap_fetches)


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in TABLES
        }


def stored(engine, identifier: str):
    with engine.connect() as conn:
        return conn.execute(
            select(t.cap_alerts).where(t.cap_alerts.c.identifier == identifier)
        ).one()


def active_ids(engine, at: datetime) -> list[str]:
    return [a.identifier for a in cap.active_alerts(engine, now_utc=at)]


def import_fixture(engine, name: str, *, now: datetime = RECEIVED) -> cap.SourceResult:
    return cap.import_source(engine, FIXTURES / name, now=now)


class _Server:
    """A real HTTP server on 127.0.0.1 serving a folder (and a never-ending /endless.xml)."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/endless.xml":
                    return self._endless()
                return super().do_GET()

            def _endless(self) -> None:
                # No Content-Length: only reading stops it.
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.end_headers()
                chunk = b"<alert>" + b" " * 65_536
                try:
                    for _ in range(800):  # 50 MB at most
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(
            ("127.0.0.1", self.port), partial(Handler, directory=str(folder))
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def server():
    running = _Server(FIXTURES)
    yield running
    running.stop()


def test_the_jawa_tengah_sample_is_stored_and_touches_the_city_by_its_polygon(engine):
    result = import_fixture(engine, "cap_jateng.xml")
    assert [(i.identifier, i.created, i.touch_reason) for i in result.imported] == [
        (JATENG_ID, True, "polygon")
    ]
    row = stored(engine, JATENG_ID)
    assert (row.msg_type, row.status, row.event, row.severity) == (
        "Alert",
        "Actual",
        "Hujan Lebat dan Petir",
        "Moderate",
    )
    assert (row.sent_utc, row.effective_utc, row.expires_utc) == (EFFECTIVE, EFFECTIVE, EXPIRES)
    # BMKG names only the province: the places shown are the kecamatan under the triangle.
    assert (row.touches_city, row.touch_reason, row.matched_places) == (
        True,
        "polygon",
        "Pekalongan Barat, Pekalongan Timur, Pekalongan Utara",
    )
    assert (row.area_desc, row.source, row.received_at_utc) == (
        "Jawa Tengah",
        str(JATENG),
        RECEIVED,
    )
    with engine.connect() as conn:
        rings = conn.execute(
            select(t.cap_alert_areas.c.ring_geojson, t.cap_alert_areas.c.intersects_city)
        ).all()
    assert [(json.loads(r.ring_geojson), r.intersects_city) for r in rings] == [
        ([[109.67, -6.89], [109.68, -6.88], [109.69, -6.87], [109.67, -6.89]], True)
    ]


def test_the_sample_is_active_from_effective_until_expires_and_not_after(engine):
    import_fixture(engine, "cap_jateng.xml")
    assert active_ids(engine, EFFECTIVE - timedelta(seconds=1)) == []
    assert active_ids(engine, EFFECTIVE) == [JATENG_ID]
    assert active_ids(engine, EXPIRES - timedelta(seconds=1)) == [JATENG_ID]
    assert active_ids(engine, EXPIRES) == []
    (alert,) = cap.active_alerts(engine, now_utc=EFFECTIVE + timedelta(hours=1))
    assert (alert.event, alert.severity, alert.expires_utc, alert.touch_reason) == (
        "Hujan Lebat dan Petir",
        "Moderate",
        EXPIRES,
        "polygon",
    )
    assert alert.rings == ([[109.67, -6.89], [109.68, -6.88], [109.69, -6.87], [109.67, -6.89]],)


def test_importing_the_same_document_again_changes_nothing_and_says_so(engine):
    import_fixture(engine, "cap_jateng.xml")
    before = counts(engine)
    again = import_fixture(engine, "cap_jateng.xml", now=RECEIVED + timedelta(minutes=5))
    assert [(i.identifier, i.created) for i in again.imported] == [(JATENG_ID, False)]
    assert cap.result_lines(again) == [
        f"Sudah ada: {JATENG_ID} (isi sama, tidak diubah).",
        "0 disimpan, 1 sudah ada, 0 ditolak.",
    ]
    assert counts(engine) == before
    assert stored(engine, JATENG_ID).received_at_utc == RECEIVED


def test_another_document_under_a_stored_identifier_is_refused_naming_it(engine):
    import_fixture(engine, "cap_jateng.xml")
    before = counts(engine)
    body = JATENG.read_bytes().replace(
        b"<severity>Moderate</severity>", b"<severity>Severe</severity>"
    )
    with pytest.raises(CapRejected) as refused:
        cap.import_cap(engine, body, source="lain.xml", now=RECEIVED)
    assert str(refused.value) == (
        f"CAP {JATENG_ID} sudah tersimpan dengan isi lain: dokumen berbeda dengan identifier "
        "yang sama ditolak."
    )
    assert counts(engine) == before
    assert stored(engine, JATENG_ID).severity == "Moderate"


def test_an_update_supersedes_the_sample_when_it_is_sent(engine):
    import_fixture(engine, "cap_jateng.xml")
    result = import_fixture(engine, "cap_jateng_update.xml")
    assert result.imported[0].supersedes == (JATENG_ID,)
    original = stored(engine, JATENG_ID)
    # The Update was sent 23:15 WIB = 16:15 UTC.
    assert (original.superseded_by, original.superseded_at_utc) == (
        UPDATE_ID,
        datetime(2026, 2, 16, 16, 15),
    )
    assert active_ids(engine, datetime(2026, 2, 16, 16, 10)) == [JATENG_ID]
    assert active_ids(engine, datetime(2026, 2, 16, 16, 30)) == [UPDATE_ID]
    # The Update runs until 02:00 WIB, after the sample's own expiry.
    assert active_ids(engine, datetime(2026, 2, 16, 18, 30)) == [UPDATE_ID]
    (update,) = cap.active_alerts(engine, now_utc=datetime(2026, 2, 16, 16, 30))
    assert (update.msg_type, update.severity, update.matched_places) == (
        "Update",
        "Severe",
        # Named in its text first, then the third kecamatan its triangle crosses.
        ("Pekalongan Utara", "Pekalongan Barat", "Pekalongan Timur"),
    )


def test_a_cancel_removes_the_sample_from_the_active_alerts(engine):
    import_fixture(engine, "cap_jateng.xml")
    import_fixture(engine, "cap_jateng_cancel.xml")
    assert active_ids(engine, datetime(2026, 2, 16, 15, 30)) == [JATENG_ID]
    # The Cancel was sent 23:00 WIB = 16:00 UTC; it is stored but never shown itself.
    assert active_ids(engine, datetime(2026, 2, 16, 16, 0)) == []
    assert active_ids(engine, datetime(2026, 2, 16, 17, 0)) == []
    assert stored(engine, CANCEL_ID).msg_type == "Cancel"
    assert stored(engine, JATENG_ID).superseded_by == CANCEL_ID


def test_an_update_that_arrives_before_its_alert_supersedes_it_when_the_alert_comes(engine):
    first = import_fixture(engine, "cap_jateng_update.xml")
    assert first.imported[0].unknown_references == (JATENG_ID,)
    import_fixture(engine, "cap_jateng.xml")
    assert stored(engine, JATENG_ID).superseded_by == UPDATE_ID
    assert active_ids(engine, datetime(2026, 2, 16, 16, 30)) == [UPDATE_ID]


def test_the_other_province_multi_polygon_keeps_every_ring_and_does_not_touch_the_city(engine):
    result = import_fixture(engine, "cap_jatim_multi.xml")
    assert [(i.identifier, i.touch_reason) for i in result.imported] == [(JATIM_ID, "none")]
    row = stored(engine, JATIM_ID)
    assert (row.touches_city, row.touch_reason, row.matched_places) == (False, "none", None)
    a = t.cap_alert_areas.c
    with engine.connect() as conn:
        rings = conn.execute(
            select(a.area_index, a.ring_index, a.area_desc, a.ring_geojson, a.intersects_city)
            .where(a.alert_id == row.id)
            .order_by(a.area_index, a.ring_index)
        ).all()
    assert [(r.area_index, r.ring_index, r.area_desc, r.intersects_city) for r in rings] == [
        (0, 0, "Jawa Timur (Sidoarjo)", False),
        (0, 1, "Jawa Timur (Sidoarjo)", False),
        (1, 0, "Jawa Timur (Tulungagung)", False),
    ]
    assert json.loads(rings[2].ring_geojson) == [
        [111.80, -8.00],
        [111.95, -8.00],
        [111.97, -8.12],
        [111.85, -8.15],
        [111.80, -8.00],
    ]
    assert active_ids(engine, datetime(2026, 2, 16, 15, 0)) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed.xml", "bukan XML yang benar (baris 8, kolom 2)."),
        ("billion_laughs.xml", "memuat deklarasi entitas XML (<!ENTITY>): ditolak"),
        ("xxe.xml", "memuat deklarasi entitas XML (<!ENTITY>): ditolak"),
        ("no_polygon.xml", "tidak ada <polygon> di <area> mana pun"),
        ("swapped_latlon.xml", "lat,lon tertukar pada pasangan ke-1 (109.67,-6.89)"),
        ("out_of_range.xml", "lintang di luar -90..90 pada pasangan ke-2 (-96.88,109.68)."),
        ("unknown_msgtype.xml", 'msgType "Warning" tidak didukung'),
    ],
)
def test_bad_input_is_refused_with_its_message_and_nothing_changes(engine, name, message):
    import_fixture(engine, "cap_jateng.xml")
    before = counts(engine)
    with pytest.raises(CapRejected) as refused:
        import_fixture(engine, name)
    assert message in str(refused.value)
    assert counts(engine) == before
    assert active_ids(engine, EFFECTIVE) == [JATENG_ID]


def test_a_50_mb_file_is_refused_by_its_size_without_being_read(engine, tmp_path):
    huge = tmp_path / "besar.xml"
    with huge.open("wb") as file:
        file.write(JATENG.read_bytes())
        file.truncate(50 * 1024 * 1024)
    before = counts(engine)
    with pytest.raises(CapRejected) as refused:
        cap.import_source(engine, huge, now=RECEIVED)
    # Parsed, the zero-padded tail would be refused as malformed XML: this
    # message shows the size alone decided.
    assert str(refused.value) == (
        f"Dokumen {huge} lebih dari 2 MiB: ditolak tanpa dibaca seluruhnya."
    )
    assert counts(engine) == before


def test_a_download_without_end_is_cut_at_the_limit_and_refused(engine, server):
    url = server.url("endless.xml")
    with pytest.raises(CapRejected) as refused:
        cap.import_source(engine, url, now=RECEIVED)
    assert str(refused.value) == f"Dokumen {url} lebih dari 2 MiB: ditolak tanpa dibaca seluruhnya."
    assert counts(engine)["cap_alerts"] == 0


def test_only_http_and_https_urls_are_fetched(engine):
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/cap.xml"):
        with pytest.raises(CapRejected) as refused:
            cap.import_source(engine, url, now=RECEIVED)
        assert str(refused.value) == (
            f"Alamat {url} ditolak: hanya http:// atau https://, atau berkas lokal."
        )
    assert counts(engine) == {"cap_alerts": 0, "cap_alert_areas": 0, "cap_fetches": 0}


def test_the_rss_index_imports_every_linked_cap_through_a_real_http_server(engine, server):
    url = server.url("rss_local.xml")
    result = cap.import_source(engine, url, now=RECEIVED)
    assert result.is_index
    assert [(i.identifier, i.created, i.touch_reason) for i in result.imported] == [
        (JATENG_ID, True, "polygon"),
        (JATIM_ID, True, "none"),
    ]
    assert stored(engine, JATENG_ID).source == server.url("cap_jateng.xml")
    fetch = cap.last_fetch(engine)
    assert fetch == cap.FetchState(
        source=url,
        last_attempt_utc=RECEIVED,
        last_success_utc=RECEIVED,
        last_error=None,
        alerts_seen=2,
    )
    assert active_ids(engine, EFFECTIVE) == [JATENG_ID]


def test_an_unreachable_source_records_the_failed_fetch_and_keeps_the_alerts(engine, server):
    url = server.url("rss_local.xml")
    cap.import_source(engine, url, now=RECEIVED)
    server.stop()
    later = RECEIVED + timedelta(minutes=5)
    with pytest.raises(CapUnreachable) as failed:
        cap.import_source(engine, url, now=later)
    assert str(failed.value) == f"Sumber CAP {url} tidak dapat diambil: tidak dapat terhubung."
    fetch = cap.last_fetch(engine)
    assert (fetch.last_attempt_utc, fetch.last_success_utc, fetch.alerts_seen) == (
        later,
        RECEIVED,
        2,
    )
    assert fetch.last_error == str(failed.value)
    # The poller does not raise: it records and goes on; the stored alerts stay.
    assert cap.poll(engine, url, now=later + timedelta(minutes=5)) == 0
    assert cap.last_fetch(engine).last_attempt_utc == later + timedelta(minutes=5)
    assert counts(engine)["cap_alerts"] == 2
    assert active_ids(engine, EFFECTIVE) == [JATENG_ID]


def test_a_server_error_is_recorded_with_its_status(engine, server):
    url = server.url("tidak-ada.xml")
    with pytest.raises(CapUnreachable) as failed:
        cap.import_source(engine, url, now=RECEIVED)
    assert str(failed.value) == f"Sumber CAP {url} tidak dapat diambil: server menjawab HTTP 404."
    fetch = cap.last_fetch(engine)
    assert (fetch.last_success_utc, fetch.last_error) == (None, str(failed.value))


def test_a_local_index_imports_its_relative_links_and_lists_the_one_it_cannot_read(
    engine, tmp_path
):
    shutil.copy(JATENG, tmp_path / "cap_jateng.xml")
    shutil.copy(FIXTURES / "no_polygon.xml", tmp_path / "no_polygon.xml")
    index = (FIXTURES / "rss_local.xml").read_text()
    index = index.replace("<link>cap_jatim_multi.xml</link>", "<link>no_polygon.xml</link>")
    (tmp_path / "rss.xml").write_text(index)
    result = cap.import_source(engine, tmp_path / "rss.xml", now=RECEIVED)
    assert [i.identifier for i in result.imported] == [JATENG_ID]
    assert [(r.location, r.message[:49]) for r in result.refused] == [
        (str(tmp_path / "no_polygon.xml"), "CAP siaga112.test.no-polygon: tidak ada <polygon>")
    ]
    assert cap.result_lines(result)[-1] == "1 disimpan, 0 sudah ada, 1 ditolak."
    assert counts(engine) == {"cap_alerts": 1, "cap_alert_areas": 1, "cap_fetches": 0}


def test_an_atom_index_is_read_like_rss(engine, tmp_path):
    shutil.copy(JATENG, tmp_path / "cap_jateng.xml")
    (tmp_path / "atom.xml").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Peringatan</title>'
        '<entry><title>Jawa Tengah</title><link rel="alternate" href="cap_jateng.xml"/></entry>'
        "</feed>"
    )
    result = cap.import_source(engine, tmp_path / "atom.xml", now=RECEIVED)
    assert [(i.identifier, i.created) for i in result.imported] == [(JATENG_ID, True)]


def test_an_exercise_is_stored_but_never_shown_as_a_warning(engine):
    body = JATENG.read_bytes().replace(b"<status>Actual</status>", b"<status>Exercise</status>")
    cap.import_cap(engine, body, source="latihan.xml", now=RECEIVED)
    assert stored(engine, JATENG_ID).status == "Exercise"
    assert active_ids(engine, EFFECTIVE) == []


def test_the_command_line_prints_what_it_stored_and_exits_1_on_a_refusal(engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    assert cli.main(["--database-url", url, "import-cap", str(JATENG)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Disimpan: {JATENG_ID} (Alert, Hujan Lebat dan Petir), mengenai Kota Pekalongan "
        "(poligonnya).",
        "1 disimpan, 0 sudah ada, 0 ditolak.",
    ]
    assert cli.main(["--database-url", url, "import-cap", str(FIXTURES / "xxe.xml")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"DITOLAK: Dokumen {FIXTURES / 'xxe.xml'} memuat deklarasi entitas")
    assert err[1] == "Tidak ada peringatan yang disimpan atau diubah."
    assert counts(engine)["cap_alerts"] == 1


def test_the_command_line_says_an_unreachable_url_failed(engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    source = f"http://127.0.0.1:{free_port()}/rss.xml"
    assert cli.main(["--database-url", url, "import-cap", source]) == 1
    assert capsys.readouterr().err.strip() == (
        f"GAGAL: Sumber CAP {source} tidak dapat diambil: tidak dapat terhubung."
    )
    assert cap.last_fetch(engine).source == source


def test_the_worker_polls_the_configured_cap_url(engine, server):
    url = server.url("rss_local.xml")
    with running_worker(engine, cap_url=url):
        for _ in range(100):
            fetch = cap.last_fetch(engine)
            if fetch is not None:
                break
            time.sleep(0.1)
    assert (fetch.source, fetch.last_error, fetch.alerts_seen) == (url, None, 2)
    assert counts(engine)["cap_alerts"] == 2


def test_the_poller_is_configured_by_siaga_cap_url():
    assert load_settings({}).cap_url is None
    assert load_settings({"SIAGA_CAP_URL": " https://cap.example/rss.xml "}).cap_url == (
        "https://cap.example/rss.xml"
    )
