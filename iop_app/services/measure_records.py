"""A client's measures: ad hoc assignments, draft answers, submission, corrections.

Who does what (every call goes through permissions.require/check and is audited):
- assign ad hoc: staff on the client's record (therapist's caseload, the director);
- save a draft, submit it: the client, on their own record only. A draft keeps the
  answers given so far, so a client who leaves half way picks up where they were;
- correct a completed response: staff only. Decision: a completed response is part
  of the clinical record, and letting the client replace it would let an item-9
  answer be taken back unseen; so the client tells their clinician, who enters the
  corrected answers with a reason. The correction is a new completed response whose
  `supersedes_id` names the original; both are kept, the original's alerts stay open
  until acknowledged, and the correction is scored and alerted on like any response.

Submission is once: a draft turns into a completed response by one conditional
UPDATE (status draft -> submitted), so a second submit of the same draft -- a double
tap, a retry, a forged event -- is refused and changes nothing. Items, scores and
alerts are written in that one transaction. Alerts: services/measure_alerts.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints
from pydantic import ValidationError as PydanticError
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..models import MeasureAssignment, MeasureResponse, User, utcnow
from ..models.enums import MeasureResponseStatus
from . import audit, measure_alerts, measures, permissions, program
from .errors import NotFound, ServiceError, ValidationError
from .ids import is_id

NOTE_MAX = 500
REASON_MAX = 500
ASSIGN_AHEAD_DAYS = 90  # an ad hoc measure is due within the next three months

Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class _Input(BaseModel):
    """Strict: a bool is not an answer, "2" is not 2 (the page converts what it shows)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class AssignInput(_Input):
    code: str
    due_on: date
    note: Annotated[Text, Field(max_length=NOTE_MAX)] = ""


class DraftInput(_Input):
    code: str
    answers: dict[StrictInt, StrictInt]


class CorrectionInput(_Input):
    answers: dict[StrictInt, StrictInt]
    reason: Annotated[Text, Field(min_length=1, max_length=REASON_MAX)]


_FIELD_MESSAGES = {
    "code": "Choose a measure.",
    "due_on": "Choose the day it is due.",
    "note": f"The note can be up to {NOTE_MAX} characters.",
    "answers": "Answers must map item numbers to the answer chosen.",
    "reason": f"Say why it is corrected (up to {REASON_MAX} characters).",
}


def parse(model: type[_Input], **data) -> _Input:
    """The input checked whole: ValidationError with a message per field at fault."""
    try:
        return model(**data)
    except PydanticError as error:
        errors: dict[str, str] = {}
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "input"
            errors.setdefault(name, _FIELD_MESSAGES.get(name, f"{name}: {problem['msg']}"))
        raise ValidationError(errors) from None


@dataclass(frozen=True)
class ResponseView:
    id: int
    client_id: int
    code: str
    status: str
    answers: dict[int, int]
    total: float | None
    band: str
    subscales: dict[str, float]
    positive: bool | None
    alerts: list[str]
    started_at: datetime
    completed_at: datetime | None
    supersedes_id: int | None
    correction_reason: str


def answers_of(row: MeasureResponse) -> dict[int, int]:
    """Stored answers (JSON keys are text) as item number -> value."""
    return {int(number): value for number, value in (row.answers or {}).items()}


def view(row: MeasureResponse) -> ResponseView:
    return ResponseView(row.id, row.client_id, row.code, row.status, answers_of(row), row.total, row.band,
                        dict(row.subscales or {}), row.positive, list(row.alerts or []), row.started_at,
                        row.completed_at, row.supersedes_id, row.correction_reason)


def _known_code(code: str) -> measures.Instrument:
    try:
        return measures.definition(code)
    except ValidationError:
        raise ValidationError({"code": "Choose one of the program's measures."}) from None


