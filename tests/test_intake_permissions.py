"""Who may read and write an intake and assessment: the care team only (director,
primary therapist, that therapist's supervisor, break-glass); not a facilitator of
the client's groups, another therapist, the client, or a family member whatever
their consent. Every read is audited as a view; every refusal as a denial."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, GroupMembership, TherapyGroup
from iop_app.models.record import OrientationItem, Supervision
from iop_app.services import break_glass, intake, permissions, program
from iop_app.services.errors import PermissionDenied
from tests.test_intake import alcohol, complete_fields, complete_ratings


@pytest.fixture
def world(session, factory):
    primary = factory.user("therapist", name="Pat Primary")
    facilitator = factory.user("therapist", name="Fran Facilitator")
    supervisor = factory.user("therapist", name="Sam Supervisor")
    stranger = factory.user("therapist", name="Olive Other")
    director = factory.user("director", name="Dana Director")
    client = factory.client(primary, status="intake", name="Casey Client")
    other_client = factory.client(stranger, status="intake", name="Riley Other")
    today = program.local_today(session)
    group = TherapyGroup(name="Process", group_type="process", facilitator_id=facilitator.id, weekdays="1",
                         start_time=time(9), start_date=today - timedelta(days=30))
    session.add(group)
    session.flush()
    session.add(GroupMembership(group_id=group.id, client_id=client.id, joined_on=today - timedelta(days=7)))
    session.add(Supervision(user_id=supervisor.id, is_supervisor=True))
    session.add(Supervision(user_id=primary.id, needs_cosign=True, supervisor_id=supervisor.id))
    session.commit()
    return dict(primary=primary, facilitator=facilitator, supervisor=supervisor, stranger=stranger,
                director=director, client=client, other_client=other_client,
                client_user=factory.client_user(client), family=factory.family(client, scope="scheduling_progress"))


def _operations(session, world, item_id):
    """Every operation on the intake of `world['client']`, as (name, call(actor))."""
    cid = world["client"].id
    return [
        ("read", lambda a: intake.intake_record(session, a, cid)),
        ("save", lambda a: intake.save_draft(session, a, cid, fields=complete_fields(), ratings=complete_ratings(),
                                             substances=[alcohol()], expected_version=None)),
        ("sign", lambda a: intake.sign(session, a, cid, expected_version=1)),
        ("addendum", lambda a: intake.add_addendum(session, a, cid, text="Late entry")),
        ("staff initial", lambda a: intake.staff_initial(session, a, cid, item_id, "AB")),
    ]


ALLOWED = ("primary", "director", "supervisor")
DENIED = ("facilitator", "stranger", "client_user", "family")


@pytest.mark.parametrize("who", DENIED)
def test_outside_the_care_team_every_operation_is_refused_and_audited(session, world, who):
    actor = world[who]
    item_id = session.exec(select(OrientationItem.id)).first()
    for name, operation in _operations(session, world, item_id):
        before = session.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first() or 0
        with pytest.raises(PermissionDenied):
            operation(actor)
        denial = session.exec(select(AuditEvent).where(AuditEvent.id > before)).all()
        assert [(e.actor_user_id, e.outcome) for e in denial] == [(actor.id, "denied")], name
        assert denial[0].client_id == world["client"].id


@pytest.mark.parametrize("who", ALLOWED)
def test_the_care_team_does_everything_and_each_read_is_an_audited_view(session, world, who):
    actor = world[who]
    item_id = session.exec(select(OrientationItem.id)).first()
    for _name, operation in _operations(session, world, item_id):
        operation(actor)
    views = session.exec(select(AuditEvent).where(AuditEvent.action == "intake.view",
                                                  AuditEvent.actor_user_id == actor.id)).all()
    assert [(v.outcome, v.client_id) for v in views] == [("allowed", world["client"].id)]


def test_the_supervisor_of_someone_else_is_not_on_this_care_team(session, world):
    with pytest.raises(PermissionDenied):
        intake.intake_record(session, world["supervisor"], world["other_client"].id)


def test_a_facilitator_still_reads_the_record_overview_but_not_the_assessment(session, world):
    """The general record rule lets group facilitators in; the assessment rule does not."""
    assert permissions.can(session, world["facilitator"], permissions.READ, world["client"].id)
    with pytest.raises(PermissionDenied):
        intake.intake_record(session, world["facilitator"], world["client"].id)


def test_family_never_sees_the_assessment_even_with_a_progress_consent(session, world):
    family = world["family"]
    assert permissions.can(session, family, permissions.FAMILY_PROGRESS, world["client"].id)
    with pytest.raises(PermissionDenied):
        intake.intake_record(session, family, world["client"].id)
    with pytest.raises(PermissionDenied):
        intake.client_orientation(session, family)


def test_break_glass_opens_the_assessment_audited_as_emergency_access(session, world):
    stranger, client = world["stranger"], world["client"]
    grant = break_glass.open_grant(session, stranger, client.id, "Client in crisis; primary therapist is away.")
    intake.intake_record(session, stranger, client.id)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "intake.view",
                                                  AuditEvent.actor_user_id == stranger.id)).one()
    assert event.target == f"break_glass:{grant.id}" and "emergency access" in event.detail


def test_inactive_staff_and_unknown_or_forged_ids_are_refused(session, world):
    world["primary"].active = False
    session.add(world["primary"])
    session.commit()
    with pytest.raises(PermissionDenied):
        intake.intake_record(session, world["primary"], world["client"].id)
    for forged in (999_999, "1", True, -1, None, 2**70):
        with pytest.raises(PermissionDenied):
            intake.intake_record(session, world["director"], forged)


def test_a_client_initials_only_their_own_items_and_never_reads_the_intake(session, world, factory):
    client_user = world["client_user"]
    item_id = session.exec(select(OrientationItem.id)).first()
    intake.staff_initial(session, world["primary"], world["client"].id, item_id, "PP")
    with pytest.raises(PermissionDenied):
        intake.intake_record(session, client_user, world["client"].id)
    with pytest.raises(PermissionDenied):
        intake.client_initial(session, client_user, 999_999, "CC")
    other_user = factory.client_user(world["other_client"])
    with pytest.raises(Exception, match="goes through this item with you first"):
        intake.client_initial(session, other_user, item_id, "RO")  # their own record has no staff initial
    intake.client_initial(session, client_user, item_id, "CC")
    with pytest.raises(PermissionDenied):
        intake.client_initial(session, world["primary"], item_id, "PP")  # staff cannot initial for the client


def test_only_the_director_edits_the_checklist(session, world):
    item_id = session.exec(select(OrientationItem.id)).first()
    for who in ("primary", "supervisor", "client_user", "family"):
        actor = world[who]
        for operation in (lambda a: intake.list_items(session, a), lambda a: intake.add_item(session, a, "New item"),
                          lambda a: intake.rename_item(session, a, item_id, "Renamed"),
                          lambda a: intake.set_item_active(session, a, item_id, False),
                          lambda a: intake.move_item(session, a, item_id, 1)):
            with pytest.raises(PermissionDenied):
                operation(actor)
    assert session.get(OrientationItem, item_id).active
