"""Event handlers of the foundation pages, called as a browser could: forged
arguments, no session, wrong role. Each is refused and changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, Goal, User
from iop_app.state.base import HomeState, SessionState, SignInState
from iop_app.state.client import ClientHomeState
from iop_app.state.director import AccountsState, AuditState
from tests.helpers import TEST_PASSWORD, call, run_async


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
        assert state.error == "That account could not be changed." or "No such" in state.error
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


# --------------------------------------------------------------------------- nothing left for the next user
CLIENT_PAGES = ["ClientHomeState", "CheckinState", "GoalsState", "NeedsState"]


def base_of(state) -> SessionState:
    while type(state) is not SessionState:
        state = state.parent_state
    return state


def page(state, name: str):
    """The page state `name` in the same tab (state tree) as `state`."""
    from iop_app.state import client

    return state._get_root_state().get_substate(getattr(client, name).get_full_name().split(".")[1:])


def leftovers(state, allowed: tuple[str, ...] = ()) -> dict[str, object]:
    """Every var of every page state in the tab (and of the header) that is not at its
    default, backend-only vars included, except the `allowed` ones ("Class.var")."""
    found = {}

    def walk(s):
        for name, f in type(s).__fields__.items():
            where = f"{type(s).__name__}.{name}"
            if f._owner is type(s) and where not in allowed and getattr(s, name) != f.default_value():
                found[where] = getattr(s, name)
        for sub in s.substates.values():
            walk(sub)

    walk(base_of(state))
    return found


@pytest.fixture
def client_tab(session, factory, signed_in_state):
    """A tab in which the client has opened every page of the client portal."""
    therapist = factory.user("therapist")
    client = factory.client(therapist, name="Alex Morgan")
    user = factory.client_user(client)
    session.add(Goal(client_id=client.id, title="Go 30 days without drinking", why="My kids deserve a present parent.",
                     life_area="sobriety", created_by=user.id))
    session.commit()
    home = signed_in_state(ClientHomeState, user)
    for name in CLIENT_PAGES:
        assert call(page(home, name), "load") is None
    assert page(home, "GoalsState").goal_cards[0].title == "Go 30 days without drinking"
    assert base_of(home).viewer_name == "Alex Morgan"
    return home


def test_sign_out_resets_every_page_state_of_the_tab(client_tab):
    assert len(leftovers(client_tab)) > 10  # names, goals, charts' rows, backend ids ...
    spec = call(client_tab, "sign_out")
    assert redirect_path(spec) == "/signin"
    assert leftovers(client_tab, allowed=("SessionState.flash",)) == {}
    assert base_of(client_tab).flash == "You are signed out."


def test_signing_in_as_someone_else_in_the_same_tab_starts_from_empty_pages(session, factory, client_tab):
    factory.user("family", email="relative@test.example", name="Robin Nguyen")
    sign_in = page(client_tab, "ClientHomeState")._get_root_state().get_substate(
        SignInState.get_full_name().split(".")[1:])
    spec = call(sign_in, "sign_in", {"email": "relative@test.example", "password": TEST_PASSWORD})
    assert redirect_path(spec) == "/family"
    assert leftovers(client_tab, allowed=("SessionState.session_token", "SessionState.viewer_name",
                                          "SessionState.viewer_role", "SessionState._viewer_id")) == {}
    assert base_of(client_tab).viewer_name == "Robin Nguyen"


def test_a_session_ended_elsewhere_clears_the_tab_on_its_next_event(session, client_tab):
    from iop_app.services import auth

    auth.sign_out(session, base_of(client_tab).session_token)  # e.g. sign-out in another tab
    spec = call(page(client_tab, "GoalsState"), "load")
    assert redirect_path(spec) == "/signin"
    assert leftovers(client_tab, allowed=("SessionState.flash",)) == {}


def test_someone_else_behind_the_cookie_clears_the_tab_but_keeps_their_token(session, factory, client_tab):
    """Another tab of the browser signed in anew: the cookie this tab sends now
    belongs to another user. Nothing of the client may stay in this tab."""
    from iop_app.services import auth

    factory.user("family", email="relative@test.example", name="Robin Nguyen")
    token = auth.sign_in(session, "relative@test.example", TEST_PASSWORD).token
    base_of(client_tab).session_token = token
    spec = call(page(client_tab, "GoalsState"), "load")
    assert redirect_path(spec) == "/denied"  # a family member on a client page
    assert leftovers(client_tab, allowed=("SessionState.session_token", "SessionState.viewer_name",
                                          "SessionState.viewer_role", "SessionState._viewer_id")) == {}
    assert base_of(client_tab).session_token == token and base_of(client_tab).viewer_name == "Robin Nguyen"


def test_the_idle_check_is_not_activity_and_clears_a_timed_out_tab(session, client_tab):
    from iop_app.models import AuthSession

    row = session.exec(select(AuthSession)).one()
    row.last_seen_at -= timedelta(minutes=10)
    session.add(row)
    session.commit()
    seen = row.last_seen_at
    assert call(client_tab, "check_session") is None  # still signed in: nothing happens
    session.expire_all()
    assert session.exec(select(AuthSession)).one().last_seen_at == seen  # and the check kept nothing alive
    assert page(client_tab, "GoalsState").goal_cards
    row = session.exec(select(AuthSession)).one()
    row.last_seen_at -= timedelta(minutes=6)  # 16 minutes idle
    session.add(row)
    session.commit()
    spec = call(client_tab, "check_session")
    assert redirect_path(spec) == "/signin"
    assert leftovers(client_tab, allowed=("SessionState.flash",)) == {}
    assert "session has ended" in base_of(client_tab).flash


def test_a_reload_with_another_users_cookie_sends_no_leftovers(session, factory, client_tab):
    """The hydrate of a reload sends the whole tree: it is cleared first when the
    browser's cookie belongs to someone else or no one."""
    from reflex.event import Event

    from iop_app.services import auth
    from iop_app.state.base import ForgetPreviousUser

    root = client_tab._get_root_state()
    cookie = f"{SessionState.get_full_name()}.session_token_rx_state_"  # as the browser names it
    hydrate = f"{root.get_full_name()}.hydrate_and_load"

    def reload(token):
        event = Event(name=hydrate, payload={"vars": {cookie: token}})
        assert run_async(ForgetPreviousUser().preprocess(None, root, event)) is None

    reload(base_of(client_tab).session_token)  # the same user: nothing to forget
    assert page(client_tab, "GoalsState").goal_cards
    factory.user("family", email="relative@test.example")
    reload(auth.sign_in(session, "relative@test.example", TEST_PASSWORD).token)
    assert leftovers(client_tab) == {}


