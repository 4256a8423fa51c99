"""The therapist's view of one client's record."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.record_nav import record_page
from ..components.ui import (
    card,
    data_table,
    select_field,
    stat,
    textarea_field,
)
from ..models.enums import ClientStatus
from ..state.staff_client import ClientRecordState as S
from ..state.staff_client import GoalLine, NeedLine
from ..state.staff_measures import ClientMeasuresState
from .staff_measures import measures_section

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}


def _chart(figure) -> rx.Component:
    return rx.box(rx.plotly.basic(data=figure, config=PLOT_CONFIG, width="100%"), width="100%", min_width="0")


def _goal(goal: rx.Var[GoalLine]) -> rx.Component:
    return rx.el.li(
        rx.text(goal.title, weight="bold"),
        rx.text(goal.area + " · " + goal.horizon + " · " + goal.status + " · " + goal.progress
                + " · target " + goal.target, size="2", color_scheme="gray"),
        rx.cond(goal.steps != "", rx.text("Steps: " + goal.steps, size="2")),
        rx.el.details(rx.el.summary("History"),
                      rx.text(goal.history, size="2", style={"whiteSpace": "pre-line"})),
        style={"marginBottom": "0.75rem"},
    )


def _need(need: rx.Var[NeedLine]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(need.label + " (" + need.area + ")"),
            rx.cond(
                need.focus == "yes",
                rx.badge("Working on now", color_scheme="green"),
                rx.button("Work on this now", size="1", variant="soft",
                          aria_label="Work on this now: " + need.label, on_click=S.set_focus(need.id)),
            ),
            align="center", wrap="wrap", spacing="2",
        ),
    )


def _table(label: str, headers: list[str], rows: rx.Var, cells) -> rx.Component:
    return data_table(label, headers, rows, lambda r: rx.el.tr(*[rx.el.td(c(r)) for c in cells]))


def discharge_card() -> rx.Component:
    """Discharge (type, aftercare plan, summary, follow-ups) has its own page in the record."""
    return card(
        rx.heading("Discharge", as_="h3", size="4"),
        rx.text("Discharge, the aftercare plan, the discharge summary and follow-up contacts are on the "
                "Discharge page.", size="2"),
        rx.link("Open the Discharge page", href="/staff/clients/" + rx.State.client_id.to(str) + "/discharge"),
    )


def _emergency_access_form() -> rx.Component:
    """Break-glass: offered to a therapist refused this record."""
    return rx.cond(
        S.emergency_offer & ~S.found,
        card(
            rx.heading("Emergency access", as_="h2", size="4"),
            rx.text("This client is not on your caseload. In an emergency you may open their record for "
                    + S.emergency_minutes + " minutes. Say why: every view is logged as emergency access "
                    "and the program director reviews each use."),
            rx.form(
                rx.vstack(
                    textarea_field("Reason for emergency access", "reason", "emergency-reason",
                                   error=S.emergency_errors.get("reason", ""),
                                   max_length=500, placeholder="What is the emergency, and why this record?"),
                    rx.button("Open the record with emergency access", type="submit", color_scheme="orange"),
                    spacing="2", max_width="32rem", width="100%",
                ),
                on_submit=S.open_emergency_access, reset_on_submit=False,
            ),
            id="emergency-access",
        ),
    )


def _emergency_banner() -> rx.Component:
    return rx.cond(
        S.emergency_until != "",
        rx.callout("Emergency access until " + S.emergency_until + " — every view is logged",
                   icon="triangle_alert", color_scheme="orange", role="status", id="emergency-banner"),
    )


def client_record_page() -> rx.Component:
    h = S.header
    return record_page(
        "Client record", S,
        _emergency_access_form(),
        rx.cond(
            S.found,
            rx.vstack(
                _emergency_banner(),
                rx.heading(h["name"], as_="h2", size="5"),
                rx.text("Status: " + h["status"] + " · admitted " + h["admitted"] + " · week " + h["week"]
                        + " · therapist " + h["therapist"] + " · stage: " + h["stage"] + " · level " + h["level"],
                        color_scheme="gray"),
                rx.cond(h["discharged"] != "", rx.text("Discharged on " + h["discharged"], weight="medium")),
                rx.flex(
                    stat("Mood (7-day avg)", S.averages["mood_avg7"]),
                    stat("Craving (7-day avg)", S.averages["craving_avg7"]),
                    stat("Hours this week", S.averages["hours"]),
                    stat("Next plan review", S.review_status["next"], S.review_status["overdue"]),
                    wrap="wrap", gap="3", width="100%",
                ),
                card(
                    rx.heading("Check-ins", as_="h3", size="4"),
                    rx.box(select_field("Period", "days", "record-days",
                                        [("30", "Last 30 days"), ("90", "Last 90 days"), ("365", "Last year")],
                                        value=S.days.to_string(), on_change=S.set_days), max_width="14rem"),
                    _chart(S.trend_figure),
                    _chart(S.sleep_figure),
                ),
                measures_section(),
                card(rx.heading("Hours and attendance", as_="h3", size="4"),
                     _chart(S.hours_figure), _chart(S.attendance_figure)),
                card(rx.heading("Goals", as_="h3", size="4"),
                     rx.cond(S.goals.length() > 0, rx.el.ul(rx.foreach(S.goals, _goal)), rx.text("No goals yet."))),
                card(
                    rx.heading("Needs, most important first", as_="h3", size="4"),
                    rx.cond(S.needs.length() > 0, rx.el.ol(rx.foreach(S.needs, _need)), rx.text("No needs listed.")),
                    rx.el.details(
                        rx.el.summary("Ranking history"),
                        rx.el.ul(rx.foreach(S.need_history,
                                            lambda s: rx.el.li(rx.text(s.when + ": " + s.order, size="2")))),
                    ),
                ),
                card(
                    rx.heading("Family consent", as_="h3", size="4"),
                    rx.cond(S.consents.length() > 0,
                            _table("Family consent", ["Who", "Relationship", "Scope", "Until", "Status", "Signed"],
                                   S.consents,
                                   [lambda r: r.person, lambda r: r.relationship, lambda r: r.scope,
                                    lambda r: r.expires, lambda r: r.status, lambda r: r.signed]),
                            rx.text("No consent on file: nothing may be shared with family.")),
                ),
                rx.cond(h["status"] != ClientStatus.DISCHARGED.value, discharge_card()),
                card(
                    rx.heading("Attendance history", as_="h3", size="4"),
                    _table("Attendance history", ["Date", "Group", "Topic", "Status", "Minutes"], S.attendance,
                           [lambda r: r.date, lambda r: r.group, lambda r: r.topic, lambda r: r.status,
                            lambda r: r.minutes]),
                ),
                card(
                    rx.heading("Treatment plan", as_="h3", size="4"),
                    rx.text(S.review_status["what"] + " · next due " + S.review_status["next"]),
                    rx.cond(S.review_status["overdue"] != "",
                            rx.text("Plan " + S.review_status["overdue"], color_scheme="red", weight="bold")),
                    rx.cond(S.review_status["working"] != "", rx.text(S.review_status["working"], size="2")),
                    rx.link("Open the treatment plan", href=S.review_status["href"]),
                ),
                spacing="4", width="100%", align="stretch",
            ),
        ),
        rx.link("Back to the roster", href=routes.STAFF_ROSTER, margin_top="1rem"),
        tab="Overview",
    )


def register(app: rx.App) -> None:
    app.add_page(client_record_page, route=routes.STAFF_CLIENT, title="Client record · IOP",
                 on_load=[S.load, ClientMeasuresState.load])
