"""The client's recovery tools (services/recovery_tools.py): stage of change with
history and URICA / Readiness Ruler beside it, decisional balance versions, the urge
log beside the diary, relapse-prevention and safety plans with versions and
optimistic concurrency, tap-to-call contacts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, DecisionalBalance, MoodEntry, SafetyPlan, UrgeEntry
from iop_app.services import measure_records, program
from iop_app.services import recovery_tools as tools
from iop_app.services.errors import StaleEdit, ValidationError


@pytest.fixture
def people(team):
    return team["client"], team["client_user"], team["therapist"]


def test_stage_placements_are_kept_newest_first(session, people):
    client, user, therapist = people
    tools.record_stage(session, user, client.id, stage="contemplation", importance=7, confidence=4)
    tools.record_stage(session, user, client.id, stage="preparation", importance=8, confidence=6, note="Ready")
    history = tools.stage_history(session, therapist, client.id)
    assert [(s.stage_label, s.importance, s.confidence) for s in history] == [
        ("Preparation", 8, 6), ("Contemplation", 7, 4)]
    assert history[0].note == "Ready"


@pytest.mark.parametrize(("values", "field"), [
    ({"stage": "ready", "importance": 5, "confidence": 5}, "stage"),
    ({"stage": "action", "importance": 11, "confidence": 5}, "importance"),
    ({"stage": "action", "importance": 5, "confidence": -1}, "confidence"),
    ({"stage": "action", "importance": "5", "confidence": 5}, "importance"),
    ({"stage": "action", "importance": 5, "confidence": 5, "note": "x" * 501}, "note"),
])
def test_stage_input_is_checked(session, people, values, field):
    client, user, _ = people
    with pytest.raises(ValidationError) as caught:
        tools.record_stage(session, user, client.id, **values)
    assert field in caught.value.errors
    assert tools.stage_history(session, user, client.id) == []


def test_urica_and_ruler_show_beside_the_placements(session, people):
    client, user, therapist = people
    draft = measure_records.save_draft(session, user, client.id, code="ruler", answers={1: 9, 2: 5})
    measure_records.submit(session, user, client.id, draft.id)
    draft = measure_records.save_draft(session, user, client.id, code="urica", answers={n: 3 for n in range(1, 33)})
    measure_records.submit(session, user, client.id, draft.id)
    lines = tools.readiness_measures(session, therapist, client.id)
    by_name = {line.name: line.summary for line in lines}
    assert by_name["Readiness Ruler"] == "Importance 9, confidence 5 (0–10)"
    assert by_name["URICA"].startswith("Readiness 6.0")  # 3 + 3 + 3 − 3


def test_balance_versions_are_dated_and_kept(session, people):
    client, user, therapist = people
    first = tools.save_document(session, user, client.id, tools.BALANCE, expected_number=0,
                                pros_change="My kids", cons_change="Losing my friends", pros_same="", cons_same="")
    assert first.number == 1
    second = tools.save_document(session, user, client.id, tools.BALANCE, expected_number=1,
                                 pros_change="My kids; my health", cons_change="Losing my friends",
                                 pros_same="It's easy", cons_same="Jail")
    assert second.number == 2
    shown = tools.document_versions(session, therapist, client.id, tools.BALANCE)
    assert [(v.number, v.parts["pros_change"]) for v in shown] == [(2, "My kids; my health"), (1, "My kids")]
    assert shown[0].written_by == user.full_name and shown[0].written_local


def test_saving_the_same_text_adds_no_version(session, people):
    client, user, _ = people
    tools.save_document(session, user, client.id, tools.BALANCE, expected_number=0, pros_change="My kids")
    assert tools.save_document(session, user, client.id, tools.BALANCE, expected_number=1, pros_change="My kids") \
        is None
    assert len(session.exec(select(DecisionalBalance)).all()) == 1


def test_an_empty_first_version_is_refused(session, people):
    client, user, _ = people
    with pytest.raises(ValidationError) as caught:
        tools.save_document(session, user, client.id, tools.BALANCE, expected_number=0, pros_change="  ")
    assert caught.value.errors == {"form": "Write at least one part before saving."}


def test_a_save_on_an_older_version_is_refused_and_names_who_saved(session, people):
    client, user, therapist = people
    tools.save_document(session, user, client.id, tools.RELAPSE_PLAN, expected_number=0, warning_signs="Skipping meals")
    tools.save_document(session, therapist, client.id, tools.RELAPSE_PLAN, expected_number=1,
                        warning_signs="Skipping meals", high_risk="Friday paydays")
    with pytest.raises(StaleEdit) as caught:  # the client's page still shows version 1
        tools.save_document(session, user, client.id, tools.RELAPSE_PLAN, expected_number=1,
                            warning_signs="Skipping meals; isolating")
    assert therapist.full_name in caught.value.message
    shown = tools.document_versions(session, user, client.id, tools.RELAPSE_PLAN)
    assert [v.number for v in shown] == [2, 1]
    assert shown[0].parts["warning_signs"] == "Skipping meals"
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "tools.relapse_plan.save",
                                                    AuditEvent.outcome == "failure")).all()
    assert len(refused) == 1


@pytest.mark.parametrize("expected", [None, "1", 1.0, True, 5])
def test_only_the_version_shown_as_a_number_may_be_saved_on(session, people, expected):
    client, user, _ = people
    tools.save_document(session, user, client.id, tools.SAFETY_PLAN, expected_number=0, coping="Walk")
    with pytest.raises(StaleEdit):
        tools.save_document(session, user, client.id, tools.SAFETY_PLAN, expected_number=expected, coping="Run")


def test_a_race_past_the_first_look_is_refused_by_the_lock(session, people, monkeypatch):
    """Two saves on version 1 that both pass the look: the unique number refuses the second."""
    client, user, therapist = people
    tools.save_document(session, user, client.id, tools.SAFETY_PLAN, expected_number=0, coping="Walk")
    real_latest = tools._latest
    monkeypatch.setattr(tools, "_latest", lambda s, kind, cid: real_latest(s, kind, cid))
    first = real_latest(session, tools.SAFETY_PLAN, client.id)
    session.add(SafetyPlan(client_id=client.id, number=2, coping="Call Sam", written_by=therapist.id))
    session.commit()
    monkeypatch.setattr(tools, "_latest", lambda s, kind, cid: first if kind is tools.SAFETY_PLAN else None)
    with pytest.raises(StaleEdit):
        tools.save_document(session, user, client.id, tools.SAFETY_PLAN, expected_number=1, coping="Music")
    numbers = [row.number for row in session.exec(select(SafetyPlan).where(SafetyPlan.client_id == client.id))]
    assert sorted(numbers) == [1, 2]


def test_people_lists_are_limited_and_checked(session, people):
    client, user, _ = people
    with pytest.raises(ValidationError) as caught:
        tools.save_document(session, user, client.id, tools.RELAPSE_PLAN, expected_number=0,
                            people="\n".join(f"Person {n}: 555-01{n:02}" for n in range(13)))
    assert "people" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        tools.save_document(session, user, client.id, tools.SAFETY_PLAN, expected_number=0, helpers="x" * 121)
    assert "helpers" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        tools.save_document(session, user, client.id, tools.SAFETY_PLAN, expected_number=0, coping=["a list"])
    assert caught.value.errors == {"coping": "Please write text here."}


def test_contacts_become_tap_to_call_links():
    found = tools.contacts("Sam (sponsor): 555-0100\nMom - +1 (555) 010-2000\n\nCrisis line 988\nMy neighbour")
    assert [(c.name, c.tel) for c in found] == [
        ("Sam (sponsor)", "tel:5550100"), ("Mom", "tel:+15550102000"), ("Crisis line", "tel:988"),
        ("My neighbour", "")]


def test_urges_are_logged_at_server_time_and_shown_beside_the_diary(session, people):
    client, user, therapist = people
    today = program.local_today(session)
    session.add(MoodEntry(client_id=client.id, day=today, mood=6, anxiety=3, craving=7, sleep_hours=7,
                          used_substance=False))
    session.add(MoodEntry(client_id=client.id, day=today - timedelta(days=1), mood=5, anxiety=3, craving=2,
                          sleep_hours=7, used_substance=True))
    session.commit()
    urge = tools.log_urge(session, user, client.id, intensity=8, trigger="Payday", place="Near the bar",
                          response="Called Sam", used=False)
    assert urge.day == today
    shown = tools.tools(session, therapist, client.id)
    assert len(shown.diary) == tools.DIARY_DAYS
    day0, day1 = shown.diary[0], shown.diary[1]
    assert (day0.day, day0.craving, day0.used, day0.strongest) == (today, 7, False, 8)
    assert day0.urges[0].trigger == "Payday" and day0.urges[0].response == "Called Sam"
    assert (day1.craving, day1.used, day1.urges) == (2, True, [])
    assert not shown.diary[2].checked_in
    assert [u.intensity for u in shown.urges] == [8]


@pytest.mark.parametrize(("values", "field"), [
    ({"intensity": 11, "used": False}, "intensity"),
    ({"intensity": 5, "used": "no"}, "used"),
    ({"intensity": 5, "used": False, "trigger": "x" * 201}, "trigger"),
    ({"intensity": 5, "used": False, "response": "x" * 501}, "response"),
    ({"intensity": 5, "used": False, "felt_at": "2020-01-01"}, "felt_at"),  # no backdating
])
def test_urge_input_is_checked(session, people, values, field):
    client, user, _ = people
    with pytest.raises(ValidationError) as caught:
        tools.log_urge(session, user, client.id, **values)
    assert field in caught.value.errors
    assert session.exec(select(UrgeEntry)).all() == []


def test_staff_reads_are_audited_and_the_clients_own_are_not(session, people):
    client, user, therapist = people
    tools.tools(session, user, client.id)
    tools.tools(session, therapist, client.id)
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "tools.view")).all()
    assert [(v.actor_user_id, v.outcome) for v in views] == [(therapist.id, "allowed")]
