"""Progress notes: every service delivered to a client documented, drafted, signed,
locked, amended by addenda and co-signed (issue #11, sections 3 and 4).

- A note is the record of one service (type, program-local day, start and end,
  location, minutes) and its text in the sections of its format
  (services/note_formats.py). Individual sessions get an IndividualSession row, family
  notes attach to a completed family session, case-management and crisis contacts are
  the note alone; group notes are written on the roll-call page (services/group_notes.py).
- Drafts are edited by their author with optimistic concurrency (services/versions.py).
- Signing (the author only) needs every section of the format and at least one
  objective of the client's plan in force: the golden thread. The signed-at time is
  the server's; a signed note is locked. Later changes are addenda: dated and
  attributed by the server, labelled late entries, the original kept and shown.
- Staff marked as needing co-signature (Supervision.needs_cosign) have their signed
  notes co-signed by their supervisor (or any supervisor when none is named) or the
  director.
- Reads follow permissions.require_note_read (audited); creation needs WRITE on the
  client's record and a staff role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Integer, String, bindparam, delete, literal, null, select, type_coerce, union_all, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ..models import (
    Addendum,
    Attendance,
    Client,
    FamilySession,
    GroupNote,
    GroupSession,
    IndividualSession,
    NoteObjective,
    PlanGoal,
    PlanObjective,
    PlanProblem,
    ProgressNote,
    Supervision,
    TherapyGroup,
    TreatmentPlan,
    User,
    role_in,
    utcnow,
)
from ..models.enums import (
    ATTENDED,
    STAFF_ROLES,
    FamilySessionStatus,
    IndividualSessionStatus,
    NoteFormat,
    PlanStatus,
    RecordStatus,
    ServiceLocation,
    ServiceType,
)
from . import addenda, audit, inputs, note_formats, permissions, program, versions
from .errors import NotFound, PermissionDenied, ServiceError, ValidationError
from .ids import is_id, moment_param

LOCKED = "This note is signed and locked. Add an addendum for anything that changed or was left out."
GROUP_SIGN = "A group note is signed on the session's roll-call page, for every attendee at once."
# Services written from a client's record (group notes come from roll call).
RECORD_SERVICE_TYPES = (ServiceType.INDIVIDUAL, ServiceType.FAMILY, ServiceType.CASE_MANAGEMENT, ServiceType.CRISIS)
CONTACT_TYPES = (ServiceType.CASE_MANAGEMENT, ServiceType.CRISIS)
MAX_OBJECTIVES = 20


# ------------------------------------------------------------------ input
class NoteService(BaseModel):
    """What a note records about the service itself."""

    model_config = ConfigDict(extra="forbid")
    messages: ClassVar[dict[str, str]] = {
        "service_type": "Choose the type of service.",
        "note_format": "Choose DAP, BIRP, SOAP or GIRP.",
        "service_date": "Enter the date of the service.",
        "start": "Enter the start time.",
        "end": "Enter the end time.",
        "location": "Choose where the service took place.",
    }

    service_type: ServiceType
    note_format: NoteFormat
    service_date: date = Field(strict=True)
    start: time = Field(strict=True)
    end: time = Field(strict=True)
    location: ServiceLocation


def clean_sections(code: str, sections, *, allowed: tuple[str, ...] | None = None, prefix: str = "") -> dict:
    """The sections of a note as the format defines them: text, each within the limit.
    Keys outside the format are refused (a forged form), not silently dropped."""
    fmt = note_formats.get(code)
    allowed = allowed if allowed is not None else fmt.keys
    if sections is None:
        sections = {}
    if not isinstance(sections, dict):
        raise ValidationError({f"{prefix}sections": "The note's text could not be read."})
    errors, clean = {}, {}
    for key, value in sections.items():
        if key not in allowed:
            errors[f"{prefix}sections"] = "The note has a section its format does not have."
            continue
        if not isinstance(value, str):
            errors[f"{prefix}{key}"] = "Enter text."
            continue
        value = value.strip()
        if len(value) > note_formats.SECTION_LIMIT:
            errors[f"{prefix}{key}"] = (f"{fmt.label_of(key)}: at most {note_formats.SECTION_LIMIT} characters "
                                        f"(this one is {len(value)}).")
            continue
        clean[key] = value
    if errors:
        raise ValidationError(errors)
    return clean


# ------------------------------------------------------------------ the plan in force
def plan_in_force(session: Session, client_id: int) -> TreatmentPlan | None:
    """The newest signed version of the client's plan (None before the first is signed)."""
    return session.execute(
        select(TreatmentPlan).where(TreatmentPlan.client_id == client_id, TreatmentPlan.status == PlanStatus.SIGNED)
        .order_by(col(TreatmentPlan.number).desc()).limit(1)
    ).scalars().first()


@dataclass(frozen=True)
class ObjectiveOption:
    id: int
    label: str  # the objective's statement


