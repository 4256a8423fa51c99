"""Therapy groups: the groups themselves, open enrolment with a membership history,
sessions generated from the weekly schedule, and roll call.

Who may do what:
- any active therapist or the director may list groups (name, type, schedule,
  facilitator, member count: no client's information);
- a group's members, sessions and attendance are shown to its facilitator and
  the director; another therapist sees only members on their own caseload;
- the director creates any group; a therapist creates groups they facilitate and
  edits only those; sessions (generate, cancel, add extra, topic and notes) and
  roll call belong to the facilitator and the director;
- enrolling or removing a client needs WRITE on the client's record
  (permissions.require) and the right to manage the group.

Roll call covers the clients who are members on the session's day (and any who
already have a roll-call row). Minutes attended default from the status and the
session length (present: all of it; late: 15 minutes less; left early: 45 minutes
less; absences: 0). A roll call on a session whose day is more than 7 days
before today needs a reason, kept on the row and in the audit trail.

A session's topic and notes carry a version (services/versions.py): a save made
on a copy older than the latest save is refused, naming who saved and when, and
each replaced text is kept as an earlier version the same staff can read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Integer, bindparam, case, func, or_, select
from sqlmodel import Session, col

from ..models import (
    ATTENDANCE_STATUSES,
    GROUP_TYPES,
    Attendance,
    Client,
    GroupMembership,
    GroupSession,
    TherapyGroup,
    User,
    utcnow,
)
from ..models.enums import ATTENDED, MISSED
from . import audit, permissions, program, timetable, versions
from .errors import NotFound, PermissionDenied, ValidationError
from .ids import is_id

GROUP_TYPE_LABELS = {
    "psychoeducational": "Psychoeducational",
    "process": "Process",
    "skills_development": "Skills development",
    "support": "Support",
    "relapse_prevention": "Relapse prevention",
    "twelve_step_spiritual": "12-step / spiritual",
    "family": "Family",
    "other": "Other",
}
STATUS_LABELS = {
    "present": "Present",
    "late": "Late",
    "left_early": "Left early",
    "excused": "Excused absence",
    "unexcused": "Unexcused absence",
}
WEEKDAY_NAMES = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}
EDIT_WINDOW_DAYS = 7
MAX_CAPACITY = 20  # IOP groups are small
MAX_GENERATE_DAYS = 120


def default_minutes(status: str, length: int) -> int:
    return {"present": length, "late": max(0, length - 15), "left_early": max(0, length - 45)}.get(status, 0)


# ----------------------------------------------------------------- access rules
def get_group(session: Session, actor: User, group_id, what: str = "group.view") -> TherapyGroup:
    permissions.require_staff(session, actor, what)
    group = session.get(TherapyGroup, group_id) if is_id(group_id) else None
    if group is None:
        raise NotFound("That group does not exist.")
    return group


def may_manage(actor: User, group: TherapyGroup) -> bool:
    return may_manage_facilitated(actor, group.facilitator_id)


def may_manage_facilitated(actor: User, facilitator_id: int | None) -> bool:
    """may_manage for a group known only by its facilitator's id."""
    return actor.active and (actor.role == "director" or (actor.role == "therapist" and facilitator_id == actor.id))


_FACILITATOR = select(TherapyGroup.facilitator_id).where(TherapyGroup.id == bindparam("group_id", type_=Integer()))


def group_facilitator(session: Session, actor: User, group_id, what: str = "group.view") -> int | None:
    """get_group without loading the group (reports that read other tables): the
    facilitator's id; NotFound when there is no such group."""
    permissions.require_staff(session, actor, what)
    row = (session.connection().execute(_FACILITATOR, {"group_id": group_id}).first()
           if is_id(group_id) else None)
    if row is None:
        raise NotFound("That group does not exist.")
    return row.facilitator_id


def _managed_group(session: Session, actor: User, group_id, what: str) -> TherapyGroup:
    group = get_group(session, actor, group_id, what)
    if not may_manage(actor, group):
        audit.record_now(session, actor, what, target=f"group:{group.id}", outcome="denied",
                         detail="not the facilitator")
        raise PermissionDenied("Only the group's facilitator or the director can do that.")
    return group


