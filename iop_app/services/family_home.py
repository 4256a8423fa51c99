"""The family member's home page: for each client whose consent in force names
them, the family sessions and (if the consent's scope says so) a summary of
progress in counts only. Every client shown is a disclosure, recorded here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from ..models import Attendance, Client, FamilySession, Goal, GroupSession, User, utcnow
from ..models.enums import ATTENDED, ConsentScope
from . import audit, family, hours, permissions, program
from .errors import PermissionDenied
from .family_sessions import RECENT, SessionView, ordered, session_views


@dataclass(frozen=True)
class ProgressSummary:
    week_in_program: int
    hours_this_week: float
    weekly_target: float
    groups_attended_28d: int
    groups_recorded_28d: int
    family_sessions_attended: int
    goals_active: int
    goals_achieved: int


@dataclass(frozen=True)
class FamilyClientView:
    client_id: int
    name: str
    relationship: str
    scope_label: str
    sessions: list[SessionView]
    progress: ProgressSummary | None


def progress_summary(session: Session, client: Client) -> ProgressSummary:
    """Attendance and a summary of progress, no notes: counts only."""
    today = program.local_today(session)
    tz = program.program_tz(session)
    since, _ = program.local_day_bounds_utc(today - timedelta(days=27), tz)
    _, until = program.local_day_bounds_utc(today, tz)
    att = session.exec(
        select(Attendance.status, func.count())
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(Attendance.client_id == client.id, GroupSession.starts_at >= since, GroupSession.starts_at < until)
        .group_by(Attendance.status)
    ).all()
    counts = dict(att)
    attended = sum(counts.get(s, 0) for s in ATTENDED)
    goals = dict(session.exec(
        select(Goal.status, func.count()).where(Goal.client_id == client.id).group_by(Goal.status)
    ).all())
    fam_done = session.exec(
        select(func.count()).select_from(FamilySession).where(
            FamilySession.client_id == client.id, FamilySession.status == "completed")
    ).one()
    return ProgressSummary(
        week_in_program=max(1, (today - client.admission_date).days // 7 + 1),
        hours_this_week=hours.hours_this_week(session, [client.id], today).get(client.id, 0.0),
        weekly_target=program.weekly_hours_target(session),
        groups_attended_28d=attended,
        groups_recorded_28d=sum(counts.values()),
        family_sessions_attended=fam_done,
        goals_active=goals.get("active", 0),
        goals_achieved=goals.get("achieved", 0),
    )


def family_home(session: Session, actor: User) -> list[FamilyClientView]:
    """What this family member may see, per client whose consent in force names
    them; every client shown is a disclosure, recorded here. Nothing at all
    without a consent in force."""
    if actor is None or not actor.is_family:
        audit.record_now(session, actor, "family.home", outcome="denied", detail="family only")
        raise PermissionDenied()
    since = utcnow() - RECENT
    # Every permission check (each audited in its own transaction) comes before
    # the disclosures are added, so SQLite never sees two writers at once.
    allowed = []
    for cc in family.consenting_clients(session, actor):
        client = permissions.require(session, actor, permissions.FAMILY_SCHEDULE, cc.client_id, what="family.home")
        if cc.may_see_progress:
            permissions.require(session, actor, permissions.FAMILY_PROGRESS, client.id, what="family.progress")
        allowed.append((cc, client))
    result = []
    for cc, client in allowed:
        statuses = ["proposed", "booked", "cancelled"] + (["completed"] if cc.may_see_progress else [])
        rows = session.exec(ordered(select(FamilySession).where(
            FamilySession.client_id == client.id,
            col(FamilySession.status).in_(statuses),
            or_(col(FamilySession.status).in_(("proposed", "booked")), FamilySession.updated_at >= since),
        ))).all()
        sessions = session_views(session, list(rows), for_family=True)
        progress = progress_summary(session, client) if cc.may_see_progress else None
        result.append(FamilyClientView(client.id, cc.name, cc.relationship,
                                       ConsentScope.label_of(cc.consent.scope), sessions, progress))
    for cc, client in allowed:
        family.record_disclosure(session, actor, client.id, cc.consent,
                                 "Family portal: name, family sessions and proposed times")
        if cc.may_see_progress:
            family.record_disclosure(session, actor, client.id, cc.consent,
                                     "Family portal: attendance and progress summary")
    session.commit()
    return result
