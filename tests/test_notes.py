"""Progress notes (issue #11): drafts, the golden thread, signing and locking,
addenda that keep the original, co-signature, lists, the timeline, and weekly
hours that count only documented services."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlmodel import select

from iop_app.models import (
    Addendum,
    AuditEvent,
    FamilySession,
    IndividualSession,
    NoteObjective,
    ProgressNote,
    Supervision,
    utcnow,
)
from iop_app.models.enums import RecordStatus, ServiceType
from iop_app.services import hours, note_formats, notes, program
from iop_app.services.errors import PermissionDenied, ServiceError, StaleEdit, ValidationError
from tests.notes_helpers import signed_plan

DAP = {"data": "Reported two cravings this week.", "interventions": "Urge surfing practice.",
       "response": "Engaged, practised twice.", "assessment": "Progressing.", "plan": "Practise daily."}


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist", "Tess Primary")
    client = factory.client(therapist, name="Alex Client")
    plan, objectives = signed_plan(session, client, therapist, ("Use a coping skill daily", "Attend every group"))
    return {"therapist": therapist, "client": client, "objectives": objectives,
            "director": factory.user("director", "Dana Director")}


def _new(session, actor, client, kind=ServiceType.INDIVIDUAL, day=None, start=time(9, 0), end=time(9, 50), **kw):
    day = day or program.local_today(session)
    return notes.create_note(session, actor, client.id, service_type=kind, service_date=day, start=start, end=end,
                             location="office", **kw)


def _hours(session, client):
    today = program.local_today(session)
    return hours.hours_between(session, [client.id], today - timedelta(days=7), today + timedelta(days=1)).get(
        client.id, 0)


def test_every_format_records_interventions_response_and_plan():
    for code, fmt in note_formats.FORMATS.items():
        assert {fmt.interventions, fmt.response, fmt.plan} <= set(fmt.keys), code
        assert fmt.interventions not in {s.key for s in fmt.individual_sections()}
    assert note_formats.get("birp").keys == ("behavior", "intervention", "response", "plan")


def test_individual_note_is_a_documented_service_once_signed(session, world):
    t, client = world["therapist"], world["client"]
    note = _new(session, t, client)
    assert note.status == RecordStatus.DRAFT and note.minutes == 50 and note.note_format == "dap"  # the setting
    visit = session.get(IndividualSession, note.individual_session_id)
    assert (visit.status, visit.minutes_attended, visit.therapist_id) == ("attended", 50, t.id)
    assert _hours(session, client) == 0  # delivered, not yet documented

    # the golden thread: no objective, no signature (and every section filled)
    with pytest.raises(ValidationError) as exc:
        notes.sign_note(session, t, note.id, expected_version=note.version)
    assert "objective" in exc.value.errors["objectives"] and "Data" in exc.value.errors["sections"]
    notes.save_note(session, t, note.id, expected_version=note.version, sections=DAP, objective_ids=[])
    with pytest.raises(ValidationError, match="golden thread"):
        notes.sign_note(session, t, note.id, expected_version=note.version)

    objective = world["objectives"][0].id
    notes.save_note(session, t, note.id, expected_version=note.version, sections=DAP, objective_ids=[objective])
    before = utcnow()
    notes.sign_note(session, t, note.id, expected_version=note.version)
    session.refresh(note)
    assert note.status == RecordStatus.SIGNED and note.signed_by == t.id
    assert before <= note.signed_at <= utcnow()  # the server's clock
    assert _hours(session, client) == round(50 / 60, 2)
    assert [o.objective_id for o in session.exec(select(NoteObjective)).all()] == [objective]


def test_signed_notes_are_locked(session, world):
    t, client = world["therapist"], world["client"]
    note = _new(session, t, client)
    notes.save_note(session, t, note.id, expected_version=note.version, sections=DAP,
                    objective_ids=[world["objectives"][0].id])
    notes.sign_note(session, t, note.id, expected_version=note.version)
    with pytest.raises(ServiceError, match="signed and locked"):
        notes.save_note(session, t, note.id, expected_version=note.version, sections={"data": "rewritten"})
    with pytest.raises(ServiceError, match="locked"):
        notes.delete_draft(session, t, note.id, expected_version=note.version)
    with pytest.raises(ServiceError, match="already signed"):
        notes.sign_note(session, t, note.id, expected_version=note.version)
    session.refresh(note)
    assert note.sections["data"] == DAP["data"]


def test_objectives_come_from_the_clients_plan_in_force(session, world, factory):
    t, client = world["therapist"], world["client"]
    other = factory.client(t)
    _plan, theirs = signed_plan(session, other, t, ("Someone else's objective",))
    note = _new(session, t, client)
    with pytest.raises(ValidationError, match="plan in force"):
        notes.save_note(session, t, note.id, expected_version=note.version, sections=DAP, objective_ids=[theirs[0].id])
    with pytest.raises(ValidationError):
        notes.save_note(session, t, note.id, expected_version=note.version, sections=DAP, objective_ids=["1"])
    with pytest.raises(ValidationError, match="section its format does not have"):
        notes.save_note(session, t, note.id, expected_version=note.version, sections={"behavior": "x"})


def test_two_editors_of_one_draft_never_overwrite_each_other(session, world):
    t, client = world["therapist"], world["client"]
    note = _new(session, t, client)
    seen = note.version
    notes.save_note(session, t, note.id, expected_version=seen, sections={"data": "first tab"})
    with pytest.raises(StaleEdit):
        notes.save_note(session, t, note.id, expected_version=seen, sections={"data": "second tab"})
    session.refresh(note)
    assert note.sections == {"data": "first tab"}


def test_only_the_author_edits_or_signs(session, world):
    note = _new(session, world["therapist"], world["client"])
    for call in (lambda: notes.save_note(session, world["director"], note.id, expected_version=note.version,
                                         sections={"data": "x"}),
                 lambda: notes.sign_note(session, world["director"], note.id, expected_version=note.version)):
        with pytest.raises(PermissionDenied):
            call()


def test_service_input_is_checked(session, world):
    t, client = world["therapist"], world["client"]
    with pytest.raises(ValidationError) as exc:
        _new(session, t, client, start=time(10, 0), end=time(9, 0))
    assert "after the start" in exc.value.errors["end"]
    with pytest.raises(ValidationError, match="future"):
        _new(session, t, client, day=program.local_today(session) + timedelta(days=1))
    with pytest.raises(ValidationError, match="roll-call"):
        _new(session, t, client, kind=ServiceType.GROUP)
    with pytest.raises(ValidationError) as exc:
        notes.create_note(session, t, client.id, service_type="massage", service_date="2026-01-01", start="9",
                          end=None, location="moon")
    assert {"service_type", "service_date", "start", "end", "location"} <= set(exc.value.errors)
    assert session.exec(select(ProgressNote)).all() == []


def test_addenda_keep_the_original(session, world):
    t, client = world["therapist"], world["client"]
    note = _new(session, t, client)
    with pytest.raises(ServiceError, match="addenda are for signed notes"):
        notes.add_addendum(session, t, note.id, text="too early")
    notes.save_note(session, t, note.id, expected_version=note.version, sections=DAP,
                    objective_ids=[world["objectives"][0].id])
    notes.sign_note(session, t, note.id, expected_version=note.version)
    with pytest.raises(ValidationError):
        notes.add_addendum(session, t, note.id, text="   ")
    notes.add_addendum(session, world["director"], note.id, text="Client called after the session: safe.",
                       reason="Late information")
    detail = notes.note_detail(session, t, note.id)
    assert detail.note.sections == DAP  # the original, as signed
    assert [(a.author, a.text, a.reason) for a in detail.addenda] == [
        ("Dana Director", "Client called after the session: safe.", "Late information")]
    assert session.exec(select(Addendum)).one().created_at <= utcnow()


def test_co_signature_flow(session, world, factory):
    t, client, director = world["therapist"], world["client"], world["director"]
    supervisor = factory.user("therapist", "Sam Supervisor")
    bystander = factory.user("therapist", "Other Therapist")
    notes.set_supervision(session, director, supervisor.id, is_supervisor=True, needs_cosign=False)
    notes.set_supervision(session, director, t.id, is_supervisor=False, needs_cosign=True)
    with pytest.raises(PermissionDenied):
        notes.set_supervision(session, t, t.id, is_supervisor=True, needs_cosign=False)
    note = _new(session, t, client)
    notes.save_note(session, t, note.id, expected_version=note.version, sections=DAP,
                    objective_ids=[world["objectives"][0].id])
    notes.sign_note(session, t, note.id, expected_version=note.version)
    session.refresh(note)
    assert note.cosign_required and note.cosigned_by is None

    assert [r.id for r in notes.awaiting_my_cosign(session, supervisor)] == [note.id]
    assert [r.id for r in notes.awaiting_my_cosign(session, director)] == [note.id]
    assert notes.awaiting_my_cosign(session, bystander) == []
    assert notes.awaiting_my_cosign(session, t) == []  # never one's own
    with pytest.raises(PermissionDenied):
        notes.cosign_note(session, bystander, note.id)
    with pytest.raises(PermissionDenied):
        notes.cosign_note(session, t, note.id)
    notes.cosign_note(session, supervisor, note.id)
    assert (note.cosigned_by, note.cosigned_at is not None) == (supervisor.id, True)
    assert notes.awaiting_my_cosign(session, supervisor) == []
    with pytest.raises(ServiceError, match="already co-signed"):
        notes.cosign_note(session, director, note.id)

    # a named supervisor (marked as one) is the only one (besides the director)
    notes.set_supervision(session, director, bystander.id, is_supervisor=True, needs_cosign=False)
    notes.set_supervision(session, director, t.id, is_supervisor=False, needs_cosign=True,
                          supervisor_id=bystander.id)
    second = _new(session, t, client, start=time(11, 0), end=time(11, 30))
    notes.save_note(session, t, second.id, expected_version=second.version, sections=DAP,
                    objective_ids=[world["objectives"][0].id])
    notes.sign_note(session, t, second.id, expected_version=second.version)
    assert notes.awaiting_my_cosign(session, supervisor) == []
    assert [r.id for r in notes.awaiting_my_cosign(session, bystander)] == [second.id]


def test_my_unsigned_notes_and_overdue(session, world):
    t, client = world["therapist"], world["client"]
    old = _new(session, t, client, day=program.local_today(session) - timedelta(days=5))
    fresh = _new(session, t, client, start=time(0, 0), end=time(0, 30))
    rows = notes.my_unsigned(session, t)
    assert [(r.id, r.overdue) for r in rows] == [(old.id, True), (fresh.id, False)]
    assert rows[0].client_name == "Alex Client"
    assert notes.my_unsigned(session, world["director"]) == []
    later = utcnow() + timedelta(hours=80)
    assert all(r.overdue for r in notes.my_unsigned(session, t, now=later))


def test_case_management_and_crisis_contacts_count_once_signed(session, world):
    t, client = world["therapist"], world["client"]
    for kind, end in ((ServiceType.CASE_MANAGEMENT, time(9, 20)), (ServiceType.CRISIS, time(10, 0))):
        note = _new(session, t, client, kind=kind, start=time(9, 0), end=end, note_format="birp")
        assert note.individual_session_id is None and note.family_session_id is None
        notes.save_note(session, t, note.id, expected_version=note.version,
                        sections={"behavior": "b", "intervention": "i", "response": "r", "plan": "p"},
                        objective_ids=[world["objectives"][1].id])
        notes.sign_note(session, t, note.id, expected_version=note.version)
    assert _hours(session, client) == round(80 / 60, 2)


def test_family_session_note_attaches_to_the_session(session, world, factory):
    t, client = world["therapist"], world["client"]
    held = FamilySession(client_id=client.id, therapist_id=t.id, status="completed", minutes_attended=60,
                         starts_at=utcnow() - timedelta(days=1))
    booked = FamilySession(client_id=client.id, therapist_id=t.id, status="booked",
                           starts_at=utcnow() + timedelta(days=1))
    session.add_all([held, booked])
    session.commit()
    with pytest.raises(ValidationError):
        _new(session, t, client, kind=ServiceType.FAMILY, family_session_id=booked.id)
    assert notes.documentable_sessions(session, t, client.id)["family"][0][0] == held.id
    note = _new(session, t, client, kind=ServiceType.FAMILY, family_session_id=held.id)
    assert note.family_session_id == held.id
    assert notes.documentable_sessions(session, t, client.id)["family"] == []
    with pytest.raises(ValidationError):  # one note per session
        _new(session, t, client, kind=ServiceType.FAMILY, family_session_id=held.id)
    assert _hours(session, client) == 0
    notes.save_note(session, t, note.id, expected_version=note.version, sections=DAP,
                    objective_ids=[world["objectives"][0].id])
    notes.sign_note(session, t, note.id, expected_version=note.version)
    assert _hours(session, client) == 1.0


def test_existing_individual_session_is_documented(session, world):
    t, client = world["therapist"], world["client"]
    visit = IndividualSession(client_id=client.id, therapist_id=t.id, starts_at=utcnow() - timedelta(hours=3),
                              status="scheduled")
    session.add(visit)
    session.commit()
    assert notes.documentable_sessions(session, t, client.id)["individual"][0][0] == visit.id
    note = _new(session, t, client, individual_session_id=visit.id, start=time(8, 0), end=time(8, 45))
    session.refresh(visit)
    assert (note.individual_session_id, visit.status, visit.minutes_attended) == (visit.id, "attended", 45)
    with pytest.raises(ValidationError):
        _new(session, t, client, individual_session_id=visit.id)


def test_timeline_shows_services_notes_and_plan_versions(session, world):
    t, client = world["therapist"], world["client"]
    note = _new(session, t, client)
    _new(session, t, client, kind=ServiceType.CRISIS, start=time(12, 0), end=time(12, 30))
    items = notes.timeline(session, t, client.id)
    kinds = sorted(i.kind for i in items)
    assert kinds == ["crisis", "individual", "plan"]
    individual = next(i for i in items if i.kind == "individual")
    assert (individual.note_id, individual.note_status, individual.minutes) == (note.id, "draft", 50)
    assert [i.kind for i in notes.timeline(session, t, client.id, "plan")] == ["plan"]
    assert notes.timeline(session, t, client.id, "family") == []
    with pytest.raises(ValidationError):
        notes.timeline(session, t, client.id, "everything")
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "record.timeline")).all()
    assert len(views) == 3 and all(v.client_id == client.id and v.outcome == "allowed" for v in views)


def test_supervision_row_only_for_staff(session, world):
    with pytest.raises(ValidationError):
        notes.set_supervision(session, world["director"], world["client"].user_id, is_supervisor=True,
                              needs_cosign=False)
    assert session.exec(select(Supervision)).all() == []


def test_notes_overdue_is_a_roster_flag(session, world):
    from iop_app.services import roster

    t, client = world["therapist"], world["client"]

    def flags():
        return next(r for r in roster.roster_page(session, t, roster.RosterQuery()).rows
                    if r.client_id == client.id).flags

    note = _new(session, t, client, day=program.local_today(session) - timedelta(days=2))
    assert roster.FLAG_NOTES not in flags()  # 48 hours: not yet overdue (72 by default)
    program.set_setting(session, world["director"], "notes_overdue_hours", "24")
    assert roster.FLAG_NOTES in flags()
    notes.save_note(session, t, note.id, expected_version=note.version, sections=DAP,
                    objective_ids=[world["objectives"][0].id])
    notes.sign_note(session, t, note.id, expected_version=note.version)
    assert roster.FLAG_NOTES not in flags()
