"""Client portal pages (placeholder until the client-portal issue lands)."""

import reflex as rx

from .. import routes
from ..components.ui import page_frame
from ..state.client import ClientHomeState


def client_home() -> rx.Component:
    return page_frame("My recovery", rx.text("Welcome."))


def register(app: rx.App) -> None:
    app.add_page(client_home, route=routes.CLIENT_HOME, title="My recovery · IOP", on_load=ClientHomeState.load)
