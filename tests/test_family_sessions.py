"""Family-session scheduling: no double booking, the answer flows, attendance
toward weekly hours, and the calendar file."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import icalendar
import pytest
from sqlmodel import select

from iop_app.models import (
    FamilySession,
    FamilySessionMessage,
    GroupMembership,
    GroupSession,
    IndividualSession,
    SlotProposal,
    TherapyGroup,
    utcnow,
)
from iop_app.services import family_home, hours, program
from iop_app.services import family_sessions as fs_svc
from iop_app.services.errors import PermissionDenied, ServiceError, ValidationError
from tests.notes_helpers import document_all


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist", name="Marcus Reyes")
    client = factory.client(therapist, name="Alex Morgan")
    sam = factory.family(client, scope="scheduling")
    return therapist, client, factory.client_user(client), sam


def day(session, n: int):
    """The program-local date `n` days ahead."""
    return program.local_today(session) + timedelta(days=n)


def at(session, n: int, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day(session, n), time(hh, mm))


def utc(session, local: datetime) -> datetime:
    return program.to_utc(local, program.program_tz(session))


def slots_of(session, fs) -> list[SlotProposal]:
    return list(session.exec(select(SlotProposal).where(SlotProposal.family_session_id == fs.id)
                             .order_by(SlotProposal.starts_at)).all())


def kinds(session, fs) -> list[str]:
    return [m.kind for m in session.exec(select(FamilySessionMessage).where(
        FamilySessionMessage.family_session_id == fs.id).order_by(FamilySessionMessage.id)).all()]


def add_group(session, facilitator, *, weekday_of, start=time(9, 0), minutes=180, with_row=True):
    d = weekday_of
    group = TherapyGroup(name="Morning Process Group", group_type="process", facilitator_id=facilitator.id,
                         weekdays=str(d.isoweekday()), start_time=start, duration_minutes=minutes,
                         start_date=d - timedelta(days=30))
    session.add(group)
    session.flush()
    if with_row:
        session.add(GroupSession(group_id=group.id, starts_at=utc(session, datetime.combine(d, start)),
                                 duration_minutes=minutes))
    session.commit()
    return group


def propose(session, therapist, client, *times, minutes=60):
    return fs_svc.propose(session, therapist, client.id, starts_local=list(times), duration_minutes=minutes,
                          mode="video", note="Support at home")


# --------------------------------------------------------------------------- overlaps
def test_proposal_overlapping_a_group_the_therapist_facilitates_is_refused(session, world):
    therapist, client, _, _ = world
    add_group(session, therapist, weekday_of=day(session, 3))
    with pytest.raises(ValidationError) as exc:
        propose(session, therapist, client, at(session, 3, 11, 30))  # 11:30-12:30 vs 09:00-12:00
    assert list(exc.value.errors) == ["slot_1"]
    assert "Morning Process Group" in exc.value.errors["slot_1"] and "facilitates" in exc.value.errors["slot_1"]
    assert session.exec(select(FamilySession)).all() == []
    # Touching ends do not overlap: 12:00 is free.
    fs = propose(session, therapist, client, at(session, 3, 12, 0))
    assert fs.status == "proposed"


def test_proposal_overlapping_the_clients_group_is_refused_even_before_meetings_exist(session, world, factory):
    therapist, client, _, _ = world
    other_therapist = factory.user("therapist")
    group = add_group(session, other_therapist, weekday_of=day(session, 4), start=time(13, 0), minutes=120,
                      with_row=False)
    session.add(GroupMembership(group_id=group.id, client_id=client.id, joined_on=day(session, -10)))
    session.commit()
    with pytest.raises(ValidationError) as exc:
        propose(session, therapist, client, at(session, 5, 9, 0), at(session, 4, 14, 30))
    assert list(exc.value.errors) == ["slot_2"]
    assert "the client's group Morning Process Group" in exc.value.errors["slot_2"]


def test_a_cancelled_group_meeting_leaves_the_time_free(session, world):
    therapist, client, _, _ = world
    add_group(session, therapist, weekday_of=day(session, 3))
    meeting = session.exec(select(GroupSession)).one()
    meeting.cancelled = True
    session.add(meeting)
    session.commit()
    assert propose(session, therapist, client, at(session, 3, 10, 0)).status == "proposed"


def test_proposal_overlapping_individual_sessions_is_refused(session, world, factory):
    therapist, client, _, _ = world
    other_client = factory.client(therapist)
    session.add(IndividualSession(client_id=other_client.id, therapist_id=therapist.id,
                                  starts_at=utc(session, at(session, 2, 15, 0)), duration_minutes=50))
    other_therapist = factory.user("therapist")
    session.add(IndividualSession(client_id=client.id, therapist_id=other_therapist.id,
                                  starts_at=utc(session, at(session, 2, 17, 0)), duration_minutes=50))
    session.commit()
    with pytest.raises(ValidationError) as exc:
        propose(session, therapist, client, at(session, 2, 14, 30), at(session, 2, 16, 30), at(session, 2, 18, 0))
    assert set(exc.value.errors) == {"slot_1", "slot_2"}
    assert "the therapist's individual session with another client" in exc.value.errors["slot_1"]
    assert "the client's individual session" in exc.value.errors["slot_2"]


def test_booking_overlapping_another_booked_family_session_is_refused(session, world, factory):
    therapist, client, client_user, _ = world
    other_client = factory.client(therapist)
    first = propose(session, therapist, other_client, at(session, 3, 18, 0))
    fs_svc.accept_slot(session, factory.client_user(other_client), slots_of(session, first)[0].id)
    fs_svc.confirm(session, therapist, first.id)
    with pytest.raises(ValidationError) as exc:
        propose(session, therapist, client, at(session, 3, 18, 30))
    assert "the therapist's family session with another client" in exc.value.errors["slot_1"]


def test_confirmation_rechecks_the_time(session, world):
    therapist, client, client_user, _ = world
    fs = propose(session, therapist, client, at(session, 3, 18, 0))
    fs_svc.accept_slot(session, client_user, slots_of(session, fs)[0].id)
    # Meanwhile an individual session was put at the same time.
    session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id,
                                  starts_at=utc(session, at(session, 3, 18, 15)), duration_minutes=50))
    session.commit()
    with pytest.raises(ServiceError) as exc:
        fs_svc.confirm(session, therapist, fs.id)
    assert "the client's individual session" in exc.value.message
    session.refresh(fs)
    assert fs.status == "proposed" and fs.starts_at is None


def test_invalid_proposals_are_refused_per_field(session, world):
    therapist, client, _, _ = world
    with pytest.raises(ValidationError) as exc:
        fs_svc.propose(session, therapist, client.id, starts_local=[at(session, -1, 10), at(session, 2, 10)],
                       duration_minutes=5, mode="phone")
    assert exc.value.errors.keys() == {"duration_minutes", "mode", "slot_1"}
    with pytest.raises(ValidationError) as exc:
        fs_svc.propose(session, therapist, client.id, starts_local=[], duration_minutes=60, mode="video")
    assert list(exc.value.errors) == ["slot_1"]
    assert session.exec(select(FamilySession)).all() == []


def test_only_staff_with_the_client_on_caseload_propose(session, world, factory):
    therapist, client, client_user, sam = world
    stranger = factory.user("therapist")
    for actor in (stranger, client_user, sam):
        with pytest.raises(PermissionDenied):
            propose(session, actor, client, at(session, 3, 18))
    assert session.exec(select(FamilySession)).all() == []


# --------------------------------------------------------------------------- flows
def test_accept_then_confirm_books_the_session(session, world):
    therapist, client, client_user, sam = world
    fs = propose(session, therapist, client, at(session, 3, 18, 0), at(session, 4, 18, 0))
    first, second = slots_of(session, fs)
    fs_svc.accept_slot(session, sam, second.id)
    with pytest.raises(ServiceError):  # one acceptance at a time
        fs_svc.accept_slot(session, sam, first.id)
    with pytest.raises(PermissionDenied):
        fs_svc.confirm(session, therapist, 10**6)  # a made-up id
    fs_svc.confirm(session, therapist, fs.id)
    session.refresh(fs)
    assert fs.status == "booked" and fs.starts_at == utc(session, at(session, 4, 18, 0))
    assert [s.status for s in slots_of(session, fs)] == ["declined", "accepted"]
    assert kinds(session, fs) == ["proposal", "accept", "confirm"]
    # The client sees the same history.
    (view,) = fs_svc.sessions_for_client(session, client_user, client.id)
    assert view.status == "booked"
    assert [m.author for m in view.messages] == ["Marcus Reyes", sam.full_name, "Marcus Reyes"]


def test_ask_for_another_time_then_therapist_offers_one(session, world):
    therapist, client, client_user, sam = world
    fs = propose(session, therapist, client, at(session, 3, 18, 0))
    with pytest.raises(ValidationError):
        fs_svc.request_other_time(session, sam, fs.id, message="   ")
    fs_svc.request_other_time(session, sam, fs.id, message="Evenings after 19:00 work better for me.")
    fs_svc.add_slots(session, therapist, fs.id, starts_local=[at(session, 5, 19, 0)])
    assert kinds(session, fs) == ["proposal", "counter_request", "proposal"]
    new_slot = slots_of(session, fs)[-1]
    fs_svc.accept_slot(session, client_user, new_slot.id)
    fs_svc.confirm(session, therapist, fs.id)
    session.refresh(fs)
    assert fs.starts_at == utc(session, at(session, 5, 19, 0))


def test_withdraw_acceptance_releases_the_booking(session, world, factory):
    therapist, client, client_user, sam = world
    other = factory.family(client, scope="scheduling")
    fs = propose(session, therapist, client, at(session, 3, 18, 0))
    (slot,) = slots_of(session, fs)
    fs_svc.accept_slot(session, sam, slot.id)
    fs_svc.confirm(session, therapist, fs.id)
    with pytest.raises(ServiceError):  # not their acceptance
        fs_svc.withdraw_acceptance(session, other, slot.id)
    fs_svc.withdraw_acceptance(session, sam, slot.id, reason="Work shift changed")
    session.refresh(fs)
    session.refresh(slot)
    assert (fs.status, fs.starts_at, slot.status, slot.accepted_by) == ("proposed", None, "open", None)
    assert kinds(session, fs)[-1] == "withdraw"


def test_cancel_needs_a_reason(session, world):
    therapist, client, client_user, sam = world
    fs = propose(session, therapist, client, at(session, 3, 18, 0))
    with pytest.raises(ValidationError) as exc:
        fs_svc.cancel(session, therapist, fs.id, reason=" ")
    assert list(exc.value.errors) == ["reason"]
    with pytest.raises(PermissionDenied):
        fs_svc.cancel(session, sam, fs.id, reason="I say so")
    fs_svc.cancel(session, therapist, fs.id, reason="Therapist ill")
    session.refresh(fs)
    assert (fs.status, fs.cancel_reason) == ("cancelled", "Therapist ill")
    with pytest.raises(ServiceError):
        fs_svc.accept_slot(session, sam, slots_of(session, fs)[0].id)
    # The family member still sees what happened, with the reason.
    (home,) = family_home.family_home(session, sam)
    assert [(s.status, s.cancel_reason) for s in home.sessions] == [("cancelled", "Therapist ill")]


def test_reschedule_moves_the_booking_with_a_reason(session, world, factory):
    therapist, client, client_user, sam = world
    fs = propose(session, therapist, client, at(session, 3, 18, 0))
    fs_svc.accept_slot(session, sam, slots_of(session, fs)[0].id)
    fs_svc.confirm(session, therapist, fs.id)
    with pytest.raises(ValidationError) as exc:
        fs_svc.reschedule(session, therapist, fs.id, new_start_local=at(session, 4, 18, 0), reason="")
    assert list(exc.value.errors) == ["reason"]
    session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id,
                                  starts_at=utc(session, at(session, 4, 9, 0)), duration_minutes=50))
    session.commit()
    with pytest.raises(ValidationError) as exc:
        fs_svc.reschedule(session, therapist, fs.id, new_start_local=at(session, 4, 9, 30), reason="Room")
    assert list(exc.value.errors) == ["starts_at"]
    fs_svc.reschedule(session, therapist, fs.id, new_start_local=at(session, 4, 18, 0), reason="Room booked")
    session.refresh(fs)
    assert fs.status == "booked" and fs.starts_at == utc(session, at(session, 4, 18, 0))
    assert kinds(session, fs)[-1] == "reschedule"
    # The acceptance moved with it, so the family member can still withdraw it.
    accepted = [s for s in slots_of(session, fs) if s.status == "accepted"]
    assert [(s.starts_at, s.accepted_by) for s in accepted] == [(fs.starts_at, sam.id)]


def test_attended_session_counts_toward_weekly_hours(session, world):
    therapist, client, client_user, _ = world
    fs = propose(session, therapist, client, at(session, 3, 18, 0), minutes=90)
    fs_svc.accept_slot(session, client_user, slots_of(session, fs)[0].id)
    fs_svc.confirm(session, therapist, fs.id)
    with pytest.raises(ServiceError):  # not yet held
        fs_svc.mark_attended(session, therapist, fs.id, minutes=90)
    # The session took place: move it into the past as time would.
    held_on = program.local_today(session) - timedelta(days=1)
    fs.starts_at = utc(session, datetime.combine(held_on, time(18, 0)))
    session.add(fs)
    session.commit()
    with pytest.raises(ValidationError):
        fs_svc.mark_attended(session, therapist, fs.id, minutes=91)
    assert hours.hours_between(session, [client.id], held_on, held_on + timedelta(days=1)) == {}
    fs_svc.mark_attended(session, therapist, fs.id, minutes=75)
    assert hours.hours_between(session, [client.id], held_on, held_on + timedelta(days=1)) == {}  # no note yet
    document_all(session)
    assert hours.hours_between(session, [client.id], held_on, held_on + timedelta(days=1)) == {client.id: 1.25}


# --------------------------------------------------------------------------- calendar file
def test_ics_parses_back_with_the_right_times(session, world):
    therapist, client, client_user, sam = world
    fs = propose(session, therapist, client, at(session, 3, 18, 30), minutes=45)
    with pytest.raises(ServiceError):  # not booked yet
        fs_svc.ics_for_session(session, sam, fs.id)
    fs_svc.accept_slot(session, sam, slots_of(session, fs)[0].id)
    fs_svc.confirm(session, therapist, fs.id)
    data = fs_svc.ics_for_session(session, sam, fs.id)
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    start = utc(session, at(session, 3, 18, 30))
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start + timedelta(minutes=45)
    assert str(event["summary"]) == "Family session"
    # Shown in the program's zone: the wall time the therapist entered.
    assert program.to_local(event.decoded("dtstart"), program.program_tz(session)).time() == time(18, 30)


def test_ics_is_refused_without_consent(session, world, factory):
    therapist, client, client_user, sam = world
    stranger = factory.family(factory.client(therapist))
    fs = propose(session, therapist, client, at(session, 3, 18, 0))
    fs_svc.accept_slot(session, client_user, slots_of(session, fs)[0].id)
    fs_svc.confirm(session, therapist, fs.id)
    with pytest.raises(PermissionDenied):
        fs_svc.ics_for_session(session, stranger, fs.id)
    assert fs_svc.ics_for_session(session, client_user, fs.id).startswith(b"BEGIN:VCALENDAR")


def test_family_member_is_told_only_that_a_taken_time_is_unavailable(session, world):
    therapist, client, client_user, sam = world
    fs = propose(session, therapist, client, at(session, 3, 18, 0))
    session.add(IndividualSession(client_id=client.id, therapist_id=therapist.id,
                                  starts_at=utc(session, at(session, 3, 18, 0)), duration_minutes=50))
    session.commit()
    (slot,) = slots_of(session, fs)
    with pytest.raises(ServiceError) as exc:
        fs_svc.accept_slot(session, sam, slot.id)
    assert exc.value.message == fs_svc.FAMILY_UNAVAILABLE
    (home,) = family_home.family_home(session, sam)
    assert home.sessions[0].slots[0].unavailable_reason == fs_svc.FAMILY_UNAVAILABLE
    with pytest.raises(ServiceError) as exc:
        fs_svc.accept_slot(session, client_user, slot.id)
    assert "individual session" in exc.value.message
    assert utcnow() < slot.starts_at
