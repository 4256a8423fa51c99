"""Discharge from the program, the aftercare plan and the discharge summary (issue #13, section 4).

- The client's care team (primary therapist, a therapist facilitating one of their
  groups, the director; break-glass as for any write) discharges a client: type
  (models.enums.DischargeType), a day from admission to today, and the reason.
- In one transaction, with the audit events:
  * status becomes discharged (date and reason also on `client`, which the roster reads);
  * group memberships end on the discharge day (one that had not started yet is removed);
  * upcoming sessions are cancelled: scheduled individual sessions and booked family
    sessions from the day after discharge (or from now, whichever is earlier; earlier ones
    stay for roll call), and family sessions still being arranged (their open times are
    withdrawn);
  * every consent that ends at discharge and is still in force ends on that day, so a
    family member's next action shows nothing (permissions.consent_in_force_condition);
  * follow-up contacts are scheduled (follow_ups.FOLLOW_UP_DAYS after the day; none
    after a death);
  * alumni: the client keeps their portal when the program allows it (setting
    `alumni_portal`); otherwise (or after a death) their account is disabled, which
    ends their sessions at their next request;
  * a discharge summary is started, due `discharge_summary_days` (7 or 10) after the
    day, with one line per goal of the plan in force and the last measure scores.
- The summary and aftercare plan (written with the client) are a draft saved with
  versions.write until signed (typed full name, server time); signed = locked.
- Reads (the page, the PDF) are audited; only staff who may read the record see
  it: never the client's family, whatever their consent (42 CFR Part 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import Field
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..models import (
    Client,
    Discharge,
    DischargeGoal,
    FamilySession,
    GroupMembership,
    IndividualSession,
    MeasureResponse,
    PlanGoal,
    PlanProblem,
    SlotProposal,
    User,
    utcnow,
)
from ..models.enums import (
    ClientStatus,
    ConsentEndEvent,
    DischargeType,
    FamilySessionStatus,
    GoalOutcome,
    IndividualSessionStatus,
    MeasureResponseStatus,
    SlotStatus,
)
from . import audit, consents, follow_ups, inputs, permissions, plans, program, versions
from .errors import NotFound, PermissionDenied, ServiceError, ValidationError

NOTE_MAX = 2000  # client.discharge_note / discharge.reason
SUMMARY_DAYS_SETTING = "discharge_summary_days"
ALUMNI_SETTING = "alumni_portal"
CANCEL_REASON = "Client discharged from the program."
# The aftercare plan's parts, in the order the page and the PDF show them: field -> label.
AFTERCARE = {
    "aftercare_services": "Services after discharge (level of care, provider, how often)",
    "aftercare_referrals": "Referrals made",
    "mutual_help": "Mutual-help meetings (12-step, SMART and others)",
    "medications": "Medications (including medication for addiction treatment)",
    "next_appointments": "Next appointments",
    "barriers": "Likely barriers and how to meet them",
}
SUMMARY_TEXTS = {"final_measures": "Final measures", "course": "Course of treatment and condition at discharge",
                 **AFTERCARE}
TEXT_LIMITS = {"course": 4000}  # others: 2000


def summary_days(session: Session) -> int:
    return int(program.get_setting(session, SUMMARY_DAYS_SETTING))


def _day_or_error(on, admitted: date, today: date) -> str:
    if not isinstance(on, date) or isinstance(on, datetime):
        return "Enter the date of discharge."
    if on > today:
        return "The discharge date cannot be in the future."
    if on < admitted:
        return f"The discharge date cannot be before admission ({admitted.isoformat()})."
    return ""


def discharge_client(session: Session, actor: User, client_id: int, *, on: date, note: str,
                     discharge_type=None) -> Client:
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="client.discharge",
                                 roles=permissions.STAFF)
    if client.status == ClientStatus.DISCHARGED:
        raise ServiceError("This client has already been discharged.")
    today = program.local_today(session)
    errors = {}
    if discharge_type not in DischargeType.values():
        errors["discharge_type"] = "Choose the type of discharge."
    if problem := _day_or_error(on, client.admission_date, today):
        errors["on"] = problem
    note = note.strip() if isinstance(note, str) else ""
    if not note:
        errors["note"] = "Write the reason for discharge."
    elif len(note) > NOTE_MAX:
        errors["note"] = f"Keep the reason under {NOTE_MAX} characters."
    if errors:
        raise ValidationError(errors)
    kind = DischargeType(discharge_type)
    client.status = ClientStatus.DISCHARGED.value
    client.discharge_date = on
    client.discharge_note = note
    session.add(client)
    alumni = kind != DischargeType.DIED and program.get_setting(session, ALUMNI_SETTING) == "yes"
    record = Discharge(client_id=client.id, discharge_type=kind.value, discharged_on=on, reason=note, alumni=alumni,
                       summary_due_on=on + timedelta(days=summary_days(session)), created_by=actor.id,
                       final_measures=last_measures(session, client.id))
    session.add(record)
    session.flush()
    _copy_goals(session, record)
    memberships = _end_memberships(session, client.id, on)
    cancelled = _cancel_upcoming(session, client.id, on)
    ended = consents.end_consents_at_event(session, actor, client.id, ConsentEndEvent.DISCHARGE, on)
    scheduled = [] if kind == DischargeType.DIED else follow_ups.schedule(session, record)
    if not alumni:
        person = session.get(User, client.user_id)
        person.active = False  # the portal closes: every open session of theirs ends at its next request
        session.add(person)
    audit.record(session, actor, "client.discharge", client_id=client.id, target=f"client:{client.id}",
                 detail=(f"on {on.isoformat()}; {kind.value}; {len(ended)} consent(s) ended; "
                         f"{memberships} membership(s) ended; {cancelled} session(s) cancelled; "
                         f"{len(scheduled)} follow-up(s); portal {'kept' if alumni else 'closed'}"))
    session.commit()
    return client


def _copy_goals(session: Session, record: Discharge) -> None:
    """One line per goal of the plan in force, in the plan's order."""
    plan = plans.plan_in_force(session, record.client_id)
    if plan is None:
        return
    rows = session.exec(select(PlanGoal).join(PlanProblem, PlanProblem.id == PlanGoal.problem_id)
                        .where(PlanProblem.plan_id == plan.id)
                        .order_by(PlanProblem.position, PlanProblem.id, PlanGoal.position, PlanGoal.id)).all()
    for position, goal in enumerate(rows):
        session.add(DischargeGoal(discharge_id=record.id, plan_goal_id=goal.id, position=position,
                                  statement=goal.statement))


