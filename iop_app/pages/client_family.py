"""The client's family page: support people, invitations, consents, who saw
what, and family sessions."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.ui import (
    data_table,
    page_frame,
    select_field,
    submit_form,
    text_field,
    textarea_field,
)
from ..state.client_family import ClientFamilyState as S
from .family import participant_session_card

SCOPE_OPTIONS = [
    ("", "Choose…"),
    ("scheduling", "Family-session scheduling only"),
    ("scheduling_progress", "Scheduling, plus my attendance and a summary of my progress"),
]
# enums.ConsentEndEvent, in the client's own words.
END_EVENT_OPTIONS = [("", "No"), ("discharge", "Yes, when I am discharged")]


def _link_row(r) -> rx.Component:
    return rx.el.tr(
        rx.el.td(r.name), rx.el.td(r.relationship), rx.el.td(r.email), rx.el.td(r.portal),
        rx.el.td(rx.cond(
            r.portal != "active",
            rx.button("Invite to the portal", size="1", variant="soft", on_click=S.invite(r.id),
                      aria_label="Invite to the portal: " + r.name),
        )),
    )


def _consent_row(c) -> rx.Component:
    return rx.el.tr(
        rx.el.td(c.person, rx.el.br(), rx.text(c.relationship, size="1", color_scheme="gray")),
        rx.el.td(c.scope), rx.el.td(c.purpose), rx.el.td(c.expires), rx.el.td(c.signed),
        rx.el.td(c.how), rx.el.td(c.status),
        rx.el.td(rx.cond(
            c.in_force,
            rx.button("Revoke", size="1", color_scheme="red", variant="soft", on_click=S.revoke(c.id),
                      aria_label="Revoke consent for " + c.person),
        )),
    )


def _disclosure_row(d) -> rx.Component:
    return rx.el.tr(rx.el.td(d.at), rx.el.td(d.person), rx.el.td(d.relationship), rx.el.td(d.what))


def support_people() -> rx.Component:
    e = S.person_errors
    return rx.el.section(
        rx.heading("My family and support people", as_="h2", size="5"),
        rx.cond(S.links.length() > 0,
                data_table("My family and support people", ["Name", "Relationship", "Email", "Portal", "Action"],
                           S.links, _link_row),
                rx.text("You have not listed anyone yet.")),
        rx.cond(
            S.invite_code != "",
            rx.callout(
                rx.vstack(
                    rx.text("Invitation for ", S.invite_for, ". Give them this one-time code yourself — this "
                            "system does not send email:"),
                    rx.code(S.invite_code, size="5", id="invite-code"),
                    rx.text("It works once, until ", S.invite_expires, ". They activate their account at the page "
                            "“Activate your family portal account” (", routes.FAMILY_ACTIVATE, ") with their email, "
                            "this code and a password of their own. If they already have a family portal account, "
                            "they sign in and enter the code under “Accept an invitation”. This code is shown only "
                            "now."),
                    rx.text("An account alone shows them nothing: they see only what a consent below allows."),
                    spacing="1",
                ),
                color_scheme="blue", role="status", margin_y="0.5rem",
            ),
        ),
        rx.el.details(
            rx.el.summary("Add a person"),
            submit_form(
                text_field("Name", "name", "person-name", error=e.get("name", ""), max_length=120),
                text_field("Relationship", "relationship", "person-relationship",
                           error=e.get("relationship", ""), max_length=60, hint="For example: spouse, parent"),
                text_field("Email", "email", "person-email", type="email", error=e.get("email", "")),
                submit="Add", on_submit=S.add_person, reset_on_submit=True,
                spacing="2", width="100%", max_width="28rem",
            ),
        ),
        style={"marginBottom": "1.5rem"},
    )


def consents_section() -> rx.Component:
    e = S.consent_errors
    return rx.el.section(
        rx.heading("Consents to share information", as_="h2", size="5"),
        rx.text("Under federal law (42 CFR part 2) the program tells no one that you are here unless you sign a "
                "consent. You can revoke a consent at any time; it stops at once.", size="2"),
        rx.cond(S.consents.length() > 0,
                data_table("My consents",
                           ["Person", "What may be shared", "Purpose", "Ends", "Signed", "How", "Status", "Action"],
                           S.consents, _consent_row),
                rx.text("You have not signed any consent.")),
        rx.cond(
            S.link_options.length() > 0,
            rx.el.details(
                rx.el.summary("Sign a new consent"),
                submit_form(
                    select_field("Share with", "family_link_id", "consent-person",
                                 S.link_options, error=e.get("family_link_id", "")),
                    select_field("What may be shared", "scope", "consent-scope", SCOPE_OPTIONS,
                                 error=e.get("scope", "")),
                    rx.text("Check-in notes and clinical notes are never shared.", size="1", color_scheme="gray"),
                    textarea_field("Purpose of sharing", "purpose", "consent-purpose",
                                   error=e.get("purpose", ""), max_length=300),
                    text_field("Ends on (date)", "expires_on", "consent-expires", type="date",
                               error=e.get("expires_on", ""), hint="Give a date, an event below, or both."),
                    select_field("Does it end when you are discharged?", "end_event", "consent-end-event",
                                 END_EVENT_OPTIONS, error=e.get("end_event", "")),
                    text_field("…or ends at another event", "expiry_event", "consent-event",
                               error=e.get("expiry_event", ""), max_length=200,
                               placeholder="e.g. the end of my probation"),
                    text_field("Signature: type your full name", "signature", "consent-signature",
                               error=e.get("signature", ""), hint="Your full name exactly as on your record.",
                               max_length=120),
                    text_field("Date signed", "signed_on", "consent-signed", type="date",
                               error=e.get("signed_on", ""), default_value=S.today),
                    submit="Sign consent", on_submit=S.grant, reset_on_submit=False,
                    spacing="2", width="100%", max_width="32rem",
                ),
            ),
        ),
        style={"marginBottom": "1.5rem"},
    )


def disclosures_section() -> rx.Component:
    return rx.el.section(
        rx.heading("Who saw what", as_="h2", size="5"),
        rx.text("Each time a family member was shown information about you.", size="2"),
        rx.cond(S.disclosures.length() > 0,
                data_table("Who saw what", ["When", "Who", "Relationship", "What"], S.disclosures, _disclosure_row),
                rx.text("No one has been shown anything.")),
        style={"marginBottom": "1.5rem"},
    )


def sessions_section() -> rx.Component:
    return rx.el.section(
        rx.heading("My family sessions", as_="h2", size="5"),
        rx.text("Times in the program's time zone (", S.tz_label, "). Family members you consented to see the "
                "same times and messages.", size="2"),
        rx.cond(S.sessions.length() > 0,
                rx.vstack(rx.foreach(S.sessions, lambda s: participant_session_card(s, S)), spacing="3",
                          width="100%"),
                rx.text("No family sessions are being arranged.")),
        style={"marginBottom": "1.5rem"},
    )


def client_family_page() -> rx.Component:
    return page_frame(
        "Family and support",
        sessions_section(),
        support_people(),
        consents_section(),
        disclosures_section(),
        width="60rem",
        feedback=S,
    )


def register(app: rx.App) -> None:
    app.add_page(client_family_page, route=routes.CLIENT_FAMILY, title="Family · IOP", on_load=S.load)
