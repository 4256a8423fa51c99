"""Groups, open enrolment, session generation and roll call."""

from __future__ import annotations

import csv
import io
from datetime import date, time

import pytest
from sqlmodel import select

from iop_app.models import Attendance, AuditEvent, Client, GroupMembership, GroupSession
from iop_app.services import groups, hours, reports, roll_call
from iop_app.services.errors import PermissionDenied, ValidationError
from tests.notes_helpers import document_all

TODAY = date(2026, 3, 18)  # Wednesday


def make_client(session, factory, therapist, name):
    user = factory.user("client", name=name)
    client = Client(user_id=user.id, admission_date=date(2026, 3, 2), status="active",
                    primary_therapist_id=therapist.id)
    session.add(client)
    session.commit()
    return client


def new_group(session, actor, **overrides):
    values = dict(name="Morning Process", group_type="process", facilitator_id=actor.id, weekdays=[1, 3, 5],
                  start_time=time(9), duration_minutes=180, capacity=2, start_date=date(2026, 3, 1),
                  end_date=None, location="Room 1", description="")
    values.update(overrides)
    return groups.create_group(session, actor, **values)


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist", name="Terry")
    other = factory.user("therapist", name="Olive")
    director = factory.user("director")
    a = make_client(session, factory, therapist, "Ana")
    b = make_client(session, factory, therapist, "Ben")
    c = make_client(session, factory, therapist, "Cara")
    stranger_client = make_client(session, factory, other, "Dee")
    group = new_group(session, therapist)
    return dict(t=therapist, other=other, director=director, a=a, b=b, c=c, d=stranger_client, group=group)


def test_create_group_rules(session, world):
    t = world["t"]
    with pytest.raises(ValidationError) as err:
        new_group(session, t, capacity=50, weekdays=[], name=" ", group_type="party")
    assert set(err.value.errors) == {"capacity", "weekdays", "name", "group_type"}
    made = new_group(session, t, facilitator_id=world["other"].id)  # a therapist runs the groups they create
    assert made.facilitator_id == t.id and made.weekdays == "1,3,5"
    assert groups.describe_schedule(made) == "Mon, Wed, Fri 09:00, 3 h"
    with pytest.raises(PermissionDenied):
        groups.update_group(session, world["other"], made.id, name="Mine now", group_type="process",
                            weekdays=[2], start_time=time(9), duration_minutes=60, capacity=8,
                            start_date=date(2026, 3, 1), facilitator_id=world["other"].id)


def test_generate_sessions_is_idempotent(session, world):
    t, group = world["t"], world["group"]
    assert groups.generate_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 29)) == 6
    assert groups.generate_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 29)) == 0
    rows = groups.list_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 29))
    assert [r.day.day for r in rows] == [16, 18, 20, 23, 25, 27] and {r.start for r in rows} == {"09:00"}
    extra = groups.add_extra_session(session, t, group.id, date(2026, 3, 21), time(10), 90, "Review")
    cancelled = groups.cancel_session(session, t, rows[0].id, "Facilitator ill")
    rows = groups.list_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 29))
    assert [(r.day.day, r.extra, r.cancelled) for r in rows][:4] == [
        (16, False, True), (18, False, False), (20, False, False), (21, True, False)]
    assert extra.duration_minutes == 90 and cancelled.cancel_reason == "Facilitator ill"
    with pytest.raises(PermissionDenied):
        groups.generate_sessions(session, world["other"], group.id, date(2026, 3, 30), date(2026, 4, 5))


