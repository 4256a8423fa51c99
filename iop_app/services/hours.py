"""Hours of structured services (groups attended, individual and family sessions,
case-management and crisis contacts), counted toward each client's weekly target
(ASAM 2.1: 9 hours for adults).

Only documented services count (issue #11): a service whose progress note is
signed. Roll call, an attended individual session or a completed family session
without a signed note is delivered but not yet documented, and adds nothing until
its note is signed (services/notes.py, services/group_notes.py).

Set-based: one UNION ALL query grouped by client, for any number of clients.
Callers check permissions first; these functions take client ids already allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, literal, select, union_all
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import Session, col

from ..models import Attendance, FamilySession, GroupNote, GroupSession, IndividualSession, ProgressNote
from ..models.enums import RecordStatus, ServiceType
from . import program

CONTACTS = (ServiceType.CASE_MANAGEMENT, ServiceType.CRISIS)


def service_minutes_query(start_utc, end_utc, client_ids=None, *, client_id=None):
    """(client_id, starts_at, minutes) rows for every documented service in [start_utc, end_utc):
    roll-call minutes in group sessions not cancelled, attended individual sessions,
    completed family sessions, each with its client's signed note; case-management and
    crisis contacts (the signed note is their record). The one definition of "hours of
    structured services".

    The bounds are UTC datetimes or SQL expressions (bound parameters); client_ids is
    None (everyone), ids, or a SQL expression usable in IN (a subquery); client_id
    (a value or a bound parameter) narrows it to one client."""
    signed = ProgressNote.status == RecordStatus.SIGNED
    group = (
        select(Attendance.client_id.label("client_id"), GroupSession.starts_at.label("starts_at"),
               Attendance.minutes.label("minutes"))
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(GroupSession.starts_at >= start_utc, GroupSession.starts_at < end_utc,
               col(GroupSession.cancelled).is_(False),
               exists().where(GroupNote.group_session_id == Attendance.session_id,
                              ProgressNote.group_note_id == GroupNote.id,
                              ProgressNote.client_id == Attendance.client_id, signed))
    )
    individual = select(
        IndividualSession.client_id, IndividualSession.starts_at, IndividualSession.minutes_attended
    ).where(IndividualSession.starts_at >= start_utc, IndividualSession.starts_at < end_utc,
            IndividualSession.status == "attended",
            exists().where(ProgressNote.individual_session_id == IndividualSession.id, signed))
    family = select(
        FamilySession.client_id, FamilySession.starts_at, FamilySession.minutes_attended
    ).where(FamilySession.starts_at >= start_utc, FamilySession.starts_at < end_utc,
            FamilySession.status == "completed",
            exists().where(ProgressNote.family_session_id == FamilySession.id, signed))
    contacts = select(ProgressNote.client_id, ProgressNote.starts_at, ProgressNote.minutes).where(
        ProgressNote.starts_at >= start_utc, ProgressNote.starts_at < end_utc,
        col(ProgressNote.service_type).in_(CONTACTS), signed)
    if client_ids is not None:
        ids = client_ids if isinstance(client_ids, ClauseElement) else list(client_ids)
        group = group.where(col(Attendance.client_id).in_(ids))
        individual = individual.where(col(IndividualSession.client_id).in_(ids))
        family = family.where(col(FamilySession.client_id).in_(ids))
        contacts = contacts.where(col(ProgressNote.client_id).in_(ids))
    if client_id is not None:
        group = group.where(Attendance.client_id == client_id)
        individual = individual.where(IndividualSession.client_id == client_id)
        family = family.where(FamilySession.client_id == client_id)
        contacts = contacts.where(ProgressNote.client_id == client_id)
    return union_all(group, individual, family, contacts).subquery("service_minutes")


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
