"""Treatment plan pages: the care team's (routes.STAFF_CLIENT_PLAN) and the
client's (routes.CLIENT_PLAN, phone first)."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.record_nav import record_body, record_page
from ..components.ui import card, data_table, field_label, stale_notice
from ..state.plans import ClientPlanState, StaffPlanState
from .client.base import client_page

S = StaffPlanState


# ------------------------------------------------------------------ small parts
def _error(form, name: str, field_id) -> rx.Component:
    """The server's message for field `name` of the form `form`, under the field."""
    return rx.cond((S.error_form == form) & (S.form_errors.get(name, "") != ""),
                   rx.text(S.form_errors.get(name, ""), id=field_id + "-error", color_scheme="red", size="2",
                           role="alert"))


def _input(label: str, form, name: str, field_id, value="", kind: str = "text", area: bool = False) -> rx.Component:
    control = (rx.text_area(id=field_id, name=name, default_value=value, rows="2", width="100%",
                            aria_describedby=field_id + "-error") if area else
               rx.input(id=field_id, name=name, type=kind, default_value=value, width="100%",
                        aria_describedby=field_id + "-error"))
    return rx.vstack(field_label(label, field_id), control, _error(form, name, field_id), spacing="1", width="100%",
                     align="stretch")


def _select(label: str, form, name: str, field_id, options, value="") -> rx.Component:
    return rx.vstack(
        field_label(label, field_id),
        rx.el.select(rx.foreach(options, lambda o: rx.el.option(o[1], value=o[0])), id=field_id, name=name,
                     default_value=value, class_name="native-select", aria_describedby=field_id + "-error"),
        _error(form, name, field_id), spacing="1", width="100%", align="stretch")


def _form(summary: str, key, on_submit, *fields, hidden=(), open_=False) -> rx.Component:
    """A folded form; its key changes after every save, so it is drawn anew (emptied)."""
    return rx.el.details(
        rx.el.summary(summary),
        rx.form(
            *[rx.el.input(type="hidden", name=n, value=v) for n, v in hidden],
            rx.vstack(*fields, spacing="2", width="100%", align="stretch"),
            on_submit=on_submit, reset_on_submit=False, no_validate=True, width="100%",
            key=key + "-" + S.form_key.to_string() + "-" + S.plan["id"],
        ),
        open=open_, style={"marginTop": "0.25rem"},
    )


def _remove(kind: str, part_id, what) -> rx.Component:
    return rx.button("Remove", size="1", variant="soft", color_scheme="red", type="button",
                     aria_label="Remove " + kind + ": " + what, on_click=S.remove_part(kind, part_id))


def _draft(*children) -> rx.Component:
    return rx.cond(S.plan["status"] == "draft", rx.fragment(*children))


# ------------------------------------------------------------------ the plan itself
def _intervention(i, editable: bool) -> rx.Component:
    return rx.el.li(
        rx.text(i.what + " — who: " + i.who + " — how often: " + i.frequency, size="2", as_="span"),
        *([_draft(rx.box(_remove("intervention", i.id, i.what), display="inline-block", margin_left="0.5rem"))]
          if editable else []),
    )


