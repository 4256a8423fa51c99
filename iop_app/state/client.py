"""Client portal state: home, daily check-in, goals, hierarchy of needs.

One substate per page. The client record is always the signed-in client's own
(looked up from the server-side session); no handler takes a client id from the
browser. Ids of goals, steps and needs that the browser sends back are parsed
with state/args.py and checked against the record again by the services.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import plotly.graph_objects as go
import pandas as pd
import reflex as rx

from ..components import charts
from ..models import User
from ..services import checkins, goals, needs, permissions, program, progress, schedule
from ..services.errors import PermissionDenied, ServiceError, StaleEdit, ValidationError
from .args import as_date, as_float, as_int, as_text, form_dict
from .base import SessionState

CHART_DAYS = (30, 90)


def _own_client_id(session, actor: User) -> int | None:
    client = permissions.client_for_user(session, actor)
    return client.id if client is not None else None


def _day_label(day: date, today: date) -> str:
    if day == today:
        return f"Today ({day.strftime('%a %b')} {day.day})"
    if day == today - timedelta(days=1):
        return f"Yesterday ({day.strftime('%a %b')} {day.day})"
    return f"{day.strftime('%A %b')} {day.day}"


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# ------------------------------------------------------------------ home
@dataclasses.dataclass
class ScheduleRow:
    when: str
    kind: str
    title: str
    where: str
    detail: str
    cancelled: bool


@dataclasses.dataclass
class GoalSummaryRow:
    id: str
    title: str
    area: str
    horizon: str
    status: str
    progress_pct: int
    steps_label: str


class ClientHomeState(SessionState):
    today_label: str = ""
    done_today: bool = False
    streak: int = 0
    missed_days: list[str] = []
    sessions: list[ScheduleRow] = []
    goal_rows: list[GoalSummaryRow] = []
    chart_days: int = 30
    hours_label: str = ""
    chart_summary: str = ""
    # Backend only: the last 90 days of check-ins with 7-day averages, and this week's hours.
    _trend_rows: list[dict] = []
    _hours: float = 0.0
    _target: float = 9.0

    @rx.var(cache=True)
    def trend_chart(self) -> go.Figure:
        frame = pd.DataFrame(self._trend_rows)
        if frame.empty:
            return charts.empty_figure("No check-ins yet")
        frame["day"] = pd.to_datetime(frame["day"])
        frame = frame.tail(self.chart_days).reset_index(drop=True)
        return charts.trend_figure(frame, title=f"Mood, anxiety and craving: last {self.chart_days} days")

    @rx.var(cache=True)
    def hours_chart(self) -> go.Figure:
        return charts.hours_figure(self._hours, self._target, title="Hours of program this week")

    @rx.event
    def load(self):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "client"):
                return refusal
            client_id = _own_client_id(session, actor)
            if client_id is None:
                return self._refuse(session, actor)
            today = program.local_today(session)
            status = checkins.today_status(session, actor, client_id, today)
            self.today_label = f"{today.strftime('%A, %B')} {today.day}"
            self.done_today = status.done_today
            self.streak = status.streak
            self.missed_days = [_day_label(d, today) for d in status.fillable_days]
            self.sessions = [
                ScheduleRow(schedule.describe_time(item), item.kind_label, item.title, item.where, item.detail,
                            item.cancelled)
                for item in schedule.upcoming_this_week(session, actor, client_id, today=today)
            ]
            self.goal_rows = [
                GoalSummaryRow(str(g.id), g.title, g.life_area_label, g.horizon_label, g.status_label,
                               g.progress_pct,
                               f"{sum(s.done for s in g.steps)} of {len(g.steps)} steps done" if g.steps else "")
                for g in goals.list_goals(session, actor, client_id, with_history=False)
                if g.status in ("active", "revised")
            ]
            frame = progress.checkin_frame(session, actor, client_id, max(CHART_DAYS), today=today)
            self._trend_rows = self._rows_of(frame)
            self.chart_summary = self._summary(frame, today)
            week = progress.weekly_hours_frame(session, actor, client_id, 1, today=today)
            self._hours = float(week["hours"].iloc[-1])
            self._target = float(week["target"].iloc[-1])
            self.hours_label = f"{self._hours:g} of {self._target:g} hours this week"

    @staticmethod
    def _rows_of(frame: pd.DataFrame) -> list[dict]:
        rows = []
        for record in frame.to_dict("records"):
            row = {"day": pd.Timestamp(record["day"]).strftime("%Y-%m-%d")}
            for key, value in record.items():
                if key == "day":
                    continue
                if key == "used_substance":
                    row[key] = bool(value)
                else:
                    row[key] = None if pd.isna(value) else float(value)
            rows.append(row)
        return rows

    @staticmethod
    def _summary(frame: pd.DataFrame, today: date) -> str:
        """A text version of the chart for screen readers and anyone who prefers words."""
        present = frame.dropna(subset=["mood"])
        if present.empty:
            return "No check-ins in the last 90 days yet."
        last = present.iloc[-1]
        day = pd.Timestamp(last["day"]).date()
        when = "today" if day == today else f"on {day.strftime('%b')} {day.day}"
        averages = progress.summary(frame)
        avg = ", ".join(f"{name} {averages[col]:g}" for name, col in
                        (("mood", "mood_avg7"), ("anxiety", "anxiety_avg7"), ("craving", "craving_avg7"))
                        if averages.get(col) is not None)
        used_days = int(frame.tail(30)["used_substance"].sum())
        text = (f"Latest check-in {when}: mood {int(last['mood'])}, anxiety {int(last['anxiety'])}, "
                f"craving {int(last['craving'])}. 7-day averages: {avg}.")
        if used_days:
            text += f" Days with reported use in the last 30 days: {used_days}."
        return text

    @rx.event
    def set_chart_days(self, days: str):
        value = as_int(days, 1, 1000)
        self.chart_days = value if value in CHART_DAYS else 30


# ------------------------------------------------------------------ check-in
class CheckinState(SessionState):
    day_options: list[list[str]] = []  # [iso day, label]
    selected_day: str = ""
    # What the form shows (strings, as in the inputs); reset when the form is remounted.
    values: dict[str, str] = {}
    checked_triggers: list[str] = []
    checked_coping: list[str] = []
    form_key: int = 0
    editing: bool = False
    locked_message: str = ""
    errors: dict[str, str] = {}
    message: str = ""
    show_support: bool = False
    streak: int = 0

    trigger_choices: list[str] = list(checkins.COMMON_TRIGGERS)
    coping_choices: list[str] = list(checkins.COMMON_COPING)

    def _fill(self, session, actor, client_id: int, day: date, today: date) -> None:
        view = checkins.get_checkin(session, actor, client_id, day, today)
        self.selected_day = day.isoformat()
        self.editing = view is not None
        self.locked_message = ""
        if view is None:
            self.values = {"mood": "", "anxiety": "", "craving": "", "sleep_hours": "", "used_substance": "no",
                           "substances": "", "trigger_other": "", "coping_other": "", "note": ""}
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

    def _context(self, session, actor):
        """(client_id, today, refusal)."""
        if refusal := self._require_role(session, actor, "client"):
            return None, None, refusal
        client_id = _own_client_id(session, actor)
        if client_id is None:
            return None, None, self._refuse(session, actor)
        return client_id, program.local_today(session), None

    @rx.event
    def load(self):
        with self._db() as (session, actor):
            client_id, today, refusal = self._context(session, actor)
            if refusal:
                return refusal
            status = checkins.today_status(session, actor, client_id, today)
            self.streak = status.streak
            days = [today, *status.fillable_days]
            self.day_options = [[d.isoformat(), _day_label(d, today) + (" (late)" if d != today else "")]
                                for d in days]
            self.errors, self.message, self.show_support = {}, "", False
            self._fill(session, actor, client_id, today, today)

    @rx.event
    def choose_day(self, value: str):
        day = as_date(value)
        with self._db() as (session, actor):
            client_id, today, refusal = self._context(session, actor)
            if refusal:
                return refusal
            self.errors, self.message, self.show_support = {}, "", False
            if day is None or day not in [as_date(option[0]) for option in self.day_options]:
                self.errors = {"day": "Choose today or one of the missed days in the list."}
                return
            self._fill(session, actor, client_id, day, today)

    @rx.event
    def save(self, form: dict):
        form = form_dict(form)
        self.errors, self.message, self.show_support = {}, "", False
        with self._db() as (session, actor):
            client_id, today, refusal = self._context(session, actor)
            if refusal:
                return refusal
            errors: dict[str, str] = {}
            day = as_date(form.get("day"))
            if day is None:
                errors["day"] = "Choose the day this check-in is for."
            numbers = {}
            for name, label, low, high in (("mood", "Mood", 1, 10), ("anxiety", "Anxiety", 0, 10),
                                           ("craving", "Craving", 0, 10)):
                raw = form.get(name)
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    errors[name] = f"Please enter your {label.lower()}, {low} to {high}."
                    continue
                value = as_int(raw, low, high)
                if value is None:
                    errors[name] = f"{label} is a whole number from {low} to {high}."
                numbers[name] = value
            raw_sleep = form.get("sleep_hours")
            sleep = as_float(raw_sleep, 0, 24) if raw_sleep not in (None, "") else None
            if raw_sleep in (None, "") or (isinstance(raw_sleep, str) and not raw_sleep.strip()):
                errors["sleep_hours"] = "Please enter how many hours you slept, 0 to 24."
            elif sleep is None:
                errors["sleep_hours"] = "Hours slept is a number from 0 to 24."
            used = form.get("used_substance")
            if used not in ("yes", "no"):
                errors["used_substance"] = "Answer yes or no."
            texts = {}
            for name, limit in (("substances", checkins.SUBSTANCES_MAX), ("trigger_other", checkins.OTHER_MAX),
                                ("coping_other", checkins.OTHER_MAX), ("note", checkins.NOTE_MAX)):
                raw = form.get(name, "")
                value = as_text(raw if raw is not None else "", limit)
                if value is None:
                    field = {"trigger_other": "triggers", "coping_other": "coping"}.get(name, name)
                    length = len(raw.strip()) if isinstance(raw, str) else 0
                    errors[field] = (f"This can be up to {limit} characters (yours is {length})."
                                     if isinstance(raw, str) else "Please type text here.")
                texts[name] = value or ""
            triggers = [t for i, t in enumerate(checkins.COMMON_TRIGGERS) if form.get(f"trigger_{i}") in ("on", True)]
            coping = [c for i, c in enumerate(checkins.COMMON_COPING) if form.get(f"coping_{i}") in ("on", True)]
            if errors:
                self.errors = errors
                return
            try:
                result = checkins.save_checkin(
                    session, actor, client_id, day=day, mood=numbers["mood"], anxiety=numbers["anxiety"],
                    craving=numbers["craving"], sleep_hours=sleep, used_substance=used == "yes",
                    substances=texts["substances"], triggers=triggers, trigger_other=texts["trigger_other"],
                    coping=coping, coping_other=texts["coping_other"], note=texts["note"], today=today)
            except ValidationError as exc:
                self.errors = exc.errors
                return
            except ServiceError as exc:
                self.errors = {"form": exc.message}
                return
            self.show_support = result.show_support
            when = "today" if result.day == today else _day_label(result.day, today)
            self.message = (f"Thank you. Your check-in for {when} is "
                            f"{'saved' if result.created else 'updated'}"
                            f"{' (marked late)' if result.late else ''}.")
            status = checkins.today_status(session, actor, client_id, today)
            self.streak = status.streak
            # Keep the filled-in day selectable (to edit it today); drop it from "missed".
            self.day_options = [[d.isoformat(), _day_label(d, today) + (" (late)" if d != today else "")]
                                for d in sorted({today, *status.fillable_days, result.day}, reverse=True)]
            self._fill(session, actor, client_id, result.day, today)


# ------------------------------------------------------------------ goals
@dataclasses.dataclass
class StepRow:
    id: str
    text: str
    done: bool


@dataclasses.dataclass
class HistoryRow:
    day: str
    text: str


@dataclasses.dataclass
class GoalRow:
    id: str
    title: str
    why: str
    area: str
    horizon: str
    target: str
    status: str
    status_label: str
    progress_pct: int
    steps: list[StepRow]
    history: list[HistoryRow]
    target_iso: str = ""  # the edit form's date field
    version: str = ""  # keys the goal's forms: a new version refills them (the server keeps its own copy)


def _history_text(update: goals.UpdateView) -> str:
    if update.kind == "created":
        return "Goal set"
    if update.kind == "status":
        return f"Status: {goals.STATUS_LABELS.get(update.status, update.status)}" + (
            f" — {update.note}" if update.note and "→" not in update.note else "")
    if update.kind == "step":
        return f"{update.note} ({update.progress_pct}%)"
    if update.kind == "edited":
        return update.note
    return f"Progress {update.progress_pct}%" + (f" — {update.note}" if update.note else "")


class GoalsState(SessionState):
    goal_cards: list[GoalRow] = []
    errors: dict[str, str] = {}  # the new-goal form
    goal_errors: dict[str, str] = {}  # the form of the goal `error_goal_id`
    error_goal_id: str = ""
    message: str = ""
    form_key: int = 0
    # A change saved on an older copy of a goal than the latest is refused (StaleEdit):
    stale: str = ""  # who saved first and when, shown on the goal `stale_goal_id` with Reload
    stale_goal_id: str = ""
    draft: str = ""  # the refused input, shown after Reload until discarded
    # goal id -> the version its card shows: what a save sends as expected_version
    _versions: dict[str, int] = {}
    area_options: list[list[str]] = [[k, v] for k, v in goals.LIFE_AREAS]
    horizon_options: list[list[str]] = [[k, v] for k, v in goals.HORIZONS]
    status_options: list[list[str]] = [[k, v] for k, v in goals.STATUSES]

    def _context(self, session, actor):
        if refusal := self._require_role(session, actor, "client"):
            return None, refusal
        client_id = _own_client_id(session, actor)
        if client_id is None:
            return None, self._refuse(session, actor)
        return client_id, None

    def _reload(self, session, actor, client_id: int) -> None:
        rows = []
        shown = goals.list_goals(session, actor, client_id)
        self._versions = {str(g.id): g.version for g in shown}
        for g in shown:
            rows.append(GoalRow(
                id=str(g.id), title=g.title, why=g.why, area=g.life_area_label, horizon=g.horizon_label,
                target=(f"{g.target_date.strftime('%b')} {g.target_date.day}, {g.target_date.year}"
                        if g.target_date else ""),
                status=g.status, status_label=g.status_label, progress_pct=g.progress_pct,
                steps=[StepRow(str(s.id), s.text, s.done) for s in g.steps],
                history=[HistoryRow(f"{u.day.strftime('%b')} {u.day.day}", _history_text(u))
                         for u in reversed(g.updates)][:12],
                target_iso=g.target_date.isoformat() if g.target_date else "", version=str(g.version),
            ))
        self.goal_cards = rows

    def _clear(self) -> None:
        self.errors, self.goal_errors, self.error_goal_id, self.message = {}, {}, "", ""
        self.stale = ""

    @rx.event
    def load(self):
        self._clear()
        self.stale_goal_id, self.draft = "", ""
        with self._db() as (session, actor):
            client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
            self._reload(session, actor, client_id)

    @rx.event
    def add_goal(self, form: dict):
        form = form_dict(form)
        self._clear()
        with self._db() as (session, actor):
            client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
            errors: dict[str, str] = {}
            title = as_text(form.get("title"), goals.TITLE_MAX)
            why = as_text(form.get("why", ""), goals.WHY_MAX)
            steps_text = as_text(form.get("steps", ""), goals.MAX_STEPS * (goals.STEP_MAX + 1))
            raw_target = form.get("target_date", "")
            target = as_date(raw_target) if raw_target else None
            if title is None:
                errors["title"] = f"A title can be up to {goals.TITLE_MAX} characters."
            if why is None:
                errors["why"] = f"Why it matters can be up to {goals.WHY_MAX} characters."
            if steps_text is None:
                errors["steps"] = f"Up to {goals.MAX_STEPS} steps of {goals.STEP_MAX} characters each."
            if raw_target and target is None:
                errors["target_date"] = "Enter the target date as a date, like 2026-12-31."
            if errors:
                self.errors = errors
                return
            try:
                goals.add_goal(session, actor, client_id, title=title, why=why, life_area=form.get("life_area"),
                               horizon=form.get("horizon"), target_date=target,
                               steps=[line for line in steps_text.splitlines() if line.strip()])
            except ValidationError as exc:
                self.errors = exc.errors
                return
            except ServiceError as exc:
                self.message = exc.message
                return
            self.message = f"Goal added: {title}."
            self.form_key += 1
            self._reload(session, actor, client_id)

    def _expected(self, goal_id: int):
        """The version of the goal this page shows (None when it shows no such goal:
        the service then refuses)."""
        return self._versions.get(str(goal_id))

    def _run(self, goal_field, action, draft: str = ""):
        """Run a change on one goal; errors land next to that goal's fields. `draft`
        is the user's input, kept on screen if the save is refused as stale."""
        self._clear()
        with self._db() as (session, actor):
            client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
            goal_id = as_int(goal_field, 1)
            self.error_goal_id = str(goal_id) if goal_id is not None else ""
            if goal_id is None:
                self.message = "That goal could not be found. Please reload the page."
                return
            try:
                self.message = action(session, actor, client_id, goal_id)
            except StaleEdit as exc:
                self.stale, self.stale_goal_id, self.draft = exc.message, str(goal_id), draft
                return
            except ValidationError as exc:
                self.goal_errors = exc.errors
                return
            except (PermissionDenied, ServiceError) as exc:
                self.message = exc.message
                return
            self.error_goal_id = ""
            if self.stale_goal_id == str(goal_id):
                self.stale_goal_id, self.draft = "", ""
            self._reload(session, actor, client_id)

    @rx.event
    def reload_goals(self):
        """After a refused save: show the latest goals; the refused input stays on screen."""
        self._clear()
        with self._db() as (session, actor):
            client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
            self._reload(session, actor, client_id)
            self.message = "Reloaded: you now see the latest version. Your unsaved changes are shown on the goal."

    @rx.event
    def discard_draft(self):
        self.stale, self.stale_goal_id, self.draft = "", "", ""

    @rx.event
    def update_progress(self, form: dict):
        form = form_dict(form)
        raw = form.get("progress_pct")
        pct = as_int(raw, 0, 100)
        note = as_text(form.get("note", ""), goals.NOTE_MAX)

        def action(session, actor, client_id, goal_id):
            errors = {}
            if pct is None:
                errors["progress_pct"] = "Progress is a whole number from 0 to 100."
            if note is None:
                errors["note"] = f"The note can be up to {goals.NOTE_MAX} characters."
            if errors:
                raise ValidationError(errors)
            goals.update_progress(session, actor, client_id, goal_id, progress_pct=pct, note=note,
                                  expected_version=self._expected(goal_id))
            return f"Progress saved: {pct}%."

        return self._run(form.get("goal_id"), action, f"Progress: {pct}%" + (f"\nWhat changed: {note}" if note else ""))

    @rx.event
    def set_status(self, form: dict):
        form = form_dict(form)
        status = form.get("status")
        note = as_text(form.get("status_note", ""), goals.NOTE_MAX)

        def action(session, actor, client_id, goal_id):
            if note is None:
                raise ValidationError({"status_note": f"The note can be up to {goals.NOTE_MAX} characters."})
            try:
                goals.set_status(session, actor, client_id, goal_id, status if isinstance(status, str) else "",
                                 note=note, expected_version=self._expected(goal_id))
            except ValidationError as exc:
                raise ValidationError({("status_note" if k == "note" else k): v for k, v in exc.errors.items()})
            return f"Status changed to {goals.STATUS_LABELS[status].lower()}."

        label = goals.STATUS_LABELS.get(status, "") if isinstance(status, str) else ""
        return self._run(form.get("goal_id"), action, f"Status: {label}" + (f"\nNote: {note}" if note else ""))

    @rx.event
    def edit_goal(self, form: dict):
        form = form_dict(form)
        title = as_text(form.get("title"), goals.TITLE_MAX)
        why = as_text(form.get("why", ""), goals.WHY_MAX)
        raw_target = form.get("target_date", "")
        target = as_date(raw_target) if raw_target else None

        def action(session, actor, client_id, goal_id):
            errors = {}
            if title is None:
                errors["title"] = f"A title can be up to {goals.TITLE_MAX} characters."
            if why is None:
                errors["why"] = f"Why it matters can be up to {goals.WHY_MAX} characters."
            if raw_target and target is None:
                errors["target_date"] = "Enter the target date as a date, like 2026-12-31."
            if errors:
                raise ValidationError(errors)
            changed = goals.edit_goal(session, actor, client_id, goal_id, title=title, why=why, target_date=target,
                                      expected_version=self._expected(goal_id))
            return "Goal updated." if changed else "No change."

        draft = f"Goal: {title or ''}\nWhy it matters: {why or ''}" + (f"\nTarget date: {target.isoformat()}"
                                                                       if target else "")
        return self._run(form.get("goal_id"), action, draft)

    @rx.event
    def add_step(self, form: dict):
        form = form_dict(form)
        text = as_text(form.get("step", ""), goals.STEP_MAX)

        def action(session, actor, client_id, goal_id):
            if text is None:
                raise ValidationError({"step": f"A step can be up to {goals.STEP_MAX} characters."})
            goals.add_step(session, actor, client_id, goal_id, text)
            return "Step added."

        result = self._run(form.get("goal_id"), action)
        if not self.goal_errors and not result:
            self.form_key += 1
        return result

    @rx.event
    def toggle_step(self, goal_id: str, step_id: str, done: bool):
        def action(session, actor, client_id, goal_id_int):
            sid = as_int(step_id, 1)
            if sid is None or not isinstance(done, bool):
                raise PermissionDenied("That step could not be changed. Please reload the page.")
            goals.set_step_done(session, actor, client_id, goal_id_int, sid, done)
            return "Step ticked. Well done." if done else "Step marked as not done yet."

        return self._run(goal_id, action)