def _end_memberships(session: Session, client_id: int, on: date) -> int:
    rows = session.exec(select(GroupMembership).where(
        GroupMembership.client_id == client_id,
        (col(GroupMembership.left_on).is_(None)) | (GroupMembership.left_on > on))).all()
    for row in rows:
        if row.joined_on > on:
            session.delete(row)  # had not started: nothing was recorded against it
        else:
            row.left_on = on
            session.add(row)
    return len(rows)


def _cancel_upcoming(session: Session, client_id: int, on: date) -> int:
    """Sessions after the discharge day (or from now on, when discharged today) are
    cancelled; earlier ones stay for their roll call."""
    _, end_of_day = program.local_day_bounds_utc(on, program.program_tz(session))
    cutoff = min(utcnow(), end_of_day)
    count = 0
    for row in session.exec(select(IndividualSession).where(
            IndividualSession.client_id == client_id, IndividualSession.status == IndividualSessionStatus.SCHEDULED,
            IndividualSession.starts_at >= cutoff)).all():
        row.status = IndividualSessionStatus.CANCELLED.value
        row.note = (row.note + ("\n" if row.note else "") + CANCEL_REASON)[:2000]
        session.add(row)
        count += 1
    for row in session.exec(select(FamilySession).where(
            FamilySession.client_id == client_id,
            col(FamilySession.status).in_((FamilySessionStatus.PROPOSED, FamilySessionStatus.BOOKED)))).all():
        if row.status == FamilySessionStatus.BOOKED and row.starts_at is not None and row.starts_at < cutoff:
            continue
        row.status = FamilySessionStatus.CANCELLED.value
        row.cancel_reason = CANCEL_REASON
        row.updated_at = utcnow()
        session.add(row)
        session.execute(update(SlotProposal).where(SlotProposal.family_session_id == row.id,
                                                   SlotProposal.status == SlotStatus.OPEN)
                        .values(status=SlotStatus.WITHDRAWN.value))
        count += 1
    return count


def last_measures(session: Session, client_id: int) -> str:
    """The last score of each measure the client completed (corrections replace what
    they correct), one a line: the summary's 'final measures', to edit."""
    superseded = select(MeasureResponse.supersedes_id).where(col(MeasureResponse.supersedes_id).is_not(None))
    rows = session.exec(select(MeasureResponse).where(
        MeasureResponse.client_id == client_id, MeasureResponse.status == MeasureResponseStatus.SUBMITTED,
        col(MeasureResponse.id).not_in(superseded)).order_by(col(MeasureResponse.completed_at).desc())).all()
    tz = program.program_tz(session)
    lines, seen = [], set()
    for row in rows:
        if row.code in seen or row.total is None:
            continue
        seen.add(row.code)
        day = program.to_local(row.completed_at, tz).date()
        total = int(row.total) if float(row.total).is_integer() else row.total
        lines.append(f"{row.code}: {total}" + (f" ({row.band})" if row.band else "") + f" on {day.isoformat()}")
    return "\n".join(sorted(lines))[:2000]