def _objective(o, editable: bool) -> rx.Component:
    form = "objective-" + o.id
    new_form = "intervention-new-" + o.id
    return rx.box(
        rx.text(rx.text.strong("Objective: "), o.statement),
        rx.text("Target " + o.target + " · " + o.status_label
                + rx.cond(o.carried == "yes", " · carried from the previous version", ""), size="2",
                color_scheme="gray"),
        rx.cond(o.progress != "", rx.text("Progress: " + o.progress, size="2")),
        rx.el.ul(rx.foreach(o.interventions, lambda i: _intervention(i, editable)),
                 style={"paddingLeft": "1.2rem", "margin": "0.25rem 0"}),
        *([_draft(
            _form("Edit objective", form, S.save_objective,
                  _input("Objective (measurable)", form, "statement", "obj-statement-" + o.id, o.statement, area=True),
                  _input("Target date", form, "target_date", "obj-target-" + o.id, o.target_iso, kind="date"),
                  _select("Status", form, "status", "obj-status-" + o.id, S.status_options, o.status),
                  _input("Progress toward it", form, "progress", "obj-progress-" + o.id, o.progress, area=True),
                  rx.button("Save objective", type="submit", size="2", aria_label="Save objective: " + o.statement),
                  hidden=[("objective_id", o.id)]),
            _form("Add an intervention", new_form, S.add_intervention,
                  _input("What", new_form, "what", "int-what-" + o.id),
                  _input("Who", new_form, "who", "int-who-" + o.id),
                  _input("How often", new_form, "frequency", "int-frequency-" + o.id),
                  rx.button("Add intervention", type="submit", size="2",
                            aria_label="Add intervention to: " + o.statement),
                  hidden=[("objective_id", o.id)]),
            _remove("objective", o.id, o.statement),
        )] if editable else []),
        style={"borderLeft": "3px solid var(--accent-6)", "paddingLeft": "0.75rem", "margin": "0.5rem 0"},
    )


def _goal(g, editable: bool) -> rx.Component:
    form = "goal-" + g.id
    new_form = "objective-new-" + g.id
    return rx.box(
        rx.text(rx.text.strong("Goal (in the client's words): "), g.statement),
        rx.cond(g.client_goal != "", rx.badge(g.client_goal, color_scheme="green", variant="soft")),
        rx.foreach(g.objectives, lambda o: _objective(o, editable)),
        *([_draft(
            _form("Edit goal", form, S.save_goal,
                  _input("Goal in the client's words", form, "statement", "goal-statement-" + g.id, g.statement,
                         area=True),
                  _select("The client's own goal", form, "client_goal_id", "goal-link-" + g.id, S.goal_options,
                          g.client_goal_id),
                  rx.button("Save goal", type="submit", size="2", aria_label="Save goal: " + g.statement),
                  hidden=[("goal_id", g.id)]),
            _form("Add an objective", new_form, S.save_objective,
                  _input("Objective (measurable)", new_form, "statement", "new-obj-statement-" + g.id, area=True),
                  _input("Target date", new_form, "target_date", "new-obj-target-" + g.id, kind="date"),
                  rx.button("Add objective", type="submit", size="2", aria_label="Add objective to: " + g.statement),
                  hidden=[("goal_id", g.id)]),
            _remove("goal", g.id, g.statement),
        )] if editable else []),
        style={"margin": "0.5rem 0 0.5rem 0.5rem"},
    )


def _problem(p, editable: bool) -> rx.Component:
    form = "problem-" + p.id
    new_form = "goal-new-" + p.id
    return rx.card(
        rx.vstack(
            rx.heading("Problem: " + p.statement, as_="h4", size="3"),
            rx.flex(rx.badge("ASAM " + p.dimension_label, variant="outline"), rx.badge(p.origin, variant="outline"),
                    rx.cond(p.need != "", rx.badge(p.need, color_scheme="green")), wrap="wrap", spacing="2"),
            rx.foreach(p.goals, lambda g: _goal(g, editable)),
            *([_draft(
                _form("Edit problem", form, S.save_problem,
                      _input("Problem", form, "statement", "problem-statement-" + p.id, p.statement, area=True),
                      _select("ASAM dimension", form, "dimension", "problem-dimension-" + p.id, S.dimension_options,
                              p.dimension),
                      _select("The client's need (their priorities)", form, "need_id", "problem-need-" + p.id,
                              S.need_options, p.need_id),
                      rx.button("Save problem", type="submit", size="2", aria_label="Save problem: " + p.statement),
                      hidden=[("problem_id", p.id)]),
                _form("Add a goal", new_form, S.save_goal,
                      _input("Goal in the client's words", new_form, "statement", "new-goal-statement-" + p.id,
                             area=True),
                      _select("The client's own goal", new_form, "client_goal_id", "new-goal-link-" + p.id,
                              S.goal_options),
                      rx.button("Add goal", type="submit", size="2", aria_label="Add goal to: " + p.statement),
                      hidden=[("problem_id", p.id)]),
                _remove("problem", p.id, p.statement),
            )] if editable else []),
            spacing="1", align="stretch", width="100%",
        ),
        width="100%",
    )


