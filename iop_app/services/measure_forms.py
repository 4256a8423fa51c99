"""The client's side of measures: what is due (the home page), and one form at a time,
answered item by item.

Every answer is kept on the server as it is given (the draft of services/measure_records),
so a client who leaves half way finds their answers and the next unanswered item when
they come back, on any device. A form can be opened only while its measure is due (a
program rule or an assignment) or a draft of it is in progress; submitting completes the
draft once (measure_records.submit: a second submit finds no draft and changes nothing).

Clients only, on their own record (permissions.require with CLIENT_ONLY): staff see
measures on the client's record, family members never.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from ..models import MeasureResponse, User
from ..models.enums import MeasureResponseStatus
from . import measure_records, measure_schedule, measures, permissions, program
from .errors import NotFound, ServiceError, ValidationError
from .measure_records import answers_of

ALREADY_SUBMITTED = "This form was already submitted; it cannot be submitted again."


@dataclass(frozen=True)
class DueForm:
    """One line of the client's "to complete" list."""

    code: str
    name: str
    title: str
    due_on: date | None  # None: not due by a rule, but a draft is in progress
    overdue: bool
    answered: int
    items: int


@dataclass(frozen=True)
class FormView:
    instrument: measures.Instrument
    answers: dict[int, int]  # what the client has answered so far
    response_id: int | None  # the draft, once there is one
    due: measure_schedule.DueMeasure | None

    @property
    def first_unanswered(self) -> int:
        """Index (0-based) of the item to show on opening: the first required one not yet answered."""
        for index, item in enumerate(self.instrument.items):
            if item.number not in self.answers and not item.optional:
                return index
        return len(self.instrument.items)  # all answered: the review screen


def _drafts(session: Session, client_id: int) -> dict[str, MeasureResponse]:
    rows = session.exec(select(MeasureResponse).where(
        MeasureResponse.client_id == client_id, MeasureResponse.status == MeasureResponseStatus.DRAFT)
        .order_by(col(MeasureResponse.id))).all()
    return {row.code: row for row in rows}  # the newest draft of each measure


def due_forms(session: Session, actor: User, client_id: int, today: date | None = None) -> list[DueForm]:
    """What the client has to complete: due and overdue measures, and forms in progress."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="measure.due",
                                 roles=permissions.CLIENT_ONLY)
    due = measure_schedule.due(session, actor, client.id, today)
    drafts = _drafts(session, client.id)
    found = []
    for item in due:
        instrument = measures.definition(item.code)
        draft = drafts.get(item.code)
        found.append(DueForm(item.code, instrument.name, instrument.title, item.due_on, item.overdue,
                             len(draft.answers or {}) if draft else 0, len(instrument.items)))
    for code, draft in drafts.items():
        if code not in {item.code for item in due} and code in measures.DEFINITIONS:
            instrument = measures.definition(code)
            found.append(DueForm(code, instrument.name, instrument.title, None, False, len(draft.answers or {}),
                                 len(instrument.items)))
    return found


def _instrument(code) -> measures.Instrument:
    if not isinstance(code, str) or code not in measures.DEFINITIONS:
        raise NotFound("That form was not found.")
    return measures.definition(code)


def open_form(session: Session, actor: User, client_id: int, code: str, today: date | None = None) -> FormView:
    """The form for `code` with the answers given so far. NotFound when the measure is
    neither due nor in progress (a client cannot fill in forms nobody asked for)."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="measure.form",
                                 roles=permissions.CLIENT_ONLY)
    instrument = _instrument(code)
    today = today or program.local_today(session)
    due = next((item for item in measure_schedule.due(session, actor, client.id, today)
                if item.code == instrument.code), None)
    draft = _drafts(session, client.id).get(instrument.code)
    if due is None and draft is None:
        raise NotFound(f"The {instrument.name} is not due now. Your care team will let you know when it is.")
    return FormView(instrument, answers_of(draft) if draft else {}, draft.id if draft else None, due)


def answer(session: Session, actor: User, client_id: int, code: str, item: int, value: int,
           today: date | None = None) -> FormView:
    """Keep one answer (the whole draft is saved at once, so nothing is half-written)."""
    form = open_form(session, actor, client_id, code, today)
    instrument = form.instrument
    if type(item) is not int or not 1 <= item <= len(instrument.items):
        raise ValidationError({"answer": "Choose one of the answers shown."})
    if type(value) is not int or value not in instrument.item(item).values:
        raise ValidationError({"answer": "Choose one of the answers shown."})
    answers = {**form.answers, item: value}
    saved = measure_records.save_draft(session, actor, client_id, code=instrument.code, answers=answers)
    return FormView(instrument, saved.answers, saved.id, form.due)


def submit(session: Session, actor: User, client_id: int, code: str,
           today: date | None = None) -> measure_records.ResponseView:
    """Complete the client's draft of `code`, once: ValidationError naming the items not
    answered; ServiceError when there is nothing left to submit (already submitted)."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="measure.submit",
                        roles=permissions.CLIENT_ONLY)
    instrument = _instrument(code)
    draft = _drafts(session, client_id).get(instrument.code)
    if draft is None:
        raise ServiceError(ALREADY_SUBMITTED)
    return measure_records.submit(session, actor, client_id, draft.id)
