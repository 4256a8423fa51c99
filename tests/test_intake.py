"""Intake and ASAM assessment: drafts over several sittings, no silent overwrite,
signing (complete only; server time; the client becomes active), locking,
addenda that keep the signed text, and the orientation checklist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent, Client
from iop_app.models.enums import AsamDimension
from iop_app.models.record import Addendum, AsamRating, Intake, OrientationCheck, OrientationItem, SubstanceUse
from iop_app.services import intake, program
from iop_app.services.errors import PermissionDenied, ServiceError, StaleEdit, ValidationError

DIMENSIONS = AsamDimension.values()


def complete_fields(**overrides) -> dict:
    values = dict(
        referral_source="Self, after a DUI arrest", presenting_problem="Daily drinking for two years.",
        prior_treatment="Detox in 2024, 5 days.", medical_conditions="Hypertension", medications="Lisinopril 10 mg",
        allergies="Penicillin", mental_health_history="Depression since 2019", current_symptoms="Low mood, poor sleep",
        suicide_risk="low", homicide_risk="none", risk_notes="Passive thoughts last year; none now; safety plan.",
        trauma="Car accident 2018", legal="DUI pending, court in March", employment="Warehouse, full time",
        housing="Rents an apartment with a partner", family_social="Partner supportive; sister estranged",
        strengths="Motivated, steady job", recommended_level="2.1",
        level_rationale="Needs structure beyond weekly outpatient; no withdrawal risk needing residential care.",
    )
    values.update(overrides)
    return values


def complete_ratings() -> dict:
    return {d: {"risk": i % 4, "narrative": f"Dimension {d}: findings."} for i, d in enumerate(DIMENSIONS)}


def alcohol(**overrides) -> dict:
    row = dict(substance="Alcohol", first_use_age=15, route="oral", frequency="daily", amount="a fifth",
               last_use=date_days_ago(3), longest_abstinence="4 months")
    row.update(overrides)
    return row


def date_days_ago(days: int):
    return datetime.now(UTC).date() - timedelta(days=days)


@pytest.fixture
def team(factory):
    therapist = factory.user("therapist", name="Marcus Reyes")
    client = factory.client(therapist, status="intake", admitted_days_ago=2, name="Morgan Ellis")
    return client, therapist


def save(session, actor, client, *, version=None, fields=None, ratings=None, substances=None):
    return intake.save_draft(session, actor, client.id, fields=complete_fields() if fields is None else fields,
                             ratings=complete_ratings() if ratings is None else ratings,
                             substances=[alcohol()] if substances is None else substances,
                             expected_version=version)


def test_a_draft_is_started_then_saved_over_several_sittings(session, team):
    client, therapist = team
    first = intake.save_draft(session, therapist, client.id, fields={"referral_source": "Court"},
                              ratings={"d1": {"risk": 1, "narrative": "No withdrawal signs"}}, substances=[],
                              expected_version=None)
    assert first.status == "draft" and first.version == 1
    record = intake.intake_record(session, therapist, client.id)
    assert record.intake.fields["referral_source"] == "Court"
    assert record.intake.ratings == {"d1": (1, "No withdrawal signs")}
    # Second sitting: the rest, on the version the page showed.
    save(session, therapist, client, version=1)
    view = intake.intake_record(session, therapist, client.id).intake
    assert view.version == 2 and view.status == "draft"
    assert view.fields["presenting_problem"] == "Daily drinking for two years."
    assert view.fields["recommended_level"] == "2.1"
    assert set(view.ratings) == set(DIMENSIONS)
    assert [s["substance"] for s in view.substances] == ["Alcohol"]
    assert view.substances[0]["first_use_age"] == 15
    assert session.exec(select(func.count()).select_from(Intake)).one() == 1
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.client_id == client.id,
                                                           AuditEvent.outcome == "success")).all()
    assert actions.count("intake.create") == 1 and actions.count("intake.save") == 1


def test_blank_substance_rows_are_dropped_and_rows_keep_their_order(session, team):
    client, therapist = team
    empty = {name: "" for name in ("substance", "route", "frequency", "amount", "longest_abstinence")}
    save(session, therapist, client, substances=[alcohol(), empty, alcohol(substance="Cannabis", last_use=None)])
    rows = session.exec(select(SubstanceUse).order_by(SubstanceUse.position)).all()
    assert [(r.position, r.substance) for r in rows] == [(0, "Alcohol"), (1, "Cannabis")]


def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(session, team):
    client, therapist = team
    with pytest.raises(ValidationError) as refused:
        save(session, therapist, client,
             fields=complete_fields(referral_source="x" * 201, suicide_risk="extreme", recommended_level="9"),
             ratings={"d2": {"risk": 7, "narrative": "?"}, "d3": {"risk": None, "narrative": "Narrative only"}},
             substances=[alcohol(), alcohol(substance="", first_use_age="fifteen", last_use=date_days_ago(-2))])
    errors = refused.value.errors
    assert errors["referral_source"].startswith("Referral source can be up to 200 characters")
    assert errors["suicide_risk"] == "Choose the suicide risk from the list."
    assert errors["recommended_level"] == "Choose a level of care from the list."
    assert errors["risk_d2"] == "Choose a risk rating from 0 to 4."
    assert errors["risk_d3"] == "Choose a risk rating from 0 to 4 for this dimension."
    assert errors["sub1_substance"] == "Name the substance (or empty the whole row)."
    assert errors["sub1_first_use_age"].startswith("Age at first use is a whole number")
    assert "sub0_substance" not in errors
    assert session.exec(select(func.count()).select_from(Intake)).one() == 0
    assert session.exec(select(func.count()).select_from(AsamRating)).one() == 0


def test_last_use_in_the_future_is_refused(session, team):
    client, therapist = team
    with pytest.raises(ValidationError) as refused:
        save(session, therapist, client, substances=[alcohol(last_use=program.local_today(session)
                                                             + timedelta(days=1))])
    assert refused.value.errors == {"sub0_last_use": "The day of last use can't be in the future."}


def test_two_clinicians_on_one_draft_never_overwrite_each_other(session, team, factory):
    client, therapist = team
    director = factory.user("director", name="Dana Whitfield")
    save(session, therapist, client)  # version 1
    save(session, director, client, version=1, fields=complete_fields(strengths="Director's words"))
    with pytest.raises(StaleEdit) as stale:
        save(session, therapist, client, version=1, fields=complete_fields(strengths="Therapist's words"))
    assert "Dana Whitfield changed this" in stale.value.message
    assert intake.intake_record(session, therapist, client.id).intake.fields["strengths"] == "Director's words"


def test_starting_an_intake_someone_else_started_is_refused(session, team, factory):
    client, therapist = team
    director = factory.user("director", name="Dana Whitfield")
    save(session, director, client)
    with pytest.raises(StaleEdit):
        save(session, therapist, client, version=None)  # the page showed no intake yet
    assert session.exec(select(func.count()).select_from(Intake)).one() == 1


def test_signing_needs_a_complete_assessment_and_names_what_is_missing(session, team):
    client, therapist = team
    intake.save_draft(session, therapist, client.id, fields={"referral_source": "Court", "suicide_risk": "high"},
                      ratings={"d1": {"risk": 2, "narrative": ""}}, substances=[], expected_version=None)
    with pytest.raises(ValidationError) as refused:
        intake.sign(session, therapist, client.id, expected_version=1)
    errors = refused.value.errors
    assert "referral_source" not in errors
    assert errors["presenting_problem"] == "Presenting problem is needed before the intake is signed."
    assert errors["recommended_level"] == "Recommended level of care is needed before the intake is signed."
    assert "level_rationale" in errors
    assert "risk_d1" not in errors and errors["narrative_d1"] == "Describe this dimension before signing."
    assert errors["risk_d6"] == "Rate this dimension (0–4) before signing."
    assert errors["sub0_substance"] == "Record at least one substance before signing."
    assert errors["risk_notes"].startswith("A moderate or high risk needs notes")
    assert session.get(Client, client.id).status == "intake"
    assert session.get(Intake, 1).status == "draft"


def test_signing_locks_the_intake_at_server_time_and_makes_the_client_active(session, team):
    client, therapist = team
    save(session, therapist, client)
    before = datetime.now(UTC)
    signed = intake.sign(session, therapist, client.id, expected_version=1)
    assert signed.status == "signed" and signed.signed_by == therapist.id
    assert before <= signed.signed_at <= datetime.now(UTC)
    session.expire_all()
    moved = session.get(Client, client.id)
    assert moved.status == "active" and moved.level_of_care == "2.1"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "client.status",
                                                 AuditEvent.client_id == client.id)).one().detail.startswith(
        "intake -> active")
    # Locked: no more saves, no second signature.
    with pytest.raises(ServiceError, match="signed and locked"):
        save(session, therapist, client, version=2, fields=complete_fields(strengths="changed"))
    with pytest.raises(ServiceError, match="signed and locked"):
        intake.sign(session, therapist, client.id, expected_version=2)
    view = intake.intake_record(session, therapist, client.id).intake
    assert view.signed and view.signed_by == "Marcus Reyes" and view.fields["strengths"] == "Motivated, steady job"


def test_signing_a_stale_copy_is_refused(session, team, factory):
    client, therapist = team
    save(session, therapist, client)
    save(session, factory.user("director"), client, version=1, fields=complete_fields(presenting_problem=""))
    with pytest.raises(StaleEdit):
        intake.sign(session, therapist, client.id, expected_version=1)  # read before the director emptied it
    assert session.get(Client, client.id).status == "intake"


def test_only_signing_the_intake_makes_an_intake_client_active(session, team):
    client, therapist = team
    save(session, therapist, client)
    save(session, therapist, client, version=1)
    session.expire_all()
    assert session.get(Client, client.id).status == "intake"  # drafts move nothing


def test_an_active_client_stays_active_and_a_discharged_one_discharged(session, factory):
    therapist = factory.user("therapist")
    for status in ("active", "discharged"):
        client = factory.client(therapist, status=status)
        save(session, therapist, client)
        intake.sign(session, therapist, client.id, expected_version=1)
        session.expire_all()
        assert session.get(Client, client.id).status == status


def test_addenda_only_after_signing_and_the_signed_text_stays(session, team, factory):
    client, therapist = team
    save(session, therapist, client)
    with pytest.raises(ServiceError, match="until then, edit the draft"):
        intake.add_addendum(session, therapist, client.id, text="Too early")
    intake.sign(session, therapist, client.id, expected_version=1)
    with pytest.raises(ValidationError) as refused:
        intake.add_addendum(session, therapist, client.id, text="  ")
    assert refused.value.errors == {"text": "Write the addendum."}
    director = factory.user("director", name="Dana Whitfield")
    intake.add_addendum(session, director, client.id, text="Court date moved to April.", reason="New information")
    view = intake.intake_record(session, therapist, client.id).intake
    assert view.fields["legal"] == "DUI pending, court in March"  # the signed text is unchanged
    [late] = view.addenda
    assert (late.author, late.text, late.reason) == ("Dana Whitfield", "Court date moved to April.",
                                                     "New information")
    assert late.created_at <= datetime.now(UTC)


def test_orientation_staff_then_client_initial_each_item(session, team, factory):
    client, therapist = team
    items = session.exec(select(OrientationItem).order_by(OrientationItem.position)).all()
    assert [i.label for i in items][:3] == ["Program rules and expectations",
                                            "Program schedule and attendance requirements", "Client rights"]
    assert any("42 CFR Part 2" in i.label for i in items) and any("Grievance" in i.label for i in items)
    client_user = factory.client_user(client)
    with pytest.raises(ServiceError, match="goes through this item with you first"):
        intake.client_initial(session, client_user, items[0].id, "ME")
    intake.staff_initial(session, therapist, client.id, items[0].id, "MR")
    with pytest.raises(ServiceError, match="already been initialled by staff"):
        intake.staff_initial(session, therapist, client.id, items[0].id, "MR")
    with pytest.raises(ValidationError) as refused:
        intake.client_initial(session, client_user, items[0].id, "M3")
    assert refused.value.errors == {"initials": "Type your initials: letters only, up to 8 characters."}
    intake.client_initial(session, client_user, items[0].id, "M.E.")
    with pytest.raises(ServiceError, match="already initialled"):
        intake.client_initial(session, client_user, items[0].id, "ME")
    [first, second, *_] = intake.client_orientation(session, client_user)
    assert (first.staff_initials, first.staff_name, first.client_initials) == ("MR", "Marcus Reyes", "M.E.")
    assert first.staff_at is not None and first.client_at >= first.staff_at
    assert not second.staff_done and not second.client_done
    staff_view = intake.intake_record(session, therapist, client.id).orientation
    assert staff_view[0].client_initials == "M.E."


def test_the_director_edits_the_checklist(session, team, factory):
    client, therapist = team
    director = factory.user("director")
    first = intake.list_items(session, director)[0]
    added = intake.add_item(session, director, "Medication storage policy")
    assert intake.list_items(session, director)[-1].label == "Medication storage policy"
    intake.move_item(session, director, added.id, -1)
    labels = [i.label for i in intake.list_items(session, director)]
    assert labels[-2] == "Medication storage policy"
    intake.rename_item(session, director, added.id, "Medication storage and disposal")
    # An item someone initialled keeps its words; it can be retired instead.
    intake.staff_initial(session, therapist, client.id, first.id, "MR")
    with pytest.raises(ValidationError, match="keeps its words"):
        intake.rename_item(session, director, first.id, "Other words")
    intake.set_item_active(session, director, first.id, False)
    assert [i for i in intake.list_items(session, director) if i.id == first.id][0].used == 1
    newcomer = factory.client(therapist, status="intake")
    assert first.id not in [line.item_id for line in intake.intake_record(session, therapist, newcomer.id).orientation]
    kept = intake.intake_record(session, therapist, client.id).orientation
    assert [(line.item_id, line.active) for line in kept if line.item_id == first.id] == [(first.id, False)]
    with pytest.raises(ServiceError, match="retired"):
        intake.staff_initial(session, therapist, newcomer.id, first.id, "MR")
    with pytest.raises(ValidationError):
        intake.add_item(session, director, "x")
    with pytest.raises(PermissionDenied):
        intake.add_item(session, therapist, "Therapists do not edit the checklist")


def test_the_signed_intake_is_kept_whole_in_the_database(session, team):
    client, therapist = team
    save(session, therapist, client)
    intake.sign(session, therapist, client.id, expected_version=1)
    intake.add_addendum(session, therapist, client.id, text="Late entry")
    assert session.exec(select(func.count()).select_from(AsamRating)).one() == 6
    assert session.exec(select(func.count()).select_from(Addendum)).one() == 1
    assert session.exec(select(func.count()).select_from(OrientationCheck)).one() == 0


def test_the_roster_flags_a_client_until_their_intake_is_signed(session, team):
    from iop_app.services import roster
    from iop_app.state.staff import row_view

    client, therapist = team
    today = program.local_today(session)

    def row():
        [line] = roster.roster_page(session, therapist, roster.RosterQuery(status="all")).rows
        return line

    assert roster.FLAG_INTAKE in row().flags
    assert "intake not signed (2 days since admission)" in row_view(row(), today).flags
    save(session, therapist, client)
    assert roster.FLAG_INTAKE in row().flags  # a draft is not enough
    intake.sign(session, therapist, client.id, expected_version=1)
    assert roster.FLAG_INTAKE not in row().flags and row().status == "active"


def test_the_service_refuses_fields_an_intake_does_not_have(session, team):
    client, therapist = team
    with pytest.raises(ValidationError) as refused:
        save(session, therapist, client, fields={**complete_fields(), "status": "signed"})
    assert "reload" in refused.value.errors["form"]
    with pytest.raises(ValidationError):
        save(session, therapist, client, ratings={"d9": {"risk": 1, "narrative": "?"}})
    assert session.exec(select(func.count()).select_from(Intake)).one() == 0
