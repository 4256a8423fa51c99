"""The client's recovery tools and safety plan (phone first)."""

from __future__ import annotations

import reflex as rx

from ... import routes
from ...components.crisis import crisis_lines
from ...components.recovery_tools import (
    PRE,
    big_link,
    contact_list,
    diary_table,
    document_form,
    versions,
)
from ...components.ui import LABEL_STYLE, card, field_error, notice, select_field, text_field, textarea_field
from ...services import recovery_tools
from ...state.client import ClientToolsState, MyPlansState, SafetyPlanState
from .base import client_page

T = ClientToolsState


def _scale(label: str, name: str, field_id: str, low: str, high: str, errors) -> rx.Component:
    options = [(str(n), f"{n}" + (f" ({low})" if n == 0 else f" ({high})" if n == 10 else "")) for n in range(11)]
    return select_field(label, name, field_id, [("", "Choose 0 to 10…"), *options], error=errors.get(name, ""))


def _jump_links() -> rx.Component:
    return rx.flex(
        big_link("Log an urge", "#urge", soft=True),
        big_link("Where I am", "#stage", soft=True),
        big_link("Decisional balance", "#balance", soft=True),
        big_link("Relapse-prevention plan", "#relapse", soft=True),
        big_link("My safety plan", routes.CLIENT_SAFETY_PLAN, soft=True),
        wrap="wrap", gap="0.5rem", width="100%",
        role="navigation", aria_label="Recovery tools",
    )


def _urge_card(u) -> rx.Component:
    return rx.el.li(
        rx.text(rx.text.strong(u.when), " · strength ", u.intensity, rx.cond(u.used == "Yes", " · used", ""),
                size="2"),
        rx.cond(u.trigger != "", rx.text("Trigger: ", u.trigger, size="2")),
        rx.cond(u.place != "", rx.text("Where: ", u.place, size="2")),
        rx.cond(u.response != "", rx.text("What I did: ", u.response, size="2")),
        style={"listStyle": "none", "padding": "0.4rem 0", "borderBottom": "1px solid var(--gray-4)"},
    )


def _urge_section() -> rx.Component:
    errors = T.urge_errors
    return card(
        rx.heading("Log an urge", as_="h2", size="4"),
        rx.text("When a craving hits, jot it down. It passes; noticing it helps.", size="2"),
        rx.form(
            rx.fragment(rx.vstack(
                _scale("How strong is it?", "intensity", "urge-intensity", "none", "the strongest", errors),
                text_field("What set it off? (optional)", "trigger", "urge-trigger", error=errors.get("trigger", "")),
                text_field("Where are you? (optional)", "place", "urge-place", error=errors.get("place", "")),
                textarea_field("What did you do? (optional)", "response", "urge-response",
                               error=errors.get("response", ""), rows="2"),
                select_field("Did you use?", "used", "urge-used", [("no", "No"), ("yes", "Yes")],
                             error=errors.get("used", ""), default_value="no"),
                spacing="3", width="100%",
            ), key=T.urge_key.to_string()),
            rx.button("Log this urge", type="submit", size="3", margin_top="0.75rem", id="urge-save"),
            on_submit=T.log_urge, reset_on_submit=False, no_validate=True, width="100%",
        ),
        notice(T.urge_message),
        rx.heading("Urges beside my daily check-ins", as_="h3", size="3", margin_top="0.75rem"),
        diary_table(T.diary_rows),
        rx.cond(T.urge_rows.length() > 0,
                rx.el.details(rx.el.summary("Every urge I logged (30 days)"),
                              rx.el.ul(rx.foreach(T.urge_rows, _urge_card), style={"padding": 0, "margin": 0}))),
        id="urge",
    )


def _stage_choice(option) -> rx.Component:
    choice_id = "stage-" + option[0]
    return rx.el.label(
        rx.el.input(type="radio", name="stage", value=option[0], id=choice_id,
                    style={"width": "1.2rem", "height": "1.2rem", "flexShrink": 0, "marginTop": "0.15rem"}),
        rx.box(rx.text(option[1], weight="medium", size="2"), rx.text(option[2], size="2")),
        html_for=choice_id,
        style={"display": "flex", "gap": "0.6rem", "alignItems": "flex-start", "minHeight": "2.75rem",
               "padding": "0.4rem 0.5rem", "border": "1px solid var(--gray-5)", "borderRadius": "8px"},
    )


