"""The caseload roster: one row per client the actor may see, with the figures a
therapist scans in the morning, computed set-based (a fixed number of grouped
queries whatever the number of clients; never a query per client).

Definitions (shared by the roster, the flags and the reports):
- week in program = (today - admission_date).days // 7 + 1 (for a discharged
  client, counted to the discharge date);
- 7-day average = mean of the check-ins in the 7 days ending today; the direction
  compares it with the mean of the 7 days before (a change under 0.5 is "steady");
- attendance rate (14 days) = group sessions attended (present, late, left early)
  / group sessions in the last 14 program days (today included) with a roll-call
  row for the client; cancelled sessions do not count;
- hours this week = hours.hours_this_week (groups + individual + family sessions);
- next plan review = last review + 30 days; with no review yet, admission + 30 days;
- flags (not for discharged clients):
  * "no check-in 3+ days": today - (last check-in, or the day before admission
    when there is none) >= 3 days,
  * "craving 8+ or use": a check-in in the last 7 days with craving >= 8 or
    reported substance use,
  * "2+ missed sessions": 2 or more excused or unexcused absences in the last 14 days.

Paging: sorting by name, admission date or status pages in SQL and computes
figures for that page only; sorting by a figure or showing flagged clients only
computes the figures for every matching client (still a few grouped queries).
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ..models import Attendance, Client, GroupSession, MoodEntry, PlanReview, User
from . import audit, hours, program
from .errors import PermissionDenied, ValidationError
from .permissions import visible_clients_condition

PAGE_SIZE = 25
REVIEW_INTERVAL_DAYS = 30
ATTENDED = ("present", "late", "left_early")
MISSED = ("excused", "unexcused")
STATUS_FILTERS = ("current", "all", "intake", "active", "discharged")
SQL_SORTS = ("name", "admission", "status", "therapist")
FIGURE_SORTS = ("last_checkin", "mood", "craving", "attendance", "hours", "review", "flags")
SORT_KEYS = SQL_SORTS + FIGURE_SORTS
FLAG_QUIET = "no check-in 3+ days"
FLAG_CRAVING = "craving 8+ or use"
FLAG_MISSED = "2+ missed sessions"
FLAGS = (FLAG_QUIET, FLAG_CRAVING, FLAG_MISSED)


@dataclass
class RosterQuery:
    """What the viewer asked for (already checked by the caller, re-checked here)."""

    search: str = ""
    therapist_id: int | None = None  # director: one therapist's caseload
    status: str = "current"  # current = intake + active
    flagged_only: bool = False
    sort: str = "name"
    descending: bool = False
    page: int = 0
    page_size: int = PAGE_SIZE

    def checked(self) -> RosterQuery:
        errors = {}
        if not isinstance(self.search, str) or len(self.search) > 100:
            errors["search"] = "Search text must be at most 100 characters."
        if self.status not in STATUS_FILTERS:
            errors["status"] = "Unknown status filter."
        if self.sort not in SORT_KEYS:
            errors["sort"] = "Unknown sort order."
        if self.therapist_id is not None and (type(self.therapist_id) is not int or self.therapist_id < 1):
            errors["therapist_id"] = "Unknown therapist."
        if type(self.page) is not int or not 0 <= self.page <= 100_000:
            errors["page"] = "Unknown page."
        if type(self.page_size) is not int or not 1 <= self.page_size <= 200:
            errors["page_size"] = "Page size must be between 1 and 200."
        if errors:
            raise ValidationError(errors)
        self.search = self.search.strip()
        return self


@dataclass
class RosterRow:
    client_id: int
    name: str
    therapist: str
    status: str
    admission_date: date
    week: int
    last_checkin: date | None = None
    mood_avg7: float | None = None
    mood_change: float | None = None  # this 7 days minus the 7 before
    craving_avg7: float | None = None
    craving_change: float | None = None
    attended_14: int = 0
    recorded_14: int = 0
    missed_14: int = 0
    attendance_rate: float | None = None  # 0..1, None without roll-call rows
    hours_week: float = 0.0
    hours_target: float = 9.0
    next_review: date | None = None
    review_overdue: bool = False
    flags: list[str] = field(default_factory=list)


@dataclass
class RosterPage:
    rows: list[RosterRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def direction(change: float | None) -> str:
    if change is None:
        return ""
    if change >= 0.5:
        return "up"
    if change <= -0.5:
        return "down"
    return "steady"


def _check_staff(session: Session, actor: User, what: str) -> None:
    if not actor.active or actor.role not in ("therapist", "director"):
        audit.record_now(session, actor, what, outcome="denied", detail=f"role {actor.role}")
        raise PermissionDenied()


def _base_query(actor: User, today: date, query: RosterQuery):
    """(client id, name, therapist name, status, admission, discharge) of matching clients."""
    person = aliased(User)
    therapist = aliased(User)
    stmt = (
        select(Client.id, person.full_name, therapist.full_name, Client.status, Client.admission_date,
               Client.discharge_date)
        .join(person, person.id == Client.user_id)
        .outerjoin(therapist, therapist.id == Client.primary_therapist_id)
    )
    condition = visible_clients_condition(actor, today)
    if condition is not None:
        stmt = stmt.where(condition)
    if query.search:
        needle = query.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(func.lower(person.full_name).like(f"%{needle}%", escape="\\"))
    if query.therapist_id is not None:
        stmt = stmt.where(Client.primary_therapist_id == query.therapist_id)
    if query.status == "current":
        stmt = stmt.where(col(Client.status).in_(("intake", "active")))
    elif query.status != "all":
        stmt = stmt.where(Client.status == query.status)
    return stmt, person, therapist


def _sql_order(stmt, query: RosterQuery, person, therapist):
    key = {
        "name": func.lower(person.full_name),
        "admission": Client.admission_date,
        "status": Client.status,
        "therapist": func.lower(func.coalesce(therapist.full_name, "")),
    }[query.sort]
    key = key.desc() if query.descending else key.asc()
    return stmt.order_by(key, func.lower(person.full_name), Client.id)


def figures(session: Session, base_rows, today: date) -> list[RosterRow]:
    """RosterRows with every figure for the given (already permitted) base rows."""
    rows = {
        cid: RosterRow(client_id=cid, name=name, therapist=therapist or "", status=status,
                       admission_date=admitted,
                       week=((min(today, discharged) if discharged else today) - admitted).days // 7 + 1)
        for cid, name, therapist, status, admitted, discharged in base_rows
    }
    if not rows:
        return []
    ids = list(rows)
    last7, first14 = today - timedelta(days=6), today - timedelta(days=13)

    for cid, last in session.execute(
        select(MoodEntry.client_id, func.max(MoodEntry.day))
        .where(col(MoodEntry.client_id).in_(ids), MoodEntry.day <= today)
        .group_by(MoodEntry.client_id)
    ):
        rows[cid].last_checkin = last

    recent = MoodEntry.day >= last7
    earlier = MoodEntry.day < last7
    for cid, mood7, mood_prev, craving7, craving_prev, craving_max, used in session.execute(
        select(
            MoodEntry.client_id,
            func.avg(case((recent, MoodEntry.mood))),
            func.avg(case((earlier, MoodEntry.mood))),
            func.avg(case((recent, MoodEntry.craving))),
            func.avg(case((earlier, MoodEntry.craving))),
            func.max(case((recent, MoodEntry.craving))),
            func.max(case((and_(recent, MoodEntry.used_substance), 1), else_=0)),
        )
        .where(col(MoodEntry.client_id).in_(ids), MoodEntry.day >= first14, MoodEntry.day <= today)
        .group_by(MoodEntry.client_id)
    ):
        row = rows[cid]
        row.mood_avg7 = round(mood7, 1) if mood7 is not None else None
        row.craving_avg7 = round(craving7, 1) if craving7 is not None else None
        if mood7 is not None and mood_prev is not None:
            row.mood_change = round(mood7 - mood_prev, 1)
        if craving7 is not None and craving_prev is not None:
            row.craving_change = round(craving7 - craving_prev, 1)
        if (craving_max is not None and craving_max >= 8) or used:
            row.flags.append(FLAG_CRAVING)

    tz = program.program_tz(session)
    start_utc = program.to_utc(datetime.combine(first14, time.min), tz)
    end_utc = program.to_utc(datetime.combine(today + timedelta(days=1), time.min), tz)
    for cid, recorded, attended, missed in session.execute(
        select(
            Attendance.client_id,
            func.count(),
            func.sum(case((col(Attendance.status).in_(ATTENDED), 1), else_=0)),
            func.sum(case((col(Attendance.status).in_(MISSED), 1), else_=0)),
        )
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(col(Attendance.client_id).in_(ids), GroupSession.starts_at >= start_utc,
               GroupSession.starts_at < end_utc, col(GroupSession.cancelled).is_(False))
        .group_by(Attendance.client_id)
    ):
        row = rows[cid]
        row.recorded_14, row.attended_14, row.missed_14 = recorded, attended or 0, missed or 0
        row.attendance_rate = round(row.attended_14 / recorded, 3) if recorded else None

    target = program.weekly_hours_target(session)
    week_hours = hours.hours_this_week(session, ids, today)
    for cid, row in rows.items():
        row.hours_week = week_hours.get(cid, 0.0)
        row.hours_target = target

    last_reviews = dict(session.execute(
        select(PlanReview.client_id, func.max(PlanReview.reviewed_on))
        .where(col(PlanReview.client_id).in_(ids)).group_by(PlanReview.client_id)
    ).all())
    for cid, row in rows.items():
        last = last_reviews.get(cid)
        row.next_review = (last or row.admission_date) + timedelta(days=REVIEW_INTERVAL_DAYS)
        active = row.status != "discharged"
        row.review_overdue = active and row.next_review < today
        if not active:
            row.flags = []
            continue
        quiet_since = row.last_checkin or (row.admission_date - timedelta(days=1))
        flags = []
        if (today - quiet_since).days >= 3:
            flags.append(FLAG_QUIET)
        flags.extend(row.flags)
        if row.missed_14 >= 2:
            flags.append(FLAG_MISSED)
        row.flags = flags
    return [rows[cid] for cid in ids]


def _figure_sort_key(sort: str):
    """Sort keys for figure columns; missing values always sort last."""
    def key(row: RosterRow):
        value = {
            "last_checkin": row.last_checkin.toordinal() if row.last_checkin else None,
            "mood": row.mood_avg7,
            "craving": row.craving_avg7,
            "attendance": row.attendance_rate,
            "hours": row.hours_week,
            "review": row.next_review.toordinal() if row.next_review else None,
            "flags": len(row.flags),
        }[sort]
        return value
    return key


def _all_rows(session: Session, actor: User, query: RosterQuery, today: date) -> list[RosterRow]:
    stmt, person, therapist = _base_query(actor, today, query)
    stmt = _sql_order(stmt, RosterQuery(sort="name"), person, therapist)
    rows = figures(session, session.execute(stmt).all(), today)
    if query.flagged_only:
        rows = [r for r in rows if r.flags]
    if query.sort in FIGURE_SORTS:
        key = _figure_sort_key(query.sort)
        present = [r for r in rows if key(r) is not None]
        missing = [r for r in rows if key(r) is None]
        present.sort(key=key, reverse=query.descending)  # stable: ties stay in name order
        rows = present + missing
    elif query.sort != "name" or query.descending:
        # flagged_only with an SQL sort: order in Python the same way SQL would
        if query.sort == "name":
            rows.sort(key=lambda r: (r.name.lower(), r.client_id), reverse=query.descending)
        else:
            attr = {"admission": "admission_date", "status": "status", "therapist": "therapist"}[query.sort]
            rows.sort(key=lambda r: (getattr(r, attr).lower() if isinstance(getattr(r, attr), str)
                                     else getattr(r, attr)), reverse=query.descending)
    return rows


def roster_page(session: Session, actor: User, query: RosterQuery, today: date | None = None) -> RosterPage:
    """One page of the roster, with the number of clients that matched."""
    _check_staff(session, actor, "roster.view")
    query = query.checked()
    today = today or program.local_today(session)
    if query.sort in SQL_SORTS and not query.flagged_only:
        stmt, person, therapist = _base_query(actor, today, query)
        total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
        page = min(query.page, max(0, (total - 1) // query.page_size))
        stmt = _sql_order(stmt, query, person, therapist).offset(page * query.page_size).limit(query.page_size)
        rows = figures(session, session.execute(stmt).all(), today)
    else:
        every = _all_rows(session, actor, query, today)
        total = len(every)
        page = min(query.page, max(0, (total - 1) // query.page_size))
        rows = every[page * query.page_size:(page + 1) * query.page_size]
    # Staff reads are logged: one event per roster page viewed (no client id: many clients).
    audit.record_now(session, actor, "roster.view", outcome="allowed",
                     detail=f"page {page + 1}: {len(rows)} of {total} clients")
    return RosterPage(rows=rows, total=total, page=page, page_size=query.page_size)


def all_rows(session: Session, actor: User, query: RosterQuery, today: date | None = None) -> list[RosterRow]:
    """Every matching row (no paging), in the query's order: for exports and reports."""
    _check_staff(session, actor, "roster.view")
    query = query.checked()
    return _all_rows(session, actor, query, today or program.local_today(session))


