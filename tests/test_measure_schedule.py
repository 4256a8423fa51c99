"""Due and overdue measures for each rule, counted in program-local days across the
2026 DST changes in America/Los_Angeles (clocks back on 1 November, forward on 8 March).

Times are picked so that a wrong method fails: 00:30 local is the previous day in
UTC-minus-hours arithmetic gone wrong, and 14 x 24 hours from 00:30 PDT lands on
the day before in PST."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import delete

from iop_app.models import MeasureResponse, MeasureRule, ProgramSetting
from iop_app.services import measure_records, measure_schedule
from iop_app.services.errors import PermissionDenied
from iop_app.services.measure_schedule import OVERDUE_AFTER_DAYS

LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def world(session, factory):
    session.merge(ProgramSetting(key="timezone", value="America/Los_Angeles"))
    session.commit()
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    return client, factory.client_user(client), therapist


def only(session, *rules):
    """Replace the program's rules with these (code, timing, every_days)."""
    session.exec(delete(MeasureRule))
    for code, timing, every in rules:
        session.add(MeasureRule(code=code, timing=timing, every_days=every))
    session.commit()


def admit(session, client, on, discharge=None):
    client.admission_date = on
    client.discharge_date = discharge
    session.add(client)
    session.commit()


def completed(session, client, user, code, local_moment):
    session.add(MeasureResponse(client_id=client.id, code=code, status="submitted", answers={},
                                completed_at=local_moment.replace(tzinfo=LA), entered_by=user.id))
    session.commit()


def due_on(session, therapist, client, day):
    return {(m.code, m.due_on, m.overdue, m.reason) for m in measure_schedule.due(session, therapist, client.id, day)}


def test_default_rules_are_the_programs(session):
    assert {(r.code, r.timing, r.every_days) for r in measure_schedule.rules(session)} == {
        ("phq9", "interval", 14), ("gad7", "interval", 14), ("bam", "interval", 7),
        ("audit", "intake", None), ("audit", "discharge", None), ("dast10", "intake", None),
        ("dast10", "discharge", None), ("urica", "intake", None), ("urica", "interval", 30)}


def test_every_14_days_across_the_autumn_change(session, world):
    client, user, therapist = world
    only(session, ("phq9", "interval", 14))
    admit(session, client, date(2026, 10, 20))
    assert due_on(session, therapist, client, date(2026, 10, 20)) == {("phq9", date(2026, 10, 20), False, "interval")}
    completed(session, client, user, "phq9", datetime(2026, 10, 26, 0, 30))  # PDT
    assert due_on(session, therapist, client, date(2026, 11, 8)) == set()
    assert due_on(session, therapist, client, date(2026, 11, 9)) == {("phq9", date(2026, 11, 9), False, "interval")}
    last_on_time = date(2026, 11, 9 + OVERDUE_AFTER_DAYS)
    assert due_on(session, therapist, client, last_on_time) == {("phq9", date(2026, 11, 9), False, "interval")}
    assert due_on(session, therapist, client, date(2026, 11, 13)) == {("phq9", date(2026, 11, 9), True, "interval")}


def test_weekly_across_the_spring_change(session, world):
    client, user, therapist = world
    only(session, ("bam", "interval", 7))
    admit(session, client, date(2026, 2, 20))
    completed(session, client, user, "bam", datetime(2026, 3, 1, 23, 30))  # PST, 07:30 UTC on 2 March
    assert due_on(session, therapist, client, date(2026, 3, 7)) == set()
    assert due_on(session, therapist, client, date(2026, 3, 8)) == {("bam", date(2026, 3, 8), False, "interval")}
    assert due_on(session, therapist, client, date(2026, 3, 12)) == {("bam", date(2026, 3, 8), True, "interval")}


def test_intake_counts_only_responses_from_the_admission_day(session, world):
    client, user, therapist = world
    only(session, ("audit", "intake", None))
    admit(session, client, date(2026, 10, 30))
    completed(session, client, user, "audit", datetime(2026, 10, 29, 23, 30))  # the day before, local
    assert due_on(session, therapist, client, date(2026, 11, 2)) == {("audit", date(2026, 10, 30), False, "intake")}
    assert due_on(session, therapist, client, date(2026, 11, 3)) == {("audit", date(2026, 10, 30), True, "intake")}
    completed(session, client, user, "audit", datetime(2026, 11, 1, 1, 30))  # the repeated hour
    assert due_on(session, therapist, client, date(2026, 11, 3)) == set()


