"""Reports written in bulk (the file import, the intake API's batches) on both backends.

One transaction and one statement per table for a whole batch: the same rows, log entries,
alerts and outbox messages as writing each report in turn, all or nothing, and the day's
numbers handed out as one consecutive block even while call-takers record calls.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard import channels, intake_api
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.errors import ImportRejected
from dashboard.importer import import_incidents
from tests.conftest import ADMIN_USER, CALL_TAKER_ANI, flood_report
from tests.helpers.databases import count_rows
from tests.integration.test_intake_api import call, key_row

NOW = datetime(2026, 11, 28, 3, 0)  # 10:00 WIB
BENDAN_KERGON = (-6.891536, 109.661999)  # Pekalongan Barat: ambulances there go to RSUD
PANJANG_BARU = (-6.86543, 109.67722)  # Pekalongan Utara, in a rob zone
JUST_OUTSIDE = (-6.95, 109.70)  # 2 km beyond the city line: inside the 5 km service margin


def record(n: int, **overrides) -> dict:
    """Row n of a platform file; its call came in n minutes before NOW."""
    received = (NOW - timedelta(minutes=n)).replace(tzinfo=None) + timedelta(hours=7)
    return {
        "external_id": f"P112-{n:05d}",
        "received_at": received.isoformat(timespec="seconds") + "+07:00",
        "category": "ROB",
        "kondisi": f"Rob masuk rumah nomor {n}",
        "lat": PANJANG_BARU[0],
        "lon": PANJANG_BARU[1],
        "address": "Jl. Pelita, Panjang Baru",
        "caller_phone": "081234567890",
    } | overrides


def write_file(tmp_path, rows: list[dict]):
    path = tmp_path / "platform.json"
    path.write_text(json.dumps(rows))
    return path


def codes_in_file_order(engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.incidents.c.external_id, t.incidents.c.code)).all()
    return [code for _, code in sorted((r.external_id, r.code) for r in rows if r.external_id)]


def seq(code: str) -> int:
    return int(re.search(r"-(\d{4})$", code).group(1))


# --- the same outcome as one report at a time ------------------------------------------------


def mixed_reports() -> list[svc.NewReport]:
    """Forwarded by the rule, by hand, or not at all; in and just outside the city; two days."""
    yesterday = NOW - timedelta(hours=12)  # 22:00 WIB the day before
    reports = []
    for n in range(24):
        lat, lon = (BENDAN_KERGON, PANJANG_BARU, JUST_OUTSIDE)[n % 3]
        reports.append(
            flood_report(
                lat=lat,
                lon=lon,
                category_code=("BANJIR", "AMBULANS", "KEBAKARAN", "ROB")[n % 4],
                kondisi=f"Laporan nomor {n}",
                received_at_utc=(yesterday if n % 5 == 0 else NOW) - timedelta(minutes=n),
                forward=n % 6 != 0,
                forward_to="DAMKAR" if n % 7 == 0 else None,
            )
        )
    return reports


def snapshot(engine) -> dict[str, list]:
    """Every row the reports wrote, ids replaced by what they stand for (codes, actions)."""
    with engine.connect() as conn:
        incidents = conn.execute(select(t.incidents).order_by(t.incidents.c.code)).all()
        code_of = {r.id: r.code for r in incidents}
        events = conn.execute(select(t.incident_events)).all()
        event_of = {e.id: (code_of[e.incident_id], e.action) for e in events}
        alerts = conn.execute(select(t.alerts)).all()
        outbox = conn.execute(select(t.outbox)).all()
        counters = conn.execute(select(t.daily_counters).order_by(t.daily_counters.c.day)).all()
    # Within one incident the log keeps its order (CREATE before FORWARD).
    per_incident_log = sorted((code_of[e.incident_id], e.id, e.action) for e in events)
    logs: dict[str, list[str]] = {}
    for code, _, action in per_incident_log:
        logs.setdefault(code, []).append(action)

    def payload(row) -> dict:
        body = json.loads(row.payload)
        return {**body, "event_id": event_of[body["event_id"]]}

    return {
        "incidents": [{**r._asdict(), "id": None} for r in incidents],
        "events": sorted(
            (event_of[e.id], e.at_utc, e.actor, e.from_status, e.to_status, e.to_opd, e.details)
            for e in events
        ),
        "logs": sorted(logs.items()),
        "alerts": sorted(
            (code_of[a.incident_id], a.kind, a.audience_role, a.audience_opd, event_of[a.event_id])
            for a in alerts
        ),
        "outbox": sorted(
            (
                code_of[o.incident_id],
                event_of[o.event_id],
                o.channel_id,
                o.dedupe_key.split(":channel:")[1],
                o.opd_code,
                o.target,
                o.status,
                json.dumps(payload(o), sort_keys=True),
            )
            for o in outbox
        ),
        "counters": [tuple(c) for c in counters],
    }


@pytest.fixture
def twin(second_engine):
    """A second fresh database on the same backend as `engine`."""
    return second_engine


def test_a_batch_writes_exactly_what_recording_each_report_in_turn_wrote(engine, twin):
    for database in (engine, twin):
        for opd_code in ("BPBD", "DAMKAR"):
            channels.add_channel(
                database, ADMIN_USER, opd_code=opd_code, channel="email", target="piket@x.go.id"
            )
    reports = mixed_reports()
    checked = [(svc.validate_report(r, now=NOW), r) for r in reports]
    for fields, report in checked:
        place = svc.locate_report(engine, fields["lat"], fields["lon"])
        with engine.begin() as conn:
            svc.record_report(conn, CALL_TAKER_ANI, fields, place, report, now=NOW)
    one_by_one = snapshot(engine)

    places = svc.locate_reports(twin, [(f["lat"], f["lon"]) for f, _ in checked])
    with twin.begin() as conn:
        recorded = svc.record_reports(
            conn,
            CALL_TAKER_ANI,
            [(f, p, r) for (f, r), p in zip(checked, places, strict=True)],
            now=NOW,
        )
    in_bulk = snapshot(twin)

    assert [r.code for r in recorded] == [row["code"] for row in _in_input_order(in_bulk)]
    assert {row["status"] for row in in_bulk["incidents"]} == {"BARU", "DITERUSKAN"}
    assert {row["opd_code"] for row in in_bulk["incidents"]} >= {"RSUD", "DAMKAR", "BPBD"}
    assert any(not row["in_city"] for row in in_bulk["incidents"])
    assert len(in_bulk["outbox"]) > 0 and len(in_bulk["counters"]) == 2
    for table in one_by_one:
        assert in_bulk[table] == one_by_one[table], table


def _in_input_order(snap: dict) -> list[dict]:
    # mixed_reports numbers its kondisi in input order.
    return sorted(snap["incidents"], key=lambda row: int(row["kondisi"].rsplit(" ", 1)[1]))


# --- one transaction ---------------------------------------------------------------------------


BAD_PHONE = ({"caller_phone": "12"}, "Nomor telepon tidak sah")
IN_SEMARANG = ({"lat": -6.9667, "lon": 110.4167}, "di luar Kota Pekalongan")


@pytest.mark.parametrize(("bad", "then"), [(BAD_PHONE, IN_SEMARANG), (IN_SEMARANG, BAD_PHONE)])
def test_a_500_row_import_with_a_bad_row_499_writes_nothing_and_names_row_499(
    engine, tmp_path, bad, then
):
    rows = [record(n) for n in range(500)]
    # The 499th and 500th records of the list ("Baris 499", "Baris 500"): one refused while
    # checking its fields, the other while locating it, in either order.
    rows[498] |= bad[0]
    rows[499] |= then[0]
    with pytest.raises(ImportRejected) as caught:
        import_incidents(engine, ADMIN_USER, write_file(tmp_path, rows), now=NOW)
    assert str(caught.value).startswith("Baris 499: ") and bad[1] in str(caught.value)
    assert [p.split(":")[0] for p in caught.value.problems] == ["Baris 499", "Baris 500"]
    assert then[1] in caught.value.problems[1]
    for table in (t.incidents, t.incident_events, t.daily_counters):
        assert count_rows(engine, table) == 0, table.name
    del rows[498:]
    result = import_incidents(engine, ADMIN_USER, write_file(tmp_path, rows), now=NOW)
    assert (result.inserted, result.skipped_existing) == (498, 0)
    # The day's numbers in file order, one after the other.
    assert [seq(code) for code in codes_in_file_order(engine)] == list(range(1, 499))
    assert count_rows(engine, t.incident_events) == 498


def test_an_import_and_calls_recorded_meanwhile_get_consecutive_unique_codes(engine, tmp_path):
    path = write_file(tmp_path, [record(n) for n in range(500)])
    barrier = threading.Barrier(2)
    singles: list[str] = []
    failures: list[BaseException] = []

    def importing() -> None:
        barrier.wait()
        try:
            import_incidents(engine, ADMIN_USER, path, now=NOW)
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    def calling() -> None:
        barrier.wait()
        try:
            for _ in range(5):
                report = flood_report(lat=PANJANG_BARU[0], lon=PANJANG_BARU[1], forward=False)
                singles.append(svc.create_incident(engine, CALL_TAKER_ANI, report, now=NOW).code)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=importing), threading.Thread(target=calling)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    imported = [seq(code) for code in codes_in_file_order(engine)]
    with engine.connect() as conn:
        every = [seq(c) for c in conn.execute(select(t.incidents.c.code)).scalars()]
    # No number twice, none skipped; the file's 500 are one block in file order.
    assert sorted(every) == list(range(1, 506))
    assert imported == list(range(imported[0], imported[0] + 500))
    assert not {seq(code) for code in singles} & set(imported)


# --- hand-offs of a forwarded batch ----------------------------------------------------------


def test_every_report_of_a_forwarded_api_batch_gets_its_alert_and_outbox_message(engine):
    key = key_row(engine)
    channel = channels.add_channel(
        engine, ADMIN_USER, opd_code="BPBD", channel="email", target="piket@example.go.id"
    )
    base = datetime(2026, 3, 10, 3, 0)  # test_intake_api's NOW: call()'s received_at fits it
    batch = [call(f"B-{n:03d}") for n in range(intake_api.MAX_BATCH)]
    receipt = intake_api.receive(engine, key, batch, now=base)
    assert [r.created for r in receipt.results] == [True] * intake_api.MAX_BATCH
    assert {(r.status, r.opd_code) for r in receipt.results} == {("DITERUSKAN", "BPBD")}
    with engine.connect() as conn:
        incidents = {r.id: r for r in conn.execute(select(t.incidents))}
        forward = {
            e.incident_id: e.id
            for e in conn.execute(
                select(t.incident_events).where(t.incident_events.c.action == "FORWARD")
            )
        }
        alerts = conn.execute(select(t.alerts)).all()
        outbox = conn.execute(select(t.outbox)).all()
        intake = conn.execute(select(t.api_intake)).all()
    assert len(incidents) == len(forward) == len(intake) == intake_api.MAX_BATCH
    # One open alert for BPBD's users per incident, raised by its FORWARD.
    assert sorted((a.incident_id, a.event_id) for a in alerts) == sorted(forward.items())
    assert {(a.kind, a.audience_opd, a.closed_at_utc) for a in alerts} == {
        ("ASSIGNED", "BPBD", None)
    }
    # One message for BPBD's mailbox per incident, carrying that incident.
    assert sorted((o.incident_id, o.dedupe_key) for o in outbox) == sorted(
        (incident_id, f"event:{event_id}:channel:{channel.id}")
        for incident_id, event_id in forward.items()
    )
    for message in outbox:
        body = json.loads(message.payload)
        assert body["incident"]["code"] == incidents[message.incident_id].code
        assert body["event_id"] == forward[message.incident_id]
    codes = {r.code for r in receipt.results}
    assert codes == {r.code for r in incidents.values()} and len(codes) == intake_api.MAX_BATCH
    assert {i.incident_id for i in intake} == set(incidents)
