"""Family-session scheduling: proposals, answers, booking, changes, attendance,
and the calendar file. Overlaps are found by services/calendar.py; the family
member's home page is services/family_home.py.

Who may do what (checked through permissions on every call):
- staff with WRITE on the client (their therapist, a facilitator of their
  group, the director): propose times, offer more, confirm, reschedule, cancel,
  mark attended;
- the client (WRITE on their own record) and family members with a consent in
  force (FAMILY_SCHEDULE): see proposals, accept one, withdraw their acceptance,
  ask for another time.

Nothing is double-booked: every proposed time and every booking is checked
against the therapist's and the client's other services (groups, individual
and family sessions). Times are stored in UTC and shown in the program's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import icalendar
from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from ..models import (
    Client,
    FamilySession,
    FamilySessionMessage,
    SlotProposal,
    User,
    utcnow,
)
from . import audit, family, permissions, program
from .errors import PermissionDenied, ServiceError, ValidationError
from .family_session_inputs import (
    CancelReason,
    CounterRequest,
    RescheduleReason,
    SessionProposal,
    WithdrawReason,
)
from .ids import is_id
from .inputs import validate
from .timetable import find_conflicts, local_text

MODES = {"in_person": "In person", "video": "Video call"}
MAX_SLOTS = 6
MAX_DAYS_AHEAD = 180
STATUS_LABELS = {"proposed": "Times proposed", "booked": "Booked", "cancelled": "Cancelled", "completed": "Attended"}
# What a family member is told when a time is taken: the reason could reveal the
# client's treatment schedule, which no consent scope covers.
FAMILY_UNAVAILABLE = "This time is no longer available. Choose another time or ask for one."
RECENT = timedelta(days=14)


# --------------------------------------------------------------------------- views
@dataclass(frozen=True)
class SlotView:
    id: int
    starts_at: datetime
    when: str
    status: str  # open / accepted / withdrawn / declined
    accepted_by: str
    accepted_by_id: int | None
    available: bool  # open, in the future and free for everyone
    unavailable_reason: str


@dataclass(frozen=True)
class MessageView:
    at: datetime
    when: str
    author: str
    kind: str
    body: str


@dataclass(frozen=True)
class SessionView:
    id: int
    client_id: int
    client_name: str
    therapist_name: str
    duration_minutes: int
    mode: str
    mode_label: str
    status: str
    status_label: str
    starts_at: datetime | None
    when: str
    note: str
    cancel_reason: str
    minutes_attended: int
    slots: list[SlotView] = field(default_factory=list)
    messages: list[MessageView] = field(default_factory=list)

    @property
    def accepted_slot(self) -> SlotView | None:
        return next((s for s in self.slots if s.status == "accepted"), None)


def session_views(session: Session, rows: list[FamilySession], *, for_family: bool) -> list[SessionView]:
    if not rows:
        return []
    tz = program.program_tz(session)
    now = utcnow()
    ids = [fs.id for fs in rows]
    slots = session.exec(
        select(SlotProposal).where(col(SlotProposal.family_session_id).in_(ids)).order_by(SlotProposal.starts_at)
    ).all()
    messages = session.exec(
        select(FamilySessionMessage)
        .where(col(FamilySessionMessage.family_session_id).in_(ids))
        .order_by(FamilySessionMessage.at, FamilySessionMessage.id)
    ).all()
    client_ids = {fs.client_id for fs in rows}
    clients = {c.id: c for c in session.exec(select(Client).where(col(Client.id).in_(client_ids))).all()}
    user_ids = {fs.therapist_id for fs in rows} | {c.user_id for c in clients.values()}
    user_ids |= {s.accepted_by for s in slots if s.accepted_by} | {m.author_id for m in messages}
    names = dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(user_ids))).all())
    views = []
    for fs in rows:
        slot_views = []
        for s in (s for s in slots if s.family_session_id == fs.id):
            reason = ""
            if s.status == "open" and fs.status == "proposed":
                if s.starts_at <= now:
                    reason = "This time has passed."
                else:
                    conflicts = _conflicts(session, fs, s.starts_at)
                    if conflicts:
                        reason = FAMILY_UNAVAILABLE if for_family else " ".join(conflicts)
            slot_views.append(SlotView(
                id=s.id, starts_at=s.starts_at, when=local_text(s.starts_at, tz, fs.duration_minutes),
                status=s.status, accepted_by=names.get(s.accepted_by, "") if s.accepted_by else "",
                accepted_by_id=s.accepted_by,
                available=s.status == "open" and fs.status == "proposed" and not reason, unavailable_reason=reason,
            ))
        msg_views = [
            MessageView(m.at, local_text(m.at, tz), names.get(m.author_id, ""), m.kind, m.body)
            for m in messages if m.family_session_id == fs.id
        ]
        views.append(SessionView(
            id=fs.id, client_id=fs.client_id, client_name=names.get(clients[fs.client_id].user_id, ""),
            therapist_name=names.get(fs.therapist_id, ""), duration_minutes=fs.duration_minutes, mode=fs.mode,
            mode_label=MODES.get(fs.mode, fs.mode), status=fs.status,
            status_label=STATUS_LABELS.get(fs.status, fs.status),
            starts_at=fs.starts_at,
            when=local_text(fs.starts_at, tz, fs.duration_minutes) if fs.starts_at else "",
            note=fs.note, cancel_reason=fs.cancel_reason, minutes_attended=fs.minutes_attended,
            slots=slot_views, messages=msg_views,
        ))
    return views


def ordered(query):
    return query.order_by(
        col(FamilySession.starts_at).is_(None).desc(), FamilySession.starts_at, FamilySession.id
    )


def sessions_for_client(session: Session, actor: User, client_id: int) -> list[SessionView]:
    """The client's family sessions for the client themself or staff (READ):
    open and booked ones, and those that ended in the last two weeks."""
    permissions.require(session, actor, permissions.READ, client_id, what="family_session.list")
    since = utcnow() - RECENT
    rows = session.exec(ordered(select(FamilySession).where(
        FamilySession.client_id == client_id,
        or_(col(FamilySession.status).in_(("proposed", "booked")), FamilySession.updated_at >= since),
    ))).all()
    return session_views(session, list(rows), for_family=False)


def sessions_for_staff(session: Session, actor: User) -> list[SessionView]:
    """Family sessions of every client this staff member may see, set-based."""
    permissions.require_staff(session, actor, "family_session.list")
    today = program.local_today(session)
    since = utcnow() - RECENT
    query = select(FamilySession).join(Client, Client.id == FamilySession.client_id).where(
        or_(col(FamilySession.status).in_(("proposed", "booked")), FamilySession.updated_at >= since)
    )
    condition = permissions.visible_clients_condition(actor, today)
    if condition is not None:
        query = query.where(condition)
    return session_views(session, list(session.exec(ordered(query)).all()), for_family=False)


def schedulable_clients(session: Session, actor: User) -> list[tuple[int, str]]:
    """(client id, name) of the active or intake clients this staff member may schedule for."""
    if not actor.active or not actor.is_staff:
        return []
    condition = permissions.visible_clients_condition(actor, program.local_today(session))
    query = (
        select(Client.id, User.full_name)
        .join(User, User.id == Client.user_id)
        .where(col(Client.status).in_(("active", "intake")))
        .order_by(User.full_name)
    )
    if condition is not None:
        query = query.where(condition)
    return [(cid, name) for cid, name in session.exec(query).all()]


# --------------------------------------------------------------------------- permission helpers
def _load(session: Session, actor: User, family_session_id, what: str, require=None, *,
          statuses: tuple[str, ...] = (), refusal: str = "") -> FamilySession:
    """The session named, checked with `require` (_require_staff or _require_participant);
    one whose status is not in `statuses` (when given) is refused with `refusal`."""
    fs = session.get(FamilySession, family_session_id) if is_id(family_session_id) else None
    if fs is None:  # denied like a refusal, so ids cannot be probed
        audit.record_now(session, actor, what, target=f"family_session:{family_session_id}"[:120], outcome="denied")
        raise PermissionDenied()
    if require is not None:
        require(session, actor, fs.client_id, what)
    if statuses and fs.status not in statuses:
        raise ServiceError(refusal)
    return fs


def _require_staff(session: Session, actor: User, client_id: int, what: str) -> Client:
    return permissions.require(session, actor, permissions.WRITE, client_id, what=what,
                               roles=permissions.STAFF)


def _require_participant(session: Session, actor: User, client_id: int, what: str) -> Client:
    """The client themself, or a family member whose consent in force allows scheduling."""
    if actor.is_family:
        return permissions.require(session, actor, permissions.FAMILY_SCHEDULE, client_id, what=what)
    return permissions.require(session, actor, permissions.WRITE, client_id, what=what, roles=permissions.CLIENT_ONLY)


def _message(session: Session, fs: FamilySession, actor: User, kind: str, body: str) -> None:
    session.add(FamilySessionMessage(family_session_id=fs.id, author_id=actor.id, kind=kind, body=body[:1000],
                                     at=utcnow()))


def _commit_change(session: Session, fs: FamilySession, actor: User, kind: str, body: str, *,
                   action: str = "", target: str = "", detail: str = "") -> None:
    """Every change to an existing session: a message everyone involved sees, the
    session touched, an audit event ("family_session.<kind>" unless `action`), one commit."""
    _message(session, fs, actor, kind, body)
    fs.updated_at = utcnow()
    session.add(fs)
    audit.record(session, actor, action or f"family_session.{kind}", client_id=fs.client_id,
                 target=target or f"family_session:{fs.id}", detail=detail)
    session.commit()


def _accepted_slot(session: Session, fs: FamilySession) -> SlotProposal | None:
    return session.exec(
        select(SlotProposal).where(SlotProposal.family_session_id == fs.id, SlotProposal.status == "accepted")
    ).first()


def _conflicts(session: Session, fs: FamilySession, start: datetime) -> list[str]:
    """Why `start` is not free for this session's therapist and client (its own booking aside)."""
    return find_conflicts(session, therapist_id=fs.therapist_id, client_id=fs.client_id, start=start,
                          minutes=fs.duration_minutes, exclude_family_session_id=fs.id)


