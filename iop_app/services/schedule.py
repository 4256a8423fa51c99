"""The client's upcoming sessions over the coming week (today and the six days
after it, program-local; a Mon-Sun week would be empty on a Sunday): group
meetings of groups they belong to, individual sessions, and booked family
sessions. One query per kind, whatever the week holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from ..models import FamilySession, GroupMembership, GroupSession, IndividualSession, TherapyGroup, User, utcnow
from . import permissions, program

DAYS_AHEAD = 7


@dataclass(frozen=True)
class ScheduleItem:
    kind: str  # group / individual / family
    title: str
    starts_local: datetime  # program-local, aware
    ends_local: datetime
    where: str
    cancelled: bool
    detail: str = ""

    @property
    def kind_label(self) -> str:
        return {"group": "Group", "individual": "Individual session", "family": "Family session"}[self.kind]


def upcoming_this_week(
    session: Session, actor: User, client_id: int, *, today: date | None = None, now: datetime | None = None
) -> list[ScheduleItem]:
    """Sessions that have not ended yet, from now to the end of the 7th day, soonest first."""
    permissions.require(session, actor, permissions.READ, client_id, what="schedule.view")
    tz = program.program_tz(session)
    now = now or utcnow()
    today = today or program.local_today(session, now)
    week_end = today + timedelta(days=DAYS_AHEAD)
    end_utc = program.local_day_bounds_utc(week_end, tz)[0]
    # A session already under way is still "upcoming" until it ends (groups run up to a few hours).
    from_utc = now - timedelta(hours=6)
    items: list[ScheduleItem] = []

    memberships = session.exec(select(GroupMembership).where(GroupMembership.client_id == client_id)).all()
    group_ids = list({m.group_id for m in memberships})
    if group_ids:
        rows = session.exec(
            select(GroupSession, TherapyGroup)
            .join(TherapyGroup, TherapyGroup.id == GroupSession.group_id)
            .where(col(GroupSession.group_id).in_(group_ids), GroupSession.starts_at >= from_utc,
                   GroupSession.starts_at < end_utc)
        ).all()
        for gs, group in rows:
            starts = program.to_local(gs.starts_at, tz)
            ends = starts + timedelta(minutes=gs.duration_minutes)
            day = starts.date()
            member = any(m.group_id == group.id and m.joined_on <= day and (m.left_on is None or m.left_on >= day)
                         for m in memberships)
            if member and ends > program.to_local(now, tz):
                items.append(ScheduleItem("group", group.name, starts, ends, group.location, gs.cancelled,
                                          gs.cancel_reason if gs.cancelled else gs.topic))

    for ind in session.exec(select(IndividualSession).where(
            IndividualSession.client_id == client_id, IndividualSession.starts_at >= from_utc,
            IndividualSession.starts_at < end_utc, IndividualSession.status != "cancelled")).all():
        starts = program.to_local(ind.starts_at, tz)
        ends = starts + timedelta(minutes=ind.duration_minutes)
        if ends > program.to_local(now, tz):
            items.append(ScheduleItem("individual", "Individual session", starts, ends, "", False,
                                      "with your therapist"))

    for fam in session.exec(select(FamilySession).where(
            FamilySession.client_id == client_id, FamilySession.status == "booked",
            col(FamilySession.starts_at).is_not(None), FamilySession.starts_at >= from_utc,
            FamilySession.starts_at < end_utc)).all():
        starts = program.to_local(fam.starts_at, tz)
        ends = starts + timedelta(minutes=fam.duration_minutes)
        if ends > program.to_local(now, tz):
            items.append(ScheduleItem("family", "Family session", starts, ends,
                                      "Video" if fam.mode == "video" else "In person", False, fam.note))

    items.sort(key=lambda item: (item.starts_local, item.kind))
    return items


def describe_time(item: ScheduleItem) -> str:
    """'Wed 9:00 AM – 12:00 PM' in program-local time."""
    def clock(moment: datetime) -> str:
        return moment.strftime("%I:%M %p").lstrip("0")
    day = f"{item.starts_local.strftime('%a %b')} {item.starts_local.day}"
    return f"{day}, {clock(item.starts_local)} – {clock(item.ends_local)}"
