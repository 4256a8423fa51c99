"""Follow-up after discharge (schedule, statuses, outcomes, the list staff work
through) and the director's program reports, computed on hand-built frames."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, FollowUp
from iop_app.services import discharge, follow_ups, program, program_reports
from iop_app.services.errors import PermissionDenied, ValidationError
from tests.test_discharge_aftercare import make_team


@pytest.fixture
def team(factory):
    return make_team(factory)  # the same actors as tests/test_discharge_aftercare.py


def test_status_boundaries():
    today = date(2026, 6, 30)
    assert follow_ups.status_of(today + timedelta(days=1), False, today) == "upcoming"
    assert follow_ups.status_of(today, False, today) == "due"
    assert follow_ups.status_of(today - timedelta(days=7), False, today) == "due"
    assert follow_ups.status_of(today - timedelta(days=8), False, today) == "missed"
    assert follow_ups.status_of(today - timedelta(days=30), True, today) == "done"
    assert [follow_ups.label(d) for d in follow_ups.FOLLOW_UP_DAYS] == [
        "Week 1", "Week 2", "Week 3", "30 days", "90 days", "180 days"]


def discharged(session, team, days_ago):
    today = program.local_today(session)
    discharge.discharge_client(session, team["therapist"], team["client"].id, on=today - timedelta(days=days_ago),
                               note="Completed.", discharge_type="completed")
    session.expire_all()
    return {r.day: r for r in session.exec(select(FollowUp)).all()}


def test_the_list_shows_due_missed_and_done_for_the_caseload(session, team, factory):
    contacts = discharged(session, team, 16)  # week 1 missed (9 days late), week 2 due, week 3 upcoming
    rows, counts = follow_ups.follow_up_list(session, team["therapist"], "to_do")
    assert [(r.day, r.status) for r in rows] == [(7, "missed"), (14, "due")]
    assert counts == {"due": 1, "missed": 1, "upcoming": 4, "done": 0}
    assert rows[0].client == "Alex Rivera" and rows[0].therapist == "Maria Lopez"
    follow_ups.record_outcome(session, team["therapist"], contacts[14].id, reached=True, substance_use="not_using",
                              in_services=True, housing="stable", employment="employed", note="Doing well.")
    rows, counts = follow_ups.follow_up_list(session, team["therapist"], "done")
    assert [(r.day, r.outcome) for r in rows] == [(14, "Reached; not using; in services; stable housing; employed")]
    assert counts["done"] == 1 and counts["due"] == 0
    # Another therapist's list does not hold this client; the director's does.
    assert follow_ups.follow_up_list(session, team["other"], "all")[0] == []
    assert len(follow_ups.follow_up_list(session, team["director"], "all")[0]) == 6
    for actor in (team["client_user"], team["family"]):
        with pytest.raises(PermissionDenied):
            follow_ups.follow_up_list(session, actor)
    with pytest.raises(ValidationError):
        follow_ups.follow_up_list(session, team["therapist"], "everything")


def test_outcomes_are_checked(session, team):
    contacts = discharged(session, team, 8)
    week1 = contacts[7].id
    cases = (
        (dict(reached=True), "substance_use"),
        (dict(reached=True, substance_use="a little"), "substance_use"),
        (dict(reached=True, substance_use="using", housing="castle"), "housing"),
        (dict(reached=False, substance_use="using"), "reached"),
        (dict(reached="yes"), "reached"),
        (dict(reached=False, note="n" * 1001), "note"),
    )
    for values, field in cases:
        with pytest.raises(ValidationError) as exc:
            follow_ups.record_outcome(session, team["therapist"], week1, **values)
        assert field in exc.value.errors, values
    with pytest.raises(ValidationError) as exc:  # the 90-day contact is not due yet
        follow_ups.record_outcome(session, team["therapist"], contacts[90].id, reached=False)
    assert list(exc.value.errors) == ["follow_up"]
    for actor in (team["other"], team["client_user"], team["family"]):
        with pytest.raises(PermissionDenied):
            follow_ups.record_outcome(session, actor, week1, reached=False)
    for forged in (10**6, "1; drop", None, -1):
        with pytest.raises(PermissionDenied):
            follow_ups.record_outcome(session, team["therapist"], forged, reached=False)
    follow_ups.record_outcome(session, team["therapist"], week1, reached=False, note="Voicemail.")
    follow_ups.record_outcome(session, team["director"], week1, reached=True, substance_use="using")
    session.expire_all()
    row = session.get(FollowUp, week1)
    assert (row.reached, row.substance_use, row.recorded_by) == (True, "using", team["director"].id)
    details = session.exec(select(AuditEvent.detail).where(AuditEvent.action == "follow_up.record",
                                                           AuditEvent.outcome == "success")).all()
    assert details == ["not reached", "corrected: reached"]


# ------------------------------------------------------------------ reports
def frames():
    """Four discharges in two months by two therapists, and their follow-ups."""
    d = date
    discharges = pd.DataFrame([
        (1, "Maria Lopez", "completed", d(2026, 1, 1), d(2026, 3, 2)),  # 60 days
        (2, "Maria Lopez", "against_advice", d(2026, 2, 1), d(2026, 3, 3)),  # 30 days
        (3, "Sam Okafor", "completed", d(2026, 2, 1), d(2026, 4, 12)),  # 70 days
        (4, "Sam Okafor", "completed", d(2026, 3, 1), d(2026, 4, 20)),  # 50 days
    ], columns=program_reports.DISCHARGE_COLUMNS)
    follow = pd.DataFrame([
        (1, 30, d(2026, 4, 1), True, True, "not_using"),
        (2, 30, d(2026, 4, 2), True, False, ""),
        (3, 30, d(2026, 5, 12), True, True, "using"),
        (4, 30, d(2026, 5, 20), False, None, ""),  # due, nothing recorded
        (1, 90, d(2026, 5, 31), True, True, "not_using"),
        (4, 180, d(2026, 10, 17), False, None, ""),  # not due yet
    ], columns=program_reports.FOLLOW_UP_COLUMNS)
    return discharges, follow


def test_report_figures_on_hand_built_frames():
    report = program_reports.report_from_frames(*frames(), today=date(2026, 6, 1))
    assert report.totals == {"discharges": 4, "completed": 3, "completion_rate": 75.0, "stay_mean": 52.5,
                             "stay_median": 55.0}
    months = {r["group"]: r for r in report.by_month}
    assert list(months) == ["2026-03", "2026-04"]
    assert (months["2026-03"]["completion_rate"], months["2026-03"]["stay_mean"]) == (50.0, 45.0)
    assert (months["2026-04"]["fu30_due"], months["2026-04"]["fu30_reached"], months["2026-04"]["fu30_reach"]) == (
        2, 1, 50.0)
    assert months["2026-04"]["fu30_abstinence"] == 0.0
    therapists = {r["group"]: r for r in report.by_therapist}
    assert therapists["Maria Lopez"]["fu30_reach"] == 50.0 and therapists["Maria Lopez"]["fu30_abstinence"] == 100.0
    assert therapists["Sam Okafor"]["stay_median"] == 60.0 and therapists["Sam Okafor"]["fu180_due"] == 0
    assert therapists["Sam Okafor"]["fu180_reach"] is None
    assert [(f["day"], f["due"], f["reached"], f["reach"], f["abstinent"], f["abstinence"])
            for f in report.follow_up] == [(30, 4, 2, 50.0, 1, 50.0), (90, 1, 1, 100.0, 1, 100.0),
                                           (180, 0, 0, None, 0, None)]
    assert {t["type"]: t["count"] for t in report.types} == {
        "completed": 3, "against_advice": 1, "administrative": 0, "transferred": 0, "incarcerated": 0, "died": 0}
    stacked = report.figures["types_by_month"]
    assert stacked["layout"]["barmode"] == "stack"
    completed = next(trace for trace in stacked["data"] if trace["name"] == "Completed the program")
    assert (completed["x"], completed["y"]) == (["2026-03", "2026-04"], [1, 2])
    assert report.figures["follow_up"]["data"][0]["y"] == [50.0, 100.0, None]
    csv = program_reports.report_csv(report).splitlines()
    assert csv[0].startswith("breakdown,group,discharges,completed,completion_rate")
    assert csv[1].startswith("month,2026-03,2,1,50.0") and csv[3].startswith("therapist,Maria Lopez,2,1,50.0")


def test_an_empty_report():
    empty = program_reports.report_from_frames(pd.DataFrame(), pd.DataFrame(), today=date(2026, 6, 1))
    assert empty.totals["discharges"] == 0 and empty.by_month == [] and empty.totals["completion_rate"] is None


def test_the_report_is_the_directors(session, team):
    discharged(session, team, 40)
    report = program_reports.program_report(session, team["director"], months=3)
    assert report.totals["discharges"] == 1 and report.by_therapist[0]["group"] == "Maria Lopez"
    assert report.by_therapist[0]["fu30_due"] == 1
    name, text = program_reports.program_report_csv(session, team["director"], months=12)
    assert name.endswith(".csv") and "therapist,Maria Lopez,1,1,100.0" in text
    for actor in (team["therapist"], team["client_user"], team["family"]):
        with pytest.raises(PermissionDenied):
            program_reports.program_report(session, actor)
    for forged in (5, "12", None):
        with pytest.raises(ValidationError):
            program_reports.program_report(session, team["director"], months=forged)


def test_demo_program_has_discharges_with_aftercare_and_follow_ups_due_and_done(session):
    from iop_app.models import Discharge, User
    from iop_app.seed import seed_demo_program

    seed_demo_program(session)
    records = session.exec(select(Discharge)).all()
    assert len(records) == 6 and all(r.aftercare_services and r.mutual_help for r in records)
    assert sum(r.signed_at is None for r in records) == 1
    director = session.exec(select(User).where(User.email == "director@iop.example")).one()
    _, counts = follow_ups.follow_up_list(session, director, "all")
    assert counts["done"] > 0 and counts["due"] + counts["missed"] >= 2 and counts["upcoming"] > 0
    report = program_reports.program_report(session, director, months=12)
    assert report.totals["discharges"] == 6 and 0 < report.totals["completion_rate"] < 100


def test_a_missed_follow_up_flags_the_roster(session, team):
    from iop_app.services import roster

    contacts = discharged(session, team, 15)  # week 1: 8 days without an outcome
    query = roster.RosterQuery(status="discharged")
    [row] = roster.roster_page(session, team["therapist"], query).rows
    assert row.flags == [roster.FLAG_FOLLOW_UP]
    follow_ups.record_outcome(session, team["therapist"], contacts[7].id, reached=False)
    [row] = roster.roster_page(session, team["therapist"], query).rows
    assert row.flags == []
