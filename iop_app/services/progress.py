"""Progress data for charts: pandas frames shaped from set-based SQL.

Every function checks `permissions.require(..., READ, ...)` first, then runs
one SQL query for its data and shapes it with pandas. Charts
(`components/charts.py`) turn these frames into plotly figures.

Rolling averages: check-ins are reindexed to one row per calendar day (missing
days are NaN) and averaged with `rolling(7, min_periods=1)`, so `mood_avg7` on
a day is the mean of the check-ins present in the 7 calendar days ending that
day, and NaN when there were none.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import case, select, union_all
from sqlmodel import Session, col

from ..models import Attendance, FamilySession, GroupSession, IndividualSession, MoodEntry, User
from . import permissions, program

METRICS = ("mood", "anxiety", "craving", "sleep_hours")
AVG_COLUMNS = {"mood": "mood_avg7", "anxiety": "anxiety_avg7", "craving": "craving_avg7", "sleep_hours": "sleep_avg7"}
ATTENDED_STATUSES = ("present", "late", "left_early")
MISSED_STATUSES = ("excused", "unexcused")
MAX_DAYS = 3 * 366
MAX_WEEKS = 160


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, int(value)))


def rolling_daily(frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """`frame` (columns day + METRICS + used_substance, any subset of days) ->
    one row per calendar day in [start, end] with the 7-day averages. Days
    before `start` in `frame` feed the averages of the first days, then are cut."""
    first = pd.Timestamp(start) - pd.Timedelta(days=6)
    days = pd.date_range(first, pd.Timestamp(end), freq="D", name="day")
    data = frame.copy()
    data["day"] = pd.to_datetime(data["day"])
    data = data.set_index("day").reindex(days)
    for metric in METRICS:
        data[metric] = data[metric].astype("float64")
        data[AVG_COLUMNS[metric]] = data[metric].rolling(7, min_periods=1).mean()
    data["used_substance"] = data["used_substance"].astype("boolean").fillna(False).astype(bool)
    data = data.loc[pd.Timestamp(start):].reset_index()
    return data[["day", *METRICS, "used_substance", *AVG_COLUMNS.values()]]


def checkin_frame(session: Session, actor: User, client_id: int, days: int, today: date | None = None) -> pd.DataFrame:
    """One row per calendar day of the last `days` days (ending today) with the
    check-in values (NaN where none) and their 7-day averages."""
    permissions.require(session, actor, permissions.READ, client_id, what="progress.view")
    today = today or program.local_today(session)
    days = _clamp(days, 1, MAX_DAYS)
    start = today - timedelta(days=days - 1)
    rows = session.execute(
        select(MoodEntry.day, MoodEntry.mood, MoodEntry.anxiety, MoodEntry.craving, MoodEntry.sleep_hours,
               MoodEntry.used_substance)
        .where(MoodEntry.client_id == client_id, MoodEntry.day >= start - timedelta(days=6), MoodEntry.day <= today)
        .order_by(MoodEntry.day)
    ).all()
    frame = pd.DataFrame(rows, columns=["day", *METRICS, "used_substance"])
    return rolling_daily(frame, start, today)


def _week_starts(today: date, weeks: int) -> list[date]:
    this_week = program.week_start(today)
    return [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _local_day_bounds(session: Session, first_day: date, end_day: date) -> tuple[datetime, datetime]:
    tz = program.program_tz(session)
    return (program.to_utc(datetime.combine(first_day, time.min), tz),
            program.to_utc(datetime.combine(end_day, time.min), tz))


def _local_week_start(moments: pd.Series, session: Session) -> pd.Series:
    """UTC timestamps -> Monday (datetime64, midnight) of their program-local week."""
    tz = program.program_tz(session)
    local = pd.to_datetime(moments, utc=True).dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    return local - pd.to_timedelta(local.dt.day_of_week, unit="D")


def service_minutes_with_start(start_utc: datetime, end_utc: datetime, client_id: int):
    """(starts_at, minutes) of every service one client attended in [start_utc, end_utc).
    The same rules as hours.service_minutes_query (group attendance in sessions not
    cancelled, attended individual sessions, completed family sessions), with the
    start time so hours can be bucketed by week in one query."""
    group = (
        select(GroupSession.starts_at.label("starts_at"), Attendance.minutes.label("minutes"))
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(Attendance.client_id == client_id, GroupSession.starts_at >= start_utc,
               GroupSession.starts_at < end_utc, col(GroupSession.cancelled).is_(False))
    )
    individual = select(IndividualSession.starts_at, IndividualSession.minutes_attended).where(
        IndividualSession.client_id == client_id, IndividualSession.starts_at >= start_utc,
        IndividualSession.starts_at < end_utc, IndividualSession.status == "attended")
    family = select(FamilySession.starts_at, FamilySession.minutes_attended).where(
        FamilySession.client_id == client_id, FamilySession.starts_at >= start_utc,
        FamilySession.starts_at < end_utc, FamilySession.status == "completed")
    return union_all(group, individual, family)


def weekly_hours_frame(session: Session, actor: User, client_id: int, weeks: int,
                       today: date | None = None) -> pd.DataFrame:
    """Hours of structured services per program week (Monday-Sunday), oldest first,
    for the last `weeks` weeks including this one; `target` is the program setting."""
    permissions.require(session, actor, permissions.READ, client_id, what="progress.view")
    today = today or program.local_today(session)
    weeks = _clamp(weeks, 1, MAX_WEEKS)
    starts = _week_starts(today, weeks)
    start_utc, end_utc = _local_day_bounds(session, starts[0], starts[-1] + timedelta(days=7))
    rows = session.execute(service_minutes_with_start(start_utc, end_utc, client_id)).all()
    frame = pd.DataFrame(rows, columns=["starts_at", "minutes"])
    index = pd.DatetimeIndex(pd.to_datetime(starts), name="week_start")
    if frame.empty:
        minutes = pd.Series(0.0, index=index)
    else:
        frame["week_start"] = _local_week_start(frame["starts_at"], session)
        minutes = frame.groupby("week_start")["minutes"].sum().reindex(index, fill_value=0).astype(float)
    result = pd.DataFrame({"week_start": index, "hours": (minutes / 60).round(2).to_numpy()})
    result["target"] = program.weekly_hours_target(session)
    return result


def attendance_by_week_frame(session: Session, actor: User, client_id: int, weeks: int,
                             today: date | None = None) -> pd.DataFrame:
    """Group sessions attended (present, late, left early) and with a roll-call row
    for the client, per program week; `rate` = attended / scheduled (NaN if none)."""
    permissions.require(session, actor, permissions.READ, client_id, what="progress.view")
    today = today or program.local_today(session)
    weeks = _clamp(weeks, 1, MAX_WEEKS)
    starts = _week_starts(today, weeks)
    start_utc, end_utc = _local_day_bounds(session, starts[0], starts[-1] + timedelta(days=7))
    rows = session.execute(
        select(GroupSession.starts_at,
               case((col(Attendance.status).in_(ATTENDED_STATUSES), 1), else_=0).label("attended"))
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(Attendance.client_id == client_id, GroupSession.starts_at >= start_utc,
               GroupSession.starts_at < end_utc, col(GroupSession.cancelled).is_(False))
    ).all()
    frame = pd.DataFrame(rows, columns=["starts_at", "attended"])
    index = pd.DatetimeIndex(pd.to_datetime(starts), name="week_start")
    if frame.empty:
        grouped = pd.DataFrame({"attended": 0, "scheduled": 0}, index=index)
    else:
        frame["week_start"] = _local_week_start(frame["starts_at"], session)
        grouped = frame.groupby("week_start").agg(attended=("attended", "sum"), scheduled=("attended", "size"))
        grouped = grouped.reindex(index, fill_value=0)
    result = pd.DataFrame({
        "week_start": index,
        "attended": grouped["attended"].astype(int).to_numpy(),
        "scheduled": grouped["scheduled"].astype(int).to_numpy(),
    })
    result["rate"] = (result["attended"] / result["scheduled"].where(result["scheduled"] > 0)).round(3)
    return result


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
    "ATTENDED_STATUSES", "MISSED_STATUSES", "attendance_by_week_frame", "checkin_frame", "goal_progress_frame",
    "rolling_daily", "service_minutes_with_start", "summary", "weekly_hours_frame",
]
