"""The Screens pages through their page states, called the way a hostile browser
could: forged arguments, other roles and other clients are refused and audited;
messages land next to the fields; nothing is half saved."""

from __future__ import annotations

import pytest
from sqlmodel import select

import iop_app.iop_app  # noqa: F401  (registers every page state)
from iop_app.models import AuditEvent
from iop_app.models.screens import ExpectedMedication, Screen, ScreenAnalyte
from iop_app.services import program, roster
from iop_app.state.screens import ClientScreensState, ScreenPanelState, StaffScreensState
from tests.helpers import call


def analyte(session, code: str) -> int:
    return session.exec(select(ScreenAnalyte).where(ScreenAnalyte.code == code)).one().id


@pytest.fixture
def world(session, factory, team):
    return dict(team, family=factory.family(team["client"]), stranger=factory.user("therapist"))


def staff_page(signed_in_state, user, client_id):
    state = signed_in_state(StaffScreensState, user, client_id=str(client_id))
    call(state, "load")
    return state


def cup_form(session, **results) -> dict:
    form = {"outcome": "collected", "specimen": "urine", "method": "poc", "observed": "on",
            "temperature": "passed", "adulterant": "passed", "note": ""}
    form.update({f"result_{analyte(session, code)}": value for code, value in results.items()})
    return form


def test_the_therapist_records_a_positive_and_the_page_and_roster_flag_it(session, world, signed_in_state):
    state = staff_page(signed_in_state, world["therapist"], world["client"].id)
    assert state.found and state.client_name == "Alex Rivera" and state.screens == []
    assert [p.label for p in state.panel][:2] == ["Amphetamines", "Barbiturates"]

    call(state, "record", cup_form(session, coc="positive", amp="negative"))
    assert state.errors == {} and state.message == "Screen recorded: an unexpected positive. The roster flags it."
    assert state.flagged and state.screens[0].positives == "Cocaine (unexpected)"
    assert state.screens[0].confirmation == "Presumptive (unconfirmed)" and state.screens[0].can_send
    assert state.timeline[0].diary == "No check-in" and not state.timeline[0].discrepancy
    page = roster.roster_page(session, world["therapist"], roster.RosterQuery())
    assert roster.FLAG_SCREEN in page.rows[0].flags

    call(state, "send_for_confirmation", state.screens[0].id)
    assert state.message == "Marked as sent for confirmation." and state.screens[0].confirmation_key == "sent"
    call(state, "enter_lab_result", {"screen_id": state.screens[0].id, "status": "refuted", "lab_result": ""})
    assert state.confirm_errors.get("lab_result") and state.confirm_screen == state.screens[0].id
    call(state, "enter_lab_result", {"screen_id": state.screens[0].id, "status": "refuted",
                                     "lab_result": "LC-MS/MS negative for benzoylecgonine"})
    assert state.message == "Lab result recorded." and not state.flagged


def test_bad_input_lands_next_to_the_fields(session, world, signed_in_state):
    state = staff_page(signed_in_state, world["therapist"], world["client"].id)
    call(state, "record", {"outcome": "collected", "specimen": "", "method": "", "temperature": "not_checked",
                           "adulterant": "not_checked"})
    assert {"specimen", "method", "results"} <= set(state.errors)
    call(state, "record", cup_form(session, amp="sometimes"))
    assert f"result_{analyte(session, 'amp')}" in state.errors
    assert session.exec(select(Screen)).all() == []


@pytest.mark.parametrize("form", [
    None, "collected", [], {"outcome": ["collected"]}, {"result_abc": "positive", "outcome": "collected",
                                                        "specimen": "urine", "method": "poc"},
    {"result_99999": "positive", "outcome": "collected", "specimen": "urine", "method": "poc"},
    {"outcome": "collected", "specimen": "urine", "method": "poc", "observed": "on", "collected_at": "2020-01-01"},
])
def test_forged_record_forms_save_nothing(session, world, signed_in_state, form):
    state = staff_page(signed_in_state, world["therapist"], world["client"].id)
    call(state, "record", form)
    assert state.errors or state.error
    assert session.exec(select(Screen)).all() == []


