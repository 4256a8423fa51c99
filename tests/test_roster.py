"""Roster figures and flags against numbers worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import select

from iop_app.models import (
    Attendance,
    AuditEvent,
    Client,
    GroupMembership,
    GroupSession,
    MoodEntry,
    TherapyGroup,
    TreatmentPlan,
)
from iop_app.services import plans, program, reports, roster
from iop_app.services.errors import PermissionDenied, ValidationError
from iop_app.services.roster import FLAG_CRAVING, FLAG_MISSED, FLAG_QUIET, RosterQuery
from tests.notes_helpers import document_all

TODAY = date(2026, 3, 18)  # Wednesday


def make_client(session, factory, therapist, name, admitted, status="active"):
    user = factory.user("client", name=name)
    client = Client(user_id=user.id, admission_date=admitted, status=status, primary_therapist_id=therapist.id)
    session.add(client)
    session.commit()
    return client


def checkin(session, client, day, mood, craving, used=False):
    session.add(MoodEntry(client_id=client.id, day=day, mood=mood, anxiety=3, craving=craving, sleep_hours=7,
                          used_substance=used))


@pytest.fixture
def program_data(session, factory):
    therapist = factory.user("therapist", name="Terry Therapist")
    other = factory.user("therapist", name="Olive Other")
    director = factory.user("director")
    ana = make_client(session, factory, therapist, "Ana Quiet", date(2026, 3, 1))
    ben = make_client(session, factory, therapist, "Ben Craving", date(2026, 2, 1))
    cara = make_client(session, factory, therapist, "Cara Fine", date(2026, 3, 10))
    dee = make_client(session, factory, other, "Dee Other", date(2026, 3, 2))
    eve = make_client(session, factory, therapist, "Eve Done", date(2025, 12, 1), status="discharged")
    checkin(session, ana, date(2026, 3, 6), mood=3, craving=4)
    checkin(session, ana, date(2026, 3, 15), mood=5, craving=2)
    checkin(session, ben, date(2026, 3, 17), mood=4, craving=8)
    checkin(session, ben, date(2026, 3, 18), mood=6, craving=2)
    checkin(session, cara, date(2026, 3, 17), mood=7, craving=1)
    checkin(session, dee, date(2026, 3, 18), mood=5, craving=5, used=True)
    group = TherapyGroup(name="Process", group_type="process", facilitator_id=therapist.id, weekdays="1,3,5",
                         start_time=time(9), duration_minutes=180, start_date=date(2026, 1, 1))
    session.add(group)
    session.flush()
    session.add(GroupMembership(group_id=group.id, client_id=ben.id, joined_on=date(2026, 2, 1)))
    tz = program.program_tz(session)
    for day, status, minutes in [(date(2026, 3, 4), "unexcused", 0), (date(2026, 3, 9), "present", 180),
                                 (date(2026, 3, 11), "unexcused", 0), (date(2026, 3, 13), "excused", 0),
                                 (date(2026, 3, 16), "late", 165)]:
        gs = GroupSession(group_id=group.id, starts_at=program.to_utc(datetime.combine(day, time(9)), tz),
                          duration_minutes=180)
        session.add(gs)
        session.flush()
        session.add(Attendance(session_id=gs.id, client_id=ben.id, status=status, minutes=minutes,
                               recorded_by=therapist.id))
    # Plans in force (signed by both), due again 30 days after they came into force.
    for client, on in ((ben, date(2026, 2, 10)), (ana, date(2026, 3, 3))):
        session.add(TreatmentPlan(client_id=client.id, status="signed", effective_on=on,
                                  review_due_on=on + timedelta(days=30), created_by=therapist.id))
    session.commit()
    document_all(session)  # hours count documented services only
    return dict(therapist=therapist, other=other, director=director, ana=ana, ben=ben, cara=cara, dee=dee, eve=eve)


def names(page):
    return [r.name for r in page.rows]


def test_therapist_roster_figures_by_hand(session, program_data):
    page = roster.roster_page(session, program_data["therapist"], RosterQuery(), TODAY)
    assert names(page) == ["Ana Quiet", "Ben Craving", "Cara Fine"] and page.total == 3
    ana, ben, cara = page.rows
    # Ana: admitted 1 March -> 17 days -> week 3; last check-in the 15th (3 days: flagged)
    assert (ana.week, ana.last_checkin) == (3, date(2026, 3, 15))
    assert (ana.mood_avg7, ana.mood_change, roster.direction(ana.mood_change)) == (5.0, 2.0, "up")
    assert (ana.craving_avg7, ana.craving_change) == (2.0, -2.0)
    assert ana.flags == [FLAG_QUIET]
    assert (ana.next_review, ana.review_overdue) == (date(2026, 4, 2), False)
    # Ben: week 7; mood (4+6)/2, craving (8+2)/2; craving 8 on the 17th
    assert (ben.week, ben.mood_avg7, ben.craving_avg7, ben.mood_change) == (7, 5.0, 5.0, None)
    # 14 days = 5..18 March: the 4th is outside; 9th present, 11th/13th absent, 16th late -> 2 of 4
    assert (ben.attended_14, ben.recorded_14, ben.missed_14, ben.attendance_rate) == (2, 4, 2, 0.5)
    assert ben.hours_week == 2.75 and ben.hours_target == 9.0  # 165 minutes on Monday the 16th
    assert (ben.next_review, ben.review_overdue) == (date(2026, 3, 12), True)
    assert ben.flags == [FLAG_CRAVING, FLAG_MISSED]
    # Cara: no plan yet -> the first plan is due 7 days after admission (10 March); no roll call -> no rate
    assert (cara.week, cara.next_review, cara.review_overdue, cara.attendance_rate, cara.flags) == (
        2, date(2026, 3, 17), True, None, [])


def test_sorting_searching_paging_and_flag_filter(session, program_data):
    t = program_data["therapist"]
    assert names(roster.roster_page(session, t, RosterQuery(sort="craving", descending=True), TODAY)) == [
        "Ben Craving", "Ana Quiet", "Cara Fine"]
    assert names(roster.roster_page(session, t, RosterQuery(sort="attendance"), TODAY)) == [
        "Ben Craving", "Ana Quiet", "Cara Fine"]  # no rate sorts last, ties in name order
    assert names(roster.roster_page(session, t, RosterQuery(flagged_only=True), TODAY)) == ["Ana Quiet", "Ben Craving"]
    assert names(roster.roster_page(session, t, RosterQuery(search="BEN"), TODAY)) == ["Ben Craving"]
    assert names(roster.roster_page(session, t, RosterQuery(search="%"), TODAY)) == []
    first = roster.roster_page(session, t, RosterQuery(page_size=2), TODAY)
    second = roster.roster_page(session, t, RosterQuery(page_size=2, page=1), TODAY)
    assert (names(first), names(second), first.pages) == (["Ana Quiet", "Ben Craving"], ["Cara Fine"], 2)
    everyone = roster.roster_page(session, t, RosterQuery(status="all", sort="admission"), TODAY)
    assert names(everyone) == ["Eve Done", "Ben Craving", "Ana Quiet", "Cara Fine"]
    assert everyone.rows[0].flags == []  # discharged clients are never flagged


def test_caseload_boundaries(session, program_data):
    other = roster.roster_page(session, program_data["other"], RosterQuery(), TODAY)
    assert names(other) == ["Dee Other"] and other.rows[0].flags == [FLAG_CRAVING]  # reported use today
    director = program_data["director"]
    assert roster.roster_page(session, director, RosterQuery(), TODAY).total == 4
    only_other = roster.roster_page(session, director, RosterQuery(therapist_id=program_data["other"].id), TODAY)
    assert names(only_other) == ["Dee Other"]
    # A therapist passing another therapist's id sees nothing of theirs.
    forged = roster.roster_page(session, program_data["therapist"],
                                RosterQuery(therapist_id=program_data["other"].id), TODAY)
    assert forged.total == 0


def test_clients_and_family_cannot_open_the_roster(session, factory, program_data):
    client_user = factory.client_user(program_data["ana"])
    with pytest.raises(PermissionDenied):
        roster.roster_page(session, client_user, RosterQuery(), TODAY)
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == client_user.id)).all()
    assert [(e.action, e.outcome) for e in denied] == [("roster.view", "denied")]


@pytest.mark.parametrize("bad", [RosterQuery(search="x" * 101), RosterQuery(sort="password"),
                                 RosterQuery(status="any"), RosterQuery(page=-1), RosterQuery(page_size=10_000),
                                 RosterQuery(therapist_id="1")])
def test_bad_queries_are_refused(session, program_data, bad):
    with pytest.raises(ValidationError):
        roster.roster_page(session, program_data["therapist"], bad, TODAY)


def test_roster_csv(session, program_data):
    text = roster.roster_csv(session, program_data["therapist"], RosterQuery(), TODAY)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Name"] for r in rows] == ["Ana Quiet", "Ben Craving", "Cara Fine"]
    assert rows[1]["Flags"] == f"{FLAG_CRAVING}; {FLAG_MISSED}"
    assert rows[1]["Attendance rate (14 days)"] == "0.5" and rows[1]["Hours this week"] == "2.75"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "roster.export")).first() is not None


def test_caseload_summary(session, program_data):
    summary = reports.caseload_summary(session, program_data["therapist"], today=TODAY)
    assert summary["clients"] == 3 and summary["flagged"] == 2
    assert summary["flag_counts"] == {FLAG_QUIET: 1, FLAG_CRAVING: 1, FLAG_MISSED: 1, roster.FLAG_INTAKE: 0,
                                      roster.FLAG_NOTES: 0, roster.FLAG_SCREEN: 0, roster.FLAG_FOLLOW_UP: 0,
                                      roster.FLAG_REFERRAL: 0}
    scores = summary["latest_scores"].set_index("score")
    # latest check-ins: Ana 15th (mood 5, craving 2), Ben 18th (6, 2), Cara 17th (7, 1)
    assert scores["mood"].to_dict() == {**{s: 0 for s in range(11)}, 5: 1, 6: 1, 7: 1}
    assert scores.loc[2, "craving"] == 2 and scores.loc[1, "craving"] == 1


def test_plan_due_dates_come_from_the_plan_in_force(session, program_data):
    t, ben, cara = program_data["therapist"], program_data["ben"], program_data["cara"]
    status = plans.review_status(session, t, ben.id, TODAY)
    assert (status.next_due, status.overdue, status.days_overdue, status.first_plan) == (date(2026, 3, 12), True, 6,
                                                                                         False)
    status = plans.review_status(session, t, cara.id, TODAY)
    assert (status.next_due, status.overdue, status.first_plan) == (date(2026, 3, 17), True, True)
    with pytest.raises(PermissionDenied):
        plans.review_status(session, program_data["other"], ben.id, TODAY)


def test_status_filter_descending_sql_sort_and_a_page_past_the_end(session, program_data):
    t = program_data["therapist"]
    assert names(roster.roster_page(session, t, RosterQuery(status="discharged"), TODAY)) == ["Eve Done"]
    newest_first = roster.roster_page(session, t, RosterQuery(sort="admission", descending=True), TODAY)
    assert names(newest_first) == ["Cara Fine", "Ana Quiet", "Ben Craving"]
    # The roster shrank while someone was on page 5: they get the last page there is.
    past = roster.roster_page(session, t, RosterQuery(page_size=2, page=4), TODAY)
    assert (past.page, names(past), past.total) == (1, ["Cara Fine"], 3)
    director = program_data["director"]
    by_therapist = roster.roster_page(session, director, RosterQuery(status="all", sort="therapist"), TODAY)
    assert names(by_therapist) == ["Dee Other", "Ana Quiet", "Ben Craving", "Cara Fine", "Eve Done"]
