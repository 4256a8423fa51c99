"""Sign-in, the role router at `/`, and the refusal page."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.ui import error_banner, notice, page_frame, text_field
from ..state.base import HomeState, SessionState, SignInState


def signin_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.el.main(
                rx.heading("Sign in", as_="h1", size="6"),
                rx.text("Harbor Light Intensive Outpatient Program", color_scheme="gray", size="2"),
                notice(SessionState.flash, "blue"),
                rx.form(
                    rx.vstack(
                        text_field("Email", "email", "signin-email", type="email", error=SignInState.email_error,
                                   auto_complete="username", required=True),
                        text_field("Password", "password", "signin-password", type="password",
                                   auto_complete="current-password", required=True),
                        error_banner(SignInState.form_error),
                        rx.button("Sign in", type="submit", width="100%", size="3"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=SignInState.sign_in,
                    reset_on_submit=False,
                ),
                rx.text(
                    "No account? Your program staff create accounts for clients and staff; "
                    "family members join by a client's invitation.",
                    size="1", color_scheme="gray", margin_top="1rem",
                ),
                id="main",
            ),
            width="100%",
            max_width="26rem",
        ),
        padding="1rem",
        min_height="100vh",
    )


def home_page() -> rx.Component:
    return rx.center(rx.spinner(size="3"), rx.text("Loading…"), min_height="50vh")


def denied_page() -> rx.Component:
    return page_frame(
        "Not available",
        rx.text("You do not have access to that page. The attempt has been recorded."),
        rx.button("Go to my home page", on_click=SessionState.go_home, margin_top="1rem"),
    )


def register(app: rx.App) -> None:
    app.add_page(signin_page, route=routes.SIGNIN, title="Sign in · IOP", on_load=SignInState.check_already_signed_in)
    app.add_page(home_page, route=routes.HOME, title="IOP", on_load=HomeState.route)
    app.add_page(denied_page, route=routes.DENIED, title="Not available · IOP")
