"""The director's clinical supervision screen: who supervises, whose notes need
co-signature, and who their supervisor is (services/notes.py set_supervision)."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from ..models.enums import Role
from ..services import notes
from ..services.errors import NotFound, ValidationError
from .args import as_int, form_dict
from .base import PageState, SessionState

ANY_SUPERVISOR = ""  # the select's value for "no one named: any supervisor or the director"


@dataclass
class StaffLine:
    id: str = ""
    name: str = ""
    email: str = ""
    role: str = ""  # its label
    active: bool = True
    is_supervisor: bool = False
    needs_cosign: bool = False
    supervisor_id: str = ""
    summary: str = ""  # what the settings mean, in words
    options: list[list[str]] = field(default_factory=list)  # [id, name] of who may be named, not themself
    key: str = ""  # changes when the saved values do: the form redraws with them


def _summary(line: notes.SupervisionLine) -> str:
    parts = []
    if line.is_supervisor or line.role == Role.DIRECTOR:
        parts.append("Co-signs notes")
    if line.needs_cosign:
        parts.append("Notes need co-signature by " + (line.supervisor_name or "any supervisor or the director"))
    elif line.supervisor_name:
        parts.append("Supervised by " + line.supervisor_name)
    if line.supervisees:
        parts.append("Named supervisor of " + ", ".join(line.supervisees))
    return "; ".join(parts) + "." if parts else "No supervision set."


class SupervisionState(PageState, SessionState):
    _roles = (Role.DIRECTOR,)
    staff: list[StaffLine] = []
    edited: str = ""  # the staff member whose form shows `errors`

    def _reload(self, session, actor) -> None:
        lines = notes.supervision_list(session, actor)
        eligible = [[str(line.user_id), line.name] for line in lines
                    if line.active and (line.role == Role.DIRECTOR or line.is_supervisor)]
        self.staff = [
            StaffLine(id=str(line.user_id), name=line.name, email=line.email, role=Role(line.role).label,
                      active=line.active, is_supervisor=line.is_supervisor, needs_cosign=line.needs_cosign,
                      supervisor_id=str(line.supervisor_id or ANY_SUPERVISOR), summary=_summary(line),
                      options=[o for o in eligible if o[0] != str(line.user_id)],
                      key=f"{line.user_id}-{line.is_supervisor}-{line.needs_cosign}-{line.supervisor_id}")
            for line in lines
        ]

    @rx.event
    def load(self):
        self.edited = ""
        return self._run()

    @rx.event
    def save(self, form: dict):
        form = form_dict(form)
        user_id = as_int(form.get("user_id"), 1)
        boss = form.get("supervisor_id", ANY_SUPERVISOR)

        def action(session, actor):
            self.edited = ""
            if user_id is None:
                raise NotFound("That staff member could not be found. Please reload the page.")
            supervisor_id = None if boss == ANY_SUPERVISOR else as_int(boss, 1)
            if boss != ANY_SUPERVISOR and supervisor_id is None:
                self.edited, self.errors = str(user_id), {"supervisor_id": "Choose a supervisor from the list."}
                return
            try:
                # An unticked box is not sent with the form; a ticked one says "on".
                person = notes.set_supervision(session, actor, user_id, is_supervisor=form.get("is_supervisor") == "on",
                                               needs_cosign=form.get("needs_cosign") == "on",
                                               supervisor_id=supervisor_id)
            except ValidationError as exc:
                if "user_id" in exc.errors:  # nobody's form to show it in
                    raise NotFound(exc.errors["user_id"]) from None
                self.edited = str(user_id)
                raise
            self.message = "Supervision saved for " + next(
                (line.name for line in self.staff if line.id == str(person.user_id)), "the staff member") + "."

        return self._run(action)
