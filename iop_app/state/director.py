"""Director pages: program overview, accounts, the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import reflex as rx
from sqlmodel import func, select

from .. import routes
from ..models import Client, utcnow
from ..services import accounts, audit, break_glass, program
from ..services.errors import NotFound, PermissionDenied, ValidationError
from .args import as_date, as_int, as_text, form_dict
from .base import SessionState

# The settings the director edits on the overview page.
SETTING_KEYS = ("timezone", "weekly_hours_target", "break_glass_minutes")


class DirectorHomeState(SessionState):
    status_counts: dict[str, int] = {}
    therapist_count: int = 0
    break_glass_to_review: int = 0
    settings: dict[str, str] = {}
    setting_errors: dict[str, str] = {}
    settings_message: str = ""

    @rx.event
    def load(self):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            rows = session.exec(select(Client.status, func.count()).group_by(Client.status)).all()
            self.status_counts = {status: count for status, count in rows}
            self.therapist_count = len(accounts.therapists(session))
            self.break_glass_to_review = break_glass.unreviewed_count(session, actor)
            self.settings = {key: program.get_setting(session, key) for key in SETTING_KEYS}

    @rx.event
    def save_settings(self, form: dict):
        form = form_dict(form)
        self.setting_errors = {}
        self.settings_message = ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            for key in SETTING_KEYS:
                if key not in form:  # a form without this field leaves it as it is
                    continue
                value = as_text(form.get(key), 64)
                if value is None:
                    self.setting_errors[key] = "Enter a value (up to 64 characters)."
                    continue
                if value == program.get_setting(session, key):
                    continue
                try:
                    program.set_setting(session, actor, key, value)
                except ValidationError as exc:
                    self.setting_errors[key] = exc.message
            self.settings = {key: program.get_setting(session, key) for key in SETTING_KEYS}
            if not self.setting_errors:
                self.settings_message = "Settings saved."


class AccountsState(SessionState):
    accounts: list[dict[str, str]] = []
    therapist_options: list[list[str]] = []
    role_filter: str = ""
    errors: dict[str, str] = {}
    message: str = ""
    new_role: str = "client"

    def _reload(self, session, actor) -> None:
        rows = accounts.list_accounts(session, actor, self.role_filter)
        self.accounts = [
            {"id": str(r.id), "email": r.email, "name": r.full_name, "role": r.role,
             "active": "yes" if r.active else "no"}
            for r in rows
        ]
        self.therapist_options = [[str(i), name] for i, name in accounts.therapists(session)]

    @rx.event
    def load(self):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            self._reload(session, actor)

    @rx.event
    def set_role_filter(self, role: str):
        self.role_filter = role if role in ("", "client", "therapist", "director", "family") else ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            self._reload(session, actor)

    @rx.event
    def set_new_role(self, role: str):
        self.new_role = role if role in ("client", "therapist", "director") else "client"

    @rx.event
    def create_account(self, form: dict):
        form = form_dict(form)
        self.errors = {}
        self.message = ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            role = form.get("role")
            email = as_text(form.get("email"), 254)
            name = as_text(form.get("full_name"), 120)
            password = form.get("password") if isinstance(form.get("password"), str) else ""
            errors = {}
            if role not in ("client", "therapist", "director"):
                errors["role"] = "Choose a role."
            if email is None:
                errors["email"] = "Enter a valid email address."
            if name is None:
                errors["full_name"] = "Enter a name (up to 120 characters)."
            if errors:
                self.errors = errors
                return
            try:
                if role == "client":
                    admitted = as_date(form.get("admission_date"))
                    therapist_id = as_int(form.get("primary_therapist_id"), 1)
                    if admitted is None:
                        self.errors = {"admission_date": "Enter the admission date."}
                        return
                    accounts.create_client(session, actor, email=email, full_name=name, password=password,
                                           admission_date=admitted, primary_therapist_id=therapist_id)
                else:
                    accounts.create_staff(session, actor, email=email, full_name=name, role=role, password=password,
                                          credentials=as_text(form.get("credentials"), 60) or "")
            except ValidationError as exc:
                self.errors = exc.errors
                return
            except PermissionDenied as exc:
                self.message = exc.message
                return
            self.message = f"Account created for {email}."
            self._reload(session, actor)

    @rx.event
    def set_active(self, user_id: str, active: bool):
        uid = as_int(user_id, 1)
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            if uid is None or not isinstance(active, bool):
                self.message = "That account could not be changed."
                return
            try:
                user = accounts.set_active(session, actor, uid, active)
            except (ValidationError, PermissionDenied) as exc:
                self.message = exc.message
                return
            self.message = f"{user.email} {'enabled' if active else 'disabled; their sessions have ended'}."
            self._reload(session, actor)


class AuditState(SessionState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 0
    filters: dict[str, str] = {}
    filter_error: str = ""

    @rx.var
    def page_label(self) -> str:
        if self.total == 0:
            return "No events match."
        first = self.page * 50 + 1
        return f"Events {first}–{min(self.total, first + 49)} of {self.total}"

    @rx.var
    def has_next(self) -> bool:
        return (self.page + 1) * 50 < self.total

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
            offset=self.page * 50, limit=50,
        )
        self.rows = [
            {"at": program.to_local(r.at, tz).strftime("%Y-%m-%d %H:%M:%S"), "actor": r.actor, "action": r.action,
             "client": str(r.client_id or ""), "target": r.target, "outcome": r.outcome, "detail": r.detail}
            for r in rows
        ]

    @rx.event
    def load(self):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            self.page = 0
            self._reload(session, actor)

    @rx.event
    def apply_filters(self, form: dict):
        form = form_dict(form)
        cleaned: dict[str, str] = {}
        self.filter_error = ""
        for key, limit in (("action", 64), ("outcome", 16), ("actor", 254), ("client_id", 10), ("since", 10), ("until", 10)):
            value = as_text(form.get(key, ""), limit)
            if value is None:
                self.filter_error = f"The {key} filter is too long."
                return
            cleaned[key] = value
        if cleaned["client_id"] and as_int(cleaned["client_id"], 1) is None:
            self.filter_error = "Client id must be a number."
            return
        for key in ("since", "until"):
            if cleaned[key] and as_date(cleaned[key]) is None:
                self.filter_error = "Dates must look like 2026-11-22."
                return
        self.filters = cleaned
        self.page = 0
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            self._reload(session, actor)

    @rx.event
    def next_page(self):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            if self.has_next:
                self.page += 1
            self._reload(session, actor)

    @rx.event
    def previous_page(self):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            self.page = max(0, self.page - 1)
            self._reload(session, actor)


class BreakGlassReviewState(SessionState):
    """Every use of emergency (break-glass) access, for the director to review."""

    rows: list[dict[str, str]] = []
    total: int = 0
    show: str = "unreviewed"  # or "all"
    review_errors: dict[str, str] = {}  # grant id -> message under that row's note
    message: str = ""

    def _reload(self, session, actor) -> None:
        tz = program.program_tz(session)
        now = utcnow()
        rows, self.total = break_glass.list_grants(session, actor, unreviewed_only=self.show == "unreviewed")

        def local(moment) -> str:
            return program.to_local(moment, tz).strftime("%Y-%m-%d %H:%M") if moment else ""

        self.rows = [
            {"id": str(r.id), "therapist": r.therapist, "therapist_email": r.therapist_email,
             "client": r.client, "client_id": str(r.client_id), "client_href": routes.staff_client(r.client_id),
             "started": local(r.started_at), "until": program.to_local(r.expires_at, tz).strftime("%H:%M"),
             "status": "active" if r.active(now) else "ended", "reason": r.reason, "views": str(r.views),
             "changes": str(r.changes), "reviewed": "yes" if r.reviewed_at else "",
             "reviewed_by": r.reviewed_by, "reviewed_at": local(r.reviewed_at), "review_note": r.review_note}
            for r in rows
        ]

    @rx.event
    def load(self):
        self.review_errors = {}
        self.message = ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            self._reload(session, actor)

    @rx.event
    def set_show(self, value: str):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            self.show = value if value in ("unreviewed", "all") else "unreviewed"
            self._reload(session, actor)

    @rx.event
    def mark_reviewed(self, form: dict):
        form = form_dict(form)
        self.review_errors = {}
        self.message = ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "director"):
                return refusal
            grant_id = as_int(form.get("grant_id"), 1)
            note = as_text(form.get("note"), break_glass.NOTE_MAX)
            if grant_id is None:
                self.message = "That emergency access could not be found."
                return
            if note is None:
                self.review_errors = {str(grant_id): f"The note must be at most {break_glass.NOTE_MAX} characters."}
                return
            try:
                break_glass.review(session, actor, grant_id, note)
            except ValidationError as exc:
                self.review_errors = {str(grant_id): exc.message}
                return
            except (NotFound, PermissionDenied) as exc:
                self.message = exc.message
                return
            self.message = "Marked reviewed."
            self._reload(session, actor)