def test_sign_in_hashes_off_the_event_loop(factory, signed_in_state):
    """argon2 (~0.1-0.2 s) must not stall the one event loop every tab shares: a
    ticker on the loop keeps ticking while each sign-in runs. Hashing on the loop
    would stop it for the whole sign-in (no tick at all)."""
    factory.user("therapist", email="t@test.example")
    state = signed_in_state(SignInState, None)
    handler = SignInState.event_handlers["sign_in"].fn

    async def scenario():
        loop = asyncio.get_running_loop()
        ticks, gaps, runs, done = [0], [], [], False

        async def ticker():
            last = loop.time()
            while not done:
                await asyncio.sleep(0.002)
                ticks[0] += 1
                gaps.append(loop.time() - last)
                last = loop.time()

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        for password in ("wrong password one", TEST_PASSWORD):
            started, ticks_before = loop.time(), ticks[0]
            await handler(state, {"email": "t@test.example", "password": password})
            runs.append((loop.time() - started, ticks[0] - ticks_before))
        done = True
        await task
        return max(gaps), runs

    longest_gap, runs = run_async(scenario())
    assert state.viewer_role == "therapist"
    for took, ticks in runs:
        assert ticks >= 5, runs
        assert longest_gap < took, (longest_gap, runs)


def test_sign_in_counts_failures_by_the_clients_address(session, factory, signed_in_state):
    from reflex.istate.data import SessionData

    from iop_app.models import FailureCounter

    factory.user("therapist", email="t@test.example")
    state = signed_in_state(SignInState, None)
    state._get_root_state().rx_router_session = SessionData(client_token="tab", client_ip="203.0.113.7")
    call(state, "sign_in", {"email": "t@test.example", "password": "not my password"})
    assert state.form_error.startswith("Sign-in failed") and state.session_token == ""
    session.expire_all()
    assert session.get(FailureCounter, ("signin.source", "203.0.113.7")).failures == 1
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "signin")).one().detail == (
        "wrong password from 203.0.113.7")


def test_director_creates_an_account_hashing_off_the_event_loop(session, factory, signed_in_state, monkeypatch):
    from iop_app.services import auth

    director = factory.user("director")
    hashed_on = []
    real_hash = auth.hash_password

    def spy(password, email=""):
        import threading

        hashed_on.append(threading.current_thread().name)
        return real_hash(password, email)

    monkeypatch.setattr(auth, "hash_password", spy)
    state = signed_in_state(AccountsState, director)
    call(state, "load")
    call(state, "create_account", {"role": "therapist", "email": " New.Therapist@test.example ",
                                   "full_name": "Nia New", "password": "a calm river at dusk"})
    assert state.errors == {} and state.error == ""
    assert state.message == "Account created for new.therapist@test.example."
    assert hashed_on and all(name.startswith("iop-blocking") for name in hashed_on)
    assert "new.therapist@test.example" in [a.email for a in state.accounts]
    call(state, "create_account", {"role": "therapist", "email": "new.therapist@test.example",
                                   "full_name": "Nia Again", "password": "a calm river at dusk"})
    assert state.errors == {"email": "An account with that email already exists."} and state.message == ""
