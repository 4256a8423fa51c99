"""The client's home page."""

from __future__ import annotations

import reflex as rx

from ... import routes
from ...components.ui import card, page_frame
from ...state.client import ClientHomeState
from .base import WIDTH
from .tools import home_plans_card


def _session_row(row) -> rx.Component:
    return rx.el.li(
        rx.text(rx.text.strong(row.when), size="2"),
        rx.text(
            row.title,
            rx.cond(row.where != "", " · " + row.where, ""),
            size="2",
        ),
        rx.cond(row.cancelled, rx.badge("Cancelled", color_scheme="red"),
                rx.cond(row.detail != "", rx.text(row.detail, size="1", color_scheme="gray"))),
        style={"padding": "0.4rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def _goal_summary(row) -> rx.Component:
    return rx.box(
        rx.hstack(rx.text(rx.text.strong(row.title), size="2"), rx.spacer(),
                  rx.text(row.progress_pct.to_string() + "%", size="2"), width="100%", align="center"),
        rx.progress(value=row.progress_pct, max=100, aria_label=row.title + " progress"),
        rx.text(row.area, " · ", row.horizon, rx.cond(row.steps_label != "", " · " + row.steps_label, ""),
                size="1", color_scheme="gray"),
        width="100%",
        padding_y="0.35rem",
    )


def _measure_due(row) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.text(rx.text.strong(row.name), " · ", row.title, size="2"),
                rx.text(row.when, size="2", color_scheme=rx.cond(row.overdue, "red", "gray")),
                spacing="0",
                min_width="0",
            ),
            # A link drawn as a big button (a button inside a link would be two controls in one).
            rx.link(row.action, href=row.href, aria_label=row.action + " the " + row.name,
                    style={"display": "inline-flex", "alignItems": "center", "minHeight": "2.75rem",
                           "padding": "0 1.1rem", "borderRadius": "8px", "background": "var(--accent-9)",
                           "color": "white", "fontWeight": 600, "textDecoration": "none"}),
            justify="between", align="center", width="100%", wrap="wrap", spacing="2",
        ),
        style={"padding": "0.5rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def _measure_chart(figure, index) -> rx.Component:
    # The chart is drawn for the eye; the sentence under it says the same for a screen reader.
    return rx.box(
        rx.box(rx.plotly.basic(data=figure, config={"displayModeBar": False, "responsive": True}, width="100%"),
               aria_hidden="true", width="100%"),
        rx.text(ClientHomeState.measure_summaries[index], size="2", class_name="measure-summary"),
        width="100%", min_width="0",
    )


def client_home() -> rx.Component:
    s = ClientHomeState
    return page_frame(
        "My recovery",
        rx.vstack(
            card(
                rx.heading("Today", as_="h2", size="4"),
                rx.text(s.today_label, size="2", color_scheme="gray"),
                rx.cond(
                    s.done_today,
                    rx.text("You have checked in today. Thank you.", id="checkin-status"),
                    rx.text("You haven't checked in yet today.", id="checkin-status"),
                ),
                rx.text(
                    rx.cond(s.streak == 1, "1 day in a row", s.streak.to_string() + " days in a row"),
                    " checked in.",
                    size="2",
                    id="streak",
                ),
                rx.cond(s.missed_days.length() > 0,
                        rx.text("You can still fill in: ", rx.foreach(s.missed_days, lambda d: rx.text.span(d, " · ")),
                                size="2", color_scheme="gray")),
                rx.link(rx.cond(s.done_today, "Review today's check-in", "Do today's check-in"),
                        href=routes.CLIENT_CHECKIN, weight="bold"),
            ),
            home_plans_card(),
            rx.cond(
                s.measures_due.length() > 0,
                card(
                    rx.heading("Questionnaires to complete", as_="h2", size="4"),
                    rx.text("A few minutes each. They help you and your care team see how things are changing.",
                            size="2", color_scheme="gray"),
                    rx.el.ul(rx.foreach(s.measures_due, _measure_due), style={"padding": 0, "margin": 0},
                             id="measures-due"),
                ),
            ),
            card(
                rx.heading("Coming up this week", as_="h2", size="4"),
                rx.cond(s.sessions.length() > 0,
                        rx.el.ul(rx.foreach(s.sessions, _session_row), style={"padding": 0, "margin": 0}),
                        rx.text("Nothing scheduled in the next 7 days.", size="2")),
            ),
            card(
                rx.heading("My goals", as_="h2", size="4"),
                rx.cond(s.goal_rows.length() > 0, rx.foreach(s.goal_rows, _goal_summary),
                        rx.text("No goals yet.", size="2")),
                rx.link("Work on my goals", href=routes.CLIENT_GOALS),
            ),
            card(
                rx.heading("How I've been", as_="h2", size="4"),
                rx.hstack(
                    rx.button("Last 30 days", on_click=s.set_chart_days("30"), size="2",
                              variant=rx.cond(s.chart_days == 30, "solid", "soft"),
                              aria_pressed=rx.cond(s.chart_days == 30, "true", "false")),
                    rx.button("Last 90 days", on_click=s.set_chart_days("90"), size="2",
                              variant=rx.cond(s.chart_days == 90, "solid", "soft"),
                              aria_pressed=rx.cond(s.chart_days == 90, "true", "false")),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.box(rx.plotly.basic(data=s.trend_chart, config={"displayModeBar": False, "responsive": True},
                                       width="100%", height="300px"),
                       width="100%", id="trend-chart", aria_hidden="true"),
                rx.text(s.chart_summary, size="2", id="chart-summary"),
                rx.text("Lines are 7-day averages; faint dots are single days; an × marks a day with reported use.",
                        size="1", color_scheme="gray"),
            ),
            rx.cond(
                s.measure_figures.length() > 0,
                card(
                    rx.heading("My questionnaires over time", as_="h2", size="4"),
                    rx.text("Shaded: the score's ranges, darker for more severe. Dotted: your diary's mood and "
                            "craving (7-day averages, right scale). ★ a clear improvement (PHQ-9 down 5 or more), "
                            "◇ a score half of your first or less.", size="1", color_scheme="gray"),
                    rx.foreach(s.measure_figures, _measure_chart),
                    id="measure-trends",
                ),
            ),
            card(
                rx.heading("Program hours this week", as_="h2", size="4"),
                rx.text(s.hours_label, size="2", id="hours-label"),
                rx.box(rx.plotly.basic(data=s.hours_chart, config={"displayModeBar": False, "responsive": True},
                                       width="100%", height="140px"),
                       width="100%", aria_hidden="true"),
            ),
            spacing="3",
            width="100%",
        ),
        width=WIDTH,
    )
