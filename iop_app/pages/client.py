"""Client portal pages: home, daily check-in, goals, hierarchy of needs.

Phone first: single column, full-width fields, wrapping button rows; nothing is
wider than the screen at 375 px. Copy is plain and kind.
"""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.focus import focus_after_render
from ..components.ui import (
    card,
    error_banner,
    field_error,
    notice,
    page_frame,
    select_field,
    stale_notice,
    text_field,
    textarea_field,
)
from ..services import checkins
from ..state.client import CheckinState, ClientHomeState, GoalsState, NeedsState

WIDTH = "48rem"


def _label(text, html_for) -> rx.Component:
    return rx.el.label(text, html_for=html_for, style={"fontWeight": 500, "fontSize": "0.9rem"})


def _crisis_lines() -> rx.Component:
    return rx.vstack(
        *[
            rx.text(rx.text.strong(name), ": ", rx.link(how, href=tel), size="2")
            for name, how, tel in checkins.CRISIS_LINES
        ],
        rx.text("If you are in danger right now, call 911.", size="2"),
        spacing="1",
        align="start",
    )


# ------------------------------------------------------------------ home
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


# ------------------------------------------------------------------ check-in
def _scale_field(label: str, name: str, low: int, high: int, hint: str) -> rx.Component:
    return text_field(label, name, f"checkin-{name}", error=CheckinState.errors.get(name, ""), type="number",
                      hint=hint, min=low, max=high, step=1, input_mode="numeric",
                      default_value=CheckinState.values.get(name, ""))


