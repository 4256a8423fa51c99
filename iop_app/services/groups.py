"""Therapy groups: the groups themselves, open enrolment with a membership history,
sessions generated from the weekly schedule (roll call: services/roll_call.py).

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

Minutes attended default from the status and the session length (present: all of
it; late: 15 minutes less; left early: 45 minutes less; absences: 0); roll call
itself is in services/roll_call.py.

A session's topic and notes carry a version (services/versions.py): a save made
on a copy older than the latest save is refused, naming who saved and when, and
each replaced text is kept as an earlier version the same staff can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator
from sqlalchemy import Integer, bindparam, case, func, or_, select
from sqlmodel import Session, col

from ..models import (
    Attendance,
    Client,
    GroupMembership,
    GroupSession,
    TherapyGroup,
    User,
)
from ..models.enums import ATTENDED, AttendanceStatus, ClientStatus, GroupType
from ..models.groups import member_on
from . import audit, inputs, permissions, program, timetable, versions
from .errors import NotFound, PermissionDenied, ValidationError
from .ids import is_id
from .inputs import ServiceInput

GROUP_TYPE_LABELS = {t.value: t.label for t in GroupType}
STATUS_LABELS = {a.value: a.label for a in AttendanceStatus}
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
    return actor.active and (actor.is_director or (actor.is_therapist and facilitator_id == actor.id))


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


def managed_group(session: Session, actor: User, group_id, what: str) -> TherapyGroup:
    group = get_group(session, actor, group_id, what)
    if not may_manage(actor, group):
        audit.record_now(session, actor, what, target=f"group:{group.id}", outcome="denied",
                         detail="not the facilitator")
        raise PermissionDenied("Only the group's facilitator or the director can do that.")
    return group


def managed_session(session: Session, actor: User, session_id, what: str) -> tuple[GroupSession, TherapyGroup]:
    permissions.require_staff(session, actor, what)
    meeting = session.get(GroupSession, session_id) if is_id(session_id) else None
    if meeting is None:
        raise NotFound("That session does not exist.")
    return meeting, managed_group(session, actor, meeting.group_id, what)


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
        .where(member_on(today))
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


class GroupInput(ServiceInput, strict=True):
    """A group's settings: create_group and update_group take these keyword arguments."""

    name: str = Field(min_length=1, max_length=80)
    group_type: Annotated[GroupType, Field(strict=False)]
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field(min_length=1, max_length=7)
    start_time: time
    duration_minutes: int = Field(ge=30, le=300)
    capacity: int = Field(ge=2, le=MAX_CAPACITY)
    start_date: date
    end_date: date | None = None
    location: str = Field(default="", max_length=80)
    description: str = Field(default="", max_length=1000)
    facilitator_id: int = Field(ge=1)

    messages = {
        "name": "Enter a name (up to 80 characters).",
        "group_type": "Choose a group type.",
        "weekdays": "Choose at least one day of the week.",
        "start_time": "Enter a start time.",
        "duration_minutes": "Length must be 30 to 300 minutes.",
        "capacity": f"Capacity must be 2 to {MAX_CAPACITY} (IOP groups are small).",
        "start_date": "Enter a start date.",
        "end_date": "The end date must be on or after the start date.",
        "location": "Location: up to 80 characters.",
        "description": "Description: up to 1000 characters.",
        "facilitator_id": "Choose a facilitator.",
    }

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if end is not None and start is not None and end < start:
            raise ValueError(cls.messages["end_date"])
        return end


class ExtraSession(ServiceInput, strict=True):
    """add_extra_session's input: a one-off session outside the weekly schedule."""

    day: date
    start: time
    duration_minutes: int = Field(ge=15, le=300)
    topic: str = Field(default="", max_length=120)

    messages = {
        "day": "Enter the date.",
        "start": "Enter the start time.",
        "duration_minutes": "Length must be 15 to 300 minutes.",
        "topic": "Topic: up to 120 characters.",
    }