def test_open_enrolment_with_history_and_capacity(session, world):
    t, group = world["t"], world["group"]
    groups.join_group(session, t, group.id, world["a"].id, date(2026, 3, 2))
    groups.join_group(session, t, group.id, world["b"].id, date(2026, 3, 2))
    with pytest.raises(ValidationError) as err:
        groups.join_group(session, t, group.id, world["c"].id, date(2026, 3, 9))
    assert "full" in err.value.errors["client_id"]
    groups.leave_group(session, t, group.id, world["b"].id, date(2026, 3, 10))
    groups.join_group(session, t, group.id, world["c"].id, date(2026, 3, 11))
    with pytest.raises(ValidationError):  # Ana and Cara fill the group again
        groups.join_group(session, t, group.id, world["b"].id, date(2026, 3, 16))
    groups.leave_group(session, t, group.id, world["a"].id, date(2026, 3, 13))
    groups.join_group(session, t, group.id, world["b"].id, date(2026, 3, 16))  # back again
    with pytest.raises(ValidationError):
        groups.join_group(session, t, group.id, world["b"].id, date(2026, 3, 17))  # already a member
    rows = groups.members(session, t, group.id, TODAY)
    assert [(r.name, r.joined_on.day, r.left_on.day if r.left_on else None, r.current) for r in rows] == [
        ("Ben", 16, None, True), ("Cara", 11, None, True), ("Ana", 2, 13, False), ("Ben", 2, 10, False)]
    census = reports.group_census_frame(session, t, group.id, date(2026, 3, 2), TODAY)
    assert census["members"].tolist() == [2, 2, 2]  # Mondays 2 (Ana, Ben), 9 (Ana, Ben), 16 (Ben, Cara)
    assert groups.list_groups(session, t, TODAY)[0].members == 2


def test_enrolling_a_client_off_the_caseload_is_refused_and_audited(session, world):
    t, group, dee = world["t"], world["group"], world["d"]
    with pytest.raises(PermissionDenied):
        groups.join_group(session, t, group.id, dee.id, date(2026, 3, 9))
    assert session.exec(select(GroupMembership).where(GroupMembership.client_id == dee.id)).first() is None
    denied = session.exec(select(AuditEvent).where(AuditEvent.client_id == dee.id,
                                                   AuditEvent.outcome == "denied")).all()
    assert [e.action for e in denied] == ["group.join"]
    groups.join_group(session, world["director"], group.id, dee.id, date(2026, 3, 9))  # the director may


def test_roll_call_defaults_all_present_and_hours(session, world):
    t, group, a, b = world["t"], world["group"], world["a"], world["b"]
    groups.join_group(session, t, group.id, a.id, date(2026, 3, 2))
    groups.join_group(session, t, group.id, b.id, date(2026, 3, 2))
    groups.generate_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 16))
    meeting = groups.list_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 16))[0]
    call = roll_call.roll_call(session, t, meeting.id, TODAY)
    assert [(e.name, e.status) for e in call.entries] == [("Ana", ""), ("Ben", "")] and not call.needs_reason
    roll_call.record_attendance(session, t, meeting.id, {b.id: ("late", None)}, today=TODAY)
    assert roll_call.mark_all_present(session, t, meeting.id, today=TODAY) == 1  # only Ana was unmarked
    marks = {r.client_id: (r.status, r.minutes) for r in session.exec(select(Attendance)).all()}
    assert marks == {a.id: ("present", 180), b.id: ("late", 165)}
    assert hours.hours_this_week(session, [a.id, b.id], TODAY) == {}  # roll call alone is not documentation
    document_all(session)  # each attendee's signed note
    assert hours.hours_this_week(session, [a.id, b.id], TODAY) == {a.id: 3.0, b.id: 2.75}
    roll_call.record_attendance(session, t, meeting.id, {a.id: ("left_early", None), b.id: ("unexcused", None)},
                             today=TODAY)
    marks = {r.client_id: (r.status, r.minutes) for r in session.exec(select(Attendance)).all()}
    assert marks == {a.id: ("left_early", 135), b.id: ("unexcused", 0)}
    frame = reports.group_attendance_frame(session, t, group.id, date(2026, 3, 16), TODAY)
    assert frame[["attended", "recorded", "rate"]].values.tolist() == [[1, 2, 0.5]]
    with pytest.raises(ValidationError):  # roll call was taken: it cannot be cancelled
        groups.cancel_session(session, t, meeting.id, "oops")


