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

from sqlalchemy import Integer, and_, bindparam, exists, func, or_, select
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
@lru_cache(maxsize=4)
def _clients_statement(caseload_only: bool):
    stmt = select(Client.id, Client.admission_date, Client.discharge_date).where(col(Client.id).in_(P_IDS))
    if caseload_only:
        stmt = stmt.where(caseload_condition_sql(P_ACTOR, P_TODAY))
    return stmt


@lru_cache(maxsize=1)
def _totals_statement():
    """Per client and tracked measure: the newest two responses in force and the first."""
    response = MeasureResponse
    later = aliased(MeasureResponse)
    partition = (response.client_id, response.code)
    ranked = (
        select(response.client_id, response.code, response.total, response.band,
               func.row_number().over(partition_by=partition,
                                      order_by=(col(response.completed_at).desc(), col(response.id).desc()))
               .label("newest"),
               func.row_number().over(partition_by=partition,
                                      order_by=(col(response.completed_at), col(response.id))).label("oldest"),
               func.count().over(partition_by=partition).label("n"))
        .where(col(response.client_id).in_(P_IDS), col(response.code).in_(TRACKED),
               response.status == MeasureResponseStatus.SUBMITTED,
               ~exists().where(later.supersedes_id == response.id))
        .subquery("ranked")
    )
    return (select(ranked.c.client_id, ranked.c.code, ranked.c.newest, ranked.c.oldest, ranked.c.n,
                   ranked.c.total, ranked.c.band)
            .where(or_(ranked.c.newest <= 2, ranked.c.oldest == 1)))


@lru_cache(maxsize=1)
def _last_done_statement():
    return (select(MeasureResponse.client_id, MeasureResponse.code, func.max(MeasureResponse.completed_at))
            .where(col(MeasureResponse.client_id).in_(P_IDS),
                   MeasureResponse.status == MeasureResponseStatus.SUBMITTED)
            .group_by(MeasureResponse.client_id, MeasureResponse.code))


@lru_cache(maxsize=1)
def _open_alerts_statement():
    return (select(MeasureAlert.client_id, func.count())
            .where(col(MeasureAlert.client_id).in_(P_IDS), col(MeasureAlert.acknowledged_at).is_(None))
            .group_by(MeasureAlert.client_id))


@lru_cache(maxsize=1)
def _assignments_statement():
    return select(MeasureAssignment).where(and_(col(MeasureAssignment.client_id).in_(P_IDS),
                                                col(MeasureAssignment.response_id).is_(None)))


# ------------------------------------------------------------------ figures
def _figures(session: Session, actor: User, client_ids: list[int], today: date) -> dict[int, MeasureColumns]:
    connection = session.connection()
    values = {"ids": [int(i) for i in client_ids], "actor_id": actor.id, "today": today}
    if not actor.active:
        return {}
    clients = connection.execute(_clients_statement(not actor.is_director), values).all()
    ids = [row[0] for row in clients]
    values["ids"] = ids
    found = {client_id: MeasureColumns(client_id) for client_id in ids}
    if not ids:
        return found
    totals: dict[tuple[int, str], dict] = {}
    for client_id, code, newest, oldest, count, total, band in connection.execute(_totals_statement(), values):
        entry = totals.setdefault((client_id, code), {"count": count})
        if newest == 1:
            entry["total"], entry["band"] = total, band
        if newest == 2:
            entry["previous"] = total
        if oldest == 1:
            entry["first"] = total
    for (client_id, code), entry in totals.items():
        if entry.get("total") is None:
            continue
        found[client_id].latest[code] = Latest(
            code=code, total=float(entry["total"]), band=entry["band"],
            direction=direction(entry["total"], entry.get("previous")),
            first=float(entry["first"]), count=entry["count"])
    tz = program.program_tz(session)
    done: dict[int, dict[str, list[date]]] = {}
    for client_id, code, at in connection.execute(_last_done_statement(), values):
        done.setdefault(client_id, {})[code] = [program.to_local(at, tz).date()]
    assignments: dict[int, list[MeasureAssignment]] = {}
    for assignment in session.exec(_assignments_statement(), params=values).scalars():
        assignments.setdefault(assignment.client_id, []).append(assignment)
    for client_id, count in connection.execute(_open_alerts_statement(), values):
        found[client_id].open_alerts = count
    rules = measure_schedule.rules(session)
    for client_id, admitted, discharged in clients:
        facts = _ClientFacts(admitted, discharged)
        for item in measure_schedule.due_for(facts, rules, done.get(client_id, {}),
                                             assignments.get(client_id, []), today):
            if item.overdue:
                found[client_id].missed += 1
            elif item.due_on < today:
                found[client_id].late += 1
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
