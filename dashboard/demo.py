"""Demo history and live simulation: a year of realistic, deterministic incidents in the real city.

Patterns follow data/reference facts (see data/SOURCES.md): rob and floods in the north and in the
rainy season (Nov-Mar; rob also peaks May-Jul), fires in the dry season (Jul-Oct), medical calls
spread over the city, about a third of calls prank/ghost, about one in ten reassigned.
"""

from __future__ import annotations

import functools
import math
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import shapely
from sqlalchemy import Engine, func, insert, select, text

from dashboard import catalogue
from dashboard import incidents as svc
from dashboard import tables as t
from dashboard.citydata import current_city
from dashboard.domain import (
    BARU,
    DIBATALKAN,
    DITANGANI,
    DITERIMA,
    DITERUSKAN,
    OPEN_STATUSES,
    SELESAI,
    Actor,
    incident_code,
    naive_utc,
    route,
    row_overdue_reason,
    utc_now,
    wib_day,
)
from dashboard.errors import DispatchError
from dashboard.places import place_columns
from geo import default_city, locate_many

DEFAULT_SEED = 112
# The present the demo leaves (relative to the clock at seeding): the last two hours carry a
# busy evening's calls, some still being handled as they would be, and a few stuck (stalled at
# one step) so that on-time, due and overdue open incidents are all there. Older calls have run
# their course: a wall that is all red teaches nothing.
PRESENT_WINDOW_H = 2
PRESENT_EXTRA_CALLS = 16
STALL_WINDOW_H = PRESENT_WINDOW_H
STALL_SHARE = 0.3
DEFAULT_DAYS = 365
CALLS_PER_DAY = 24.0