def _managed_session(session: Session, actor: User, session_id, what: str) -> tuple[GroupSession, TherapyGroup]:
    permissions.require_staff(session, actor, what)
    meeting = session.get(GroupSession, session_id) if is_id(session_id) else None
    if meeting is None:
        raise NotFound("That session does not exist.")
    return meeting, _managed_group(session, actor, meeting.group_id, what)


# ----------------------------------------------------------------- groups
@dataclass
class GroupRow:
    id: int
    name: str
    group_type: str
    facilitator: str
    facilitator_id: int
    schedule: str
    capacity: int
    members: int
    start_date: date
    end_date: date | None
    location: str
    manageable: bool


def describe_schedule(group: TherapyGroup) -> str:
    days = ", ".join(WEEKDAY_NAMES[int(d)] for d in group.weekdays.split(",") if d)
    hours_, minutes = divmod(group.duration_minutes, 60)
    length = f"{hours_} h" + (f" {minutes} min" if minutes else "") if hours_ else f"{minutes} min"
    return f"{days} {group.start_time.strftime('%H:%M')}, {length}"


def list_groups(session: Session, actor: User, today: date | None = None) -> list[GroupRow]:
    permissions.require_staff(session, actor, "group.list")
    today = today or program.local_today(session)
    current = (
        select(GroupMembership.group_id, func.count().label("n"))
        .where(GroupMembership.joined_on <= today,
               or_(col(GroupMembership.left_on).is_(None), GroupMembership.left_on >= today))
        .group_by(GroupMembership.group_id).subquery()
    )
    rows = session.execute(
        select(TherapyGroup, User.full_name, func.coalesce(current.c.n, 0))
        .join(User, User.id == TherapyGroup.facilitator_id)
        .outerjoin(current, current.c.group_id == TherapyGroup.id)
        .order_by(TherapyGroup.name)
    ).all()
    return [
        GroupRow(g.id, g.name, g.group_type, name, g.facilitator_id, describe_schedule(g), g.capacity, n,
                 g.start_date, g.end_date, g.location, may_manage(actor, g))
        for g, name, n in rows
    ]


def _clean_group(session: Session, values: dict) -> dict:
    errors: dict[str, str] = {}
    name = values.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 80:
        errors["name"] = "Enter a name (up to 80 characters)."
    group_type = values.get("group_type")
    if group_type not in GROUP_TYPES:
        errors["group_type"] = "Choose a group type."
    weekdays = values.get("weekdays")
    if (not isinstance(weekdays, (list, tuple)) or not weekdays
            or not all(type(d) is int and 1 <= d <= 7 for d in weekdays)):
        errors["weekdays"] = "Choose at least one day of the week."
    start = values.get("start_time")
    if not isinstance(start, time):
        errors["start_time"] = "Enter a start time."
    length = values.get("duration_minutes")
    if type(length) is not int or not 30 <= length <= 300:
        errors["duration_minutes"] = "Length must be 30 to 300 minutes."
    capacity = values.get("capacity")
    if type(capacity) is not int or not 2 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = f"Capacity must be 2 to {MAX_CAPACITY} (IOP groups are small)."
    start_date = values.get("start_date")
    if not isinstance(start_date, date):
        errors["start_date"] = "Enter a start date."
    end_date = values.get("end_date")
    if end_date is not None and (not isinstance(end_date, date) or (isinstance(start_date, date) and end_date < start_date)):
        errors["end_date"] = "The end date must be on or after the start date."
    location = values.get("location", "")
    if not isinstance(location, str) or len(location.strip()) > 80:
        errors["location"] = "Location: up to 80 characters."
    description = values.get("description", "")
    if not isinstance(description, str) or len(description.strip()) > 1000:
        errors["description"] = "Description: up to 1000 characters."
    facilitator_id = values.get("facilitator_id")
    facilitator = session.get(User, facilitator_id) if is_id(facilitator_id) else None
    if facilitator is None or facilitator.role not in ("therapist", "director") or not facilitator.active:
        errors["facilitator_id"] = "Choose a facilitator."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name.strip(), "group_type": group_type, "weekdays": ",".join(str(d) for d in sorted(set(weekdays))),
        "start_time": start, "duration_minutes": length, "capacity": capacity, "start_date": start_date,
        "end_date": end_date, "location": location.strip(), "description": description.strip(),
        "facilitator_id": facilitator_id,
    }


