"""Event handlers of the foundation pages, called as a browser could: forged
arguments, no session, wrong role. Each is refused and changes nothing."""

from __future__ import annotations

from sqlmodel import func, select

from iop_app.models import AuditEvent, User
from iop_app.state.base import HomeState, SignInState
from iop_app.state.director import AccountsState, AuditState
from tests.conftest import TEST_PASSWORD, call


def redirect_path(spec) -> str:
    return dict((k._js_expr, v._var_value) for k, v in spec.args)["path"]


def count_users(session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def test_sign_in_handler_sets_a_token_and_goes_home(session, factory, signed_in_state):
    factory.user("therapist", email="t@test.example")
    state = signed_in_state(SignInState, None)
    spec = call(state, "sign_in", {"email": "t@test.example", "password": TEST_PASSWORD})
    assert redirect_path(spec) == "/staff/roster"
    assert state.session_token and state.viewer_role == "therapist"


def test_sign_in_handler_refuses_garbage(session, factory, signed_in_state):
    factory.user("therapist", email="t@test.example")
    state = signed_in_state(SignInState, None)
    for form in [None, "x", {"email": 5, "password": []}, {"email": "t@test.example", "password": "x" * 100_000},
                 {"email": "a" * 10_000, "password": TEST_PASSWORD}]:
        call(state, "sign_in", form)
        assert state.session_token == ""
        assert state.email_error or state.form_error


def test_director_handlers_refuse_other_roles(session, factory, signed_in_state):
    therapist = factory.user("therapist")
    victim = factory.user("client")
    state = signed_in_state(AccountsState, therapist)
    users_before = count_users(session)
    spec = call(state, "create_account", {"role": "director", "email": "evil@test.example",
                                          "full_name": "Evil", "password": "a calm river at dusk"})
    assert redirect_path(spec) == "/denied"
    spec = call(state, "set_active", str(victim.id), False)
    assert redirect_path(spec) == "/denied"
    session.expire_all()
    assert count_users(session) == users_before
    assert session.get(User, victim.id).active is True
    assert session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    state = signed_in_state(AuditState, therapist)
    assert redirect_path(call(state, "load")) == "/denied"
    assert state.rows == []


def test_director_handlers_validate_arguments(session, factory, signed_in_state):
    director = factory.user("director")
    other = factory.user("therapist")
    state = signed_in_state(AccountsState, director)
    call(state, "load")
    for user_id, active in [("abc", False), ("-3", False), (str(10**12), False), ([1], False), (str(other.id), "no")]:
        call(state, "set_active", user_id, active)
        assert state.message == "That account could not be changed." or "No such" in state.message
    session.expire_all()
    assert session.get(User, other.id).active is True
    before = count_users(session)
    call(state, "create_account", {"role": "client", "email": "x" * 300, "full_name": "y" * 5000, "password": "p"})
    assert state.errors and count_users(session) == before
    call(state, "create_account", {"role": "client", "email": "ok@test.example", "full_name": "Ok",
                                   "password": "a calm river at dusk", "admission_date": "not a date"})
    assert "admission_date" in state.errors and count_users(session) == before
    audit_state = signed_in_state(AuditState, director)
    call(audit_state, "apply_filters", {"client_id": "1 OR 1=1"})
    assert audit_state.filter_error == "Client id must be a number."
    call(audit_state, "apply_filters", {"action": "x" * 500})
    assert "too long" in audit_state.filter_error


def test_ended_session_sends_the_tab_to_sign_in(session, factory, signed_in_state):
    director = factory.user("director")
    state = signed_in_state(AccountsState, director)
    assert call(state, "load") is None
    call(state, "sign_out")
    spec = call(state, "set_active", "1", False)
    assert redirect_path(spec) == "/signin"
    home = signed_in_state(HomeState, None)
    assert redirect_path(call(home, "route")) == "/signin"


def test_program_settings_only_by_the_director_and_validated(session, factory, signed_in_state):
    from iop_app.services import program
    from iop_app.state.director import DirectorHomeState

    director = factory.user("director")
    state = signed_in_state(DirectorHomeState, director)
    call(state, "load")
    call(state, "save_settings", {"timezone": "Mars/Olympus", "weekly_hours_target": "400"})
    assert "time zone" in state.setting_errors["timezone"]
    assert "between 1 and 40" in state.setting_errors["weekly_hours_target"]
    session.expire_all()
    assert program.get_setting(session, "timezone") == program.DEFAULTS["timezone"]
    call(state, "save_settings", {"timezone": "America/Chicago", "weekly_hours_target": "10"})
    assert state.settings_message == "Settings saved."
    session.expire_all()
    assert program.weekly_hours_target(session) == 10.0
    therapist_state = signed_in_state(DirectorHomeState, factory.user("therapist"))
    assert redirect_path(call(therapist_state, "save_settings", {"timezone": "UTC"})) == "/denied"
    session.expire_all()
    assert program.get_setting(session, "timezone") == "America/Chicago"
