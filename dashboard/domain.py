"""Pure dispatch rules: statuses, transitions, roles, routing, phone numbers, overdue checks."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboard import labels
from dashboard.errors import InvalidInput, InvalidTransition, PermissionDenied

WIB = ZoneInfo("Asia/Jakarta")

BARU, DITERUSKAN, DITERIMA, DITANGANI, SELESAI, DIBATALKAN = (
    "BARU",
    "DITERUSKAN",
    "DITERIMA",
    "DITANGANI",
    "SELESAI",
    "DIBATALKAN",
)
STATUSES = (BARU, DITERUSKAN, DITERIMA, DITANGANI, SELESAI, DIBATALKAN)
OPEN_STATUSES = (BARU, DITERUSKAN, DITERIMA, DITANGANI)
CLOSED_STATUSES = (SELESAI, DIBATALKAN)

TRANSITIONS: Mapping[str, frozenset[str]] = {
    BARU: frozenset({DITERUSKAN, DIBATALKAN}),
    DITERUSKAN: frozenset({DITERIMA, DIBATALKAN}),
    # An OPD may close a report it acknowledged without sending a unit (e.g. handled by phone).
    DITERIMA: frozenset({DITANGANI, SELESAI, DIBATALKAN}),
    DITANGANI: frozenset({SELESAI, DIBATALKAN}),
    # The only ways out of a closed status are reopenings (a supervisor, with a reason), and
    # reopen_target picks which one: nothing else may leave SELESAI or DIBATALKAN. A report
    # cancelled before it reached an OPD (a quick-closed "prank" that was real) starts again as
    # BARU and must be forwarded; one that had an OPD, and a resolved one, go back to that OPD
    # as DITERUSKAN and its acknowledgement starts over (BARU when that OPD is no longer active).
    SELESAI: frozenset({DITERUSKAN, BARU}),
    DIBATALKAN: frozenset({BARU, DITERUSKAN}),
}
STATUS_TIME_COLUMN = {
    DITERUSKAN: "forwarded_at_utc",
    DITERIMA: "acknowledged_at_utc",
    DITANGANI: "handling_at_utc",
    SELESAI: "resolved_at_utc",
    DIBATALKAN: "cancelled_at_utc",
}
CANCEL_REASONS = ("PRANK", "GHOST", "DUPLIKAT", "BUKAN_DARURAT")
NUISANCE_REASONS = ("PRANK", "GHOST", "BUKAN_DARURAT")

CALL_TAKER, OPD_ADMIN, SUPERVISOR, LEADERSHIP, ADMIN, WALL = (
    "call_taker",
    "opd_admin",
    "supervisor",
    "leadership",
    "admin",
    "wall",
)
ROLES = (CALL_TAKER, OPD_ADMIN, SUPERVISOR, LEADERSHIP, ADMIN, WALL)

# Which role may do what. OPD admins act only on incidents of their own OPD (checked apart).
PERMISSIONS: Mapping[str, frozenset[str]] = {
    "create": frozenset({CALL_TAKER, SUPERVISOR}),
    "forward": frozenset({CALL_TAKER, SUPERVISOR}),
    "acknowledge": frozenset({OPD_ADMIN, SUPERVISOR}),
    "handle": frozenset({OPD_ADMIN, SUPERVISOR}),
    "resolve": frozenset({OPD_ADMIN, SUPERVISOR}),
    "cancel": frozenset({CALL_TAKER, SUPERVISOR}),
    "reassign": frozenset({SUPERVISOR}),
    "reopen": frozenset({SUPERVISOR}),
    "see_phone": frozenset({CALL_TAKER, OPD_ADMIN, SUPERVISOR}),
    "import": frozenset({ADMIN, SUPERVISOR}),
    "admin": frozenset({ADMIN}),
    "trends": frozenset({LEADERSHIP, SUPERVISOR, ADMIN}),
}
OPD_SCOPED_ACTIONS = frozenset({"acknowledge", "handle", "resolve"})


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    opd_code: str | None = None
    full_name: str = ""


SYSTEM = Actor(username="sistem", role=SUPERVISOR, full_name="Sistem")


def check_permission(actor: Actor, action: str, *, incident_opd: str | None = None) -> None:
    """Raise PermissionDenied unless `actor` may do `action` (on an incident of `incident_opd`)."""
    if actor.role not in PERMISSIONS.get(action, frozenset()):
        raise PermissionDenied(labels.ERR_PERMISSION.format(action=action))
    if actor.role == OPD_ADMIN and action in OPD_SCOPED_ACTIONS and incident_opd != actor.opd_code:
        raise PermissionDenied(labels.ERR_WRONG_OPD)


def can(actor: Actor, action: str) -> bool:
    return actor.role in PERMISSIONS.get(action, frozenset())


def check_transition(from_status: str, to_status: str, *, reopening: bool = False) -> None:
    """Raise InvalidTransition unless TRANSITIONS allows the step.

    Leaving a closed status is a reopening and nothing else: a forward or an acknowledgement
    sent against a resolved or cancelled report is refused, and a reopening of an open one too.
    """
    if reopening and from_status not in CLOSED_STATUSES:
        status = labels.STATUS.get(from_status, from_status)
        raise InvalidTransition(labels.ERR_REOPEN_NOT_CLOSED.format(status=status))
    closed = from_status in CLOSED_STATUSES
    if to_status not in TRANSITIONS.get(from_status, frozenset()) or closed != reopening:
        msg = labels.ERR_TRANSITION.format(
            from_status=labels.STATUS.get(from_status, from_status),
            to_status=labels.STATUS.get(to_status, to_status),
        )
        raise InvalidTransition(msg)


# A reassignment moves an incident that an OPD holds (forwarded, acknowledged or being handled)
# to another OPD; it lands as DITERUSKAN there and the acknowledgement starts over.
REASSIGNABLE_STATUSES = frozenset({DITERUSKAN, DITERIMA, DITANGANI})


def check_reassign(from_status: str) -> None:
    """Raise InvalidTransition unless an incident in `from_status` may move to another OPD."""
    if from_status not in REASSIGNABLE_STATUSES:
        msg = labels.ERR_TRANSITION.format(
            from_status=labels.STATUS.get(from_status, from_status),
            to_status=labels.ACTION["REASSIGN"],
        )
        raise InvalidTransition(msg)


def reopen_target(
    status: str, last_opd_code: str | None, *, opd_active: bool = True
) -> tuple[str, str | None]:
    """Where a closed incident goes when it is reopened: (status, OPD code or None).

    Back to its last OPD, unacknowledged (DITERUSKAN), when it had one that is still active;
    otherwise new (BARU) and to be forwarded. TRANSITIONS has the final word.
    """
    if last_opd_code and opd_active:
        target: tuple[str, str | None] = (DITERUSKAN, last_opd_code)
    else:
        target = (BARU, None)
    check_transition(status, target[0], reopening=True)
    return target


@dataclass(frozen=True)
class RoutingRule:
    category_code: str
    kecamatan: str | None
    opd_code: str


def route(category_code: str, kecamatan: str | None, rules: Iterable[RoutingRule]) -> str | None:
    """The OPD for a category at a place: a kecamatan override beats the city-wide default."""
    default = None
    for rule in rules:
        if rule.category_code != category_code:
            continue
        if rule.kecamatan is None:
            default = rule.opd_code
        elif kecamatan is not None and rule.kecamatan == kecamatan:
            return rule.opd_code
    return default


_PHONE_JUNK = re.compile(r"[\s().\-/]")


def normalise_phone(text: str) -> str:
    """An Indonesian phone number in national form (08..., 0285...); raise InvalidInput if not one.

    Accepts 08xx mobiles, +62 / 62 / 0062 prefixes and landlines with an area code such as
    (0285) 421580. Short service numbers (112, 110) are accepted as they are.
    """
    raw = (text or "").strip()
    # NFKC turns full-width digits into ASCII ones; the patterns below are ASCII-only so other
    # scripts' digits (which \d would match) are refused instead of stored as a "number".
    digits = _PHONE_JUNK.sub("", unicodedata.normalize("NFKC", raw))
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("0062"):
        digits = "0" + digits[4:]
    elif digits.startswith("62") and len(digits) >= 10:
        digits = "0" + digits[2:]
    if re.fullmatch(r"1[0-9]{2}", digits):
        return digits
    mobile = re.fullmatch(r"08[1-9][0-9]{7,10}", digits)
    landline = re.fullmatch(r"0[2-79][0-9]{6,11}", digits) and 9 <= len(digits) <= 12
    if not (mobile or landline):
        raise InvalidInput(labels.ERR_PHONE.format(value=raw[:40] or "(kosong)"))
    return digits


def mask_phone(phone: str | None) -> str:
    """Shared screens show only the first four and last two digits: 0812******78."""
    if not phone:
        return ""
    if len(phone) <= 6:
        return phone[:1] + "*" * (len(phone) - 1)
    return phone[:4] + "*" * (len(phone) - 6) + phone[-2:]


def clean_text(value: str | None, *, field: str, limit: int, required: bool = True) -> str:
    """Trimmed, NFC-normalised text; control characters (except newlines/tabs) refused."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if required and not text:
        raise InvalidInput(labels.ERR_REQUIRED.format(fields=field))
    if len(text) > limit:
        raise InvalidInput(labels.ERR_TEXT_TOO_LONG.format(field=field, limit=limit))
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise InvalidInput(labels.ERR_TEXT_CONTROL.format(field=field))
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise InvalidInput(labels.ERR_TEXT_CONTROL.format(field=field))
    return text