CSV_COLUMNS = {
    "client_id": "Client id", "name": "Name", "therapist": "Primary therapist", "status": "Status",
    "admission_date": "Admitted", "week": "Week in program", "last_checkin": "Last check-in",
    "mood_avg7": "Mood 7-day avg", "mood_change": "Mood change", "craving_avg7": "Craving 7-day avg",
    "craving_change": "Craving change", "attended_14": "Sessions attended (14 days)",
    "recorded_14": "Sessions with roll call (14 days)", "attendance_rate": "Attendance rate (14 days)",
    "hours_week": "Hours this week", "hours_target": "Weekly target", "next_review": "Next plan review",
    "review_overdue": "Review overdue", "flags": "Flags",
}


def roster_csv(session: Session, actor: User, query: RosterQuery, today: date | None = None) -> str:
    """The whole matching roster as CSV (pandas). The export is audited."""
    rows = all_rows(session, actor, query, today)
    frame = pd.DataFrame([asdict(r) for r in rows], columns=list(CSV_COLUMNS))
    frame["flags"] = frame["flags"].map(lambda f: "; ".join(f) if isinstance(f, list) else "")
    frame = frame.drop(columns=["missed_14"], errors="ignore").rename(columns=CSV_COLUMNS)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    audit.record_now(session, actor, "roster.export", outcome="success", detail=f"{len(rows)} clients")
    return buffer.getvalue()


def therapist_options(session: Session, actor: User) -> list[tuple[int, str]]:
    """Therapists the director may filter by (a therapist gets only themself)."""
    _check_staff(session, actor, "roster.view")
    if actor.role != "director":
        return [(actor.id, actor.full_name)]
    rows = session.execute(
        select(User.id, User.full_name).where(User.role == "therapist", col(User.active).is_(True))
        .order_by(User.full_name)
    ).all()
    return [(uid, name) for uid, name in rows]


__all__ = [
    "FLAGS", "PAGE_SIZE", "RosterPage", "RosterQuery", "RosterRow", "all_rows", "direction", "figures",
    "roster_csv", "roster_page", "therapist_options",
]