def _check_times(session: Session, starts_local: list, *, field_prefix: str = "slot") -> list[datetime]:
    """Program-local wall times -> UTC, each in the future and within 180 days."""
    tz = program.program_tz(session)
    now = utcnow()
    errors: dict[str, str] = {}
    result: list[datetime] = []
    if not isinstance(starts_local, list) or not starts_local:
        raise ValidationError({f"{field_prefix}_1": "Give at least one date and time."})
    if len(starts_local) > MAX_SLOTS:
        raise ValidationError({f"{field_prefix}_1": f"Offer at most {MAX_SLOTS} times at once."})
    for i, local in enumerate(starts_local, start=1):
        key = f"{field_prefix}_{i}"
        if not isinstance(local, datetime) or local.tzinfo is not None:
            errors[key] = "Enter both a date and a time."
            continue
        at = program.to_utc(local, tz)
        if at <= now:
            errors[key] = "This time is in the past."
        elif at > now + timedelta(days=MAX_DAYS_AHEAD):
            errors[key] = f"Propose times within the next {MAX_DAYS_AHEAD} days."
        elif at in result:
            errors[key] = "The same time is given twice."
        else:
            result.append(at)
    if errors:
        raise ValidationError(errors)
    return result


def _check_free(session: Session, fs_or_ids, starts: list[datetime], minutes: int, *,
                field_prefix: str = "slot", exclude: int | None = None) -> None:
    therapist_id, client_id = fs_or_ids
    errors = {}
    for i, at in enumerate(starts, start=1):
        reasons = find_conflicts(session, therapist_id=therapist_id, client_id=client_id, start=at, minutes=minutes,
                                 exclude_family_session_id=exclude)
        if reasons:
            errors[f"{field_prefix}_{i}"] = " ".join(reasons)
    if errors:
        raise ValidationError(errors)


