"""The director's orientation checklist: the items every new client goes through
(services/intake.py: add, reword while unused, retire or restore, reorder)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from ..models.enums import Role
from ..services import intake
from ..services.errors import PermissionDenied
from .args import as_int, form_dict
from .base import PageState, SessionState


@dataclass
class ItemLine:
    id: str
    label: str
    active: bool
    used: str  # how many clients went through it
    renamable: bool  # nobody has initialled it yet
    first: bool
    last: bool


class OrientationItemsState(PageState, SessionState):
    _roles = (Role.DIRECTOR,)
    items: list[ItemLine] = []
    add_key: int = 0
    edited_item: str = ""  # the item whose rename field shows `rename_error`
    rename_error: str = ""

    def _reload(self, session, actor) -> None:
        items = intake.list_items(session, actor)
        self.items = [ItemLine(str(i.id), i.label, i.active, str(i.used), i.used == 0, n == 0, n == len(items) - 1)
                      for n, i in enumerate(items)]

    @rx.event
    def load(self):
        self.edited_item, self.rename_error = "", ""
        return self._run()

    @rx.event
    def add_item(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            item = intake.add_item(session, actor, form.get("label"))
            self.add_key += 1
            self.message = f"Added: {item.label}."

        return self._run(action)

    @rx.event
    def rename_item(self, form: dict):
        def change(session, actor, item_id, form):
            if item_id is None:
                raise PermissionDenied("That item could not be found. Please reload the page.")
            intake.rename_item(session, actor, item_id, form.get("label"))

        return self._item_form(form, change, "Item reworded.", "edited_item", "rename_error")

    def _item_change(self, item_id, change, message: str):
        item = as_int(item_id, 1)

        def action(session, actor):
            if item is None:
                raise PermissionDenied("That item could not be found. Please reload the page.")
            change(session, actor, item)
            self.message = message

        return self._run(action, errors_var=None)

    @rx.event
    def retire(self, item_id: str):
        return self._item_change(item_id, lambda s, a, i: intake.set_item_active(s, a, i, False),
                                 "Item retired: new clients no longer go through it.")

    @rx.event
    def restore(self, item_id: str):
        return self._item_change(item_id, lambda s, a, i: intake.set_item_active(s, a, i, True), "Item restored.")

    @rx.event
    def move_up(self, item_id: str):
        return self._item_change(item_id, lambda s, a, i: intake.move_item(s, a, i, -1), "Moved up.")

    @rx.event
    def move_down(self, item_id: str):
        return self._item_change(item_id, lambda s, a, i: intake.move_item(s, a, i, 1), "Moved down.")
