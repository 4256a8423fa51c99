"""Portal invitations (issue #9, points 1 and 2): a client can neither take over
another client's family account nor learn from an invitation who is in, or
supports someone in, the program. An existing family account joins a second
client only when its owner accepts that client's invitation in their portal."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlmodel import col, select

from iop_app.models import AuditEvent, FamilyLink, User, utcnow
from iop_app.services import auth, consents, family, family_home, program
from iop_app.services.errors import PermissionDenied, ServiceError

RELATIVE = "robin.lee@example.org"
RELATIVE_PASSWORD = "the relative's own long password"
ATTACKER_PASSWORD = "client A chose this password"


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist", name="Marcus Reyes")
    director = factory.user("director", name="Dana Director")
    blair = factory.client(therapist, name="Blair Stone")  # B: the relative's client
    avery = factory.client(therapist, name="Avery Quinn")  # A: the other client
    return dict(therapist=therapist, director=director, b=blair, b_user=factory.client_user(blair),
                a=avery, a_user=factory.client_user(avery))


def list_and_invite(session, client_user, client, email, name="Robin Lee"):
    link = family.add_link(session, client_user, client.id, name=name, relationship="Friend", email=email)
    return link, family.invite(session, client_user, client.id, link.id)


def consent_for(session, client_user, client, link, signature):
    return consents.grant_consent(
        session, client_user, client.id, family_link_id=link.id, scope="scheduling_progress",
        purpose="Family sessions", expires_on=program.local_today(session) + timedelta(days=60), expiry_event="",
        signature=signature, signed_on=program.local_today(session))


def users_snapshot(session) -> list[tuple]:
    session.expire_all()
    return [(u.id, u.email, u.role, u.full_name, u.password_hash, u.active)
            for u in session.exec(select(User).order_by(User.id)).all()]


def portal_states(session, client_user, client) -> dict[str, str]:
    return {r.email: r.portal for r in family.list_links(session, client_user, client.id)}


def client_names_seen_by(session, user) -> list[str]:
    return [c.name for c in family_home.family_home(session, user)]


# --------------------------------------------------------------------------- point 1: takeover
def test_a_second_client_cannot_take_over_a_pending_invitation(session, world):
    """The reproduced attack: B invites the relative and signs a consent; before the
    relative activates, A lists and invites the same email and activates with A's code."""
    link_b, invitation_b = list_and_invite(session, world["b_user"], world["b"], RELATIVE)
    consent_for(session, world["b_user"], world["b"], link_b, "Blair Stone")
    link_a, invitation_a = list_and_invite(session, world["a_user"], world["a"], RELATIVE)

    try:
        held_by_a = family.activate(session, RELATIVE, invitation_a.code, ATTACKER_PASSWORD)
    except ServiceError:
        held_by_a = None
    if held_by_a is not None:
        # Whatever A created is A's own invitation's account: nothing of B's reaches it.
        assert client_names_seen_by(session, held_by_a) == []
    session.expire_all()
    assert session.get(FamilyLink, link_b.id).family_user_id is None
    assert portal_states(session, world["b_user"], world["b"]) == {RELATIVE: "invited"}

    # The relative's own code never hands B's records to an account someone else holds.
    with pytest.raises(ServiceError) as exc:
        family.activate(session, RELATIVE, invitation_b.code, RELATIVE_PASSWORD)
    if held_by_a is not None:
        assert exc.value.message == family.ACTIVATION_FAILED
        session.expire_all()
        assert session.get(FamilyLink, link_b.id).family_user_id is None
        assert client_names_seen_by(session, held_by_a) == []


