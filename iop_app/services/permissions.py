"""The one place that answers "may this actor do this to this client's record?".

Deny by default:
- client    -> their own record;
- therapist -> clients on their caseload: primary therapist, or a current
               member of a group the therapist facilitates;
- director  -> every client;
- family    -> only the family actions a consent in force grants for that
               client (never the clinical record itself);
- anyone else, or an inactive account -> nothing.

Break-glass: a therapist with an active emergency grant for one client
(services/break_glass.py) may READ and WRITE that record until the grant
expires, through require() and check() only; every such use is audited as
emergency access (target "break_glass:<grant id>"). Never family actions, never
other roles; can() and the roster conditions stay caseload-only.

Every denial is audited (in its own transaction) and raises PermissionDenied.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import Integer, and_, bindparam, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..models import BreakGlassGrant, Client, Consent, FamilyLink, GroupMembership, TherapyGroup, User, utcnow
from ..models.enums import STAFF_ROLES, Role
from ..models.groups import member_on
from . import audit, program
from .errors import PermissionDenied
from .ids import is_id

# `roles=` narrowings for require/check.
STAFF = tuple(STAFF_ROLES)  # what only the care team records
CLIENT_ONLY = (Role.CLIENT,)  # what only the client signs or does


def require_staff(session: Session, actor: User | None, what: str) -> None:
    """Staff-only operations that are not about one client (lists, groups): an active
    therapist or director, or an audited denial."""
    if actor is None or not actor.active or not actor.is_staff:
        audit.record_now(session, actor, what, outcome="denied",
                         detail=f"role {actor.role}" if actor is not None else "not signed in")
        raise PermissionDenied()


def require_director(session: Session, actor: User | None, what: str, *, detail: str = "director only",
                     target: str = "") -> None:
    """Program-wide operations (accounts, settings, the audit trail, emergency-access
    review): an active director, or an audited denial."""
    if actor is None or not actor.active or not actor.is_director:
        audit.record_now(session, actor, what, outcome="denied", target=target, detail=detail)
        raise PermissionDenied()


# Actions on a client's record.
READ = "read"  # the clinical record: check-ins, goals, needs, attendance, consents
WRITE = "write"
# Family-facing actions, granted to family members by a consent's scope.
FAMILY_SCHEDULE = "family.schedule"  # see and answer family-session proposals
FAMILY_PROGRESS = "family.progress"  # attendance and a summary of progress

ACTIONS = (READ, WRITE, FAMILY_SCHEDULE, FAMILY_PROGRESS)
EMERGENCY_ACTIONS = (READ, WRITE)  # what a break-glass grant opens
SCOPE_GRANTS = {
    "scheduling": {FAMILY_SCHEDULE},
    "scheduling_progress": {FAMILY_SCHEDULE, FAMILY_PROGRESS},
}


def caseload_condition(actor: User, today: date):
    """A SQL condition on Client selecting the clients on a therapist's caseload."""
    return caseload_condition_sql(actor.id, today)


def caseload_condition_sql(therapist_id, today):
    """caseload_condition for a therapist id and a day given as values or as SQL
    expressions (bound parameters of statements built once and reused)."""
    in_my_groups = (
        sa_select(GroupMembership.client_id)
        .join(TherapyGroup, TherapyGroup.id == GroupMembership.group_id)
        .where(
            TherapyGroup.facilitator_id == therapist_id,
            member_on(today),
        )
    )
    return or_(Client.primary_therapist_id == therapist_id, col(Client.id).in_(in_my_groups))


def visible_clients_condition(actor: User, today: date):
    """SQL condition for the clients whose record this actor may read (roster queries).
    Returns None for 'all clients' (director); a false condition for nobody."""
    if not actor.active:
        return Client.id == -1
    if actor.is_director:
        return None
    if actor.is_therapist:
        return caseload_condition(actor, today)
    if actor.is_client:
        return Client.user_id == actor.id
    return Client.id == -1


def consent_in_force_condition(today: date):
    """A consent is in force until it is revoked, its end date passes, or its end
    event (e.g. discharge) ends it (consents.consent_status says the same per row)."""
    return and_(
        col(Consent.revoked_at).is_(None),
        col(Consent.ended_on).is_(None),
        or_(col(Consent.expires_on).is_(None), Consent.expires_on >= today),
    )


