"""The director's clinical supervision screen (issue #11, section 3: supervision):
who supervises, whose notes need co-signature, who their supervisor is."""

from __future__ import annotations

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, Supervision
from iop_app.services import notes
from iop_app.services.errors import PermissionDenied, ValidationError
from iop_app.state.director_supervision import SupervisionState
from tests.helpers import call
from tests.test_intake_state import make_state


@pytest.fixture
def staff(session, factory, db_url, monkeypatch):
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    director = factory.user("director", name="Dana Director")
    senior = factory.user("therapist", name="Sam Senior")
    junior = factory.user("therapist", name="Jo Junior")
    other = factory.user("therapist", name="Oli Other")
    client = factory.client(junior, name="Casey Client")
    return dict(director=director, senior=senior, junior=junior, other=other, client=client,
                client_user=factory.client_user(client), family=factory.family(client))


def _row(session, user) -> Supervision | None:
    session.expire_all()
    return session.get(Supervision, user.id)


# ------------------------------------------------------------------ the service
def test_named_supervisor_is_the_director_or_a_marked_supervisor(session, staff):
    d, senior, junior = staff["director"], staff["senior"], staff["junior"]
    with pytest.raises(ValidationError) as refused:  # Sam is not marked as supervisor yet
        notes.set_supervision(session, d, junior.id, is_supervisor=False, needs_cosign=True, supervisor_id=senior.id)
    assert "supervisor_id" in refused.value.errors
    notes.set_supervision(session, d, junior.id, is_supervisor=False, needs_cosign=True, supervisor_id=d.id)
    notes.set_supervision(session, d, senior.id, is_supervisor=True, needs_cosign=False)
    notes.set_supervision(session, d, junior.id, is_supervisor=False, needs_cosign=True, supervisor_id=senior.id)
    row = _row(session, junior)
    assert (row.needs_cosign, row.supervisor_id) == (True, senior.id)
    for forged in (junior.id, staff["client_user"].id, staff["family"].id, 999_999, "2", -1, True):
        with pytest.raises(ValidationError):
            notes.set_supervision(session, d, junior.id, is_supervisor=False, needs_cosign=True,
                                  supervisor_id=forged)
    assert _row(session, junior).supervisor_id == senior.id  # nothing half-saved
    disabled = staff["other"]
    notes.set_supervision(session, d, disabled.id, is_supervisor=True, needs_cosign=False)
    disabled.active = False
    session.add(disabled)
    session.commit()
    with pytest.raises(ValidationError):
        notes.set_supervision(session, d, junior.id, is_supervisor=False, needs_cosign=True,
                              supervisor_id=disabled.id)


def test_a_named_supervisor_stays_one_until_their_staff_have_another(session, staff):
    d, senior, junior = staff["director"], staff["senior"], staff["junior"]
    notes.set_supervision(session, d, senior.id, is_supervisor=True, needs_cosign=False)
    notes.set_supervision(session, d, junior.id, is_supervisor=False, needs_cosign=True, supervisor_id=senior.id)
    with pytest.raises(ValidationError, match="named supervisor of Jo Junior"):
        notes.set_supervision(session, d, senior.id, is_supervisor=False, needs_cosign=False)
    assert _row(session, senior).is_supervisor
    notes.set_supervision(session, d, junior.id, is_supervisor=False, needs_cosign=True)  # any supervisor
    notes.set_supervision(session, d, senior.id, is_supervisor=False, needs_cosign=False)
    assert not _row(session, senior).is_supervisor


def test_only_staff_and_only_real_ticks(session, staff):
    d = staff["director"]
    for person in (staff["client_user"].id, staff["family"].id, 999_999, str(staff["junior"].id), None):
        with pytest.raises(ValidationError):
            notes.set_supervision(session, d, person, is_supervisor=True, needs_cosign=False)
    with pytest.raises(ValidationError):  # "false" would be truthy
        notes.set_supervision(session, d, staff["junior"].id, is_supervisor="false", needs_cosign=False)
    assert session.exec(select(Supervision)).all() == []


def test_only_the_director_changes_or_lists_supervision_audited(session, staff):
    for actor in (staff["senior"], staff["client_user"], staff["family"]):
        with pytest.raises(PermissionDenied):
            notes.set_supervision(session, actor, staff["junior"].id, is_supervisor=True, needs_cosign=False)
        with pytest.raises(PermissionDenied):
            notes.supervision_list(session, actor)
    denied = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert sorted({e.action for e in denied}) == ["supervision.update", "supervision.view"] and len(denied) == 6
    assert session.exec(select(Supervision)).all() == []
    notes.set_supervision(session, staff["director"], staff["junior"].id, is_supervisor=False, needs_cosign=True)
    change = session.exec(select(AuditEvent).where(AuditEvent.action == "supervision.update",
                                                   AuditEvent.outcome == "success")).one()
    assert change.target == f"user:{staff['junior'].id}" and "needs_cosign=True" in change.detail
    assert "was supervisor=False needs_cosign=False" in change.detail


