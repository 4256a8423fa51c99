"""Shared building blocks: the page frame, labelled fields, messages.

Accessibility rules every page follows (tests/browser/test_accessibility.py runs
axe-core, WCAG 2.1 A/AA, on every page at 1280 and 375 px): each field has a
visible <label> tied to it by id; errors sit right under their field and are
linked with aria-describedby; a button's accessible name starts with its visible
text (an aria-label only adds context after it: "Leave today: Alex Morgan");
wide tables scroll inside a named, focusable region (table_region / data_table);
colours come from the theme tokens that assets/styles.css darkens to 4.5:1;
everything works from the keyboard and at 375 px wide without sideways scroll.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex_base.components.component import field
from reflex_base.event import EventHandler, no_args_event_spec
from reflex_base.vars.base import Var
from reflex_components_core.base.fragment import Fragment

from .. import routes
from ..models.enums import Role
from ..state.base import SessionState

# How often a signed-in page asks whether its session is still alive. An idle tab is
# cleared and sent to sign-in at most this long after its session times out.
SESSION_CHECK_MS = 30_000

NAV = {
    Role.CLIENT: [("Home", routes.CLIENT_HOME), ("Safety plan", routes.CLIENT_SAFETY_PLAN),
                  ("Check-in", routes.CLIENT_CHECKIN), ("Tools", routes.CLIENT_TOOLS), ("Goals", routes.CLIENT_GOALS),
                  ("Needs", routes.CLIENT_NEEDS), ("My plan", routes.CLIENT_PLAN), ("My notes", routes.CLIENT_NOTES),
                  ("Family", routes.CLIENT_FAMILY),
                  ("Orientation", routes.CLIENT_ORIENTATION), ("My screens", routes.CLIENT_SCREENS),
                  ("Resources", routes.CLIENT_RESOURCES)],
    Role.THERAPIST: [("Roster", routes.STAFF_ROSTER), ("Groups", routes.STAFF_GROUPS),
                     ("Family sessions", routes.STAFF_FAMILY_SESSIONS), ("My notes", routes.STAFF_NOTES),
                     ("Follow-ups", routes.STAFF_FOLLOW_UPS), ("Resources", routes.STAFF_RESOURCES)],
    Role.DIRECTOR: [("Overview", routes.DIRECTOR_HOME), ("Roster", routes.STAFF_ROSTER),
                    ("Groups", routes.STAFF_GROUPS), ("Family sessions", routes.STAFF_FAMILY_SESSIONS),
                    ("My notes", routes.STAFF_NOTES), ("Accounts", routes.DIRECTOR_ACCOUNTS),
                    ("Audit log", routes.DIRECTOR_AUDIT), ("Emergency access", routes.DIRECTOR_BREAK_GLASS),
                    ("Orientation", routes.DIRECTOR_ORIENTATION), ("Screen panel", routes.DIRECTOR_SCREEN_PANEL),
                    ("Follow-ups", routes.STAFF_FOLLOW_UPS), ("Reports", routes.DIRECTOR_REPORTS),
                    ("Resources", routes.STAFF_RESOURCES), ("Supervision", routes.DIRECTOR_SUPERVISION)],
    Role.FAMILY: [("Home", routes.FAMILY_HOME)],
}


def _nav_links(role: Role) -> rx.Component:
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
                *[(role.value, _nav_links(role)) for role in NAV],
                rx.fragment(),
            ),
            aria_label="Main",
            style={"marginTop": "0.5rem"},
        ),
        style={"padding": "0.75rem 1rem", "borderBottom": "1px solid var(--gray-5)", "background": "var(--gray-2)"},
    )


class Ticker(Fragment):
    """Draws nothing; fires `on_tick` every `every_ms` milliseconds while the page is open."""

    on_tick: EventHandler[no_args_event_spec] = field(doc="Fired on every tick.")
    every_ms: int = field(default=SESSION_CHECK_MS, is_javascript_property=False)

    @classmethod
    def create(cls, **props) -> Ticker:
        from reflex_base.components.memoize_helpers import get_memoized_event_triggers

        component = cast("Ticker", super().create(**props))
        # As rx.window_event_listener does: the trigger becomes a stable callback.
        if memoized := get_memoized_event_triggers(component):
            component.event_triggers = {**component.event_triggers, **memoized}
        return component

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), *self.event_triggers.keys()]

    def add_imports(self) -> dict:
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str | Var[Any]]:
        tick = self.event_triggers.get("on_tick")
        if tick is None:
            return []
        return [Var(f"""
