"""Placeholder app (to be replaced)."""

import reflex as rx


def index() -> rx.Component:
    return rx.text("IOP")


app = rx.App()
app.add_page(index, route="/")
