"""The client's own signed progress notes, when the program shows notes to clients
(the director's setting client_sees_notes; off by default). The client is the
signed-in user (ClientPage); the browser sends nothing but the page load."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from ...models import User
from ...models.enums import ServiceType
from ...services import notes, program
from ..base import SessionState
from ..formatting import fmt_date
from .base import ClientPage


@dataclasses.dataclass
class ClientNoteCard:
    note_id: str
    heading: str  # "Group session · Mon Nov 16, 2026"
    byline: str  # "Written by Marcus Reyes, signed Nov 16, 2026"
    sections: list[list[str]]  # [label, text]: the group's shared part first, then the note's own
    addenda: list[str]  # "Late entry, Nov 18, 2026, by Marcus Reyes: ..."


class ClientNotesState(ClientPage, SessionState):
    shown: bool = False  # the program shows notes to clients
    cards: list[ClientNoteCard] = []

    def _reload(self, session: Session, actor: User) -> None:
        details = notes.client_own_notes(session, actor)
        self.shown = details is not None
        tz = program.program_tz(session)

        def day(moment) -> str:
            return fmt_date(program.to_local(moment, tz).date()) if moment else ""

        self.cards = [
            ClientNoteCard(
                note_id=str(d.note.id),
                heading=f"{ServiceType.label_of(d.note.service_type)} · {fmt_date(d.note.service_date)}",
                byline=f"Written by {d.author}, signed {day(d.note.signed_at)}",
                sections=([["Group topic", d.topic], ["What the group did", d.shared]] if d.group_name else [])
                + [[s.label, d.note.sections.get(s.key, "")] for s in d.format.sections
                   if d.note.sections.get(s.key)],
                addenda=[f"Late entry, {day(a.at)}, by {a.author}: {a.text}" for a in d.addenda],
            )
            for d in details or []
        ]

    @rx.event
    def load(self):
        return self._run()
