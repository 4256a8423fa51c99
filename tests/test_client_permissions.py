"""Nobody but the client, their care team and the director can read or change the
client's goals, needs, check-ins or schedule. Each denial changes nothing and is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, Goal, GoalStep, GoalUpdate, MoodEntry, Need, NeedRanking
from iop_app.services import checkins, goals, needs, program, schedule
from iop_app.services.errors import PermissionDenied


@pytest.fixture
def record(session, factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    user = factory.client_user(client)
    goal = goals.add_goal(session, user, client.id, title="Stay sober", life_area="sobriety", steps=["Call sponsor"])
    step = session.exec(select(GoalStep).where(GoalStep.goal_id == goal.id)).one()
    need = needs.add_need(session, user, client.id, "Stable housing", "housing")
    checkins.save_checkin(session, user, client.id, day=program.local_today(session) - timedelta(days=1),
                          mood=5, anxiety=5, craving=5, sleep_hours=7)
    return {"client": client, "user": user, "therapist": therapist, "goal": goal, "step": step, "need": need}


OUTSIDERS = {
    "another client": lambda f, r: f.client_user(f.client(r["therapist"])),
    "family with consent in force": lambda f, r: f.family(r["client"], scope="scheduling_progress"),
    "family without consent": lambda f, r: f.family(r["client"], scope=None),
    "family with revoked consent": lambda f, r: f.family(r["client"], revoked=True),
    "therapist without this client": lambda f, r: f.user("therapist"),
}

OPERATIONS = {
    "list goals": lambda s, a, r: goals.list_goals(s, a, r["client"].id),
    "add goal": lambda s, a, r: goals.add_goal(s, a, r["client"].id, title="Mine now", life_area="other"),
    "update progress": lambda s, a, r: goals.update_progress(s, a, r["client"].id, r["goal"].id, progress_pct=90,
                                                             expected_version=r["goal"].version),
    "tick a step": lambda s, a, r: goals.set_step_done(s, a, r["client"].id, r["goal"].id, r["step"].id, True),
    "add a step": lambda s, a, r: goals.add_step(s, a, r["client"].id, r["goal"].id, "Sneaky"),
    "change status": lambda s, a, r: goals.set_status(s, a, r["client"].id, r["goal"].id, "set_aside",
                                                      expected_version=r["goal"].version),
    "edit goal": lambda s, a, r: goals.edit_goal(s, a, r["client"].id, r["goal"].id, title="Mine now",
                                                 expected_version=r["goal"].version),
    "read needs": lambda s, a, r: needs.current_order(s, a, r["client"].id),
    "read needs history": lambda s, a, r: needs.history(s, a, r["client"].id),
    "add need": lambda s, a, r: needs.add_need(s, a, r["client"].id, "Other thing", "other"),
    "remove need": lambda s, a, r: needs.remove_need(s, a, r["client"].id, r["need"].id),
    "save order": lambda s, a, r: needs.save_order(s, a, r["client"].id, [r["need"].id]),
    "set focus": lambda s, a, r: needs.set_focus(s, a, r["client"].id, r["need"].id),
    "check in": lambda s, a, r: checkins.save_checkin(s, a, r["client"].id, day=program.local_today(s),
                                                      mood=1, anxiety=10, craving=10, sleep_hours=0),
    "read check-in": lambda s, a, r: checkins.get_checkin(s, a, r["client"].id, program.local_today(s)),
    "read streak": lambda s, a, r: checkins.today_status(s, a, r["client"].id),
    "read recent check-ins": lambda s, a, r: checkins.recent(s, a, r["client"].id),
    "read schedule": lambda s, a, r: schedule.upcoming_this_week(s, a, r["client"].id),
}


def _snapshot(session):
    counts = tuple(session.exec(select(func.count()).select_from(model)).one()
                   for model in (Goal, GoalStep, GoalUpdate, Need, NeedRanking, MoodEntry))
    goal = session.exec(select(Goal)).first()
    need = session.exec(select(Need)).first()
    return counts, (goal.progress_pct, goal.status), (need.active, need.in_focus)


@pytest.mark.parametrize("who", list(OUTSIDERS))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_outsiders_can_neither_read_nor_change_the_record(session, factory, record, who, operation):
    outsider = OUTSIDERS[who](factory, record)
    before = _snapshot(session)
    denials_before = session.exec(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.outcome == "denied")).one()
    with pytest.raises(PermissionDenied):
        OPERATIONS[operation](session, outsider, record)
    session.rollback()
    session.expire_all()
    assert _snapshot(session) == before
    denials = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied",
                                                    AuditEvent.actor_user_id == outsider.id)).all()
    assert len(denials) == 1 and denials_before + 1 == session.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "denied")).one()


def test_the_care_team_reads_and_writes_the_record_and_staff_reads_are_audited(session, factory, record):
    director = factory.user("director")
    for staff in (record["therapist"], director):
        goals.update_progress(session, staff, record["client"].id, record["goal"].id, progress_pct=40,
                              expected_version=session.get(Goal, record["goal"].id).version)
        assert [g.title for g in goals.list_goals(session, staff, record["client"].id)] == ["Stay sober"]
        needs.set_focus(session, staff, record["client"].id, record["need"].id)
        assert checkins.today_status(session, staff, record["client"].id).streak == 1
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "goal.view",
                                                  AuditEvent.outcome == "allowed")).all()
    assert {v.actor_user_id for v in views} == {record["therapist"].id, director.id}


def test_a_client_reaching_for_another_record_with_their_own_ids_is_refused(session, factory, record):
    """A forged pair: my own client id with another client's goal/need id."""
    other = factory.client()
    other_user = factory.client_user(other)
    mine = goals.add_goal(session, other_user, other.id, title="Mine", life_area="other")
    my_need = needs.add_need(session, other_user, other.id, "Mine", "other")
    with pytest.raises(PermissionDenied):
        goals.set_status(session, other_user, other.id, record["goal"].id, "set_aside", expected_version=1)
    with pytest.raises(PermissionDenied):
        needs.save_order(session, other_user, record["client"].id, [my_need.id])
    with pytest.raises(PermissionDenied):
        needs.remove_need(session, other_user, other.id, record["need"].id)
    session.rollback()
    assert session.get(Goal, record["goal"].id).status == "active"
    assert session.get(Need, record["need"].id).active
    assert session.get(Goal, mine.id).status == "active"
