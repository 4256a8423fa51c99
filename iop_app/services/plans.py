"""Treatment plans: versions, content, signatures, reviews, the printable copy.

A client's plan is a chain of versions (models/record.TreatmentPlan):

    draft --therapist signs--> awaiting_client --client signs--> signed (in force)
      ^                              |
      +------ return to draft -------+          a newer signed version -> superseded

- Version 1 is started by the care team; its problems are prefilled from the signed
  intake's ASAM ratings of 2 or more (each in its dimension). Problems have goals in
  the client's words, goals have measurable objectives with target dates and a
  status, objectives have interventions (what, who, how often). A problem may name a
  need the client ranked and a goal may name one of the client's own portal goals:
  the client's priorities show on the plan.
- Only a draft changes. Every change bumps the plan's `version`
  (services/versions.py): two people editing one draft never overwrite each other;
  the second save is refused (StaleEdit) and nothing of it is kept.
- The therapist's signature (their typed full name, the server's clock) locks the
  content; the client then signs from their portal (typed full name, server time,
  as consents are signed) and the version is in force from that program-local day.
  Its `review_due_on` is that day + the program's `plan_review_days` setting.
- A review copies the plan in force into version n+1 (objectives keep
  `carried_from_id`), records what changed and the progress per objective, and is
  signed again by both. When it comes into force the old version is superseded.
- With no plan in force, the first plan is due `first_plan_days` after admission
  (`due_date`, the one definition the roster and the record overview share).

Permissions: the care team (permissions.require WRITE, roles=STAFF) writes and
signs; the client reads their own plan (never drafts) and signs it; family members
are refused like anyone outside the record. Every read is audited: staff reads by
permissions.require, the client's own reads here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from ..models import (
    AsamRating,
    Client,
    Goal,
    Intake,
    Need,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    TreatmentPlan,
    User,
    utcnow,
)
from ..models.enums import AsamDimension, ObjectiveStatus, PlanStatus, RecordStatus
from . import audit, inputs, needs, permissions, program, versions
from .errors import PermissionDenied, ServiceError, ValidationError
from .ids import is_id
from .plan_inputs import (
    ChangesInput,
    GoalInput,
    InterventionInput,
    ObjectiveInput,
    ProblemInput,
    SignatureInput,
)

# An ASAM rating at or above this (0-4) becomes a problem of the first plan.
PREFILL_MIN_RISK = 2
MAX_TARGET_DAYS = 2 * 365
# Versions still being written: at most one per client at a time.
OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.AWAITING_CLIENT)
# What a client may see of their plan (never a draft).
CLIENT_VISIBLE = (PlanStatus.AWAITING_CLIENT, PlanStatus.SIGNED, PlanStatus.SUPERSEDED)


class PlanLocked(ServiceError):
    """A signed (or therapist-signed) version was asked to change."""


# ------------------------------------------------------------------ views
@dataclass
class InterventionView:
    id: int
    what: str
    who: str
    frequency: str


@dataclass
class ObjectiveView:
    id: int
    statement: str
    target_date: date | None
    status: str
    progress: str
    carried_from_id: int | None
    interventions: list[InterventionView] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return ObjectiveStatus.label_of(self.status)


@dataclass
class GoalView:
    id: int
    statement: str
    client_goal_id: int | None
    client_goal: str  # the title of the client's own goal it is tied to ("" for none)
    objectives: list[ObjectiveView] = field(default_factory=list)


@dataclass
class ProblemView:
    id: int
    statement: str
    dimension: str
    from_assessment: bool
    need_id: int | None
    need: str  # the client's need it is tied to ("" for none)
    need_rank: int | None  # its place in the client's current ranking (1 = most important)
    goals: list[GoalView] = field(default_factory=list)

    @property
    def dimension_label(self) -> str:
        return AsamDimension.label_of(self.dimension)


@dataclass
class Priority:
    """One of the client's ranked needs, most important first."""

    rank: int
    need_id: int
    label: str
    on_plan: bool  # a problem of this version names it


@dataclass
class PlanView:
    id: int
    client_id: int
    client_name: str
    number: int
    status: str
    previous_id: int | None
    effective_on: date | None
    review_due_on: date | None
    changes: str
    created_by: str
    created_at: datetime
    therapist_signature: str
    therapist_signed_by: str
    therapist_signed_at: datetime | None
    client_signature: str
    client_signed_at: datetime | None
    version: int
    problems: list[ProblemView] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return PlanStatus.label_of(self.status)

    @property
    def is_review(self) -> bool:
        return self.number > 1

    @property
    def objectives(self) -> list[ObjectiveView]:
        return [o for p in self.problems for g in p.goals for o in g.objectives]


