"""Progress data for charts: pandas frames shaped from set-based SQL.

Every function checks `permissions.require(..., READ, ...)` first, then runs
one SQL query for its data and shapes it with pandas. Charts
(`components/charts.py`) turn these frames into plotly figures.

Rolling averages: check-ins are placed on one row per calendar day (missing
days are NaN) and averaged over a 7-day window that skips NaN - what pandas'
`rolling(7, min_periods=1).mean()` over a daily reindex gives, computed with
numpy because it runs on every chart view. So `mood_avg7` on a day is the mean of
the check-ins present in the 7 calendar days ending that day, NaN when none.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sqlalchemy import case, select
from sqlmodel import Session, col

from ..models import Attendance, GroupSession, MoodEntry, User
from . import hours, permissions, program

METRICS = ("mood", "anxiety", "craving", "sleep_hours")
AVG_COLUMNS = {"mood": "mood_avg7", "anxiety": "anxiety_avg7", "craving": "craving_avg7", "sleep_hours": "sleep_avg7"}
ATTENDED_STATUSES = ("present", "late", "left_early")
MISSED_STATUSES = ("excused", "unexcused")
MAX_DAYS = 3 * 366
MAX_WEEKS = 160


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, int(value)))


def _rolling_mean7(values: np.ndarray) -> np.ndarray:
    """Mean of the non-NaN values in each window of 7 consecutive days ending at
    each position (the first 6 positions only lead in); NaN when the window is empty."""
    windows = sliding_window_view(values, 7)
    present = ~np.isnan(windows)
    counts = present.sum(axis=1)
    sums = np.where(present, windows, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _daily_frame(rows, start: date, end: date) -> pd.DataFrame:
    """rows of (day, mood, anxiety, craving, sleep_hours, used_substance), any days in
    [start - 6 days, end] -> one row per calendar day in [start, end] with 7-day averages.
    Plain numpy on one array per metric: this runs on every chart view."""
    first = start - timedelta(days=6)
    length = (end - first).days + 1
    data = np.full((len(METRICS), length), np.nan)
    used = np.zeros(length, dtype=bool)
    for day, *values, used_substance in rows:
        i = (day - first).days
        if 0 <= i < length:
            data[:, i] = values
            used[i] = bool(used_substance)
    columns: dict[str, object] = {"day": pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")}
    for k, metric in enumerate(METRICS):
        columns[metric] = data[k, 6:]
    columns["used_substance"] = used[6:]
    for k, metric in enumerate(METRICS):
        columns[AVG_COLUMNS[metric]] = _rolling_mean7(data[k])
    return pd.DataFrame(columns)


def rolling_daily(frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """The same as checkin_frame's shaping, from a frame with columns day + METRICS +
    used_substance (days before `start` feed the averages of the first days)."""
    rows = [(pd.Timestamp(r.day).date(), *(getattr(r, m) for m in METRICS), r.used_substance)
            for r in frame.itertuples(index=False)]
    return _daily_frame(rows, start, end)


def _checkin_rows(session: Session, client_id: int, start: date, end: date):
    return session.execute(
        select(MoodEntry.day, MoodEntry.mood, MoodEntry.anxiety, MoodEntry.craving, MoodEntry.sleep_hours,
               MoodEntry.used_substance)
        .where(MoodEntry.client_id == client_id, MoodEntry.day >= start - timedelta(days=6), MoodEntry.day <= end)
    ).all()


def checkin_frame(session: Session, actor: User, client_id: int, days: int, today: date | None = None) -> pd.DataFrame:
    """One row per calendar day of the last `days` days (ending today) with the
    check-in values (NaN where none) and their 7-day averages."""
    permissions.require(session, actor, permissions.READ, client_id, what="progress.view")
    return _checkin_frame(session, client_id, days, today or program.local_today(session))


def _checkin_frame(session: Session, client_id: int, days: int, today: date) -> pd.DataFrame:
    days = _clamp(days, 1, MAX_DAYS)
    start = today - timedelta(days=days - 1)
    return _daily_frame(_checkin_rows(session, client_id, start, today), start, today)


def _week_starts(today: date, weeks: int) -> list[date]:
    this_week = program.week_start(today)
    return [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _local_day_bounds(tz, first_day: date, end_day: date) -> tuple[datetime, datetime]:
    return (program.to_utc(datetime.combine(first_day, time.min), tz),
            program.to_utc(datetime.combine(end_day, time.min), tz))


def _by_local_week(tz, rows, starts: list[date]) -> dict[date, list]:
    """Group (starts_at UTC, value) rows by the Monday of their program-local week."""
    buckets: dict[date, list] = {monday: [] for monday in starts}
    for starts_at, value in rows:
        monday = program.week_start(program.to_local(starts_at, tz).date())
        if monday in buckets:
            buckets[monday].append(value)
    return buckets


def weekly_hours_frame(session: Session, actor: User, client_id: int, weeks: int,
                       today: date | None = None) -> pd.DataFrame:
    """Hours of structured services per program week (Monday-Sunday), oldest first,
    for the last `weeks` weeks including this one; `target` is the program setting."""
    permissions.require(session, actor, permissions.READ, client_id, what="progress.view")
    return _weekly_hours_frame(session, client_id, weeks, today or program.local_today(session),
                               program.program_tz(session))


def _weekly_hours_frame(session: Session, client_id: int, weeks: int, today: date, tz) -> pd.DataFrame:
    starts = _week_starts(today, _clamp(weeks, 1, MAX_WEEKS))
    start_utc, end_utc = _local_day_bounds(tz, starts[0], starts[-1] + timedelta(days=7))
    minutes = hours.service_minutes_query(start_utc, end_utc, [client_id])
    buckets = _by_local_week(tz, session.execute(select(minutes.c.starts_at, minutes.c.minutes)), starts)
    return pd.DataFrame({
        "week_start": pd.to_datetime(starts),
        "hours": [round(sum(buckets[m]) / 60, 2) for m in starts],
        "target": program.weekly_hours_target(session),
    })


def attendance_by_week_frame(session: Session, actor: User, client_id: int, weeks: int,
                             today: date | None = None) -> pd.DataFrame:
    """Group sessions attended (present, late, left early) and with a roll-call row
    for the client, per program week; `rate` = attended / scheduled (NaN if none)."""
    permissions.require(session, actor, permissions.READ, client_id, what="progress.view")
    return _attendance_by_week_frame(session, client_id, weeks, today or program.local_today(session),
                                     program.program_tz(session))


def _attendance_by_week_frame(session: Session, client_id: int, weeks: int, today: date, tz) -> pd.DataFrame:
    starts = _week_starts(today, _clamp(weeks, 1, MAX_WEEKS))
    start_utc, end_utc = _local_day_bounds(tz, starts[0], starts[-1] + timedelta(days=7))
    rows = session.execute(
        select(GroupSession.starts_at,
               case((col(Attendance.status).in_(ATTENDED_STATUSES), 1), else_=0).label("attended"))
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(Attendance.client_id == client_id, GroupSession.starts_at >= start_utc,
               GroupSession.starts_at < end_utc, col(GroupSession.cancelled).is_(False))
    )
    buckets = _by_local_week(tz, rows, starts)
    attended = [sum(buckets[m]) for m in starts]
    scheduled = [len(buckets[m]) for m in starts]
    return pd.DataFrame({
        "week_start": pd.to_datetime(starts),
        "attended": attended,
        "scheduled": scheduled,
        "rate": [round(a / n, 3) if n else np.nan for a, n in zip(attended, scheduled)],
    })


def client_charts(session: Session, actor: User, client_id: int, days: int, weeks: int,
                  today: date | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three frames of a client's chart page behind one permission check (one
    audited view): (checkin_frame, weekly_hours_frame, attendance_by_week_frame)."""
    tz = program.program_tz(session)
    today = today or program.local_today(session)
    permissions.require(session, actor, permissions.READ, client_id, what="progress.view", today=today)
    return (_checkin_frame(session, client_id, days, today), _weekly_hours_frame(session, client_id, weeks, today, tz),
            _attendance_by_week_frame(session, client_id, weeks, today, tz))