# Weights of each category among real (non-prank) calls, before seasonality.
CATEGORY_WEIGHTS = {
    "AMBULANS": 20,
    "KECELAKAAN": 12,
    "KEBAKARAN": 6,
    "BANJIR": 6,
    "ROB": 5,
    "POHON_TUMBANG": 8,
    "MOBIL_JENAZAH": 5,
    "SARANG_TAWON": 6,
    "ODGJ": 4,
    "KRIMINAL": 3,
    "GANGGUAN_LISTRIK": 4,
    "LALU_LINTAS": 3,
    "PERMINTAAN_DARAH": 4,
    "INFORMASI": 8,
    "KESEHATAN_MASYARAKAT": 2,
    "PERJUDIAN": 1,
    "MIRAS": 1,
    "PROSTITUSI": 1,
}
# Kelurahan weights for water (PEKALONGAN.md, "Flood hazard"): rob on the coast, rivers inland.
ROB_KELURAHAN = {
    "Panjang Baru": 10,
    "Panjang Wetan": 6,
    "Kandang Panjang": 6,
    "Krapyak": 5,
    "Padukuhan Kraton": 4,
    "Degayu": 6,
    "Bandengan": 4,
}
FLOOD_KELURAHAN = {
    "Panjang Wetan": 5,
    "Klego": 4,
    "Kauman": 3,
    "Krapyak": 4,
    "Pasirkratonkramat": 5,
    "Tirto": 5,
    "Degayu": 4,
    "Gamer": 3,
    "Panjang Baru": 4,
    "Kandang Panjang": 3,
    "Bandengan": 2,
    "Padukuhan Kraton": 2,
    "Setono": 1,
    "Pringrejo": 1,
}
# Wrong first routing seen in practice, used for the ~10 % reassigned: category -> better OPD.
MISROUTES = {
    "POHON_TUMBANG": "DAMKAR",
    "AMBULANS": "RSUD",
    "KECELAKAAN": "PMI",
    "SARANG_TAWON": "BPBD",
    "GANGGUAN_LISTRIK": "DISHUB",
    "ODGJ": "DAMKAR",
    "MIRAS": "POLRES",
    "BANJIR": "DINSOS",
    "ROB": "DINSOS",
    "KEBAKARAN": "BPBD",
    "LALU_LINTAS": "POLRES",
    "KRIMINAL": "DAMKAR",
}
REASSIGN_REASONS = {
    "DAMKAR": "Butuh peralatan potong dan tangga Damkar",
    "RSUD": "Lokasi dekat RSUD Bendan, ambulans RSUD lebih cepat",
    "PMI": "Ada korban luka, perlu ambulans",
    "BPBD": "Di luar kewenangan, diteruskan ke BPBD",
    "DISHUB": "Gangguan lampu lalu lintas, kewenangan Dishub",
    "POLRES": "Perlu penegakan hukum oleh kepolisian",
    "DINSOS": "Warga terdampak perlu evakuasi dan logistik",
}
# Median minutes from acknowledgement to resolution, per category (floods last for hours).
RESOLVE_MEDIAN_MIN = {
    "BANJIR": 480,
    "ROB": 600,
    "POHON_TUMBANG": 120,
    "KEBAKARAN": 90,
    "GANGGUAN_LISTRIK": 180,
    "ODGJ": 150,
}
STREETS = [
    "Jl. Hayam Wuruk",
    "Jl. Diponegoro",
    "Jl. Sultan Agung",
    "Jl. Dr. Wahidin",
    "Jl. Merdeka",
    "Jl. Jend. Sudirman",
    "Jl. Gajah Mada",
    "Jl. Imam Bonjol",
    "Jl. Veteran",
    "Jl. KH. Mas Mansyur",
    "Jl. Patiunus",
    "Jl. Sriwijaya",
    "Jl. Kurinci",
    "Jl. Pelita",
    "Jl. Slamet",
    "Jl. Seruni",
    "Gang Masjid",
    "Jl. Teratai",
    "Jl. Urip Sumoharjo",
]
KONDISI = {
    "AMBULANS": [
        "Warga pingsan tidak sadarkan diri",
        "Lansia sesak napas, butuh ambulans",
        "Ibu hamil akan melahirkan, perlu dibawa ke rumah sakit",
        "Korban jatuh, kaki patah",
    ],
    "KECELAKAAN": [
        "Tabrakan sepeda motor dan mobil, satu korban luka",
        "Motor jatuh sendiri, pengendara luka di kepala",
        "Truk menyerempet becak",
    ],
    "KEBAKARAN": [
        "Rumah terbakar, api membesar",
        "Kebakaran lahan kosong dekat permukiman",
        "Korsleting listrik di toko, asap tebal",
        "Gudang batik terbakar",
    ],
    "BANJIR": [
        "Air masuk rumah setinggi lutut",
        "Tanggul sungai jebol, air meluber ke jalan",
        "Banjir 50 cm, warga lansia perlu evakuasi",
    ],
    "ROB": [
        "Rob masuk permukiman 30 cm",
        "Rob menggenangi jalan, motor mogok",
        "Air pasang masuk rumah warga, perlu pompa",
    ],
    "POHON_TUMBANG": [
        "Pohon tumbang menutup jalan",
        "Pohon roboh menimpa kabel listrik",
        "Dahan besar patah menimpa rumah",
    ],
    "MOBIL_JENAZAH": ["Mohon mobil jenazah dari rumah duka ke pemakaman"],
    "SARANG_TAWON": [
        "Sarang tawon vespa di plafon rumah",
        "Sarang tawon besar di pohon depan sekolah",
    ],
    "ODGJ": ["ODGJ mengamuk di jalan", "Gelandangan tidur di emperan toko, kondisi lemah"],
    "KRIMINAL": ["Pencurian motor di parkiran", "Perkelahian antarwarga"],
    "GANGGUAN_LISTRIK": ["Kabel listrik putus menjuntai ke jalan", "Tiang listrik miring"],
    "LALU_LINTAS": ["Lampu lalu lintas mati, macet", "Jalan tertutup material bangunan"],
    "PERMINTAAN_DARAH": [
        "Butuh darah golongan O untuk pasien RSUD",
        "Permintaan darah A+ 2 kantong",
    ],
    "INFORMASI": ["Menanyakan jadwal pelayanan puskesmas", "Menanyakan info banjir terkini"],
    "KESEHATAN_MASYARAKAT": [
        "Beberapa warga mual setelah makan hajatan",
        "Banyak warga demam berdarah",
    ],
    "PERJUDIAN": ["Dugaan perjudian di warung"],
    "MIRAS": ["Pemuda pesta miras di pos ronda"],
    "PROSTITUSI": ["Dugaan praktik prostitusi di rumah kos"],
}
DEMO_ACTORS = {
    "call_taker": ["ct.ani", "ct.budi", "ct.citra", "ct.dedi"],
    "supervisor": ["spv.eka"],
}