def consents_in_force_query(family_user_id: int, today: date):
    return (
        select(Consent)
        .join(FamilyLink, FamilyLink.id == Consent.family_link_id)
        .where(FamilyLink.family_user_id == family_user_id, consent_in_force_condition(today))
    )


def consent_in_force(
    session: Session, family_user_id: int, client_id: int, today: date | None = None
) -> Consent | None:
    """The broadest consent in force from this client to this family member, if any."""
    today = today or program.local_today(session)
    consents = session.exec(
        consents_in_force_query(family_user_id, today).where(Consent.client_id == client_id)
    ).all()
    if not consents:
        return None
    return max(consents, key=lambda c: len(SCOPE_GRANTS.get(c.scope, ())))


def _allowed(session: Session, actor: User, action: str, client, today: date) -> bool:
    # client: a Client, or a row with its id, user_id and primary_therapist_id
    if not actor.active or action not in ACTIONS:
        return False
    if actor.role == "director":
        return True
    if actor.role == "client":
        return client.user_id == actor.id
    if actor.role == "therapist":
        if client.primary_therapist_id == actor.id:
            return True
        return (
            session.exec(
                select(Client.id).where(Client.id == client.id, caseload_condition(actor, today))
            ).first()
            is not None
        )
    if actor.role == "family":
        consent = consent_in_force(session, actor.id, client.id, today)
        return consent is not None and action in SCOPE_GRANTS.get(consent.scope, set())
    return False


def can(session: Session, actor: User, action: str, client_id: int, today: date | None = None) -> bool:
    client = session.get(Client, client_id) if is_id(client_id) else None
    return client is not None and _allowed(session, actor, action, client, today or program.local_today(session))


def require(
    session: Session,
    actor: User,
    action: str,
    client_id: int,
    *,
    what: str,
    today: date | None = None,
    roles: tuple[str, ...] | None = None,
    now: datetime | None = None,
) -> Client:
    """Return the client if `actor` may do `action` on their record; otherwise audit
    the denial and raise PermissionDenied. A missing client is denied the same way,
    so ids cannot be probed. Staff and family reads are audited as views.

    `roles` narrows an operation to some roles, e.g. ("therapist", "director") for
    what only the care team records, ("client",) for what only the client signs.
    `now` (default: the clock) decides whether a break-glass grant is still active."""
    client = session.get(Client, client_id) if is_id(client_id) else None
    _decide(session, actor, action, client, client_id, what=what, today=today, roles=roles, now=now)
    return client



def require_staff_write_row(session: Session, actor: User, model, row_id, *, what: str, noun: str):
    """The `model` row `row_id` of a client's record, if the care team member `actor`
    may change that record (WRITE, staff only). A missing row is refused and audited
    like a forbidden one (as `no such <noun>`), so ids cannot be probed."""
    row = session.get(model, row_id) if is_id(row_id) else None
    if row is None:
        audit.record_now(session, actor, what, target=f"{model.__tablename__}:{row_id}"[:120],
                         outcome="denied", detail=f"no such {noun}")
        raise PermissionDenied()
    require(session, actor, WRITE, row.client_id, what=what, roles=STAFF)
    return row

# The columns a decision needs, for reads that do not need the record itself.
_CLIENT_FACTS = sa_select(Client.id, Client.user_id, Client.primary_therapist_id).where(
    Client.id == bindparam("client_id", type_=Integer()))


def check(session: Session, actor: User, action: str, client_id: int, **decision) -> None:
    """require() without loading the client's record (charts and reports that read
    other tables): the same keyword arguments (what, today, roles, now), decision,
    denial and audit."""
    facts = (session.connection().execute(_CLIENT_FACTS, {"client_id": client_id}).first()
             if is_id(client_id) else None)
    _decide(session, actor, action, facts, client_id, **decision)


