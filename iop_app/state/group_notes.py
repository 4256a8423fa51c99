"""The group note on the roll-call page: the shared part once, each attendee's own
part, saved in one go and signed for every attendee at once (services/group_notes.py
decides who may and checks everything). Field names in the form:
`<client id>:<section key>` and `<client id>:objective:<objective id>`."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from .. import routes
from ..models.enums import AttendanceStatus, RecordStatus
from ..services import group_notes, note_formats
from ..services.errors import StaleEdit
from .args import as_int, form_dict
from .base import PageState, SessionState
from .staff import STAFF_PAGE


@dataclass
class PartSection:
    name: str  # form field name
    field_id: str
    label: str
    text: str


@dataclass
class PartObjective:
    name: str
    field_id: str
    label: str
    checked: bool


@dataclass
class AttendeeLine:
    id: str
    name: str
    status: str
    note_href: str
    sections: list[PartSection]
    objectives: list[PartObjective]


class GroupNoteState(PageState, SessionState):
    _roles = STAFF_PAGE
    found: bool = False
    status: str = ""  # "", "Draft", "Signed"
    signed: bool = False
    note_format: str = ""
    topic: str = ""
    shared: str = ""
    shared_label: str = ""
    attendees: list[AttendeeLine] = []
    unmarked: int = 0
    form_key: int = 0
    stale: str = ""
    _session_id: int = 0
    _version: int = 0
    _attendee_ids: list[int] = []

    def _reload(self, session, actor) -> None:
        if not self._session_id:
            return
        form = group_notes.group_note_form(session, actor, self._session_id)
        fmt = note_formats.get(form.note_format)
        self._version = form.version
        self._attendee_ids = [a.client_id for a in form.attendees]
        self.form_key += 1
        self.status = RecordStatus.label_of(form.status) if form.status else "Not written yet"
        self.signed = form.status == RecordStatus.SIGNED
        self.note_format, self.topic, self.shared = form.note_format, form.topic, form.shared
        self.shared_label = fmt.label_of(fmt.interventions) + " (shared part: goes into every attendee's note)"
        self.unmarked = form.unmarked
        self.attendees = [
            AttendeeLine(
                id=str(a.client_id), name=a.name, status=AttendanceStatus.label_of(a.status),
                note_href=routes.staff_note(a.note_id) if a.note_id else "",
                sections=[PartSection(name=f"{a.client_id}:{s.key}", field_id=f"part-{a.client_id}-{s.key}",
                                      label=f"{s.label} ({a.name})", text=str(a.sections.get(s.key, "")))
                          for s in fmt.individual_sections()],
                objectives=[PartObjective(name=f"{a.client_id}:objective:{o.id}",
                                          field_id=f"part-{a.client_id}-objective-{o.id}", label=o.label,
                                          checked=o.id in a.objective_ids) for o in a.options])
            for a in form.attendees
        ]

    @rx.event
    def load(self):
        self.found, self.attendees, self.stale = False, [], ""

        def action(session, actor):
            self.found = self._open_record("session_id", "_session_id", lambda: self._reload(session, actor),
                                           "No such session.")
        return self._run(action, reload=False, errors_var=None)

    @rx.event
    def refresh(self):
        """After a roll-call change: the attendees may differ."""
        return self._run(errors_var=None)

    @rx.event
    def save(self, form: dict):
        form = form_dict(form)
        parts: dict[int, dict] = {cid: {"sections": {}, "objectives": []} for cid in self._attendee_ids}
        for key, value in form.items():
            bits = key.split(":") if isinstance(key, str) else []
            cid = as_int(bits[0], 1) if bits else None
            if cid is None or len(bits) < 2:
                continue
            part = parts.setdefault(cid, {"sections": {}, "objectives": []})
            if bits[1] == "objective" and len(bits) == 3:
                if value in ("on", True, "true"):
                    part["objectives"].append(as_int(bits[2], 1) or -1)
            elif len(bits) == 2:
                part["sections"][bits[1]] = value

        def action(session, actor):
            try:
                group_notes.save_group_note(session, actor, self._session_id, note_format=form.get("note_format"),
                                            topic=form.get("topic", ""), shared=form.get("shared", ""),
                                            parts=parts, expected_version=self._version)
            except StaleEdit as exc:
                self.stale = exc.message
                return
            self.stale = ""
            self.message = f"Group note saved: {len(parts)} attendee notes."
        return self._run(action)

    @rx.event
    def sign(self):
        def action(session, actor):
            group_notes.sign_group_note(session, actor, self._session_id, expected_version=self._version)
            self.message = "Signed: every attendee's note is signed and locked."
        return self._run(action)

    @rx.event
    def reload_note(self):
        self.stale = ""
        return self._run(errors_var=None)
