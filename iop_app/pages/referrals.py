"""Referrals and the community resource directory: the record's Referrals page
(staff), the directory (staff), and the client's Resources page (phone first)."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components import ui
from ..components.record_nav import record_body, record_page
from ..state.referrals import (
    ClientResourcesState,
    ConsentLine,
    ReferralLine,
    ReferralsState,
    ResourceLine,
    ResourcesState,
    SharedLine,
)
from .client.base import WIDTH, client_page

GRID = {"display": "grid", "gridTemplateColumns": "repeat(auto-fit, minmax(min(100%, 14rem), 1fr))",
        "gap": "0.75rem", "width": "100%"}
FIELD_LABELS = {"name": "Name", "category": "Category", "address": "Address", "phone": "Phone",
                "web": "Web address", "hours": "Hours", "languages": "Languages", "cost": "Cost", "notes": "Notes"}


def _keyed(*children, key, on_submit, **props) -> rx.Component:
    return rx.form(rx.fragment(*children, key=key.to_string()), on_submit=on_submit, reset_on_submit=False,
                   no_validate=True, width="100%", **props)


def _resource_details(r) -> rx.Component:
    """What a directory entry says, with tap-to-call and its web link."""
    return rx.vstack(
        rx.cond(r.address != "", rx.text(r.address, size="2")),
        rx.cond(r.phone != "", rx.link(r.phone, href=r.tel, size="2")),
        rx.cond(r.web != "", rx.link(r.web, href=r.web, is_external=True, size="2",
                                     style={"overflowWrap": "anywhere"})),
        rx.cond(r.hours != "", rx.text("Hours: " + r.hours, size="2")),
        spacing="1", align="start",
    )


# --------------------------------------------------------------------------- the record's page
def _step_form(line: rx.Var[ReferralLine]) -> rx.Component:
    s = ReferralsState
    status_id, note_id = "to-status-" + line.id, "step-note-" + line.id
    date_id, reason_id = "appointment-" + line.id, "decline-reason-" + line.id
    mine = s.step_referral == line.id
    return rx.form(
        rx.el.input(type="hidden", name="referral_id", value=line.id),
        rx.el.div(
            rx.vstack(ui.field_label("Next step", status_id),
                      rx.el.select(rx.foreach(line.next_options, lambda o: rx.el.option(o[1], value=o[0])),
                                   id=status_id, name="to_status", class_name="native-select"),
                      spacing="1", align="stretch"),
            rx.vstack(ui.field_label("Appointment date (when set)", date_id),
                      rx.input(id=date_id, name="appointment_on", type="date", aria_describedby=date_id + "-error"),
                      ui.field_error(rx.cond(mine, s.step_errors.get("appointment_on", ""), ""), date_id),
                      spacing="1", align="stretch"),
            rx.vstack(ui.field_label("Reason (when declined)", reason_id),
                      rx.input(id=reason_id, name="reason", aria_describedby=reason_id + "-error"),
                      ui.field_error(rx.cond(mine, s.step_errors.get("reason", ""), ""), reason_id),
                      spacing="1", align="stretch"),
            rx.vstack(ui.field_label("Note (optional)", note_id),
                      rx.input(id=note_id, name="note", aria_describedby=note_id + "-error"),
                      ui.field_error(rx.cond(mine, s.step_errors.get("note", ""), ""), note_id),
                      spacing="1", align="stretch"),
            style=GRID,
        ),
        rx.button("Record step", type="submit", aria_label="Record step: " + line.provider, margin_top="0.5rem"),
        on_submit=s.step, reset_on_submit=True, no_validate=True, width="100%",
    )


def _referral_card(line: rx.Var[ReferralLine]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(line.provider, as_="h3", size="3"),
            rx.flex(rx.badge(line.status_label, class_name="referral-status"),
                    rx.badge(line.urgency, variant="outline"),
                    rx.cond(line.overdue, rx.badge("Overdue", color_scheme="red")), spacing="2", wrap="wrap"),
            rx.text("Reason: " + line.reason, size="2"),
            rx.cond(line.contact != "", rx.text("Contact: " + line.contact, size="2")),
            rx.cond(line.discloses != "", rx.text(line.discloses, size="2")),
            rx.cond(line.appointment != "", rx.text("Appointment: " + line.appointment, size="2")),
            rx.cond(line.decline_reason != "", rx.text("Declined: " + line.decline_reason, size="2")),
            rx.cond(line.due != "", rx.text(line.due, size="2", weight="medium",
                                            color_scheme=rx.cond(line.overdue, "red", "gray"))),
            rx.el.details(
                rx.el.summary("Steps"),
                rx.el.ol(rx.foreach(line.steps, lambda st: rx.el.li(
                    st.text, rx.cond(st.note != "", rx.text(st.note, size="1", color_scheme="gray")))),
                    style={"paddingLeft": "1.25rem", "fontSize": "0.9rem"}),
                open=True,
            ),
            rx.cond(line.next_options.length() > 0, _step_form(line)),
            spacing="2", align="stretch", width="100%",
        ),
        width="100%", role="group", aria_label="Referral: " + line.provider, class_name="referral-card",
    )


def _consent_row(c: rx.Var[ConsentLine]) -> rx.Component:
    return rx.el.li(
        rx.text.strong(c.recipient), " — ", c.information, " · for ", c.purpose, " · until ", c.until,
        " · signed ", c.signed, " · ", c.status,
        rx.cond(c.in_force, rx.button("Revoke", on_click=ReferralsState.revoke_consent(c.id), size="1",
                                      variant="soft", color_scheme="red", margin_left="0.5rem",
                                      aria_label="Revoke consent for " + c.recipient)),
    )


def _new_referral() -> rx.Component:
    s = ReferralsState
    err = s.errors
    return ui.card(
        rx.heading("New referral", as_="h2", size="4"),
        _keyed(
            rx.el.div(
                ui.select_field("Directory entry", "resource_id", "ref-resource",
                                s.directory_choices, error=err.get("resource_id", "")),
                ui.text_field("Or provider (not in the directory)", "provider", "ref-provider",
                              error=err.get("provider", "")),
                ui.text_field("Provider contact (optional)", "contact", "ref-contact", error=err.get("contact", "")),
                ui.select_field("Urgency", "urgency", "ref-urgency", s.urgency_options, error=err.get("urgency", "")),
                style=GRID,
            ),
            ui.textarea_field("Reason for the referral", "reason", "ref-reason", error=err.get("reason", ""), rows="2"),
            rx.hstack(rx.el.input(type="checkbox", id="ref-discloses", name="discloses"),
                      ui.field_label("This referral shares the client's information with the provider",
                                     "ref-discloses"), align="center", spacing="2"),
            ui.select_field("Consent to disclose (needed when information is shared)", "consent_id", "ref-consent",
                            s.consent_choices, error=err.get("consent_id", "")),
            rx.button("Send referral", type="submit", margin_top="0.5rem"),
            key=s.form_key, on_submit=s.refer,
        ),
        id="new-referral",
    )


def _consents() -> rx.Component:
    s = ReferralsState
    err = s.consent_errors
    return ui.card(
        rx.heading("Consents to disclose (42 CFR Part 2)", as_="h2", size="4"),
        rx.text("A referral that shares the client's information needs the client's signed consent naming that "
                "recipient. Record here a consent the client signed.", size="2"),
        rx.cond(s.consents.length() > 0, rx.el.ul(rx.foreach(s.consents, _consent_row), id="consent-list",
                                                  style={"paddingLeft": "1.25rem"}),
                rx.text("No consents recorded.", size="2", color_scheme="gray")),
        rx.el.details(
            rx.el.summary("Record a signed consent"),
            _keyed(
                rx.el.div(
                    ui.select_field("Recipient from the directory", "consent_resource_id", "consent-resource",
                                    s.directory_choices, error=err.get("resource_id", "")),
                    ui.text_field("Or recipient's name", "recipient", "consent-recipient",
                                  error=err.get("recipient", "")),
                    ui.text_field("Information that may be shared", "information", "consent-information",
                                  error=err.get("information", "")),
                    ui.text_field("Purpose", "purpose", "consent-purpose", error=err.get("purpose", "")),
                    ui.text_field("Ends on", "expires_on", "consent-expires", type="date",
                                  error=err.get("expires_on", "")),
                    ui.text_field("Client's signature (full name)", "signature", "consent-signature",
                                  error=err.get("signature", "")),
                    ui.text_field("Signed on", "signed_on", "consent-signed", type="date",
                                  error=err.get("signed_on", "")),
                    style=GRID,
                ),
                rx.button("Record consent", type="submit", margin_top="0.5rem"),
                key=s.form_key, on_submit=s.record_consent,
            ),
        ),
        id="consents",
    )


def _shared_item(r: rx.Var[SharedLine]) -> rx.Component:
    return rx.el.li(rx.text.strong(r.name), " (", r.category, ") · ", r.shared,
                    rx.cond(r.note != "", rx.text(r.note, size="1")))


def _share() -> rx.Component:
    s = ReferralsState
    return ui.card(
        rx.heading("Resources shared with the client", as_="h2", size="4"),
        rx.cond(s.shared.length() > 0, rx.el.ul(rx.foreach(s.shared, _shared_item), style={"paddingLeft": "1.25rem"}),
                rx.text("Nothing shared yet.", size="2", color_scheme="gray")),
        _keyed(
            rx.el.div(
                ui.select_field("Resource", "share_resource_id", "share-resource", s.directory_options,
                                error=s.share_errors.get("share_resource_id", "")),
                ui.text_field("Note for the client (optional)", "share_note", "share-note",
                              error=s.share_errors.get("share_note", "")),
                style=GRID,
            ),
            rx.button("Share with the client", type="submit", margin_top="0.5rem"),
            key=s.form_key, on_submit=s.share,
        ),
    )


def referrals_page() -> rx.Component:
    s = ReferralsState
    return record_page(
        "Referrals", s,
        record_body(
            s,
            rx.cond(s.lines.length() > 0,
                    rx.vstack(rx.foreach(s.lines, _referral_card), spacing="3", width="100%", id="referrals"),
                    rx.text("No referrals yet.", size="2")),
            _new_referral(),
            _consents(),
            _share(),
            rx.link("The community resource directory", href=routes.STAFF_RESOURCES),
        ),
        width="56rem",
    )


# --------------------------------------------------------------------------- the directory (staff)
def _resource_row(r: rx.Var[ResourceLine]) -> rx.Component:
    s = ResourcesState
    return rx.el.tr(
        rx.el.td(rx.text.strong(r.name), rx.cond(~r.active, rx.text(" (retired)", size="1"))),
        rx.el.td(r.category),
        rx.el.td(_resource_details(r)),
        rx.el.td(r.languages),
        rx.el.td(r.cost),
        rx.el.td(r.notes),
        rx.el.td(rx.hstack(
            rx.button("Edit", on_click=s.start_edit(r.id), size="1", variant="soft", aria_label="Edit " + r.name),
            rx.cond(r.active,
                    rx.button("Retire", on_click=s.set_active(r.id, False), size="1", variant="soft",
                              color_scheme="gray", aria_label="Retire " + r.name),
                    rx.button("Restore", on_click=s.set_active(r.id, True), size="1", variant="soft",
                              aria_label="Restore " + r.name)),
            spacing="1", wrap="wrap")),
    )


def _entry_fields(prefix: str, errors, values=None) -> rx.Component:
    def default(name):
        return {"default_value": values.get(name, "")} if values is not None else {}

    fields = []
    for name, label in FIELD_LABELS.items():
        field_id = f"{prefix}-{name}"
        if name == "category":
            fields.append(ui.select_field(label, name, field_id, ResourcesState.category_options,
                                          error=errors.get(name, ""), **default(name)))
        else:
            fields.append(ui.text_field(label, name, field_id, error=errors.get(name, ""), **default(name)))
    return rx.el.div(*fields, style=GRID)


def resources_page() -> rx.Component:
    s = ResourcesState
    return ui.page_frame(
        "Community resource directory",
        ui.error_banner(s.error),
        ui.notice(s.message),
        ui.card(
            rx.form(
                rx.el.div(
                    ui.text_field("Search", "search", "res-search", default_value=s.search),
                    ui.select_field("Category", "category", "res-category", s.filter_options, default_value=s.category),
                    rx.hstack(rx.el.input(type="checkbox", id="res-retired", name="show_retired",
                                          default_checked=s.show_retired),
                              ui.field_label("Show retired entries", "res-retired"), align="center", spacing="2"),
                    style=GRID,
                ),
                rx.hstack(rx.button("Search", type="submit"),
                          rx.button("Export CSV", type="button", variant="soft", on_click=s.export),
                          spacing="2", margin_top="0.5rem", wrap="wrap"),
                on_submit=s.filter, reset_on_submit=False, no_validate=True,
            ),
        ),
        rx.text(s.rows.length().to_string() + " entries shown", size="2", id="resource-count"),
        rx.box(
            rx.el.table(
                rx.el.thead(rx.el.tr(*[rx.el.th(h, scope="col") for h in
                                       ("Name", "Category", "Contact", "Languages", "Cost", "Notes", "Actions")])),
                rx.el.tbody(rx.foreach(s.rows, _resource_row)),
                class_name="data resources",
            ),
            class_name="table-scroll", role="region", aria_label="Directory entries", tab_index=0,
        ),
        rx.cond(s.editing != "", ui.card(
            rx.heading("Edit entry", as_="h2", size="4"),
            ui.stale_notice(s.stale, s.load),
            rx.form(
                rx.fragment(_entry_fields("edit", s.edit_errors, s.edit_values), key=s.editing),
                rx.hstack(rx.button("Save entry", type="submit"),
                          rx.button("Cancel", type="button", variant="soft", on_click=s.cancel_edit),
                          spacing="2", margin_top="0.5rem"),
                on_submit=s.save_edit, reset_on_submit=False, no_validate=True,
            ),
            id="edit-entry",
        )),
        ui.card(
            rx.heading("Add an entry", as_="h2", size="4"),
            _keyed(_entry_fields("new", s.errors), rx.button("Add entry", type="submit", margin_top="0.5rem"),
                   key=s.form_key, on_submit=s.add),
        ),
        ui.card(
            rx.heading("Import CSV", as_="h2", size="4"),
            rx.text("Paste a CSV with the export's columns (id, name, category, address, phone, web, hours, "
                    "languages, cost, notes, active). Rows with an id update that entry; nothing is imported "
                    "if any row is refused.", size="2"),
            _keyed(ui.textarea_field("CSV", "csv", "import-csv", error=s.import_errors.get("csv", ""), rows="6"),
                   rx.button("Import", type="submit", margin_top="0.5rem"),
                   key=s.form_key, on_submit=s.import_text),
        ),
        width="80rem",
    )


# --------------------------------------------------------------------------- the client's page
def _client_referral(line: rx.Var[ReferralLine]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(line.provider, as_="h3", size="3"),
            rx.badge(line.status_label, width="fit-content"),
            rx.text("Why: " + line.reason, size="2"),
            rx.cond(line.contact != "", rx.text("Contact: " + line.contact, size="2")),
            rx.cond(line.appointment != "", rx.text("Appointment: " + line.appointment, size="2", weight="medium")),
            rx.el.ol(rx.foreach(line.steps, lambda st: rx.el.li(st.text)),
                     style={"paddingLeft": "1.25rem", "fontSize": "0.85rem"}),
            spacing="1", align="stretch",
        ),
        width="100%", class_name="my-referral",
    )


def _client_resource(r, *extra: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(r.name, as_="h3", size="3"),
            rx.text(r.category, size="1", color_scheme="gray"),
            _resource_details(r),
            *extra,
            spacing="1", align="stretch",
        ),
        width="100%",
    )


def _client_shared(r: rx.Var[SharedLine]) -> rx.Component:
    return _client_resource(r, rx.cond(r.note != "", rx.text(r.note, size="2")))


def client_resources_page() -> rx.Component:
    s = ClientResourcesState
    return client_page(
        "Resources",
        "Your referrals, what your therapist shared with you, and places in the community that can help.",
        s,
        rx.heading("My referrals", as_="h2", size="4"),
        rx.cond(s.lines.length() > 0, rx.vstack(rx.foreach(s.lines, _client_referral), width="100%",
                                                 id="my-referrals"),
                rx.text("No referrals yet.", size="2")),
        rx.heading("Shared with me", as_="h2", size="4", margin_top="1rem"),
        rx.cond(s.shared.length() > 0, rx.vstack(rx.foreach(s.shared, _client_shared), width="100%",
                                                  id="shared-resources"),
                rx.text("Nothing shared yet.", size="2")),
        rx.heading("Community directory", as_="h2", size="4", margin_top="1rem"),
        rx.form(
            rx.vstack(
                ui.text_field("Search", "search", "dir-search", default_value=s.search),
                ui.select_field("Category", "category", "dir-category", s.filter_options, default_value=s.category),
                rx.button("Search", type="submit"),
                spacing="2", width="100%",
            ),
            on_submit=s.filter, reset_on_submit=False, no_validate=True,
        ),
        rx.vstack(rx.foreach(s.rows, _client_resource), width="100%", id="directory", margin_top="0.5rem"),
    )


def register(app: rx.App) -> None:
    app.add_page(referrals_page, route=routes.STAFF_CLIENT_REFERRALS, title="Referrals · IOP",
                 on_load=ReferralsState.load)
    app.add_page(resources_page, route=routes.STAFF_RESOURCES, title="Resource directory · IOP",
                 on_load=ResourcesState.load)
    app.add_page(client_resources_page, route=routes.CLIENT_RESOURCES, title="Resources · IOP",
                 on_load=ClientResourcesState.load)


__all__ = ["WIDTH", "client_resources_page", "referrals_page", "register", "resources_page"]
