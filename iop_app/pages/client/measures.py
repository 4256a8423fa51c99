"""One questionnaire, one item per screen (phone first): the item as the legend of a
group of big radio buttons with visible labels, "Item 3 of 9", Back / Next, then a
screen to check the answers and submit once. The instrument's credit line and licence
are shown under the form wherever they exist."""

from __future__ import annotations

import reflex as rx

from ... import routes
from ...components.crisis import support_panel
from ...components.ui import LABEL_STYLE, field_error
from ...state.client import MeasureFormState as S
from ...state.client.measures import OptionLine, ReviewLine
from .base import client_page

# A whole row is the tap target: at least 48 px high, the full width of the screen.
OPTION_STYLE = {"display": "flex", "alignItems": "center", "gap": "0.75rem", "minHeight": "3rem",
                "padding": "0.5rem 0.75rem", "border": "1px solid var(--gray-6)", "borderRadius": "8px",
                "width": "100%", "cursor": "pointer", "fontSize": "1rem"}
CHOSEN_STYLE = {**OPTION_STYLE, "border": "2px solid var(--accent-9)", "background": "var(--accent-2)"}


def _option(option: rx.Var[OptionLine]) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="radio", name="answer", id=option.id, value=option.value,
                    checked=S.selected == option.value, on_change=S.choose(option.value),
                    aria_describedby="measure-answer-error",
                    style={"width": "1.4rem", "height": "1.4rem", "flexShrink": 0}),
        rx.text.span(option.label),
        html_for=option.id,
        style=rx.cond(S.selected == option.value, CHOSEN_STYLE, OPTION_STYLE),
    )


def _item_screen() -> rx.Component:
    return rx.vstack(
        rx.el.fieldset(
            rx.el.legend(S.item_text, style={**LABEL_STYLE, "fontSize": "1.05rem", "marginBottom": "0.5rem"}),
            rx.cond(S.item_parts.length() > 0,
                    rx.el.ul(rx.foreach(S.item_parts, lambda part: rx.el.li(part)),
                             style={"paddingLeft": "1.2rem", "fontSize": "0.9rem", "marginBottom": "0.5rem"})),
            rx.cond(S.item_optional, rx.text("You may skip this one.", size="2", color_scheme="gray")),
            rx.vstack(rx.foreach(S.options, _option), spacing="2", width="100%"),
            id="measure-item",
            style={"border": "none", "padding": 0, "margin": 0, "width": "100%", "minWidth": 0},
        ),
        field_error(S.errors.get("answer", ""), "measure-answer"),
        rx.hstack(
            rx.button("Back", on_click=S.previous_item, variant="soft", size="3", disabled=S.index == 0),
            rx.button("Next", on_click=S.next_item, size="3"),
            spacing="3", width="100%", justify="between",
        ),
        spacing="3",
        width="100%",
    )


def _review_line(line: rx.Var[ReviewLine]) -> rx.Component:
    return rx.el.li(
        rx.text(line.number + ". " + line.text, size="2", weight="medium"),
        rx.hstack(
            rx.text(line.answer, size="2"),
            rx.button("Change", size="2", variant="ghost", on_click=S.go_to(line.index),
                      aria_label="Change the answer to item " + line.number),
            justify="between", align="center", width="100%", wrap="wrap",
        ),
        style={"padding": "0.4rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def _review_screen() -> rx.Component:
    return rx.vstack(
        rx.heading("Check your answers", as_="h2", size="4"),
        rx.el.ul(rx.foreach(S.review, _review_line), style={"padding": 0, "margin": 0, "width": "100%"}),
        field_error(S.errors.get("answer", ""), "measure-answer"),
        rx.hstack(
            rx.button("Back", on_click=S.previous_item, variant="soft", size="3"),
            rx.button("Submit", on_click=S.submit, size="3", disabled=S.done, id="measure-submit"),
            spacing="3", width="100%", justify="between",
        ),
        spacing="3",
        width="100%",
    )


def _crisis_panel() -> rx.Component:
    return support_panel(
        "You don't have to go through this alone",
        "You told us you have had thoughts that you would be better off dead or of hurting yourself. "
        "Thank you for saying so. Your care team has been told and will reach out to you. If you feel "
        "you might act on these thoughts, please reach out now:",
        panel_id="crisis-panel",
        label="Crisis support",
    )


def _credit() -> rx.Component:
    return rx.box(
        rx.cond(S.credit != "", rx.text(S.credit, size="1", color_scheme="gray")),
        rx.cond(S.licence != "", rx.text(S.licence, size="1", color_scheme="gray")),
        margin_top="1.5rem", padding_top="0.5rem", border_top="1px solid var(--gray-5)", id="measure-credit",
    )


def measure_page() -> rx.Component:
    return client_page(
        "Questionnaire",
        "A few questions about how you have been. Your answers are kept as you go; you can stop and come back.",
        S,
        rx.cond(S.show_crisis, _crisis_panel()),
        rx.cond(
            S.available,
            rx.vstack(
                rx.heading(S.name + ": " + S.title, as_="h2", size="4"),
                rx.cond(S.due_label != "", rx.text(S.due_label, size="2", color_scheme="gray")),
                rx.cond(
                    S.done,
                    rx.link("Back to my home page", href=routes.CLIENT_HOME, weight="bold", id="measure-done"),
                    rx.vstack(
                        rx.text(S.instructions, size="2"),
                        rx.text(S.progress_label, size="2", weight="bold", role="status", id="measure-progress"),
                        rx.progress(value=S.progress_pct, max=100, aria_label="Answered so far"),
                        rx.cond(S.on_review, _review_screen(), _item_screen()),
                        spacing="3",
                        width="100%",
                    ),
                ),
                _credit(),
                spacing="3",
                width="100%",
            ),
            rx.link("Back to my home page", href=routes.CLIENT_HOME),
        ),
    )
