"""One questionnaire (`/client/measures/[code]`), one item per screen.

Each answer is saved on the server as it is chosen (services/measure_forms.answer), so
leaving half way loses nothing: coming back opens the first unanswered item. The last
screen lists the answers to check, then submits once. The measure comes from the URL
and the item from the server-side position, never a client id or a response id from
the browser; a value the browser sends is parsed here and checked by the service.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from ...models import User
from ...services import measure_forms, measures
from ...services.errors import ServiceError, ValidationError
from ..args import as_int, as_text
from ..base import SessionState
from ..formatting import fmt_date
from .base import ClientPage


@dataclass
class OptionLine:
    value: str
    label: str
    id: str


@dataclass
class ReviewLine:
    index: str  # 0-based position, for "Change"
    number: str
    text: str
    answer: str


class MeasureFormState(ClientPage, SessionState):
    available: bool = False  # the form is open to this client now
    name: str = ""
    title: str = ""
    instructions: str = ""
    credit: str = ""
    licence: str = ""
    due_label: str = ""
    item_count: int = 0
    index: int = 0  # the screen shown: 0..item_count-1 an item, item_count the review
    item_text: str = ""
    item_parts: list[str] = []
    item_optional: bool = False
    options: list[OptionLine] = []
    selected: str = ""
    answered: int = 0
    review: list[ReviewLine] = []
    done: bool = False
    show_crisis: bool = False
    submitting: bool = False
    # Backend only: what the server has kept.
    _code: str = ""
    _answers: dict[int, int] = {}

    @rx.var
    def progress_label(self) -> str:
        if self.index >= self.item_count:
            return f"Check your answers ({self.answered} of {self.item_count} answered)"
        return f"Item {self.index + 1} of {self.item_count}"

    @rx.var
    def progress_pct(self) -> int:
        return round(100 * self.answered / self.item_count) if self.item_count else 0

    @rx.var
    def on_review(self) -> bool:
        return self.item_count > 0 and self.index >= self.item_count

    # ------------------------------------------------------------ drawing
    def _instrument(self) -> measures.Instrument:
        return measures.definition(self._code)

    def _show(self) -> None:
        """Fill the screen at `index` from the kept answers."""
        instrument = self._instrument()
        self.item_count = len(instrument.items)
        self.answered = len(self._answers)
        self.index = max(0, min(self.index, self.item_count))
        if self.index < self.item_count:
            item = instrument.items[self.index]
            self.item_text = item.text
            self.item_parts = list(item.parts)
            self.item_optional = item.optional
            self.options = [OptionLine(str(o.value), o.label, f"answer-{item.number}-{o.value}")
                            for o in item.options]
            value = self._answers.get(item.number)
            self.selected = "" if value is None else str(value)
        else:
            self.review = [
                ReviewLine(str(i), str(item.number), item.text,
                           next((o.label for o in item.options if o.value == self._answers.get(item.number)),
                                "(optional, not answered)" if item.optional else "Not answered yet"))
                for i, item in enumerate(instrument.items)
            ]

    def _take(self, form: measure_forms.FormView) -> None:
        instrument = form.instrument
        self._code = instrument.code
        self._answers = dict(form.answers)
        self.available = True
        self.name, self.title, self.instructions = instrument.name, instrument.title, instrument.instructions
        self.credit, self.licence = instrument.credit, instrument.licence
        due = form.due
        self.due_label = ("" if due is None else
                          f"Due {fmt_date(due.due_on)}" + (" (overdue)" if due.overdue else ""))

    def _clear(self) -> None:
        self.available = self.done = self.show_crisis = self.submitting = False
        self.name = self.title = self.instructions = self.credit = self.licence = self.due_label = ""
        self.item_count = self.index = self.answered = 0
        self.options, self.review, self.item_parts = [], [], []
        self.selected = self.item_text = ""
        self._code, self._answers = "", {}

    # ------------------------------------------------------------ events
    @rx.event
    def load(self):
        self._clear()
        code = as_text(self.router.page.params.get("code"), 16)

        def action(session: Session, actor: User):
            form = measure_forms.open_form(session, actor, self._client_id, code or "")
            self._take(form)
            self.index = form.first_unanswered
            self._show()

        return self._run(action, reload=False, errors_var=None)

    def _open(self, session: Session, actor: User) -> None:
        """The form again from the server (it may have been submitted in another tab)."""
        if not self._code:
            raise ServiceError("Open a questionnaire from your home page first.")
        self._take(measure_forms.open_form(session, actor, self._client_id, self._code))

    @rx.event
    def choose(self, value: str):
        """Keep the answer to the item on screen."""
        number = as_int(value, -1, 1000)

        def action(session: Session, actor: User):
            if self.done:
                raise ServiceError(measure_forms.ALREADY_SUBMITTED)
            self._open(session, actor)
            if not 0 <= self.index < self.item_count:
                raise ValidationError({"answer": "Choose one of the answers shown."})
            form = measure_forms.answer(session, actor, self._client_id, self._code, self.index + 1,
                                        value if number is None else number)
            self._answers = dict(form.answers)
            self._show()

        return self._run(action, reload=False, errors_var="errors")

    def _move(self, to: int):
        def action(session: Session, actor: User):
            if self.done:
                return
            self._open(session, actor)
            item = self.index + 1
            moving_on = to > self.index and self.index < self.item_count
            if moving_on and item not in self._answers and not self._instrument().item(item).optional:
                raise ValidationError({"answer": "Choose an answer to go on."})
            self.index = to
            self._show()

        return self._run(action, reload=False, errors_var="errors")

    @rx.event
    def next_item(self):
        return self._move(self.index + 1)

    @rx.event
    def previous_item(self):
        return self._move(max(0, self.index - 1))

    @rx.event
    def go_to(self, index: str):
        """From the review: back to one item to change it."""
        position = as_int(index, 0, 1000)
        if position is None or position >= self.item_count:
            self.error = "That item is not on this form."
            return None
        return self._move(position) if position <= self.index else None

    @rx.event
    def submit(self):
        def action(session: Session, actor: User):
            if self.done:
                raise ServiceError(measure_forms.ALREADY_SUBMITTED)
            if not self._code:
                raise ServiceError("Open a questionnaire from your home page first.")
            try:
                result = measure_forms.submit(session, actor, self._client_id, self._code)
            except ValidationError as exc:
                # Items left unanswered: back to the first of them, with the service's message.
                missing = sorted(int(k.split("_")[1]) for k in exc.errors if k.startswith("item_"))
                self.index = missing[0] - 1 if missing else self.index
                self._show()
                raise ValidationError({"answer": "Please answer this item before you submit."}) from None
            self.done = True
            self.show_crisis = bool(result.alerts)
            self.message = (f"Thank you. Your {self.name} is sent to your care team; they will go over it "
                            "with you.")

        return self._run(action, reload=False, errors_var="errors")
