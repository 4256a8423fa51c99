"""Consents that end on an event (issue #9, point 10) and the minimal discharge:
a consent that ends "when I am discharged" ends on the discharge day, and the
family member's next request shows nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, Client, Consent, Disclosure
from iop_app.models.enums import ConsentEndEvent
from iop_app.services import consents, discharge, family, family_home, family_sessions, permissions, program
from iop_app.services.errors import PermissionDenied, ServiceError, ValidationError


@pytest.fixture
def world(session, factory):
    therapist = factory.user("therapist", name="Marcus Reyes")
    client = factory.client(therapist, name="Alex Morgan", admitted_days_ago=40)
    client_user = factory.client_user(client)
    today = program.local_today(session)

    def person(name, email, **consent):
        link = family.add_link(session, client_user, client.id, name=name, relationship="Parent", email=email)
        code = family.invite(session, client_user, client.id, link.id).code
        user = family.activate(session, email, code, "a long family password", full_name=name)
        fields = dict(family_link_id=link.id, scope="scheduling_progress", purpose="Family sessions",
                      expires_on=None, expiry_event="", signature="Alex Morgan", signed_on=today) | consent
        return user, consents.grant_consent(session, client_user, client.id, **fields)

    at_discharge = person("Sam Morgan", "sam@example.org", end_event="discharge")
    dated = person("Pat Morgan", "pat@example.org", expires_on=today + timedelta(days=90))
    both = person("Lee Morgan", "lee@example.org", end_event=ConsentEndEvent.DISCHARGE,
                  expires_on=today + timedelta(days=90))
    return dict(therapist=therapist, client=client, client_user=client_user, today=today,
                at_discharge=at_discharge, dated=dated, both=both)


def test_a_consent_can_end_at_discharge_without_a_date(session, world):
    user, consent = world["at_discharge"]
    assert (consent.end_event, consent.expires_on, consent.expiry_event) == ("discharge", None, "")
    rows = {r.person: r for r in consents.consents_for_client(session, world["client_user"], world["client"].id)}
    assert rows["Sam Morgan"].expires == "until discharge from the program"
    assert rows["Lee Morgan"].expires.endswith(" or until discharge from the program")
    assert {r.status for r in rows.values()} == {"in force"}
    assert [c.name for c in family_home.family_home(session, user)] == ["Alex Morgan"]


def test_discharge_ends_consents_that_end_at_discharge_on_that_day(session, world):
    yesterday = world["today"] - timedelta(days=1)
    discharge.discharge_client(session, world["therapist"], world["client"].id, on=yesterday,
                               note="Completed the program; weekly aftercare group.",
                               discharge_type="completed")
    session.expire_all()
    client = session.get(Client, world["client"].id)
    assert (client.status, client.discharge_date) == ("discharged", yesterday)
    assert client.discharge_note == "Completed the program; weekly aftercare group."
    rows = {r.person: r for r in consents.consents_for_client(session, world["client_user"], client.id)}
    assert {name: (r.status, r.ended_on) for name, r in rows.items()} == {
        "Sam Morgan": ("ended", yesterday), "Lee Morgan": ("ended", yesterday), "Pat Morgan": ("in force", None)}

    # The family member's next request shows nothing and discloses nothing.
    disclosures = session.exec(select(func.count()).select_from(Disclosure)).one()
    sam = world["at_discharge"][0]
    assert family_home.family_home(session, sam) == []
    assert not permissions.can(session, sam, permissions.FAMILY_SCHEDULE, client.id)
    with pytest.raises(PermissionDenied):
        family_sessions.sessions_for_client(session, sam, client.id)
    assert session.exec(select(func.count()).select_from(Disclosure)).one() == disclosures
    # A consent with only a date stays in force after discharge.
    assert [c.name for c in family_home.family_home(session, world["dated"][0])] == ["Alex Morgan"]

    actions = session.exec(select(AuditEvent.action, AuditEvent.target, AuditEvent.detail)
                           .where(AuditEvent.actor_user_id == world["therapist"].id,
                                  AuditEvent.outcome == "success")).all()
    ended = {target for action, target, _ in actions if action == "consent.end"}
    assert ended == {f"consent:{world['at_discharge'][1].id}", f"consent:{world['both'][1].id}"}
    assert [d for a, _, d in actions if a == "client.discharge"] == [
        f"on {yesterday.isoformat()}; completed; 2 consent(s) ended; 0 membership(s) ended; 0 session(s) cancelled; "
        "6 follow-up(s); portal kept"]
    # Ended is final: no revoking, and a new consent for them cannot end at a discharge already past.
    with pytest.raises(ServiceError):
        consents.revoke_consent(session, world["client_user"], world["at_discharge"][1].id)
    link_id = world["at_discharge"][1].family_link_id
    with pytest.raises(ValidationError) as exc:
        consents.grant_consent(session, world["client_user"], client.id, family_link_id=link_id, scope="scheduling",
                             purpose="x", expires_on=None, expiry_event="", signature="Alex Morgan",
                             signed_on=world["today"], end_event="discharge")
    assert list(exc.value.errors) == ["end_event"]


def test_revoked_and_expired_consents_are_left_as_they_were(session, world, factory):
    _, consent = world["at_discharge"]
    consents.revoke_consent(session, world["client_user"], consent.id)
    expired = session.get(Consent, world["both"][1].id)
    expired.expires_on = world["today"] - timedelta(days=3)
    session.add(expired)
    session.commit()
    discharge.discharge_client(session, world["therapist"], world["client"].id, on=world["today"], note="Done.",
                               discharge_type="completed")
    session.expire_all()
    rows = {r.person: r.status for r in consents.consents_for_client(session, world["client_user"], world["client"].id)}
    assert rows == {"Sam Morgan": "revoked", "Lee Morgan": "expired", "Pat Morgan": "in force"}


def test_only_the_care_team_discharges_with_a_valid_date_and_note(session, world, factory):
    client_id = world["client"].id
    stranger = factory.user("therapist")
    sam = world["at_discharge"][0]
    for actor in (stranger, world["client_user"], sam):
        with pytest.raises(PermissionDenied):
            discharge.discharge_client(session, actor, client_id, on=world["today"], note="x",
                                       discharge_type="completed")
    with pytest.raises(PermissionDenied):
        discharge.discharge_client(session, world["therapist"], 10**9, on=world["today"], note="x",
                                   discharge_type="completed")
    denied = session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "client.discharge", AuditEvent.outcome == "denied")).one()
    assert denied == 4
    admitted = world["client"].admission_date
    for on, note, field in ((world["today"] + timedelta(days=1), "x", "on"), (admitted - timedelta(days=1), "x", "on"),
                            ("2026-01-01", "x", "on"), (None, "x", "on"), (world["today"], "   ", "note"),
                            (world["today"], "n" * 2001, "note"), (world["today"], ["x"], "note")):
        with pytest.raises(ValidationError) as exc:
            discharge.discharge_client(session, world["therapist"], client_id, on=on, note=note,
                                       discharge_type="completed")
        assert list(exc.value.errors) == [field]
    session.expire_all()
    assert session.get(Client, client_id).status == "active"
    assert {r.status for r in consents.consents_for_client(session, world["client_user"], client_id)} == {"in force"}

    director = factory.user("director")
    discharge.discharge_client(session, director, client_id, on=admitted, note="Left the program.",
                               discharge_type="against_advice")
    with pytest.raises(ServiceError):
        discharge.discharge_client(session, director, client_id, on=world["today"], note="Again.",
                                   discharge_type="completed")
    session.expire_all()
    assert session.get(Client, client_id).discharge_date == admitted


def test_end_event_must_come_from_the_list(session, world):
    link_id = world["dated"][1].family_link_id
    consents.revoke_consent(session, world["client_user"], world["dated"][1].id)
    for forged in ("everything", "DISCHARGE", ["discharge"], None, 1):
        with pytest.raises(ValidationError) as exc:
            consents.grant_consent(session, world["client_user"], world["client"].id, family_link_id=link_id,
                                 scope="scheduling", purpose="x", expires_on=None, expiry_event="",
                                 signature="Alex Morgan", signed_on=world["today"], end_event=forged)
        assert list(exc.value.errors) == ["end_event"]


def test_staff_end_a_consent_at_an_event_in_words(session, world, factory):
    link_id = world["dated"][1].family_link_id
    consents.revoke_consent(session, world["client_user"], world["dated"][1].id)
    consent = consents.record_paper_consent(
        session, world["therapist"], world["client"].id, family_link_id=link_id, scope="scheduling",
        purpose="Family sessions", expires_on=None, expiry_event="the end of my probation",
        signature="Alex Morgan", signed_on=world["today"] - timedelta(days=5))
    pat = world["dated"][0]
    assert [c.name for c in family_home.family_home(session, pat)] == ["Alex Morgan"]
    with pytest.raises(PermissionDenied):  # not the care team
        consents.end_consent(session, world["client_user"], consent.id, on=world["today"])
    with pytest.raises(PermissionDenied):
        consents.end_consent(session, factory.user("therapist"), consent.id, on=world["today"])
    with pytest.raises(ValidationError):
        consents.end_consent(session, world["therapist"], consent.id, on=world["today"] + timedelta(days=1))
    with pytest.raises(ServiceError):  # ends at discharge: that ends by itself
        consents.end_consent(session, world["therapist"], world["at_discharge"][1].id, on=world["today"])
    consents.end_consent(session, world["therapist"], consent.id, on=world["today"])
    assert family_home.family_home(session, pat) == []
    row = next(r for r in consents.consents_for_client(session, world["therapist"], world["client"].id)
               if r.id == consent.id)
    assert (row.status, row.ended_on, row.expires) == ("ended", world["today"], "until the end of my probation")
