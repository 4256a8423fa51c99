"""A client's recovery tools, as their care staff see them (record tab "Recovery tools")."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.crisis import crisis_lines
from ..components.record_nav import record_body, record_page
from ..components.recovery_tools import contact_list, diary_table, document_form, urge_table, versions
from ..components.ui import card, data_table
from ..services import recovery_tools
from ..state.staff_tools import StaffToolsState

S = StaffToolsState


def _stage() -> rx.Component:
    return card(
        rx.heading("Stage of change", as_="h2", size="4"),
        rx.text("Where the client placed themselves (Readiness Ruler scores 0–10), beside URICA and the Readiness "
                "Ruler questionnaires when given.", size="2", color_scheme="gray"),
        rx.flex(
            rx.box(
                rx.heading("The client's placements", as_="h3", size="3"),
                rx.cond(S.stage_rows.length() > 0,
                        data_table("Stage of change placements", ["Day", "Stage", "Importance", "Confidence", "Note"],
                                   S.stage_rows, lambda r: rx.el.tr(
                                       rx.el.th(r.day, scope="row"), rx.el.td(r.stage), rx.el.td(r.importance),
                                       rx.el.td(r.confidence), rx.el.td(r.note))),
                        rx.text("Not placed yet.", size="2")),
                flex="1 1 24rem", min_width="0",
            ),
            rx.box(
                rx.heading("URICA and Readiness Ruler", as_="h3", size="3"),
                rx.cond(S.readiness_rows.length() > 0,
                        data_table("URICA and Readiness Ruler results", ["Day", "Questionnaire", "Result"],
                                   S.readiness_rows, lambda r: rx.el.tr(
                                       rx.el.th(r.day, scope="row"), rx.el.td(r.name), rx.el.td(r.summary))),
                        rx.text("Neither given yet.", size="2")),
                flex="1 1 20rem", min_width="0",
            ),
            gap="1rem", wrap="wrap", width="100%",
        ),
        id="staff-stage",
    )


def _urges() -> rx.Component:
    return card(
        rx.heading("Urges beside the diary", as_="h2", size="4"),
        diary_table(S.diary_rows),
        rx.heading("Urge log (30 days)", as_="h3", size="3", margin_top="0.5rem"),
        rx.cond(S.urge_rows.length() > 0, urge_table(S.urge_rows), rx.text("No urges logged.", size="2")),
        id="staff-urges",
    )


def _balance() -> rx.Component:
    return card(
        rx.heading("Decisional balance", as_="h2", size="4"),
        rx.text("Written by the client, in their words.", size="2", color_scheme="gray"),
        versions(S.balance_history, "Versions", "staff-balance-versions"),
        id="staff-balance",
    )


def _relapse() -> rx.Component:
    return card(
        rx.heading("Relapse-prevention plan", as_="h2", size="4"),
        rx.text("Written with the client; either of you may change it.", size="2", color_scheme="gray"),
        rx.cond(S.relapse_people.length() > 0, contact_list(S.relapse_people, "staff-relapse-people")),
        document_form(S, "relapse", recovery_tools.RELAPSE_PLAN, S.save_relapse, "Save the plan"),
        versions(S.relapse_history, "Versions", "staff-relapse-versions"),
        id="staff-relapse",
    )


def _safety() -> rx.Component:
    return card(
        rx.heading("Safety plan", as_="h2", size="4"),
        rx.text("The client always sees these crisis lines with it:", size="2", color_scheme="gray"),
        crisis_lines(),
        document_form(S, "safety", recovery_tools.SAFETY_PLAN, S.save_safety, "Save the safety plan"),
        versions(S.safety_history, "Versions", "staff-safety-versions"),
        id="staff-safety",
    )


def staff_tools_page() -> rx.Component:
    return record_page(
        "Recovery tools", S,
        record_body(
            S,
            _stage(), _urges(), _balance(), _relapse(), _safety(),
        ),
        rx.link("Back to the roster", href=routes.STAFF_ROSTER, margin_top="1rem"),
        width="64rem",
    )


def register(app: rx.App) -> None:
    app.add_page(staff_tools_page, route=routes.STAFF_CLIENT_TOOLS, title="Recovery tools · IOP", on_load=S.load)
