"""The client's orientation checklist, initialled from their phone."""

from __future__ import annotations

import reflex as rx

from ...components.ui import field_error, field_label
from ...state.client import OrientationState as S
from ...state.client.orientation import OrientationCard
from .base import client_page


def _item(card: rx.Var[OrientationCard]) -> rx.Component:
    field_id = "orient-" + card.item_id
    return rx.el.li(
        rx.text(card.label, weight="medium"),
        rx.cond(
            card.client_done,
            rx.text("✓ " + card.client, size="2", color_scheme="green"),
            rx.cond(
                card.staff_done,
                rx.vstack(
                    rx.text(card.staff + ". Initial it to say you went through it.", size="2"),
                    rx.form(
                        rx.el.input(type="hidden", name="item_id", value=card.item_id),
                        rx.flex(
                            rx.vstack(
                                field_label("Your initials", field_id),
                                rx.input(id=field_id, name="initials", max_length=8, width="8rem",
                                         auto_complete="off", auto_capitalize="characters",
                                         aria_describedby=field_id + "-error"),
                                spacing="1",
                            ),
                            rx.button("Initial", type="submit", size="3", aria_label="Initial: " + card.label),
                            align="end", spacing="2", wrap="wrap",
                        ),
                        field_error(rx.cond(S.error_item == card.item_id, S.item_error, ""), field_id),
                        on_submit=S.initial, reset_on_submit=False, no_validate=True,
                    ),
                    spacing="1", width="100%",
                ),
                rx.text("Your counsellor will go through this with you.", size="2", color_scheme="gray"),
            ),
        ),
        class_name="orientation-item",
        style={"padding": "0.6rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def orientation_page() -> rx.Component:
    return client_page(
        "Orientation",
        "What your counsellor went through with you when you started: the program's rules, schedule, your "
        "rights and more. Initial each item once you have gone through it together.",
        S,
        rx.text(S.done.to_string() + " of " + S.items.length().to_string() + " initialled", size="2",
                role="status", id="orientation-count"),
        rx.el.ul(rx.foreach(S.items, _item), id="orientation-items", style={"padding": 0, "margin": 0}),
    )
