"""The client's goals page. The services check every value (services/goals.py:
GoalCreate, GoalEdit, GoalProgress, ...); this state converts what the browser sent,
shows the service's messages next to the fields of the goal at fault, and keeps a
refused input on screen when someone saved the goal first (StaleEdit)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from ...models import User
from ...models.enums import GoalHorizon, GoalStatus, GoalUpdateKind, LifeArea
from ...services import goals
from ...services.errors import NotFound, PermissionDenied, StaleEdit, ValidationError
from ..args import as_int, form_dict
from ..base import SessionState
from .base import ClientPage, date_or_given, renamed, text_of, whole_or_given


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
    if update.kind == GoalUpdateKind.CREATED:
        return "Goal set"
    if update.kind == GoalUpdateKind.STATUS:
        return f"Status: {goals.STATUS_LABELS.get(update.status, update.status)}" + (
            f" — {update.note}" if update.note and "→" not in update.note else "")
    if update.kind == GoalUpdateKind.STEP:
        return f"{update.note} ({update.progress_pct}%)"
    if update.kind == GoalUpdateKind.EDITED:
        return update.note
    return f"Progress {update.progress_pct}%" + (f" — {update.note}" if update.note else "")


def _goal_row(g: goals.GoalView) -> GoalRow:
    return GoalRow(
        id=str(g.id), title=g.title, why=g.why, area=g.life_area_label, horizon=g.horizon_label,
        target=f"{g.target_date.strftime('%b')} {g.target_date.day}, {g.target_date.year}" if g.target_date else "",
        status=g.status, status_label=g.status_label, progress_pct=g.progress_pct,
        steps=[StepRow(str(s.id), s.text, s.done) for s in g.steps],
        history=[HistoryRow(f"{u.day.strftime('%b')} {u.day.day}", _history_text(u))
                 for u in reversed(g.updates)][:12],
        target_iso=g.target_date.isoformat() if g.target_date else "", version=str(g.version),
    )


class GoalsState(ClientPage, SessionState):
    goal_cards: list[GoalRow] = []
    # `errors` (PageState) is the new-goal form's; this is the form of the goal `error_goal_id`.
    goal_errors: dict[str, str] = {}
    error_goal_id: str = ""
    form_key: int = 0
    # A change saved on an older copy of a goal than the latest is refused (StaleEdit):
    stale: str = ""  # who saved first and when, shown on the goal `stale_goal_id` with Reload
    stale_goal_id: str = ""
    draft: str = ""  # the refused input, shown after Reload until discarded
    # goal id -> the version its card shows: what a save sends as expected_version
    _versions: dict[str, int] = {}
    area_options: list[list[str]] = LifeArea.choices()
    horizon_options: list[list[str]] = GoalHorizon.choices()
    status_options: list[list[str]] = GoalStatus.choices()

    def _reload(self, session: Session, actor: User) -> None:
        shown = goals.list_goals(session, actor, self._client_id)
        self._versions = {str(g.id): g.version for g in shown}
        self.goal_cards = [_goal_row(g) for g in shown]

    def _clear(self) -> None:
        self.errors, self.goal_errors, self.error_goal_id, self.stale = {}, {}, "", ""

    @rx.event
    def load(self):
        def action(_session, _actor):
            self._clear()
            self.stale_goal_id, self.draft = "", ""

        return self._run(action)

    @rx.event
    def add_goal(self, form: dict):
        form = form_dict(form)
        steps = form.get("steps", "")

        def action(session, actor):
            self._clear()
            goal = goals.add_goal(session, actor, self._client_id, title=form.get("title"), why=form.get("why", ""),
                                  life_area=form.get("life_area"), horizon=form.get("horizon"),
                                  target_date=date_or_given(form.get("target_date")),
                                  steps=steps.splitlines() if isinstance(steps, str) else steps)
            self.message = f"Goal added: {goal.title}."
            self.form_key += 1
            self._reload(session, actor)

        # No reload after a refusal: the cards keep the versions they showed.
        return self._run(action, reload=False)

    def _expected(self, goal_id: int):
        """The version of the goal this page shows (None when it shows no such goal:
        the service then refuses)."""
        return self._versions.get(str(goal_id))

    def _change_goal(self, goal_field, change: Callable[[Session, User, int], str], draft: str = ""):
        """Run `change(session, actor, goal_id)` (it returns the message) on one goal;
        its field messages land next to that goal's fields. `draft` is the user's
        input, kept on screen if the save is refused as stale."""
        def action(session, actor):
            self._clear()
            goal_id = as_int(goal_field, 1)
            if goal_id is None:
                raise NotFound("That goal could not be found. Please reload the page.")
            self.error_goal_id = str(goal_id)
            try:
                self.message = change(session, actor, goal_id)
            except StaleEdit as exc:
                self.stale, self.stale_goal_id, self.draft = exc.message, str(goal_id), draft
                return
            self.error_goal_id = ""
            if self.stale_goal_id == str(goal_id):
                self.stale_goal_id, self.draft = "", ""
            self._reload(session, actor)

        # No reload after a refusal: a stale page must stay stale until the user reloads it.
        return self._run(action, reload=False, errors_var="goal_errors")

    @rx.event
    def reload_goals(self):
        """After a refused save: show the latest goals; the refused input stays on screen."""
        def action(_session, _actor):
            self._clear()
            self.message = "Reloaded: you now see the latest version. Your unsaved changes are shown on the goal."

        return self._run(action)

    @rx.event
    def discard_draft(self):
        self.stale, self.stale_goal_id, self.draft = "", "", ""

    @rx.event
    def update_progress(self, form: dict):
        form = form_dict(form)
        pct, note = whole_or_given(form.get("progress_pct")), form.get("note", "")

        def change(session, actor, goal_id):
            goals.update_progress(session, actor, self._client_id, goal_id, progress_pct=pct, note=note,
                                  expected_version=self._expected(goal_id))
            return f"Progress saved: {pct}%."

        return self._change_goal(form.get("goal_id"), change,
                                 f"Progress: {pct}%" + (f"\nWhat changed: {text_of(note)}" if text_of(note) else ""))

    @rx.event
    def set_status(self, form: dict):
        form = form_dict(form)
        status, note = form.get("status"), form.get("status_note", "")

        def change(session, actor, goal_id):
            try:
                goals.set_status(session, actor, self._client_id, goal_id, status, note=note,
                                 expected_version=self._expected(goal_id))
            except ValidationError as exc:  # the form names its note field status_note
                raise renamed(exc, {"note": "status_note"}) from None
            return f"Status changed to {goals.STATUS_LABELS[status].lower()}."

        label = goals.STATUS_LABELS.get(status, "") if isinstance(status, str) else ""
        return self._change_goal(form.get("goal_id"), change,
                                 f"Status: {label}" + (f"\nNote: {text_of(note)}" if text_of(note) else ""))

    @rx.event
    def edit_goal(self, form: dict):
        form = form_dict(form)
        title, why, target = form.get("title"), form.get("why", ""), date_or_given(form.get("target_date"))

        def change(session, actor, goal_id):
            changed = goals.edit_goal(session, actor, self._client_id, goal_id, title=title, why=why,
                                      target_date=target, expected_version=self._expected(goal_id))
            return "Goal updated." if changed else "No change."

        draft = f"Goal: {text_of(title)}\nWhy it matters: {text_of(why)}" + (
            f"\nTarget date: {target.isoformat()}" if target and not isinstance(target, str) else "")
        return self._change_goal(form.get("goal_id"), change, draft)

    @rx.event
    def add_step(self, form: dict):
        form = form_dict(form)

        def change(session, actor, goal_id):
            goals.add_step(session, actor, self._client_id, goal_id, form.get("step", ""))
            self.form_key += 1
            return "Step added."

        return self._change_goal(form.get("goal_id"), change)

    @rx.event
    def toggle_step(self, goal_id: str, step_id: str, done: bool):
        def change(session, actor, goal_id_int):
            sid = as_int(step_id, 1)
            if sid is None:
                raise PermissionDenied("That step could not be changed. Please reload the page.")
            goals.set_step_done(session, actor, self._client_id, goal_id_int, sid, done)
            return "Step ticked. Well done." if done else "Step marked as not done yet."

        return self._change_goal(goal_id, change)