@dataclass
class VersionLine:
    id: int
    number: int
    status: str
    effective_on: date | None
    review_due_on: date | None
    therapist_signed_at: datetime | None
    client_signed_at: datetime | None

    @property
    def status_label(self) -> str:
        return PlanStatus.label_of(self.status)


@dataclass
class ReviewDue:
    """When the client's plan is next due: the plan in force's review date, or (with
    none in force) the first plan's date. Discharged clients are never overdue."""

    in_force_id: int | None
    in_force_number: int | None
    next_due: date
    overdue: bool
    days_overdue: int
    first_plan: bool  # no plan in force yet: this is when the first plan is due
    open_id: int | None  # a version being written (draft or awaiting the client)
    open_status: str
    client_name: str


# ------------------------------------------------------------------ due dates
def due_date(in_force_due: date | None, admission_date: date, first_plan_days: int) -> date:
    """The one definition of "next plan due": the in-force plan's review date, else
    admission + first_plan_days (roster and record overview alike)."""
    return in_force_due if in_force_due is not None else admission_date + timedelta(days=first_plan_days)


def plan_in_force(session: Session, client_id: int) -> TreatmentPlan | None:
    """The newest signed version (no permission check: callers check)."""
    return session.exec(select(TreatmentPlan).where(TreatmentPlan.client_id == client_id,
                                                    TreatmentPlan.status == PlanStatus.SIGNED)
                        .order_by(col(TreatmentPlan.number).desc())).first()


def _open_version(session: Session, client_id: int) -> TreatmentPlan | None:
    return session.exec(select(TreatmentPlan).where(TreatmentPlan.client_id == client_id,
                                                    col(TreatmentPlan.status).in_(OPEN_STATUSES))
                        .order_by(col(TreatmentPlan.number).desc())).first()


