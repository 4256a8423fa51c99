"""The client's own progress notes (/client/notes): hidden unless the program shows
notes to clients (client_sees_notes, off by default); then only their own signed
notes, with addenda, never a draft or another client's; never family members."""

from __future__ import annotations

from datetime import time

import pytest

from iop_app.services import notes, program
from iop_app.services.errors import PermissionDenied
from iop_app.state.client.notes import ClientNotesState
from tests.helpers import call
from tests.notes_helpers import signed_plan

DAP = {"data": "Talked about evenings at home.", "interventions": "Urge surfing practised.",
       "response": "Engaged; tried it twice.", "assessment": "Progressing.", "plan": "Practise daily."}


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist", "Pat Primary")
    director = factory.user("director", "Dee Director")
    client = factory.client(therapist, name="Alex Morgan")
    other = factory.client(therapist, name="Bo Other")
    _plan, objectives = signed_plan(session, client, therapist)
    _plan2, other_objectives = signed_plan(session, other, therapist)

    def note(for_client, objective, *, sign: bool):
        row = notes.create_note(session, therapist, for_client.id, service_type="individual",
                                service_date=program.local_today(session), start=time(9, 0), end=time(9, 50),
                                location="office")
        notes.save_note(session, therapist, row.id, expected_version=row.version, sections=DAP,
                        objective_ids=[objective.id])
        if sign:
            notes.sign_note(session, therapist, row.id, expected_version=row.version)
        return row

    signed = note(client, objectives[0], sign=True)
    notes.add_addendum(session, therapist, signed.id, text="Client called the next day: all well.")
    draft = note(client, objectives[0], sign=False)
    others = note(other, other_objectives[0], sign=True)
    return dict(therapist=therapist, director=director, client=factory.client_user(client),
                family=factory.family(client, scope="scheduling_progress"), signed=signed, draft=draft,
                others=others)


def test_hidden_by_default_then_only_own_signed_notes(session, world):
    assert notes.client_own_notes(session, world["client"]) is None  # the program's default
    program.set_setting(session, world["director"], "client_sees_notes", "yes")
    shown = notes.client_own_notes(session, world["client"])
    assert [d.note.id for d in shown] == [world["signed"].id]  # no draft, nobody else's
    assert [a.text for a in shown[0].addenda] == ["Client called the next day: all well."]


@pytest.mark.parametrize("who", ["therapist", "director", "family"])
def test_only_a_client_has_own_notes(session, world, who):
    program.set_setting(session, world["director"], "client_sees_notes", "yes")
    with pytest.raises(PermissionDenied):
        notes.client_own_notes(session, world[who])


def test_the_page_shows_the_notes_only_when_the_program_does(session, world, signed_in_state):
    state = signed_in_state(ClientNotesState, world["client"])
    call(state, "load")
    assert (state.shown, state.cards) == (False, [])
    program.set_setting(session, world["director"], "client_sees_notes", "yes")
    call(state, "load")
    assert state.shown and [c.note_id for c in state.cards] == [str(world["signed"].id)]
    card = state.cards[0]
    assert ["Data", DAP["data"]] in card.sections and card.addenda[0].endswith("Client called the next day: all well.")


def test_a_family_member_on_the_page_is_refused(session, world, signed_in_state):
    program.set_setting(session, world["director"], "client_sees_notes", "yes")
    state = signed_in_state(ClientNotesState, world["family"])
    call(state, "load")
    assert state.cards == [] and not state.shown
