"""Discharge, aftercare and follow-up pages (issue #13, section 4): the record's
Discharge tab (routes.STAFF_CLIENT_DISCHARGE), the follow-up list
(routes.STAFF_FOLLOW_UPS) and the director's program reports (routes.DIRECTOR_REPORTS).

Ids the browser sends back must name a row this page listed (`_goal_ids`,
`_follow_up_ids`); the version a save expects is the one the page showed
(`_version`, backend-only). The services check permissions and rules again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import plotly.graph_objects as go
import reflex as rx

from .. import routes
from ..models.enums import DischargeType, EmploymentStatus, FollowUpUse, GoalOutcome, HousingStatus, Role
from ..services import discharge, follow_ups, program, program_reports
from ..services.errors import NotFound, StaleEdit, ValidationError
from .args import as_date, as_int, form_dict
from .base import PageState, SessionState
from .formatting import fmt_date
from .staff import STAFF_PAGE

YES_NO = {"yes": True, "no": False, "": None}


@dataclass
class GoalRow:
    id: str
    statement: str
    outcome: str
    label: str
    note: str


@dataclass
class FollowUpRow:
    id: str
    client_id: str
    client: str
    therapist: str
    label: str
    due: str
    status: str
    outcome: str
    href: str


def _follow_up_row(line: follow_ups.FollowUpLine) -> FollowUpRow:
    return FollowUpRow(str(line.id), str(line.client_id), line.client, line.therapist, line.label,
                       fmt_date(line.due_on), line.status, line.outcome or "—",
                       routes.staff_client_discharge(line.client_id))


class DischargeState(PageState, SessionState):
    """The record's Discharge tab: discharge the client, then write and sign the
    summary with the aftercare plan, print it, and record follow-up contacts."""

    _roles = STAFF_PAGE
    found: bool = False
    discharged: bool = False
    has_record: bool = False  # discharged with a type (not before this feature)
    header: dict[str, str] = {}
    texts: dict[str, str] = {}
    with_client: bool = False
    signed: bool = False
    goals: list[GoalRow] = []
    contacts: list[FollowUpRow] = []
    due_contacts: list[list[str]] = []  # [id, label] of contacts whose outcome can be recorded
    today: str = ""
    form_key: int = 0
    stale: str = ""
    discharge_errors: dict[str, str] = {}
    summary_errors: dict[str, str] = {}
    sign_errors: dict[str, str] = {}
    outcome_errors: dict[str, str] = {}
    type_options: list[list[str]] = [["", "Choose"], *DischargeType.choices()]
    outcome_options: list[list[str]] = [["", "Not judged yet"], *GoalOutcome.choices()]
    use_options: list[list[str]] = [["", "Choose"], *FollowUpUse.choices()]
    housing_options: list[list[str]] = [["", "Not asked"], *HousingStatus.choices()]
    employment_options: list[list[str]] = [["", "Not asked"], *EmploymentStatus.choices()]
    _client_id: int = 0
    _version: int = 0
    _goal_ids: list[int] = []
    _follow_up_ids: list[int] = []
    _feedback: ClassVar[tuple[str, ...]] = ("stale",)

    def _reload(self, session, actor) -> None:
        if not self._client_id:
            return
        view = discharge.discharge_view(session, actor, self._client_id)
        self.today = program.local_today(session).isoformat()
        self.discharged, self.has_record, self.signed = view.discharged, view.id is not None, view.signed
        self.header = {
            "name": view.client_name, "admitted": fmt_date(view.admitted), "type": view.type_label,
            "on": fmt_date(view.discharged_on), "reason": view.reason, "stay": str(view.length_of_stay),
            "alumni": ("Alumni: keeps the client portal" if view.alumni else "Portal closed at discharge"),
            "due": fmt_date(view.summary_due_on),
            "overdue": f"Overdue by {view.overdue_days} day{'' if view.overdue_days == 1 else 's'}"
            if view.overdue_days else "",
            "signed": (f"Signed by {view.signature}, {discharge_moment(session, view.signed_at)}"
                       if view.signed else ""),
        }
        self.texts = dict(view.texts)
        self.with_client = view.with_client
        self._version = view.version
        self.goals = [GoalRow(str(g.id), g.statement, g.outcome, g.outcome_label, g.note) for g in view.goals]
        self._goal_ids = [g.id for g in view.goals]
        lines = follow_ups.client_follow_ups(session, actor, self._client_id) if view.id else []
        self.contacts = [_follow_up_row(line) for line in lines]
        self._follow_up_ids = [line.id for line in lines if line.status != "upcoming"]
        self.due_contacts = [[str(line.id), f"{line.label} (due {fmt_date(line.due_on)})"]
                             for line in lines if line.status != "upcoming"]

    def _clear(self) -> None:
        self.found, self.discharged, self.has_record, self.signed = False, False, False, False
        self.header, self.texts, self.goals, self.contacts, self.due_contacts = {}, {}, [], [], []
        self.discharge_errors, self.summary_errors, self.sign_errors, self.outcome_errors = {}, {}, {}, {}
        self._version, self._goal_ids, self._follow_up_ids = 0, [], []

    @rx.event
    def load(self):
        self._clear()

        def action(session, actor):
            self.found = self._open_record("client_id", "_client_id", lambda: self._reload(session, actor),
                                           "No such client.")
        return self._run(action, reload=False, errors_var=None)

    def _need_client(self) -> None:
        if not self._client_id:
            raise NotFound("Open a client first.")

    @rx.event
    def discharge_client(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            self._need_client()
            discharge.discharge_client(session, actor, self._client_id, on=as_date(form.get("on")),
                                       note=form.get("note"), discharge_type=form.get("discharge_type"))
            self.form_key += 1
            self.message = ("Client discharged: memberships and upcoming sessions ended, consents that end at "
                            "discharge ended, follow-ups scheduled. Now write the summary and aftercare plan.")
        return self._run(action, errors_var="discharge_errors")

    @rx.event
    def save_summary(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            self._need_client()
            values = {name: form.get(name, "") for name in discharge.SUMMARY_TEXTS}
            values["with_client"] = form.get("with_client") in ("on", True, "true")
            goals = {}
            for goal_id in self._goal_ids:  # only the goals this page listed
                goals[goal_id] = {"outcome": form.get(f"goal_{goal_id}_outcome", ""),
                                  "note": form.get(f"goal_{goal_id}_note", "")}
            try:
                discharge.save_summary(session, actor, self._client_id, expected_version=self._version,
                                       values=values, goals=goals)
            except StaleEdit as exc:
                self.stale = exc.message
                return
            self.form_key += 1
            self.message = "Discharge summary saved (draft)."
        return self._run(action, errors_var="summary_errors")

    @rx.event
    def sign(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            self._need_client()
            try:
                discharge.sign_summary(session, actor, self._client_id, expected_version=self._version,
                                       signature=form.get("signature"))
            except StaleEdit as exc:
                self.stale = exc.message
                return
            self.message = "Discharge summary signed and locked."
        return self._run(action, errors_var="sign_errors")

    @rx.event
    def reload_page(self):
        return self._run(lambda session, actor: None, errors_var=None)

    @rx.event
    def record_outcome(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            number = as_int(form.get("follow_up"), 1)
            if number is None or number not in self._follow_up_ids:
                raise ValidationError({"follow_up": "Choose a contact that is due."})
            reached = YES_NO.get(form.get("reached")) if isinstance(form.get("reached"), str) else None
            if reached is None:
                raise ValidationError({"reached": "Say whether you reached the person."})
            services = form.get("in_services")
            follow_ups.record_outcome(
                session, actor, number, reached=reached, note=form.get("note", ""),
                substance_use=form.get("substance_use", "") if reached else "",
                in_services=YES_NO.get(services) if reached and isinstance(services, str) else None,
                housing=form.get("housing", "") if reached else "",
                employment=form.get("employment", "") if reached else "")
            self.form_key += 1
            self.message = "Follow-up outcome recorded."
        return self._run(action, errors_var="outcome_errors")

    @rx.event
    def download_pdf(self):
        def action(session, actor):
            self._need_client()
            name, data = discharge.summary_pdf(session, actor, self._client_id)
            return rx.download(data=data, filename=name, mime_type="application/pdf")
        return self._run(action, reload=False, errors_var=None)


def discharge_moment(session, moment) -> str:
    if moment is None:
        return ""
    local = program.to_local(moment, program.program_tz(session))
    return f"{fmt_date(local.date())} {local:%H:%M}"


class FollowUpsState(PageState, SessionState):
    """The follow-up contacts staff work through (their caseload; the director's every client)."""

    _roles = STAFF_PAGE
    show: str = "to_do"
    rows: list[FollowUpRow] = []
    counts: dict[str, str] = {}
    filter_options: list[list[str]] = [["to_do", "To do (due and missed)"], ["due", "Due"], ["missed", "Missed"],
                                       ["upcoming", "Upcoming"], ["done", "Done"], ["all", "All"]]

    def _reload(self, session, actor) -> None:
        lines, counts = follow_ups.follow_up_list(session, actor, self.show)
        self.rows = [_follow_up_row(line) for line in lines]
        self.counts = {key: str(value) for key, value in counts.items()}

    @rx.event
    def load(self):
        return self._run(errors_var=None)

    @rx.event
    def set_show(self, value: str):
        def action(session, actor):
            if value not in follow_ups.LIST_FILTERS:
                raise ValidationError({"show": "Unknown filter."})
            self.show = value
        return self._run(action, errors_var=None)


class ProgramReportState(PageState, SessionState):
    """The director's program reports: tables, charts, CSV export."""

    _roles: ClassVar[tuple[Role, ...]] = (Role.DIRECTOR,)
    months: str = "12"
    totals: dict[str, str] = {}
    by_month: list[dict[str, str]] = []
    by_therapist: list[dict[str, str]] = []
    types: list[dict[str, str]] = []
    follow_up: list[dict[str, str]] = []
    month_options: list[list[str]] = [[str(m), f"Last {m} months"] for m in program_reports.MONTH_CHOICES]
    _figures: dict[str, dict] = {}

    def _reload(self, session, actor) -> None:
        report = program_reports.program_report(session, actor, months=int(self.months))
        self.totals = {k: _show(v) for k, v in report.totals.items()}
        self.by_month = [{k: _show(v) for k, v in row.items()} for row in report.by_month]
        self.by_therapist = [{k: _show(v) for k, v in row.items()} for row in report.by_therapist]
        self.types = [{k: _show(v) for k, v in row.items()} for row in report.types]
        self.follow_up = [{k: _show(v) for k, v in row.items()} for row in report.follow_up]
        self._figures = report.figures

    def _figure(self, name: str) -> go.Figure:
        return go.Figure(self._figures.get(name, {"data": [], "layout": {}}), _validate=False)

    @rx.var(cache=True)
    def types_figure(self) -> go.Figure:
        return self._figure("types_by_month")

    @rx.var(cache=True)
    def completion_figure(self) -> go.Figure:
        return self._figure("completion_by_month")

    @rx.var(cache=True)
    def stay_figure(self) -> go.Figure:
        return self._figure("stay_by_therapist")

    @rx.var(cache=True)
    def follow_up_figure(self) -> go.Figure:
        return self._figure("follow_up")

    @rx.event
    def load(self):
        return self._run(errors_var=None)

    @rx.event
    def set_months(self, value: str):
        def action(session, actor):
            number = as_int(value)
            if number not in program_reports.MONTH_CHOICES:
                raise ValidationError({"months": "Choose 3, 6, 12 or 24 months."})
            self.months = str(number)
        return self._run(action, errors_var=None)

    @rx.event
    def export_csv(self):
        def action(session, actor):
            name, text = program_reports.program_report_csv(session, actor, months=int(self.months))
            return rx.download(data=text.encode(), filename=name, mime_type="text/csv")
        return self._run(action, reload=False, errors_var=None)


def _show(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