@contextmanager
def audited_read(session: Session, actor: User, action: str, client_id: int, **decision) -> Iterator[None]:
    """check() for a read in the with-block: the same decision (a refusal is audited
    and raised before the block runs), but the audit write of a permitted view runs
    on its own connection while the block reads (audit.start_record_now), and the
    block's end waits for that write to commit (re-raising its failure). Use it only
    where what was read leaves after the block: never anything shown unaudited."""
    facts = (session.connection().execute(_CLIENT_FACTS, {"client_id": client_id}).first()
             if is_id(client_id) else None)
    writes = []
    _decide(session, actor, action, facts, client_id, **decision,
            record_view=lambda *args, **fields: writes.append(audit.start_record_now(*args, **fields)))
    try:
        yield
    finally:
        for write in writes:
            write.result()


def active_grant(session: Session, actor: User, action: str, client_id: int,
                 now: datetime | None = None) -> BreakGlassGrant | None:
    """The break-glass grant in force now that lets this therapist do `action` (READ or
    WRITE) on this client's record, if any. Says nothing about the caseload."""
    if actor.role != "therapist" or not actor.active or action not in EMERGENCY_ACTIONS or not is_id(client_id):
        return None
    now = now or utcnow()
    return session.exec(
        select(BreakGlassGrant)
        .where(BreakGlassGrant.therapist_id == actor.id, BreakGlassGrant.client_id == client_id,
               BreakGlassGrant.expires_at > now, BreakGlassGrant.started_at <= now)
        .order_by(col(BreakGlassGrant.expires_at).desc())
    ).first()


def emergency_detail(action: str, grant_id: int) -> str:
    """The audit detail of a use of a break-glass grant (views and changes alike)."""
    return f"{action}: emergency access (break-glass grant {grant_id})"


def _decide(session: Session, actor: User, action: str, client, client_id, *, what: str,
            today: date | None = None, roles: tuple[str, ...] | None = None, now: datetime | None = None,
            record_view=audit.record_now) -> None:
    """Audit and raise for a refusal; audit a permitted staff or family read (with
    `record_view`), and every use of a break-glass grant (reads and writes)."""
    role_ok = roles is None or actor.role in roles
    allowed = (client is not None and role_ok
               and _allowed(session, actor, action, client, today or program.local_today(session)))
    if not allowed and client is not None and role_ok:
        grant = active_grant(session, actor, action, client.id, now)
        if grant is not None:
            audit.record_now(session, actor, what, client_id=client.id, target=f"break_glass:{grant.id}",
                             outcome="allowed", detail=emergency_detail(action, grant.id))
            return
    if not allowed:
        audit.record_now(
            session,
            actor,
            what,
            client_id=client.id if client else None,
            target=f"client:{client_id}"[:120],
            outcome="denied",
            detail=f"{action} refused" if role_ok else f"{action} refused: {actor.role} may not",
        )
        raise PermissionDenied()
    if action != WRITE and client.user_id != actor.id:
        record_view(session, actor, what, client_id=client.id, outcome="allowed", detail=f"{action}")


def client_for_user(session: Session, actor: User) -> Client | None:
    """The client record of a signed-in client (None for other roles)."""
    if actor.role != "client":
        return None
    return session.exec(select(Client).where(Client.user_id == actor.id)).first()


# --- The clinical record's assessments (issue #11) ----------------------------------
# An intake and assessment is read and written by the client's care team only: the
# director, the client's primary therapist and that therapist's clinical supervisor
# (models.record.Supervision), or a therapist through an active break-glass grant.
# Narrower than READ/WRITE: facilitators of the client's groups see group notes, not
# the assessment; clients and family members never (whatever a consent says).



def on_care_team(session: Session, actor: User, client) -> bool:
    """Director, primary therapist, or the primary therapist's supervisor (no break-glass here)."""
    if not actor.active or not actor.is_staff or client is None:
        return False
    if actor.is_director or client.primary_therapist_id == actor.id:
        return True
    return supervises(session, actor, client.primary_therapist_id)


