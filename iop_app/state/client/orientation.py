"""The client's orientation checklist: each item their counsellor went through with
them, to initial from their phone. The client is the signed-in user (ClientPage),
never an id from the browser; the item id the browser sends is checked again by
services/intake.client_initial."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from ...models import User
from ...services import intake, program
from ..base import SessionState
from ..formatting import fmt_date
from .base import ClientPage


@dataclasses.dataclass
class OrientationCard:
    item_id: str
    label: str
    staff_done: bool
    staff: str  # "Marcus Reyes went through this with you on Mar 5, 2026"
    client_done: bool
    client: str  # "You initialled M.E. on Mar 5, 2026"


class OrientationState(ClientPage, SessionState):
    items: list[OrientationCard] = []
    done: int = 0
    to_initial: int = 0
    error_item: str = ""  # the item whose initials field shows `item_error`
    item_error: str = ""

    def _reload(self, session: Session, actor: User) -> None:
        tz = program.program_tz(session)

        def day(moment) -> str:
            return fmt_date(program.to_local(moment, tz).date()) if moment else ""

        lines = intake.client_orientation(session, actor)
        self.items = [
            OrientationCard(str(line.item_id), line.label, line.staff_done,
                            f"{line.staff_name} went through this with you on {day(line.staff_at)}"
                            if line.staff_done else "",
                            line.client_done,
                            f"You initialled {line.client_initials} on {day(line.client_at)}"
                            if line.client_done else "")
            for line in lines
        ]
        self.done = sum(1 for line in lines if line.client_done)
        self.to_initial = sum(1 for line in lines if line.staff_done and not line.client_done)

    @rx.event
    def load(self):
        self.error_item, self.item_error = "", ""
        return self._run()

    @rx.event
    def initial(self, form: dict):
        return self._item_form(form, lambda s, a, item_id, f: intake.client_initial(s, a, item_id, f.get("initials")),
                               "Thank you: initialled.", "error_item", "item_error")
