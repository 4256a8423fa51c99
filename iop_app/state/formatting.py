"""How the pages show dates: one place, so every page says them the same way."""

from __future__ import annotations

from datetime import date

NONE = "—"  # shown for a date that is not set


def fmt_date(day: date | None) -> str:
    """'Mar 5, 2026' ("—" when unset)."""
    return day.strftime("%b %d, %Y").replace(" 0", " ") if day else NONE


def fmt_day(day: date | None) -> str:
    """With the weekday: 'Thu Mar 5, 2026' ("—" when unset)."""
    return day.strftime("%a %b %d, %Y").replace(" 0", " ") if day else NONE
