"""EIDO documents on both backends: export, the phone, round trips, transfers, bad documents."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboard import auth, eido, labels
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.cli import CLI_ACTOR
from dashboard.errors import ApiRefused
from tests.conftest import (
    ADMIN_USER,
    BPBD_ADMIN,
    CALL_TAKER_ANI,
    SUPERVISOR_EKA,
    flood_report,
)
from tests.helpers.databases import row_counts

T0 = datetime(2026, 3, 10, 2, 0)  # 09:00 WIB
NOW = datetime(2026, 3, 10, 8, 0)  # 15:00 WIB: when the documents are imported
POINT = {"lat": -6.8868, "lon": 109.6753}
HOSTILE = 'Air <b>masuk</b> & naik "selutut" {{7*7}}'
NEIGHBOUR = "psap.kabbatang.example"
ROW_COLUMNS = (
    "code",
    "category_code",
    "priority",
    "kondisi",
    "lat",
    "lon",
    "address",
    "kelurahan",
    "kecamatan",
    "kelurahan_kode",
    "in_city",
    "in_flood_zone",
    "caller_phone",
    "received_at_utc",
    "status",
    "opd_code",
    "first_opd_code",
    "forwarded_at_utc",
    "assigned_at_utc",
    "acknowledged_at_utc",
    "handling_at_utc",
    "resolved_at_utc",
    "cancelled_at_utc",
    "cancel_reason",
    "resolution_note",
    "reassign_count",
    "escalation_level",
    "created_by",
)
EVENT_COLUMNS = (
    "at_utc",
    "actor",
    "action",
    "from_status",
    "to_status",
    "from_opd",
    "to_opd",
    "reason",
    "details",
)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def varied_history(engine) -> list[str]:
    """Four incidents, their codes in order: a flood reassigned twice, resolved, reopened and
    resolved again; a fire cancelled as a duplicate with a note; a medical call still waiting
    for its OPD; a prank closed at once. The people are users of this Siaga 112, the BPBD's
    own among them."""
    for person in (CALL_TAKER_ANI, SUPERVISOR_EKA, BPBD_ADMIN):
        auth.create_user(
            engine,
            ADMIN_USER,
            username=person.username,
            full_name=person.full_name or person.username,
            password="kata-sandi-panjang-112",
            role=person.role,
            opd_code=person.opd_code,
        )
    flood = svc.create_incident(
        engine,
        CALL_TAKER_ANI,
        flood_report(**POINT, kondisi=HOSTILE, received_at_utc=at(0)),
        now=at(1),
    )
    steps = [
        lambda r: svc.reassign(
            engine, SUPERVISOR_EKA, r.id, "DAMKAR", "Butuh pompa", seen_version=r.version, now=at(4)
        ),
        lambda r: svc.reassign(
            engine, SUPERVISOR_EKA, r.id, "BPBD", "Pompa tiba", seen_version=r.version, now=at(6)
        ),
        lambda r: svc.acknowledge(engine, BPBD_ADMIN, r.id, seen_version=r.version, now=at(8)),
        lambda r: svc.start_handling(
            engine, BPBD_ADMIN, r.id, seen_version=r.version, note="Tim berangkat", now=at(9)
        ),
        lambda r: svc.resolve(
            engine, BPBD_ADMIN, r.id, seen_version=r.version, note="Air surut", now=at(40)
        ),
        lambda r: svc.reopen(
            engine, SUPERVISOR_EKA, r.id, "Air naik lagi", seen_version=r.version, now=at(60)
        ),
        lambda r: svc.acknowledge(engine, BPBD_ADMIN, r.id, seen_version=r.version, now=at(62)),
        lambda r: svc.resolve(
            engine, BPBD_ADMIN, r.id, seen_version=r.version, note="Tanggul ditutup", now=at(90)
        ),
    ]
    for step in steps:
        flood = step(flood)
    fire = svc.create_incident(
        engine,
        CALL_TAKER_ANI,
        flood_report(**POINT, category_code="KEBAKARAN", received_at_utc=at(10)),
        now=at(11),
    )
    svc.cancel(
        engine,
        CALL_TAKER_ANI,
        fire.id,
        "DUPLIKAT",
        seen_version=fire.version,
        note="Sama dengan laporan sebelumnya",
        now=at(12),
    )
    waiting = svc.create_incident(
        engine,
        CALL_TAKER_ANI,
        flood_report(lat=-6.8920, lon=109.6700, category_code="AMBULANS", received_at_utc=at(20)),
        now=at(21),
    )
    prank = svc.record_and_close(
        engine,
        CALL_TAKER_ANI,
        flood_report(**POINT, category_code="", kondisi="", received_at_utc=at(30)),
        "PRANK",
        note="Tertawa lalu menutup telepon",
        now=at(30),
    )
    return [flood.code, fire.code, waiting.code, prank.code]


@pytest.fixture
def fresh(second_engine):
    """A second, empty database on the same backend as `engine` (the other Siaga 112)."""
    return second_engine


def neighbour_document(**changes) -> dict:
    """A structure fire transferred by a neighbour's CAD: only EIDO members, no extension."""
    agency = {"$ref": NEIGHBOUR}
    base = {"lastUpdateTimeStamp": "2026-03-10T09:05:00+07:00", "updatedByAgencyReference": agency}
    pidf = (
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="http://www.opengis.net/gml" '
        'xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr" entity="pres:x@example">'
        "<device><gp:geopriv><gp:location-info>"
        '<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>-6.8868 109.6753</gml:pos>'
        "</gml:Point><ca:civicAddress><ca:country>ID</ca:country><ca:RD>Jl. Pelita</ca:RD>"
        "<ca:HNO>3</ca:HNO></ca:civicAddress></gp:location-info></gp:geopriv></device></presence>"
    )
    document = {
        "$id": "urn:emergency:uid:incidentid:BTG-0042:psap.kabbatang.example",
        **base,
        "eidoVersion": "1.0",
        "issuingElementIdentification": "cad.kabbatang.example",
        "incidentComponent": {
            "$id": "inc-1",
            **base,
            "incidentTypeCommonRegistryText": "FSTRU",
            "incidentTypeInternalCode": "F1",
            "locationReference": [{"$ref": "loc-1"}],
            "notesReference": [{"$ref": "note-kondisi"}],
        },
        "callComponent": [
            {
                "$id": "call-1",
                **base,
                "callStateRegistryText": "callAnswered",
                "standardPrimaryCallType": "emergency",
                "direction": "incoming",
                "callStartTimestamp": "2026-03-10T09:00:00+07:00",
                "callBackReference": {"$ref": "cb-1"},
            }
        ],
        "callbackComponent": [
            {
                "$id": "cb-1",
                **base,
                "callBackInformationUri": ["sip:x@example", "tel:+6285712345678"],
            }
        ],
        "locationComponent": [
            {"$id": "loc-1", **base, "locationTypeDescriptionRegistryText": "CurrentIncident"}
            | {"locationByValue": pidf}
        ],
        "notesComponent": [
            {"$id": "note-kondisi", **base, "notesActionComments": "Asap tebal dari gudang"},
            {
                "$id": "note-2",
                **base,
                "agentReference": {"$ref": "op7@psap.kabbatang.example"},
                "notesActionComments": "<p>Dua rumah terbakar &amp; satu gudang</p>",
            },
        ],
        "agencyComponent": [
            {
                "$id": NEIGHBOUR,
                **base,
                "agencyRoleDescriptionRegistryText": ["CallReceiving"],
                "agencyType": ["psap"],
            }
        ],
    }
    return document | changes


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        imports = conn.execute(select(func.count()).select_from(t.eido_imports)).scalar_one()
    return (*row_counts(engine), imports)


