"""Passwords, sign-in throttling and server-side sessions."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select

from iop_app.db import open_session
from iop_app.models import AuditEvent, AuthSession, FailureCounter, FamilyLink, User, utcnow
from iop_app.services import accounts, auth, family, throttle
from iop_app.services.errors import PermissionDenied, ServiceError, ValidationError
from tests.helpers import TEST_PASSWORD


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


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password checks (argon2 work) sign-in does."""
    calls = []
    real = auth._verify

    def counting(password_hash, password):
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "_verify", counting)
    return calls


def refused(session, email, password, now, client_ip=""):
    with pytest.raises(ServiceError) as failed:
        auth.sign_in(session, email, password, now=now, client_ip=client_ip)
    assert failed.value.message == auth.SIGNIN_FAILED_MESSAGE
    return True


def test_failures_grow_a_delay_instead_of_a_hard_lock(session, factory, hashes):
    """Replaces the old 5-failures/15-minute lock: 3 free tries, then 2 s, 4 s, 8 s ...
    up to 15 minutes; while held back even the right password is refused, unheard."""
    user = factory.user("client", email="c@test.example")
    t = utcnow()
    for _ in range(2):
        refused(session, "c@test.example", "wrong password here", t)
    assert auth.sign_in(session, "c@test.example", TEST_PASSWORD, now=t).user.id == user.id  # no delay yet
    # Success cleared the count: three more failures before the first delay.
    for _ in range(3):
        refused(session, "c@test.example", "wrong password here", t)
    hashes.clear()
    refused(session, "c@test.example", TEST_PASSWORD, t + timedelta(seconds=1))  # held back 2 s
    assert hashes == []  # no argon2 work while held back
    assert len(events(session, "signin", "failure")) == 5  # the refusal unheard is not counted
    assert events(session, "signin.delay")[0].detail == "3 failures; next attempt in 2 s"
    # Each further failure doubles the wait.
    t += timedelta(seconds=3)
    refused(session, "c@test.example", "wrong password here", t)  # 4th: 4 s
    refused(session, "c@test.example", TEST_PASSWORD, t + timedelta(seconds=3))
    t += timedelta(seconds=5)
    refused(session, "c@test.example", "wrong password here", t)  # 5th: 8 s
    refused(session, "c@test.example", TEST_PASSWORD, t + timedelta(seconds=7))
    # Five guesses cost the owner 8 seconds, not 15 minutes.
    assert auth.sign_in(session, "c@test.example", TEST_PASSWORD, now=t + timedelta(seconds=9)).user.id == user.id
    assert session.exec(select(FailureCounter).where(FailureCounter.kind == "signin.account")).all() == []


def test_the_delay_stops_growing_at_15_minutes():
    rule = throttle.RULES[throttle.Kind.SIGNIN_ACCOUNT]
    delays = [throttle.delay_after(rule, n).total_seconds() for n in range(1, 16)]
    assert delays == [0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]
    assert throttle.delay_after(rule, 10**6) == timedelta(minutes=15)


def test_a_strangers_guesses_cannot_keep_the_director_out(session, factory, hashes):
    director = factory.user("director", email="boss@test.example")
    t = utcnow()
    auth.sign_in(session, "boss@test.example", TEST_PASSWORD, now=t - timedelta(days=3), client_ip="198.51.100.7")
    # A guesser elsewhere, patient enough to wait out each delay, reaches the 15-minute cap.
    account = throttle.account_key(throttle.Kind.SIGNIN_ACCOUNT, "boss@test.example")
    for _ in range(14):
        t += timedelta(minutes=16)
        refused(session, "boss@test.example", "is it this one", t, client_ip="203.0.113.66")
    t += timedelta(minutes=1)
    assert throttle.held_back(session, [account], t)
    # The director's usual address is not held back by the account's delay...
    signed_in = auth.sign_in(session, "boss@test.example", TEST_PASSWORD, now=t, client_ip="198.51.100.7")
    assert signed_in.user.id == director.id
    # ...and her sign-in cleared it.
    assert not throttle.held_back(session, [account], t)
    # An address she never used is held back by the account's delay, right password or not.
    for _ in range(3):
        refused(session, "boss@test.example", "guess again", t, client_ip="203.0.113.67")
    hashes.clear()
    refused(session, "boss@test.example", TEST_PASSWORD, t + timedelta(seconds=1), client_ip="192.0.2.1")
    assert hashes == []
    delays = events(session, "signin.delay")
    assert {e.target for e in delays} == {"account:boss@test.example", "source:203.0.113.66"}
    assert delays[-1].detail == "3 failures; next attempt in 2 s"


def test_one_source_is_slowed_across_accounts_and_unknown_emails(session, factory, hashes):
    user = factory.user("therapist", email="t@test.example")
    t = utcnow()
    # Ten different emails, most of which do not exist, one try each.
    for i in range(10):
        refused(session, f"guess{i}@test.example", "password guess", t, client_ip="203.0.113.9")
    hashes.clear()
    # The source is now held back: even a right password from it is refused unheard...
    refused(session, "t@test.example", TEST_PASSWORD, t + timedelta(seconds=1), client_ip="203.0.113.9")
    assert hashes == []
    # ...while everyone else signs in as usual.
    assert auth.sign_in(session, "t@test.example", TEST_PASSWORD, now=t, client_ip="192.0.2.44").user.id == user.id
    source = session.get(FailureCounter, ("signin.source", "203.0.113.9"))
    assert source.failures == 10 and source.delayed_until == t + timedelta(seconds=2)
    failure = events(session, "signin", "failure")[0]
    assert failure.actor_label == "guess0@test.example"
    assert failure.detail == "unknown or inactive account from 203.0.113.9"


