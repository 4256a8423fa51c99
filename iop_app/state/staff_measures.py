"""The Measures section of a client's record (`/staff/clients/[client_id]`): trends with
bands beside the diary, what is due, the responses, the alerts to acknowledge, an ad hoc
assignment, and the FHIR export.

Its own state beside ClientRecordState (the page loads both), so the record's other
sections and this one change independently. The client id comes from the URL and is kept
in a backend var; every read and change goes through the measure services, which check
permissions (services/permissions.py) with the actor from the session and audit.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from ..components import measure_charts
from ..models.enums import MeasureTiming
from ..services import (
    measure_alerts,
    measure_fhir,
    measure_records,
    measure_schedule,
    measure_trends,
    measures,
    program,
)
from ..services.errors import NotFound, PermissionDenied, ValidationError
from .args import as_date, as_int, form_dict
from .base import PageState, SessionState
from .formatting import fmt_date
from .staff import STAFF_PAGE

REASONS = {MeasureTiming.INTAKE.value: "at intake", MeasureTiming.INTERVAL.value: "on schedule",
           MeasureTiming.DISCHARGE.value: "at discharge", "assigned": "assigned"}


@dataclass
class DueLine:
    name: str
    due: str
    reason: str
    overdue: str  # "yes" or ""


@dataclass
class ResponseLine:
    on: str
    name: str
    total: str
    band: str
    note: str  # corrections, subscales


@dataclass
class AlertLine:
    id: str
    created: str
    name: str
    kind: str
    text: str
    acknowledged: str  # who/when and the action taken; "" while open


class ClientMeasuresState(PageState, SessionState):
    _roles = STAFF_PAGE
    shown: bool = False
    due: list[DueLine] = []
    responses: list[ResponseLine] = []
    open_alerts: list[AlertLine] = []
    closed_alerts: list[AlertLine] = []
    summaries: list[str] = []
    measure_choices: list[list[str]] = [[code, f"{d.name}: {d.title}"] for code, d in measures.DEFINITIONS.items()]
    today: str = ""
    assign_errors: dict[str, str] = {}
    ack_errors: dict[str, str] = {}
    ack_alert: str = ""  # the alert whose form shows ack_errors
    assign_key: int = 0
    _client_id: int = 0
    _points: dict[str, list[dict]] = {}  # code -> points, oldest first
    _diary: list[dict] = []
    _alert_ids: list[int] = []

    @rx.var(cache=True)
    def trend_figures(self) -> list[measure_charts.go.Figure]:
        return [measure_charts.trend_figure(code, points, self._diary) for code, points in self._points.items()]

    def _reload(self, session, actor) -> None:
        client_id = self._client_id
        if not client_id:
            return
        today = program.local_today(session)
        self.today = today.isoformat()
        self._points, self._diary = measure_charts.chart_data(measure_trends.trends(session, actor, client_id, today))
        self.summaries = [measure_charts.summary(code, p) for code, p in self._points.items()]
        self.due = [DueLine(d.name, fmt_date(d.due_on), REASONS.get(d.reason, d.reason), "yes" if d.overdue else "")
                    for d in measure_schedule.due(session, actor, client_id, today)]
        tz = program.program_tz(session)
        self.responses = [_response_line(r, tz) for r in measure_records.history(session, actor, client_id)[:40]]
        alerts = measure_alerts.for_client(session, actor, client_id)
        self.open_alerts = [_alert_line(a, tz) for a in alerts if a.acknowledged_at is None]
        self.closed_alerts = [_alert_line(a, tz) for a in alerts if a.acknowledged_at is not None][:20]
        self._alert_ids = [a.id for a in alerts if a.acknowledged_at is None]
        self.shown = True

    def _clear(self) -> None:
        self.shown = False
        self.due, self.responses, self.open_alerts, self.closed_alerts, self.summaries = [], [], [], [], []
        self._points, self._diary, self._alert_ids = {}, [], []

    @rx.event
    def load(self):
        self._clear()
        self.assign_errors, self.ack_errors, self.ack_alert = {}, {}, ""

        def action(session, actor):
            self._client_id = self._load_param("client_id", "No such client.") or 0
            try:
                self._reload(session, actor)
            except (PermissionDenied, NotFound):
                # The record section says why (and offers emergency access); nothing shown here.
                self._clear()
                self._client_id = 0
                self.error = ""

        return self._run(action, reload=False, errors_var=None)

    @rx.event
    def assign(self, form: dict):
        form = form_dict(form)
        code, due_on, note = form.get("code"), as_date(form.get("due_on")), form.get("note", "")

        def action(session, actor):
            if not self._client_id:
                raise ValidationError({"code": "Open a client's record first."})
            if due_on is None:
                raise ValidationError({"due_on": "Choose the day it is due."})
            measure_records.assign(session, actor, self._client_id, code=code, due_on=due_on, note=note)
            self.assign_key += 1
            self.message = f"{measures.definition(code).name} assigned, due {fmt_date(due_on)}."

        return self._run(action, errors_var="assign_errors")

    @rx.event
    def acknowledge(self, form: dict):
        form = form_dict(form)
        alert_id = as_int(form.get("alert_id"), 1)
        note = form.get("note")

        def action(session, actor):
            self.ack_alert = str(alert_id or "")
            if not self._client_id:
                raise ValidationError({"note": "Open a client's record first."})
            measure_alerts.acknowledge(session, actor, alert_id if alert_id is not None else form.get("alert_id"),
                                       note=note, client_id=self._client_id)
            self.message = "Alert acknowledged; the action taken is recorded."

        return self._run(action, errors_var="ack_errors")

    @rx.event
    def export_fhir(self):
        def action(session, actor):
            if not self._client_id:
                raise NotFound("Open a client's record first.")
            text = measure_fhir.export_json(session, actor, self._client_id)
            return rx.download(data=text, filename=f"client-{self._client_id}-measures.fhir.json",
                               mime_type="application/fhir+json")

        return self._run(action, reload=False, errors_var=None)


def _response_line(r: measure_records.ResponseView, tz) -> ResponseLine:
    name = measures.definition(r.code).name
    notes = []
    if r.subscales:
        notes.append(", ".join(f"{k} {v:.2f}".rstrip("0").rstrip(".") for k, v in r.subscales.items()))
    if r.positive is not None:
        notes.append("screen positive" if r.positive else "screen negative")
    if r.supersedes_id:
        notes.append(f"correction: {r.correction_reason}")
    return ResponseLine(on=fmt_date(program.to_local(r.completed_at, tz).date()) if r.completed_at else "—", name=name,
                        total="—" if r.total is None else f"{r.total:g}", band=r.band or "—", note="; ".join(notes))


def _alert_line(a: measure_alerts.AlertView, tz) -> AlertLine:
    created = program.to_local(a.created_at, tz)
    done = ""
    if a.acknowledged_at is not None:
        at = program.to_local(a.acknowledged_at, tz)
        done = f"{fmt_date(at.date())} {at:%H:%M}: {a.action_note}"
    return AlertLine(id=str(a.id), created=f"{fmt_date(created.date())} {created:%H:%M}",
                     name=measures.definition(a.code).name, kind=a.kind_label, text=a.text, acknowledged=done)

