"""Who may do what to a client's record: the permissions module itself."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, GroupMembership, TherapyGroup
from iop_app.services import audit, program
from iop_app.services import permissions as P
from iop_app.services.errors import PermissionDenied

R, W, S, G = P.READ, P.WRITE, P.FAMILY_SCHEDULE, P.FAMILY_PROGRESS

# actor kind -> the actions allowed on the client's record
EXPECTED = {
    "the client": {R, W, S, G},
    "another client": set(),
    "primary therapist": {R, W, S, G},
    "group facilitator": {R, W, S, G},
    "former group facilitator": set(),
    "another therapist": set(),
    "director": {R, W, S, G},
    "disabled director": set(),
    "family, consent in force (scheduling + progress)": {S, G},
    "family, consent in force (scheduling only)": {S},
    "family, no consent": set(),
    "family, revoked consent": set(),
    "family, expired consent": set(),
    "family of another client": set(),
}


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    other_client = factory.client(therapist)
    today = program.local_today(session)
    facilitator = factory.user("therapist")
    former = factory.user("therapist")
    for who, left in ((facilitator, None), (former, today - timedelta(days=3))):
        group = TherapyGroup(name="Process", group_type="process", facilitator_id=who.id, weekdays="1",
                             start_time=time(9), start_date=today - timedelta(days=90))
        session.add(group)
        session.flush()
        session.add(GroupMembership(group_id=group.id, client_id=client.id,
                                    joined_on=today - timedelta(days=20), left_on=left))
    disabled = factory.user("director")
    disabled.active = False
    session.add(disabled)
    session.commit()
    actors = {
        "the client": factory.client_user(client),
        "another client": factory.client_user(other_client),
        "primary therapist": therapist,
        "group facilitator": facilitator,
        "former group facilitator": former,
        "another therapist": factory.user("therapist"),
        "director": factory.user("director"),
        "disabled director": disabled,
        "family, consent in force (scheduling + progress)": factory.family(client, scope="scheduling_progress"),
        "family, consent in force (scheduling only)": factory.family(client, scope="scheduling"),
        "family, no consent": factory.family(client, scope=None),
        "family, revoked consent": factory.family(client, revoked=True),
        "family, expired consent": factory.family(client, expired=True),
        "family of another client": factory.family(other_client),
    }
    return client, actors


def denials(session):
    return session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "denied")).one()


@pytest.mark.parametrize("kind", list(EXPECTED))
@pytest.mark.parametrize("action", [R, W, S, G])
def test_matrix(session, world, kind, action):
    client, actors = world
    actor = actors[kind]
    allowed = action in EXPECTED[kind]
    assert P.can(session, actor, action, client.id) is allowed
    before = denials(session)
    if allowed:
        assert P.require(session, actor, action, client.id, what="test.op").id == client.id
        assert denials(session) == before
    else:
        with pytest.raises(PermissionDenied):
            P.require(session, actor, action, client.id, what="test.op")
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.outcome, event.actor_user_id, event.client_id, event.action) == (
            "denied", actor.id, client.id, "test.op")


def test_unknown_or_forged_client_ids_are_denied_and_audited(session, world):
    _, actors = world
    director = actors["director"]
    forged_ids = [10**9, 2**63, 10**30, -1, 0, "1", 1.0, None, True]
    for forged in forged_ids:
        for decide in (P.require, P.check):
            with pytest.raises(PermissionDenied):
                decide(session, director, R, forged, what="test.op")
        assert not P.can(session, director, R, forged)  # True is not client 1
    assert denials(session) == 2 * len(forged_ids)


def test_views_by_staff_are_audited_but_own_reads_are_not(session, world):
    client, actors = world
    P.require(session, actors["primary therapist"], R, client.id, what="record.view")
    P.require(session, actors["the client"], R, client.id, what="record.view")
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "record.view")).all()
    assert [(v.actor_user_id, v.outcome) for v in views] == [(actors["primary therapist"].id, "allowed")]


def test_roster_condition_matches_the_rule(session, world):
    from iop_app.models import Client

    client, actors = world
    today = program.local_today(session)

    def visible(actor):
        condition = P.visible_clients_condition(actor, today)
        query = select(Client.id) if condition is None else select(Client.id).where(condition)
        return set(session.exec(query).all())

    assert client.id in visible(actors["group facilitator"])
    assert client.id not in visible(actors["former group facilitator"])
    assert client.id not in visible(actors["another therapist"])
    assert visible(actors["the client"]) == {client.id}
    assert visible(actors["family, consent in force (scheduling + progress)"]) == set()
    assert len(visible(actors["director"])) == 2


def test_director_browses_and_filters_the_audit_log(session, world):
    client, actors = world
    with pytest.raises(PermissionDenied):
        P.require(session, actors["another therapist"], W, client.id, what="goal.create")
    rows, total = audit.list_events(session, actors["director"], outcome="denied")
    assert total == 1 and rows[0].action == "goal.create" and rows[0].client_id == client.id
    rows, total = audit.list_events(session, actors["director"], client_id=client.id, action="goal")
    assert total == 1
    with pytest.raises(PermissionDenied):
        audit.list_events(session, actors["primary therapist"])


# --- every service operation on client data, for every kind of actor ----------------
from datetime import date  # noqa: E402

from iop_app.models import Consent, FamilySession, Goal, MoodEntry, Need, TreatmentPlan  # noqa: E402
from iop_app.services import (  # noqa: E402
    checkins,
    consents,
    family,
    family_sessions,
    goals,
    needs,
    plans,
    progress,
    schedule,
)

CARE = {"the client", "primary therapist", "group facilitator", "director"}
STAFF = {"primary therapist", "group facilitator", "director"}


def _today(session) -> date:
    return program.local_today(session)


OPERATIONS = {
    # name: (call(session, actor, client), who may, table that must not change on denial)
    "checkins.save_checkin": (lambda s, a, c: checkins.save_checkin(
        s, a, c.id, day=_today(s), mood=6, anxiety=3, craving=2, sleep_hours=7.0), CARE, MoodEntry),
    "checkins.recent": (lambda s, a, c: checkins.recent(s, a, c.id), CARE, None),
    "goals.add_goal": (lambda s, a, c: goals.add_goal(
        s, a, c.id, title="Walk every day", life_area="physical_health"), CARE, Goal),
    "goals.list_goals": (lambda s, a, c: goals.list_goals(s, a, c.id), CARE, None),
    "needs.add_need": (lambda s, a, c: needs.add_need(s, a, c.id, "Stable housing", "housing"), CARE, Need),
    "needs.current_order": (lambda s, a, c: needs.current_order(s, a, c.id), CARE, None),
    "needs.set_focus": (lambda s, a, c: needs.set_focus(s, a, c.id, None), STAFF, None),
    "progress.checkin_frame": (lambda s, a, c: progress.checkin_frame(s, a, c.id, 30), CARE, None),
    "progress.weekly_hours_frame": (lambda s, a, c: progress.weekly_hours_frame(s, a, c.id, 4), CARE, None),
    "schedule.upcoming_this_week": (lambda s, a, c: schedule.upcoming_this_week(s, a, c.id), CARE, None),
    "plans.start_plan": (lambda s, a, c: plans.start_plan(s, a, c.id), STAFF, TreatmentPlan),
    "plans.list_versions": (lambda s, a, c: plans.list_versions(s, a, c.id), CARE, None),
    "consents.consents_for_client": (lambda s, a, c: consents.consents_for_client(s, a, c.id), CARE, None),
    "family.disclosures_for_client": (lambda s, a, c: family.disclosures_for_client(s, a, c.id), CARE, None),
    "family.add_link": (lambda s, a, c: family.add_link(
        s, a, c.id, name="Jo Doe", relationship="Friend", email="jo@example.org"), CARE, None),
    "consents.record_paper_consent": (lambda s, a, c: consents.record_paper_consent(
        s, a, c.id, family_link_id=0, scope="scheduling", purpose="x", expires_on=None, expiry_event="",
        signature="", signed_on=_today(s)), STAFF, Consent),  # staff get past the check, then bad input is refused
    "family_sessions.propose": (lambda s, a, c: family_sessions.propose(
        s, a, c.id, starts_local=[], duration_minutes=60, mode="video"), STAFF, FamilySession),
}


def _count(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


@pytest.mark.parametrize("kind", list(EXPECTED))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_every_operation_on_client_data(session, world, operation, kind):
    """Allowed actors get past the permission check (a rule may still refuse bad
    input); everyone else is refused with an audit event and no change."""
    from iop_app.services.errors import ServiceError

    call, allowed_kinds, table = OPERATIONS[operation]
    client, actors = world
    actor = actors[kind]
    before_rows = _count(session, table) if table is not None else None
    before_denials = denials(session)
    if kind in allowed_kinds:
        try:
            call(session, actor, client)
        except PermissionDenied:  # pragma: no cover - the failure message says who
            pytest.fail(f"{kind} was refused {operation}")
        except ServiceError:
            pass  # allowed through the permission check; a rule refused the input
        assert denials(session) == before_denials
    else:
        with pytest.raises(PermissionDenied):
            call(session, actor, client)
        session.rollback()
        assert denials(session) == before_denials + 1
        if table is not None:
            assert _count(session, table) == before_rows