def test_unknown_emails_are_held_back_like_real_ones(session, factory):
    """The throttle must not tell which emails exist: an unknown email is counted
    and delayed exactly like a real one."""
    factory.user("client", email="real@test.example")
    t = utcnow()
    for email in ("real@test.example", "ghost@test.example"):
        for _ in range(3):
            refused(session, email, "wrong password here", t)
    rows = {r.key: (r.failures, r.delayed_until) for r in session.exec(select(FailureCounter)).all()}
    assert rows["real@test.example"] == rows["ghost@test.example"] == (3, t + timedelta(seconds=2))


def test_quiet_counters_start_over_and_are_pruned(session, factory):
    factory.user("client", email="c@test.example")
    t = utcnow()
    for _ in range(2):
        refused(session, "c@test.example", "wrong password here", t, client_ip="203.0.113.5")
    later = t + timedelta(days=1, minutes=1)
    refused(session, "other@test.example", "wrong password here", later, client_ip="192.0.2.8")
    # The day-old counters are gone; the next failure is the first again.
    keys = {(r.kind, r.key) for r in session.exec(select(FailureCounter)).all()}
    assert keys == {("signin.account", "other@test.example"), ("signin.source", "192.0.2.8")}
    refused(session, "c@test.example", "wrong password here", later)
    assert session.get(FailureCounter, ("signin.account", "c@test.example")).failures == 1


def test_parallel_guesses_cannot_slip_past_the_check(db_url, session, factory):
    """Many simultaneous attempts on one account: the check, the password work and
    the count run one at a time, so no more than the free tries get hashed."""
    factory.user("client", email="c@test.example")
    start = threading.Barrier(8)

    def attempt():
        start.wait()
        with open_session(db_url) as s, contextlib.suppress(ServiceError):
            auth.sign_in(s, "c@test.example", "wrong password here")

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(attempt) for _ in range(8)]:
            future.result()
    session.expire_all()
    assert len(events(session, "signin", "failure")) == 3
    assert session.get(FailureCounter, ("signin.account", "c@test.example")).failures == 3


def test_session_checks_that_are_not_activity_leave_last_seen(session, factory):
    factory.user("client", email="c@test.example")
    start = utcnow()
    token = auth.sign_in(session, "c@test.example", TEST_PASSWORD, now=start).token
    for minutes in (5, 10, 14):
        assert auth.resolve_session(session, token, now=start + timedelta(minutes=minutes), touch=False) is not None
    row = session.exec(select(AuthSession)).one()
    assert row.last_seen_at == start
    # So an idle tab's timer does not keep the session alive.
    assert auth.resolve_session(session, token, now=start + timedelta(minutes=16), touch=False) is None
    assert len(events(session, "session.timeout")) == 1


def test_family_activation_codes_are_throttled(session, factory):
    client = factory.client()
    email = "invited.person@test.example"
    link = FamilyLink(client_id=client.id, name="Invited Person", relationship="Sibling", email=email,
                      invite_code_hash=family.code_hash("ABCD-EFGH-JKMN"),
                      invite_expires_at=utcnow() + timedelta(days=7), invited_at=utcnow())
    session.add(link)
    session.commit()
    for code in ("AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF", "GGGG-HHHH-JJJJ"):
        with pytest.raises(ServiceError):
            family.activate(session, email, code, "a calm river at dusk", client_ip="203.0.113.20")
    # Held back now: even the right code is refused, with the same message.
    with pytest.raises(ServiceError) as held:
        family.activate(session, email, "ABCD-EFGH-JKMN", "a calm river at dusk", client_ip="192.0.2.3")
    assert held.value.message == family.ACTIVATION_FAILED
    assert session.exec(select(User).where(User.email == email)).first() is None
    assert events(session, "family.activate.delay")
    # The source is limited across emails too.
    for i in range(7):
        with pytest.raises(ServiceError):
            family.activate(session, f"x{i}@test.example", "AAAA-BBBB-CCCC", "a calm river at dusk",
                            client_ip="203.0.113.20")
    assert session.get(FailureCounter, ("activate.source", "203.0.113.20")).delayed_until is not None
    # Once the delay has passed, the right code works and clears the email's counter.
    counter = session.get(FailureCounter, ("activate.account", email))
    counter.delayed_until = utcnow() - timedelta(seconds=1)
    session.add(counter)
    session.commit()
    family.activate(session, email, "ABCD-EFGH-JKMN", "a calm river at dusk", client_ip="192.0.2.3")
    assert session.get(FailureCounter, ("activate.account", email)) is None
    session.refresh(link)
    assert link.family_user_id is not None


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
    with pytest.raises(PermissionDenied):
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
    accounts.create_first_director(session, email="boss@test.example", full_name="Boss",
                                   password="a calm river at dusk")
    with pytest.raises(ValidationError):
        accounts.create_first_director(session, email="boss2@test.example", full_name="Boss 2",
                                       password="a calm river at dusk")
