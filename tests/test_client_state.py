"""Client portal event handlers called as a browser could: with forged ids, wrong
types and huge strings. Each is refused with a message and changes nothing; the
client's record is always the signed-in client's own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, Goal, GoalStep, GoalUpdate, MoodEntry, Need, NeedRanking
from iop_app.services import goals, needs, program
from iop_app.state.client import CheckinState, ClientHomeState, GoalsState, NeedsState
from tests.helpers import assert_field_errors, call


def redirect_path(spec) -> str:
    return dict((k._js_expr, v._var_value) for k, v in spec.args)["path"]


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def people(session, factory):
    therapist = factory.user("therapist")
    me = factory.client(therapist, admitted_days_ago=20)
    other = factory.client(therapist)
    return {"therapist": therapist, "me": me, "me_user": factory.client_user(me),
            "other": other, "other_user": factory.client_user(other)}


def good_form(**overrides):
    form = {"day": "", "mood": "6", "anxiety": "4", "craving": "3",
            "sleep_hours": "7.5", "used_substance": "no", "substances": "", "trigger_other": "", "coping_other": "",
            "note": "", "trigger_2": "on", "coping_0": "on"}
    form.update(overrides)
    return form


# ---------------------------------------------------------------- who may open the pages
@pytest.mark.parametrize("state_cls", [ClientHomeState, CheckinState, GoalsState, NeedsState])
def test_pages_refuse_staff_and_signed_out_visitors(session, people, signed_in_state, state_cls):
    state = signed_in_state(state_cls, people["therapist"])
    assert redirect_path(call(state, "load")) == "/denied"
    state = signed_in_state(state_cls, None)
    assert redirect_path(call(state, "load")) == "/signin"


# ---------------------------------------------------------------- home
def test_home_shows_my_own_day_streak_goals_and_chart(session, people, signed_in_state):
    me, user = people["me"], people["me_user"]
    today = program.local_today(session)
    for n, (mood, used) in enumerate([(7, False), (5, True), (6, False)]):
        session.add(MoodEntry(client_id=me.id, day=today - timedelta(days=n), mood=mood, anxiety=3, craving=2,
                              sleep_hours=7, used_substance=used))
    session.add(MoodEntry(client_id=people["other"].id, day=today, mood=1, anxiety=9, craving=9, sleep_hours=2))
    session.commit()
    goals.add_goal(session, user, me.id, title="Walk daily", life_area="physical_health", steps=["Buy shoes"])
    state = signed_in_state(ClientHomeState, user)
    call(state, "load")
    assert state.done_today and state.streak == 3
    assert [g.title for g in state.goal_rows] == ["Walk daily"]
    assert state.goal_rows[0].steps_label == "0 of 1 steps done"
    assert state.chart_summary.startswith("Latest check-in today: mood 7, anxiety 3, craving 2.")
    # 7-day mood average over the three days present: (7 + 5 + 6) / 3 = 6.
    assert "7-day averages: mood 6, anxiety 3, craving 2." in state.chart_summary
    assert "Days with reported use in the last 30 days: 1." in state.chart_summary
    figure = state.trend_chart
    days = {d for trace in figure.data for d in (trace.x or ())}
    assert today.isoformat() in days
    use_trace = [t for t in figure.data if t.name == "Reported use"][0]
    assert list(use_trace.x) == [(today - timedelta(days=1)).isoformat()]
    mood_daily = figure.data[0]
    assert len(mood_daily.x) == 30 and mood_daily.y[-1] == 7
    call(state, "set_chart_days", "90")
    assert len(state.trend_chart.data[0].x) == 90
    call(state, "set_chart_days", "100000")
    assert state.chart_days == 30 and len(state.trend_chart.data[0].x) == 30
    call(state, "set_chart_days", ["90"])
    assert state.chart_days == 30


# ---------------------------------------------------------------- check-in
def test_checkin_saves_for_today_then_edits_the_same_entry(session, people, signed_in_state):
    state = signed_in_state(CheckinState, people["me_user"])
    call(state, "load")
    today = program.local_today(session).isoformat()
    assert state.selected_day == today
    call(state, "save", good_form(day=today))
    assert state.errors == {} and "saved" in state.message and not state.show_support
    call(state, "save", good_form(day=today, craving="9", note="Hard evening"))
    assert "updated" in state.message and state.show_support
    [entry] = session.exec(select(MoodEntry)).all()
    session.refresh(entry)
    assert (entry.client_id, entry.craving, entry.note, entry.triggers, entry.coping) == (
        people["me"].id, 9, "Hard evening", "loneliness", "called sponsor")
    assert state.values["craving"] == "9" and state.editing


@pytest.mark.parametrize("overrides,field", [
    ({"mood": "0"}, "mood"), ({"mood": "11"}, "mood"), ({"mood": ""}, "mood"), ({"mood": ["7"]}, "mood"),
    ({"mood": "7; DROP TABLE"}, "mood"), ({"anxiety": "-1"}, "anxiety"), ({"craving": "10.5"}, "craving"),
    ({"sleep_hours": "25"}, "sleep_hours"), ({"sleep_hours": "nan"}, "sleep_hours"),
    ({"sleep_hours": {}}, "sleep_hours"),
    ({"used_substance": "maybe"}, "used_substance"), ({"substances": "x" * 100_000}, "substances"),
    ({"note": "x" * 2001}, "note"), ({"note": 12}, "note"), ({"trigger_other": "x" * 201}, "triggers"),
    ({"coping_other": "y" * 100_000}, "coping"),
    ({"day": "2099-01-01"}, "day"), ({"day": "1999-01-01"}, "day"), ({"day": "tomorrow"}, "day"),
    ({"day": None}, "day"),
])
def test_checkin_refuses_bad_values_with_a_message_on_that_field(session, people, signed_in_state, overrides, field):
    state = signed_in_state(CheckinState, people["me_user"])
    call(state, "load")
    form = good_form(day=program.local_today(session).isoformat())
    form.update(overrides)
    call(state, "save", form)
    assert state.errors.get(field), state.errors
    assert state.message == ""
    assert count(session, MoodEntry) == 0


def test_checkin_shows_the_services_message_for_each_field(session, people, signed_in_state):
    """The page checks nothing itself: the messages are the service's (CheckinInput)."""
    state = signed_in_state(CheckinState, people["me_user"])
    call(state, "load")
    call(state, "save", good_form(day=program.local_today(session).isoformat(), mood="0", anxiety="many",
                                  craving="", note="x" * 2001))
    assert state.errors == {"mood": "Mood is a whole number from 1 to 10.",
                            "anxiety": "Anxiety is a whole number from 0 to 10.",
                            "craving": "Please enter your craving, 0 to 10.",
                            "note": "The note can be up to 2000 characters (this one is 2001)."}
    assert count(session, MoodEntry) == 0