def review_status(session: Session, actor: User, client_id: int, today: date | None = None) -> ReviewDue:
    """When the plan is next due, for the record overview (an audited read)."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="plan.view")
    today = today or program.local_today(session)
    in_force = plan_in_force(session, client.id)
    due = due_date(in_force.review_due_on if in_force else None, client.admission_date,
                   program.whole_number(session, "first_plan_days"))
    overdue = client.status != "discharged" and due < today
    working = _open_version(session, client.id)
    return ReviewDue(in_force.id if in_force else None, in_force.number if in_force else None, due, overdue,
                     (today - due).days if overdue else 0, in_force is None,
                     working.id if working else None, working.status if working else "",
                     session.get(User, client.user_id).full_name)


# ------------------------------------------------------------------ reading
def _client_reads(session: Session, actor: User, client_id: int, what: str) -> Client:
    """READ on the record; the client's own reads are audited here (staff reads are
    audited by permissions.require)."""
    client = permissions.require(session, actor, permissions.READ, client_id, what=what)
    if actor.is_client:
        audit.record_now(session, actor, what, client_id=client.id, outcome="allowed", detail="own record")
    return client


def list_versions(session: Session, actor: User, client_id: int) -> list[VersionLine]:
    """Every version, newest first (a client sees no drafts)."""
    _client_reads(session, actor, client_id, "plan.view")
    query = select(TreatmentPlan).where(TreatmentPlan.client_id == client_id)
    if actor.is_client:
        query = query.where(col(TreatmentPlan.status).in_(CLIENT_VISIBLE))
    rows = session.exec(query.order_by(col(TreatmentPlan.number).desc())).all()
    return [VersionLine(p.id, p.number, p.status, p.effective_on, p.review_due_on, p.therapist_signed_at,
                        p.client_signed_at) for p in rows]


def _deny_missing(session: Session, actor: User, what: str, target: str) -> PermissionDenied:
    """A missing row is refused like one on a record the actor may not see: ids cannot be probed."""
    audit.record_now(session, actor, what, target=target[:120], outcome="denied", detail="no such row")
    return PermissionDenied()


def _plan(session: Session, plan_id) -> TreatmentPlan | None:
    return session.get(TreatmentPlan, plan_id) if is_id(plan_id) else None


def plan_view(session: Session, actor: User, plan_id) -> PlanView:
    """One version with all its content and the client's priorities (an audited read).
    A client sees only their own versions that are not drafts."""
    plan = _plan(session, plan_id)
    if plan is None:
        raise _deny_missing(session, actor, "plan.view", f"treatment_plan:{plan_id}")
    if actor.is_client and plan.status not in CLIENT_VISIBLE:
        # A draft is the care team's working copy: refused like a row that is not there.
        permissions.require(session, actor, permissions.READ, plan.client_id, what="plan.view",
                            roles=permissions.STAFF)
    _client_reads(session, actor, plan.client_id, "plan.view")
    return _view(session, actor, plan)


def _view(session: Session, actor: User, plan: TreatmentPlan) -> PlanView:
    """Four queries for the content, whatever its size; no permission check."""
    client = session.get(Client, plan.client_id)
    names = dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(
        [i for i in (client.user_id, plan.created_by, plan.therapist_signed_by) if i]))).all())
    problems = session.exec(select(PlanProblem).where(PlanProblem.plan_id == plan.id)
                            .order_by(col(PlanProblem.position), col(PlanProblem.id))).all()
    goals = session.exec(select(PlanGoal).where(col(PlanGoal.problem_id).in_([p.id for p in problems]))
                         .order_by(col(PlanGoal.position), col(PlanGoal.id))).all() if problems else []
    objectives = session.exec(select(PlanObjective).where(col(PlanObjective.goal_id).in_([g.id for g in goals]))
                              .order_by(col(PlanObjective.position), col(PlanObjective.id))).all() if goals else []
    interventions = session.exec(
        select(PlanIntervention).where(col(PlanIntervention.objective_id).in_([o.id for o in objectives]))
        .order_by(col(PlanIntervention.position), col(PlanIntervention.id))).all() if objectives else []
    client_goals = dict(session.exec(select(Goal.id, Goal.title).where(Goal.client_id == client.id)).all())
    ranked = needs.current_order(session, actor, client.id)
    rank_of = {n.id: i for i, n in enumerate(ranked, start=1)}
    need_labels = dict(session.exec(select(Need.id, Need.label).where(Need.client_id == client.id)).all())

    by_objective: dict[int, list[InterventionView]] = {}
    for i in interventions:
        by_objective.setdefault(i.objective_id, []).append(InterventionView(i.id, i.what, i.who, i.frequency))
    by_goal: dict[int, list[ObjectiveView]] = {}
    for o in objectives:
        by_goal.setdefault(o.goal_id, []).append(ObjectiveView(o.id, o.statement, o.target_date, o.status, o.progress,
                                                               o.carried_from_id, by_objective.get(o.id, [])))
    by_problem: dict[int, list[GoalView]] = {}
    for g in goals:
        by_problem.setdefault(g.problem_id, []).append(GoalView(
            g.id, g.statement, g.client_goal_id, client_goals.get(g.client_goal_id, ""), by_goal.get(g.id, [])))
    problem_views = [ProblemView(p.id, p.statement, p.dimension, p.from_assessment, p.need_id,
                                 need_labels.get(p.need_id, ""), rank_of.get(p.need_id), by_problem.get(p.id, []))
                     for p in problems]
    linked = {p.need_id for p in problems}
    return PlanView(
        id=plan.id, client_id=client.id, client_name=names.get(client.user_id, ""), number=plan.number,
        status=plan.status, previous_id=plan.previous_id, effective_on=plan.effective_on,
        review_due_on=plan.review_due_on, changes=plan.changes, created_by=names.get(plan.created_by, ""),
        created_at=plan.created_at, therapist_signature=plan.therapist_signature,
        therapist_signed_by=names.get(plan.therapist_signed_by, "") if plan.therapist_signed_by else "",
        therapist_signed_at=plan.therapist_signed_at, client_signature=plan.client_signature,
        client_signed_at=plan.client_signed_at, version=plan.version, problems=problem_views,
        priorities=[Priority(i, n.id, n.label, n.id in linked) for i, n in enumerate(ranked, start=1)],
    )


def client_plans(session: Session, actor: User) -> tuple[PlanView | None, PlanView | None]:
    """For the client's portal: (the version awaiting their signature, the plan in
    force), each None when there is none. Audited reads of their own record."""
    client = permissions.client_for_user(session, actor)
    if client is None:
        audit.record_now(session, actor, "plan.view", outcome="denied", detail="no client record")
        raise PermissionDenied()
    _client_reads(session, actor, client.id, "plan.view")
    awaiting = session.exec(select(TreatmentPlan).where(TreatmentPlan.client_id == client.id,
                                                        TreatmentPlan.status == PlanStatus.AWAITING_CLIENT)).first()
    in_force = plan_in_force(session, client.id)
    return (_view(session, actor, awaiting) if awaiting else None,
            _view(session, actor, in_force) if in_force else None)


@dataclass
class LinkOptions:
    needs: list[tuple[int, str]]  # (need id, "1. Staying sober"), most important first
    goals: list[tuple[int, str]]  # (goal id, title) of the client's open portal goals


def link_options(session: Session, actor: User, client_id: int) -> LinkOptions:
    """What plan problems and goals may be tied to: the client's ranked needs and goals."""
    permissions.require(session, actor, permissions.READ, client_id, what="plan.view", roles=permissions.STAFF)
    ranked = needs.current_order(session, actor, client_id)
    goals = session.exec(select(Goal.id, Goal.title).where(Goal.client_id == client_id,
                                                           col(Goal.status).in_(("active", "revised")))
                         .order_by(col(Goal.id))).all()
    return LinkOptions([(n.id, f"{i}. {n.label}") for i, n in enumerate(ranked, start=1)],
                       [(gid, title) for gid, title in goals])


