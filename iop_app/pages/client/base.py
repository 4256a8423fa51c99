"""What the client portal pages share.

Phone first: single column, full-width fields, wrapping button rows; nothing is
wider than the screen at 375 px. Copy is plain and kind.
"""

from __future__ import annotations

import reflex as rx

from ...components.ui import error_banner, field_label, notice, page_frame

WIDTH = "48rem"


label = field_label  # the client pages' name for it


def keyed_form(*fields: rx.Component, key: rx.Var, on_submit) -> rx.Component:
    """A form the server empties by changing `key` (its fields are drawn anew). The
    browser's own checks are off: the server's messages show next to the fields."""
    return rx.form(
        rx.fragment(rx.vstack(*fields, spacing="3", width="100%"), key=key.to_string()),
        on_submit=on_submit, reset_on_submit=False, no_validate=True,
    )


def client_page(title: str, intro: str, state, *children: rx.Component) -> rx.Component:
    """A client portal page: its title, a line on what it is for, then what just
    succeeded (`state.message`) or was refused (`state.error`)."""
    return page_frame(title, rx.text(intro, size="2", margin_bottom="0.5rem"), notice(state.message),
                      error_banner(state.error), *children, width=WIDTH)