def objective_options(session: Session, client_ids: list[int]) -> dict[int, list[ObjectiveOption]]:
    """Objectives of each client's plan in force, in plan order: what a note may address."""
    if not client_ids:
        return {}
    newest = (
        select(TreatmentPlan.client_id, TreatmentPlan.id.label("plan_id"), TreatmentPlan.number)
        .where(col(TreatmentPlan.client_id).in_(client_ids), TreatmentPlan.status == PlanStatus.SIGNED)
        .subquery()
    )
    rows = session.execute(
        select(newest.c.client_id, newest.c.number, PlanObjective.id, PlanObjective.statement,
               PlanProblem.position, PlanGoal.position, PlanObjective.position)
        .join(PlanProblem, PlanProblem.plan_id == newest.c.plan_id)
        .join(PlanGoal, PlanGoal.problem_id == PlanProblem.id)
        .join(PlanObjective, PlanObjective.goal_id == PlanGoal.id)
    ).all()
    best: dict[int, int] = {}
    for client_id, number, *_ in rows:
        best[client_id] = max(best.get(client_id, 0), number)
    out: dict[int, list[tuple]] = {}
    for client_id, number, oid, statement, p_pos, g_pos, o_pos in rows:
        if number == best[client_id]:
            out.setdefault(client_id, []).append(((p_pos, g_pos, o_pos, oid), ObjectiveOption(oid, statement)))
    return {cid: [opt for _, opt in sorted(items, key=lambda x: x[0])] for cid, items in out.items()}


def _checked_objectives(session: Session, client_id: int, objective_ids, field_name: str = "objectives") -> list[int]:
    """The objective ids, each of the client's plan in force; anything else refused."""
    if objective_ids is None:
        return []
    if not isinstance(objective_ids, (list, tuple)) or len(objective_ids) > MAX_OBJECTIVES:
        raise ValidationError({field_name: "Choose objectives from the client's plan."})
    allowed = {o.id for o in objective_options(session, [client_id]).get(client_id, [])}
    chosen: list[int] = []
    for oid in objective_ids:
        if not is_id(oid) or oid not in allowed:
            raise ValidationError({field_name: "Choose objectives from the client's plan in force."})
        if oid not in chosen:
            chosen.append(oid)
    return chosen


def _set_objectives(session: Session, note_id: int, objective_ids: list[int]) -> None:
    current = set(session.execute(select(NoteObjective.objective_id).where(NoteObjective.note_id == note_id))
                  .scalars())
    wanted = set(objective_ids)
    if current - wanted:
        session.execute(delete(NoteObjective).where(NoteObjective.note_id == note_id,
                                                    col(NoteObjective.objective_id).in_(current - wanted)))
    for oid in objective_ids:
        if oid not in current:
            session.add(NoteObjective(note_id=note_id, objective_id=oid))


def objective_ids_of(session: Session, note_id: int) -> list[int]:
    return list(session.execute(select(NoteObjective.objective_id).where(NoteObjective.note_id == note_id)
                                .order_by(NoteObjective.id)).scalars())


# ------------------------------------------------------------------ helpers
def _note(session: Session, note_id) -> ProgressNote:
    note = session.get(ProgressNote, note_id) if is_id(note_id) else None
    if note is None:
        raise NotFound("That note does not exist.")
    return note