useEffect(() => {{
    const tick = {Var.create(tick)};
    const timer = setInterval(() => tick(), {int(self.every_ms)});
    return () => clearInterval(timer);
}}, []);
""")]


def page_frame(title: str, *children: rx.Component, width: str = "72rem", feedback=None) -> rx.Component:
    """The frame of every signed-in page: skip link, header, one <main> with an h1,
    and the session check: a tab left idle past the timeout clears its screen and
    goes to sign-in by itself (the check does not count as activity). `feedback`: a
    page state whose `message` and `error` (the skeleton's) show under the title."""
    if feedback is not None:
        children = (notice(feedback.message), error_banner(feedback.error), *children)
    return rx.box(
        Ticker.create(on_tick=SessionState.check_session, every_ms=SESSION_CHECK_MS),
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


# One look for every field label.
LABEL_STYLE = {"fontWeight": 500, "fontSize": "0.9rem"}


def field_label(text, html_for) -> rx.Component:
    """The visible label of the field with id `html_for`."""
    return rx.el.label(text, html_for=html_for, style=LABEL_STYLE)


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
        field_label(label, field_id),
        (rx.cond(hint != "", rx.text(hint, id=f"{field_id}-hint", size="1", color_scheme="gray"))
         if hint else rx.fragment()),
        rx.input(id=field_id, name=name, type=type, required=required, aria_describedby=described,
                 width="100%", **input_props),
        field_error(error, field_id) if isinstance(error, rx.Var) else rx.fragment(),
        spacing="1",
        width="100%",
        align="stretch",
    )


def textarea_field(label: str, name: str, field_id: str, *, error: rx.Var | str = "", **props) -> rx.Component:
    return rx.vstack(
        field_label(label, field_id),
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
        field_label(label, field_id),
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


def submit_form(*fields: rx.Component, submit: str, on_submit, reset_on_submit: bool,
                button: dict | None = None, **stack_props) -> rx.Component:
    """A form: `fields` stacked (rx.vstack with `stack_props`) above its submit button
    labelled `submit` (`button`: more props for it)."""
    return rx.form(
        rx.vstack(*fields, rx.button(submit, type="submit", **(button or {})), **stack_props),
        on_submit=on_submit,
        reset_on_submit=reset_on_submit,
    )


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


def table_region(label: str | rx.Var, table: rx.Component, **props) -> rx.Component:
    """The horizontal scroller around a wide table: at 375 px the table scrolls
    here, not the page. A named region with tabindex=0, so keyboard users can
    reach it and scroll it with the arrow keys (WCAG 2.1.1)."""
    return rx.box(table, class_name="table-scroll", role="region", aria_label=label, tab_index=0, **props)


def data_table(label: str | rx.Var, headers: list, rows: rx.Var, row_fn, *, class_name: str = "data",
               caption: str | rx.Component | None = None) -> rx.Component:
    """A table of `rows` (one `row_fn(row)` <tr> each) in its table_region named
    `label`. headers: column titles (plain strings get <th scope="col">) or
    ready-made <th> components."""
    head = [rx.el.th(h, scope="col") if isinstance(h, str) else h for h in headers]
    return table_region(
        label,
        rx.el.table(
            *([rx.el.caption(caption)] if caption is not None else []),
            rx.el.thead(rx.el.tr(*head)),
            rx.el.tbody(rx.foreach(rows, row_fn)),
            class_name=class_name,
        ),
    )
def stale_notice(message: rx.Var, on_reload, draft: rx.Var | None = None, on_discard=None) -> rx.Component:
    """A save refused because someone saved first: who and when, and a Reload button.
    After reloading, the refused text stays on screen (to copy back) until discarded."""
    parts = [rx.cond(message != "", rx.callout.root(
        rx.callout.text(message),
        rx.button("Reload", on_click=on_reload, size="2", variant="outline", width="fit-content"),
        color_scheme="amber", role="alert", margin_y="0.5rem",
    ))]
    if draft is not None:
        parts.append(rx.cond((message == "") & (draft != ""), rx.box(
            rx.text("Your unsaved text (not saved):", weight="medium", size="2"),
            rx.el.pre(draft, style={"whiteSpace": "pre-wrap", "fontFamily": "inherit", "margin": "0.25rem 0",
                                    "padding": "0.5rem", "background": "var(--amber-2)",
                                    "border": "1px solid var(--amber-6)", "borderRadius": "4px"}),
            rx.button("Discard my unsaved text", on_click=on_discard, size="1", variant="soft", color_scheme="gray"),
            width="100%", margin_y="0.5rem",
        )))
    return rx.fragment(*parts)
