"""Errors services raise; pages show their message next to what caused it."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule refused the request. `field` names the input at fault, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(ServiceError):
    """Bad input: one or more fields. `errors` maps field name to message."""

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, first_field)
        self.errors = dict(errors)


class PermissionDenied(ServiceError):
    """The actor may not do this. Already audited when raised by permissions.require."""

    def __init__(self, message: str = "You do not have access to that."):
        super().__init__(message)


class NotFound(ServiceError):
    pass


class StaleEdit(ServiceError):
    """Someone saved this record after the page was opened: the save was refused and
    nothing changed. `changed_by` is their full name ("" when unknown), `changed_at`
    the UTC moment and `local_time` how the message shows it (program-local)."""

    def __init__(self, message: str, *, changed_by: str, changed_at, local_time: str):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.local_time = local_time
