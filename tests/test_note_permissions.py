"""Who reads a progress note (issue #11, section 5): the primary therapist, the
author, the director, the author's supervisor, the group's facilitator for a group
note, break-glass; the client only when the program shows notes and the note is
signed; family members never, whatever their consent. Every read is audited."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, BreakGlassGrant, ProgressNote, utcnow
from iop_app.services import group_notes, notes, program
from iop_app.services.errors import NotFound, PermissionDenied
from tests.notes_helpers import group_with_session, mark, signed_plan

DAP = {"data": "d", "interventions": "i", "response": "r", "assessment": "a", "plan": "p"}


@pytest.fixture
def cast(session, factory):
    primary = factory.user("therapist", "Pat Primary")
    author = factory.user("therapist", "Ann Author")
    supervisor = factory.user("therapist", "Sue Supervisor")
    facilitator = factory.user("therapist", "Fay Facilitator")  # has the client on caseload via the group
    stranger = factory.user("therapist", "Stu Stranger")
    director = factory.user("director", "Dee Director")
    client = factory.client(primary, name="Alex Morgan")
    client_user = factory.client_user(client)
    family = factory.family(client, scope="scheduling_progress")
    _plan, objectives = signed_plan(session, client, primary)
    notes.set_supervision(session, director, supervisor.id, is_supervisor=True, needs_cosign=False)
    notes.set_supervision(session, director, author.id, is_supervisor=False, needs_cosign=True,
                          supervisor_id=supervisor.id)
    _group, meeting = group_with_session(session, facilitator, [client])
    mark(session, meeting, client, "present", 90, facilitator)
    # an individual note by a therapist who is not the primary (covering for them)
    note = notes.create_note(session, director, client.id, service_type="individual",
                             service_date=program.local_today(session), start=time(9, 0), end=time(9, 50),
                             location="office")
    note.author_id = author.id  # written by the author (a covering therapist), as if they had created it
    session.add(note)
    session.commit()
    gnote = group_notes.save_group_note(
        session, facilitator, meeting.id, note_format="dap", topic="t", shared="s",
        parts={client.id: {"sections": {"data": "d", "response": "r", "assessment": "a", "plan": "p"},
                           "objectives": [objectives[0].id]}}, expected_version=0)
    gpn = session.exec(select(ProgressNote).where(ProgressNote.group_note_id == gnote.id)).one()
    return dict(primary=primary, author=author, supervisor=supervisor, facilitator=facilitator, stranger=stranger,
                director=director, client=client_user, family=family, note=note, group_note=gpn,
                objectives=objectives, client_row=client)


INDIVIDUAL = {"primary": True, "author": True, "supervisor": True, "director": True, "facilitator": False,
              "stranger": False, "client": False, "family": False}
GROUP = {"primary": True, "author": False, "supervisor": False, "director": True, "facilitator": True,
         "stranger": False, "client": False, "family": False}


@pytest.mark.parametrize("which,table", [("note", INDIVIDUAL), ("group_note", GROUP)])
def test_read_matrix(session, cast, which, table):
    note = cast[which]
    for who, allowed in table.items():
        actor = cast[who]
        before = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == actor.id,
                                                       AuditEvent.action == "note.read")).all()
        if allowed:
            assert notes.note_detail(session, actor, note.id).note.id == note.id, who
        else:
            with pytest.raises(PermissionDenied):
                notes.note_detail(session, actor, note.id)
        after = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == actor.id,
                                                      AuditEvent.action == "note.read")).all()
        assert len(after) == len(before) + 1, who  # every read audited, allowed or denied
        assert after[-1].outcome == ("allowed" if allowed else "denied"), who


def test_client_reads_only_signed_notes_when_the_program_says_so(session, cast):
    note, client_user = cast["note"], cast["client"]
    notes.save_note(session, cast["author"], note.id, expected_version=note.version, sections=DAP,
                    objective_ids=[cast["objectives"][0].id])
    notes.sign_note(session, cast["author"], note.id, expected_version=note.version)
    with pytest.raises(PermissionDenied):
        notes.note_detail(session, client_user, note.id)  # default: not shown to clients
    program.set_setting(session, cast["director"], "client_sees_notes", "yes")
    assert notes.note_detail(session, client_user, note.id).note.id == note.id
    with pytest.raises(PermissionDenied):  # a draft never
        notes.note_detail(session, client_user, cast["group_note"].id)
    with pytest.raises(PermissionDenied):  # family never, whatever the setting and consent
        notes.note_detail(session, cast["family"], note.id)


def test_family_and_client_never_write(session, cast):
    client = cast["client_row"]
    for who in ("family", "client"):
        with pytest.raises(PermissionDenied):
            notes.create_note(session, cast[who], client.id, service_type="crisis",
                              service_date=program.local_today(session), start=time(9, 0), end=time(9, 30),
                              location="office")
        with pytest.raises(PermissionDenied):
            notes.timeline(session, cast[who], client.id)
        with pytest.raises(PermissionDenied):
            notes.my_unsigned(session, cast[who])
        with pytest.raises(PermissionDenied):
            notes.add_addendum(session, cast[who], cast["note"].id, text="x")
    with pytest.raises(PermissionDenied):
        notes.create_note(session, cast["stranger"], client.id, service_type="crisis",
                          service_date=program.local_today(session), start=time(9, 0), end=time(9, 30),
                          location="office")


def test_break_glass_opens_notes_audited(session, cast):
    stranger, note = cast["stranger"], cast["note"]
    grant = BreakGlassGrant(therapist_id=stranger.id, client_id=cast["client_row"].id, reason="Crisis call at night",
                            started_at=utcnow() - timedelta(minutes=1), expires_at=utcnow() + timedelta(minutes=30))
    session.add(grant)
    session.commit()
    assert notes.note_detail(session, stranger, note.id).note.id == note.id
    event = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == stranger.id,
                                                  AuditEvent.action == "note.read")).all()[-1]
    assert event.target == f"break_glass:{grant.id}" and "emergency access" in event.detail


def test_missing_note_is_not_found_for_everyone(session, cast):
    for bad in (999_999, "1", None, True):
        with pytest.raises(NotFound):
            notes.note_detail(session, cast["director"], bad)
