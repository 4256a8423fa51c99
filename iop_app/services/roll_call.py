"""Roll call: who attended a group session, for how long, and the group's and a
client's attendance history.

Roll call covers the clients who are members on the session's day (and any who
already have a roll-call row). Minutes attended default from the status and the
session length (groups.default_minutes). A roll call on a session whose day is more
than groups.EDIT_WINDOW_DAYS days before today needs a reason, kept on the row and in
the audit trail. Only the group's facilitator and the director take roll call.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select
from sqlmodel import Session, col

from ..models import Attendance, Client, GroupMembership, GroupSession, TherapyGroup, User, utcnow
from ..models.enums import ATTENDED, MISSED, AttendanceStatus
from ..models.groups import member_on
from . import audit, inputs, permissions, program
from .errors import ValidationError
from .groups import (
    EDIT_WINDOW_DAYS,
    STATUS_LABELS,
    SessionRow,
    default_minutes,
    local_day,
    managed_group,
    managed_session,
)


class AttendanceMark(BaseModel):
    """One member's mark in record_attendance: a status and the minutes attended
    (None: the default for the status; at most the session's length, checked there)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    messages: ClassVar[dict[str, str]] = {"status": "Choose a status.", "minutes": "Enter whole minutes."}

    status: Annotated[AttendanceStatus, Field(strict=False)]
    minutes: int | None = Field(default=None, ge=0)


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
    on_day = select(GroupMembership.client_id).where(GroupMembership.group_id == meeting.group_id, member_on(day))
    with_row = select(Attendance.client_id).where(Attendance.session_id == meeting.id)
    rows = session.execute(
        select(Client.id, User.full_name).join(User, User.id == Client.user_id)
        .where(or_(col(Client.id).in_(on_day), col(Client.id).in_(with_row))).order_by(User.full_name)
    ).all()
    return {cid: name for cid, name in rows}


def roll_call(session: Session, actor: User, session_id: int, today: date | None = None) -> RollCall:
    meeting, group = managed_session(session, actor, session_id, "attendance.view")
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
    meeting, group = managed_session(session, actor, session_id, "attendance.record")
    today = today or program.local_today(session)
    if meeting.cancelled:
        raise ValidationError({"session": "This session was cancelled; there is no roll call."})
    day = local_day(session, meeting.starts_at)
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
        try:
            checked = inputs.validate(AttendanceMark, status=status, minutes=minutes)
        except ValidationError as exc:
            field = "status" if "status" in exc.errors else "minutes"
            errors[f"{field}-{client_id}"] = (exc.errors[field] if field == "status"
                                              else f"Minutes must be 0 to {meeting.duration_minutes}.")
            continue
        status = checked.status
        minutes = default_minutes(status, meeting.duration_minutes) if checked.minutes is None else checked.minutes
        if minutes > meeting.duration_minutes:
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
    meeting, _group = managed_session(session, actor, session_id, "attendance.record")
    day = local_day(session, meeting.starts_at)
    people = _roll_call_members(session, meeting, day)
    marked = set(session.execute(select(Attendance.client_id).where(Attendance.session_id == meeting.id)).scalars())
    marks = {cid: (AttendanceStatus.PRESENT, None) for cid in people if cid not in marked}
    if not marks:
        return 0
    return record_attendance(session, actor, session_id, marks, reason, today)


def attendance_csv(session: Session, actor: User, group_id: int) -> str:
    """Every roll-call row of the group as CSV (pandas); the export is audited."""
    group = managed_group(session, actor, group_id, "attendance.export")
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
