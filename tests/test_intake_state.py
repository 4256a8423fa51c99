"""The intake page, the client's orientation page and the director's checklist
through their page states, called the way a hostile browser could: forged
arguments, other roles and other clients are refused and audited; messages land
next to the fields; a stale draft is not overwritten."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import select

import iop_app.iop_app  # noqa: F401  (registers every page state)
from iop_app.models import AuditEvent, Client
from iop_app.models.record import Intake, OrientationCheck, OrientationItem
from iop_app.services import auth, intake
from iop_app.state.client.orientation import OrientationState
from iop_app.state.director_orientation import OrientationItemsState
from iop_app.state.staff_intake import IntakeState
from tests.helpers import TEST_PASSWORD, call
from tests.test_intake import alcohol, complete_fields, complete_ratings


def make_state(cls, session, user, **params):
    root = State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    state.session_token = auth.sign_in(session, user.email, TEST_PASSWORD).token
    if params:
        state.router = RouterData.from_router_data({"query": dict(params), "pathname": "/x"})
    return state


@pytest.fixture
def world(session, factory, db_url, monkeypatch):
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    primary = factory.user("therapist", name="Pat Primary")
    client = factory.client(primary, status="intake", admitted_days_ago=3, name="Casey Client")
    other = factory.client(factory.user("therapist"), status="intake", name="Riley Other")
    return dict(primary=primary, client=client, other=other, director=factory.user("director", name="Dana D"),
                client_user=factory.client_user(client), family=factory.family(client))


def the_form(**overrides) -> dict:
    """The intake form as the browser sends it: every value a string."""
    form = {k: v for k, v in complete_fields().items()}
    for dimension, rating in complete_ratings().items():
        form[f"risk_{dimension}"] = str(rating["risk"])
        form[f"narrative_{dimension}"] = rating["narrative"]
    for name, value in alcohol().items():
        form[f"sub0_{name}"] = "" if value is None else str(value)
    for name in ("substance", "first_use_age", "route", "frequency", "amount", "last_use", "longest_abstinence"):
        form[f"sub1_{name}"] = ""
    form.update(overrides)
    return form


def test_the_therapist_fills_saves_and_signs_and_the_client_becomes_active(session, world):
    state = make_state(IntakeState, session, world["primary"], client_id=str(world["client"].id))
    call(state, "load")
    assert state.found and state.status == "" and state.client_status == "Intake"
    assert [r.key for r in state.ratings] == ["d1", "d2", "d3", "d4", "d5", "d6"]
    assert len(state.substances) == 2 and state.values["suicide_risk"] == "none"

    call(state, "save", {"referral_source": "Court", "risk_d1": "2", "narrative_d1": "Mild tremor",
                         "sub0_substance": "Alcohol", "sub0_first_use_age": "16"})
    assert state.message == "Draft saved." and state.status == "draft"
    assert state.values["referral_source"] == "Court" and state.ratings[0].risk == "2"
    assert [s.substance for s in state.substances] == ["Alcohol", ""]  # a new empty row to add to

    call(state, "sign")
    assert state.status == "draft" and state.error.startswith("Not signed yet")
    assert "ASAM dimensions" in state.error and state.errors["risk_d2"].startswith("Rate this dimension")

    call(state, "save", the_form())
    assert state.errors == {} and state.message == "Draft saved."
    call(state, "sign")
    assert state.status == "signed" and state.locked and state.client_status == "Active"
    assert state.message == "Intake signed and locked. The client is now active."
    assert state.status_line.startswith("Signed by Pat Primary on ")
    session.expire_all()
    assert session.get(Client, world["client"].id).status == "active"

    call(state, "save", the_form(strengths="Changed after signing"))
    assert "signed and locked" in state.error
    call(state, "add_addendum", {"text": "", "reason": ""})
    assert state.addendum_errors == {"text": "Write the addendum."}
    call(state, "add_addendum", {"text": "Court date moved.", "reason": "New information"})
    assert [a.text for a in state.addenda] == ["Court date moved."]
    assert state.values["legal"] == "DUI pending, court in March"


def test_bad_values_show_next_to_their_fields_and_nothing_is_saved(session, world):
    state = make_state(IntakeState, session, world["primary"], client_id=str(world["client"].id))
    call(state, "load")
    call(state, "save", the_form(risk_d3="9", sub0_first_use_age="fifteen", sub0_last_use="not a date",
                                 recommended_level="7"))
    assert state.errors["risk_d3"] == "Choose a risk rating from 0 to 4."
    assert state.errors["sub0_first_use_age"].startswith("Age at first use")
    assert state.errors["sub0_last_use"] == "Enter the day of last use as a date."
    assert state.errors["recommended_level"] == "Choose a level of care from the list."
    assert state.error.startswith("Not saved") and "Substance use history" in state.error
    assert session.exec(select(Intake)).first() is None


def test_a_stale_page_is_refused_and_keeps_the_saved_text(session, world):
    first = make_state(IntakeState, session, world["primary"], client_id=str(world["client"].id))
    second = make_state(IntakeState, session, world["director"], client_id=str(world["client"].id))
    call(first, "load")
    call(second, "load")
    call(second, "save", the_form(strengths="Director's words"))
    call(first, "save", the_form(strengths="Therapist's words"))
    assert "Dana D changed this" in first.stale
    call(first, "sign")
    assert first.stale and first.status == ""
    assert session.exec(select(Intake)).one().strengths == "Director's words"
    call(first, "reload_intake")
    assert first.stale == "" and first.values["strengths"] == "Director's words"


@pytest.mark.parametrize("who", ["client_user", "family"])
def test_clients_and_family_cannot_use_the_intake_page(session, world, who):
    state = make_state(IntakeState, session, world[who], client_id=str(world["client"].id))
    call(state, "load")
    assert not state.found and state.values == {}
    call(state, "save", the_form())
    call(state, "sign")
    assert session.exec(select(Intake)).first() is None
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == world[who].id,
                                                   AuditEvent.outcome == "denied")).all()
    assert denied


def test_another_therapists_client_is_refused_and_later_events_act_on_nothing(session, world):
    state = make_state(IntakeState, session, world["primary"], client_id=str(world["other"].id))
    call(state, "load")
    assert not state.found and state.error and state._record_id == 0
    call(state, "save", the_form())
    call(state, "initial_item", {"item_id": "1", "initials": "PP"})
    assert session.exec(select(Intake)).first() is None
    assert session.exec(select(OrientationCheck)).first() is None


@pytest.mark.parametrize("client_id", ["abc", "-1", "0", "99999999999999", "1 OR 1=1"])
def test_forged_record_ids_show_no_such_client(session, world, client_id):
    state = make_state(IntakeState, session, world["director"], client_id=client_id)
    call(state, "load")
    assert not state.found and state.error


def test_forged_orientation_and_form_arguments_are_refused(session, world):
    state = make_state(IntakeState, session, world["primary"], client_id=str(world["client"].id))
    call(state, "load")
    for forged in ({"item_id": "999999", "initials": "PP"}, {"item_id": "x", "initials": "PP"},
                   {"item_id": ["1"], "initials": "PP"}, "not a form", None):
        call(state, "initial_item", forged)
        assert state.error
    item = session.exec(select(OrientationItem)).first()
    call(state, "initial_item", {"item_id": str(item.id), "initials": "12"})
    assert state.orientation_item == str(item.id) and state.orientation_error.startswith("Type your initials")
    call(state, "initial_item", {"item_id": str(item.id), "initials": "PP"})
    assert state.orientation[0].staff_done and state.orientation[0].staff.startswith("PP · Pat Primary · ")
    call(state, "save", "not a form")  # not a form: an empty draft
    # Fields the form does not have are never passed on: no forged signature, date or client.
    call(state, "save", {**the_form(), "status": "signed", "signed_at": "2020-01-01", "client_id": "2"})
    assert state.message == "Draft saved."
    saved = session.exec(select(Intake)).one()
    session.refresh(saved)
    assert (saved.status, saved.signed_at, saved.client_id, saved.version) == ("draft", None, world["client"].id, 2)


def test_the_client_initials_from_their_own_page_only(session, world):
    item = session.exec(select(OrientationItem)).first()
    intake.staff_initial(session, world["primary"], world["client"].id, item.id, "PP")
    state = make_state(OrientationState, session, world["client_user"])
    call(state, "load")
    assert state.to_initial == 1 and state.done == 0
    assert state.items[0].staff == f"Pat Primary went through this with you on {state.items[0].staff[-12:]}"
    call(state, "initial", {"item_id": str(item.id), "initials": ""})
    assert state.error_item == str(item.id) and state.item_error == "Type your initials."
    call(state, "initial", {"item_id": str(item.id), "initials": "CC"})
    assert state.message == "Thank you: initialled." and state.done == 1
    assert state.items[0].client.startswith("You initialled CC on ")
    # Someone else's item: the other client has no staff initial, so nothing to initial.
    other_user = session.get(Client, world["other"].id)
    assert other_user is not None
    for forged in ({"item_id": "999999", "initials": "CC"}, {"item_id": None, "initials": "CC"}, []):
        call(state, "initial", forged)
        assert state.error

    for who in ("primary", "family"):
        staff = make_state(OrientationState, session, world[who])
        result = call(staff, "load")
        assert result is not None and staff.items == []  # redirected to /denied


def test_only_the_director_uses_the_checklist_page(session, world):
    state = make_state(OrientationItemsState, session, world["director"])
    call(state, "load")
    assert len(state.items) == 6 and state.items[0].first and state.items[-1].last
    call(state, "add_item", {"label": "x"})
    assert state.errors["label"].startswith("An item's name is 3 to 200")
    call(state, "add_item", {"label": "Medication storage"})
    assert state.items[-1].label == "Medication storage"
    call(state, "move_up", state.items[-1].id)
    assert state.items[-2].label == "Medication storage"
    call(state, "retire", state.items[0].id)
    assert not state.items[0].active
    call(state, "rename_item", {"item_id": state.items[0].id, "label": "?"})
    assert state.edited_item == state.items[0].id and state.rename_error
    for forged in ("x", "-1", None, "999999"):
        call(state, "retire", forged)
        assert state.error
    therapist = make_state(OrientationItemsState, session, world["primary"])
    assert call(therapist, "load") is not None and therapist.items == []
    call(therapist, "add_item", {"label": "Sneaky item"})
    assert "Sneaky item" not in [i.label for i in session.exec(select(OrientationItem)).all()]


def test_signing_for_a_client_already_active_does_not_claim_a_status_change(session, world, factory):
    active = factory.client(world["primary"], status="active")
    state = make_state(IntakeState, session, world["primary"], client_id=str(active.id))
    call(state, "load")
    call(state, "save", the_form())
    call(state, "sign")
    assert state.message == "Intake signed and locked." and state.status == "signed"
