"""A client's goals: immediate and long-term, with concrete steps and a dated
history of every change (progress, a step ticked, a status change, an edit).

Usable by the client on their own record and by their therapist or the
director on the client's record; every call goes through permissions.require.

Concurrent edits (services/versions.py): every change to a goal bumps its
version. Edits that replace something a person chose -- the progress estimate,
the status, the title / why / target date -- take the version the editor's page
showed (`expected_version`) and are refused with StaleEdit when someone saved in
between. Ticking a step and adding one replace nothing anyone chose (a tick sends
the wanted state; concurrent ticks of different steps both stand), so they take
no version, but they still bump it: a progress or status form opened before them
is then refused rather than quietly undoing the progress they moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import Field, field_validator
from sqlmodel import Session, col, select

from ..models import Goal, GoalStep, GoalUpdate, User, utcnow
from ..models.enums import GoalHorizon, GoalStatus, LifeArea
from . import audit, inputs, permissions, program, versions
from .errors import PermissionDenied, ValidationError
from .ids import is_id
from .inputs import ServiceInput

# Short keys are stored; labels are shown. The seed uses the first eight keys.
LIFE_AREAS: tuple[tuple[str, str], ...] = (
    ("sobriety", "Sobriety / substance use"),
    ("mental_health", "Mental health"),
    ("relationships", "Relationships and family"),
    ("work_school", "Work or school"),
    ("physical_health", "Physical health"),
    ("housing", "Housing"),
    ("legal", "Legal"),
    ("finances", "Finances"),
    ("spirituality", "Spirituality"),
    ("other", "Other"),
)
LIFE_AREA_LABELS = dict(LIFE_AREAS)
HORIZONS: tuple[tuple[str, str], ...] = (("immediate", "Immediate"), ("long_term", "Long-term"))
HORIZON_LABELS = dict(HORIZONS)
STATUSES: tuple[tuple[str, str], ...] = (
    ("active", "Active"),
    ("achieved", "Achieved"),
    ("revised", "Revised"),
    ("set_aside", "Set aside"),
)
STATUS_LABELS = dict(STATUSES)

TITLE_MAX = 120
WHY_MAX = 1000
STEP_MAX = 200
NOTE_MAX = 500
MAX_STEPS = 12
MAX_TARGET_YEARS = 5


@dataclass(frozen=True)
class StepView:
    id: int
    position: int
    text: str
    done: bool


@dataclass(frozen=True)
class UpdateView:
    at: datetime  # UTC
    day: date  # program-local
    kind: str
    progress_pct: int
    status: str
    note: str
    by_user_id: int


@dataclass(frozen=True)
class GoalView:
    id: int
    title: str
    why: str
    life_area: str
    horizon: str
    target_date: date | None
    status: str
    progress_pct: int
    steps: list[StepView] = field(default_factory=list)
    updates: list[UpdateView] = field(default_factory=list)  # oldest first
    version: int = 0  # what an edit passes back as expected_version

    @property
    def life_area_label(self) -> str:
        return LIFE_AREA_LABELS.get(self.life_area, "Other")

    @property
    def horizon_label(self) -> str:
        return HORIZON_LABELS.get(self.horizon, self.horizon)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


# ---------------------------------------------------------------- input
# Each change's input, declared once (services/inputs.py validates it). Numbers and
# ticks are strict: the page converts what the browser sent, so a "50" or a True is
# refused here, not guessed at. Target dates depend on today: _check_target.
class _GoalInput(ServiceInput):
    blank_if_none = ("why", "note")

    messages: ClassVar[dict[str, str]] = {
        "title": f"A title can be up to {TITLE_MAX} characters (this one is {{length}}).",
        "title:missing": "Please enter a title.",
        "title:type": "A title must be text.",
        "why": f"Why it matters can be up to {WHY_MAX} characters (this one is {{length}}).",
        "why:type": "Why it matters must be text.",
        "note": f"The note can be up to {NOTE_MAX} characters (this one is {{length}}).",
        "note:type": "The note must be text.",
        "step": f"A step can be up to {STEP_MAX} characters (this one is {{length}}).",
        "step:missing": "Please enter a step.",
        "step:type": "A step must be text.",
        "life_area": "Choose a life area.",
        "horizon": "Choose immediate or long-term.",
        "status": "Choose active, achieved, revised or set aside.",
        "progress_pct": "Progress is a whole number from 0 to 100.",
        "done": "Tick or untick the step.",
    }


class GoalEdit(_GoalInput):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    why: str = Field("", max_length=WHY_MAX)


class GoalCreate(GoalEdit):
    life_area: LifeArea
    horizon: GoalHorizon = GoalHorizon.IMMEDIATE
    steps: list[str] = Field(default_factory=list)

    @field_validator("steps", mode="before")
    @classmethod
    def _steps(cls, value) -> list[str]:
        """Blank lines dropped; the limits speak of steps, not of list items."""
        if value is None:
            return []
        if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) for s in value):
            raise ValueError("Steps must be a list of short sentences.")
        cleaned = [s.strip() for s in value if s.strip()]
        if len(cleaned) > MAX_STEPS:
            raise ValueError(f"Up to {MAX_STEPS} steps, please; you can add more later.")
        if any(len(s) > STEP_MAX for s in cleaned):
            raise ValueError(f"Each step can be up to {STEP_MAX} characters.")
        return cleaned


class GoalProgress(_GoalInput):
    progress_pct: int = Field(ge=0, le=100, strict=True)
    note: str = Field("", max_length=NOTE_MAX)


class GoalStatusChange(_GoalInput):
    status: GoalStatus
    note: str = Field("", max_length=NOTE_MAX)


class StepAdd(_GoalInput):
    step: str = Field(min_length=1, max_length=STEP_MAX)


class StepTick(_GoalInput):
    done: bool = Field(strict=True)
    note: str = Field("", max_length=NOTE_MAX)


def _check_target(target_date, today: date, errors: dict) -> date | None:
    if target_date is None:
        return None
    if not isinstance(target_date, date) or isinstance(target_date, datetime):
        errors["target_date"] = "Enter the target date as a date."
        return None
    if target_date < today:
        errors["target_date"] = "The target date can't be in the past."
    elif target_date > today + timedelta(days=365 * MAX_TARGET_YEARS):
        errors["target_date"] = f"Pick a target date within {MAX_TARGET_YEARS} years."
    return target_date


def _checked(model_cls: type[inputs.M], errors: dict, **values) -> inputs.M | None:
    """The input as `model_cls` declares it, or None with its field messages added to
    `errors` (the rules that need the database report in the same answer)."""
    try:
        return inputs.validate(model_cls, **values)
    except ValidationError as exc:
        errors.update(exc.errors)
        return None


def _goal_on_record(session: Session, actor: User, client_id: int, goal_id, what: str) -> Goal:
    """The goal, if it belongs to this client's record; a forged id is an audited denial."""
    goal = session.get(Goal, goal_id) if is_id(goal_id) else None
    if goal is None or goal.client_id != client_id:
        audit.record_now(session, actor, what, client_id=client_id, target=f"goal:{goal_id}"[:120],
                         outcome="denied", detail="goal not on this record")
        raise PermissionDenied("That goal could not be found on this record.")
    return goal


