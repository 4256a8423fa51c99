"""Who may do what with referrals, consents to disclose, shared resources and the
directory: staff on the client's caseload (and the director) do everything; the
client reads their own (audited); another therapist, another client and family
members (whatever their consent) are refused and audited. Every read is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent
from iop_app.models.referrals import CommunityResource
from iop_app.services import break_glass, permissions, program, referrals, resources
from iop_app.services.errors import PermissionDenied


@pytest.fixture
def world(session, factory, team):
    resource = CommunityResource(name="Bayport Legal Aid", category="legal")
    session.add(resource)
    session.commit()
    stranger = factory.user("therapist", name="Olive Other")
    other_client = factory.client(stranger, name="Riley Other")
    referral = referrals.make_referral(session, team["therapist"], team["client"].id, resource_id=resource.id,
                                       reason="Eviction notice", urgency="urgent", discloses=False)
    return team | dict(resource=resource, stranger=stranger, other_user=factory.client_user(other_client),
                       family=factory.family(team["client"], scope="scheduling_progress"), referral=referral)


def _operations(session, world):
    cid, rid, res = world["client"].id, world["referral"].id, world["resource"].id
    today = program.local_today(session)
    return [
        ("read", lambda a: referrals.client_referrals(session, a, cid)),
        ("refer", lambda a: referrals.make_referral(session, a, cid, resource_id=res, reason="Help", urgency="soon",
                                                    discloses=False)),
        ("step", lambda a: referrals.advance(session, a, rid, "accepted", expected_status="sent")),
        ("consent", lambda a: referrals.record_consent(
            session, a, cid, recipient="Bayport Legal Aid", information="All", purpose="Care",
            expires_on=today + timedelta(days=9), signature="Alex Rivera", signed_on=today)),
        ("share", lambda a: referrals.share_resource(session, a, cid, res)),
    ]


DENIED = ("stranger", "other_user", "family", "client_user")


@pytest.mark.parametrize("who", DENIED)
def test_outsiders_the_client_and_family_cannot_read_or_change_staff_views_and_each_refusal_is_audited(
        session, world, who):
    actor = world[who]
    for name, operation in _operations(session, world):
        before = session.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first() or 0
        with pytest.raises(PermissionDenied):
            operation(actor)
        events = session.exec(select(AuditEvent).where(AuditEvent.id > before)).all()
        assert [(e.actor_user_id, e.outcome) for e in events] == [(actor.id, "denied")], name


@pytest.mark.parametrize("who", ("therapist", "director"))
def test_the_care_team_does_everything_and_reads_are_audited_views(session, world, who):
    actor = world[who]
    for _name, operation in _operations(session, world):
        operation(actor)
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "referral.view",
                                                  AuditEvent.actor_user_id == actor.id)).all()
    assert [(v.outcome, v.client_id) for v in views] == [("allowed", world["client"].id)]


def test_break_glass_opens_referrals_as_emergency_access(session, world):
    stranger = world["stranger"]
    grant = break_glass.open_grant(session, stranger, world["client"].id, "Client in crisis; therapist is away.")
    referrals.client_referrals(session, stranger, world["client"].id)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "referral.view",
                                                  AuditEvent.actor_user_id == stranger.id)).one()
    assert event.target == f"break_glass:{grant.id}"


def test_the_client_reads_only_their_own_and_the_read_is_audited(session, world):
    mine = referrals.my_referrals(session, world["client_user"])
    assert [r.provider for r in mine.referrals] == ["Bayport Legal Aid"]
    assert referrals.my_referrals(session, world["other_user"]).referrals == []
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "referral.view",
                                                  AuditEvent.actor_user_id == world["client_user"].id)).one()
    assert (event.outcome, event.client_id) == ("allowed", world["client"].id)


def test_family_never_sees_referrals_or_the_directory_whatever_their_consent(session, world):
    family = world["family"]
    for operation in (lambda: referrals.my_referrals(session, family),
                      lambda: referrals.client_referrals(session, family, world["client"].id),
                      lambda: resources.search(session, family),
                      lambda: resources.get_resource(session, family, world["resource"].id),
                      lambda: resources.export_csv(session, family)):
        with pytest.raises(PermissionDenied):
            operation()
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == family.id,
                                                   AuditEvent.outcome == "denied")).all()
    assert len(denied) == 5


def test_only_staff_change_the_directory(session, world):
    entry = dict(name="X", category="food")
    for who in ("client_user", "family"):
        actor = world[who]
        for operation in (lambda a: resources.create_resource(session, a, **entry),
                          lambda a: resources.update_resource(session, a, world["resource"].id, expected_version=1,
                                                              **entry),
                          lambda a: resources.set_active(session, a, world["resource"].id, False,
                                                         expected_version=1),
                          lambda a: resources.import_csv(session, a, "name,category\nX,food\n"),
                          lambda a: resources.export_csv(session, a)):
            with pytest.raises(PermissionDenied):
                operation(actor)
    assert resources.search(session, world["client_user"])  # clients browse it


def test_forged_ids_are_refused_like_strangers(session, world):
    therapist = world["therapist"]
    for forged in (999_999, "1", True, -1, None, 2**70):
        with pytest.raises(PermissionDenied):
            referrals.client_referrals(session, therapist, forged)
        with pytest.raises(PermissionDenied):
            referrals.advance(session, therapist, forged, "accepted", expected_status="sent")
        with pytest.raises(PermissionDenied):
            referrals.revoke_consent(session, therapist, forged)
    # Another therapist's client's referral through this therapist's hands.
    other_client_id = permissions.client_for_user(session, world["other_user"]).id
    other = referrals.make_referral(session, world["stranger"], other_client_id, provider="Dr. P", reason="R",
                                    urgency="soon", discloses=False)
    with pytest.raises(PermissionDenied):
        referrals.advance(session, therapist, other.id, "accepted", expected_status="sent")