def goal_progress_frame(session: Session, actor: User, client_id: int) -> pd.DataFrame:
    """Each goal's dated progress updates: columns goal, at (local datetime), progress_pct."""
    from ..models import Goal, GoalUpdate

    permissions.require(session, actor, permissions.READ, client_id, what="progress.view")
    rows = session.execute(
        select(Goal.title, GoalUpdate.at, GoalUpdate.progress_pct)
        .join(Goal, Goal.id == GoalUpdate.goal_id)
        .where(Goal.client_id == client_id)
        .order_by(GoalUpdate.at)
    ).all()
    frame = pd.DataFrame(rows, columns=["goal", "at", "progress_pct"])
    if not frame.empty:
        tz = program.program_tz(session)
        frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    return frame


def summary(frame: pd.DataFrame) -> dict[str, float | None]:
    """Latest 7-day averages from a checkin_frame (None when there is none)."""
    out: dict[str, float | None] = {}
    for metric, column in AVG_COLUMNS.items():
        values = frame[column].dropna()
        out[column] = round(float(values.iloc[-1]), 1) if len(values) else None
    return out


__all__ = [
    "ATTENDED_STATUSES", "MISSED_STATUSES", "attendance_by_week_frame", "checkin_frame", "client_charts", "goal_progress_frame",
    "rolling_daily", "summary", "weekly_hours_frame",
]