def test_checkin_refuses_a_form_that_is_not_a_form(session, people, signed_in_state):
    state = signed_in_state(CheckinState, people["me_user"])
    call(state, "load")
    for junk in (None, "mood=1", ["x"], 5):
        call(state, "save", junk)
        assert state.errors
    assert count(session, MoodEntry) == 0


def test_checkin_cannot_pick_a_day_outside_the_list(session, people, signed_in_state):
    state = signed_in_state(CheckinState, people["me_user"])
    call(state, "load")
    call(state, "choose_day", (program.local_today(session) - timedelta(days=10)).isoformat())
    assert state.errors["day"]
    assert state.selected_day == program.local_today(session).isoformat()


def test_checkin_by_another_client_lands_on_their_own_record_only(session, people, signed_in_state):
    """There is no client id to forge: the record is the signed-in client's."""
    state = signed_in_state(CheckinState, people["other_user"])
    call(state, "load")
    call(state, "save", good_form(day=program.local_today(session).isoformat(), client_id=str(people["me"].id)))
    [entry] = session.exec(select(MoodEntry)).all()
    assert entry.client_id == people["other"].id


# ---------------------------------------------------------------- goals
@pytest.fixture
def my_goal(session, people):
    return goals.add_goal(session, people["me_user"], people["me"].id, title="Call my sponsor", life_area="sobriety",
                          steps=["Save the number", "Call on Monday"])