def seed_demo(
    engine: Engine,
    *,
    days: int = DEFAULT_DAYS,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    calls_per_day: float = CALLS_PER_DAY,
) -> int:
    """Insert `days` of history ending at `now`; returns the number of incidents written."""
    now = naive_utc(now) if now else utc_now()
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    with engine.connect() as conn:
        cats = catalogue.categories(conn)
        rules = catalogue.routing_rules(conn)
    sampler = _PointSampler(nprng)
    plans = []
    start = now - timedelta(days=days)
    day = start
    while day < now:
        for _ in range(_poisson(rng, calls_per_day * _volume_factor(day))):
            at = day + timedelta(seconds=rng.uniform(0, 86_400) * _hour_weight(rng))
            if at < now:
                plans.append(_plan_call(rng, at, cats))
        day += timedelta(days=1)
    if days > 0:
        window_s = PRESENT_WINDOW_H * 3600
        for _ in range(_poisson(rng, PRESENT_EXTRA_CALLS)):
            at = now - timedelta(seconds=rng.uniform(30, window_s))
            plans.append(_plan_call(rng, at, cats))
    plans.sort(key=lambda p: p["received_at_utc"])
    points = [sampler.sample(p["category_code"], rng) for p in plans]
    return _write(engine, plans, points, rules=rules, rng=rng, now=now)