def create_group(session: Session, actor: User, **values) -> TherapyGroup:
    permissions.require_staff(session, actor, "group.create")
    if actor.role == "therapist":
        values["facilitator_id"] = actor.id  # a therapist creates groups they run
    clean = _clean_group(session, values)
    group = TherapyGroup(**clean)
    session.add(group)
    session.flush()
    audit.record(session, actor, "group.create", target=f"group:{group.id}", detail=group.name)
    session.commit()
    return group


def update_group(session: Session, actor: User, group_id: int, **values) -> TherapyGroup:
    group = _managed_group(session, actor, group_id, "group.update")
    if actor.role == "therapist":
        values["facilitator_id"] = group.facilitator_id
    clean = _clean_group(session, values)
    for key, value in clean.items():
        setattr(group, key, value)
    session.add(group)
    audit.record(session, actor, "group.update", target=f"group:{group.id}", detail=group.name)
    session.commit()
    return group


# ----------------------------------------------------------------- membership
@dataclass
class MemberRow:
    membership_id: int
    client_id: int
    name: str
    joined_on: date
    left_on: date | None
    current: bool


def _visible_member_condition(session: Session, actor: User, group: TherapyGroup, today: date):
    if may_manage(actor, group):
        return None
    return permissions.visible_clients_condition(actor, today)


def members(session: Session, actor: User, group_id: int, today: date | None = None,
            history: bool = True) -> list[MemberRow]:
    """Members (current first, then the history of those who left) the actor may see."""
    group = get_group(session, actor, group_id, "group.view")
    today = today or program.local_today(session)
    stmt = (
        select(GroupMembership, User.full_name)
        .join(Client, Client.id == GroupMembership.client_id)
        .join(User, User.id == Client.user_id)
        .where(GroupMembership.group_id == group.id)
    )
    condition = _visible_member_condition(session, actor, group, today)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = []
    for m, name in session.execute(stmt.order_by(User.full_name, GroupMembership.joined_on)):
        current = m.joined_on <= today and (m.left_on is None or m.left_on >= today)
        if history or current:
            rows.append(MemberRow(m.id, m.client_id, name, m.joined_on, m.left_on, current))
    rows.sort(key=lambda r: (not r.current, r.name.lower(), r.joined_on))
    return rows


def _member_count_on(session: Session, group_id: int, day: date) -> int:
    return session.execute(
        select(func.count()).select_from(GroupMembership).where(
            GroupMembership.group_id == group_id, GroupMembership.joined_on <= day,
            or_(col(GroupMembership.left_on).is_(None), GroupMembership.left_on >= day))
    ).scalar_one()


def join_group(session: Session, actor: User, group_id: int, client_id: int, on: date) -> GroupMembership:
    """Enrol a client from `on` (open enrolment: any day while the group runs)."""
    group = _managed_group(session, actor, group_id, "group.join")
    permissions.require(session, actor, permissions.WRITE, client_id, what="group.join")
    if not isinstance(on, date):
        raise ValidationError({"joined_on": "Enter the date the client joins."})
    if on < group.start_date or (group.end_date and on > group.end_date):
        raise ValidationError({"joined_on": "The group does not run on that date."})
    open_membership = session.execute(
        select(GroupMembership).where(
            GroupMembership.group_id == group.id, GroupMembership.client_id == client_id,
            or_(col(GroupMembership.left_on).is_(None), GroupMembership.left_on >= on))
    ).scalars().first()
    if open_membership is not None:
        raise ValidationError({"client_id": "The client is already a member of this group."})
    if _member_count_on(session, group.id, on) >= group.capacity:
        raise ValidationError({"client_id": f"The group is full ({group.capacity} members)."})
    membership = GroupMembership(group_id=group.id, client_id=client_id, joined_on=on)
    session.add(membership)
    audit.record(session, actor, "group.join", client_id=client_id, target=f"group:{group.id}",
                 detail=f"joined {on.isoformat()}")
    session.commit()
    return membership


