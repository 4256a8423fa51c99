"""A client's measure series for trend charts: `trends` (what a view charts, plain lists
beside the diary) and `series` (one pandas frame), each from one query of the responses.

Only responses in force count: a response superseded by a correction is left out
(its correction stands in its place). Marks, per measure, against the client's first
response of that measure:
- `reliable_change`: PHQ-9 down by RELIABLE_CHANGE_POINTS or more (a drop this size is
  beyond the PHQ-9's measurement error);
- `response`: a total at or below half the first one (a 50% drop), for the measures
  where lower is better (RESPONSE_CODES) and the first total was above 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Date, Integer, bindparam, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..models import MeasureResponse, MoodEntry, User
from ..models.enums import MeasureResponseStatus
from . import permissions, program, progress

RELIABLE_CHANGE_POINTS = {"phq9": 5}
RESPONSE_CODES = ("phq9", "gad7")
COLUMNS = ["response_id", "code", "completed_at", "day", "total", "band", "change", "reliable_change", "response"]


DIARY_DAYS_MAX = 365
_LATER = aliased(MeasureResponse)
# Built once; a view binds the client id and runs it.
SERIES = (select(MeasureResponse.id, MeasureResponse.code, MeasureResponse.completed_at, MeasureResponse.total,
                 MeasureResponse.band)
          .where(MeasureResponse.client_id == bindparam("client_id", type_=Integer()),
                 MeasureResponse.status == MeasureResponseStatus.SUBMITTED,
                 ~exists().where(_LATER.supersedes_id == MeasureResponse.id))
          .order_by(col(MeasureResponse.code), col(MeasureResponse.completed_at), col(MeasureResponse.id)))


def series(session: Session, actor: User, client_id: int, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Columns COLUMNS, one row per response in force, ordered by measure then time.
    `completed_at` is UTC, `day` the program-local day, `change` the total minus the
    first total of that measure."""
    permissions.check(session, actor, permissions.READ, client_id, what="measure.trend")
    return _series(session, client_id, codes)


@dataclass(frozen=True)
class Point:
    """One response in force with a total, as a trend chart plots it."""

    day: date  # program-local day it was completed
    total: float
    band: str
    reliable_change: bool
    response: bool


@dataclass(frozen=True)
class Trends:
    """What a trend view charts: `points` code -> its responses in force with a total,
    oldest first (measures without a total, the BAM and the readiness ruler, have no
    line); the diary's 7-day averages of mood and craving, one per day from
    `diary_start` to today (None where no check-in fell in the 7 days)."""

    points: dict[str, list[Point]]
    diary_start: date
    mood_avg7: list[float | None]
    craving_avg7: list[float | None]

    @property
    def diary_days(self) -> list[date]:
        return [self.diary_start + timedelta(days=n) for n in range(len(self.mood_avg7))]


# The diary beside the trends: mood and craving only (what the charts draw).
DIARY = (select(MoodEntry.day, MoodEntry.mood, MoodEntry.craving)
         .where(MoodEntry.client_id == bindparam("client_id", type_=Integer()),
                MoodEntry.day >= bindparam("first_day", type_=Date()),
                MoodEntry.day <= bindparam("last_day", type_=Date())))


def trends(session: Session, actor: User, client_id: int, today: date | None = None) -> Trends:
    """What a trend view (the record's Measures section, the client's home) charts, with
    one permission check: the points of every measure and the diary (mood and craving
    7-day averages) from the first response's day, at most DIARY_DAYS_MAX days, to today.
    Plain lists, no frames: a view turns them into chart data at once, and building
    frames would cost more than the two queries."""
    permissions.check(session, actor, permissions.READ, client_id, what="measure.trend")
    today = today or program.local_today(session)
    points: dict[str, list[Point]] = {}
    for _response_id, code, _completed_at, day, total, band, _change, reliable, response in _walk(session, client_id):
        if total == total:  # not NaN: a measure with a total
            points.setdefault(code, []).append(Point(day, total, band, reliable, response))
    first = min((line[0].day for line in points.values()), default=today)
    days = max(1, min(DIARY_DAYS_MAX, (today - first).days + 1))
    start = today - timedelta(days=days - 1)
    rows = session.connection().execute(
        DIARY, {"client_id": client_id, "first_day": start - timedelta(days=6), "last_day": today}).all()
    # One row per calendar day from 6 days before `start` (they feed the first averages).
    values = np.full((2, days + 6), np.nan)
    if rows:
        day_list, moods, cravings = zip(*rows, strict=True)
        index = np.fromiter((d.toordinal() for d in day_list), dtype=np.int64, count=len(rows))
        values[:, index - (start.toordinal() - 6)] = (moods, cravings)
    averages = progress._rolling_mean7(values)
    mood, craving = ([None if value != value else value for value in line] for line in averages.tolist())
    return Trends(points, start, mood, craving)


def _walk(session: Session, client_id: int, codes: tuple[str, ...] | None = None) -> list[tuple]:
    """The responses in force as COLUMNS tuples (completed_at UTC, day program-local,
    total NaN where none), ordered by measure then time, with the marks."""
    rows = session.connection().execute(SERIES, {"client_id": client_id}).all()
    if codes:
        rows = [row for row in rows if row[1] in codes]
    tz = program.program_tz(session)
    walked = []
    firsts: dict[str, float] = {}
    for response_id, code, completed_at, total, band in rows:
        total = float("nan") if total is None else float(total)
        first = firsts.setdefault(code, total)
        change = total - first
        threshold = RELIABLE_CHANGE_POINTS.get(code)
        walked.append((response_id, code, completed_at, program.to_local(completed_at, tz).date(), total, band,
                       change, threshold is not None and -change >= threshold,
                       code in RESPONSE_CODES and first > 0 and total <= first * 0.5))
    return walked


def _series(session: Session, client_id: int, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    walked = _walk(session, client_id, codes)
    if not walked:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.DataFrame(walked, columns=COLUMNS)
    frame["completed_at"] = pd.to_datetime(frame["completed_at"], utc=True)
    return frame
