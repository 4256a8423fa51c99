"""The treatment plan pages: the care team's (write, sign, review) at
routes.STAFF_CLIENT_PLAN and the client's (read, sign, download) at routes.CLIENT_PLAN.

Ids sent back by the browser are parsed (state/args.py) and must name a part of the
version this page shows (`_parts`); the version a save expects is the one the page
showed (`_version`, backend-only), never a value from the browser. The services
check permissions and rules again (services/plans.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from ..models.enums import AsamDimension, ObjectiveStatus, PlanStatus, Role
from ..services import plans, program
from ..services.errors import NotFound, StaleEdit
from .args import as_int, form_dict
from .base import PageState, SessionState
from .client.base import ClientPage, date_or_given
from .formatting import fmt_date
from .staff import STAFF_PAGE


@dataclass
class InterventionRow:
    id: str
    what: str
    who: str
    frequency: str


@dataclass
class ObjectiveRow:
    id: str
    statement: str
    target: str
    target_iso: str
    status: str
    status_label: str
    progress: str
    carried: str  # "yes": carried over from the previous version
    interventions: list[InterventionRow]


@dataclass
class GoalRow:
    id: str
    statement: str
    client_goal: str
    client_goal_id: str
    objectives: list[ObjectiveRow]


@dataclass
class ProblemRow:
    id: str
    statement: str
    dimension: str
    dimension_label: str
    origin: str
    need: str  # "Client's priority #1: Staying sober" or ""
    need_id: str
    goals: list[GoalRow]


@dataclass
class PriorityRow:
    rank: str
    label: str
    on_plan: str  # "yes" when a problem of this version names it


@dataclass
class VersionRow:
    id: str
    number: str
    status: str
    effective: str
    due: str
    shown: str  # "yes" for the version on screen


def _moment(session, moment) -> str:
    if moment is None:
        return ""
    local = program.to_local(moment, program.program_tz(session))
    return f"{fmt_date(local.date())} {local:%H:%M}"


def plan_header(session, view: plans.PlanView) -> dict[str, str]:
    return {
        "id": str(view.id), "number": str(view.number), "status": view.status, "status_label": view.status_label,
        "effective": fmt_date(view.effective_on), "due": fmt_date(view.review_due_on), "changes": view.changes,
        "is_review": "yes" if view.is_review else "",
        "therapist_sig": (f"{view.therapist_signature} (staff), {_moment(session, view.therapist_signed_at)}"
                          if view.therapist_signed_at else "Not signed by staff yet"),
        "client_sig": (f"{view.client_signature} (client), {_moment(session, view.client_signed_at)}"
                       if view.client_signed_at else
                       ("Not signed by the client (recorded before client signatures were kept)"
                        if view.status in (PlanStatus.SIGNED, PlanStatus.SUPERSEDED) else
                        "Not signed by the client yet")),
    }


def problem_rows(view: plans.PlanView) -> list[ProblemRow]:
    return [
        ProblemRow(
            id=str(p.id), statement=p.statement, dimension=p.dimension, dimension_label=p.dimension_label,
            origin="From the assessment" if p.from_assessment else "Added by the care team",
            need=(f"Client's priority #{p.need_rank}: {p.need}" if p.need_rank else
                  (f"Client's need: {p.need}" if p.need else "")),
            need_id=str(p.need_id or ""),
            goals=[GoalRow(
                id=str(g.id), statement=g.statement,
                client_goal=f"Client's own goal: {g.client_goal}" if g.client_goal else "",
                client_goal_id=str(g.client_goal_id or ""),
                objectives=[ObjectiveRow(
                    id=str(o.id), statement=o.statement, target=fmt_date(o.target_date),
                    target_iso=o.target_date.isoformat() if o.target_date else "", status=o.status,
                    status_label=o.status_label, progress=o.progress, carried="yes" if o.carried_from_id else "",
                    interventions=[InterventionRow(str(i.id), i.what, i.who, i.frequency) for i in o.interventions],
                ) for o in g.objectives],
            ) for g in p.goals],
        )
        for p in view.problems
    ]


def priority_rows(view: plans.PlanView) -> list[PriorityRow]:
    return [PriorityRow(str(p.rank), p.label, "yes" if p.on_plan else "") for p in view.priorities]


def _parts(view: plans.PlanView) -> dict[str, list[int]]:
    """The ids of each kind of part of the version on screen."""
    return {
        "problem": [p.id for p in view.problems],
        "goal": [g.id for p in view.problems for g in p.goals],
        "objective": [o.id for o in view.objectives],
        "intervention": [i.id for o in view.objectives for i in o.interventions],
    }


def _none_or_id(value):
    """An optional link from a select: None for none; a bad value stays for the service to refuse."""
    if value in (None, ""):
        return None
    number = as_int(value, 1)
    return value if number is None else number


class StaffPlanState(PageState, SessionState):
    """The care team's page: every version, the one being written (or the one in force)."""

    _roles = STAFF_PAGE
    found: bool = False
    client_name: str = ""
    plan: dict[str, str] = {}
    problems: list[ProblemRow] = []
    priorities: list[PriorityRow] = []
    versions: list[VersionRow] = []
    due: dict[str, str] = {}
    can_start: bool = False  # no version yet
    can_review: bool = False  # a plan in force and none being written
    need_options: list[list[str]] = []
    goal_options: list[list[str]] = []
    dimension_options: list[list[str]] = AsamDimension.choices()
    status_options: list[list[str]] = ObjectiveStatus.choices()
    form_errors: dict[str, str] = {}
    error_form: str = ""  # which form the messages in form_errors belong to
    stale: str = ""  # someone saved the draft after this page showed it
    form_key: int = 0  # a new key empties the add forms after a save
    _client_id: int = 0
    _plan_id: int = 0
    _version: int = 0
    _parts: dict[str, list[int]] = {}
    _feedback: ClassVar[tuple[str, ...]] = ("stale",)

    def _reload(self, session, actor) -> None:
        if not self._client_id:
            return
        lines = plans.list_versions(session, actor, self._client_id)
        due = plans.review_status(session, actor, self._client_id)
        self.client_name = due.client_name
        self.due = {"next": fmt_date(due.next_due), "what": "First plan due" if due.first_plan else "Next review due",
                    "overdue": f"overdue by {due.days_overdue} days" if due.overdue else ""}
        ids = [line.id for line in lines]
        if self._plan_id not in ids:  # the version being written, else the one in force, else the newest
            self._plan_id = due.open_id or due.in_force_id or (ids[0] if ids else 0)
        self.can_start = not lines
        self.can_review = due.in_force_id is not None and due.open_id is None
        self.versions = [VersionRow(str(v.id), str(v.number), v.status_label, fmt_date(v.effective_on),
                                    fmt_date(v.review_due_on), "yes" if v.id == self._plan_id else "")
                         for v in lines]
        if not self._plan_id:
            self.plan, self.problems, self.priorities, self._parts, self._version = {}, [], [], {}, 0
            return
        view = plans.plan_view(session, actor, self._plan_id)
        self.plan = plan_header(session, view)
        self.problems = problem_rows(view)
        self.priorities = priority_rows(view)
        self._parts = _parts(view)
        self._version = view.version
        if view.status == PlanStatus.DRAFT:
            options = plans.link_options(session, actor, self._client_id)
            self.need_options = [["", "None"]] + [[str(i), label] for i, label in options.needs]
            self.goal_options = [["", "None"]] + [[str(i), title] for i, title in options.goals]

    def _clear(self) -> None:
        self.found, self.client_name, self.plan, self.problems, self.priorities = False, "", {}, [], []
        self.versions, self.due, self.can_start, self.can_review = [], {}, False, False
        self.form_errors, self.error_form, self.stale = {}, "", ""
        self._plan_id, self._version, self._parts = 0, 0, {}

    @rx.event
    def load(self):
        self._clear()

        def action(session, actor):
            self.found = self._open_record("client_id", "_client_id", lambda: self._reload(session, actor),
                                           "No such client.")
        return self._run(action, reload=False, errors_var=None)

    # ------------------------------------------------------------ helpers
    def _change(self, form_name: str, change, message: str):
        """Run `change(session, actor)` on the version on screen; field messages go to
        the form `form_name`; a stale page is refused and says who saved first."""
        def action(session, actor):
            self.form_errors, self.error_form = {}, form_name
            if not self._plan_id:
                raise NotFound("Open a plan first.")
            try:
                change(session, actor)
            except StaleEdit as exc:
                self.stale = exc.message
                return
            self.error_form = ""
            self.form_key += 1
            self.message = message
            self._reload(session, actor)
        return self._run(action, reload=False, errors_var="form_errors")

    def _part(self, kind: str, value) -> int:
        """An id the browser sent, if it names a part of the version on screen."""
        number = as_int(value, 1)
        if number is None or number not in self._parts.get(kind, []):
            raise NotFound("That part of the plan could not be found. Please reload the page.")
        return number

    # ------------------------------------------------------------ versions
    @rx.event
    def start_plan(self):
        def action(session, actor):
            if not self._client_id:
                raise NotFound("Open a client first.")
            self._plan_id = plans.start_plan(session, actor, self._client_id).id
            self.message = "Plan started. Problems rated 2 or more in the signed assessment are filled in."
        return self._run(action, errors_var=None)

    @rx.event
    def start_review(self):
        def action(session, actor):
            if not self._client_id:
                raise NotFound("Open a client first.")
            self._plan_id = plans.start_review(session, actor, self._client_id).id
            self.message = "Review started: a copy of the plan in force. Note progress on each objective."
        return self._run(action, errors_var=None)

    @rx.event
    def show_version(self, plan_id: str):
        def action(session, actor):
            number = as_int(plan_id, 1)
            if number is None or str(number) not in {v.id for v in self.versions}:
                raise NotFound("That version could not be found.")
            self._plan_id = number
        return self._run(action, errors_var=None)

    @rx.event
    def reload_plan(self):
        def action(session, actor):
            self.message = "Reloaded: you now see the latest version of the plan."
        return self._run(action, errors_var=None)

    # ------------------------------------------------------------ content
    @rx.event
    def save_problem(self, form: dict):
        form = form_dict(form)
        existing = form.get("problem_id")
        values = dict(statement=form.get("statement"), dimension=form.get("dimension"),
                      need_id=_none_or_id(form.get("need_id")))

        def change(session, actor):
            if existing:
                plans.edit_problem(session, actor, self._part("problem", existing), expected_version=self._version,
                                   **values)
            else:
                plans.add_problem(session, actor, self._plan_id, expected_version=self._version, **values)
        name = f"problem-{existing}" if isinstance(existing, str) and existing else "problem-new"
        return self._change(name, change, "Problem saved." if existing else "Problem added.")

    @rx.event
    def save_goal(self, form: dict):
        form = form_dict(form)
        existing, parent = form.get("goal_id"), form.get("problem_id")
        values = dict(statement=form.get("statement"), client_goal_id=_none_or_id(form.get("client_goal_id")))

        def change(session, actor):
            if existing:
                plans.edit_goal(session, actor, self._part("goal", existing), expected_version=self._version,
                                **values)
            else:
                plans.add_goal(session, actor, self._part("problem", parent), expected_version=self._version,
                               **values)
        name = f"goal-{existing}" if existing else f"goal-new-{parent}"
        return self._change(str(name)[:40], change, "Goal saved." if existing else "Goal added.")

    @rx.event
    def save_objective(self, form: dict):
        form = form_dict(form)
        existing, parent = form.get("objective_id"), form.get("goal_id")
        values = dict(statement=form.get("statement"), target_date=date_or_given(form.get("target_date")),
                      status=form.get("status") or ObjectiveStatus.NOT_STARTED.value,
                      progress=form.get("progress", ""))

        def change(session, actor):
            if existing:
                plans.edit_objective(session, actor, self._part("objective", existing),
                                     expected_version=self._version, **values)
            else:
                plans.add_objective(session, actor, self._part("goal", parent), expected_version=self._version,
                                    **values)
        name = f"objective-{existing}" if existing else f"objective-new-{parent}"
        return self._change(str(name)[:40], change, "Objective saved." if existing else "Objective added.")

    @rx.event
    def add_intervention(self, form: dict):
        form = form_dict(form)
        parent = form.get("objective_id")

        def change(session, actor):
            plans.add_intervention(session, actor, self._part("objective", parent), expected_version=self._version,
                                   what=form.get("what"), who=form.get("who"), frequency=form.get("frequency"))
        return self._change(f"intervention-new-{parent}"[:40], change, "Intervention added.")

    @rx.event
    def remove_part(self, kind: str, part_id: str):
        def change(session, actor):
            if kind not in plans.REMOVABLE:
                raise NotFound("That part of the plan could not be found. Please reload the page.")
            plans.remove(session, actor, kind, self._part(kind, part_id), expected_version=self._version)
        return self._change("remove", change, "Removed.")

    @rx.event
    def save_changes(self, form: dict):
        form = form_dict(form)

        def change(session, actor):
            plans.set_changes(session, actor, self._plan_id, expected_version=self._version,
                              changes=form.get("changes"))
        return self._change("changes", change, "Saved what changed.")

    # ------------------------------------------------------------ signing
    @rx.event
    def sign(self, form: dict):
        form = form_dict(form)

        def change(session, actor):
            plans.sign_as_therapist(session, actor, self._plan_id, expected_version=self._version,
                                    signature=form.get("signature"))
        return self._change("sign", change, "Signed and locked. The client can now sign it from their portal.")

    @rx.event
    def return_to_draft(self):
        def change(session, actor):
            plans.return_to_draft(session, actor, self._plan_id, expected_version=self._version)
        return self._change("unsign", change, "Back to draft: your signature is withdrawn.")

    @rx.event
    def download_pdf(self):
        def action(session, actor):
            if not self._plan_id:
                raise NotFound("Open a plan first.")
            name, data = plans.plan_pdf(session, actor, self._plan_id)
            return rx.download(data=data, filename=name, mime_type="application/pdf")
        return self._run(action, reload=False, errors_var=None)