def _partial_answers(instrument: measures.Instrument, answers: dict[int, int]) -> dict[str, int]:
    """A draft may leave items out; each answer given must still be one the form allows."""
    errors: dict[str, str] = {}
    for number, value in answers.items():
        if not 1 <= number <= len(instrument.items):
            errors[f"item_{number}"] = f"{instrument.name} has no item {number}."
        elif value not in instrument.item(number).values:
            errors[f"item_{number}"] = f"{instrument.name} item {number}: {value} is not one of its answers."
    if errors:
        raise ValidationError(errors)
    return {str(number): answers[number] for number in sorted(answers)}


# ---------------------------------------------------------------- assignments
def assign(session: Session, actor: User, client_id: int, *, code: str, due_on: date, note: str = "",
           today: date | None = None) -> MeasureAssignment:
    """A therapist (or the director) asks the client to complete one measure by `due_on`."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="measure.assign",
                                 roles=permissions.STAFF)
    data = parse(AssignInput, code=code, due_on=due_on, note=note)
    instrument = _known_code(data.code)
    today = today or program.local_today(session)
    if not today <= data.due_on <= today + timedelta(days=ASSIGN_AHEAD_DAYS):
        raise ValidationError({"due_on": f"Choose a day from today to {ASSIGN_AHEAD_DAYS} days ahead."})
    if client.discharge_date is not None and client.discharge_date < today:
        raise ValidationError({"code": "This client has been discharged."})
    row = MeasureAssignment(client_id=client.id, code=instrument.code, due_on=data.due_on, note=data.note,
                            assigned_by=actor.id, assigned_at=utcnow())
    return audit.save_new(session, actor, row, "measure.assign", "measure_assignment", client_id=client.id,
                          detail=f"{instrument.code} due {data.due_on.isoformat()}")


# ---------------------------------------------------------------- drafts and submission
def _own_draft(session: Session, client_id: int, code: str) -> MeasureResponse | None:
    return session.exec(select(MeasureResponse).where(
        MeasureResponse.client_id == client_id, MeasureResponse.code == code,
        MeasureResponse.status == MeasureResponseStatus.DRAFT).order_by(col(MeasureResponse.id).desc())).first()


def get_draft(session: Session, actor: User, client_id: int, code: str) -> ResponseView | None:
    """The answers a client has given so far to `code`, if they left part way."""
    permissions.check(session, actor, permissions.READ, client_id, what="measure.view")
    row = _own_draft(session, client_id, code) if isinstance(code, str) else None
    return view(row) if row is not None else None


def save_draft(session: Session, actor: User, client_id: int, *, code: str, answers: dict[int, int]) -> ResponseView:
    """Keep the client's answers so far (one draft per measure, replaced as they go)."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="measure.draft",
                                 roles=permissions.CLIENT_ONLY)
    data = parse(DraftInput, code=code, answers=answers)
    instrument = _known_code(data.code)
    stored = _partial_answers(instrument, data.answers)
    now = utcnow()
    row = _own_draft(session, client.id, instrument.code)
    created = row is None
    if row is None:
        row = MeasureResponse(client_id=client.id, code=instrument.code, entered_by=actor.id, started_at=now)
    row.answers = stored
    row.updated_at = now
    session.add(row)
    session.flush()
    audit.record(session, actor, "measure.draft", client_id=client.id, target=f"measure_response:{row.id}",
                 detail=f"{instrument.code} {len(stored)}/{len(instrument.items)} answered"
                 + (" started" if created else ""))
    session.commit()
    return view(row)


