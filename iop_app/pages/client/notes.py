"""The client's own signed progress notes (only when the program shows them)."""

from __future__ import annotations

import reflex as rx

from ...state.client.notes import ClientNoteCard
from ...state.client.notes import ClientNotesState as S
from .base import client_page


def _section(pair: rx.Var[list[str]]) -> rx.Component:
    return rx.box(rx.text(pair[0], weight="medium", size="2"), rx.text(pair[1], size="2",
                                                                        style={"whiteSpace": "pre-line"}))


def _card(card: rx.Var[ClientNoteCard]) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.heading(card.heading, as_="h2", size="3"),
                rx.text(card.byline, size="2", color_scheme="gray"),
                rx.foreach(card.sections, _section),
                rx.foreach(card.addenda, lambda line: rx.text(line, size="2", style={"fontStyle": "italic"})),
                spacing="2", align="stretch",
            ),
            width="100%",
        ),
        style={"listStyle": "none", "marginBottom": "0.75rem"},
    )


def client_notes_page() -> rx.Component:
    return client_page(
        "My progress notes",
        "The notes your counsellors signed after your sessions.",
        S,
        rx.cond(
            S.shown,
            rx.cond(
                S.cards.length() > 0,
                rx.el.ul(rx.foreach(S.cards, _card), id="my-notes", style={"padding": 0, "margin": 0}),
                rx.text("No signed notes yet.", id="my-notes-empty"),
            ),
            rx.text("Your program does not show progress notes in the app. You can ask your counsellor "
                    "for a copy of your record.", id="my-notes-off"),
        ),
    )