class ClientPlanState(ClientPage, SessionState):
    """The client's plan: the version waiting for their signature, and the plan in force."""

    _roles: ClassVar[tuple[Role, ...]] = (Role.CLIENT,)
    to_sign: dict[str, str] = {}
    to_sign_problems: list[ProblemRow] = []
    current: dict[str, str] = {}
    current_problems: list[ProblemRow] = []
    priorities: list[PriorityRow] = []
    sign_key: int = 0
    _to_sign_id: int = 0
    _to_sign_version: int = 0
    _current_id: int = 0

    def _reload(self, session, actor) -> None:
        awaiting, in_force = plans.client_plans(session, actor)
        self.to_sign = plan_header(session, awaiting) if awaiting else {}
        self.to_sign_problems = problem_rows(awaiting) if awaiting else []
        self._to_sign_id = awaiting.id if awaiting else 0
        self._to_sign_version = awaiting.version if awaiting else 0
        self.current = plan_header(session, in_force) if in_force else {}
        self.current_problems = problem_rows(in_force) if in_force else []
        self._current_id = in_force.id if in_force else 0
        shown = awaiting or in_force
        self.priorities = priority_rows(shown) if shown else []

    @rx.event
    def load(self):
        return self._run()

    @rx.event
    def sign(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            if not self._to_sign_id:
                raise NotFound("There is no plan waiting for your signature.")
            plan = plans.sign_as_client(session, actor, self._to_sign_id, expected_version=self._to_sign_version,
                                        signature=form.get("signature"))
            self.sign_key += 1
            self.message = (f"Thank you. You signed your treatment plan; it is in force from "
                            f"{fmt_date(plan.effective_on)}.")
        return self._run(action)

    @rx.event
    def download(self, which: str):
        def action(session, actor):
            plan_id = {"to_sign": self._to_sign_id, "current": self._current_id}.get(which) if isinstance(
                which, str) else None
            if not plan_id:
                raise NotFound("There is no plan to download.")
            name, data = plans.plan_pdf(session, actor, plan_id)
            return rx.download(data=data, filename=name, mime_type="application/pdf")
        return self._run(action, reload=False, errors_var=None)