def simulate(
    engine: Engine,
    *,
    rate_per_min: float = 2.0,
    duration_s: float | None = None,
    seed: int | None = None,
    on_event: Callable[[str], None] | None = None,
) -> int:
    """Live feed for demos and training: new calls at `rate_per_min`, open ones moving on."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    sampler = _PointSampler(nprng)
    actor = Actor("simulator", "supervisor", full_name="Simulator")
    started = time.monotonic()
    count = 0
    with engine.connect() as conn:
        cats = catalogue.categories(conn)
    while duration_s is None or time.monotonic() - started < duration_s:
        plan = _plan_call(rng, utc_now(), cats)
        lat, lon = sampler.sample(plan["category_code"], rng)
        report = _planned_report(plan, lat, lon)
        recorded = svc.create_incident(engine, actor, report)
        count += 1
        if on_event:
            on_event(f"baru {recorded.code} {plan['category_code']} -> {recorded.opd_code}")
        _advance_one(engine, rng, actor, on_event)
        time.sleep(max(0.05, rng.expovariate(rate_per_min / 60)))
    return count


# The built-in keep-alive (demo mode): the city keeps living while the app runs, as the wall
# would see it in production. It moves demo incidents only (incidents.source "demo": the seeded
# history and its own calls): never one a person recorded, so a tester's report stays theirs.
DEMO_SOURCE = "demo"
SIMULATOR = Actor("simulator", "supervisor", full_name="Simulator")
LIVE_CALL_INTERVAL_S = 240.0
# Median seconds a simulated incident waits in each status before its next step.
LIVE_STEP_MEDIAN_S = {BARU: 45.0, DITERUSKAN: 110.0, DITERIMA: 420.0}
# One simulated incident in SLOW_ONE_IN is slow at one of its steps (SLOW_FACTOR times longer):
# it goes overdue and escalates, as a silent OPD would.
SLOW_ONE_IN = 6
SLOW_FACTOR = 8.0
# An incident already late (a silent OPD, a stuck step) lingers this long on average before it
# moves on, as it would until an escalation gets someone to act: the wall keeps a few red ones.
LATE_LINGER_S = 900.0


def keep_alive(
    engine: Engine, *, interval_s: float, now: datetime | None = None, rng=None
) -> list[str]:
    """One tick of the demo city: maybe a new call, and the simulator's open incidents move on.

    Called by the background worker every `interval_s` while demo mode is on. Each step's delay
    is drawn once per incident and status (deterministic from the code), so a tick that comes
    late does not change what happens, only when. Returns one line per thing done.
    """
    now = naive_utc(now) if now else utc_now()
    rng = rng or random.Random()
    done: list[str] = []
    with engine.connect() as conn:
        cats = catalogue.categories(conn)
        rules = catalogue.routing_rules(conn)
        targets = catalogue.ops_settings(conn).targets
        rows = conn.execute(
            select(t.incidents).where(
                t.incidents.c.source == DEMO_SOURCE,
                t.incidents.c.status.in_(OPEN_STATUSES),
            )
        ).all()
    for row in rows:
        if not _step_due(row, now):
            continue
        late = row_overdue_reason(row, now_utc=now, targets=targets)
        if late and rng.random() >= min(1.0, interval_s / LATE_LINGER_S):
            continue
        try:
            if row.status == BARU:
                opd = route(row.category_code, row.kecamatan, rules) or "DINKOMINFO"
                svc.forward_incident(
                    engine, SIMULATOR, row.id, opd, seen_version=row.version, now=now
                )
            elif row.status == DITERUSKAN:
                svc.acknowledge(engine, SIMULATOR, row.id, seen_version=row.version, now=now)
            elif row.status == DITERIMA:
                svc.start_handling(engine, SIMULATOR, row.id, seen_version=row.version, now=now)
            else:
                svc.resolve(
                    engine,
                    SIMULATOR,
                    row.id,
                    seen_version=row.version,
                    note="Selesai (simulasi)",
                    now=now,
                )
        except DispatchError:  # a person moved it first: theirs from now on
            continue
        done.append(f"{row.code} {row.status}")
    if rng.random() < min(1.0, interval_s / LIVE_CALL_INTERVAL_S):
        done.append(_live_call(engine, rng, cats, now=now))
    return done


def _planned_report(plan: dict, lat: float, lon: float, **options) -> svc.NewReport:
    """The report a planned call makes at its sampled point (options: NewReport's others)."""
    return svc.NewReport(
        category_code=plan["category_code"],
        kondisi=plan["kondisi"],
        lat=lat,
        lon=lon,
        address=plan["address"],
        caller_phone=plan["caller_phone"],
        **options,
    )


def _live_call(engine: Engine, rng: random.Random, cats: dict, *, now: datetime) -> str:
    plan = _plan_call(rng, now, cats)
    lat, lon = _live_sampler().sample(plan["category_code"], rng)
    report = _planned_report(plan, lat, lon, received_at_utc=now, forward=False, source=DEMO_SOURCE)
    if plan["cancel_reason"]:
        recorded = svc.record_and_close(engine, SIMULATOR, report, plan["cancel_reason"], now=now)
    else:
        recorded = svc.create_incident(engine, SIMULATOR, report, now=now)
    return f"{recorded.code} baru"


def _step_due(row, now: datetime) -> bool:
    """Whether the simulated incident's wait in its current status is over."""
    since = {
        BARU: row.received_at_utc,
        DITERUSKAN: row.assigned_at_utc,
        DITERIMA: row.acknowledged_at_utc,
        DITANGANI: row.handling_at_utc,
    }[row.status] or row.received_at_utc
    draw = random.Random(f"{row.code}:{row.status}:{row.reassign_count}")
    median = LIVE_STEP_MEDIAN_S.get(row.status)
    if median is None:  # DITANGANI: as long as that kind of incident takes to resolve
        median = RESOLVE_MEDIAN_MIN.get(row.category_code, 50) * 60.0
    wait = _lognormal(draw, median, 0.6)
    slow = random.Random(row.code)
    if slow.randrange(SLOW_ONE_IN) == 0 and slow.choice((BARU, DITERUSKAN, DITERIMA)) == row.status:
        wait *= SLOW_FACTOR
    return now - since >= timedelta(seconds=wait)


@functools.cache
def _live_sampler() -> _PointSampler:
    return _PointSampler(np.random.default_rng())


def history_missing(engine: Engine) -> bool:
    """Whether the demo history is still to be seeded: no incident but the keep-alive's own.

    The worker's keep-alive may make its first call while the first start is still creating the
    demo accounts; that call must not leave a fresh install without its year of history."""
    i = t.incidents.c
    with engine.connect() as conn:
        others = select(func.count()).where(i.created_by != SIMULATOR.username)
        return conn.execute(others).scalar_one() == 0


# --- private helpers -------------------------------------------------------------------------


def _advance_one(engine: Engine, rng: random.Random, actor: Actor, on_event) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.incidents.c.id, t.incidents.c.status, t.incidents.c.version, t.incidents.c.code
            )
            .where(t.incidents.c.status.in_(OPEN_STATUSES))
            .order_by(func.random())
            .limit(1)
        ).all()
    for row in rows:
        try:
            if row.status == DITERUSKAN:
                svc.acknowledge(engine, actor, row.id, seen_version=row.version)
            elif row.status == DITERIMA:
                svc.start_handling(engine, actor, row.id, seen_version=row.version)
            elif row.status == DITANGANI and rng.random() < 0.5:
                svc.resolve(
                    engine, actor, row.id, seen_version=row.version, note="Selesai (simulasi)"
                )
            else:
                continue
        except DispatchError as error:  # someone else moved it first: fine for a simulator
            if on_event:
                on_event(f"lewati {row.code}: {error}")
            continue
        if on_event:
            on_event(f"maju {row.code} dari {row.status}")