def _priorities(rows) -> rx.Component:
    return rx.cond(rows.length() > 0, rx.box(
        rx.heading("The client's priorities", as_="h3", size="3"),
        rx.el.ol(rx.foreach(rows, lambda r: rx.el.li(
            r.label, rx.cond(r.on_plan == "yes", rx.text(" — on this plan", as_="span", color_scheme="green"), "")))),
    ))


def _signatures(plan) -> rx.Component:
    return rx.box(
        rx.heading("Signatures", as_="h3", size="3"),
        rx.text(plan["therapist_sig"], size="2"),
        rx.text(plan["client_sig"], size="2"),
    )


# ------------------------------------------------------------------ staff page
def _version_row(v) -> rx.Component:
    return rx.el.tr(
        rx.el.td("Version " + v.number), rx.el.td(v.status), rx.el.td(v.effective), rx.el.td(v.due),
        rx.el.td(rx.cond(v.shown == "yes", rx.text("Shown", size="2"),
                         rx.button("Show", size="1", variant="soft", aria_label="Show version " + v.number,
                                   on_click=S.show_version(v.id)))),
    )


def _staff_plan() -> rx.Component:
    plan = S.plan
    return rx.vstack(
        rx.heading("Version " + plan["number"] + " — " + plan["status_label"], as_="h2", size="5"),
        rx.text("In force from " + plan["effective"] + " · review due " + plan["due"], size="2", color_scheme="gray"),
        rx.button("Download PDF", on_click=S.download_pdf, variant="soft", width="fit-content",
                  aria_label="Download PDF of version " + plan["number"]),
        stale_notice(S.stale, S.reload_plan),
        _priorities(S.priorities),
        rx.cond(plan["is_review"] == "yes", rx.box(
            rx.heading("What changed at this review", as_="h3", size="3"),
            rx.cond(plan["status"] == "draft",
                    rx.form(
                        _input("What changed and why", "changes", "changes", "plan-changes", plan["changes"],
                               area=True),
                        rx.button("Save what changed", type="submit", size="2", margin_top="0.25rem"),
                        on_submit=S.save_changes, reset_on_submit=False, no_validate=True,
                        key="changes-" + S.form_key.to_string() + "-" + plan["id"]),
                    rx.text(plan["changes"], white_space="pre-wrap")),
        )),
        rx.heading("Problems, goals, objectives and interventions", as_="h3", size="3"),
        rx.cond(S.problems.length() == 0, rx.text("No problems yet.")),
        rx.foreach(S.problems, lambda p: _problem(p, True)),
        _draft(card(
            rx.heading("Add a problem", as_="h3", size="3"),
            rx.form(
                _input("Problem", "problem-new", "statement", "new-problem-statement", area=True),
                _select("ASAM dimension", "problem-new", "dimension", "new-problem-dimension", S.dimension_options),
                _select("The client's need (their priorities)", "problem-new", "need_id", "new-problem-need",
                        S.need_options),
                rx.button("Add problem", type="submit", margin_top="0.25rem"),
                on_submit=S.save_problem, reset_on_submit=False, no_validate=True,
                key="problem-new-" + S.form_key.to_string() + "-" + plan["id"]),
        )),
        _signatures(plan),
        _draft(card(
            rx.heading("Sign the plan", as_="h3", size="3"),
            rx.text("Signing locks the content; the client then signs it from their portal. Your name and the "
                    "server's time are recorded.", size="2"),
            rx.form(
                _input("Type your full name to sign", "sign", "signature", "plan-signature"),
                rx.button("Sign and lock", type="submit", margin_top="0.25rem"),
                on_submit=S.sign, reset_on_submit=False, no_validate=True,
                key="sign-" + S.form_key.to_string() + "-" + plan["id"]),
        )),
        rx.cond(plan["status"] == "awaiting_client", rx.hstack(
            rx.text("Waiting for the client's signature.", weight="medium"),
            rx.button("Return to draft", variant="soft", on_click=S.return_to_draft),
            wrap="wrap", align="center",
        )),
        spacing="3", width="100%", align="stretch",
    )


