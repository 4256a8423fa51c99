"""clinical record: intake, plans, notes

Revision ID: f11a0c0e0001
Revises: d10c4ec50001
Create Date: 2026-11-23 15:16:02

The tables of models/record.py (intake and ASAM assessment, orientation, treatment-plan
versions with problems, goals, objectives and interventions, group and progress notes,
the objectives each note addressed, addenda) and clinical supervision (who co-signs
whose notes). Only new tables: nothing already recorded changes here; moving plan
reviews and individual-session notes into the new tables are later revisions.
"""
from collections.abc import Sequence
from typing import Union

from iop_app.models import enums
from iop_app.models.migration_helpers import (
    boolean, check, create, day, drop, index, integer, json, table, text, unique, utc,
)

# revision identifiers, used by Alembic.
revision: str = 'f11a0c0e0001'
down_revision: Union[str, Sequence[str], None] = 'd10c4ec50001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _enum(table_name: str, column: str, enum, **options):
    return check(enums.enum_check_sql(column, enum, **options), name=f"ck_{table_name}_{column}")


def _versioned():
    """The optimistic-concurrency columns of an edited document (services/versions.py)."""
    return (integer("version", server_default="1"), utc("updated_at", null=True), integer("updated_by", null=True))


def _signed(prefix: str = "signed"):
    return (integer(f"{prefix}_by", null=True), utc(f"{prefix}_at", null=True))


def _texts(*names_and_lengths):
    return tuple(text(name, length) for name, length in names_and_lengths)


