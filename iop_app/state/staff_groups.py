"""Groups, one group (members, sessions, charts) and roll call.

Ids from the URL or from buttons are parsed with as_int; the services decide
who may see or change what (facilitator / director / caseload)."""

from __future__ import annotations

from datetime import time, timedelta

import pandas as pd
import reflex as rx

from ..components import charts
from ..models import GROUP_TYPES
from ..services import groups, program, reports
from ..services.errors import NotFound, PermissionDenied, StaleEdit, ValidationError
from .args import as_date, as_int, as_text, form_dict
from .base import SessionState

STAFF = ("therapist", "director")


def _d(day) -> str:
    return day.strftime("%a %b %d, %Y").replace(" 0", " ") if day else "—"


def _as_time(value) -> time | None:
    if not isinstance(value, str) or len(value) > 8:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


class GroupsState(SessionState):
    groups: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    message: str = ""
    facilitator_options: list[list[str]] = []
    is_director: bool = False

    @rx.var
    def type_options(self) -> list[list[str]]:
        return [[t, groups.GROUP_TYPE_LABELS[t]] for t in GROUP_TYPES]

    def _reload(self, session, actor) -> None:
        self.groups = [
            {"id": str(g.id), "href": f"/staff/groups/{g.id}", "name": g.name,
             "type": groups.GROUP_TYPE_LABELS.get(g.group_type, g.group_type), "facilitator": g.facilitator,
             "schedule": g.schedule, "members": f"{g.members} / {g.capacity}", "location": g.location,
             "mine": "yes" if g.manageable else ""}
            for g in groups.list_groups(session, actor)
        ]
        from ..services import accounts

        self.facilitator_options = [[str(i), n] for i, n in accounts.therapists(session)]

    @rx.event
    def load(self):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *STAFF):
                return refusal
            self.is_director = actor.role == "director"
            self._reload(session, actor)

    @rx.event
    def create_group(self, form: dict):
        form = form_dict(form)
        self.errors, self.message = {}, ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *STAFF):
                return refusal
            weekdays = [d for d in range(1, 8) if form.get(f"day{d}") in ("on", True, "true")]
            values = {
                "name": as_text(form.get("name"), 80), "group_type": form.get("group_type"),
                "weekdays": weekdays, "start_time": _as_time(form.get("start_time")),
                "duration_minutes": as_int(form.get("duration_minutes"), 1, 1000),
                "capacity": as_int(form.get("capacity"), 0, 1000), "start_date": as_date(form.get("start_date")),
                "end_date": as_date(form.get("end_date")) if form.get("end_date") else None,
                "location": as_text(form.get("location", ""), 80),
                "description": as_text(form.get("description", ""), 1000),
                "facilitator_id": as_int(form.get("facilitator_id"), 1) if actor.role == "director" else actor.id,
            }
            if form.get("end_date") and values["end_date"] is None:
                self.errors = {"end_date": "Enter a valid end date."}
                return
            try:
                group = groups.create_group(session, actor, **values)
            except (ValidationError, PermissionDenied) as exc:
                self.errors = getattr(exc, "errors", {"name": exc.message})
                return
            self.message = f"Group “{group.name}” created."
            self._reload(session, actor)


