"""Treatment plans (services/plans.py): versions, signatures, locking, reviews, due
dates under a 14- and a 30-day interval, links to the client's own goals and needs,
the printable copy, and who may do each of it (family never)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from iop_app.models import (
    AsamRating,
    AuditEvent,
    Intake,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    TreatmentPlan,
    utcnow,
)
from iop_app.services import goals, needs, plan_pdf, plans, program
from iop_app.services.errors import PermissionDenied, ServiceError, StaleEdit, ValidationError
from iop_app.services.plans import PlanLocked
from tests.test_permissions import EXPECTED, world  # noqa: F401  (the permission matrix's actors)


@pytest.fixture
def team(factory):
    therapist = factory.user("therapist", name="Maria Lopez")
    director = factory.user("director", name="Dana Director")
    client = factory.client(therapist, name="Alex Rivera", admitted_days_ago=10)
    return dict(therapist=therapist, director=director, client=client, client_user=factory.client_user(client),
                other=factory.user("therapist", name="Olive Other"))


def today(session):
    return program.local_today(session)


def version(session, plan_id) -> int:
    session.expire_all()
    return session.get(TreatmentPlan, plan_id).version


def write_plan(session, actor, plan_id, *, objectives=1) -> dict:
    """One problem, one goal, `objectives` objectives with an intervention each."""
    problem = plans.add_problem(session, actor, plan_id, expected_version=version(session, plan_id),
                                statement="Drinks most evenings after work.", dimension="d5")
    goal = plans.add_goal(session, actor, problem.id, expected_version=version(session, plan_id),
                          statement="I want to stay sober for my kids.")
    made = []
    for n in range(objectives):
        objective = plans.add_objective(session, actor, goal.id, expected_version=version(session, plan_id),
                                        statement=f"Attend 90% of groups (objective {n + 1}).",
                                        target_date=today(session) + timedelta(days=30))
        plans.add_intervention(session, actor, objective.id, expected_version=version(session, plan_id),
                               what="Relapse prevention group", who="Group facilitator", frequency="3 times a week")
        made.append(objective)
    return dict(problem=problem, goal=goal, objectives=made)


def signed_plan(session, team, *, number=1):
    """A plan in force: written, signed by the therapist, then by the client."""
    cid = team["client"].id
    plan = plans.start_plan(session, team["therapist"], cid) if number == 1 else None
    write_plan(session, team["therapist"], plan.id)
    plans.sign_as_therapist(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                            signature="Maria Lopez")
    plans.sign_as_client(session, team["client_user"], plan.id, expected_version=version(session, plan.id),
                         signature="Alex Rivera")
    session.expire_all()
    return session.get(TreatmentPlan, plan.id)


# ------------------------------------------------------------------ starting
def test_version_one_is_prefilled_from_the_signed_assessment(session, team):
    cid = team["client"].id
    signed = Intake(client_id=cid, status="signed", created_by=team["therapist"].id,
                    signed_by=team["therapist"].id, signed_at=utcnow())
    session.add(signed)
    session.flush()
    for dimension, risk, narrative in (("d1", 1, "Mild withdrawal last month."), ("d3", 2, "Anxiety most days."),
                                       ("d5", 3, ""), ("d6", 0, "")):
        session.add(AsamRating(intake_id=signed.id, dimension=dimension, risk=risk, narrative=narrative))
    session.commit()
    plan = plans.start_plan(session, team["therapist"], cid)
    problems = session.exec(select(PlanProblem).where(PlanProblem.plan_id == plan.id)
                            .order_by(PlanProblem.position)).all()
    assert [(p.dimension, p.statement, p.from_assessment) for p in problems] == [
        ("d3", "Anxiety most days.", True), ("d5", "Assessed risk 3 of 4 in this dimension.", True)]
    assert (plan.number, plan.status) == (1, "draft")
    with pytest.raises(ServiceError, match="already has a plan"):
        plans.start_plan(session, team["therapist"], cid)


def test_without_a_signed_assessment_version_one_starts_empty(session, team):
    # A draft intake (one client has one intake) is not an assessment yet: nothing is prefilled from it.
    draft = Intake(client_id=team["client"].id, status="draft", created_by=team["therapist"].id)
    session.add(draft)
    session.flush()
    session.add(AsamRating(intake_id=draft.id, dimension="d2", risk=4, narrative="Not signed: not used."))
    session.commit()
    plan = plans.start_plan(session, team["director"], team["client"].id)
    assert plans.plan_view(session, team["director"], plan.id).problems == []


# ------------------------------------------------------------------ signing and locking
def test_the_therapist_signs_then_the_client_and_the_plan_is_in_force(session, team):
    cid = team["client"].id
    plan = plans.start_plan(session, team["therapist"], cid)
    with pytest.raises(ServiceError, match="Add at least one problem"):
        plans.sign_as_therapist(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                                signature="Maria Lopez")
    write_plan(session, team["therapist"], plan.id)
    with pytest.raises(ValidationError) as exc:
        plans.sign_as_therapist(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                                signature="Someone Else")
    assert exc.value.errors == {"signature": "Type your full name exactly as on your account: Maria Lopez."}
    before = utcnow()
    plans.sign_as_therapist(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                            signature="  maria   LOPEZ ")
    session.expire_all()
    saved = session.get(TreatmentPlan, plan.id)
    assert saved.status == "awaiting_client" and saved.therapist_signed_by == team["therapist"].id
    assert saved.therapist_signed_at >= before  # the server's clock, never typed
    assert plans.review_status(session, team["therapist"], cid).in_force_id is None  # not yet in force
    with pytest.raises(ValidationError):
        plans.sign_as_client(session, team["client_user"], plan.id, expected_version=saved.version,
                             signature="Maria Lopez")
    plans.sign_as_client(session, team["client_user"], plan.id, expected_version=saved.version,
                         signature="Alex Rivera")
    session.expire_all()
    saved = session.get(TreatmentPlan, plan.id)
    assert (saved.status, saved.effective_on, saved.review_due_on) == (
        "signed", today(session), today(session) + timedelta(days=30))
    assert saved.client_signature == "Alex Rivera" and saved.client_signed_at >= before
    status = plans.review_status(session, team["therapist"], cid)
    assert (status.in_force_id, status.next_due, status.overdue, status.first_plan) == (
        plan.id, today(session) + timedelta(days=30), False, False)


def test_signed_content_is_locked(session, team):
    plan = plans.start_plan(session, team["therapist"], team["client"].id)
    parts = write_plan(session, team["therapist"], plan.id)
    plans.sign_as_therapist(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                            signature="Maria Lopez")
    v = version(session, plan.id)
    objective = parts["objectives"][0]
    edits = [
        lambda: plans.add_problem(session, team["therapist"], plan.id, expected_version=v, statement="x",
                                  dimension="d2"),
        lambda: plans.edit_objective(session, team["therapist"], objective.id, expected_version=v,
                                     statement="Changed", target_date=objective.target_date, status="achieved"),
        lambda: plans.remove(session, team["director"], "goal", parts["goal"].id, expected_version=v),
        lambda: plans.set_changes(session, team["therapist"], plan.id, expected_version=v, changes="x"),
    ]
    for edit in edits:
        with pytest.raises(PlanLocked):
            edit()
    session.expire_all()
    assert session.get(PlanObjective, objective.id).statement == objective.statement
    assert session.exec(select(func.count()).select_from(PlanGoal)).one() == 1
    failures = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.update",
                                                     AuditEvent.outcome == "failure")).all()
    assert len(failures) == len(edits)
    # The client asks for a change before signing: the staff signature is withdrawn.
    plans.return_to_draft(session, team["therapist"], plan.id, expected_version=v)
    session.expire_all()
    saved = session.get(TreatmentPlan, plan.id)
    assert (saved.status, saved.therapist_signed_at, saved.therapist_signature) == ("draft", None, "")
    with pytest.raises(PlanLocked):  # nothing to sign now
        plans.sign_as_client(session, team["client_user"], plan.id, expected_version=saved.version,
                             signature="Alex Rivera")


def test_the_client_signs_only_the_version_they_were_shown(session, team):
    plan = plans.start_plan(session, team["therapist"], team["client"].id)
    write_plan(session, team["therapist"], plan.id)
    plans.sign_as_therapist(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                            signature="Maria Lopez")
    shown = version(session, plan.id)  # the client's page
    plans.return_to_draft(session, team["therapist"], plan.id, expected_version=shown)
    plans.sign_as_therapist(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                            signature="Maria Lopez")
    with pytest.raises(StaleEdit):
        plans.sign_as_client(session, team["client_user"], plan.id, expected_version=shown, signature="Alex Rivera")
    session.expire_all()
    assert session.get(TreatmentPlan, plan.id).status == "awaiting_client"


# ------------------------------------------------------------------ reviews
def test_a_review_is_a_new_version_with_progress_and_new_signatures(session, team):
    cid = team["client"].id
    first = signed_plan(session, team)
    old_objective = session.exec(select(PlanObjective)).one()
    review = plans.start_review(session, team["therapist"], cid)
    assert (review.number, review.previous_id, review.status) == (2, first.id, "draft")
    with pytest.raises(ServiceError, match="already being written"):
        plans.start_review(session, team["director"], cid)
    view = plans.plan_view(session, team["therapist"], review.id)
    [carried] = view.objectives
    assert carried.carried_from_id == old_objective.id and carried.id != old_objective.id
    assert [i.what for i in carried.interventions] == ["Relapse prevention group"]
    plans.edit_objective(session, team["therapist"], carried.id, expected_version=version(session, review.id),
                         statement=carried.statement, target_date=carried.target_date, status="in_progress",
                         progress="Attended 11 of 12 groups.")
    with pytest.raises(ServiceError, match="Say what changed"):
        plans.sign_as_therapist(session, team["therapist"], review.id, expected_version=version(session, review.id),
                                signature="Maria Lopez")
    plans.set_changes(session, team["therapist"], review.id, expected_version=version(session, review.id),
                      changes="Groups going well; added sleep as a focus.")
    plans.sign_as_therapist(session, team["therapist"], review.id, expected_version=version(session, review.id),
                            signature="Maria Lopez")
    # until the client signs, version 1 stays in force (the roster keeps its due date)
    assert plans.review_status(session, team["therapist"], cid).in_force_id == first.id
    plans.sign_as_client(session, team["client_user"], review.id, expected_version=version(session, review.id),
                         signature="Alex Rivera")
    session.expire_all()
    assert session.get(TreatmentPlan, first.id).status == "superseded"
    assert session.get(TreatmentPlan, review.id).status == "signed"
    # the old version is kept as it was signed
    assert session.get(PlanObjective, old_objective.id).progress == ""
    assert session.get(PlanObjective, carried.id).progress == "Attended 11 of 12 groups."
    assert [v.number for v in plans.list_versions(session, team["therapist"], cid)] == [2, 1]


def test_no_review_without_a_plan_in_force(session, team):
    with pytest.raises(ServiceError, match="no plan in force"):
        plans.start_review(session, team["therapist"], team["client"].id)
    assert session.exec(select(TreatmentPlan)).all() == []


@pytest.mark.parametrize("interval", [14, 30])
def test_review_due_dates_follow_the_program_setting(session, team, interval):
    program.set_setting(session, team["director"], "plan_review_days", str(interval))
    program.set_setting(session, team["director"], "first_plan_days", "5")
    cid = team["client"].id
    admitted = team["client"].admission_date  # 10 days ago
    status = plans.review_status(session, team["therapist"], cid)
    assert (status.first_plan, status.next_due, status.overdue, status.days_overdue) == (
        True, admitted + timedelta(days=5), True, 5)
    signed_plan(session, team)
    status = plans.review_status(session, team["therapist"], cid)
    assert (status.next_due, status.overdue) == (today(session) + timedelta(days=interval), False)
    later = today(session) + timedelta(days=interval + 2)
    assert plans.review_status(session, team["therapist"], cid, later).days_overdue == 2


def test_a_discharged_client_is_never_overdue(session, factory, team):
    gone = factory.client(team["therapist"], status="discharged", admitted_days_ago=90)
    assert not plans.review_status(session, team["therapist"], gone.id).overdue


# ------------------------------------------------------------------ client's priorities
def test_problems_and_goals_tie_to_the_clients_own_needs_and_goals(session, factory, team):
    cid, client_user = team["client"].id, team["client_user"]
    housing = needs.add_need(session, client_user, cid, "Stable housing", "housing")
    sober = needs.add_need(session, client_user, cid, "Staying sober", "sobriety")
    needs.save_order(session, client_user, cid, [sober.id, housing.id])
    own_goal = goals.add_goal(session, client_user, cid, title="Go 30 days without drinking", life_area="sobriety")
    stranger = factory.client(team["other"])
    their_need = needs.add_need(session, factory.client_user(stranger), stranger.id, "Theirs", "other")
    plan = plans.start_plan(session, team["therapist"], cid)
    with pytest.raises(ValidationError) as exc:
        plans.add_problem(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                          statement="Drinking", dimension="d5", need_id=their_need.id)
    assert exc.value.errors == {"need_id": "Choose one of the client's needs."}
    problem = plans.add_problem(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                                statement="Drinking", dimension="d5", need_id=sober.id)
    with pytest.raises(ValidationError):
        plans.add_goal(session, team["therapist"], problem.id, expected_version=version(session, plan.id),
                       statement="Sober", client_goal_id=10**6)
    plans.add_goal(session, team["therapist"], problem.id, expected_version=version(session, plan.id),
                   statement="I want to be sober", client_goal_id=own_goal.id)
    view = plans.plan_view(session, team["therapist"], plan.id)
    [p] = view.problems
    assert (p.need, p.need_rank, p.goals[0].client_goal) == ("Staying sober", 1, "Go 30 days without drinking")
    assert [(x.rank, x.label, x.on_plan) for x in view.priorities] == [(1, "Staying sober", True),
                                                                      (2, "Stable housing", False)]
    options = plans.link_options(session, team["therapist"], cid)
    assert options.needs == [(sober.id, "1. Staying sober"), (housing.id, "2. Stable housing")]
    assert options.goals == [(own_goal.id, "Go 30 days without drinking")]


def test_input_is_checked_with_messages_per_field(session, team):
    plan = plans.start_plan(session, team["therapist"], team["client"].id)
    v = version(session, plan.id)
    with pytest.raises(ValidationError) as exc:
        plans.add_problem(session, team["therapist"], plan.id, expected_version=v, statement=" ", dimension="d9")
    assert set(exc.value.errors) == {"statement", "dimension"}
    problem = plans.add_problem(session, team["therapist"], plan.id, expected_version=v, statement="Use",
                                dimension="d5")
    goal = plans.add_goal(session, team["therapist"], problem.id, expected_version=version(session, plan.id),
                          statement="Sober")
    for target, message in ((None, "Give the date"), (today(session) - timedelta(days=1), "in the past"),
                            ("2026-01-01", "as a date"), (today(session) + timedelta(days=900), "two years")):
        with pytest.raises(ValidationError) as exc:
            plans.add_objective(session, team["therapist"], goal.id, expected_version=version(session, plan.id),
                                statement="Attend", target_date=target)
        assert message in exc.value.errors["target_date"]
    with pytest.raises(ValidationError) as exc:
        plans.add_objective(session, team["therapist"], goal.id, expected_version=version(session, plan.id),
                            statement="x" * 1001, target_date=today(session), status="done")
    assert set(exc.value.errors) == {"statement", "status"}
    objective = plans.add_objective(session, team["therapist"], goal.id, expected_version=version(session, plan.id),
                                    statement="Attend", target_date=today(session))
    with pytest.raises(ValidationError) as exc:
        plans.add_intervention(session, team["therapist"], objective.id, expected_version=version(session, plan.id),
                               what="Group", who="", frequency="")
    assert set(exc.value.errors) == {"who", "frequency"}
    assert session.exec(select(func.count()).select_from(PlanIntervention)).one() == 0  # nothing half-saved


def test_removing_a_problem_removes_what_hangs_under_it(session, team):
    plan = plans.start_plan(session, team["therapist"], team["client"].id)
    parts = write_plan(session, team["therapist"], plan.id, objectives=2)
    plans.remove(session, team["therapist"], "problem", parts["problem"].id, expected_version=version(session, plan.id))
    for model in (PlanProblem, PlanGoal, PlanObjective, PlanIntervention):
        assert session.exec(select(func.count()).select_from(model)).one() == 0
    with pytest.raises(ValidationError):
        plans.remove(session, team["therapist"], "plan", plan.id, expected_version=version(session, plan.id))


# ------------------------------------------------------------------ who may
def _plan_ops(session, plan, objective_id):
    v = version(session, plan.id)
    return {
        "plan_view": (lambda a: plans.plan_view(session, a, plan.id), "read"),
        "list_versions": (lambda a: plans.list_versions(session, a, plan.client_id), "read"),
        "review_status": (lambda a: plans.review_status(session, a, plan.client_id), "read"),
        "plan_pdf": (lambda a: plans.plan_pdf(session, a, plan.id), "read"),
        "add_problem": (lambda a: plans.add_problem(session, a, plan.id, expected_version=v, statement="x",
                                                    dimension="d2"), "staff"),
        "edit_objective": (lambda a: plans.edit_objective(session, a, objective_id, expected_version=v,
                                                          statement="x", target_date=None, status="x"), "staff"),
        "sign_as_therapist": (lambda a: plans.sign_as_therapist(session, a, plan.id, expected_version=v,
                                                                signature="x"), "staff"),
        "start_review": (lambda a: plans.start_review(session, a, plan.client_id), "staff"),
        "link_options": (lambda a: plans.link_options(session, a, plan.client_id), "staff"),
    }


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_permissions_matrix(session, world, kind):  # noqa: F811
    """The care team reads and writes; the client reads (not drafts); family members
    and everyone else are refused and audited, whatever their consent."""
    client, actors = world
    actor = actors[kind]
    therapist = actors["primary therapist"]
    plan = plans.start_plan(session, therapist, client.id)
    parts = write_plan(session, therapist, plan.id)
    plans.sign_as_therapist(session, therapist, plan.id, expected_version=version(session, plan.id),
                            signature=therapist.full_name)  # awaiting the client: the client may read it
    care = {"primary therapist", "group facilitator", "director"}
    for name, (op, who) in _plan_ops(session, plan, parts["objectives"][0].id).items():
        allowed = kind in care or (who == "read" and kind == "the client")
        denied_before = session.exec(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.outcome == "denied")).one()
        if allowed:
            try:
                op(actor)
            except PermissionDenied:  # pragma: no cover
                pytest.fail(f"{kind} was refused {name}")
            except ServiceError:
                pass  # through the permission check; a rule refused (locked, bad input, one review at a time)
        else:
            with pytest.raises(PermissionDenied):
                op(actor)
            denied_after = session.exec(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.outcome == "denied")).one()
            assert denied_after == denied_before + 1, name
    session.expire_all()  # the version awaits the client: even the care team's edits were refused as locked
    assert session.exec(select(func.count()).select_from(PlanProblem)).one() == 1


def test_the_client_signs_their_own_plan_only_and_never_sees_drafts(session, factory, team):
    plan = plans.start_plan(session, team["therapist"], team["client"].id)
    write_plan(session, team["therapist"], plan.id)
    with pytest.raises(PermissionDenied):  # a draft is the care team's working copy
        plans.plan_view(session, team["client_user"], plan.id)
    assert plans.list_versions(session, team["client_user"], team["client"].id) == []
    plans.sign_as_therapist(session, team["therapist"], plan.id, expected_version=version(session, plan.id),
                            signature="Maria Lopez")
    v = version(session, plan.id)
    someone = factory.client_user(factory.client(team["therapist"], name="Sam Other"))
    for actor in (someone, team["therapist"], team["director"]):  # staff cannot sign for the client
        with pytest.raises(PermissionDenied):
            plans.sign_as_client(session, actor, plan.id, expected_version=v, signature="Alex Rivera")
    awaiting, in_force = plans.client_plans(session, team["client_user"])
    assert awaiting.id == plan.id and in_force is None
    own_reads = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.view",
                                                      AuditEvent.actor_user_id == team["client_user"].id,
                                                      AuditEvent.outcome == "allowed")).all()
    assert own_reads  # the client's own reads are audited too


@pytest.mark.parametrize("forged", [None, True, "1", -1, 0, 2**63, 1.0, {"id": 1}])
def test_forged_ids_are_refused_like_missing_ones(session, team, forged):
    plan = plans.start_plan(session, team["therapist"], team["client"].id)
    for op in (lambda: plans.plan_view(session, team["therapist"], forged),
               lambda: plans.add_goal(session, team["therapist"], forged, expected_version=1, statement="x"),
               lambda: plans.sign_as_client(session, team["client_user"], forged, expected_version=1,
                                            signature="Alex Rivera"),
               lambda: plans.remove(session, team["therapist"], "objective", forged, expected_version=1)):
        with pytest.raises(PermissionDenied):
            op()
    with pytest.raises(StaleEdit):  # the version comes from the page, never guessed
        plans.add_problem(session, team["therapist"], plan.id, expected_version=forged, statement="x",
                          dimension="d2")
    assert session.exec(select(func.count()).select_from(PlanProblem)).one() == 0


# ------------------------------------------------------------------ the printable copy
def test_the_printable_plan_has_both_signatures_and_its_download_is_audited(session, team):
    plan = signed_plan(session, team)
    name, data = plans.plan_pdf(session, team["client_user"], plan.id)
    assert name == "treatment-plan-v1.pdf" and data.startswith(b"%PDF")
    view = plans.plan_view(session, team["therapist"], plan.id)
    text = plan_pdf.render(view, "Harbor Light IOP", program.program_tz(session), compress=False)
    for shown in (b"Treatment plan", b"Client: Alex Rivera", b"Staff: Maria Lopez - signed electronically",
                  b"Client: Alex Rivera - signed electronically", b"Objective 1.1.1: Attend 90% of groups",
                  b"- Relapse prevention group \\(who: Group facilitator; how often: 3 times a week\\)",
                  b"42 CFR Part 2"):
        assert shown in text, shown
    downloads = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.download")).all()
    assert [(d.actor_user_id, d.client_id) for d in downloads] == [(team["client_user"].id, team["client"].id)]
    assert plan_pdf._latin1("\u201cSober\u201d \u2014 ok \u2603") == '"Sober" - ok ?'
