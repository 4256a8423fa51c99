"""Group notes, written on the session's roll-call page (issue #11, section 3).

The facilitator writes the group's shared part once (topic; the interventions and
content, the format's interventions section). Each attendee the roll call marks
present, late or left early gets their own ProgressNote in their own chart: the
shared part (by reference) and their individual part (the format's other sections)
with the objectives of their plan it addressed. Absent and unmarked members get no
note; a draft of someone later marked absent goes. No note names another member:
the shared part names nobody of the roll call, an individual part nobody but its
client (whole-word match of full and first names).

Saving and signing each happen in one transaction, for any number of attendees:
every note, its objectives and its audit events, or nothing. Signing signs every
attendee's note at once (server time), each needing the golden thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlmodel import Session, col

from ..models import Attendance, Client, GroupNote, NoteObjective, ProgressNote, User, utcnow
from ..models.enums import ATTENDED, NoteFormat, RecordStatus, ServiceLocation, ServiceType
from . import audit, inputs, note_formats, notes, program, versions
from .errors import ServiceError, ValidationError
from .groups import local_day, managed_session
from .roll_call import _roll_call_members


class SharedPart(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    messages: ClassVar[dict[str, str]] = {
        "note_format": "Choose DAP, BIRP, SOAP or GIRP.",
        "topic": "Keep the topic under 200 characters.",
        "shared": "Keep the shared part under 4000 characters.",
    }

    note_format: NoteFormat
    topic: str = Field(default="", max_length=200)
    shared: str = Field(default="", max_length=4000)


@dataclass
class AttendeePart:
    client_id: int
    name: str
    status: str  # attendance status
    minutes: int
    note_id: int | None
    note_status: str
    sections: dict[str, str]
    objective_ids: list[int]
    options: list[notes.ObjectiveOption]


@dataclass
class GroupNoteForm:
    session_id: int
    exists: bool
    status: str  # RecordStatus, "" before the first save
    note_format: str
    topic: str
    shared: str
    version: int  # of the group note: save's expected_version (0 before the first save)
    author_id: int | None
    attendees: list[AttendeePart] = field(default_factory=list)
    unmarked: int = 0  # members without a roll-call mark yet


def _group_note(session: Session, session_id: int) -> GroupNote | None:
    return session.execute(select(GroupNote).where(GroupNote.group_session_id == session_id)).scalars().first()


def _attendees(session: Session, meeting) -> dict[int, tuple[str, int]]:
    """client id -> (status, minutes) of everyone the roll call says attended."""
    return {cid: (status, minutes) for cid, status, minutes in session.execute(
        select(Attendance.client_id, Attendance.status, Attendance.minutes)
        .where(Attendance.session_id == meeting.id, col(Attendance.status).in_(ATTENDED))).all()}


def group_note_form(session: Session, actor: User, session_id) -> GroupNoteForm:
    """The group note of a session as its facilitator (or the director) edits it."""
    meeting, _group = managed_session(session, actor, session_id, "group_note.view")
    note = _group_note(session, meeting.id)
    day = local_day(session, meeting.starts_at)
    members = _roll_call_members(session, meeting, day)
    attended = _attendees(session, meeting)
    marked = set(session.execute(select(Attendance.client_id).where(Attendance.session_id == meeting.id)).scalars())
    existing = {}
    objectives: dict[int, list[int]] = {}
    if note is not None:
        rows = session.execute(select(ProgressNote).where(ProgressNote.group_note_id == note.id)).scalars().all()
        existing = {n.client_id: n for n in rows}
        for note_id, oid in session.execute(
                select(NoteObjective.note_id, NoteObjective.objective_id)
                .where(col(NoteObjective.note_id).in_([n.id for n in rows])).order_by(NoteObjective.id)).all():
            objectives.setdefault(note_id, []).append(oid)
    options = notes.objective_options(session, list(attended))
    form = GroupNoteForm(
        session_id=meeting.id, exists=note is not None, status=note.status if note else "",
        note_format=note.note_format if note else program.get_setting(session, "note_format_default"),
        topic=note.topic if note else meeting.topic, shared=note.shared if note else "",
        version=note.version if note else 0, author_id=note.author_id if note else None,
        unmarked=sum(1 for cid in members if cid not in marked))
    for cid, name in members.items():
        if cid not in attended:
            continue
        mine = existing.get(cid)
        form.attendees.append(AttendeePart(
            client_id=cid, name=name, status=attended[cid][0], minutes=attended[cid][1],
            note_id=mine.id if mine else None, note_status=mine.status if mine else "",
            sections=dict(mine.sections) if mine else {}, objective_ids=objectives.get(mine.id, []) if mine else [],
            options=options.get(cid, [])))
    if note is not None:  # reading the attendees' notes: one view per chart
        for part in form.attendees:
            if part.note_id:
                audit.record(session, actor, "note.read", client_id=part.client_id,
                             target=f"progress_note:{part.note_id}", outcome="allowed", detail="group note form")
        session.commit()
    return form


def _pattern(words: set[str], flags: int = 0) -> re.Pattern | None:
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                      + r")(?!\w)", flags)


def _names_found(text: str, names: list[str]) -> list[str]:
    """Members' names in `text`: full names in any case, first names (3+ letters) as
    written with a capital (so "drew a diagram" is not Drew)."""
    full = {n.strip() for n in names if n.strip()}
    first = {n.split()[0] for n in full if len(n.split()[0]) >= 3}
    found = set()
    for pattern in (_pattern(full, re.IGNORECASE), _pattern(first)):
        if pattern and text:
            found.update(m.group(0) for m in pattern.finditer(text))
    return sorted(found)


def save_group_note(session: Session, actor: User, session_id, *, note_format, topic, shared, parts,
                    expected_version) -> GroupNote:
    """Write the shared part once and every attendee's note, in one transaction.

    `parts`: client id -> {"sections": {key: text}, "objectives": [objective ids]} for
    attendees (others refused). `expected_version`: the group note's version the page
    showed (0 before the first save)."""
    meeting, _group = managed_session(session, actor, session_id, "group_note.write")
    if meeting.cancelled:
        raise ValidationError({"group_note": "This session was cancelled: there is nothing to document."})
    day = local_day(session, meeting.starts_at)
    if day > program.local_today(session):
        raise ValidationError({"group_note": "Write the group note once the session has happened."})
    shared_part = inputs.validate(SharedPart, note_format=note_format, topic=topic, shared=shared)
    attended = _attendees(session, meeting)
    if not attended:
        raise ValidationError({"group_note": "Take roll call first: nobody is marked as attending."})
    members = _roll_call_members(session, meeting, day)
    if not isinstance(parts, dict) or any(type(cid) is not int or cid not in attended for cid in parts):
        raise ValidationError({"group_note": "Individual parts are only for members who attended."})
    fmt = note_formats.get(shared_part.note_format)
    own_keys = tuple(s.key for s in fmt.individual_sections())
    errors: dict[str, str] = {}
    if found := _names_found(f"{shared_part.topic}\n{shared_part.shared}", list(members.values())):
        errors["shared"] = ("The shared part goes into every attendee's chart: name no group member in it "
                            f"(found: {', '.join(found)}).")
    clean: dict[int, tuple[dict, list[int]]] = {}
    for cid in attended:
        part = parts.get(cid) or {}
        if not isinstance(part, dict):
            errors[f"part-{cid}"] = "This part could not be read."
            continue
        try:
            sections = notes.clean_sections(shared_part.note_format, part.get("sections"), allowed=own_keys,
                                            prefix=f"{cid}:")
            chosen = notes._checked_objectives(session, cid, part.get("objectives") or [], f"{cid}:objectives")
        except ValidationError as exc:
            errors.update(exc.errors)
            continue
        others = [name for other, name in members.items() if other != cid]
        if found := _names_found("\n".join(sections.values()), others):
            errors[f"part-{cid}"] = (f"{members[cid]}'s note names another group member ({', '.join(found)}): "
                                     "a note speaks of its own client only.")
            continue
        clean[cid] = (sections, chosen)
    if errors:
        raise ValidationError(errors)

    note = _group_note(session, meeting.id)
    now = utcnow()
    if note is not None and note.status != RecordStatus.DRAFT:
        raise ServiceError(notes.LOCKED)
    if note is None:
        if expected_version not in (0, None):
            raise versions.refuse(session, actor, GroupNote, 0, what="group_note.write")
        note = GroupNote(group_session_id=meeting.id, author_id=actor.id, note_format=shared_part.note_format,
                         topic=shared_part.topic, shared=shared_part.shared, created_at=now)
        session.add(note)
        session.flush()
    else:
        if note.author_id != actor.id:
            raise ServiceError("Only the note's author can change it.")
        versions.write(session, actor, note, {"note_format": shared_part.note_format, "topic": shared_part.topic,
                                              "shared": shared_part.shared},
                       expected_version=expected_version, what="group_note.write")
    existing = {n.client_id: n for n in session.execute(
        select(ProgressNote).where(ProgressNote.group_note_id == note.id)).scalars()}
    ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    for cid, (sections, chosen) in clean.items():
        row = existing.pop(cid, None)
        if row is None:
            row = ProgressNote(client_id=cid, author_id=note.author_id, service_type=ServiceType.GROUP,
                               note_format=shared_part.note_format, status=RecordStatus.DRAFT, service_date=day,
                               starts_at=meeting.starts_at, ends_at=ends, location=ServiceLocation.OFFICE,
                               minutes=attended[cid][1], group_note_id=note.id, sections=sections, created_at=now)
            session.add(row)
            session.flush()
            action = "note.create"
        else:
            row.sections, row.note_format, row.minutes = sections, shared_part.note_format, attended[cid][1]
            row.version, row.updated_at, row.updated_by = row.version + 1, now, actor.id
            session.add(row)
            action = "note.edit"
        notes._set_objectives(session, row.id, chosen)
        audit.record(session, actor, action, client_id=cid, target=f"progress_note:{row.id}",
                     detail=f"group note {note.id}")
    for cid, row in existing.items():  # no longer marked as attending: their draft goes
        if row.status != RecordStatus.DRAFT:
            raise ServiceError("A signed attendee note cannot be removed.")
        session.execute(delete(NoteObjective).where(NoteObjective.note_id == row.id))
        session.delete(row)
        audit.record(session, actor, "note.delete", client_id=cid, target=f"progress_note:{row.id}",
                     detail=f"group note {note.id}: not marked as attending")
    audit.record(session, actor, "group_note.write", target=f"group_session:{meeting.id}",
                 detail=f"group note {note.id}: {len(clean)} attendees")
    session.commit()
    return note


def sign_group_note(session: Session, actor: User, session_id, *, expected_version) -> GroupNote:
    """Sign the group note and every attendee's note at once (its author only)."""
    meeting, _group = managed_session(session, actor, session_id, "group_note.sign")
    note = _group_note(session, meeting.id)
    if note is None:
        raise ValidationError({"group_note": "Save the group note before signing it."})
    if note.author_id != actor.id:
        raise ServiceError("Only the note's author can sign it.")
    if note.status != RecordStatus.DRAFT:
        raise ServiceError("This group note is already signed.")
    versions.check(session, actor, note, expected_version, what="group_note.sign")
    attended = _attendees(session, meeting)
    rows = session.execute(select(ProgressNote).where(ProgressNote.group_note_id == note.id)).scalars().all()
    names = dict(session.execute(select(Client.id, User.full_name).join(User, User.id == Client.user_id)
                                 .where(col(Client.id).in_(list(attended) or [0]))).all())
    errors: dict[str, str] = {}
    if not note.shared.strip():
        errors["shared"] = "Write the shared part (what the group did) before signing."
    if set(attended) != {r.client_id for r in rows}:
        errors["group_note"] = "The roll call changed since the note was saved: save the note again, then sign."
    for row in rows:
        for key, message in notes.sign_problems(session, row, note.shared).items():
            if key == "sections" and "shared part" in message and "shared" in errors:
                continue
            errors[f"part-{row.client_id}"] = f"{names.get(row.client_id, 'An attendee')}: {message}"
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    versions.write(session, actor, note, {"status": RecordStatus.SIGNED, "signed_by": actor.id, "signed_at": now},
                   expected_version=expected_version, what="group_note.sign")
    values = notes.sign_values(session, actor, now)
    for row in rows:
        for key, value in values.items():
            setattr(row, key, value)
        row.version, row.updated_at, row.updated_by = row.version + 1, now, actor.id
        session.add(row)
        audit.record(session, actor, "note.sign", client_id=row.client_id, target=f"progress_note:{row.id}",
                     detail=f"group note {note.id}")
    audit.record(session, actor, "group_note.sign", target=f"group_session:{meeting.id}",
                 detail=f"group note {note.id}: {len(rows)} notes signed")
    session.commit()
    return note
