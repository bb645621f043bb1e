"""The closed set of errors the services raise; each carries its Indonesian message.

One root: everything a page, the CLI or the API catches is a DispatchError. geo/ is a pure
library with its own root (geo.errors.GeoError) and never imports dashboard, so a geo refusal
is translated once, at the service boundary: a service that calls geo in a way that can refuse
(a layer file, the road file, the city's data, a place search) does it inside `geo_boundary()`,
which re-raises any GeoError as a GeoRefused carrying the same Indonesian message (str(error)).
A service may instead absorb or refine a geo refusal right at its call (a point that cannot be
located is just no kelurahan; a bad CAP polygon becomes a CapRejected naming the area). Above
the services nothing names a geo error class.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from geo.errors import GeoError, RoadGraphError


class DispatchError(ValueError):
    """Base class: a refusal the user can act on. str(error) is the Indonesian message."""


class InvalidInput(DispatchError):
    pass


class UnknownReference(InvalidInput):
    pass


class OutsideServiceArea(InvalidInput):
    pass


class InvalidTransition(DispatchError):
    pass


class PermissionDenied(DispatchError):
    pass


class NotFound(DispatchError):
    pass


class StaleVersion(DispatchError):
    """Someone changed the incident after the user loaded it (optimistic concurrency)."""


class ImportRejected(DispatchError):
    """A whole import file was refused; `problems` lists every bad line."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class AuthError(DispatchError):
    pass


class BackupError(DispatchError):
    """A backup or restore was refused or failed; nothing was overwritten."""


class ApiRefused(DispatchError):
    """An intake API request refused: its HTTP status, the field at fault, every bad item.

    `errors` holds one {"index", "external_id", "field", "galat"} per bad item of a batch.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 422,
        field: str | None = None,
        errors: list[dict] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.errors = errors or []


class CapRejected(DispatchError):
    """A CAP document or index refused (malformed, hostile, incomplete); nothing was stored."""


class CapUnreachable(DispatchError):
    """A CAP source could not be fetched (network, HTTP status, timeout); the alerts stay."""


class TrainingDataRejected(InvalidInput):
    """A Latihan scenario or SOP card refused (bad JSON, wrong type, unknown code); not loaded."""


class GeoRefused(DispatchError):
    """A geo refusal translated at a service boundary; str(error) is geo's Indonesian message."""


class RoadFileRefused(GeoRefused, RoadGraphError):
    """The road file cannot be used; also a geo RoadGraphError, the road loader's own contract."""


@contextmanager
def geo_boundary() -> Iterator[None]:
    """Run a call into geo; a GeoError leaves as its GeoRefused, with the same message."""
    try:
        yield
    except GeoError as error:
        if isinstance(error, DispatchError):  # already translated by an inner boundary
            raise
        raise _translated(error) from error


def _translated(error: GeoError) -> GeoRefused:
    kind = RoadFileRefused if isinstance(error, RoadGraphError) else GeoRefused
    return kind(str(error))
