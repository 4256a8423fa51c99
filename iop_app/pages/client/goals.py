"""The client's goals page."""

from __future__ import annotations

import reflex as rx

from ...components.ui import select_field, stale_notice, text_field, textarea_field
from ...state.client import GoalsState
from .base import client_page, keyed_form, label


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


def _goal_field(goal, text: str, field_id, key: str, control: rx.Component) -> rx.Component:
    """A labelled field of one goal's form, with the message the server gave it."""
    return rx.fragment(label(text, field_id), control, _goal_field_error(goal, key, field_id))


def _goal_form(goal, summary: str, name: str, on_submit, *fields: rx.Component) -> rx.Component:
    """One change to a goal, folded under `summary`. Keyed by the goal's version: a
    newer goal refills the form."""
    return rx.el.details(
        rx.el.summary(summary),
        rx.form(
            rx.el.input(type="hidden", name="goal_id", value=goal.id),
            rx.vstack(*fields, spacing="1", width="100%", align="stretch"),
            on_submit=on_submit, reset_on_submit=False, no_validate=True, width="100%",
            key=name + "-" + goal.id + "-" + goal.version,
        ),
        width="100%",
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
                    rx.box(label("Add a step", step_id),
                           rx.input(id=step_id, name="step", aria_describedby=step_id + "-error", width="100%"),
                           _goal_field_error(goal, "step", step_id), flex="1", min_width="12rem"),
                    rx.button("Add step", type="submit", variant="soft", aria_label="Add step to " + goal.title),
                    spacing="2", align="end", wrap="wrap", width="100%",
                ),
                on_submit=GoalsState.add_step, reset_on_submit=True, no_validate=True, width="100%",
            ),
            _goal_form(
                goal, "Update progress", "progress", GoalsState.update_progress,
                _goal_field(goal, "Progress (%)", progress_id, "progress_pct",
                            rx.input(id=progress_id, name="progress_pct", type="number", min=0, max=100, step=5,
                                     input_mode="numeric", default_value=goal.progress_pct.to_string(),
                                     aria_describedby=progress_id + "-error", width="100%")),
                _goal_field(goal, "What changed? (optional)", note_id, "note",
                            rx.input(id=note_id, name="note", aria_describedby=note_id + "-error", width="100%")),
                rx.button("Save progress", type="submit", aria_label="Save progress for " + goal.title),
            ),
            _goal_form(
                goal, "Change status", "status", GoalsState.set_status,
                _goal_field(goal, "Status", status_id, "status",
                            rx.el.select(rx.foreach(GoalsState.status_options,
                                                    lambda o: rx.el.option(o[1], value=o[0])),
                                         id=status_id, name="status", default_value=goal.status,
                                         aria_describedby=status_id + "-error", class_name="native-select")),
                _goal_field(goal, "Note (optional)", status_note_id, "status_note",
                            rx.input(id=status_note_id, name="status_note",
                                     aria_describedby=status_note_id + "-error", width="100%")),
                rx.button("Save status", type="submit", variant="soft", aria_label="Save status for " + goal.title),
            ),
            _goal_form(
                goal, "Edit goal", "edit", GoalsState.edit_goal,
                _goal_field(goal, "Goal wording", title_id, "title",
                            rx.input(id=title_id, name="title", default_value=goal.title,
                                     aria_describedby=title_id + "-error", width="100%")),
                _goal_field(goal, "Why it matters", why_id, "why",
                            rx.text_area(id=why_id, name="why", default_value=goal.why, rows="2",
                                         aria_describedby=why_id + "-error", width="100%")),
                _goal_field(goal, "Target date", target_id, "target_date",
                            rx.input(id=target_id, name="target_date", type="date", default_value=goal.target_iso,
                                     aria_describedby=target_id + "-error", width="100%")),
                rx.button("Save changes", type="submit", variant="soft", aria_label="Save changes to " + goal.title),
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
    return client_page(
        "My goals",
        "Small, concrete steps add up. You can change a goal any time.",
        s,
        rx.vstack(rx.foreach(s.goal_cards, _goal_card), spacing="3", width="100%"),
        rx.cond(s.goal_cards.length() == 0, rx.text("No goals yet. Add your first one below.", size="2")),
        rx.card(
            rx.heading("Add a goal", as_="h2", size="4", margin_bottom="0.5rem"),
            keyed_form(
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
                key=s.form_key, on_submit=s.add_goal,
            ),
            width="100%",
            margin_top="1rem",
        ),
    )
