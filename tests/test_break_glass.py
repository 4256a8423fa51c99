"""Break-glass (emergency) access: a therapist off the caseload opens a client's
record with a reason, for a limited time, every use audited as emergency access
and listed for the director to review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, BreakGlassGrant, utcnow
from iop_app.services import break_glass, goals, permissions, program, roster
from iop_app.services.errors import NotFound, PermissionDenied, ValidationError

R, W = permissions.READ, permissions.WRITE
REASON = "Client called the crisis line; primary therapist is away today."


@pytest.fixture
def world(session, factory):
    primary = factory.user("therapist", name="Pat Primary")
    other = factory.user("therapist", name="Olive Oncall")
    client = factory.client(primary, name="Casey Client")
    return {"primary": primary, "other": other, "client": client, "director": factory.user("director")}


def _events(session, **where):
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return session.exec(query).all()


def test_off_the_caseload_a_therapist_is_denied(session, world):
    with pytest.raises(PermissionDenied):
        permissions.require(session, world["other"], R, world["client"].id, what="record.view")
    assert _events(session, actor_user_id=world["other"].id)[-1].outcome == "denied"


def test_open_with_a_reason_then_read_and_write_audited_as_emergency_access(session, world):
    other, client = world["other"], world["client"]
    grant = break_glass.open_grant(session, other, client.id, REASON)
    assert (grant.therapist_id, grant.client_id, grant.reason) == (other.id, client.id, REASON)
    assert grant.expires_at - grant.started_at == timedelta(minutes=60)  # the default
    opened = _events(session, action="break_glass.open")
    assert [(e.actor_user_id, e.client_id, e.outcome, e.target) for e in opened] == [
        (other.id, client.id, "success", f"break_glass:{grant.id}")]
    assert REASON in opened[0].detail

    assert permissions.require(session, other, R, client.id, what="record.view").id == client.id
    permissions.check(session, other, R, client.id, what="progress.view")  # charts read without loading
    goal_count = len(goals.list_goals(session, other, client.id))
    assert goal_count == 0
    permissions.require(session, other, W, client.id, what="goal.create")
    uses = _events(session, actor_user_id=other.id, outcome="allowed")
    assert [e.action for e in uses] == ["record.view", "progress.view", "goal.view", "goal.create"]
    assert all(e.target == f"break_glass:{grant.id}" and e.client_id == client.id for e in uses)
    assert all(f"emergency access (break-glass grant {grant.id})" in e.detail for e in uses)
    assert uses[-1].detail.startswith("write:")


def test_access_ends_when_the_grant_expires(session, world):
    other, client = world["other"], world["client"]
    grant = break_glass.open_grant(session, other, client.id, REASON)
    just_before = grant.expires_at - timedelta(seconds=1)
    permissions.require(session, other, R, client.id, what="record.view", now=just_before)
    for decide in (permissions.require, permissions.check):
        with pytest.raises(PermissionDenied):
            decide(session, other, R, client.id, what="record.view", now=grant.expires_at)
        with pytest.raises(PermissionDenied):
            decide(session, other, W, client.id, what="goal.create", now=grant.expires_at + timedelta(hours=1))
    assert [e.outcome for e in _events(session, actor_user_id=other.id, action="record.view")] == [
        "allowed", "denied", "denied"]


def test_the_grant_covers_one_client_and_one_therapist(session, factory, world):
    other, client = world["other"], world["client"]
    second_client = factory.client(world["primary"])
    break_glass.open_grant(session, other, client.id, REASON)
    with pytest.raises(PermissionDenied):
        permissions.require(session, other, R, second_client.id, what="record.view")
    with pytest.raises(PermissionDenied):
        permissions.require(session, factory.user("therapist"), R, client.id, what="record.view")


def test_never_for_family_actions(session, world):
    other, client = world["other"], world["client"]
    break_glass.open_grant(session, other, client.id, REASON)
    for action in (permissions.FAMILY_SCHEDULE, permissions.FAMILY_PROGRESS):
        with pytest.raises(PermissionDenied):
            permissions.require(session, other, action, client.id, what="family.view")


def test_roles_narrowing_an_operation_still_apply(session, world):
    other, client = world["other"], world["client"]
    break_glass.open_grant(session, other, client.id, REASON)
    with pytest.raises(PermissionDenied):
        permissions.require(session, other, W, client.id, what="checkin.save", roles=("client",))


def test_a_reason_is_required(session, world):
    other, client = world["other"], world["client"]
    for reason in ("", "   ", "too short", "x" * 501, None, 42, ["a reason that is long enough"]):
        with pytest.raises(ValidationError) as caught:
            break_glass.open_grant(session, other, client.id, reason)
        assert "reason" in caught.value.errors
    assert session.exec(select(BreakGlassGrant)).all() == []
    with pytest.raises(PermissionDenied):
        permissions.require(session, other, R, client.id, what="record.view")


def test_clients_family_and_the_director_never_open_a_grant(session, factory, world):
    client = world["client"]
    other_client = factory.client(world["primary"])
    family = factory.family(client)
    for actor in (factory.client_user(client), factory.client_user(other_client), family, world["director"]):
        with pytest.raises(PermissionDenied):
            break_glass.open_grant(session, actor, client.id, REASON)
        assert _events(session, actor_user_id=actor.id, action="break_glass.open")[-1].outcome == "denied"
    assert session.exec(select(BreakGlassGrant)).all() == []


def test_a_grant_row_gives_nothing_to_other_roles(session, factory, world):
    """Even a grant row naming a client user or family member (never made by the
    service) opens nothing: only therapists use grants."""
    client = world["client"]
    other_client_user = factory.client_user(factory.client(world["primary"]))
    family = factory.family(factory.client(world["primary"]), scope=None)
    now = utcnow()
    for person in (other_client_user, family):
        session.add(BreakGlassGrant(therapist_id=person.id, client_id=client.id, reason=REASON, started_at=now,
                                    expires_at=now + timedelta(hours=1)))
    session.commit()
    for person in (other_client_user, family):
        with pytest.raises(PermissionDenied):
            permissions.require(session, person, R, client.id, what="record.view")


def test_a_disabled_therapist_cannot_open_or_use_a_grant(session, world):
    other, client = world["other"], world["client"]
    break_glass.open_grant(session, other, client.id, REASON)
    other.active = False
    session.add(other)
    session.commit()
    with pytest.raises(PermissionDenied):
        permissions.require(session, other, R, client.id, what="record.view")
    with pytest.raises(PermissionDenied):
        break_glass.open_grant(session, other, client.id, REASON)


def test_forged_client_ids_are_refused(session, world):
    for forged in (10**9, 2**63, -1, 0, "1", 1.0, None, True):
        with pytest.raises(PermissionDenied):
            break_glass.open_grant(session, world["other"], forged, REASON)
    assert session.exec(select(BreakGlassGrant)).all() == []


def test_own_caseload_needs_no_grant(session, world):
    with pytest.raises(ValidationError):
        break_glass.open_grant(session, world["primary"], world["client"].id, REASON)


def test_opening_twice_while_active_reuses_the_grant(session, world):
    first = break_glass.open_grant(session, world["other"], world["client"].id, REASON)
    again = break_glass.open_grant(session, world["other"], world["client"].id, REASON + " Still urgent.")
    assert again.id == first.id
    after = break_glass.open_grant(session, world["other"], world["client"].id, REASON,
                                   now=first.expires_at + timedelta(minutes=1))
    assert after.id != first.id


def test_the_duration_is_the_directors_setting(session, world):
    director, other = world["director"], world["other"]
    for bad in ("14", "241", "abc", "30.5", "-20", "²"):
        with pytest.raises(ValidationError):
            program.set_setting(session, director, "break_glass_minutes", bad)
    with pytest.raises(PermissionDenied):
        program.set_setting(session, other, "break_glass_minutes", "240")
    program.set_setting(session, director, "break_glass_minutes", "15")
    grant = break_glass.open_grant(session, other, world["client"].id, REASON)
    assert grant.expires_at - grant.started_at == timedelta(minutes=15)


def test_the_roster_stays_caseload_only(session, world):
    other, client = world["other"], world["client"]
    break_glass.open_grant(session, other, client.id, REASON)
    page = roster.roster_page(session, other, roster.RosterQuery())
    assert client.id not in [row.client_id for row in page.rows]
    assert not permissions.can(session, other, R, client.id)


def test_the_director_lists_every_use_with_its_views(session, world):
    other, client, director = world["other"], world["client"], world["director"]
    grant = break_glass.open_grant(session, other, client.id, REASON)
    for what in ("record.view", "goal.view", "consent.list"):
        permissions.require(session, other, R, client.id, what=what)
    permissions.require(session, other, W, client.id, what="goal.create")
    rows, total = break_glass.list_grants(session, director)
    assert total == 1
    row = rows[0]
    assert (row.id, row.therapist, row.client, row.client_id, row.reason) == (
        grant.id, "Olive Oncall", "Casey Client", client.id, REASON)
    assert (row.views, row.changes, row.reviewed_at) == (3, 1, None)
    assert row.active(utcnow()) and not row.active(grant.expires_at)
    assert break_glass.unreviewed_count(session, director) == 1


def test_the_director_marks_a_use_reviewed_with_a_note(session, world):
    other, client, director = world["other"], world["client"], world["director"]
    grant = break_glass.open_grant(session, other, client.id, REASON)
    with pytest.raises(ValidationError):
        break_glass.review(session, director, grant.id, "  ")
    with pytest.raises(ValidationError):
        break_glass.review(session, director, grant.id, "n" * 501)
    with pytest.raises(NotFound):
        break_glass.review(session, director, grant.id + 1000, "Fine.")
    break_glass.review(session, director, grant.id, "Called the client back; access was justified.")
    rows, _ = break_glass.list_grants(session, director)
    assert (rows[0].reviewed_by, rows[0].review_note) == (director.full_name,
                                                         "Called the client back; access was justified.")
    assert break_glass.list_grants(session, director, unreviewed_only=True) == ([], 0)
    with pytest.raises(ValidationError):
        break_glass.review(session, director, grant.id, "Again.")
    event = _events(session, action="break_glass.review")[-1]
    assert (event.actor_user_id, event.target, event.outcome) == (director.id, f"break_glass:{grant.id}", "success")


def test_only_the_director_lists_or_reviews(session, factory, world):
    other, client = world["other"], world["client"]
    grant = break_glass.open_grant(session, other, client.id, REASON)
    for actor in (other, world["primary"], factory.client_user(client), factory.family(client)):
        with pytest.raises(PermissionDenied):
            break_glass.list_grants(session, actor)
        with pytest.raises(PermissionDenied):
            break_glass.review(session, actor, grant.id, "Looks fine to me.")
    session.refresh(grant)
    assert grant.reviewed_at is None
