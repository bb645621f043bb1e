"""The closed set of errors the services raise; each carries its Indonesian message."""

from __future__ import annotations


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
