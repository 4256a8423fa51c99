"""Director pages: program overview, accounts, the audit log, the review of
emergency (break-glass) access."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta

import reflex as rx
from sqlmodel import func, select

from .. import routes
from ..db import open_session
from ..models import Client, User, utcnow
from ..models.enums import Role
from ..services import accounts, audit, auth, break_glass, program
from ..services.errors import ServiceError, ValidationError
from .args import as_date, as_int, as_text, form_dict
from .base import PageState, SessionState, off_loop

# The settings the director edits on the overview page.
SETTING_KEYS = ("timezone", "weekly_hours_target", "break_glass_minutes",
                # the clinical record (issue #11)
                "plan_review_days", "first_plan_days", "note_format_default", "notes_overdue_hours",
                "client_sees_notes",
                # discharge (issue #13)
                "discharge_summary_days", "alumni_portal")
# Roles the director creates accounts for (family members activate their own).
NEW_ACCOUNT_ROLES = (Role.CLIENT, Role.THERAPIST, Role.DIRECTOR)
AUDIT_PAGE = 50


@dataclasses.dataclass
class AccountLine:
    id: str = ""
    email: str = ""
    name: str = ""
    role: str = ""
    active: bool = False


@dataclasses.dataclass
class AuditLine:
    at: str = ""
    actor: str = ""
    action: str = ""
    client: str = ""
    target: str = ""
    outcome: str = ""
    detail: str = ""


@dataclasses.dataclass
class BreakGlassLine:
    id: str = ""
    therapist: str = ""
    therapist_email: str = ""
    client: str = ""
    client_id: str = ""
    client_href: str = ""
    started: str = ""
    until: str = ""
    status: str = ""  # "active" / "ended"
    reason: str = ""
    views: str = ""
    changes: str = ""
    reviewed: bool = False
    reviewed_by: str = ""
    reviewed_at: str = ""
    review_note: str = ""


class DirectorHomeState(PageState, SessionState):
    _roles = (Role.DIRECTOR,)
    _feedback = ("settings_message",)
    status_counts: dict[str, int] = {}
    therapist_count: int = 0
    break_glass_to_review: int = 0
    settings: dict[str, str] = {}
    setting_errors: dict[str, str] = {}
    settings_message: str = ""

    def _reload(self, session, actor) -> None:
        rows = session.exec(select(Client.status, func.count()).group_by(Client.status)).all()
        self.status_counts = {status: count for status, count in rows}
        self.therapist_count = len(accounts.therapists(session))
        self.break_glass_to_review = break_glass.unreviewed_count(session, actor)
        self.settings = {key: program.get_setting(session, key) for key in SETTING_KEYS}

    @rx.event
    def load(self):
        return self._run()

    @rx.event
    def save_settings(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            errors = {}
            for key in SETTING_KEYS:
                if key not in form:  # a form without this field leaves it as it is
                    continue
                value = as_text(form.get(key), 64)
                if value is None:
                    errors[key] = "Enter a value (up to 64 characters)."
                    continue
                if value == program.get_setting(session, key):
                    continue
                try:  # each setting on its own: the good ones are saved
                    program.set_setting(session, actor, key, value)
                except ValidationError as exc:
                    errors[key] = exc.message
            self.setting_errors = errors
            if not errors:
                self.settings_message = "Settings saved."
        return self._run(action, errors_var="setting_errors")


def _create_account(token: str, role: str, fields: dict) -> str:
    """In a worker thread (argon2 hashes the password): the director behind `token`
    creates the account; returns its email."""
    with open_session() as session:
        actor = auth.resolve_session(session, token)
        if role == Role.CLIENT:
            return session.get(User, accounts.create_client(session, actor, **fields).user_id).email
        return accounts.create_staff(session, actor, role=role, **fields).email


class AccountsState(PageState, SessionState):
    _roles = (Role.DIRECTOR,)
    accounts: list[AccountLine] = []
    therapist_options: list[list[str]] = []
    role_filter: str = ""
    new_role: str = Role.CLIENT.value

    def _reload(self, session, actor) -> None:
        self.accounts = [AccountLine(str(r.id), r.email, r.full_name, r.role, r.active)
                         for r in accounts.list_accounts(session, actor, self.role_filter)]
        self.therapist_options = [[str(i), name] for i, name in accounts.therapists(session)]

    @rx.event
    def load(self):
        return self._run()

    @rx.event
    def set_role_filter(self, role: str):
        self.role_filter = role if role in Role.values() else ""
        return self._run()

    @rx.event
    def set_new_role(self, role: str):
        self.new_role = role if role in NEW_ACCOUNT_ROLES else Role.CLIENT.value

    @rx.event
    async def create_account(self, form: dict):
        form = form_dict(form)
        if refusal := self._run(reload=False):  # the director, still signed in (a refusal is audited)
            return refusal
        role = form.get("role")
        password = form.get("password")
        fields = dict(email=form.get("email"), full_name=form.get("full_name"),
                      password=password if isinstance(password, str) else "")
        if role not in NEW_ACCOUNT_ROLES:
            self.errors = {"role": "Choose a role."}
            return None
        if role == Role.CLIENT:
            admitted = as_date(form.get("admission_date"))
            if admitted is None:
                self.errors = {"admission_date": "Enter the admission date."}
                return None
            fields |= dict(admission_date=admitted, primary_therapist_id=as_int(form.get("primary_therapist_id"), 1))
        else:
            fields["credentials"] = as_text(form.get("credentials"), 60) or ""
        try:
            created = await off_loop(_create_account, self.session_token, role, fields)
        except ServiceError as exc:
            failure = exc
        else:
            failure = None

        def report(session, actor):
            if failure is not None:
                raise failure
            self.message = f"Account created for {created}."
        return self._run(report)

    @rx.event
    def set_active(self, user_id: str, active: bool):
        uid = as_int(user_id, 1)

        def action(session, actor):
            if uid is None or not isinstance(active, bool):
                raise ServiceError("That account could not be changed.")
            user = accounts.set_active(session, actor, uid, active)
            self.message = f"{user.email} {'enabled' if active else 'disabled; their sessions have ended'}."
        return self._run(action, errors_var=None)


class AuditState(PageState, SessionState):
    _roles = (Role.DIRECTOR,)
    _feedback = ("filter_error",)
    rows: list[AuditLine] = []
    total: int = 0
    page: int = 0
    filters: dict[str, str] = {}
    filter_error: str = ""

    @rx.var
    def page_label(self) -> str:
        if self.total == 0:
            return "No events match."
        first = self.page * AUDIT_PAGE + 1
        return f"Events {first}–{min(self.total, first + AUDIT_PAGE - 1)} of {self.total}"

    @rx.var
    def has_next(self) -> bool:
        return (self.page + 1) * AUDIT_PAGE < self.total

    def _reload(self, session, actor):
        f = self.filters
        tz = program.program_tz(session)
        since = as_date(f.get("since", "")) if f.get("since") else None
        until = as_date(f.get("until", "")) if f.get("until") else None
        rows, self.total = audit.list_events(
            session, actor,
            action=f.get("action", ""), outcome=f.get("outcome", ""), actor_text=f.get("actor", ""),
            client_id=as_int(f.get("client_id"), 1) if f.get("client_id") else None,
            since=program.to_utc(datetime.combine(since, time.min), tz) if since else None,
            until=program.to_utc(datetime.combine(until + timedelta(days=1), time.min), tz) if until else None,
            offset=self.page * AUDIT_PAGE, limit=AUDIT_PAGE,
        )
        self.rows = [
            AuditLine(program.to_local(r.at, tz).strftime("%Y-%m-%d %H:%M:%S"), r.actor, r.action,
                      str(r.client_id or ""), r.target, r.outcome, r.detail)
            for r in rows
        ]

    @rx.event
    def load(self):
        self.page = 0
        return self._run()

    @rx.event
    def apply_filters(self, form: dict):
        form = form_dict(form)
        cleaned: dict[str, str] = {}

        def action(session, actor):
            for key, limit in (("action", 64), ("outcome", 16), ("actor", 254), ("client_id", 10), ("since", 10),
                               ("until", 10)):
                value = as_text(form.get(key, ""), limit)
                if value is None:
                    self.filter_error = f"The {key} filter is too long."
                    return
                cleaned[key] = value
            if cleaned["client_id"] and as_int(cleaned["client_id"], 1) is None:
                self.filter_error = "Client id must be a number."
                return
            if any(cleaned[key] and as_date(cleaned[key]) is None for key in ("since", "until")):
                self.filter_error = "Dates must look like 2026-11-22."
                return
            self.filters = cleaned
            self.page = 0
        return self._run(action)

    @rx.event
    def next_page(self):
        def action(session, actor):
            if self.has_next:
                self.page += 1
        return self._run(action)

    @rx.event
    def previous_page(self):
        def action(session, actor):
            self.page = max(0, self.page - 1)
        return self._run(action)


class BreakGlassReviewState(PageState, SessionState):
    """Every use of emergency (break-glass) access, for the director to review."""

    _roles = (Role.DIRECTOR,)
    rows: list[BreakGlassLine] = []
    total: int = 0
    show: str = "unreviewed"  # or "all"
    review_errors: dict[str, str] = {}  # grant id -> message under that row's note

    def _reload(self, session, actor) -> None:
        tz = program.program_tz(session)
        now = utcnow()
        rows, self.total = break_glass.list_grants(session, actor, unreviewed_only=self.show == "unreviewed")

        def local(moment) -> str:
            return program.to_local(moment, tz).strftime("%Y-%m-%d %H:%M") if moment else ""

        self.rows = [
            BreakGlassLine(
                id=str(r.id), therapist=r.therapist, therapist_email=r.therapist_email, client=r.client,
                client_id=str(r.client_id), client_href=routes.staff_client(r.client_id),
                started=local(r.started_at), until=program.to_local(r.expires_at, tz).strftime("%H:%M"),
                status="active" if r.active(now) else "ended", reason=r.reason, views=str(r.views),
                changes=str(r.changes), reviewed=r.reviewed_at is not None, reviewed_by=r.reviewed_by,
                reviewed_at=local(r.reviewed_at), review_note=r.review_note,
            )
            for r in rows
        ]

    @rx.event
    def load(self):
        self.review_errors = {}
        return self._run()

    @rx.event
    def set_show(self, value: str):
        def action(session, actor):
            self.show = value if value in ("unreviewed", "all") else "unreviewed"
        return self._run(action)

    @rx.event
    def mark_reviewed(self, form: dict):
        form = form_dict(form)
        self.review_errors = {}
        grant_id = as_int(form.get("grant_id"), 1)

        def action(session, actor):
            if grant_id is None:
                raise ServiceError("That emergency access could not be found.")
            try:
                break_glass.review(session, actor, grant_id, form.get("note"))
            except ValidationError as exc:  # said under that row's note
                self.review_errors = {str(grant_id): exc.message}
                return
            self.message = "Marked reviewed."
        return self._run(action)
