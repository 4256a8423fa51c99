"""Passwords, sign-in throttling and server-side sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, AuthSession, User, utcnow
from iop_app.services import accounts, auth
from iop_app.services.errors import ServiceError, ValidationError
from tests.conftest import TEST_PASSWORD


def events(session, action, outcome=None):
    query = select(AuditEvent).where(AuditEvent.action == action)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    return session.exec(query).all()


def test_password_rules():
    assert auth.password_problem("short-pass1") == "Use at least 12 characters."
    assert "common" in auth.password_problem("password1234")
    assert "common" in auth.password_problem("PASSWORD1234")  # case does not help
    assert "common" in auth.password_problem("aaaaaaaaaaaaaa")  # too few distinct characters
    assert auth.password_problem("a calm river at dusk") is None
    assert "email" in auth.password_problem("me@example.org", "ME@example.org")


def test_long_passwords_are_not_truncated():
    long_password = "x7!Kq" * 30  # 150 characters
    hashed = auth.hash_password(long_password)
    assert hashed.startswith("$argon2id$")
    assert auth._verify(hashed, long_password)
    assert not auth._verify(hashed, long_password[:-1])  # the last character matters
    assert not auth._verify(hashed, long_password[:128])


def test_sign_in_rotates_token_and_stores_only_its_hash(session, factory):
    user = factory.user("therapist", email="t@test.example")
    first = auth.sign_in(session, "  T@Test.Example ", TEST_PASSWORD)
    second = auth.sign_in(session, "t@test.example", TEST_PASSWORD, previous_token=first.token)
    assert first.token != second.token and len(first.token) >= 43  # 256 bits, url-safe
    rows = session.exec(select(AuthSession).where(AuthSession.user_id == user.id)).all()
    assert {r.token_hash for r in rows} == {auth.token_hash(first.token), auth.token_hash(second.token)}
    assert all(first.token not in r.token_hash for r in rows)
    # The previous token no longer works: rotation ended it.
    assert auth.resolve_session(session, first.token) is None
    assert auth.resolve_session(session, second.token).id == user.id
    assert len(events(session, "signin", "success")) == 2


def test_wrong_password_and_unknown_email_get_the_same_message(session, factory):
    factory.user("client", email="c@test.example")
    with pytest.raises(ServiceError) as wrong:
        auth.sign_in(session, "c@test.example", "not the password at all")
    with pytest.raises(ServiceError) as unknown:
        auth.sign_in(session, "nobody@test.example", "not the password at all")
    assert wrong.value.message == unknown.value.message == auth.SIGNIN_FAILED_MESSAGE
    assert len(events(session, "signin", "failure")) == 2


def test_five_failures_lock_the_account_for_15_minutes(session, factory):
    user = factory.user("client", email="c@test.example")
    now = utcnow()
    for _ in range(5):
        with pytest.raises(ServiceError):
            auth.sign_in(session, "c@test.example", "wrong password here", now=now)
    session.refresh(user)
    assert user.locked_until is not None
    assert len(events(session, "lockout")) == 1
    # Even the right password is refused while locked, with the same message.
    with pytest.raises(ServiceError) as locked:
        auth.sign_in(session, "c@test.example", TEST_PASSWORD, now=now + timedelta(minutes=14))
    assert locked.value.message == auth.SIGNIN_FAILED_MESSAGE
    signed_in = auth.sign_in(session, "c@test.example", TEST_PASSWORD, now=now + timedelta(minutes=16))
    assert signed_in.user.id == user.id


def test_idle_and_absolute_timeouts(session, factory):
    factory.user("client", email="c@test.example")
    start = utcnow()
    token = auth.sign_in(session, "c@test.example", TEST_PASSWORD, now=start).token
    assert auth.resolve_session(session, token, now=start + timedelta(minutes=14)) is not None
    # Active use keeps it alive...
    t = start
    for _ in range(8):
        t += timedelta(minutes=10)
        assert auth.resolve_session(session, token, now=t) is not None
    # ...16 idle minutes end it, and it stays ended.
    assert auth.resolve_session(session, token, now=t + timedelta(minutes=16)) is None
    assert auth.resolve_session(session, token, now=t + timedelta(minutes=17)) is None
    assert len(events(session, "session.timeout")) == 1

    token = auth.sign_in(session, "c@test.example", TEST_PASSWORD, now=start).token
    t = start
    while t < start + timedelta(hours=11, minutes=50):
        t += timedelta(minutes=10)
        assert auth.resolve_session(session, token, now=t) is not None
    assert auth.resolve_session(session, token, now=start + timedelta(hours=12, minutes=1)) is None


def test_sign_out_ends_the_session_on_the_server(session, factory):
    factory.user("family", email="f@test.example")
    token = auth.sign_in(session, "f@test.example", TEST_PASSWORD).token
    auth.sign_out(session, token)
    assert auth.resolve_session(session, token) is None
    assert len(events(session, "signout")) == 1


def test_disabling_an_account_ends_its_sessions_at_once(session, factory):
    director = factory.user("director")
    therapist = factory.user("therapist", email="t@test.example")
    token = auth.sign_in(session, "t@test.example", TEST_PASSWORD).token
    accounts.set_active(session, director, therapist.id, False)
    assert auth.resolve_session(session, token) is None
    with pytest.raises(ServiceError):
        auth.sign_in(session, "t@test.example", TEST_PASSWORD)
    assert events(session, "account.disable")


def test_garbage_tokens_resolve_to_nobody(session):
    for token in ["", "x" * 5000, None, 12, ["a"]]:
        assert auth.resolve_session(session, token) is None


def test_only_a_director_creates_accounts(session, factory):
    director = factory.user("director")
    therapist = factory.user("therapist")
    with pytest.raises(Exception):
        accounts.create_staff(session, therapist, email="new@test.example", full_name="New", role="therapist",
                              password="a calm river at dusk")
    assert session.exec(select(User).where(User.email == "new@test.example")).first() is None
    assert events(session, "account.create", "denied")
    client = accounts.create_client(session, director, email="New.Client@Test.example", full_name="New Client",
                                    password="a calm river at dusk", admission_date=utcnow().date(),
                                    primary_therapist_id=therapist.id)
    assert session.get(User, client.user_id).email == "new.client@test.example"
    with pytest.raises(ValidationError) as dup:
        accounts.create_client(session, director, email="new.client@test.example", full_name="Again",
                               password="a calm river at dusk", admission_date=utcnow().date(),
                               primary_therapist_id=therapist.id)
    assert dup.value.errors["email"].startswith("An account with that email")
    with pytest.raises(ValidationError) as weak:
        accounts.create_staff(session, director, email="x@test.example", full_name="X", role="therapist",
                              password="password1234")
    assert "password" in weak.value.errors


def test_first_director_only_once(session):
    accounts.create_first_director(session, email="boss@test.example", full_name="Boss", password="a calm river at dusk")
    with pytest.raises(ValidationError):
        accounts.create_first_director(session, email="boss2@test.example", full_name="Boss 2",
                                       password="a calm river at dusk")
