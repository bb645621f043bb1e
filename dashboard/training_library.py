"""Latihan's library: the SOP cards and scenarios of data/latihan/, read, checked and written back.

Every refusal is a TrainingDataRejected naming the scenario or card and the field at fault, so an
admin editing the JSON (or adding a scenario on the page) reads what to fix, never a traceback.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from dashboard import labels
from dashboard.domain import normalise_phone
from dashboard.errors import InvalidInput, TrainingDataRejected
from dashboard.training_rules import (
    DISTRACTORS,
    SOP_QUESTIONS,
    OpenIncident,
    Scenario,
    SopCard,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_CARDS = DATA_DIR / "latihan" / "sop_cards.json"
DEFAULT_SCENARIOS = DATA_DIR / "latihan" / "scenarios.json"
KINDS = ("call", "opd")
LOCATION_HINTS = ("alamat", "nama_lama", "landmark", "laut")

# field -> (type key of labels.TRAINING_LIB_TYPE_NAME, required). An optional field left out
# takes the dataclass's default, or _SCENARIO_ABSENT's where the dataclass has none (an OPD
# drill has no caller's answers).
_SCENARIO_FIELDS = {
    "code": ("text", True),
    "title": ("text", True),
    "kind": ("text", True),
    "opening": ("text", True),
    "answers": ("answers", False),
    "caller_phone": ("text", False),
    "category_code": ("opt_text", False),
    "opd_code": ("opt_text", False),
    "lat": ("number", True),
    "lon": ("number", True),
    "location_hint": ("text", True),
    "at_sea": ("bool", False),
    "tolerance_m": ("int", False),
    "distractor": ("opt_text", False),
    "duplicate_of": ("opt_text", False),
    "open_incidents": ("incidents", False),
    "assigned_opd": ("opt_text", False),
    "target_ack_s": ("int", False),
    "target_handle_s": ("int", False),
    "target_resolve_s": ("int", False),
    "kelurahan": ("opt_text", False),
    "source": ("text", False),
}
_SCENARIO_ABSENT = {"answers": {}, "caller_phone": "", "category_code": None, "opd_code": None}
_CARD_FIELDS = {
    "category_code": ("text", True),
    "ask": ("texts", True),
    "opd_code": ("text", True),
    "posts": ("texts", True),
    "target_forward_s": ("int", True),
    "target_ack_s": ("int", True),
    "mistakes": ("texts", True),
    "note": ("text", False),
}
_INCIDENT_FIELDS = ("code", "category_code", "place", "received")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
_INCIDENT_CODE = re.compile(r"112-\d{8}-\d{4}")


def load_cards(
    path: str | Path = DEFAULT_CARDS,
    overrides: Iterable[Mapping] = (),
    *,
    categories: set[str] | None = None,
    opds: set[str] | None = None,
) -> dict[str, SopCard]:
    """category_code -> SOP card: the file's cards, each replaced by the admin's edit if any.

    `categories` / `opds` default to the codes of data/categories.csv and data/opds.csv.
    """
    categories, opds = _catalogue_defaults(categories, opds)
    cards = _read_library(
        path, overrides, from_json=card_from_json, key="category_code", what=_card_what
    )
    for card in cards.values():
        validate_card(card, categories, opds)
    return cards


def load_scenarios(
    path: str | Path = DEFAULT_SCENARIOS,
    extra: Iterable[Mapping] = (),
    *,
    categories: set[str] | None = None,
    opds: set[str] | None = None,
) -> dict[str, Scenario]:
    """code -> scenario: the file's scenarios, then the admin-added ones (a code already taken
    is refused). `categories` / `opds` default to the catalogue files' codes."""
    categories, opds = _catalogue_defaults(categories, opds)
    scenarios = _read_library(
        path,
        extra,
        from_json=scenario_from_json,
        key="code",
        what=_scenario_what,
        added_taken=labels.TRAINING_LIB_EXTRA_EXISTS,
    )
    for scenario in scenarios.values():
        validate_scenario(scenario, categories, opds)
    return scenarios


def scenario_from_json(obj: Any, *, index: int = 0, source: str = "JSON") -> Scenario:
    """A Scenario from its JSON object; types, required fields, kind, ranges and the SOP answers
    checked (the catalogue codes are validate_scenario's job)."""
    what = _what(obj, index, source, _scenario_what)
    values = _SCENARIO_ABSENT | _checked_fields(obj, _SCENARIO_FIELDS, what)
    if "open_incidents" in values:
        values["open_incidents"] = tuple(OpenIncident(**item) for item in values["open_incidents"])
    values["answers"] = dict(values["answers"])
    scenario = Scenario(**values)
    _check_scenario_values(scenario)
    return scenario


def card_from_json(obj: Any, *, index: int = 0, source: str = "JSON") -> SopCard:
    """An SOP card from its JSON object; types, required fields and targets checked."""
    what = _what(obj, index, source, _card_what)
    values = _checked_fields(obj, _CARD_FIELDS, what, key="category_code")
    for name in ("ask", "posts", "mistakes"):
        values[name] = tuple(values[name])
    card = SopCard(**values)
    _check_card_values(card)
    return card