def incident_code(received_at_utc: datetime, seq: int) -> str:
    """Public code such as 112-20261128-0042: the WIB day of the call and its number that day."""
    return f"112-{wib_day(received_at_utc)}-{seq:04d}"


def wib_day(at_utc: datetime) -> str:
    return as_utc(at_utc).astimezone(WIB).strftime("%Y%m%d")


# A public code or its start: 112-2026, 112-202612, 112-20261201, 112-20261201-004.
_CODE_PREFIX = re.compile(r"112-(\d{4,7}|\d{8}(?:-\d{0,4})?)")
_FULL_CODE = re.compile(r"112-\d{8}-\d{4}")


def is_full_code(text: str) -> bool:
    return _FULL_CODE.fullmatch(text) is not None


def code_prefix_days(text: str) -> tuple[date, date] | None:
    """The first and last WIB day a code starting with `text` can have; None if not a code.

    The code carries the WIB day of the call (see incident_code), so a search by code needs
    only those days: 112-202612 -> 1 to 31 December 2026, 112-20261 -> 1 October to 31 December.
    A prefix no real day can have (112-202613) is None too.
    """
    match = _CODE_PREFIX.fullmatch(text)
    if match is None:
        return None
    digits = match.group(1)[:8]
    year = int(digits[:4])
    if year == 0:
        return None
    months = [m for m in range(1, 13) if f"{m:02d}".startswith(digits[4:6])]
    if not months:
        return None

    def days(month: int) -> list[int]:
        last = calendar.monthrange(year, month)[1]
        return [d for d in range(1, last + 1) if f"{d:02d}".startswith(digits[6:8])]

    first_days, last_days = days(months[0]), days(months[-1])
    if not first_days:
        return None
    return date(year, months[0], first_days[0]), date(year, months[-1], last_days[-1])