# ---------------------------------------------------------------- reading
def list_goals(session: Session, actor: User, client_id: int, *, with_history: bool = True) -> list[GoalView]:
    """The client's goals (active first, then by horizon and creation), each with its
    steps and, if asked, its dated history (oldest first). Three queries in all."""
    permissions.require(session, actor, permissions.READ, client_id, what="goal.view")
    tz = program.program_tz(session)
    goals = session.exec(select(Goal).where(Goal.client_id == client_id).order_by(col(Goal.id))).all()
    ids = [g.id for g in goals]
    steps: dict[int, list[StepView]] = {i: [] for i in ids}
    updates: dict[int, list[UpdateView]] = {i: [] for i in ids}
    if ids:
        for s in session.exec(select(GoalStep).where(col(GoalStep.goal_id).in_(ids))
                              .order_by(col(GoalStep.position), col(GoalStep.id))).all():
            steps[s.goal_id].append(StepView(s.id, s.position, s.text, s.done))
        if with_history:
            for u in session.exec(select(GoalUpdate).where(col(GoalUpdate.goal_id).in_(ids))
                                  .order_by(col(GoalUpdate.at), col(GoalUpdate.id))).all():
                updates[u.goal_id].append(UpdateView(u.at, program.to_local(u.at, tz).date(), u.kind,
                                                     u.progress_pct, u.status, u.note, u.by_user_id))
    status_order = {"active": 0, "revised": 1, "achieved": 2, "set_aside": 3}
    views = [
        GoalView(g.id, g.title, g.why, g.life_area, g.horizon, g.target_date, g.status, g.progress_pct,
                 steps[g.id], updates[g.id], g.version)
        for g in goals
    ]
    return sorted(views, key=lambda v: (status_order.get(v.status, 9), v.horizon != "immediate", v.id))