def _times(session: Session, day: date, start: time, end: time) -> tuple[datetime, datetime, int]:
    tz = program.program_tz(session)
    starts = program.to_utc(datetime.combine(day, start), tz)
    ends = program.to_utc(datetime.combine(day, end), tz)
    return starts, ends, int((ends - starts).total_seconds() // 60)


def _check_service(session: Session, client: Client, service: NoteService) -> None:
    today = program.local_today(session)
    errors = {}
    if service.end <= service.start:
        errors["end"] = "The end must be after the start."
    if service.service_date > today:
        errors["service_date"] = "Document a service once it has happened (the date is in the future)."
    elif service.service_date < client.admission_date - timedelta(days=30):
        errors["service_date"] = "That date is long before the client's admission."
    if errors:
        raise ValidationError(errors)


def _author_only(session: Session, actor: User, note: ProgressNote, what: str) -> None:
    if note.author_id != actor.id:
        audit.record_now(session, actor, what, client_id=note.client_id, target=f"progress_note:{note.id}",
                         outcome="denied", detail="not the author")
        raise PermissionDenied("Only the note's author can do that.")


def needs_cosign(session: Session, author_id: int) -> bool:
    row = session.get(Supervision, author_id)
    return bool(row and row.needs_cosign)


# ------------------------------------------------------------------ create, edit, sign
def create_note(session: Session, actor: User, client_id: int, *, service_type, note_format=None, service_date,
                start, end, location, individual_session_id=None, family_session_id=None) -> ProgressNote:
    """A draft note of a service delivered to the client (not a group session)."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="note.create",
                                 roles=permissions.STAFF)
    if service_type == ServiceType.GROUP:
        raise ValidationError({"service_type": "Group notes are written on the session's roll-call page."})
    service = inputs.validate(
        NoteService, service_type=service_type,
        note_format=note_format or program.get_setting(session, "note_format_default"),
        service_date=service_date, start=start, end=end, location=location)
    _check_service(session, client, service)
    starts, ends, minutes = _times(session, service.service_date, service.start, service.end)
    note = ProgressNote(client_id=client.id, author_id=actor.id, service_type=service.service_type,
                        note_format=service.note_format, status=RecordStatus.DRAFT,
                        service_date=service.service_date, starts_at=starts, ends_at=ends,
                        location=service.location, minutes=minutes, sections={})
    if service.service_type == ServiceType.INDIVIDUAL:
        note.individual_session_id = _individual_session(session, actor, client, individual_session_id,
                                                         starts, minutes).id
    elif service.service_type == ServiceType.FAMILY:
        note.family_session_id = _family_session(session, client, family_session_id).id
    return audit.save_new(session, actor, note, "note.create", "progress_note", client_id=client.id,
                          detail=f"{service.service_type} on {service.service_date}")


def _individual_session(session: Session, actor: User, client: Client, session_id, starts: datetime,
                        minutes: int) -> IndividualSession:
    """The individual session the note documents: a scheduled or attended one of this
    client without a note yet, now attended for the note's length; or a new one."""
    if session_id in (None, "", 0):
        row = IndividualSession(client_id=client.id, therapist_id=actor.id, starts_at=starts,
                                duration_minutes=minutes, status=IndividualSessionStatus.ATTENDED,
                                minutes_attended=minutes)
        session.add(row)
        session.flush()
        return row
    row = session.get(IndividualSession, session_id) if is_id(session_id) else None
    taken = row is not None and session.execute(
        select(ProgressNote.id).where(ProgressNote.individual_session_id == row.id)).first() is not None
    if row is None or row.client_id != client.id or row.status == IndividualSessionStatus.CANCELLED or taken:
        raise ValidationError({"individual_session_id": "Choose one of the client's sessions without a note."})
    row.status = IndividualSessionStatus.ATTENDED
    row.starts_at, row.minutes_attended = starts, minutes
    session.add(row)
    return row


def _family_session(session: Session, client: Client, session_id) -> FamilySession:
    row = session.get(FamilySession, session_id) if is_id(session_id) else None
    taken = row is not None and session.execute(
        select(ProgressNote.id).where(ProgressNote.family_session_id == row.id)).first() is not None
    if row is None or row.client_id != client.id or row.status != FamilySessionStatus.COMPLETED or taken:
        raise ValidationError({"family_session_id": "Choose one of the client's attended family sessions "
                                                    "without a note."})
    return row


def save_note(session: Session, actor: User, note_id, *, expected_version, sections=None, objective_ids=None,
              note_format=None, service_date=None, start=None, end=None, location=None) -> ProgressNote:
    """Save a draft (its author only). A group attendee's note keeps the group's
    service, format and shared part: only its individual part and objectives change."""
    note = _note(session, note_id)
    permissions.require_note_read(session, actor, note, what="note.edit")
    _author_only(session, actor, note, "note.edit")
    if note.status != RecordStatus.DRAFT:
        raise ServiceError(LOCKED)
    client = session.get(Client, note.client_id)
    values: dict = {}
    if note.group_note_id is None and service_date is not None:
        service = inputs.validate(NoteService, service_type=note.service_type,
                                  note_format=note_format or note.note_format, service_date=service_date,
                                  start=start, end=end, location=location)
        _check_service(session, client, service)
        starts, ends, minutes = _times(session, service.service_date, service.start, service.end)
        values.update(note_format=service.note_format, service_date=service.service_date, starts_at=starts,
                      ends_at=ends, location=service.location, minutes=minutes)
    code = values.get("note_format", note.note_format)
    fmt = note_formats.get(code)
    allowed = fmt.individual_sections() if note.group_note_id else fmt.sections
    values["sections"] = clean_sections(code, sections, allowed=tuple(s.key for s in allowed))
    chosen = _checked_objectives(session, note.client_id, objective_ids)
    versions.write(session, actor, note, values, expected_version=expected_version, what="note.edit",
                   client_id=note.client_id)
    _set_objectives(session, note.id, chosen)
    if note.individual_session_id and "starts_at" in values:
        session.execute(update(IndividualSession).where(IndividualSession.id == note.individual_session_id)
                        .values(starts_at=values["starts_at"], minutes_attended=values["minutes"],
                                duration_minutes=values["minutes"]))
    audit.record(session, actor, "note.edit", client_id=note.client_id, target=f"progress_note:{note.id}",
                 detail=f"draft saved (version {note.version})")
    session.commit()
    return note


def sign_problems(session: Session, note: ProgressNote, shared: str | None = None) -> dict[str, str]:
    """What keeps a draft from being signed: empty sections, no objective (the golden
    thread). For a group attendee, the interventions are the group's shared part."""
    fmt = note_formats.get(note.note_format)
    problems = {}
    skip = (fmt.interventions,) if note.group_note_id else ()
    missing = note_formats.missing_sections(note.note_format, note.sections, skip=skip)
    if note.group_note_id and not (shared or "").strip():
        missing.insert(0, "the group's shared part")
    if missing:
        problems["sections"] = "Fill in every section before signing: " + ", ".join(missing) + "."
    if not objective_ids_of(session, note.id):
        problems["objectives"] = ("Choose at least one objective of the client's plan that this service "
                                  "addressed (the golden thread).")
    return problems


def sign_values(session: Session, actor: User, now: datetime) -> dict:
    return {"status": RecordStatus.SIGNED, "signed_by": actor.id, "signed_at": now,
            "cosign_required": needs_cosign(session, actor.id)}


def sign_note(session: Session, actor: User, note_id, *, expected_version) -> ProgressNote:
    """Sign a draft (its author only): server time, then locked."""
    note = _note(session, note_id)
    permissions.require_note_read(session, actor, note, what="note.sign")
    _author_only(session, actor, note, "note.sign")
    if note.group_note_id is not None:
        raise ServiceError(GROUP_SIGN)
    if note.status != RecordStatus.DRAFT:
        raise ServiceError("This note is already signed.")
    versions.check(session, actor, note, expected_version, what="note.sign", client_id=note.client_id)
    if problems := sign_problems(session, note):
        raise ValidationError(problems)
    versions.write(session, actor, note, sign_values(session, actor, utcnow()), expected_version=expected_version,
                   what="note.sign", client_id=note.client_id)
    audit.record(session, actor, "note.sign", client_id=note.client_id, target=f"progress_note:{note.id}",
                 detail="signed" + (", co-signature required" if note.cosign_required else ""))
    session.commit()
    return note


def delete_draft(session: Session, actor: User, note_id, *, expected_version) -> None:
    """A draft written by mistake goes (its author only); a signed note never does."""
    note = _note(session, note_id)
    permissions.require_note_read(session, actor, note, what="note.delete")
    _author_only(session, actor, note, "note.delete")
    if note.status != RecordStatus.DRAFT:
        raise ServiceError(LOCKED)
    if note.group_note_id is not None:
        raise ServiceError("A group attendee's note goes when their roll call says they were absent.")
    versions.check(session, actor, note, expected_version, what="note.delete", client_id=note.client_id)
    session.execute(delete(NoteObjective).where(NoteObjective.note_id == note.id))
    audit.record(session, actor, "note.delete", client_id=note.client_id, target=f"progress_note:{note.id}",
                 detail="draft deleted")
    session.delete(note)
    session.commit()


def add_addendum(session: Session, actor: User, note_id, *, text, reason="") -> Addendum:
    """A late entry to a signed note: dated and attributed by the server; the note
    itself stays as signed. Staff who may read the note may add one."""
    note = _note(session, note_id)
    permissions.require_note_read(session, actor, note, what="note.addendum")
    if not actor.is_staff:
        raise PermissionDenied("Only staff add addenda.")
    if note.status != RecordStatus.SIGNED:
        raise ServiceError("A draft is still edited directly; addenda are for signed notes.")
    return addenda.add(session, actor, text=text, reason=reason, action="note.addendum", client_id=note.client_id,
                       target=f"progress_note:{note.id}", note_id=note.id)


def may_cosign(session: Session, actor: User, note: ProgressNote) -> bool:
    return (note.status == RecordStatus.SIGNED and note.cosign_required and note.cosigned_by is None
            and actor.active and actor.id != note.author_id
            and (actor.is_director or permissions.supervises(session, actor, note.author_id)))


def cosign_note(session: Session, actor: User, note_id) -> ProgressNote:
    """Co-sign a signed note of someone who needs it: their supervisor or the director."""
    note = _note(session, note_id)
    permissions.require_note_read(session, actor, note, what="note.cosign")
    if not may_cosign(session, actor, note):
        if note.cosigned_by is not None:
            raise ServiceError("This note is already co-signed.")
        audit.record_now(session, actor, "note.cosign", client_id=note.client_id,
                         target=f"progress_note:{note.id}", outcome="denied", detail="not a co-signer of this note")
        raise PermissionDenied("Only the author's supervisor or the director co-signs this note.")
    now = utcnow()
    # Conditional: two supervisors co-signing at once cannot both succeed.
    done = session.execute(update(ProgressNote).where(ProgressNote.id == note.id,
                                                      col(ProgressNote.cosigned_by).is_(None))
                           .values(cosigned_by=actor.id, cosigned_at=now))
    if done.rowcount != 1:
        session.rollback()
        raise ServiceError("This note is already co-signed.")
    audit.record(session, actor, "note.cosign", client_id=note.client_id, target=f"progress_note:{note.id}",
                 detail="co-signed")
    session.commit()
    session.refresh(note)
    return note


@dataclass(frozen=True)
class SupervisionLine:
    """One staff member on the director's supervision screen."""

    user_id: int
    name: str
    email: str
    role: str
    active: bool
    is_supervisor: bool
    needs_cosign: bool
    supervisor_id: int | None
    supervisor_name: str
    supervisees: list[str]  # who names them as their supervisor


def can_supervise(user: User, row: Supervision | None) -> bool:
    """Who may be named someone's supervisor: an active director, or an active
    therapist marked as supervisor (issue #11: "a supervisor (director or a therapist
    marked as supervisor)")."""
    return user.active and (user.is_director or (user.is_therapist and row is not None and row.is_supervisor))


def supervision_list(session: Session, actor: User) -> list[SupervisionLine]:
    """Every staff account with its supervision (director only; a refusal is audited)."""
    permissions.require_director(session, actor, "supervision.view")
    staff = session.execute(select(User).where(role_in(*STAFF_ROLES)).order_by(User.full_name, User.id)).scalars().all()
    rows = {r.user_id: r for r in session.execute(select(Supervision)).scalars()}
    names = {u.id: u.full_name for u in staff}
    named: dict[int, list[str]] = {}
    for row in rows.values():
        if row.supervisor_id is not None and row.user_id in names:
            named.setdefault(row.supervisor_id, []).append(names[row.user_id])
    lines = []
    for user in staff:
        row = rows.get(user.id)
        boss = row.supervisor_id if row else None
        lines.append(SupervisionLine(
            user_id=user.id, name=user.full_name, email=user.email, role=user.role, active=user.active,
            is_supervisor=bool(row and row.is_supervisor), needs_cosign=bool(row and row.needs_cosign),
            supervisor_id=boss, supervisor_name=names.get(boss, "") if boss else "",
            supervisees=sorted(named.get(user.id, []))))
    return lines


def set_supervision(session: Session, actor: User, user_id, *, is_supervisor: bool, needs_cosign: bool,
                    supervisor_id=None) -> Supervision:
    """The director marks who supervises, whose notes need co-signature and who their
    supervisor is (None: any supervisor or the director). A named supervisor is the
    director or a therapist marked as supervisor; someone others name as their
    supervisor stays one until those are given another."""
    permissions.require_director(session, actor, "supervision.update", target=f"user:{user_id}"[:120])
    person = session.get(User, user_id) if is_id(user_id) else None
    if person is None or not person.is_staff:
        raise ValidationError({"user_id": "Choose a staff member."})
    if not isinstance(is_supervisor, bool) or not isinstance(needs_cosign, bool):
        raise ValidationError({"user_id": "Tick or untick the boxes."})
    if supervisor_id in (None, ""):
        supervisor_id = None
    else:
        boss = session.get(User, supervisor_id) if is_id(supervisor_id) else None
        if boss is None or boss.id == person.id or not can_supervise(boss, session.get(Supervision, boss.id)):
            raise ValidationError({"supervisor_id": "Choose the director or a therapist marked as supervisor "
                                                    "(not the person themself)."})
    if not is_supervisor and person.is_therapist:
        relying = session.execute(
            select(User.full_name).join(Supervision, Supervision.user_id == User.id)
            .where(Supervision.supervisor_id == person.id).order_by(User.full_name)).scalars().all()
        if relying:
            raise ValidationError({"is_supervisor": f"{person.full_name} is the named supervisor of "
                                                    f"{', '.join(relying)}: name someone else for them first."})
    row = session.get(Supervision, person.id) or Supervision(user_id=person.id)
    before = (row.is_supervisor, row.needs_cosign, row.supervisor_id)
    row.is_supervisor, row.needs_cosign, row.supervisor_id = is_supervisor, needs_cosign, supervisor_id
    session.add(row)
    audit.record(session, actor, "supervision.update", target=f"user:{person.id}",
                 detail=f"supervisor={row.is_supervisor} needs_cosign={row.needs_cosign} by={supervisor_id} "
                        f"(was supervisor={before[0]} needs_cosign={before[1]} by={before[2]})")
    session.commit()
    return row


# ------------------------------------------------------------------ reading one note
@dataclass
class AddendumView:
    id: int
    author: str
    at: datetime
    reason: str
    text: str


@dataclass
class NoteDetail:
    note: ProgressNote
    client_name: str
    author: str
    signer: str
    cosigner: str
    format: note_formats.NoteFormatDef
    group_name: str = ""
    group_session_id: int | None = None
    topic: str = ""
    shared: str = ""  # the group's shared part (interventions)
    objectives: list[ObjectiveOption] = field(default_factory=list)  # addressed
    options: list[ObjectiveOption] = field(default_factory=list)  # of the plan in force, for a draft
    addenda: list[AddendumView] = field(default_factory=list)
    may_edit: bool = False
    may_cosign: bool = False
    overdue: bool = False


def note_detail(session: Session, actor: User, note_id) -> NoteDetail:
    """One note with what its page shows; the read is audited (or refused, audited)."""
    note = _note(session, note_id)
    client = permissions.require_note_read(session, actor, note)
    names = dict(session.execute(select(User.id, User.full_name).where(col(User.id).in_(
        {client.user_id, note.author_id, note.signed_by or 0, note.cosigned_by or 0}))).all())
    detail = NoteDetail(note=note, client_name=names.get(client.user_id, ""), author=names.get(note.author_id, ""),
                        signer=names.get(note.signed_by, ""), cosigner=names.get(note.cosigned_by, ""),
                        format=note_formats.get(note.note_format))
    if note.group_note_id is not None:
        row = session.execute(
            select(GroupNote.topic, GroupNote.shared, GroupSession.id, TherapyGroup.name)
            .join(GroupSession, GroupSession.id == GroupNote.group_session_id)
            .join(TherapyGroup, TherapyGroup.id == GroupSession.group_id)
            .where(GroupNote.id == note.group_note_id)).first()
        detail.topic, detail.shared, detail.group_session_id, detail.group_name = row
    addressed = objective_ids_of(session, note.id)
    if addressed:
        labels = dict(session.execute(select(PlanObjective.id, PlanObjective.statement)
                                      .where(col(PlanObjective.id).in_(addressed))).all())
        detail.objectives = [ObjectiveOption(oid, labels.get(oid, "")) for oid in addressed]
    authors = aliased(User)
    detail.addenda = [AddendumView(a.id, name, a.created_at, a.reason, a.text) for a, name in session.execute(
        select(Addendum, authors.full_name).join(authors, authors.id == Addendum.author_id)
        .where(Addendum.note_id == note.id).order_by(Addendum.created_at, Addendum.id)).all()]
    detail.may_edit = note.status == RecordStatus.DRAFT and note.author_id == actor.id
    if detail.may_edit:
        detail.options = objective_options(session, [note.client_id]).get(note.client_id, [])
    detail.may_cosign = may_cosign(session, actor, note)
    detail.overdue = is_overdue(session, note)
    return detail


def overdue_before(session: Session, now: datetime | None = None) -> datetime:
    """A draft whose service ended before this moment is overdue (notes_overdue_hours)."""
    return (now or utcnow()) - timedelta(hours=program.whole_number(session, "notes_overdue_hours"))


def is_overdue(session: Session, note: ProgressNote, now: datetime | None = None) -> bool:
    ends = note.ends_at if note.ends_at.tzinfo else note.ends_at.replace(tzinfo=overdue_before(session).tzinfo)
    return note.status == RecordStatus.DRAFT and ends < overdue_before(session, now)


# ------------------------------------------------------------------ lists
@dataclass
class NoteRow:
    id: int
    client_id: int
    client_name: str
    author: str
    service_type: str
    service_date: date
    status: str
    overdue: bool
    signed_at: datetime | None


def _rows(session: Session, stmt, now: datetime | None = None) -> list[NoteRow]:
    cutoff = overdue_before(session, now)
    clients, authors = aliased(User), aliased(User)
    stmt = (stmt.add_columns(clients.full_name, authors.full_name)
            .join(Client, Client.id == ProgressNote.client_id)
            .join(clients, clients.id == Client.user_id)
            .join(authors, authors.id == ProgressNote.author_id)
            .order_by(ProgressNote.service_date, ProgressNote.id))
    return [NoteRow(n.id, n.client_id, cname, aname, n.service_type, n.service_date, n.status,
                    n.status == RecordStatus.DRAFT and n.ends_at < cutoff, n.signed_at)
            for n, cname, aname in session.execute(stmt).all()]


def my_unsigned(session: Session, actor: User, now: datetime | None = None) -> list[NoteRow]:
    """The actor's drafts, oldest service first (overdue ones marked)."""
    permissions.require_staff(session, actor, "notes.list")
    rows = _rows(session, select(ProgressNote).where(ProgressNote.author_id == actor.id,
                                                      ProgressNote.status == RecordStatus.DRAFT), now)
    audit.record_now(session, actor, "notes.list", outcome="allowed", detail=f"{len(rows)} unsigned notes")
    return rows


def awaiting_my_cosign(session: Session, actor: User) -> list[NoteRow]:
    """Signed notes waiting for the actor's co-signature (a supervisor; the director: all)."""
    permissions.require_staff(session, actor, "notes.list")
    stmt = select(ProgressNote).where(ProgressNote.status == RecordStatus.SIGNED,
                                      col(ProgressNote.cosign_required).is_(True),
                                      col(ProgressNote.cosigned_by).is_(None), ProgressNote.author_id != actor.id)
    if not actor.is_director:
        mine = session.get(Supervision, actor.id)
        named = select(Supervision.user_id).where(Supervision.supervisor_id == actor.id)
        if mine is not None and mine.is_supervisor:
            anyone = select(Supervision.user_id).where(col(Supervision.supervisor_id).is_(None),
                                                       col(Supervision.needs_cosign).is_(True))
            stmt = stmt.where(col(ProgressNote.author_id).in_(named.union(anyone)))
        else:
            stmt = stmt.where(col(ProgressNote.author_id).in_(named))
    rows = _rows(session, stmt)
    audit.record_now(session, actor, "notes.list", outcome="allowed", detail=f"{len(rows)} awaiting co-signature")
    return rows


# ------------------------------------------------------------------ the timeline
TIMELINE_KINDS = ("all", *ServiceType.values(), "plan")


@dataclass(slots=True)
class TimelineItem:
    day: date
    kind: str  # a ServiceType value, or "plan"
    title: str
    minutes: int | None
    note_id: int | None
    note_status: str  # "signed", "draft", "" (not documented); a plan: its PlanStatus
    cosign_pending: bool
    ref_id: int  # the service's or plan's own id
    overdue: bool = False


_CLIENT = bindparam("client_id", type_=Integer())
_OVERDUE_BEFORE = moment_param("overdue_before")


def _in(column, values) -> object:
    # IN with one bound parameter per value, fixed when the statement is built (an
    # "expanding" IN would be re-rendered at every execution).
    return col(column).in_([literal(str(v), String()) for v in values])


@lru_cache(maxsize=1)
def timeline_statement():
    """Every service, note and plan version of one client in one statement built
    once (bound parameters: client_id, overdue_before). Columns: at, kind, title,
    minutes, note_id, note_status, cosign_pending, overdue, ref_id. The flags are
    computed here, so no end time comes back to be parsed."""
    def flags(note):
        pending = ((note.status == literal(str(RecordStatus.SIGNED), String())) & note.cosign_required
                   & note.cosigned_by.is_(None))
        overdue = (note.status == literal(str(RecordStatus.DRAFT), String())) & (note.ends_at < _OVERDUE_BEFORE)
        return pending, overdue

    group_note = aliased(ProgressNote)
    groups = (
        # The first SELECT types the columns: the moment as the database's own text
        # (SQLite) or timestamp (others) and the flags as numbers, so no per-value
        # converter runs on the way out (timeline() reads them).
        select(type_coerce(GroupSession.starts_at, String()).label("at"),
               literal(str(ServiceType.GROUP), String()).label("kind"),
               TherapyGroup.name.label("title"), Attendance.minutes.label("minutes"),
               group_note.id.label("note_id"), group_note.status.label("note_status"),
               *(type_coerce(f, Integer()).label(n)
                 for f, n in zip(flags(group_note), ("cosign_pending", "overdue"), strict=True)),
               GroupSession.id.label("ref_id"))
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .join(TherapyGroup, TherapyGroup.id == GroupSession.group_id)
        .outerjoin(GroupNote, GroupNote.group_session_id == GroupSession.id)
        .outerjoin(group_note, (group_note.group_note_id == GroupNote.id)
                   & (group_note.client_id == Attendance.client_id))
        .where(Attendance.client_id == _CLIENT, _in(Attendance.status, ATTENDED),
               col(GroupSession.cancelled).is_(False))
    )
    ind_note = aliased(ProgressNote)
    individual = (
        select(IndividualSession.starts_at, literal(str(ServiceType.INDIVIDUAL), String()),
               literal("Individual session", String()), IndividualSession.minutes_attended, ind_note.id,
               ind_note.status, *flags(ind_note), IndividualSession.id)
        .outerjoin(ind_note, ind_note.individual_session_id == IndividualSession.id)
        .where(IndividualSession.client_id == _CLIENT,
               IndividualSession.status == literal(str(IndividualSessionStatus.ATTENDED), String()))
    )
    fam_note = aliased(ProgressNote)
    family = (
        select(FamilySession.starts_at, literal(str(ServiceType.FAMILY), String()),
               literal("Family session", String()), FamilySession.minutes_attended, fam_note.id, fam_note.status,
               *flags(fam_note), FamilySession.id)
        .outerjoin(fam_note, fam_note.family_session_id == FamilySession.id)
        .where(FamilySession.client_id == _CLIENT,
               FamilySession.status == literal(str(FamilySessionStatus.COMPLETED), String()))
    )
    contact = aliased(ProgressNote)
    contacts = (
        select(contact.starts_at, contact.service_type, literal("", String()), contact.minutes,
               contact.id, contact.status, *flags(contact), contact.id)
        .where(contact.client_id == _CLIENT, _in(contact.service_type, CONTACT_TYPES))
    )
    plans = (
        select(TreatmentPlan.created_at, literal("plan", String()),
               literal("Treatment plan, version ", String()) + TreatmentPlan.number.cast(String()),
               null(), null(), TreatmentPlan.status, literal(False), literal(False), TreatmentPlan.id)
        .where(TreatmentPlan.client_id == _CLIENT)
    )
    return union_all(groups, individual, family, contacts, plans)


_TITLES = {t.value: t.label for t in ServiceType}


def timeline(session: Session, actor: User, client_id: int, kind: str = "all",
             since: date | None = None) -> list[TimelineItem]:
    """The client's record over time: services (documented or not), their notes and
    the plan versions, newest first; `kind` narrows it to one service type or "plan".
    Plain rows, no ORM objects; the view's audit write runs while the rows are read
    and is committed before they are returned (permissions.audited_read)."""
    if kind not in TIMELINE_KINDS:
        raise ValidationError({"kind": "Choose a type from the list."})
    day_of = program.local_day_of(program.program_tz(session))
    params = {"client_id": client_id, "overdue_before": overdue_before(session)}
    with permissions.audited_read(session, actor, permissions.READ, client_id, what="record.timeline",
                                  roles=permissions.STAFF):
        rows = session.connection().execute(timeline_statement(), params).all()
        items = []
        for at, row_kind, title, minutes, note_id, status, pending, overdue, ref_id in rows:
            if kind != "all" and row_kind != kind:
                continue
            day = day_of(datetime.fromisoformat(at) if type(at) is str else at)  # SQLite: text, in UTC
            if since is not None and day < since:
                continue
            items.append(TimelineItem(day, row_kind, title or _TITLES.get(row_kind, row_kind), minutes, note_id,
                                      status or "", bool(pending), ref_id, bool(overdue)))
        items.sort(key=_newest_first, reverse=True)
    return items


def _newest_first(item: TimelineItem):
    return item.day, item.kind != "plan", item.ref_id


def documentable_sessions(session: Session, actor: User, client_id: int) -> dict[str, list[tuple[int, str]]]:
    """Sessions of the client a new note can document: individual sessions not cancelled
    and without a note (up to today), completed family sessions without a note."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="note.create",
                        roles=permissions.STAFF)
    tz = program.program_tz(session)
    end = program.local_day_bounds_utc(program.local_today(session), tz)[1]
    noted_ind = select(ProgressNote.individual_session_id).where(
        col(ProgressNote.individual_session_id).is_not(None))
    noted_fam = select(ProgressNote.family_session_id).where(col(ProgressNote.family_session_id).is_not(None))
    ind = session.execute(
        select(IndividualSession.id, IndividualSession.starts_at)
        .where(IndividualSession.client_id == client_id, IndividualSession.starts_at < end,
               IndividualSession.status != IndividualSessionStatus.CANCELLED,
               col(IndividualSession.id).not_in(noted_ind))
        .order_by(col(IndividualSession.starts_at).desc()).limit(20)).all()
    fam = session.execute(
        select(FamilySession.id, FamilySession.starts_at)
        .where(FamilySession.client_id == client_id, FamilySession.status == FamilySessionStatus.COMPLETED,
               col(FamilySession.id).not_in(noted_fam))
        .order_by(col(FamilySession.starts_at).desc()).limit(20)).all()

    def label(at: datetime) -> str:
        local = program.to_local(at, tz)
        return f"{local:%a %b} {local.day}, {local:%H:%M}"
    return {"individual": [(i, label(at)) for i, at in ind], "family": [(i, label(at)) for i, at in fam if at]}


# ------------------------------------------------------------------ the client's own notes
CLIENT_NOTES_SHOWN = 50  # the newest signed notes a client's page lists


def client_own_notes(session: Session, actor: User) -> list[NoteDetail] | None:
    """The signed-in client's own signed notes, newest first, when the program shows
    notes to clients (setting client_sees_notes); None when it does not (the default:
    the page then says how to ask for a copy). Drafts never. Each note is read through
    require_note_read, the one note-read rule."""
    client = permissions.client_for_user(session, actor)
    if client is None:
        audit.record_now(session, actor, "note.client_list", outcome="denied", detail="not a client")
        raise PermissionDenied()
    if program.get_setting(session, "client_sees_notes") != "yes":
        return None
    ids = session.execute(
        select(ProgressNote.id)
        .where(ProgressNote.client_id == client.id, ProgressNote.status == RecordStatus.SIGNED)
        .order_by(col(ProgressNote.service_date).desc(), col(ProgressNote.id).desc())
        .limit(CLIENT_NOTES_SHOWN)
    ).scalars().all()
    return [note_detail(session, actor, note_id) for note_id in ids]