@pytest.fixture
def their_goal(session, people):
    return goals.add_goal(session, people["other_user"], people["other"].id, title="Theirs", life_area="other",
                          steps=["Their step"])


def test_goal_form_refuses_huge_or_wrong_values(session, people, signed_in_state):
    state = signed_in_state(GoalsState, people["me_user"])
    call(state, "load")
    assert_field_errors(state, "add_goal", [
        ({"title": "x" * 100_000, "life_area": "sobriety", "horizon": "immediate"}, "title"),
        ({"title": "", "life_area": "sobriety", "horizon": "immediate"}, "title"),
        ({"title": "Ok", "life_area": "moon", "horizon": "immediate"}, "life_area"),
        ({"title": "Ok", "life_area": "other", "horizon": ["immediate"]}, "horizon"),
        ({"title": "Ok", "life_area": "other", "horizon": "immediate", "target_date": "soon"}, "target_date"),
        ({"title": "Ok", "life_area": "other", "horizon": "immediate", "target_date": "2001-01-01"}, "target_date"),
        ({"title": "Ok", "life_area": "other", "horizon": "immediate", "steps": "s\n" * 20}, "steps"),
        ({"title": ["Ok"], "life_area": "other", "horizon": "immediate"}, "title"),
    ])
    assert count(session, Goal) == 0


def test_goal_is_added_and_progress_updated_through_the_page_state(session, people, signed_in_state):
    state = signed_in_state(GoalsState, people["me_user"])
    call(state, "load")
    call(state, "add_goal", {"title": "Find part-time work", "why": "Structure helps", "life_area": "work_school",
                             "horizon": "long_term", "target_date": "", "steps": "Update resume\n\nApply to 3 jobs\n"})
    assert state.errors == {}
    [card] = state.goal_cards
    assert [s.text for s in card.steps] == ["Update resume", "Apply to 3 jobs"]
    call(state, "update_progress", {"goal_id": card.id, "progress_pct": "25", "note": "Resume done"})
    assert state.goal_cards[0].progress_pct == 25
    assert state.goal_cards[0].history[0].text == "Progress 25% — Resume done"
    call(state, "toggle_step", card.id, card.steps[1].id, True)
    assert state.goal_cards[0].progress_pct == 50 and state.goal_cards[0].steps[1].done


def test_goal_handlers_refuse_another_clients_goal_and_garbage_ids(session, people, signed_in_state, my_goal,
                                                                   their_goal):
    state = signed_in_state(GoalsState, people["me_user"])
    call(state, "load")
    their_step = session.exec(select(GoalStep).where(GoalStep.goal_id == their_goal.id)).first()
    my_step = session.exec(select(GoalStep).where(GoalStep.goal_id == my_goal.id)).first()
    updates_before = count(session, GoalUpdate)
    call(state, "update_progress", {"goal_id": str(their_goal.id), "progress_pct": "100"})
    assert "could not be found" in state.error
    call(state, "set_status", {"goal_id": str(their_goal.id), "status": "set_aside"})
    call(state, "add_step", {"goal_id": str(their_goal.id), "step": "mine now"})
    call(state, "toggle_step", str(their_goal.id), str(their_step.id), True)
    call(state, "toggle_step", str(my_goal.id), str(their_step.id), True)  # my goal, their step
    for goal_id, step_id, done in [("abc", "1", True), ([1], "1", True), (str(my_goal.id), str(my_step.id), "yes"),
                                   (str(10**15), "1", True), (str(my_goal.id), "-1", True)]:
        call(state, "toggle_step", goal_id, step_id, done)
    call(state, "update_progress", {"goal_id": str(my_goal.id), "progress_pct": "101"})
    assert state.goal_errors == {"progress_pct": "Progress is a whole number from 0 to 100."}
    assert state.error_goal_id == str(my_goal.id)
    call(state, "update_progress", {"goal_id": str(my_goal.id), "progress_pct": "50", "note": "n" * 100_000})
    assert "note" in state.goal_errors
    call(state, "set_status", {"goal_id": str(my_goal.id), "status": "deleted"})
    assert "status" in state.goal_errors
    session.expire_all()
    assert count(session, GoalUpdate) == updates_before
    assert session.get(Goal, their_goal.id).status == "active" and session.get(Goal, their_goal.id).progress_pct == 0
    assert not session.get(GoalStep, their_step.id).done and not session.get(GoalStep, my_step.id).done
    denied = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied",
                                                   AuditEvent.actor_user_id == people["me_user"].id)).all()
    assert len(denied) >= 5


