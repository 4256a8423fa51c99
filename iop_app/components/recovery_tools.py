"""What the recovery-tools pages draw alike (client and staff): a versioned
document's form and its earlier versions, people to call as tap-to-call links, the
urge log beside the diary. Phone first: full-width fields, big tap targets
(2.75rem high), visible labels."""

from __future__ import annotations

import reflex as rx

from ..services.recovery_tools import Kind
from .ui import data_table, field_error, field_label, notice, stale_notice

# A link drawn as a big button (a button inside a link would be two controls in one).
BIG_LINK = {"display": "inline-flex", "alignItems": "center", "justifyContent": "center", "minHeight": "2.75rem",
            "padding": "0 1.1rem", "borderRadius": "8px", "background": "var(--accent-9)", "color": "white",
            "fontWeight": 600, "textDecoration": "none"}
SOFT_LINK = {**BIG_LINK, "background": "var(--accent-3)", "color": "var(--accent-11)"}
PRE = {"whiteSpace": "pre-wrap", "margin": 0}


def big_link(text, href, *, soft: bool = False, **props) -> rx.Component:
    return rx.link(text, href=href, style=SOFT_LINK if soft else BIG_LINK, **props)


def contact_list(rows: rx.Var, list_id: str) -> rx.Component:
    """People to call: each a tap-to-call link ("Call Sam") with the number beside it;
    a line without a number as plain text."""
    return rx.el.ul(
        rx.foreach(rows, lambda c: rx.el.li(
            rx.cond(
                c.tel != "",
                rx.hstack(
                    rx.link("Call " + c.name, href=c.tel, style=SOFT_LINK,
                            aria_label="Call " + c.name + ", " + c.phone),
                    rx.text(c.phone, size="2", color_scheme="gray"),
                    align="center", spacing="2", wrap="wrap",
                ),
                rx.text(c.name, size="2"),
            ),
            style={"listStyle": "none", "padding": "0.25rem 0"},
        )),
        id=list_id, style={"padding": 0, "margin": 0},
    )


def document_form(state, prefix: str, kind: Kind, on_submit, submit: str, *, rows: str = "3") -> rx.Component:
    """The form of a versioned document: one labelled text box per part, filled with
    the latest version (refilled when a newer one is shown), the messages beside."""
    values = getattr(state, f"{prefix}_values")
    errors = getattr(state, f"{prefix}_errors")
    fields = []
    for part in kind.parts:
        field_id = f"{prefix}-{part.name}"
        fields.append(rx.vstack(
            field_label(part.title, field_id),
            rx.text(part.hint, id=f"{field_id}-hint", size="1", color_scheme="gray"),
            rx.text_area(id=field_id, name=part.name, default_value=values.get(part.name, ""), rows=rows,
                         aria_describedby=f"{field_id}-hint {field_id}-error", width="100%"),
            field_error(errors.get(part.name, ""), field_id),
            spacing="1", width="100%", align="stretch",
        ))
    return rx.box(
        stale_notice(getattr(state, f"{prefix}_stale"), state.reload_document(prefix),
                     getattr(state, f"{prefix}_draft"), state.discard_draft(prefix)),
        rx.form(
            rx.fragment(rx.vstack(*fields, spacing="3", width="100%"), key=getattr(state, f"{prefix}_key")),
            field_error(errors.get("form", ""), f"{prefix}-form"),
            rx.button(submit, type="submit", size="3", margin_top="0.75rem", id=f"{prefix}-save"),
            on_submit=on_submit, reset_on_submit=False, no_validate=True, width="100%",
        ),
        notice(getattr(state, f"{prefix}_message")),
        width="100%",
    )


def _version(row) -> rx.Component:
    return rx.el.details(
        rx.el.summary("Version " + row.number + " · " + row.when + " · " + row.by),
        rx.foreach(row.parts, lambda p: rx.box(
            rx.text(p.title, weight="medium", size="2"),
            rx.el.p(p.text, style={**PRE, "fontSize": "0.9rem"}),
            padding_y="0.25rem",
        )),
        style={"padding": "0.25rem 0"},
    )


def versions(rows: rx.Var, heading: str, list_id: str) -> rx.Component:
    """Every version, newest first, each folded under its date and author."""
    return rx.box(
        rx.heading(heading, as_="h3", size="3"),
        rx.cond(rows.length() > 0, rx.box(rx.foreach(rows, _version), id=list_id),
                rx.text("Nothing saved yet.", size="2")),
        width="100%", margin_top="0.75rem",
    )


def diary_table(rows: rx.Var) -> rx.Component:
    """The last two weeks: the day's check-in beside the urges logged that day."""
    return data_table(
        "Urges beside the daily diary", ["Day", "Check-in", "Urges logged"], rows,
        lambda r: rx.el.tr(
            rx.el.th(r.day, scope="row"),
            rx.el.td(r.checkin, rx.cond(r.used, rx.badge("Used", color_scheme="red", margin_left="0.25rem"))),
            rx.el.td(r.urges),
        ),
    )


def urge_table(rows: rx.Var) -> rx.Component:
    return data_table(
        "Urge log", ["When", "Strength", "Trigger", "Where", "What I did", "Used"], rows,
        lambda u: rx.el.tr(rx.el.td(u.when), rx.el.td(u.intensity), rx.el.td(u.trigger), rx.el.td(u.place),
                           rx.el.td(u.response), rx.el.td(u.used)),
    )