def test_the_list_shows_every_staff_member_and_who_they_supervise(session, staff):
    d, senior, junior = staff["director"], staff["senior"], staff["junior"]
    notes.set_supervision(session, d, senior.id, is_supervisor=True, needs_cosign=False)
    notes.set_supervision(session, d, junior.id, is_supervisor=False, needs_cosign=True, supervisor_id=senior.id)
    lines = {line.name: line for line in notes.supervision_list(session, d)}
    assert sorted(lines) == ["Dana Director", "Jo Junior", "Oli Other", "Sam Senior"]  # no client, no family
    assert lines["Sam Senior"].is_supervisor and lines["Sam Senior"].supervisees == ["Jo Junior"]
    assert (lines["Jo Junior"].needs_cosign, lines["Jo Junior"].supervisor_name) == (True, "Sam Senior")
    assert not lines["Oli Other"].is_supervisor and lines["Oli Other"].supervisor_id is None


# ------------------------------------------------------------------ the page state
def _form(line, **overrides) -> dict:
    form = {"user_id": line.id, "supervisor_id": line.supervisor_id}
    if line.is_supervisor:
        form["is_supervisor"] = "on"
    if line.needs_cosign:
        form["needs_cosign"] = "on"
    return {**form, **overrides}


def test_the_director_marks_supervisors_and_co_signature(session, staff):
    state = make_state(SupervisionState, session, staff["director"])
    call(state, "load")
    by_name = {line.name: line for line in state.staff}
    assert sorted(by_name) == ["Dana Director", "Jo Junior", "Oli Other", "Sam Senior"]
    # only the director can be named at first, and nobody is offered as their own supervisor
    assert by_name["Jo Junior"].options == [[str(staff["director"].id), "Dana Director"]]
    assert by_name["Dana Director"].options == []

    call(state, "save", _form(by_name["Sam Senior"], is_supervisor="on"))
    assert state.message == "Supervision saved for Sam Senior." and not state.errors
    by_name = {line.name: line for line in state.staff}
    assert [o[1] for o in by_name["Jo Junior"].options] == ["Dana Director", "Sam Senior"]
    call(state, "save", _form(by_name["Jo Junior"], needs_cosign="on", supervisor_id=str(staff["senior"].id)))
    row = _row(session, staff["junior"])
    assert (row.is_supervisor, row.needs_cosign, row.supervisor_id) == (False, True, staff["senior"].id)
    by_name = {line.name: line for line in state.staff}
    assert by_name["Jo Junior"].summary == "Notes need co-signature by Sam Senior."
    assert by_name["Sam Senior"].summary == "Co-signs notes; Named supervisor of Jo Junior."

    # unticking a box (not sent with the form) clears it; a refusal shows on that person's form
    call(state, "save", {"user_id": by_name["Sam Senior"].id, "supervisor_id": ""})
    assert state.edited == by_name["Sam Senior"].id and "Jo Junior" in state.errors["is_supervisor"]
    assert _row(session, staff["senior"]).is_supervisor
    call(state, "save", {"user_id": by_name["Jo Junior"].id, "supervisor_id": ""})
    row = _row(session, staff["junior"])
    assert (row.needs_cosign, row.supervisor_id) == (False, None)


def test_forged_supervision_events_change_nothing(session, staff):
    state = make_state(SupervisionState, session, staff["director"])
    call(state, "load")
    junior = next(line for line in state.staff if line.name == "Jo Junior")
    for person in ("x", None, "-3", "999999", str(staff["client_user"].id), str(staff["family"].id), ["1"]):
        call(state, "save", {"user_id": person, "is_supervisor": "on"})
        assert state.error and not state.message, person
    for boss in (str(staff["client_user"].id), str(staff["family"].id), "999999", "x", junior.id,
                 str(staff["other"].id)):  # Oli is not marked as supervisor
        call(state, "save", {"user_id": junior.id, "needs_cosign": "on", "supervisor_id": boss})
        assert state.edited == junior.id and state.errors.get("supervisor_id"), boss
    call(state, "save", "not a form")
    assert state.error
    assert session.exec(select(Supervision)).all() == []

    for outsider in ("senior", "client_user", "family"):
        other = make_state(SupervisionState, session, staff[outsider])
        assert call(other, "load") is not None and other.staff == []  # redirected
        call(other, "save", {"user_id": junior.id, "needs_cosign": "on"})
    assert session.exec(select(Supervision)).all() == []
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "page.view",
                                                     AuditEvent.outcome == "denied")).all()) == 6
