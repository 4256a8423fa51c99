"""Follow-up after discharge (issue #13, section 4): scheduled contacts, their
outcomes, the list staff work through.

Definitions (shared by the list, the discharge page and the program reports):
- schedule: a contact FOLLOW_UP_DAYS after the discharge day: weekly in the first
  month (7, 14, 21 days; the 30-day contact closes the month), then 90 and 180 days;
- status of a contact (today = program-local day):
  * "done": an outcome is recorded (reached or not reached: an attempt counts),
  * "missed": no outcome and due more than MISSED_AFTER_DAYS days ago (flagged),
  * "due": no outcome, due today or in the last MISSED_AFTER_DAYS days,
  * "upcoming": due later;
- reach (reports): contacts due by today that reached the person / contacts due by
  today; abstinence: reached contacts where the person reported not using /
  reached contacts.
Outcomes are recorded by staff who may write the record (server time); a contact's
outcome can be corrected later (audited). Family members never see any of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from pydantic import Field
from sqlalchemy import and_, case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..models import Client, Discharge, FollowUp, User, utcnow
from ..models.enums import EmploymentStatus, FollowUpUse, HousingStatus
from . import audit, inputs, permissions, program
from .errors import ValidationError

FOLLOW_UP_DAYS = (7, 14, 21, 30, 90, 180)
REPORT_DAYS = (30, 90, 180)  # the contacts the program reports on
MISSED_AFTER_DAYS = 7
STATUSES = ("due", "missed", "upcoming", "done")
LIST_FILTERS = ("to_do", "due", "missed", "upcoming", "done", "all")  # to_do = due + missed
LIST_LIMIT = 300


def label(day: int) -> str:
    return f"Week {day // 7}" if day < 30 else f"{day} days"


def schedule(session: Session, record: Discharge) -> list[FollowUp]:
    """The contacts for a discharge (the caller commits with the discharge)."""
    rows = [FollowUp(discharge_id=record.id, client_id=record.client_id, day=day,
                     due_on=record.discharged_on + timedelta(days=day)) for day in FOLLOW_UP_DAYS]
    session.add_all(rows)
    return rows


def planned_days(session: Session, discharge_id: int) -> list[tuple[int, date]]:
    return [(r.day, r.due_on) for r in session.exec(select(FollowUp).where(FollowUp.discharge_id == discharge_id)
                                                     .order_by(FollowUp.day)).all()]


def status_of(due_on: date, recorded: bool, today: date) -> str:
    if recorded:
        return "done"
    if due_on > today:
        return "upcoming"
    return "missed" if (today - due_on).days > MISSED_AFTER_DAYS else "due"


def status_condition(status: str, today: date):
    """The same as status_of, as a SQL condition on FollowUp."""
    recorded = col(FollowUp.contacted_at).is_not(None)
    late = today - timedelta(days=MISSED_AFTER_DAYS)
    return {
        "done": recorded,
        "upcoming": and_(~recorded, FollowUp.due_on > today),
        "due": and_(~recorded, FollowUp.due_on <= today, FollowUp.due_on >= late),
        "missed": and_(~recorded, FollowUp.due_on < late),
        "to_do": and_(~recorded, FollowUp.due_on <= today),
    }.get(status)


@dataclass
class FollowUpLine:
    id: int
    client_id: int
    client: str
    therapist: str
    day: int
    label: str
    due_on: date
    status: str
    discharged_on: date
    outcome: str  # in words, "" until recorded
    reached: bool | None = None
    substance_use: str = ""
    in_services: bool | None = None
    housing: str = ""
    employment: str = ""
    note: str = ""


def outcome_text(row: FollowUp) -> str:
    if row.contacted_at is None:
        return ""
    if not row.reached:
        return "Not reached" + (f": {row.note}" if row.note else "")
    parts = ["Reached", FollowUpUse.label_of(row.substance_use, "use not asked").lower()]
    if row.in_services is not None:
        parts.append("in services" if row.in_services else "not in services")
    if row.housing:
        parts.append(HousingStatus.label_of(row.housing).lower())
    if row.employment:
        parts.append(EmploymentStatus.label_of(row.employment).lower())
    return "; ".join(parts)


def _lines(session: Session, stmt, today: date) -> list[FollowUpLine]:
    lines = []
    for row, name, therapist, discharged_on in session.exec(stmt).all():
        lines.append(FollowUpLine(
            id=row.id, client_id=row.client_id, client=name, therapist=therapist or "", day=row.day,
            label=label(row.day), due_on=row.due_on, status=status_of(row.due_on, row.contacted_at is not None, today),
            discharged_on=discharged_on, outcome=outcome_text(row), reached=row.reached,
            substance_use=row.substance_use, in_services=row.in_services, housing=row.housing,
            employment=row.employment, note=row.note))
    return lines


def _base_statement():
    person, therapist = aliased(User), aliased(User)
    return (select(FollowUp, person.full_name, therapist.full_name, Discharge.discharged_on)
            .join(Client, Client.id == FollowUp.client_id)
            .join(Discharge, Discharge.id == FollowUp.discharge_id)
            .join(person, person.id == Client.user_id)
            .outerjoin(therapist, therapist.id == Client.primary_therapist_id))


def client_follow_ups(session: Session, actor: User, client_id) -> list[FollowUpLine]:
    """One client's contacts (the discharge page; an audited read)."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="follow_up.view",
                                 roles=permissions.STAFF)
    today = program.local_today(session)
    return _lines(session, _base_statement().where(FollowUp.client_id == client.id).order_by(FollowUp.day), today)


