"""What the client portal pages share.

Phone first: single column, full-width fields, wrapping button rows; nothing is
wider than the screen at 375 px. Copy is plain and kind.
"""

from __future__ import annotations

import reflex as rx

WIDTH = "48rem"


def label(text, html_for) -> rx.Component:
    return rx.el.label(text, html_for=html_for, style={"fontWeight": 500, "fontSize": "0.9rem"})


def keyed_form(*fields: rx.Component, key: rx.Var, on_submit) -> rx.Component:
    """A form the server empties by changing `key` (its fields are drawn anew). The
    browser's own checks are off: the server's messages show next to the fields."""
    return rx.form(
        rx.fragment(rx.vstack(*fields, spacing="3", width="100%"), key=key.to_string()),
        on_submit=on_submit, reset_on_submit=False, no_validate=True,
    )