# ---------------------------------------------------------------- changing
def add_goal(
    session: Session,
    actor: User,
    client_id: int,
    *,
    title: str,
    why: str = "",
    life_area: str,
    horizon: str = "immediate",
    target_date: date | None = None,
    steps: list[str] | None = None,
    today: date | None = None,
) -> Goal:
    permissions.require(session, actor, permissions.WRITE, client_id, what="goal.create")
    today = today or program.local_today(session)
    errors: dict[str, str] = {}
    given = _checked(GoalCreate, errors, title=title, why=why, life_area=life_area, horizon=horizon, steps=steps)
    target_date = _check_target(target_date, today, errors)
    if errors or given is None:
        raise ValidationError(errors)
    now = utcnow()
    goal = Goal(client_id=client_id, title=given.title, why=given.why, life_area=given.life_area,
                horizon=given.horizon,
                target_date=target_date, status="active", progress_pct=0, created_at=now,
                created_by=actor.id, updated_at=now, updated_by=actor.id)
    session.add(goal)
    session.flush()
    for position, text in enumerate(given.steps):
        session.add(GoalStep(goal_id=goal.id, position=position, text=text))
    session.add(GoalUpdate(goal_id=goal.id, at=now, by_user_id=actor.id, kind="created", progress_pct=0,
                           status="active", note="Goal set"))
    audit.record(session, actor, "goal.create", client_id=client_id, target=f"goal:{goal.id}")
    session.commit()
    return goal


def add_step(session: Session, actor: User, client_id: int, goal_id: int, text: str) -> GoalStep:
    permissions.require(session, actor, permissions.WRITE, client_id, what="goal.step.add")
    goal = _goal_on_record(session, actor, client_id, goal_id, "goal.step.add")
    text = inputs.validate(StepAdd, step=text).step
    existing = session.exec(select(GoalStep).where(GoalStep.goal_id == goal.id)).all()
    if len(existing) >= MAX_STEPS:
        raise ValidationError({"step": f"A goal can have up to {MAX_STEPS} steps."})
    versions.write(session, actor, goal, {}, expected_version=None, merge=True, what="goal.step.add",
                   client_id=client_id)
    step = GoalStep(goal_id=goal.id, position=max((s.position for s in existing), default=-1) + 1, text=text)
    session.add(step)
    session.flush()
    audit.record(session, actor, "goal.step.add", client_id=client_id, target=f"goal:{goal.id}")
    session.commit()
    return step


def _log_change(session: Session, actor: User, goal: Goal, client_id: int, kind: str, *, note: str,
                detail: str = "", action: str = "") -> GoalUpdate:
    """The history line of a change just written to `goal` (at its new updated_at, with
    its progress and status as they now are), audited (as goal.<kind> unless `action`)
    and committed with it."""
    update = GoalUpdate(goal_id=goal.id, at=goal.updated_at, by_user_id=actor.id, kind=kind,
                        progress_pct=goal.progress_pct, status=goal.status, note=note)
    session.add(update)
    audit.record(session, actor, action or f"goal.{kind}", client_id=client_id,
                 target=f"goal:{goal.id}", detail=detail)
    session.commit()
    return update


