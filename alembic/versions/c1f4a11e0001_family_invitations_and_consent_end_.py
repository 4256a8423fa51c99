"""family invitations and consent end events (issue #9, points 1, 2 and 10)

Schema: consent.end_event (a ConsentEndEvent value or ""), consent.ended_on and
consent.ended_reason; an index on family_link.invite_code_hash (activation and
acceptance look an invitation up by its code).

Data, so rows from the old invitation flow follow the new rules:
- A link reaches a portal account only if that account was activated through
  the link's own code. Links that got their account any other way (a pending
  account shared with another client's invitation, or an existing account linked
  silently at invite time) are detached, each with an audit event; the person
  can accept a new invitation from their portal. Their codes stay valid.
- Unactivated family accounts are removed (no account exists without a password
  now; activation creates it). Each removal is audited.
- Consents whose free-text end event names discharge get end_event "discharge";
  those of clients already discharged end on the discharge date.
The data changes are not undone by a downgrade.

Revision ID: c1f4a11e0001
Revises: b00b51e906bd
Create Date: 2026-11-23 13:00:44.564395

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from iop_app.models.migration_helpers import day, text


# revision identifiers, used by Alembic.
revision: str = 'c1f4a11e0001'
down_revision: Union[str, Sequence[str], None] = 'b00b51e906bd'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTOR_LABEL = "migration c1f4a11e0001"

# Just the columns this migration reads or writes.
user = sa.table("user", sa.column("id", sa.Integer), sa.column("role", sa.String),
                sa.column("password_hash", sa.String))
family_link = sa.table("family_link", sa.column("id", sa.Integer), sa.column("client_id", sa.Integer),
                       sa.column("family_user_id", sa.Integer), sa.column("activated_at"))
consent = sa.table("consent", sa.column("client_id", sa.Integer), sa.column("expires_on", sa.Date),
                   sa.column("expiry_event", sa.String), sa.column("end_event", sa.String),
                   sa.column("revoked_at"), sa.column("ended_on", sa.Date), sa.column("ended_reason", sa.String))
client = sa.table("client", sa.column("id", sa.Integer), sa.column("status", sa.String),
                  sa.column("discharge_date", sa.Date))
audit_event = sa.table(
    "audit_event", sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()), sa.column("actor_user_id", sa.Integer),
    sa.column("actor_label", sa.String), sa.column("action", sa.String), sa.column("client_id", sa.Integer),
    sa.column("target", sa.String), sa.column("outcome", sa.String), sa.column("detail", sa.String),
    sa.column("id", sa.Integer))
# Tables that can point at a user; an account any of them names is never deleted.
USER_REFERENCES = (("family_link", "family_user_id"), ("audit_event", "actor_user_id"),
                   ("auth_session", "user_id"), ("disclosure", "family_user_id"),
                   ("slot_proposal", "accepted_by"), ("family_session_message", "author_id"),
                   ("consent", "recorded_by"), ("client", "user_id"))


def _audit_each(bind, rows, action: str, client_id, target, detail: str) -> None:
    """One audit event per row of `rows` (a select), written before the change."""
    select_events = sa.select(
        sa.func.current_timestamp(), sa.cast(sa.null(), sa.Integer), sa.literal(ACTOR_LABEL), sa.literal(action), client_id, target,
        sa.literal("success"), sa.literal(detail),
    ).select_from(rows)
    bind.execute(audit_event.insert().from_select(
        ["at", "actor_user_id", "actor_label", "action", "client_id", "target", "outcome", "detail"], select_events))


def _links_to_detach():
    """Links whose account was not activated through them."""
    fl = family_link.alias("fl")
    link_target = sa.literal("family_link:") + sa.cast(fl.c.id, sa.String)
    silently_linked = sa.exists().where(
        audit_event.c.action == "family.invite", audit_event.c.detail == "existing active account linked",
        audit_event.c.target == link_target)
    activated_here = sa.exists().where(
        audit_event.c.action == "family.activate", audit_event.c.outcome == "success",
        audit_event.c.target == link_target)
    return (
        sa.select(fl.c.id, fl.c.client_id)
        .join(user, user.c.id == fl.c.family_user_id)
        .where(sa.or_(user.c.password_hash == "", fl.c.activated_at.is_(None),
                      sa.and_(silently_linked, ~activated_here)))
        .subquery("detach")
    )


def _unreferenced_pending_users():
    """Unactivated family accounts that no row refers to."""
    u = user.alias("u")
    query = sa.select(u.c.id).where(u.c.role == "family", u.c.password_hash == "")
    for table, column in USER_REFERENCES:
        ref = sa.table(table, sa.column(column, sa.Integer))
        query = query.where(~sa.exists().where(ref.c[column] == u.c.id))
    return query.subquery("pending")


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.add_column(text('end_event', 32, server_default=''))
        batch_op.add_column(day('ended_on', null=True))
        batch_op.add_column(text('ended_reason', 200, server_default=''))
        # The closed set of enums.ConsentEndEvent (plus "" for none).
        batch_op.create_check_constraint('ck_consent_end_event', "end_event IN ('', 'discharge')")

    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_link_invite_code_hash'), ['invite_code_hash'], unique=False)

    bind = op.get_bind()

    # Links that reached an account other than through their own activation.
    detach = _links_to_detach()
    _audit_each(bind, detach, "family_link.detach", detach.c.client_id,
                sa.literal("family_link:") + sa.cast(detach.c.id, sa.String),
                "account not activated through this invitation (issue #9); the person can accept a new invitation")
    bind.execute(family_link.update()
                 .where(family_link.c.id.in_(sa.select(_links_to_detach().c.id)))
                 .values(family_user_id=None, activated_at=None))

    # Unactivated family accounts that nothing refers to any more.
    pending = _unreferenced_pending_users()
    _audit_each(bind, pending, "account.delete", sa.cast(sa.null(), sa.Integer), sa.literal("user:") + sa.cast(pending.c.id, sa.String),
                "unactivated family account from the old invitation flow (issue #9)")
    bind.execute(user.delete().where(user.c.id.in_(sa.select(_unreferenced_pending_users().c.id))))

    # Free-text "discharge" events become the structured event that ends by itself.
    bind.execute(consent.update().where(sa.func.lower(consent.c.expiry_event).like("%discharg%"))
                 .values(end_event="discharge"))
    discharged_on = (sa.select(client.c.discharge_date)
                     .where(client.c.id == consent.c.client_id, client.c.status == "discharged",
                            client.c.discharge_date.is_not(None))
                     .scalar_subquery())
    bind.execute(
        consent.update()
        .where(consent.c.end_event == "discharge", consent.c.revoked_at.is_(None), consent.c.ended_on.is_(None),
               discharged_on.is_not(None),
               sa.or_(consent.c.expires_on.is_(None), consent.c.expires_on >= discharged_on))
        .values(ended_on=discharged_on, ended_reason="discharge")
    )


def downgrade() -> None:
    """Downgrade schema (the data changes above stay)."""
    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_link_invite_code_hash'))

    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_constraint('ck_consent_end_event', type_='check')
        batch_op.drop_column('ended_reason')
        batch_op.drop_column('ended_on')
        batch_op.drop_column('end_event')
