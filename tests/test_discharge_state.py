"""The discharge, follow-up and report pages' handlers (state/discharge.py) with
whatever arguments a browser could forge: wrong roles are sent away, ids must be
rows the page listed, nothing half-saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from iop_app.models import Discharge, DischargeGoal, FollowUp
from iop_app.services import program
from iop_app.state.discharge import DischargeState, FollowUpsState, ProgramReportState
from tests.helpers import call
from tests.test_discharge_aftercare import make_team
from tests.test_plans import signed_plan

FORGED = ["abc", "-1", "0", str(10**15), None, [1], {"id": 1}, 1.5, "1 OR 1=1"]


@pytest.fixture
def team(factory):
    return make_team(factory)


def redirect_path(result) -> str:
    return str(getattr(result, "args", result))


def page(signed_in_state, user, client_id):
    state = signed_in_state(DischargeState, user, client_id=str(client_id))
    call(state, "load")
    return state


def discharge_form(days_ago=0, session=None):
    day = program.local_today(session) - timedelta(days=days_ago)
    return {"discharge_type": "completed", "on": day.isoformat(), "note": "Completed all phases."}


def test_discharge_then_summary_sign_and_pdf_through_the_page(session, team, signed_in_state):
    signed_plan(session, team)
    cid = team["client"].id
    state = page(signed_in_state, team["therapist"], cid)
    assert state.found and not state.discharged
    call(state, "discharge_client", discharge_form(session=session))
    assert state.has_record and state.header["type"] == "Completed the program" and len(state.contacts) == 6
    assert state.due_contacts == []  # nothing due on the discharge day
    goal_id = session.exec(select(DischargeGoal.id)).one()
    form = {"course": "Good progress.", "aftercare_services": "Level 1 weekly", "next_appointments": "Dec 2",
            "with_client": "on", f"goal_{goal_id}_outcome": "partly", f"goal_{goal_id}_note": "Most days sober.",
            "goal_999_outcome": "achieved"}  # an id the page did not list is ignored
    call(state, "save_summary", form)
    assert state.summary_errors == {} and state.message.startswith("Discharge summary saved")
    assert state.goals[0].outcome == "partly" and state.with_client
    call(state, "sign", {"signature": "Someone Else"})
    assert "signature" in state.sign_errors and not state.signed
    call(state, "sign", {"signature": "Maria Lopez"})
    assert state.signed and state.header["signed"].startswith("Signed by Maria Lopez")
    call(state, "save_summary", form | {"course": "Rewritten."})
    assert "locked" in state.error
    result = call(state, "download_pdf")
    assert "pdf" in str(result).lower()


def test_forged_arguments_change_nothing(session, team, factory, signed_in_state):
    cid = team["client"].id
    for user in (team["other"], team["client_user"], team["family"]):
        state = signed_in_state(DischargeState, user, client_id=str(cid))
        result = call(state, "load")
        assert not state.found
        call(state, "discharge_client", discharge_form(session=session))
        if user is not team["other"]:
            assert "/denied" in redirect_path(result) or state.header == {}
    assert session.exec(select(Discharge)).all() == []
    state = page(signed_in_state, team["therapist"], cid)
    for form in ("not a form", ["x"], None):
        call(state, "discharge_client", form)
        assert state.discharge_errors
    assert session.exec(select(Discharge)).all() == []
    call(state, "discharge_client", discharge_form(10, session))
    for forged in FORGED:
        call(state, "record_outcome", {"follow_up": forged, "reached": "no"})
        assert state.outcome_errors.get("follow_up"), forged
    upcoming = session.exec(select(FollowUp).where(FollowUp.day == 14)).one()
    call(state, "record_outcome", {"follow_up": str(upcoming.id), "reached": "no"})  # listed, but not due
    assert state.outcome_errors.get("follow_up")
    week1 = session.exec(select(FollowUp).where(FollowUp.day == 7)).one()
    for reached in ("maybe", ["yes"], None):
        call(state, "record_outcome", {"follow_up": str(week1.id), "reached": reached})
        assert state.outcome_errors.get("reached")
    call(state, "record_outcome", {"follow_up": str(week1.id), "reached": "yes", "substance_use": "not_using",
                                   "in_services": "yes", "housing": "castle"})
    assert state.outcome_errors.get("housing")
    call(state, "record_outcome", {"follow_up": str(week1.id), "reached": "yes", "substance_use": "not_using",
                                   "in_services": "yes", "housing": "stable", "employment": "employed"})
    assert state.outcome_errors == {} and state.message == "Follow-up outcome recorded."
    assert state.contacts[0].outcome.startswith("Reached; not using")
    # Another client's follow-up id is not on this page.
    other = factory.client(team["therapist"], admitted_days_ago=30)
    other_page = page(signed_in_state, team["therapist"], other.id)
    call(other_page, "record_outcome", {"follow_up": str(week1.id), "reached": "no"})
    assert other_page.outcome_errors.get("follow_up")


def test_follow_up_list_and_reports_pages(session, team, signed_in_state):
    state = page(signed_in_state, team["therapist"], team["client"].id)
    call(state, "discharge_client", discharge_form(0, session))
    follow = signed_in_state(FollowUpsState, team["therapist"])
    call(follow, "load")
    assert follow.rows == [] and follow.counts["upcoming"] == "6"
    call(follow, "set_show", "upcoming")
    assert [r.label for r in follow.rows][:2] == ["Week 1", "Week 2"] and follow.rows[0].client == "Alex Rivera"
    for forged in ("everything", None, ["all"]):
        call(follow, "set_show", forged)
        assert follow.show == "upcoming" and follow.error
    for user in (team["client_user"], team["family"]):
        other = signed_in_state(FollowUpsState, user)
        assert "/denied" in redirect_path(call(other, "load")) and other.rows == []

    report = signed_in_state(ProgramReportState, team["director"])
    call(report, "load")
    assert report.totals["discharges"] == "1" and report.by_therapist[0]["group"] == "Maria Lopez"
    assert report.types_figure is not None
    for forged in ("5", None, ["12"], "12; drop"):
        call(report, "set_months", forged)
        assert report.months == "12" and report.error
    call(report, "set_months", "3")
    assert report.months == "3" and report.error == ""
    assert "csv" in str(call(report, "export_csv")).lower()
    for user in (team["therapist"], team["client_user"], team["family"]):
        other = signed_in_state(ProgramReportState, user)
        assert "/denied" in redirect_path(call(other, "load"))
        call(other, "export_csv")
        assert other.totals == {}
