"""Event handlers of the therapist workspace called the way a hostile browser could:
another client's id, wrong types, huge strings. Each is refused with no change.

The states are real Reflex state instances (a root State with its substates); the
handlers' undecorated functions (`Handler.fn`) are called directly, with the
database pointed at the test's file and a real sign-in token."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import select

import iop_app.iop_app  # noqa: F401  (registers every page state)
from iop_app.models import (
    Attendance,
    AuditEvent,
    BreakGlassGrant,
    GroupMembership,
    GroupSession,
    Need,
    TherapyGroup,
)
from iop_app.services import program
from iop_app.state.staff import RosterState
from iop_app.state.staff_client import ClientRecordState
from iop_app.state.staff_groups import GroupState, RollCallState
from tests.helpers import page_state, sign_in_token


@pytest.fixture
def world(session, factory, app_db):
    mine = factory.user("therapist", name="Terry Mine")
    other = factory.user("therapist", name="Olive Other")
    own_client = factory.client(mine, name="Ana Own")
    their_client = factory.client(other, name="Zed Theirs")
    today = program.local_today(session)
    group = TherapyGroup(name="Process", group_type="process", facilitator_id=mine.id, weekdays="1,2,3,4,5,6,7",
                         start_time=time(0, 0), duration_minutes=60, start_date=today - timedelta(days=30))
    session.add(group)
    session.flush()
    session.add(GroupMembership(group_id=group.id, client_id=own_client.id, joined_on=today - timedelta(days=14)))
    meeting = GroupSession(group_id=group.id, duration_minutes=60,
                           starts_at=program.to_utc(datetime.combine(today, time(0, 0)), program.program_tz(session)))
    session.add(meeting)
    their_need = Need(client_id=their_client.id, label="Housing")
    own_need = Need(client_id=own_client.id, label="Work")
    session.add(their_need)
    session.add(own_need)
    session.commit()
    token = sign_in_token(session, mine)
    return dict(mine=mine, other=other, own=own_client, theirs=their_client, group=group, meeting=meeting,
                token=token, their_need=their_need, own_need=own_need)


def denials(session, client_id):
    return session.exec(select(AuditEvent).where(AuditEvent.client_id == client_id,
                                                 AuditEvent.outcome == "denied")).all()


def test_roster_state_holds_only_the_visible_page(world):
    state = page_state(RosterState, world["token"])
    RosterState.load.fn(state)
    assert [r.name for r in state.rows] == ["Ana Own"] and state.total == 1
    assert all(isinstance(v, str) for r in state.rows for v in asdict(r).values())
    for bad in ({"search": "x" * 5000}, {"status": "'; drop table client"},
                {"therapist": str(world["other"].id)}):  # a therapist cannot pick another caseload
        RosterState.apply_filters.fn(state, bad)
        assert state.error and [r.name for r in state.rows] == ["Ana Own"]
    RosterState.sort_by.fn(state, {"evil": 1})
    assert state.error == "Unknown sort order." and state.sort == "name"
    RosterState.apply_filters.fn(state, ["not", "a", "form"])  # treated as an empty form
    assert [r.name for r in state.rows] == ["Ana Own"]


def test_client_record_refuses_another_caseload(session, world):
    theirs = world["theirs"].id
    state = page_state(ClientRecordState, world["token"], client_id=str(theirs))
    ClientRecordState.load.fn(state)
    assert not state.found and state.error and state.header == {} and state._checkins == []
    assert len(denials(session, theirs)) == 1
    for forged in ("abc", "1" * 500, "-3", "2.5"):
        state = page_state(ClientRecordState, world["token"], client_id=forged)
        ClientRecordState.load.fn(state)
        assert not state.found and state.error


def test_client_record_loads_own_client_and_refuses_forged_changes(session, world):
    own = world["own"].id
    state = page_state(ClientRecordState, world["token"], client_id=str(own))
    ClientRecordState.load.fn(state)
    assert state.found and state.header["name"] == "Ana Own" and len(state._checkins) == 30
    sent = state.dict()[state.get_full_name()]  # what the browser receives
    assert "header_rx_state_" in sent and not any(key.startswith("_") for key in sent)
    # focusing another client's need through this record is refused, nothing changes
    ClientRecordState.set_focus.fn(state, str(world["their_need"].id))
    assert state.error
    session.expire_all()
    assert not session.get(Need, world["their_need"].id).in_focus
    assert not session.get(Need, world["own_need"].id).in_focus
    for bad in (None, "x" * 10_000, 3.7):
        ClientRecordState.set_focus.fn(state, bad)
        assert state.error == "That need could not be found."
    ClientRecordState.set_focus.fn(state, str(world["own_need"].id))
    session.expire_all()
    assert session.get(Need, world["own_need"].id).in_focus
    # the plan is written on its own page: the overview says when it is due and links there
    assert state.review_status["what"] == "First plan due"
    assert state.review_status["href"] == f"/staff/clients/{own}/plan"
    assert "record_review" not in ClientRecordState.event_handlers  # review dates can no longer be typed in
    ClientRecordState.set_days.fn(state, "100000")
    assert state.days == 30 and state.error


def test_roll_call_refuses_forged_members_and_values(session, world):
    state = page_state(RollCallState, world["token"], session_id=str(world["meeting"].id))
    RollCallState.load.fn(state)
    assert state.found and [e.name for e in state.entries] == ["Ana Own"]
    RollCallState.set_status.fn(state, str(world["theirs"].id), "present")  # not a member
    RollCallState.set_status.fn(state, str(world["own"].id), "<script>")
    RollCallState.set_status.fn(state, {"id": 1}, "present")
    RollCallState.set_minutes.fn(state, str(world["own"].id), "30")  # status not marked yet
    assert session.exec(select(Attendance)).all() == []
    RollCallState.all_present.fn(state)
    rows = session.exec(select(Attendance)).all()
    assert [(r.client_id, r.status, r.minutes) for r in rows] == [(world["own"].id, "present", 60)]
    RollCallState.set_minutes.fn(state, str(world["own"].id), "99999")
    session.expire_all()
    assert session.exec(select(Attendance.minutes)).all() == [60] and state.errors


def test_other_therapist_cannot_open_the_roll_call_or_enrol(session, factory, world):
    token = sign_in_token(session, world["other"])
    state = page_state(RollCallState, token, session_id=str(world["meeting"].id))
    RollCallState.load.fn(state)
    assert not state.found and state.entries == [] and state.error
    state._session_id = world["meeting"].id  # even with the id forced into the state
    RollCallState.all_present.fn(state)
    assert session.exec(select(Attendance)).all() == []
    # the facilitator cannot enrol a client who is not on their caseload
    group_state = page_state(GroupState, world["token"], group_id=str(world["group"].id))
    GroupState.load.fn(group_state)
    GroupState.join.fn(group_state, {"client_id": str(world["theirs"].id), "joined_on": date.today().isoformat()})
    assert group_state.error
    assert session.exec(select(GroupMembership).where(GroupMembership.client_id == world["theirs"].id)).all() == []


def test_forms_show_the_services_messages(session, world):
    """The states no longer check ranges themselves: what the service says is shown."""
    group_state = page_state(GroupState, world["token"], group_id=str(world["group"].id))
    GroupState.load.fn(group_state)
    GroupState.add_extra.fn(group_state, {"day": "someday", "start": "10:00", "duration_minutes": "5",
                                          "topic": "t" * 121})
    assert group_state.errors == {"day": "Enter the date.", "duration_minutes": "Length must be 15 to 300 minutes.",
                                  "topic": "Topic: up to 120 characters."}
    GroupState.generate.fn(group_state, {"start": "", "end": "2026-01-01"})
    assert group_state.errors == {"end": "Enter both dates."}


def test_the_director_cannot_use_the_emergency_access_form(session, factory, world):
    director = factory.user("director", name="Dana Director")
    token = sign_in_token(session, director)
    state = page_state(ClientRecordState, token, client_id=str(world["theirs"].id))
    ClientRecordState.load.fn(state)
    assert state.found and not state.emergency_offer  # the director is never refused a record
    state._emergency_client_id = world["theirs"].id  # even with an id forced into the state
    refusal = ClientRecordState.open_emergency_access.fn(state, {"reason": "A real emergency, call now."})
    assert dict((k._js_expr, v._var_value) for k, v in refusal.args)["path"] == "/denied"
    assert session.exec(select(BreakGlassGrant)).all() == []
    assert session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == director.id,
                                                 AuditEvent.outcome == "denied")).all()