class GroupState(SessionState):
    found: bool = False
    error: str = ""
    message: str = ""
    errors: dict[str, str] = {}
    group: dict[str, str] = {}
    manageable: bool = False
    members: list[dict[str, str]] = []
    past_members: list[dict[str, str]] = []
    enrollable: list[list[str]] = []
    sessions: list[dict[str, str]] = []
    today_iso: str = ""
    _group_id: int = 0
    _rates: list[dict] = []
    _census: list[dict] = []

    @rx.var(cache=True)
    def rate_figure(self) -> charts.go.Figure:
        frame = pd.DataFrame(self._rates)
        if not frame.empty:
            frame["day"] = pd.to_datetime(frame["day"])
        return charts.rate_figure(frame, "day", "Attendance rate by session")

    @rx.var(cache=True)
    def census_figure(self) -> charts.go.Figure:
        frame = pd.DataFrame(self._census)
        if not frame.empty:
            frame["week_start"] = pd.to_datetime(frame["week_start"])
        return charts.bar_figure(frame, "week_start", "members", "Members enrolled (each Monday)")

    def _reload(self, session, actor) -> None:
        today = program.local_today(session)
        self.today_iso = today.isoformat()
        group = groups.get_group(session, actor, self._group_id)
        self.manageable = groups.may_manage(actor, group)
        self.group = {"name": group.name, "type": groups.GROUP_TYPE_LABELS.get(group.group_type, group.group_type),
                      "schedule": groups.describe_schedule(group), "capacity": str(group.capacity),
                      "location": group.location, "description": group.description,
                      "runs": _d(group.start_date)
                      + (f" – {_d(group.end_date)}" if group.end_date else " (open-ended)")}
        rows = groups.members(session, actor, group.id, today)
        self.members = [{"id": str(r.client_id), "name": r.name, "joined": _d(r.joined_on),
                         "href": f"/staff/clients/{r.client_id}"} for r in rows if r.current]
        self.past_members = [{"name": r.name, "joined": _d(r.joined_on), "left": _d(r.left_on)}
                             for r in rows if not r.current]
        self.enrollable = ([[str(i), n] for i, n in groups.enrollable_clients(session, actor, group.id, today)]
                           if self.manageable else [])
        sessions = groups.list_sessions(session, actor, group.id, today - timedelta(weeks=4),
                                        today + timedelta(weeks=2))
        self.sessions = [
            {"id": str(s.id), "href": f"/staff/sessions/{s.id}", "day": _d(s.day), "start": s.start,
             "topic": s.topic or "—", "state": "Cancelled" + (f": {s.cancel_reason}" if s.cancel_reason else "")
             if s.cancelled else ("Extra session" if s.extra else ""),
             "attendance": f"{s.attended} of {s.recorded}" if s.recorded else ("—" if s.day <= today else "upcoming")}
            for s in reversed(sessions)
        ]
        if self.manageable:
            rates = reports.group_attendance_frame(session, actor, group.id, today - timedelta(weeks=12), today)
            rates["day"] = rates["day"].dt.strftime("%Y-%m-%d")
            self._rates = rates.astype(object).where(rates.notna(), None).to_dict("records")
        else:
            self._rates = []
        census = reports.group_census_frame(session, actor, group.id, today - timedelta(weeks=12), today)
        census["week_start"] = census["week_start"].dt.strftime("%Y-%m-%d")
        self._census = census.to_dict("records")

    def _guard(self, session, actor):
        if refusal := self._require_role(session, actor, *STAFF):
            return refusal
        return None

    def _run(self, session, actor, action, success: str):
        try:
            action()
            self._reload(session, actor)
        except ValidationError as exc:
            self.errors = exc.errors
            return
        except (PermissionDenied, NotFound) as exc:
            self.error = exc.message
            return
        self.message = success

    @rx.event
    def load(self):
        self.found, self.error, self.message, self.errors = False, "", "", {}
        self.group, self.members, self.past_members, self.sessions, self._rates, self._census = {}, [], [], [], [], []
        with self._db() as (session, actor):
            if refusal := self._guard(session, actor):
                return refusal
            group_id = as_int(self.router.page.params.get("group_id"), 1)
            if group_id is None:
                self.error = "No such group."
                return
            self._group_id = group_id
            try:
                self._reload(session, actor)
            except (PermissionDenied, NotFound) as exc:
                self._group_id = 0
                self.error = exc.message
                return
            self.found = True

    @rx.event
    def join(self, form: dict):
        form = form_dict(form)
        self.errors, self.message, self.error = {}, "", ""
        client_id = as_int(form.get("client_id"), 1)
        on = as_date(form.get("joined_on"))
        with self._db() as (session, actor):
            if refusal := self._guard(session, actor):
                return refusal
            if client_id is None:
                self.errors = {"client_id": "Choose a client."}
                return
            if on is None:
                self.errors = {"joined_on": "Enter the date the client joins."}
                return
            self._run(session, actor, lambda: groups.join_group(session, actor, self._group_id, client_id, on),
                      "Client enrolled.")

    @rx.event
    def leave(self, client_id: str):
        cid = as_int(client_id, 1)
        self.errors, self.message, self.error = {}, "", ""
        with self._db() as (session, actor):
            if refusal := self._guard(session, actor):
                return refusal
            if cid is None:
                self.error = "That member could not be found."
                return
            today = program.local_today(session)
            self._run(session, actor, lambda: groups.leave_group(session, actor, self._group_id, cid, today),
                      "Membership ended today (kept in the history).")

    @rx.event
    def generate(self, form: dict):
        form = form_dict(form)
        self.errors, self.message, self.error = {}, "", ""
        start, end = as_date(form.get("start")), as_date(form.get("end"))
        with self._db() as (session, actor):
            if refusal := self._guard(session, actor):
                return refusal
            if start is None or end is None:
                self.errors = {"end": "Enter both dates."}
                return
            created = []
            self._run(session, actor,
                      lambda: created.append(groups.generate_sessions(session, actor, self._group_id, start, end)),
                      "Sessions generated.")
            if created:
                self.message = f"{created[0]} session(s) added from the weekly schedule."

    @rx.event
    def add_extra(self, form: dict):
        form = form_dict(form)
        self.errors, self.message, self.error = {}, "", ""
        day, start = as_date(form.get("day")), _as_time(form.get("start"))
        minutes = as_int(form.get("duration_minutes"), 1, 1000)
        topic = as_text(form.get("topic", ""), 120)
        with self._db() as (session, actor):
            if refusal := self._guard(session, actor):
                return refusal
            errors = {}
            if day is None:
                errors["day"] = "Enter the date."
            if start is None:
                errors["start"] = "Enter the start time."
            if minutes is None:
                errors["duration_minutes"] = "Enter the length in minutes."
            if topic is None:
                errors["topic"] = "Topic: up to 120 characters."
            if errors:
                self.errors = errors
                return
            self._run(session, actor,
                      lambda: groups.add_extra_session(session, actor, self._group_id, day, start, minutes, topic),
                      "Extra session added.")

    @rx.event
    def export_csv(self):
        with self._db() as (session, actor):
            if refusal := self._guard(session, actor):
                return refusal
            try:
                text = groups.attendance_csv(session, actor, self._group_id)
            except (PermissionDenied, NotFound) as exc:
                self.error = exc.message
                return
            return rx.download(data=text, filename=f"attendance-group-{self._group_id}.csv", mime_type="text/csv")


