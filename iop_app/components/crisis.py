"""Crisis resources, drawn the same wherever a client may need them at once: after a
high-craving check-in and after a PHQ-9 whose item 9 is above 0. The lines
themselves are data in services/checkins.CRISIS_LINES (one list for the program).
The panel also shows the client's own safety plan in short (what they can do, who
to call) and a link to all of it (issue #13)."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..services import checkins
from ..state.client import MyPlansState
from .recovery_tools import PRE, big_link, contact_list


def crisis_lines() -> rx.Component:
    """Who to call or text now, as tap-to-call links, and 911 for danger right now."""
    return rx.vstack(
        *[
            rx.text(rx.text.strong(name), ": ", rx.link(how, href=tel), size="2")
            for name, how, tel in checkins.CRISIS_LINES
        ],
        rx.text("If you are in danger right now, call 911.", size="2"),
        spacing="1",
        align="start",
    )


def support_panel(heading: str, intro: str, *middle: rx.Component, panel_id: str = "support-panel",
                  label: str = "Support right now") -> rx.Component:
    """The amber panel shown at once after an answer that needs support: a heading, a
    kind line, what may help (`middle`), then the crisis lines."""
    return rx.callout.root(
        rx.vstack(
            rx.heading(heading, as_="h2", size="4"),
            rx.text(intro, size="2"),
            *middle,
            safety_plan_box(),
            rx.text(rx.text.strong("Talk to someone now, any time:"), size="2"),
            crisis_lines(),
            spacing="2",
            align="start",
        ),
        color_scheme="amber",
        role="region",
        aria_label=label,
        id=panel_id,
        margin_y="0.75rem",
    )


def safety_plan_box() -> rx.Component:
    """The client's own safety plan in short, and a link to all of it. Loaded when the
    panel appears (the panel is drawn only after an answer that raises an alarm)."""
    m = MyPlansState
    return rx.box(
        rx.cond(
            m.has_safety_plan,
            rx.vstack(
                rx.text(rx.text.strong("From my safety plan:"), size="2"),
                rx.cond(m.safety_coping != "", rx.el.p(m.safety_coping, style={**PRE, "fontSize": "0.9rem"})),
                contact_list(m.safety_people, "crisis-plan-people"),
                spacing="1", align="start",
            ),
        ),
        big_link("Open my safety plan", routes.CLIENT_SAFETY_PLAN, id="crisis-safety-plan", margin_top="0.5rem"),
        on_mount=MyPlansState.load,
        width="100%",
    )
