"""42 CFR Part 2 consent: what a consent needs, what it opens, when it stops,
and the disclosure log the client reads."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import (
    Attendance,
    Consent,
    Disclosure,
    FamilyLink,
    FamilySession,
    GroupSession,
    SlotProposal,
    TherapyGroup,
    User,
    utcnow,
)
from iop_app.services import auth, consents, family, family_home, family_sessions, permissions, program
from iop_app.services.errors import PermissionDenied, ServiceError, ValidationError


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def people(session, factory):
    therapist = factory.user("therapist", name="Marcus Reyes")
    client = factory.client(therapist, name="Alex Morgan")
    return therapist, client, factory.client_user(client)


def add_person(session, client_user, client, name="Sam Morgan", email="sam@example.org"):
    return family.add_link(session, client_user, client.id, name=name, relationship="Spouse", email=email)


def valid_consent(session, link) -> dict:
    return dict(family_link_id=link.id, scope="scheduling", purpose="Coordinate family sessions",
                expires_on=program.local_today(session) + timedelta(days=60), expiry_event="",
                signature="Alex Morgan", signed_on=program.local_today(session))


def link_family_user(session, link, factory) -> User:
    person = factory.user("family", name=link.name)
    link.family_user_id = person.id
    session.add(link)
    session.commit()
    return person


@pytest.mark.parametrize(
    "missing, blank, field",
    [
        ("family_link_id", None, "family_link_id"),
        ("scope", "", "scope"),
        ("purpose", "   ", "purpose"),
        ("signature", "", "signature"),
        ("signed_on", None, "signed_on"),
    ],
)
def test_each_missing_field_is_refused_on_that_field(session, people, missing, blank, field):
    _, client, client_user = people
    link = add_person(session, client_user, client)
    fields = valid_consent(session, link)
    fields[missing] = blank
    with pytest.raises(ValidationError) as exc:
        consents.grant_consent(session, client_user, client.id, **fields)
    assert list(exc.value.errors) == [field]
    assert count(session, Consent) == 0


def test_a_consent_without_expiry_date_or_event_is_refused(session, people):
    _, client, client_user = people
    link = add_person(session, client_user, client)
    fields = valid_consent(session, link) | {"expires_on": None, "expiry_event": ""}
    with pytest.raises(ValidationError) as exc:
        consents.grant_consent(session, client_user, client.id, **fields)
    assert exc.value.errors == {"expires_on": "Give a date or an event when this consent ends."}
    # An event alone is enough.
    consent = consents.grant_consent(session, client_user, client.id,
                                   **(fields | {"expiry_event": "my discharge from the program"}))
    assert consent.expires_on is None and consent.expiry_event == "my discharge from the program"


def test_signature_must_be_the_clients_name_and_date_today(session, people):
    _, client, client_user = people
    link = add_person(session, client_user, client)
    with pytest.raises(ValidationError) as exc:
        consents.grant_consent(session, client_user, client.id, **(valid_consent(session, link) | {"signature": "Sam"}))
    assert "Alex Morgan" in exc.value.errors["signature"]
    yesterday = program.local_today(session) - timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        consents.grant_consent(session, client_user, client.id,
                               **(valid_consent(session, link) | {"signed_on": yesterday}))
    assert list(exc.value.errors) == ["signed_on"]
    # Case and spacing of the typed name do not matter.
    consent = consents.grant_consent(session, client_user, client.id,
                                   **(valid_consent(session, link) | {"signature": "  alex   MORGAN "}))
    assert consent.on_paper is False and consent.recorded_by == client_user.id
    assert count(session, Consent) == 1


def test_only_the_client_grants_and_not_for_someone_elses_person(session, people, factory):
    therapist, client, client_user = people
    link = add_person(session, client_user, client)
    with pytest.raises(PermissionDenied):
        consents.grant_consent(session, therapist, client.id, **valid_consent(session, link))
    other = factory.client(therapist)
    other_link = add_person(session, factory.client_user(other), other, email="x@example.org")
    with pytest.raises(ValidationError) as exc:
        consents.grant_consent(session, client_user, client.id, **valid_consent(session, other_link))
    assert list(exc.value.errors) == ["family_link_id"]
    assert count(session, Consent) == 0


def test_consent_opens_only_its_scope_and_revocation_closes_at_once(session, people, factory):
    therapist, client, client_user = people
    link = add_person(session, client_user, client)
    sam = link_family_user(session, link, factory)
    # Before any consent: nothing, not even that the client exists.
    assert family_home.family_home(session, sam) == []
    assert not permissions.can(session, sam, permissions.FAMILY_SCHEDULE, client.id)

    consent = consents.grant_consent(session, client_user, client.id, **valid_consent(session, link))
    home = family_home.family_home(session, sam)
    assert [(c.name, c.progress) for c in home] == [("Alex Morgan", None)]  # scheduling only: no progress
    assert not permissions.can(session, sam, permissions.FAMILY_PROGRESS, client.id)
    assert not permissions.can(session, sam, permissions.READ, client.id)
    with pytest.raises(PermissionDenied):
        consents.consents_for_client(session, sam, client.id)

    consents.revoke_consent(session, client_user, consent.id)
    assert family_home.family_home(session, sam) == []
    with pytest.raises(PermissionDenied):
        family_sessions.sessions_for_client(session, sam, client.id)
    with pytest.raises(ServiceError):
        consents.revoke_consent(session, client_user, consent.id)


def test_expired_consent_denies_at_once(session, people, factory):
    therapist, client, client_user = people
    link = add_person(session, client_user, client)
    sam = link_family_user(session, link, factory)
    consent = consents.grant_consent(session, client_user, client.id, **valid_consent(session, link))
    fs = family_sessions.propose(session, therapist, client.id, duration_minutes=60, mode="video",
                                 starts_local=[datetime.combine(program.local_today(session) + timedelta(days=3),
                                                                time(18, 0))])
    slot = session.exec(select(SlotProposal).where(SlotProposal.family_session_id == fs.id)).one()
    assert len(family_home.family_home(session, sam)) == 1
    # The consent's end date passes: it was in force through yesterday.
    consent.expires_on = program.local_today(session) - timedelta(days=1)
    session.add(consent)
    session.commit()
    assert family_home.family_home(session, sam) == []
    with pytest.raises(PermissionDenied):
        family_sessions.accept_slot(session, sam, slot.id)
    session.expire_all()
    assert session.get(SlotProposal, slot.id).status == "open"
    assert consents.consents_for_client(session, therapist, client.id)[0].status == "expired"


def test_progress_scope_shows_counts_worked_out_by_hand(session, people, factory):
    therapist, client, client_user = people
    sam = factory.family(client, scope="scheduling_progress")
    tz = program.program_tz(session)
    today = program.local_today(session)
    group = TherapyGroup(name="Process", group_type="process", facilitator_id=therapist.id, weekdays="1",
                         start_time=time(9, 0), duration_minutes=180, start_date=today - timedelta(days=60))
    session.add(group)
    session.flush()
    # Two group meetings in the last 28 days: one attended, one missed; one older, attended.
    for days_ago, status, minutes in ((3, "present", 180), (10, "unexcused", 0), (40, "present", 180)):
        gs = GroupSession(group_id=group.id, duration_minutes=180,
                          starts_at=program.to_utc(datetime.combine(today - timedelta(days=days_ago), time(9)), tz))
        session.add(gs)
        session.flush()
        session.add(Attendance(session_id=gs.id, client_id=client.id, status=status, minutes=minutes,
                               recorded_by=therapist.id))
    session.add(FamilySession(client_id=client.id, therapist_id=therapist.id, status="completed",
                              starts_at=utcnow() - timedelta(days=20), minutes_attended=45))
    session.commit()
    (view,) = family_home.family_home(session, sam)
    p = view.progress
    assert (p.groups_attended_28d, p.groups_recorded_28d, p.family_sessions_attended) == (1, 2, 1)
    assert p.week_in_program == 3  # admitted 14 days ago: days 0-6 week 1, 7-13 week 2, day 14 week 3
    assert [s.status for s in view.sessions] == ["completed"]  # attendance is part of this scope


def test_scheduling_scope_hides_attendance(session, people, factory):
    therapist, client, _ = people
    sam = factory.family(client, scope="scheduling")
    session.add(FamilySession(client_id=client.id, therapist_id=therapist.id, status="completed",
                              starts_at=utcnow() - timedelta(days=2), minutes_attended=45))
    session.commit()
    (view,) = family_home.family_home(session, sam)
    assert view.progress is None and view.sessions == []


def test_disclosures_are_recorded_and_listed_for_the_client(session, people, factory):
    therapist, client, client_user = people
    sam = factory.family(client, scope="scheduling_progress")
    nobody = factory.family(client, scope=None)
    revoked = factory.family(client, revoked=True)
    assert count(session, Disclosure) == 0
    family_home.family_home(session, sam)
    family_home.family_home(session, nobody)
    family_home.family_home(session, revoked)
    rows = family.disclosures_for_client(session, client_user, client.id)
    assert sorted(r.what for r in rows) == [
        "Family portal: attendance and progress summary",
        "Family portal: name, family sessions and proposed times",
    ]
    assert {r.person for r in rows} == {sam.full_name}
    assert all(d.family_user_id == sam.id for d in session.exec(select(Disclosure)).all())
    # The therapist may read the log; the family member may not.
    assert len(family.disclosures_for_client(session, therapist, client.id)) == 2
    with pytest.raises(PermissionDenied):
        family.disclosures_for_client(session, sam, client.id)


def test_invitation_and_activation(session, people):
    _, client, client_user = people
    link = add_person(session, client_user, client)
    users = count(session, User)
    invitation = family.invite(session, client_user, client.id, link.id)
    session.refresh(link)
    assert count(session, User) == users and link.family_user_id is None  # no account until activation
    assert link.invite_code_hash == family.code_hash(invitation.code) != invitation.code
    assert invitation.code not in (link.invite_code_hash or "")
    assert [row.portal for row in family.list_links(session, client_user, client.id)] == ["invited"]
    with pytest.raises(ServiceError):  # cannot sign in before activation
        auth.sign_in(session, "sam@example.org", "a calm river at dusk")

    with pytest.raises(ServiceError) as exc:
        family.activate(session, "sam@example.org", "AAAA-BBBB-CCCC", "a calm river at dusk")
    assert exc.value.field == "code"
    with pytest.raises(ServiceError) as exc:  # the code is for another email
        family.activate(session, "someone@example.org", invitation.code, "a calm river at dusk")
    assert exc.value.message == family.ACTIVATION_FAILED
    with pytest.raises(ValidationError) as exc:
        family.activate(session, "sam@example.org", invitation.code, "short")
    assert list(exc.value.errors) == ["password"]
    assert count(session, User) == users

    # Typed in lower case without dashes, as people do.
    person = family.activate(session, " SAM@example.org ", invitation.code.replace("-", "").lower(),
                             "a calm river at dusk")
    assert (person.role, person.full_name) == ("family", "Sam Morgan")
    assert auth.sign_in(session, "sam@example.org", "a calm river at dusk").user.id == person.id
    session.refresh(link)
    assert link.family_user_id == person.id and link.invite_code_hash is None
    assert [row.portal for row in family.list_links(session, client_user, client.id)] == ["active"]
    # One time only; and an active link has nothing left to invite to.
    with pytest.raises(ServiceError):
        family.activate(session, "sam@example.org", invitation.code, "another calm river")
    with pytest.raises(ServiceError):
        family.invite(session, client_user, client.id, link.id)


def test_expired_invitation_code_is_refused(session, people):
    _, client, client_user = people
    link = add_person(session, client_user, client)
    invitation = family.invite(session, client_user, client.id, link.id)
    session.refresh(link)
    link.invite_expires_at = utcnow() - timedelta(minutes=1)
    session.add(link)
    session.commit()
    with pytest.raises(ServiceError):
        family.activate(session, "sam@example.org", invitation.code, "a calm river at dusk")
    assert session.exec(select(User).where(User.email == "sam@example.org")).first() is None
    assert [row.portal for row in family.list_links(session, client_user, client.id)] == ["invitation expired"]
    # A new invitation replaces the old code.
    again = family.invite(session, client_user, client.id, link.id)
    with pytest.raises(ServiceError):
        family.activate(session, "sam@example.org", invitation.code, "a calm river at dusk")
    family.activate(session, "sam@example.org", again.code, "a calm river at dusk")


def test_invitation_never_rekeys_an_account_or_makes_a_staff_email_a_family_login(session, people, factory):
    therapist, client, client_user = people
    existing = factory.user("family", email="sam@example.org")
    link = add_person(session, client_user, client)
    invitation = family.invite(session, client_user, client.id, link.id)
    with pytest.raises(ServiceError):
        family.activate(session, "sam@example.org", invitation.code, "a calm river at dusk")
    session.refresh(link)
    assert link.family_user_id is None
    assert session.get(User, existing.id).password_hash == existing.password_hash
    staff_link = add_person(session, client_user, client, name="Marcus", email=therapist.email)
    staff_invitation = family.invite(session, client_user, client.id, staff_link.id)
    with pytest.raises(ServiceError):
        family.activate(session, therapist.email, staff_invitation.code, "a calm river at dusk")
    session.expire_all()
    assert session.get(User, therapist.id).role == "therapist"
    assert session.get(User, therapist.id).password_hash == therapist.password_hash


def test_therapist_records_a_paper_consent_and_staff_see_consents(session, people, factory):
    therapist, client, client_user = people
    link = add_person(session, client_user, client)
    stranger = factory.user("therapist")
    fields = valid_consent(session, link) | {"scope": "scheduling_progress",
                                             "signed_on": program.local_today(session) - timedelta(days=2)}
    with pytest.raises(PermissionDenied):
        consents.record_paper_consent(session, stranger, client.id, **fields)
    with pytest.raises(PermissionDenied):  # the client signs on screen instead
        consents.record_paper_consent(session, client_user, client.id, **fields)
    with pytest.raises(ValidationError) as exc:
        consents.record_paper_consent(session, therapist, client.id,
                                    **(fields | {"signed_on": program.local_today(session) + timedelta(days=1)}))
    assert list(exc.value.errors) == ["signed_on"]
    consents.record_paper_consent(session, therapist, client.id, **fields)
    (row,) = consents.consents_for_client(session, therapist, client.id)
    assert (row.person, row.relationship, row.scope, row.status, row.on_paper, row.recorded_by) == (
        "Sam Morgan", "Spouse", "scheduling_progress", "in force", True, "Marcus Reyes")
    with pytest.raises(PermissionDenied):
        consents.consents_for_client(session, stranger, client.id)
    # A second consent to the same person while one is in force is refused.
    with pytest.raises(ValidationError) as exc:
        consents.record_paper_consent(session, therapist, client.id, **fields)
    assert list(exc.value.errors) == ["family_link_id"]


def test_consent_statuses_listed(session, people, factory):
    therapist, client, client_user = people
    factory.family(client, revoked=True)
    factory.family(client, expired=True)
    factory.family(client)
    statuses = sorted(r.status for r in consents.consents_for_client(session, client_user, client.id))
    assert statuses == ["expired", "in force", "revoked"]
    assert count(session, FamilyLink) == 3