# ------------------------------------------------------------------ reading
@dataclass
class GoalLine:
    id: int
    statement: str
    outcome: str
    outcome_label: str
    note: str


@dataclass
class DischargeView:
    client_id: int
    client_name: str
    therapist: str
    admitted: date
    status: str
    discharged: bool
    id: int | None = None
    discharge_type: str = ""
    type_label: str = ""
    discharged_on: date | None = None
    reason: str = ""
    alumni: bool = False
    summary_due_on: date | None = None
    overdue_days: int = 0
    texts: dict[str, str] = field(default_factory=dict)
    with_client: bool = False
    goals: list[GoalLine] = field(default_factory=list)
    signed: bool = False
    signed_at: datetime | None = None
    signature: str = ""
    version: int = 0
    length_of_stay: int = 0


def _record(session: Session, client_id: int) -> Discharge | None:
    return session.exec(select(Discharge).where(Discharge.client_id == client_id)).first()


def discharge_view(session: Session, actor: User, client_id, *, what: str = "discharge.view") -> DischargeView:
    """The discharge and its summary as staff who may read the record see it (audited)."""
    client = permissions.require(session, actor, permissions.READ, client_id, what=what, roles=permissions.STAFF)
    person = session.get(User, client.user_id)
    therapist = session.get(User, client.primary_therapist_id) if client.primary_therapist_id else None
    view = DischargeView(client.id, person.full_name, therapist.full_name if therapist else "", client.admission_date,
                         client.status, client.status == ClientStatus.DISCHARGED)
    record = _record(session, client.id)
    if record is None:
        return view
    today = program.local_today(session)
    view.id, view.discharge_type = record.id, record.discharge_type
    view.type_label = DischargeType.label_of(record.discharge_type)
    view.discharged_on, view.reason, view.alumni = record.discharged_on, record.reason, record.alumni
    view.summary_due_on = record.summary_due_on
    view.signed, view.signed_at, view.signature = record.signed_at is not None, record.signed_at, record.signature
    view.overdue_days = 0 if view.signed else max(0, (today - record.summary_due_on).days)
    view.texts = {name: getattr(record, name) for name in SUMMARY_TEXTS}
    view.with_client, view.version = record.with_client, record.version
    view.length_of_stay = (record.discharged_on - client.admission_date).days
    view.goals = [GoalLine(g.id, g.statement, g.outcome, GoalOutcome.label_of(g.outcome, "Not judged yet"), g.note)
                  for g in session.exec(select(DischargeGoal).where(DischargeGoal.discharge_id == record.id)
                                        .order_by(DischargeGoal.position, DischargeGoal.id)).all()]
    return view


# ------------------------------------------------------------------ the summary
class SummaryInput(inputs.ServiceInput, strict=True):
    final_measures: str = Field(default="", max_length=2000)
    course: str = Field(default="", max_length=4000)
    aftercare_services: str = Field(default="", max_length=2000)
    aftercare_referrals: str = Field(default="", max_length=2000)
    mutual_help: str = Field(default="", max_length=2000)
    medications: str = Field(default="", max_length=2000)
    next_appointments: str = Field(default="", max_length=2000)
    barriers: str = Field(default="", max_length=2000)
    with_client: bool = False
    messages: ClassVar[dict[str, str]] = {
        **{name: f"Keep this under {TEXT_LIMITS.get(name, 2000)} characters (this one is {{length}})."
           for name in SUMMARY_TEXTS},
        "with_client": "Say whether the plan was written with the client.",
    }


class GoalProgressInput(inputs.ServiceInput, strict=True):
    outcome: str = Field(default="")
    note: str = Field(default="", max_length=1000)


def _open_summary(session: Session, actor: User, client_id, what: str) -> tuple[Client, Discharge]:
    client = permissions.require(session, actor, permissions.WRITE, client_id, what=what, roles=permissions.STAFF)
    record = _record(session, client.id)
    if record is None:
        raise NotFound("This client has not been discharged.")
    if record.signed_at is not None:
        audit.record_now(session, actor, what, client_id=client.id, target=f"discharge:{record.id}",
                         outcome="failure", detail="signed summary is locked")
        raise ServiceError("The discharge summary is signed and locked.")
    return client, record


