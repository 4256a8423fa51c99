"""Progress frames checked against numbers worked out by hand."""

from __future__ import annotations

import math
from datetime import date, datetime, time

import pytest
from sqlmodel import select

from iop_app.components import charts
from iop_app.models import (
    Attendance,
    AuditEvent,
    FamilySession,
    GroupSession,
    IndividualSession,
    MoodEntry,
    TherapyGroup,
)
from iop_app.services import hours, program, progress
from iop_app.services.errors import PermissionDenied
from tests.notes_helpers import document_all

TODAY = date(2026, 3, 18)  # a Wednesday; its program week starts Monday 16 March


def checkin(session, client, day, mood, craving=0, used=False, anxiety=5, sleep=7.0):
    session.add(MoodEntry(client_id=client.id, day=day, mood=mood, anxiety=anxiety, craving=craving,
                          sleep_hours=sleep, used_substance=used))


def at_local(session, day, hour, minute=0):
    return program.to_utc(datetime.combine(day, time(hour, minute)), program.program_tz(session))


@pytest.fixture
def setup(session, factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    checkin(session, client, date(2026, 3, 9), mood=2, craving=3)
    checkin(session, client, date(2026, 3, 12), mood=4, craving=9, used=True)
    checkin(session, client, date(2026, 3, 14), mood=6, craving=0)
    checkin(session, client, date(2026, 3, 18), mood=8, craving=3)
    session.commit()
    return therapist, client


def test_checkin_frame_rolling_averages_by_hand(session, setup):
    therapist, client = setup
    frame = progress.checkin_frame(session, therapist, client.id, days=5, today=TODAY)
    assert [d.date() for d in frame["day"]] == [date(2026, 3, d) for d in range(14, 19)]
    # mood: 14th window 8..14 -> (2+4+6)/3; 15th 9..15 -> 4; 16th 10..16 -> (4+6)/2; 17th -> 5; 18th 12..18 -> (4+6+8)/3
    assert list(frame["mood_avg7"]) == [4.0, 4.0, 5.0, 5.0, 6.0]
    assert frame["mood"].isna().tolist() == [False, True, True, True, False]
    # craving on the 18th: (9 + 0 + 3) / 3
    assert frame["craving_avg7"].iloc[-1] == 4.0
    assert frame["sleep_avg7"].iloc[-1] == 7.0
    # the use on the 12th is before this window
    assert frame["used_substance"].tolist() == [False] * 5


def test_checkin_frame_marks_use_and_nan_without_checkins(session, setup):
    therapist, client = setup
    frame = progress.checkin_frame(session, therapist, client.id, days=15, today=TODAY)
    assert len(frame) == 15 and frame["day"].iloc[0].date() == date(2026, 3, 4)
    by_day = frame.set_index(frame["day"].dt.date)
    assert math.isnan(by_day.loc[date(2026, 3, 8), "mood_avg7"])  # nothing in 2..8 March
    assert by_day.loc[date(2026, 3, 9), "mood_avg7"] == 2.0
    assert by_day.loc[date(2026, 3, 12), "craving_avg7"] == 6.0  # (3 + 9) / 2
    assert by_day["used_substance"].sum() == 1 and bool(by_day.loc[date(2026, 3, 12), "used_substance"])
    assert progress.summary(frame)["mood_avg7"] == 6.0


def _group_with_sessions(session, therapist, client):
    group = TherapyGroup(name="Process", group_type="process", facilitator_id=therapist.id, weekdays="1,3,5",
                         start_time=time(9, 0), duration_minutes=180, start_date=date(2026, 1, 1))
    session.add(group)
    session.flush()

    def meeting(day, status, minutes, cancelled=False):
        gs = GroupSession(group_id=group.id, starts_at=at_local(session, day, 9), duration_minutes=180,
                          cancelled=cancelled)
        session.add(gs)
        session.flush()
        session.add(Attendance(session_id=gs.id, client_id=client.id, status=status, minutes=minutes,
                               recorded_by=therapist.id))

    meeting(date(2026, 3, 11), "present", 180)
    meeting(date(2026, 3, 13), "unexcused", 0)
    meeting(date(2026, 3, 16), "late", 150)
    meeting(date(2026, 3, 18), "present", 180, cancelled=True)  # a cancelled session never counts
    # Sunday 23:30 local is still the week of 9 March (it is Monday in UTC).
    session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id,
                                  starts_at=at_local(session, date(2026, 3, 15), 23, 30), status="attended",
                                  minutes_attended=50))
    session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id,
                                  starts_at=at_local(session, date(2026, 3, 17), 15), status="attended",
                                  minutes_attended=50))
    session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id,
                                  starts_at=at_local(session, date(2026, 3, 17), 16), status="missed",
                                  minutes_attended=0))
    # A completed family session the week before the window.
    session.add(FamilySession(client_id=client.id, therapist_id=therapist.id, status="completed",
                              starts_at=at_local(session, date(2026, 3, 8), 12), minutes_attended=60))
    session.commit()
    document_all(session)  # hours count documented services only (signed notes)
    return group