def _clean_group(session: Session, values: dict) -> dict:
    """GroupInput's checks plus the facilitator's (an active staff member), all at once."""
    errors: dict[str, str] = {}
    try:
        data = inputs.validate(GroupInput, **values)
    except ValidationError as exc:
        errors, data = exc.errors, None
    facilitator_id = values.get("facilitator_id")
    facilitator = session.get(User, facilitator_id) if is_id(facilitator_id) else None
    if facilitator is None or not facilitator.is_staff or not facilitator.active:
        errors["facilitator_id"] = GroupInput.messages["facilitator_id"]
    if errors or data is None:
        raise ValidationError(errors)
    clean = data.model_dump()
    clean["weekdays"] = ",".join(str(d) for d in sorted(set(data.weekdays)))
    return clean


def create_group(session: Session, actor: User, **values) -> TherapyGroup:
    permissions.require_staff(session, actor, "group.create")
    if actor.is_therapist:
        values["facilitator_id"] = actor.id  # a therapist creates groups they run
    clean = _clean_group(session, values)
    group = TherapyGroup(**clean)
    return audit.save_new(session, actor, group, "group.create", "group", detail=group.name)


def update_group(session: Session, actor: User, group_id: int, **values) -> TherapyGroup:
    group = managed_group(session, actor, group_id, "group.update")
    if actor.is_therapist:
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
        current = m.current_on(today)
        if history or current:
            rows.append(MemberRow(m.id, m.client_id, name, m.joined_on, m.left_on, current))
    rows.sort(key=lambda r: (not r.current, r.name.lower(), r.joined_on))
    return rows


def _member_count_on(session: Session, group_id: int, day: date) -> int:
    return session.execute(
        select(func.count()).select_from(GroupMembership).where(
            GroupMembership.group_id == group_id, member_on(day))
    ).scalar_one()


def join_group(session: Session, actor: User, group_id: int, client_id: int, on: date) -> GroupMembership:
    """Enrol a client from `on` (open enrolment: any day while the group runs)."""
    group = managed_group(session, actor, group_id, "group.join")
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
    group = managed_group(session, actor, group_id, "group.leave")
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


def enrollable_clients(session: Session, actor: User, group_id: int,
                       today: date | None = None) -> list[tuple[int, str]]:
    """Clients the actor may enrol (on their caseload, not discharged, not current members)."""
    group = managed_group(session, actor, group_id, "group.view")
    today = today or program.local_today(session)
    current = select(GroupMembership.client_id).where(  # members now or from a later day
        GroupMembership.group_id == group.id,
        or_(col(GroupMembership.left_on).is_(None), GroupMembership.left_on >= today))
    stmt = (select(Client.id, User.full_name).join(User, User.id == Client.user_id)
            .where(Client.status != ClientStatus.DISCHARGED, col(Client.id).not_in(current)).order_by(User.full_name))
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


def local_day(session: Session, moment: datetime) -> date:
    return program.to_local(moment, program.program_tz(session)).date()


def generate_sessions(session: Session, actor: User, group_id: int, start: date, end: date) -> int:
    """Create the scheduled sessions in [start, end] that do not exist yet; returns how many."""
    group = managed_group(session, actor, group_id, "group.sessions")
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValidationError({"end": "Enter both dates."})
    if end < start:
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
    group = managed_group(session, actor, group_id, "group.sessions")
    extra = inputs.validate(ExtraSession, day=day, start=start, duration_minutes=duration_minutes, topic=topic)
    day, start, duration_minutes, topic = extra.day, extra.start, extra.duration_minutes, extra.topic
    meeting = GroupSession(group_id=group.id, duration_minutes=duration_minutes, topic=topic, extra=True,
                           starts_at=program.to_utc(datetime.combine(day, start), program.program_tz(session)))
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "group.session.add", target=f"group_session:{meeting.id}", detail=day.isoformat())
    session.commit()
    return meeting


def cancel_session(session: Session, actor: User, session_id: int, reason: str) -> GroupSession:
    meeting, _group = managed_session(session, actor, session_id, "group.session.cancel")
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
    meeting, _group = managed_session(session, actor, session_id, "group.session.update")
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
    meeting, _group = managed_session(session, actor, session_id, "group.session.history")
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
