"""Shared fixtures: every test gets its own SQLite file built by the real
Alembic migrations (migrated once per run, then copied). Helpers that tests
import (TEST_PASSWORD, Factory, call, run_async) live in tests/helpers.py."""

from __future__ import annotations

import shutil

import pytest
from sqlmodel import Session

from iop_app.db import get_engine
from iop_app.manage import migrate
from iop_app.models import User
from tests.helpers import Factory, call, page_state, sign_in_token


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


@pytest.fixture
def factory(session) -> Factory:
    return Factory(session)


@pytest.fixture
def app_db(db_url, monkeypatch):
    """Sessions the app opens itself (page states' handlers) use the test's database."""
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    return db_url


@pytest.fixture
def team(factory):
    """A therapist, the director, and a client of the therapist (with their user)."""
    therapist = factory.user("therapist", name="Maria Lopez")
    director = factory.user("director", name="Dana Director")
    client = factory.client(therapist, name="Alex Rivera")
    return dict(therapist=therapist, director=director, client=client, client_user=factory.client_user(client))


@pytest.fixture
def signed_in_state(app_db):
    """signed_in_state(StateClass, user, **url_params) -> that page state, signed in
    as `user` through a real server-side session. Call handlers as
    `StateClass.event_handlers["name"].fn(state, *args)`: exactly what a browser
    can trigger, with whatever arguments a test forges."""
    import iop_app.iop_app  # noqa: F401  (builds the state tree)
    from iop_app.db import open_session

    def make(state_cls, user: User | None, **params):
        if user is None:
            return page_state(state_cls, **params)
        with open_session(app_db) as s:
            return page_state(state_cls, sign_in_token(s, user), **params)

    return make


@pytest.fixture
def consent_page(session, signed_in_state):
    """consent_page(client_user, client, person) -> (link, state): `person` (a parent,
    pat@example.org) added to the client's support list, and the client's family page
    (where consents are signed) loaded."""
    from iop_app.services import family
    from iop_app.state.client_family import ClientFamilyState

    def open_page(client_user: User, client, person: str):
        link = family.add_link(session, client_user, client.id, name=person, relationship="Parent",
                               email="pat@example.org")
        state = signed_in_state(ClientFamilyState, client_user)
        call(state, "load")
        return link, state

    return open_page