# ------------------------------------------------------------------ starting a version
def _staff_writes(session: Session, actor: User, client_id: int, what: str) -> Client:
    return permissions.require(session, actor, permissions.WRITE, client_id, what=what, roles=permissions.STAFF)


def _refuse(session: Session, actor: User, what: str, client_id: int, target: str, message: str,
            error: type[ServiceError] = ServiceError) -> ServiceError:
    audit.record_now(session, actor, what, client_id=client_id, target=target, outcome="failure", detail=message)
    return error(message)


def start_plan(session: Session, actor: User, client_id: int) -> TreatmentPlan:
    """Version 1: a draft with the signed intake's ASAM ratings >= 2 as problems."""
    client = _staff_writes(session, actor, client_id, "plan.create")
    if session.exec(select(TreatmentPlan.id).where(TreatmentPlan.client_id == client.id)).first() is not None:
        raise _refuse(session, actor, "plan.create", client.id, f"client:{client.id}",
                      "This client already has a plan: open it, or start a review of the plan in force.")
    plan = TreatmentPlan(client_id=client.id, number=1, status=PlanStatus.DRAFT, created_by=actor.id,
                         updated_at=utcnow(), updated_by=actor.id)
    session.add(plan)
    session.flush()
    intake = session.exec(select(Intake).where(Intake.client_id == client.id, Intake.status == RecordStatus.SIGNED)
                          .order_by(col(Intake.signed_at).desc(), col(Intake.id).desc())).first()
    prefilled = 0
    if intake is not None:
        ratings = session.exec(select(AsamRating).where(AsamRating.intake_id == intake.id,
                                                        AsamRating.risk >= PREFILL_MIN_RISK)
                               .order_by(col(AsamRating.dimension))).all()
        for position, rating in enumerate(ratings):
            text = rating.narrative.strip() or f"Assessed risk {rating.risk} of 4 in this dimension."
            session.add(PlanProblem(plan_id=plan.id, position=position, statement=text[:1000],
                                    dimension=rating.dimension, from_assessment=True))
            prefilled += 1
    audit.record(session, actor, "plan.create", client_id=client.id, target=f"treatment_plan:{plan.id}",
                 detail=f"version 1; {prefilled} problems from the assessment")
    session.commit()
    return plan


def start_review(session: Session, actor: User, client_id: int) -> TreatmentPlan:
    """Version n+1: a draft copy of the plan in force, objectives carried over
    (`carried_from_id`), their progress left to write."""
    client = _staff_writes(session, actor, client_id, "plan.review")
    working = _open_version(session, client.id)
    if working is not None:
        raise _refuse(session, actor, "plan.review", client.id, f"treatment_plan:{working.id}",
                      f"Version {working.number} is already being written ({PlanStatus.label_of(working.status)}).")
    old = plan_in_force(session, client.id)
    if old is None:
        raise _refuse(session, actor, "plan.review", client.id, f"client:{client.id}",
                      "There is no plan in force to review yet.")
    number = session.exec(select(func.max(TreatmentPlan.number)).where(TreatmentPlan.client_id == client.id)).one()
    plan = TreatmentPlan(client_id=client.id, number=number + 1, previous_id=old.id, status=PlanStatus.DRAFT,
                         created_by=actor.id, updated_at=utcnow(), updated_by=actor.id)
    session.add(plan)
    session.flush()
    _copy_content(session, old.id, plan.id)
    audit.record(session, actor, "plan.review", client_id=client.id, target=f"treatment_plan:{plan.id}",
                 detail=f"version {plan.number} from version {old.number}")
    session.commit()
    return plan


def _copy_content(session: Session, from_plan: int, to_plan: int) -> None:
    problems = session.exec(select(PlanProblem).where(PlanProblem.plan_id == from_plan)).all()
    for p in problems:
        new_p = PlanProblem(plan_id=to_plan, position=p.position, statement=p.statement, dimension=p.dimension,
                            from_assessment=p.from_assessment, need_id=p.need_id)
        session.add(new_p)
        session.flush()
        for g in session.exec(select(PlanGoal).where(PlanGoal.problem_id == p.id)).all():
            new_g = PlanGoal(problem_id=new_p.id, position=g.position, statement=g.statement,
                             client_goal_id=g.client_goal_id)
            session.add(new_g)
            session.flush()
            for o in session.exec(select(PlanObjective).where(PlanObjective.goal_id == g.id)).all():
                new_o = PlanObjective(goal_id=new_g.id, position=o.position, statement=o.statement,
                                      target_date=o.target_date, status=o.status, progress="", carried_from_id=o.id)
                session.add(new_o)
                session.flush()
                for i in session.exec(select(PlanIntervention).where(PlanIntervention.objective_id == o.id)).all():
                    session.add(PlanIntervention(objective_id=new_o.id, position=i.position, what=i.what, who=i.who,
                                                 frequency=i.frequency))


