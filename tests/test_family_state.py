"""Family-area event handlers called as a browser could: forged ids and
forms, wrong roles, a consent revoked while the page is open. Each is
refused and changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import (
    AuditEvent,
    Consent,
    Disclosure,
    FamilyLink,
    FamilySession,
    FamilySessionMessage,
    SlotProposal,
    User,
)
from iop_app.services import consents, family_sessions, program
from iop_app.state.client_family import ClientFamilyState
from iop_app.state.family import FamilyActivateState, FamilyHomeState
from iop_app.state.staff_family import StaffFamilyState
from tests.helpers import call

FORGED_IDS = ["abc", "-1", "0", str(10**15), None, [1], {"id": 1}, 1.5, "1 OR 1=1"]


def redirect_path(spec) -> str:
    return dict((k._js_expr, v._var_value) for k, v in spec.args)["path"]


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist", name="Marcus Reyes")
    client = factory.client(therapist, name="Alex Morgan")
    sam = factory.family(client, scope="scheduling_progress")
    other_client = factory.client(therapist, name="Jamie Rivera")
    today = program.local_today(session)

    def proposal(c):
        fs = family_sessions.propose(session, therapist, c.id, duration_minutes=60, mode="video",
                                     starts_local=[datetime.combine(today + timedelta(days=3), time(18, 0)),
                                                   datetime.combine(today + timedelta(days=4), time(18, 0))])
        return fs, session.exec(select(SlotProposal).where(SlotProposal.family_session_id == fs.id)
                                .order_by(SlotProposal.id)).all()

    mine, mine_slots = proposal(client)
    theirs, their_slots = proposal(other_client)
    return dict(therapist=therapist, client=client, client_user=factory.client_user(client), sam=sam,
                other_client=other_client, other_user=factory.client_user(other_client),
                mine=mine, mine_slots=mine_slots, theirs=theirs, their_slots=their_slots)


def slot_statuses(session) -> list[str]:
    session.expire_all()
    return [s.status for s in session.exec(select(SlotProposal).order_by(SlotProposal.id)).all()]


def test_family_handlers_refuse_forged_ids(session, world, signed_in_state):
    state = signed_in_state(FamilyHomeState, world["sam"])
    call(state, "load")
    assert [c.name for c in state.clients] == ["Alex Morgan"]
    before = slot_statuses(session)
    messages = count(session, FamilySessionMessage)
    for forged in FORGED_IDS + [str(world["their_slots"][0].id)]:
        call(state, "accept", forged)
        call(state, "withdraw", forged)
        call(state, "request_other_time", {"session_id": forged, "message": "hello"})
        assert call(state, "download_ics", forged) is None
        assert [c.name for c in state.clients] == ["Alex Morgan"]  # and nothing of Jamie's
    call(state, "request_other_time", {"session_id": str(world["theirs"].id), "message": "hello"})
    call(state, "request_other_time", "not a form")
    assert slot_statuses(session) == before
    assert count(session, FamilySessionMessage) == messages
    assert count(session, AuditEvent, AuditEvent.outcome == "denied") > 0
    assert "Jamie" not in str(state.dict())


def test_family_page_empties_on_the_next_action_after_revocation(session, world, signed_in_state):
    state = signed_in_state(FamilyHomeState, world["sam"])
    call(state, "load")
    assert state.clients[0].sessions[0].slots[0].can_accept
    consent = session.exec(select(Consent)).first()
    consents.revoke_consent(session, world["client_user"], consent.id)
    disclosures = count(session, Disclosure)
    # The open page's next click: accept the time it still shows.
    call(state, "accept", state.clients[0].sessions[0].slots[0].id)
    assert state.clients == [] and state.message == "" and state.error == ""
    assert slot_statuses(session)[0] == "open"
    assert count(session, Disclosure) == disclosures
    assert "Alex" not in str(state.dict())


def test_family_member_without_consent_sees_nothing(session, world, factory, signed_in_state):
    stranger = factory.family(world["client"], scope=None)
    state = signed_in_state(FamilyHomeState, stranger)
    call(state, "load")
    assert state.clients == [] and state.loaded
    call(state, "accept", str(world["mine_slots"][0].id))
    assert state.clients == [] and state.error == ""
    assert slot_statuses(session)[0] == "open"
    assert count(session, Disclosure) == 0


def test_other_roles_are_sent_away_from_family_handlers(session, world, signed_in_state):
    for cls, actor, handler, args in [
        (FamilyHomeState, world["client_user"], "accept", [str(world["mine_slots"][0].id)]),
        (FamilyHomeState, world["therapist"], "load", []),
        (StaffFamilyState, world["client_user"], "confirm", [str(world["mine"].id)]),
        (StaffFamilyState, world["sam"], "cancel", [{"session_id": str(world["mine"].id), "reason": "x"}]),
        (ClientFamilyState, world["sam"], "revoke", ["1"]),
        (ClientFamilyState, world["therapist"], "load", []),
    ]:
        state = signed_in_state(cls, actor)
        assert redirect_path(call(state, handler, *args)) == "/denied"
    assert slot_statuses(session)[0] == "open"
    session.expire_all()
    assert session.get(FamilySession, world["mine"].id).status == "proposed"
    assert session.exec(select(Consent)).first().revoked_at is None


def test_client_handlers_refuse_another_clients_records(session, world, factory, signed_in_state):
    other_sam = factory.family(world["other_client"])
    other_consent = session.exec(select(Consent).join(FamilyLink).where(
        FamilyLink.family_user_id == other_sam.id)).one()
    other_link = session.get(FamilyLink, other_consent.family_link_id)
    users = count(session, User)
    state = signed_in_state(ClientFamilyState, world["client_user"])
    call(state, "load")
    for forged in FORGED_IDS + [str(other_consent.id)]:
        call(state, "revoke", forged)
    call(state, "invite", str(other_link.id))
    assert state.invite_code == "" and count(session, User) == users
    call(state, "grant", {"family_link_id": str(other_link.id), "scope": "scheduling", "purpose": "x",
                          "expires_on": "2999-01-01", "signature": "Alex Morgan",
                          "signed_on": program.local_today(session).isoformat()})
    assert list(state.consent_errors) == ["family_link_id"]
    call(state, "grant", {"family_link_id": "1", "scope": "everything", "purpose": "p" * 5000,
                          "expires_on": "tomorrow", "signature": ["Alex"], "signed_on": 5})
    assert set(state.consent_errors) >= {"purpose", "expires_on", "signature"}
    call(state, "accept", str(world["their_slots"][0].id))
    session.expire_all()
    assert session.get(Consent, other_consent.id).revoked_at is None
    assert count(session, Consent) == 2
    assert slot_statuses(session)[2] == "open"
    assert "Jamie" not in str(state.dict())


def test_staff_handlers_refuse_clients_off_the_caseload(session, world, factory, signed_in_state):
    stranger = factory.user("therapist")
    state = signed_in_state(StaffFamilyState, stranger)
    call(state, "load")
    assert state.sessions == [] and state.client_options == [["", "Choose a client…"]]
    sid = str(world["mine"].id)
    call(state, "confirm", sid)
    call(state, "cancel", {"session_id": sid, "reason": "forged"})
    call(state, "add_time", {"session_id": sid, "date": "2999-01-01", "time": "10:00"})
    call(state, "propose", {"client_id": str(world["client"].id), "slot_1_date":
                            (program.local_today(session) + timedelta(days=5)).isoformat(), "slot_1_time": "10:00",
                            "duration_minutes": "60", "mode": "video"})
    call(state, "select_client", str(world["client"].id))
    assert state.selected_client == "" and state.consents == []
    call(state, "record_paper", {"family_link_id": "1", "scope": "scheduling", "purpose": "x",
                                 "expires_on": "2999-01-01", "signature": "Alex Morgan", "signed_on": "2020-01-01"})
    session.expire_all()
    assert session.get(FamilySession, world["mine"].id).status == "proposed"
    assert count(session, FamilySession) == 2 and count(session, Consent) == 1
    for forged in FORGED_IDS:
        call(state, "confirm", forged)
        call(state, "attended", {"session_id": forged, "minutes": "60"})
        assert call(state, "download_ics", forged) is None


def test_staff_propose_validates_the_form_field_by_field(session, world, signed_in_state):
    state = signed_in_state(StaffFamilyState, world["therapist"])
    call(state, "load")
    call(state, "propose", {"client_id": str(world["client"].id), "slot_2_date": "2026-13-45", "slot_2_time": "25:99",
                            "duration_minutes": "9999", "mode": "video"})
    assert list(state.propose_errors) == ["slot_2"]
    past = (program.local_today(session) - timedelta(days=1)).isoformat()
    call(state, "propose", {"client_id": str(world["client"].id), "slot_3_date": past, "slot_3_time": "10:00",
                            "duration_minutes": "9999", "mode": "video"})
    assert set(state.propose_errors) == {"slot_3", "duration_minutes"}
    assert count(session, FamilySession) == 2


def test_activation_handler_refuses_garbage(session, signed_in_state):
    state = signed_in_state(FamilyActivateState, None)
    for form in [None, "x", {"email": 5, "code": [], "password": {}}, {"email": "a@b.co", "code": "X" * 500,
                                                                      "password": "p", "password_confirm": "p"},
                 {"email": "nobody@example.org", "code": "ABCD-EFGH-JKMN", "password": "a calm river at dusk",
                  "password_confirm": "a calm river at dusk"}]:
        call(state, "activate", form)
        assert state.errors and not state.done


def test_staff_change_forms_show_the_services_messages(session, world, signed_in_state):
    """The cancel and reschedule reasons are checked by the service alone (no
    deliberately bad value passed to provoke it): its message shows on the form."""
    state = signed_in_state(StaffFamilyState, world["therapist"])
    call(state, "load")
    sid = str(world["mine"].id)
    for reason, message in (("x" * 301, "Keep the reason under 300 characters."),
                            (["not text"], "Give a reason for cancelling."), ("  ", "Give a reason for cancelling.")):
        call(state, "cancel", {"session_id": sid, "reason": reason})
        assert state.action_session == sid and state.action_errors == {"cancel_reason": message}
    assert session.get(FamilySession, world["mine"].id).status == "proposed"
    call(state, "cancel", {"session_id": sid, "reason": "Therapist ill"})
    assert state.action_errors == {} and state.message.startswith("Session cancelled")


def test_client_lists_a_support_person_with_the_services_messages(session, world, signed_in_state):
    state = signed_in_state(ClientFamilyState, world["client_user"])
    call(state, "load")
    call(state, "add_person", {"name": "N" * 121, "relationship": ["x"], "email": "not an email"})
    assert state.person_errors == {"name": "Enter their name (up to 120 characters).",
                                   "relationship": "Enter how they are related to you (up to 60 characters).",
                                   "email": "Enter a valid email address."}
    call(state, "add_person", {"name": " Pat Lee ", "relationship": "Parent", "email": " Pat@Example.org "})
    assert state.person_errors == {} and state.message == "Pat Lee is on your list."
    assert [(r.name, r.email, r.portal) for r in state.links if r.name == "Pat Lee"] == [
        ("Pat Lee", "pat@example.org", "not invited")]


def test_consent_form_dates_are_checked_by_the_service(session, world, consent_page):
    link, state = consent_page(world["client_user"], world["client"], "Pat Lee")
    form = {"family_link_id": str(link.id), "scope": "scheduling", "purpose": "Plan family sessions",
            "signature": "Alex Morgan"}
    call(state, "grant", form | {"expires_on": "31/12/2999", "signed_on": "yesterday"})
    assert state.consent_errors == {"expires_on": "Enter a date like 2026-12-31.",
                                    "signed_on": "Enter the date of signing."}
    call(state, "grant", form | {"expires_on": "2999-12-31", "signed_on": program.local_today(session).isoformat()})
    assert state.consent_errors == {} and state.message.startswith("Consent saved")
    assert [(c.person, c.status, c.in_force) for c in state.consents if c.person == "Pat Lee"] == [
        ("Pat Lee", "in force", True)]
