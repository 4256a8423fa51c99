"""A therapist cannot see or change a client who is not on their caseload, whatever
id is sent (refused and audited, nothing changed); the director can."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, GroupMembership, TherapyGroup, TreatmentPlan
from iop_app.services import groups, plans, program, progress, roll_call, roster
from iop_app.services.errors import PermissionDenied


@pytest.fixture
def world(session, factory):
    mine = factory.user("therapist")
    other = factory.user("therapist")
    director = factory.user("director")
    theirs = factory.client(other, name="Zed Theirs")
    today = program.local_today(session)
    group = TherapyGroup(name="Mine", group_type="process", facilitator_id=mine.id, weekdays="1",
                         start_time=time(9), duration_minutes=60, start_date=today - timedelta(days=60))
    session.add(group)
    session.commit()
    return dict(mine=mine, other=other, director=director, theirs=theirs, group=group, today=today)


def reads(world):
    cid = world["theirs"].id
    return {
        "progress.checkins": lambda s, a: progress.checkin_frame(s, a, cid, 30),
        "progress.hours": lambda s, a: progress.weekly_hours_frame(s, a, cid, 8),
        "progress.attendance": lambda s, a: progress.attendance_by_week_frame(s, a, cid, 8),
        "attendance.history": lambda s, a: roll_call.client_attendance(s, a, cid),
        "plan.review_status": lambda s, a: plans.review_status(s, a, cid),
    }


def test_reads_are_refused_and_audited_for_another_caseload(session, world):
    for read in reads(world).values():
        with pytest.raises(PermissionDenied):
            read(session, world["mine"])
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == world["mine"].id,
                                                   AuditEvent.outcome == "denied")).all()
    assert len(denied) == len(reads(world)) and {e.client_id for e in denied} == {world["theirs"].id}
    for read in reads(world).values():
        read(session, world["director"])  # the director may read every record
    allowed = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == world["director"].id,
                                                    AuditEvent.outcome == "allowed")).all()
    assert len(allowed) == len(reads(world))  # and each read is logged


def test_roster_never_lists_another_caseload(session, world):
    mine = roster.roster_page(session, world["mine"], roster.RosterQuery(status="all"), world["today"])
    assert mine.total == 0
    everyone = roster.roster_page(session, world["director"], roster.RosterQuery(status="all"), world["today"])
    assert [r.name for r in everyone.rows] == ["Zed Theirs"]


def test_changes_are_refused_for_another_caseload(session, world):
    cid, today = world["theirs"].id, world["today"]
    with pytest.raises(PermissionDenied):
        plans.start_plan(session, world["mine"], cid)
    with pytest.raises(PermissionDenied):
        groups.join_group(session, world["mine"], world["group"].id, cid, today)
    assert session.exec(select(TreatmentPlan)).all() == [] and session.exec(select(GroupMembership)).all() == []
    # ids that do not exist or are not ints are refused the same way
    for forged in (10_000, -1, "1", None):
        with pytest.raises(PermissionDenied):
            progress.checkin_frame(session, world["mine"], forged, 7)
    plans.start_plan(session, world["director"], cid)
    groups.join_group(session, world["director"], world["group"].id, cid, today)
    assert len(session.exec(select(TreatmentPlan)).all()) == 1


def test_group_membership_puts_a_client_on_the_facilitators_caseload(session, world):
    cid = world["theirs"].id
    groups.join_group(session, world["director"], world["group"].id, cid, world["today"])
    assert len(progress.checkin_frame(session, world["mine"], cid, 7)) == 7
    groups.leave_group(session, world["director"], world["group"].id, cid, world["today"])
    # last day is today: still on the caseload today, not tomorrow
    tomorrow = world["today"] + timedelta(days=1)
    assert roster.roster_page(session, world["mine"], roster.RosterQuery(), tomorrow).total == 0