# ------------------------------------------------------------------ editing a draft
# Each kind of content row: its model, and how to reach its plan.
_PARENT = {PlanProblem: None, PlanGoal: PlanProblem, PlanObjective: PlanGoal, PlanIntervention: PlanObjective}
_PARENT_ID = {PlanGoal: "problem_id", PlanObjective: "goal_id", PlanIntervention: "objective_id"}
_TABLE = {TreatmentPlan: "treatment_plan", PlanProblem: "plan_problem", PlanGoal: "plan_goal",
          PlanObjective: "plan_objective", PlanIntervention: "plan_intervention"}


def _plan_of(session: Session, model, row_id) -> tuple[object | None, TreatmentPlan | None]:
    """(the row, its plan), or (None, None) for an id that names nothing."""
    row = session.get(model, row_id) if is_id(row_id) else None
    if row is None:
        return None, None
    current, kind = row, model
    while kind is not PlanProblem:
        parent_kind = _PARENT[kind]
        current, kind = session.get(parent_kind, getattr(current, _PARENT_ID[kind])), parent_kind
    return row, session.get(TreatmentPlan, current.plan_id)


def _open_draft(session: Session, actor: User, model, row_id, what: str):
    """The row and its draft plan, after the permission check: a forged or foreign id
    is an audited denial, a locked version an audited failure."""
    if model is TreatmentPlan:
        row = plan = _plan(session, row_id)
    else:
        row, plan = _plan_of(session, model, row_id)
    if plan is None:
        raise _deny_missing(session, actor, what, f"{_TABLE[model]}:{row_id}")
    client = _staff_writes(session, actor, plan.client_id, what)
    if plan.status != PlanStatus.DRAFT:
        raise _refuse(session, actor, what, client.id, f"treatment_plan:{plan.id}",
                      "This version is signed and locked: it changes only by a review (a new version)"
                      + (", or after returning it to draft." if plan.status == PlanStatus.AWAITING_CLIENT else "."),
                      PlanLocked)
    return row, plan


def _bump(session: Session, actor: User, plan: TreatmentPlan, expected_version, what: str, values=None) -> None:
    """Claim the draft for this change: refused (StaleEdit) when someone saved it
    after the page showed `expected_version`."""
    versions.write(session, actor, plan, values or {}, expected_version=expected_version, what=what,
                   client_id=plan.client_id, keep=tuple(k for k in (values or {}) if k == "changes"))


def _done(session: Session, actor: User, plan: TreatmentPlan, what: str, target: str, detail: str = "") -> None:
    audit.record(session, actor, what, client_id=plan.client_id, target=target,
                 detail=(detail + "; " if detail else "") + f"plan version {plan.number}, edit {plan.version}")
    session.commit()


def _next_position(session: Session, model, parent_field: str, parent_id: int) -> int:
    last = session.exec(select(func.max(model.position)).where(getattr(model, parent_field) == parent_id)
                        ).one()
    return 0 if last is None else last + 1


def _need_of_client(session: Session, client_id: int, need_id, errors: dict) -> int | None:
    if need_id in (None, "", 0):
        return None
    need = session.get(Need, need_id) if is_id(need_id) else None
    if need is None or need.client_id != client_id:
        errors["need_id"] = "Choose one of the client's needs."
        return None
    return need.id


def _goal_of_client(session: Session, client_id: int, goal_id, errors: dict) -> int | None:
    if goal_id in (None, "", 0):
        return None
    goal = session.get(Goal, goal_id) if is_id(goal_id) else None
    if goal is None or goal.client_id != client_id:
        errors["client_goal_id"] = "Choose one of the client's own goals."
        return None
    return goal.id


def _checked(model_cls, errors: dict, **values):
    try:
        return inputs.validate(model_cls, **values)
    except ValidationError as exc:
        errors.update(exc.errors)
        return None


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def add_problem(session: Session, actor: User, plan_id, *, expected_version, statement, dimension,
                need_id=None) -> PlanProblem:
    """A problem added by the care team (not from the assessment)."""
    _, plan = _open_draft(session, actor, TreatmentPlan, plan_id, "plan.update")
    errors: dict = {}
    checked = _checked(ProblemInput, errors, statement=statement, dimension=dimension)
    need = _need_of_client(session, plan.client_id, need_id, errors)
    _raise(errors)
    position = _next_position(session, PlanProblem, "plan_id", plan.id)
    _bump(session, actor, plan, expected_version, "plan.update")
    problem = PlanProblem(plan_id=plan.id, position=position, statement=checked.statement,
                          dimension=checked.dimension, from_assessment=False, need_id=need)
    session.add(problem)
    session.flush()
    _done(session, actor, plan, "plan.update", f"plan_problem:{problem.id}", "problem added")
    return problem