# --------------------------------------------------------------------------- staff actions
def propose(
    session: Session,
    actor: User,
    client_id: int,
    *,
    starts_local: list,
    duration_minutes,
    mode,
    note: str = "",
) -> FamilySession:
    """The therapist offers one or more times (open slots) for a family session."""
    _require_staff(session, actor, client_id, "family_session.propose")
    errors = {}
    try:  # every field's message at once, the times' included
        offer = validate(SessionProposal, duration_minutes=duration_minutes, mode=mode, note=note)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        starts = _check_times(session, starts_local)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    _check_free(session, (actor.id, client_id), starts, offer.duration_minutes)
    fs = FamilySession(client_id=client_id, therapist_id=actor.id, duration_minutes=offer.duration_minutes,
                       mode=offer.mode, status="proposed", note=offer.note)
    session.add(fs)
    session.flush()
    for at in starts:
        session.add(SlotProposal(family_session_id=fs.id, starts_at=at))
    _message(session, fs, actor, "proposal", f"Proposed {len(starts)} time{'s' if len(starts) != 1 else ''}.")
    audit.record(session, actor, "family_session.propose", client_id=client_id, target=f"family_session:{fs.id}",
                 detail=f"{len(starts)} slots")
    session.commit()
    return fs


def add_slots(session: Session, actor: User, family_session_id, *, starts_local: list) -> FamilySession:
    """Offer more times on a session still being arranged (e.g. after a request)."""
    fs = _load(session, actor, family_session_id, "family_session.add_slots", _require_staff,
               statuses=("proposed",), refusal="Times can only be added while the session is being arranged.")
    starts = _check_times(session, starts_local)
    _check_free(session, (fs.therapist_id, fs.client_id), starts, fs.duration_minutes, exclude=fs.id)
    existing = set(session.exec(select(SlotProposal.starts_at).where(SlotProposal.family_session_id == fs.id)).all())
    for i, at in enumerate(starts, start=1):
        if at in existing:
            raise ValidationError({f"slot_{i}": "This time is already offered."})
    for at in starts:
        session.add(SlotProposal(family_session_id=fs.id, starts_at=at))
    offered = f"Offered {len(starts)} more time{'s' if len(starts) != 1 else ''}."
    _commit_change(session, fs, actor, "proposal", offered, action="family_session.add_slots")
    return fs


