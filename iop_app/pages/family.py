"""Family portal: the home page (only what consents allow) and the public
activation page for an invitation."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.ui import card, field_label, notice, page_frame, submit_form, text_field
from ..services.family import REDISCLOSURE_NOTICE
from ..state.family import NOTHING_TO_SHOW, FamilyActivateState, FamilyHomeState


def part2_notice() -> rx.Component:
    return rx.el.aside(
        rx.heading("Confidentiality notice", as_="h2", size="3"),
        rx.text(REDISCLOSURE_NOTICE, size="1"),
        aria_label="Confidentiality notice (42 CFR part 2)",
        style={"border": "1px solid var(--amber-7)", "background": "var(--amber-2)", "padding": "0.75rem",
               "borderRadius": "6px", "marginTop": "1rem"},
    )


def message_history(messages) -> rx.Component:
    return rx.cond(
        messages.length() > 0,
        rx.el.details(
            rx.el.summary("Messages and changes"),
            rx.el.ul(
                rx.foreach(messages, lambda m: rx.el.li(
                    rx.text(m.when, " · ", m.author, " · ", m.kind, size="1", color_scheme="gray"),
                    rx.text(m.body, size="2"),
                )),
                style={"paddingLeft": "1rem"},
            ),
        ),
    )


def session_facts(s, therapist_prefix: str) -> tuple[rx.Component, ...]:
    """The lines every family-session card shows under its heading: therapist, mode
    and length, then the note, the reason for cancelling and attendance when set."""
    return (
        rx.text(therapist_prefix, s.therapist, " · ", s.mode, " · ", s.minutes, " minutes", size="2"),
        rx.cond(s.note != "", rx.text("About: ", s.note, size="2")),
        rx.cond(s.cancel_reason != "", rx.text("Reason for cancelling: ", s.cancel_reason, size="2")),
        rx.cond(s.attended != "", rx.text("Attended: ", s.attended, size="2")),
    )


def participant_session_card(s, state) -> rx.Component:
    """One family session, for the client or a family member: times to accept,
    withdraw, ask for another time, calendar file."""
    return card(
        rx.hstack(
            rx.heading(rx.cond(s.when != "", "Family session · " + s.when, "Family session"), as_="h3", size="3"),
            rx.badge(s.status_label),
            wrap="wrap",
            align="center",
        ),
        *session_facts(s, "With "),
        rx.cond(
            s.slots.length() > 0,
            rx.el.ul(
                rx.foreach(s.slots, lambda slot: rx.el.li(
                    rx.hstack(
                        rx.text(slot.when, weight="medium"),
                        rx.text(slot.status_text, size="2", color_scheme="gray"),
                        rx.cond(slot.can_accept,
                                rx.button("Accept", size="2", on_click=state.accept(slot.id),
                                          aria_label="Accept " + slot.when)),
                        rx.cond(slot.can_withdraw,
                                rx.button("Withdraw my acceptance", size="2", variant="soft", color_scheme="orange",
                                          on_click=state.withdraw(slot.id),
                                          aria_label="Withdraw my acceptance of " + slot.when)),
                        wrap="wrap",
                        align="center",
                    ),
                    style={"marginBottom": "0.4rem"},
                )),
                aria_label="Proposed times",
                style={"listStyle": "none", "padding": 0},
            ),
        ),
        rx.cond(
            s.can_download,
            rx.button("Download calendar file (.ics)", variant="outline", on_click=state.download_ics(s.id),
                      aria_label="Download calendar file for the session " + s.when, width="fit-content"),
        ),
        rx.cond(
            s.can_request,
            rx.el.details(
                rx.el.summary("Ask for another time"),
                rx.form(
                    rx.el.input(type="hidden", name="session_id", value=s.id),
                    rx.vstack(
                        field_label("Which times would suit you?", "counter-" + s.id),
                        rx.text_area(id="counter-" + s.id, name="message", width="100%", max_length=1000,
                                     aria_describedby="counter-error-" + s.id),
                        rx.cond((state.form_session == s.id) & (state.form_errors.get("message", "") != ""),
                                rx.text(state.form_errors.get("message", ""), id="counter-error-" + s.id,
                                        color_scheme="red", size="2", role="alert")),
                        rx.button("Send request", type="submit", size="2"),
                        align="stretch",
                        width="100%",
                    ),
                    on_submit=state.request_other_time,
                    reset_on_submit=True,
                ),
            ),
        ),
        message_history(s.messages),
    )


def _client_section(c) -> rx.Component:
    return rx.el.section(
        rx.heading(c.name, as_="h2", size="5"),
        rx.text("You are listed as: ", c.relationship, " · Shared with you: ", c.scope_label, size="2",
                color_scheme="gray"),
        rx.cond(
            c.show_progress,
            card(
                rx.heading("Attendance and progress", as_="h3", size="3"),
                rx.el.ul(rx.foreach(c.progress, lambda line: rx.el.li(line)), style={"paddingLeft": "1rem"}),
            ),
        ),
        rx.heading("Family sessions", as_="h3", size="4", margin_top="0.75rem"),
        rx.cond(
            c.sessions.length() > 0,
            rx.vstack(rx.foreach(c.sessions, lambda s: participant_session_card(s, FamilyHomeState)),
                      spacing="3", width="100%"),
            rx.text("No family sessions are being arranged right now."),
        ),
        style={"marginBottom": "1.5rem"},
    )


def accept_invitation_form() -> rx.Component:
    return rx.el.details(
        rx.el.summary("Accept an invitation"),
        notice(FamilyHomeState.accept_message),
        submit_form(
            rx.text("Were you given a code, and you already have this account? Enter the code here.", size="2"),
            text_field("One-time code", "code", "accept-code", error=FamilyHomeState.accept_error,
                       auto_complete="one-time-code", hint="For example ABCD-EFGH-JKMN"),
            submit="Accept invitation", button={"width": "fit-content"},
            on_submit=FamilyHomeState.accept_invitation, reset_on_submit=True,
            spacing="2", width="100%", max_width="28rem",
        ),
        style={"marginTop": "1.5rem"},
    )


def family_home() -> rx.Component:
    return page_frame(
        "Family portal",
        rx.cond(
            FamilyHomeState.clients.length() > 0,
            rx.fragment(
                rx.text("Times are shown in the program's time zone (", FamilyHomeState.tz_label, ").", size="2"),
                rx.foreach(FamilyHomeState.clients, _client_section),
                rx.button("Refresh", variant="soft", on_click=FamilyHomeState.refresh),
                part2_notice(),
            ),
            rx.cond(FamilyHomeState.loaded, rx.text(NOTHING_TO_SHOW, id="nothing-to-show")),
        ),
        rx.cond(FamilyHomeState.loaded, accept_invitation_form()),
        width="48rem",
        feedback=FamilyHomeState,
    )


def family_activate() -> rx.Component:
    errors = FamilyActivateState.errors
    return rx.box(
        rx.el.main(
            rx.heading("Activate your family portal account", as_="h1", size="6", margin_bottom="0.75rem"),
            rx.cond(
                FamilyActivateState.done,
                rx.vstack(
                    rx.callout("Your account is active. You can now sign in.", color_scheme="green", role="status"),
                    rx.link("Go to sign-in", href=routes.SIGNIN),
                ),
                submit_form(
                    rx.text("Use the email address and the one-time code from the person who invited you. "
                            "Codes work once and expire after 7 days. If you already have a family portal "
                            "account, sign in instead and enter the code under “Accept an invitation”.",
                            size="2"),
                    text_field("Your name", "full_name", "act-name", error=errors.get("full_name", ""),
                               auto_complete="name", max_length=120,
                               hint="As the program and the person who invited you will see it."),
                    text_field("Email", "email", "act-email", type="email", error=errors.get("email", ""),
                               auto_complete="email"),
                    text_field("One-time code", "code", "act-code", error=errors.get("code", ""),
                               auto_complete="one-time-code", hint="For example ABCD-EFGH-JKMN"),
                    text_field("Choose a password", "password", "act-password", type="password",
                               error=errors.get("password", ""), auto_complete="new-password",
                               hint="At least 12 characters; a short sentence works well."),
                    text_field("Type the password again", "password_confirm", "act-password2", type="password",
                               error=errors.get("password_confirm", ""), auto_complete="new-password"),
                    submit="Activate account", on_submit=FamilyActivateState.activate, reset_on_submit=False,
                    spacing="3", width="100%",
                ),
            ),
            id="main",
            style={"maxWidth": "28rem", "margin": "2rem auto", "padding": "1rem"},
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(family_home, route=routes.FAMILY_HOME, title="Family · IOP", on_load=FamilyHomeState.load)
    app.add_page(family_activate, route=routes.FAMILY_ACTIVATE, title="Activate · IOP")