def scenario_to_json(s: Scenario) -> dict:
    """The JSON object of a scenario (scenario_from_json reads it back equal)."""
    obj = {f.name: getattr(s, f.name) for f in fields(Scenario)}
    obj["answers"] = dict(s.answers)
    obj["open_incidents"] = [
        {name: getattr(item, name) for name in _INCIDENT_FIELDS} for item in s.open_incidents
    ]
    return obj


def card_to_json(c: SopCard) -> dict:
    """The JSON object of an SOP card (card_from_json reads it back equal)."""
    obj = {f.name: getattr(c, f.name) for f in fields(SopCard)}
    for name in ("ask", "posts", "mistakes"):
        obj[name] = list(obj[name])
    return obj


def validate_scenario(s: Scenario, categories: set[str], opds: set[str]) -> None:
    """Refuse a scenario whose values or catalogue codes are wrong (TrainingDataRejected)."""
    _check_scenario_values(s)
    what = _scenario_what(s.code)
    if s.category_code is not None and s.category_code not in categories:
        _refuse(
            labels.TRAINING_LIB_UNKNOWN_CATEGORY, what, value=s.category_code, field="category_code"
        )
    for name in ("opd_code", "assigned_opd"):
        value = getattr(s, name)
        if value is not None and value not in opds:
            _refuse(labels.TRAINING_LIB_UNKNOWN_OPD, what, value=value, field=name)
    for item in s.open_incidents:
        if item.category_code not in categories:
            _refuse(
                labels.TRAINING_LIB_UNKNOWN_CATEGORY,
                what,
                value=item.category_code,
                field="open_incidents.category_code",
            )


def validate_card(c: SopCard, categories: set[str], opds: set[str]) -> None:
    """Refuse an SOP card whose values or catalogue codes are wrong (TrainingDataRejected)."""
    _check_card_values(c)
    what = _card_what(c.category_code)
    if c.category_code not in categories:
        _refuse(
            labels.TRAINING_LIB_UNKNOWN_CATEGORY, what, value=c.category_code, field="category_code"
        )
    if c.opd_code not in opds:
        _refuse(labels.TRAINING_LIB_UNKNOWN_OPD, what, value=c.opd_code, field="opd_code")


def _refuse(template: str, what: str, **values: Any) -> None:
    raise TrainingDataRejected(template.format(what=what, **values))


def _scenario_what(code: str) -> str:
    return labels.TRAINING_LIB_SCENARIO.format(code=code)


def _card_what(code: str) -> str:
    return labels.TRAINING_LIB_CARD.format(code=code)


def _what(obj: Any, index: int, source: str, named) -> str:
    """Who is at fault: the object's own code when it has a usable one, else its position."""
    key = "code" if named is _scenario_what else "category_code"
    code = obj.get(key) if isinstance(obj, Mapping) else None
    if isinstance(code, str) and code.strip():
        return named(code[:40])
    return labels.TRAINING_LIB_ITEM.format(index=index + 1, source=source)


