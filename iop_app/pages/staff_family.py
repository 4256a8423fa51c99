"""Family sessions for therapists and the director."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.ui import (
    LABEL_STYLE,
    card,
    data_table,
    page_frame,
    select_field,
    stale_notice,
    text_field,
    textarea_field,
)
from ..state.staff_family import SLOT_FIELDS
from ..state.staff_family import StaffFamilyState as S
from .client_family import SCOPE_OPTIONS
from .family import message_history, session_facts


def _card_field(label: str, name: str, key: str, sid, *, type: str = "text", error_key: str = "") -> rx.Component:
    """A labelled input inside a per-session form (ids made unique by session id)."""
    field_id = key + "-" + sid
    error_key = error_key or key
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style=LABEL_STYLE),
        rx.input(id=field_id, name=name, type=type, aria_describedby=field_id + "-error", width="100%"),
        rx.cond((S.action_session == sid) & (S.action_errors.get(error_key, "") != ""),
                rx.text(S.action_errors.get(error_key, ""), id=field_id + "-error", color_scheme="red", size="2",
                        role="alert")),
        spacing="1", width="100%", align="stretch",
    )


def _session_form(title: str, handler, sid, *children, button: str, color: str = "teal") -> rx.Component:
    return rx.form(
        rx.el.input(type="hidden", name="session_id", value=sid),
        rx.vstack(
            rx.heading(title, as_="h4", size="2"),
            *children,
            rx.button(button, type="submit", size="2", color_scheme=color),
            spacing="2", width="100%", max_width="24rem",
        ),
        on_submit=handler,
        reset_on_submit=False,
        style={"marginTop": "0.5rem"},
    )


def _staff_session_card(s) -> rx.Component:
    sid = s.id
    return card(
        rx.hstack(
            rx.heading(s.client_name, as_="h3", size="3"),
            rx.badge(s.status_label),
            rx.cond(s.when != "", rx.text(s.when, weight="medium")),
            wrap="wrap", align="center",
        ),
        *session_facts(s, "Therapist "),
        rx.cond(
            s.slots.length() > 0,
            rx.el.ul(
                rx.foreach(s.slots, lambda slot: rx.el.li(
                    rx.text(slot.when, weight="medium"), " — ",
                    rx.text(slot.status_text, as_="span", size="2", color_scheme="gray"),
                )),
                aria_label="Proposed times",
                style={"paddingLeft": "1rem"},
            ),
        ),
        rx.hstack(
            rx.cond(s.has_accepted,
                    rx.button("Confirm the accepted time", on_click=S.confirm(sid),
                              aria_label="Confirm the accepted time for " + s.client_name)),
            rx.cond(s.can_download,
                    rx.button("Calendar file (.ics)", variant="outline", on_click=S.download_ics(sid),
                              aria_label="Download calendar file for " + s.client_name)),
            wrap="wrap",
        ),
        rx.cond(
            (s.status == "proposed") | (s.status == "booked"),
            rx.el.details(
                rx.el.summary("Change this session"),
                rx.cond(
                    s.status == "proposed",
                    _session_form("Offer another time", S.add_time, sid,
                                  _card_field("Date", "date", "add-date", sid, type="date", error_key="add"),
                                  _card_field("Time", "time", "add-time", sid, type="time", error_key="add"),
                                  button="Offer this time"),
                ),
                rx.cond(
                    s.status == "booked",
                    _session_form("Reschedule", S.reschedule, sid,
                                  _card_field("New date", "date", "resched-date", sid, type="date",
                                              error_key="reschedule_time"),
                                  _card_field("New time", "time", "resched-time", sid, type="time",
                                              error_key="reschedule_time"),
                                  _card_field("Reason (everyone sees it)", "reason", "reschedule_reason", sid),
                                  button="Reschedule"),
                ),
                rx.cond(
                    (s.status == "booked") & s.started,
                    _session_form("Mark attended", S.attended, sid,
                                  _card_field("Minutes attended", "minutes", "minutes", sid, type="number"),
                                  button="Mark attended"),
                ),
                _session_form("Cancel", S.cancel, sid,
                              _card_field("Reason (everyone sees it)", "reason", "cancel_reason", sid),
                              button="Cancel session", color="red"),
            ),
        ),
        message_history(s.messages),
    )


def propose_form() -> rx.Component:
    e = S.propose_errors
    slot_fields = []
    for i in range(1, SLOT_FIELDS + 1):
        slot_fields.append(rx.flex(
            text_field(f"Time {i}: date", f"slot_{i}_date", f"slot-{i}-date", type="date"),
            text_field(f"Time {i}: start", f"slot_{i}_time", f"slot-{i}-time", type="time"),
            gap="2", wrap="wrap",
        ))
        slot_fields.append(rx.cond(e.get(f"slot_{i}", "") != "",
                                   rx.text(e.get(f"slot_{i}", ""), color_scheme="red", size="2", role="alert",
                                           id=f"slot-{i}-date-error")))
    return card(
        rx.heading("Propose times for a family session", as_="h2", size="4"),
        rx.text("Offer one or more times; the client and consented family members accept one or ask for another. "
                "Times that clash with your sessions or groups, or the client's, are refused.", size="2"),
        rx.form(
            rx.vstack(
                select_field("Client", "client_id", "propose-client",
                             S.client_options, error=e.get("client_id", ""),
                             value=S.selected_client, on_change=S.select_client),
                *slot_fields,
                text_field("Length (minutes)", "duration_minutes", "propose-minutes", type="number",
                           error=e.get("duration_minutes", ""), default_value="60"),
                select_field("Where", "mode", "propose-mode", [("in_person", "In person"), ("video", "Video call")],
                             error=e.get("mode", "")),
                textarea_field("Note for the family (optional)", "note", "propose-note", error=e.get("note", ""),
                               max_length=500),
                rx.button("Propose times", type="submit"),
                spacing="2", width="100%", max_width="32rem",
            ),
            on_submit=S.propose,
            reset_on_submit=False,
        ),
    )


# enums.ConsentEndEvent, for a consent the client signed on paper.
PAPER_END_EVENT_OPTIONS = [("", "No"), ("discharge", "Yes, when the client is discharged")]


def _end_consent_form(c) -> rx.Component:
    """For a consent that ends at an event in words: record that it happened."""
    field_id = "ended-on-" + c.id
    return rx.el.details(
        rx.el.summary("The event happened"),
        rx.form(
            rx.el.input(type="hidden", name="consent_id", value=c.id),
            rx.vstack(
                rx.el.label("Date of the event", html_for=field_id, style=LABEL_STYLE),
                rx.input(id=field_id, name="ended_on", type="date", default_value=S.today),
                rx.button("End this consent", type="submit", size="1", color_scheme="orange",
                          aria_label="End the consent for " + c.person),
                spacing="1",
            ),
            on_submit=S.end_consent,
        ),
    )


def _consent_row(c) -> rx.Component:
    return rx.el.tr(
        rx.el.td(c.person, rx.el.br(), rx.text(c.relationship, size="1", color_scheme="gray")),
        rx.el.td(c.scope), rx.el.td(c.purpose), rx.el.td(c.expires), rx.el.td(c.signed),
        rx.el.td(c.how), rx.el.td(c.recorded_by), rx.el.td(c.status),
        rx.el.td(rx.cond(c.can_end, _end_consent_form(c))),
    )


def consents_panel() -> rx.Component:
    e = S.paper_errors
    return rx.cond(
        S.selected_client != "",
        card(
            rx.heading("Consents of the selected client", as_="h2", size="4"),
            rx.cond(S.consents.length() > 0,
                    data_table("Consents of the selected client",
                               ["Person", "What may be shared", "Purpose", "Ends", "Signed", "How", "Recorded by",
                                "Status", "Action"], S.consents, _consent_row),
                    rx.text("No consents on record.")),
            stale_notice(S.paper_stale, S.reload_consents),
            rx.el.details(
                rx.el.summary("Record a consent signed on paper"),
                rx.cond(
                    S.link_options.length() > 0,
                    rx.form(
                        rx.vstack(
                            select_field("Shared with", "family_link_id", "paper-person", S.link_options,
                                         error=e.get("family_link_id", "")),
                            select_field("What may be shared", "scope", "paper-scope", SCOPE_OPTIONS,
                                         error=e.get("scope", "")),
                            textarea_field("Purpose", "purpose", "paper-purpose", error=e.get("purpose", ""),
                                           max_length=300),
                            text_field("Ends on (date)", "expires_on", "paper-expires", type="date",
                                       error=e.get("expires_on", "")),
                            select_field("Does it end at discharge?", "end_event", "paper-end-event",
                                         PAPER_END_EVENT_OPTIONS, error=e.get("end_event", "")),
                            text_field("…or ends at another event", "expiry_event", "paper-event",
                                       error=e.get("expiry_event", ""), max_length=200),
                            text_field("Client's signature as written (full name)", "signature", "paper-signature",
                                       error=e.get("signature", ""), max_length=120),
                            text_field("Date signed", "signed_on", "paper-signed", type="date",
                                       error=e.get("signed_on", "")),
                            rx.button("Record paper consent", type="submit"),
                            spacing="2", width="100%", max_width="32rem",
                        ),
                        on_submit=S.record_paper,
                        reset_on_submit=False,
                    ),
                    rx.text("The client has not listed any family or support people yet."),
                ),
            ),
        ),
    )


def staff_family_page() -> rx.Component:
    return page_frame(
        "Family sessions",
        rx.text("Times are in the program's time zone (", S.tz_label, ").", size="2"),
        propose_form(),
        consents_panel(),
        rx.heading("Sessions being arranged, booked and recent", as_="h2", size="4", margin_top="1rem"),
        rx.cond(S.sessions.length() > 0,
                rx.vstack(rx.foreach(S.sessions, _staff_session_card), spacing="3", width="100%"),
                rx.text("No family sessions.")),
        feedback=S,
    )


def register(app: rx.App) -> None:
    app.add_page(staff_family_page, route=routes.STAFF_FAMILY_SESSIONS, title="Family sessions · IOP",
                 on_load=S.load)