def leave_group(session: Session, actor: User, group_id: int, client_id: int, on: date) -> GroupMembership:
    """End a client's current membership: `on` is their last day in the group."""
    group = _managed_group(session, actor, group_id, "group.leave")
    permissions.require(session, actor, permissions.WRITE, client_id, what="group.leave")
    if not isinstance(on, date):
        raise ValidationError({"left_on": "Enter the client's last day in the group."})
    membership = session.execute(
        select(GroupMembership).where(
            GroupMembership.group_id == group.id, GroupMembership.client_id == client_id,
            col(GroupMembership.left_on).is_(None))
    ).scalars().first()
    if membership is None:
        raise ValidationError({"client_id": "The client is not a current member of this group."})
    if on < membership.joined_on:
        raise ValidationError({"left_on": "The last day cannot be before the day they joined."})
    membership.left_on = on
    session.add(membership)
    audit.record(session, actor, "group.leave", client_id=client_id, target=f"group:{group.id}",
                 detail=f"left {on.isoformat()}")
    session.commit()
    return membership


def enrollable_clients(session: Session, actor: User, group_id: int, today: date | None = None) -> list[tuple[int, str]]:
    """Clients the actor may enrol (on their caseload, not discharged, not current members)."""
    group = _managed_group(session, actor, group_id, "group.view")
    today = today or program.local_today(session)
    current = select(GroupMembership.client_id).where(
        GroupMembership.group_id == group.id, or_(col(GroupMembership.left_on).is_(None), GroupMembership.left_on >= today))
    stmt = (select(Client.id, User.full_name).join(User, User.id == Client.user_id)
            .where(Client.status != "discharged", col(Client.id).not_in(current)).order_by(User.full_name))
    condition = permissions.visible_clients_condition(actor, today)
    if condition is not None:
        stmt = stmt.where(condition)
    return [(cid, name) for cid, name in session.execute(stmt.limit(500))]


# ----------------------------------------------------------------- sessions
@dataclass
class SessionRow:
    id: int
    group_id: int
    day: date
    start: str  # local HH:MM
    duration_minutes: int
    topic: str
    notes: str
    cancelled: bool
    cancel_reason: str
    extra: bool
    recorded: int = 0
    attended: int = 0


def _local_day(session: Session, moment: datetime) -> date:
    return program.to_local(moment, program.program_tz(session)).date()


def generate_sessions(session: Session, actor: User, group_id: int, start: date, end: date) -> int:
    """Create the scheduled sessions in [start, end] that do not exist yet; returns how many."""
    group = _managed_group(session, actor, group_id, "group.sessions")
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        raise ValidationError({"end": "Choose a period whose end is after its start."})
    if (end - start).days > MAX_GENERATE_DAYS:
        raise ValidationError({"end": f"Generate at most {MAX_GENERATE_DAYS} days at a time."})
    first = max(start, group.start_date)
    last = min(end, group.end_date) if group.end_date else end
    wanted = [at for _day, at in timetable.scheduled_meetings(group, start, end, program.program_tz(session))]
    if not wanted:
        return 0
    existing = set(session.execute(
        select(GroupSession.starts_at).where(GroupSession.group_id == group.id,
                                             GroupSession.starts_at >= wanted[0], GroupSession.starts_at <= wanted[-1])
    ).scalars())
    created = 0
    for starts_at in wanted:
        if starts_at in existing:
            continue
        session.add(GroupSession(group_id=group.id, starts_at=starts_at, duration_minutes=group.duration_minutes))
        created += 1
    audit.record(session, actor, "group.sessions", target=f"group:{group.id}",
                 detail=f"generated {created} for {first.isoformat()}..{last.isoformat()}")
    session.commit()
    return created


def add_extra_session(session: Session, actor: User, group_id: int, day: date, start: time, duration_minutes: int,
                      topic: str = "") -> GroupSession:
    group = _managed_group(session, actor, group_id, "group.sessions")
    errors = {}
    if not isinstance(day, date):
        errors["day"] = "Enter the date."
    if not isinstance(start, time):
        errors["start"] = "Enter the start time."
    if type(duration_minutes) is not int or not 15 <= duration_minutes <= 300:
        errors["duration_minutes"] = "Length must be 15 to 300 minutes."
    if not isinstance(topic, str) or len(topic.strip()) > 120:
        errors["topic"] = "Topic: up to 120 characters."
    if errors:
        raise ValidationError(errors)
    meeting = GroupSession(group_id=group.id, duration_minutes=duration_minutes, topic=topic.strip(), extra=True,
                           starts_at=program.to_utc(datetime.combine(day, start), program.program_tz(session)))
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "group.session.add", target=f"group_session:{meeting.id}", detail=day.isoformat())
    session.commit()
    return meeting


