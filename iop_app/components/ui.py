"""Shared building blocks: the page frame, labelled fields, messages.

Accessibility rules every page follows: each field has a visible <label> tied
to it by id; errors sit right under their field and are linked with
aria-describedby; buttons have visible text or an aria-label; everything works
from the keyboard and at 375 px wide.
"""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..state.base import SessionState

NAV = {
    "client": [("Home", routes.CLIENT_HOME), ("Check-in", routes.CLIENT_CHECKIN), ("Goals", routes.CLIENT_GOALS),
               ("Needs", routes.CLIENT_NEEDS), ("Family", routes.CLIENT_FAMILY)],
    "therapist": [("Roster", routes.STAFF_ROSTER), ("Groups", routes.STAFF_GROUPS),
                  ("Family sessions", routes.STAFF_FAMILY_SESSIONS)],
    "director": [("Overview", routes.DIRECTOR_HOME), ("Roster", routes.STAFF_ROSTER), ("Groups", routes.STAFF_GROUPS),
                 ("Family sessions", routes.STAFF_FAMILY_SESSIONS), ("Accounts", routes.DIRECTOR_ACCOUNTS),
                 ("Audit log", routes.DIRECTOR_AUDIT), ("Emergency access", routes.DIRECTOR_BREAK_GLASS)],
    "family": [("Home", routes.FAMILY_HOME)],
}


def _nav_links(role: str) -> rx.Component:
    return rx.hstack(
        *[rx.link(label, href=href, size="2", weight="medium") for label, href in NAV[role]],
        spacing="3",
        wrap="wrap",
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(rx.text("Harbor Light IOP", size="4", weight="bold"), href=routes.HOME, underline="none"),
            rx.spacer(),
            rx.cond(
                SessionState.viewer_name != "",
                rx.hstack(
                    rx.text(SessionState.viewer_name, size="2", color_scheme="gray"),
                    rx.button("Sign out", on_click=SessionState.sign_out, variant="soft", size="2"),
                    align="center",
                    spacing="2",
                ),
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.el.nav(
            rx.match(
                SessionState.viewer_role,
                ("client", _nav_links("client")),
                ("therapist", _nav_links("therapist")),
                ("director", _nav_links("director")),
                ("family", _nav_links("family")),
                rx.fragment(),
            ),
            aria_label="Main",
            style={"marginTop": "0.5rem"},
        ),
        style={"padding": "0.75rem 1rem", "borderBottom": "1px solid var(--gray-5)", "background": "var(--gray-2)"},
    )


def page_frame(title: str, *children: rx.Component, width: str = "72rem") -> rx.Component:
    """The frame of every signed-in page: skip link, header, one <main> with an h1."""
    return rx.box(
        rx.el.a("Skip to main content", href="#main", class_name="skip-link"),
        header(),
        rx.el.main(
            rx.heading(title, size="6", as_="h1", margin_bottom="0.75rem"),
            *children,
            id="main",
            tab_index=-1,
            style={"maxWidth": width, "margin": "0 auto", "padding": "1rem", "width": "100%"},
        ),
        width="100%",
    )


def field_error(message: rx.Var, field_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(message, id=f"{field_id}-error", color_scheme="red", size="2", role="alert"),
    )


def text_field(
    label: str,
    name: str,
    field_id: str,
    *,
    error: rx.Var | str = "",
    type: str = "text",
    required: bool = False,
    hint: str = "",
    **input_props,
) -> rx.Component:
    """A visible label, the input, an optional hint, and its error message below it."""
    described = f"{field_id}-error" + (f" {field_id}-hint" if hint else "")
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": 500, "fontSize": "0.9rem"}),
        rx.cond(hint != "", rx.text(hint, id=f"{field_id}-hint", size="1", color_scheme="gray")) if hint else rx.fragment(),
        rx.input(id=field_id, name=name, type=type, required=required, aria_describedby=described,
                 width="100%", **input_props),
        field_error(error, field_id) if isinstance(error, rx.Var) else rx.fragment(),
        spacing="1",
        width="100%",
        align="stretch",
    )


def textarea_field(label: str, name: str, field_id: str, *, error: rx.Var | str = "", **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": 500, "fontSize": "0.9rem"}),
        rx.text_area(id=field_id, name=name, aria_describedby=f"{field_id}-error", width="100%", **props),
        field_error(error, field_id) if isinstance(error, rx.Var) else rx.fragment(),
        spacing="1",
        width="100%",
        align="stretch",
    )


def select_field(label: str, name: str, field_id: str, options: list[tuple[str, str]] | rx.Var, *,
                 error: rx.Var | str = "", value=None, on_change=None, **props) -> rx.Component:
    """A native <select> (keyboard- and screen-reader-friendly). options: (value, label)."""
    if isinstance(options, rx.Var):
        opts = rx.foreach(options, lambda o: rx.el.option(o[1], value=o[0]))
    else:
        opts = [rx.el.option(text, value=val) for val, text in options]
    extra = {}
    if value is not None:
        extra["value"] = value
    if on_change is not None:
        extra["on_change"] = on_change
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": 500, "fontSize": "0.9rem"}),
        rx.el.select(opts, id=field_id, name=name, aria_describedby=f"{field_id}-error", class_name="native-select",
                     **extra, **props),
        field_error(error, field_id) if isinstance(error, rx.Var) else rx.fragment(),
        spacing="1",
        width="100%",
        align="stretch",
    )


def notice(message: rx.Var, color: str = "green") -> rx.Component:
    """A status line (role=status) shown when `message` is not empty."""
    return rx.cond(message != "", rx.callout(message, color_scheme=color, role="status", margin_y="0.5rem"))


def error_banner(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, color_scheme="red", role="alert", margin_y="0.5rem"))


def card(*children, **props) -> rx.Component:
    return rx.card(rx.vstack(*children, spacing="2", align="stretch"), width="100%", **props)


def stat(label: str, value: rx.Var | str, detail: rx.Var | str = "") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="6", weight="bold"),
            rx.text(detail, size="1", color_scheme="gray"),
            spacing="1",
        ),
        min_width="9rem",
        flex="1",
    )
