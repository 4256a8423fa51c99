"""The Referrals page, the directory page and the client's Resources page through
their page states, called as a hostile browser could: forged ids and statuses,
other roles, other clients. Messages land next to the fields."""

from __future__ import annotations

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent
from iop_app.models.referrals import CommunityResource, Referral, ResourceShare
from iop_app.services import program, referrals
from iop_app.state.referrals import ClientResourcesState, ReferralsState, ResourcesState
from tests.helpers import call


@pytest.fixture
def world(session, factory, team, app_db):
    resource = CommunityResource(name="Bayport Bridge Clinic", category="psychiatry_mat", phone="(555) 201-3900")
    session.add(resource)
    session.commit()
    stranger = factory.user("therapist", name="Olive Other")
    other_client = factory.client(stranger, name="Riley Other")
    return team | dict(resource=resource, stranger=stranger, other_client=other_client,
                       family=factory.family(team["client"]))


def test_the_therapist_refers_and_moves_the_loop_through_the_page(session, world, signed_in_state):
    state = signed_in_state(ReferralsState, world["therapist"], client_id=str(world["client"].id))
    call(state, "load")
    assert state.found and state.client_name == "Alex Rivera" and state.lines == []
    assert state.directory_options == [[str(world["resource"].id), "Bayport Bridge Clinic (Psychiatry and "
                                                                  "medication for addiction treatment)"]]
    call(state, "refer", {"resource_id": str(world["resource"].id), "reason": "", "urgency": "soon"})
    assert state.errors == {"reason": "Say why the client is referred."}
    call(state, "refer", {"resource_id": str(world["resource"].id), "reason": "MAT", "urgency": "soon",
                          "discloses": "on"})
    assert "consent naming Bayport Bridge Clinic" in state.errors["consent_id"]
    call(state, "refer", {"resource_id": str(world["resource"].id), "reason": "MAT", "urgency": "soon"})
    [line] = state.lines
    assert (line.status, line.next_options) == ("sent", [["accepted", "Accepted"], ["declined", "Declined"]])
    assert line.due.startswith("Next: reply from the provider, due ")

    call(state, "step", {"referral_id": line.id, "to_status": "accepted"})
    call(state, "step", {"referral_id": line.id, "to_status": "scheduled", "appointment_on": "not a date"})
    assert state.step_errors == {"appointment_on": "Enter the appointment date."} and state.step_referral == line.id
    today = program.local_today(session)
    call(state, "step", {"referral_id": line.id, "to_status": "scheduled", "appointment_on": today.isoformat()})
    call(state, "step", {"referral_id": line.id, "to_status": "attended"})
    assert state.lines[0].status_label == "Attended" and state.message == "Referral moved to: attended."
    assert len(state.lines[0].steps) == 4 and "Maria Lopez" in state.lines[0].steps[-1].text


def test_forged_handler_arguments_are_refused(session, world, signed_in_state):
    therapist = world["therapist"]
    theirs = referrals.make_referral(session, world["stranger"], world["other_client"].id, provider="Dr. P",
                                     reason="R", urgency="soon", discloses=False)
    state = signed_in_state(ReferralsState, therapist, client_id=str(world["client"].id))
    call(state, "load")
    # A referral that is not on this page (another therapist's client's), and junk ids.
    for forged in (str(theirs.id), theirs.id, "1 OR 1=1", None, True, -3, {"id": 1}):
        call(state, "step", {"referral_id": forged, "to_status": "accepted"})
        assert state.error, forged
    assert session.get(Referral, theirs.id).status == "sent"
    for form in (None, "x", [], {"share_resource_id": "999999"}, {"share_resource_id": True}):
        call(state, "share", form)
        assert state.share_errors or state.error
    assert session.exec(select(ResourceShare)).all() == []
    call(state, "revoke_consent", "999999")
    assert state.error == "You do not have access to that."

    # The page of a client off the caseload shows nothing and acts on nothing.
    off = signed_in_state(ReferralsState, therapist, client_id=str(world["other_client"].id))
    call(off, "load")
    assert not off.found and off.lines == [] and off.error
    call(off, "refer", {"provider": "Dr. Q", "reason": "R", "urgency": "soon"})
    assert off.error and session.exec(select(Referral).where(Referral.client_id == world["other_client"].id)
                                      ).all() == [theirs]