def wib_days_utc(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The stored (naive UTC) half-open range [start, end) of the WIB days first..last.

    Either end may be None (open). Refused when first is after last or outside the calendar.
    """
    if first is not None and last is not None and first > last:
        raise InvalidInput(labels.ERR_DATE_ORDER)
    try:
        start = None if first is None else naive_utc(datetime.combine(first, time(), WIB))
        end = (
            None
            if last is None
            else naive_utc(datetime.combine(last, time(), WIB) + timedelta(days=1))
        )
    except OverflowError:
        raise InvalidInput(labels.ERR_DATE_OUT_OF_RANGE) from None
    return start, end


def wib_today(now_utc: datetime) -> date:
    return as_utc(now_utc).astimezone(WIB).date()


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime from a naive-UTC (as stored) or aware one."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def naive_utc(value: datetime) -> datetime:
    """The storage form: naive datetime in UTC."""
    return as_utc(value).replace(tzinfo=None)


def py_datetime(value: object) -> datetime | None:
    """A frame's time value as a Python datetime (None for NULL, NaN or NaT): a pandas
    Timestamp becomes its datetime, without importing pandas here."""
    if value is None or value != value:  # noqa: PLR0124 - NaN and NaT are unequal to themselves
        return None
    to_python = getattr(value, "to_pydatetime", None)
    return to_python() if to_python is not None else value  # type: ignore[return-value]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def to_wib(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value).astimezone(WIB)


def format_wib(value: datetime | None, *, with_date: bool = True) -> str:
    if value is None:
        return "-"
    fmt = "%d-%m-%Y %H:%M:%S" if with_date else "%H:%M:%S"
    return to_wib(value).strftime(fmt)


def session_expired(last_activity_utc: datetime, *, now: datetime, idle_min: int) -> bool:
    """A signed-in session idle for longer than the limit is over."""
    return naive_utc(now) - naive_utc(last_activity_utc) > timedelta(minutes=idle_min)


@dataclass(frozen=True)
class Targets:
    forward_s: int = 60
    acknowledge_s: int = 180
    handling_s: int = 900
    resolve_s: int = 7200
    share: float = 0.9


# Why an open incident is late (overdue_reason); labels.OVERDUE has the words shown for each.
NOT_FORWARDED, NOT_ACKNOWLEDGED, NOT_HANDLED, NOT_RESOLVED = (
    "NOT_FORWARDED",
    "NOT_ACKNOWLEDGED",
    "NOT_HANDLED",
    "NOT_RESOLVED",
)


def overdue_reason(
    status: str,
    *,
    received_at_utc: datetime,
    assigned_at_utc: datetime | None,
    acknowledged_at_utc: datetime | None,
    now_utc: datetime,
    targets: Targets,
) -> str | None:
    """Why an open incident is late against its KPI target (a code), or None when on time.

    The acknowledgement is measured from `assigned_at_utc`, the current OPD's hand-off (a
    reassignment starts it again), not from the first forward.
    """
    now = naive_utc(now_utc)
    if status == BARU and now - received_at_utc > timedelta(seconds=targets.forward_s):
        return NOT_FORWARDED
    acknowledge_late = timedelta(seconds=targets.acknowledge_s)
    if status == DITERUSKAN and assigned_at_utc and now - assigned_at_utc > acknowledge_late:
        return NOT_ACKNOWLEDGED
    handling_late = timedelta(seconds=targets.handling_s)
    if status == DITERIMA and acknowledged_at_utc and now - acknowledged_at_utc > handling_late:
        return NOT_HANDLED
    if status in OPEN_STATUSES and now - received_at_utc > timedelta(seconds=targets.resolve_s):
        return NOT_RESOLVED
    return None


def row_overdue_reason(row: Any, *, now_utc: datetime, targets: Targets) -> str | None:
    """overdue_reason of an incident row: anything with the incident's columns as attributes."""
    return overdue_reason(
        row.status,
        received_at_utc=row.received_at_utc,
        assigned_at_utc=row.assigned_at_utc,
        acknowledged_at_utc=row.acknowledged_at_utc,
        now_utc=now_utc,
        targets=targets,
    )


def escalation_level_due(
    assigned_at_utc: datetime | None, now_utc: datetime, thresholds: tuple[int, int]
) -> int:
    """How far an incident still waiting for its OPD's acknowledgement should have escalated.

    0 before the first threshold (seconds since the current OPD got it), 1 from the first, 2 from
    the second. A worker that was down past both thresholds goes straight to 2 (one escalation,
    not two).
    """
    if assigned_at_utc is None:
        return 0
    waited = naive_utc(now_utc) - naive_utc(assigned_at_utc)
    first_s, second_s = thresholds
    if waited >= timedelta(seconds=max(first_s, second_s)):
        return 2
    if waited >= timedelta(seconds=first_s):
        return 1
    return 0
