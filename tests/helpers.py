"""Helpers tests import (fixtures live in tests/conftest.py): the test password,
the data factory, a page state as a browser tab has it, and running a Reflex event
handler as the browser would."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session

from iop_app.models import Client, Consent, FamilyLink, GroupSession, StaffProfile, TherapyGroup, User, utcnow
from iop_app.models.enums import STAFF_ROLES
from iop_app.services import auth, program

TEST_PASSWORD = "Tested-Password-2026"
_HASH = None


@dataclass
class Factory:
    """Small builders for test data; each returns the saved row."""

    session: Session
    counter: int = 0

    def _email(self, role: str) -> str:
        self.counter += 1
        return f"{role}{self.counter}@test.example"

    def user(self, role: str, name: str | None = None, email: str | None = None) -> User:
        global _HASH
        _HASH = _HASH or auth.hash_password(TEST_PASSWORD)
        user = User(email=email or self._email(role), full_name=name or f"{role.title()} {self.counter}",
                    role=role, password_hash=_HASH)
        self.session.add(user)
        self.session.flush()
        if role in STAFF_ROLES:
            self.session.add(StaffProfile(user_id=user.id))
        self.session.commit()
        return user

    def client(self, therapist: User | None = None, *, admitted_days_ago: int = 14, status: str = "active",
               name: str | None = None) -> Client:
        user = self.user("client", name=name)
        admitted = program.local_today(self.session) - timedelta(days=admitted_days_ago)
        client = Client(user_id=user.id, admission_date=admitted, status=status,
                        primary_therapist_id=therapist.id if therapist else None)
        self.session.add(client)
        self.session.commit()
        return client

    def session_today(self, facilitator: User, *, start: time, minutes: int, weekdays: str,
                      topic: str = "") -> GroupSession:
        """Today's session, at `start` program time, of a process group `facilitator`
        has run for 30 days."""
        today = program.local_today(self.session)
        group = TherapyGroup(name="Process", group_type="process", facilitator_id=facilitator.id,
                             weekdays=weekdays, start_time=start, duration_minutes=minutes,
                             start_date=today - timedelta(days=30))
        self.session.add(group)
        self.session.flush()
        row = GroupSession(group_id=group.id, duration_minutes=minutes, topic=topic,
                           starts_at=program.to_utc(datetime.combine(today, start), program.program_tz(self.session)))
        self.session.add(row)
        self.session.commit()
        return row

    def client_user(self, client: Client) -> User:
        return self.session.get(User, client.user_id)

    def family(self, client: Client, *, scope: str | None = "scheduling_progress", revoked: bool = False,
               expired: bool = False) -> User:
        """A family member of `client`; with a consent of `scope` unless scope is None."""
        person = self.user("family")
        link = FamilyLink(client_id=client.id, name=person.full_name, relationship="Sibling",
                          email=person.email, family_user_id=person.id)
        self.session.add(link)
        self.session.flush()
        if scope:
            today = program.local_today(self.session)
            self.session.add(Consent(
                client_id=client.id, family_link_id=link.id, scope=scope, purpose="Family sessions",
                signature="Client Signature", signed_on=today - timedelta(days=10),
                expires_on=today - timedelta(days=1) if expired else today + timedelta(days=30),
                revoked_at=utcnow() if revoked else None, recorded_by=client.user_id))
        self.session.commit()
        return person


def sign_in_token(session: Session, user: User) -> str:
    """The server-side session token a real sign-in gives `user`."""
    return auth.sign_in(session, user.email, TEST_PASSWORD).token


def page_state(state_cls, token: str | None = None, /, **params):
    """A page state of a fresh browser tab (a root State with its substates), signed
    in with `token` when given, with `params` as the URL's query."""
    from reflex.istate.data import RouterData
    from reflex.state import State

    root = State(_reflex_internal_init=True)
    state = root.get_substate(state_cls.get_full_name().split(".")[1:])
    if token is not None:
        state.session_token = token
    if params:
        state.router = RouterData.from_router_data({"query": dict(params), "pathname": "/x"})
    return state


def assert_field_errors(state, handler: str, cases) -> None:
    """Each (form, field) of `cases` sent to `handler` leaves a message on that field."""
    for form, field in cases:
        call(state, handler, form)
        assert state.errors.get(field), (form, state.errors)


def call(state, handler: str, *args):
    """Run an event handler the way the browser would trigger it (an async
    handler runs to completion on its own event loop)."""
    for cls in type(state).__mro__:  # inherited handlers live on the parent state
        handlers = getattr(cls, "event_handlers", {})
        if handler in handlers:
            result = handlers[handler].fn(state, *args)
            return run_async(result) if inspect.iscoroutine(result) else result
    raise KeyError(handler)


def run_async(coroutine):
    """Run a coroutine to completion on a fresh event loop in its own thread: this
    thread may already run one (Playwright's sync API, when the browser tests ran
    first in the same pytest session), with this thread's context (Reflex keeps its
    registration in context variables)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(contextvars.copy_context().run, asyncio.run, coroutine).result()
