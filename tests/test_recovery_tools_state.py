"""The recovery-tools pages through their page states, called the way a hostile
browser could: forged forms and arguments are refused with messages and change
nothing; the client acts only on their own record; staff pages need a record the
actor may read; family members are sent to the denial page; a save on an older
version of a plan keeps the refused text on screen."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, DecisionalBalance, RelapsePlan, SafetyPlan, StageRating, UrgeEntry
from iop_app.services import recovery_tools as tools
from iop_app.state.client.tools import ClientToolsState, MyPlansState, SafetyPlanState
from iop_app.state.staff_tools import StaffToolsState
from tests.helpers import call

BALANCE_FORM = {"pros_change": "I'd see my kids more", "cons_change": "I'd lose my drinking friends",
                "pros_same": "It's what I know", "cons_same": "My liver, my job"}


@pytest.fixture
def world(session, factory, signed_in_state):
    therapist = factory.user("therapist", name="Pat Primary")
    client = factory.client(therapist, name="Casey Client")
    other = factory.client(factory.user("therapist"), name="Riley Other")
    return dict(therapist=therapist, client=client, other=other, client_user=factory.client_user(client),
                other_user=factory.client_user(other), director=factory.user("director"),
                family=factory.family(client), stranger=factory.user("therapist"), open=signed_in_state)


def _count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_the_client_fills_a_decisional_balance_and_sees_its_versions(session, world):
    state = world["open"](ClientToolsState, world["client_user"])
    call(state, "load")
    assert state.balance_history == [] and state.balance_key == "balance-0"
    call(state, "save_balance", BALANCE_FORM)
    assert state.balance_message == "Saved as version 1." and state.balance_errors == {}
    assert state.balance_values["pros_change"] == "I'd see my kids more"
    call(state, "save_balance", {**BALANCE_FORM, "pros_change": "My kids; my health"})
    assert [row.number for row in state.balance_history] == ["2", "1"]
    call(state, "save_balance", {**BALANCE_FORM, "pros_change": "My kids; my health"})
    assert state.balance_message == "No changes to save."
    assert _count(session, DecisionalBalance) == 2


def test_a_stale_plan_save_keeps_the_refused_text_until_reload(session, world):
    client_page = world["open"](ClientToolsState, world["client_user"])
    call(client_page, "load")
    staff_page = world["open"](StaffToolsState, world["therapist"], client_id=str(world["client"].id))
    call(staff_page, "load")
    assert staff_page.found and staff_page.client_name == "Casey Client"
    call(staff_page, "save_relapse", {"warning_signs": "Skipping group", "people": "Sam: 555-0100"})
    assert staff_page.relapse_message == "Saved as version 1."
    call(client_page, "save_relapse", {"warning_signs": "Not sleeping"})  # the page still shows no plan
    assert "Pat Primary" in client_page.relapse_stale
    assert "Not sleeping" in client_page.relapse_draft
    assert _count(session, RelapsePlan) == 1
    call(client_page, "reload_document", "relapse")
    assert client_page.relapse_stale == "" and "Not sleeping" in client_page.relapse_draft
    assert client_page.relapse_values["warning_signs"] == "Skipping group"
    assert [(p.name, p.tel) for p in client_page.relapse_people] == [("Sam", "tel:5550100")]
    call(client_page, "save_relapse", {"warning_signs": "Skipping group; not sleeping", "people": "Sam: 555-0100"})
    assert client_page.relapse_message == "Saved as version 2."
    call(client_page, "discard_draft", "relapse")
    assert client_page.relapse_draft == ""


def test_stage_and_urge_forms_convert_what_the_browser_sent(session, world):
    state = world["open"](ClientToolsState, world["client_user"])
    call(state, "load")
    call(state, "place_stage", {"stage": "preparation", "importance": "8", "confidence": "6", "note": ""})
    assert state.stage_message and state.stage_rows[0].stage == "Preparation"
    call(state, "log_urge", {"intensity": "7", "trigger": "Payday", "place": "Bus stop", "response": "Called Sam",
                             "used": "no"})
    assert state.urge_message and state.urge_rows[0].intensity == "7/10"
    assert state.diary_rows[0].urges == "1 urge, strongest 7/10"


@pytest.mark.parametrize(("handler", "form", "errors_var", "field"), [
    ("place_stage", {"stage": "ready", "importance": "5", "confidence": "5"}, "stage_errors", "stage"),
    ("place_stage", {"stage": "action", "importance": "eleven", "confidence": "5"}, "stage_errors", "importance"),
    ("place_stage", {"stage": "action", "importance": "5", "confidence": ""}, "stage_errors", "confidence"),
    ("place_stage", {"stage": ["action"], "importance": "5", "confidence": "5"}, "stage_errors", "stage"),
    ("log_urge", {"intensity": "7", "used": "maybe"}, "urge_errors", "used"),
    ("log_urge", {"intensity": "99", "used": "no"}, "urge_errors", "intensity"),
    ("log_urge", {"intensity": "5", "used": True, "trigger": {"x": 1}}, "urge_errors", "trigger"),
    ("save_balance", {"pros_change": ["not", "text"]}, "balance_errors", "pros_change"),
    ("save_balance", {"pros_change": "x" * 2001}, "balance_errors", "pros_change"),
    ("save_balance", {}, "balance_errors", "form"),
    ("save_relapse", {"people": "\n".join(f"P{n}: 555-01{n:02}" for n in range(13))}, "relapse_errors", "people"),
])
def test_forged_forms_get_messages_and_change_nothing(session, world, handler, form, errors_var, field):
    state = world["open"](ClientToolsState, world["client_user"])
    call(state, "load")
    call(state, handler, form)
    assert getattr(state, errors_var).get(field), getattr(state, errors_var)
    for model in (StageRating, UrgeEntry, DecisionalBalance, RelapsePlan):
        assert _count(session, model) == 0


@pytest.mark.parametrize("forged", [None, "not a form", ["a", "list"], 42])
def test_anything_but_a_form_is_refused(session, world, forged):
    state = world["open"](ClientToolsState, world["client_user"])
    call(state, "load")
    for handler in ("place_stage", "log_urge", "save_balance", "save_relapse"):
        call(state, handler, forged)
    assert _count(session, StageRating) == _count(session, UrgeEntry) == _count(session, DecisionalBalance) == 0


@pytest.mark.parametrize("prefix", ["safety", "nope", None, 3, ["relapse"]])
def test_a_forged_document_name_touches_nothing(session, world, prefix):
    state = world["open"](ClientToolsState, world["client_user"])
    call(state, "load")
    call(state, "reload_document", prefix)
    assert state.error and state.message == ""
    call(state, "discard_draft", prefix)
    assert _count(session, SafetyPlan) == 0


def test_the_client_page_only_ever_acts_on_the_clients_own_record(session, world):
    """No handler takes a client id: a form carrying one is ignored."""
    state = world["open"](ClientToolsState, world["client_user"])
    call(state, "load")
    call(state, "save_balance", {**BALANCE_FORM, "client_id": str(world["other"].id)})
    rows = session.exec(select(DecisionalBalance)).all()
    assert [row.client_id for row in rows] == [world["client"].id]


@pytest.mark.parametrize("who", ["family", "therapist", "director"])
def test_other_roles_are_sent_away_from_the_client_pages(session, world, who):
    for cls in (ClientToolsState, SafetyPlanState, MyPlansState):
        state = world["open"](cls, world[who])
        assert call(state, "load") is not None  # a redirect to /denied


@pytest.mark.parametrize("who", ["family", "client_user", "other_user"])
def test_the_staff_page_refuses_family_and_clients(session, world, who):
    state = world["open"](StaffToolsState, world[who], client_id=str(world["client"].id))
    assert call(state, "load") is not None and not state.found
    call(state, "save_safety", {"coping": "forged"})
    assert _count(session, SafetyPlan) == 0


def test_a_therapist_off_the_caseload_sees_nothing_and_is_audited(session, world):
    state = world["open"](StaffToolsState, world["stranger"], client_id=str(world["client"].id))
    call(state, "load")
    assert not state.found and state.error and state.safety_history == []
    call(state, "save_safety", {"coping": "forged"})
    assert _count(session, SafetyPlan) == 0
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == world["stranger"].id,
                                                   AuditEvent.outcome == "denied")).all()
    assert len(denied) >= 2


@pytest.mark.parametrize("client_id", ["abc", "-1", "0", "1.5", "999999"])
def test_a_forged_record_id_shows_nothing(session, world, client_id):
    state = world["open"](StaffToolsState, world["director"], client_id=client_id)
    call(state, "load")
    assert not state.found and state.error


def test_staff_see_the_clients_tools_and_the_read_is_audited(session, world):
    user = world["client_user"]
    tools.record_stage(session, user, world["client"].id, stage="action", importance=9, confidence=7)
    tools.log_urge(session, user, world["client"].id, intensity=8, trigger="Payday", used=False)
    tools.save_document(session, user, world["client"].id, tools.BALANCE, expected_number=0, pros_change="Kids")
    tools.save_document(session, user, world["client"].id, tools.SAFETY_PLAN, expected_number=0,
                        coping="Walk the dog", helpers="Mom: 555-0199")
    state = world["open"](StaffToolsState, world["director"], client_id=str(world["client"].id))
    call(state, "load")
    assert state.found
    assert state.stage_rows[0].stage == "Action" and state.urge_rows[0].trigger == "Payday"
    assert state.balance_history[0].parts[0].text == "Kids"
    assert state.safety_values["coping"] == "Walk the dog"
    call(state, "save_safety", {**state.safety_values, "safe_environment": "Meds kept by Mom"})
    assert state.safety_message == "Saved as version 2."
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "tools.view",
                                                  AuditEvent.actor_user_id == world["director"].id)).all()
    assert views


def test_the_crisis_panel_and_home_show_the_clients_own_plan(session, world):
    user = world["client_user"]
    tools.save_document(session, user, world["client"].id, tools.SAFETY_PLAN, expected_number=0,
                        coping="Walk the dog", helpers="Mom: 555-0199", professionals="Dr Lee: 555-0142")
    state = world["open"](MyPlansState, user)
    call(state, "load")
    assert state.has_safety_plan and state.safety_coping == "Walk the dog"
    assert [p.tel for p in state.safety_people] == ["tel:5550199", "tel:5550142"]
    assert not state.has_relapse_plan
