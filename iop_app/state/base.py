"""The base state every page state inherits: who is signed in, from the
server-side session, never from anything the browser sends.

The pattern every page state copies (one substate per page; see
docs/ARCHITECTURE.md, "A page state"):

    class GoalsState(PageState, SessionState):
        _roles = (Role.CLIENT,)             # who may use the page (checked on every event)
        goals: list[GoalCard] = []          # typed rows: only what the viewer may see
        _client_id: int = 0                 # backend-only

        def _reload(self, session, actor):  # rebuild what the page shows
            self.goals = [...]

        @rx.event
        def load(self):
            return self._run(lambda session, actor: None)

        @rx.event
        def add(self, form: dict):
            def action(session, actor):     # convert what the browser sent; the service checks it
                goals.add_goal(session, actor, self._client_id, **goals.GoalCreate.from_form(form))
                self.message = "Goal added."
            return self._run(action)

`PageState._run` is the one handler skeleton: open a database session, resolve the
actor from the token, check the page's roles (a wrong role is an audited denial),
clear message / error / errors, run the action, put a `ValidationError`'s field
messages in `errors` and any other `ServiceError` (denied, stale edit, not found)
in `error`, and rebuild the page. `_load_param(name)` reads the id in the URL of a
record page.

Every handler resolves the actor again: sign-out, a disabled account, idle or
absolute timeout take effect on the very next event from any open tab.

Nothing of one user stays in a tab for the next (`SessionState._clear_pages`):
every page state of the tab's token is reset on the server at sign-out, at
sign-in, when `_db()` finds the session gone or someone else behind it, when the
idle timer on every signed-in page finds it gone (`check_session`), and when a
reload (hydrate) brings a token of another user or none (`ForgetPreviousUser`),
before the whole state tree is sent to the browser.

This relies on the state manager holding a tab's whole state tree (memory or
disk mode; rxconfig.py chooses memory). Async handlers load every page state
first (`_clear_tab`), so they also hold under a manager that loads states lazily
(Redis); `_db()` in a sync handler clears the states that event loaded.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

import reflex as rx
from reflex.middleware import Middleware
from reflex_base import constants
from reflex_base.constants.state import FIELD_MARKER
from sqlmodel import Session

from .. import routes
from ..db import open_session
from ..http_headers import served_over_https
from ..models import User
from ..models.enums import Role
from ..services import audit, auth
from ..services.errors import PermissionDenied, ServiceError, ValidationError
from .args import as_int, form_dict, record_id

T = TypeVar("T")

# Password work (argon2: ~0.1-0.2 s of CPU and 64 MiB per hash) never runs on the
# event loop, which serves every open tab. A few threads: hashing is CPU-bound, and
# more at once would only queue in memory.
_WORKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="iop-blocking")


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking work in a worker thread. `fn` opens its own database session:
    a session belongs to one thread."""
    return await asyncio.get_running_loop().run_in_executor(_WORKERS, functools.partial(fn, *args))


def _sign_in(email: str, password: str, previous_token: str, client_ip: str) -> auth.SignedIn:
    with open_session() as session:
        return auth.sign_in(session, email, password, previous_token=previous_token, client_ip=client_ip)


def _sign_out(token: str) -> None:
    with open_session() as session:
        auth.sign_out(session, token)