def save_summary(session: Session, actor: User, client_id, *, expected_version, values: dict,
                 goals: dict | None = None) -> Discharge:
    """Save the draft summary: its texts, whether the aftercare plan was written with
    the client, and the progress on each goal (`goals`: discharge_goal id -> {outcome,
    note}; ids must be this discharge's). A page showing an older version is refused."""
    client, record = _open_summary(session, actor, client_id, "discharge.summary.save")
    checked = inputs.validate(SummaryInput, **(values if isinstance(values, dict) else {}))
    goals = goals if isinstance(goals, dict) else {}
    rows = {g.id: g for g in session.exec(select(DischargeGoal).where(DischargeGoal.discharge_id == record.id)).all()}
    errors, updates = {}, []
    for key, given in goals.items():
        row = rows.get(key) if type(key) is int else None
        if row is None:
            raise PermissionDenied("That goal is not part of this discharge summary.")
        try:
            progress = inputs.validate(GoalProgressInput, **(given if isinstance(given, dict) else {}))
        except ValidationError as exc:
            errors[f"goal_{key}"] = "Keep the note under 1000 characters." if "note" in exc.errors else exc.message
            continue
        if progress.outcome and progress.outcome not in GoalOutcome.values():
            errors[f"goal_{key}"] = "Choose achieved, partly achieved or not achieved."
            continue
        updates.append((row, progress))
    if errors:
        raise ValidationError(errors)
    versions.write(session, actor, record, {**checked.model_dump()}, expected_version=expected_version,
                   what="discharge.summary.save", client_id=client.id, keep=("course",))
    for row, progress in updates:
        row.outcome, row.note = progress.outcome, progress.note
        session.add(row)
    audit.record(session, actor, "discharge.summary.save", client_id=client.id, target=f"discharge:{record.id}",
                 detail=f"draft saved ({len(updates)} goal(s))")
    session.commit()
    return record


def _same_name(typed: str, name: str) -> bool:
    squash = lambda text: re.sub(r"\s+", " ", text).strip().casefold()  # noqa: E731
    return squash(typed) == squash(name)


def incomplete(session: Session, record: Discharge) -> list[str]:
    """What the summary still lacks before it can be signed."""
    gaps = []
    if not record.course.strip():
        gaps.append("Describe the course of treatment.")
    if record.discharge_type != DischargeType.DIED:
        if not record.aftercare_services.strip():
            gaps.append("Write the services after discharge.")
        if not record.next_appointments.strip():
            gaps.append("Write the next appointments (or that none were made, and why).")
    open_goals = session.exec(select(DischargeGoal.id).where(DischargeGoal.discharge_id == record.id,
                                                             DischargeGoal.outcome == "")).all()
    if open_goals:
        gaps.append(f"Judge the progress on every goal ({len(open_goals)} left).")
    return gaps


def sign_summary(session: Session, actor: User, client_id, *, expected_version, signature) -> Discharge:
    """Sign the summary (typed full name as on the account; the server's clock): locked."""
    client, record = _open_summary(session, actor, client_id, "discharge.summary.sign")
    typed = signature.strip() if isinstance(signature, str) else ""
    if not typed or len(typed) > 120 or not _same_name(typed, actor.full_name):
        raise ValidationError({"signature": f"Type your full name exactly as on your account: {actor.full_name}."})
    versions.check(session, actor, record, expected_version, what="discharge.summary.sign", client_id=client.id)
    if gaps := incomplete(session, record):
        audit.record_now(session, actor, "discharge.summary.sign", client_id=client.id,
                         target=f"discharge:{record.id}", outcome="failure", detail="incomplete")
        raise ServiceError("Not ready to sign: " + " ".join(gaps))
    versions.write(session, actor, record, {"signed_by": actor.id, "signed_at": utcnow(), "signature": typed},
                   expected_version=expected_version, what="discharge.summary.sign", client_id=client.id)
    audit.record(session, actor, "discharge.summary.sign", client_id=client.id, target=f"discharge:{record.id}",
                 detail="signed and locked")
    session.commit()
    return record


def summary_pdf(session: Session, actor: User, client_id) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the discharge summary, draft or signed (the PDF says
    which). Audited as a download besides the read."""
    from . import discharge_pdf  # fpdf2 is loaded only when a summary is printed

    view = discharge_view(session, actor, client_id)
    if view.id is None:
        raise NotFound("This client has not been discharged.")
    data = discharge_pdf.render(view, program.get_setting(session, "program_name"), program.program_tz(session),
                                follow_ups.planned_days(session, view.id))
    audit.record_now(session, actor, "discharge.download", client_id=view.client_id,
                     target=f"discharge:{view.id}", outcome="success",
                     detail="PDF of the signed summary" if view.signed else "PDF of the draft summary")
    return f"discharge-summary-{view.discharged_on.isoformat()}.pdf", data
