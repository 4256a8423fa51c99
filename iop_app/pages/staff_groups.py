"""Groups, one group, and roll call for one session."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components import ui
from ..models.enums import NoteFormat
from ..state.group_notes import AttendeeLine, GroupNoteState, PartObjective, PartSection
from ..state.staff_groups import (
    GroupLine,
    GroupsState,
    GroupState,
    MemberLine,
    RollCallLine,
    RollCallState,
    SessionLine,
)

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}
DAYS = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")]


def _group_row(g: rx.Var[GroupLine]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(g.name, href=g.href)), rx.el.td(g.type), rx.el.td(g.facilitator),
        rx.el.td(g.schedule), rx.el.td(g.members), rx.el.td(g.location),
    )


def groups_page() -> rx.Component:
    e = GroupsState.errors
    return ui.page_frame(
        "Groups",
        ui.error_banner(GroupsState.error),
        ui.notice(GroupsState.message),
        ui.data_table("Groups", ["Group", "Type", "Facilitator", "Schedule", "Members", "Room"], GroupsState.groups,
                      _group_row),
        rx.el.details(
            rx.el.summary("Create a group", style={"fontWeight": 600, "cursor": "pointer"}),
            rx.form(
                rx.vstack(
                    ui.text_field("Name", "name", "group-name", error=e.get("name", "")),
                    ui.select_field("Type", "group_type", "group-type", GroupsState.type_options,
                                    error=e.get("group_type", "")),
                    rx.cond(GroupsState.is_director,
                            ui.select_field("Facilitator", "facilitator_id", "group-facilitator",
                                            GroupsState.facilitator_options, error=e.get("facilitator_id", "")),
                            rx.fragment()),
                    rx.el.fieldset(
                        rx.el.legend("Days of the week"),
                        rx.flex(*[rx.hstack(rx.el.input(type="checkbox", id=f"group-day{d}", name=f"day{d}"),
                                            rx.el.label(label, html_for=f"group-day{d}"), spacing="1", align="center")
                                  for d, label in DAYS], gap="3", wrap="wrap"),
                        ui.field_error(e.get("weekdays", ""), "group-days"),
                        style={"border": "none", "padding": 0},
                    ),
                    rx.flex(
                        ui.text_field("Start time", "start_time", "group-start", type="time",
                                      error=e.get("start_time", "")),
                        ui.text_field("Length (minutes)", "duration_minutes", "group-length", input_mode="numeric",
                                      default_value="180", error=e.get("duration_minutes", "")),
                        ui.text_field("Capacity", "capacity", "group-capacity", input_mode="numeric",
                                      default_value="12", error=e.get("capacity", "")),
                        gap="3", wrap="wrap", width="100%",
                    ),
                    rx.flex(
                        ui.text_field("Start date", "start_date", "group-start-date", type="date",
                                      error=e.get("start_date", "")),
                        ui.text_field("End date (optional)", "end_date", "group-end-date", type="date",
                                      error=e.get("end_date", "")),
                        gap="3", wrap="wrap", width="100%",
                    ),
                    ui.text_field("Room", "location", "group-location", error=e.get("location", "")),
                    ui.textarea_field("Description", "description", "group-description",
                                      error=e.get("description", "")),
                    rx.button("Create group", type="submit"),
                    spacing="3", max_width="36rem", width="100%",
                ),
                on_submit=GroupsState.create_group, reset_on_submit=False,
            ),
            style={"marginTop": "1.5rem"},
        ),
    )


def _session_row(s: rx.Var[SessionLine]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(s.day, href=s.href, aria_label="Roll call for " + s.day)),
        rx.el.td(s.start), rx.el.td(s.topic), rx.el.td(s.attendance), rx.el.td(s.state),
    )


def _member_row(m: rx.Var[MemberLine]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(m.name, href=m.href)), rx.el.td(m.joined),
        rx.el.td(rx.cond(GroupState.manageable,
                         rx.button("Leave today", size="1", variant="soft", color_scheme="red",
                                   aria_label="Leave today: " + m.name,
                                   on_click=GroupState.leave(m.id)))),
    )


def group_page() -> rx.Component:
    e = GroupState.errors
    g = GroupState.group
    return ui.page_frame(
        "Group",
        ui.error_banner(GroupState.error),
        ui.notice(GroupState.message),
        rx.cond(
            GroupState.found,
            rx.vstack(
                rx.heading(g["name"], as_="h2", size="5"),
                rx.text(g["type"] + " · " + g["schedule"] + " · capacity " + g["capacity"] + " · " + g["location"]
                        + " · runs " + g["runs"], color_scheme="gray"),
                ui.card(
                    rx.heading("Members", as_="h3", size="4"),
                    ui.data_table("Members", ["Name", "Joined", "Actions"], GroupState.members, _member_row),
                    rx.cond(GroupState.manageable, rx.form(
                        rx.flex(
                            rx.box(ui.select_field("Client", "client_id", "join-client", GroupState.enrollable,
                                                   error=e.get("client_id", "")), min_width="14rem"),
                            rx.box(ui.text_field("Joins on", "joined_on", "join-date", type="date",
                                                 default_value=GroupState.today_iso, error=e.get("joined_on", ""))),
                            rx.button("Enrol", type="submit", margin_top="1.5rem"),
                            gap="3", wrap="wrap", align="start",
                        ),
                        on_submit=GroupState.join, reset_on_submit=False,
                    )),
                    rx.el.details(
                        rx.el.summary("Membership history"),
                        rx.el.ul(rx.foreach(GroupState.past_members, lambda m: rx.el.li(
                            m.name + ": " + m.joined + " – " + m.left))),
                    ),
                ),
                ui.card(
                    rx.heading("Sessions (last 4 weeks and next 2)", as_="h3", size="4"),
                    ui.data_table("Sessions", ["Date", "Start", "Topic", "Attended", "Note"], GroupState.sessions,
                                  _session_row),
                    rx.cond(GroupState.manageable, rx.vstack(
                        rx.form(
                            rx.flex(
                                ui.text_field("From", "start", "gen-start", type="date"),
                                ui.text_field("To", "end", "gen-end", type="date", error=e.get("end", "")),
                                rx.button("Generate from schedule", type="submit", margin_top="1.5rem"),
                                gap="3", wrap="wrap", align="start",
                            ),
                            on_submit=GroupState.generate, reset_on_submit=False,
                        ),
                        rx.form(
                            rx.flex(
                                ui.text_field("Extra session date", "day", "extra-day", type="date",
                                              default_value=GroupState.today_iso, error=e.get("day", "")),
                                ui.text_field("Start", "start", "extra-start", type="time", error=e.get("start", "")),
                                ui.text_field("Minutes", "duration_minutes", "extra-length", input_mode="numeric",
                                              default_value="90", error=e.get("duration_minutes", "")),
                                ui.text_field("Topic", "topic", "extra-topic", error=e.get("topic", "")),
                                rx.button("Add extra session", type="submit", margin_top="1.5rem"),
                                gap="3", wrap="wrap", align="start",
                            ),
                            on_submit=GroupState.add_extra, reset_on_submit=False,
                        ),
                        rx.button("Export attendance CSV", variant="outline", on_click=GroupState.export_csv),
                        spacing="3", width="100%",
                    )),
                ),
                ui.card(
                    rx.heading("Attendance and census", as_="h3", size="4"),
                    rx.cond(GroupState.manageable,
                            rx.plotly.basic(data=GroupState.rate_figure, config=PLOT_CONFIG, width="100%")),
                    rx.plotly.basic(data=GroupState.census_figure, config=PLOT_CONFIG, width="100%"),
                ),
                spacing="4", width="100%", align="stretch",
            ),
        ),
        rx.link("All groups", href=routes.STAFF_GROUPS, margin_top="1rem"),
    )


def _entry_row(entry: rx.Var[RollCallLine]) -> rx.Component:
    field_id = "status-" + entry.id
    minutes_id = "minutes-" + entry.id
    return rx.el.tr(
        rx.el.th(rx.link(entry.name, href=entry.href), scope="row"),
        rx.el.td(
            rx.el.label("Status for " + entry.name, html_for=field_id,
                        style={"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
                               "clip": "rect(0 0 0 0)"}),
            rx.el.select(
                rx.foreach(RollCallState.status_options, lambda o: rx.el.option(o[1], value=o[0])),
                id=field_id, value=entry.status, class_name="native-select",
                on_change=lambda value: RollCallState.set_status(entry.id, value),
            ),
        ),
        rx.el.td(
            rx.el.label("Minutes for " + entry.name, html_for=minutes_id,
                        style={"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
                               "clip": "rect(0 0 0 0)"}),
            rx.input(id=minutes_id, default_value=entry.minutes, key=entry.id + "-" + entry.minutes,
                     input_mode="numeric", width="5.5rem", disabled=entry.status == "",
                     on_blur=lambda value: RollCallState.set_minutes(entry.id, value)),
            ui.field_error(RollCallState.errors.get("minutes-" + entry.id, ""), minutes_id),
        ),
    )


def _part_section(s: rx.Var[PartSection]) -> rx.Component:
    return rx.vstack(
        ui.field_label(s.label, s.field_id),
        rx.text_area(id=s.field_id, name=s.name, default_value=s.text, rows="3", width="100%",
                     aria_describedby=s.field_id + "-error"),
        rx.cond(GroupNoteState.errors.get(s.name, "") != "",
                rx.text(GroupNoteState.errors.get(s.name, ""), id=s.field_id + "-error", color_scheme="red",
                        size="2", role="alert")),
        spacing="1", width="100%", align="stretch",
    )


def _part_objective(o: rx.Var[PartObjective]) -> rx.Component:
    return rx.hstack(
        rx.el.input(type="checkbox", id=o.field_id, name=o.name, default_checked=o.checked),
        rx.el.label(o.label, html_for=o.field_id),
        align="center", spacing="2",
    )


def _attendee_part(a: rx.Var[AttendeeLine]) -> rx.Component:
    errors = GroupNoteState.errors
    return rx.el.fieldset(
        rx.el.legend(a.name + " · " + a.status, style={"fontWeight": 600}),
        rx.foreach(a.sections, _part_section),
        rx.text("Objectives of " + a.name + "'s plan this session addressed", size="2", weight="medium"),
        rx.cond(a.objectives.length() == 0,
                rx.text("No plan in force: the note cannot be signed until a plan is signed.", size="2",
                        color_scheme="amber")),
        rx.foreach(a.objectives, _part_objective),
        rx.cond(errors.get(a.id + ":objectives", "") != "",
                rx.text(errors.get(a.id + ":objectives", ""), color_scheme="red", size="2", role="alert")),
        rx.cond(errors.get("part-" + a.id, "") != "",
                rx.text(errors.get("part-" + a.id, ""), color_scheme="red", size="2", role="alert")),
        rx.cond(a.note_href != "", rx.link("Open " + a.name + "'s note", href=a.note_href)),
        style={"border": "1px solid var(--gray-6)", "borderRadius": "6px", "padding": "0.75rem",
               "marginBottom": "0.75rem", "minWidth": 0},
    )


def group_note_card() -> rx.Component:
    """The group note: the shared part once, each attendee's own part (GroupNoteState)."""
    s = GroupNoteState
    e = s.errors
    return ui.card(
        rx.heading("Group note", as_="h3", size="4"),
        rx.text("Status: " + s.status, weight="medium"),
        rx.text("Each member marked present, late or left early gets their own note in their own chart; absent "
                "members get none. Name no other member in any part.", size="2", color_scheme="gray"),
        rx.cond(s.unmarked > 0, rx.text(s.unmarked.to_string() + " member(s) not marked yet: they get no note.",
                                        size="2", color_scheme="amber")),
        ui.error_banner(e.get("group_note", "")),
        ui.stale_notice(s.stale, s.reload_note),
        ui.notice(s.message),
        rx.cond(
            s.signed,
            rx.vstack(
                rx.text("Topic: " + s.topic),
                rx.el.pre(s.shared, style={"whiteSpace": "pre-wrap", "fontFamily": "inherit", "margin": 0}),
                rx.el.ul(rx.foreach(s.attendees, lambda a: rx.el.li(
                    rx.link(a.name + "'s note", href=a.note_href)))),
                width="100%",
            ),
            rx.form(
                rx.vstack(
                    ui.select_field("Format", "note_format", "group-note-format", NoteFormat.choices(),
                                    default_value=s.note_format, error=e.get("note_format", "")),
                    ui.text_field("Topic", "topic", "group-note-topic", default_value=s.topic,
                                  error=e.get("topic", "")),
                    ui.textarea_field(s.shared_label, "shared", "group-note-shared", default_value=s.shared, rows="4",
                                      error=e.get("shared", "")),
                    rx.foreach(s.attendees, _attendee_part),
                    rx.hstack(
                        rx.button("Save group note", type="submit"),
                        rx.button("Sign group note", type="button", on_click=s.sign, color_scheme="green"),
                        spacing="3", wrap="wrap",
                    ),
                    spacing="3", width="100%", align="stretch",
                ),
                on_submit=s.save, reset_on_submit=False, key=s.form_key.to_string(),
            ),
        ),
    )


