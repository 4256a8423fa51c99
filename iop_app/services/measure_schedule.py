"""What a client should complete, and by when: the program's rules plus ad hoc assignments.

Days are the program's local days (services/program.py): a response counts for the
local day it was completed on, and due dates are local dates, so "every 14 days" is
14 calendar days on the wall clock whatever a DST change does to the hours between.

The rules (MeasureRule, one per measure and timing):
- intake:    due on the admission day; done by any response completed on or after it;
- interval:  every N days: due on the admission day when the measure was never given,
             else N days after the local day of the last completed response (any
             rule's, or an assignment's: a response is a response);
- discharge: due on the discharge day, open from DISCHARGE_WINDOW_DAYS before it; done by
             a response completed in that window.
An ad hoc assignment is due on its day until a completed response answers it.
A measure is overdue once today is more than OVERDUE_AFTER_DAYS past its due day.
Nothing falls due after the client's discharge day, except the discharge measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..models import Client, MeasureAssignment, MeasureResponse, MeasureRule, User
from ..models.enums import MeasureResponseStatus, MeasureTiming
from . import audit, measures, permissions, program

OVERDUE_AFTER_DAYS = 3
DISCHARGE_WINDOW_DAYS = 7


@dataclass(frozen=True)
class DueMeasure:
    code: str
    name: str
    due_on: date  # program-local day
    overdue: bool
    reason: str  # "intake", "interval", "discharge" or "assigned"
    assignment_id: int | None = None
    last_completed_on: date | None = None


@dataclass(frozen=True)
class RuleView:
    code: str
    name: str
    timing: str
    every_days: int | None


# Built once (every roster view reads the rules): plain columns, no ORM objects.
_RULES = (sa_select(MeasureRule.code, MeasureRule.timing, MeasureRule.every_days)
          .where(col(MeasureRule.active).is_(True)).order_by(col(MeasureRule.id)))


def rules(session: Session) -> list[RuleView]:
    """The program's active rules (not a client's record: no permission needed to read them)."""
    return [RuleView(code, measures.definition(code).name, timing, every_days)
            for code, timing, every_days in session.connection().execute(_RULES) if code in measures.DEFINITIONS]


def completion_days(session: Session, client_id: int) -> dict[str, list[date]]:
    """code -> the local days the client completed it, oldest first (one query)."""
    tz = program.program_tz(session)
    found: dict[str, list[date]] = {}
    for code, at in session.exec(select(MeasureResponse.code, MeasureResponse.completed_at).where(
            MeasureResponse.client_id == client_id, MeasureResponse.status == MeasureResponseStatus.SUBMITTED)
            .order_by(col(MeasureResponse.completed_at))).all():
        found.setdefault(code, []).append(program.to_local(at, tz).date())
    return found


def due_for(client: Client, rule_rows: list[RuleView], done: dict[str, list[date]],
            assignments: list[MeasureAssignment], today: date) -> list[DueMeasure]:
    """The pure rule: what is due (due day, or a discharge window's first day, <= today) for one client. One entry per
    measure, the earliest due day first when several rules ask for the same one."""
    found = _due_days(client, rule_rows, done, assignments, today)
    grace = timedelta(days=OVERDUE_AFTER_DAYS)
    return [DueMeasure(code, measures.definition(code).name, due_on, today > due_on + grace, reason, assignment_id,
                       done[code][-1] if done.get(code) else None)
            for code, (due_on, reason, assignment_id) in sorted(found.items(), key=lambda item: (item[1][0], item[0]))]


def late_and_missed(client: Client, rule_rows: list[RuleView], done: dict[str, list[date]],
                    assignments: list[MeasureAssignment], today: date) -> tuple[int, int]:
    """due_for's measures counted as (late: past the due day, not yet overdue; missed:
    overdue), without building them (the roster counts them for every client on a page)."""
    late = missed = 0
    last_in_grace = today - timedelta(days=OVERDUE_AFTER_DAYS)
    for due_on, _reason, _assignment_id in _due_days(client, rule_rows, done, assignments, today).values():
        if due_on < last_in_grace:
            missed += 1
        elif due_on < today:
            late += 1
    return late, missed


def _due_days(client: Client, rule_rows: list[RuleView], done: dict[str, list[date]],
              assignments: list[MeasureAssignment], today: date) -> dict[str, tuple[date, str, int | None]]:
    """The rule itself: code -> (due day, reason, assignment id) of what is due; the
    earliest offer of a measure wins."""
    ends = client.discharge_date
    found: dict[str, tuple[date, str, int | None]] = {}

    def offer(code: str, due_on: date, reason: str, assignment_id: int | None = None,
              opens: date | None = None) -> None:
        if (opens or due_on) > today:
            return
        if code not in found or due_on < found[code][0]:
            found[code] = (due_on, reason, assignment_id)

    for rule in rule_rows:
        days = done.get(rule.code, [])
        if rule.timing == MeasureTiming.INTAKE:
            if not any(day >= client.admission_date for day in days):
                offer(rule.code, client.admission_date, rule.timing)
        elif rule.timing == MeasureTiming.INTERVAL and rule.every_days:
            due_on = days[-1] + timedelta(days=rule.every_days) if days else client.admission_date
            if ends is None or due_on <= ends:
                offer(rule.code, due_on, rule.timing)
        elif rule.timing == MeasureTiming.DISCHARGE and ends is not None:
            opens = ends - timedelta(days=DISCHARGE_WINDOW_DAYS)
            if today >= opens and not any(day >= opens for day in days):
                offer(rule.code, ends, rule.timing, opens=opens)
    for assignment in assignments:
        offer(assignment.code, assignment.due_on, "assigned", assignment.id)
    return found


def due(session: Session, actor: User, client_id: int, today: date | None = None) -> list[DueMeasure]:
    """What the client has due or overdue on `today` (default: the program's today)."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="measure.due")
    today = today or program.local_today(session)
    assignments = session.exec(select(MeasureAssignment).where(
        MeasureAssignment.client_id == client.id, col(MeasureAssignment.response_id).is_(None))).all()
    return due_for(client, rules(session), completion_days(session, client.id), list(assignments), today)



def due_for_caseload(session: Session, actor: User, today: date | None = None) -> dict[int, list[DueMeasure]]:
    """client id -> what is due or overdue, for every client whose record this staff member
    may read (the roster's late and missed measures). Three queries whatever the caseload size."""
    permissions.require_staff(session, actor, "measure.due_caseload")
    today = today or program.local_today(session)
    query = select(Client).where(Client.status != "discharged")
    condition = permissions.visible_clients_condition(actor, today)
    if condition is not None:
        query = query.where(condition)
    clients = session.exec(query).all()
    ids = [client.id for client in clients]
    tz = program.program_tz(session)
    done: dict[int, dict[str, list[date]]] = {}
    for client_id, code, at in session.exec(
            select(MeasureResponse.client_id, MeasureResponse.code, MeasureResponse.completed_at)
            .where(col(MeasureResponse.client_id).in_(ids), MeasureResponse.status == MeasureResponseStatus.SUBMITTED)
            .order_by(col(MeasureResponse.completed_at))).all():
        done.setdefault(client_id, {}).setdefault(code, []).append(program.to_local(at, tz).date())
    open_assignments: dict[int, list[MeasureAssignment]] = {}
    for assignment in session.exec(select(MeasureAssignment).where(
            col(MeasureAssignment.client_id).in_(ids), col(MeasureAssignment.response_id).is_(None))).all():
        open_assignments.setdefault(assignment.client_id, []).append(assignment)
    rule_rows = rules(session)
    audit.record_now(session, actor, "measure.due_caseload", outcome="allowed", detail=f"{len(ids)} clients")
    return {client.id: due_for(client, rule_rows, done.get(client.id, {}), open_assignments.get(client.id, []), today)
            for client in clients}
