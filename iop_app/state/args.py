"""Checking what the browser sends. Any handler can be called with any
arguments, so every value is re-checked here before a service sees it
(the services check the rules again)."""

from __future__ import annotations

from datetime import date, time

from ..services.errors import PermissionDenied


def as_int(value, low: int = 0, high: int = 2**31 - 1) -> int | None:
    """A whole number within [low, high], or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def record_id(value) -> int:
    """The id of a record the page listed, sent back by the browser. Anything that is
    not an id is refused like an id the actor may not use (PermissionDenied)."""
    number = as_int(value, 1)
    if number is None:
        raise PermissionDenied()
    return number


def as_float(value, low: float, high: float) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    if number != number or not low <= number <= high:  # NaN or out of range
        return None
    return number


def as_text(value, limit: int) -> str | None:
    """Stripped text of at most `limit` characters, or None when it is not text or too long."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if len(value) <= limit else None


def _iso(value, longest: int, parse):
    """`parse(value)` for ISO text of at most `longest` characters, or None."""
    if not isinstance(value, str) or len(value) > longest:
        return None
    try:
        return parse(value)
    except ValueError:
        return None


def as_date(value) -> date | None:
    """A calendar date ("2026-05-01"), or None."""
    return _iso(value, 10, date.fromisoformat)


def as_time(value) -> time | None:
    """A time of day ("09:30", "09:30:00"), or None."""
    return _iso(value, 8, time.fromisoformat)


def form_dict(form) -> dict:
    """The submitted form, or an empty dict for anything that is not one."""
    return form if isinstance(form, dict) else {}
