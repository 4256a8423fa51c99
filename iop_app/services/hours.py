"""Hours of structured services (groups attended, individual and family sessions),
counted toward each client's weekly target (ASAM 2.1: 9 hours for adults).

Set-based: one UNION ALL query grouped by client, for any number of clients.
Callers check permissions first; these functions take client ids already allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import Session, col

from ..models import Attendance, FamilySession, GroupSession, IndividualSession
from . import program


def service_minutes_query(start_utc, end_utc, client_ids=None, *, client_id=None):
    """(client_id, starts_at, minutes) rows for every service attended in [start_utc, end_utc):
    roll-call minutes in group sessions not cancelled, attended individual sessions,
    completed family sessions. The one definition of "hours of structured services".

    The bounds are UTC datetimes or SQL expressions (bound parameters); client_ids is
    None (everyone), ids, or a SQL expression usable in IN (a subquery); client_id
    (a value or a bound parameter) narrows it to one client."""
    group = (
        select(Attendance.client_id.label("client_id"), GroupSession.starts_at.label("starts_at"),
               Attendance.minutes.label("minutes"))
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(GroupSession.starts_at >= start_utc, GroupSession.starts_at < end_utc,
               col(GroupSession.cancelled).is_(False))
    )
    individual = select(
        IndividualSession.client_id, IndividualSession.starts_at, IndividualSession.minutes_attended
    ).where(IndividualSession.starts_at >= start_utc, IndividualSession.starts_at < end_utc,
            IndividualSession.status == "attended")
    family = select(
        FamilySession.client_id, FamilySession.starts_at, FamilySession.minutes_attended
    ).where(FamilySession.starts_at >= start_utc, FamilySession.starts_at < end_utc,
            FamilySession.status == "completed")
    if client_ids is not None:
        ids = client_ids if isinstance(client_ids, ClauseElement) else list(client_ids)
        group = group.where(col(Attendance.client_id).in_(ids))
        individual = individual.where(col(IndividualSession.client_id).in_(ids))
        family = family.where(col(FamilySession.client_id).in_(ids))
    if client_id is not None:
        group = group.where(Attendance.client_id == client_id)
        individual = individual.where(IndividualSession.client_id == client_id)
        family = family.where(FamilySession.client_id == client_id)
    return union_all(group, individual, family).subquery("service_minutes")


def minutes_by_client_query(start_utc, end_utc, client_ids=None):
    """(client_id, minutes) of service attended per client in [start_utc, end_utc);
    arguments as for service_minutes_query."""
    minutes = service_minutes_query(start_utc, end_utc, client_ids)
    return select(minutes.c.client_id, func.coalesce(func.sum(minutes.c.minutes), literal(0)).label("minutes")) \
        .group_by(minutes.c.client_id)


def hours_between(
    session: Session, client_ids: Iterable[int] | None, start_day: date, end_day: date
) -> dict[int, float]:
    """Hours attended per client over program-local days [start_day, end_day)."""
    tz = program.program_tz(session)
    start_utc = program.to_utc(datetime.combine(start_day, time.min), tz)
    end_utc = program.to_utc(datetime.combine(end_day, time.min), tz)
    rows = session.execute(minutes_by_client_query(start_utc, end_utc, client_ids)).all()
    return {client_id: round(total / 60, 2) for client_id, total in rows}


def hours_this_week(session: Session, client_ids: Iterable[int] | None, today: date | None = None) -> dict[int, float]:
    """Hours per client in the program week (Monday to Sunday) containing `today`."""
    today = today or program.local_today(session)
    start = program.week_start(today)
    return hours_between(session, client_ids, start, start + timedelta(days=7))
