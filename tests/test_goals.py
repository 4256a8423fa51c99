"""Goals: creation, steps, progress updates and status changes, each kept in a dated history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, Goal, GoalStep, GoalUpdate
from iop_app.services import goals, program
from iop_app.services.errors import PermissionDenied, ValidationError


@pytest.fixture
def alex(factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    return client, factory.client_user(client), therapist


def _add(session, actor, client, **overrides):
    values = dict(title="Go 30 days without drinking", why="My kids deserve a present parent.",
                  life_area="sobriety", horizon="immediate",
                  target_date=program.local_today(session) + timedelta(days=30),
                  steps=["Attend all groups", "Call my sponsor daily", "Remove alcohol from home"])
    values.update(overrides)
    return goals.add_goal(session, actor, client.id, **values)


def test_client_adds_a_goal_with_steps_and_a_created_entry(session, alex):
    client, user, _ = alex
    goal = _add(session, user, client)
    [view] = goals.list_goals(session, user, client.id)
    assert view.title == "Go 30 days without drinking"
    assert view.life_area_label == "Sobriety / substance use"
    assert view.horizon_label == "Immediate"
    assert [s.text for s in view.steps] == ["Attend all groups", "Call my sponsor daily", "Remove alcohol from home"]
    assert [(u.kind, u.progress_pct) for u in view.updates] == [("created", 0)]
    assert view.updates[0].day == program.local_today(session)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "goal.create",
                                                 AuditEvent.target == f"goal:{goal.id}")).one()


def test_new_life_areas_spirituality_and_other_are_accepted(session, alex):
    client, user, _ = alex
    _add(session, user, client, title="Find a quiet practice", life_area="spirituality", horizon="long_term", steps=[])
    _add(session, user, client, title="Learn to cook", life_area="other", target_date=None, steps=[])
    assert {g.life_area for g in goals.list_goals(session, user, client.id)} == {"spirituality", "other"}


@pytest.mark.parametrize("overrides,field", [
    ({"title": "   "}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"why": "x" * 1001}, "why"),
    ({"life_area": "gardening"}, "life_area"),
    ({"horizon": "someday"}, "horizon"),
    ({"steps": ["x" * 201]}, "steps"),
    ({"steps": [f"step {i}" for i in range(13)]}, "steps"),
    ({"steps": "not a list"}, "steps"),
])
def test_bad_goal_input_is_refused_per_field_and_saves_nothing(session, alex, overrides, field):
    client, user, _ = alex
    with pytest.raises(ValidationError) as exc:
        _add(session, user, client, **overrides)
    assert field in exc.value.errors
    session.rollback()
    assert session.exec(select(Goal)).all() == []
    assert session.exec(select(GoalStep)).all() == []


def test_target_date_in_the_past_or_too_far_ahead_is_refused(session, alex):
    client, user, _ = alex
    today = program.local_today(session)
    for bad in (today - timedelta(days=1), today + timedelta(days=365 * 5 + 10)):
        with pytest.raises(ValidationError) as exc:
            _add(session, user, client, target_date=bad)
        assert "target_date" in exc.value.errors
    assert session.exec(select(Goal)).all() == []


def test_progress_estimates_build_a_dated_history(session, alex):
    client, user, _ = alex
    goal = _add(session, user, client)
    goals.update_progress(session, user, client.id, goal.id, progress_pct=20, note="Good week",
                          expected_version=goal.version)
    goals.update_progress(session, user, client.id, goal.id, progress_pct=35, note="Harder week, still going",
                          expected_version=goal.version)
    [view] = goals.list_goals(session, user, client.id)
    assert view.progress_pct == 35
    assert [(u.kind, u.progress_pct, u.note) for u in view.updates] == [
        ("created", 0, "Goal set"), ("progress", 20, "Good week"), ("progress", 35, "Harder week, still going")]


@pytest.mark.parametrize("pct", [-1, 101, 50.5, "50", True, None])
def test_progress_out_of_range_or_not_a_whole_number_is_refused(session, alex, pct):
    client, user, _ = alex
    goal = _add(session, user, client)
    with pytest.raises(ValidationError) as exc:
        goals.update_progress(session, user, client.id, goal.id, progress_pct=pct, expected_version=goal.version)
    assert "progress_pct" in exc.value.errors
    session.rollback()
    assert session.get(Goal, goal.id).progress_pct == 0
    assert len(session.exec(select(GoalUpdate).where(GoalUpdate.goal_id == goal.id)).all()) == 1


def test_progress_note_over_the_limit_is_refused(session, alex):
    client, user, _ = alex
    goal = _add(session, user, client)
    with pytest.raises(ValidationError) as exc:
        goals.update_progress(session, user, client.id, goal.id, progress_pct=10, note="x" * 501,
                              expected_version=goal.version)
    assert "note" in exc.value.errors
    session.rollback()
    assert session.get(Goal, goal.id).progress_pct == 0


def test_ticking_steps_moves_progress_to_the_share_done(session, alex):
    client, user, _ = alex
    goal = _add(session, user, client)
    step_ids = [s.id for s in goals.list_goals(session, user, client.id)[0].steps]
    goals.set_step_done(session, user, client.id, goal.id, step_ids[0], True)
    assert session.get(Goal, goal.id).progress_pct == 33  # 1 of 3
    goals.set_step_done(session, user, client.id, goal.id, step_ids[2], True)
    assert session.get(Goal, goal.id).progress_pct == 67  # 2 of 3
    goals.set_step_done(session, user, client.id, goal.id, step_ids[0], False)
    [view] = goals.list_goals(session, user, client.id)
    assert view.progress_pct == 33
    assert [s.done for s in view.steps] == [False, False, True]
    assert [(u.kind, u.progress_pct) for u in view.updates] == [
        ("created", 0), ("step", 33), ("step", 67), ("step", 33)]
    assert view.updates[1].note == "Done: Attend all groups"


def test_a_step_can_be_added_later(session, alex):
    client, user, _ = alex
    goal = _add(session, user, client, steps=["One"])
    goals.add_step(session, user, client.id, goal.id, "Two")
    assert [s.text for s in goals.list_goals(session, user, client.id)[0].steps] == ["One", "Two"]
    with pytest.raises(ValidationError):
        goals.add_step(session, user, client.id, goal.id, "  ")


def test_status_changes_keep_the_history(session, alex):
    client, user, therapist = alex
    goal = _add(session, user, client)
    goals.update_progress(session, user, client.id, goal.id, progress_pct=60, expected_version=goal.version)
    goals.set_status(session, therapist, client.id, goal.id, "revised", "Changed to 60 days together",
                     expected_version=goal.version)
    goals.set_status(session, user, client.id, goal.id, "achieved", expected_version=goal.version)
    [view] = goals.list_goals(session, user, client.id)
    assert view.status == "achieved" and view.progress_pct == 100
    assert [(u.kind, u.status) for u in view.updates] == [
        ("created", "active"), ("progress", "active"), ("status", "revised"), ("status", "achieved")]
    assert view.updates[2].by_user_id == therapist.id
    assert view.updates[3].note == "Revised → Achieved"
    with pytest.raises(ValidationError) as exc:
        goals.set_status(session, user, client.id, goal.id, "finished", expected_version=goal.version)
    assert "status" in exc.value.errors


def test_therapist_creates_a_goal_on_the_clients_record(session, alex):
    client, user, therapist = alex
    goal = _add(session, therapist, client, title="Sleep seven hours", life_area="physical_health")
    assert goal.created_by == therapist.id
    assert [g.title for g in goals.list_goals(session, user, client.id)] == ["Sleep seven hours"]


def test_a_goal_id_from_another_record_is_refused_and_audited(session, factory, alex):
    client, user, _ = alex
    other = factory.client()
    other_user = factory.client_user(other)
    theirs = _add(session, other_user, other)
    with pytest.raises(PermissionDenied):
        goals.update_progress(session, user, client.id, theirs.id, progress_pct=90, expected_version=theirs.version)
    session.rollback()
    assert session.get(Goal, theirs.id).progress_pct == 0
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "goal.progress",
                                                 AuditEvent.outcome == "denied")).one()
