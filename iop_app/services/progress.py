"""Progress data for charts: pandas frames shaped from set-based SQL.

Every function checks `permissions.check(..., READ, ...)` first, then runs
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
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Date, Integer, bindparam, case, func, literal, select, union_all
from sqlmodel import Session, col

from ..models import Attendance, GroupSession, MoodEntry, User
from ..models.enums import ATTENDED
from . import hours, permissions, program
from .ids import moment_param

METRICS = ("mood", "anxiety", "craving", "sleep_hours")
AVG_COLUMNS = {"mood": "mood_avg7", "anxiety": "anxiety_avg7", "craving": "craving_avg7", "sleep_hours": "sleep_avg7"}
MAX_DAYS = 3 * 366
MAX_WEEKS = 160


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, int(value)))


# Statements built once with bound parameters: a chart view binds values and runs
# them (no per-view statement building).
P_CLIENT = bindparam("client_id", type_=Integer())
P_FIRST_DAY = bindparam("first_day", type_=Date())
P_LAST_DAY = bindparam("last_day", type_=Date())

CHECKINS = select(
    MoodEntry.day, MoodEntry.mood, MoodEntry.anxiety, MoodEntry.craving, MoodEntry.sleep_hours,
    MoodEntry.used_substance,
).where(MoodEntry.client_id == P_CLIENT, MoodEntry.day >= P_FIRST_DAY, MoodEntry.day <= P_LAST_DAY)


@lru_cache(maxsize=32)
def _weekly_statement(weeks: int):
    """One client's service minutes and group roll call per program week, over
    `weeks` weeks whose bounds are parameters b0..b<weeks> (UTC instants of local
    Mondays, each converted on its own, so a week across a DST change keeps its
    local days). Rows: (kind, week index, a, b) with kind 0 = (minutes, 0) and
    kind 1 = (sessions attended, sessions with a roll-call row); weeks with
    nothing are left out. Grouped in SQL: no timestamps come back to Python."""
    bounds = [moment_param(f"b{i}") for i in range(weeks + 1)]

    def week_of(moment):  # rows are already inside [b0, b<weeks>)
        if weeks == 1:
            return literal(0).label("week")
        return case(*[(moment < bounds[i + 1], i) for i in range(weeks - 1)], else_=weeks - 1).label("week")

    service = hours.service_minutes_query(bounds[0], bounds[-1], client_id=P_CLIENT)
    minutes = select(week_of(service.c.starts_at), service.c.minutes).subquery()
    roll_call = (
        select(week_of(GroupSession.starts_at),
               case((col(Attendance.status).in_(ATTENDED), 1), else_=0).label("attended"))
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(Attendance.client_id == P_CLIENT, GroupSession.starts_at >= bounds[0],
               GroupSession.starts_at < bounds[-1], col(GroupSession.cancelled).is_(False))
        .subquery()
    )
    return union_all(
        select(literal(0), minutes.c.week, func.sum(minutes.c.minutes), literal(0)).group_by(minutes.c.week),
        select(literal(1), roll_call.c.week, func.sum(roll_call.c.attended), func.count()).group_by(roll_call.c.week),
    )


def _rolling_mean7(values: np.ndarray) -> np.ndarray:
    """Mean of the non-NaN values in each window of 7 consecutive days ending at
    each position of the last axis (the first 6 positions only lead in); NaN when
    the window is empty. Window sums are differences of running sums (exact for
    whole-number scores; within 1e-12 for hours of sleep)."""
    present = ~np.isnan(values)
    lead = np.zeros(values.shape[:-1] + (1,))
    sums = np.concatenate((lead, np.cumsum(np.where(present, values, 0.0), axis=-1)), axis=-1)
    counts = np.concatenate((lead, np.cumsum(present, axis=-1)), axis=-1)
    window_sums = sums[..., 7:] - sums[..., :-7]
    window_counts = counts[..., 7:] - counts[..., :-7]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(window_counts > 0, window_sums / np.maximum(window_counts, 1), np.nan)


def _day_column(first: date, last: date) -> np.ndarray:
    return np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1).astype("datetime64[s]")


def _daily_frame(rows, start: date, end: date) -> pd.DataFrame:
    """rows of (day, mood, anxiety, craving, sleep_hours, used_substance), any days in
    [start - 6 days, end] -> one row per calendar day in [start, end] with 7-day averages.
    Plain numpy, one array per metric: this runs on every chart view."""
    first = start - timedelta(days=6)
    length = (end - first).days + 1
    data = np.full((len(METRICS), length), np.nan)
    used = np.zeros(length, dtype=bool)
    if rows:
        days, *values, used_substance = zip(*rows, strict=True)
        index = np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days)) - first.toordinal()
        inside = (index >= 0) & (index < length)
        data[:, index[inside]] = np.array(values, dtype=float)[:, inside]
        used[index[inside]] = np.array(used_substance, dtype=bool)[inside]
    averages = _rolling_mean7(data)
    columns: dict[str, object] = {"day": _day_column(start, end)}
    for k, metric in enumerate(METRICS):
        columns[metric] = data[k, 6:]
    columns["used_substance"] = used[6:]
    for k, metric in enumerate(METRICS):
        columns[AVG_COLUMNS[metric]] = averages[k]
    return pd.DataFrame(columns, copy=False)


def rolling_daily(frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """The same as checkin_frame's shaping, from a frame with columns day + METRICS +
    used_substance (days before `start` feed the averages of the first days)."""
    rows = [(pd.Timestamp(r.day).date(), *(getattr(r, m) for m in METRICS), r.used_substance)
            for r in frame.itertuples(index=False)]
    return _daily_frame(rows, start, end)


def checkin_frame(session: Session, actor: User, client_id: int, days: int, today: date | None = None) -> pd.DataFrame:
    """One row per calendar day of the last `days` days (ending today) with the
    check-in values (NaN where none) and their 7-day averages."""
    permissions.check(session, actor, permissions.READ, client_id, what="progress.view")
    return _checkin_frame(session, client_id, days, today or program.local_today(session))


def _checkin_frame(session: Session, client_id: int, days: int, today: date) -> pd.DataFrame:
    days = _clamp(days, 1, MAX_DAYS)
    start = today - timedelta(days=days - 1)
    rows = session.connection().execute(
        CHECKINS, dict(client_id=client_id, first_day=start - timedelta(days=6), last_day=today)).all()
    return _daily_frame(rows, start, today)


class _Weeks:
    """One client's figures per program week (Monday to Sunday) for the last
    `weeks` weeks ending with today's, from one grouped statement."""

    def __init__(self, session: Session, client_id: int, today: date, weeks: int, tz) -> None:
        this_week = program.week_start(today)
        count = _clamp(weeks, 1, MAX_WEEKS)
        self.starts = [this_week - timedelta(weeks=n) for n in range(count - 1, -1, -1)]
        params = {f"b{i}": program.to_utc(datetime.combine(monday, time.min), tz)
                  for i, monday in enumerate((*self.starts, this_week + timedelta(days=7)))}
        self.minutes = [0] * count
        self.attended = [0] * count
        self.scheduled = [0] * count
        rows = session.connection().execute(_weekly_statement(count), dict(params, client_id=client_id)).all()
        for kind, week, a, b in rows:
            if kind == 0:
                self.minutes[week] = a or 0
            else:
                self.attended[week], self.scheduled[week] = a or 0, b

    def frame(self, target: float) -> pd.DataFrame:
        return pd.DataFrame({
            "week_start": np.array(self.starts, dtype="datetime64[D]").astype("datetime64[s]"),
            "hours": np.array([round(m / 60, 2) for m in self.minutes], dtype=float),
            "target": np.full(len(self.minutes), float(target)),
            "attended": np.array(self.attended, dtype=np.int64),
            "scheduled": np.array(self.scheduled, dtype=np.int64),
            "rate": np.array([round(a / n, 3) if n else np.nan
                              for a, n in zip(self.attended, self.scheduled, strict=True)],
                             dtype=float),
        }, copy=False)