# ---------------------------------------------------------------- needs
def test_needs_reorder_and_save_a_snapshot(session, people, signed_in_state):
    me, user = people["me"], people["me_user"]
    for label in ("Staying sober", "Stable housing", "Finding steady work"):
        needs.add_need(session, user, me.id, label, "other")
    state = signed_in_state(NeedsState, user)
    call(state, "load")
    housing = state.rows[1].id
    call(state, "move_up", housing)
    assert [r.label for r in state.rows] == ["Stable housing", "Staying sober", "Finding steady work"]
    assert state.unsaved and "moved to 1st of 3" in state.move_status
    assert count(session, NeedRanking) == 0  # nothing saved until Save order
    call(state, "save_order")
    assert not state.unsaved and state.history[0].lines == [
        "1. Stable housing", "2. Staying sober", "3. Finding steady work"]
    call(state, "move_down", housing)
    call(state, "save_order")
    assert state.history[0].lines == [
        "1. Staying sober (up from 2)", "2. Stable housing (down from 1)", "3. Finding steady work"]
    assert count(session, NeedRanking) == 2


def test_needs_handlers_ignore_forged_ids_and_cannot_touch_another_record(session, people, signed_in_state):
    me, user = people["me"], people["me_user"]
    mine = needs.add_need(session, user, me.id, "Staying sober", "sobriety")
    theirs = needs.add_need(session, people["other_user"], people["other"].id, "Their need", "other")
    state = signed_in_state(NeedsState, user)
    call(state, "load")
    for junk in (str(theirs.id), "abc", None, ["1"], str(10**20), "-5"):
        call(state, "move_up", junk)
        call(state, "move_down", junk)
        call(state, "remove_need", junk)
    assert [r.id for r in state.rows] == [str(mine.id)]
    call(state, "save_order")
    session.expire_all()
    assert session.get(Need, theirs.id).active
    [ranking] = session.exec(select(NeedRanking)).all()
    assert ranking.client_id == me.id
    assert_field_errors(state, "add_need", [
        ({"common": "", "custom": ""}, "common"), ({"common": "Not on the list"}, "common"),
        ({"custom": "x" * 100_000, "area": "other"}, "custom"), ({"custom": "Ok", "area": "the moon"}, "area"),
        ({"custom": "staying SOBER", "area": "other"}, "custom"),
    ])
    assert count(session, Need) == 2


def test_needs_page_adds_a_common_need(session, people, signed_in_state):
    state = signed_in_state(NeedsState, people["me_user"])
    call(state, "load")
    assert ["Stable housing", "Stable housing"] in state.common_options
    call(state, "add_need", {"common": "Stable housing", "custom": "", "area": "other"})
    assert [(r.label, r.area) for r in state.rows] == [("Stable housing", "Housing")]
    assert ["Stable housing", "Stable housing"] not in state.common_options