def incident(engine, code: str):
    with engine.connect() as conn:
        return conn.execute(select(t.incidents).where(t.incidents.c.code == code)).one()


def events(engine, code: str) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(*(getattr(t.incident_events.c, c) for c in EVENT_COLUMNS))
            .join(t.incidents, t.incidents.c.id == t.incident_events.c.incident_id)
            .where(t.incidents.c.code == code)
            .order_by(t.incident_events.c.id)
        ).all()
    return [tuple(r) for r in rows]


def open_alerts(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.incidents.c.code, t.alerts.c.kind, t.alerts.c.audience_opd)
            .join(t.incidents, t.incidents.c.id == t.alerts.c.incident_id)
            .where(t.alerts.c.closed_at_utc.is_(None))
        ).all()
    return [tuple(r) for r in rows]


def refused(engine, document, **options) -> ApiRefused:
    with pytest.raises(ApiRefused) as caught:
        eido.import_document(engine, document, actor=CLI_ACTOR, now=NOW, **options)
    return caught.value


def test_every_exported_document_of_a_varied_history_validates_against_our_schema(engine):
    codes = varied_history(engine)
    for include_phone in (False, True):
        documents = eido.export_since(engine, T0 - timedelta(days=1), include_phone=include_phone)
        assert [d["incidentComponent"]["internalIncidentId"] for d in documents] == codes
        for document in documents:
            eido.check_schema(document)
    flood, fire, waiting, prank = documents
    # One dispatch per hand-off: forwarded to BPBD, to Damkar, back to BPBD, reopened there.
    assert [d["agencyReference"]["$ref"] for d in flood["dispatchComponent"]] == [
        "bpbd.opd.112.pekalongankota.go.id",
        "damkar.opd.112.pekalongankota.go.id",
        "bpbd.opd.112.pekalongankota.go.id",
        "bpbd.opd.112.pekalongankota.go.id",
    ]
    assert [d["lastUpdateTimeStamp"] for d in flood["dispatchComponent"]] == [
        "2026-03-10T09:01:00+07:00",
        "2026-03-10T09:04:00+07:00",
        "2026-03-10T09:06:00+07:00",
        "2026-03-10T10:00:00+07:00",
    ]
    # A note for the kondisi (caller text made inert HTML) and one per entry of the log.
    notes = flood["notesComponent"]
    assert len(notes) == 1 + len(events(engine, codes[0]))
    assert notes[0]["notesActionComments"] == (
        "Air &lt;b&gt;masuk&lt;/b&gt; &amp; naik &quot;selutut&quot; {{7*7}}"
    )
    assert "Dialihkan ke OPD lain" in notes[3]["notesActionComments"]
    # What the BPBD's user did, the BPBD did; the document itself is Call Center 112's.
    resolved = next(
        n for n in notes if (n.get("siaga112LogEntry") or {}).get("action") == "RESOLVE"
    )
    assert resolved["updatedByAgencyReference"] == {"$ref": "bpbd.opd.112.pekalongankota.go.id"}
    assert flood["updatedByAgentReference"] == {"$ref": "opd.bpbd@112.pekalongankota.go.id"}
    assert flood["updatedByAgencyReference"] == {"$ref": "112.pekalongankota.go.id"}
    agents = {a["$id"]: a for a in flood["agentComponent"]}
    assert agents["opd.bpbd@112.pekalongankota.go.id"]["agentRoleRegistryText"] == ["Dispatching"]
    assert agents["ct.ani@112.pekalongankota.go.id"]["agencyReference"] == {
        "$ref": "112.pekalongankota.go.id"
    }
    assert "Butuh pompa" in notes[3]["notesActionComments"]
    assert flood["incidentComponent"]["incidentTypeCommonRegistryText"] == "WATER"
    assert flood["incidentComponent"]["siaga112Incident"]["reassignCount"] == 2
    assert fire["incidentComponent"]["incidentStatusInternalText"] == ["DIBATALKAN"]
    assert fire["incidentComponent"]["siaga112Incident"]["cancelReason"] == "DUPLIKAT"
    waiting_opd = incident(engine, codes[2]).opd_code
    assert waiting["dispatchComponent"][0]["agencyReference"]["$ref"] == (
        f"{waiting_opd.lower()}.opd.112.pekalongankota.go.id"
    )
    assert prank["dispatchComponent"] == []
    # The point comes back as the very same floats; the place names travel in the civic address.
    pidf = waiting["locationComponent"][0]["locationByValue"]
    assert "<gml:pos>-6.892 109.67</gml:pos>" in pidf and "<ca:A2>Kota Pekalongan</ca:A2>" in pidf


