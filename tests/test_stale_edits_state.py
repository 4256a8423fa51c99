"""Stale edits through the page states: each page keeps the version it showed in a
backend-only var (never sent to the browser, never taken from it); a save made on
an older copy shows who saved first and when, offers Reload, and keeps the text.

Two state instances are two browser tabs (or two people)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlmodel import func, select

import iop_app.iop_app  # noqa: F401  (registers every page state)
from iop_app.models import Consent, Goal, GroupSession
from iop_app.services import family, goals, program
from iop_app.state.client import GoalsState
from iop_app.state.staff_family import StaffFamilyState
from iop_app.state.staff_groups import RollCallState
from tests.helpers import call, page_state, sign_in_token


def tab(session, cls, user, **params):
    """A page state of a fresh browser tab signed in as `user`, with URL params."""
    return page_state(cls, sign_in_token(session, user), **params)


def sent(state) -> dict:
    """What the browser receives of this state."""
    return state.dict()[state.get_full_name()]


# Every test here runs page-state handlers, which open the app's own sessions.
pytestmark = pytest.mark.usefixtures("app_db")


# ------------------------------------------------------------------ group session topic and notes
@pytest.fixture
def meeting(factory, team):
    return factory.session_today(team["therapist"], start=time(0), minutes=60, weekdays="1,2,3,4,5,6,7",
                                 topic="Triggers")


def test_stale_notes_save_shows_who_and_reload_and_keeps_the_text(session, team, meeting):
    mine = tab(session, RollCallState, team["therapist"], session_id=str(meeting.id))
    theirs = tab(session, RollCallState, team["director"], session_id=str(meeting.id))
    call(mine, "load")
    call(theirs, "load")
    assert mine._notes_version == 1 and not any(key.startswith("_") for key in sent(mine))
    call(theirs, "save_topic", {"topic": "Triggers", "notes": "Director's notes."})
    assert theirs.message == "Topic and notes saved."
    # roll call in my tab refreshes the page but not the notes form: its version stays the one I loaded
    call(mine, "all_present")
    assert mine._notes_version == 1
    call(mine, "save_topic", {"topic": "Cravings", "notes": "My notes."})
    session.expire_all()
    assert (session.get(GroupSession, meeting.id).topic, session.get(GroupSession, meeting.id).notes) == (
        "Triggers", "Director's notes.")
    assert mine.notes_stale.startswith("Dana Director changed this at ")
    assert "Reload" in mine.notes_stale and mine.message == ""
    assert mine.notes_draft == "Topic: Cravings\nNotes:\nMy notes."
    key = mine.notes_form_key
    call(mine, "reload_notes")
    assert mine.notes_stale == "" and mine.notes_form_key == key + 1 and mine._notes_version == 2
    assert mine.info["notes"] == "Director's notes." and mine.notes_draft == "Topic: Cravings\nNotes:\nMy notes."
    call(mine, "save_topic", {"topic": "Cravings", "notes": "Director's notes.\nMy notes."})
    assert mine.message == "Topic and notes saved." and mine.notes_draft == ""
    assert sorted((v.field, v.text) for v in mine.earlier) == [("Notes", "Director's notes."),
                                                                    ("Topic", "Triggers")]
    assert all(v.replaced.endswith("by Maria Lopez") for v in mine.earlier)


# ------------------------------------------------------------------ a client's goal in two tabs
def test_a_client_editing_a_goal_in_two_tabs(session, team):
    user, cid = team["client_user"], team["client"].id
    goal = goals.add_goal(session, user, cid, title="Call my sponsor", life_area="sobriety", steps=["Save number"])
    tab_a, tab_b = tab(session, GoalsState, user), tab(session, GoalsState, user)
    call(tab_a, "load")
    call(tab_b, "load")
    assert tab_a._versions == {str(goal.id): 1} and "_versions" not in sent(tab_a)
    call(tab_b, "update_progress", {"goal_id": str(goal.id), "progress_pct": "60", "note": "Called twice"})
    assert tab_b.message == "Progress saved: 60%."
    call(tab_a, "set_status", {"goal_id": str(goal.id), "status": "achieved", "status_note": "Done!"})
    session.expire_all()
    assert session.get(Goal, goal.id).status == "active"
    assert tab_a.stale.startswith("You changed this at ") and "in another tab or window" in tab_a.stale
    assert tab_a.stale_goal_id == str(goal.id) and tab_a.draft == "Status: Achieved\nNote: Done!"
    call(tab_a, "edit_goal", {"goal_id": str(goal.id), "title": "Call my sponsor daily", "why": ""})
    assert tab_a.stale and session.get(Goal, goal.id).title == "Call my sponsor"
    call(tab_a, "reload_goals")
    assert tab_a.stale == "" and tab_a.goal_cards[0].progress_pct == 60 and tab_a.goal_cards[0].version == "2"
    assert tab_a.draft.startswith("Goal: Call my sponsor daily")  # the last refused input, still on screen
    call(tab_a, "edit_goal", {"goal_id": str(goal.id), "title": "Call my sponsor daily", "why": ""})
    assert tab_a.message == "Goal updated." and tab_a.draft == "" and tab_a.stale_goal_id == ""
    assert tab_a.goal_cards[0].title == "Call my sponsor daily"
    assert tab_a.goal_cards[0].history[0].text == "Changed title"


def test_the_version_comes_from_the_server_not_the_form(session, team):
    """A browser cannot vouch for a version: extra form fields are ignored."""
    user, cid = team["client_user"], team["client"].id
    goal = goals.add_goal(session, user, cid, title="Sleep", life_area="physical_health")
    state = tab(session, GoalsState, user)
    call(state, "load")
    goals.update_progress(session, team["therapist"], cid, goal.id, progress_pct=30, expected_version=1)
    call(state, "update_progress", {"goal_id": str(goal.id), "progress_pct": "90", "expected_version": "2",
                                    "version": "2"})
    session.expire_all()
    assert session.get(Goal, goal.id).progress_pct == 30 and state.stale.startswith("Maria Lopez changed this")


# ------------------------------------------------------------------ consent recorded on paper
def test_two_staff_recording_the_same_paper_consent(session, team):
    cid = team["client"].id
    link = family.add_link(session, team["client_user"], cid, name="Sam Rivera", relationship="Spouse",
                           email="sam@example.org")
    today = program.local_today(session)
    form = {"family_link_id": str(link.id), "scope": "scheduling", "purpose": "Family sessions",
            "expires_on": (today + timedelta(days=60)).isoformat(), "expiry_event": "",
            "signature": "Alex Rivera", "signed_on": today.isoformat()}
    mine, theirs = tab(session, StaffFamilyState, team["therapist"]), tab(session, StaffFamilyState, team["director"])
    for state in (mine, theirs):
        call(state, "load")
        call(state, "select_client", str(cid))
    assert "_link_versions" not in sent(mine)
    call(theirs, "record_paper", form)
    assert theirs.message == "Paper consent recorded."
    call(mine, "record_paper", form)
    assert session.exec(select(func.count()).select_from(Consent)).one() == 1
    assert mine.paper_stale.startswith("Dana Director recorded a consent for Sam Rivera at ")
    assert len(mine.consents) == 1  # the list already shows theirs
    call(mine, "reload_consents")
    assert mine.paper_stale == ""
