"""Drug and alcohol screens: the record's Screens page (record a screen, enter the
lab's answer, expected medications, the timeline beside the diary), the client's
own screens (read only), and the director's panel of analytes."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components import ui
from ..components.record_nav import record_nav
from ..state.screens import (
    AnalyteLine,
    ClientScreensState,
    MedicationLine,
    PanelLine,
    ScreenLine,
    ScreenPanelState,
    StaffScreensState,
    TimelineLine,
)

S = StaffScreensState
GRID = {"display": "grid", "gridTemplateColumns": "repeat(auto-fit, minmax(min(100%, 12rem), 1fr))",
        "gap": "0.75rem", "width": "100%"}
FIELDSET = {"border": "1px solid var(--gray-6)", "borderRadius": "6px", "padding": "0.75rem", "margin": 0,
            "minWidth": 0, "width": "100%"}
WRAP = {"whiteSpace": "normal", "overflowWrap": "anywhere"}


def _checkbox(label: str, name: str, field_id: str) -> rx.Component:
    return rx.hstack(rx.el.input(type="checkbox", id=field_id, name=name),
                     ui.field_label(label, field_id), align="center", spacing="2")


def _result(line: rx.Var[PanelLine]) -> rx.Component:
    field_id = "screen-" + line.field
    return rx.vstack(
        ui.field_label(line.label, field_id),
        rx.el.select(rx.foreach(S.result_options, lambda o: rx.el.option(o[1], value=o[0])),
                     id=field_id, name=line.field, class_name="native-select",
                     aria_describedby=field_id + "-error"),
        ui.field_error(S.errors.get(line.field, ""), field_id),
        spacing="1", width="100%", align="stretch",
    )


def _record_form() -> rx.Component:
    e = S.errors
    return ui.card(
        rx.heading("Record a screen", as_="h2", size="4"),
        rx.text("The time is the server's clock when you save: record the screen when it is collected.", size="2"),
        rx.form(
            rx.vstack(
                rx.box(
                    ui.select_field("Outcome", "outcome", "screen-outcome", S.outcome_options,
                                    error=e.get("outcome", "")),
                    ui.select_field("Specimen", "specimen", "screen-specimen", S.specimen_options,
                                    error=e.get("specimen", "")),
                    ui.select_field("Method", "method", "screen-method", S.method_options, error=e.get("method", "")),
                    ui.select_field("Temperature in range (urine)", "temperature", "screen-temperature",
                                    S.check_options, error=e.get("temperature", "")),
                    ui.select_field("Adulterant check", "adulterant", "screen-adulterant", S.check_options,
                                    error=e.get("adulterant", "")),
                    style=GRID,
                ),
                _checkbox("Collection observed", "observed", "screen-observed"),
                ui.field_error(e.get("observed", ""), "screen-observed"),
                rx.el.fieldset(
                    rx.el.legend("Panel: a result per analyte (leave “Not tested” for the others)",
                                 style={"fontWeight": 600}),
                    rx.box(rx.foreach(S.panel, _result), style=GRID),
                    ui.field_error(e.get("results", ""), "screen-results"),
                    id="screen-results", style=FIELDSET,
                ),
                ui.textarea_field("Note (optional)", "note", "screen-note", error=e.get("note", ""), max_length=1000,
                                  rows="2"),
                _checkbox("Send a positive for laboratory confirmation now", "send_for_confirmation",
                          "screen-send"),
                ui.field_error(e.get("send_for_confirmation", ""), "screen-send"),
                rx.button("Record screen", type="submit", width="fit-content"),
                spacing="3", width="100%", align="stretch",
            ),
            on_submit=S.record, reset_on_submit=False, key=S.form_key.to_string(), id="record-screen",
        ),
    )


def _lab_form(s: rx.Var[ScreenLine]) -> rx.Component:
    prefix = "lab-" + s.id

    def err(name: str):
        return rx.cond(S.confirm_screen == s.id, S.confirm_errors.get(name, ""), "")

    return rx.el.details(
        rx.el.summary("Enter the lab's answer", aria_label="Enter the lab's answer: screen of " + s.day),
        rx.form(
            rx.el.input(type="hidden", name="screen_id", value=s.id),
            rx.vstack(
                ui.select_field("Lab answer", "status", prefix + "-status", S.lab_options,
                                error=err("status")),
                ui.textarea_field("What the lab reported", "lab_result", prefix + "-text",
                                  error=err("lab_result"), max_length=2000, rows="2"),
                rx.button("Save lab answer", type="submit", size="2", width="fit-content"),
                spacing="2", width="100%",
            ),
            on_submit=S.enter_lab_result, reset_on_submit=False,
        ),
    )


def _screen_card(s: rx.Var[ScreenLine], staff: bool) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(s.day + " " + s.when, weight="bold"),
            rx.cond(s.flagged, rx.badge("Flags the roster", color_scheme="red")),
            spacing="2", wrap="wrap", align="center",
        ),
        rx.text(s.what, size="2"),
        rx.cond(s.validity != "", rx.text(s.validity, size="2", color_scheme="gray")),
        rx.cond(s.results != "", rx.text("Results: " + s.results, size="2", style=WRAP)),
        rx.cond(s.positives != "", rx.text("Positive: " + s.positives, size="2", weight="medium", style=WRAP)),
        rx.cond(s.confirmation_key != "not_needed", rx.text("Confirmation: " + s.confirmation, size="2")),
        rx.cond(s.lab_result != "", rx.text("Lab: " + s.lab_result, size="2", style=WRAP)),
        rx.cond(s.note != "", rx.text("Note: " + s.note, size="2", style=WRAP)),
        rx.text("Recorded by " + s.recorded_by, size="1", color_scheme="gray"),
        *([rx.cond(S.confirm_screen == s.id, ui.error_banner(S.error)),
           rx.hstack(
               rx.cond(s.can_send, rx.button("Mark sent for confirmation", size="1", variant="outline",
                                             aria_label="Mark sent for confirmation: screen of " + s.day,
                                             on_click=S.send_for_confirmation(s.id))),
               spacing="2"),
           rx.cond(s.awaiting_lab, _lab_form(s))] if staff else []),
        style={"padding": "0.6rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def _timeline(state) -> rx.Component:
    def row(d: rx.Var[TimelineLine]) -> rx.Component:
        return rx.el.tr(
            rx.el.th(d.day, scope="row"),
            rx.el.td(d.screens, rx.cond(d.flagged, rx.text(" (flags the roster)", as_="span", weight="bold"))),
            rx.el.td(d.diary),
            rx.el.td(rx.cond(d.discrepancy, rx.text("Positive screen, no use reported", color_scheme="red",
                                                    weight="medium"), "")),
        )

    return rx.vstack(
        rx.heading("Screens beside the diary (last 60 days)", as_="h2", size="4"),
        rx.text("Days with a screen or with use reported in the daily check-in.", size="2"),
        rx.cond(
            state.timeline.length() > 0,
            ui.data_table("Screens beside the diary", ["Day", "Screen", "Diary (self-report)", "Discrepancy"],
                          state.timeline, row),
            rx.text("No screens or reported use in the last 60 days.", size="2", color_scheme="gray"),
        ),
        spacing="2", width="100%", align="stretch", id="screen-timeline",
    )


def _medication(m: rx.Var[MedicationLine]) -> rx.Component:
    return rx.el.li(
        rx.text(m.medication + " — shows as " + m.analyte, weight="medium"),
        rx.text(m.period + rx.cond(m.prescriber != "", " · " + m.prescriber, ""), size="2", color_scheme="gray"),
        rx.cond(m.current, rx.button("End today", size="1", variant="outline", color_scheme="gray",
                                     aria_label="End today: " + m.medication,
                                     on_click=S.end_medication(m.id))),
        style={"marginBottom": "0.5rem"},
    )


def _medications() -> rx.Component:
    e = S.med_errors
    return ui.card(
        rx.heading("Expected medications", as_="h2", size="4"),
        rx.text("A positive a medication explains (buprenorphine, methadone, a prescribed benzodiazepine ...) is "
                "marked expected and does not flag.", size="2"),
        rx.cond(S.medications.length() > 0, rx.el.ul(rx.foreach(S.medications, _medication), id="medications",
                                                     style={"paddingLeft": "1.25rem"}),
                rx.text("None recorded.", size="2", color_scheme="gray")),
        rx.form(
            rx.vstack(
                rx.box(
                    ui.text_field("Medication", "medication", "med-name", error=e.get("medication", ""),
                                  max_length=120),
                    ui.select_field("Shows on a screen as", "analyte_id", "med-analyte", S.analyte_options,
                                    error=e.get("analyte_id", "")),
                    ui.text_field("Started on", "started_on", "med-start", type="date", error=e.get("started_on", "")),
                    ui.text_field("Prescriber (optional)", "prescriber", "med-prescriber",
                                  error=e.get("prescriber", ""), max_length=120),
                    style=GRID,
                ),
                rx.button("Add medication", type="submit", width="fit-content"),
                spacing="2", width="100%",
            ),
            on_submit=S.add_medication, reset_on_submit=False, key=S.med_key.to_string(),
        ),
    )


def staff_screens_page() -> rx.Component:
    return ui.page_frame(
        "Drug and alcohol screens",
        record_nav("Screens"),
        rx.cond(S.confirm_screen == "", ui.error_banner(S.error)),
        ui.notice(S.message),
        rx.cond(
            S.found,
            rx.vstack(
                rx.heading(S.client_name, as_="h2", size="5"),
                rx.cond(S.flagged, rx.callout("A recent screen flags the roster: an unexpected positive, or a "
                                              "missed or refused screen, in the last 14 days.",
                                              color_scheme="red", id="screen-flag")),
                rx.cond(S.discharged, rx.text("This client has been discharged.", color_scheme="gray"),
                        _record_form()),
                _timeline(S),
                rx.heading("Screens", as_="h2", size="4"),
                rx.cond(S.screens.length() > 0,
                        rx.el.ul(rx.foreach(S.screens, lambda s: _screen_card(s, True)), id="screens",
                                 style={"padding": 0, "margin": 0}),
                        rx.text("No screens recorded yet.", size="2", color_scheme="gray")),
                _medications(),
                spacing="4", width="100%", align="stretch",
            ),
        ),
        rx.link("Back to the roster", href=routes.STAFF_ROSTER, margin_top="1rem"),
        width="56rem",
    )


def client_screens_page() -> rx.Component:
    C = ClientScreensState
    return ui.page_frame(
        "My screens",
        ui.error_banner(C.error),
        rx.cond(
            C.found,
            rx.vstack(
                rx.text("Your drug and alcohol screens, as your care team recorded them. Talk to your counselor "
                        "about anything that looks wrong. Your family never sees these.", size="2"),
                rx.cond(C.medications.length() > 0, rx.vstack(
                    rx.heading("Medications that show on a screen", as_="h2", size="4"),
                    rx.el.ul(rx.foreach(C.medications, lambda m: rx.el.li(
                        m.medication + " (shows as " + m.analyte + ", " + m.period + ")")),
                        style={"paddingLeft": "1.25rem"}),
                    spacing="1", width="100%")),
                rx.heading("Screens", as_="h2", size="4"),
                rx.cond(C.screens.length() > 0,
                        rx.el.ul(rx.foreach(C.screens, lambda s: _screen_card(s, False)), id="my-screens",
                                 style={"padding": 0, "margin": 0}),
                        rx.text("No screens yet.", size="2", color_scheme="gray")),
                _timeline(C),
                spacing="3", width="100%", align="stretch",
            ),
        ),
        width="48rem",
    )


def _analyte(a: rx.Var[AnalyteLine]) -> rx.Component:
    P = ScreenPanelState
    return rx.el.li(
        rx.hstack(
            rx.text(a.label, weight="medium"),
            rx.text(rx.cond(a.active, "Offered", "Retired"), size="2", color_scheme="gray"),
            rx.cond(a.active,
                    rx.button("Retire", size="1", variant="outline", color_scheme="gray",
                              aria_label="Retire: " + a.label, on_click=P.retire(a.id)),
                    rx.button("Offer again", size="1", variant="outline", aria_label="Offer again: " + a.label,
                              on_click=P.restore(a.id))),
            spacing="3", align="center", wrap="wrap",
        ),
        style={"padding": "0.4rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def screen_panel_page() -> rx.Component:
    P = ScreenPanelState
    return ui.page_frame(
        "Screening panel",
        rx.text("The analytes offered on every new screen. A retired analyte stays on the screens that tested it.",
                size="2"),
        ui.error_banner(P.error),
        ui.notice(P.message),
        rx.el.ul(rx.foreach(P.analytes, _analyte), id="analytes", style={"padding": 0, "margin": 0}),
        rx.form(
            rx.vstack(
                ui.text_field("New analyte", "label", "new-analyte", error=P.errors.get("label", ""), max_length=80),
                rx.button("Add to the panel", type="submit", width="fit-content"),
                spacing="2", width="100%", max_width="30rem",
            ),
            on_submit=P.add, reset_on_submit=False, key=P.add_key.to_string(), margin_top="1rem",
        ),
        width="40rem",
    )


def register(app: rx.App) -> None:
    app.add_page(staff_screens_page, route=routes.STAFF_CLIENT_SCREENS, title="Screens · IOP", on_load=S.load)
    app.add_page(client_screens_page, route=routes.CLIENT_SCREENS, title="My screens · IOP",
                 on_load=ClientScreensState.load)
    app.add_page(screen_panel_page, route=routes.DIRECTOR_SCREEN_PANEL, title="Screening panel · IOP",
                 on_load=ScreenPanelState.load)
