"""Builders the note tests share: a signed treatment plan with objectives made with
the models directly (plans have their own services and tests), and a group
session with members."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from iop_app.models import (
    Attendance,
    GroupMembership,
    GroupSession,
    PlanGoal,
    PlanObjective,
    PlanProblem,
    TherapyGroup,
    TreatmentPlan,
    User,
    utcnow,
)
from iop_app.models.enums import AsamDimension, PlanStatus
from iop_app.services import program


def signed_plan(session: Session, client, therapist: User, objectives=("Use a coping skill daily",),
                number: int = 1, previous_id: int | None = None) -> tuple[TreatmentPlan, list[PlanObjective]]:
    """A signed plan version with one problem, one goal and the given objectives."""
    plan = TreatmentPlan(client_id=client.id, number=number, previous_id=previous_id, status=PlanStatus.SIGNED,
                         effective_on=program.local_today(session), created_by=therapist.id,
                         therapist_signed_by=therapist.id, therapist_signed_at=utcnow(),
                         therapist_signature=therapist.full_name, client_signed_at=utcnow(),
                         client_signature="Client")
    session.add(plan)
    session.flush()
    problem = PlanProblem(plan_id=plan.id, statement="Cravings after work", dimension=AsamDimension.RELAPSE)
    session.add(problem)
    session.flush()
    goal = PlanGoal(problem_id=problem.id, statement="I want to get through evenings sober")
    session.add(goal)
    session.flush()
    rows = []
    for pos, text in enumerate(objectives):
        row = PlanObjective(goal_id=goal.id, position=pos, statement=text,
                            target_date=program.local_today(session) + timedelta(days=30))
        session.add(row)
        rows.append(row)
    session.commit()
    return plan, rows


def group_with_session(session: Session, facilitator: User, clients, day: date | None = None,
                       minutes: int = 90) -> tuple[TherapyGroup, GroupSession]:
    day = day or program.local_today(session)
    group = TherapyGroup(name="Evening Skills", group_type="skills_development", facilitator_id=facilitator.id,
                         weekdays="1,2,3,4,5", start_time=time(6, 0), duration_minutes=minutes,
                         start_date=day - timedelta(days=60))
    session.add(group)
    session.flush()
    for client in clients:
        session.add(GroupMembership(group_id=group.id, client_id=client.id, joined_on=day - timedelta(days=30)))
    starts = program.to_utc(datetime.combine(day, time(6, 0)), program.program_tz(session))
    meeting = GroupSession(group_id=group.id, starts_at=starts, duration_minutes=minutes, topic="Urge surfing")
    session.add(meeting)
    session.commit()
    return group, meeting


def mark(session: Session, meeting: GroupSession, client, status: str, minutes: int, by: User) -> None:
    session.add(Attendance(session_id=meeting.id, client_id=client.id, status=status, minutes=minutes,
                           recorded_by=by.id))
    session.commit()


def document_all(session: Session) -> int:
    """Give every delivered service without a note a signed one (rows made directly):
    for tests about hours, which count only documented services. Returns how many."""
    from sqlalchemy import select

    from iop_app.models import FamilySession, GroupNote, IndividualSession, ProgressNote
    from iop_app.models.enums import ATTENDED

    tz = program.program_tz(session)
    now = utcnow()
    made = 0

    def note(client_id, author_id, kind, starts, minutes, **links):
        nonlocal made
        made += 1
        session.add(ProgressNote(client_id=client_id, author_id=author_id, service_type=kind, status="signed",
                                 service_date=program.to_local(starts, tz).date(), starts_at=starts,
                                 ends_at=starts + timedelta(minutes=max(1, minutes)), minutes=minutes,
                                 sections={"data": "documented"}, signed_by=author_id, signed_at=now, **links))

    for meeting, group in session.execute(select(GroupSession, TherapyGroup)
                                          .join(TherapyGroup, TherapyGroup.id == GroupSession.group_id)).all():
        rows = session.execute(select(Attendance).where(Attendance.session_id == meeting.id,
                                                        Attendance.status.in_(ATTENDED))).scalars().all()
        if not rows:
            continue
        shared = session.execute(select(GroupNote).where(GroupNote.group_session_id == meeting.id)).scalars().first()
        if shared is None:
            shared = GroupNote(group_session_id=meeting.id, author_id=group.facilitator_id, status="signed",
                               shared="documented", signed_by=group.facilitator_id, signed_at=now)
            session.add(shared)
            session.flush()
        noted = set(session.execute(select(ProgressNote.client_id)
                                    .where(ProgressNote.group_note_id == shared.id)).scalars())
        for row in rows:
            if row.client_id not in noted:
                note(row.client_id, group.facilitator_id, "group", meeting.starts_at, row.minutes,
                     group_note_id=shared.id)
    noted = set(session.execute(select(ProgressNote.individual_session_id)).scalars())
    for visit in session.execute(select(IndividualSession).where(IndividualSession.status == "attended")).scalars():
        if visit.id not in noted:
            note(visit.client_id, visit.therapist_id, "individual", visit.starts_at, visit.minutes_attended,
                 individual_session_id=visit.id)
    noted = set(session.execute(select(ProgressNote.family_session_id)).scalars())
    for held in session.execute(select(FamilySession).where(FamilySession.status == "completed")).scalars():
        if held.id not in noted and held.starts_at is not None:
            note(held.client_id, held.therapist_id, "family", held.starts_at, held.minutes_attended,
                 family_session_id=held.id)
    session.commit()
    return made