def weekly_frame(session: Session, actor: User, client_id: int, weeks: int, today: date | None = None) -> pd.DataFrame:
    """Per program week (Monday-Sunday), oldest first, for the last `weeks` weeks
    including this one: `hours` of structured services and the program's `target`;
    group sessions `attended` (present, late, left early) and `scheduled` (with a
    roll-call row for the client); `rate` = attended / scheduled (NaN if none)."""
    permissions.check(session, actor, permissions.READ, client_id, what="progress.view")
    weekly = _Weeks(session, client_id, today or program.local_today(session), weeks, program.program_tz(session))
    return weekly.frame(program.weekly_hours_target(session))


def weekly_hours_frame(session: Session, actor: User, client_id: int, weeks: int,
                       today: date | None = None) -> pd.DataFrame:
    """weekly_frame's week_start, hours and target."""
    return weekly_frame(session, actor, client_id, weeks, today)[["week_start", "hours", "target"]]


def attendance_by_week_frame(session: Session, actor: User, client_id: int, weeks: int,
                             today: date | None = None) -> pd.DataFrame:
    """weekly_frame's week_start, attended, scheduled and rate."""
    return weekly_frame(session, actor, client_id, weeks, today)[["week_start", "attended", "scheduled", "rate"]]


def client_charts(session: Session, actor: User, client_id: int, days: int, weeks: int,
                  today: date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames of a client's chart page behind one permission check (one audited
    view): (checkin_frame, weekly_frame)."""
    tz = program.program_tz(session)
    today = today or program.local_today(session)
    permissions.check(session, actor, permissions.READ, client_id, what="progress.view", today=today)
    weekly = _Weeks(session, client_id, today, weeks, tz)
    return _checkin_frame(session, client_id, days, today), weekly.frame(program.weekly_hours_target(session))


def goal_progress_frame(session: Session, actor: User, client_id: int) -> pd.DataFrame:
    """Each goal's dated progress updates: columns goal, at (local datetime), progress_pct."""
    from ..models import Goal, GoalUpdate

    permissions.check(session, actor, permissions.READ, client_id, what="progress.view")
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
    for column in AVG_COLUMNS.values():
        values = frame[column].dropna()
        out[column] = round(float(values.iloc[-1]), 1) if len(values) else None
    return out


__all__ = [
    "attendance_by_week_frame", "checkin_frame", "client_charts", "goal_progress_frame",
    "rolling_daily", "summary", "weekly_frame", "weekly_hours_frame",
]