def test_weekly_hours_frame_by_hand(session, setup):
    therapist, client = setup
    _group_with_sessions(session, therapist, client)
    # attended but not documented (no signed note): delivered, not counted
    session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id, status="attended",
                                  starts_at=at_local(session, date(2026, 3, 18), 15), minutes_attended=50))
    session.commit()
    frame = progress.weekly_hours_frame(session, therapist, client.id, weeks=2, today=TODAY)
    assert [d.date() for d in frame["week_start"]] == [date(2026, 3, 9), date(2026, 3, 16)]
    # week of 9th: 180 group + 50 individual (Sunday night) = 230 min; week of 16th: 150 + 50 = 200 min
    assert frame["hours"].tolist() == [round(230 / 60, 2), round(200 / 60, 2)]
    assert frame["target"].tolist() == [9.0, 9.0]
    # the same numbers as the hours service
    between = hours.hours_between(session, [client.id], date(2026, 3, 9), date(2026, 3, 16))
    assert between[client.id] == frame["hours"][0]
    assert hours.hours_this_week(session, [client.id], TODAY)[client.id] == frame["hours"][1]
    wider = progress.weekly_hours_frame(session, therapist, client.id, weeks=3, today=TODAY)
    assert wider["hours"].tolist()[0] == 1.0  # the family session on Sunday 8 March


def test_attendance_by_week_frame_by_hand(session, setup):
    therapist, client = setup
    _group_with_sessions(session, therapist, client)
    frame = progress.attendance_by_week_frame(session, therapist, client.id, weeks=3, today=TODAY)
    assert frame["attended"].tolist() == [0, 1, 1]
    assert frame["scheduled"].tolist() == [0, 2, 1]
    assert math.isnan(frame["rate"][0]) and frame["rate"].tolist()[1:] == [0.5, 1.0]


def test_other_therapist_is_refused_and_audited(session, factory, setup):
    _therapist, client = setup
    stranger = factory.user("therapist")
    for call in (lambda: progress.checkin_frame(session, stranger, client.id, 30, TODAY),
                 lambda: progress.weekly_hours_frame(session, stranger, client.id, 4, TODAY),
                 lambda: progress.attendance_by_week_frame(session, stranger, client.id, 4, TODAY)):
        with pytest.raises(PermissionDenied):
            call()
    denials = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == stranger.id,
                                                    AuditEvent.outcome == "denied")).all()
    assert len(denials) == 3 and all(d.client_id == client.id for d in denials)
    director = factory.user("director")
    assert len(progress.checkin_frame(session, director, client.id, 30, TODAY)) == 30


def test_client_sees_own_progress(session, factory, setup):
    _therapist, client = setup
    frame = progress.checkin_frame(session, factory.client_user(client), client.id, 7, TODAY)
    assert bool(frame["used_substance"].iloc[0]) and frame["mood"].iloc[0] == 4  # the 12th


def test_figures_are_small_and_mark_use(session, setup):
    therapist, client = setup
    frame = progress.checkin_frame(session, therapist, client.id, days=30, today=TODAY)
    fig = charts.trend_figure(frame, title="Check-ins")
    names = [t.name for t in fig.data]
    assert "Mood 7-day avg" in names and "Reported use" in names
    use = next(t for t in fig.data if t.name == "Reported use")
    assert list(use.x) == ["2026-03-12"]
    assert fig.layout.template.to_plotly_json() == {}
    assert len(fig.to_json()) < 20_000
    bar = charts.hours_figure(6.5, 9)
    assert bar.data[0].x == (6.5,)


