"""The client's hierarchy of needs: put them in order, save the order as a dated
snapshot. Moves stay on this page (backend-only `_order`) until Save order."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from ...models import User
from ...models.enums import LifeArea
from ...services import needs
from ...services.errors import ValidationError
from ..args import as_int, form_dict
from ..base import SessionState
from .base import ClientPage, renamed


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


@dataclasses.dataclass
class NeedRow:
    id: str
    label: str
    area: str
    in_focus: bool
    position: int


@dataclasses.dataclass
class SnapshotRow:
    when: str
    lines: list[str]


def _snapshot_rows(snapshots: list[needs.Snapshot]) -> list[SnapshotRow]:
    """Each saved order, newest first, with how each need moved since the order before it."""
    rows = []
    for index, snapshot in enumerate(snapshots):
        older = snapshots[index + 1].labels if index + 1 < len(snapshots) else None
        items = []
        for position, label in enumerate(snapshot.labels, start=1):
            note = ""
            if older is not None:
                if label not in older:
                    note = " (new)"
                elif older.index(label) + 1 > position:
                    note = f" (up from {older.index(label) + 1})"
                elif older.index(label) + 1 < position:
                    note = f" (down from {older.index(label) + 1})"
            items.append(f"{position}. {label}{note}")
        moment = snapshot.local_at
        rows.append(SnapshotRow(f"{moment.strftime('%b')} {moment.day}, {moment.year}, "
                                f"{moment.strftime('%I:%M %p').lstrip('0')}", items))
    return rows


class NeedsState(ClientPage, SessionState):
    rows: list[NeedRow] = []
    history: list[SnapshotRow] = []
    common_options: list[list[str]] = []
    area_options: list[list[str]] = LifeArea.choices()
    unsaved: bool = False
    move_status: str = ""  # read out by screen readers after a move
    focus_request: str = ""  # "<n>:<element id>" to focus once the list is redrawn
    _focus_count: int = 0
    form_key: int = 0
    # Backend only: the order being edited (need ids, most important first) and labels.
    _order: list[int] = []
    _needs: dict[int, dict] = {}

    def _show(self) -> None:
        self.rows = [NeedRow(str(i), self._needs[i]["label"], self._needs[i]["area"], self._needs[i]["in_focus"],
                             position) for position, i in enumerate(self._order, start=1)]

    def _reload(self, session: Session, actor: User) -> None:
        order = needs.current_order(session, actor, self._client_id)
        self._needs = {n.id: {"label": n.label, "area": n.area_label, "in_focus": n.in_focus} for n in order}
        self._order = [n.id for n in order]
        self.unsaved = False
        self._show()
        on_list = {n.label.lower() for n in order}
        self.common_options = [[label, label] for label, _ in needs.COMMON_NEEDS if label.lower() not in on_list]
        self.history = _snapshot_rows(needs.history(session, actor, self._client_id))

    def _clear_move(self, _session=None, _actor=None) -> None:
        self.move_status = ""

    @rx.event
    def load(self):
        return self._run(self._clear_move)

    def _move(self, need_id, step: int):
        def action(_session, _actor):
            nid = as_int(need_id, 1)
            if nid is None or nid not in self._order:
                self.move_status = "That need is not on your list. Please reload the page."
                return
            index = self._order.index(nid)
            target = index + step
            if not 0 <= target < len(self._order):
                return
            order = list(self._order)
            order[index], order[target] = order[target], order[index]
            self._order = order
            self.unsaved = True
            self._show()
            self.move_status = (f"{self._needs[nid]['label']} moved to {_ordinal(target + 1)} of {len(order)}. "
                                "Save the order when you are ready.")
            # Keep keyboard focus on the moved need's button (or its other one at the ends).
            direction = "up" if step < 0 else "down"
            if (direction == "up" and target == 0) or (direction == "down" and target == len(order) - 1):
                direction = "down" if direction == "up" else "up"
            # After React has re-rendered the list (the ids move with the rows); see components/focus.py.
            self._focus_count += 1
            self.focus_request = f"{self._focus_count}:need-{direction}-{nid}"

        # Moves change only this page until saved: nothing to reload.
        return self._run(action, reload=False)

    @rx.event
    def move_up(self, need_id: str):
        return self._move(need_id, -1)

    @rx.event
    def move_down(self, need_id: str):
        return self._move(need_id, 1)

    @rx.event
    def save_order(self):
        def action(session, actor):
            self.move_status = ""
            needs.save_order(session, actor, self._client_id, list(self._order))
            self.message = "Your order is saved. Your care team will see it."

        return self._run(action)

    @rx.event
    def undo_changes(self):
        return self._run(self._clear_move)

    @rx.event
    def add_need(self, form: dict):
        form = form_dict(form)
        common, custom = form.get("common", ""), form.get("custom", "")

        def action(session, actor):
            self.move_status = ""
            common_areas = dict(needs.COMMON_NEEDS)
            if isinstance(custom, str) and custom.strip():
                label, area = custom, form.get("area")
            elif isinstance(common, str) and common in common_areas:
                label, area = common, common_areas[common]
            else:
                raise ValidationError({"common": "Pick a need from the list, or write your own."})
            try:
                need = needs.add_need(session, actor, self._client_id, label, area)
            except ValidationError as exc:  # the form's own text field is "custom"
                raise renamed(exc, {"label": "custom"}) from None
            was_unsaved, kept_order = self.unsaved, list(self._order)
            self._reload(session, actor)
            if was_unsaved:  # keep the moves not saved yet; the new need goes last
                self._order = [i for i in kept_order if i in self._needs] + [
                    i for i in self._order if i not in kept_order]
                self.unsaved = True
                self._show()
            self.message = f"Added: {need.label}. Move it up or down, then save the order."
            self.form_key += 1

        # No reload after a refusal: the moves not saved yet stay.
        return self._run(action, reload=False)

    @rx.event
    def remove_need(self, need_id: str):
        def action(session, actor):
            self.move_status = ""
            nid = as_int(need_id, 1)
            if nid is None or nid not in self._order:
                raise ValidationError({"order": "That need is not on your list. Please reload the page."})
            needs.remove_need(session, actor, self._client_id, nid)
            label = self._needs[nid]["label"]
            self._reload(session, actor)
            self.message = f"Removed: {label}. Save the order to keep a new snapshot."
            self.unsaved = True

        return self._run(action, reload=False)
