"""Director pages: overview, accounts, audit log, review of emergency access."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.ui import (
    data_table,
    error_banner,
    field_label,
    notice,
    page_frame,
    select_field,
    stat,
    text_field,
)
from ..models.enums import NoteFormat, Role
from ..state.director import AccountsState, AuditState, BreakGlassReviewState, DirectorHomeState


def _record_settings() -> list[rx.Component]:
    """The clinical record's settings (issue #11): plan review interval, first plan,
    note format, when unsigned notes are overdue, whether clients see their notes."""
    settings, errors = DirectorHomeState.settings, DirectorHomeState.setting_errors

    def number(label: str, key: str, field_id: str, hint: str) -> rx.Component:
        return text_field(label, key, field_id, default_value=settings.get(key, ""), hint=hint,
                          error=errors.get(key, ""), input_mode="numeric", key=settings.get(key, ""))

    def choice(label: str, key: str, field_id: str, options) -> rx.Component:
        return rx.box(select_field(label, key, field_id, options, error=errors.get(key, ""),
                                   default_value=settings.get(key, "")),
                      key=key + settings.get(key, ""), width="100%")

    return [
        rx.heading("Clinical record", as_="h3", size="3", margin_top="0.5rem"),
        number("Treatment plan review every (days)", "plan_review_days", "setting-plan-review",
               "Many states require 30 days; some 14. From 7 to 90. Applies to plans signed from now on."),
        number("First plan due within (days of admission)", "first_plan_days", "setting-first-plan",
               "From 1 to 30."),
        choice("Default progress note format", "note_format_default", "setting-note-format", NoteFormat.choices()),
        number("A note is overdue when unsigned after (hours)", "notes_overdue_hours", "setting-notes-overdue",
               "From 1 to 336 hours after the session."),
        choice("Clients see their signed progress notes", "client_sees_notes", "setting-client-notes",
               [("no", "No (the default)"), ("yes", "Yes")]),
        # Discharge (issue #13)
        choice("Discharge summary due within", "discharge_summary_days", "setting-summary-days",
               [("7", "7 days (the default)"), ("10", "10 days")]),
        choice("Discharged clients keep their portal as alumni", "alumni_portal", "setting-alumni",
               [("yes", "Yes (the default)"), ("no", "No: the account is disabled at discharge")]),
    ]


def director_home() -> rx.Component:
    counts = DirectorHomeState.status_counts
    return page_frame(
        "Program overview",
        rx.flex(
            stat("Active clients", counts.get("active", 0)),
            stat("In intake", counts.get("intake", 0)),
            stat("Discharged", counts.get("discharged", 0)),
            stat("Therapists", DirectorHomeState.therapist_count),
            stat("Emergency accesses to review", DirectorHomeState.break_glass_to_review),
            wrap="wrap",
            gap="3",
        ),
        rx.card(
            rx.heading("Program settings", as_="h2", size="4"),
            notice(DirectorHomeState.settings_message),
            error_banner(DirectorHomeState.error),
            rx.form(
                rx.vstack(
                    text_field("Time zone", "timezone", "setting-timezone",
                               default_value=DirectorHomeState.settings.get("timezone", ""),
                               hint="For example America/Chicago. Times are shown in this zone.",
                               error=DirectorHomeState.setting_errors.get("timezone", ""),
                               key=DirectorHomeState.settings.get("timezone", "")),
                    text_field("Weekly hours target per client", "weekly_hours_target", "setting-hours",
                               default_value=DirectorHomeState.settings.get("weekly_hours_target", ""),
                               hint="ASAM level 2.1: at least 9 hours a week for adults.",
                               error=DirectorHomeState.setting_errors.get("weekly_hours_target", ""),
                               input_mode="decimal", key=DirectorHomeState.settings.get("weekly_hours_target", "")),
                    text_field("Emergency access lasts (minutes)", "break_glass_minutes", "setting-break-glass",
                               default_value=DirectorHomeState.settings.get("break_glass_minutes", ""),
                               hint="How long a therapist's break-glass access to a client off their caseload "
                                    "lasts: 15 to 240 minutes.",
                               error=DirectorHomeState.setting_errors.get("break_glass_minutes", ""),
                               input_mode="numeric", key=DirectorHomeState.settings.get("break_glass_minutes", "")),
                    *_record_settings(),
                    rx.button("Save settings", type="submit"),
                    spacing="3",
                    max_width="28rem",
                ),
                on_submit=DirectorHomeState.save_settings,
                reset_on_submit=False,
            ),
            margin_top="1rem",
        ),
        rx.hstack(
            rx.link("Open the roster", href=routes.STAFF_ROSTER),
            rx.link("Manage accounts", href=routes.DIRECTOR_ACCOUNTS),
            rx.link("Browse the audit log", href=routes.DIRECTOR_AUDIT),
            rx.link("Review emergency access", href=routes.DIRECTOR_BREAK_GLASS),
            spacing="4",
            wrap="wrap",
            margin_top="1rem",
        ),
    )


def _account_row(row: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(row.name),
        rx.el.td(row.email),
        rx.el.td(row.role),
        rx.el.td(rx.cond(row.active, "Active", "Disabled")),
        rx.el.td(
            rx.cond(
                row.active,
                rx.button("Disable", size="1", color_scheme="red", variant="soft",
                          aria_label="Disable " + row.email,
                          on_click=AccountsState.set_active(row.id, False)),
                rx.button("Enable", size="1", variant="soft", aria_label="Enable " + row.email,
                          on_click=AccountsState.set_active(row.id, True)),
            )
        ),
    )


def accounts_page() -> rx.Component:
    errors = AccountsState.errors
    return page_frame(
        "Accounts",
        rx.card(
            rx.heading("Create an account", as_="h2", size="4"),
            rx.form(
                rx.vstack(
                    select_field("Role", "role", "acct-role",
                                 [(role.value, role.label) for role in (Role.CLIENT, Role.THERAPIST, Role.DIRECTOR)],
                                 error=errors.get("role", ""), value=AccountsState.new_role,
                                 on_change=AccountsState.set_new_role),
                    text_field("Full name", "full_name", "acct-name", error=errors.get("full_name", "")),
                    text_field("Email", "email", "acct-email", type="email", error=errors.get("email", "")),
                    text_field("Temporary password", "password", "acct-password", type="password",
                               hint="At least 12 characters; not a common password.",
                               error=errors.get("password", ""), auto_complete="new-password"),
                    rx.cond(
                        AccountsState.new_role == Role.CLIENT.value,
                        rx.vstack(
                            text_field("Admission date", "admission_date", "acct-admission", type="date",
                                       error=errors.get("admission_date", "")),
                            select_field("Primary therapist", "primary_therapist_id", "acct-therapist",
                                         AccountsState.therapist_options,
                                         error=errors.get("primary_therapist_id", "")),
                            width="100%",
                        ),
                        text_field("Credentials (optional)", "credentials", "acct-credentials"),
                    ),
                    rx.button("Create account", type="submit"),
                    spacing="3",
                    width="100%",
                    max_width="32rem",
                ),
                on_submit=AccountsState.create_account,
                reset_on_submit=False,
            ),
        ),
        rx.heading("All accounts", as_="h2", size="4", margin_top="1.5rem"),
        rx.box(
            select_field("Show", "role_filter", "acct-filter",
                         [("", "Everyone"), (Role.CLIENT.value, "Clients"), (Role.THERAPIST.value, "Therapists"),
                          (Role.DIRECTOR.value, "Directors"), (Role.FAMILY.value, "Family members")],
                         value=AccountsState.role_filter, on_change=AccountsState.set_role_filter),
            max_width="16rem",
        ),
        data_table("All accounts", ["Name", "Email", "Role", "Status", "Actions"], AccountsState.accounts,
                   _account_row),
        feedback=AccountsState,
    )


def _audit_row(row: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(row.at), rx.el.td(row.actor), rx.el.td(row.action), rx.el.td(row.client),
        rx.el.td(row.target), rx.el.td(row.outcome), rx.el.td(row.detail),
    )


def audit_page() -> rx.Component:
    return page_frame(
        "Audit log",
        rx.form(
            rx.flex(
                text_field("Action starts with", "action", "audit-action", placeholder="signin"),
                select_field("Outcome", "outcome", "audit-outcome",
                             [("", "Any"), ("success", "Success"), ("failure", "Failure"),
                              ("allowed", "Allowed"), ("denied", "Denied")]),
                text_field("Who (email contains)", "actor", "audit-actor"),
                text_field("Client id", "client_id", "audit-client", input_mode="numeric"),
                text_field("From", "since", "audit-since", type="date"),
                text_field("To", "until", "audit-until", type="date"),
                gap="3",
                wrap="wrap",
                class_name="audit-filters",
            ),
            error_banner(AuditState.filter_error),
            error_banner(AuditState.error),
            rx.button("Filter", type="submit", margin_top="0.5rem"),
            on_submit=AuditState.apply_filters,
            reset_on_submit=False,
        ),
        rx.text(AuditState.page_label, margin_y="0.5rem", role="status"),
        data_table("Audit log entries", ["When", "Who", "Action", "Client", "Target", "Outcome", "Detail"],
                   AuditState.rows, _audit_row),
        rx.hstack(
            rx.button("Previous page", on_click=AuditState.previous_page, disabled=AuditState.page == 0,
                      variant="soft"),
            rx.button("Next page", on_click=AuditState.next_page, disabled=~AuditState.has_next, variant="soft"),
            margin_top="0.5rem",
        ),
    )


def _break_glass_row(row: rx.Var) -> rx.Component:
    S = BreakGlassReviewState
    note_id = "review-note-" + row.id
    error = S.review_errors.get(row.id, "")
    return rx.el.tr(
        rx.el.td(row.started, rx.el.br(), rx.text("until " + row.until + " (" + row.status + ")", size="1")),
        rx.el.td(row.therapist, rx.el.br(), rx.text(row.therapist_email, size="1", color_scheme="gray")),
        rx.el.td(rx.link(row.client, href=row.client_href)),
        rx.el.td(row.reason, style={"maxWidth": "24rem", "whiteSpace": "pre-wrap"}),
        rx.el.td(row.views + " views logged, " + row.changes + " changes"),
        rx.el.td(
            rx.cond(
                row.reviewed,
                rx.text("Reviewed by " + row.reviewed_by + " on " + row.reviewed_at + ": " + row.review_note,
                        size="2"),
                rx.form(
                    rx.el.input(type="hidden", name="grant_id", value=row.id),
                    field_label("Review note", note_id),
                    rx.text_area(id=note_id, name="note", aria_describedby=note_id + "-error", max_length=500,
                                 rows="2", width="100%"),
                    rx.cond(error != "", rx.text(error, id=note_id + "-error", color_scheme="red", size="2",
                                                 role="alert")),
                    rx.button("Mark reviewed", type="submit", size="1", margin_top="0.25rem",
                              aria_label="Mark reviewed: " + row.therapist + ", " + row.client + ", "
                              + row.started),
                    on_submit=S.mark_reviewed, reset_on_submit=False,
                ),
            ),
            style={"minWidth": "14rem"},
        ),
    )


def break_glass_page() -> rx.Component:
    S = BreakGlassReviewState
    return page_frame(
        "Emergency access",
        rx.text("Every time a therapist opened a record off their caseload with emergency (break-glass) access: "
                "who, which client, when, why, and what they viewed or changed while it lasted. "
                "Each view is also in the audit log."),
        notice(S.message),
        error_banner(S.error),
        rx.box(
            select_field("Show", "show", "break-glass-show", [("unreviewed", "To review"), ("all", "All uses")],
                         value=S.show, on_change=S.set_show),
            max_width="16rem", margin_y="0.5rem",
        ),
        rx.text(S.total.to_string() + rx.cond(S.show == "all", " uses of emergency access", " to review")
                + " (newest first; up to 200 shown).", size="2", role="status"),
        rx.cond(
            S.rows.length() > 0,
            rx.box(
                rx.el.table(
                    rx.el.thead(rx.el.tr(*[rx.el.th(h, scope="col") for h in
                                           ("When", "Therapist", "Client", "Reason", "Use", "Review")])),
                    rx.el.tbody(rx.foreach(S.rows, _break_glass_row)),
                    class_name="data",
                ),
                class_name="table-scroll",
            ),
            rx.text("Nothing to review.", margin_top="0.5rem"),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(director_home, route=routes.DIRECTOR_HOME, title="Overview · IOP", on_load=DirectorHomeState.load)
    app.add_page(accounts_page, route=routes.DIRECTOR_ACCOUNTS, title="Accounts · IOP", on_load=AccountsState.load)
    app.add_page(audit_page, route=routes.DIRECTOR_AUDIT, title="Audit log · IOP", on_load=AuditState.load)
    app.add_page(break_glass_page, route=routes.DIRECTOR_BREAK_GLASS, title="Emergency access · IOP",
                 on_load=BreakGlassReviewState.load)
