"""The daily check-in page. The service checks every value (services/checkins.py,
CheckinInput); this state only converts what the browser sent and shows the
service's message next to each field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import reflex as rx
from sqlmodel import Session

from ...models import User
from ...services import checkins, program
from ...services.errors import ValidationError
from ..args import as_date, form_dict
from ..base import SessionState
from .base import ClientPage, date_or_given, day_label, number_or_given, whole_or_given

EMPTY_FORM = {"mood": "", "anxiety": "", "craving": "", "sleep_hours": "", "used_substance": "no",
              "substances": "", "trigger_other": "", "coping_other": "", "note": ""}


def checkin_values(form: dict) -> dict:
    """The check-in form as save_checkin takes it: numbers where the browser sent
    numbers, yes/no as True/False, the ticked boxes as the common choices."""
    used = form.get("used_substance")
    return dict(
        day=date_or_given(form.get("day")),
        mood=whole_or_given(form.get("mood")),
        anxiety=whole_or_given(form.get("anxiety")),
        craving=whole_or_given(form.get("craving")),
        sleep_hours=number_or_given(form.get("sleep_hours")),
        used_substance=True if used == "yes" else False if used == "no" else used,
        substances=form.get("substances", ""),
        triggers=[t for i, t in enumerate(checkins.COMMON_TRIGGERS) if form.get(f"trigger_{i}") in ("on", True)],
        trigger_other=form.get("trigger_other", ""),
        coping=[c for i, c in enumerate(checkins.COMMON_COPING) if form.get(f"coping_{i}") in ("on", True)],
        coping_other=form.get("coping_other", ""),
        note=form.get("note", ""),
    )


class CheckinState(ClientPage, SessionState):
    day_options: list[list[str]] = []  # [iso day, label]
    selected_day: str = ""
    # What the form shows (strings, as in the inputs); reset when the form is remounted.
    values: dict[str, str] = {}
    checked_triggers: list[str] = []
    checked_coping: list[str] = []
    form_key: int = 0
    editing: bool = False
    locked_message: str = ""
    show_support: bool = False
    streak: int = 0

    trigger_choices: list[str] = list(checkins.COMMON_TRIGGERS)
    coping_choices: list[str] = list(checkins.COMMON_COPING)

    def _fill(self, session: Session, actor: User, day: date, today: date) -> None:
        view = checkins.get_checkin(session, actor, self._client_id, day, today)
        self.selected_day = day.isoformat()
        self.editing = view is not None
        self.locked_message = ""
        if view is None:
            self.values = dict(EMPTY_FORM)
            self.checked_triggers, self.checked_coping = [], []
        else:
            other_t = [t for t in view.triggers if t not in checkins.COMMON_TRIGGERS]
            other_c = [c for c in view.coping if c not in checkins.COMMON_COPING]
            self.values = {"mood": str(view.mood), "anxiety": str(view.anxiety), "craving": str(view.craving),
                           "sleep_hours": f"{view.sleep_hours:g}",
                           "used_substance": "yes" if view.used_substance else "no",
                           "substances": view.substances, "trigger_other": "; ".join(other_t),
                           "coping_other": "; ".join(other_c), "note": view.note}
            self.checked_triggers = [t for t in view.triggers if t in checkins.COMMON_TRIGGERS]
            self.checked_coping = [c for c in view.coping if c in checkins.COMMON_COPING]
            if not view.editable:
                self.locked_message = ("You already checked in for this day. A check-in can be changed only on "
                                       "the day it was written.")
        self.form_key += 1

    def _show(self, session: Session, actor: User, day: date, today: date, also: Iterable[date] = ()) -> None:
        """The streak, the days that can be chosen (today, the missed days still open,
        and `also`), and the form for `day`."""
        status = checkins.today_status(session, actor, self._client_id, today)
        self.streak = status.streak
        self.day_options = [[d.isoformat(), day_label(d, today) + (" (late)" if d != today else "")]
                            for d in sorted({today, *status.fillable_days, *also}, reverse=True)]
        self._fill(session, actor, day, today)

    def _reload(self, session: Session, actor: User) -> None:
        today = program.local_today(session)
        self._show(session, actor, today, today)

    @rx.event
    def load(self):
        def action(_session, _actor):
            self.show_support = False

        return self._run(action)

    @rx.event
    def choose_day(self, value: str):
        def action(session, actor):
            self.show_support = False
            day = as_date(value)
            if day is None or day.isoformat() not in [option[0] for option in self.day_options]:
                raise ValidationError({"day": "Choose today or one of the missed days in the list."})
            self._fill(session, actor, day, program.local_today(session))

        return self._run(action, reload=False)

    @rx.event
    def save(self, form: dict):
        values = checkin_values(form_dict(form))

        def action(session, actor):
            self.show_support = False
            today = program.local_today(session)
            result = checkins.save_checkin(session, actor, self._client_id, today=today, **values)
            self.show_support = result.show_support
            when = "today" if result.day == today else day_label(result.day, today)
            self.message = (f"Thank you. Your check-in for {when} is "
                            f"{'saved' if result.created else 'updated'}"
                            f"{' (marked late)' if result.late else ''}.")
            # Keep the filled-in day selectable (to edit it today); it is no longer "missed".
            self._show(session, actor, result.day, today, also=(result.day,))

        return self._run(action, reload=False)