def test_numpy_window_equals_pandas_rolling_over_a_daily_reindex():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    days = pd.date_range("2026-01-01", "2026-03-31", freq="D")
    kept = days[rng.random(len(days)) > 0.4]  # 40 % of days missing, some long gaps
    frame = pd.DataFrame({"day": kept, "mood": rng.integers(1, 11, len(kept)).astype(float),
                          "anxiety": rng.integers(0, 11, len(kept)).astype(float),
                          "craving": rng.integers(0, 11, len(kept)).astype(float),
                          "sleep_hours": rng.uniform(3, 10, len(kept)).round(1), "used_substance": False})
    ours = progress.rolling_daily(frame, date(2026, 2, 1), date(2026, 3, 31))
    daily = frame.set_index("day").reindex(days)
    expected = daily["sleep_hours"].rolling(7, min_periods=1).mean().loc["2026-02-01":]
    assert np.allclose(ours["sleep_avg7"], expected.to_numpy(), equal_nan=True)
    assert np.allclose(ours["mood_avg7"], daily["mood"].rolling(7, min_periods=1).mean().loc["2026-02-01":].to_numpy(),
                       equal_nan=True)


def test_one_week_and_a_week_with_the_dst_change(session, setup):
    therapist, client = setup
    _group_with_sessions(session, therapist, client)
    tz = program.program_tz(session)
    assert tz.utcoffset(datetime(2026, 3, 2)) != tz.utcoffset(datetime(2026, 3, 9))  # clocks change on 8 March
    # Sunday 8 March 23:30 local is in the week of 2 March; Monday 9 March 00:30 in the week of 9 March.
    for day, hour, minute in ((date(2026, 3, 8), 23, 30), (date(2026, 3, 9), 0, 30)):
        session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id, status="attended",
                                      starts_at=at_local(session, day, hour, minute), minutes_attended=30))
    session.commit()
    document_all(session)
    frame = progress.weekly_hours_frame(session, therapist, client.id, weeks=3, today=TODAY)
    # week of 2 March: family 60 + 30; of 9 March: 180 + 50 + 30; of 16 March: 150 + 50
    assert frame["hours"].tolist() == [1.5, round(260 / 60, 2), round(200 / 60, 2)]
    one = progress.weekly_hours_frame(session, therapist, client.id, weeks=1, today=TODAY)
    assert [d.date() for d in one["week_start"]] == [date(2026, 3, 16)]
    assert one["hours"].tolist() == [round(200 / 60, 2)]
    rates = progress.attendance_by_week_frame(session, therapist, client.id, weeks=1, today=TODAY)
    assert (rates["attended"].tolist(), rates["scheduled"].tolist()) == ([1], [1])


def test_ids_no_database_can_hold_are_refused_and_audited(session, factory, setup):
    therapist, _client = setup
    for forged in (2**63, 2**70, -1, 0, True, "1", 1.0):
        with pytest.raises(PermissionDenied):
            progress.checkin_frame(session, therapist, forged, 7, TODAY)
    denials = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied",
                                                    AuditEvent.action == "progress.view")).all()
    assert len(denials) == 7 and {d.client_id for d in denials} == {None}


def test_client_charts_is_one_audited_view_of_the_same_frames(session, factory, setup):
    therapist, client = setup
    _group_with_sessions(session, therapist, client)
    director = factory.user("director")
    checkins, weekly = progress.client_charts(session, director, client.id, 15, 3, TODAY)
    views = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == director.id)).all()
    assert [(v.action, v.outcome, v.client_id) for v in views] == [("progress.view", "allowed", client.id)]
    assert checkins.equals(progress.checkin_frame(session, director, client.id, 15, TODAY))
    assert weekly.equals(progress.weekly_frame(session, director, client.id, 3, TODAY))
    assert weekly[["attended", "scheduled"]].values.tolist() == [[0, 0], [1, 2], [1, 1]]
    assert weekly["hours"].tolist()[1:] == [round(230 / 60, 2), round(200 / 60, 2)]