def test_the_callers_phone_travels_only_when_asked_for(engine):
    code = varied_history(engine)[0]
    without = eido.export_incident(engine, code, include_phone=False)
    assert "callbackComponent" not in without
    assert "callBackReference" not in without["callComponent"][0]
    assert "34567890" not in json.dumps(without)
    with_phone = eido.export_incident(engine, code, include_phone=True)
    callback = with_phone["callbackComponent"][0]
    assert callback["callBackInformationUri"] == ["tel:+6281234567890"]
    assert with_phone["callComponent"][0]["callBackReference"] == {"$ref": callback["$id"]}


def test_export_then_import_into_a_fresh_database_reproduces_each_incident(engine, fresh):
    codes = varied_history(engine)
    for code in codes:
        document = eido.export_incident(engine, code, include_phone=True)
        result = eido.import_document(fresh, document, actor=CLI_ACTOR, now=NOW)
        # A fresh database numbers the same day's reports in the same order.
        assert (result.code, result.created) == (code, True)
        source, restored = incident(engine, code), incident(fresh, code)
        assert {c: getattr(restored, c) for c in ROW_COLUMNS} == {
            c: getattr(source, c) for c in ROW_COLUMNS
        }, code
        assert restored.source == "eido"
        # The log reads as it did (same times, people, steps, OPDs, reasons and notes), then
        # says it was imported, when and by whom.
        log = events(fresh, code)
        assert log[:-1] == events(engine, code), code
        assert log[-1][:3] == (NOW, "cli", "EIDO_IMPORT")
        assert document["$id"] in log[-1][7]
    # Only the one still waiting for its OPD raises an alert here, for that OPD.
    assert open_alerts(fresh) == [(codes[2], "ASSIGNED", incident(engine, codes[2]).opd_code)]
    assert counts(fresh)[2] == 4


