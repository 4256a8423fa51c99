"""The therapist's (and director's) view of one client's record.

The client id comes from the URL, i.e. from the browser: it is parsed with
as_int and every read goes through services that call permissions.require,
so another therapist's client is refused and audited. The chart data sits in
backend vars; the figures are cached computed vars built from it.

Handlers reload the record only after a change succeeded: every reload is an
audited view of the record.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import reflex as rx

from .. import routes
from ..components import charts
from ..models import User
from ..models.enums import ClientStatus, GoalUpdateKind, Role
from ..services import (
    break_glass,
    consents,
    goals,
    needs,
    permissions,
    plans,
    program,
    progress,
    roll_call,
)
from ..services.errors import NotFound, PermissionDenied, ValidationError
from .args import as_int, form_dict
from .base import PageState, SessionState
from .formatting import fmt_date
from .staff import STAFF_PAGE
from .staff_measures import ClientMeasuresState

DAY_CHOICES = (30, 90, 365)
WEEKS = 12


@dataclass
class GoalLine:
    id: str
    title: str
    area: str
    horizon: str
    status: str
    progress: str
    target: str
    steps: str  # "; "-joined, done ones ticked
    history: str  # one update a line, newest first


@dataclass
class NeedLine:
    id: str
    rank: str
    label: str
    area: str
    focus: str  # "yes" or ""


@dataclass
class NeedOrderLine:
    when: str
    order: str


@dataclass
class ConsentLine:
    person: str
    relationship: str
    scope: str
    expires: str
    status: str
    signed: str


@dataclass
class AttendanceLine:
    date: str
    group: str
    topic: str
    status: str
    minutes: str


def _goal_line(g) -> GoalLine:
    history = "\n".join(f"{fmt_date(u.day)}: {u.kind} — {u.progress_pct}%"
                        + (f" ({u.status})" if u.kind == GoalUpdateKind.STATUS else "")
                        + (f" — {u.note}" if u.note else "") for u in reversed(g.updates))
    return GoalLine(id=str(g.id), title=g.title, area=g.life_area_label, horizon=g.horizon_label,
                    status=g.status_label, progress=f"{g.progress_pct}%", target=fmt_date(g.target_date),
                    steps="; ".join(("✓ " if s.done else "") + s.text for s in g.steps), history=history)


class ClientRecordState(PageState, SessionState):
    _roles = STAFF_PAGE
    found: bool = False
    header: dict[str, str] = {}
    goals: list[GoalLine] = []
    needs: list[NeedLine] = []
    need_history: list[NeedOrderLine] = []
    consents: list[ConsentLine] = []
    attendance: list[AttendanceLine] = []
    review_status: dict[str, str] = {}
    today: str = ""
    days: int = 30
    averages: dict[str, str] = {}
    _record_id: int = 0
    # Break-glass: the form is offered to a therapist refused this record (or whose
    # emergency access ran out); the banner shows while the record is open through it.
    emergency_offer: bool = False
    emergency_minutes: str = ""
    emergency_until: str = ""  # program-local HH:MM the access ends
    emergency_errors: dict[str, str] = {}
    _emergency_client_id: int = 0
    _checkins: list[dict] = []
    _weekly: list[dict] = []  # progress.weekly_frame as records

    # ------------------------------------------------------------ charts
    def _checkin_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self._checkins)
        if not frame.empty:
            frame["day"] = pd.to_datetime(frame["day"])
        return frame

    @rx.var(cache=True)
    def trend_figure(self) -> charts.go.Figure:
        return charts.trend_figure(self._checkin_frame(), ("mood", "anxiety", "craving"),
                                   title="Mood, anxiety and craving (7-day averages; × = reported use)")

    @rx.var(cache=True)
    def sleep_figure(self) -> charts.go.Figure:
        return charts.trend_figure(self._checkin_frame(), ("sleep_hours",), title="Sleep (hours)")

    def _weekly_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self._weekly)
        if not frame.empty:
            frame["week_start"] = pd.to_datetime(frame["week_start"])
        return frame

    @rx.var(cache=True)
    def hours_figure(self) -> charts.go.Figure:
        return charts.weekly_hours_figure(self._weekly_frame(), "Hours of services per week vs target")

    @rx.var(cache=True)
    def attendance_figure(self) -> charts.go.Figure:
        return charts.rate_figure(self._weekly_frame(), "week_start", "Group attendance by week")

    # ------------------------------------------------------------ loading
    def _reload(self, session, actor) -> None:
        client_id = self._record_id
        today = program.local_today(session)
        client = permissions.require(session, actor, permissions.READ, client_id, what="record.view")
        self._emergency_status(session, actor)
        person = session.get(User, client.user_id)
        therapist = session.get(User, client.primary_therapist_id) if client.primary_therapist_id else None
        end = min(today, client.discharge_date) if client.discharge_date else today
        self.header = {
            "name": person.full_name, "status": client.status, "admitted": fmt_date(client.admission_date),
            "week": str((end - client.admission_date).days // 7 + 1),
            "therapist": therapist.full_name if therapist else "—",
            "stage": client.stage_of_change, "level": client.level_of_care,
            "discharged": fmt_date(client.discharge_date) if client.status == ClientStatus.DISCHARGED else "",
        }
        self.today = today.isoformat()
        self.goals = [_goal_line(g) for g in goals.list_goals(session, actor, client_id)]
        self.needs = [
            NeedLine(id=str(n.id), rank=str(i), label=n.label, area=n.area_label, focus="yes" if n.in_focus else "")
            for i, n in enumerate(needs.current_order(session, actor, client_id), start=1)
        ]
        self.need_history = [
            NeedOrderLine(when=fmt_date(s.local_at.date()), order=" › ".join(s.labels))
            for s in needs.history(session, actor, client_id, limit=10)
        ]
        self.consents = [
            ConsentLine(person=c.person, relationship=c.relationship, scope=c.scope_label, expires=c.expires,
                        status=c.status, signed=fmt_date(c.signed_on))
            for c in consents.consents_for_client(session, actor, client_id)
        ]
        self.attendance = [AttendanceLine(**{k: str(v) for k, v in row.items()})
                           for row in roll_call.client_attendance(session, actor, client_id, limit=40)]
        due = plans.review_status(session, actor, client_id, today)
        self.review_status = {
            "next": fmt_date(due.next_due),
            "overdue": f"OVERDUE by {due.days_overdue} days" if due.overdue else "",
            "what": ("First plan due" if due.first_plan else f"Plan version {due.in_force_number} in force"),
            "working": {"draft": "A new version is being written.",
                        "awaiting_client": "A new version awaits the client's signature."}.get(due.open_status, ""),
            "href": routes.staff_client_plan(client_id),
        }
        self._load_charts(session, actor, today)

    def _load_charts(self, session, actor, today) -> None:
        frame, weekly = progress.client_charts(session, actor, self._record_id, self.days, WEEKS, today)
        self.averages = {k: ("—" if v is None else f"{v:.1f}") for k, v in progress.summary(frame).items()}
        frame["day"] = frame["day"].dt.strftime("%Y-%m-%d")
        self._checkins = frame.astype(object).where(frame.notna(), None).to_dict("records")
        weekly["week_start"] = weekly["week_start"].dt.strftime("%Y-%m-%d")
        self._weekly = weekly.astype(object).where(weekly.notna(), None).to_dict("records")
        this_week = weekly.iloc[-1]
        self.averages["hours"] = f"{this_week['hours']:g} of {this_week['target']:g} h"

    def _clear(self) -> None:
        self.found = False
        self.header, self.goals, self.needs, self.need_history, self.consents = {}, [], [], [], []
        self.attendance, self.review_status, self.averages = [], {}, {}
        self._checkins, self._weekly = [], []

    def _refreshed(self, session, actor) -> None:
        """Show the record again; refused (access ended) -> an empty page and the refusal."""
        try:
            self._reload(session, actor)
        except (PermissionDenied, NotFound):
            self._clear()
            raise

    @rx.event
    def load(self):
        self._clear()
        self._clear_emergency()

        def action(session, actor):
            try:
                self.found = self._open_record("client_id", "_record_id", lambda: self._reload(session, actor),
                                               "No such client.")
            except (PermissionDenied, NotFound):
                self._clear()
                self._offer_emergency_access(session, actor, self._load_param("client_id"))
                raise
        return self._run(action, reload=False, errors_var=None)

    @rx.event
    def set_days(self, value: str):
        days = as_int(value, 1, 400)

        def action(session, actor):
            if days not in DAY_CHOICES or not self._record_id:
                self.error = "Choose 30, 90 or 365 days."
                return
            self.days = days
            try:
                self._load_charts(session, actor, program.local_today(session))
            except PermissionDenied:
                self._clear()
                raise
        return self._run(action, reload=False, errors_var=None)

    @rx.event
    def set_focus(self, need_id: str):
        nid = as_int(need_id, 1)

        def action(session, actor):
            if nid is None or not self._record_id:
                self.error = "That need could not be found."
                return
            needs.set_focus(session, actor, self._record_id, nid)
            self._reload(session, actor)
            self.message = "Focus updated."
        return self._run(action, reload=False, errors_var=None)

    # ------------------------------------------------------------ break-glass
    def _clear_emergency(self) -> None:
        self.emergency_offer = False
        self.emergency_until = ""
        self.emergency_errors = {}
        self._emergency_client_id = 0

    def _offer_emergency_access(self, session, actor, client_id: int | None) -> None:
        """A therapist refused a record may open it in an emergency (not the director,
        who is never refused). Offered for any id: a refusal never says whether it exists."""
        if not actor.is_therapist or client_id is None:
            return
        self.emergency_offer = True
        self.emergency_minutes = str(program.break_glass_minutes(session))
        self._emergency_client_id = client_id

    def _emergency_status(self, session, actor) -> None:
        grant = break_glass.grant_in_use(session, actor, self._record_id)
        if grant is None:
            self.emergency_until = ""
            return
        self.emergency_until = program.to_local(grant.expires_at, program.program_tz(session)).strftime("%H:%M")
        # When it runs out, the next refused event shows the form again.
        self._offer_emergency_access(session, actor, self._record_id)

    @rx.event
    def open_emergency_access(self, form: dict):
        reason = form_dict(form).get("reason")

        def action(session, actor):
            if not self._emergency_client_id:
                raise ValidationError({"reason": "Open a client's record first."})
            break_glass.open_grant(session, actor, self._emergency_client_id, reason)
            self._record_id = self._emergency_client_id
            try:
                self._refreshed(session, actor)
            except (PermissionDenied, NotFound):
                self._record_id = 0
                raise
            self.found = True
            # The Measures section is its own state, refused (and left empty) when the page
            # loaded: load it now the record is open, not only after a reload.
            return ClientMeasuresState.load
        # Emergency access is a therapist's: the director is never refused a record.
        return self._run(action, reload=False, errors_var="emergency_errors", roles=(Role.THERAPIST,))
