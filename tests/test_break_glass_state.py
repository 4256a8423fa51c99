"""Break-glass through the page states, called the way a hostile browser could:
the emergency-access form on a refused record, the banner while it lasts, the
director's review list; forged arguments and other roles are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

import iop_app.iop_app  # noqa: F401  (registers every page state)
from iop_app.models import AuditEvent, BreakGlassGrant
from iop_app.services import program
from iop_app.state.director import BreakGlassReviewState, DirectorHomeState
from iop_app.state.staff_client import ClientRecordState
from tests.helpers import call, page_state, sign_in_token

REASON = "Client in crisis at the front desk; their therapist is out sick."


def redirect_path(spec) -> str:
    return dict((k._js_expr, v._var_value) for k, v in spec.args)["path"]


def make_state(cls, session, user, **params):
    return page_state(cls, sign_in_token(session, user), **params)


@pytest.fixture
def world(session, factory, app_db):
    primary = factory.user("therapist", name="Pat Primary")
    oncall = factory.user("therapist", name="Olive Oncall")
    client = factory.client(primary, name="Casey Client")
    return dict(primary=primary, oncall=oncall, client=client, director=factory.user("director"))


def grants(session):
    session.expire_all()
    return session.exec(select(BreakGlassGrant)).all()


def test_a_refused_therapist_is_offered_emergency_access_and_opens_the_record(session, world):
    state = make_state(ClientRecordState, session, world["oncall"], client_id=str(world["client"].id))
    call(state, "load")
    assert not state.found and state.error and state.header == {}
    assert state.emergency_offer and state.emergency_minutes == "60" and state.emergency_until == ""

    call(state, "open_emergency_access", {"reason": "urgent"})  # too short
    assert "reason" in state.emergency_errors and not state.found and grants(session) == []

    call(state, "open_emergency_access", {"reason": REASON})
    assert state.found and state.error == "" and state.header["name"] == "Casey Client"
    [grant] = grants(session)
    tz = program.program_tz(session)
    assert state.emergency_until == program.to_local(grant.expires_at, tz).strftime("%H:%M")
    sent = state.dict()[state.get_full_name()]  # what the browser receives
    assert not any(key.startswith("_") for key in sent)
    views = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == world["oncall"].id,
                                                  AuditEvent.outcome == "allowed")).all()
    assert views and all(v.target == f"break_glass:{grant.id}" and "emergency access" in v.detail for v in views)
    assert {"record.view", "goal.view", "consent.list", "attendance.view"} <= {v.action for v in views}

    # Loading the record again during the grant shows it with the banner, without a new grant.
    again = make_state(ClientRecordState, session, world["oncall"], client_id=str(world["client"].id))
    call(again, "load")
    assert again.found and again.emergency_until == state.emergency_until and len(grants(session)) == 1


def test_after_the_grant_ends_the_record_is_refused_and_the_form_offered_again(session, world):
    state = make_state(ClientRecordState, session, world["oncall"], client_id=str(world["client"].id))
    call(state, "load")
    call(state, "open_emergency_access", {"reason": REASON})
    assert state.found
    [grant] = grants(session)
    # As if it was opened two hours ago (grant rows are not append-only; audit rows are).
    grant.started_at -= timedelta(hours=2)
    grant.expires_at -= timedelta(hours=2)
    session.add(grant)
    session.commit()
    call(state, "set_days", "90")
    assert not state.found and state.error and state._checkins == []
    assert state.emergency_offer
    call(state, "load")
    assert not state.found and state.emergency_offer and state.emergency_until == ""


def test_own_caseload_and_director_see_no_form_or_banner(session, world):
    for user in (world["primary"], world["director"]):
        state = make_state(ClientRecordState, session, user, client_id=str(world["client"].id))
        call(state, "load")
        assert state.found and not state.emergency_offer and state.emergency_until == ""


def test_forged_arguments_open_nothing(session, world):
    state = make_state(ClientRecordState, session, world["oncall"], client_id=str(world["client"].id))
    # before any record was refused: nothing to open
    call(state, "open_emergency_access", {"reason": REASON})
    assert state.emergency_errors and not state.found
    call(state, "load")
    for forged in (None, "reason", ["reason", REASON], 42, {"reason": None}, {"reason": ["x" * 20]},
                   {"reason": 12345678901}, {"reason": "x" * 10_000}, {"reason": "   "}):
        call(state, "open_emergency_access", forged)
        assert "reason" in state.emergency_errors and not state.found
    assert grants(session) == []
    # a record id that does not exist: refused like any other, nothing opened
    ghost = make_state(ClientRecordState, session, world["oncall"], client_id="999999")
    call(ghost, "load")
    assert ghost.emergency_offer  # a refusal never says whether the client exists
    call(ghost, "open_emergency_access", {"reason": REASON})
    assert not ghost.found and ghost.error and grants(session) == []


def test_clients_and_family_can_never_use_it(session, factory, world):
    client = world["client"]
    family = factory.family(client)
    for user in (factory.client_user(client), family):
        state = make_state(ClientRecordState, session, user, client_id=str(client.id))
        state._emergency_client_id = client.id  # even with the backend var forged
        assert redirect_path(call(state, "open_emergency_access", {"reason": REASON})) == "/denied"
        assert not state.found
    director_state = make_state(ClientRecordState, session, world["director"], client_id=str(client.id))
    assert redirect_path(call(director_state, "open_emergency_access", {"reason": REASON})) == "/denied"
    assert grants(session) == []


def test_the_director_reviews_every_use(session, world):
    oncall_state = make_state(ClientRecordState, session, world["oncall"], client_id=str(world["client"].id))
    call(oncall_state, "load")
    call(oncall_state, "open_emergency_access", {"reason": REASON})
    [grant] = grants(session)

    home = make_state(DirectorHomeState, session, world["director"])
    call(home, "load")
    assert home.break_glass_to_review == 1 and home.settings["break_glass_minutes"] == "60"

    state = make_state(BreakGlassReviewState, session, world["director"])
    call(state, "load")
    assert state.total == 1
    [row] = state.rows
    assert (row.id, row.therapist, row.client, row.reason, row.status, row.reviewed) == (
        str(grant.id), "Olive Oncall", "Casey Client", REASON, "active", False)
    assert int(row.views) >= 4 and row.changes == "0"
    assert row.client_href == f"/staff/clients/{world['client'].id}"

    for forged in (None, [], {"grant_id": "abc", "note": "ok"}, {"grant_id": True, "note": "ok"},
                   {"grant_id": str(2**40), "note": "ok"}, {"grant_id": "99999", "note": "ok"}):
        call(state, "mark_reviewed", forged)
        assert state.error or state.review_errors
    call(state, "mark_reviewed", {"grant_id": str(grant.id), "note": ""})
    assert state.review_errors[str(grant.id)]
    call(state, "mark_reviewed", {"grant_id": str(grant.id), "note": ["not", "text"]})
    assert state.review_errors[str(grant.id)]
    assert grants(session)[0].reviewed_at is None

    call(state, "mark_reviewed", {"grant_id": str(grant.id), "note": "Spoke with Olive: justified."})
    assert state.message == "Marked reviewed." and state.rows == [] and state.total == 0
    call(state, "set_show", "all")
    assert state.rows[0].reviewed and state.rows[0].review_note == "Spoke with Olive: justified."
    call(state, "set_show", "<script>")
    assert state.show == "unreviewed"


def test_the_review_list_is_for_the_director_only(session, factory, world):
    for user in (world["oncall"], world["primary"], factory.client_user(world["client"])):
        state = make_state(BreakGlassReviewState, session, user)
        assert redirect_path(call(state, "load")) == "/denied"
        assert redirect_path(call(state, "mark_reviewed", {"grant_id": "1", "note": "x"})) == "/denied"
        assert state.rows == []


def test_the_director_sets_the_duration(session, world):
    home = make_state(DirectorHomeState, session, world["director"])
    call(home, "load")
    form = {"timezone": home.settings["timezone"], "weekly_hours_target": home.settings["weekly_hours_target"]}
    call(home, "save_settings", {**form, "break_glass_minutes": "5"})
    assert "15" in home.setting_errors["break_glass_minutes"]
    call(home, "save_settings", {**form, "break_glass_minutes": "30"})
    assert home.settings_message == "Settings saved." and home.settings["break_glass_minutes"] == "30"
    state = make_state(ClientRecordState, session, world["oncall"], client_id=str(world["client"].id))
    call(state, "load")
    assert state.emergency_minutes == "30"