def test_importing_the_same_document_again_returns_the_first_incident_and_changes_nothing(
    engine, fresh
):
    code = varied_history(engine)[0]
    document = eido.export_incident(engine, code, include_phone=True)
    first = eido.import_document(fresh, document, actor=CLI_ACTOR, now=NOW)
    before = counts(fresh)
    again = eido.import_document(fresh, copy.deepcopy(document), actor=CLI_ACTOR, now=NOW)
    assert (again.code, again.created, again.as_json()["replayed"]) == (first.code, False, True)
    assert counts(fresh) == before
    # Other content under the same $id is refused, naming it and the incident it has.
    document["notesComponent"][0]["notesActionComments"] = "Air sepinggang"
    error = refused(fresh, document)
    assert error.status == 409 and error.field == "$id"
    assert document["$id"] in str(error) and first.code in str(error)
    assert counts(fresh) == before
    # Nor does our own document come back into the database it came from.
    error = refused(engine, eido.export_incident(engine, code, include_phone=True))
    assert error.status == 409 and str(error) == labels.ERR_EIDO_OWN.format(
        eido_id=document["$id"], code=code
    )


def test_a_neighbours_document_is_routed_here_and_keeps_its_notes(engine):
    result = eido.import_document(engine, neighbour_document(), actor=CALL_TAKER_ANI, now=NOW)
    assert (result.status, result.opd_code, result.created) == ("DITERUSKAN", "DAMKAR", True)
    row = incident(engine, result.code)
    assert (row.category_code, row.source, row.caller_phone) == (
        "KEBAKARAN",
        "eido",
        "085712345678",
    )
    assert (row.received_at_utc, row.forwarded_at_utc) == (at(0), NOW)
    assert (row.kondisi, row.address) == ("Asap tebal dari gudang", "Jl. Pelita, 3")
    log = events(engine, result.code)
    assert [e[2] for e in log] == ["CREATE", "FORWARD", "EIDO_IMPORT", "NOTE"]
    assert "cad.kabbatang.example" in log[2][7]
    assert log[3][7] == (
        "Catatan op7@psap.kabbatang.example (10-03-2026 09:05:00 WIB): "
        "<p>Dua rumah terbakar & satu gudang</p>"
    )
    # Routed like a form report: Damkar's users are alerted.
    assert open_alerts(engine) == [(result.code, "ASSIGNED", "DAMKAR")]


