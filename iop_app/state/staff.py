"""Therapist workspace state: the caseload roster.

Only the rows of the visible page (formatted strings) are public vars; the
figures for other clients never enter the state. Client record, groups and
roll call live in state/staff_client.py and state/staff_groups.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from .. import routes
from ..components import charts
from ..models.enums import ClientStatus, Role
from ..services import measure_roster, program, reports, roster
from .args import as_int, as_text, form_dict
from .base import PageState, SessionState
from .formatting import fmt_date

# The pages of the therapist workspace: therapists and the director.
STAFF_PAGE = (Role.THERAPIST, Role.DIRECTOR)

SORT_LABELS = {
    "name": "Name", "admission": "Admission date", "status": "Status", "therapist": "Therapist",
    "last_checkin": "Last check-in", "mood": "Mood (7-day)", "craving": "Craving (7-day)",
    "attendance": "Attendance (14 days)", "hours": "Hours this week", "review": "Next plan review",
    "flags": "Flags",
}
ARROWS = {"up": "↑", "down": "↓", "steady": "→", "": ""}


@dataclass
class RosterLine:
    """One roster row as shown (all public: the viewer may see these clients).
    `hours_short` and `overdue` are "yes" or ""."""

    id: str
    href: str
    name: str
    therapist: str
    status: str
    admitted: str
    week: str
    last_checkin: str
    mood: str
    mood_words: str
    craving: str
    craving_words: str
    attendance: str
    hours: str
    hours_short: str
    review: str
    overdue: str
    flags: str
    # Measures (services/measure_roster.py): filled in by with_measures.
    phq9: str = "—"
    phq9_words: str = ""
    gad7: str = "—"
    gad7_words: str = ""
    measures_late: str = "—"
    alert: str = ""  # "yes" while an alert on this client is open


@dataclass
class CaseloadEntry:
    name: str
    href: str
    detail: str


MEASURE_ARROWS = {"up": "↑", "down": "↓", "same": "→", "": ""}
MEASURE_WORDS = {"up": "up (worse) since the previous one", "down": "down (better) since the previous one",
                 "same": "the same as the previous one", "": "no earlier response"}


def _measure_cell(name: str, latest) -> tuple[str, str]:
    if latest is None:
        return "—", f"{name}: none yet"
    text = f"{latest.total:g} {latest.band} {MEASURE_ARROWS[latest.direction]}".strip()
    return text, f"{name} {latest.total:g}, {latest.band}, {MEASURE_WORDS[latest.direction]}"


def with_measures(line: RosterLine, figures: measure_roster.MeasureColumns | None) -> RosterLine:
    """The roster line with its measure columns."""
    if figures is None:
        return line
    line.phq9, line.phq9_words = _measure_cell("PHQ-9", figures.latest.get("phq9"))
    line.gad7, line.gad7_words = _measure_cell("GAD-7", figures.latest.get("gad7"))
    parts = [f"{figures.late} late"] * bool(figures.late) + [f"{figures.missed} missed"] * bool(figures.missed)
    line.measures_late = ", ".join(parts) or "—"
    line.alert = "yes" if figures.open_alerts else ""
    return line


def _fmt_avg(value: float | None, change: float | None) -> str:
    if value is None:
        return "—"
    arrow = ARROWS[roster.direction(change)]
    return f"{value:.1f} {arrow}".strip()


def _change_words(label: str, change: float | None) -> str:
    """Direction in words for screen readers and the title tooltip."""
    if change is None:
        return f"{label}: no earlier week to compare"
    word = {"up": "up", "down": "down", "steady": "steady"}[roster.direction(change)]
    return f"{label} {word} ({change:+.1f} on the week before)"


def row_view(row: roster.RosterRow, today: date) -> RosterLine:
    """The strings a roster row shows."""
    rate = ("—" if row.attendance_rate is None
            else f"{round(row.attendance_rate * 100)}% ({row.attended_14}/{row.recorded_14})")
    last = fmt_date(row.last_checkin)
    if row.last_checkin:
        ago = (today - row.last_checkin).days
        last += " (today)" if ago == 0 else f" ({ago} d ago)"
    return RosterLine(
        id=str(row.client_id),
        href=routes.staff_client(row.client_id),
        name=row.name,
        therapist=row.therapist,
        status=row.status,
        admitted=fmt_date(row.admission_date),
        week=str(row.week),
        last_checkin=last,
        mood=_fmt_avg(row.mood_avg7, row.mood_change),
        mood_words=_change_words("Mood", row.mood_change),
        craving=_fmt_avg(row.craving_avg7, row.craving_change),
        craving_words=_change_words("Craving", row.craving_change),
        attendance=rate,
        hours=f"{row.hours_week:g} / {row.hours_target:g} h",
        hours_short="yes" if row.status != ClientStatus.DISCHARGED and row.hours_week < row.hours_target else "",
        review=fmt_date(row.next_review) + (" — OVERDUE" if row.review_overdue else ""),
        overdue="yes" if row.review_overdue else "",
        flags="; ".join(_flag_text(flag, row, today) for flag in row.flags),
    )


def _flag_text(flag: str, row: roster.RosterRow, today: date) -> str:
    """A flag as shown; a client still in intake also says how long since admission."""
    if flag == roster.FLAG_INTAKE:
        days = (today - row.admission_date).days
        return f"{flag} ({days} day{'' if days == 1 else 's'} since admission)"
    return flag


class RosterState(PageState, SessionState):
    _roles = STAFF_PAGE
    rows: list[RosterLine] = []
    total: int = 0
    page: int = 0
    pages: int = 1
    search: str = ""
    status_filter: str = "current"
    therapist_filter: str = ""
    flagged_only: bool = False
    sort: str = "name"
    descending: bool = False
    therapist_options: list[list[str]] = []
    is_director: bool = False
    flagged_total: int = 0
    flag_counts: list[list[str]] = []  # [flag, count]
    caseload_improved: list[CaseloadEntry] = []
    caseload_not_improved: list[CaseloadEntry] = []
    caseload_overdue: list[CaseloadEntry] = []
    _latest_scores: list[dict] = []  # {"score", "mood", "craving"}: small, the chart is built from it

    @rx.var
    def page_label(self) -> str:
        if self.total == 0:
            return "No clients match."
        first = self.page * roster.PAGE_SIZE + 1
        return f"Clients {first}–{min(self.total, first + roster.PAGE_SIZE - 1)} of {self.total}"

    @rx.var
    def has_next(self) -> bool:
        return self.page + 1 < self.pages

    @rx.var
    def therapist_choices(self) -> list[list[str]]:
        return [["", "All therapists"], *self.therapist_options]

    @rx.var(cache=True)
    def scores_figure(self) -> charts.go.Figure:
        import pandas as pd

        frame = pd.DataFrame(self._latest_scores or [], columns=["score", "mood", "craving"])
        fig = charts.go.Figure()
        if not frame.empty:
            fig.add_trace(charts.go.Bar(x=frame["score"].tolist(), y=frame["mood"].tolist(), name="Mood",
                                        marker={"color": charts.COLORS["mood"]}))
            fig.add_trace(charts.go.Bar(x=frame["score"].tolist(), y=frame["craving"].tolist(), name="Craving",
                                        marker={"color": charts.COLORS["craving"]}))
        fig = charts._layout(fig, "Latest check-in scores (clients per score)", height=260)
        fig.update_layout(barmode="group")
        return fig

    def _query(self, page: int | None = None) -> roster.RosterQuery:
        return roster.RosterQuery(
            search=self.search, status=self.status_filter, flagged_only=self.flagged_only, sort=self.sort,
            descending=self.descending, page=self.page if page is None else page,
            therapist_id=as_int(self.therapist_filter, 1) if self.therapist_filter else None,
        )

    def _reload(self, session, actor, with_summary: bool = False) -> None:
        today = program.local_today(session)
        result = roster.roster_page(session, actor, self._query(), today)
        figures = measure_roster.columns(session, actor, [r.client_id for r in result.rows], today)
        self.rows = [with_measures(row_view(r, today), figures.get(r.client_id)) for r in result.rows]
        self.total, self.page, self.pages = result.total, result.page, result.pages
        if with_summary:
            summary = reports.caseload_summary(session, actor, self._query(0), today)
            self.flagged_total = summary["flagged"]
            self.flag_counts = [[flag, str(n)] for flag, n in summary["flag_counts"].items()]
            self._latest_scores = summary["latest_scores"].to_dict("records")
            view = measure_roster.caseload_view(session, actor, today)

            def entries(lines):
                return [CaseloadEntry(x.name, routes.staff_client(x.client_id), x.detail) for x in lines]
            self.caseload_improved = entries(view.improved)
            self.caseload_not_improved = entries(view.not_improved)
            self.caseload_overdue = entries(view.overdue)

    # No forms with fields here: a refused filter or sort shows as the banner (errors_var=None).
    @rx.event
    def load(self):
        def action(session, actor):
            self.is_director = actor.is_director
            self.therapist_options = [[str(i), n] for i, n in roster.therapist_options(session, actor)]
            self.page = 0
            self._reload(session, actor, with_summary=True)
        return self._run(action, reload=False, errors_var=None)

    @rx.event
    def apply_filters(self, form: dict):
        form = form_dict(form)
        search = as_text(form.get("search", ""), 100)
        status = form.get("status", "current")
        therapist = form.get("therapist", "")

        def action(session, actor):
            if search is None:
                self.error = "Search text must be at most 100 characters."
            elif status not in roster.STATUS_FILTERS:
                self.error = "Choose a status from the list."
            elif therapist not in ("", *[opt[0] for opt in self.therapist_options]):
                self.error = "Choose a therapist from the list."
            else:
                self.search, self.status_filter, self.therapist_filter = search, status, therapist
                self.flagged_only = form.get("flagged_only") in ("on", True, "true")
                self.page = 0
                self._reload(session, actor, with_summary=True)
        return self._run(action, reload=False, errors_var=None)

    @rx.event
    def sort_by(self, key: str):
        def action(session, actor):
            if key not in roster.SORT_KEYS:
                self.error = "Unknown sort order."
                return
            self.descending = (not self.descending) if key == self.sort else key in ("flags", "craving")
            self.sort = key
            self.page = 0
            self._reload(session, actor)
        return self._run(action, reload=False, errors_var=None)

    @rx.event
    def show_flagged(self):
        def action(session, actor):
            self.flagged_only, self.sort, self.descending, self.page = True, "flags", True, 0
        return self._run(action, errors_var=None)

    @rx.event
    def next_page(self):
        def action(session, actor):
            if self.page + 1 < self.pages:
                self.page += 1
        return self._run(action, errors_var=None)

    @rx.event
    def previous_page(self):
        def action(session, actor):
            self.page = max(0, self.page - 1)
        return self._run(action, errors_var=None)

    @rx.event
    def export_csv(self):
        def action(session, actor):
            text = roster.roster_csv(session, actor, self._query(0))
            return rx.download(data=text, filename="roster.csv", mime_type="text/csv")
        return self._run(action, reload=False, errors_var=None)