def test_once_the_relative_has_activated_another_clients_code_cannot_rekey_the_account(session, world):
    link_b, invitation_b = list_and_invite(session, world["b_user"], world["b"], RELATIVE)
    consent_for(session, world["b_user"], world["b"], link_b, "Blair Stone")
    link_a, invitation_a = list_and_invite(session, world["a_user"], world["a"], RELATIVE)

    relative = family.activate(session, RELATIVE, invitation_b.code, RELATIVE_PASSWORD)
    with pytest.raises(ServiceError) as exc:
        family.activate(session, RELATIVE, invitation_a.code, ATTACKER_PASSWORD)
    assert exc.value.message == family.ACTIVATION_FAILED

    assert auth.sign_in(session, RELATIVE, RELATIVE_PASSWORD).user.id == relative.id
    with pytest.raises(ServiceError):
        auth.sign_in(session, RELATIVE, ATTACKER_PASSWORD)
    session.expire_all()
    assert session.get(FamilyLink, link_b.id).family_user_id == relative.id
    assert session.get(FamilyLink, link_a.id).family_user_id is None  # A's invitation joined nothing
    assert portal_states(session, world["a_user"], world["a"]) == {RELATIVE: "invited"}
    assert client_names_seen_by(session, relative) == ["Blair Stone"]


def test_an_existing_family_account_joins_a_second_client_only_by_accepting_in_its_portal(session, world, factory):
    link_b, invitation_b = list_and_invite(session, world["b_user"], world["b"], RELATIVE)
    consent_for(session, world["b_user"], world["b"], link_b, "Blair Stone")
    relative = family.activate(session, RELATIVE, invitation_b.code, RELATIVE_PASSWORD)

    link_a, invitation_a = list_and_invite(session, world["a_user"], world["a"], RELATIVE)
    consent_for(session, world["a_user"], world["a"], link_a, "Avery Quinn")
    # The public activation page cannot attach it: it tells them to sign in instead.
    with pytest.raises(ServiceError) as exc:
        family.activate(session, RELATIVE, invitation_a.code, RELATIVE_PASSWORD)
    assert exc.value.message == family.ACTIVATION_FAILED and "sign in" in exc.value.message
    assert client_names_seen_by(session, relative) == ["Blair Stone"]
    assert portal_states(session, world["a_user"], world["a"]) == {RELATIVE: "invited"}

    # Someone else's family account cannot use the code (it is for another email).
    stranger = factory.user("family", email="someone.else@example.org")
    with pytest.raises(ServiceError) as exc:
        family.accept_invitation(session, stranger, invitation_a.code)
    assert exc.value.message == family.ACCEPT_FAILED
    session.expire_all()
    assert session.get(FamilyLink, link_a.id).family_user_id is None

    # The owner, signed in, accepts it: only now does A's consent reach them.
    family.accept_invitation(session, relative, " " + invitation_a.code.lower().replace("-", "") + " ")
    assert sorted(client_names_seen_by(session, relative)) == ["Avery Quinn", "Blair Stone"]
    assert portal_states(session, world["a_user"], world["a"]) == {RELATIVE: "active"}
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "family.accept_invitation",
                                                  AuditEvent.outcome == "success")).one()
    assert (event.actor_user_id, event.client_id, event.target) == (relative.id, world["a"].id,
                                                                    f"family_link:{link_a.id}")
    # One time only.
    with pytest.raises(ServiceError):
        family.accept_invitation(session, relative, invitation_a.code)


def test_accepting_refuses_expired_codes_and_other_roles(session, world):
    link_b, invitation_b = list_and_invite(session, world["b_user"], world["b"], RELATIVE)
    relative = family.activate(session, RELATIVE, invitation_b.code, RELATIVE_PASSWORD)
    link_a, invitation_a = list_and_invite(session, world["a_user"], world["a"], RELATIVE)
    link_a = session.get(FamilyLink, link_a.id)
    link_a.invite_expires_at = utcnow() - timedelta(seconds=1)
    session.add(link_a)
    session.commit()
    with pytest.raises(ServiceError) as exc:
        family.accept_invitation(session, relative, invitation_a.code)
    assert exc.value.message == family.ACCEPT_FAILED
    for garbage in (None, 5, ["x"], "", "X" * 500):
        with pytest.raises(ServiceError):
            family.accept_invitation(session, relative, garbage)
    # A client (even the one the relative's email belongs to) has no family portal.
    _, invitation = list_and_invite(session, world["a_user"], world["a"], world["b_user"].email, name="Blair")
    with pytest.raises(PermissionDenied):
        family.accept_invitation(session, world["b_user"], invitation.code)
    session.expire_all()
    assert session.exec(select(FamilyLink).where(col(FamilyLink.family_user_id).is_not(None))).all() == [
        session.get(FamilyLink, link_b.id)]
    failures = session.exec(select(AuditEvent).where(AuditEvent.action == "family.accept_invitation",
                                                     AuditEvent.outcome != "success")).all()
    assert len(failures) == 3  # expired, unknown code, a client's attempt (empty input is a form error)


