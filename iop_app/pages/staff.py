"""Therapist workspace pages: the roster here; the client record, groups and
roll call in pages/staff_client.py and pages/staff_groups.py (registered below)."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.ui import error_banner, page_frame, select_field, stat, table_region, text_field
from ..state.staff import RosterLine, RosterState
from . import staff_client, staff_groups

# Visually hidden but read by screen readers (assets/styles.css has no such class).
SR_ONLY = {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden", "clip": "rect(0 0 0 0)",
           "whiteSpace": "nowrap"}
SORT_BUTTON = {"background": "none", "border": "none", "padding": 0, "font": "inherit", "fontWeight": 600,
               "cursor": "pointer", "textAlign": "left", "color": "inherit"}

STATUS_OPTIONS = [("current", "Current (intake and active)"), ("active", "Active"), ("intake", "Intake"),
                  ("discharged", "Discharged"), ("all", "Everyone")]


def _sort_header(label: str, key: str) -> rx.Component:
    arrow = rx.cond(RosterState.sort == key, rx.cond(RosterState.descending, " ▼", " ▲"), "")
    return rx.el.th(
        rx.el.button(label, arrow, on_click=RosterState.sort_by(key), type="button", style=SORT_BUTTON,
                     aria_label="Sort by " + label),
        aria_sort=rx.cond(RosterState.sort == key, rx.cond(RosterState.descending, "descending", "ascending"), "none"),
        scope="col",
    )


def _flag_badges(flags: rx.Var) -> rx.Component:
    return rx.cond(flags != "", rx.text(flags, color_scheme="red", weight="bold", size="2"),
                   rx.text("—", color_scheme="gray", size="2"))


def _roster_row(row: rx.Var[RosterLine]) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(row.name, href=row.href)),
        rx.cond(RosterState.is_director, rx.el.td(row.therapist), rx.fragment()),
        rx.el.td(row.status),
        rx.el.td(row.admitted, rx.el.br(), rx.text("week " + row.week, size="1", color_scheme="gray")),
        rx.el.td(row.last_checkin),
        rx.el.td(rx.el.span(row.mood, title=row.mood_words), rx.el.span(row.mood_words, style=SR_ONLY)),
        rx.el.td(rx.el.span(row.craving, title=row.craving_words),
                 rx.el.span(row.craving_words, style=SR_ONLY)),
        rx.el.td(row.attendance),
        rx.el.td(rx.cond(row.hours_short == "yes", rx.text(row.hours, color_scheme="amber", weight="medium"),
                         rx.text(row.hours))),
        rx.el.td(rx.cond(row.overdue == "yes", rx.text(row.review, color_scheme="red", weight="bold"),
                         rx.text(row.review))),
        rx.el.td(_flag_badges(row.flags)),
        # Measures (after Flags, so the columns before keep their places).
        rx.el.td(rx.el.span(row.phq9, title=row.phq9_words), rx.el.span(row.phq9_words, style=SR_ONLY)),
        rx.el.td(rx.el.span(row.gad7, title=row.gad7_words), rx.el.span(row.gad7_words, style=SR_ONLY)),
        rx.el.td(rx.cond(row.measures_late != "—", rx.text(row.measures_late, color_scheme="amber", weight="medium"),
                         rx.text("—"))),
        rx.el.td(rx.cond(row.alert == "yes",
                         rx.link(rx.text("Open alert", color_scheme="red", weight="bold"),
                                 href=row.href + "#measures", aria_label="Open alert: " + row.name),
                         rx.text("—", color_scheme="gray")), class_name="measure-alert-cell"),
        class_name=rx.cond((row.flags != "") | (row.alert == "yes"), "flagged", ""),
    )


def _caseload_list(title: str, entries: rx.Var, empty: str, list_id: str) -> rx.Component:
    return rx.box(
        rx.heading(title, as_="h3", size="3"),
        rx.cond(entries.length() > 0,
                rx.el.ul(rx.foreach(entries, lambda e: rx.el.li(rx.link(e.name, href=e.href, underline="always"), " · ",
                                                                 rx.text.span(e.detail, color_scheme="gray"))),
                         style={"paddingLeft": "1.2rem", "fontSize": "0.9rem"}, id=list_id),
                rx.text(empty, size="2", color_scheme="gray")),
        min_width="14rem", flex="1",
    )


def _caseload_view() -> rx.Component:
    """Measurement-based care at a glance: who improved, who did not, who is overdue."""
    s = RosterState
    return rx.box(
        rx.heading("Measures across the caseload", as_="h2", size="4"),
        rx.text("Improved: PHQ-9 down 5 or more, or PHQ-9 or GAD-7 halved, since the first response. "
                "Current clients only.", size="1", color_scheme="gray"),
        rx.flex(
            _caseload_list("Improved", s.caseload_improved, "No one yet.", "caseload-improved"),
            _caseload_list("Not improved", s.caseload_not_improved, "No one.", "caseload-not-improved"),
            _caseload_list("Measures overdue", s.caseload_overdue, "No one.", "caseload-overdue"),
            wrap="wrap", gap="4", margin_top="0.5rem",
        ),
        margin_top="1.5rem", id="caseload-measures",
    )


def roster_page() -> rx.Component:
    return page_frame(
        "Caseload roster",
        rx.flex(
            stat("Clients", RosterState.total, "matching the filters"),
            stat("Flagged", RosterState.flagged_total, "need attention"),
            rx.foreach(RosterState.flag_counts, lambda fc: stat(fc[0], fc[1])),
            wrap="wrap", gap="3", margin_bottom="1rem",
        ),
        rx.form(
            rx.flex(
                rx.box(text_field("Search by name", "search", "roster-search", default_value=RosterState.search),
                       min_width="12rem", flex="1"),
                rx.box(select_field("Status", "status", "roster-status", STATUS_OPTIONS,
                                    default_value=RosterState.status_filter), min_width="12rem"),
                rx.cond(
                    RosterState.is_director,
                    rx.box(select_field("Therapist", "therapist", "roster-therapist",
                                        RosterState.therapist_choices, default_value=RosterState.therapist_filter),
                           min_width="12rem"),
                    rx.fragment(),
                ),
                rx.hstack(
                    rx.el.input(type="checkbox", id="roster-flagged", name="flagged_only",
                                default_checked=RosterState.flagged_only),
                    rx.el.label("Flagged clients only", html_for="roster-flagged"),
                    align="center", spacing="2", padding_top="1.5rem",
                ),
                gap="3", wrap="wrap", align="start",
            ),
            rx.hstack(
                rx.button("Apply", type="submit"),
                rx.button("Show flagged first", type="button", variant="soft", on_click=RosterState.show_flagged),
                rx.button("Export CSV", type="button", variant="outline", on_click=RosterState.export_csv),
                spacing="2", wrap="wrap", margin_top="0.5rem",
            ),
            on_submit=RosterState.apply_filters,
            reset_on_submit=False,
        ),
        error_banner(RosterState.error),
        rx.text(RosterState.page_label, margin_y="0.5rem", role="status", id="roster-count"),
        table_region(
            "Caseload roster",
            rx.el.table(
                rx.el.caption("Caseload roster; select a column heading to sort", style=SR_ONLY),
                rx.el.thead(rx.el.tr(
                    _sort_header("Name", "name"),
                    rx.cond(RosterState.is_director, _sort_header("Therapist", "therapist"), rx.fragment()),
                    _sort_header("Status", "status"),
                    _sort_header("Admitted", "admission"),
                    _sort_header("Last check-in", "last_checkin"),
                    _sort_header("Mood (7 d)", "mood"),
                    _sort_header("Craving (7 d)", "craving"),
                    _sort_header("Attendance (14 d)", "attendance"),
                    _sort_header("Hours this week", "hours"),
                    _sort_header("Next plan review", "review"),
                    _sort_header("Flags", "flags"),
                    rx.el.th("PHQ-9", scope="col"),
                    rx.el.th("GAD-7", scope="col"),
                    rx.el.th("Measures late", scope="col"),
                    rx.el.th("Measure alert", scope="col"),
                )),
                rx.el.tbody(rx.foreach(RosterState.rows, _roster_row)),
                class_name="data roster",
            ),
        ),
        rx.hstack(
            rx.button("Previous page", on_click=RosterState.previous_page, disabled=RosterState.page == 0,
                      variant="soft"),
            rx.button("Next page", on_click=RosterState.next_page, disabled=~RosterState.has_next, variant="soft"),
            margin_top="0.5rem",
        ),
        _caseload_view(),
        rx.box(rx.plotly.basic(data=RosterState.scores_figure, config={"displayModeBar": False, "responsive": True},
                         width="100%"),
               margin_top="1rem", max_width="40rem", width="100%"),
        width="90rem",
    )


def register(app: rx.App) -> None:
    app.add_page(roster_page, route=routes.STAFF_ROSTER, title="Roster · IOP", on_load=RosterState.load)
    staff_client.register(app)
    staff_groups.register(app)
