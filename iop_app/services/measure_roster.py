"""Measures on the roster: for each client on the page, the latest PHQ-9 and GAD-7
band with its direction, the late and missed measures and the open alerts; and the
caseload view (who improved, who did not, who is overdue).

Definitions:
- latest / previous: the client's newest and second-newest responses in force of that
  measure (a corrected response counts as its correction); direction compares their
  totals: "up" (worse), "down" (better) or "same";
- late: a measure past its due day and not yet completed, within the
  measure_schedule.OVERDUE_AFTER_DAYS grace; missed: past that grace (overdue);
- improved: the PHQ-9 or the GAD-7 shows reliable change or response against the first
  response of that measure (measure_trends' marks: PHQ-9 down 5+ points; a total at or
  below half the first one); not improved: two or more responses of either and neither
  mark; overdue: any missed measure.

A fixed number of statements whatever the number of clients, each built once with
every value a bound parameter (the ids are an expanding parameter), like
services/roster.py. Staff only; only clients the actor may read are answered for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import groupby
from operator import itemgetter

from sqlalchemy import Date, Integer, bindparam, cast, exists, func, literal, null, select, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ..models import Client, MeasureAlert, MeasureAssignment, MeasureResponse, User
from ..models.enums import MeasureResponseStatus
from . import audit, measure_schedule, measure_trends, measures, permissions, program
from .permissions import caseload_condition_sql

TRACKED = ("phq9", "gad7")
IMPROVED, NOT_IMPROVED, NO_DATA = "improved", "not improved", "not enough data"

P_IDS = bindparam("ids", expanding=True)
P_ACTOR = bindparam("actor_id", type_=Integer())
P_TODAY = bindparam("today")


@dataclass(frozen=True)
class Latest:
    code: str
    total: float
    band: str
    direction: str  # "up", "down", "same", or "" without an earlier response
    first: float
    count: int

    @property
    def reliable_change(self) -> bool:
        points = measure_trends.RELIABLE_CHANGE_POINTS.get(self.code)
        return self.count > 1 and points is not None and self.first - self.total >= points

    @property
    def response(self) -> bool:
        return (self.count > 1 and self.code in measure_trends.RESPONSE_CODES and self.first > 0
                and self.total <= self.first * 0.5)

    @property
    def improved(self) -> bool:
        return self.reliable_change or self.response


@dataclass
class MeasureColumns:
    client_id: int
    latest: dict[str, Latest] = field(default_factory=dict)  # code in TRACKED -> latest
    late: int = 0
    missed: int = 0
    open_alerts: int = 0

    @property
    def outcome(self) -> str:
        present = [self.latest[code] for code in TRACKED if code in self.latest]
        if any(item.improved for item in present):
            return IMPROVED
        if any(item.count > 1 for item in present):
            return NOT_IMPROVED
        return NO_DATA


def direction(total: float, previous: float | None) -> str:
    if previous is None:
        return ""
    return "up" if total > previous else "down" if total < previous else "same"


# ------------------------------------------------------------------ statements (built once)
@lru_cache(maxsize=2)
def _clients_statement(caseload_only: bool):
    """The asked-for clients the actor may read (a therapist: the caseload), with what the
    due rule reads of each and the number of open alerts (a correlated count: one index
    seek per client)."""
    open_alerts = (select(func.count()).where(MeasureAlert.client_id == Client.id,
                                              col(MeasureAlert.acknowledged_at).is_(None))
                   .scalar_subquery())
    stmt = (select(Client.id, Client.admission_date, Client.discharge_date, open_alerts.label("open_alerts"))
            .where(col(Client.id).in_(P_IDS)))
    if caseload_only:
        stmt = stmt.where(caseload_condition_sql(P_ACTOR, P_TODAY))
    return stmt


@lru_cache(maxsize=1)
def _totals_statement():
    """The tracked measures' responses in force, oldest first per client and measure:
    plain rows read in index order and walked once in Python (the first, the newest two
    and the count fall out of the order; window functions over the same rows cost the
    database more than the walk). No timestamps are selected: nothing to parse per row."""
    later = aliased(MeasureResponse)
    return (select(MeasureResponse.client_id, MeasureResponse.code, MeasureResponse.total, MeasureResponse.band)
            .where(col(MeasureResponse.client_id).in_(P_IDS), col(MeasureResponse.code).in_(TRACKED),
                   MeasureResponse.status == MeasureResponseStatus.SUBMITTED,
                   ~exists().where(later.supersedes_id == MeasureResponse.id))
            .order_by(MeasureResponse.client_id, MeasureResponse.code, MeasureResponse.completed_at,
                      MeasureResponse.id))


@lru_cache(maxsize=1)
def _due_facts_statement():
    """What the due rule needs besides the client, in one statement: per client and
    measure the last completion (kind 0), and the open ad hoc assignments (kind 1)."""
    last_done = (select(literal(0).label("kind"), MeasureResponse.client_id, MeasureResponse.code,
                        func.max(MeasureResponse.completed_at).label("at"),
                        cast(null(), Date).label("due_on"), cast(null(), Integer).label("assignment_id"))
                 .where(col(MeasureResponse.client_id).in_(P_IDS),
                        MeasureResponse.status == MeasureResponseStatus.SUBMITTED)
                 .group_by(MeasureResponse.client_id, MeasureResponse.code))
    assigned = (select(literal(1), MeasureAssignment.client_id, MeasureAssignment.code,
                       cast(null(), MeasureResponse.__table__.c.completed_at.type), MeasureAssignment.due_on,
                       MeasureAssignment.id)
                .where(col(MeasureAssignment.client_id).in_(P_IDS), col(MeasureAssignment.response_id).is_(None)))
    return union_all(last_done, assigned)


# ------------------------------------------------------------------ figures
@dataclass(frozen=True)
class _Assignment:
    """What measure_schedule.due_for reads of an open assignment."""

    id: int
    code: str
    due_on: date


def _figures(session: Session, actor: User, client_ids: list[int], today: date) -> dict[int, MeasureColumns]:
    if not actor.active:
        return {}
    connection = session.connection()
    values = {"ids": [int(i) for i in client_ids], "actor_id": actor.id, "today": today}
    clients = connection.execute(_clients_statement(not actor.is_director), values).all()
    found = {client_id: MeasureColumns(client_id, open_alerts=alerts) for client_id, _, _, alerts in clients}
    if not found:
        return found
    values["ids"] = list(found)
    for (client_id, code), group in groupby(connection.execute(_totals_statement(), values).all(),
                                            key=itemgetter(0, 1)):
        rows = list(group)
        *_, total, band = rows[-1]
        if total is None:
            continue
        found[client_id].latest[code] = Latest(
            code=code, total=float(total), band=band,
            direction=direction(total, rows[-2][2] if len(rows) > 1 else None),
            first=float(rows[0][2]), count=len(rows))
    tz = program.program_tz(session)
    done: dict[int, dict[str, list[date]]] = {}
    assignments: dict[int, list[_Assignment]] = {}
    for kind, client_id, code, at, due_on, assignment_id in connection.execute(_due_facts_statement(), values).all():
        if kind == 0:
            done.setdefault(client_id, {})[code] = [program.to_local(at, tz).date()]
        else:
            assignments.setdefault(client_id, []).append(_Assignment(assignment_id, code, due_on))
    rules = measure_schedule.rules(session)
    for client_id, admitted, discharged, _ in clients:
        found[client_id].late, found[client_id].missed = measure_schedule.late_and_missed(
            _ClientFacts(admitted, discharged), rules, done.get(client_id, {}), assignments.get(client_id, []), today)
    return found


@dataclass(frozen=True)
class _ClientFacts:
    """What measure_schedule.due_for reads of a client."""

    admission_date: date
    discharge_date: date | None


def columns(session: Session, actor: User, client_ids: list[int],
            today: date | None = None) -> dict[int, MeasureColumns]:
    """client id -> its measure columns, for the roster page's clients (ids the actor
    may not read are left out). Not audited on its own: the roster view that shows
    these clients is (roster.roster_page)."""
    permissions.require_staff(session, actor, "measure.roster")
    return _figures(session, actor, list(client_ids), today or program.local_today(session))


@dataclass(frozen=True)
class CaseloadLine:
    client_id: int
    name: str
    detail: str


@dataclass
class CaseloadView:
    improved: list[CaseloadLine]
    not_improved: list[CaseloadLine]
    overdue: list[CaseloadLine]


def caseload_view(session: Session, actor: User, today: date | None = None) -> CaseloadView:
    """Who improved, who did not, who is overdue, among the current (intake and active)
    clients whose record the actor may read. Audited as one view."""
    permissions.require_staff(session, actor, "measure.caseload")
    today = today or program.local_today(session)
    query = (select(Client.id, User.full_name).join(User, User.id == Client.user_id)
             .where(col(Client.status).in_(("intake", "active"))).order_by(func.lower(User.full_name), Client.id))
    condition = permissions.visible_clients_condition(actor, today)
    if condition is not None:
        query = query.where(condition)
    names = dict(session.exec(query).all())
    figures = _figures(session, actor, list(names), today)
    view = CaseloadView([], [], [])
    for client_id, name in names.items():
        item = figures.get(client_id)
        if item is None:
            continue
        detail = "; ".join(f"{measures.definition(code).name} {latest.first:g} → {latest.total:g}"
                           for code, latest in item.latest.items())
        if item.outcome == IMPROVED:
            view.improved.append(CaseloadLine(client_id, name, detail))
        elif item.outcome == NOT_IMPROVED:
            view.not_improved.append(CaseloadLine(client_id, name, detail))
        if item.missed:
            view.overdue.append(CaseloadLine(client_id, name, f"{item.missed} missed"))
    audit.record_now(session, actor, "measure.caseload", outcome="allowed",
                     detail=f"{len(names)} clients: {len(view.improved)} improved, "
                            f"{len(view.not_improved)} not improved, {len(view.overdue)} overdue")
    return view
