"""The Measures section of the client record page (state: state/staff_measures.py)."""

from __future__ import annotations

import reflex as rx

from ..components.ui import card, data_table, error_banner, notice, select_field, text_field, textarea_field
from ..state.staff_measures import AlertLine
from ..state.staff_measures import ClientMeasuresState as M

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}


def _open_alert(alert: rx.Var[AlertLine]) -> rx.Component:
    field_id = "ack-note-" + alert.id
    mine = M.ack_alert == alert.id
    return rx.box(
        rx.text(rx.text.strong(alert.name + " · " + alert.kind), " · raised " + alert.created, size="2"),
        rx.text(alert.text, size="2"),
        rx.form(
            rx.el.input(type="hidden", name="alert_id", value=alert.id),
            rx.vstack(
                rx.el.label("Action taken", html_for=field_id, style={"fontWeight": 500, "fontSize": "0.9rem"}),
                rx.text_area(id=field_id, name="note", rows="2", width="100%", max_length=1000,
                             aria_describedby=field_id + "-error"),
                rx.cond(mine & (M.ack_errors.get("note", "") != ""),
                        rx.text(M.ack_errors.get("note", ""), id=field_id + "-error", color_scheme="red", size="2",
                                role="alert")),
                rx.button("Acknowledge", type="submit", color_scheme="orange",
                          aria_label="Acknowledge the " + alert.name + " alert raised " + alert.created),
                spacing="1", width="100%", max_width="32rem",
            ),
            on_submit=M.acknowledge, reset_on_submit=False,
        ),
        padding="0.75rem", border="1px solid var(--orange-7)", border_radius="8px", width="100%",
        class_name="measure-alert",
    )


def _assign_form() -> rx.Component:
    e = M.assign_errors
    return rx.el.details(
        rx.el.summary("Assign a measure"),
        rx.form(
            rx.vstack(
                select_field("Measure", "code", "assign-code", M.measure_choices, error=e.get("code", ""),
                             default_value="phq9"),
                text_field("Due on", "due_on", "assign-due", type="date", default_value=M.today,
                           error=e.get("due_on", "")),
                textarea_field("Note for the record (optional)", "note", "assign-note", error=e.get("note", ""),
                               max_length=500, rows="2"),
                rx.button("Assign", type="submit"),
                spacing="2", max_width="32rem", width="100%",
            ),
            on_submit=M.assign, reset_on_submit=False, key=M.assign_key.to_string(),
        ),
    )


def _chart(figure, index) -> rx.Component:
    return rx.box(
        rx.box(rx.plotly.basic(data=figure, config=PLOT_CONFIG, width="100%"), aria_hidden="true", width="100%"),
        rx.text(M.summaries[index], size="2", class_name="measure-summary"),
        width="100%", min_width="0", margin_bottom="0.75rem",
    )


def measures_section() -> rx.Component:
    return card(
        rx.heading("Measures", as_="h3", size="4", id="measures"),
        error_banner(M.error),
        notice(M.message),
        rx.cond(
            M.shown,
            rx.vstack(
                rx.cond(
                    M.open_alerts.length() > 0,
                    rx.vstack(
                        rx.heading("Open alerts", as_="h4", size="3", color_scheme="orange"),
                        rx.foreach(M.open_alerts, _open_alert),
                        spacing="2", width="100%", id="open-alerts",
                    ),
                    rx.text("No open alerts.", size="2"),
                ),
                rx.text("Shaded: the measure's severity bands. Dotted: the diary's mood and craving "
                        "(7-day averages, right axis). ★ reliable change (PHQ-9 down 5 or more), "
                        "◇ response (a 50% drop).", size="1", color_scheme="gray"),
                rx.cond(M.trend_figures.length() > 0, rx.foreach(M.trend_figures, _chart),
                        rx.text("No measures completed yet.", size="2")),
                rx.heading("Due now", as_="h4", size="3"),
                rx.cond(M.due.length() > 0,
                        data_table("Measures due", ["Measure", "Due", "Why", "Overdue"], M.due,
                                   lambda d: rx.el.tr(rx.el.td(d.name), rx.el.td(d.due), rx.el.td(d.reason),
                                                      rx.el.td(rx.cond(d.overdue == "yes",
                                                                       rx.text("overdue", color_scheme="red",
                                                                               weight="bold"), "—")))),
                        rx.text("Nothing due.", size="2")),
                _assign_form(),
                rx.heading("Responses", as_="h4", size="3"),
                rx.cond(M.responses.length() > 0,
                        data_table("Measure responses", ["Date", "Measure", "Total", "Band", "Notes"], M.responses,
                                   lambda r: rx.el.tr(rx.el.td(r.on), rx.el.td(r.name), rx.el.td(r.total),
                                                      rx.el.td(r.band), rx.el.td(r.note))),
                        rx.text("No responses yet.", size="2")),
                rx.cond(M.closed_alerts.length() > 0, rx.el.details(
                    rx.el.summary("Acknowledged alerts"),
                    data_table("Acknowledged alerts", ["Raised", "Measure", "Alert", "Action taken"],
                               M.closed_alerts,
                               lambda a: rx.el.tr(rx.el.td(a.created), rx.el.td(a.name + " · " + a.kind),
                                                  rx.el.td(a.text), rx.el.td(a.acknowledged))),
                )),
                rx.button("Download measures (FHIR)", on_click=M.export_fhir, variant="outline",
                          id="measures-fhir"),
                spacing="3", width="100%", align="stretch",
            ),
        ),
    )

