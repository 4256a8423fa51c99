"""Program settings (time zone, weekly hours target) and program-local time.

Times are stored in UTC; days a client lives by (check-in day, "this
week") are the program's local days.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlmodel import Session

from ..models import ProgramSetting, User, utcnow
from ..models.enums import NoteFormat
from . import audit
from .errors import PermissionDenied, ValidationError

DEFAULTS = {
    "timezone": os.environ.get("IOP_TIMEZONE", "America/Los_Angeles"),
    # ASAM level 2.1: at least 9 hours of structured services a week for adults.
    "weekly_hours_target": "9",
    "program_name": "Harbor Light IOP",
    # How long a therapist's emergency (break-glass) access lasts: services/break_glass.py.
    "break_glass_minutes": "60",
    # The clinical record (issue #11). Plans are reviewed every N days (states use 14
    # or 30); the first plan is due within N days of admission.
    "plan_review_days": "30",
    "first_plan_days": "7",
    "note_format_default": "dap",  # models.enums.NoteFormat
    # A note not signed this many hours after its session is overdue (a roster flag).
    "notes_overdue_hours": "72",
    # Progress notes are not shown to the client unless the program chooses to.
    "client_sees_notes": "no",
    # Discharge (issue #13): the discharge summary is due within N days of discharge
    # (7 or 10, as the program's licensing asks); a discharged client keeps their
    # portal as alumni (diary, plans, resources) unless the program says no.
    "discharge_summary_days": "7",
    "alumni_portal": "yes",
}
BREAK_GLASS_MINUTES_RANGE = (15, 240)
# Settings that are whole numbers: key -> (lowest, highest, what the number counts).
WHOLE_NUMBER_SETTINGS = {
    "plan_review_days": (7, 90, "days between plan reviews"),
    "first_plan_days": (1, 30, "days from admission to the first plan"),
    "notes_overdue_hours": (1, 336, "hours before an unsigned note is overdue"),
}
# Settings that are one of a few values: key -> (allowed values, message).
CHOICE_SETTINGS = {
    "note_format_default": (tuple(NoteFormat.values()), "Choose DAP, BIRP, SOAP or GIRP."),
    "client_sees_notes": (("yes", "no"), "Choose yes or no."),
    "discharge_summary_days": (("7", "10"), "Choose 7 or 10 days."),
    "alumni_portal": (("yes", "no"), "Choose yes or no."),
}


@event.listens_for(Session, "after_commit")
def _forget_settings(session) -> None:
    session.info.pop("program_settings", None)


def get_setting(session: Session, key: str) -> str:
    # Cached until the session commits: pages ask for the time zone many times in
    # one event, and a missing row (the default) would be re-queried each time.
    cache = session.info.setdefault("program_settings", {})
    if key not in cache:
        row = session.get(ProgramSetting, key)
        cache[key] = row.value if row else DEFAULTS[key]
    return cache[key]


def set_setting(session: Session, actor: User, key: str, value: str) -> None:
    if not actor.is_director:
        audit.record_now(session, actor, "setting.update", target=key, outcome="denied")
        raise PermissionDenied()
    if key not in DEFAULTS:
        raise ValidationError({"key": "Unknown setting."})
    value = value.strip()
    if key == "timezone":
        try:
            ZoneInfo(value)
        except Exception:
            raise ValidationError({"value": "Not a known time zone (e.g. America/Chicago)."}) from None
    if key == "weekly_hours_target":
        try:
            hours = float(value)
        except ValueError:
            raise ValidationError({"value": "Enter a number of hours."}) from None
        if not 1 <= hours <= 40:
            raise ValidationError({"value": "Weekly target must be between 1 and 40 hours."})
    if key == "break_glass_minutes":
        low, high = BREAK_GLASS_MINUTES_RANGE
        if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
            raise ValidationError({"value": f"Emergency access lasts {low} to {high} minutes (whole minutes)."})
        value = str(int(value))
    if key in WHOLE_NUMBER_SETTINGS:
        low, high, counts = WHOLE_NUMBER_SETTINGS[key]
        if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
            raise ValidationError({"value": f"Enter {low} to {high} {counts} (a whole number)."})
        value = str(int(value))
    if key in CHOICE_SETTINGS:
        allowed, message = CHOICE_SETTINGS[key]
        if value not in allowed:
            raise ValidationError({"value": message})
    row = session.get(ProgramSetting, key) or ProgramSetting(key=key, value=value)
    row.value = value[:255]
    session.add(row)
    audit.record(session, actor, "setting.update", target=key, detail=value[:100])
    session.commit()


def break_glass_minutes(session: Session) -> int:
    return int(get_setting(session, "break_glass_minutes"))


def whole_number(session: Session, key: str) -> int:
    """A WHOLE_NUMBER_SETTINGS value (plan_review_days, first_plan_days, notes_overdue_hours)."""
    return int(get_setting(session, key))


def program_tz(session: Session) -> ZoneInfo:
    return ZoneInfo(get_setting(session, "timezone"))


def weekly_hours_target(session: Session) -> float:
    return float(get_setting(session, "weekly_hours_target"))


def local_today(session: Session, now: datetime | None = None) -> date:
    return to_local(now or utcnow(), program_tz(session)).date()


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """A stored UTC moment in program-local time (naive input is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz)