def test_discharge_measures_open_a_week_before_the_discharge_day(session, world):
    client, user, therapist = world
    only(session, ("dast10", "discharge", None))
    admit(session, client, date(2026, 9, 1), discharge=date(2026, 11, 5))
    assert due_on(session, therapist, client, date(2026, 10, 28)) == set()
    completed(session, client, user, "dast10", datetime(2026, 10, 28, 23, 30))  # before the window, local
    assert due_on(session, therapist, client, date(2026, 10, 29)) == {("dast10", date(2026, 11, 5), False, "discharge")}
    assert due_on(session, therapist, client, date(2026, 11, 9)) == {("dast10", date(2026, 11, 5), True, "discharge")}
    completed(session, client, user, "dast10", datetime(2026, 11, 2, 9, 0))
    assert due_on(session, therapist, client, date(2026, 11, 9)) == set()


def test_no_interval_measure_falls_due_after_discharge(session, world):
    client, user, therapist = world
    only(session, ("phq9", "interval", 14))
    admit(session, client, date(2026, 10, 1), discharge=date(2026, 10, 20))
    completed(session, client, user, "phq9", datetime(2026, 10, 10, 12, 0))
    assert due_on(session, therapist, client, date(2026, 10, 30)) == set()


def test_intake_and_monthly_rules_for_one_measure_give_one_entry(session, world):
    client, user, therapist = world
    only(session, ("urica", "intake", None), ("urica", "interval", 30))
    admit(session, client, date(2026, 10, 10))
    [item] = measure_schedule.due(session, therapist, client.id, date(2026, 10, 12))
    assert (item.code, item.due_on) == ("urica", date(2026, 10, 10))
    completed(session, client, user, "urica", datetime(2026, 10, 12, 10, 0))
    assert due_on(session, therapist, client, date(2026, 11, 10)) == set()
    assert due_on(session, therapist, client, date(2026, 11, 11)) == {("urica", date(2026, 11, 11), False, "interval")}


def test_an_ad_hoc_assignment_is_due_until_answered(session, world):
    client, user, therapist = world
    only(session)
    today = measure_schedule.program.local_today(session)
    assignment = measure_records.assign(session, therapist, client.id, code="pcl5", due_on=today)
    [item] = measure_schedule.due(session, user, client.id, today)
    assert (item.code, item.reason, item.assignment_id, item.overdue) == ("pcl5", "assigned", assignment.id, False)
    draft = measure_records.save_draft(session, user, client.id, code="pcl5", answers={n: 0 for n in range(1, 21)})
    measure_records.submit(session, user, client.id, draft.id)
    assert measure_schedule.due(session, user, client.id, today) == []


def test_due_for_caseload_covers_the_therapists_clients_only(session, world, factory):
    client, user, therapist = world
    only(session, ("phq9", "interval", 14))
    admit(session, client, date(2026, 10, 1))
    stranger = factory.client(factory.user("therapist"))
    completed(session, client, user, "phq9", datetime(2026, 10, 1, 9, 0))
    found = measure_schedule.due_for_caseload(session, therapist, date(2026, 10, 20))
    assert set(found) == {client.id} and stranger.id not in found
    [item] = found[client.id]
    assert (item.due_on, item.overdue) == (date(2026, 10, 15), True)
    with pytest.raises(PermissionDenied):
        measure_schedule.due_for_caseload(session, user)


@pytest.mark.parametrize("days_after_due", [0, 1, OVERDUE_AFTER_DAYS, OVERDUE_AFTER_DAYS + 1])
def test_late_and_missed_count_what_due_for_lists(session, world, days_after_due):
    """The roster's counts (late: past the due day within the grace; missed: overdue)."""
    client, user, _ = world
    only(session, ("phq9", "interval", 14), ("gad7", "interval", 7), ("audit", "intake", None))
    admit(session, client, date(2026, 10, 1))
    completed(session, client, user, "phq9", datetime(2026, 10, 1, 10, 0))
    completed(session, client, user, "gad7", datetime(2026, 10, 8, 10, 0))
    today = date.fromordinal(date(2026, 10, 15).toordinal() + days_after_due)  # both due on 15 October
    rules = measure_schedule.rules(session)
    done = measure_schedule.completion_days(session, client.id)
    items = measure_schedule.due_for(client, rules, done, [], today)
    assert len(items) == 3  # PHQ-9 and GAD-7 due 15 October; the AUDIT since admission (missed)
    late = sum(not m.overdue and m.due_on < today for m in items)
    missed = sum(m.overdue for m in items)
    assert measure_schedule.late_and_missed(client, rules, done, [], today) == (late, missed)
    assert (late, missed) == {0: (0, 1), 1: (2, 1), OVERDUE_AFTER_DAYS: (2, 1),
                              OVERDUE_AFTER_DAYS + 1: (0, 3)}[days_after_due]