def _tables():
    """In the order they are created (each after the tables it references)."""
    return (
        table("orientation_item", integer("id"), text("label", 200), integer("position"), boolean("active")),
        table("intake",
              integer("id"), integer("client_id"), text("status", 16),
              *_texts(("referral_source", 200), ("presenting_problem", 4000), ("prior_treatment", 4000),
                      ("medical_conditions", 2000), ("medications", 2000), ("allergies", 1000),
                      ("mental_health_history", 4000), ("current_symptoms", 2000), ("suicide_risk", 16),
                      ("homicide_risk", 16), ("risk_notes", 2000), ("trauma", 4000), ("legal", 2000),
                      ("employment", 2000), ("housing", 2000), ("family_social", 4000), ("strengths", 2000),
                      ("recommended_level", 8), ("level_rationale", 2000)),
              integer("created_by"), utc("created_at"), *_signed(), *_versioned(),
              fks={"client_id": "client.id", "created_by": "user.id", "signed_by": "user.id",
                   "updated_by": "user.id"},
              constraints=(
                  _enum("intake", "homicide_risk", enums.RiskLevel),
                  _enum("intake", "recommended_level", enums.LevelOfCare, allow_empty=True),
                  _enum("intake", "status", enums.RecordStatus),
                  _enum("intake", "suicide_risk", enums.RiskLevel),
              ),
              indexes=(index("client_id"),)),
        table("orientation_check",
              integer("id"), integer("client_id"), integer("item_id"), integer("staff_id"),
              text("staff_initials", 8), utc("staff_at"), text("client_initials", 8), utc("client_at", null=True),
              fks={"client_id": "client.id", "item_id": "orientation_item.id", "staff_id": "user.id"},
              constraints=(unique("client_id", "item_id", name="uq_orientation_check_client_item"),)),
        table("treatment_plan",
              integer("id"), integer("client_id"), integer("number"), integer("previous_id", null=True),
              text("status", 16), day("effective_on", null=True), day("review_due_on", null=True),
              text("changes", 4000), integer("created_by"), utc("created_at"),
              *_signed("therapist_signed"), text("therapist_signature", 120),
              utc("client_signed_at", null=True), text("client_signature", 120), *_versioned(),
              fks={"client_id": "client.id", "created_by": "user.id", "previous_id": "treatment_plan.id",
                   "therapist_signed_by": "user.id", "updated_by": "user.id"},
              constraints=(
                  unique("client_id", "number", name="uq_treatment_plan_client_number"),
                  _enum("treatment_plan", "status", enums.PlanStatus),
              )),
        table("asam_rating",
              integer("id"), integer("intake_id"), text("dimension", 4), integer("risk"), text("narrative", 4000),
              fks={"intake_id": "intake.id"},
              constraints=(
                  _enum("asam_rating", "dimension", enums.AsamDimension),
                  check("risk BETWEEN 0 AND 4", name="ck_asam_rating_risk"),
                  unique("intake_id", "dimension", name="uq_asam_rating_intake_dimension"),
              )),
        table("group_note",
              integer("id"), integer("group_session_id"), integer("author_id"), text("note_format", 8),
              text("status", 16), text("topic", 200), text("shared", 4000), utc("created_at"),
              *_signed(), *_versioned(),
              fks={"author_id": "user.id", "group_session_id": "group_session.id", "signed_by": "user.id",
                   "updated_by": "user.id"},
              constraints=(
                  _enum("group_note", "note_format", enums.NoteFormat),
                  _enum("group_note", "status", enums.RecordStatus),
                  unique("group_session_id", name="uq_group_note_session"),
              )),
        table("plan_problem",
              integer("id"), integer("plan_id"), integer("position"), text("statement", 1000),
              text("dimension", 4), boolean("from_assessment"), integer("need_id", null=True),
              fks={"need_id": "need.id", "plan_id": "treatment_plan.id"},
              constraints=(_enum("plan_problem", "dimension", enums.AsamDimension),),
              indexes=(index("plan_id"),)),
        table("substance_use",
              integer("id"), integer("intake_id"), integer("position"), text("substance", 60),
              integer("first_use_age", null=True), text("route", 40), text("frequency", 80), text("amount", 80),
              day("last_use", null=True), text("longest_abstinence", 80),
              fks={"intake_id": "intake.id"},
              indexes=(index("intake_id"),)),
        table("supervision",
              integer("user_id"), boolean("is_supervisor"), boolean("needs_cosign"),
              integer("supervisor_id", null=True),
              fks={"supervisor_id": "user.id", "user_id": "user.id"}, pk=("user_id",)),
        table("plan_goal",
              integer("id"), integer("problem_id"), integer("position"), text("statement", 1000),
              integer("client_goal_id", null=True),
              fks={"client_goal_id": "goal.id", "problem_id": "plan_problem.id"},
              indexes=(index("problem_id"),)),
        table("progress_note",
              integer("id"), integer("client_id"), integer("author_id"), text("service_type", 20),
              text("note_format", 8), text("status", 16), day("service_date"), utc("starts_at"), utc("ends_at"),
              text("location", 20), integer("individual_session_id", null=True),
              integer("group_note_id", null=True), integer("family_session_id", null=True), json("sections"),
              utc("created_at"), *_signed(), boolean("cosign_required"), *_signed("cosigned"), *_versioned(),
              fks={"author_id": "user.id", "client_id": "client.id", "cosigned_by": "user.id",
                   "family_session_id": "family_session.id", "group_note_id": "group_note.id",
                   "individual_session_id": "individual_session.id", "signed_by": "user.id",
                   "updated_by": "user.id"},
              constraints=(
                  _enum("progress_note", "location", enums.ServiceLocation),
                  _enum("progress_note", "note_format", enums.NoteFormat),
                  _enum("progress_note", "service_type", enums.ServiceType),
                  _enum("progress_note", "status", enums.RecordStatus),
                  check("ends_at > starts_at", name="ck_progress_note_times"),
                  unique("group_note_id", "client_id", name="uq_progress_note_group_client"),
              ),
              indexes=(index("author_id", "status", name="ix_progress_note_author_status"),
                       index("client_id", "service_date", name="ix_progress_note_client_date"),
                       index("family_session_id"), index("individual_session_id"))),
        table("addendum",
              integer("id"), integer("note_id", null=True), integer("intake_id", null=True), integer("author_id"),
              utc("created_at"), text("reason", 500), text("text", 4000),
              fks={"author_id": "user.id", "intake_id": "intake.id", "note_id": "progress_note.id"},
              constraints=(check("(note_id IS NULL) <> (intake_id IS NULL)", name="ck_addendum_one_document"),),
              indexes=(index("intake_id"), index("note_id"))),
        table("plan_objective",
              integer("id"), integer("goal_id"), integer("position"), text("statement", 1000),
              day("target_date", null=True), text("status", 16), text("progress", 2000),
              integer("carried_from_id", null=True),
              fks={"carried_from_id": "plan_objective.id", "goal_id": "plan_goal.id"},
              constraints=(_enum("plan_objective", "status", enums.ObjectiveStatus),),
              indexes=(index("goal_id"),)),
        table("note_objective",
              integer("id"), integer("note_id"), integer("objective_id"), text("progress", 1000),
              fks={"note_id": "progress_note.id", "objective_id": "plan_objective.id"},
              constraints=(unique("note_id", "objective_id", name="uq_note_objective"),),
              indexes=(index("objective_id"),)),
        table("plan_intervention",
              integer("id"), integer("objective_id"), integer("position"), text("what", 500), text("who", 120),
              text("frequency", 120),
              fks={"objective_id": "plan_objective.id"},
              indexes=(index("objective_id"),)),
    )


def upgrade() -> None:
    create(*_tables())


def downgrade() -> None:
    drop(*_tables())