def require_care_team(session: Session, actor: User | None, action: str, client_id, *, what: str,
                      now: datetime | None = None) -> Client:
    """The client, if `actor` is on their care team (or holds a break-glass grant);
    otherwise an audited denial (a missing client alike). A READ is audited as a view."""
    client = session.get(Client, client_id) if is_id(client_id) else None
    if actor is not None and client is not None and action in EMERGENCY_ACTIONS:
        if on_care_team(session, actor, client):
            if action == READ:
                audit.record_now(session, actor, what, client_id=client.id, outcome="allowed", detail=action)
            return client
        grant = active_grant(session, actor, action, client.id, now)
        if grant is not None:
            audit.record_now(session, actor, what, client_id=client.id, target=f"break_glass:{grant.id}",
                             outcome="allowed", detail=emergency_detail(action, grant.id))
            return client
    audit.record_now(session, actor, what, client_id=client.id if client else None,
                     target=f"client:{client_id}"[:120], outcome="denied",
                     detail=f"{action} refused: care team only" if actor is not None else "not signed in")
    raise PermissionDenied()


# --- Progress notes (issue #11) --------------------------------------------------
# A note is read by the care team of that note, not by everyone with the client's
# record: the primary therapist, the author, the director, the author's supervisor,
# the facilitator of the group for a group note, and a therapist with a break-glass
# grant on the client. The client only when the program shows notes to clients
# (setting client_sees_notes) and only signed notes. Family members never, whatever
# their consent (42 CFR Part 2). Every read is audited, allowed or denied.
NOTE_READ = "note.read"


def supervises(session: Session, actor: User, author_id: int | None) -> bool:
    """The actor supervises the author: named as their supervisor, or, for staff who
    need co-signature without a named supervisor, any staff marked as supervisor."""
    from ..models import Supervision

    if author_id is None or not actor.active or not actor.is_staff or actor.id == author_id:
        return False
    row = session.get(Supervision, author_id)
    if row is None:
        return False
    if row.supervisor_id is not None:
        return row.supervisor_id == actor.id
    if not row.needs_cosign:
        return False
    mine = session.get(Supervision, actor.id)
    return mine is not None and mine.is_supervisor


def group_facilitator_of_note(session: Session, note) -> int | None:
    """The facilitator of the group a group note belongs to (None for other notes)."""
    from ..models import GroupNote, GroupSession

    if note.group_note_id is None:
        return None
    return session.execute(
        sa_select(TherapyGroup.facilitator_id)
        .join(GroupSession, GroupSession.group_id == TherapyGroup.id)
        .join(GroupNote, GroupNote.group_session_id == GroupSession.id)
        .where(GroupNote.id == note.group_note_id)
    ).scalar()


def note_read_allowed(session: Session, actor: User, note, client: Client | None = None) -> bool:
    """The note-read rule without auditing (see NOTE_READ above); break-glass excluded."""
    if actor is None or not actor.active:
        return False
    client = client or session.get(Client, note.client_id)
    if client is None or actor.is_family:
        return False
    if actor.is_director:
        return True
    if actor.is_client:
        return (client.user_id == actor.id and note.status == "signed"
                and program.get_setting(session, "client_sees_notes") == "yes")
    if not actor.is_therapist:
        return False
    if actor.id in (note.author_id, client.primary_therapist_id):
        return True
    if group_facilitator_of_note(session, note) == actor.id:
        return True
    return supervises(session, actor, note.author_id)


def require_note_read(session: Session, actor: User, note, *, what: str = NOTE_READ,
                      now: datetime | None = None) -> Client:
    """The client of a note the actor may read (audited as a view), or an audited
    denial. A break-glass grant on the client opens its notes, audited as such."""
    client = session.get(Client, note.client_id) if note is not None else None
    target = f"progress_note:{note.id}" if note is not None else "progress_note:?"
    if note is not None and note_read_allowed(session, actor, note, client):
        if not (actor.is_client and client.user_id == actor.id):
            audit.record_now(session, actor, what, client_id=client.id, target=target, outcome="allowed",
                             detail="read")
        return client
    if note is not None and client is not None and actor is not None and not actor.is_family:
        grant = active_grant(session, actor, READ, client.id, now)
        if grant is not None:
            audit.record_now(session, actor, what, client_id=client.id, target=f"break_glass:{grant.id}",
                             outcome="allowed", detail=emergency_detail(READ, grant.id) + f" ({target})")
            return client
    audit.record_now(session, actor, what, client_id=client.id if client else None, target=target,
                     outcome="denied", detail=f"note read refused: {actor.role if actor else 'nobody'}")
    raise PermissionDenied()
