"""Family portal pages (placeholder until the family issue lands)."""

import reflex as rx

from .. import routes
from ..components.ui import page_frame
from ..state.family import FamilyHomeState


def family_home() -> rx.Component:
    return page_frame("Family portal", rx.text("Family sessions you have been invited to."))


def register(app: rx.App) -> None:
    app.add_page(family_home, route=routes.FAMILY_HOME, title="Family · IOP", on_load=FamilyHomeState.load)