def test_an_unknown_incident_type_falls_back_to_informasi_or_is_refused_without_a_fallback(
    engine,
):
    document = neighbour_document()
    document["incidentComponent"] |= {"incidentTypeCommonRegistryText": "MAYDAY"}
    result = eido.import_document(engine, document, actor=CALL_TAKER_ANI, now=NOW)
    assert (result.status, result.opd_code) == ("DITERUSKAN", "DINKOMINFO")
    assert incident(engine, result.code).category_code == "INFORMASI"
    imported = events(engine, result.code)[2]
    assert json.loads(imported[8])["note"] == (
        "Jenis asal MAYDAY tidak dikenal; dicatat sebagai INFORMASI."
    )
    strict = eido.CategoryMap(eido.load_category_map().to_category, {}, fallback=None)
    before = counts(engine)
    other = neighbour_document()
    other["$id"] = "urn:emergency:uid:incidentid:BTG-0043:psap.kabbatang.example"
    other["incidentComponent"] |= {"incidentTypeCommonRegistryText": "MAYDAY"}
    error = refused(engine, other, category_map=strict)
    assert error.field == "incidentComponent.incidentTypeCommonRegistryText"
    assert str(error).endswith("Jenis keadaan darurat tidak dikenal: MAYDAY.")
    assert counts(engine) == before


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    '<presence xmlns="urn:ietf:params:xml:ns:pidf">&lol2;</presence>'
)


def _without(path: str):
    def change(document: dict) -> None:
        holder = document
        *steps, last = path.split(".")
        for step in steps:
            holder = holder[int(step)] if step.isdigit() else holder[step]
        del holder[last]

    return change


def _set(path: str, value):
    def change(document: dict) -> None:
        holder = document
        *steps, last = path.split(".")
        for step in steps:
            holder = holder[int(step)] if step.isdigit() else holder[step]
        holder[int(last) if last.isdigit() else last] = value

    return change


BAD_DOCUMENTS = [
    # (what, change, field, words of the message)
    ("no incident", _without("incidentComponent"), "incidentComponent", "tidak lengkap"),
    ("no version", _without("eidoVersion"), "eidoVersion", "bagian eidoVersion tidak ada"),
    ("no call", _without("callComponent"), "callComponent", "bagian callComponent tidak ada"),
    (
        "no callback number",
        lambda d: (d.pop("callbackComponent"), d["callComponent"][0].pop("callBackReference")),
        labels.EIDO_PART_PHONE,
        "nomor yang bisa dihubungi",
    ),
    (
        "no kondisi",
        _without("incidentComponent.notesReference"),
        labels.EIDO_PART_KONDISI,
        "(kondisi) tidak ada",
    ),
    (
        "no location at all",
        _without("locationComponent"),
        "incidentComponent.locationReference[0]",
        "merujuk loc-1, yang tidak ada",
    ),
    (
        "no PIDF-LO",
        _without("locationComponent.0.locationByValue"),
        "locationComponent[0].locationByValue",
        "tidak ada",
    ),
    (
        "notes not a list",
        _set("notesComponent", "Asap tebal"),
        "notesComponent",
        "harus berupa daftar",
    ),
    (
        "a call time without its offset",
        _set("callComponent.0.callStartTimestamp", "2026-03-10T09:00:00"),
        "callComponent[0].callStartTimestamp",
        "RFC 3339",
    ),
    (
        "a call in the future",
        _set("callComponent.0.callStartTimestamp", "2026-03-11T09:00:00+07:00"),
        "callComponent[0].callStartTimestamp",
        "masa depan",
    ),
    (
        "a number that is no phone",
        _set("callbackComponent.0.callBackInformationUri", ["tel:12"]),
        "callbackComponent[0].callBackInformationUri",
        "Nomor telepon tidak sah: 12",
    ),
    (
        "a billion laughs in the PIDF-LO",
        _set("locationComponent.0.locationByValue", BILLION_LAUGHS),
        "locationComponent[0].locationByValue",
        "DTD atau entitas",
    ),
    (
        "a PIDF-LO that is not XML",
        _set("locationComponent.0.locationByValue", "<presence><gml:pos>"),
        "locationComponent[0].locationByValue",
        "bukan XML",
    ),
    (
        "a point in Semarang",
        lambda d: d["locationComponent"][0].update(
            locationByValue=d["locationComponent"][0]["locationByValue"].replace(
                "-6.8868 109.6753", "-6.9667 110.4167"
            )
        ),
        "locationComponent[0]",
        "di luar Kota Pekalongan",
    ),
    (
        "one $id for two parts",
        _set("callbackComponent.0.$id", "loc-1"),
        "locationComponent[0]",
        "dipakai lebih dari satu bagian",
    ),
    (
        "a huge note",
        _set("notesComponent.1.notesActionComments", "x" * 300_000),
        "body",
        "terlalu besar",
    ),
]