def cancel_session(session: Session, actor: User, session_id: int, reason: str) -> GroupSession:
    meeting, _group = _managed_session(session, actor, session_id, "group.session.cancel")
    if meeting.cancelled:  # a second cancel (an older page) would replace the first reason
        raise ValidationError({"cancel_reason": f"This session was already cancelled: {meeting.cancel_reason}"[:300]})
    if not isinstance(reason, str) or not reason.strip() or len(reason.strip()) > 200:
        raise ValidationError({"cancel_reason": "Give a reason (up to 200 characters)."})
    recorded = session.execute(select(func.count()).select_from(Attendance)
                               .where(Attendance.session_id == meeting.id)).scalar_one()
    if recorded:
        raise ValidationError({"cancel_reason": "Roll call has been taken for this session; it cannot be cancelled."})
    meeting.cancelled = True
    meeting.cancel_reason = reason.strip()
    session.add(meeting)
    audit.record(session, actor, "group.session.cancel", target=f"group_session:{meeting.id}", detail=reason.strip())
    session.commit()
    return meeting


def set_topic_notes(session: Session, actor: User, session_id: int, topic: str, notes: str, *,
                    expected_version: int) -> GroupSession:
    """Save the topic and notes. `expected_version` is the version the editor's page
    showed (RollCall.version): if anyone saved since, StaleEdit and nothing changes.
    Replaced texts are kept (earlier_versions)."""
    meeting, _group = _managed_session(session, actor, session_id, "group.session.update")
    errors = {}
    if not isinstance(topic, str) or len(topic.strip()) > 120:
        errors["topic"] = "Topic: up to 120 characters."
    if not isinstance(notes, str) or len(notes.strip()) > 4000:
        errors["notes"] = "Notes: up to 4000 characters."
    if errors:
        raise ValidationError(errors)
    values = {"topic": topic.strip(), "notes": notes.strip()}
    versions.write(session, actor, meeting, values, expected_version=expected_version, what="group.session.update",
                   keep=("topic", "notes"))
    audit.record(session, actor, "group.session.update", target=f"group_session:{meeting.id}",
                 detail=f"version {meeting.version}")
    session.commit()
    return meeting


def earlier_versions(session: Session, actor: User, session_id: int) -> list[versions.EarlierText]:
    """Earlier topics and notes of a session, newest first: for whoever may edit them
    (the facilitator and the director)."""
    meeting, _group = _managed_session(session, actor, session_id, "group.session.history")
    return versions.earlier_texts(session, "group_session", [meeting.id], ("topic", "notes")).get(meeting.id, [])


def list_sessions(session: Session, actor: User, group_id: int, start: date, end: date) -> list[SessionRow]:
    """Sessions of the group in [start, end] (local days) with their roll-call counts."""
    group = get_group(session, actor, group_id, "group.view")
    tz = program.program_tz(session)
    start_utc = program.to_utc(datetime.combine(start, time.min), tz)
    end_utc = program.to_utc(datetime.combine(end + timedelta(days=1), time.min), tz)
    counts = (
        select(Attendance.session_id, func.count().label("recorded"),
               func.sum(case((col(Attendance.status).in_(ATTENDED), 1), else_=0)).label("attended"))
        .group_by(Attendance.session_id).subquery()
    )
    rows = session.execute(
        select(GroupSession, func.coalesce(counts.c.recorded, 0), func.coalesce(counts.c.attended, 0))
        .outerjoin(counts, counts.c.session_id == GroupSession.id)
        .where(GroupSession.group_id == group.id, GroupSession.starts_at >= start_utc, GroupSession.starts_at < end_utc)
        .order_by(GroupSession.starts_at)
    ).all()
    out = []
    for gs, recorded, attended in rows:
        local = program.to_local(gs.starts_at, tz)
        out.append(SessionRow(gs.id, gs.group_id, local.date(), local.strftime("%H:%M"), gs.duration_minutes, gs.topic,
                              gs.notes if may_manage(actor, group) else "", gs.cancelled, gs.cancel_reason, gs.extra,
                              recorded, attended))
    return out


# ----------------------------------------------------------------- roll call
@dataclass
class RollCallEntry:
    client_id: int
    name: str
    status: str  # "" when not recorded yet
    minutes: int
    edit_reason: str