def _checkbox_group(legend: str, name: str, choices: tuple[str, ...], checked, other_label: str, other_name: str,
                    error_key: str) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, style={"fontWeight": 500, "fontSize": "0.9rem"}),
        rx.flex(
            *[
                rx.el.label(
                    rx.el.input(type="checkbox", name=f"{name}_{i}", id=f"{name}-{i}",
                                default_checked=checked.contains(choice), style={"width": "1.1rem", "height": "1.1rem"}),
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
    return rx.callout.root(
        rx.vstack(
            rx.heading("You don't have to get through this alone", as_="h2", size="4"),
            rx.text("Cravings and slips are part of recovery for many people. Your care team will see today's "
                    "check-in and can help. Some things that can help right now:", size="2"),
            rx.el.ul(*[rx.el.li(tip) for tip in checkins.COPING_SUGGESTIONS],
                     style={"paddingLeft": "1.2rem", "fontSize": "0.9rem"}),
            rx.text(rx.text.strong("Talk to someone now, any time:"), size="2"),
            _crisis_lines(),
            spacing="2",
            align="start",
        ),
        color_scheme="amber",
        role="region",
        aria_label="Support right now",
        id="support-panel",
        margin_y="0.75rem",
    )


def checkin_page() -> rx.Component:
    s = CheckinState
    errors = s.errors
    return page_frame(
        "Daily check-in",
        rx.text("A minute to notice how you are. There are no wrong answers.", size="2", margin_bottom="0.5rem"),
        notice(s.message),
        rx.cond(s.show_support, _support_panel()),
        rx.cond(s.streak > 0, rx.text(s.streak.to_string() + " days in a row checked in.", size="2",
                                      color_scheme="gray")),
        error_banner(errors.get("form", "")),
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
            _crisis_lines(),
            margin_top="1.5rem",
            padding_top="0.75rem",
            border_top="1px solid var(--gray-5)",
        ),
        width=WIDTH,
    )


# ------------------------------------------------------------------ goals
def _goal_field_error(goal, key: str, field_id) -> rx.Component:
    return rx.cond(
        (GoalsState.error_goal_id == goal.id) & (GoalsState.goal_errors.get(key, "") != ""),
        rx.text(GoalsState.goal_errors.get(key, ""), id=field_id + "-error", color_scheme="red", size="2",
                role="alert"),
    )


def _step_item(goal, step) -> rx.Component:
    box_id = "step-" + step.id
    return rx.el.li(
        rx.el.input(type="checkbox", id=box_id, checked=step.done,
                    on_change=lambda _value: GoalsState.toggle_step(goal.id, step.id, ~step.done),
                    style={"width": "1.1rem", "height": "1.1rem", "flexShrink": 0}),
        rx.el.label(step.text, html_for=box_id,
                    style=rx.cond(step.done, {"textDecoration": "line-through", "color": "var(--gray-10)"}, {})),
        style={"display": "flex", "gap": "0.5rem", "alignItems": "center", "listStyle": "none",
               "minHeight": "2rem"},
    )


def _goal_card(goal) -> rx.Component:
    progress_id = "progress-" + goal.id
    note_id = "progress-note-" + goal.id
    status_id = "status-" + goal.id
    status_note_id = "status-note-" + goal.id
    step_id = "new-step-" + goal.id
    title_id = "edit-title-" + goal.id
    why_id = "edit-why-" + goal.id
    target_id = "edit-target-" + goal.id
    return rx.card(
        rx.vstack(
            rx.heading(goal.title, as_="h3", size="3"),
            rx.cond(GoalsState.stale_goal_id == goal.id,
                    stale_notice(GoalsState.stale, GoalsState.reload_goals, GoalsState.draft,
                                 GoalsState.discard_draft)),
            rx.flex(rx.badge(goal.status_label), rx.badge(goal.area, variant="outline"),
                    rx.badge(goal.horizon, variant="outline"),
                    rx.cond(goal.target != "", rx.text("Target: " + goal.target, size="1", color_scheme="gray")),
                    spacing="2", wrap="wrap", align="center"),
            rx.cond(goal.why != "", rx.text("Why it matters: " + goal.why, size="2")),
            rx.hstack(rx.progress(value=goal.progress_pct, max=100, aria_label=goal.title + " progress"),
                      rx.text(goal.progress_pct.to_string() + "%", size="2", white_space="nowrap"),
                      width="100%", align="center"),
            rx.cond(goal.steps.length() > 0,
                    rx.box(rx.text("Steps", weight="medium", size="2"),
                           rx.el.ul(rx.foreach(goal.steps, lambda step: _step_item(goal, step)),
                                    style={"padding": 0, "margin": 0}))),
            rx.form(
                rx.el.input(type="hidden", name="goal_id", value=goal.id),
                rx.flex(
                    rx.box(_label("Add a step", step_id),
                           rx.input(id=step_id, name="step", aria_describedby=step_id + "-error", width="100%"),
                           _goal_field_error(goal, "step", step_id), flex="1", min_width="12rem"),
                    rx.button("Add step", type="submit", variant="soft", aria_label="Add step to " + goal.title),
                    spacing="2", align="end", wrap="wrap", width="100%",
                ),
                on_submit=GoalsState.add_step, reset_on_submit=True, no_validate=True, width="100%",
            ),
            rx.el.details(
                rx.el.summary("Update progress"),
                rx.form(
                    rx.el.input(type="hidden", name="goal_id", value=goal.id),
                    rx.vstack(
                        _label("Progress (%)", progress_id),
                        rx.input(id=progress_id, name="progress_pct", type="number", min=0, max=100, step=5,
                                 input_mode="numeric", default_value=goal.progress_pct.to_string(),
                                 aria_describedby=progress_id + "-error", width="100%"),
                        _goal_field_error(goal, "progress_pct", progress_id),
                        _label("What changed? (optional)", note_id),
                        rx.input(id=note_id, name="note", aria_describedby=note_id + "-error", width="100%"),
                        _goal_field_error(goal, "note", note_id),
                        rx.button("Save progress", type="submit", aria_label="Save progress for " + goal.title),
                        spacing="1", width="100%", align="stretch",
                    ),
                    on_submit=GoalsState.update_progress, reset_on_submit=False, no_validate=True, width="100%",
                    key="progress-" + goal.id + "-" + goal.version,  # a newer goal refills the form
                ),
                width="100%",
            ),
            rx.el.details(
                rx.el.summary("Change status"),
                rx.form(
                    rx.el.input(type="hidden", name="goal_id", value=goal.id),
                    rx.vstack(
                        _label("Status", status_id),
                        rx.el.select(rx.foreach(GoalsState.status_options, lambda o: rx.el.option(o[1], value=o[0])),
                                     id=status_id, name="status", default_value=goal.status,
                                     aria_describedby=status_id + "-error", class_name="native-select"),
                        _goal_field_error(goal, "status", status_id),
                        _label("Note (optional)", status_note_id),
                        rx.input(id=status_note_id, name="status_note", aria_describedby=status_note_id + "-error",
                                 width="100%"),
                        _goal_field_error(goal, "status_note", status_note_id),
                        rx.button("Save status", type="submit", variant="soft",
                                  aria_label="Save status for " + goal.title),
                        spacing="1", width="100%", align="stretch",
                    ),
                    on_submit=GoalsState.set_status, reset_on_submit=False, no_validate=True, width="100%",
                    key="status-" + goal.id + "-" + goal.version,
                ),
                width="100%",
            ),
            rx.el.details(
                rx.el.summary("Edit goal"),
                rx.form(
                    rx.el.input(type="hidden", name="goal_id", value=goal.id),
                    rx.vstack(
                        _label("Goal wording", title_id),
                        rx.input(id=title_id, name="title", default_value=goal.title,
                                 aria_describedby=title_id + "-error", width="100%"),
                        _goal_field_error(goal, "title", title_id),
                        _label("Why it matters", why_id),
                        rx.text_area(id=why_id, name="why", default_value=goal.why, rows="2",
                                     aria_describedby=why_id + "-error", width="100%"),
                        _goal_field_error(goal, "why", why_id),
                        _label("Target date", target_id),
                        rx.input(id=target_id, name="target_date", type="date", default_value=goal.target_iso,
                                 aria_describedby=target_id + "-error", width="100%"),
                        _goal_field_error(goal, "target_date", target_id),
                        rx.button("Save changes", type="submit", variant="soft",
                                  aria_label="Save changes to " + goal.title),
                        spacing="1", width="100%", align="stretch",
                    ),
                    on_submit=GoalsState.edit_goal, reset_on_submit=False, no_validate=True, width="100%",
                    key="edit-" + goal.id + "-" + goal.version,
                ),
                width="100%",
            ),
            rx.el.details(
                rx.el.summary("History"),
                rx.el.ul(rx.foreach(goal.history, lambda h: rx.el.li(rx.text.strong(h.day), ": ", h.text)),
                         style={"paddingLeft": "1.2rem", "fontSize": "0.9rem"}),
            ),
            spacing="2",
            width="100%",
            align="stretch",
        ),
        width="100%",
        aria_label=goal.title,
        role="group",
        class_name="goal-card",
    )


def goals_page() -> rx.Component:
    s = GoalsState
    errors = s.errors
    return page_frame(
        "My goals",
        rx.text("Small, concrete steps add up. You can change a goal any time.", size="2", margin_bottom="0.5rem"),
        notice(s.message),
        rx.vstack(rx.foreach(s.goal_cards, _goal_card), spacing="3", width="100%"),
        rx.cond(s.goal_cards.length() == 0, rx.text("No goals yet. Add your first one below.", size="2")),
        rx.card(
            rx.heading("Add a goal", as_="h2", size="4", margin_bottom="0.5rem"),
            rx.form(
                rx.fragment(
                    rx.vstack(
                        text_field("Goal", "title", "goal-title", error=errors.get("title", ""),
                                   hint="For example: Go 30 days without drinking"),
                        textarea_field("Why it matters to me (optional)", "why", "goal-why",
                                       error=errors.get("why", ""), rows="2"),
                        select_field("Life area", "life_area", "goal-area", s.area_options,
                                     error=errors.get("life_area", ""), default_value="sobriety"),
                        select_field("Time frame", "horizon", "goal-horizon", s.horizon_options,
                                     error=errors.get("horizon", ""), default_value="immediate"),
                        text_field("Target date (optional)", "target_date", "goal-target", type="date",
                                   error=errors.get("target_date", "")),
                        textarea_field("Steps, one per line (optional)", "steps", "goal-steps",
                                       error=errors.get("steps", ""), rows="3"),
                        rx.button("Add goal", type="submit"),
                        spacing="3",
                        width="100%",
                    ),
                    key=s.form_key.to_string(),
                ),
                on_submit=s.add_goal,
                reset_on_submit=False,
                no_validate=True,
            ),
            width="100%",
            margin_top="1rem",
        ),
        width=WIDTH,
    )


# ------------------------------------------------------------------ needs
def _need_row(row) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.text(row.position.to_string() + ".", weight="bold", min_width="1.5rem"),
            rx.box(
                rx.text(row.label, weight="medium", class_name="need-label"),
                rx.flex(rx.text(row.area, size="1", color_scheme="gray"),
                        rx.cond(row.in_focus, rx.badge("Working on this now", color_scheme="teal")),
                        spacing="2", wrap="wrap", align="center"),
                flex="1",
                min_width="8rem",
            ),
            rx.flex(
                rx.button(rx.icon("arrow-up", size=16), "Up", id="need-up-" + row.id, size="2", variant="soft",
                          aria_label="Move " + row.label + " up", on_click=NeedsState.move_up(row.id),
                          disabled=row.position == 1),
                rx.button(rx.icon("arrow-down", size=16), "Down", id="need-down-" + row.id, size="2",
                          variant="soft", aria_label="Move " + row.label + " down",
                          on_click=NeedsState.move_down(row.id),
                          disabled=row.position == NeedsState.rows.length()),
                rx.button("Remove", size="2", variant="outline", color_scheme="gray",
                          aria_label="Remove " + row.label, on_click=NeedsState.remove_need(row.id)),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        style={"padding": "0.5rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def _snapshot(snapshot) -> rx.Component:
    return rx.box(
        rx.text(rx.text.strong(snapshot.when), size="2"),
        rx.el.ul(rx.foreach(snapshot.lines, lambda item: rx.el.li(item)),
                 style={"paddingLeft": "0.5rem", "listStyle": "none", "fontSize": "0.9rem", "margin": 0}),
        padding_y="0.4rem",
        border_bottom="1px solid var(--gray-4)",
    )


def needs_page() -> rx.Component:
    s = NeedsState
    errors = s.errors
    return page_frame(
        "My needs",
        rx.text("List what is going on in your life and put it in order: the most important first. "
                "Your therapist uses this order to decide what to work on first.", size="2",
                margin_bottom="0.5rem"),
        notice(s.message),
        rx.card(
            rx.heading("My order", as_="h2", size="4"),
            rx.cond(s.rows.length() > 0,
                    rx.el.ol(rx.foreach(s.rows, _need_row), style={"padding": 0, "margin": 0}, id="needs-list",
                             aria_label="My needs, most important first"),
                    rx.text("Your list is empty. Add a need below.", size="2")),
            rx.text(s.move_status, role="status", aria_live="polite", size="2", color_scheme="gray"),
            focus_after_render(s.focus_request),
            field_error(errors.get("order", ""), "needs-order"),
            rx.flex(
                rx.button("Save order", on_click=s.save_order, disabled=s.rows.length() == 0),
                rx.cond(s.unsaved, rx.button("Undo changes", on_click=s.undo_changes, variant="soft")),
                rx.cond(s.unsaved, rx.text("Changes not saved yet.", size="2", color_scheme="amber")),
                spacing="2", wrap="wrap", align="center", margin_top="0.5rem",
            ),
            width="100%",
        ),
        rx.card(
            rx.heading("Add a need", as_="h2", size="4", margin_bottom="0.5rem"),
            rx.form(
                rx.fragment(
                    rx.vstack(
                        select_field("Common needs", "common", "need-common",
                                     rx.Var.create([["", "Pick one…"]]).to(list[list[str]]) + s.common_options,
                                     error=errors.get("common", "")),
                        text_field("Or write your own", "custom", "need-custom", error=errors.get("custom", "")),
                        select_field("Life area (for your own)", "area", "need-area", s.area_options,
                                     error=errors.get("area", ""), default_value="other"),
                        rx.button("Add need", type="submit"),
                        spacing="3",
                        width="100%",
                    ),
                    key=s.form_key.to_string(),
                ),
                on_submit=s.add_need,
                reset_on_submit=False,
                no_validate=True,
            ),
            width="100%",
            margin_top="1rem",
        ),
        rx.card(
            rx.heading("How my priorities changed", as_="h2", size="4"),
            rx.cond(s.history.length() > 0, rx.foreach(s.history, _snapshot),
                    rx.text("No saved orders yet.", size="2")),
            width="100%",
            margin_top="1rem",
        ),
        width=WIDTH,
    )


def register(app: rx.App) -> None:
    app.add_page(client_home, route=routes.CLIENT_HOME, title="My recovery · IOP", on_load=ClientHomeState.load)
    app.add_page(checkin_page, route=routes.CLIENT_CHECKIN, title="Daily check-in · IOP", on_load=CheckinState.load)
    app.add_page(goals_page, route=routes.CLIENT_GOALS, title="My goals · IOP", on_load=GoalsState.load)
    app.add_page(needs_page, route=routes.CLIENT_NEEDS, title="My needs · IOP", on_load=NeedsState.load)
