"""The tabs of one client's record for staff: the overview and the clinical
record's pages (intake, treatment plan, notes). Each page of the record draws it
under its h1 with the client id from its own state, so the pages stay separate
substates and the links stay plain anchors (keyboard and screen-reader friendly)."""

from __future__ import annotations

import reflex as rx

from .ui import error_banner, notice, page_frame

# (label, the path after /staff/clients/<id>): the order staff read a chart in.
RECORD_TABS = (
    ("Overview", ""),
    ("Intake and assessment", "/intake"),
    ("Treatment plan", "/plan"),
    ("Notes and services", "/notes"),
    ("Screens", "/screens"),
    ("Referrals", "/referrals"),
    ("Recovery tools", "/tools"),
    ("Discharge", "/discharge"),
)


def record_nav(current: str) -> rx.Component:
    """Links to every page of the record; `current` is the label of this page
    (marked with aria-current so assistive technology announces where you are).
    The client id is the page's own URL argument ([client_id] in routes.py), which
    Reflex keeps on the root state once a route with that argument is added."""
    base = "/staff/clients/" + rx.State.client_id.to(str)
    return rx.el.nav(
        rx.hstack(
            *[
                rx.link(label, href=base + suffix, weight="medium",
                        aria_current="page" if label == current else None,
                        underline="always" if label == current else "hover")
                for label, suffix in RECORD_TABS
            ],
            wrap="wrap", spacing="4",
        ),
        aria_label="Client record",
        style={"marginBottom": "0.75rem"},
    )


def record_page(title: str, state, *children: rx.Component, tab: str = "", **frame) -> rx.Component:
    """A page of one client's record: the signed-in frame titled `title`, the record's
    tabs with `tab` (else `title`) current, then the page state's error and message."""
    return page_frame(title, record_nav(tab or title), error_banner(state.error), notice(state.message), *children,
                      **frame)


def record_body(state, *children: rx.Component, spacing: str = "4") -> rx.Component:
    """What a record page shows once its client is found: the client's name, then `children`."""
    return rx.cond(state.found, rx.vstack(rx.heading(state.client_name, as_="h2", size="5"), *children,
                                          spacing=spacing, width="100%", align="stretch"))