def confirm(session: Session, actor: User, family_session_id) -> FamilySession:
    """Book the accepted time, after checking it is still free."""
    fs = _load(session, actor, family_session_id, "family_session.confirm", _require_staff,
               statuses=("proposed",), refusal="Only a session being arranged can be confirmed.")
    slot = _accepted_slot(session, fs)
    if slot is None:
        raise ServiceError("No time has been accepted yet.")
    if slot.starts_at <= utcnow():
        raise ServiceError("The accepted time has passed. Offer new times.")
    reasons = _conflicts(session, fs, slot.starts_at)
    if reasons:
        raise ServiceError("Cannot book: " + " ".join(reasons))
    fs.status = "booked"
    fs.starts_at = slot.starts_at
    for other in session.exec(
        select(SlotProposal).where(SlotProposal.family_session_id == fs.id, SlotProposal.status == "open")
    ).all():
        other.status = "declined"
        session.add(other)
    tz = program.program_tz(session)
    _commit_change(session, fs, actor, "confirm", f"Booked for {local_text(slot.starts_at, tz, fs.duration_minutes)}.")
    return fs


def reschedule(session: Session, actor: User, family_session_id, *, new_start_local, reason) -> FamilySession:
    """Move a booked session to a new free time, with a reason everyone sees."""
    fs = _load(session, actor, family_session_id, "family_session.reschedule", _require_staff,
               statuses=("booked",), refusal="Only a booked session can be rescheduled.")
    errors = {}
    try:
        reason = validate(RescheduleReason, reason=reason).reason
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        (new_start,) = _check_times(session, [new_start_local], field_prefix="starts_at")
    except ValidationError as exc:
        errors["starts_at"] = next(iter(exc.errors.values()))
        new_start = None
    if new_start is not None and new_start == fs.starts_at:
        errors["starts_at"] = "That is the time already booked."
    if errors:
        raise ValidationError(errors)
    conflicts = _conflicts(session, fs, new_start)
    if conflicts:
        raise ValidationError({"starts_at": " ".join(conflicts)})
    tz = program.program_tz(session)
    old_text = local_text(fs.starts_at, tz, fs.duration_minutes)
    # The accepted proposal moves with the booking, so a later withdrawal stays consistent.
    accepted = _accepted_slot(session, fs)
    if accepted is not None:
        accepted.status = "declined"
        session.add(accepted)
    session.add(SlotProposal(family_session_id=fs.id, starts_at=new_start, status="accepted",
                             accepted_by=accepted.accepted_by if accepted else actor.id, accepted_at=utcnow()))
    fs.starts_at = new_start
    _commit_change(session, fs, actor, "reschedule",
                   f"Moved from {old_text} to {local_text(new_start, tz, fs.duration_minutes)}. Reason: {reason}")
    return fs


