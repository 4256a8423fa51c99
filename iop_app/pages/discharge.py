"""Discharge, aftercare and follow-up (issue #13, section 4): the record's Discharge
tab, the follow-up list, the director's program reports."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.record_nav import record_nav
from ..components.ui import (
    card,
    data_table,
    field_error,
    field_label,
    page_frame,
    select_field,
    stale_notice,
    stat,
    text_field,
    textarea_field,
)
from ..services.discharge import SUMMARY_TEXTS, TEXT_LIMITS
from ..state.discharge import DischargeState as S
from ..state.discharge import FollowUpRow, FollowUpsState, GoalRow, ProgramReportState

GRID = {"display": "grid", "gridTemplateColumns": "repeat(auto-fit, minmax(min(100%, 16rem), 1fr))",
        "gap": "0.75rem", "width": "100%"}
PLOT_CONFIG = {"displayModeBar": False, "responsive": True}


def _discharge_form() -> rx.Component:
    e = S.discharge_errors
    return card(
        rx.heading("Discharge this client", as_="h2", size="4"),
        rx.text("Discharge ends the client's group memberships and upcoming sessions, ends consents set to end at "
                "discharge (family members then see nothing), and schedules follow-up contacts (weekly for a "
                "month, then at 30, 90 and 180 days). The client keeps their portal as alumni if the program "
                "allows it. You then write the discharge summary and aftercare plan with the client.", size="2"),
        rx.form(
            rx.vstack(
                rx.box(
                    select_field("Type of discharge", "discharge_type", "discharge-type", S.type_options,
                                 error=e.get("discharge_type", "")),
                    text_field("Date of discharge", "on", "discharge-on", type="date", default_value=S.today,
                               error=e.get("on", "")),
                    style=GRID,
                ),
                textarea_field("Reason for discharge", "note", "discharge-note", error=e.get("note", ""),
                               max_length=2000, rows="3"),
                rx.button("Discharge client", type="submit", color_scheme="red", width="fit-content"),
                spacing="3", width="100%", align="stretch",
            ),
            on_submit=S.discharge_client, reset_on_submit=False, key=S.form_key.to(str) + "d", width="100%",
        ),
    )


def _goal(row: rx.Var[GoalRow]) -> rx.Component:
    outcome_id = "goal-outcome-" + row.id
    note_id = "goal-note-" + row.id
    return rx.el.fieldset(
        rx.el.legend(row.statement, style={"fontWeight": 600}),
        rx.box(
            rx.vstack(
                field_label("Progress", outcome_id),
                rx.el.select(rx.foreach(S.outcome_options, lambda o: rx.el.option(o[1], value=o[0])),
                             id=outcome_id, name="goal_" + row.id + "_outcome", default_value=row.outcome,
                             class_name="native-select", aria_describedby="goal-" + row.id + "-error"),
                spacing="1", align="stretch"),
            rx.vstack(
                field_label("Note", note_id),
                rx.input(id=note_id, name="goal_" + row.id + "_note", default_value=row.note, max_length=1000,
                         width="100%"),
                spacing="1", align="stretch"),
            style=GRID,
        ),
        field_error(S.summary_errors.get("goal_" + row.id, ""), "goal-" + row.id),
        style={"border": "1px solid var(--gray-6)", "borderRadius": "6px", "padding": "0.75rem", "margin": 0,
               "minWidth": 0},
    )


def _summary_text(name: str) -> rx.Component:
    return textarea_field(SUMMARY_TEXTS[name], name, "summary-" + name.replace("_", "-"),
                          error=S.summary_errors.get(name, ""), default_value=S.texts.get(name, ""),
                          max_length=TEXT_LIMITS.get(name, 2000), rows="3")


def _summary_form() -> rx.Component:
    return rx.form(
        rx.el.fieldset(
            rx.vstack(
                rx.heading("Progress on the treatment plan's goals", as_="h3", size="3"),
                rx.cond(S.goals.length() == 0,
                        rx.text("No treatment plan was in force at discharge.", size="2", color_scheme="gray")),
                rx.foreach(S.goals, _goal),
                _summary_text("course"),
                _summary_text("final_measures"),
                rx.heading("Aftercare plan", as_="h3", size="3"),
                rx.box(*[_summary_text(n) for n in ("aftercare_services", "aftercare_referrals", "mutual_help",
                                                     "medications", "next_appointments", "barriers")], style=GRID),
                rx.hstack(
                    rx.el.input(type="checkbox", id="summary-with-client", name="with_client",
                                default_checked=S.with_client),
                    field_label("The aftercare plan was written with the client", "summary-with-client"),
                    align="center", spacing="2"),
                spacing="3", width="100%", align="stretch"),
            disabled=S.signed,
            style={"border": "none", "padding": 0, "margin": 0, "minWidth": 0, "width": "100%"},
        ),
        rx.cond(~S.signed, rx.button("Save summary", type="submit", margin_top="0.75rem")),
        on_submit=S.save_summary, reset_on_submit=False, key=S.form_key.to(str) + "s", width="100%",
        id="summary-form",
    )


def _sign_form() -> rx.Component:
    return rx.cond(
        ~S.signed,
        card(
            rx.heading("Sign the discharge summary", as_="h3", size="3"),
            rx.text("Signing signs what was last saved, with the server's date and time; the summary is then "
                    "locked.", size="2"),
            rx.form(
                rx.vstack(
                    text_field("Your full name", "signature", "summary-signature",
                               error=S.sign_errors.get("signature", ""), autocomplete="off"),
                    rx.button("Sign summary", type="submit", color_scheme="green", width="fit-content"),
                    spacing="2", align="stretch"),
                on_submit=S.sign, reset_on_submit=True,
            ),
        ),
    )


def _contact(row: rx.Var[FollowUpRow]) -> rx.Component:
    return rx.el.tr(rx.el.td(row.label), rx.el.td(row.due), rx.el.td(row.status), rx.el.td(row.outcome))


def _outcome_form() -> rx.Component:
    e = S.outcome_errors
    return rx.cond(
        S.due_contacts.length() > 0,
        card(
            rx.heading("Record a follow-up contact", as_="h3", size="3"),
            rx.form(
                rx.vstack(
                    rx.box(
                        select_field("Contact", "follow_up", "outcome-contact", S.due_contacts,
                                     error=e.get("follow_up", "")),
                        select_field("Reached the person?", "reached", "outcome-reached",
                                     [("", "Choose"), ("yes", "Reached"), ("no", "Not reached")],
                                     error=e.get("reached", "")),
                        select_field("Substance use", "substance_use", "outcome-use", S.use_options,
                                     error=e.get("substance_use", "")),
                        select_field("In services?", "in_services", "outcome-services",
                                     [("", "Not asked"), ("yes", "Yes"), ("no", "No")],
                                     error=e.get("in_services", "")),
                        select_field("Housing", "housing", "outcome-housing", S.housing_options,
                                     error=e.get("housing", "")),
                        select_field("Employment", "employment", "outcome-employment", S.employment_options,
                                     error=e.get("employment", "")),
                        style=GRID),
                    text_field("Note", "note", "outcome-note", error=e.get("note", ""), max_length=1000),
                    rx.button("Record outcome", type="submit", width="fit-content"),
                    spacing="3", align="stretch"),
                on_submit=S.record_outcome, reset_on_submit=False, key=S.form_key.to(str) + "o",
            ),
        ),
    )


def _after_discharge() -> rx.Component:
    h = S.header
    return rx.vstack(
        card(
            rx.heading("Discharge", as_="h2", size="4"),
            rx.text(h["type"] + " on " + h["on"] + " (admitted " + h["admitted"] + "; " + h["stay"] + " days)"),
            rx.text("Reason: " + h["reason"], size="2"),
            rx.text(h["alumni"], size="2", color_scheme="gray"),
        ),
        card(
            rx.hstack(
                rx.heading("Discharge summary and aftercare plan", as_="h2", size="4"),
                rx.button("Download PDF", on_click=S.download_pdf, variant="outline", size="2"),
                justify="between", wrap="wrap", width="100%", align="center"),
            rx.cond(S.signed, rx.callout(h["signed"] + ". The summary is locked.", color_scheme="green"),
                    rx.text("Due " + h["due"] + ". ", rx.cond(h["overdue"] != "", rx.text.strong(h["overdue"])),
                            size="2")),
            stale_notice(S.stale, S.reload_page),
            _summary_form(),
        ),
        _sign_form(),
        card(
            rx.heading("Follow-up after discharge", as_="h2", size="4"),
            data_table("Follow-up contacts", ["Contact", "Due", "Status", "Outcome"], S.contacts, _contact),
            _outcome_form(),
        ),
        spacing="4", width="100%", align="stretch",
    )


def discharge_page() -> rx.Component:
    return page_frame(
        "Discharge",
        record_nav("Discharge"),
        rx.cond(S.found, rx.text(S.header.get("name", ""), weight="bold")),
        rx.cond(
            S.found,
            rx.cond(
                S.has_record, _after_discharge(),
                rx.cond(S.discharged,
                        rx.text("This client was discharged before discharge summaries were kept.", size="2"),
                        _discharge_form())),
        ),
        feedback=S,
    )


# ------------------------------------------------------------------ follow-up list
def _follow_up_line(row: rx.Var[FollowUpRow]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(row.client, href=row.href)), rx.el.td(row.therapist), rx.el.td(row.label),
        rx.el.td(row.due),
        rx.el.td(rx.cond(row.status == "missed", rx.text.strong("missed"), rx.text(row.status))),
        rx.el.td(row.outcome),
    )


def follow_ups_page() -> rx.Component:
    c = FollowUpsState.counts
    return page_frame(
        "Follow-ups",
        rx.text("Contacts after discharge: weekly for a month, then at 30, 90 and 180 days. A contact with no "
                "outcome a week after it was due is missed. Record the outcome on the client's Discharge page.",
                size="2"),
        rx.hstack(stat("Due", c.get("due", "0")), stat("Missed", c.get("missed", "0")),
                  stat("Upcoming", c.get("upcoming", "0")), stat("Done", c.get("done", "0")),
                  wrap="wrap", spacing="3", width="100%"),
        rx.box(select_field("Show", "show", "follow-ups-show", FollowUpsState.filter_options,
                            value=FollowUpsState.show, on_change=FollowUpsState.set_show), max_width="20rem"),
        data_table("Follow-up contacts", ["Client", "Therapist", "Contact", "Due", "Status", "Outcome"],
                   FollowUpsState.rows, _follow_up_line),
        rx.cond(FollowUpsState.rows.length() == 0, rx.text("Nothing to show.", size="2", color_scheme="gray")),
        feedback=FollowUpsState,
    )


# ------------------------------------------------------------------ program reports
R = ProgramReportState
GROUP_HEADERS = ["Discharges", "Completed", "Completion %", "Mean stay (days)", "Median stay (days)",
                 "30-day reach %", "30-day not using %", "90-day reach %", "90-day not using %", "180-day reach %",
                 "180-day not using %"]
GROUP_KEYS = ["discharges", "completed", "completion_rate", "stay_mean", "stay_median", "fu30_reach",
              "fu30_abstinence", "fu90_reach", "fu90_abstinence", "fu180_reach", "fu180_abstinence"]


def _group_table(label: str, first: str, rows) -> rx.Component:
    return data_table(label, [first, *GROUP_HEADERS], rows,
                      lambda row: rx.el.tr(rx.el.th(row["group"], scope="row"),
                                           *[rx.el.td(row[key]) for key in GROUP_KEYS]))


def _chart(figure) -> rx.Component:
    return rx.box(rx.plotly.basic(data=figure, config=PLOT_CONFIG, width="100%"), aria_hidden="true",
                  width="100%", min_width="0")


def reports_page() -> rx.Component:
    t = R.totals
    return page_frame(
        "Program reports",
        rx.hstack(
            rx.box(select_field("Period", "months", "report-months", R.month_options, value=R.months,
                                on_change=R.set_months), min_width="12rem"),
            rx.button("Export CSV", on_click=R.export_csv, variant="outline"),
            align="end", spacing="3", wrap="wrap"),
        rx.hstack(stat("Discharges", t.get("discharges", "")),
                  stat("Completion rate (%)", t.get("completion_rate", "")),
                  stat("Median stay (days)", t.get("stay_median", "")), wrap="wrap", spacing="3", width="100%"),
        rx.text("Completion rate: discharges of type 'completed' over all discharges. Reach: contacts due by today "
                "that reached the person. Not using: of those reached.", size="2", color_scheme="gray"),
        rx.box(_chart(R.types_figure), _chart(R.completion_figure), _chart(R.stay_figure),
               _chart(R.follow_up_figure), style=GRID),
        rx.heading("By month of discharge", as_="h2", size="4"),
        _group_table("Report by month", "Month", R.by_month),
        rx.heading("By therapist", as_="h2", size="4"),
        _group_table("Report by therapist", "Therapist", R.by_therapist),
        rx.heading("Discharge types", as_="h2", size="4"),
        data_table("Discharge types", ["Type", "Discharges", "Share %"], R.types,
                   lambda row: rx.el.tr(rx.el.th(row["label"], scope="row"), rx.el.td(row["count"]),
                                        rx.el.td(row["share"]))),
        rx.heading("Follow-up at 30, 90 and 180 days", as_="h2", size="4"),
        data_table("Follow-up outcomes", ["Contact", "Due", "Reached", "Reach %", "Not using", "Not using %"],
                   R.follow_up,
                   lambda row: rx.el.tr(rx.el.th(row["day"] + " days", scope="row"), rx.el.td(row["due"]),
                                        rx.el.td(row["reached"]), rx.el.td(row["reach"]),
                                        rx.el.td(row["abstinent"]), rx.el.td(row["abstinence"]))),
        feedback=R,
    )


def register(app: rx.App) -> None:
    app.add_page(discharge_page, route=routes.STAFF_CLIENT_DISCHARGE, title="Discharge · IOP", on_load=S.load)
    app.add_page(follow_ups_page, route=routes.STAFF_FOLLOW_UPS, title="Follow-ups · IOP", on_load=FollowUpsState.load)
    app.add_page(reports_page, route=routes.DIRECTOR_REPORTS, title="Program reports · IOP", on_load=R.load)

