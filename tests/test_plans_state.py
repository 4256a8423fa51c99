"""The treatment plan pages' states: what the browser sends is re-checked (ids must
name a part of the version on screen, the version a save expects is the page's own),
field messages land on their form, and the director sets the record's settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

import iop_app.iop_app  # noqa: F401  (registers every page state)
from iop_app.models import PlanObjective, PlanProblem, TreatmentPlan
from iop_app.services import plans, program
from iop_app.state.director import DirectorHomeState
from iop_app.state.plans import ClientPlanState, StaffPlanState
from tests.helpers import call
from tests.test_stale_edits_state import sent, tab


@pytest.fixture
def team(session, factory, db_url, monkeypatch):
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    therapist = factory.user("therapist", name="Maria Lopez")
    client = factory.client(therapist, name="Alex Rivera")
    stranger = factory.client(factory.user("therapist"), name="Sam Stranger")
    return dict(therapist=therapist, director=factory.user("director", name="Dana Director"), client=client,
                client_user=factory.client_user(client), stranger=stranger)


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def write_through_the_page(session, state) -> None:
    call(state, "start_plan")
    call(state, "save_problem", {"statement": "Drinks most evenings.", "dimension": "d5", "need_id": ""})
    problem = state.problems[0]
    call(state, "save_goal", {"problem_id": problem.id, "statement": "I want to stay sober.", "client_goal_id": ""})
    goal = state.problems[0].goals[0]
    target = (program.local_today(session) + timedelta(days=30)).isoformat()
    call(state, "save_objective", {"goal_id": goal.id, "statement": "Attend 90% of groups.", "target_date": target})
    objective = state.problems[0].goals[0].objectives[0]
    call(state, "add_intervention", {"objective_id": objective.id, "what": "Relapse prevention group",
                                     "who": "Facilitator", "frequency": "3 times a week"})
    assert state.error == "" and state.form_errors == {}


def test_the_therapist_writes_and_signs_a_plan_through_the_page(session, team):
    state = tab(session, StaffPlanState, team["therapist"], client_id=str(team["client"].id))
    call(state, "load")
    assert state.found and state.can_start and state.client_name == "Alex Rivera" and state.plan == {}
    write_through_the_page(session, state)
    [objective] = state.problems[0].goals[0].objectives
    assert objective.interventions[0].what == "Relapse prevention group"
    assert not any(key.startswith("_") for key in sent(state))  # ids and versions stay on the server
    call(state, "sign", {"signature": "Someone"})
    assert state.error_form == "sign" and "Maria Lopez" in state.form_errors["signature"]
    call(state, "sign", {"signature": "Maria Lopez"})
    assert state.plan["status"] == "awaiting_client" and state.message.startswith("Signed and locked")
    # the client signs it from their portal
    mine = tab(session, ClientPlanState, team["client_user"])
    call(mine, "load")
    assert mine.to_sign["number"] == "1" and mine.to_sign_problems[0].goals[0].statement == "I want to stay sober."
    call(mine, "sign", {"signature": "Not Me"})
    assert mine.errors == {"signature": "Type your full name exactly as on your record: Alex Rivera."}
    call(mine, "sign", {"signature": "Alex Rivera"})
    assert mine.message.startswith("Thank you.") and mine.to_sign == {} and mine.current["status"] == "signed"
    assert not any(key.startswith("_") for key in sent(mine))
    download = call(mine, "download", "current")
    assert download is not None and mine.error == ""
    call(mine, "download", {"plan_id": 1})
    assert mine.error == "There is no plan to download."


def test_forged_handler_arguments_change_nothing(session, factory, team):
    # another client's draft this therapist may not see, and one the director wrote
    theirs = plans.start_plan(session, team["director"], team["stranger"].id)
    their_problem = plans.add_problem(session, team["director"], theirs.id, expected_version=theirs.version,
                                      statement="Theirs", dimension="d2")
    state = tab(session, StaffPlanState, team["therapist"], client_id=str(team["client"].id))
    call(state, "load")
    write_through_the_page(session, state)
    before = count(session, PlanProblem), count(session, PlanObjective)
    for kind, value in (("problem", str(their_problem.id)), ("problem", "1e3"), ("goal", None), ("objective", True),
                        ("nonsense", state.problems[0].id), ("problem", {"id": 1})):
        call(state, "remove_part", kind, value)
        assert state.error == "That part of the plan could not be found. Please reload the page."
    call(state, "save_goal", {"problem_id": str(their_problem.id), "statement": "Hijack"})
    assert state.error.startswith("That part of the plan could not be found")
    call(state, "save_problem", {"problem_id": str(their_problem.id), "statement": "Mine", "dimension": "d1"})
    assert state.error.startswith("That part of the plan could not be found")
    call(state, "save_problem", {"statement": ["x"], "dimension": "<script>", "need_id": "abc",
                                 "expected_version": "99"})
    assert set(state.form_errors) == {"statement", "dimension", "need_id"} and state.error_form == "problem-new"
    call(state, "show_version", str(theirs.id))
    assert state.error == "That version could not be found."
    assert (count(session, PlanProblem), count(session, PlanObjective)) == before
    session.expire_all()
    assert session.get(PlanProblem, their_problem.id).statement == "Theirs"
    # the other client's plan page is refused outright
    other = tab(session, StaffPlanState, team["therapist"], client_id=str(team["stranger"].id))
    call(other, "load")
    assert not other.found and other.error and other.plan == {}
    call(other, "start_plan")
    assert count(session, TreatmentPlan) == 2


def test_a_stale_page_is_refused_and_says_who_saved_first(session, team):
    mine = tab(session, StaffPlanState, team["therapist"], client_id=str(team["client"].id))
    theirs = tab(session, StaffPlanState, team["director"], client_id=str(team["client"].id))
    call(mine, "load")
    call(mine, "start_plan")
    call(theirs, "load")
    call(theirs, "save_problem", {"statement": "Director's problem.", "dimension": "d3"})
    call(mine, "save_problem", {"statement": "My problem.", "dimension": "d5"})
    assert mine.stale.startswith("Dana Director changed this at ")
    assert [p.statement for p in session.exec(select(PlanProblem)).all()] == ["Director's problem."]
    call(mine, "reload_plan")
    assert mine.stale == "" and [p.statement for p in mine.problems] == ["Director's problem."]


def test_the_client_page_is_for_the_client_only(session, factory, team):
    family = factory.family(team["client"])
    for person in (family, team["therapist"]):
        state = tab(session, ClientPlanState, person)
        assert call(state, "load") is not None  # redirected (an audited denial)
        assert state.to_sign == {} and state.current == {}
    state = tab(session, StaffPlanState, family, client_id=str(team["client"].id))
    assert call(state, "load") is not None and state.plan == {}


def test_the_director_sets_the_record_settings(session, team):
    state = tab(session, DirectorHomeState, team["director"])
    call(state, "load")
    assert state.settings["plan_review_days"] == "30" and state.settings["client_sees_notes"] == "no"
    call(state, "save_settings", {"plan_review_days": "3", "first_plan_days": "7", "note_format_default": "xyz",
                                  "notes_overdue_hours": "72", "client_sees_notes": "maybe"})
    assert set(state.setting_errors) == {"plan_review_days", "note_format_default", "client_sees_notes"}
    call(state, "save_settings", {"plan_review_days": "14", "first_plan_days": "5", "note_format_default": "soap",
                                  "notes_overdue_hours": "48", "client_sees_notes": "yes"})
    assert state.settings_message == "Settings saved."
    session.expire_all()
    assert [program.get_setting(session, k) for k in ("plan_review_days", "first_plan_days", "note_format_default",
                                                     "notes_overdue_hours", "client_sees_notes")] == [
        "14", "5", "soap", "48", "yes"]
