"""Hierarchy of needs: the list, dated snapshots of each saved order, and the therapist's focus."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, Need, NeedRanking, NeedRankingItem
from iop_app.services import needs
from iop_app.services.errors import PermissionDenied, ValidationError


@pytest.fixture
def alex(factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist)
    return client, factory.client_user(client), therapist


def _three(session, user, client):
    return [needs.add_need(session, user, client.id, label, area) for label, area in
            (("Staying sober", "sobriety"), ("Stable housing", "housing"), ("Caring for my dog", "other"))]


def test_needs_from_the_common_list_and_custom_ones_are_listed_in_the_order_added(session, alex):
    client, user, _ = alex
    _three(session, user, client)
    assert [(n.label, n.area_label) for n in needs.current_order(session, user, client.id)] == [
        ("Staying sober", "Sobriety / substance use"), ("Stable housing", "Housing"), ("Caring for my dog", "Other")]


@pytest.mark.parametrize("label,area,field", [
    ("", "other", "label"), ("   ", "other", "label"), ("x" * 121, "other", "label"),
    ("Fine", "astrology", "area"), (None, "other", "label"), (12, "other", "label"),
])
def test_bad_need_input_is_refused(session, alex, label, area, field):
    client, user, _ = alex
    with pytest.raises(ValidationError) as exc:
        needs.add_need(session, user, client.id, label, area)
    assert field in exc.value.errors
    assert session.exec(select(Need)).all() == []


def test_the_same_need_twice_is_refused(session, alex):
    client, user, _ = alex
    needs.add_need(session, user, client.id, "Stable housing", "housing")
    with pytest.raises(ValidationError) as exc:
        needs.add_need(session, user, client.id, "stable HOUSING ", "housing")
    assert exc.value.errors["label"] == "That need is already on your list."
    assert len(session.exec(select(Need)).all()) == 1


def test_each_saved_order_is_a_dated_snapshot_and_the_latest_one_is_current(session, alex):
    client, user, _ = alex
    sober, housing, dog = _three(session, user, client)
    first = needs.save_order(session, user, client.id, [housing.id, sober.id, dog.id])
    # Make the first snapshot older, as it would be in real use.
    first.created_at -= timedelta(days=3)
    session.add(first)
    session.commit()
    needs.save_order(session, user, client.id, [sober.id, dog.id, housing.id])
    assert [n.label for n in needs.current_order(session, user, client.id)] == [
        "Staying sober", "Caring for my dog", "Stable housing"]
    snapshots = needs.history(session, user, client.id)
    assert [s.labels for s in snapshots] == [
        ["Staying sober", "Caring for my dog", "Stable housing"],
        ["Stable housing", "Staying sober", "Caring for my dog"],
    ]
    assert (snapshots[0].local_at.date() - snapshots[1].local_at.date()).days == 3
    assert len(session.exec(select(NeedRankingItem)).all()) == 6
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "needs.rank")).all()) == 2


def test_a_need_added_after_the_last_order_goes_to_the_end(session, alex):
    client, user, _ = alex
    sober, housing, dog = _three(session, user, client)
    needs.save_order(session, user, client.id, [dog.id, housing.id, sober.id])
    needs.add_need(session, user, client.id, "Finding steady work", "work_school")
    assert [n.label for n in needs.current_order(session, user, client.id)] == [
        "Caring for my dog", "Stable housing", "Staying sober", "Finding steady work"]


@pytest.mark.parametrize("make_order", [
    lambda s, h, d: [s.id, h.id],  # one missing
    lambda s, h, d: [s.id, h.id, d.id, d.id],  # duplicate
    lambda s, h, d: [s.id, h.id, 999_999],  # not theirs
    lambda s, h, d: [str(s.id), h.id, d.id],  # wrong type
    lambda s, h, d: "1,2,3",
])
def test_an_order_that_is_not_exactly_the_clients_needs_is_refused(session, alex, make_order):
    client, user, _ = alex
    sober, housing, dog = _three(session, user, client)
    with pytest.raises(ValidationError) as exc:
        needs.save_order(session, user, client.id, make_order(sober, housing, dog))
    assert "order" in exc.value.errors
    session.rollback()
    assert session.exec(select(NeedRanking)).all() == []


def test_removed_needs_leave_the_list_but_stay_in_old_snapshots(session, alex):
    client, user, _ = alex
    sober, housing, dog = _three(session, user, client)
    needs.save_order(session, user, client.id, [sober.id, housing.id, dog.id])
    needs.remove_need(session, user, client.id, dog.id)
    assert [n.label for n in needs.current_order(session, user, client.id)] == ["Staying sober", "Stable housing"]
    assert needs.history(session, user, client.id)[0].labels == ["Staying sober", "Stable housing", "Caring for my dog"]


def test_therapist_sets_the_focus_one_need_at_a_time(session, alex):
    client, user, therapist = alex
    sober, housing, _ = _three(session, user, client)
    needs.set_focus(session, therapist, client.id, sober.id)
    needs.set_focus(session, therapist, client.id, housing.id)
    assert [(n.label, n.in_focus) for n in needs.current_order(session, user, client.id)] == [
        ("Staying sober", False), ("Stable housing", True), ("Caring for my dog", False)]
    needs.set_focus(session, therapist, client.id, None)
    assert not any(n.in_focus for n in needs.current_order(session, user, client.id))


def test_client_cannot_set_the_focus(session, alex):
    client, user, _ = alex
    sober, _, _ = _three(session, user, client)
    with pytest.raises(PermissionDenied):
        needs.set_focus(session, user, client.id, sober.id)
    session.rollback()
    assert not session.get(Need, sober.id).in_focus
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "need.focus",
                                                 AuditEvent.outcome == "denied")).one()
