"""Command line: init-db, seed-demo, simulate, imports, users, display tokens, worker."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from dashboard import apikeys, backup, cap, demo, eido, labels
from dashboard.apikeys import SCOPES
from dashboard.auth import create_display_token, create_user
from dashboard.config import load_settings
from dashboard.db import make_engine
from dashboard.domain import ADMIN, ROLES, WALL, Actor, format_wib, wib_days_utc
from dashboard.errors import (
    CapRejected,
    DispatchError,
    GeoRefused,
    ImportRejected,
    InvalidInput,
)
from dashboard.importer import import_incidents
from dashboard.layers import import_layer
from dashboard.setup import prepare_database
from dashboard.worker import run_cli

CLI_ACTOR = Actor(username="cli", role=ADMIN, full_name=labels.CLI_ACTOR_NAME)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = load_settings()
    engine = make_engine(args.database_url or settings.database_url)
    try:
        return args.handler(engine, args, settings)
    except ImportRejected as error:
        print(labels.CLI_REFUSED.format(error=error), file=sys.stderr)
        for problem in error.problems[1:50]:
            print(f"  {problem}", file=sys.stderr)
        print(labels.CLI_NOTHING_CHANGED, file=sys.stderr)
        return 1
    except DispatchError as error:
        print(labels.CLI_FAILED.format(error=error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Siaga 112 Kota Pekalongan: database, demo data and import commands.",
    )
    parser.add_argument("--database-url", help="overrides DATABASE_URL (default: embedded SQLite)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    cmd = sub.add_parser("init-db", help="create or migrate the schema and load the catalogue")
    cmd.add_argument("--no-demo", action="store_true", help="do not seed demo users and history")
    cmd.set_defaults(handler=_init_db)

    cmd = sub.add_parser("seed-demo", help="add deterministic demo history (default 12 months)")
    cmd.add_argument("--days", type=int, default=365, help="days of history (default 365)")
    cmd.add_argument("--seed", type=int, default=112, help="random seed (default 112)")
    cmd.add_argument("--per-day", type=float, default=24.0, help="mean calls per day (default 24)")
    cmd.set_defaults(handler=_seed_demo)

    cmd = sub.add_parser("simulate", help="live feed for demos/training until stopped (Ctrl+C)")
    cmd.add_argument("--rate", type=float, default=2.0, help="new calls per minute (default 2)")
    cmd.add_argument("--duration", type=float, default=None, help="stop after N seconds")
    cmd.add_argument("--seed", type=int, default=None, help="random seed")
    cmd.set_defaults(handler=_simulate)

    cmd = sub.add_parser(
        "import-incidents", help="import incidents from the 112 platform (JSON/CSV)"
    )
    cmd.add_argument(
        "file",
        type=Path,
        help="a .json list or .csv with external_id, received_at, "
        "category, kondisi, lat, lon, address, caller_phone",
    )
    cmd.set_defaults(handler=_import_incidents)

    cmd = sub.add_parser(
        "import-cap", help="import CAP 1.2 warnings: a CAP file or URL, or an RSS/Atom index"
    )
    cmd.add_argument("source", help="a .xml file, an http(s) URL, or an RSS/Atom index of links")
    cmd.set_defaults(handler=_import_cap)

    cmd = sub.add_parser(
        "import-layer", help="replace a map layer from GeoJSON/GeoPackage/Shapefile"
    )
    cmd.add_argument(
        "--layer", required=True, choices=["flood_zones", "kelurahan", "kecamatan", "facilities"]
    )
    cmd.add_argument("file", type=Path)
    cmd.set_defaults(handler=_import_layer)

    cmd = sub.add_parser("create-user", help="add a user (the first admin, for instance)")
    cmd.add_argument("username")
    cmd.add_argument("--role", required=True, choices=[r for r in ROLES if r != WALL])
    cmd.add_argument("--name", default="", help="full name")
    cmd.add_argument("--opd", default=None, help="OPD code (for opd_admin)")
    cmd.add_argument(
        "--password-env",
        default=None,
        help="read the password from this environment variable instead of a prompt",
    )
    cmd.set_defaults(handler=_create_user)

    cmd = sub.add_parser("create-display-token", help="a token URL for a wall display")
    cmd.add_argument("--name", default=labels.CLI_DEFAULT_DISPLAY_NAME)
    cmd.set_defaults(handler=_create_display_token)

    cmd = sub.add_parser(
        "worker", help="deliver webhook/email messages and run escalations until stopped"
    )
    cmd.add_argument(
        "--worker-id", default=None, help="name in the delivery log (default host:pid)"
    )
    cmd.set_defaults(handler=_worker)

    cmd = sub.add_parser("api-key", help="API keys of the 112 platform (create, revoke, list)")
    keys = cmd.add_subparsers(dest="api_key_command", metavar="ACTION", required=True)
    action = keys.add_parser("create", help="a new key (shown once) for a source")
    action.add_argument("name", help="the source, e.g. 'Platform 112 Kominfo'")
    action.add_argument(
        "--scope",
        action="append",
        choices=SCOPES,
        help="what the key may do (repeatable; default intake): eido reads and sends EIDO "
        "documents, eido.phone adds the caller's phone to the documents it reads",
    )
    action.set_defaults(handler=_api_key_create)
    action = keys.add_parser("revoke", help="close a key: its next request is refused (401)")
    action.add_argument("id", type=int, help="the key's id (see api-key list)")
    action.set_defaults(handler=_api_key_revoke)
    action = keys.add_parser("list", help="every key: id, prefix, name, dates")
    action.set_defaults(handler=_api_key_list)

    cmd = sub.add_parser("export-eido", help="incidents as NENA EIDO JSON documents")
    target = cmd.add_mutually_exclusive_group(required=True)
    target.add_argument("code", nargs="?", help="one incident, e.g. 112-20260310-0001")
    target.add_argument(
        "--since", help="every incident received from this WIB day on (YYYY-MM-DD): a list"
    )
    cmd.add_argument("--out", type=Path, help="write to this file (default: print)")
    cmd.add_argument("--with-phone", action="store_true", help="include the caller's phone number")
    cmd.set_defaults(handler=_export_eido)

    cmd = sub.add_parser(
        "import-eido", help="record the incidents of EIDO documents (a neighbour's CAD)"
    )
    cmd.add_argument(
        "file",
        type=Path,
        help="one EIDO document or a list (as export-eido --since writes); each is imported "
        "on its own and a document already imported is skipped, so a refused file can be "
        "run again once fixed",
    )
    cmd.set_defaults(handler=_import_eido)

    _add_maintenance(sub)
    return parser


def _add_maintenance(sub) -> None:
    backup.add_commands(sub)


def _worker(engine, args, settings) -> int:
    return run_cli(engine, worker_id=args.worker_id, cap_url=settings.cap_url)


def _init_db(engine, args, settings) -> int:
    prepare_database(
        engine, demo_mode=settings.demo and not args.no_demo, retire_demo=not settings.demo
    )
    print(labels.CLI_DB_READY)
    return 0


def _seed_demo(engine, args, settings) -> int:
    prepare_database(engine, demo_mode=False)
    count = demo.seed_demo(engine, days=args.days, seed=args.seed, calls_per_day=args.per_day)
    print(labels.CLI_DEMO_SEEDED.format(count=count))
    return 0


def _simulate(engine, args, settings) -> int:
    prepare_database(engine, demo_mode=settings.demo)
    print(labels.CLI_SIMULATING.format(rate=args.rate))
    count = demo.simulate(
        engine, rate_per_min=args.rate, duration_s=args.duration, seed=args.seed, on_event=print
    )
    print(labels.CLI_SIMULATED.format(count=count))
    return 0


def _import_incidents(engine, args, settings) -> int:
    prepare_database(engine, demo_mode=False)
    result = import_incidents(engine, CLI_ACTOR, args.file)
    print(labels.CLI_IMPORTED.format(inserted=result.inserted, skipped=result.skipped_existing))
    return 0


def _import_cap(engine, args, settings) -> int:
    prepare_database(engine, demo_mode=False)
    try:
        result = cap.import_source(engine, args.source)
    except CapRejected as error:
        print(labels.CLI_REFUSED.format(error=error), file=sys.stderr)
        print(labels.CAP_IMPORT_NOTHING_STORED, file=sys.stderr)
        return 1
    for line in cap.result_lines(result):
        print(line)
    return 1 if result.refused else 0


def _import_layer(engine, args, settings) -> int:
    prepare_database(engine, demo_mode=False)
    try:
        count = import_layer(engine, CLI_ACTOR, args.layer, args.file)
    except GeoRefused as error:
        print(labels.CLI_REFUSED.format(error=error), file=sys.stderr)
        print(labels.CLI_LAYER_KEPT, file=sys.stderr)
        return 1
    print(labels.CLI_LAYER_REPLACED.format(layer=args.layer, count=count))
    return 0


def _create_user(engine, args, settings) -> int:
    prepare_database(engine, demo_mode=False)
    if args.password_env:
        password = os.environ.get(args.password_env, "")
    else:
        password = getpass.getpass(labels.CLI_PASSWORD)
        if password != getpass.getpass(labels.CLI_PASSWORD_AGAIN):
            print(labels.CLI_PASSWORD_MISMATCH, file=sys.stderr)
            return 1
    create_user(
        engine,
        CLI_ACTOR,
        username=args.username,
        full_name=args.name,
        password=password,
        role=args.role,
        opd_code=args.opd,
    )
    print(labels.CLI_USER_CREATED.format(username=args.username, role=args.role))
    return 0


def _create_display_token(engine, args, settings) -> int:
    prepare_database(engine, demo_mode=False)
    token = create_display_token(engine, CLI_ACTOR, name=args.name)
    print(labels.CLI_TOKEN_ONCE)
    print(token)
    print(labels.CLI_TOKEN_URL.format(token=token))
    return 0


def _api_key_create(engine, args, settings) -> int:
    prepare_database(engine, demo_mode=False)
    scopes = tuple(dict.fromkeys(args.scope or ("intake",)))
    key_id, key = apikeys.create_key(engine, CLI_ACTOR, name=args.name, scopes=scopes)
    print(labels.CLI_KEY_CREATED.format(key_id=key_id))
    print(key)
    print(labels.CLI_KEY_HEADER)
    return 0


def _export_eido(engine, args, settings) -> int:
    if args.since:
        try:
            day = date.fromisoformat(args.since)
        except ValueError:
            raise InvalidInput(labels.ERR_EIDO_SINCE.format(value=args.since[:40])) from None
        start, _end = wib_days_utc(day, None)
        data: object = eido.export_since(engine, start, include_phone=args.with_phone)
        if not data:
            print(labels.EIDO_CLI_NONE.format(since=args.since), file=sys.stderr)
    else:
        data = eido.export_incident(engine, args.code, include_phone=args.with_phone)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.out is None:
        print(text)
        return 0
    args.out.write_text(text + "\n", encoding="utf-8")
    count = len(data) if isinstance(data, list) else 1
    print(labels.EIDO_CLI_WRITTEN.format(count=count, path=args.out))
    return 0


def _import_eido(engine, args, settings) -> int:
    prepare_database(engine, demo_mode=False)
    try:
        raw = args.file.read_bytes()
    except OSError as error:
        raise ImportRejected(labels.ERR_IMPORT_FILE.format(reason=type(error).__name__)) from None
    data = eido.load_document(raw, limit_bytes=eido.MAX_FILE_BYTES)
    documents = data if isinstance(data, list) else [data]
    if not documents or not all(isinstance(d, dict) for d in documents):
        raise InvalidInput(labels.ERR_EIDO_FILE_SHAPE)
    for index, document in enumerate(documents, start=1):
        try:
            result = eido.import_document(engine, document, actor=CLI_ACTOR)
        except DispatchError:
            if len(documents) > 1:
                print(labels.EIDO_CLI_STOPPED.format(index=index), file=sys.stderr)
            raise
        done = labels.EIDO_CLI_CREATED if result.created else labels.EIDO_CLI_REPLAYED
        print(done.format(eido_id=result.eido_id, code=result.code, status=result.status))
    return 0


def _api_key_revoke(engine, args, settings) -> int:
    apikeys.revoke_key(engine, CLI_ACTOR, args.id)
    print(labels.CLI_KEY_REVOKED.format(key_id=args.id))
    return 0


def _api_key_list(engine, args, settings) -> int:
    keys = apikeys.list_keys(engine, CLI_ACTOR)
    if keys.empty:
        print(labels.CLI_NO_KEYS)
        return 0
    for row in keys.itertuples():
        revoked = (
            labels.CLI_KEY_REVOKED_AT.format(when=format_wib(row.revoked_at_utc))
            if _given(row.revoked_at_utc)
            else labels.CLI_KEY_ACTIVE
        )
        used = format_wib(row.last_used_at_utc) if _given(row.last_used_at_utc) else "-"
        print(
            labels.CLI_KEY_LINE.format(
                id=row.id,
                prefix=row.key_prefix,
                name=row.name,
                scopes=row.scopes,
                created=format_wib(row.created_at_utc),
                revoked=revoked,
                used=used,
            )
        )
    return 0


def _given(value) -> bool:
    return value is not None and not pd.isna(value)