def _plan_call(rng: random.Random, at: datetime, cats: dict) -> dict:
    season = _season(at)
    weights = dict(CATEGORY_WEIGHTS)
    weights["BANJIR"] *= 3.0 if season == "hujan" else 0.3
    weights["ROB"] *= 2.0 if at.month in (5, 6, 7) else 1.0
    weights["POHON_TUMBANG"] *= 2.0 if season == "hujan" else 0.7
    weights["KEBAKARAN"] *= 2.5 if at.month in (7, 8, 9, 10) else 0.8
    codes = [c for c in weights if c in cats]
    category = rng.choices(codes, weights=[weights[c] for c in codes])[0]
    roll = rng.random()
    nuisance = (
        "PRANK"
        if roll < 0.22
        else "GHOST"
        if roll < 0.32
        else ("BUKAN_DARURAT" if roll < 0.36 else "DUPLIKAT" if roll < 0.38 else None)
    )
    return {
        "received_at_utc": at.replace(microsecond=0),
        "category_code": category,
        "kondisi": rng.choice(KONDISI.get(category, ["Laporan warga"])),
        "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 150)}",
        "caller_phone": _phone(rng, prank=nuisance in ("PRANK", "GHOST")),
        "cancel_reason": nuisance,
        "priority": cats[category].priority,
    }


def _phone(rng: random.Random, *, prank: bool) -> str:
    # A small pool of repeat prank numbers makes the "known prank caller" flag realistic.
    if prank and rng.random() < 0.4:
        return f"0857{rng.randint(0, 19):08d}"
    prefix = rng.choice(["0812", "0813", "0821", "0838", "0857", "0878", "0895"])
    return f"{prefix}{rng.randint(0, 99_999_999):08d}"


