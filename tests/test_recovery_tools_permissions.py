"""Who may do what with a client's recovery tools: the client on their own record
(everything); staff who may read the record read it (audited) and write the two
plans with the client; the decisional balance, the stage placement and the urge log
are the client's alone; family members never, whatever their consent; other clients,
other therapists and inactive accounts never. Every refusal changes nothing and is
audited."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, DecisionalBalance, RelapsePlan, SafetyPlan, StageRating, UrgeEntry
from iop_app.services import recovery_tools as tools
from iop_app.services.errors import PermissionDenied

ACTORS = ("own_client", "other_client", "therapist", "other_therapist", "director", "family", "inactive_therapist")
TABLES = (DecisionalBalance, RelapsePlan, SafetyPlan, StageRating, UrgeEntry)


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    other = factory.client(factory.user("therapist"))
    inactive = factory.user("therapist")
    client_user = factory.client_user(client)
    actors = {
        "own_client": client_user,
        "other_client": factory.client_user(other),
        "therapist": therapist,
        "other_therapist": factory.user("therapist"),
        "director": factory.user("director"),
        "family": factory.family(client, scope="scheduling_progress"),
        "inactive_therapist": inactive,
    }
    client.primary_therapist_id = therapist.id
    session.add(client)
    session.commit()
    for kind in (tools.BALANCE, tools.RELAPSE_PLAN, tools.SAFETY_PLAN):
        tools.save_document(session, client_user, client.id, kind, expected_number=0,
                            **{kind.parts[0].name: "first words"})
    inactive.active = False
    session.add(inactive)
    session.commit()
    return client, actors


def _latest(session, model, client_id):
    return session.exec(select(func.max(model.number)).where(model.client_id == client_id)).one() or 0


def _operations(session, client):
    def save(kind):
        return lambda a: tools.save_document(session, a, client.id, kind,
                                             expected_number=_latest(session, kind.model, client.id),
                                             **{kind.parts[0].name: f"words of {a.full_name}"})

    return {
        "view_all": lambda a: tools.tools(session, a, client.id),
        "stage_history": lambda a: tools.stage_history(session, a, client.id),
        "readiness": lambda a: tools.readiness_measures(session, a, client.id),
        "balance_versions": lambda a: tools.document_versions(session, a, client.id, tools.BALANCE),
        "safety_current": lambda a: tools.current_safety_plan(session, a, client.id),
        "relapse_current": lambda a: tools.current_relapse_plan(session, a, client.id),
        "record_stage": lambda a: tools.record_stage(session, a, client.id, stage="action", importance=8,
                                                     confidence=7),
        "log_urge": lambda a: tools.log_urge(session, a, client.id, intensity=6, used=False),
        "save_balance": save(tools.BALANCE),
        "save_relapse_plan": save(tools.RELAPSE_PLAN),
        "save_safety_plan": save(tools.SAFETY_PLAN),
    }


READS = ("view_all", "stage_history", "readiness", "balance_versions", "safety_current", "relapse_current")
ALLOWED = {
    **{op: {"own_client", "therapist", "director"} for op in READS},
    "record_stage": {"own_client"},
    "log_urge": {"own_client"},
    "save_balance": {"own_client"},
    "save_relapse_plan": {"own_client", "therapist", "director"},
    "save_safety_plan": {"own_client", "therapist", "director"},
}


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("operation", sorted(ALLOWED))
def test_permissions_matrix(session, world, actor_name, operation):
    client, actors = world
    actor = actors[actor_name]
    run = _operations(session, client)[operation]
    before = {model.__tablename__: session.exec(select(func.count()).select_from(model)).one() for model in TABLES}
    denials = session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "denied")).one()
    if actor_name in ALLOWED[operation]:
        run(actor)
        return
    with pytest.raises(PermissionDenied):
        run(actor)
    after = {model.__tablename__: session.exec(select(func.count()).select_from(model)).one() for model in TABLES}
    assert after == before
    assert session.exec(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.outcome == "denied")).one() == denials + 1


def test_family_never_sees_the_tools_even_with_the_broadest_consent(session, world):
    client, actors = world
    for run in _operations(session, client).values():
        with pytest.raises(PermissionDenied):
            run(actors["family"])


def test_a_missing_client_is_refused_like_another(session, world):
    _client, actors = world
    with pytest.raises(PermissionDenied):
        tools.tools(session, actors["director"], 999_999)
    with pytest.raises(PermissionDenied):
        tools.save_document(session, actors["director"], "1", tools.SAFETY_PLAN, expected_number=1, coping="x")