class RollCallState(SessionState):
    found: bool = False
    error: str = ""
    message: str = ""
    errors: dict[str, str] = {}
    info: dict[str, str] = {}
    entries: list[dict[str, str]] = []
    needs_reason: bool = False
    reason: str = ""
    cancelled: bool = False
    # Topic and notes: a save on an older copy than the latest is refused (StaleEdit).
    notes_stale: str = ""  # who saved first and when; the page offers Reload
    notes_draft: str = ""  # the refused text, shown after Reload until saved or discarded
    notes_form_key: int = 0  # bumped when the form must show the server's text again
    earlier: list[dict[str, str]] = []  # earlier topics and notes, newest first
    _session_id: int = 0
    # The version of the topic and notes the form shows: only this server-side value is
    # sent as expected_version, and it changes only when the form is refilled.
    _notes_version: int = 0

    @rx.var
    def status_options(self) -> list[list[str]]:
        return [["", "Not marked"], *[[k, v] for k, v in groups.STATUS_LABELS.items()]]

    @rx.var
    def marked_count(self) -> str:
        done = sum(1 for e in self.entries if e.get("status"))
        return f"{done} of {len(self.entries)} marked"

    def _reload(self, session, actor, refill_notes: bool = False) -> None:
        """Refresh the page. `refill_notes`: also put the latest topic and notes into the
        form (and take their version); otherwise what the user is typing there stays."""
        call = groups.roll_call(session, actor, self._session_id)
        if refill_notes:
            self._notes_version = call.version
            self.notes_form_key += 1
        self.earlier = [
            {"field": e.field.capitalize(), "text": e.text,
             "replaced": f"replaced {e.replaced_local} by {e.replaced_by}"}
            for e in groups.earlier_versions(session, actor, self._session_id)
        ]
        s = call.session
        self.info = {"group": call.group_name, "group_href": f"/staff/groups/{s.group_id}", "day": _d(s.day),
                     "start": s.start, "length": f"{s.duration_minutes} min", "topic": s.topic, "notes": s.notes,
                     "cancel_reason": s.cancel_reason}
        self.cancelled = s.cancelled
        self.needs_reason = call.needs_reason
        self.entries = [
            {"id": str(e.client_id), "name": e.name, "status": e.status,
             "minutes": str(e.minutes) if e.status else "", "reason": e.edit_reason,
             "href": f"/staff/clients/{e.client_id}"}
            for e in call.entries
        ]

    def _save(self, session, actor, marks: dict) -> None:
        self.errors, self.error, self.message = {}, "", ""
        try:
            changed = groups.record_attendance(session, actor, self._session_id, marks, self.reason)
            self._reload(session, actor)
        except ValidationError as exc:
            self.errors = exc.errors
            self.error = exc.message
            return
        except (PermissionDenied, NotFound) as exc:
            self.error = exc.message
            return
        self.message = "Saved." if changed else "No change."

    @rx.event
    def load(self):
        self.found, self.error, self.message, self.errors, self.reason = False, "", "", {}, ""
        self.entries, self.info, self.earlier, self.notes_stale, self.notes_draft = [], {}, [], "", ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *STAFF):
                return refusal
            session_id = as_int(self.router.page.params.get("session_id"), 1)
            if session_id is None:
                self.error = "No such session."
                return
            self._session_id = session_id
            try:
                self._reload(session, actor, refill_notes=True)
            except (PermissionDenied, NotFound) as exc:
                self._session_id = 0
                self.error = exc.message
                return
            self.found = True

    @rx.event
    def set_reason(self, value: str):
        text = as_text(value, 300)
        if text is None:
            self.errors = {"reason": "The reason must be at most 300 characters."}
            return
        self.reason = text

    @rx.event
    def set_status(self, client_id: str, status: str):
        cid = as_int(client_id, 1)
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *STAFF):
                return refusal
            if cid is None or status not in groups.STATUS_LABELS:
                self.error = "Choose a status from the list."
                return
            self._save(session, actor, {cid: (status, None)})

    @rx.event
    def set_minutes(self, client_id: str, minutes: str):
        cid = as_int(client_id, 1)
        value = as_int(minutes, 0, 1000)
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *STAFF):
                return refusal
            current = next((e for e in self.entries if e["id"] == str(cid)), None) if cid else None
            if current is None or not current["status"]:
                self.error = "Mark the member's status first."
                return
            if value is None:
                self.errors = {f"minutes-{cid}": "Enter whole minutes."}
                return
            self._save(session, actor, {cid: (current["status"], value)})

    @rx.event
    def all_present(self):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *STAFF):
                return refusal
            self.errors, self.error, self.message = {}, "", ""
            try:
                changed = groups.mark_all_present(session, actor, self._session_id, self.reason)
                self._reload(session, actor)
            except ValidationError as exc:
                self.errors, self.error = exc.errors, exc.message
                return
            except (PermissionDenied, NotFound) as exc:
                self.error = exc.message
                return
            self.message = f"{changed} marked present." if changed else "Everyone is already marked."

    @rx.event
    def save_topic(self, form: dict):
        form = form_dict(form)
        topic, notes = as_text(form.get("topic", ""), 120), as_text(form.get("notes", ""), 4000)
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *STAFF):
                return refusal
            self.errors, self.error, self.message = {}, "", ""
            if topic is None or notes is None:
                self.errors = {"topic" if topic is None else "notes": "That text is too long."}
                return
            try:
                groups.set_topic_notes(session, actor, self._session_id, topic, notes,
                                       expected_version=self._notes_version)
                self._reload(session, actor, refill_notes=True)
            except StaleEdit as exc:
                # Nothing saved; the form still holds the text, and Reload keeps a copy of it.
                self.notes_stale = exc.message
                self.notes_draft = f"Topic: {topic}\nNotes:\n{notes}"
                return
            except ValidationError as exc:
                self.errors = exc.errors
                return
            except (PermissionDenied, NotFound) as exc:
                self.error = exc.message
                return
            self.notes_stale = self.notes_draft = ""
            self.message = "Topic and notes saved."

    @rx.event
    def reload_notes(self):
        """After a refused save: show the latest topic and notes; the refused text stays below."""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *STAFF):
                return refusal
            self.errors, self.error, self.message = {}, "", ""
            try:
                self._reload(session, actor, refill_notes=True)
            except (PermissionDenied, NotFound) as exc:
                self.error = exc.message
                return
            self.notes_stale = ""
            self.message = "Reloaded: the form shows the latest topic and notes; your unsaved text is below it."

    @rx.event
    def discard_draft(self):
        self.notes_draft = ""

    @rx.event
    def cancel(self, form: dict):
        form = form_dict(form)
        reason = as_text(form.get("cancel_reason", ""), 200)
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, *STAFF):
                return refusal
            self.errors, self.error, self.message = {}, "", ""
            try:
                groups.cancel_session(session, actor, self._session_id, reason if reason is not None else 1)
                self._reload(session, actor)
            except ValidationError as exc:
                self.errors = exc.errors
                return
            except (PermissionDenied, NotFound) as exc:
                self.error = exc.message
                return
            self.message = "Session cancelled."
