"""The director's orientation checklist."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.ui import error_banner, field_error, field_label, notice, page_frame, text_field
from ..state.director_orientation import ItemLine
from ..state.director_orientation import OrientationItemsState as S


def _item(item: rx.Var[ItemLine]) -> rx.Component:
    field_id = "item-label-" + item.id
    return rx.el.li(
        rx.text(item.label, weight="medium"),
        rx.text(rx.cond(item.active, "In use", "Retired") + " · " + item.used + " clients went through it",
                size="2", color_scheme="gray"),
        rx.flex(
            rx.button("Up", size="1", variant="soft", aria_label="Up: " + item.label, disabled=item.first,
                      on_click=S.move_up(item.id)),
            rx.button("Down", size="1", variant="soft", aria_label="Down: " + item.label, disabled=item.last,
                      on_click=S.move_down(item.id)),
            rx.cond(item.active,
                    rx.button("Retire", size="1", variant="outline", color_scheme="gray",
                              aria_label="Retire: " + item.label, on_click=S.retire(item.id)),
                    rx.button("Restore", size="1", variant="outline", aria_label="Restore: " + item.label,
                              on_click=S.restore(item.id))),
            spacing="2", wrap="wrap", margin_y="0.25rem",
        ),
        rx.cond(item.renamable, rx.el.details(
            rx.el.summary("Reword", aria_label="Reword: " + item.label),
            rx.form(
                rx.el.input(type="hidden", name="item_id", value=item.id),
                rx.vstack(
                    field_label("New wording", field_id),
                    rx.input(id=field_id, name="label", default_value=item.label, max_length=200, width="100%",
                             aria_describedby=field_id + "-error"),
                    field_error(rx.cond(S.edited_item == item.id, S.rename_error, ""), field_id),
                    rx.button("Save wording", type="submit", size="1", width="fit-content"),
                    spacing="1", width="100%",
                ),
                on_submit=S.rename_item, reset_on_submit=False, key="item-" + item.id + "-" + item.label,
            ),
        )),
        style={"padding": "0.6rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def orientation_items_page() -> rx.Component:
    return page_frame(
        "Orientation checklist",
        rx.text("The items staff go through with every new client, who each initial them. An item clients have "
                "initialled keeps its words: retire it and add the new wording instead.", size="2"),
        error_banner(S.error),
        notice(S.message),
        rx.el.ol(rx.foreach(S.items, _item), id="orientation-items", style={"padding": 0, "margin": 0}),
        rx.form(
            rx.vstack(
                text_field("New item", "label", "new-item", error=S.errors.get("label", ""), max_length=200),
                rx.button("Add item", type="submit", width="fit-content"),
                spacing="2", width="100%", max_width="32rem", margin_top="1rem",
            ),
            on_submit=S.add_item, reset_on_submit=False, key=S.add_key.to_string(),
        ),
        width="48rem",
    )


def register(app: rx.App) -> None:
    app.add_page(orientation_items_page, route=routes.DIRECTOR_ORIENTATION, title="Orientation checklist · IOP",
                 on_load=S.load)
