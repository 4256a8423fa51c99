"""Services in time: the weekly schedule of a group, and finding what a proposed
time would overlap. Shared by group session generation (services/groups.py) and
family-session scheduling (services/family_sessions.py), so "when does this
group meet" has one answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from ..models import FamilySession, GroupMembership, GroupSession, IndividualSession, TherapyGroup
from . import program

# Longest service considered when looking back for an overlap (groups run 3 h).
LOOKBACK = timedelta(hours=12)


def meeting_weekdays(group: TherapyGroup) -> set[int]:
    """ISO weekdays the group meets on ("1,3,5" = Mon, Wed, Fri)."""
    return {int(d) for d in group.weekdays.split(",") if d.strip().isdigit()}


def scheduled_meetings(group: TherapyGroup, first: date, last: date, tz: ZoneInfo) -> Iterator[tuple[date, datetime]]:
    """(local day, UTC start) of each meeting the weekly schedule gives in [first, last],
    within the group's own start and end dates."""
    weekdays = meeting_weekdays(group)
    day = max(first, group.start_date)
    last = min(last, group.end_date) if group.end_date is not None else last
    while day <= last:
        if day.isoweekday() in weekdays:
            yield day, program.to_utc(datetime.combine(day, group.start_time), tz)
        day += timedelta(days=1)


def local_text(moment: datetime, tz: ZoneInfo, minutes: int | None = None) -> str:
    start = program.to_local(moment, tz)
    text = start.strftime("%a %d %b %Y, %H:%M")
    if minutes:
        text += "–" + (start + timedelta(minutes=minutes)).strftime("%H:%M")
    return text


def find_conflicts(
    session: Session,
    *,
    therapist_id: int,
    client_id: int,
    start: datetime,
    minutes: int,
    exclude_family_session_id: int | None = None,
) -> list[str]:
    """Why [start, start+minutes) cannot be used: each overlapping service of the
    therapist (family and individual sessions, groups they facilitate) or of the
    client (their groups, individual and family sessions). Empty when free."""
    tz = program.program_tz(session)
    end = start + timedelta(minutes=minutes)
    window_start = start - LOOKBACK
    reasons: list[str] = []

    def overlaps(other_start: datetime, other_minutes: int) -> bool:
        return other_start < end and other_start + timedelta(minutes=other_minutes) > start

    fam = select(FamilySession).where(
        or_(FamilySession.therapist_id == therapist_id, FamilySession.client_id == client_id),
        col(FamilySession.status).in_(("booked", "completed")),
        col(FamilySession.starts_at).is_not(None),
        FamilySession.starts_at >= window_start,
        FamilySession.starts_at < end,
    )
    if exclude_family_session_id is not None:
        fam = fam.where(FamilySession.id != exclude_family_session_id)
    for other in session.exec(fam).all():
        if overlaps(other.starts_at, other.duration_minutes):
            whose = "another family session of this client" if other.client_id == client_id else (
                "the therapist's family session with another client")
            reasons.append(f"Overlaps {whose} ({local_text(other.starts_at, tz, other.duration_minutes)}).")

    for other in session.exec(
        select(IndividualSession).where(
            or_(IndividualSession.therapist_id == therapist_id, IndividualSession.client_id == client_id),
            IndividualSession.status != "cancelled",
            IndividualSession.starts_at >= window_start,
            IndividualSession.starts_at < end,
        )
    ).all():
        if overlaps(other.starts_at, other.duration_minutes):
            whose = "the client's individual session" if other.client_id == client_id else (
                "the therapist's individual session with another client")
            reasons.append(f"Overlaps {whose} ({local_text(other.starts_at, tz, other.duration_minutes)}).")

    # Groups: the therapist's (as facilitator) and the client's (as a member that day).
    memberships = session.exec(
        select(GroupMembership.group_id, GroupMembership.joined_on, GroupMembership.left_on).where(
            GroupMembership.client_id == client_id
        )
    ).all()
    member_groups = {gid for gid, _, _ in memberships}
    groups = session.exec(
        select(TherapyGroup).where(
            or_(TherapyGroup.facilitator_id == therapist_id, col(TherapyGroup.id).in_(member_groups or {-1}))
        )
    ).all()
    if not groups:
        return reasons
    by_id = {g.id: g for g in groups}

    def client_member_on(group_id: int, day: date) -> bool:
        return any(gid == group_id and joined <= day and (left is None or left >= day)
                   for gid, joined, left in memberships)

    def group_reason(group: TherapyGroup, day: date, at: datetime, minutes_: int) -> str | None:
        span = local_text(at, tz, minutes_)
        if group.facilitator_id == therapist_id:
            return f"Overlaps the group {group.name} ({span}), which the therapist facilitates."
        if client_member_on(group.id, day):
            return f"Overlaps the client's group {group.name} ({span})."
        return None

    first_day = program.to_local(window_start, tz).date()
    last_day = program.to_local(end, tz).date()
    day_start, _ = program.local_day_bounds_utc(first_day, tz)
    _, day_end = program.local_day_bounds_utc(last_day, tz)
    rows = session.exec(
        select(GroupSession).where(
            col(GroupSession.group_id).in_(list(by_id)),
            GroupSession.starts_at >= day_start,
            GroupSession.starts_at < day_end,
        )
    ).all()
    days_with_rows = set()
    for gs in rows:
        day = program.to_local(gs.starts_at, tz).date()
        days_with_rows.add((gs.group_id, day))
        if gs.cancelled or not overlaps(gs.starts_at, gs.duration_minutes):
            continue
        if reason := group_reason(by_id[gs.group_id], day, gs.starts_at, gs.duration_minutes):
            reasons.append(reason)
    # Meetings not generated yet follow the weekly schedule.
    for group in groups:
        for day, at in scheduled_meetings(group, first_day, last_day, tz):
            if (group.id, day) in days_with_rows or not overlaps(at, group.duration_minutes):
                continue
            if reason := group_reason(group, day, at, group.duration_minutes):
                reasons.append(reason)
    return reasons