def test_bad_roll_call_saves_nothing(session, world):
    t, group, a, b = world["t"], world["group"], world["a"], world["b"]
    groups.join_group(session, t, group.id, a.id, date(2026, 3, 2))
    groups.generate_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 16))
    meeting_id = groups.list_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 16))[0].id
    for marks in ({a.id: ("present", 500)}, {a.id: ("asleep", None)}, {a.id: ("unexcused", 30)},
                  {a.id: ("present", None), b.id: ("present", None)},  # Ben is not a member
                  {a.id: ("present", None), "1": ("present", None)}, {}):
        with pytest.raises(ValidationError):
            roll_call.record_attendance(session, t, meeting_id, marks, today=TODAY)
    assert session.exec(select(Attendance)).all() == []
    with pytest.raises(PermissionDenied):
        roll_call.record_attendance(session, world["other"], meeting_id, {a.id: ("present", None)}, today=TODAY)
    assert session.exec(select(Attendance)).all() == []


def test_editing_old_attendance_needs_a_reason_and_is_audited(session, world):
    t, group, a = world["t"], world["group"], world["a"]
    groups.join_group(session, t, group.id, a.id, date(2026, 3, 2))
    groups.generate_sessions(session, t, group.id, date(2026, 3, 9), date(2026, 3, 11))
    old, recent = groups.list_sessions(session, t, group.id, date(2026, 3, 9), date(2026, 3, 11))
    assert (TODAY - old.day).days == 9 and (TODAY - recent.day).days == 7
    roll_call.record_attendance(session, t, recent.id, {a.id: ("present", None)}, today=TODAY)  # 7 days: no reason
    with pytest.raises(ValidationError) as err:
        roll_call.record_attendance(session, t, old.id, {a.id: ("present", None)}, today=TODAY)
    assert "reason" in err.value.errors
    assert roll_call.roll_call(session, t, old.id, TODAY).needs_reason
    roll_call.record_attendance(session, t, old.id, {a.id: ("excused", None)}, reason="Doctor's note", today=TODAY)
    row = session.exec(select(Attendance).where(Attendance.session_id == old.id)).one()
    assert (row.status, row.edit_reason) == ("excused", "Doctor's note")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "attendance.edit")).one()
    assert event.client_id == a.id and "Doctor's note" in event.detail


def test_other_therapist_sees_only_own_caseload_members(session, world):
    t, group, a, d = world["t"], world["group"], world["a"], world["d"]
    groups.join_group(session, t, group.id, a.id, date(2026, 3, 2))
    groups.join_group(session, world["director"], group.id, d.id, date(2026, 3, 2))
    assert [r.name for r in groups.members(session, world["other"], group.id, TODAY)] == ["Dee"]
    assert [r.name for r in groups.members(session, t, group.id, TODAY)] == ["Ana", "Dee"]
    with pytest.raises(PermissionDenied):
        roll_call.roll_call(session, world["other"], _any_session(session, t, group), TODAY)
    listed = groups.list_groups(session, world["other"], TODAY)
    assert [(g.name, g.members, g.manageable) for g in listed] == [("Morning Process", 2, False)]


def _any_session(session, t, group):
    groups.generate_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 16))
    return session.exec(select(GroupSession.id).where(GroupSession.group_id == group.id)).first()


def test_attendance_csv(session, world):
    t, group, a = world["t"], world["group"], world["a"]
    groups.join_group(session, t, group.id, a.id, date(2026, 3, 2))
    groups.generate_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 16))
    meeting = groups.list_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 16))[0]
    roll_call.record_attendance(session, t, meeting.id, {a.id: ("late", 160)}, today=TODAY)
    rows = list(csv.DictReader(io.StringIO(roll_call.attendance_csv(session, t, group.id))))
    assert rows == [{"Date": "2026-03-16 09:00", "Topic": "", "Client id": str(a.id), "Client": "Ana",
                     "Status": "Late", "Minutes": "160", "Edit reason": ""}]


