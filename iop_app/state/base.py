"""The base state every page state inherits: who is signed in, from the
server-side session, never from anything the browser sends.

Pattern for a page state (one substate per page):

    class GoalsState(SessionState):
        goals: list[GoalView] = []          # only what the viewer may see
        _client_id: int = 0                 # backend-only

        @rx.event
        def load(self):
            with self._db() as (session, actor):
                if actor is None or actor.role != "client":
                    return self._refuse(session, actor)
                ...

        @rx.event
        def save(self, form: dict):
            with self._db() as (session, actor):
                if actor is None:
                    return self._signed_out()
                ...   # validate every value in `form`; call a service

Every handler resolves the actor again: sign-out, a disabled account, idle or
absolute timeout take effect on the very next event from any open tab.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import reflex as rx
from sqlmodel import Session

from .. import routes
from ..db import open_session
from ..http_headers import served_over_https
from ..models import User
from ..services import audit, auth
from ..services.errors import ServiceError


class SessionState(rx.State):
    # The browser keeps only the random session token; the server holds the rest.
    # Secure (sent over HTTPS only) when IOP_ORIGIN is https; over plain http a browser
    # would refuse to store a Secure cookie, so it is left unset there.
    session_token: str = rx.Cookie("", name="iop_session", same_site="strict", max_age=12 * 3600,
                                   secure=True if served_over_https() else None)
    # Shown in the header; harmless to the viewer, who is this user.
    viewer_name: str = ""
    viewer_role: str = ""
    flash: str = ""  # one-line message for the next page (e.g. "Signed out")

    @contextmanager
    def _db(self) -> Iterator[tuple[Session, User | None]]:
        """A database session and the acting user behind this browser's token
        (None when the session is unknown, ended or timed out)."""
        with open_session() as session:
            actor = auth.resolve_session(session, self.session_token)
            if actor is None:
                self.viewer_name = ""
                self.viewer_role = ""
            else:
                self.viewer_name = actor.full_name
                self.viewer_role = actor.role
            yield session, actor

    def _signed_out(self):
        """The session is gone: back to the sign-in page."""
        self.session_token = ""
        self.flash = "Your session has ended. Please sign in again."
        return rx.redirect(routes.SIGNIN)

    def _refuse(self, session: Session, actor: User | None, page: str = ""):
        """Not signed in -> sign-in page; wrong role -> audited denial page."""
        if actor is None:
            return self._signed_out()
        audit.record_now(session, actor, "page.view", target=(page or self.router.page.path)[:120],
                         outcome="denied", detail=f"role {actor.role}")
        return rx.redirect(routes.DENIED)

    def _require_role(self, session: Session, actor: User | None, *roles: str):
        """None when the actor has one of `roles`; otherwise the redirect to return."""
        if actor is not None and actor.role in roles:
            return None
        return self._refuse(session, actor)

    @rx.event
    def go_home(self):
        with self._db() as (_session, actor):
            if actor is None:
                return self._signed_out()
            return rx.redirect(routes.ROLE_HOME[actor.role])

    @rx.event
    def sign_out(self):
        with open_session() as session:
            auth.sign_out(session, self.session_token)
        self.session_token = ""
        self.viewer_name = ""
        self.viewer_role = ""
        self.flash = "You are signed out."
        return rx.redirect(routes.SIGNIN)


class SignInState(SessionState):
    email_error: str = ""
    form_error: str = ""

    @rx.event
    def check_already_signed_in(self):
        with self._db() as (_session, actor):
            if actor is not None:
                return rx.redirect(routes.ROLE_HOME[actor.role])

    @rx.event
    def sign_in(self, form: dict):
        email = form.get("email") if isinstance(form, dict) else None
        password = form.get("password") if isinstance(form, dict) else None
        self.email_error = ""
        self.form_error = ""
        if not isinstance(email, str) or not email.strip():
            self.email_error = "Enter your email address."
            return
        if not isinstance(password, str) or not password:
            self.form_error = "Enter your password."
            return
        with open_session() as session:
            try:
                signed_in = auth.sign_in(session, email, password, previous_token=self.session_token)
            except ServiceError as exc:
                self.form_error = exc.message
                return
        self.session_token = signed_in.token
        self.viewer_name = signed_in.user.full_name
        self.viewer_role = signed_in.user.role
        self.flash = ""
        return rx.redirect(routes.ROLE_HOME[signed_in.user.role])


class HomeState(SessionState):
    """`/`: send each role to its own home page."""

    @rx.event
    def route(self):
        with self._db() as (_session, actor):
            if actor is None:
                return rx.redirect(routes.SIGNIN)
            return rx.redirect(routes.ROLE_HOME[actor.role])