@dataclass
class RollCall:
    session: SessionRow
    group_name: str
    entries: list[RollCallEntry]
    needs_reason: bool  # the session is more than EDIT_WINDOW_DAYS days old
    version: int = 0  # of topic and notes: set_topic_notes's expected_version


def _roll_call_members(session: Session, meeting: GroupSession, day: date) -> dict[int, str]:
    """client id -> name of members on the session day plus anyone with a row already."""
    on_day = select(GroupMembership.client_id).where(
        GroupMembership.group_id == meeting.group_id, GroupMembership.joined_on <= day,
        or_(col(GroupMembership.left_on).is_(None), GroupMembership.left_on >= day))
    with_row = select(Attendance.client_id).where(Attendance.session_id == meeting.id)
    rows = session.execute(
        select(Client.id, User.full_name).join(User, User.id == Client.user_id)
        .where(or_(col(Client.id).in_(on_day), col(Client.id).in_(with_row))).order_by(User.full_name)
    ).all()
    return {cid: name for cid, name in rows}


def roll_call(session: Session, actor: User, session_id: int, today: date | None = None) -> RollCall:
    meeting, group = _managed_session(session, actor, session_id, "attendance.view")
    today = today or program.local_today(session)
    tz = program.program_tz(session)
    local = program.to_local(meeting.starts_at, tz)
    people = _roll_call_members(session, meeting, local.date())
    existing = {a.client_id: a for a in session.execute(
        select(Attendance).where(Attendance.session_id == meeting.id)).scalars()}
    entries = [
        RollCallEntry(cid, name, existing[cid].status if cid in existing else "",
                      existing[cid].minutes if cid in existing else 0,
                      existing[cid].edit_reason if cid in existing else "")
        for cid, name in people.items()
    ]
    audit.record_now(session, actor, "attendance.view", target=f"group_session:{meeting.id}", outcome="allowed",
                     detail=f"{len(entries)} members")
    row = SessionRow(meeting.id, group.id, local.date(), local.strftime("%H:%M"), meeting.duration_minutes,
                     meeting.topic, meeting.notes, meeting.cancelled, meeting.cancel_reason, meeting.extra,
                     len(existing), sum(1 for a in existing.values() if a.status in ATTENDED))
    return RollCall(row, group.name, entries, (today - local.date()).days > EDIT_WINDOW_DAYS, meeting.version)


def record_attendance(session: Session, actor: User, session_id: int, marks: dict, reason: str = "",
                      today: date | None = None) -> int:
    """Save roll call: `marks` maps client id -> (status, minutes or None for the default).
    Everything is checked before anything is saved. Returns how many rows changed."""
    meeting, group = _managed_session(session, actor, session_id, "attendance.record")
    today = today or program.local_today(session)
    if meeting.cancelled:
        raise ValidationError({"session": "This session was cancelled; there is no roll call."})
    day = _local_day(session, meeting.starts_at)
    if day > today:
        raise ValidationError({"session": "Roll call opens on the day of the session."})
    if not isinstance(marks, dict) or not marks or len(marks) > 200:
        raise ValidationError({"marks": "Mark at least one member."})
    people = _roll_call_members(session, meeting, day)
    errors: dict[str, str] = {}
    clean: dict[int, tuple[str, int]] = {}
    for client_id, mark in marks.items():
        if type(client_id) is not int or client_id not in people:
            errors["marks"] = "Roll call can only include the group's members on the session day."
            continue
        status, minutes = mark if isinstance(mark, (tuple, list)) and len(mark) == 2 else (None, None)
        if status not in ATTENDANCE_STATUSES:
            errors[f"status-{client_id}"] = "Choose a status."
            continue
        if minutes is None:
            minutes = default_minutes(status, meeting.duration_minutes)
        if type(minutes) is not int or not 0 <= minutes <= meeting.duration_minutes:
            errors[f"minutes-{client_id}"] = f"Minutes must be 0 to {meeting.duration_minutes}."
            continue
        if status in MISSED and minutes:
            errors[f"minutes-{client_id}"] = "An absence has 0 minutes."
            continue
        clean[client_id] = (status, minutes)
    late_edit = (today - day).days > EDIT_WINDOW_DAYS
    reason = reason.strip() if isinstance(reason, str) else None
    if reason is None or len(reason) > 300:
        errors["reason"] = "The reason must be at most 300 characters."
    elif late_edit and not reason:
        errors["reason"] = f"This session is more than {EDIT_WINDOW_DAYS} days old: give a reason for the change."
    if errors:
        raise ValidationError(errors)
    existing = {a.client_id: a for a in session.execute(
        select(Attendance).where(Attendance.session_id == meeting.id)).scalars()}
    changed = 0
    now = utcnow()
    for client_id, (status, minutes) in clean.items():
        row = existing.get(client_id)
        if row is not None and row.status == status and row.minutes == minutes:
            continue
        before = f"{row.status} {row.minutes} min -> " if row else ""
        if row is None:
            row = Attendance(session_id=meeting.id, client_id=client_id, status=status, minutes=minutes,
                             recorded_at=now, recorded_by=actor.id, edit_reason=reason if late_edit else "")
        else:
            row.status, row.minutes, row.recorded_at, row.recorded_by = status, minutes, now, actor.id
            row.edit_reason = reason if late_edit else row.edit_reason
        session.add(row)
        changed += 1
        audit.record(session, actor, "attendance.edit" if late_edit else "attendance.record", client_id=client_id,
                     target=f"group_session:{meeting.id}",
                     detail=f"{before}{status} {minutes} min" + (f"; reason: {reason}" if late_edit else ""))
    session.commit()
    return changed