def _read_list(path: Path) -> list:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        _refuse(labels.TRAINING_LIB_UNREADABLE, "", file=path.name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        _refuse(
            labels.TRAINING_LIB_BAD_JSON, "", file=path.name, line=error.lineno, column=error.colno
        )
    except RecursionError:
        _refuse(labels.TRAINING_LIB_UNREADABLE, "", file=path.name)
    if not isinstance(data, list):
        _refuse(labels.TRAINING_LIB_NOT_LIST, "", file=path.name)
    return data


def _catalogue_codes(name: str) -> set[str]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def _catalogue_defaults(
    categories: set[str] | None, opds: set[str] | None
) -> tuple[set[str], set[str]]:
    """The codes given, or those of data/categories.csv and data/opds.csv."""
    categories = _catalogue_codes("categories.csv") if categories is None else categories
    opds = _catalogue_codes("opds.csv") if opds is None else opds
    return categories, opds


def _read_library(
    path: str | Path,
    added: Iterable[Mapping],
    *,
    from_json: Callable[..., Any],
    key: str,
    what: Callable[[str], str],
    added_taken: str | None = None,
) -> dict[str, Any]:
    """key -> item: the file's items (a code twice is refused), then the added ones, each
    replacing the file's item of its code, or refused with `added_taken` when one is given."""
    items: dict[str, Any] = {}
    for index, obj in enumerate(_read_list(Path(path))):
        item = from_json(obj, index=index, source=Path(path).name)
        code = getattr(item, key)
        if code in items:
            _refuse(labels.TRAINING_LIB_DUPLICATE_CODE, what(code))
        items[code] = item
    for index, obj in enumerate(added):
        item = from_json(obj, index=index, source=labels.TRAINING_LIB_EXTRA)
        code = getattr(item, key)
        if added_taken is not None and code in items:
            _refuse(added_taken, what(code))
        items[code] = item
    return items


def _checked_fields(
    obj: Any, spec: Mapping[str, tuple[str, bool]], what: str, *, key: str = "code"
) -> dict[str, Any]:
    if not isinstance(obj, Mapping):
        _refuse(labels.TRAINING_LIB_NOT_OBJECT, what)
    for name in obj:
        if name not in spec:
            _refuse(labels.TRAINING_LIB_UNKNOWN_FIELD, what, field=str(name)[:40])
    values: dict[str, Any] = {}
    for name, (kind, required) in spec.items():
        if name not in obj:
            if required:
                _refuse(labels.TRAINING_LIB_MISSING, what, field=name)
            continue
        value = obj[name]
        if not _is_type(value, kind):
            expected = labels.TRAINING_LIB_TYPE_NAME[kind]
            _refuse(labels.TRAINING_LIB_TYPE, what, field=name, expected=expected)
        values[name] = float(value) if kind == "number" else value
    if not values[key].strip():
        _refuse(labels.TRAINING_LIB_EMPTY, what, field=key)
    return values


def _is_type(value: Any, kind: str) -> bool:
    if kind == "text":
        return isinstance(value, str)
    if kind == "opt_text":
        return value is None or isinstance(value, str)
    if kind == "number":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number and math.isfinite(value)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "texts":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if kind == "answers":
        return isinstance(value, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )
    if kind == "incidents":
        return isinstance(value, list) and all(
            isinstance(item, Mapping)
            and set(item) == set(_INCIDENT_FIELDS)
            and all(isinstance(v, str) for v in item.values())
            for item in value
        )
    msg = f"unknown field type {kind!r}"
    raise ValueError(msg)


def _check_scenario_values(s: Scenario) -> None:
    what = _scenario_what(s.code)
    if not _CODE.fullmatch(s.code):
        _refuse(labels.TRAINING_LIB_CODE, what)
    for name in ("title", "opening"):
        if not getattr(s, name).strip():
            _refuse(labels.TRAINING_LIB_EMPTY, what, field=name)
    if s.kind not in KINDS:
        _refuse(labels.TRAINING_LIB_KIND, what, value=s.kind[:20])
    for name, limit in (("lat", 90), ("lon", 180)):
        value = getattr(s, name)
        if not (isinstance(value, int | float) and math.isfinite(value)) or abs(value) > limit:
            _refuse(
                labels.TRAINING_LIB_RANGE, what, field=name, value=value, low=-limit, high=limit
            )
    if s.location_hint not in LOCATION_HINTS:
        _refuse(labels.TRAINING_LIB_HINT, what, value=s.location_hint[:20])
    if s.distractor is not None and s.distractor not in DISTRACTORS:
        _refuse(labels.TRAINING_LIB_DISTRACTOR, what, value=s.distractor[:20])
    for name in ("tolerance_m", "target_ack_s", "target_handle_s", "target_resolve_s"):
        if getattr(s, name) <= 0:
            _refuse(labels.TRAINING_LIB_POSITIVE, what, field=name)
    if s.distractor != "PRANK" and (s.category_code is None or s.opd_code is None):
        _refuse(labels.TRAINING_LIB_NO_TRUTH, what)
    for item in s.open_incidents:
        if not _INCIDENT_CODE.fullmatch(item.code):
            _refuse(labels.TRAINING_LIB_INCIDENT_CODE, what, value=item.code[:30])
    if s.distractor == "DUPLICATE" and s.duplicate_of not in {i.code for i in s.open_incidents}:
        _refuse(labels.TRAINING_LIB_DUPLICATE_OF, what)
    if s.kind == "call":
        _check_answers(s, what)
    elif s.assigned_opd is None:
        _refuse(labels.TRAINING_LIB_NO_ASSIGNED_OPD, what)


def _check_answers(s: Scenario, what: str) -> None:
    for question in s.answers:
        if question not in SOP_QUESTIONS:
            _refuse(labels.TRAINING_LIB_UNKNOWN_QUESTION, what, question=question[:20])
    for question in SOP_QUESTIONS:
        if not s.answers.get(question, "").strip():
            _refuse(labels.TRAINING_LIB_MISSING_ANSWER, what, question=question)
    try:
        normalise_phone(s.caller_phone)
    except InvalidInput:
        _refuse(labels.TRAINING_LIB_PHONE, what, value=s.caller_phone[:30])
    if s.caller_phone not in s.answers["NOMOR"]:
        _refuse(labels.TRAINING_LIB_PHONE_NOT_IN_ANSWER, what, value=s.caller_phone)


def _check_card_values(c: SopCard) -> None:
    what = _card_what(c.category_code)
    for name in ("ask", "posts"):
        if not any(item.strip() for item in getattr(c, name)):
            _refuse(labels.TRAINING_LIB_EMPTY, what, field=name)
    for name in ("target_forward_s", "target_ack_s"):
        if getattr(c, name) <= 0:
            _refuse(labels.TRAINING_LIB_POSITIVE, what, field=name)