def staff_plan_page() -> rx.Component:
    return record_page(
        "Treatment plan", S,
        record_body(
            S,
            rx.text(S.due["what"] + ": " + S.due["next"],
                    rx.cond(S.due["overdue"] != "", rx.text(" — " + S.due["overdue"], as_="span", color_scheme="red",
                                                             weight="bold"))),
            rx.cond(S.can_start, rx.button("Start the treatment plan", on_click=S.start_plan, width="fit-content")),
            rx.cond(S.can_review, rx.button("Start a review (new version)", on_click=S.start_review,
                                            width="fit-content")),
            rx.cond(S.versions.length() > 0,
                    data_table("Plan versions", ["Version", "Status", "In force from", "Review due", ""], S.versions,
                               _version_row)),
            rx.cond(S.plan["id"], _staff_plan()),
            spacing="3",
        ),
        rx.link("Back to the roster", href=routes.STAFF_ROSTER, margin_top="1rem"),
    )


# ------------------------------------------------------------------ client page
C = ClientPlanState


def _client_plan(plan, problems, which: str) -> rx.Component:
    return rx.vstack(
        rx.text("Version " + plan["number"] + " · " + plan["status_label"], size="2", color_scheme="gray"),
        rx.cond(plan["is_review"] == "yes", rx.text("What changed: " + plan["changes"], size="2")),
        rx.foreach(problems, lambda p: _problem(p, False)),
        _signatures(plan),
        rx.button("Download a copy (PDF)", variant="soft", on_click=C.download(which), width="fit-content",
                  aria_label="Download a copy (PDF) of version " + plan["number"]),
        spacing="2", width="100%", align="stretch",
    )


def client_plan_page() -> rx.Component:
    return client_page(
        "My treatment plan",
        "What you and your therapist agreed to work on. You can download a copy any time.",
        C,
        _priorities(C.priorities),
        rx.cond(C.to_sign.length() > 0, card(
            rx.heading("Waiting for your signature", as_="h2", size="4"),
            _client_plan(C.to_sign, C.to_sign_problems, "to_sign"),
            rx.form(
                rx.vstack(
                    field_label("Type your full name to sign", "client-plan-signature"),
                    rx.input(id="client-plan-signature", name="signature", width="100%",
                             aria_describedby="client-plan-signature-error", auto_complete="name"),
                    rx.cond(C.errors.get("signature", "") != "",
                            rx.text(C.errors.get("signature", ""), id="client-plan-signature-error",
                                    color_scheme="red", size="2", role="alert")),
                    rx.text("Signing means you agree with this plan. Today's date is recorded by the program.",
                            size="1", color_scheme="gray"),
                    rx.button("Sign my plan", type="submit"),
                    spacing="2", width="100%", align="stretch",
                ),
                on_submit=C.sign, reset_on_submit=False, no_validate=True, key=C.sign_key.to_string(),
            ),
        )),
        rx.cond(C.current.length() > 0, card(
            rx.heading("My plan in force", as_="h2", size="4"),
            _client_plan(C.current, C.current_problems, "current"),
        )),
        rx.cond((C.current.length() == 0) & (C.to_sign.length() == 0),
                rx.text("Your treatment plan is not ready yet. Your therapist will write it with you.")),
    )


def register(app: rx.App) -> None:
    app.add_page(staff_plan_page, route=routes.STAFF_CLIENT_PLAN, title="Treatment plan · IOP", on_load=S.load)
    app.add_page(client_plan_page, route=routes.CLIENT_PLAN, title="My treatment plan · IOP", on_load=C.load)
