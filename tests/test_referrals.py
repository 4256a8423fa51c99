"""Referrals: the closed loop (each step dated by the server and owned), overdue
steps and the roster flag, the Part 2 rule (a referral that discloses needs a
consent in force naming that recipient, signed by the client), the demo data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, User
from iop_app.models.referrals import CommunityResource, Referral, ReferralConsent, ReferralStep
from iop_app.seed import seed_demo_program
from iop_app.services import program, referrals, roster
from iop_app.services.errors import ServiceError, ValidationError


@pytest.fixture
def resource(session):
    row = CommunityResource(name="Bayport Bridge Clinic", category="psychiatry_mat", phone="(555) 201-3900",
                            address="700 Hill Road")
    session.add(row)
    session.commit()
    return row


def refer(session, actor, client, **overrides):
    values = dict(reason="Evaluation for buprenorphine", urgency="soon", discloses=False)
    values.update(overrides)
    return referrals.make_referral(session, actor, client.id, **values)


def consent(session, actor, client, recipient="Bayport Bridge Clinic", **overrides):
    today = program.local_today(session)
    values = dict(recipient=recipient, information="Diagnosis and medications", purpose="Coordinate care",
                  expires_on=today + timedelta(days=90), signature="Alex Rivera", signed_on=today)
    values.update(overrides)
    return referrals.record_consent(session, actor, client.id, **values)


def test_the_whole_loop_each_step_dated_owned_and_due(session, team, resource):
    therapist, director, client = team["therapist"], team["director"], team["client"]
    today = program.local_today(session)
    r = refer(session, therapist, client, resource_id=resource.id)
    assert (r.status, r.provider, r.due_on) == ("sent", "Bayport Bridge Clinic", today + timedelta(days=5))
    assert r.contact == "(555) 201-3900, 700 Hill Road"

    r = referrals.advance(session, director, r.id, "accepted", expected_status="sent")
    assert r.due_on == today + timedelta(days=7)
    r = referrals.advance(session, therapist, r.id, "scheduled", expected_status="accepted",
                          appointment_on=today)
    assert r.appointment_on == today and r.due_on == today + timedelta(days=2)
    r = referrals.advance(session, therapist, r.id, "attended", expected_status="scheduled", note="Started MAT")
    r = referrals.advance(session, therapist, r.id, "closed", expected_status="attended")
    assert r.status == "closed" and r.due_on is None

    steps = session.exec(select(ReferralStep).where(ReferralStep.referral_id == r.id).order_by(ReferralStep.id)).all()
    assert [s.status for s in steps] == ["sent", "accepted", "scheduled", "attended", "closed"]
    assert [s.recorded_by for s in steps] == [therapist.id, director.id, therapist.id, therapist.id, therapist.id]
    assert all(s.at is not None for s in steps) and steps[3].note == "Started MAT"
    assert steps[2].appointment_on == today
    view = referrals.client_referrals(session, therapist, client.id).referrals[0]
    assert [s.by for s in view.steps][:2] == ["Maria Lopez", "Dana Director"]


def test_only_the_loops_next_steps_are_allowed_and_each_needs_its_facts(session, team):
    therapist, client = team["therapist"], team["client"]
    today = program.local_today(session)
    r = refer(session, therapist, client, provider="Dr. Helen Park", contact="(555) 201-2999")
    for wrong in ("scheduled", "attended", "closed", "sent", "bogus", None, 3):
        with pytest.raises(ServiceError):
            referrals.advance(session, therapist, r.id, wrong, expected_status="sent")
    with pytest.raises(ValidationError) as exc:
        referrals.advance(session, therapist, r.id, "declined", expected_status="sent", reason="  ")
    assert exc.value.errors == {"reason": "Say why the referral was declined."}
    referrals.advance(session, therapist, r.id, "accepted", expected_status="sent")
    for bad in (None, "2026-01-01", today - timedelta(days=1), today + timedelta(days=400)):
        with pytest.raises(ValidationError) as exc:
            referrals.advance(session, therapist, r.id, "scheduled", expected_status="accepted", appointment_on=bad)
        assert "appointment_on" in exc.value.errors
    referrals.advance(session, therapist, r.id, "scheduled", expected_status="accepted",
                      appointment_on=today + timedelta(days=3))
    with pytest.raises(ValidationError, match="has not happened yet"):
        referrals.advance(session, therapist, r.id, "attended", expected_status="scheduled")
    # A missed appointment may be set again.
    session.get(Referral, r.id).appointment_on = today
    session.commit()
    referrals.advance(session, therapist, r.id, "not_attended", expected_status="scheduled")
    referrals.advance(session, therapist, r.id, "scheduled", expected_status="not_attended",
                      appointment_on=today + timedelta(days=1))


def test_a_declined_referral_keeps_its_reason_and_a_page_behind_is_refused(session, team):
    therapist, client = team["therapist"], team["client"]
    r = refer(session, therapist, client, provider="Second Step Sober Living")
    referrals.advance(session, therapist, r.id, "declined", expected_status="sent", reason="Waitlist full")
    assert session.get(Referral, r.id).decline_reason == "Waitlist full"
    # Another tab still shows "sent" and tries to accept: refused, nothing changes.
    with pytest.raises(ServiceError):
        referrals.advance(session, therapist, r.id, "accepted", expected_status="sent")
    with pytest.raises(ServiceError, match="changed since the page was opened"):
        referrals.advance(session, therapist, r.id, "closed", expected_status="sent")
    assert session.get(Referral, r.id).status == "declined"


def test_overdue_steps_flag_the_roster_until_the_step_is_recorded(session, team):
    therapist, client = team["therapist"], team["client"]
    today = program.local_today(session)
    r = refer(session, therapist, client, provider="Dr. Helen Park", urgency="urgent")
    assert r.due_on == today + timedelta(days=2)

    def flags(day):
        rows = roster.roster_page(session, therapist, roster.RosterQuery(), today=day).rows
        return next(row.flags for row in rows if row.client_id == client.id)

    assert roster.FLAG_REFERRAL not in flags(today + timedelta(days=2))  # due that day: not late yet
    assert roster.FLAG_REFERRAL in flags(today + timedelta(days=3))
    assert referrals.overdue_count(session, client.id, today + timedelta(days=3)) == 1
    session.get(Referral, r.id).due_on = today - timedelta(days=1)  # as if sent days ago
    session.commit()
    assert referrals.client_referrals(session, therapist, client.id).referrals[0].overdue
    referrals.advance(session, therapist, r.id, "accepted", expected_status="sent")
    assert roster.FLAG_REFERRAL not in flags(today)
    assert roster.FLAG_REFERRAL in flags(today + timedelta(days=8))  # no appointment a week after accepting


def test_disclosure_is_refused_without_a_consent_naming_the_recipient(session, team, resource):
    therapist, client = team["therapist"], team["client"]
    with pytest.raises(ValidationError) as exc:
        refer(session, therapist, client, resource_id=resource.id, discloses=True)
    assert "consent naming Bayport Bridge Clinic" in exc.value.errors["consent_id"]
    other = consent(session, therapist, client, recipient="Bayport Legal Aid")
    with pytest.raises(ValidationError):  # a consent naming someone else
        refer(session, therapist, client, resource_id=resource.id, discloses=True, consent_id=other.id)
    assert session.exec(select(func.count()).select_from(Referral)).one() == 0
    denials = session.exec(select(AuditEvent).where(AuditEvent.action == "referral.disclosure")).all()
    assert [(d.outcome, d.client_id) for d in denials] == [("denied", client.id)] * 2

    good = consent(session, therapist, client, resource_id=resource.id, recipient="")
    assert good.recipient == "Bayport Bridge Clinic"
    r = refer(session, therapist, client, resource_id=resource.id, discloses=True, consent_id=good.id)
    assert r.discloses and r.consent_id == good.id
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "referral.disclose")).one().client_id == client.id
    # A free-text provider with the same name (any spacing or case) is named by it too.
    refer(session, therapist, client, provider="  bayport  bridge clinic", discloses=True, consent_id=good.id)
    # Not sharing needs no consent.
    refer(session, therapist, client, resource_id=resource.id)


def test_a_revoked_or_expired_consent_or_another_clients_does_not_allow_disclosure(session, team, factory,
                                                                                   resource):
    therapist, client = team["therapist"], team["client"]
    revoked = consent(session, therapist, client)
    referrals.revoke_consent(session, therapist, revoked.id)
    with pytest.raises(ValidationError):
        refer(session, therapist, client, resource_id=resource.id, discloses=True, consent_id=revoked.id)
    expired = consent(session, therapist, client)
    expired.expires_on = program.local_today(session) - timedelta(days=1)
    session.add(expired)
    session.commit()
    with pytest.raises(ValidationError):
        refer(session, therapist, client, resource_id=resource.id, discloses=True, consent_id=expired.id)
    someone = factory.client(therapist, name="Sam Else")
    theirs = referrals.record_consent(
        session, therapist, someone.id, recipient="Bayport Bridge Clinic", information="All", purpose="Care",
        expires_on=program.local_today(session) + timedelta(days=5), signature="Sam Else",
        signed_on=program.local_today(session))
    with pytest.raises(ValidationError):
        refer(session, therapist, client, resource_id=resource.id, discloses=True, consent_id=theirs.id)


def test_a_consent_must_be_signed_by_the_client(session, team):
    therapist, client = team["therapist"], team["client"]
    today = program.local_today(session)
    with pytest.raises(ValidationError) as exc:
        consent(session, therapist, client, signature="Maria Lopez", signed_on=today + timedelta(days=1),
                expires_on=today - timedelta(days=1))
    assert set(exc.value.errors) == {"signature", "signed_on", "expires_on"}
    assert "Alex Rivera" in exc.value.errors["signature"]
    with pytest.raises(ValidationError) as exc:
        consent(session, therapist, client, recipient="", information="", purpose="")
    assert set(exc.value.errors) == {"recipient", "information", "purpose"}
    assert session.exec(select(func.count()).select_from(ReferralConsent)).one() == 0
    assert consent(session, therapist, client, signature=" alex  rivera ").signature == "alex  rivera"


def test_a_referral_needs_a_provider_a_reason_and_an_urgency(session, team):
    therapist, client = team["therapist"], team["client"]
    with pytest.raises(ValidationError) as exc:
        refer(session, therapist, client, reason="", urgency="whenever")
    assert set(exc.value.errors) == {"reason", "urgency"}
    with pytest.raises(ValidationError) as exc:
        refer(session, therapist, client)
    assert exc.value.errors == {"provider": "Choose a provider from the directory or name one."}
    retired = CommunityResource(name="Closed Clinic", category="medical", active=False)
    session.add(retired)
    session.commit()
    for bad in (retired.id, 999_999, "x"):
        with pytest.raises(ValidationError) as exc:
            refer(session, therapist, client, resource_id=bad)
        assert "resource_id" in exc.value.errors


def test_the_demo_has_a_directory_and_referrals_in_every_state(session):
    seed_demo_program(session)
    entries = session.exec(select(CommunityResource)).all()
    assert len(entries) >= 38 and {e.category for e in entries} == {
        "housing", "food", "employment", "benefits", "legal", "medical", "psychiatry_mat", "mutual_help",
        "transport", "childcare"}
    statuses = set(session.exec(select(Referral.status)).all())
    assert statuses == {"sent", "accepted", "declined", "scheduled", "attended", "not_attended", "closed"}
    assert session.exec(select(Referral).where(Referral.discloses)).all()
    therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
    rows = roster.roster_page(session, therapist, roster.RosterQuery(page_size=50)).rows
    flagged = {r.name for r in rows if roster.FLAG_REFERRAL in r.flags}
    assert "Casey Nguyen" in flagged and "Alex Morgan" not in flagged
    demo = session.exec(select(User).where(User.email == "client@iop.example")).one()
    mine = referrals.my_referrals(session, demo)
    assert len(mine.referrals) == 3 and len(mine.shared) == 2
