"""The notes pages' handlers, called as a browser could call them, with forged
arguments: nothing reaches a note the actor may not touch, nothing half-saved."""

from __future__ import annotations

from datetime import time

from reflex.istate.data import RouterData
from sqlmodel import select

from iop_app.models import GroupNote, ProgressNote
from iop_app.services import notes, program
from iop_app.state.group_notes import GroupNoteState
from iop_app.state.notes import ClientNotesState, NotesState, NoteState
from tests.helpers import call
from tests.notes_helpers import group_with_session, mark, signed_plan


def _with_params(_monkeypatch, state, **params):
    """The page's URL parameters, as the browser's URL would give them."""
    state.router = RouterData.from_router_data({"query": dict(params), "pathname": "/x"})


def test_note_page_flow_and_forged_ids(session, factory, signed_in_state, monkeypatch):
    therapist = factory.user("therapist")
    stranger = factory.user("therapist")
    client = factory.client(therapist)
    _plan, objectives = signed_plan(session, client, therapist)
    note = notes.create_note(session, therapist, client.id, service_type="individual",
                             service_date=program.local_today(session), start=time(8, 0), end=time(8, 50),
                             location="office")

    state = signed_in_state(NoteState, therapist)
    _with_params(monkeypatch, state, note_id=str(note.id))
    call(state, "load")
    assert state.found and state.may_edit and [o.id for o in state.options] == [str(objectives[0].id)]
    form = {f"section-{s.key}": "text" for s in state.sections}
    form |= {f"objective-{objectives[0].id}": "on", "objective-99999": "on", "service_date": "bad"}
    call(state, "save", form)  # a forged objective and a bad date: refused, nothing saved
    assert state.errors and session.get(ProgressNote, note.id).sections == {}
    form.pop("objective-99999")
    form["service_date"] = program.local_today(session).isoformat()
    form |= {"start": "08:00", "end": "08:50", "location": "office", "note_format": "dap"}
    call(state, "save", form)
    assert state.message == "Draft saved." and not state.errors
    call(state, "sign")
    session.expire_all()
    assert session.get(ProgressNote, note.id).status == "signed" and state.is_signed
    call(state, "add_addendum", {"text": ["not", "text"]})
    assert state.errors.get("text")
    call(state, "add_addendum", {"text": "Late entry text", "reason": ""})
    assert [a.text for a in state.addenda] == ["Late entry text"]

    # another therapist forging the note id in the URL sees nothing of it
    other = signed_in_state(NoteState, stranger)
    _with_params(monkeypatch, other, note_id=str(note.id))
    call(other, "load")
    assert not other.found and other.sections == [] and other.error
    for forged in ("abc", "-1", "99999999999999999999"):
        _with_params(monkeypatch, other, note_id=forged)
        call(other, "load")
        assert not other.found


def test_client_notes_page_refuses_forged_input(session, factory, signed_in_state, monkeypatch):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    state = signed_in_state(ClientNotesState, therapist)
    _with_params(monkeypatch, state, client_id=str(client.id))
    call(state, "load")
    assert state.found
    call(state, "set_kind", "<script>")
    assert state.error and state.kind == "all"
    call(state, "create", {"service_type": "group", "service_date": "2026-01-01", "start": "9", "end": "x"})
    assert state.errors and session.exec(select(ProgressNote)).all() == []
    call(state, "create", {"service_type": "crisis", "service_date": program.local_today(session).isoformat(),
                           "start": "09:00", "end": "09:30", "location": "telehealth_phone", "note_format": "soap"})
    assert session.exec(select(ProgressNote)).one().service_type == "crisis"
    mine = signed_in_state(NotesState, therapist)
    call(mine, "load")
    assert len(mine.unsigned) == 1
    client_user = factory.client_user(client)
    refused = signed_in_state(ClientNotesState, client_user)
    _with_params(monkeypatch, refused, client_id=str(client.id))
    assert call(refused, "load") is not None and refused.items == []  # sent to /denied


def test_group_note_form_with_forged_parts(session, factory, signed_in_state, monkeypatch):
    facilitator = factory.user("therapist", "Fay Facilitator")
    a, b = factory.client(facilitator, name="Alex Morgan"), factory.client(facilitator, name="Jamie Rivera")
    objective = {c.id: signed_plan(session, c, facilitator)[1][0].id for c in (a, b)}
    _group, meeting = group_with_session(session, facilitator, [a, b])
    mark(session, meeting, a, "present", 90, facilitator)
    mark(session, meeting, b, "excused", 0, facilitator)
    state = signed_in_state(GroupNoteState, facilitator)
    _with_params(monkeypatch, state, session_id=str(meeting.id))
    call(state, "load")
    assert [x.name for x in state.attendees] == ["Alex Morgan"]
    form = {"note_format": "dap", "topic": "Urges", "shared": "Skills practice.",
            f"{b.id}:data": "forged part for an absent member", f"{a.id}:data": "d", f"{a.id}:response": "r",
            f"{a.id}:assessment": "x", f"{a.id}:plan": "p", f"{a.id}:objective:{objective[a.id]}": "on"}
    call(state, "save", form)
    assert state.errors and session.exec(select(GroupNote)).all() == []
    form.pop(f"{b.id}:data")
    call(state, "save", form)
    assert not state.errors, state.errors
    call(state, "sign")
    assert state.signed and session.exec(select(ProgressNote)).one().status == "signed"
    stranger = signed_in_state(GroupNoteState, factory.user("therapist"))
    _with_params(monkeypatch, stranger, session_id=str(meeting.id))
    call(stranger, "load")
    assert not stranger.found and stranger.attendees == []
