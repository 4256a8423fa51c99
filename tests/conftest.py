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
from iop_app.services import auth
from tests.helpers import TEST_PASSWORD, Factory


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
def signed_in_state(db_url, monkeypatch):
    """signed_in_state(StateClass, user) -> that page state, signed in as `user`
    through a real server-side session. Call handlers as
    `StateClass.event_handlers["name"].fn(state, *args)`: exactly what a browser
    can trigger, with whatever arguments a test forges."""
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    from reflex.state import State

    import iop_app.iop_app  # noqa: F401  (builds the state tree)
    from iop_app.db import open_session

    def make(state_cls, user: User | None):
        root = State(_reflex_internal_init=True)
        state = root.get_substate(state_cls.get_full_name().split(".")[1:])
        if user is not None:
            with open_session(db_url) as s:
                state.session_token = auth.sign_in(s, user.email, TEST_PASSWORD).token
        return state

    return make
