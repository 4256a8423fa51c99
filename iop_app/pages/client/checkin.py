"""The daily check-in page."""

from __future__ import annotations

import reflex as rx

from ...components.crisis import crisis_lines, support_panel
from ...components.ui import LABEL_STYLE, select_field, text_field, textarea_field
from ...services import checkins
from ...state.client import CheckinState
from .base import client_page


def _scale_field(label: str, name: str, low: int, high: int, hint: str) -> rx.Component:
    return text_field(label, name, f"checkin-{name}", error=CheckinState.errors.get(name, ""), type="number",
                      hint=hint, min=low, max=high, step=1, input_mode="numeric",
                      default_value=CheckinState.values.get(name, ""))


def _checkbox_group(legend: str, name: str, choices: tuple[str, ...], checked, other_label: str, other_name: str,
                    error_key: str) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, style=LABEL_STYLE),
        rx.flex(
            *[
                rx.el.label(
                    rx.el.input(type="checkbox", name=f"{name}_{i}", id=f"{name}-{i}",
                                default_checked=checked.contains(choice),
                                style={"width": "1.1rem", "height": "1.1rem"}),
                    rx.text.span(choice),
                    style={"display": "flex", "gap": "0.4rem", "alignItems": "center", "minHeight": "2rem",
                           "fontSize": "0.9rem"},
                )
                for i, choice in enumerate(choices)
            ],
            wrap="wrap",
            style={"gap": "0.25rem 1.25rem"},
        ),
        text_field(other_label, other_name, f"checkin-{other_name}", error=CheckinState.errors.get(error_key, ""),
                   default_value=CheckinState.values.get(other_name, "")),
        style={"border": "1px solid var(--gray-5)", "borderRadius": "6px", "padding": "0.5rem 0.75rem",
               "width": "100%", "minWidth": 0},
    )


def _support_panel() -> rx.Component:
    return support_panel(
        "You don't have to get through this alone",
        "Cravings and slips are part of recovery for many people. Your care team will see today's "
        "check-in and can help. Some things that can help right now:",
        rx.el.ul(*[rx.el.li(tip) for tip in checkins.COPING_SUGGESTIONS],
                 style={"paddingLeft": "1.2rem", "fontSize": "0.9rem"}),
    )


def checkin_page() -> rx.Component:
    s = CheckinState
    errors = s.errors
    return client_page(
        "Daily check-in",
        "A minute to notice how you are. There are no wrong answers.",
        s,
        rx.cond(s.show_support, _support_panel()),
        rx.cond(s.streak > 0, rx.text(s.streak.to_string() + " days in a row checked in.", size="2",
                                      color_scheme="gray")),
        rx.form(
            rx.vstack(
                select_field("Day", "day", "checkin-day", s.day_options, error=errors.get("day", ""),
                             value=s.selected_day, on_change=s.choose_day),
                rx.cond(s.locked_message != "", rx.callout(s.locked_message, color_scheme="gray", role="status")),
                rx.cond(s.editing & (s.locked_message == ""),
                        rx.text("You already checked in for this day; saving again will update it.", size="2",
                                color_scheme="gray")),
                rx.fragment(
                    rx.vstack(
                        _scale_field("Mood", "mood", 1, 10, "1 = very low, 10 = very good"),
                        _scale_field("Anxiety", "anxiety", 0, 10, "0 = none, 10 = the most you can imagine"),
                        _scale_field("Craving", "craving", 0, 10, "0 = none, 10 = very strong"),
                        text_field("Hours slept", "sleep_hours", "checkin-sleep_hours",
                                   error=errors.get("sleep_hours", ""), type="number", min=0, max=24, step=0.5,
                                   input_mode="decimal", hint="Last night, roughly (0 to 24)",
                                   default_value=s.values.get("sleep_hours", "")),
                        select_field("Did you use alcohol or other drugs?", "used_substance", "checkin-used_substance",
                                     [("no", "No"), ("yes", "Yes")], error=errors.get("used_substance", ""),
                                     default_value=s.values.get("used_substance", "no")),
                        text_field("If yes, what did you use? (optional)", "substances", "checkin-substances",
                                   error=errors.get("substances", ""), default_value=s.values.get("substances", "")),
                        _checkbox_group("Triggers today", "trigger", checkins.COMMON_TRIGGERS, s.checked_triggers,
                                        "Other triggers", "trigger_other", "triggers"),
                        _checkbox_group("Coping skills I used", "coping", checkins.COMMON_COPING, s.checked_coping,
                                        "Other coping skills", "coping_other", "coping"),
                        textarea_field("Note (optional)", "note", "checkin-note", error=errors.get("note", ""),
                                       default_value=s.values.get("note", ""), rows="3"),
                        rx.button("Save check-in", type="submit", size="3", disabled=s.locked_message != ""),
                        spacing="3",
                        width="100%",
                    ),
                    key=s.form_key.to_string(),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=s.save,
            reset_on_submit=False,
            no_validate=True,
            width="100%",
        ),
        rx.box(
            rx.text(rx.text.strong("Need to talk to someone now?"), size="2"),
            crisis_lines(),
            margin_top="1.5rem",
            padding_top="0.75rem",
            border_top="1px solid var(--gray-5)",
        ),
    )