def roll_call_page() -> rx.Component:
    info = RollCallState.info
    e = RollCallState.errors
    return ui.page_frame(
        "Roll call",
        ui.error_banner(RollCallState.error),
        ui.notice(RollCallState.message),
        rx.cond(
            RollCallState.found,
            rx.vstack(
                rx.heading(info["group"], as_="h2", size="5"),
                rx.text(info["day"] + " · " + info["start"] + " · " + info["length"], color_scheme="gray"),
                rx.cond(RollCallState.cancelled,
                        rx.callout("This session was cancelled: " + info["cancel_reason"], color_scheme="amber"),
                        rx.vstack(
                            rx.cond(RollCallState.needs_reason, rx.vstack(
                                rx.text("This session is more than 7 days old: changes need a reason.",
                                        color_scheme="amber", weight="medium"),
                                rx.el.label("Reason for the change", html_for="rollcall-reason",
                                            style={"fontWeight": 500}),
                                rx.input(id="rollcall-reason", default_value=RollCallState.reason,
                                         on_blur=RollCallState.set_reason, aria_describedby="rollcall-reason-error",
                                         width="100%", max_width="32rem"),
                                ui.field_error(e.get("reason", ""), "rollcall-reason"),
                                width="100%",
                            )),
                            rx.hstack(
                                rx.button("All present", on_click=RollCallState.all_present, size="3"),
                                rx.text(RollCallState.marked_count, role="status"),
                                align="center", spacing="3",
                            ),
                            ui.data_table("Roll call", ["Member", "Status", "Minutes"], RollCallState.entries,
                                          _entry_row),
                            width="100%", spacing="3",
                        )),
                ui.card(
                    rx.heading("Topic and notes", as_="h3", size="4"),
                    ui.stale_notice(RollCallState.notes_stale, RollCallState.reload_notes, RollCallState.notes_draft,
                                    RollCallState.discard_draft),
                    rx.form(
                        rx.vstack(
                            ui.text_field("Topic", "topic", "session-topic", default_value=info["topic"],
                                          error=e.get("topic", "")),
                            ui.textarea_field("Notes", "notes", "session-notes", default_value=info["notes"],
                                              error=e.get("notes", "")),
                            rx.button("Save topic and notes", type="submit"),
                            spacing="2", width="100%",
                        ),
                        on_submit=RollCallState.save_topic, reset_on_submit=False,
                        # a new key refills the fields from the server (load, reload, after a save)
                        key=RollCallState.notes_form_key.to_string(),
                    ),
                    rx.cond(RollCallState.earlier.length() > 0, rx.el.details(
                        rx.el.summary("Earlier versions (" + RollCallState.earlier.length().to_string() + ")"),
                        rx.el.ul(rx.foreach(RollCallState.earlier, lambda v: rx.el.li(
                            rx.text(v.field + ", " + v.replaced, size="1", color_scheme="gray"),
                            rx.el.pre(v.text, style={"whiteSpace": "pre-wrap", "fontFamily": "inherit",
                                                        "margin": "0 0 0.5rem 0"}),
                        )), style={"paddingLeft": "1.2rem"}),
                    )),
                ),
                rx.cond(~RollCallState.cancelled, group_note_card()),
                rx.cond(~RollCallState.cancelled, rx.el.details(
                    rx.el.summary("Cancel this session"),
                    rx.form(
                        rx.vstack(
                            ui.text_field("Reason", "cancel_reason", "cancel-reason", error=e.get("cancel_reason", "")),
                            rx.button("Cancel session", type="submit", color_scheme="red", variant="soft"),
                            spacing="2", max_width="28rem",
                        ),
                        on_submit=RollCallState.cancel, reset_on_submit=False,
                    ),
                )),
                rx.link("Back to the group", href=info["group_href"]),
                spacing="4", width="100%", align="stretch",
            ),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(groups_page, route=routes.STAFF_GROUPS, title="Groups · IOP", on_load=GroupsState.load)
    app.add_page(group_page, route=routes.STAFF_GROUP, title="Group · IOP", on_load=GroupState.load)
    app.add_page(roll_call_page, route=routes.STAFF_SESSION, title="Roll call · IOP",
                 on_load=[RollCallState.load, GroupNoteState.load])