def _write(
    engine: Engine,
    plans: list[dict],
    points: list[tuple[float, float]],
    *,
    rules,
    rng,
    now: datetime,
) -> int:
    if not plans:
        return 0
    lats = np.array([p[0] for p in points])
    lons = np.array([p[1] for p in points])
    places = locate_many(lats, lons, city=current_city(engine))
    with engine.begin() as conn:
        next_id = (conn.execute(select(func.max(t.incidents.c.id))).scalar() or 0) + 1
        next_event = (conn.execute(select(func.max(t.incident_events.c.id))).scalar() or 0) + 1
        counters = {r.day: r.last_seq for r in conn.execute(select(t.daily_counters))}
        rows, events = [], []
        for i, plan in enumerate(plans):
            place = places.iloc[i]
            day = wib_day(plan["received_at_utc"])
            counters[day] = counters.get(day, 0) + 1
            incident, incident_events = _timeline(
                plan,
                place,
                rules=rules,
                rng=rng,
                now=now,
                incident_id=next_id + i,
                code=incident_code(plan["received_at_utc"], counters[day]),
                lat=float(lats[i]),
                lon=float(lons[i]),
            )
            rows.append(incident)
            for event in incident_events:
                event["id"] = next_event
                next_event += 1
                events.append(event)
        for chunk in range(0, len(rows), 2000):
            conn.execute(insert(t.incidents), rows[chunk : chunk + 2000])
        for chunk in range(0, len(events), 5000):
            conn.execute(insert(t.incident_events), events[chunk : chunk + 5000])
        conn.execute(t.daily_counters.delete())
        conn.execute(
            insert(t.daily_counters), [{"day": d, "last_seq": s} for d, s in counters.items()]
        )
        if conn.dialect.name == "postgresql":
            # Explicit ids do not move PostgreSQL's sequences: move them past the seeded rows.
            for table in ("incidents", "incident_events"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                )
    return len(rows)


def _timeline(
    plan: dict,
    place,
    *,
    rules,
    rng: random.Random,
    now: datetime,
    incident_id: int,
    code: str,
    lat: float,
    lon: float,
) -> tuple[dict, list[dict]]:
    """One incident's row and its events: each step happens only if its time has come."""
    received = plan["received_at_utc"]
    taker = rng.choice(DEMO_ACTORS["call_taker"])
    kecamatan = place["kecamatan"]
    routed = route(plan["category_code"], kecamatan, rules) or "DINKOMINFO"
    row = {
        "id": incident_id,
        "code": code,
        "external_id": None,
        "received_at_utc": received,
        "category_code": plan["category_code"],
        "priority": plan["priority"],
        "kondisi": plan["kondisi"],
        "lat": lat,
        "lon": lon,
        "address": plan["address"],
        # The service's own location columns (a tuple of zone names was once stored as its repr).
        **place_columns(place),
        "caller_phone": plan["caller_phone"],
        "status": BARU,
        "opd_code": None,
        "forwarded_at_utc": None,
        "assigned_at_utc": None,
        "acknowledged_at_utc": None,
        "handling_at_utc": None,
        "resolved_at_utc": None,
        "cancelled_at_utc": None,
        "cancel_reason": None,
        "resolution_note": None,
        "reassign_count": 0,
        "first_opd_code": None,
        "created_by": taker,
        "source": DEMO_SOURCE,
        "updated_at_utc": received,
        "updated_by": taker,
        "version": 1,
    }
    # Recent calls are sometimes still in progress (or stuck): the city is never empty at "now".
    stall = None
    if now - received < timedelta(hours=STALL_WINDOW_H) and rng.random() < STALL_SHARE:
        stall = rng.choice(["FORWARD", "ACKNOWLEDGE", "HANDLE", "RESOLVE", "RESOLVE"])
    events = [svc.event_row(incident_id, taker, "CREATE", now=received, to_status=BARU)]

    def step(at: datetime, actor: str, action: str, **values) -> bool:
        if at > now or action == stall:
            return False
        event = svc.event_row(
            incident_id,
            actor,
            action,
            now=at,
            from_status=row["status"],
            to_status=values.get("status", row["status"]),
            from_opd=row["opd_code"],
            to_opd=values.get("opd_code", row["opd_code"]),
            reason=values.pop("_reason", None),
        )
        row.update(values, updated_at_utc=at, updated_by=actor, version=row["version"] + 1)
        events.append(event)
        return True

    if plan["cancel_reason"]:
        at = received + timedelta(seconds=rng.uniform(20, 240))
        step(
            at,
            taker,
            "CANCEL",
            status=DIBATALKAN,
            cancelled_at_utc=at,
            cancel_reason=plan["cancel_reason"],
            _reason=plan["cancel_reason"],
        )
        return row, events
    at = received + timedelta(seconds=_lognormal(rng, 45, 0.6))
    if not step(
        at,
        taker,
        "FORWARD",
        status=DITERUSKAN,
        opd_code=routed,
        first_opd_code=routed,
        forwarded_at_utc=at,
        assigned_at_utc=at,
    ):
        return row, events
    opd_actor = f"opd.{routed.lower()}"
    if (
        rng.random() < 0.10
        and plan["category_code"] in MISROUTES
        and MISROUTES[plan["category_code"]] != routed
    ):
        target = MISROUTES[plan["category_code"]]
        at = at + timedelta(seconds=_lognormal(rng, 240, 0.7))
        if not step(
            at,
            "spv.eka",
            "REASSIGN",
            status=DITERUSKAN,
            opd_code=target,
            assigned_at_utc=at,
            acknowledged_at_utc=None,
            reassign_count=1,
            _reason=REASSIGN_REASONS.get(target, "Salah OPD"),
        ):
            return row, events
        opd_actor = f"opd.{target.lower()}"
    at = at + timedelta(seconds=_lognormal(rng, 110, 0.8))
    if not step(at, opd_actor, "ACKNOWLEDGE", status=DITERIMA, acknowledged_at_utc=at):
        return row, events
    at = at + timedelta(seconds=_lognormal(rng, 420, 0.7))
    if not step(at, opd_actor, "HANDLE", status=DITANGANI, handling_at_utc=at):
        return row, events
    median = RESOLVE_MEDIAN_MIN.get(plan["category_code"], 50) * 60
    at = at + timedelta(seconds=_lognormal(rng, median, 0.6))
    step(
        at,
        opd_actor,
        "RESOLVE",
        status=SELESAI,
        resolved_at_utc=at,
        resolution_note="Penanganan selesai",
        _reason="Penanganan selesai",
    )
    return row, events