def _user_id_behind(token: str) -> int | None:
    """Who is signed in with `token`, without counting the look as activity."""
    with open_session() as session:
        user = auth.resolve_session(session, token, touch=False)
        return user.id if user is not None else None


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
    # Whose data this tab's page states hold (0: nobody's yet).
    _viewer_id: int = 0

    @contextmanager
    def _db(self) -> Iterator[tuple[Session, User | None]]:
        """A database session and the acting user behind this browser's token
        (None when the session is unknown, ended or timed out)."""
        with open_session() as session:
            actor = auth.resolve_session(session, self.session_token)
            self._follow(actor)
            yield session, actor

    def _follow(self, actor: User | None) -> None:
        """Keep this tab to the user behind its token: when that user is gone or is
        someone else (another tab of the browser signed in anew), every page state
        is reset before anything else happens."""
        if actor is None:
            if self._viewer_id or self.viewer_name:
                self._clear_pages()
            return
        if self._viewer_id not in (0, actor.id):
            self._clear_pages(keep_token=True)
        self._viewer_id = actor.id
        self.viewer_name = actor.full_name
        self.viewer_role = actor.role

    def _base(self) -> SessionState:
        state = self
        while type(state) is not SessionState:
            state = state.parent_state
        return state

    def _clear_pages(self, keep_token: bool = False) -> None:
        """Reset every var of every page state of this tab (and the header) to its
        default, backend-only vars included: what the last user saw is gone from the
        server and, with the next update, from the browser. The token is the
        browser's cookie: kept when a new user is already behind it."""
        token = self.session_token
        base = self._base()
        base.reset()  # recursive over every loaded substate
        if keep_token:
            base.session_token = token

    async def _clear_tab(self, keep_token: bool = False) -> None:
        """`_clear_pages` after loading every page state of the tab, for a state
        manager that loads only the states an event needs."""
        for state_cls in _page_states():
            await self.get_state(state_cls)
        self._clear_pages(keep_token)

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

    def _require_role(self, session: Session, actor: User | None, *roles: Role):
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
    async def check_session(self):
        """Fired by the timer on every signed-in page (components/ui.py). Not
        activity: the session's last_seen stays, so an idle tab still times out,
        and is then cleared and sent to sign-in without waiting for a click."""
        user_id = await off_loop(_user_id_behind, self.session_token)
        if user_id is not None and self._viewer_id in (0, user_id):
            return None
        if user_id is None:
            await self._clear_tab()
            return self._signed_out()
        await self._clear_tab(keep_token=True)  # another user signed in from another tab
        return rx.redirect(routes.HOME)

    @rx.event
    async def sign_out(self):
        await off_loop(_sign_out, self.session_token)
        await self._clear_tab()
        self.flash = "You are signed out."
        return rx.redirect(routes.SIGNIN)


class PageState(rx.State, mixin=True):
    """What every page state shares: the feedback it shows and the handler skeleton.
    Mixed into each page state (`class X(PageState, SessionState)`), so each page
    has its own message / error / errors, never another page's."""

    message: str = ""  # what just succeeded
    error: str = ""  # a refusal or failure, shown as a banner
    errors: dict[str, str] = {}  # field name -> message, shown next to the field
    # Who may use the page; every event checks it again.
    _roles: ClassVar[tuple[Role, ...]] = ()
    # More text vars emptied with message and error at the start of every event.
    _feedback: ClassVar[tuple[str, ...]] = ()
    # A refusal shows no banner: on the family portal even "no access" would tell
    # that there is something (42 CFR Part 2); the page simply shows less.
    _quiet_denials: ClassVar[bool] = False

    def _reload(self, session: Session, actor: User) -> None:
        """Rebuild what the page shows (each page defines it)."""

    def _run(self, action: Callable[[Session, User], Any] | None = None, *, reload: bool = True,
             errors_var: str | None = "errors", roles: tuple[Role, ...] | None = None):
        """The handler skeleton. `action(session, actor)` calls the services; what it
        returns (a redirect, a download) is returned to Reflex. `errors_var` names the
        dict that gets a ValidationError's field messages (a page with several forms
        keeps one per form); None: a control without a form (a sort, a filter, a button
        in a list), whose ValidationError shows as the banner like any refusal. `roles`
        narrows the page's `_roles` for one handler (a form only some of them may use)."""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *(self._roles if roles is None else roles)):
                return refusal
            self.message = ""
            self.error = ""
            for name in self._feedback:
                setattr(self, name, "")
            if errors_var is not None:
                setattr(self, errors_var, {})
            result = None
            try:
                if action is not None:
                    result = action(session, actor)
            except ValidationError as exc:
                if errors_var is None:
                    self.error = exc.message
                else:
                    setattr(self, errors_var, exc.errors)
            except PermissionDenied as exc:  # already audited
                self.error = "" if self._quiet_denials else exc.message
            except ServiceError as exc:  # stale edit, not found, a rule
                self.error = exc.message
            if reload:
                try:
                    self._reload(session, actor)
                except ServiceError as exc:
                    self.error = exc.message
            return result

    def _change_listed(self, change: Callable[[Session, User, int], Any], raw_id, done: str):
        """A button on one record of a list: `change(session, actor, id)` with the id the
        browser sent back (anything but an id is refused), then `done` as the message."""
        def action(session, actor):
            change(session, actor, record_id(raw_id))
            self.message = done
        return self._run(action)

    def _item_form(self, form: dict, change: Callable[[Session, User, int | None, dict], Any], done: str,
                   item_var: str, error_var: str):
        """A form on one item of a list (the item's id in its `item_id` field):
        `change(session, actor, id or None, form)`, then `done` as the message. A
        ValidationError shows next to that item only: `item_var` names the item and
        `error_var` holds the message (both cleared first); other errors as `_run`."""
        form = form_dict(form)
        item_id = as_int(form.get("item_id"), 1)

        def action(session, actor):
            setattr(self, item_var, "")
            setattr(self, error_var, "")
            try:
                change(session, actor, item_id, form)
            except ValidationError as exc:
                setattr(self, item_var, str(item_id))
                setattr(self, error_var, exc.message)
                return
            self.message = done
        return self._run(action, errors_var=None)

    def _open_record(self, name: str, id_var: str, show: Callable[[], None],
                     missing: str = "That page does not exist.") -> bool:
        """A record page's `load` (an action for `_run`): keep the id in the URL in the
        backend var `id_var` and `show()` the record; True when shown. A bad id sets the
        error; a refusal or a missing record (the service's error, re-raised for `_run`'s
        banner) leaves `id_var` at 0, so later events act on nothing."""
        record_id = self._load_param(name, missing)
        setattr(self, id_var, record_id or 0)
        if record_id is None:
            return False
        try:
            show()
        except ServiceError:
            setattr(self, id_var, 0)
            raise
        return True

    def _load_client_record(self):
        """The `load` of a page of one client's record (/staff/clients/[client_id]/...):
        the client's id into `_record_id` and the page shown (`found`); on a refusal the
        page's `_clear()` empties it, so nothing of the record stays on screen."""
        def action(session: Session, actor: User):
            try:
                self.found = self._open_record("client_id", "_record_id", lambda: self._reload(session, actor),
                                               "No such client.")
            except PermissionDenied:
                self._clear()
                raise

        return self._run(action, reload=False, errors_var=None)

    def _load_param(self, name: str, missing: str = "That page does not exist.") -> int | None:
        """The record id in the page's URL (`/staff/clients/[client_id]`), or None
        with the page's error set to `missing`: a bad id reads like a missing one."""
        value = as_int(self.router.page.params.get(name), 1)
        if value is None:
            self.error = missing
        return value