def _stage_section() -> rx.Component:
    errors = T.stage_errors
    return card(
        rx.heading("Where I am with change", as_="h2", size="4"),
        rx.text("Pick the stage that fits you today, then two quick scores from 0 to 10.", size="2"),
        rx.form(
            rx.fragment(rx.vstack(
                rx.el.fieldset(
                    rx.el.legend("Which fits you best right now?", style=LABEL_STYLE),
                    rx.vstack(rx.foreach(T.stage_options, _stage_choice), spacing="2", width="100%"),
                    field_error(errors.get("stage", ""), "stage"),
                    aria_describedby="stage-error",
                    style={"border": 0, "padding": 0, "margin": 0, "minWidth": 0, "width": "100%"},
                ),
                _scale("How important is this change to you?", "importance", "stage-importance",
                       "not at all", "extremely", errors),
                _scale("How confident are you that you can make it?", "confidence", "stage-confidence",
                       "not at all", "extremely", errors),
                text_field("Anything to add? (optional)", "note", "stage-note", error=errors.get("note", "")),
                spacing="3", width="100%",
            ), key=T.stage_key.to_string()),
            rx.button("Save where I am", type="submit", size="3", margin_top="0.75rem", id="stage-save"),
            on_submit=T.place_stage, reset_on_submit=False, no_validate=True, width="100%",
        ),
        notice(T.stage_message),
        rx.cond(T.stage_rows.length() > 0, rx.box(
            rx.heading("Over time", as_="h3", size="3"),
            rx.el.ul(rx.foreach(T.stage_rows, lambda r: rx.el.li(
                rx.text.strong(r.day), ": ", r.stage, " · importance ", r.importance, " · confidence ", r.confidence,
                rx.cond(r.note != "", " · " + r.note, ""),
            )), id="stage-history", style={"paddingLeft": "1.2rem", "fontSize": "0.9rem"}),
            margin_top="0.5rem",
        )),
        id="stage",
    )


def _balance_section() -> rx.Component:
    return card(
        rx.heading("Decisional balance", as_="h2", size="4"),
        rx.text("Weighing it up, in your own words. Come back to it as things change: every save is kept "
                "with its date.", size="2"),
        document_form(T, "balance", recovery_tools.BALANCE, T.save_balance, "Save my decisional balance"),
        versions(T.balance_history, "Earlier versions", "balance-versions"),
        id="balance",
    )


def _relapse_section() -> rx.Component:
    return card(
        rx.heading("Relapse-prevention plan", as_="h2", size="4"),
        rx.text("Yours to write with your therapist. Either of you can change it; every version is kept.", size="2"),
        rx.cond(T.relapse_people.length() > 0, rx.box(
            rx.text("People I can call", weight="medium", size="2"),
            contact_list(T.relapse_people, "relapse-people"),
        )),
        document_form(T, "relapse", recovery_tools.RELAPSE_PLAN, T.save_relapse, "Save my plan"),
        versions(T.relapse_history, "Earlier versions", "relapse-versions"),
        id="relapse",
    )


def tools_page() -> rx.Component:
    return client_page(
        "My recovery tools",
        "Tools for the hard moments and for the long run. Only you and your care team see them.",
        T,
        rx.vstack(_jump_links(), _urge_section(), _stage_section(), _balance_section(), _relapse_section(),
                  spacing="3", width="100%"),
    )


# ---------------------------------------------------------------- the safety plan
S = SafetyPlanState


def _plan_step(part) -> rx.Component:
    text = S.safety_values.get(part.name, "")
    people = {"helpers": S.helpers, "professionals": S.professionals}.get(part.name)
    return rx.box(
        rx.heading(part.title, as_="h3", size="3"),
        (contact_list(people, f"safety-{part.name}-list") if people is not None
         else rx.cond(text != "", rx.el.p(text, style=PRE), rx.text("Not written yet.", size="2",
                                                                     color_scheme="gray"))),
        padding_y="0.4rem", border_bottom="1px solid var(--gray-4)", width="100%",
    )


def safety_plan_page() -> rx.Component:
    return client_page(
        "My safety plan",
        "For when things get very hard. Work through the steps in order until you feel safer.",
        S,
        card(
            rx.heading("Talk to someone now", as_="h2", size="4"),
            crisis_lines(),
            id="safety-crisis-lines",
        ),
        card(
            rx.heading("My steps", as_="h2", size="4"),
            *[_plan_step(part) for part in recovery_tools.SAFETY_PARTS],
            id="safety-plan-steps",
        ),
        card(
            rx.el.details(
                rx.el.summary("Write or change my safety plan", style={"fontWeight": 600, "minHeight": "2.75rem",
                                                                       "display": "flex", "alignItems": "center"}),
                document_form(S, "safety", recovery_tools.SAFETY_PLAN, S.save_safety, "Save my safety plan"),
            ),
            versions(S.safety_history, "Earlier versions", "safety-versions"),
        ),
    )


# ---------------------------------------------------------------- on the home page
def home_plans_card() -> rx.Component:
    """One tap from home: the safety plan, the tools, and who to call from the
    relapse-prevention plan."""
    m = MyPlansState
    return card(
        rx.heading("Tools and plans", as_="h2", size="4"),
        rx.flex(
            big_link("My safety plan", routes.CLIENT_SAFETY_PLAN, id="home-safety-plan"),
            big_link("Log an urge", routes.CLIENT_TOOLS + "#urge", soft=True),
            big_link("My relapse-prevention plan", routes.CLIENT_TOOLS + "#relapse", soft=True,
                     id="home-relapse-plan"),
            big_link("Decisional balance", routes.CLIENT_TOOLS + "#balance", soft=True),
            wrap="wrap", gap="0.5rem", width="100%",
        ),
        rx.cond(m.relapse_people.length() > 0, rx.box(
            rx.text("People I can call", weight="medium", size="2"),
            contact_list(m.relapse_people, "home-people"),
            margin_top="0.25rem",
        )),
        id="home-tools",
    )

