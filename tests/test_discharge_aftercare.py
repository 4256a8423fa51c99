"""Discharge with an aftercare plan (issue #13, section 4): what discharge ends and
starts (memberships, sessions, consents, follow-ups, alumni portal), the discharge
summary (due date, goals of the plan in force, signing locks it, the PDF), and who
may do each of it (family members never, whatever their consent)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import select

from iop_app.models import (
    AuditEvent,
    Client,
    Discharge,
    DischargeGoal,
    FamilySession,
    FollowUp,
    GroupMembership,
    IndividualSession,
    MeasureResponse,
    SlotProposal,
    TherapyGroup,
    User,
    utcnow,
)
from iop_app.services import auth, discharge, discharge_pdf, follow_ups, program
from iop_app.services.errors import PermissionDenied, ServiceError, StaleEdit, ValidationError
from tests.helpers import TEST_PASSWORD
from tests.test_plans import signed_plan


@pytest.fixture
def team(factory):
    return make_team(factory)


def make_team(factory):
    therapist = factory.user("therapist", name="Maria Lopez")
    director = factory.user("director", name="Dana Director")
    client = factory.client(therapist, name="Alex Rivera", admitted_days_ago=60)
    return dict(therapist=therapist, director=director, client=client, client_user=factory.client_user(client),
                other=factory.user("therapist", name="Olive Other"), family=factory.family(client))


def today(session):
    return program.local_today(session)


def at(session, day, hour=10):
    return program.to_utc(datetime.combine(day, time(hour)), program.program_tz(session))


def discharge_now(session, team, *, kind="completed", on=None, actor=None):
    return discharge.discharge_client(session, actor or team["therapist"], team["client"].id,
                                      on=on or today(session), note="Completed all phases.", discharge_type=kind)


def record(session, client_id) -> Discharge:
    session.expire_all()
    return session.exec(select(Discharge).where(Discharge.client_id == client_id)).one()


# ------------------------------------------------------------------ effects
def test_discharge_ends_memberships_and_upcoming_sessions(session, team, factory):
    cid, day = team["client"].id, today(session)
    group = TherapyGroup(name="Process", group_type="process", facilitator_id=team["other"].id, weekdays="1,3",
                         start_time=time(18), start_date=day - timedelta(days=90))
    session.add(group)
    session.flush()
    current = GroupMembership(group_id=group.id, client_id=cid, joined_on=day - timedelta(days=50))
    future = GroupMembership(group_id=group.id, client_id=cid, joined_on=day + timedelta(days=5))
    ended = GroupMembership(group_id=group.id, client_id=cid, joined_on=day - timedelta(days=60),
                            left_on=day - timedelta(days=55))
    yesterday = day - timedelta(days=1)
    past = IndividualSession(client_id=cid, therapist_id=team["therapist"].id, starts_at=at(session, yesterday))
    later = IndividualSession(client_id=cid, therapist_id=team["therapist"].id,
                              starts_at=at(session, day + timedelta(days=3)))
    attended = IndividualSession(client_id=cid, therapist_id=team["therapist"].id, status="attended",
                                 starts_at=at(session, day - timedelta(days=7)), minutes_attended=50)
    proposed = FamilySession(client_id=cid, therapist_id=team["therapist"].id)
    booked = FamilySession(client_id=cid, therapist_id=team["therapist"].id, status="booked",
                           starts_at=at(session, day + timedelta(days=2)))
    session.add_all([current, future, ended, past, later, attended, proposed, booked])
    session.flush()
    slot = SlotProposal(family_session_id=proposed.id, starts_at=at(session, day + timedelta(days=4)))
    session.add(slot)
    session.commit()
    ids = dict(current=current.id, future=future.id, ended=ended.id, past=past.id, later=later.id,
               attended=attended.id, proposed=proposed.id, booked=booked.id, slot=slot.id)

    discharge_now(session, team, on=yesterday)
    session.expire_all()
    # The facilitator's caseload no longer holds the client; the old membership is untouched.
    assert session.get(GroupMembership, ids["current"]).left_on == yesterday
    assert session.get(GroupMembership, ids["future"]) is None
    assert session.get(GroupMembership, ids["ended"]).left_on == day - timedelta(days=55)
    # Sessions after the discharge day are cancelled; the one on the day stays for its roll call.
    statuses = {name: session.get(IndividualSession, ids[name]).status for name in ("past", "later", "attended")}
    assert statuses == {"past": "scheduled", "later": "cancelled", "attended": "attended"}
    assert {session.get(FamilySession, ids[n]).status for n in ("proposed", "booked")} == {"cancelled"}
    assert session.get(FamilySession, ids["booked"]).cancel_reason == discharge.CANCEL_REASON
    assert session.get(SlotProposal, ids["slot"]).status == "withdrawn"
    detail = session.exec(select(AuditEvent.detail).where(AuditEvent.action == "client.discharge")).one()
    assert "2 membership(s) ended; 3 session(s) cancelled" in detail


def test_discharge_schedules_follow_ups_and_a_summary_due_in_the_programs_days(session, team):
    signed_plan(session, team)
    on = today(session) - timedelta(days=2)
    discharge_now(session, team, on=on)
    row = record(session, team["client"].id)
    assert (row.discharge_type, row.discharged_on, row.reason) == ("completed", on, "Completed all phases.")
    assert row.summary_due_on == on + timedelta(days=7) and row.alumni and row.signed_at is None
    contacts = session.exec(select(FollowUp).where(FollowUp.discharge_id == row.id).order_by(FollowUp.day)).all()
    assert [(c.day, c.due_on) for c in contacts] == [(d, on + timedelta(days=d)) for d in (7, 14, 21, 30, 90, 180)]
    assert all(c.contacted_at is None for c in contacts)
    goals = session.exec(select(DischargeGoal).where(DischargeGoal.discharge_id == row.id)).all()
    assert [(g.statement, g.outcome) for g in goals] == [("I want to stay sober for my kids.", "")]
    client = session.get(Client, team["client"].id)
    assert (client.status, client.discharge_date, client.discharge_note) == ("discharged", on, "Completed all phases.")
    # Alumni: the client still signs in to their portal.
    assert auth.sign_in(session, team["client_user"].email, TEST_PASSWORD).user.id == team["client_user"].id


def test_ten_day_summaries_and_a_program_without_alumni_portals(session, team):
    program.set_setting(session, team["director"], "discharge_summary_days", "10")
    program.set_setting(session, team["director"], "alumni_portal", "no")
    with pytest.raises(ValidationError):
        program.set_setting(session, team["director"], "discharge_summary_days", "8")
    token = auth.sign_in(session, team["client_user"].email, TEST_PASSWORD).token
    discharge_now(session, team, kind="administrative")
    row = record(session, team["client"].id)
    assert row.summary_due_on == today(session) + timedelta(days=10) and not row.alumni
    assert not session.get(User, team["client_user"].id).active
    assert auth.resolve_session(session, token) is None  # their open tab ends at its next request


def test_after_a_death_no_follow_ups_and_no_portal(session, team):
    discharge_now(session, team, kind="died")
    row = record(session, team["client"].id)
    assert not row.alumni
    assert session.exec(select(FollowUp).where(FollowUp.discharge_id == row.id)).all() == []
    assert not session.get(User, team["client_user"].id).active


def test_final_measures_are_prefilled_from_the_last_scores(session, team):
    cid = team["client"].id
    old = MeasureResponse(client_id=cid, code="PHQ-9", status="submitted", total=14, band="moderate",
                          completed_at=utcnow() - timedelta(days=30), entered_by=team["client_user"].id)
    new = MeasureResponse(client_id=cid, code="PHQ-9", status="submitted", total=6, band="mild",
                          completed_at=utcnow() - timedelta(days=2), entered_by=team["client_user"].id)
    gad = MeasureResponse(client_id=cid, code="GAD-7", status="submitted", total=4, band="minimal",
                          completed_at=utcnow() - timedelta(days=3), entered_by=team["client_user"].id)
    draft = MeasureResponse(client_id=cid, code="BAM", status="draft", entered_by=team["client_user"].id)
    session.add_all([old, new, gad, draft])
    session.commit()
    discharge_now(session, team)
    lines = record(session, cid).final_measures.splitlines()
    assert [line.split(" on ")[0] for line in lines] == ["GAD-7: 4 (minimal)", "PHQ-9: 6 (mild)"]


def test_the_type_must_come_from_the_list(session, team):
    for forged in ("graduated", None, ["completed"], "COMPLETED", 3):
        with pytest.raises(ValidationError) as exc:
            discharge_now(session, team, kind=forged)
        assert list(exc.value.errors) == ["discharge_type"]
    assert session.get(Client, team["client"].id).status == "active"
    assert session.exec(select(Discharge)).all() == []


# ------------------------------------------------------------------ the summary
def fill(session, team, **more):
    row = record(session, team["client"].id)
    goals = {g.id: {"outcome": "achieved", "note": "Sober 45 days."}
             for g in session.exec(select(DischargeGoal).where(DischargeGoal.discharge_id == row.id)).all()}
    values = {"course": "Attended 34 of 36 groups; mood improved.", "aftercare_services": "Level 1 outpatient weekly",
              "aftercare_referrals": "Harbor Clinic (psychiatry)", "mutual_help": "SMART Recovery, Tuesdays",
              "medications": "Naltrexone 50 mg daily", "next_appointments": "Dr. Kim, Dec 2 at 10:00",
              "barriers": "Transport: bus pass arranged", "with_client": True} | more
    return discharge.save_summary(session, team["therapist"], team["client"].id, expected_version=row.version,
                                  values=values, goals=goals)


def test_the_summary_is_saved_signed_locked_and_printed(session, team):
    signed_plan(session, team)
    discharge_now(session, team)
    cid = team["client"].id
    first_version = record(session, cid).version
    with pytest.raises(ServiceError, match="Not ready to sign"):
        discharge.sign_summary(session, team["therapist"], cid, expected_version=first_version,
                               signature="Maria Lopez")
    fill(session, team)
    saved = record(session, cid)
    assert (saved.aftercare_services, saved.with_client, saved.version) == ("Level 1 outpatient weekly", True, 2)
    # A page showing the older version is refused; nothing of it is kept.
    with pytest.raises(StaleEdit):
        discharge.save_summary(session, team["director"], cid, expected_version=first_version,
                               values={"course": "Other words."})
    assert record(session, cid).course == "Attended 34 of 36 groups; mood improved."
    with pytest.raises(ValidationError) as exc:
        discharge.sign_summary(session, team["therapist"], cid, expected_version=saved.version, signature="M Lopez")
    assert list(exc.value.errors) == ["signature"]
    before = utcnow()
    discharge.sign_summary(session, team["therapist"], cid, expected_version=saved.version, signature="maria  lopez")
    signed = record(session, cid)
    assert signed.signed_by == team["therapist"].id and signed.signed_at >= before
    with pytest.raises(ServiceError, match="locked"):
        discharge.save_summary(session, team["therapist"], cid, expected_version=signed.version,
                               values={"course": "Changed."})
    view = discharge.discharge_view(session, team["therapist"], cid)
    assert view.signed and view.goals[0].outcome_label == "Achieved" and view.overdue_days == 0
    data = discharge_pdf.render(view, "Harbor Light IOP", program.program_tz(session),
                                follow_ups.planned_days(session, view.id), compress=False)
    for text in (b"Discharge summary", b"Alex Rivera", b"Completed the program", b"Naltrexone 50 mg daily",
                 b"I want to stay sober for my kids.", b"Progress: Achieved", b"signed electronically"):
        assert text in data, text
    name, pdf = discharge.summary_pdf(session, team["therapist"], cid)
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "discharge.download")).first() is not None


def test_summary_input_is_checked(session, team, factory):
    signed_plan(session, team)
    discharge_now(session, team)
    cid = team["client"].id
    with pytest.raises(ValidationError) as exc:
        fill(session, team, course="x" * 4001, barriers=["not text"])
    assert set(exc.value.errors) == {"course", "barriers"}
    row = record(session, cid)
    goal_id = session.exec(select(DischargeGoal.id)).first()
    with pytest.raises(ValidationError) as exc:
        discharge.save_summary(session, team["therapist"], cid, expected_version=row.version, values={},
                               goals={goal_id: {"outcome": "perfect"}})
    assert list(exc.value.errors) == [f"goal_{goal_id}"]
    # A goal of another client's discharge (or no goal at all) is refused.
    for forged in ({10**6: {"outcome": "achieved"}}, {str(goal_id): {"outcome": "achieved"}}):
        with pytest.raises(PermissionDenied):
            discharge.save_summary(session, team["therapist"], cid, expected_version=row.version, values={},
                                   goals=forged)
    assert record(session, cid).version == row.version


def test_overdue_summary(session, team):
    discharge_now(session, team, on=today(session) - timedelta(days=9))
    view = discharge.discharge_view(session, team["therapist"], team["client"].id)
    assert view.overdue_days == 2 and not view.signed


# ------------------------------------------------------------------ who may
def test_permissions_matrix(session, team, factory):
    cid = team["client"].id
    denied = (team["other"], team["client_user"], team["family"])
    for actor in denied:
        with pytest.raises(PermissionDenied):
            discharge_now(session, team, actor=actor)
    discharge_now(session, team)
    row = record(session, cid)
    operations = {
        "view": lambda a: discharge.discharge_view(session, a, cid),
        "save": lambda a: discharge.save_summary(session, a, cid, expected_version=row.version,
                                                 values={"course": "x"}),
        "sign": lambda a: discharge.sign_summary(session, a, cid, expected_version=row.version, signature=a.full_name),
        "pdf": lambda a: discharge.summary_pdf(session, a, cid),
        "follow-ups": lambda a: follow_ups.client_follow_ups(session, a, cid),
    }
    for name, operation in operations.items():
        for actor in denied:
            with pytest.raises(PermissionDenied):
                operation(actor)
        try:  # the director gets past the permission check (a rule may still refuse: not ready to sign)
            operation(team["director"])
        except PermissionDenied:
            pytest.fail(f"director refused: {name}")
        except ServiceError:
            assert name == "sign"
    assert discharge.discharge_view(session, team["therapist"], cid).type_label == "Completed the program"
    refused = session.exec(select(AuditEvent.action, AuditEvent.actor_user_id).where(
        AuditEvent.outcome == "denied")).all()
    assert {(a, u) for a, u in refused if u == team["family"].id} >= {
        ("client.discharge", team["family"].id), ("discharge.view", team["family"].id),
        ("discharge.summary.save", team["family"].id), ("follow_up.view", team["family"].id)}
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "discharge.view",
                                                  AuditEvent.outcome == "allowed")).all()
    assert {v.actor_user_id for v in views} >= {team["director"].id, team["therapist"].id}