@pytest.mark.parametrize("forged", [None, "", "abc", True, -3, 2**70, "1 OR 1=1", {"id": 1}, 999999])
def test_forged_ids_are_refused(session, world, signed_in_state, forged):
    state = staff_page(signed_in_state, world["therapist"], world["client"].id)
    call(state, "record", cup_form(session, coc="positive"))
    before = session.exec(select(Screen)).one().confirmation
    call(state, "send_for_confirmation", forged)
    assert state.error
    call(state, "enter_lab_result", {"screen_id": forged, "status": "confirmed", "lab_result": "forged"})
    assert state.error
    call(state, "end_medication", forged)
    assert state.error
    session.expire_all()
    assert session.exec(select(Screen)).one().confirmation == before


def test_a_screen_of_another_client_cannot_be_reached_from_this_page(session, world, signed_in_state, factory):
    other = factory.client(world["therapist"], name="Other Client")
    other_page = staff_page(signed_in_state, world["therapist"], other.id)
    call(other_page, "record", cup_form(session, coc="positive"))
    other_screen = session.exec(select(Screen)).one()
    state = staff_page(signed_in_state, world["therapist"], world["client"].id)
    call(state, "send_for_confirmation", str(other_screen.id))  # not listed on this page
    assert state.error
    session.expire_all()
    assert session.get(Screen, other_screen.id).confirmation == "unconfirmed"


def test_medications_from_the_page(session, world, signed_in_state):
    state = staff_page(signed_in_state, world["therapist"], world["client"].id)
    call(state, "add_medication", {"medication": "", "analyte_id": "x", "started_on": "soon"})
    assert {"medication", "analyte_id", "started_on"} <= set(state.med_errors)
    today = program.local_today(session).isoformat()
    call(state, "add_medication", {"medication": "Buprenorphine 16 mg", "analyte_id": str(analyte(session, "bup")),
                                   "started_on": today, "prescriber": "Dr. Hale"})
    assert state.med_errors == {} and state.medications[0].analyte == "Buprenorphine"
    call(state, "record", cup_form(session, bup="positive"))
    assert not state.flagged and state.screens[0].positives == "Buprenorphine (expected: medication)"
    call(state, "end_medication", state.medications[0].id)
    assert state.message.startswith("Medication ended") and not state.medications[0].current
    assert session.exec(select(ExpectedMedication)).one().ended_on is not None


@pytest.mark.parametrize("who", ["stranger", "family", "client_user"])
def test_others_are_refused_the_staff_page(session, world, signed_in_state, who):
    state = staff_page(signed_in_state, world[who], world["client"].id)
    assert not state.found and state.screens == []
    call(state, "record", cup_form(session, coc="positive"))
    assert session.exec(select(Screen)).all() == []


def test_the_client_sees_their_own_screens_read_only_and_the_read_is_audited(session, world, signed_in_state):
    staff = staff_page(signed_in_state, world["therapist"], world["client"].id)
    call(staff, "record", cup_form(session, coc="positive"))
    state = signed_in_state(ClientScreensState, world["client_user"])
    call(state, "load")
    assert state.found and state.screens[0].positives == "Cocaine (unexpected)"
    assert "record" not in ClientScreensState.event_handlers
    own = session.exec(select(AuditEvent).where(AuditEvent.action == "screen.view",
                                                AuditEvent.actor_user_id == world["client_user"].id)).all()
    assert own and own[-1].outcome == "allowed"


@pytest.mark.parametrize("who", ["family", "therapist"])
def test_family_and_staff_cannot_open_the_client_page(session, world, signed_in_state, who):
    state = signed_in_state(ClientScreensState, world[who])
    result = call(state, "load")
    assert state.screens == [] and result is not None  # sent to the denied page


def test_the_panel_page_is_the_directors(session, world, signed_in_state):
    state = signed_in_state(ScreenPanelState, world["director"])
    call(state, "load")
    assert len(state.analytes) == 13
    call(state, "add", {"label": "Kratom"})
    assert state.message == "Added to the panel: Kratom." and state.analytes[-1].label == "Kratom"
    call(state, "retire", state.analytes[-1].id)
    assert not state.analytes[-1].active
    call(state, "retire", "abc")
    assert state.error
    therapist = signed_in_state(ScreenPanelState, world["therapist"])
    assert call(therapist, "load") is not None and therapist.analytes == []