def mark_all_present(session: Session, actor: User, session_id: int, reason: str = "",
                     today: date | None = None) -> int:
    """One tap: every member without a mark yet is present for the whole session."""
    meeting, _group = _managed_session(session, actor, session_id, "attendance.record")
    day = _local_day(session, meeting.starts_at)
    people = _roll_call_members(session, meeting, day)
    marked = set(session.execute(select(Attendance.client_id).where(Attendance.session_id == meeting.id)).scalars())
    marks = {cid: ("present", None) for cid in people if cid not in marked}
    if not marks:
        return 0
    return record_attendance(session, actor, session_id, marks, reason, today)


def attendance_csv(session: Session, actor: User, group_id: int) -> str:
    """Every roll-call row of the group as CSV (pandas); the export is audited."""
    group = _managed_group(session, actor, group_id, "attendance.export")
    tz = program.program_tz(session)
    rows = session.execute(
        select(GroupSession.starts_at, GroupSession.topic, Client.id, User.full_name, Attendance.status,
               Attendance.minutes, Attendance.edit_reason)
        .join(Attendance, Attendance.session_id == GroupSession.id)
        .join(Client, Client.id == Attendance.client_id)
        .join(User, User.id == Client.user_id)
        .where(GroupSession.group_id == group.id)
        .order_by(GroupSession.starts_at, User.full_name)
    ).all()
    frame = pd.DataFrame(rows, columns=["starts_at", "Topic", "Client id", "Client", "Status", "Minutes",
                                        "Edit reason"])
    frame.insert(0, "Date", [program.to_local(s, tz).strftime("%Y-%m-%d %H:%M") for s in frame.pop("starts_at")])
    frame["Status"] = frame["Status"].map(lambda s: STATUS_LABELS.get(s, s))
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    audit.record_now(session, actor, "attendance.export", target=f"group:{group.id}", outcome="success",
                     detail=f"{len(frame)} rows")
    return buffer.getvalue()


def client_attendance(session: Session, actor: User, client_id: int, limit: int = 60) -> list[dict]:
    """A client's roll-call history, newest first (for the client record)."""
    permissions.require(session, actor, permissions.READ, client_id, what="attendance.view")
    tz = program.program_tz(session)
    rows = session.execute(
        select(GroupSession.starts_at, TherapyGroup.name, GroupSession.topic, Attendance.status, Attendance.minutes)
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .join(TherapyGroup, TherapyGroup.id == GroupSession.group_id)
        .where(Attendance.client_id == client_id, col(GroupSession.cancelled).is_(False))
        .order_by(GroupSession.starts_at.desc()).limit(max(1, min(limit, 500)))
    ).all()
    return [
        {"date": program.to_local(s, tz).strftime("%Y-%m-%d"), "group": name, "topic": topic,
         "status": STATUS_LABELS.get(status, status), "minutes": minutes}
        for s, name, topic, status, minutes in rows
    ]