def to_utc(local_wall_time: datetime, tz: ZoneInfo) -> datetime:
    """Program wall-clock time (naive) -> aware UTC for storage."""
    return local_wall_time.replace(tzinfo=tz).astimezone(UTC)


def local_day_bounds_utc(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = to_utc(datetime.combine(day, time.min), tz)
    end = to_utc(datetime.combine(day + timedelta(days=1), time.min), tz)
    return start, end


def week_start(day: date) -> date:
    """Monday of the program week containing `day`."""
    return day - timedelta(days=day.weekday())


# ------------------------------------------------------------------ local days of many moments
@lru_cache(maxsize=32)
def _offset_changes(tz: ZoneInfo, year: int) -> tuple[list[datetime], list[timedelta]]:
    """The zone's UTC offsets through one year: (changes, offsets), changes[i] the
    naive UTC moment from which offsets[i + 1] holds (offsets[0] from the year's
    start). Found once per zone and year: the offset at each UTC midnight, then the
    second of each change by halving (zones change at most once a day)."""
    def offset(moment: datetime) -> timedelta:
        return moment.replace(tzinfo=UTC).astimezone(tz).utcoffset()

    start = datetime(year, 1, 1)
    offsets, changes = [offset(start)], []
    for n in range(1, (datetime(year + 1, 1, 1) - start).days + 1):
        day_start = start + timedelta(days=n)
        if (after := offset(day_start)) != offsets[-1]:
            low, high = -86400, 0  # seconds from day_start: the old offset at low, the new one at high
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(day_start + timedelta(seconds=middle)) == offsets[-1] \
                    else (low, middle)
            changes.append(day_start + timedelta(seconds=high))
            offsets.append(after)
    return changes, offsets


def local_day_of(tz: ZoneInfo):
    """A function giving the program-local day of a UTC moment (aware, or naive UTC as
    SQLite gives them back): the same day as to_local(moment, tz).date(), for the
    hundreds of moments of a record without a time-zone conversion each."""
    years: dict[int, tuple[list[datetime], list[timedelta]]] = {}

    def day_of(moment: datetime) -> date:
        if moment.tzinfo is not None:
            if moment.utcoffset():
                return moment.astimezone(tz).date()
            moment = moment.replace(tzinfo=None)
        table = years.get(moment.year)
        if table is None:
            table = years[moment.year] = _offset_changes(tz, moment.year)
        changes, offsets = table
        return (moment + offsets[bisect_right(changes, moment)]).date()

    return day_of