def cancel(session: Session, actor: User, family_session_id, *, reason) -> FamilySession:
    fs = _load(session, actor, family_session_id, "family_session.cancel", _require_staff,
               statuses=("proposed", "booked"), refusal="This session can no longer be cancelled.")
    reason = validate(CancelReason, reason=reason).reason
    fs.status = "cancelled"
    fs.cancel_reason = reason
    _commit_change(session, fs, actor, "cancel", f"Cancelled. Reason: {reason}")
    return fs


def mark_attended(session: Session, actor: User, family_session_id, *, minutes) -> FamilySession:
    """A booked session that took place: it now counts toward the client's weekly hours."""
    fs = _load(session, actor, family_session_id, "family_session.attended", _require_staff)
    if fs.status != "booked" or fs.starts_at is None:
        raise ServiceError("Only a booked session can be marked attended.")
    if fs.starts_at > utcnow():
        raise ServiceError("This session has not started yet.")
    if type(minutes) is not int or not 1 <= minutes <= fs.duration_minutes:
        raise ValidationError({"minutes": f"Minutes attended must be 1 to {fs.duration_minutes}."})
    fs.status = "completed"
    fs.minutes_attended = minutes
    _commit_change(session, fs, actor, "attended", f"Attended ({minutes} minutes).", detail=f"{minutes} min")
    return fs


# --------------------------------------------------------------------------- client and family actions
def _load_slot(session: Session, actor: User, slot_id, what: str) -> tuple[SlotProposal, FamilySession]:
    """The proposed time named and its session, for the client or a consented family member."""
    slot = session.get(SlotProposal, slot_id) if is_id(slot_id) else None
    if slot is None:
        audit.record_now(session, actor, what, target=f"slot:{slot_id}"[:120], outcome="denied")
        raise PermissionDenied()
    fs = session.get(FamilySession, slot.family_session_id)
    _require_participant(session, actor, fs.client_id, what)
    return slot, fs


def accept_slot(session: Session, actor: User, slot_id) -> SlotProposal:
    """The client or a consented family member accepts one proposed time; the
    therapist then confirms it."""
    slot, fs = _load_slot(session, actor, slot_id, "family_session.accept")
    if fs.status != "proposed" or slot.status != "open":
        raise ServiceError("This time is no longer open.")
    if _accepted_slot(session, fs) is not None:
        raise ServiceError("Another time has already been accepted for this session.")
    if slot.starts_at <= utcnow():
        raise ServiceError("This time has passed.")
    reasons = _conflicts(session, fs, slot.starts_at)
    if reasons:
        raise ServiceError(FAMILY_UNAVAILABLE if actor.is_family else " ".join(reasons))
    slot.status = "accepted"
    slot.accepted_by = actor.id
    slot.accepted_at = utcnow()
    session.add(slot)
    tz = program.program_tz(session)
    accepted = f"Accepted {local_text(slot.starts_at, tz, fs.duration_minutes)}; waiting for the therapist to confirm."
    _commit_change(session, fs, actor, "accept", accepted, target=f"slot:{slot.id}")
    return slot


