"""Measures a client completes: drafts kept, submitted once, corrections that keep the
original, alerts raised once and acknowledged, everything audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, MeasureAlert, MeasureAssignment, MeasureResponse, MoodEntry, utcnow
from iop_app.services import measure_alerts, measure_records, measure_trends, program
from iop_app.services.errors import PermissionDenied, ServiceError, ValidationError


@pytest.fixture
def alex(factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    return client, factory.client_user(client), therapist


def phq9(item9=0, each=1):
    answers = {n: each for n in range(1, 9)}
    answers[9] = item9
    return answers


def complete(session, user, client, code, answers):
    draft = measure_records.save_draft(session, user, client.id, code=code, answers=answers)
    return measure_records.submit(session, user, client.id, draft.id)


def events(session, action, outcome=None):
    query = select(AuditEvent).where(AuditEvent.action == action)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    return session.exec(query).all()


def test_a_draft_keeps_partial_answers_and_is_resumed(session, alex):
    client, user, _ = alex
    first = measure_records.save_draft(session, user, client.id, code="phq9", answers={1: 2, 2: 1})
    again = measure_records.save_draft(session, user, client.id, code="phq9", answers={1: 2, 2: 1, 3: 3})
    assert again.id == first.id and again.status == "draft"
    resumed = measure_records.get_draft(session, user, client.id, "phq9")
    assert resumed.answers == {1: 2, 2: 1, 3: 3}
    with pytest.raises(ValidationError) as refused:
        measure_records.submit(session, user, client.id, first.id)
    assert "item_4" in refused.value.errors
    assert session.get(MeasureResponse, first.id).status == "draft"


def test_draft_answers_are_checked_item_by_item(session, alex):
    client, user, _ = alex
    with pytest.raises(ValidationError) as bad:
        measure_records.save_draft(session, user, client.id, code="phq9", answers={1: 4, 12: 0})
    assert set(bad.value.errors) == {"item_1", "item_12"}
    with pytest.raises(ValidationError) as forged:
        measure_records.save_draft(session, user, client.id, code="phq9", answers={1: True})
    assert "answers" in forged.value.errors
    with pytest.raises(ValidationError) as unknown:
        measure_records.save_draft(session, user, client.id, code="cssrs", answers={})
    assert "code" in unknown.value.errors
    assert session.exec(select(func.count()).select_from(MeasureResponse)).one() == 0


def test_submit_stores_items_and_scores_once(session, alex):
    client, user, _ = alex
    draft = measure_records.save_draft(session, user, client.id, code="phq9", answers=phq9(each=2))
    done = measure_records.submit(session, user, client.id, draft.id)
    assert (done.status, done.total, done.band) == ("submitted", 16, "moderately severe")
    assert done.answers == phq9(each=2) and done.completed_at is not None
    with pytest.raises(ServiceError, match="already submitted"):
        measure_records.submit(session, user, client.id, draft.id)
    assert session.exec(select(func.count()).select_from(MeasureResponse)).one() == 1
    assert len(events(session, "measure.submit", "success")) == 1
    assert len(events(session, "measure.submit", "failure")) == 1
    # A completed response is not a draft any more: saving again starts a new draft.
    fresh = measure_records.save_draft(session, user, client.id, code="phq9", answers={1: 0})
    assert fresh.id != draft.id and session.get(MeasureResponse, draft.id).answers == {
        str(n): v for n, v in phq9(each=2).items()}


def test_correction_is_a_new_response_and_both_are_kept(session, alex):
    client, user, therapist = alex
    original = complete(session, user, client, "gad7", {n: 3 for n in range(1, 8)})
    with pytest.raises(ValidationError) as no_reason:
        measure_records.correct(session, therapist, client.id, original.id, answers={n: 1 for n in range(1, 8)},
                                reason="  ")
    assert "reason" in no_reason.value.errors
    fixed = measure_records.correct(session, therapist, client.id, original.id,
                                    answers={n: 1 for n in range(1, 8)}, reason="Client tapped the wrong column")
    assert fixed.supersedes_id == original.id and fixed.total == 7
    kept = session.get(MeasureResponse, original.id)
    assert kept.total == 21 and kept.status == "submitted"
    assert [r.id for r in measure_records.history(session, therapist, client.id, "gad7")] == [fixed.id, original.id]
    with pytest.raises(ServiceError, match="already corrected"):
        measure_records.correct(session, therapist, client.id, original.id, answers={n: 0 for n in range(1, 8)},
                                reason="again")
    # Trends use the correction in place of the original.
    frame = measure_trends.series(session, therapist, client.id)
    assert frame["response_id"].tolist() == [fixed.id] and frame["total"].tolist() == [7.0]
    assert len(events(session, "measure.correct")) == 1


def test_item9_alert_created_once_open_until_acknowledged_and_audited(session, alex):
    client, user, therapist = alex
    done = complete(session, user, client, "phq9", phq9(item9=1))
    assert done.alerts  # the page shows crisis resources from this
    [alert] = measure_alerts.open_for_caseload(session, therapist)
    assert (alert.kind, alert.client_id, alert.response_id) == ("item9", client.id, done.id)
    # Raising again for the same response (a retry) creates nothing.
    row = session.get(MeasureResponse, done.id)
    assert measure_alerts.raise_for(session, user, row) == []
    session.commit()
    assert session.exec(select(func.count()).select_from(MeasureAlert)).one() == 1
    assert len(events(session, "measure_alert.create")) == 1

    with pytest.raises(ValidationError):
        measure_alerts.acknowledge(session, therapist, alert.id, note="   ")
    acked = measure_alerts.acknowledge(session, therapist, alert.id, note="Called client; safety plan reviewed.")
    assert acked.acknowledged_by == therapist.id and acked.action_note == "Called client; safety plan reviewed."
    assert measure_alerts.open_for_caseload(session, therapist) == []
    with pytest.raises(ServiceError, match="already acknowledged"):
        measure_alerts.acknowledge(session, therapist, alert.id, note="again")
    [event] = events(session, "measure_alert.acknowledge", "success")
    assert event.client_id == client.id and event.target == f"measure_alert:{alert.id}"


def test_no_item9_alert_when_item9_is_zero(session, alex):
    client, user, therapist = alex
    complete(session, user, client, "phq9", phq9(item9=0, each=3))
    assert measure_alerts.for_client(session, therapist, client.id) == []


def test_rise_of_five_between_consecutive_responses(session, alex):
    client, user, therapist = alex
    complete(session, user, client, "gad7", {n: 1 for n in range(1, 8)})  # 7
    complete(session, user, client, "gad7", {1: 3, 2: 3, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1})  # 11: +4
    assert measure_alerts.for_client(session, therapist, client.id) == []
    third = complete(session, user, client, "gad7", {1: 3, 2: 3, 3: 3, 4: 3, 5: 1, 6: 1, 7: 2})  # 16: +5
    [alert] = measure_alerts.for_client(session, therapist, client.id)
    assert (alert.kind, alert.response_id) == ("rise", third.id)
    assert "from 11 to 16" in alert.text


def test_bam_use_above_zero_alerts(session, alex):
    client, user, therapist = alex
    answers = {n: 0 for n in range(1, 18)}
    complete(session, user, client, "bam", answers)
    assert measure_alerts.for_client(session, therapist, client.id) == []
    answers[5] = 1
    used = complete(session, user, client, "bam", answers)
    [alert] = measure_alerts.for_client(session, therapist, client.id)
    assert (alert.kind, alert.response_id) == ("bam_use", used.id)


def test_open_alerts_cover_only_the_caseload(session, factory, alex):
    client, user, therapist = alex
    other_therapist = factory.user("therapist")
    director = factory.user("director")
    complete(session, user, client, "phq9", phq9(item9=2))
    assert measure_alerts.open_for_caseload(session, other_therapist) == []
    assert [a.client_id for a in measure_alerts.open_for_caseload(session, director)] == [client.id]


def test_assignment_is_answered_by_the_next_response(session, alex):
    client, user, therapist = alex
    today = program.local_today(session)
    with pytest.raises(ValidationError) as past:
        measure_records.assign(session, therapist, client.id, code="pcl5", due_on=today - timedelta(days=1))
    assert "due_on" in past.value.errors
    assignment = measure_records.assign(session, therapist, client.id, code="pcl5", due_on=today, note="After group")
    done = complete(session, user, client, "pcl5", {n: 0 for n in range(1, 21)})
    assert session.get(MeasureAssignment, assignment.id).response_id == done.id
    assert len(events(session, "measure.assign")) == 1


def test_trend_marks_reliable_change_and_response(session, alex):
    client, user, therapist = alex
    for each in (2, 1, 1):  # totals 16, 8, 8 (item 9 answered 0)
        complete(session, user, client, "phq9", phq9(each=each))
    frame = measure_trends.series(session, therapist, client.id, codes=("phq9",))
    assert frame["total"].tolist() == [16.0, 8.0, 8.0]
    assert frame["change"].tolist() == [0.0, -8.0, -8.0]
    assert frame["reliable_change"].tolist() == [False, True, True]
    assert frame["response"].tolist() == [False, True, True]
    assert frame["day"].iloc[0] == program.local_today(session)
    assert measure_trends.series(session, therapist, client.id, codes=("gad7",)).empty
    assert (utcnow() - frame["completed_at"].iloc[-1].to_pydatetime()).total_seconds() < 60


def test_trends_give_each_measures_points_and_the_diary_averages_beside_them(session, factory, alex):
    client, user, therapist = alex
    for each in (2, 1):  # PHQ-9 totals 16, 8
        complete(session, user, client, "phq9", phq9(each=each))
    complete(session, user, client, "bam", {n: 0 for n in range(1, 18)})  # no total: no line
    today = program.local_today(session)
    for days_ago, mood, craving in ((8, 10, 10), (3, 4, 6), (0, 8, 2)):
        session.add(MoodEntry(client_id=client.id, day=today - timedelta(days=days_ago), mood=mood, anxiety=3,
                              craving=craving, sleep_hours=7))
    session.commit()
    trend = measure_trends.trends(session, therapist, client.id, today)
    assert list(trend.points) == ["phq9"]
    assert [(p.day, p.total, p.band, p.reliable_change, p.response) for p in trend.points["phq9"]] == [
        (today, 16.0, "moderately severe", False, False), (today, 8.0, "mild", True, True)]
    # the diary from the first response's day: the 7 days ending today (8 days ago is outside)
    assert (trend.diary_start, trend.diary_days) == (today, [today])
    assert (trend.mood_avg7, trend.craving_avg7) == ([6.0], [4.0])
    with pytest.raises(PermissionDenied):
        measure_trends.trends(session, factory.user("therapist"), client.id, today)


def test_two_submits_racing_from_two_sessions_complete_it_once(session, db_url, alex):
    """The second session still holds the draft as a draft (loaded before the first
    submitted): the conditional update refuses it all the same."""
    from sqlmodel import Session

    from iop_app.db import get_engine

    client, user, _ = alex
    draft = measure_records.save_draft(session, user, client.id, code="phq9", answers=phq9(item9=1))
    with Session(get_engine(db_url), expire_on_commit=False) as other:
        stale = other.get(MeasureResponse, draft.id)
        assert stale.status == "draft"
        measure_records.submit(session, user, client.id, draft.id)
        with pytest.raises(ServiceError, match="already submitted"):
            measure_records.submit(other, user, client.id, draft.id)
    assert session.exec(select(func.count()).select_from(MeasureAlert)).one() == 1
    assert len(events(session, "measure.submit", "success")) == 1
