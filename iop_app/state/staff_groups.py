"""Groups, one group (members, sessions, charts) and roll call.

Ids from the URL or from buttons are parsed with as_int; the services decide
who may see or change what (facilitator / director / caseload) and check every
input (services/groups.py, services/roll_call.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd
import reflex as rx

from .. import routes
from ..components import charts
from ..models.enums import GroupType
from ..services import accounts, groups, program, reports, roll_call
from ..services.errors import ServiceError, StaleEdit, ValidationError
from .args import as_date, as_int, as_text, as_time, form_dict
from .base import PageState, SessionState
from .formatting import fmt_day
from .group_notes import GroupNoteState
from .staff import STAFF_PAGE


def _checked(form: dict, name: str) -> bool:
    return form.get(name) in ("on", True, "true")


@dataclass
class GroupLine:
    """A group in the list (no client's information). `mine`: "yes" when the viewer manages it."""

    id: str
    href: str
    name: str
    type: str
    facilitator: str
    schedule: str
    members: str
    location: str
    mine: str


@dataclass
class MemberLine:
    id: str
    name: str
    joined: str
    href: str


@dataclass
class PastMemberLine:
    name: str
    joined: str
    left: str


@dataclass
class SessionLine:
    id: str
    href: str
    day: str
    start: str
    topic: str
    state: str  # "Cancelled: why", "Extra session" or ""
    attendance: str


@dataclass
class RollCallLine:
    id: str
    name: str
    status: str  # "" when not marked yet
    minutes: str
    reason: str
    href: str


@dataclass
class EarlierText:
    field: str
    text: str
    replaced: str


class GroupsState(PageState, SessionState):
    _roles = STAFF_PAGE
    groups: list[GroupLine] = []
    facilitator_options: list[list[str]] = []
    is_director: bool = False

    @rx.var
    def type_options(self) -> list[list[str]]:
        return GroupType.choices()

    def _reload(self, session, actor) -> None:
        self.groups = [
            GroupLine(id=str(g.id), href=routes.staff_group(g.id), name=g.name,
                      type=GroupType.label_of(g.group_type), facilitator=g.facilitator, schedule=g.schedule,
                      members=f"{g.members} / {g.capacity}", location=g.location, mine="yes" if g.manageable else "")
            for g in groups.list_groups(session, actor)
        ]
        self.facilitator_options = [[str(i), n] for i, n in accounts.therapists(session)]

    @rx.event
    def load(self):
        def action(session, actor):
            self.is_director = actor.is_director
        return self._run(action)

    @rx.event
    def create_group(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            if form.get("end_date") and as_date(form.get("end_date")) is None:
                raise ValidationError({"end_date": "Enter a valid end date."})
            group = groups.create_group(
                session, actor, name=form.get("name"), group_type=form.get("group_type"),
                weekdays=[d for d in range(1, 8) if _checked(form, f"day{d}")],
                start_time=as_time(form.get("start_time")),
                duration_minutes=as_int(form.get("duration_minutes"), 1, 1000),
                capacity=as_int(form.get("capacity"), 0, 1000), start_date=as_date(form.get("start_date")),
                end_date=as_date(form.get("end_date")) if form.get("end_date") else None,
                location=form.get("location", ""), description=form.get("description", ""),
                facilitator_id=as_int(form.get("facilitator_id"), 1) if actor.is_director else actor.id)
            self.message = f"Group “{group.name}” created."
        return self._run(action)


class GroupState(PageState, SessionState):
    _roles = STAFF_PAGE
    found: bool = False
    group: dict[str, str] = {}
    manageable: bool = False
    members: list[MemberLine] = []
    past_members: list[PastMemberLine] = []
    enrollable: list[list[str]] = []
    sessions: list[SessionLine] = []
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
        self.group = {"name": group.name, "type": GroupType.label_of(group.group_type),
                      "schedule": groups.describe_schedule(group), "capacity": str(group.capacity),
                      "location": group.location, "description": group.description,
                      "runs": fmt_day(group.start_date)
                      + (f" – {fmt_day(group.end_date)}" if group.end_date else " (open-ended)")}
        rows = groups.members(session, actor, group.id, today)
        self.members = [MemberLine(id=str(r.client_id), name=r.name, joined=fmt_day(r.joined_on),
                                   href=routes.staff_client(r.client_id)) for r in rows if r.current]
        self.past_members = [PastMemberLine(name=r.name, joined=fmt_day(r.joined_on), left=fmt_day(r.left_on))
                             for r in rows if not r.current]
        self.enrollable = ([[str(i), n] for i, n in groups.enrollable_clients(session, actor, group.id, today)]
                           if self.manageable else [])
        sessions = groups.list_sessions(session, actor, group.id, today - timedelta(weeks=4),
                                        today + timedelta(weeks=2))
        self.sessions = [
            SessionLine(id=str(s.id), href=routes.staff_session(s.id), day=fmt_day(s.day), start=s.start,
                        topic=s.topic or "—",
                        state=("Cancelled" + (f": {s.cancel_reason}" if s.cancel_reason else "")
                               if s.cancelled else ("Extra session" if s.extra else "")),
                        attendance=(f"{s.attended} of {s.recorded}" if s.recorded
                                    else ("—" if s.day <= today else "upcoming")))
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

    @rx.event
    def load(self):
        self.found = False
        self.group, self.members, self.past_members, self.sessions, self._rates, self._census = {}, [], [], [], [], []

        def action(session, actor):
            self.found = self._open_record("group_id", "_group_id", lambda: self._reload(session, actor),
                                           "No such group.")
        return self._run(action, reload=False)

    @rx.event
    def join(self, form: dict):
        form = form_dict(form)
        client_id = as_int(form.get("client_id"), 1)
        on = as_date(form.get("joined_on"))

        def action(session, actor):
            if client_id is None:
                raise ValidationError({"client_id": "Choose a client."})
            groups.join_group(session, actor, self._group_id, client_id, on)
            self.message = "Client enrolled."
        return self._run(action)

    @rx.event
    def leave(self, client_id: str):
        cid = as_int(client_id, 1)

        def action(session, actor):
            if cid is None:
                self.error = "That member could not be found."
                return
            groups.leave_group(session, actor, self._group_id, cid, program.local_today(session))
            self.message = "Membership ended today (kept in the history)."
        return self._run(action)

    @rx.event
    def generate(self, form: dict):
        form = form_dict(form)
        start, end = as_date(form.get("start")), as_date(form.get("end"))

        def action(session, actor):
            created = groups.generate_sessions(session, actor, self._group_id, start, end)
            self.message = f"{created} session(s) added from the weekly schedule."
        return self._run(action)

    @rx.event
    def add_extra(self, form: dict):
        form = form_dict(form)
        day, start = as_date(form.get("day")), as_time(form.get("start"))
        minutes = as_int(form.get("duration_minutes"), 0, 100_000)

        def action(session, actor):
            groups.add_extra_session(session, actor, self._group_id, day, start, minutes, form.get("topic", ""))
            self.message = "Extra session added."
        return self._run(action)

    @rx.event
    def export_csv(self):
        def action(session, actor):
            text = roll_call.attendance_csv(session, actor, self._group_id)
            return rx.download(data=text, filename=f"attendance-group-{self._group_id}.csv", mime_type="text/csv")
        return self._run(action, reload=False)


class RollCallState(PageState, SessionState):
    _roles = STAFF_PAGE
    found: bool = False
    info: dict[str, str] = {}
    entries: list[RollCallLine] = []
    needs_reason: bool = False
    reason: str = ""
    cancelled: bool = False
    # Topic and notes: a save on an older copy than the latest is refused (StaleEdit).
    notes_stale: str = ""  # who saved first and when; the page offers Reload
    notes_draft: str = ""  # the refused text, shown after Reload until saved or discarded
    notes_form_key: int = 0  # bumped when the form must show the server's text again
    earlier: list[EarlierText] = []  # earlier topics and notes, newest first
    _session_id: int = 0
    # The version of the topic and notes the form shows: only this server-side value is
    # sent as expected_version, and it changes only when the form is refilled.
    _notes_version: int = 0

    @rx.var
    def status_options(self) -> list[list[str]]:
        return [["", "Not marked"], *[[k, v] for k, v in groups.STATUS_LABELS.items()]]

    @rx.var
    def marked_count(self) -> str:
        done = sum(1 for e in self.entries if e.status)
        return f"{done} of {len(self.entries)} marked"

    def _reload(self, session, actor, refill_notes: bool = False) -> None:
        """Refresh the page. `refill_notes`: also put the latest topic and notes into the
        form (and take their version); otherwise what the user is typing there stays."""
        call = roll_call.roll_call(session, actor, self._session_id)
        if refill_notes:
            self._notes_version = call.version
            self.notes_form_key += 1
        self.earlier = [
            EarlierText(field=e.field.capitalize(), text=e.text,
                        replaced=f"replaced {e.replaced_local} by {e.replaced_by}")
            for e in groups.earlier_versions(session, actor, self._session_id)
        ]
        s = call.session
        self.info = {"group": call.group_name, "group_href": routes.staff_group(s.group_id), "day": fmt_day(s.day),
                     "start": s.start, "length": f"{s.duration_minutes} min", "topic": s.topic, "notes": s.notes,
                     "cancel_reason": s.cancel_reason}
        self.cancelled = s.cancelled
        self.needs_reason = call.needs_reason
        self.entries = [
            RollCallLine(id=str(e.client_id), name=e.name, status=e.status,
                         minutes=str(e.minutes) if e.status else "", reason=e.edit_reason,
                         href=routes.staff_client(e.client_id))
            for e in call.entries
        ]

    def _save(self, record) -> None:
        """Run a roll-call save (`record(session, actor)` returns how many rows changed).
        A refused mark shows next to its row and as the banner (the row may be off screen)."""
        def action(session, actor):
            try:
                changed = record(session, actor)
            except ValidationError as exc:
                self.error = exc.message
                raise
            self.message = "Saved." if changed else "No change."
            return GroupNoteState.refresh if changed else None  # the attendees of the group note
        return self._run(action)

    @rx.event
    def load(self):
        self.found, self.reason = False, ""
        self.entries, self.info, self.earlier, self.notes_stale, self.notes_draft = [], {}, [], "", ""

        def action(session, actor):
            self.found = self._open_record("session_id", "_session_id",
                                           lambda: self._reload(session, actor, refill_notes=True),
                                           "No such session.")
        return self._run(action, reload=False)

    @rx.event
    def set_reason(self, value: str):
        """Kept for the next save, which checks it again (services/roll_call.py)."""
        text = as_text(value, 300)
        if text is None:
            self.errors = {"reason": "The reason must be at most 300 characters."}
            return
        self.reason = text

    @rx.event
    def set_status(self, client_id: str, status: str):
        cid = as_int(client_id, 1)

        def record(session, actor):
            if cid is None:
                raise ServiceError("Choose a status from the list.")
            return roll_call.record_attendance(session, actor, self._session_id, {cid: (status, None)}, self.reason)
        return self._save(record)

    @rx.event
    def set_minutes(self, client_id: str, minutes: str):
        cid = as_int(client_id, 1)
        value = as_int(minutes, 0, 1000)
        current = next((e for e in self.entries if e.id == str(cid)), None) if cid else None

        def record(session, actor):
            if current is None or not current.status:
                raise ServiceError("Mark the member's status first.")
            if value is None:
                raise ValidationError({f"minutes-{cid}": "Enter whole minutes."})
            return roll_call.record_attendance(session, actor, self._session_id, {cid: (current.status, value)},
                                               self.reason)
        return self._save(record)

    @rx.event
    def all_present(self):
        def action(session, actor):
            changed = roll_call.mark_all_present(session, actor, self._session_id, self.reason)
            self.message = f"{changed} marked present." if changed else "Everyone is already marked."
            return GroupNoteState.refresh if changed else None  # the attendees of the group note
        return self._run(action)

    @rx.event
    def save_topic(self, form: dict):
        form = form_dict(form)
        topic, notes = form.get("topic", ""), form.get("notes", "")

        def action(session, actor):
            try:
                groups.set_topic_notes(session, actor, self._session_id, topic, notes,
                                       expected_version=self._notes_version)
            except StaleEdit as exc:
                # Nothing saved; the form still holds the text, and Reload keeps a copy of it.
                self.notes_stale = exc.message
                self.notes_draft = f"Topic: {topic.strip()}\nNotes:\n{notes.strip()}"
                return
            self._reload(session, actor, refill_notes=True)
            self.notes_stale = self.notes_draft = ""
            self.message = "Topic and notes saved."
        return self._run(action, reload=False)

    @rx.event
    def reload_notes(self):
        """After a refused save: show the latest topic and notes; the refused text stays below."""
        def action(session, actor):
            self._reload(session, actor, refill_notes=True)
            self.notes_stale = ""
            self.message = "Reloaded: the form shows the latest topic and notes; your unsaved text is below it."
        return self._run(action, reload=False)

    @rx.event
    def discard_draft(self):
        self.notes_draft = ""

    @rx.event
    def cancel(self, form: dict):
        reason = form_dict(form).get("cancel_reason", "")

        def action(session, actor):
            groups.cancel_session(session, actor, self._session_id, reason)
            self.message = "Session cancelled."
        return self._run(action)