@pytest.mark.parametrize(
    ("what", "change", "field", "words"), BAD_DOCUMENTS, ids=[c[0] for c in BAD_DOCUMENTS]
)
def test_each_bad_document_is_refused_with_its_message_and_changes_nothing(
    engine, what, change, field, words
):
    document = neighbour_document()
    change(document)
    before = counts(engine)
    error = refused(engine, document)
    assert error.field == field, str(error)
    assert words in str(error), str(error)
    assert error.status == (413 if field == "body" else 422)
    assert counts(engine) == before


def test_a_body_that_is_not_one_json_document_is_refused_before_anything_is_read(engine):
    before = counts(engine)
    for raw, status, words in [
        (b'{"$id": "x",', 422, "bukan JSON yang sah: rusak di baris 1"),
        (b"\xff\xfe{}", 422, "bukan teks UTF-8"),
        (b" " * (eido.MAX_DOCUMENT_BYTES + 1), 413, "terlalu besar (maksimal 256 KiB)"),
    ]:
        with pytest.raises(ApiRefused) as caught:
            eido.load_document(raw)
        assert (caught.value.status, caught.value.field) == (status, "body")
        assert words in str(caught.value)
    assert str(refused(engine, [neighbour_document()])) == labels.ERR_EIDO_SHAPE
    assert counts(engine) == before


def test_a_tampered_history_is_refused_by_the_state_machine(engine, fresh):
    code = varied_history(engine)[0]
    exported = eido.export_incident(engine, code, include_phone=True)
    acknowledge = next(
        n
        for n, note in enumerate(exported["notesComponent"])
        if (note.get("siaga112LogEntry") or {}).get("action") == "ACKNOWLEDGE"
    )
    cases = [
        (
            "an acknowledgement left out",
            lambda d: d["notesComponent"].pop(acknowledge),
            "tidak runtut",
        ),
        (
            "a final status the log never reached",
            lambda d: d["incidentComponent"]["siaga112Incident"].update(status="DITANGANI"),
            "tidak sama dengan akhir riwayatnya (Selesai)",
        ),
        (
            "an OPD unknown here",
            lambda d: d["notesComponent"][3]["siaga112LogEntry"].update(toOpdCode="BASARNAS"),
            "OPD tidak dikenal: BASARNAS",
        ),
        (
            "a step we do not know",
            lambda d: d["notesComponent"][4]["siaga112LogEntry"].update(action="DELETE"),
            "jenis kejadian riwayat tidak dikenal: DELETE",
        ),
        (
            "a log that does not begin with the report",
            lambda d: d["notesComponent"].pop(1),
            "riwayat harus diawali pencatatan laporan",
        ),
    ]
    before = counts(fresh)
    for what, change, words in cases:
        document = copy.deepcopy(exported)
        change(document)
        error = refused(fresh, document)
        assert words in str(error), (what, str(error))
        assert error.status == 422, what
        assert counts(fresh) == before, what