def test_other_roles_are_sent_away_and_audited(session, world, signed_in_state):
    for who in ("client_user", "family"):
        state = signed_in_state(ReferralsState, world[who], client_id=str(world["client"].id))
        result = call(state, "load")
        assert "denied" in str(result) and state.lines == []
        directory = signed_in_state(ResourcesState, world[who])
        call(directory, "load")
        assert directory.rows == []
        call(directory, "add", {"name": "X", "category": "food"})
        assert session.exec(select(CommunityResource).where(CommunityResource.name == "X")).all() == []
    family_page = signed_in_state(ClientResourcesState, world["family"])
    assert "denied" in str(call(family_page, "load")) and family_page.lines == [] and family_page.rows == []
    denials = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == world["family"].id,
                                                    AuditEvent.outcome == "denied")).all()
    assert len(denials) >= 4


def test_the_directory_page_filters_edits_and_takes_a_csv(session, world, signed_in_state):
    state = signed_in_state(ResourcesState, world["therapist"])
    call(state, "load")
    assert [r.name for r in state.rows] == ["Bayport Bridge Clinic"] and state.rows[0].tel == "tel:5552013900"
    call(state, "filter", {"search": "", "category": "casino"})
    assert state.error == "Choose a category from the list." and state.category == ""
    call(state, "filter", {"search": "x" * 500})
    assert state.error
    call(state, "add", {"name": "Food Bank", "category": "food", "web": "javascript:alert(1)"})
    assert "web" in state.errors
    call(state, "add", {"name": "Food Bank", "category": "food"})
    call(state, "filter", {"search": "", "category": "food"})
    assert [r.name for r in state.rows] == ["Food Bank"]
    call(state, "start_edit", "not-an-id")
    assert state.editing == "" and state.error
    call(state, "start_edit", state.rows[0].id)
    call(state, "save_edit", {"name": "Bayport Food Bank", "category": "food", "hours": "Sat 9-12"})
    assert state.message == "Saved Bayport Food Bank." and state.rows[0].hours == "Sat 9-12"
    call(state, "import_text", {"csv": "name,category\nHarbor Shelter,housing\nBad,\n"})
    assert state.import_errors["csv"].startswith("Nothing was imported.")
    call(state, "import_text", {"csv": "name,category\nHarbor Shelter,housing\n"})
    assert state.message.startswith("Imported: 1 added")
    download = call(state, "export")
    assert "resource-directory.csv" in str(download)
    shown = state.rows[0]
    call(state, "set_active", shown.id, "no")  # anything but a bool is refused
    assert state.error and session.get(CommunityResource, int(shown.id)).active
    call(state, "set_active", shown.id, False)
    assert state.message.endswith("retired from the directory.") and shown.name not in [r.name for r in state.rows]


def test_the_client_sees_their_referrals_shared_resources_and_the_directory(session, world, signed_in_state):
    therapist, client = world["therapist"], world["client"]
    referrals.make_referral(session, therapist, client.id, resource_id=world["resource"].id, reason="MAT",
                            urgency="soon", discloses=False)
    food = CommunityResource(name="Food Bank", category="food")
    session.add(food)
    session.commit()
    referrals.share_resource(session, therapist, client.id, food.id, "Open Saturdays")
    theirs = referrals.make_referral(session, world["stranger"], world["other_client"].id, provider="Dr. P",
                                     reason="Secret", urgency="soon", discloses=False)
    state = signed_in_state(ClientResourcesState, world["client_user"])
    call(state, "load")
    assert [line.provider for line in state.lines] == ["Bayport Bridge Clinic"]
    assert all(line.next_options == [] for line in state.lines)
    assert [s.name for s in state.shared] == ["Food Bank"] and state.shared[0].note == "Open Saturdays"
    assert {r.name for r in state.rows} == {"Bayport Bridge Clinic", "Food Bank"}
    call(state, "filter", {"search": "food", "category": ""})
    assert [r.name for r in state.rows] == ["Food Bank"]
    assert theirs.provider not in str(state.dict())
    assert not hasattr(ClientResourcesState, "step") or "step" not in ClientResourcesState.event_handlers
