"""The client's hierarchy of needs."""

from __future__ import annotations

import reflex as rx

from ...components.focus import focus_after_render
from ...components.ui import field_error, select_field, text_field
from ...state.client import NeedsState
from .base import client_page, keyed_form


def _need_row(row) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.text(row.position.to_string() + ".", weight="bold", min_width="1.5rem"),
            rx.box(
                rx.text(row.label, weight="medium", class_name="need-label"),
                rx.flex(rx.text(row.area, size="1", color_scheme="gray"),
                        rx.cond(row.in_focus, rx.badge("Working on this now", color_scheme="teal")),
                        spacing="2", wrap="wrap", align="center"),
                flex="1",
                min_width="8rem",
            ),
            rx.flex(
                rx.button(rx.icon("arrow-up", size=16), "Up", id="need-up-" + row.id, size="2", variant="soft",
                          aria_label="Move " + row.label + " up", on_click=NeedsState.move_up(row.id),
                          disabled=row.position == 1),
                rx.button(rx.icon("arrow-down", size=16), "Down", id="need-down-" + row.id, size="2",
                          variant="soft", aria_label="Move " + row.label + " down",
                          on_click=NeedsState.move_down(row.id),
                          disabled=row.position == NeedsState.rows.length()),
                rx.button("Remove", size="2", variant="outline", color_scheme="gray",
                          aria_label="Remove " + row.label, on_click=NeedsState.remove_need(row.id)),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        style={"padding": "0.5rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def _snapshot(snapshot) -> rx.Component:
    return rx.box(
        rx.text(rx.text.strong(snapshot.when), size="2"),
        rx.el.ul(rx.foreach(snapshot.lines, lambda item: rx.el.li(item)),
                 style={"paddingLeft": "0.5rem", "listStyle": "none", "fontSize": "0.9rem", "margin": 0}),
        padding_y="0.4rem",
        border_bottom="1px solid var(--gray-4)",
    )


def needs_page() -> rx.Component:
    s = NeedsState
    errors = s.errors
    return client_page(
        "My needs",
        "List what is going on in your life and put it in order: the most important first. "
        "Your therapist uses this order to decide what to work on first.",
        s,
        rx.card(
            rx.heading("My order", as_="h2", size="4"),
            rx.cond(s.rows.length() > 0,
                    rx.el.ol(rx.foreach(s.rows, _need_row), style={"padding": 0, "margin": 0}, id="needs-list",
                             aria_label="My needs, most important first"),
                    rx.text("Your list is empty. Add a need below.", size="2")),
            rx.text(s.move_status, role="status", aria_live="polite", size="2", color_scheme="gray"),
            focus_after_render(s.focus_request),
            field_error(errors.get("order", ""), "needs-order"),
            rx.flex(
                rx.button("Save order", on_click=s.save_order, disabled=s.rows.length() == 0),
                rx.cond(s.unsaved, rx.button("Undo changes", on_click=s.undo_changes, variant="soft")),
                rx.cond(s.unsaved, rx.text("Changes not saved yet.", size="2", color_scheme="amber")),
                spacing="2", wrap="wrap", align="center", margin_top="0.5rem",
            ),
            width="100%",
        ),
        rx.card(
            rx.heading("Add a need", as_="h2", size="4", margin_bottom="0.5rem"),
            keyed_form(
                select_field("Common needs", "common", "need-common",
                             rx.Var.create([["", "Pick one…"]]).to(list[list[str]]) + s.common_options,
                             error=errors.get("common", "")),
                text_field("Or write your own", "custom", "need-custom", error=errors.get("custom", "")),
                select_field("Life area (for your own)", "area", "need-area", s.area_options,
                             error=errors.get("area", ""), default_value="other"),
                rx.button("Add need", type="submit"),
                key=s.form_key, on_submit=s.add_need,
            ),
            width="100%",
            margin_top="1rem",
        ),
        rx.card(
            rx.heading("How my priorities changed", as_="h2", size="4"),
            rx.cond(s.history.length() > 0, rx.foreach(s.history, _snapshot),
                    rx.text("No saved orders yet.", size="2")),
            width="100%",
            margin_top="1rem",
        ),
    )
