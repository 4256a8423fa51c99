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
- next plan review = the review date of the treatment plan in force
  (services/plans.due_date); with no plan in force, the first plan is due
  `first_plan_days` (a program setting) after admission;
- flags (not for discharged clients):
  * "no check-in 3+ days": today - (last check-in, or the day before admission
    when there is none) >= 3 days,
  * "craving 8+ or use": a check-in in the last 7 days with craving >= 8 or
    reported substance use,
  * "2+ missed sessions": 2 or more excused or unexcused absences in the last 14 days,
  * "intake not signed": the client is still in intake status (only signing the
    intake makes them active, services/intake.py); the page adds the days since admission.
  * "notes overdue": a draft progress note of a service that ended more than
    notes_overdue_hours (a program setting) ago.
  * "screen: unexpected positive or missed": in the last 14 program days a missed or
    refused screen, or a positive no expected medication explains that the lab has
    not refuted (services/screens.flag_condition).
  * "referral step overdue": a referral of the client whose next step is past its
    due day (services/referrals.py: reply, appointment, outcome, closing).
  * for discharged clients (issue #13), "follow-up missed": a follow-up contact with
    no outcome more than follow_ups.MISSED_AFTER_DAYS days after it was due.

One statement per view: the matching clients (counted) and one grouped subquery
per figure, joined. Sorting by name, admission date, status or therapist pages in
SQL and computes figures for that page only; sorting by a figure or showing
flagged clients only computes the figures for every matching client (the same
statement without LIMIT) and sorts in Python.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import pandas as pd
from sqlalchemy import Date, Integer, String, and_, bindparam, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ..models import Attendance, Client, FollowUp, GroupSession, MoodEntry, ProgressNote, TreatmentPlan, User, utcnow
from ..models.enums import ATTENDED, MISSED, ClientStatus, PlanStatus, RecordStatus
from . import accounts, audit, follow_ups, hours, permissions, plans, program, referrals, screens
from .errors import ValidationError
from .ids import moment_param
from .permissions import caseload_condition_sql

PAGE_SIZE = 25
STATUS_FILTERS = ("current", "all", "intake", "active", "discharged")
SQL_SORTS = ("name", "admission", "status", "therapist")
FIGURE_SORTS = ("last_checkin", "mood", "craving", "attendance", "hours", "review", "flags")
SORT_KEYS = SQL_SORTS + FIGURE_SORTS
FLAG_QUIET = "no check-in 3+ days"
FLAG_CRAVING = "craving 8+ or use"
FLAG_MISSED = "2+ missed sessions"
FLAG_INTAKE = "intake not signed"
FLAG_NOTES = "notes overdue"
FLAG_SCREEN = "screen: unexpected positive or missed"
FLAG_FOLLOW_UP = "follow-up missed"
FLAG_REFERRAL = "referral step overdue"
FLAGS = (FLAG_QUIET, FLAG_CRAVING, FLAG_MISSED, FLAG_INTAKE, FLAG_NOTES, FLAG_SCREEN, FLAG_FOLLOW_UP,
         FLAG_REFERRAL)


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


# ------------------------------------------------------------------ the statement
# The roster is one SQL statement: the page of matching clients (with the number
# that matched) and, joined to it, one grouped subquery per figure, each limited to
# the page's clients. Statements are built once per shape of query (who is looking,
# which filters, which order) with every value a bound parameter, so a page view
# only binds values and runs it (no per-view statement building or compiling).

_DAY = Date()
P_TODAY = bindparam("today", type_=_DAY)
P_LAST7 = bindparam("last7", type_=_DAY)  # first day of the last 7
P_FIRST14 = bindparam("first14", type_=_DAY)  # first day of the last 14
P_START14 = moment_param("start14_utc")
P_END = moment_param("end_utc")  # the end of today
P_WEEK_START = moment_param("week_start_utc")
P_WEEK_END = moment_param("week_end_utc")
P_NOTES_DUE = moment_param("notes_due_utc")  # a draft of a service that ended before this is overdue
P_ACTOR = bindparam("actor_id", type_=Integer())
P_THERAPIST = bindparam("therapist_id", type_=Integer())
P_NEEDLE = bindparam("needle", type_=String())
P_STATUS = bindparam("status", type_=String())
P_LIMIT = bindparam("limit", type_=Integer())
P_OFFSET = bindparam("offset", type_=Integer())
P_MISSED_BEFORE = bindparam("missed_before", type_=_DAY)  # a follow-up due before this day without outcome


@dataclass(frozen=True)
class _Shape:
    """What decides the SQL text of a roster statement (values are parameters)."""

    caseload_only: bool  # a therapist: only their caseload; the director: everyone
    search: bool
    therapist: bool
    status: str  # "current", "all" or "one"
    sort: str  # one of SQL_SORTS
    descending: bool
    paged: bool

    @classmethod
    def of(cls, actor: User, query: RosterQuery, paged: bool) -> _Shape:
        return cls(caseload_only=not actor.is_director, search=bool(query.search),
                   therapist=query.therapist_id is not None,
                   status=query.status if query.status in ("current", "all") else "one",
                   sort=query.sort if paged else "name", descending=query.descending and paged, paged=paged)


def _parameters(session: Session, actor: User, query: RosterQuery, today: date, page: int) -> dict:
    tz = program.program_tz(session)
    week = program.week_start(today)

    def start_of(day: date) -> datetime:
        return program.to_utc(datetime.combine(day, time.min), tz)

    values = dict(today=today, last7=today - timedelta(days=6), first14=today - timedelta(days=13),
                  start14_utc=start_of(today - timedelta(days=13)), end_utc=start_of(today + timedelta(days=1)),
                  week_start_utc=start_of(week), week_end_utc=start_of(week + timedelta(days=7)),
                  actor_id=actor.id, limit=query.page_size, offset=page * query.page_size,
                  notes_due_utc=utcnow() - timedelta(hours=program.whole_number(session, "notes_overdue_hours")),
                  missed_before=today - timedelta(days=follow_ups.MISSED_AFTER_DAYS))
    if query.search:
        escaped = query.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        values["needle"] = f"%{escaped}%"
    if query.therapist_id is not None:
        values["therapist_id"] = query.therapist_id
    if query.status not in ("current", "all"):
        values["status"] = query.status
    return values


def _matching(shape: _Shape):
    """(select of the matching clients' base columns, the chosen sort's expression,
    the full ORDER BY)."""
    person = aliased(User)
    therapist = aliased(User)
    stmt = (
        select(Client.id.label("client_id"), person.full_name.label("name"), therapist.full_name.label("therapist"),
               Client.status.label("status"), Client.admission_date.label("admission_date"),
               Client.discharge_date.label("discharge_date"))
        .join(person, person.id == Client.user_id)
        .outerjoin(therapist, therapist.id == Client.primary_therapist_id)
    )
    if shape.caseload_only:
        stmt = stmt.where(caseload_condition_sql(P_ACTOR, P_TODAY))
    if shape.search:
        stmt = stmt.where(func.lower(person.full_name).like(P_NEEDLE, escape="\\"))
    if shape.therapist:
        stmt = stmt.where(Client.primary_therapist_id == P_THERAPIST)
    if shape.status == "current":
        stmt = stmt.where(col(Client.status).in_(("intake", "active")))
    elif shape.status == "one":
        stmt = stmt.where(Client.status == P_STATUS)
    key = {
        "name": func.lower(person.full_name),
        "admission": Client.admission_date,
        "status": Client.status,
        "therapist": func.lower(func.coalesce(therapist.full_name, "")),
    }[shape.sort]
    return stmt, key, _order(shape, key, person.full_name, Client.id)


def _order(shape: _Shape, key, name, client_id) -> list:
    """ORDER BY the chosen key, then name and id (a stable order for paging)."""
    return [key.desc() if shape.descending else key.asc(), func.lower(name), client_id]


@lru_cache(maxsize=128)
def _count_statement(shape: _Shape):
    stmt, _, _ = _matching(shape)
    return select(func.count()).select_from(stmt.subquery())


@lru_cache(maxsize=128)
def _roster_statement(shape: _Shape):
    matching, key, order = _matching(shape)
    # The count is a separate uncorrelated subquery (run once): a COUNT(*) OVER ()
    # window would make the database sort every match instead of keeping a top-N.
    total = select(func.count()).select_from(matching.subquery()).scalar_subquery()
    page = matching.add_columns(key.label("sort_key"))
    if shape.paged:
        page = page.order_by(*order).limit(P_LIMIT).offset(P_OFFSET)
    page = page.cte("roster_page")
    ids = select(page.c.client_id)

    # Latest rows are correlated lookups: one index seek per client, where a grouped
    # MAX would read every check-in each client ever made.
    last_checkin = (
        select(func.max(MoodEntry.day))
        .where(MoodEntry.client_id == page.c.client_id, MoodEntry.day <= P_TODAY)
        .scalar_subquery()
    )
    # The plan in force: the one signed version (older ones are superseded).
    plan_due = (
        select(func.max(TreatmentPlan.review_due_on))
        .where(TreatmentPlan.client_id == page.c.client_id, TreatmentPlan.status == PlanStatus.SIGNED)
        .scalar_subquery()
    )
    notes_overdue = (
        select(func.count()).where(ProgressNote.client_id == page.c.client_id,
                                   ProgressNote.status == RecordStatus.DRAFT, ProgressNote.ends_at < P_NOTES_DUE)
        .scalar_subquery()
    )
    recent, earlier = MoodEntry.day >= P_LAST7, MoodEntry.day < P_LAST7
    scores = (
        select(
            MoodEntry.client_id,
            func.avg(case((recent, MoodEntry.mood))).label("mood7"),
            func.avg(case((earlier, MoodEntry.mood))).label("mood_before"),
            func.avg(case((recent, MoodEntry.craving))).label("craving7"),
            func.avg(case((earlier, MoodEntry.craving))).label("craving_before"),
            func.max(case((recent, MoodEntry.craving))).label("craving_max"),
            func.max(case((and_(recent, MoodEntry.used_substance), 1), else_=0)).label("used"),
        )
        .where(col(MoodEntry.client_id).in_(ids), MoodEntry.day >= P_FIRST14, MoodEntry.day <= P_TODAY)
        .group_by(MoodEntry.client_id).subquery("scores")
    )
    attendance = (
        select(
            Attendance.client_id,
            func.count().label("recorded"),
            func.sum(case((col(Attendance.status).in_(ATTENDED), 1), else_=0)).label("attended"),
            func.sum(case((col(Attendance.status).in_(MISSED), 1), else_=0)).label("missed"),
        )
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(col(Attendance.client_id).in_(ids), GroupSession.starts_at >= P_START14,
               GroupSession.starts_at < P_END, col(GroupSession.cancelled).is_(False))
        .group_by(Attendance.client_id).subquery("attendance")
    )
    week = hours.minutes_by_client_query(P_WEEK_START, P_WEEK_END, ids).subquery("week")
    screen_flag = screens.flag_condition(page.c.client_id, P_START14)  # FLAG_DAYS = the last 14 days
    missed_follow_ups = (
        select(func.count()).select_from(FollowUp)
        .where(FollowUp.client_id == page.c.client_id, col(FollowUp.contacted_at).is_(None),
               FollowUp.due_on < P_MISSED_BEFORE)
        .scalar_subquery()
    )
    return (
        select(page.c.client_id, page.c.name, page.c.therapist, page.c.status, page.c.admission_date,
               page.c.discharge_date, total.label("total"), last_checkin.label("last_checkin"), scores.c.mood7,
               scores.c.mood_before, scores.c.craving7, scores.c.craving_before, scores.c.craving_max, scores.c.used,
               attendance.c.recorded, attendance.c.attended, attendance.c.missed, week.c.minutes,
               plan_due.label("plan_due"), notes_overdue.label("notes_overdue"), screen_flag.label("screen_flag"),
               missed_follow_ups.label("missed_follow_ups"),
               referrals.overdue_referrals_sql(page.c.client_id, P_TODAY).label("referrals_overdue"))
        .select_from(page)
        .outerjoin(scores, scores.c.client_id == page.c.client_id)
        .outerjoin(attendance, attendance.c.client_id == page.c.client_id)
        .outerjoin(week, week.c.client_id == page.c.client_id)
        .order_by(*_order(shape, page.c.sort_key, page.c.name, page.c.client_id))
    )


def _round1(value) -> float | None:
    return round(value, 1) if value is not None else None


def _roster_row(result, today: date, target: float, first_plan_days: int) -> RosterRow:
    (cid, name, therapist, status, admitted, discharged, _total, last, mood7, mood_before, craving7, craving_before,
     craving_max, used, recorded, attended, missed, minutes, plan_due, notes_overdue, screen_flag,
     missed_follow_ups, referrals_overdue) = result
    row = RosterRow(
        client_id=cid, name=name, therapist=therapist or "", status=status, admission_date=admitted,
        week=((min(today, discharged) if discharged else today) - admitted).days // 7 + 1,
        last_checkin=last, mood_avg7=_round1(mood7), craving_avg7=_round1(craving7),
        mood_change=round(mood7 - mood_before, 1) if mood7 is not None and mood_before is not None else None,
        craving_change=(round(craving7 - craving_before, 1)
                        if craving7 is not None and craving_before is not None else None),
        recorded_14=recorded or 0, attended_14=attended or 0, missed_14=missed or 0,
        hours_week=round((minutes or 0) / 60, 2), hours_target=target,
        next_review=plans.due_date(plan_due, admitted, first_plan_days),
    )
    row.attendance_rate = round(row.attended_14 / row.recorded_14, 3) if row.recorded_14 else None
    if status == "discharged":
        if missed_follow_ups:
            row.flags.append(FLAG_FOLLOW_UP)
        return row
    row.review_overdue = row.next_review < today
    quiet_since = last or (admitted - timedelta(days=1))
    if (today - quiet_since).days >= 3:
        row.flags.append(FLAG_QUIET)
    if (craving_max is not None and craving_max >= 8) or used:
        row.flags.append(FLAG_CRAVING)
    if row.missed_14 >= 2:
        row.flags.append(FLAG_MISSED)
    if status == ClientStatus.INTAKE:
        row.flags.append(FLAG_INTAKE)
    if notes_overdue:
        row.flags.append(FLAG_NOTES)
    if screen_flag:
        row.flags.append(FLAG_SCREEN)
    if referrals_overdue:
        row.flags.append(FLAG_REFERRAL)
    return row


def _run(session: Session, actor: User, query: RosterQuery, today: date, paged: bool,
         page: int = 0) -> tuple[list[RosterRow], int]:
    """(rows with every figure, number of clients that matched) in one statement."""
    values = _parameters(session, actor, query, today, page)
    result = session.connection().execute(_roster_statement(_Shape.of(actor, query, paged)), values).all()
    target = program.weekly_hours_target(session)
    first_plan_days = program.whole_number(session, "first_plan_days")
    return [_roster_row(r, today, target, first_plan_days) for r in result], (result[0].total if result else 0)


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
    rows, _ = _run(session, actor, query, today, paged=False)  # in name order
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
    permissions.require_staff(session, actor, "roster.view")
    query = query.checked()
    today = today or program.local_today(session)
    if query.sort in SQL_SORTS and not query.flagged_only:
        page = query.page
        rows, total = _run(session, actor, query, today, paged=True, page=page)
        if not rows and page > 0:  # past the end (the roster shrank): show the last page
            shape = _Shape.of(actor, query, paged=True)
            total = session.connection().execute(
                _count_statement(shape), _parameters(session, actor, query, today, 0)).scalar_one()
            page = max(0, (total - 1) // query.page_size)
            rows, total = _run(session, actor, query, today, paged=True, page=page)
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
    permissions.require_staff(session, actor, "roster.view")
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
    permissions.require_staff(session, actor, "roster.view")
    if not actor.is_director:
        return [(actor.id, actor.full_name)]
    return accounts.therapists(session)


__all__ = [
    "FLAGS", "PAGE_SIZE", "RosterPage", "RosterQuery", "RosterRow", "all_rows", "direction",
    "roster_csv", "roster_page", "therapist_options",
]
