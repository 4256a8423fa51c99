"""Group and caseload reports as pandas frames (set-based SQL, one query each)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Integer, and_, bindparam, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ..models import Attendance, Client, GroupMembership, GroupSession, MoodEntry, User
from ..models.enums import ATTENDED
from . import program, roster
from .errors import PermissionDenied
from .groups import get_group, group_facilitator, may_manage_facilitated
from .ids import moment_param

# Built once with bound parameters: a chart view binds values and runs it.
SESSION_ATTENDANCE = (
    select(GroupSession.starts_at,
           func.count(Attendance.id),
           func.coalesce(func.sum(case((col(Attendance.status).in_(ATTENDED), 1), else_=0)), 0))
    .outerjoin(Attendance, Attendance.session_id == GroupSession.id)
    .where(GroupSession.group_id == bindparam("group_id", type_=Integer()),
           GroupSession.starts_at >= moment_param("start_utc"),
           GroupSession.starts_at < moment_param("end_utc"),
           col(GroupSession.cancelled).is_(False))
    .group_by(GroupSession.id, GroupSession.starts_at)
    .order_by(GroupSession.starts_at)
)


def group_attendance_frame(session: Session, actor: User, group_id: int, start: date, end: date) -> pd.DataFrame:
    """Per session of the group held in [start, end] (local days, not cancelled): columns
    day (datetime64), attended, recorded, rate (= attended / roll-call rows; NaN if none)."""
    if not may_manage_facilitated(actor, group_facilitator(session, actor, group_id, "group.report")):
        raise PermissionDenied("Only the group's facilitator or the director can see its attendance.")
    tz = program.program_tz(session)
    rows = session.connection().execute(SESSION_ATTENDANCE, dict(
        group_id=group_id, start_utc=program.to_utc(datetime.combine(start, time.min), tz),
        end_utc=program.to_utc(datetime.combine(end + timedelta(days=1), time.min), tz))).all()
    starts, recorded, attended = zip(*rows, strict=True) if rows else ((), (), ())
    return pd.DataFrame({
        "day": np.array([s.astimezone(tz).date() for s in starts], dtype="datetime64[D]").astype("datetime64[s]"),
        "attended": np.array(attended, dtype=np.int64),
        "recorded": np.array(recorded, dtype=np.int64),
        "rate": np.array([round(a / r, 3) if r else np.nan for a, r in zip(attended, recorded, strict=True)],
                         dtype=float),
    }, copy=False)


def group_census_frame(session: Session, actor: User, group_id: int, start: date, end: date) -> pd.DataFrame:
    """Members enrolled on each Monday from start's week to end: columns week_start, members."""
    group = get_group(session, actor, group_id, "group.report")
    mondays = pd.date_range(pd.Timestamp(program.week_start(start)), pd.Timestamp(end), freq="7D")
    spans = pd.DataFrame(session.execute(
        select(GroupMembership.joined_on, GroupMembership.left_on).where(GroupMembership.group_id == group.id)
    ).all(), columns=["joined_on", "left_on"])
    counts = []
    if not spans.empty:
        joined = pd.to_datetime(spans["joined_on"])
        left = pd.to_datetime(spans["left_on"])
        for monday in mondays:
            counts.append(int(((joined <= monday) & (left.isna() | (left >= monday))).sum()))
    else:
        counts = [0] * len(mondays)
    return pd.DataFrame({"week_start": mondays, "members": counts})


def caseload_summary(session: Session, actor: User, query: roster.RosterQuery | None = None,
                     today: date | None = None) -> dict:
    """How many clients are flagged (per flag and in all) and the distribution of their
    latest check-in scores (mood, craving: count of clients per score 0..10)."""
    today = today or program.local_today(session)
    rows = roster.all_rows(session, actor, query or roster.RosterQuery(), today)
    flag_counts = {flag: sum(1 for r in rows if flag in r.flags) for flag in roster.FLAGS}
    ids = [r.client_id for r in rows]
    latest = {"mood": [0] * 11, "craving": [0] * 11}
    if ids:
        # Per client, one index seek for the latest day and one for its check-in.
        entry = aliased(MoodEntry)
        latest_day = (select(func.max(entry.day)).where(entry.client_id == Client.id, entry.day <= today)
                      .correlate(Client).scalar_subquery())
        for mood, craving in session.execute(
            select(MoodEntry.mood, MoodEntry.craving)
            .join(Client, and_(MoodEntry.client_id == Client.id, MoodEntry.day == latest_day))
            .where(col(Client.id).in_(ids))
        ):
            latest["mood"][max(0, min(10, mood))] += 1
            latest["craving"][max(0, min(10, craving))] += 1
    return {
        "clients": len(rows),
        "flagged": sum(1 for r in rows if r.flags),
        "flag_counts": flag_counts,
        "latest_scores": pd.DataFrame({"score": list(range(11)), "mood": latest["mood"],
                                       "craving": latest["craving"]}),
    }


