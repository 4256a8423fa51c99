"""Who may do what with a client's measures: the client on their own record only, the
therapist on their caseload, the director everywhere, family and other clients never.
Every refusal raises PermissionDenied, changes nothing and is audited."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, Client, MeasureAlert, MeasureAssignment, MeasureResponse
from iop_app.services import (
    measure_alerts,
    measure_fhir,
    measure_records,
    measure_schedule,
    measure_trends,
    program,
)
from iop_app.services.errors import NotFound, PermissionDenied

ACTORS = ("own_client", "other_client", "therapist", "other_therapist", "director", "family", "inactive_therapist")


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    other = factory.client(factory.user("therapist"))
    inactive = factory.user("therapist")
    inactive.active = False
    session.add(inactive)
    session.commit()
    inactive_client = factory.client(inactive)  # on the inactive therapist's caseload
    actors = {
        "own_client": factory.client_user(client),
        "other_client": factory.client_user(other),
        "therapist": therapist,
        "other_therapist": factory.user("therapist"),
        "director": factory.user("director"),
        "family": factory.family(client, scope="scheduling_progress"),
        "inactive_therapist": inactive,
    }
    assert inactive_client.primary_therapist_id == inactive.id
    # A completed PHQ-9 with an open item-9 alert, and a draft GAD-7, to act on.
    user = actors["own_client"]
    draft = measure_records.save_draft(session, user, client.id, code="phq9", answers={n: 1 for n in range(1, 10)})
    done = measure_records.submit(session, user, client.id, draft.id)
    pending = measure_records.save_draft(session, user, client.id, code="gad7", answers={n: 1 for n in range(1, 8)})
    alert = session.exec(select(MeasureAlert)).one()
    return client, actors, done, pending, alert


def _operations(session, client, done, pending, alert):
    today = program.local_today(session)
    return {
        "due": lambda a: measure_schedule.due(session, a, client.id),
        "history": lambda a: measure_records.history(session, a, client.id),
        "get_draft": lambda a: measure_records.get_draft(session, a, client.id, "gad7"),
        "trend": lambda a: measure_trends.series(session, a, client.id),
        "assign": lambda a: measure_records.assign(session, a, client.id, code="pcl5", due_on=today),
        "save_draft": lambda a: measure_records.save_draft(session, a, client.id, code="bam", answers={1: 0}),
        "submit": lambda a: measure_records.submit(session, a, client.id, pending.id),
        "correct": lambda a: measure_records.correct(session, a, client.id, done.id,
                                                     answers={n: 0 for n in range(1, 10)}, reason="typo"),
        "alerts_of_client": lambda a: measure_alerts.for_client(session, a, client.id),
        "acknowledge": lambda a: measure_alerts.acknowledge(session, a, alert.id, note="Called; safe."),
        "fhir_export": lambda a: measure_fhir.export_json(session, a, client.id),
    }


# operation -> the actors allowed; everyone else in ACTORS is refused.
ALLOWED = {
    "due": {"own_client", "therapist", "director"},
    "history": {"own_client", "therapist", "director"},
    "get_draft": {"own_client", "therapist", "director"},
    "trend": {"own_client", "therapist", "director"},
    "assign": {"therapist", "director"},
    "save_draft": {"own_client"},
    "submit": {"own_client"},
    "correct": {"therapist", "director"},
    "alerts_of_client": {"therapist", "director"},
    "acknowledge": {"therapist", "director"},
    "fhir_export": {"therapist", "director"},
}


def _state(session):
    counts = [session.exec(select(func.count()).select_from(table)).one()
              for table in (MeasureResponse, MeasureAlert, MeasureAssignment)]
    acked = session.exec(select(func.count()).select_from(MeasureAlert)
                         .where(MeasureAlert.acknowledged_at.is_not(None))).one()
    return counts, acked


@pytest.mark.parametrize("operation", sorted(ALLOWED))
@pytest.mark.parametrize("who", ACTORS)
def test_permission_matrix(session, world, operation, who):
    client, actors, done, pending, alert = world
    actor = actors[who]
    run = _operations(session, client, done, pending, alert)[operation]
    denied_before = session.exec(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.outcome == "denied")).one()
    if who in ALLOWED[operation]:
        run(actor)
        return
    before = _state(session)
    with pytest.raises(PermissionDenied):
        run(actor)
    session.rollback()
    assert _state(session) == before
    denials = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")
                           .order_by(AuditEvent.id.desc())).all()
    assert len(denials) == denied_before + 1
    assert denials[0].actor_user_id == actor.id and denials[0].action.startswith("measure")


def test_caseload_alert_list_is_staff_only_and_audited(session, world):
    client, actors, *_ = world
    for who in ("own_client", "family", "inactive_therapist"):
        with pytest.raises(PermissionDenied):
            measure_alerts.open_for_caseload(session, actors[who])
    assert [a.client_id for a in measure_alerts.open_for_caseload(session, actors["therapist"])] == [client.id]
    assert measure_alerts.open_for_caseload(session, actors["other_therapist"]) == []
    listed = session.exec(select(AuditEvent).where(AuditEvent.action == "measure_alert.list")).all()
    assert [e.outcome for e in listed] == ["denied"] * 3 + ["allowed"] * 2


def test_an_id_of_another_clients_response_is_refused(session, world):
    client, actors, done, pending, alert = world
    other_user = actors["other_client"]
    theirs = session.exec(select(Client).where(Client.user_id == other_user.id)).one()
    # The other client names the first client's draft on their own record: not theirs, nothing changes.
    with pytest.raises(NotFound):
        measure_records.submit(session, other_user, theirs.id, pending.id)
    assert session.get(MeasureResponse, pending.id).status == "draft"
