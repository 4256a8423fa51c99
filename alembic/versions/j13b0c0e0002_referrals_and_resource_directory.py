"""referrals and the community resource directory

Revision ID: j13b0c0e0002
Revises: j13d0c0e0004
Create Date: 2026-11-23 16:40:00

The tables of models/referrals.py: the community resource directory, the client's
consents to disclose to an outside recipient (42 CFR Part 2), referrals with their
closed loop (one step per row) and the directory entries shared with a client. Only
new tables: nothing recorded so far changes.
"""
from collections.abc import Sequence

from iop_app.models import enums
from iop_app.models.migration_helpers import (
    boolean,
    check,
    create,
    day,
    drop,
    index,
    integer,
    table,
    text,
    unique,
    utc,
)

# revision identifiers, used by Alembic.
revision: str = 'j13b0c0e0002'
down_revision: str | Sequence[str] | None = 'j13d0c0e0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(table_name: str, column: str, enum):
    return check(enums.enum_check_sql(column, enum), name=f"ck_{table_name}_{column}")


def _tables():
    """In the order they are created (each after the tables it references)."""
    return (
        table("community_resource",
              integer("id"), text("name", 120), text("category", 24), text("address", 300), text("phone", 40),
              text("web", 300), text("hours", 200), text("languages", 200), text("cost", 120),
              text("notes", 1000), boolean("active"), utc("created_at"), integer("version", server_default="1"),
              utc("updated_at", null=True), integer("updated_by", null=True),
              fks={"updated_by": "user.id"},
              constraints=(_enum("community_resource", "category", enums.ResourceCategory),),
              indexes=(index("name"),)),
        table("referral_consent",
              integer("id"), integer("client_id"), text("recipient", 200), integer("resource_id", null=True),
              text("information", 300), text("purpose", 300), day("expires_on"), text("signature", 120),
              day("signed_on"), boolean("on_paper"), integer("recorded_by"), utc("granted_at"),
              utc("revoked_at", null=True),
              fks={"client_id": "client.id", "recorded_by": "user.id", "resource_id": "community_resource.id"},
              indexes=(index("client_id"),)),
        table("referral",
              integer("id"), integer("client_id"), integer("resource_id", null=True), text("provider", 200),
              text("contact", 300), text("reason", 1000), text("urgency", 16), boolean("discloses"),
              integer("consent_id", null=True), text("status", 16), day("appointment_on", null=True),
              text("decline_reason", 300), day("due_on", null=True), integer("created_by"), utc("created_at"),
              integer("version", server_default="1"), utc("updated_at", null=True),
              integer("updated_by", null=True),
              fks={"client_id": "client.id", "consent_id": "referral_consent.id", "created_by": "user.id",
                   "resource_id": "community_resource.id", "updated_by": "user.id"},
              constraints=(_enum("referral", "status", enums.ReferralStatus),
                           _enum("referral", "urgency", enums.ReferralUrgency)),
              indexes=(index("client_id", "status", name="ix_referral_client_status"),)),
        table("referral_step",
              integer("id"), integer("referral_id"), text("status", 16), utc("at"), integer("recorded_by"),
              text("note", 500), day("appointment_on", null=True),
              fks={"recorded_by": "user.id", "referral_id": "referral.id"},
              constraints=(_enum("referral_step", "status", enums.ReferralStatus),),
              indexes=(index("referral_id"),)),
        table("resource_share",
              integer("id"), integer("client_id"), integer("resource_id"), text("note", 300),
              integer("shared_by"), utc("shared_at"),
              fks={"client_id": "client.id", "resource_id": "community_resource.id", "shared_by": "user.id"},
              constraints=(unique("client_id", "resource_id", name="uq_resource_share_client_resource"),)),
    )


def upgrade() -> None:
    create(*_tables())


def downgrade() -> None:
    drop(*_tables())
