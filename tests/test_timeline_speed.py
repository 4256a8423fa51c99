"""What the faster record timeline (issue #11, "Speed") must keep: the same items
and flags from plain rows, local days equal to a time-zone conversion of each
moment, and a view that is audited, committed, before anything it read is returned."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select, update

from iop_app.models import AuditEvent, ProgressNote
from iop_app.services import audit, notes, permissions, program
from iop_app.services.errors import PermissionDenied
from tests.notes_helpers import group_with_session, mark, signed_plan
from tests.test_notes import DAP, _new


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist", "Tess Primary")
    client = factory.client(therapist, name="Alex Client")
    _plan, objectives = signed_plan(session, client, therapist, ("Use a coping skill daily",))
    return {"therapist": therapist, "client": client, "objectives": objectives}


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "America/Chicago", "Europe/London", "Australia/Lord_Howe",
                                  "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "UTC"])
def test_local_day_of_matches_a_conversion_of_each_moment(zone):
    tz = ZoneInfo(zone)
    day_of = program.local_day_of(tz)
    rng = random.Random(zone)
    moments = [datetime(2024, 1, 1) + timedelta(seconds=rng.randrange(3 * 366 * 86400)) for _ in range(3000)]
    for year in (2024, 2025, 2026):  # each change of offset, a second either side
        for change in program._offset_changes(tz, year)[0]:
            moments += [change + timedelta(seconds=s) for s in (-1, 0, 1)]
            moments += [change + timedelta(hours=h) for h in range(-26, 27)]
    for naive in moments:
        expected = naive.replace(tzinfo=UTC).astimezone(tz).date()
        assert day_of(naive) == expected, naive  # naive UTC, as SQLite gives it back
        assert day_of(naive.replace(tzinfo=UTC)) == expected, naive
        assert day_of(naive.replace(tzinfo=UTC).astimezone(tz)) == expected, naive  # any aware moment


def test_timeline_flags_come_from_the_statement(session, world, factory):
    t, client = world["therapist"], world["client"]
    today = program.local_today(session)
    # a draft whose session ended long ago is overdue; a fresh draft is not
    old = _new(session, t, client, day=today - timedelta(days=5))
    fresh = _new(session, t, client, start=time(0, 0), end=time(0, 1))
    # a signed note of someone who needs co-signature awaits it
    signed = _new(session, t, client, kind="crisis", start=time(0, 2), end=time(0, 3))
    notes.save_note(session, t, signed.id, expected_version=signed.version, sections=DAP,
                    objective_ids=[world["objectives"][0].id])
    session.execute(update(ProgressNote).where(ProgressNote.id == signed.id)
                    .values(status="signed", cosign_required=True, signed_by=t.id, signed_at=datetime.now(UTC)))
    session.commit()
    _group, meeting = group_with_session(session, t, [client])
    mark(session, meeting, client, "present", 90, t)
    items = {(i.kind, i.note_id): i for i in notes.timeline(session, t, client.id)}
    assert items[("individual", old.id)].overdue and not items[("individual", old.id)].cosign_pending
    assert not items[("individual", fresh.id)].overdue
    crisis = items[("crisis", signed.id)]
    assert crisis.cosign_pending and not crisis.overdue and crisis.title == "Crisis contact"
    group = items[("group", None)]  # attended, not yet documented
    assert (group.note_status, group.minutes, group.overdue, group.day) == ("", 90, False, today)
    assert items[("plan", None)].title == "Treatment plan, version 1"
    days = [i.day for i in items.values()]
    assert [i.day for i in notes.timeline(session, t, client.id)] == sorted(days, reverse=True)


def test_the_view_is_audited_before_the_rows_are_returned(session, world, factory, monkeypatch):
    t, client = world["therapist"], world["client"]
    _new(session, t, client)
    seen = []

    def failing(bind, values):
        seen.append(values["action"])
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "_write_now", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        notes.timeline(session, t, client.id)  # the audit write failed: nothing is returned
    assert seen == ["record.timeline"]
    monkeypatch.undo()

    before = len(session.exec(select(AuditEvent)).all())
    with permissions.audited_read(session, t, permissions.READ, client.id, what="record.timeline",
                                  roles=permissions.STAFF):
        pass
    session.expire_all()
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "record.timeline")).all()
    assert len(session.exec(select(AuditEvent)).all()) == before + 1  # committed when the block ends
    assert views[-1].outcome == "allowed" and views[-1].client_id == client.id and views[-1].hash
    assert audit.verify_chain(session).intact


def test_a_refused_timeline_reads_nothing(session, world, factory, monkeypatch):
    stranger = factory.user("therapist", "Stu Stranger")
    executed = []
    real = notes.timeline_statement

    monkeypatch.setattr(notes, "timeline_statement", lambda: executed.append(1) or real())
    for who in (stranger, factory.family(world["client"]), factory.client_user(world["client"])):
        with pytest.raises(PermissionDenied):
            notes.timeline(session, who, world["client"].id)
    assert executed == []
    denied = session.exec(select(AuditEvent).where(AuditEvent.action == "record.timeline")).all()
    assert [e.outcome for e in denied] == ["denied"] * 3
