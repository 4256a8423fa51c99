"""discharge, aftercare plan and summary, follow-up after discharge

Revision ID: j13d0c0e0004
Revises: j13c0c0e0003
Create Date: 2026-11-23 16:40:00

The tables of models/discharge.py (issue #13, section 4): one discharge per client
(type, day, reason, the aftercare plan and the signed discharge summary), progress on
each goal of the plan in force at discharge, and the follow-up contacts after it.
Only new tables: clients discharged before this revision keep their date and note on
`client` and have no discharge summary.
"""
from collections.abc import Sequence
from typing import Union

from iop_app.models import enums
from iop_app.models.migration_helpers import (
    boolean, check, create, day, drop, index, integer, table, text, unique, utc,
)

# revision identifiers, used by Alembic.
revision: str = 'j13d0c0e0004'
down_revision: Union[str, Sequence[str], None] = 'j13c0c0e0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _enum(table_name: str, column: str, enum, **options):
    return check(enums.enum_check_sql(column, enum, **options), name=f"ck_{table_name}_{column}")


def _tables():
    """In the order they are created (each after the tables it references)."""
    return (
        table("discharge",
              integer("id"), integer("client_id"), text("discharge_type", 20), day("discharged_on"),
              text("reason", 2000), boolean("alumni"), day("summary_due_on"), text("final_measures", 2000),
              text("course", 4000), text("aftercare_services", 2000), text("aftercare_referrals", 2000),
              text("mutual_help", 2000), text("medications", 2000), text("next_appointments", 2000),
              text("barriers", 2000), boolean("with_client"), integer("created_by"), utc("created_at"),
              integer("signed_by", null=True), utc("signed_at", null=True), text("signature", 120),
              utc("updated_at", null=True), integer("version", server_default="1"),
              integer("updated_by", null=True),
              fks={"client_id": "client.id", "created_by": "user.id", "signed_by": "user.id",
                   "updated_by": "user.id"},
              constraints=(_enum("discharge", "discharge_type", enums.DischargeType),),
              indexes=(index("client_id", unique=True), index("discharged_on"))),
        table("discharge_goal",
              integer("id"), integer("discharge_id"), integer("plan_goal_id"), integer("position"),
              text("statement", 1000), text("outcome", 16), text("note", 1000),
              fks={"discharge_id": "discharge.id", "plan_goal_id": "plan_goal.id"},
              constraints=(unique("discharge_id", "plan_goal_id", name="uq_discharge_goal"),
                           _enum("discharge_goal", "outcome", enums.GoalOutcome, allow_empty=True))),
        table("follow_up",
              integer("id"), integer("discharge_id"), integer("client_id"), integer("day"), day("due_on"),
              utc("contacted_at", null=True), integer("recorded_by", null=True), boolean("reached", null=True),
              text("substance_use", 16), boolean("in_services", null=True), text("housing", 20),
              text("employment", 16), text("note", 1000),
              fks={"client_id": "client.id", "discharge_id": "discharge.id", "recorded_by": "user.id"},
              constraints=(unique("discharge_id", "day", name="uq_follow_up_discharge_day"),
                           _enum("follow_up", "substance_use", enums.FollowUpUse, allow_empty=True),
                           _enum("follow_up", "housing", enums.HousingStatus, allow_empty=True),
                           _enum("follow_up", "employment", enums.EmploymentStatus, allow_empty=True)),
              indexes=(index("client_id"), index("due_on", "contacted_at", name="ix_follow_up_due"))),
    )


def upgrade() -> None:
    create(*_tables())


def downgrade() -> None:
    drop(*_tables())