def withdraw_acceptance(session: Session, actor: User, slot_id, *, reason: str = "") -> SlotProposal:
    """Whoever accepted a time (or the client) takes the acceptance back; a booked
    session goes back to being arranged."""
    slot, fs = _load_slot(session, actor, slot_id, "family_session.withdraw")
    if slot.status != "accepted" or fs.status not in ("proposed", "booked"):
        raise ServiceError("There is no acceptance to withdraw here.")
    if actor.is_family and slot.accepted_by != actor.id:
        raise ServiceError("Only the person who accepted this time can withdraw it.")
    reason = validate(WithdrawReason, reason=reason).reason
    tz = program.program_tz(session)
    slot.status = "open" if slot.starts_at > utcnow() else "withdrawn"
    slot.accepted_by = None
    slot.accepted_at = None
    session.add(slot)
    was_booked = fs.status == "booked"
    fs.status = "proposed"
    fs.starts_at = None
    text = f"Withdrew acceptance of {local_text(slot.starts_at, tz, fs.duration_minutes)}"
    text += " (the booking is released)." if was_booked else "."
    if reason:
        text += f" Reason: {reason}"
    _commit_change(session, fs, actor, "withdraw", text, target=f"slot:{slot.id}")
    return slot


def request_other_time(session: Session, actor: User, family_session_id, *, message) -> FamilySession:
    """Ask the therapist for another time, with a message everyone involved sees."""
    fs = _load(session, actor, family_session_id, "family_session.counter_request", _require_participant,
               statuses=("proposed", "booked"), refusal="This session is closed.")
    message = validate(CounterRequest, message=message).message
    _commit_change(session, fs, actor, "counter_request", message)
    return fs


# --------------------------------------------------------------------------- calendar file
def ics_for_session(session: Session, actor: User, family_session_id) -> bytes:
    """An iCalendar file for a booked session (times in UTC). For a family member
    the download is a disclosure and is recorded."""
    fs = _load(session, actor, family_session_id, "family_session.ics")
    if actor.is_family:
        permissions.require(session, actor, permissions.FAMILY_SCHEDULE, fs.client_id, what="family_session.ics")
    else:
        permissions.require(session, actor, permissions.READ, fs.client_id, what="family_session.ics")
    if fs.status != "booked" or fs.starts_at is None:
        raise ServiceError("Only a booked session has a calendar file.")
    therapist = session.get(User, fs.therapist_id)
    reschedules = session.exec(
        select(func.count()).select_from(FamilySessionMessage).where(
            FamilySessionMessage.family_session_id == fs.id, FamilySessionMessage.kind == "reschedule")
    ).one()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Harbor Light IOP//Family sessions//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"family-session-{fs.id}@iop.invalid")
    event.add("dtstamp", utcnow())
    event.add("dtstart", fs.starts_at)
    event.add("dtend", fs.starts_at + timedelta(minutes=fs.duration_minutes))
    event.add("sequence", reschedules)
    # Deliberately plain: calendar files get synced to other services, so no
    # program name or clinical words that would reveal treatment.
    event.add("summary", "Family session")
    event.add("location", MODES.get(fs.mode, fs.mode))
    event.add("description", f"Family session with {therapist.full_name if therapist else 'the therapist'}.")
    cal.add_component(event)
    if actor.is_family:
        consent = permissions.consent_in_force(session, actor.id, fs.client_id)
        tz = program.program_tz(session)
        family.record_disclosure(session, actor, fs.client_id, consent,
                                 f"Calendar file for the family session {local_text(fs.starts_at, tz)}")
    audit.record(session, actor, "family_session.ics", client_id=fs.client_id, target=f"family_session:{fs.id}")
    session.commit()
    return cal.to_ical()