def edit_problem(session: Session, actor: User, problem_id, *, expected_version, statement, dimension,
                 need_id=None) -> None:
    problem, plan = _open_draft(session, actor, PlanProblem, problem_id, "plan.update")
    errors: dict = {}
    checked = _checked(ProblemInput, errors, statement=statement, dimension=dimension)
    need = _need_of_client(session, plan.client_id, need_id, errors)
    _raise(errors)
    _bump(session, actor, plan, expected_version, "plan.update")
    problem.statement, problem.dimension, problem.need_id = checked.statement, checked.dimension, need
    session.add(problem)
    _done(session, actor, plan, "plan.update", f"plan_problem:{problem.id}", "problem changed")


def add_goal(session: Session, actor: User, problem_id, *, expected_version, statement,
             client_goal_id=None) -> PlanGoal:
    problem, plan = _open_draft(session, actor, PlanProblem, problem_id, "plan.update")
    errors: dict = {}
    checked = _checked(GoalInput, errors, statement=statement)
    linked = _goal_of_client(session, plan.client_id, client_goal_id, errors)
    _raise(errors)
    position = _next_position(session, PlanGoal, "problem_id", problem.id)
    _bump(session, actor, plan, expected_version, "plan.update")
    goal = PlanGoal(problem_id=problem.id, position=position, statement=checked.statement, client_goal_id=linked)
    session.add(goal)
    session.flush()
    _done(session, actor, plan, "plan.update", f"plan_goal:{goal.id}", "goal added")
    return goal


def edit_goal(session: Session, actor: User, goal_id, *, expected_version, statement, client_goal_id=None) -> None:
    goal, plan = _open_draft(session, actor, PlanGoal, goal_id, "plan.update")
    errors: dict = {}
    checked = _checked(GoalInput, errors, statement=statement)
    linked = _goal_of_client(session, plan.client_id, client_goal_id, errors)
    _raise(errors)
    _bump(session, actor, plan, expected_version, "plan.update")
    goal.statement, goal.client_goal_id = checked.statement, linked
    session.add(goal)
    _done(session, actor, plan, "plan.update", f"plan_goal:{goal.id}", "goal changed")


def _check_target(target_date, today: date, errors: dict, *, unchanged: date | None = None) -> date | None:
    """Required; a new or changed target date must be today or later (a carried one
    that is already past may stay as it was)."""
    if target_date is None or target_date == "":
        errors["target_date"] = "Give the date this objective should be met by."
        return None
    if not isinstance(target_date, date) or isinstance(target_date, datetime):
        errors["target_date"] = "Enter the target date as a date."
        return None
    if target_date == unchanged:
        return target_date
    if target_date < today:
        errors["target_date"] = "The target date can't be in the past."
    elif target_date > today + timedelta(days=MAX_TARGET_DAYS):
        errors["target_date"] = "Pick a target date within two years."
    return target_date


def add_objective(session: Session, actor: User, goal_id, *, expected_version, statement, target_date,
                  status=ObjectiveStatus.NOT_STARTED, progress="") -> PlanObjective:
    goal, plan = _open_draft(session, actor, PlanGoal, goal_id, "plan.update")
    errors: dict = {}
    checked = _checked(ObjectiveInput, errors, statement=statement, status=status, progress=progress)
    target = _check_target(target_date, program.local_today(session), errors)
    _raise(errors)
    position = _next_position(session, PlanObjective, "goal_id", goal.id)
    _bump(session, actor, plan, expected_version, "plan.update")
    objective = PlanObjective(goal_id=goal.id, position=position, statement=checked.statement, target_date=target,
                              status=checked.status, progress=checked.progress)
    session.add(objective)
    session.flush()
    _done(session, actor, plan, "plan.update", f"plan_objective:{objective.id}", "objective added")
    return objective


def edit_objective(session: Session, actor: User, objective_id, *, expected_version, statement, target_date,
                   status, progress="") -> None:
    """Wording, target date, status and (at a review) the progress toward it."""
    objective, plan = _open_draft(session, actor, PlanObjective, objective_id, "plan.update")
    errors: dict = {}
    checked = _checked(ObjectiveInput, errors, statement=statement, status=status, progress=progress)
    target = _check_target(target_date, program.local_today(session), errors, unchanged=objective.target_date)
    _raise(errors)
    _bump(session, actor, plan, expected_version, "plan.update")
    objective.statement, objective.target_date = checked.statement, target
    objective.status, objective.progress = checked.status, checked.progress
    session.add(objective)
    _done(session, actor, plan, "plan.update", f"plan_objective:{objective.id}", "objective changed")


