"""Shared fixtures: every test gets its own SQLite file built by the real
Alembic migrations (migrated once per run, then copied)."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import Session

from iop_app.db import get_engine
from iop_app.manage import migrate
from iop_app.models import Client, FamilyLink, Consent, StaffProfile, User, utcnow
from iop_app.services import auth, program

TEST_PASSWORD = "Tested-Password-2026"
_HASH = None


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    migrate(url)
    get_engine(url).dispose()
    return path


@pytest.fixture
def db_url(migrated_template, tmp_path):
    path = tmp_path / "test.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def session(db_url):
    engine = get_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


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
        if role in ("therapist", "director"):
            self.session.add(StaffProfile(user_id=user.id))
        self.session.commit()
        return user

    def client(self, therapist: User | None = None, *, admitted_days_ago: int = 14, status: str = "active",
               name: str | None = None) -> Client:
        user = self.user("client", name=name)
        client = Client(user_id=user.id, admission_date=program.local_today(self.session) - timedelta(days=admitted_days_ago),
                        status=status, primary_therapist_id=therapist.id if therapist else None)
        self.session.add(client)
        self.session.commit()
        return client

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


@pytest.fixture
def factory(session) -> Factory:
    return Factory(session)


@pytest.fixture
def signed_in_state(db_url, monkeypatch):
    """signed_in_state(StateClass, user) -> that page state, signed in as `user`
    through a real server-side session. Call handlers as
    `StateClass.event_handlers["name"].fn(state, *args)`: exactly what a browser
    can trigger, with whatever arguments a test forges."""
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    import iop_app.iop_app  # noqa: F401  (builds the state tree)
    from reflex.state import State

    from iop_app.db import open_session

    def make(state_cls, user: User | None):
        root = State(_reflex_internal_init=True)
        state = root.get_substate(state_cls.get_full_name().split(".")[1:])
        if user is not None:
            with open_session(db_url) as s:
                state.session_token = auth.sign_in(s, user.email, TEST_PASSWORD).token
        return state

    return make


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