def update_progress(
    session: Session, actor: User, client_id: int, goal_id: int, *, progress_pct: int, note: str = "",
    expected_version: int,
) -> GoalUpdate:
    """A 0-100 % estimate with a short note, kept with its date. Refused (StaleEdit)
    when the goal changed after the editor's page showed `expected_version`."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="goal.progress")
    goal = _goal_on_record(session, actor, client_id, goal_id, "goal.progress")
    given = inputs.validate(GoalProgress, progress_pct=progress_pct, note=note)
    progress_pct, note = given.progress_pct, given.note
    versions.write(session, actor, goal, {"progress_pct": progress_pct}, expected_version=expected_version,
                   what="goal.progress", client_id=client_id)
    return _log_change(session, actor, goal, client_id, "progress", note=note, detail=f"{progress_pct}%")


def set_step_done(
    session: Session, actor: User, client_id: int, goal_id: int, step_id: int, done: bool, note: str = ""
) -> GoalUpdate:
    """Tick (or untick) a step. Progress becomes the share of steps done, so the
    history shows the goal moving as steps get done."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="goal.step")
    goal = _goal_on_record(session, actor, client_id, goal_id, "goal.step")
    step = session.get(GoalStep, step_id) if is_id(step_id) else None
    if step is None or step.goal_id != goal.id:
        audit.record_now(session, actor, "goal.step", client_id=client_id, target=f"step:{step_id}"[:120],
                         outcome="denied", detail="step not on this goal")
        raise PermissionDenied("That step could not be found on this goal.")
    note = inputs.validate(StepTick, done=done, note=note).note
    steps = session.exec(select(GoalStep).where(GoalStep.goal_id == goal.id)).all()
    done_count = sum(1 for s in steps if (s.done if s.id != step.id else done))
    # No expected version: the tick says what it wants (done or not), so a repeat or a
    # tick of another step merges. The write still refuses if the goal changed since
    # it was read here, so the share of steps done below is never computed from stale rows.
    versions.write(session, actor, goal, {"progress_pct": round(100 * done_count / len(steps))},
                   expected_version=None, merge=True, what="goal.step", client_id=client_id)
    step.done = done
    step.done_at = goal.updated_at if done else None
    session.add(step)
    return _log_change(session, actor, goal, client_id, "step",
                       note=(note or f"{'Done' if done else 'Not done yet'}: {step.text}")[:NOTE_MAX],
                       detail=f"step {step.id} {'done' if done else 'undone'}")


def set_status(
    session: Session, actor: User, client_id: int, goal_id: int, status: str, note: str = "", *,
    expected_version: int,
) -> GoalUpdate:
    """Active / achieved / revised / set aside; the old status stays in the history.
    Refused (StaleEdit) when the goal changed after the page showed `expected_version`."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="goal.status")
    goal = _goal_on_record(session, actor, client_id, goal_id, "goal.status")
    # Before "already <status>": on a stale page that check would judge the wrong status.
    versions.check(session, actor, goal, expected_version, what="goal.status", client_id=client_id)
    errors: dict[str, str] = {}
    given = _checked(GoalStatusChange, errors, status=status, note=note)
    if given is not None and given.status == goal.status:
        errors["status"] = f"This goal is already {given.status.label.lower()}."
    if errors or given is None:
        raise ValidationError(errors)
    status, note = given.status, given.note
    previous = goal.status
    values = {"status": status, **({"progress_pct": 100} if status == "achieved" else {})}
    versions.write(session, actor, goal, values, expected_version=expected_version, what="goal.status",
                   client_id=client_id)
    return _log_change(session, actor, goal, client_id, "status",
                       note=note or f"{STATUS_LABELS.get(previous, previous)} → {STATUS_LABELS[status]}",
                       detail=f"{previous} -> {status}")


def edit_goal(
    session: Session,
    actor: User,
    client_id: int,
    goal_id: int,
    *,
    title: str,
    why: str = "",
    target_date: date | None = None,
    expected_version: int,
    today: date | None = None,
) -> GoalUpdate | None:
    """Reword a goal (title, why it matters, target date). The earlier title and why
    are kept (text_version); refused (StaleEdit) when the goal changed after the page
    showed `expected_version`. Returns None when nothing changed."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="goal.edit")
    goal = _goal_on_record(session, actor, client_id, goal_id, "goal.edit")
    today = today or program.local_today(session)
    errors: dict[str, str] = {}
    given = _checked(GoalEdit, errors, title=title, why=why)
    if target_date != goal.target_date:  # an unchanged target may be in the past by now
        target_date = _check_target(target_date, today, errors)
    if errors or given is None:
        raise ValidationError(errors)
    title, why = given.title, given.why
    values = {k: v for k, v in (("title", title), ("why", why), ("target_date", target_date))
              if v != getattr(goal, k)}
    if not values:
        versions.check(session, actor, goal, expected_version, what="goal.edit", client_id=client_id)
        return None
    versions.write(session, actor, goal, values, expected_version=expected_version, what="goal.edit",
                   client_id=client_id, keep=("title", "why"))
    changed = ", ".join({"title": "title", "why": "why it matters", "target_date": "target date"}[k] for k in values)
    return _log_change(session, actor, goal, client_id, "edited", note=f"Changed {changed}", detail=changed,
                       action="goal.edit")