# ----------------------------------------------------------------- input declared once
def test_inputs_validate_gives_each_field_its_message():
    from typing import ClassVar

    from pydantic import BaseModel, ConfigDict, Field, field_validator

    from iop_app.services import inputs

    class Thing(BaseModel):
        model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", strict=True)
        messages: ClassVar[dict] = {"name:missing": "Enter a name.", "name": "Name: up to 5 characters.",
                                    "count": "Count: 1 to 3."}
        name: str = Field(min_length=1, max_length=5)
        count: int = Field(ge=1, le=3)
        colour: str = ""

        @field_validator("colour")
        @classmethod
        def _known(cls, value: str) -> str:
            if value not in ("", "red"):
                raise ValueError("Choose red.")
            return value

    assert inputs.validate(Thing, name="  ab ", count=2).name == "ab"
    with pytest.raises(ValidationError) as err:
        inputs.validate(Thing, name="   ", count=True, colour="blue")
    assert err.value.errors == {"name": "Enter a name.", "count": "Count: 1 to 3.", "colour": "Choose red."}
    with pytest.raises(ValidationError) as err:
        inputs.validate(Thing, name="toolong", count=2, extra=1)
    assert err.value.errors["name"] == "Name: up to 5 characters." and "extra" in err.value.errors


def test_group_and_extra_session_input_messages(session, world):
    t, group = world["t"], world["group"]
    with pytest.raises(ValidationError) as err:
        new_group(session, t, name=["not text"], start_date=date(2026, 3, 10), end_date=date(2026, 3, 9),
                  weekdays=[0, 8], duration_minutes=True)
    assert err.value.errors == {
        "name": "Enter a name (up to 80 characters).", "end_date": "The end date must be on or after the start date.",
        "weekdays": "Choose at least one day of the week.", "duration_minutes": "Length must be 30 to 300 minutes."}
    with pytest.raises(ValidationError) as err:
        groups.add_extra_session(session, t, group.id, None, time(10), 5, "x" * 121)
    assert err.value.errors == {"day": "Enter the date.", "duration_minutes": "Length must be 15 to 300 minutes.",
                                "topic": "Topic: up to 120 characters."}
    with pytest.raises(ValidationError) as err:
        groups.generate_sessions(session, t, group.id, None, date(2026, 3, 20))
    assert err.value.errors == {"end": "Enter both dates."}


def test_attendance_marks_are_checked_by_the_mark_model(session, world):
    t, group, a = world["t"], world["group"], world["a"]
    groups.join_group(session, t, group.id, a.id, date(2026, 3, 2))
    groups.generate_sessions(session, t, group.id, date(2026, 3, 16), date(2026, 3, 16))
    meeting = session.exec(select(GroupSession).where(GroupSession.group_id == group.id)).one()
    for mark, field, message in (((None, None), "status", "Choose a status."),
                                 (("present", True), "minutes", "Minutes must be 0 to 180."),
                                 (("late", 181), "minutes", "Minutes must be 0 to 180."),
                                 (("excused", 30), "minutes", "An absence has 0 minutes.")):
        with pytest.raises(ValidationError) as err:
            roll_call.record_attendance(session, t, meeting.id, {a.id: mark}, today=TODAY)
        assert err.value.errors == {f"{field}-{a.id}": message}, mark
    assert session.exec(select(Attendance)).all() == []


def test_a_member_on_a_day_is_defined_once(session, factory, world):
    from iop_app.models.groups import member_on

    t, group = world["t"], world["group"]
    spans = {"left yesterday": (date(2026, 3, 2), date(2026, 3, 17)), "left today": (date(2026, 3, 2), TODAY),
             "joins tomorrow": (date(2026, 3, 19), None), "joined today": (TODAY, None)}
    for who, (joined, left) in spans.items():
        client = make_client(session, factory, t, who)
        session.add(GroupMembership(group_id=group.id, client_id=client.id, joined_on=joined, left_on=left))
    session.commit()
    rows = session.exec(select(GroupMembership).where(GroupMembership.group_id == group.id)).all()
    in_sql = {m.id for m in session.exec(select(GroupMembership).where(GroupMembership.group_id == group.id,
                                                                       member_on(TODAY))).all()}
    assert in_sql == {m.id for m in rows if m.current_on(TODAY)} and len(in_sql) == 2
    current = {r.name for r in groups.members(session, t, group.id, TODAY) if r.current}
    assert current == {"left today", "joined today"}