def add_intervention(session: Session, actor: User, objective_id, *, expected_version, what, who,
                     frequency) -> PlanIntervention:
    objective, plan = _open_draft(session, actor, PlanObjective, objective_id, "plan.update")
    errors: dict = {}
    checked = _checked(InterventionInput, errors, what=what, who=who, frequency=frequency)
    _raise(errors)
    position = _next_position(session, PlanIntervention, "objective_id", objective.id)
    _bump(session, actor, plan, expected_version, "plan.update")
    intervention = PlanIntervention(objective_id=objective.id, position=position, what=checked.what,
                                    who=checked.who, frequency=checked.frequency)
    session.add(intervention)
    session.flush()
    _done(session, actor, plan, "plan.update", f"plan_intervention:{intervention.id}", "intervention added")
    return intervention


REMOVABLE = {"problem": PlanProblem, "goal": PlanGoal, "objective": PlanObjective, "intervention": PlanIntervention}


def remove(session: Session, actor: User, kind: str, row_id, *, expected_version) -> None:
    """Remove a problem, goal, objective or intervention of a draft, with what hangs under it."""
    model = REMOVABLE.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise ValidationError({"kind": "Unknown part of a plan."})
    row, plan = _open_draft(session, actor, model, row_id, "plan.update")
    _bump(session, actor, plan, expected_version, "plan.update")
    target = f"{_TABLE[model]}:{row.id}"
    _delete_tree(session, model, [row.id])
    _done(session, actor, plan, "plan.update", target, f"{kind} removed")


def _delete_tree(session: Session, model, ids: list[int]) -> None:
    child = {PlanProblem: PlanGoal, PlanGoal: PlanObjective, PlanObjective: PlanIntervention}.get(model)
    if child is not None and ids:
        child_ids = list(session.exec(select(child.id).where(col(getattr(child, _PARENT_ID[child])).in_(ids))).all())
        _delete_tree(session, child, child_ids)
    for row_id in ids:
        session.delete(session.get(model, row_id))
    session.flush()


def set_changes(session: Session, actor: User, plan_id, *, expected_version, changes) -> None:
    """A review's "what changed and why" (the replaced text is kept, services/versions.py)."""
    _, plan = _open_draft(session, actor, TreatmentPlan, plan_id, "plan.update")
    checked = inputs.validate(ChangesInput, changes=changes)
    _bump(session, actor, plan, expected_version, "plan.update", {"changes": checked.changes})
    _done(session, actor, plan, "plan.update", f"treatment_plan:{plan.id}", "what changed")