# --------------------------------------------------------------------------- point 2: probing
def test_every_invitation_gets_the_same_outcome_whoever_the_email_belongs_to(session, world, factory):
    # Another client's active family member, and another client's pending invitee.
    other = factory.client(world["therapist"], name="Jamie Rivera")
    other_user = factory.client_user(other)
    active_member = factory.family(other, scope="scheduling")
    list_and_invite(session, other_user, other, "pending.invitee@example.org")
    emails = {
        "a client": world["b_user"].email,
        "a therapist": world["therapist"].email,
        "the director": world["director"].email,
        "an active family member": active_member.email,
        "a pending invitee": "pending.invitee@example.org",
        "nobody yet": "nobody.yet@example.org",
    }
    before = users_snapshot(session)
    invitations = {}
    for who, email in emails.items():
        _, invitations[who] = list_and_invite(session, world["a_user"], world["a"], email, name=who)

    assert [f.name for f in dataclasses.fields(family.Invitation)] == ["link_id", "code", "expires_at"]
    now = utcnow()
    for who, invitation in invitations.items():
        assert len(invitation.code) == 14, who
        assert timedelta(days=6, hours=23) < invitation.expires_at - now <= timedelta(days=7), who
    assert users_snapshot(session) == before  # no account created, re-keyed or linked
    assert set(portal_states(session, world["a_user"], world["a"]).values()) == {"invited"}
    details = {e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.action == "family.invite",
                                                                       AuditEvent.actor_user_id == world["a_user"].id))}
    assert len(details) == 1

    # Activation with those codes creates nothing for an email that already has an
    # account, and answers exactly as for a wrong code.
    for who in ("a client", "a therapist", "the director", "an active family member"):
        with pytest.raises(ServiceError) as exc:
            family.activate(session, emails[who], invitations[who].code, ATTACKER_PASSWORD)
        assert exc.value.message == family.ACTIVATION_FAILED, who
    with pytest.raises(ServiceError) as wrong_code:
        family.activate(session, emails["nobody yet"], "AAAA-BBBB-CCCC", ATTACKER_PASSWORD)
    assert wrong_code.value.message == family.ACTIVATION_FAILED
    assert users_snapshot(session) == before
    assert set(portal_states(session, world["a_user"], world["a"]).values()) == {"invited"}
    assert client_names_seen_by(session, active_member) == ["Jamie Rivera"]


def test_list_links_states_are_the_same_for_every_email(session, world, factory):
    other = factory.client(world["therapist"], name="Jamie Rivera")
    active_member = factory.family(other, scope="scheduling")
    listed = {}
    for name, email in (("Staff", world["therapist"].email), ("Member", active_member.email),
                        ("New", "new.person@example.org")):
        listed[email] = family.add_link(session, world["a_user"], world["a"].id, name=name, relationship="Friend",
                                        email=email)
    assert set(portal_states(session, world["a_user"], world["a"]).values()) == {"not invited"}
    for link in listed.values():
        family.invite(session, world["a_user"], world["a"].id, link.id)
    assert set(portal_states(session, world["a_user"], world["a"]).values()) == {"invited"}
    for link in session.exec(select(FamilyLink).where(FamilyLink.client_id == world["a"].id)).all():
        link.invite_expires_at = utcnow() - timedelta(minutes=1)
        session.add(link)
    session.commit()
    assert set(portal_states(session, world["a_user"], world["a"]).values()) == {"invitation expired"}


def test_a_new_account_takes_the_name_its_owner_gives(session, world):
    _, invitation = list_and_invite(session, world["b_user"], world["b"], RELATIVE, name="Mum (Blair's)")
    relative = family.activate(session, RELATIVE, invitation.code, RELATIVE_PASSWORD, full_name="  Robin   Lee ")
    assert (relative.full_name, relative.role) == ("Robin Lee", "family")
