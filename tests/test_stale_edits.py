"""Stale edits: two people (or two tabs) editing the same record. The second save,
made on the copy its page loaded before the first save, is refused: nothing of it
is stored, and the message names who saved first and when (program-local time).
Texts an edit replaces are kept as earlier versions.

Each save runs in its own database session, as each browser event does."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import time, timedelta

import pytest
from sqlmodel import Session, func, select

from iop_app.db import get_engine
from iop_app.models import (
    AuditEvent,
    Consent,
    Goal,
    GoalStep,
    GoalUpdate,
    GroupSession,
    MoodEntry,
    PlanProblem,
    TextVersion,
    TreatmentPlan,
)
from iop_app.services import checkins, consents, family, goals, groups, plans, program, roll_call, versions
from iop_app.services.errors import PermissionDenied, StaleEdit, ValidationError


@pytest.fixture
def fresh(db_url):
    """fresh() -> a new database session, like the one each browser event gets."""
    opened = []

    @contextmanager
    def open_one():
        with Session(get_engine(db_url), expire_on_commit=False) as s:
            opened.append(s)
            yield s

    return open_one


def local_hhmm(session, moment) -> str:
    return program.to_local(moment, program.program_tz(session)).strftime("%H:%M")


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


# ------------------------------------------------------------------ goals
@pytest.fixture
def goal(session, team):
    return goals.add_goal(session, team["client_user"], team["client"].id, title="Go 30 days sober",
                          why="For my kids", life_area="sobriety", steps=["Attend groups", "Call sponsor"])


def test_second_progress_save_on_a_stale_copy_is_refused_naming_who_and_when(session, fresh, team, goal):
    cid = team["client"].id
    loaded = goals.list_goals(session, team["client_user"], cid)[0].version  # the client's page
    staff_loaded = goals.list_goals(session, team["therapist"], cid)[0].version  # the therapist's page
    with fresh() as s:
        goals.update_progress(s, team["therapist"], cid, goal.id, progress_pct=40, note="Seen in group",
                              expected_version=staff_loaded)
    updates = count(session, GoalUpdate)
    with fresh() as s, pytest.raises(StaleEdit) as exc:
        goals.update_progress(s, team["client_user"], cid, goal.id, progress_pct=10, expected_version=loaded)
    session.expire_all()
    saved = session.get(Goal, goal.id)
    assert saved.progress_pct == 40 and count(session, GoalUpdate) == updates  # nothing of the second save
    when = local_hhmm(session, saved.updated_at)
    assert exc.value.message == (f"Maria Lopez changed this at {when} after you opened it. "
                                 "Reload to see their changes; your text is kept below.")
    assert exc.value.changed_by == "Maria Lopez" and exc.value.local_time == when
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "goal.progress",
                                                    AuditEvent.outcome == "failure")).one()
    assert refused.client_id == cid and refused.actor_user_id == team["client_user"].id
    # after reloading, the same change goes through
    fresh_version = goals.list_goals(session, team["client_user"], cid)[0].version
    with fresh() as s:
        goals.update_progress(s, team["client_user"], cid, goal.id, progress_pct=10, expected_version=fresh_version)
    session.expire_all()
    assert session.get(Goal, goal.id).progress_pct == 10


def test_two_staff_changing_a_goals_status(session, fresh, team, goal):
    cid = team["client"].id
    version = goal.version
    with fresh() as s:
        goals.set_status(s, team["director"], cid, goal.id, "achieved", expected_version=version)
    with fresh() as s, pytest.raises(StaleEdit) as exc:  # refused before "already achieved" could mislead
        goals.set_status(s, team["therapist"], cid, goal.id, "set_aside", expected_version=version)
    session.expire_all()
    assert session.get(Goal, goal.id).status == "achieved"
    assert exc.value.message.startswith("Dana Director changed this at ")
    assert [u.kind for u in goals.list_goals(session, team["client_user"], cid)[0].updates] == ["created", "status"]


def test_a_client_editing_a_goal_in_two_tabs(session, fresh, team, goal):
    cid, user = team["client"].id, team["client_user"]
    tab_a = tab_b = goals.list_goals(session, user, cid)[0].version
    with fresh() as s:
        goals.edit_goal(s, user, cid, goal.id, title="Go 60 days sober", why="For my kids", expected_version=tab_a)
    with fresh() as s, pytest.raises(StaleEdit) as exc:
        goals.edit_goal(s, user, cid, goal.id, title="Go 30 days sober!", why="For me", expected_version=tab_b)
    session.expire_all()
    saved = session.get(Goal, goal.id)
    assert (saved.title, saved.why) == ("Go 60 days sober", "For my kids")
    when = local_hhmm(session, saved.updated_at)
    assert exc.value.message == (f"You changed this at {when} in another tab or window after this page was "
                                 "opened. Reload to see that version; your text is kept below.")


def test_a_goal_edit_keeps_the_earlier_title_and_why(session, team, goal):
    cid, user = team["client"].id, team["client_user"]
    update = goals.edit_goal(session, user, cid, goal.id, title="Go 60 days sober", why="For my kids and me",
                             target_date=goal.target_date, expected_version=goal.version)
    kept = session.exec(select(TextVersion).where(TextVersion.table_name == "goal", TextVersion.row_id == goal.id)
                        .order_by(TextVersion.field)).all()
    assert [(k.field, k.previous_text, k.changed_by) for k in kept] == [
        ("title", "Go 30 days sober", user.id), ("why", "For my kids", user.id)]
    assert update.kind == "edited" and update.note == "Changed title, why it matters"
    # an unchanged save stores nothing, and an empty text replaced keeps nothing
    assert goals.edit_goal(session, user, cid, goal.id, title="Go 60 days sober", why="For my kids and me",
                           expected_version=goal.version) is None
    plain = goals.add_goal(session, user, cid, title="Sleep", life_area="physical_health")
    goals.edit_goal(session, user, cid, plain.id, title="Sleep", why="Rested mornings",
                    expected_version=plain.version)
    assert count(session, TextVersion) == 2
    with pytest.raises(ValidationError) as exc:
        goals.edit_goal(session, user, cid, goal.id, title=" ", expected_version=goal.version)
    assert list(exc.value.errors) == ["title"]


def test_a_step_tick_merges_but_a_progress_form_opened_before_it_is_refused(session, fresh, team, goal):
    user, cid = team["client_user"], team["client"].id
    before = goal.version
    steps = [s.id for s in goals.list_goals(session, user, cid)[0].steps]
    with fresh() as s:  # tab A ticks the first step, tab B the second: both stand
        goals.set_step_done(s, user, cid, goal.id, steps[0], True)
    with fresh() as s:
        goals.set_step_done(s, user, cid, goal.id, steps[1], True)
    session.expire_all()
    assert session.get(Goal, goal.id).progress_pct == 100
    assert all(session.get(GoalStep, i).done for i in steps)
    with fresh() as s, pytest.raises(StaleEdit):  # a progress form from before would undo what the ticks did
        goals.update_progress(s, user, cid, goal.id, progress_pct=20, expected_version=before)
    session.expire_all()
    assert session.get(Goal, goal.id).progress_pct == 100


def test_a_forged_version_is_refused(session, team, goal):
    for forged in (goal.version + 5, "1", None, True, 1.0):
        with pytest.raises(StaleEdit):
            goals.update_progress(session, team["client_user"], team["client"].id, goal.id, progress_pct=5,
                                  expected_version=forged)
    session.expire_all()
    assert session.get(Goal, goal.id).progress_pct == 0


# ------------------------------------------------------------------ group sessions
@pytest.fixture
def meeting(factory, team):
    return factory.session_today(team["therapist"], start=time(9), minutes=90, weekdays="1,2,3,4,5")


def test_second_notes_save_on_a_stale_copy_is_refused(session, fresh, team, meeting):
    facilitator, director = team["therapist"], team["director"]
    version = roll_call.roll_call(session, facilitator, meeting.id).version
    assert roll_call.roll_call(session, director, meeting.id).version == version
    with fresh() as s:
        groups.set_topic_notes(s, director, meeting.id, "Relapse triggers", "Good energy.",
                               expected_version=version)
    with fresh() as s, pytest.raises(StaleEdit) as exc:
        groups.set_topic_notes(s, facilitator, meeting.id, "Coping skills", "Quiet group.", expected_version=version)
    session.expire_all()
    saved = session.get(GroupSession, meeting.id)
    assert (saved.topic, saved.notes, saved.version) == ("Relapse triggers", "Good energy.", version + 1)
    assert (saved.updated_by, exc.value.changed_by) == (director.id, "Dana Director")
    assert exc.value.message.startswith(f"Dana Director changed this at {local_hhmm(session, saved.updated_at)} ")
    assert count(session, TextVersion) == 0  # the first save replaced empty texts: nothing to keep


def test_overwritten_group_notes_keep_their_earlier_versions(session, team, meeting):
    facilitator, director = team["therapist"], team["director"]
    groups.set_topic_notes(session, facilitator, meeting.id, "Triggers", "First draft.", expected_version=1)
    groups.set_topic_notes(session, director, meeting.id, "Triggers", "Second draft.", expected_version=2)
    groups.set_topic_notes(session, facilitator, meeting.id, "Triggers and cravings", "", expected_version=3)
    earlier = groups.earlier_versions(session, facilitator, meeting.id)
    assert [(e.field, e.text, e.replaced_by) for e in earlier] == [
        ("notes", "Second draft.", "Maria Lopez"), ("topic", "Triggers", "Maria Lopez"),
        ("notes", "First draft.", "Dana Director")]
    assert session.get(GroupSession, meeting.id).notes == ""
    with pytest.raises(PermissionDenied):  # only who may edit the notes may read their earlier versions
        groups.earlier_versions(session, team["client_user"], meeting.id)


def test_the_version_check_is_in_the_update_itself(session, fresh, team, meeting):
    """Read, someone else saves, then write: the UPDATE ... WHERE version matches no
    row, so the save is refused even though the row read here looked current."""
    with fresh() as mine:
        row = mine.get(GroupSession, meeting.id)
        assert row.version == 1
        with fresh() as theirs:
            groups.set_topic_notes(theirs, team["director"], meeting.id, "Theirs", "Their notes",
                                   expected_version=1)
        with pytest.raises(StaleEdit):
            versions.write(mine, team["therapist"], row, {"topic": "Mine", "notes": "My notes"},
                           expected_version=1, what="group.session.update", keep=("topic", "notes"))
    session.expire_all()
    assert (session.get(GroupSession, meeting.id).notes, count(session, TextVersion)) == ("Their notes", 0)


def test_a_session_cannot_be_cancelled_twice(session, team, meeting):
    groups.cancel_session(session, team["therapist"], meeting.id, "Facilitator ill")
    with pytest.raises(ValidationError) as exc:
        groups.cancel_session(session, team["director"], meeting.id, "Snow day")
    assert "already cancelled" in exc.value.message
    session.expire_all()
    assert session.get(GroupSession, meeting.id).cancel_reason == "Facilitator ill"


# ------------------------------------------------------------------ plan drafts
@pytest.fixture
def draft(session, team):
    return plans.start_plan(session, team["therapist"], team["client"].id)


def test_second_edit_of_a_plan_draft_on_a_stale_copy_is_refused(session, fresh, team, draft):
    seen = plans.plan_view(session, team["director"], draft.id).version  # both pages show this version
    with fresh() as s:
        plans.add_problem(s, team["therapist"], draft.id, expected_version=seen, statement="Drinks most evenings.",
                          dimension="d5")
    with fresh() as s, pytest.raises(StaleEdit) as exc:
        plans.add_problem(s, team["director"], draft.id, expected_version=seen, statement="Poor sleep.",
                          dimension="d2")
    session.expire_all()
    saved = session.get(TreatmentPlan, draft.id)
    assert [p.statement for p in session.exec(select(PlanProblem)).all()] == ["Drinks most evenings."]
    assert exc.value.message.startswith(f"Maria Lopez changed this at {local_hhmm(session, saved.updated_at)} ")
    assert count(session, AuditEvent, AuditEvent.action == "plan.update", AuditEvent.outcome == "failure") == 1


def test_a_reviews_replaced_what_changed_text_is_kept(session, team, draft):
    plans.set_changes(session, team["therapist"], draft.id, expected_version=draft.version,
                      changes="Sleep is the focus.")
    version = session.get(TreatmentPlan, draft.id).version
    plans.set_changes(session, team["director"], draft.id, expected_version=version, changes="Sleep and work.")
    earlier = versions.earlier_texts(session, "treatment_plan", [draft.id], ("changes",))[draft.id]
    assert [(e.text, e.replaced_by) for e in earlier] == [("Sleep is the focus.", "Dana Director")]


def test_plan_edits_follow_the_record_rules(session, factory, team, draft):
    stranger = factory.user("therapist", name="Olive Other")
    for actor, plan_id in ((stranger, draft.id), (team["client_user"], draft.id), (team["therapist"], 10**9),
                           (team["therapist"], "1")):
        with pytest.raises(PermissionDenied):
            plans.set_changes(session, actor, plan_id, expected_version=draft.version, changes="Mine now")
    session.expire_all()
    assert session.get(TreatmentPlan, draft.id).changes == ""
    denied = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.update",
                                                   AuditEvent.outcome == "denied")).all()
    assert len(denied) == 4


# ------------------------------------------------------------------ consent recorded on paper
def _paper(session, link) -> dict:
    today = program.local_today(session)
    return dict(family_link_id=link.id, scope="scheduling", purpose="Coordinate family sessions",
                expires_on=today + timedelta(days=60), expiry_event="", signature="Alex Rivera", signed_on=today)


def test_two_staff_recording_the_same_paper_consent(session, fresh, team):
    cid = team["client"].id
    link = family.add_link(session, team["client_user"], cid, name="Sam Rivera", relationship="Spouse",
                           email="sam@example.org")
    [shown] = family.list_links(session, team["director"], cid)
    with fresh() as s:
        consents.record_paper_consent(s, team["therapist"], cid, **_paper(s, link),
                                    expected_consent_version=shown.consent_version)
    with fresh() as s, pytest.raises(StaleEdit) as exc:
        consents.record_paper_consent(s, team["director"], cid, **_paper(s, link),
                                    expected_consent_version=shown.consent_version)
    assert count(session, Consent) == 1
    first = session.exec(select(Consent)).one()
    assert exc.value.message.startswith(
        f"Maria Lopez recorded a consent for Sam Rivera at {local_hhmm(session, first.granted_at)} after you opened")


def test_two_consent_saves_at_the_same_moment_cannot_both_succeed(session, fresh, team, monkeypatch):
    """The other save lands between this save's "none in force" check and its write."""
    cid = team["client"].id
    link = family.add_link(session, team["client_user"], cid, name="Sam Rivera", relationship="Spouse",
                           email="sam@example.org")
    validate = consents._validate_consent

    def validate_then_someone_else_saves(*args, **kwargs):
        checked = validate(*args, **kwargs)
        monkeypatch.setattr(consents, "_validate_consent", validate)
        with fresh() as theirs:
            consents.record_paper_consent(theirs, team["therapist"], cid, **_paper(theirs, link))
        return checked

    monkeypatch.setattr(consents, "_validate_consent", validate_then_someone_else_saves)
    with fresh() as mine, pytest.raises(StaleEdit) as exc:
        consents.record_paper_consent(mine, team["director"], cid, **_paper(mine, link))
    assert count(session, Consent) == 1 and "Maria Lopez recorded a consent for Sam Rivera" in exc.value.message


# ------------------------------------------------------------------ other overwritten texts
def test_a_same_day_check_in_edit_keeps_the_earlier_note(session, team):
    cid, user = team["client"].id, team["client_user"]
    today = program.local_today(session)
    values = dict(day=today, mood=5, anxiety=4, craving=3, sleep_hours=7)
    checkins.save_checkin(session, user, cid, **values, note="Rough morning.")
    checkins.save_checkin(session, user, cid, **values, note="Better after group.")
    entry = session.exec(select(MoodEntry)).one()
    [kept] = session.exec(select(TextVersion)).all()
    assert (entry.note, kept.table_name, kept.row_id, kept.field, kept.previous_text) == (
        "Better after group.", "mood_entry", entry.id, "note", "Rough morning.")
