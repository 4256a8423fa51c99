"""Progress notes: the client's notes and services (timeline), one note, my notes.

The services decide who may read, write, sign, amend or co-sign (services/notes.py,
permissions.require_note_read); these states only convert what the browser sent
(state/args.py) and keep ids and versions in backend-only vars."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from .. import routes
from ..models import Client, User
from ..models.enums import NoteFormat, PlanStatus, RecordStatus, ServiceLocation, ServiceType
from ..services import notes, program
from ..services.errors import StaleEdit, ValidationError
from .args import as_date, as_int, as_text, as_time, form_dict
from .base import PageState, SessionState
from .formatting import fmt_date, fmt_day
from .staff import STAFF_PAGE

# The pages' fixed choices (closed sets: drawn into the page, not sent as state).
KIND_OPTIONS = [["all", "Everything"], *[[t.value, t.label] for t in ServiceType], ["plan", "Treatment plan versions"]]
TYPE_OPTIONS = [[t.value, t.label] for t in notes.RECORD_SERVICE_TYPES]


def _status_text(status: str, pending: bool, overdue: bool) -> str:
    if not status:
        return "Not documented"
    if status == RecordStatus.SIGNED:
        return "Signed, awaiting co-signature" if pending else "Signed"
    return "Draft, overdue" if overdue else "Draft"


def _local(session, moment) -> str:
    if moment is None:
        return ""
    local = program.to_local(moment, program.program_tz(session))
    return f"{fmt_date(local.date())} {local:%H:%M}"


@dataclass
class TimelineLine:
    day: str
    kind: str
    title: str
    minutes: str
    status: str
    href: str  # the note, or the plan page for a plan version ("" when nothing to open)
    link: str  # the link's text


class ClientNotesState(PageState, SessionState):
    """STAFF_CLIENT_NOTES: the client's services, notes and plan versions; a new note."""

    _roles = STAFF_PAGE
    found: bool = False
    client_name: str = ""
    kind: str = "all"
    items: list[TimelineLine] = []
    individual_options: list[list[str]] = []
    family_options: list[list[str]] = []
    default_format: str = ""
    today_iso: str = ""
    _client_id: int = 0

    def _reload(self, session, actor) -> None:
        if not self._client_id:
            return
        items = notes.timeline(session, actor, self._client_id, self.kind)
        client = session.get(Client, self._client_id)
        self.client_name = session.get(User, client.user_id).full_name
        self.items = [
            TimelineLine(
                day=fmt_day(i.day), kind=ServiceType.label_of(i.kind) if i.kind != "plan" else "Treatment plan",
                title=i.title, minutes=f"{i.minutes} min" if i.minutes is not None else "",
                status=(_status_text(i.note_status, i.cosign_pending, i.overdue) if i.kind != "plan"
                        else _plan_status(i.note_status)),
                href=(routes.staff_note(i.note_id) if i.note_id
                      else routes.staff_client_plan(self._client_id) if i.kind == "plan" else ""),
                link="Open note" if i.note_id else ("Open plan" if i.kind == "plan" else ""))
            for i in items
        ]
        sessions = notes.documentable_sessions(session, actor, self._client_id)
        self.individual_options = [["", "A new session"], *[[str(i), label] for i, label in sessions["individual"]]]
        self.family_options = [[str(i), label] for i, label in sessions["family"]]
        self.default_format = program.get_setting(session, "note_format_default")
        self.today_iso = program.local_today(session).isoformat()

    @rx.event
    def load(self):
        self.found, self.items, self.client_name, self.kind = False, [], "", "all"

        def action(session, actor):
            self.found = self._open_record("client_id", "_client_id", lambda: self._reload(session, actor),
                                           "No such client.")
        return self._run(action, reload=False)

    @rx.event
    def set_kind(self, value: str):
        def action(session, actor):
            if value not in notes.TIMELINE_KINDS:
                raise ValidationError({"kind": "Choose a type from the list."})
            self.kind = value
        return self._run(action, errors_var=None)

    @rx.event
    def create(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            kind = form.get("service_type")
            extra = {}
            if kind == ServiceType.INDIVIDUAL and form.get("individual_session_id"):
                extra["individual_session_id"] = as_int(form.get("individual_session_id"), 1) or -1
            if kind == ServiceType.FAMILY:
                extra["family_session_id"] = as_int(form.get("family_session_id"), 1) or -1
            note = notes.create_note(
                session, actor, self._client_id, service_type=kind, note_format=form.get("note_format"),
                service_date=as_date(form.get("service_date")), start=as_time(form.get("start")),
                end=as_time(form.get("end")), location=form.get("location"), **extra)
            return rx.redirect(routes.staff_note(note.id))
        return self._run(action)


def _plan_status(status: str) -> str:
    return PlanStatus.label_of(status) if status in PlanStatus.values() else status


@dataclass
class SectionLine:
    key: str
    field_id: str
    label: str
    prompt: str
    text: str


@dataclass
class AddendumLine:
    heading: str  # "Late entry, Mar 5, 2026 14:05, by Dana Whitfield"
    reason: str
    text: str


@dataclass
class OptionLine:
    id: str
    label: str
    checked: bool


class NoteState(PageState, SessionState):
    """STAFF_NOTE: one note. Its author edits and signs a draft; staff who may read it
    add addenda to a signed note; a supervisor co-signs."""

    _roles = STAFF_PAGE
    found: bool = False
    info: dict[str, str] = {}
    sections: list[SectionLine] = []
    objectives: list[str] = []  # addressed (labels)
    options: list[OptionLine] = []  # the plan in force, for a draft
    addenda: list[AddendumLine] = []
    may_edit: bool = False
    may_cosign: bool = False
    is_group: bool = False
    is_signed: bool = False
    form_key: int = 0
    stale: str = ""
    _note_id: int = 0
    _client_id: int = 0
    _version: int = 0

    def _reload(self, session, actor) -> None:
        if not self._note_id:
            return
        d = notes.note_detail(session, actor, self._note_id)
        n = d.note
        tz = program.program_tz(session)
        start, end = program.to_local(n.starts_at, tz), program.to_local(n.ends_at, tz)
        self._version, self._client_id = n.version, n.client_id
        self.form_key += 1
        status = _status_text(n.status, n.cosign_required and n.cosigned_by is None, d.overdue)
        self.info = {
            "client": d.client_name, "client_notes": routes.staff_client_notes(n.client_id),
            "service": ServiceType.label_of(n.service_type), "date": fmt_day(n.service_date),
            "date_iso": n.service_date.isoformat(), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"),
            "minutes": str(n.minutes), "location": ServiceLocation.label_of(n.location),
            "location_value": n.location, "format": NoteFormat.label_of(n.note_format), "format_value": n.note_format,
            "status": status, "author": d.author,
            "signed": f"Signed by {d.signer} on {_local(session, n.signed_at)}" if n.signed_at else "",
            "cosigned": (f"Co-signed by {d.cosigner} on {_local(session, n.cosigned_at)}" if n.cosigned_at
                         else ("Awaiting co-signature" if n.cosign_required else "")),
            "group": d.group_name, "topic": d.topic, "shared": d.shared,
            "roll_call": routes.staff_session(d.group_session_id) if d.group_session_id else "",
            "interventions_label": d.format.label_of(d.format.interventions),
        }
        shown = d.format.individual_sections() if n.group_note_id else d.format.sections
        self.sections = [SectionLine(key=s.key, field_id=f"note-{s.key}", label=s.label, prompt=s.prompt,
                                     text=str(n.sections.get(s.key, ""))) for s in shown]
        if carried := n.sections.get("carried_over"):
            self.sections.append(SectionLine(key="carried_over", field_id="note-carried", label="Source",
                                             prompt="", text=str(carried)))
        self.objectives = [o.label for o in d.objectives]
        chosen = {o.id for o in d.objectives}
        self.options = [OptionLine(id=str(o.id), label=o.label, checked=o.id in chosen) for o in d.options]
        self.addenda = [AddendumLine(heading=f"Late entry, {_local(session, a.at)}, by {a.author}", reason=a.reason,
                                     text=a.text) for a in d.addenda]
        self.may_edit, self.may_cosign = d.may_edit, d.may_cosign
        self.is_group, self.is_signed = n.group_note_id is not None, n.status == RecordStatus.SIGNED

    @rx.event
    def load(self):
        self.found, self.info, self.sections, self.addenda, self.options, self.stale = False, {}, [], [], [], ""

        def action(session, actor):
            self.found = self._open_record("note_id", "_note_id", lambda: self._reload(session, actor),
                                           "No such note.")
        return self._run(action, reload=False)

    def _form_values(self, form: dict) -> dict:
        sections = {s.key: form.get(f"section-{s.key}", "") for s in self.sections if s.key != "carried_over"}
        objective_ids = [as_int(key.removeprefix("objective-"), 1) or -1 for key, value in form.items()
                         if isinstance(key, str) and key.startswith("objective-") and value in ("on", True, "true")]
        values = {"sections": sections, "objective_ids": objective_ids}
        if not self.is_group and "service_date" in form:
            values.update(service_date=as_date(form.get("service_date")), start=as_time(form.get("start")),
                          end=as_time(form.get("end")), location=form.get("location"),
                          note_format=form.get("note_format"))
        return values

    @rx.event
    def save(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            try:
                notes.save_note(session, actor, self._note_id, expected_version=self._version,
                                **self._form_values(form))
            except StaleEdit as exc:
                self.stale = exc.message
                return
            self.stale = ""
            self.message = "Draft saved."
        return self._run(action)

    @rx.event
    def sign(self):
        def action(session, actor):
            notes.sign_note(session, actor, self._note_id, expected_version=self._version)
            self.message = "Signed. The note is now locked; add an addendum for anything later."
        return self._run(action, errors_var=None)

    @rx.event
    def reload_note(self):
        def action(session, actor):
            self.stale = ""
        return self._run(action)

    @rx.event
    def add_addendum(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            notes.add_addendum(session, actor, self._note_id, text=as_text(form.get("text"), 4000) or "",
                               reason=as_text(form.get("reason"), 500) if form.get("reason") else "")
            self.message = "Addendum added. The original note is unchanged."
        return self._run(action)

    @rx.event
    def cosign(self):
        def action(session, actor):
            notes.cosign_note(session, actor, self._note_id)
            self.message = "Co-signed."
        return self._run(action, errors_var=None)

    @rx.event
    def delete(self):
        def action(session, actor):
            notes.delete_draft(session, actor, self._note_id, expected_version=self._version)
            self._note_id = 0
            return rx.redirect(routes.staff_client_notes(self._client_id))
        return self._run(action, reload=False, errors_var=None)


@dataclass
class NoteLine:
    href: str
    client: str
    author: str
    service: str
    day: str
    status: str


class NotesState(PageState, SessionState):
    """STAFF_NOTES: my unsigned notes; notes awaiting my co-signature."""

    _roles = STAFF_PAGE
    unsigned: list[NoteLine] = []
    awaiting: list[NoteLine] = []

    def _reload(self, session, actor) -> None:
        def line(r: notes.NoteRow, status: str) -> NoteLine:
            return NoteLine(href=routes.staff_note(r.id), client=r.client_name, author=r.author,
                            service=ServiceType.label_of(r.service_type), day=fmt_day(r.service_date), status=status)
        self.unsigned = [line(r, "Overdue" if r.overdue else "Draft") for r in notes.my_unsigned(session, actor)]
        self.awaiting = [line(r, f"Signed {_local(session, r.signed_at)}")
                         for r in notes.awaiting_my_cosign(session, actor)]

    @rx.event
    def load(self):
        return self._run()
