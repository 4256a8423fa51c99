"""Therapist workspace pages (placeholder until the therapist issue lands)."""

import reflex as rx

from .. import routes
from ..components.ui import page_frame
from ..state.staff import RosterState


def roster_page() -> rx.Component:
    return page_frame("Caseload roster", rx.text("Clients on your caseload."))


def register(app: rx.App) -> None:
    app.add_page(roster_page, route=routes.STAFF_ROSTER, title="Roster · IOP", on_load=RosterState.load)