# ------------------------------------------------------------------ signing
def _same_name(typed: str, name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


def incomplete(session: Session, plan: TreatmentPlan) -> list[str]:
    """What a version lacks before it can be signed (empty: complete)."""
    view = _content(session, plan.id)
    gaps = []
    if not view:
        gaps.append("Add at least one problem.")
    for problem, goals in view:
        if not goals:
            gaps.append(f"Problem \u201c{problem.statement[:60]}\u201d needs a goal.")
        for goal, objectives in goals:
            if not objectives:
                gaps.append(f"Goal \u201c{goal.statement[:60]}\u201d needs a measurable objective.")
            for objective, interventions in objectives:
                if objective.target_date is None:
                    gaps.append(f"Objective \u201c{objective.statement[:60]}\u201d needs a target date.")
                if not interventions:
                    gaps.append(f"Objective \u201c{objective.statement[:60]}\u201d needs an intervention.")
    if plan.number > 1 and not plan.changes.strip():
        gaps.append("Say what changed at this review.")
    return gaps


def _content(session: Session, plan_id: int):
    """[(problem, [(goal, [(objective, [interventions])])])] (no permission check)."""
    out = []
    for p in session.exec(select(PlanProblem).where(PlanProblem.plan_id == plan_id)
                          .order_by(col(PlanProblem.position), col(PlanProblem.id))).all():
        goals = []
        for g in session.exec(select(PlanGoal).where(PlanGoal.problem_id == p.id)
                              .order_by(col(PlanGoal.position), col(PlanGoal.id))).all():
            objectives = []
            for o in session.exec(select(PlanObjective).where(PlanObjective.goal_id == g.id)
                                  .order_by(col(PlanObjective.position), col(PlanObjective.id))).all():
                objectives.append((o, list(session.exec(select(PlanIntervention).where(
                    PlanIntervention.objective_id == o.id)).all())))
            goals.append((g, objectives))
        out.append((p, goals))
    return out


def sign_as_therapist(session: Session, actor: User, plan_id, *, expected_version, signature) -> TreatmentPlan:
    """The care team signs (typed full name, server time): the content is locked and
    the version waits for the client's signature."""
    _, plan = _open_draft(session, actor, TreatmentPlan, plan_id, "plan.sign")
    checked = inputs.validate(SignatureInput, signature=signature)
    if not _same_name(checked.signature, actor.full_name):
        raise ValidationError({"signature": f"Type your full name exactly as on your account: {actor.full_name}."})
    gaps = incomplete(session, plan)
    if gaps:
        raise _refuse(session, actor, "plan.sign", plan.client_id, f"treatment_plan:{plan.id}",
                      "Not ready to sign: " + " ".join(gaps[:5]) + (" …" if len(gaps) > 5 else ""))
    _bump(session, actor, plan, expected_version, "plan.sign", {
        "status": PlanStatus.AWAITING_CLIENT, "therapist_signed_by": actor.id, "therapist_signed_at": utcnow(),
        "therapist_signature": checked.signature})
    _done(session, actor, plan, "plan.sign", f"treatment_plan:{plan.id}", "signed by staff; awaiting the client")
    return plan


def return_to_draft(session: Session, actor: User, plan_id, *, expected_version) -> TreatmentPlan:
    """Before the client signs (e.g. they ask for a change): the staff signature is
    withdrawn and the version is a draft again."""
    plan = _plan(session, plan_id)
    if plan is None:
        raise _deny_missing(session, actor, "plan.unsign", f"treatment_plan:{plan_id}")
    _staff_writes(session, actor, plan.client_id, "plan.unsign")
    if plan.status != PlanStatus.AWAITING_CLIENT:
        raise _refuse(session, actor, "plan.unsign", plan.client_id, f"treatment_plan:{plan.id}",
                      "Only a version awaiting the client's signature can go back to draft.", PlanLocked)
    _bump(session, actor, plan, expected_version, "plan.unsign", {
        "status": PlanStatus.DRAFT, "therapist_signed_by": None, "therapist_signed_at": None,
        "therapist_signature": ""})
    _done(session, actor, plan, "plan.unsign", f"treatment_plan:{plan.id}", "back to draft; staff signature withdrawn")
    return plan


def sign_as_client(session: Session, actor: User, plan_id, *, expected_version, signature,
                   today: date | None = None) -> TreatmentPlan:
    """The client signs the version they were shown (`expected_version`; a version
    changed since is refused): it is in force from today, the plan it replaces is
    superseded, and the next review is due today + plan_review_days."""
    plan = _plan(session, plan_id)
    if plan is None:
        raise _deny_missing(session, actor, "plan.client_sign", f"treatment_plan:{plan_id}")
    client = permissions.require(session, actor, permissions.WRITE, plan.client_id, what="plan.client_sign",
                                 roles=permissions.CLIENT_ONLY)
    if plan.status != PlanStatus.AWAITING_CLIENT:
        raise _refuse(session, actor, "plan.client_sign", client.id, f"treatment_plan:{plan.id}",
                      "This version is not waiting for your signature.", PlanLocked)
    checked = inputs.validate(SignatureInput, signature=signature)
    name = session.get(User, client.user_id).full_name
    if not _same_name(checked.signature, name):
        raise ValidationError({"signature": f"Type your full name exactly as on your record: {name}."})
    today = today or program.local_today(session)
    old = plan_in_force(session, client.id)
    _bump(session, actor, plan, expected_version, "plan.client_sign", {
        "status": PlanStatus.SIGNED, "client_signed_at": utcnow(), "client_signature": checked.signature,
        "effective_on": today,
        "review_due_on": today + timedelta(days=program.whole_number(session, "plan_review_days"))})
    if old is not None:
        session.execute(update(TreatmentPlan).where(TreatmentPlan.id == old.id)
                        .values(status=PlanStatus.SUPERSEDED))
    _done(session, actor, plan, "plan.client_sign", f"treatment_plan:{plan.id}",
          "signed by the client; in force" + (f", replaces version {old.number}" if old else ""))
    return plan


# ------------------------------------------------------------------ the printable copy
def plan_pdf(session: Session, actor: User, plan_id) -> tuple[str, bytes]:
    """(file name, PDF bytes) of one version, for staff and for the client (their own,
    never a draft). The download is audited besides the read."""
    from . import plan_pdf as pdf  # fpdf2 is loaded only when a plan is printed

    view = plan_view(session, actor, plan_id)
    data = pdf.render(view, program.get_setting(session, "program_name"), program.program_tz(session))
    audit.record_now(session, actor, "plan.download", client_id=view.client_id, target=f"treatment_plan:{view.id}",
                     outcome="success", detail=f"PDF of version {view.number}")
    return f"treatment-plan-v{view.number}.pdf", data
