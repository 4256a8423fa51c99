"""The intake and assessment of one client (care team): a long form in folding
sections a clinician fills over several sittings, saved as a draft, then signed
(locked); addenda after signing; the orientation checklist."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components import ui
from ..components.record_nav import record_body, record_page
from ..services.intake_inputs import CHOICES, FIELDS, SUBSTANCE_FIELDS
from ..state.staff_intake import IntakeState as S
from ..state.staff_intake import OrientationRow, RatingLine, SubstanceLine

GRID = {"display": "grid", "gridTemplateColumns": "repeat(auto-fit, minmax(min(100%, 13rem), 1fr))",
        "gap": "0.75rem", "width": "100%"}
FIELDSET = {"border": "1px solid var(--gray-6)", "borderRadius": "6px", "padding": "0.75rem", "margin": 0,
            "minWidth": 0, "width": "100%"}
LEGEND = {"fontWeight": 600, "padding": "0 0.25rem"}
# Long answers get room; short ones a line.
SHORT = ("referral_source",)


def _err(name: str):
    return S.errors.get(name, "")


def _text(name: str) -> rx.Component:
    label, limit = FIELDS[name]
    field_id = "intake-" + name.replace("_", "-")
    if name in SHORT:
        return ui.text_field(label, name, field_id, error=_err(name), default_value=S.values[name], max_length=limit)
    return ui.textarea_field(label, name, field_id, error=_err(name), default_value=S.values[name], max_length=limit,
                             rows="4" if limit > 2000 else "3")


def _choice(name: str, options) -> rx.Component:
    return ui.select_field(CHOICES[name], name, "intake-" + name.replace("_", "-"), options, error=_err(name),
                           default_value=S.values[name])


def _section(title: str, *children: rx.Component, open_: bool = True) -> rx.Component:
    """A folding section with a heading: open to start with; fold what is done."""
    return rx.el.details(
        rx.el.summary(rx.heading(title, as_="h3", size="4", style={"display": "inline"}),
                      style={"cursor": "pointer", "padding": "0.25rem 0"}),
        rx.vstack(*children, spacing="3", width="100%", align="stretch", padding_top="0.5rem"),
        open=open_,
        class_name="intake-section",
        style={"borderTop": "1px solid var(--gray-5)", "padding": "0.5rem 0", "width": "100%"},
    )


def _rating(r: rx.Var[RatingLine]) -> rx.Component:
    risk_id, narrative_id = "risk-" + r.key, "narrative-" + r.key
    return rx.el.fieldset(
        rx.el.legend(r.label, style=LEGEND),
        rx.vstack(
            ui.field_label("Risk rating (0–4)", risk_id),
            rx.el.select(rx.foreach(S.risk_options, lambda o: rx.el.option(o[1], value=o[0])),
                         id=risk_id, name="risk_" + r.key, default_value=r.risk, class_name="native-select",
                         aria_describedby=risk_id + "-error"),
            ui.field_error(S.errors.get("risk_" + r.key, ""), risk_id),
            ui.field_label("Narrative", narrative_id),
            rx.text_area(id=narrative_id, name="narrative_" + r.key, default_value=r.narrative, rows="3",
                         max_length=4000, width="100%", aria_describedby=narrative_id + "-error"),
            ui.field_error(S.errors.get("narrative_" + r.key, ""), narrative_id),
            spacing="1", width="100%", align="stretch",
        ),
        style=FIELDSET,
    )


def _substance_field(row: rx.Var[SubstanceLine], name: str) -> rx.Component:
    label, limit = SUBSTANCE_FIELDS[name]
    field_id = "sub-" + row.index + "-" + name.replace("_", "-")
    key = "sub" + row.index + "_" + name
    extra = ({"type": "number", "min": 1, "max": 99, "input_mode": "numeric"} if name == "first_use_age"
             else {"type": "date"} if name == "last_use" else {"max_length": limit})
    return rx.vstack(
        ui.field_label(label, field_id),
        rx.input(id=field_id, name=key, default_value=getattr(row, name), aria_describedby=field_id + "-error",
                 width="100%", **extra),
        ui.field_error(S.errors.get(key, ""), field_id),
        spacing="1", width="100%", align="stretch",
    )


def _substance(row: rx.Var[SubstanceLine]) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("Substance " + (row.index.to(int) + 1).to_string(), style=LEGEND),
        rx.box(*[_substance_field(row, name) for name in SUBSTANCE_FIELDS], style=GRID),
        style=FIELDSET,
    )


def _intake_form() -> rx.Component:
    return rx.form(
        # Signed: every field stays readable but none can change (the service refuses anyway).
        rx.el.fieldset(
            _section("Referral and presenting problem", _text("referral_source"), _text("presenting_problem")),
            _section(
                "ASAM dimensions",
                rx.text("Rate each dimension's risk from 0 (none) to 4 (severe) and say why.", size="2",
                        color_scheme="gray"),
                rx.foreach(S.ratings, _rating),
            ),
            _section(
                "Substance use history",
                rx.text("One row per substance. An empty row is ignored; saving adds a new empty row.",
                        size="2", color_scheme="gray"),
                ui.field_error(S.errors.get("substances", ""), "substances"),
                rx.foreach(S.substances, _substance),
                _text("prior_treatment"),
            ),
            _section("Medical", _text("medical_conditions"), _text("medications"), _text("allergies")),
            _section(
                "Mental health and risk screen",
                _text("mental_health_history"), _text("current_symptoms"),
                rx.box(_choice("suicide_risk", S.screen_options), _choice("homicide_risk", S.screen_options),
                       style=GRID),
                _text("risk_notes"),
            ),
            _section("Life situation", *[_text(n) for n in ("trauma", "legal", "employment", "housing",
                                                            "family_social", "strengths")]),
            _section("Level of care", _choice("recommended_level", S.level_options), _text("level_rationale")),
            disabled=S.locked,
            style={"border": "none", "padding": 0, "margin": 0, "minWidth": 0, "width": "100%"},
        ),
        rx.cond(~S.locked, rx.hstack(
            rx.button("Save draft", type="submit"),
            rx.text("Saves everything above; you can come back and finish later.", size="2", color_scheme="gray"),
            align="center", wrap="wrap", spacing="3", margin_top="0.75rem",
        )),
        on_submit=S.save, reset_on_submit=False, key=S.form_key, id="intake-form", width="100%",
    )


def _sign_card() -> rx.Component:
    return rx.cond(
        S.status == "draft",
        ui.card(
            rx.heading("Sign the intake", as_="h2", size="4"),
            rx.text("Signing signs the version last saved (save your changes first), with today's date and "
                    "time from the server. The intake is then locked, and a client in intake becomes active."),
            rx.button("Sign intake", on_click=S.sign, color_scheme="green", width="fit-content"),
            id="sign-intake",
        ),
    )


def _addenda() -> rx.Component:
    e = S.addendum_errors
    return rx.cond(
        S.locked,
        ui.card(
            rx.heading("Addenda", as_="h2", size="4"),
            rx.text("Late entries: dated and attributed; the signed intake above stays as it was signed.", size="2"),
            rx.cond(
                S.addenda.length() > 0,
                rx.el.ul(rx.foreach(S.addenda, lambda a: rx.el.li(
                    rx.text("Late entry · " + a.when + " · " + a.author, weight="medium", size="2"),
                    rx.cond(a.reason != "", rx.text("Reason: " + a.reason, size="2", color_scheme="gray")),
                    rx.text(a.text, style={"whiteSpace": "pre-wrap"}),
                    style={"marginBottom": "0.5rem"},
                ))),
                rx.text("No addenda.", size="2", color_scheme="gray"),
            ),
            rx.form(
                rx.vstack(
                    ui.textarea_field("Addendum", "text", "addendum-text", error=e.get("text", ""), max_length=4000,
                                      rows="3"),
                    ui.text_field("Reason (optional)", "reason", "addendum-reason", error=e.get("reason", ""),
                                  max_length=500),
                    rx.button("Add addendum", type="submit", width="fit-content"),
                    spacing="2", width="100%", max_width="40rem",
                ),
                on_submit=S.add_addendum, reset_on_submit=False, key=S.addendum_key.to_string(),
            ),
        ),
    )


def _orientation_item(row: rx.Var[OrientationRow]) -> rx.Component:
    field_id = "orient-" + row.item_id
    return rx.el.li(
        rx.text(row.label + rx.cond(row.retired, " (retired item)", ""), weight="medium"),
        rx.cond(
            row.staff_done,
            rx.text("Staff: " + row.staff, size="2"),
            rx.form(
                rx.el.input(type="hidden", name="item_id", value=row.item_id),
                rx.hstack(
                    rx.vstack(
                        ui.field_label("Staff initials", field_id),
                        rx.input(id=field_id, name="initials", max_length=8, width="7rem", auto_complete="off",
                                 aria_describedby=field_id + "-error"),
                        spacing="1",
                    ),
                    rx.button("Initial", type="submit", size="2", aria_label="Initial: " + row.label),
                    align="end", spacing="2", wrap="wrap",
                ),
                ui.field_error(rx.cond(S.orientation_item == row.item_id, S.orientation_error, ""), field_id),
                on_submit=S.initial_item, reset_on_submit=False,
            ),
        ),
        rx.cond(
            row.client_done,
            rx.text("Client: " + row.client, size="2"),
            rx.cond(row.staff_done, rx.text("Client: not initialled yet (they initial from their phone)", size="2",
                                            color_scheme="gray")),
        ),
        style={"marginBottom": "0.75rem"},
    )


def _orientation() -> rx.Component:
    return ui.card(
        rx.heading("Orientation", as_="h2", size="4"),
        rx.text("Go through each item with the client and initial it; the client then initials it at "
                + routes.CLIENT_ORIENTATION + " on their phone.", size="2"),
        rx.el.ul(rx.foreach(S.orientation, _orientation_item), id="orientation-list",
                 style={"paddingLeft": "1.25rem"}),
        id="orientation",
    )


def intake_page() -> rx.Component:
    return record_page(
        "Intake and assessment", S,
        record_body(
            S,
            rx.text("Client status: " + S.client_status + " · admitted " + S.admitted, color_scheme="gray"),
            rx.callout(S.status_line, color_scheme=rx.cond(S.locked, "green", "blue"), id="intake-status"),
            ui.stale_notice(S.stale, S.reload_intake),
            _intake_form(),
            _sign_card(),
            _addenda(),
            _orientation(),
        ),
        rx.link("Back to the roster", href=routes.STAFF_ROSTER, margin_top="1rem"),
        width="56rem",
    )


def register(app: rx.App) -> None:
    app.add_page(intake_page, route=routes.STAFF_CLIENT_INTAKE, title="Intake and assessment · IOP",
                 on_load=S.load)