def _page_states() -> list[type[SessionState]]:
    """Every state class under SessionState (the page states)."""
    found, todo = [], list(SessionState.get_substates())
    while todo:
        state_cls = todo.pop()
        found.append(state_cls)
        todo.extend(state_cls.get_substates())
    return found


class SignInState(SessionState):
    email_error: str = ""
    form_error: str = ""

    @rx.event
    def check_already_signed_in(self):
        with self._db() as (_session, actor):
            if actor is not None:
                return rx.redirect(routes.ROLE_HOME[actor.role])

    @rx.event
    async def sign_in(self, form: dict):
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
        try:
            # argon2 in a worker thread: the event loop keeps serving every other tab.
            signed_in = await off_loop(_sign_in, email, password, self.session_token, self.router.session.client_ip)
        except ServiceError as exc:
            self.form_error = exc.message
            return
        await self._clear_tab()  # a new session starts from empty pages, whoever was here before
        self.session_token = signed_in.token
        self._viewer_id = signed_in.user.id
        self.viewer_name = signed_in.user.full_name
        self.viewer_role = signed_in.user.role
        return rx.redirect(routes.ROLE_HOME[signed_in.user.role])


class HomeState(SessionState):
    """`/`: send each role to its own home page."""

    @rx.event
    def route(self):
        with self._db() as (_session, actor):
            if actor is None:
                return rx.redirect(routes.SIGNIN)
            return rx.redirect(routes.ROLE_HOME[actor.role])


class ForgetPreviousUser(Middleware):
    """A reload (hydrate) sends the tab's whole state tree to the browser. If the
    browser's session cookie now belongs to someone else or to nobody (signed out,
    timed out, or another tab signed in anew), every page state is reset first."""

    async def preprocess(self, app, state, event):
        if event.name not in {f"{rx.State.get_full_name()}.{name}" for name in
                              (constants.CompileVars.HYDRATE_AND_LOAD, constants.CompileVars.HYDRATE)}:
            return None
        base = await state.get_state(SessionState)
        if not base._viewer_id:
            return None  # no user's pages to protect
        token = base.session_token
        browser_vars = event.payload.get("vars") if isinstance(event.payload, dict) else None
        if isinstance(browser_vars, dict):  # hydrate_and_load: the cookie as the browser has it now
            token = ""
            for name, value in browser_vars.items():
                state_name, _, var_name = str(name).rpartition(".")
                if (state_name == SessionState.get_full_name()
                        and var_name.removesuffix(FIELD_MARKER) == "session_token"):
                    token = value if isinstance(value, str) else ""
        if await off_loop(_user_id_behind, token) != base._viewer_id:
            await base._clear_tab()
        return None