def follow_up_list(session: Session, actor: User, show: str = "to_do") -> tuple[list[FollowUpLine], dict[str, int]]:
    """The contacts staff work through: the director's every client, a therapist's
    caseload (their discharged clients stay on it as primary therapist). Returns the
    rows for `show` (oldest due first) and the count of each status."""
    permissions.require_staff(session, actor, "follow_up.list")
    if show not in LIST_FILTERS:
        raise ValidationError({"show": "Unknown filter."})
    today = program.local_today(session)
    visible = permissions.visible_clients_condition(actor, today)
    stmt = _base_statement()
    counts_stmt = select(
        *[func.sum(case((status_condition(s, today), 1), else_=0)).label(s) for s in STATUSES]
    ).select_from(FollowUp).join(Client, Client.id == FollowUp.client_id)
    if visible is not None:
        stmt, counts_stmt = stmt.where(visible), counts_stmt.where(visible)
    if show != "all":
        stmt = stmt.where(status_condition(show, today))
    order = [col(FollowUp.contacted_at).desc(), FollowUp.id] if show == "done" else [FollowUp.due_on, FollowUp.id]
    rows = _lines(session, stmt.order_by(*order).limit(LIST_LIMIT), today)
    counts = session.exec(counts_stmt).one()
    audit.record_now(session, actor, "follow_up.list", outcome="allowed", detail=f"{show}: {len(rows)} row(s)")
    return rows, {s: int(getattr(counts, s) or 0) for s in STATUSES}


class OutcomeInput(inputs.ServiceInput, strict=True):
    reached: bool
    substance_use: str = ""
    in_services: bool | None = None
    housing: str = ""
    employment: str = ""
    note: str = Field(default="", max_length=1000)
    messages: ClassVar[dict[str, str]] = {
        "reached": "Say whether you reached the person.",
        "note": "Keep the note under 1000 characters (this one is {length}).",
    }


def record_outcome(session: Session, actor: User, follow_up_id, **values) -> FollowUp:
    """Record (or correct) the outcome of a contact that is due (not one still to come)."""
    row = permissions.require_staff_write_row(
        session, actor, FollowUp, follow_up_id, what="follow_up.record", noun="follow-up")
    checked = inputs.validate(OutcomeInput, **values)
    errors = {}
    if checked.reached:
        if checked.substance_use not in FollowUpUse.values():
            errors["substance_use"] = "Say whether they are using (or that they did not say)."
        if checked.housing not in ("", *HousingStatus.values()):
            errors["housing"] = "Choose a housing situation from the list."
        if checked.employment not in ("", *EmploymentStatus.values()):
            errors["employment"] = "Choose an employment situation from the list."
    elif checked.substance_use or checked.in_services is not None or checked.housing or checked.employment:
        errors["reached"] = "Outcomes are recorded only when the person was reached."
    today = program.local_today(session)
    if row.due_on > today + timedelta(days=3):  # a contact can be made a few days early
        errors["follow_up"] = f"This contact is not due until {row.due_on.isoformat()}."
    if errors:
        raise ValidationError(errors)
    corrected = row.contacted_at is not None
    for name, value in checked.model_dump().items():
        setattr(row, name, value)
    row.contacted_at, row.recorded_by = utcnow(), actor.id
    session.add(row)
    audit.record(session, actor, "follow_up.record", client_id=row.client_id, target=f"follow_up:{row.id}",
                 detail=("corrected: " if corrected else "") + ("reached" if checked.reached else "not reached"))
    session.commit()
    return row