def _season(at: datetime) -> str:
    return "hujan" if at.month in (11, 12, 1, 2, 3) else "kemarau"


def _volume_factor(day: datetime) -> float:
    return 1.25 if day.month in (12, 1, 2) else 1.0


def _hour_weight(rng: random.Random) -> float:
    # Fold part of the night into the day: calls peak in waking hours.
    return 1.0 if rng.random() < 0.7 else rng.uniform(0.3, 0.9)


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method is fine for the small daily means here.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _lognormal(rng: random.Random, median_s: float, sigma: float) -> float:
    return median_s * math.exp(rng.gauss(0, sigma))


class _PointSampler:
    """Random points inside kelurahan polygons, weighted by category (water in the north)."""

    def __init__(self, nprng: np.random.Generator) -> None:
        city = default_city()
        gdf = city.kelurahan
        self._names = list(gdf["nama"])
        self._geoms = list(gdf.geometry)
        for geom in self._geoms:
            shapely.prepare(geom)
        areas = gdf.to_crs("EPSG:32749").area.to_numpy()
        self._area_weights = list(areas / areas.sum())
        self._nprng = nprng

    def sample(self, category_code: str, rng: random.Random) -> tuple[float, float]:
        table = (
            ROB_KELURAHAN
            if category_code == "ROB"
            else FLOOD_KELURAHAN
            if category_code == "BANJIR"
            else None
        )
        weights = [table.get(name, 0) for name in self._names] if table else self._area_weights
        index = rng.choices(range(len(self._names)), weights=weights)[0]
        geom = self._geoms[index]
        minx, miny, maxx, maxy = geom.bounds
        for _ in range(200):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(geom, x, y):
                return round(y, 6), round(x, 6)
        point = geom.representative_point()
        return point.y, point.x
