"""What the client portal pages share.

Phone first: single column, full-width fields, wrapping button rows; nothing is
wider than the screen at 375 px. Copy is plain and kind.
"""

from __future__ import annotations

import reflex as rx

WIDTH = "48rem"


def label(text, html_for) -> rx.Component:
    return rx.el.label(text, html_for=html_for, style={"fontWeight": 500, "fontSize": "0.9rem"})