# ------------------------------------------------------------------ needs
@dataclasses.dataclass
class NeedRow:
    id: str
    label: str
    area: str
    in_focus: bool
    position: int


@dataclasses.dataclass
class SnapshotRow:
    when: str
    lines: list[str]


class NeedsState(SessionState):
    rows: list[NeedRow] = []
    history: list[SnapshotRow] = []
    common_options: list[list[str]] = []
    area_options: list[list[str]] = [[k, v] for k, v in goals.LIFE_AREAS]
    unsaved: bool = False
    errors: dict[str, str] = {}
    message: str = ""
    move_status: str = ""  # read out by screen readers after a move
    focus_request: str = ""  # "<n>:<element id>" to focus once the list is redrawn
    _focus_count: int = 0
    form_key: int = 0
    # Backend only: the order being edited (need ids, most important first) and labels.
    _order: list[int] = []
    _needs: dict[int, dict] = {}

    def _context(self, session, actor):
        if refusal := self._require_role(session, actor, "client"):
            return None, refusal
        client_id = _own_client_id(session, actor)
        if client_id is None:
            return None, self._refuse(session, actor)
        return client_id, None

    def _show(self) -> None:
        self.rows = [NeedRow(str(i), self._needs[i]["label"], self._needs[i]["area"], self._needs[i]["in_focus"],
                             position) for position, i in enumerate(self._order, start=1)]

    def _reload(self, session, actor, client_id: int) -> None:
        order = needs.current_order(session, actor, client_id)
        self._needs = {n.id: {"label": n.label, "area": n.area_label, "in_focus": n.in_focus} for n in order}
        self._order = [n.id for n in order]
        self.unsaved = False
        self._show()
        on_list = {n.label.lower() for n in order}
        self.common_options = [[label, label] for label, _ in needs.COMMON_NEEDS if label.lower() not in on_list]
        tz_history = needs.history(session, actor, client_id)
        rows = []
        for index, snapshot in enumerate(tz_history):
            older = tz_history[index + 1].labels if index + 1 < len(tz_history) else None
            items = []
            for position, label in enumerate(snapshot.labels, start=1):
                note = ""
                if older is not None:
                    if label not in older:
                        note = " (new)"
                    elif older.index(label) + 1 > position:
                        note = f" (up from {older.index(label) + 1})"
                    elif older.index(label) + 1 < position:
                        note = f" (down from {older.index(label) + 1})"
                items.append(f"{position}. {label}{note}")
            moment = snapshot.local_at
            rows.append(SnapshotRow(f"{moment.strftime('%b')} {moment.day}, {moment.year}, "
                                    f"{moment.strftime('%I:%M %p').lstrip('0')}", items))
        self.history = rows

    @rx.event
    def load(self):
        self.errors, self.message, self.move_status = {}, "", ""
        with self._db() as (session, actor):
            client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
            self._reload(session, actor, client_id)

    def _move(self, need_id, step: int):
        self.errors, self.message = {}, ""
        with self._db() as (session, actor):
            _client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
        nid = as_int(need_id, 1)
        if nid is None or nid not in self._order:
            self.move_status = "That need is not on your list. Please reload the page."
            return
        index = self._order.index(nid)
        target = index + step
        if not 0 <= target < len(self._order):
            return
        order = list(self._order)
        order[index], order[target] = order[target], order[index]
        self._order = order
        self.unsaved = True
        self._show()
        self.move_status = (f"{self._needs[nid]['label']} moved to {_ordinal(target + 1)} of {len(order)}. "
                            "Save the order when you are ready.")
        # Keep keyboard focus on the moved need's button (or its other one at the ends).
        direction = "up" if step < 0 else "down"
        if (direction == "up" and target == 0) or (direction == "down" and target == len(order) - 1):
            direction = "down" if direction == "up" else "up"
        # After React has re-rendered the list (the ids move with the rows); see components/focus.py.
        self._focus_count += 1
        self.focus_request = f"{self._focus_count}:need-{direction}-{nid}"

    @rx.event
    def move_up(self, need_id: str):
        return self._move(need_id, -1)

    @rx.event
    def move_down(self, need_id: str):
        return self._move(need_id, 1)

    @rx.event
    def save_order(self):
        self.errors, self.message, self.move_status = {}, "", ""
        with self._db() as (session, actor):
            client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
            try:
                needs.save_order(session, actor, client_id, list(self._order))
            except ValidationError as exc:
                self.errors = exc.errors
                self._reload(session, actor, client_id)
                return
            except ServiceError as exc:
                self.errors = {"order": exc.message}
                return
            self.message = "Your order is saved. Your care team will see it."
            self._reload(session, actor, client_id)

    @rx.event
    def undo_changes(self):
        self.errors, self.message, self.move_status = {}, "", ""
        with self._db() as (session, actor):
            client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
            self._reload(session, actor, client_id)

    @rx.event
    def add_need(self, form: dict):
        form = form_dict(form)
        self.errors, self.message, self.move_status = {}, "", ""
        with self._db() as (session, actor):
            client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
            common = form.get("common", "")
            custom = as_text(form.get("custom", ""), needs.LABEL_MAX)
            if custom is None:
                self.errors = {"custom": f"A need can be up to {needs.LABEL_MAX} characters."}
                return
            common_areas = dict(needs.COMMON_NEEDS)
            if custom:
                label, area = custom, form.get("area")
            elif isinstance(common, str) and common in common_areas:
                label, area = common, common_areas[common]
            else:
                self.errors = {"common": "Pick a need from the list, or write your own."}
                return
            try:
                needs.add_need(session, actor, client_id, label, area if isinstance(area, str) else "")
            except ValidationError as exc:
                self.errors = {("custom" if k == "label" else k): v for k, v in exc.errors.items()}
                return
            except ServiceError as exc:
                self.errors = {"common": exc.message}
                return
            was_unsaved, kept_order = self.unsaved, list(self._order)
            self._reload(session, actor, client_id)
            if was_unsaved:  # keep the moves not saved yet; the new need goes last
                self._order = [i for i in kept_order if i in self._needs] + [
                    i for i in self._order if i not in kept_order]
                self.unsaved = True
                self._show()
            self.message = f"Added: {label}. Move it up or down, then save the order."
            self.form_key += 1

    @rx.event
    def remove_need(self, need_id: str):
        self.errors, self.message, self.move_status = {}, "", ""
        with self._db() as (session, actor):
            client_id, refusal = self._context(session, actor)
            if refusal:
                return refusal
            nid = as_int(need_id, 1)
            if nid is None or nid not in self._order:
                self.errors = {"order": "That need is not on your list. Please reload the page."}
                return
            try:
                needs.remove_need(session, actor, client_id, nid)
            except ServiceError as exc:
                self.errors = {"order": exc.message}
                return
            label = self._needs[nid]["label"]
            self._reload(session, actor, client_id)
            self.message = f"Removed: {label}. Save the order to keep a new snapshot."
            self.unsaved = True
