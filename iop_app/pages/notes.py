"""Progress notes: a client's notes and services, one note, my notes."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components import ui
from ..components.record_nav import record_body, record_page
from ..models.enums import NoteFormat, ServiceLocation
from ..state.notes import (
    KIND_OPTIONS,
    TYPE_OPTIONS,
    AddendumLine,
    ClientNotesState,
    NoteLine,
    NotesState,
    NoteState,
    OptionLine,
    SectionLine,
    TimelineLine,
)

FORMATS, LOCATIONS = NoteFormat.choices(), ServiceLocation.choices()
PRE = {"whiteSpace": "pre-wrap", "fontFamily": "inherit", "margin": 0}


def _timeline_row(item: rx.Var[TimelineLine]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(item.day), rx.el.td(item.kind), rx.el.td(item.title), rx.el.td(item.minutes),
        rx.el.td(item.status),
        rx.el.td(rx.cond(item.href != "", rx.link(item.link, href=item.href,
                                                  aria_label=item.link + ": " + item.kind + ", " + item.day))),
    )


def client_notes_page() -> rx.Component:
    s = ClientNotesState
    e = s.errors
    return record_page(
        "Notes and services", s,
        record_body(
            s,
            rx.box(ui.select_field("Show", "kind", "timeline-kind", KIND_OPTIONS, value=s.kind,
                                   on_change=s.set_kind), max_width="20rem"),
            ui.data_table("Services, notes and plan versions", ["Date", "Type", "Service", "Minutes", "Note", "Open"],
                          s.items, _timeline_row),
            rx.cond(s.items.length() == 0, rx.text("Nothing recorded of this type yet.", color_scheme="gray")),
            ui.card(
                rx.heading("Document a service", as_="h3", size="4"),
                rx.text("Group notes are written on the session's roll-call page.", size="2", color_scheme="gray"),
                rx.form(
                    rx.vstack(
                        rx.flex(
                            rx.box(ui.select_field("Service", "service_type", "new-type", TYPE_OPTIONS,
                                                   error=e.get("service_type", "")), min_width="12rem", flex="1"),
                            rx.box(ui.select_field("Format", "note_format", "new-format", FORMATS,
                                                   default_value=s.default_format, error=e.get("note_format", ""),
                                                   key=s.default_format), min_width="12rem", flex="1"),
                            gap="3", wrap="wrap", width="100%",
                        ),
                        rx.flex(
                            rx.box(ui.text_field("Date", "service_date", "new-date", type="date",
                                                 default_value=s.today_iso, key=s.today_iso,
                                                 error=e.get("service_date", ""))),
                            rx.box(ui.text_field("Start", "start", "new-start", type="time", error=e.get("start", ""))),
                            rx.box(ui.text_field("End", "end", "new-end", type="time", error=e.get("end", ""))),
                            gap="3", wrap="wrap",
                        ),
                        ui.select_field("Location", "location", "new-location", LOCATIONS,
                                        error=e.get("location", "")),
                        ui.select_field("Individual session (for an individual note)", "individual_session_id",
                                        "new-individual", s.individual_options,
                                        error=e.get("individual_session_id", "")),
                        ui.select_field("Family session (for a family note)", "family_session_id", "new-family",
                                        s.family_options, error=e.get("family_session_id", "")),
                        rx.button("Start the note", type="submit"),
                        spacing="3", width="100%", max_width="40rem",
                    ),
                    on_submit=s.create, reset_on_submit=False,
                ),
            ),
        ),
    )


def _section_edit(section: rx.Var[SectionLine]) -> rx.Component:
    return rx.vstack(
        ui.field_label(section.label, section.field_id),
        rx.text(section.prompt, size="1", color_scheme="gray", id=section.field_id + "-hint"),
        rx.text_area(id=section.field_id, name="section-" + section.key, default_value=section.text,
                     aria_describedby=section.field_id + "-hint " + section.field_id + "-error", width="100%",
                     rows="4"),
        ui.field_error(NoteState.errors.get("section-" + section.key, ""), "note-section"),
        spacing="1", width="100%", align="stretch",
    )


def _section_read(section: rx.Var[SectionLine]) -> rx.Component:
    return rx.box(
        rx.heading(section.label, as_="h4", size="3"),
        rx.el.pre(rx.cond(section.text != "", section.text, "—"), style=PRE),
        margin_bottom="0.5rem",
    )


def _option(option: rx.Var[OptionLine]) -> rx.Component:
    box_id = "objective-" + option.id
    return rx.hstack(
        rx.el.input(type="checkbox", id=box_id, name=box_id, default_checked=option.checked),
        rx.el.label(option.label, html_for=box_id),
        align="center", spacing="2",
    )


def _addendum(a: rx.Var[AddendumLine]) -> rx.Component:
    return rx.box(
        rx.text(a.heading, weight="medium", size="2"),
        rx.cond(a.reason != "", rx.text("Reason: " + a.reason, size="2", color_scheme="gray")),
        rx.el.pre(a.text, style=PRE),
        padding="0.5rem", border_left="3px solid var(--amber-8)", margin_bottom="0.5rem",
    )


def note_page() -> rx.Component:
    s = NoteState
    i = s.info
    e = s.errors
    return ui.page_frame(
        "Progress note",
        ui.error_banner(s.error),
        ui.notice(s.message),
        ui.stale_notice(s.stale, s.reload_note),
        rx.cond(s.found, rx.vstack(
            rx.heading(i["client"] + " · " + i["service"], as_="h2", size="5"),
            rx.link("All notes and services of " + i["client"], href=i["client_notes"]),
            rx.text(i["date"] + " · " + i["start"] + "–" + i["end"] + " (" + i["minutes"] + " min) · "
                    + i["location"] + " · " + i["format"], color_scheme="gray"),
            rx.text("Status: " + i["status"] + " · written by " + i["author"], weight="medium", role="status"),
            rx.cond(i["signed"] != "", rx.text(i["signed"])),
            rx.cond(i["cosigned"] != "", rx.text(i["cosigned"])),
            rx.cond(s.is_group, ui.card(
                rx.heading("Group: " + i["group"], as_="h3", size="4"),
                rx.text("Topic: " + i["topic"]),
                rx.heading(i["interventions_label"] + " (shared part, written once for the group)", as_="h4",
                           size="3"),
                rx.el.pre(rx.cond(i["shared"] != "", i["shared"], "—"), style=PRE),
                rx.link("Roll call and the group note", href=i["roll_call"]),
            )),
            rx.cond(
                s.may_edit,
                ui.card(
                    rx.heading("Draft", as_="h3", size="4"),
                    rx.form(
                        rx.vstack(
                            rx.cond(~s.is_group, rx.vstack(
                                rx.flex(
                                    rx.box(ui.text_field("Date", "service_date", "note-date", type="date",
                                                         default_value=i["date_iso"], error=e.get("service_date", ""))),
                                    rx.box(ui.text_field("Start", "start", "note-start", type="time",
                                                         default_value=i["start"], error=e.get("start", ""))),
                                    rx.box(ui.text_field("End", "end", "note-end", type="time", default_value=i["end"],
                                                         error=e.get("end", ""))),
                                    gap="3", wrap="wrap",
                                ),
                                rx.flex(
                                    rx.box(ui.select_field("Location", "location", "note-location", LOCATIONS,
                                                           default_value=i["location_value"],
                                                           error=e.get("location", "")), min_width="12rem", flex="1"),
                                    rx.box(ui.select_field("Format", "note_format", "note-format", FORMATS,
                                                           default_value=i["format_value"],
                                                           error=e.get("note_format", "")),
                                           min_width="12rem", flex="1"),
                                    gap="3", wrap="wrap", width="100%",
                                ),
                                width="100%",
                            )),
                            rx.foreach(s.sections, _section_edit),
                            ui.field_error(e.get("sections", ""), "note-section"),
                            rx.el.fieldset(
                                rx.el.legend("Plan objectives this service addressed", style={"fontWeight": 500}),
                                rx.cond(s.options.length() == 0,
                                        rx.text("The client has no plan in force yet: a note can be drafted, but "
                                                "signed only once it addresses an objective of a signed plan.",
                                                size="2", color_scheme="amber")),
                                rx.foreach(s.options, _option),
                                ui.field_error(e.get("objectives", ""), "note-objectives"),
                                style={"border": "none", "padding": 0},
                            ),
                            rx.button("Save draft", type="submit"),
                            spacing="3", width="100%", align="stretch",
                        ),
                        on_submit=s.save, reset_on_submit=False, key=s.form_key.to_string(),
                    ),
                    rx.hstack(
                        rx.cond(s.is_group,
                                rx.text("A group note is signed on the roll-call page, for every attendee at once.",
                                        size="2"),
                                rx.button("Sign the note", on_click=s.sign, color_scheme="green")),
                        rx.cond(~s.is_group, rx.button("Delete this draft", on_click=s.delete, variant="soft",
                                                       color_scheme="red")),
                        spacing="3", wrap="wrap",
                    ),
                ),
                ui.card(
                    rx.heading("Note", as_="h3", size="4"),
                    rx.foreach(s.sections, _section_read),
                ),
            ),
            ui.card(
                rx.heading("Plan objectives addressed", as_="h3", size="4"),
                rx.cond(s.objectives.length() == 0, rx.text("None yet.", color_scheme="gray")),
                rx.el.ul(rx.foreach(s.objectives, lambda o: rx.el.li(o)), style={"paddingLeft": "1.2rem"}),
            ),
            rx.cond(s.is_signed, ui.card(
                rx.heading("Addenda (late entries)", as_="h3", size="4"),
                rx.text("The note above stays exactly as signed; each addendum is dated and attributed.", size="2",
                        color_scheme="gray"),
                rx.foreach(s.addenda, _addendum),
                rx.form(
                    rx.vstack(
                        ui.textarea_field("Addendum", "text", "addendum-text", error=e.get("text", "")),
                        ui.text_field("Reason (optional)", "reason", "addendum-reason", error=e.get("reason", "")),
                        rx.button("Add addendum", type="submit"),
                        spacing="2", width="100%",
                    ),
                    on_submit=s.add_addendum, reset_on_submit=True,
                ),
            )),
            rx.cond(s.may_cosign, rx.button("Co-sign this note", on_click=s.cosign, color_scheme="green")),
            spacing="4", width="100%", align="stretch",
        )),
        rx.link("My notes", href=routes.STAFF_NOTES, margin_top="1rem"),
    )


def _note_row(n: rx.Var[NoteLine]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(n.day, href=n.href, aria_label="Open the note: " + n.client + ", " + n.day)),
        rx.el.td(n.client), rx.el.td(n.service), rx.el.td(n.author), rx.el.td(n.status),
    )


def notes_page() -> rx.Component:
    s = NotesState
    return ui.page_frame(
        "My notes",
        ui.error_banner(s.error),
        rx.heading("My unsigned notes", as_="h2", size="5"),
        ui.data_table("My unsigned notes", ["Date", "Client", "Service", "Author", "Status"], s.unsigned, _note_row),
        rx.cond(s.unsigned.length() == 0, rx.text("No unsigned notes.", color_scheme="gray")),
        rx.heading("Awaiting my co-signature", as_="h2", size="5", margin_top="1.5rem"),
        ui.data_table("Awaiting my co-signature", ["Date", "Client", "Service", "Author", "Status"], s.awaiting,
                      _note_row),
        rx.cond(s.awaiting.length() == 0, rx.text("Nothing awaits your co-signature.", color_scheme="gray")),
    )


def register(app: rx.App) -> None:
    app.add_page(client_notes_page, route=routes.STAFF_CLIENT_NOTES, title="Notes and services · IOP",
                 on_load=ClientNotesState.load)
    app.add_page(note_page, route=routes.STAFF_NOTE, title="Progress note · IOP", on_load=NoteState.load)
    app.add_page(notes_page, route=routes.STAFF_NOTES, title="My notes · IOP", on_load=NotesState.load)