def submit(session: Session, actor: User, client_id: int, response_id: int, *,
           sex: str | None = None) -> ResponseView:
    """Score the client's draft and complete it, once. Raises ValidationError naming the
    items not (properly) answered, and ServiceError if it was already submitted."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="measure.submit",
                                 roles=permissions.CLIENT_ONLY)
    row = session.get(MeasureResponse, response_id) if is_id(response_id) else None
    if row is None or row.client_id != client.id:
        raise NotFound("That form was not found.")
    if row.status != MeasureResponseStatus.DRAFT:
        audit.record_now(session, actor, "measure.submit", client_id=client.id, target=f"measure_response:{row.id}",
                         outcome="failure", detail="already submitted")
        raise ServiceError("This form was already submitted; it cannot be submitted again.")
    result = measures.score(row.code, answers_of(row), sex=sex)
    now = utcnow()
    # The one transition draft -> submitted: whoever flips it first submits; anyone else is refused.
    flipped = session.exec(update(MeasureResponse)
                           .where(MeasureResponse.id == row.id, MeasureResponse.status == MeasureResponseStatus.DRAFT)
                           .values(status=MeasureResponseStatus.SUBMITTED.value, completed_at=now, updated_at=now,
                                   total=result.total, band=result.band, subscales=dict(result.subscales),
                                   positive=result.positive, alerts=list(result.alerts)))
    if flipped.rowcount != 1:
        session.rollback()
        raise ServiceError("This form was already submitted; it cannot be submitted again.")
    session.refresh(row)
    _complete(session, actor, row, "measure.submit")
    return view(row)


def correct(session: Session, actor: User, client_id: int, response_id: int, *, answers: dict[int, int],
            reason: str, sex: str | None = None) -> ResponseView:
    """Staff enter corrected answers for a completed response: a new response supersedes it."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="measure.correct",
                                 roles=permissions.STAFF)
    data = parse(CorrectionInput, answers=answers, reason=reason)
    original = session.get(MeasureResponse, response_id) if is_id(response_id) else None
    if original is None or original.client_id != client.id or original.status != MeasureResponseStatus.SUBMITTED:
        raise NotFound("That completed form was not found.")
    if session.exec(select(MeasureResponse.id).where(MeasureResponse.supersedes_id == original.id)).first():
        raise ServiceError("That response was already corrected; correct the newest one.")
    result = measures.score(original.code, data.answers, sex=sex)
    now = utcnow()
    row = MeasureResponse(
        client_id=client.id, code=original.code, status=MeasureResponseStatus.SUBMITTED,
        answers={str(number): data.answers[number] for number in sorted(data.answers)},
        total=result.total, band=result.band, subscales=dict(result.subscales), positive=result.positive,
        alerts=list(result.alerts), started_at=now, updated_at=now, completed_at=now, entered_by=actor.id,
        supersedes_id=original.id, correction_reason=data.reason)
    session.add(row)
    session.flush()
    _complete(session, actor, row, "measure.correct", detail=f" corrects measure_response:{original.id}")
    return view(row)


def _complete(session: Session, actor: User, row: MeasureResponse, action: str, detail: str = "") -> None:
    """What every completed response brings, in its transaction: the assignments it answers,
    its alerts, the audit event; then commit."""
    for assignment in session.exec(select(MeasureAssignment).where(
            MeasureAssignment.client_id == row.client_id, MeasureAssignment.code == row.code,
            col(MeasureAssignment.response_id).is_(None))).all():
        assignment.response_id = row.id
        session.add(assignment)
    total = "" if row.total is None else f" total {row.total:g}"
    audit.record(session, actor, action, client_id=row.client_id, target=f"measure_response:{row.id}",
                 detail=f"{row.code}{total}{detail}")
    measure_alerts.raise_for(session, actor, row)
    session.commit()


def history(session: Session, actor: User, client_id: int, code: str | None = None) -> list[ResponseView]:
    """Every completed response (corrected ones too), newest first."""
    permissions.check(session, actor, permissions.READ, client_id, what="measure.view")
    query = select(MeasureResponse).where(MeasureResponse.client_id == client_id,
                                          MeasureResponse.status == MeasureResponseStatus.SUBMITTED)
    if code is not None:
        query = query.where(MeasureResponse.code == code)
    return [view(row) for row in session.exec(query.order_by(col(MeasureResponse.completed_at).desc(),
                                                             col(MeasureResponse.id).desc())).all()]
