"""The client's coming week: groups they belong to, individual and booked family sessions,
in program-local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from iop_app.models import FamilySession, GroupMembership, GroupSession, IndividualSession, TherapyGroup
from iop_app.services import program, schedule

# Wednesday 4 March 2026, 09:00 in Los Angeles (the default program time zone).
NOW = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
TODAY = date(2026, 3, 4)


def _group(session, therapist, name, membership_from=None, left_on=None, client=None):
    group = TherapyGroup(name=name, group_type="process", facilitator_id=therapist.id, weekdays="1,3,5",
                         start_time=time(9), duration_minutes=180, start_date=date(2026, 1, 1), location="Room 101")
    session.add(group)
    session.flush()
    if membership_from:
        session.add(GroupMembership(group_id=group.id, client_id=client.id, joined_on=membership_from, left_on=left_on))
    return group


def _at(session, day: date, hour: int, minute: int = 0) -> datetime:
    return program.to_utc(datetime.combine(day, time(hour, minute)), program.program_tz(session))


def test_upcoming_sessions_over_the_coming_week(session, factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    other = factory.client(therapist)
    user = factory.client_user(client)
    process = _group(session, therapist, "Morning Process Group", date(2026, 2, 1), client=client)
    leaving = _group(session, therapist, "Skills Group", date(2026, 2, 1), left_on=date(2026, 3, 5), client=client)
    not_mine = _group(session, therapist, "Someone else's group")
    sessions = [
        (process, date(2026, 3, 2), 9, False),   # Monday: over
        (process, date(2026, 3, 4), 8, False),   # today 08:00-11:00: under way, still listed
        (process, date(2026, 3, 5), 9, True),    # cancelled: listed as cancelled
        (process, date(2026, 3, 6), 9, False),
        (process, date(2026, 3, 10), 9, False),  # the 7th day
        (process, date(2026, 3, 11), 9, False),  # a week from today: not yet
        (leaving, date(2026, 3, 5), 13, False),  # last day of membership
        (leaving, date(2026, 3, 6), 13, False),  # after leaving
        (not_mine, date(2026, 3, 5), 10, False),
    ]
    for group, day, hour, cancelled in sessions:
        session.add(GroupSession(group_id=group.id, starts_at=_at(session, day, hour), duration_minutes=180,
                                 topic="Urge surfing", cancelled=cancelled,
                                 cancel_reason="Facilitator ill" if cancelled else ""))
    session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id,
                                  starts_at=_at(session, date(2026, 3, 5), 15), duration_minutes=50))
    session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id, status="cancelled",
                                  starts_at=_at(session, date(2026, 3, 6), 15)))
    session.add(IndividualSession(client_id=other.id, therapist_id=therapist.id,
                                  starts_at=_at(session, date(2026, 3, 5), 16)))
    session.add(FamilySession(client_id=client.id, therapist_id=therapist.id, status="booked", mode="video",
                              starts_at=_at(session, date(2026, 3, 7), 17, 30), duration_minutes=60))
    session.add(FamilySession(client_id=client.id, therapist_id=therapist.id, status="proposed"))
    session.commit()

    items = schedule.upcoming_this_week(session, user, client.id, today=TODAY, now=NOW)
    assert [(i.kind, i.title, schedule.describe_time(i), i.cancelled) for i in items] == [
        ("group", "Morning Process Group", "Wed Mar 4, 8:00 AM – 11:00 AM", False),
        ("group", "Morning Process Group", "Thu Mar 5, 9:00 AM – 12:00 PM", True),
        ("group", "Skills Group", "Thu Mar 5, 1:00 PM – 4:00 PM", False),
        ("individual", "Individual session", "Thu Mar 5, 3:00 PM – 3:50 PM", False),
        ("group", "Morning Process Group", "Fri Mar 6, 9:00 AM – 12:00 PM", False),
        ("family", "Family session", "Sat Mar 7, 5:30 PM – 6:30 PM", False),
        ("group", "Morning Process Group", "Tue Mar 10, 9:00 AM – 12:00 PM", False),
    ]
    assert items[1].detail == "Facilitator ill"
    assert items[5].where == "Video"


def test_nothing_scheduled_gives_an_empty_week(session, factory):
    client = factory.client()
    assert schedule.upcoming_this_week(session, factory.client_user(client), client.id, today=TODAY, now=NOW) == []
